"""Numerical gradients and gradient checks against hand-derived gradients and error orders."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib.gradcheck import (
    check_directional_derivative,
    check_gradient,
    check_gradient_batched,
    check_gradient_sampled,
    default_step,
    difference_quotient,
    difference_quotients,
    from_scalar,
    from_stacked,
    numerical_gradient,
    numerical_gradient_batched,
    relative_error,
)

METHODS = ("forward", "backward", "central")


def f_demo(x):
    # f = sum(sin x) + x0^2 x1
    return np.sum(np.sin(x)) + x[0] ** 2 * x[1]


def grad_demo(x):
    # by hand: df/dx0 = cos x0 + 2 x0 x1, df/dx1 = cos x1 + x0^2, df/dx2 = cos x2
    return np.cos(x) + np.array([2 * x[0] * x[1], x[0] ** 2, 0.0])


X_DEMO = np.array([0.3, -1.2, 2.5])


@pytest.mark.parametrize("method", METHODS)
def test_numerical_gradient_matches_hand_gradient(method):
    tol = 1e-10 if method == "central" else 1e-6
    np.testing.assert_allclose(numerical_gradient(f_demo, X_DEMO, method), grad_demo(X_DEMO), rtol=tol, atol=tol)


def test_difference_quotient_is_the_three_formulas():
    # f = x^3 at x = 2 with h = 0.5: f(x + h) = 15.625, f(x) = 8, f(x - h) = 3.375
    assert difference_quotient("forward", 15.625, 8.0, None, 0.5) == (15.625 - 8.0) / 0.5 == 15.25
    assert difference_quotient("backward", None, 8.0, 3.375, 0.5) == (8.0 - 3.375) / 0.5 == 9.25
    # central: 3 x^2 + h^2 = 12.25 (the truncation term h^2 f3 / 6 of x^3, with f3 = 6, is exactly h^2)
    assert difference_quotient("central", 15.625, None, 3.375, 0.5) == 12.25
    np.testing.assert_array_equal(difference_quotient("forward", np.array([3.0, 5.0]), np.array([1.0, 1.0]), None,
                                                      np.array([2.0, 4.0])), [1.0, 1.0])
    with pytest.raises(ValueError, match="method must be one of"):
        difference_quotient("centre", 1.0, 1.0, 1.0, 0.1)


@pytest.mark.parametrize("method", METHODS)
def test_numerical_gradient_with_a_given_step_is_the_quotient_written_out(method):
    # with eps given, entry i is exactly the textbook quotient of f at x +- h e_i
    h = 1e-3
    expected = np.empty(3)
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        fp, f0, fm = f_demo(X_DEMO + e), f_demo(X_DEMO), f_demo(X_DEMO - e)
        expected[i] = {"forward": (fp - f0) / h, "backward": (f0 - fm) / h, "central": (fp - fm) / (2 * h)}[method]
    np.testing.assert_array_equal(numerical_gradient(f_demo, X_DEMO, method, eps=h), expected)


def test_difference_quotients_round_in_the_given_type():
    q = difference_quotients(np.sin, 0.5, np.array([1e-2]), np.float32)
    x, h = np.float32(0.5), np.float32(1e-2)
    assert q["central"].dtype == np.float32
    assert q["central"][0] == (np.sin(x + h) - np.sin(x - h)) / (np.float32(2) * h)
    assert q["forward"][0] == (np.sin(x + h) - np.sin(x)) / h
    assert q["backward"][0] == (np.sin(x) - np.sin(x - h)) / h


def test_difference_quotients_in_float64_follow_the_error_orders():
    # exp at x = 1: forward error ~ h e / 2, backward ~ -h e / 2, central ~ h^2 e / 6 (Taylor)
    h = np.array([1e-3, 1e-4])
    q = difference_quotients(np.exp, 1.0, h)
    assert all(v.dtype == np.float64 and v.shape == (2,) for v in q.values())
    np.testing.assert_allclose(q["forward"] - np.e, h * np.e / 2, rtol=1e-3)
    np.testing.assert_allclose(q["backward"] - np.e, -h * np.e / 2, rtol=1e-3)
    np.testing.assert_allclose(q["central"] - np.e, h ** 2 * np.e / 6, rtol=1e-2)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: difference_quotients(np.sin, 0.5, [1e-2], np.float16), ValueError, "dtype must be float32 or float64"),
    (lambda: difference_quotients(np.sin, 0.5, np.array([1e-2, 0.0])), ValueError, "h must hold steps > 0"),
    (lambda: difference_quotients(np.sin, 0.5, np.array([1, 2])), TypeError, "h must be a floating-point"),
    (lambda: difference_quotients(0.5, 0.5, np.array([1e-2])), TypeError, "f must be callable"),
    (lambda: difference_quotients(np.sin, np.nan, np.array([1e-2])), ValueError, "x must be finite"),
])
def test_difference_quotients_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_quadratic_any_shape():
    # f = 0.5 x'Ax - b'x on a (2, 2)-shaped x (flattened in C order): grad = Ax - b
    rng = np.random.default_rng(0)
    M = rng.standard_normal((4, 4))
    A = M @ M.T + 4 * np.eye(4)
    b = rng.standard_normal(4)
    x = rng.standard_normal((2, 2))
    f = lambda x: 0.5 * x.ravel() @ A @ x.ravel() - b @ x.ravel()
    expected = (A @ x.ravel() - b).reshape(2, 2)
    # central differences are exact on quadratics up to round-off
    np.testing.assert_allclose(numerical_gradient(f, x), expected, rtol=1e-9, atol=1e-9)


def test_scalar_0d_input():
    assert numerical_gradient(lambda x: float(x) ** 3, np.array(2.0)) == pytest.approx(12.0, rel=1e-9)


def test_x_is_unchanged_even_when_f_raises():
    x = X_DEMO.copy()
    numerical_gradient(f_demo, x)
    np.testing.assert_array_equal(x, X_DEMO)
    calls = []

    def f_fails(z):
        calls.append(1)
        if len(calls) == 2:
            raise ZeroDivisionError("boom")
        return float(z.sum())

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(f_fails, x)
    np.testing.assert_array_equal(x, X_DEMO)


@pytest.mark.parametrize("method, sign", [("forward", 1), ("backward", -1)])
def test_one_sided_error_is_first_order(method, sign):
    # f = exp at x = 1 with h = 1e-4: Taylor gives error = +-f''(1) h / 2 + O(h^2) = +-e h / 2
    h = 1e-4
    est = numerical_gradient(lambda x: math.exp(x[0]), np.array([1.0]), method, eps=h)[0]
    assert (est - math.e) == pytest.approx(sign * math.e * h / 2, rel=1e-3)


def test_central_error_is_second_order():
    # central: error = f'''(1) h^2 / 6 + O(h^4) = e h^2 / 6
    h = 1e-3
    est = numerical_gradient(lambda x: math.exp(x[0]), np.array([1.0]), "central", eps=h)[0]
    assert (est - math.e) == pytest.approx(math.e * h**2 / 6, rel=1e-3)


def test_default_steps():
    eps = np.finfo(np.float64).eps
    x = np.array([0.5, -3.0, 1e4])
    h = default_step(x, "central")
    np.testing.assert_allclose(h, eps ** (1 / 3) * np.array([1.0, 3.0, 1e4]), rtol=1e-9)
    np.testing.assert_allclose(default_step(x, "forward"), math.sqrt(eps) * np.array([1.0, 3.0, 1e4]), rtol=1e-6)
    # representable: x + h - x == h exactly
    np.testing.assert_array_equal((x + h) - x, h)


def test_default_step_beats_1e8_for_central_differences_1d():
    # Source 003 uses eps = 1e-8 for central differences.  f = exp on 201 points of [-1, 1], so f = f' = f''' and
    # the CS231n relative error is |est - f'| / (2 f') (for est ~ f').  Each value of exp is off by at most
    # ~1 ulp <= eps_mach * f, so the quotient's round-off is at most eps_mach * f / h, relatively eps_mach / h.
    #   default step h = cbrt(eps_mach) = 6.06e-6 (|x| <= 1):
    #     round-off 2.2e-16 / 6.06e-6 = 3.7e-11, truncation h^2 / 6 = 6.1e-12; halved: <= 2.2e-11
    #   h = 1e-8: truncation 1.7e-17 (nothing), round-off up to 2.2e-16 / 1e-8 = 2.2e-8 (halved 1.1e-8);
    #     over 201 points its largest value is of that order, far above the default step's bound.
    xs = np.linspace(-1.0, 1.0, 201)
    exp1 = lambda z: math.exp(z[0])
    err_default = relative_error(np.array([numerical_gradient(exp1, np.array([x]))[0] for x in xs]), np.exp(xs))
    err_1e8 = relative_error(np.array([numerical_gradient(exp1, np.array([x]), eps=1e-8)[0] for x in xs]),
                             np.exp(xs))
    assert err_default < 2.5e-11
    assert err_1e8 > 1e-9  # > 40 times the default step's worst case: round-off dominates


def test_default_step_beats_1e8_for_central_differences():
    # The same in 50 dimensions with f = sum(exp(x)): |f| ~ 59 (50 terms of mean sinh(1) = 1.18), so each value
    # of f carries a round-off of some ulps of 59 (ulp 7.1e-15) whatever the coordinate, against gradient
    # entries exp(x_i) in [0.37, 2.7].  Both steps are round-off dominated, and that round-off scales as 1 / h:
    # h = 1e-8 should be about 6.06e-6 / 1e-8 = 606 times worse than the default step.
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 50)
    f = lambda x: float(np.sum(np.exp(x)))
    exact = np.exp(x)
    err_default = relative_error(numerical_gradient(f, x), exact)
    err_1e8 = relative_error(numerical_gradient(f, x, eps=1e-8), exact)
    assert err_default < 1e-8
    assert err_1e8 > 100 * err_default
    # for forward differences 1e-8 is about right: truncation e h / 2 ~ 1e-8 and round-off
    # eps_mach |f| / h ~ 2.2e-16 * 60 / 1e-8 ~ 1.3e-6 absolute, against gradients of ~1
    assert relative_error(numerical_gradient(f, x, "forward", eps=1e-8), exact) < 1e-5


def test_relative_error_hand_values():
    # |2 - 2.5| / (2 + 2.5) = 0.5 / 4.5
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.5])) == pytest.approx(1 / 9)
    # both ~0: the floor 1e-8 in the denominator: 1e-12 / 1e-8 = 1e-4
    assert relative_error(np.array([0.0]), np.array([1e-12])) == pytest.approx(1e-4)
    with pytest.raises(ValueError, match="shape"):
        relative_error(np.ones(2), np.ones(3))


def test_check_gradient_passes_and_fails_with_worst_index():
    good = check_gradient(f_demo, grad_demo, X_DEMO)
    assert good.passed and bool(good) and good.max_relative_error < 1e-9
    assert "PASSED" in repr(good)

    wrong = lambda x: grad_demo(x) + np.array([0.0, 1e-3, 0.0])
    bad = check_gradient(f_demo, wrong, X_DEMO)
    assert not bad.passed and bad.worst_index == (1,)
    # relative error of entry 1: 1e-3 / (|g1| + |g1 + 1e-3|)
    g1 = grad_demo(X_DEMO)[1]
    assert bad.max_relative_error == pytest.approx(1e-3 / (abs(g1) + abs(g1 + 1e-3)), rel=1e-6)
    text = repr(bad)
    assert "FAILED" in text and "1 entry fails" in text and "(1,)" in text.splitlines()[3]
    # the gradient may also be given as an array
    assert check_gradient(f_demo, grad_demo(X_DEMO), X_DEMO).passed


def test_check_gradient_worst_index_for_matrices():
    W = np.arange(6, dtype=float).reshape(2, 3) / 10
    f = lambda W: float(np.sum(W**3))
    g = 3 * W**2
    g_wrong = g.copy()
    g_wrong[1, 2] *= 1.01
    assert check_gradient(f, g_wrong, W).worst_index == (1, 2)


@pytest.mark.parametrize("method", METHODS)
def test_batched_equals_loop(method):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(300)
    c = rng.standard_normal(300)
    f_stacked = lambda P: np.sum(np.sin(P) * c, axis=1) + 0.1 * np.sum(P**2, axis=1) ** 2
    f = lambda x: float(f_stacked(x[None, :])[0])  # same arithmetic, so the same round-off
    loop = numerical_gradient(f, x, method)
    via_stacked = numerical_gradient_batched(from_stacked(f_stacked, x), x, method, batch_size=64)
    via_scalar = numerical_gradient_batched(from_scalar(f, x), x, method, batch_size=7)
    np.testing.assert_array_equal(via_stacked, loop)
    np.testing.assert_array_equal(via_scalar, loop)
    # hand gradient: c cos x + 0.4 ||x||^2 x
    exact = c * np.cos(x) + 0.4 * np.sum(x**2) * x
    assert check_gradient_batched(from_stacked(f_stacked, x), exact, x, method).passed is (method == "central")


def test_batched_indices_subset():
    x = X_DEMO.copy()
    idx = np.array([2, 0])
    est = numerical_gradient_batched(from_scalar(f_demo, x), x, indices=idx)
    np.testing.assert_allclose(est, grad_demo(x)[idx], rtol=1e-9)
    res = check_gradient_batched(from_scalar(f_demo, x), grad_demo, x, indices=idx)
    assert res.n_checked == 2 and res.passed
    assert res.worst_index in {(0,), (2,)}


def test_batched_never_calls_f_batch_with_more_than_batch_size():
    sizes = []
    x = np.linspace(-1, 1, 100)
    inner = from_scalar(lambda z: float(np.sum(z**2)), x)

    def f_batch(idx, h):
        sizes.append(len(idx))
        return inner(idx, h)

    est = numerical_gradient_batched(f_batch, x, "forward", batch_size=16)
    assert max(sizes) <= 16
    assert sum(sizes) == 100 + 1  # one baseline, one per coordinate
    np.testing.assert_allclose(est, 2 * x, atol=1e-6)


def test_sampled_check_finds_wrong_coordinate_when_sampled():
    # exp keeps gradients away from 0, where the 1e-8 floor of the relative error would bite
    x = np.linspace(-1, 1, 500)
    f = lambda z: float(np.sum(np.exp(z)))
    g = np.exp(x)
    assert check_gradient_sampled(f, g, x, n_samples=50, seed=0).passed
    res_all = check_gradient_sampled(f, g, x, n_samples=500, seed=0)
    assert res_all.n_checked == 500 and set(res_all.indices) == set(range(500))
    g_wrong = g.copy()
    g_wrong[123] += 0.5
    res = check_gradient_sampled(f, g_wrong, x, n_samples=500, seed=3)
    assert not res.passed and res.worst_index == (123,)
    small = check_gradient_sampled(f, g_wrong, x, n_samples=10, seed=3)
    assert small.n_checked == 10 and len(np.unique(small.indices)) == 10
    assert small.passed == (123 not in small.indices)


def test_directional_check():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(40)
    f = lambda z: float(np.sum(np.cos(z)) + np.sum(z) ** 2)
    g = -np.sin(x) + 2 * np.sum(x)
    good = check_directional_derivative(f, g, x, n_directions=10, seed=0)
    assert good.passed and good.numeric.shape == (10,) and "PASSED" in repr(good)
    # analytic values are g . u with unit u
    np.testing.assert_allclose(np.linalg.norm(good.directions, axis=1), 1.0)
    np.testing.assert_allclose(good.analytic, good.directions @ g)
    g_wrong = g.copy()
    g_wrong[5] *= 1.1
    assert not check_directional_derivative(f, g_wrong, x, n_directions=10, seed=0).passed


@pytest.mark.parametrize(
    "call, exc, name",
    [
        (lambda: numerical_gradient(f_demo, X_DEMO, "centre"), ValueError, "method"),
        (lambda: numerical_gradient(f_demo, np.array([1, 2, 3])), TypeError, "x"),
        (lambda: numerical_gradient(f_demo, np.array([1.0, np.nan, 3.0])), ValueError, "x"),
        (lambda: numerical_gradient(f_demo, X_DEMO, eps=0.0), ValueError, "eps"),
        (lambda: numerical_gradient(f_demo, X_DEMO, eps=-1e-5), ValueError, "eps"),
        (lambda: numerical_gradient(lambda x: x, X_DEMO), ValueError,
         r"f\(x\) with x\[0\] \+= .* must be a scalar"),
        (lambda: numerical_gradient(lambda x: np.inf, X_DEMO), ValueError,
         r"f\(x\) with x\[0\] \+= .* must be finite"),
        (lambda: numerical_gradient(lambda x: np.inf, X_DEMO, "forward"), ValueError, r"f\(x\) must be finite"),
        (lambda: numerical_gradient(0.5, X_DEMO), TypeError, "f must be callable"),
        (lambda: check_gradient(f_demo, np.ones(2), X_DEMO), ValueError, "grad"),
        (lambda: check_gradient(f_demo, grad_demo, X_DEMO, tol=0), ValueError, "tol"),
        (lambda: numerical_gradient_batched(lambda i, h: np.zeros(1), X_DEMO), ValueError, "f_batch"),
        (lambda: numerical_gradient_batched(from_scalar(f_demo, X_DEMO), X_DEMO, batch_size=0), ValueError,
         "batch_size"),
        (lambda: numerical_gradient_batched(from_scalar(f_demo, X_DEMO), X_DEMO, indices=[5]), ValueError,
         "indices"),
        (lambda: numerical_gradient_batched(from_scalar(f_demo, X_DEMO), X_DEMO, indices=[0.5]), TypeError,
         "indices"),
        (lambda: numerical_gradient_batched(from_stacked(lambda P: P, X_DEMO), X_DEMO), ValueError,
         "f_stacked"),
        (lambda: numerical_gradient_batched(lambda i, h: np.full(len(i), np.nan), X_DEMO), ValueError,
         r"f_batch must return finite values; got nan for f\(x\) with x\[0\] \+="),
        (lambda: numerical_gradient_batched(lambda i, h: np.zeros(len(i), dtype=int), X_DEMO), TypeError,
         "f_batch must return floating-point"),
        (lambda: numerical_gradient_batched(from_scalar(f_demo, X_DEMO), X_DEMO, indices=[]), ValueError,
         "indices must hold at least one"),
        (lambda: numerical_gradient_batched(from_scalar(f_demo, X_DEMO), X_DEMO, method="centre"), ValueError,
         "method"),
        (lambda: from_scalar(f_demo, X_DEMO)(np.array([0, 1]), np.array([1e-6])), ValueError, "h must have"),
        (lambda: check_gradient(lambda x: 0.0, np.zeros(0), np.zeros(0)), ValueError, "x must have at least one"),
        (lambda: check_gradient_sampled(None, grad_demo, X_DEMO, n_samples=2), TypeError, "f must be callable"),
        (lambda: check_directional_derivative(f_demo, grad_demo, X_DEMO, eps=0.0), ValueError, "eps"),
        (lambda: check_directional_derivative(f_demo, grad_demo, np.zeros(0)), ValueError, "x must have"),
        (lambda: check_directional_derivative(lambda x: x, grad_demo, X_DEMO), ValueError,
         r"f\(x \+ h u\) \(direction 0\) must be a scalar"),
        (lambda: check_directional_derivative(f_demo, np.ones(2), X_DEMO), ValueError, "grad"),
        (lambda: check_gradient_sampled(f_demo, grad_demo, X_DEMO, n_samples=4), ValueError, "n_samples"),
        (lambda: check_directional_derivative(f_demo, grad_demo, X_DEMO, n_directions=0), ValueError,
         "n_directions"),
    ],
)
def test_bad_input(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


def test_atol_lets_entries_below_the_round_off_level_pass():
    # f = 1 + 1e-9 x0 + x1^2 at x = (0.5, 0.5): the first gradient entry (1e-9) is far below the
    # round-off of a central difference, eps_mach |f| / h ~ 2.2e-16 * 1.25 / 6e-6 ~ 5e-11
    f = lambda x: float(1.0 + 1e-9 * x[0] + x[1] ** 2)
    g = np.array([1e-9, 1.0])
    x = np.array([0.5, 0.5])
    plain = check_gradient(f, g, x)
    err0 = abs(plain.numeric[0] - 1e-9)
    assert err0 < 1e-9  # the estimate is right to within its round-off ...
    assert not plain.passed and plain.worst_index == (0,)  # ... yet fails the plain relative test
    assert plain.relative_errors[0] == pytest.approx(err0 / max(1e-9 + abs(plain.numeric[0]), 1e-8))
    relaxed = check_gradient(f, g, x, atol=1e-9)
    assert relaxed.passed and relaxed.n_failed == 0 and "atol 1.0e-09" in repr(relaxed)
    # ... while a real error stays caught by the relative test
    wrong = check_gradient(f, np.array([1e-9, 1.01]), x, atol=1e-9)
    assert not wrong.passed and wrong.n_failed == 1 and wrong.worst_index == (1,)
    with pytest.raises(ValueError, match="atol"):
        check_gradient(f, g, x, atol=-1.0)


def test_error_names_the_perturbed_entry_of_a_matrix():
    # f breaks (returns NaN) only when W[1, 2] is moved; the message must say so in W's own indexing
    W = np.zeros((2, 3))

    def f(W):
        return float("nan") if W[1, 2] != 0 else float(np.sum(W))

    with pytest.raises(ValueError, match=r"f\(x\) with x\[1, 2\] \+= .* must be finite"):
        numerical_gradient(f, W)

    def f_batch(idx, h):  # the same failure reported by a batched loss
        return np.where((idx == 5) & (h != 0), np.nan, 0.0)

    with pytest.raises(ValueError, match=r"got nan for f\(x\) with x\[1, 2\] -= .*flat index 5"):
        numerical_gradient_batched(f_batch, W, "backward")


def test_bad_tolerances_are_rejected_before_any_evaluation():
    calls = []
    f = lambda x: calls.append(1) or 0.0
    with pytest.raises(ValueError, match="atol"):
        check_gradient(f, np.zeros(3), X_DEMO, atol=-1.0)
    with pytest.raises(ValueError, match="atol"):
        check_gradient_batched(from_scalar(f, X_DEMO), np.zeros(3), X_DEMO, atol=-1.0)
    with pytest.raises(ValueError, match="tol"):
        check_directional_derivative(f, np.zeros(3), X_DEMO, tol=-1.0)
    assert calls == []


def test_directional_check_uses_the_step_actually_taken():
    # f linear, f = c . x, so the difference quotient is c . ((x + h u) - (x - h u)) / (2h) up to the round-off
    # of two dot products; analytic is documented as c . ((x + h u) - (x - h u)) / (2h), the same quantity.
    rng = np.random.default_rng(5)
    x = rng.standard_normal(200)
    c = rng.standard_normal(200)
    res = check_directional_derivative(lambda z: float(c @ z), c, x, n_directions=5, seed=1)
    h = res.eps
    assert h == pytest.approx(np.cbrt(np.finfo(float).eps) * max(1.0, np.sqrt(np.mean(x**2))))
    for k, u in enumerate(res.directions):
        taken = ((x + h * u) - (x - h * u)) / (2 * h)
        assert res.analytic[k] == pytest.approx(c @ taken, rel=1e-14)
    assert res.passed and res.max_relative_error < 1e-8


def test_seed_takes_an_int_or_a_generator():
    x = np.linspace(-1, 1, 200)
    f = lambda z: float(np.sum(np.exp(z)))  # noqa: E731
    g = np.exp(x)
    # an int seed draws the same coordinates (and directions) every time; a Generator seeded alike, the same
    a = check_gradient_sampled(f, g, x, n_samples=7, seed=11)
    b = check_gradient_sampled(f, g, x, 7, "central", None, 1e-6, np.random.default_rng(11))  # positional order
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.indices, np.sort(np.random.default_rng(11).choice(200, 7, replace=False)))
    rng = np.random.default_rng(2)
    first = check_directional_derivative(f, g, x, n_directions=3, seed=rng)
    second = check_directional_derivative(f, g, x, n_directions=3, seed=rng)  # the stream advanced
    assert not np.array_equal(first.directions, second.directions)
    U = np.random.default_rng(5).standard_normal((3, 200))
    np.testing.assert_allclose(check_directional_derivative(f, g, x, n_directions=3, seed=5).directions,
                               U / np.linalg.norm(U, axis=1, keepdims=True))
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        check_gradient_sampled(f, g, x, n_samples=3, seed=0.5)
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        check_directional_derivative(f, g, x, seed="zero")


def test_difference_errors_are_the_taylor_and_round_off_terms():
    from course_lib.gradcheck import difference_errors

    # exp at x = 0: f = f'' = f''' = 1; h = 1e-3, eps = 2^-52
    trunc, roundoff = difference_errors("forward", 1e-3, 1.0, 1.0, 1.0)
    assert trunc == pytest.approx(5e-4) and roundoff == pytest.approx(2.0 ** -52 / 1e-3)
    trunc, _ = difference_errors("central", np.array([1e-3, 1e-2]), 1.0, 1.0, 1.0, eps=np.finfo(np.float32).eps)
    np.testing.assert_allclose(trunc, [1e-6 / 6, 1e-4 / 6])
    # the measured forward error of exp at 1 with h = 1e-5 is within 1% of the truncation term e h / 2
    h = 1e-5
    measured = (np.exp(1 + h) - np.exp(1)) / h - np.exp(1)
    assert measured == pytest.approx(difference_errors("backward", h, np.e, np.e, np.e)[0], rel=1e-2)
    with pytest.raises(ValueError, match="h must hold steps > 0"):
        difference_errors("central", 0.0, 1.0, 1.0, 1.0)


def test_quotient_errors_are_the_distances_to_the_exact_derivative_and_the_best_step_is_their_minimum():
    from course_lib import gradcheck

    h = np.array([1e-12, 1e-8, 1e-5, 1e-3, 1e-1])
    got = gradcheck.quotient_errors(np.exp, np.e, 1.0, h)
    x = 1.0
    by_hand = {"forward": (np.exp(x + h) - np.exp(x)) / h, "backward": (np.exp(x) - np.exp(x - h)) / h,
               "central": (np.exp(x + h) - np.exp(x - h)) / (2 * h)}
    for m, q in by_hand.items():
        np.testing.assert_allclose(got.errors[m], np.abs(q - np.e), rtol=1e-6, atol=1e-15)
        assert got.best_h[m] == h[np.argmin(np.abs(q - np.e))]
    assert got.best_h["central"] == 1e-5 and got.best_h["forward"] == 1e-8  # cbrt(eps) ~ 6e-6, sqrt(eps) ~ 1.5e-8


def test_quotient_errors_mark_overflowed_quotients_as_nan_and_refuse_a_grid_without_a_finite_one():
    from course_lib import gradcheck

    got = gradcheck.quotient_errors(np.exp, np.exp(80.0), 80.0, [1e-3, 30.0], "float32")  # exp(110) overflows float32
    assert np.isnan(got.errors["forward"][1]) and np.isfinite(got.errors["forward"][0])
    assert got.best_h["forward"] == 1e-3
    with pytest.raises(ValueError, match="h must hold at least one step with a finite forward quotient"):
        gradcheck.quotient_errors(np.exp, np.exp(80.0), 80.0, [30.0], "float32")
