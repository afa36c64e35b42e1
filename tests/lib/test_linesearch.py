"""Line searches: source 004's worked example, closed forms, backtracking's guarantee."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.linesearch import (
    backtracking_step,
    backtracking_trials,
    linear_rate_steps,
    steps_to_reach,
    sublinear_bound,
    exact_step_quadratic,
    gradient_descent_backtracking,
    steepest_descent_exact,
)

# source 004: f(x) = x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2 = 0.5 x'Ax - b'x
A = np.array([[2.0, -2.0], [-2.0, 4.0]])
b = np.array([0.0, 2.0])


def f004(x):
    return x[0] ** 2 + 2 * x[1] ** 2 - 2 * x[0] * x[1] - 2 * x[1]


def grad004(x):
    return np.array([2 * x[0] - 2 * x[1], 4 * x[1] - 2 * x[0] - 2])


def test_source_004_first_exact_step_is_one_quarter():
    # grad f(0,0) = (0,-2); f(0, 2 lam) = 8 lam^2 - 4 lam is minimal at lam = 1/4
    g = grad004(np.zeros(2))
    assert exact_step_quadratic(A, g) == 0.25


def test_source_004_iterates_and_limit():
    path, ts = steepest_descent_exact(A, b, np.zeros(2))
    np.testing.assert_array_equal(ts[:3], [0.25, 0.5, 0.25])  # the steps worked out by hand below
    # by hand: x1 = (0, 1/2); g(x1) = (-1, 0), g'g = 1, g'Ag = 2 -> t = 1/2, x2 = (1/2, 1/2);
    # g(x2) = (0, -1), t = 1/4, x3 = (1/2, 3/4)
    np.testing.assert_array_equal(path[1], [0.0, 0.5])
    np.testing.assert_array_equal(path[2], [0.5, 0.5])
    np.testing.assert_array_equal(path[3], [0.5, 0.75])
    np.testing.assert_allclose(path[-1], [1.0, 1.0], atol=1e-9)
    assert f004(path[-1]) == pytest.approx(-1.0, abs=1e-15)
    # consecutive steps are orthogonal (exact line search)
    steps = np.diff(path, axis=0)
    dots = np.sum(steps[1:] * steps[:-1], axis=1)
    np.testing.assert_allclose(dots, 0.0, atol=1e-12)


def test_steepest_descent_rate_bound():
    # error in the A-norm shrinks by at least (kappa-1)/(kappa+1) per step
    A2 = np.diag([1.0, 10.0])
    b2 = np.zeros(2)
    path, _ = steepest_descent_exact(A2, b2, np.array([10.0, 1.0]), steps=20)
    err = np.einsum("ki,ij,kj->k", path, A2, path)  # ||x_k - x*||_A^2 with x* = 0
    ratio = np.sqrt(err[1:] / err[:-1])
    assert np.all(ratio <= 9 / 11 + 1e-12)
    # start (10, 1) = (kappa, 1) is the worst case: the bound is attained
    np.testing.assert_allclose(ratio, 9 / 11, rtol=1e-9)


def test_exact_step_with_direction():
    # along d = (1, 0) from (0, 1/2): g = (-1, 0): t = -g'd/d'Ad = 1/2
    assert exact_step_quadratic(A, np.array([-1.0, 0.0]), np.array([1.0, 0.0])) == 0.5
    assert exact_step_quadratic(A, np.zeros(2)) == 0.0


def test_backtracking_on_source_004_quadratic():
    # from (0,0), g = (0,-2), ||g||^2 = 4, f(0,0) = 0:
    # t = 1: f(0,2) = 4 > -2;  t = 1/2: f(0,1) = 0 > -1;  t = 1/4: f(0,1/2) = -1/2 <= -1/2 accept
    t, evals = backtracking_step(f004, np.zeros(2), grad004(np.zeros(2)), return_evals=True)
    assert t == 0.25 and evals == 4


def test_backtracking_accepts_every_step_below_one_over_L():
    # f = 0.5 L x^2 with L = 3: the test holds iff t <= 1/L; halving from 1 -> 1/4
    L = 3.0
    f = lambda x: 0.5 * L * float(x @ x)
    x = np.array([2.0])
    assert backtracking_step(f, x, L * x) == 0.25
    # and for L = 0.9 the first trial t = 1 <= 1/L is accepted
    f = lambda x: 0.45 * float(x @ x)
    assert backtracking_step(f, x, 0.9 * x) == 1.0


def test_backtracking_does_not_modify_x():
    x = np.array([0.3, -0.2])
    x0 = x.copy()
    backtracking_step(f004, x, grad004(x))
    np.testing.assert_array_equal(x, x0)


def test_gradient_descent_backtracking_rosenbrock_decreases_monotonically():
    f = lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    grad = lambda x: np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
                               200 * (x[1] - x[0] ** 2)])
    path, ts = gradient_descent_backtracking(f, grad, np.array([-1.2, 1.0]), steps=3000)
    values = np.array([f(x) for x in path])
    # sufficient decrease makes f non-increasing (strictly, until round-off at the minimum)
    assert np.all(np.diff(values) <= 0)
    assert np.all(np.diff(values[:100]) < 0)
    assert values[-1] < 1e-12
    assert len(ts) == len(path) - 1 and np.all(ts > 0) and np.all(ts <= 1)


def test_wrong_gradient_is_reported():
    # -grad is an ascent direction: no step gives sufficient decrease
    with pytest.raises(RuntimeError, match="is g really the gradient"):
        backtracking_step(f004, np.zeros(2), -grad004(np.zeros(2)), max_shrinks=30)


def test_bad_input():
    with pytest.raises(ValueError, match="positive definite"):
        steepest_descent_exact(np.diag([1.0, -1.0]), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="symmetric"):
        steepest_descent_exact(np.array([[1.0, 1.0], [0.0, 1.0]]), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="b and x0"):
        steepest_descent_exact(A, np.zeros(3), np.ones(2))
    with pytest.raises(TypeError, match="x0"):
        steepest_descent_exact(A, b, np.array([0, 0]))
    with pytest.raises(ValueError, match="beta"):
        backtracking_step(f004, np.zeros(2), np.ones(2), beta=1.0)
    with pytest.raises(ValueError, match="t0"):
        backtracking_step(f004, np.zeros(2), np.ones(2), t0=0.0)
    with pytest.raises(ValueError, match="shape"):
        backtracking_step(f004, np.zeros(2), np.ones(3))
    with pytest.raises(ValueError, match="descent direction"):
        exact_step_quadratic(A, np.array([1.0, 0.0]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="scalar"):
        backtracking_step(lambda x: x, np.zeros(2), np.ones(2))


def test_rate_bounds_are_the_closed_forms():
    from course_lib.linesearch import (exact_step_bound, fixed_step_bound, fixed_step_bound_as_printed,
                                       largest_stable_step)

    # alpha = 1, eta = 1/4: factors (3/4)^t
    np.testing.assert_allclose(fixed_step_bound(1.0, 0.25, 3), [1.0, 0.75, 0.5625, 0.421875], rtol=0, atol=0)
    # as printed: exp(-t beta/alpha) with beta/alpha = 10 falls like e^-10 per step
    np.testing.assert_allclose(fixed_step_bound_as_printed(1.0, 10.0, 2), [1.0, np.exp(-10.0), np.exp(-20.0)])
    # kappa = 3 (source 004's A has eigenvalues 3 -+ sqrt 5, kappa = (3 + sqrt 5)/(3 - sqrt 5)): per step (1/2)^2
    np.testing.assert_allclose(exact_step_bound(3.0, 2), [1.0, 0.25, 0.0625])
    assert exact_step_bound(1.0, 2).tolist() == [1.0, 0.0, 0.0]  # kappa 1: one exact step reaches the minimum
    assert largest_stable_step(4.0) == 0.5
    with pytest.raises(ValueError, match=r"alpha \* eta must be <= 1"):
        fixed_step_bound(2.0, 1.0, 3)
    with pytest.raises(ValueError, match="kappa must be >= 1"):
        exact_step_bound(0.5, 3)
    with pytest.raises(ValueError, match="curvature must be > 0"):
        largest_stable_step(-1.0)


@pytest.mark.parametrize("alpha, beta", [(1.0, 10.0), (0.5, 2.0), (1.0, 1.0)])
def test_fixed_step_factor_is_the_smoothness_and_pl_bound_for_every_step_below_two_over_beta(alpha, beta):
    from course_lib.linesearch import fixed_step_bound, fixed_step_bound_general, fixed_step_factor

    # by hand: f(x+) <= f - eta (1 - beta eta / 2) |g|^2 and |g|^2 >= 2 alpha (f - f*)
    for eta in np.linspace(0.05, 1.95, 39) / beta:
        factor = 1 - 2 * alpha * eta * (1 - beta * eta / 2)
        assert fixed_step_factor(alpha, beta, eta) == pytest.approx(factor, rel=1e-14) and 0 <= factor < 1
        # on the quadratic diag(alpha, beta) the gap shrinks by max((1 - eta lam)^2) per step: within the bound
        assert max((1 - eta * alpha) ** 2, (1 - eta * beta) ** 2) <= factor + 1e-15
        np.testing.assert_allclose(fixed_step_bound_general(alpha, beta, eta, 3), factor ** np.arange(4), rtol=1e-14)
        if eta <= 1 / beta:                                           # the simple form is looser there
            assert factor <= fixed_step_bound(alpha, eta, 1)[1] + 1e-15
    assert fixed_step_factor(alpha, beta, 1 / beta) == pytest.approx(1 - alpha / beta)   # Theorem 3
    with pytest.raises(ValueError, match="eta must be below 2/beta"):
        fixed_step_factor(alpha, beta, 2 / beta)
    with pytest.raises(ValueError, match="alpha must be <= beta"):
        fixed_step_factor(2 * beta, beta, 0.1 / beta)


def test_exact_line_search_respects_luenberger_on_source_004():
    # f(x_k) - f* against ((kappa-1)/(kappa+1))^(2k) (f(x_0) - f*), kappa of A = [[2, -2], [-2, 4]]
    from course_lib.linesearch import exact_step_bound

    lam = np.array([3 - np.sqrt(5), 3 + np.sqrt(5)])  # eigenvalues by hand: trace 6, determinant 4
    path, _ = steepest_descent_exact(A, b, np.zeros(2), steps=10)
    gap = np.array([f004(x) for x in path]) + 1.0  # f* = -1
    assert np.all(gap <= exact_step_bound(lam[1] / lam[0], 10) * gap[0] * (1 + 1e-12))


def test_backtracking_along_the_newton_direction_uses_the_decrement():
    # f = x^2 + 10 y^2 at (1, 1): g = (2, 20), H = diag(2, 20), Newton's d = H^-1 g = (1, 1), g'd = 22;
    # t = 1 lands on the minimum (f = 0 <= 11 - c * 22 for c = 1/4): accepted at once, two evaluations
    f = lambda x: x[0] ** 2 + 10 * x[1] ** 2  # noqa: E731
    x, g, d = np.array([1.0, 1.0]), np.array([2.0, 20.0]), np.array([1.0, 1.0])
    assert backtracking_step(f, x, g, c=0.25, d=d, return_evals=True) == (1.0, 2)
    # along 3d (g'd = 66): t = 1 gives f(-2, -2) = 44 > 11 - 0.25 * 66; t = 1/2 gives f(-0.5, -0.5) = 2.75,
    # exactly 11 - 0.25 * 0.5 * 66 = 2.75: accepted (the test is <=)
    assert backtracking_step(f, x, g, c=0.25, d=3 * d) == 0.5
    with pytest.raises(ValueError, match="-d must be a descent direction"):
        backtracking_step(f, x, g, d=-d)


# --------------------------------------------------------------------------
# backtracking's trials; the step counts of the linear rate; the O(1/t) bound
# --------------------------------------------------------------------------
def test_backtracking_trials_on_source_004s_quadratic_by_hand():
    # from (0, 0), g = (0, -2), ||g||^2 = 4, f(x - t g) = f(0, 2t) = 8t^2 - 4t; the test (c = 1/2) is
    # 8t^2 - 4t <= -2t, i.e. t <= 1/4: t = 1 (f = 4), 1/2 (f = 0) fail, 1/4 (f = -1/2 = -2/4) passes
    ts, values = backtracking_trials(f004, np.zeros(2), grad004(np.zeros(2)))
    assert ts.tolist() == [1.0, 0.5, 0.25] and values.tolist() == [4.0, 0.0, -0.5]
    assert ts[-1] == backtracking_step(f004, np.zeros(2), grad004(np.zeros(2)))


@pytest.mark.parametrize("t0, beta, c", [(4.0, 0.5, 0.5), (10.0, 0.3, 0.1), (2.0, 0.8, 0.9), (0.1, 0.5, 0.5)])
@pytest.mark.parametrize("x0", [1.0, 5.0, 12.0, 15.0])
def test_backtracking_trials_follow_the_rule_on_the_sextic(t0, beta, c, x0):
    from course_lib import functions

    p = np.poly1d([0.000017, -0.001133, 0.029241, -0.36691, 2.234115, -5.510020, 4.722197])  # source 004
    g = p.deriv()(x0)
    expected, t = [], t0
    while True:  # shrink while (21) holds: f(x - t g) > f(x) - c t g^2
        expected.append(t)
        if p(x0 - t * g) <= p(x0) - c * t * g * g:
            break
        t *= beta
    f = functions.sextic()
    ts, values = backtracking_trials(f, np.array([x0]), np.array([g]), t0=t0, beta=beta, c=c)
    np.testing.assert_allclose(ts, expected, rtol=1e-15)
    np.testing.assert_allclose(values, p(x0 - ts * g), rtol=1e-12)
    assert ts[-1] == backtracking_step(f, np.array([x0]), np.array([g]), t0=t0, beta=beta, c=c)


def test_backtracking_trials_validates_like_backtracking_step():
    x, g = np.zeros(2), grad004(np.zeros(2))
    with pytest.raises(ValueError, match="beta"):
        backtracking_trials(f004, x, g, beta=1.0)
    with pytest.raises(ValueError, match="c must"):
        backtracking_trials(f004, x, g, c=0.0)
    with pytest.raises(ValueError, match="t0"):
        backtracking_trials(f004, x, g, t0=-1.0)
    with pytest.raises(ValueError, match="descent direction"):
        backtracking_trials(f004, x, g, d=-g)
    ts, values = backtracking_trials(f004, np.array([1.0, 1.0]), np.zeros(2))  # at the minimiser: no trial
    assert ts.size == 0 and values.size == 0


@pytest.mark.parametrize("kappa, tol", [(10.0, 1e-6), (2.0, 0.5), (1000.0, 1e-3), (1.5, 1e-12), (37.3, 0.01)])
def test_linear_rate_steps_is_the_first_t_below_tol(kappa, tol):
    t = linear_rate_steps(kappa, tol)
    q = 1 - 1 / kappa
    assert q ** t <= tol < q ** (t - 1)                     # smallest such t, by brute force below
    assert t == next(k for k in range(10 ** 7) if q ** k <= tol)


def test_linear_rate_steps_edge_cases_and_the_lectures_example():
    assert linear_rate_steps(10, 1e-6) == 132               # log(1e-6)/log(0.9) = 131.1
    assert math_ceil_ratio(1e-6, 0.9) == 132
    assert linear_rate_steps(1.0, 1e-9) == 1 and linear_rate_steps(5.0, 1.0) == 0
    with pytest.raises(ValueError, match="kappa"):
        linear_rate_steps(0.5, 1e-3)
    with pytest.raises(ValueError, match="tol"):
        linear_rate_steps(10, 0.0)


def math_ceil_ratio(tol, q):
    import math

    return math.ceil(math.log(tol) / math.log(q))


def test_steps_to_reach():
    gaps = np.array([2.0, 1.0, 0.5, 0.02, 0.001])
    assert steps_to_reach(gaps, 0.25) == 2 and steps_to_reach(gaps, 0.01) == 3 and steps_to_reach(gaps, 1e-4) is None
    assert steps_to_reach(gaps, 1.0) == 0
    # a NaN (or inf) gap is a breakdown: nothing after it counts as reached, as the docstring says
    assert steps_to_reach(np.array([1.0, np.nan, 0.0]), 0.5) is None
    assert steps_to_reach(np.array([1.0, np.inf, 0.0]), 0.5) is None
    assert steps_to_reach(np.array([1.0, 0.4, np.nan]), 0.5) == 1        # reached before it broke down
    with pytest.raises(ValueError, match="tol"):
        steps_to_reach(gaps, 0.0)
    with pytest.raises(ValueError, match="gaps"):
        steps_to_reach(np.array([[1.0]]), 0.5)


def test_sublinear_bound_holds_for_gradient_descent_on_convex_smooth_functions():
    # a convex quadratic with a zero eigenvalue (not strongly convex) and f = x^2 - log(1 + x^2), step 1/beta
    bound = sublinear_bound(4.0, 2.0, 3)
    assert bound[0] == np.inf and bound[1:].tolist() == [8.0, 4.0, 8.0 / 3]   # 4 * 4 / (2t)
    A = np.diag([0.0, 0.01, 1.0, 4.0])
    x0 = np.array([1.0, 3.0, -2.0, 1.0])
    x, beta = x0.copy(), 4.0
    x_star = np.array([1.0, 0.0, 0.0, 0.0])      # the minimiser nearest x0 (the first axis is flat)
    b = sublinear_bound(beta, np.linalg.norm(x0 - x_star), 200)
    for t in range(1, 201):
        x = x - A @ x / beta
        assert 0.5 * x @ A @ x <= b[t] * (1 + 1e-12)
    y = 2.7
    b = sublinear_bound(9 / 4, 2.7, 500)
    for t in range(1, 501):
        y = y - 2 * y ** 3 / (1 + y ** 2) / (9 / 4)
        assert y * y - np.log1p(y * y) <= b[t]
    with pytest.raises(ValueError, match="beta"):
        sublinear_bound(0.0, 1.0, 3)
    with pytest.raises(ValueError, match="distance"):
        sublinear_bound(1.0, -1.0, 3)


def test_just_above_the_largest_stable_step_a_quadratic_alternates_and_grows_from_the_first_step():
    from course_lib import linesearch

    c = 4.0
    eta = 1.01 * linesearch.largest_stable_step(c)
    x, path = 1.0, [1.0]
    for _ in range(20):
        x = x - eta * c * x                      # gradient descent on 0.5 c x^2, written out
        path.append(x)
    path = np.array(path)
    assert np.all(np.sign(path[1:]) == -np.sign(path[:-1]))          # alternating sides at every step
    assert np.all(np.abs(path[1:]) > np.abs(path[:-1]))             # and growing from the first step
