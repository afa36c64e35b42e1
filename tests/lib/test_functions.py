"""Test objectives: hand values, finite-difference gradients and Hessians, known minima.

Independent references used here: values worked out by hand in the comments,
central differences written out below (not course_lib.gradcheck), published
minimiser locations (Himmelblau), eigenvalues from np.linalg.eigvalsh, and the
formulas of course source 000 recomputed directly from the data.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from course_lib import functions as F


def fd_grad(f, x, h=1e-5):
    """Central differences (f(x + h e_i) - f(x - h e_i)) / 2h, written out here."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def fd_hessian(grad, x, h=1e-5):
    """Column i: (grad(x + h e_i) - grad(x - h e_i)) / 2h."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((grad(x + e) - grad(x - e)) / (2 * h))
    return np.array(cols).T


def _logistic_data(n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + 0.5
    y = np.where(rng.standard_normal(n) + X[:, 0] > 0.5, 1.0, -1.0)
    return X, y


OBJECTIVES = [
    F.quadratic(10.0, angle=0.4),
    F.quadratic(5.0, dim=4, angle=1.0),
    F.quadratic_from_matrix(np.array([[3.0, 1.0], [1.0, 2.0]]), b=np.array([1.0, -1.0]), c=0.5),
    F.two_variable_quadratic(),
    F.rosenbrock(),
    F.rosenbrock(a=2.0, b=10.0),
    F.himmelblau(),
    F.sextic(),
    F.logistic_regression(*_logistic_data(), 0.05),
    F.logistic_regression(*_logistic_data(n=25, d=2, seed=4), 0.1),
]
IDS = [f"{f.name}-{i}" for i, f in enumerate(OBJECTIVES)]
# and the convex function whose minimum is flat (f''(x*) = 0): every check but positive curvature
WITH_FLAT = OBJECTIVES + [F.flat_minimum()]
WITH_FLAT_IDS = IDS + ["flat_minimum"]


# --------------------------------------------------------------------------
# every objective: derivatives, minima, grids
# --------------------------------------------------------------------------
@pytest.mark.parametrize("f", WITH_FLAT, ids=WITH_FLAT_IDS)
def test_gradient_and_hessian_match_finite_differences(f):
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = np.array([rng.uniform(lo, hi) for lo, hi in f.bounds])
        g = f.grad(x)
        scale = max(1.0, abs(f(x)), float(np.abs(g).max()))
        np.testing.assert_allclose(g, fd_grad(f, x), rtol=1e-6, atol=1e-7 * scale)
        H = f.hessian(x)
        np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12 * max(1.0, np.abs(H).max()))
        np.testing.assert_allclose(H, fd_hessian(f.grad, x), rtol=1e-6, atol=1e-6 * max(1.0, np.abs(H).max()))


@pytest.mark.parametrize("f", OBJECTIVES, ids=IDS)
def test_minima_are_stationary_with_positive_curvature(f):
    assert len(f.minima) >= 1 and f.minima.shape[1] == f.dim
    for m in f.minima:
        H = f.hessian(m)
        assert np.linalg.norm(f.grad(m)) < 1e-9 * max(1.0, np.abs(H).max())
        assert np.linalg.eigvalsh(H)[0] > 0
    assert min(f(m) for m in f.minima) == pytest.approx(f.fmin, abs=1e-12)
    # every known minimiser lies inside the plotting box
    for m in f.minima:
        assert all(lo < mi < hi for mi, (lo, hi) in zip(m, f.bounds))


@pytest.mark.parametrize("f", WITH_FLAT, ids=WITH_FLAT_IDS)
def test_grid_evaluation_equals_pointwise(f):
    if f.dim == 1:
        grid = np.linspace(*f.bounds[0], 5)[None]  # shape (1, 5)
    else:
        xs = [np.linspace(lo, hi, 4) for lo, hi in f.bounds[:2]]
        grid = np.stack(np.meshgrid(*xs, *([np.array([0.3, -0.2])] * (f.dim - 2)), indexing="ij"))
    values = f(grid)
    grads = f.grad(grid)
    assert values.shape == grid.shape[1:] and grads.shape == grid.shape
    for index in np.ndindex(*grid.shape[1:]):
        point = grid[(slice(None),) + index].copy()
        assert values[index] == pytest.approx(f(point), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(grads[(slice(None),) + index], f.grad(point), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f", WITH_FLAT, ids=WITH_FLAT_IDS)
def test_evaluation_leaves_x_unchanged_and_returns_new_arrays(f):
    x = np.array([np.mean(b) + 0.1 for b in f.bounds])
    before = x.copy()
    f(x)
    g = f.grad(x)
    H = f.hessian(x)
    np.testing.assert_array_equal(x, before)
    g[...] = 7.0  # writing into a returned array must not change the objective
    H[...] = 7.0
    assert not np.any(f.grad(x) == 7.0) and not np.all(f.hessian(x) == 7.0)
    m = f.minima
    m[...] = 99.0
    assert not np.any(f.minima == 99.0)


# --------------------------------------------------------------------------
# quadratics
# --------------------------------------------------------------------------
def test_two_variable_quadratic_hand_values():
    f = F.two_variable_quadratic()
    # f(1,1) = 1 + 2 - 2 - 2 = -1;  f(0, 1/2) = 0 + 2/4 - 0 - 1 = -1/2;  f(2, -1) = 4 + 2 + 4 + 2 = 12
    assert f(np.array([1.0, 1.0])) == -1.0
    assert f(np.array([0.0, 0.5])) == -0.5
    assert f(np.array([2.0, -1.0])) == 12.0
    # source 004: grad = (2 x1 - 2 x2, 4 x2 - 2 x1 - 2); at (0,0): (0, -2); at (2,-1): (6, -10)
    np.testing.assert_array_equal(f.grad(np.zeros(2)), [0.0, -2.0])
    np.testing.assert_array_equal(f.grad(np.array([2.0, -1.0])), [6.0, -10.0])
    np.testing.assert_array_equal(f.A, [[2.0, -2.0], [-2.0, 4.0]])
    np.testing.assert_array_equal(f.b, [0.0, 2.0])
    np.testing.assert_array_equal(f.minima, [[1.0, 1.0]])
    assert f.fmin == -1.0
    # eigenvalues of [[2,-2],[-2,4]]: t^2 - 6t + 4 = 0, t = 3 -+ sqrt(5)
    np.testing.assert_allclose(f.eigenvalues, [3 - math.sqrt(5), 3 + math.sqrt(5)], rtol=1e-14)
    assert f.condition_number == pytest.approx((3 + math.sqrt(5)) / (3 - math.sqrt(5)), rel=1e-14)
    # exact line search from (0,0), by hand: g = (0,-2), Ag = (4,-8), t = g'g / g'Ag = 4/16 = 1/4
    g = f.grad(np.zeros(2))
    t = (g @ g) / (g @ f.A @ g)
    assert t == 0.25
    np.testing.assert_array_equal(np.zeros(2) - t * g, [0.0, 0.5])


@pytest.mark.parametrize("kappa, dim, angle", [(1.0, 2, 0.0), (10.0, 2, 0.3), (100.0, 3, -1.2), (8.0, 4, 2.0),
                                               (1.0, 1, 0.0)])
def test_quadratic_condition_number_is_ratio_of_eigenvalues(kappa, dim, angle):
    f = F.quadratic(kappa, dim=dim, angle=angle)
    eig = np.linalg.eigvalsh(f.A)
    assert eig[-1] / eig[0] == pytest.approx(kappa, rel=1e-12)
    assert f.condition_number == pytest.approx(eig[-1] / eig[0], rel=1e-12)
    assert f.smoothness == pytest.approx(eig[-1], rel=1e-12)
    assert f.strong_convexity == pytest.approx(eig[0], rel=1e-12)
    np.testing.assert_allclose(f.eigenvalues, eig, rtol=1e-12)
    assert f.fmin == 0.0 and np.all(f.minima == 0.0)


def test_quadratic_rotation_and_spacing():
    f = F.quadratic(25.0, angle=math.pi / 6)
    # eigenvalue 1 along the x axis rotated by 30 degrees, 25 along the rotated y axis
    u = np.array([math.cos(math.pi / 6), math.sin(math.pi / 6)])
    v = np.array([-math.sin(math.pi / 6), math.cos(math.pi / 6)])
    np.testing.assert_allclose(f.A @ u, u, atol=1e-12)
    np.testing.assert_allclose(f.A @ v, 25.0 * v, atol=1e-12)
    # f(v) = 0.5 * 25 * |v|^2 = 12.5;  f(2u) = 0.5 * 1 * 4 = 2
    assert f(v) == pytest.approx(12.5, rel=1e-14)
    assert f(2 * u) == pytest.approx(2.0, rel=1e-14)
    # geometric spacing: 1, 8^(1/3), 8^(2/3), 8 = 1, 2, 4, 8
    np.testing.assert_allclose(np.linalg.eigvalsh(F.quadratic(8.0, dim=4).A), [1.0, 2.0, 4.0, 8.0], rtol=1e-12)


def test_gradient_descent_on_quadratic_follows_the_closed_form():
    """x_{t+1} = (I - lr A) x_t; with angle 0, A = diag(1, kappa), lr = 1/kappa:
    x_t = ((1 - 1/kappa)^t x0_1, 0) after the first step (the steep coordinate dies at once)."""
    from course_lib import optim

    kappa = 10.0
    f = F.quadratic(kappa)
    x0 = np.array([1.0, 1.0])
    path = optim.trajectory(optim.SGD(lr=1 / f.smoothness), f.grad, x0, steps=20)
    t = np.arange(21)
    np.testing.assert_allclose(path[:, 0], 0.9 ** t, rtol=1e-12)
    np.testing.assert_allclose(path[1:, 1], 0.0, atol=1e-15)


def test_quadratic_from_matrix_minimum():
    # A = [[3,1],[1,2]], det 5, A^{-1} = (1/5)[[2,-1],[-1,3]], b = (1,-1):
    # x* = (1/5)(2+1, -1-3) = (3/5, -4/5);  f* = c - 0.5 b'x* = 0.5 - 0.5 (3/5 + 4/5) = 0.5 - 0.7 = -0.2
    f = F.quadratic_from_matrix(np.array([[3.0, 1.0], [1.0, 2.0]]), b=np.array([1.0, -1.0]), c=0.5)
    np.testing.assert_allclose(f.minima[0], [0.6, -0.8], rtol=1e-14)
    assert f.fmin == pytest.approx(-0.2, abs=1e-15)
    # f(1, 0) = 0.5*3 - 1 + 0.5 = 1;  grad(1, 0) = A(1,0) - b = (3,1) - (1,-1) = (2, 2)
    assert f(np.array([1.0, 0.0])) == pytest.approx(1.0, rel=1e-15)
    np.testing.assert_array_equal(f.grad(np.array([1.0, 0.0])), [2.0, 2.0])
    with pytest.raises(ValueError):
        f.A[0, 0] = 5.0  # read-only: the eigenvalues and minimiser could not go stale


# --------------------------------------------------------------------------
# Rosenbrock, Himmelblau
# --------------------------------------------------------------------------
def test_rosenbrock_hand_values():
    f = F.rosenbrock()
    # f(-1, 1) = (1+1)^2 + 100 (1-1)^2 = 4;  f(0,0) = 1;  grad(0,0) = (-2(1-0), 0) = (-2, 0)
    assert f(np.array([-1.0, 1.0])) == 4.0
    assert f(np.zeros(2)) == 1.0
    np.testing.assert_array_equal(f.grad(np.zeros(2)), [-2.0, 0.0])
    # grad(-1, 2): r = 2 - 1 = 1; (-2(1+1) - 4*100*(-1)*1, 2*100*1) = (-4 + 400, 200)
    np.testing.assert_array_equal(f.grad(np.array([-1.0, 2.0])), [396.0, 200.0])
    # Hessian at the minimum (1,1): [[2 - 400(1 - 3), -400], [-400, 200]] = [[802, -400], [-400, 200]]
    np.testing.assert_array_equal(f.hessian(np.ones(2)), [[802.0, -400.0], [-400.0, 200.0]])
    np.testing.assert_array_equal(f.minima, [[1.0, 1.0]])
    assert f.fmin == 0.0


@pytest.mark.parametrize("a, b", [(2.0, 10.0), (-1.5, 1.0), (3.0, 100.0), (0.0, 5.0)])
def test_rosenbrock_minimum_at_a_a_squared(a, b):
    f = F.rosenbrock(a, b)
    m = np.array([a, a * a])
    assert f(m) == 0.0
    np.testing.assert_array_equal(f.grad(m), [0.0, 0.0])
    # f > 0 elsewhere: (a - x)^2 > 0 off x = a
    assert f(m + np.array([0.1, 0.0])) > 0
    (xlo, xhi), (ylo, yhi) = f.bounds
    assert xlo < a < xhi and ylo < a * a < yhi


def test_himmelblau_four_minima():
    f = F.himmelblau()
    # (3, 2): (9 + 2 - 11)^2 + (3 + 4 - 7)^2 = 0;  f(0, 0) = 121 + 49 = 170
    assert f(np.array([3.0, 2.0])) == 0.0
    assert f(np.zeros(2)) == 170.0
    # grad(0,0) = (4*0*(-11) + 2*(-7), 2*(-11) + 4*0*(-7)) = (-14, -22)
    np.testing.assert_array_equal(f.grad(np.zeros(2)), [-14.0, -22.0])
    assert len(f.minima) == 4
    for m in f.minima:
        assert f(m) < 1e-20
        assert np.linalg.norm(f.grad(m)) < 1e-10
    # the published approximate locations (Himmelblau 1972; e.g. Wikipedia "Himmelblau's function")
    approx = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    np.testing.assert_allclose(f.minima, approx, atol=1e-6)


# --------------------------------------------------------------------------
# the sextic of source 004
# --------------------------------------------------------------------------
def test_sextic_matches_source_004():
    f = F.sextic()
    # the coefficients as printed in source 004, highest power first
    c = (0.000017, -0.001133, 0.029241, -0.36691, 2.234115, -5.510020, 4.722197)
    assert F.SEXTIC_COEFFICIENTS == c
    assert f(0.0) == 4.722197  # the constant term
    assert f(1.0) == pytest.approx(sum(c), rel=1e-14)  # 1.107507
    assert f(1.0) == pytest.approx(1.107507, rel=1e-12)
    # f(2) = 64 c0 + 32 c1 + 16 c2 + 8 c3 + 4 c4 + 2 c5 + c6
    assert f(np.array([2.0])) == pytest.approx(
        64 * c[0] + 32 * c[1] + 16 * c[2] + 8 * c[3] + 4 * c[4] + 2 * c[5] + c[6], rel=1e-13)
    # f'(x) = 6 c0 x^5 + 5 c1 x^4 + 4 c2 x^3 + 3 c3 x^2 + 2 c4 x + c5; f'(0) = c5 = -5.51002
    assert f.grad(0.0)[0] == -5.51002
    d2 = 6 * c[0] * 32 + 5 * c[1] * 16 + 4 * c[2] * 8 + 3 * c[3] * 4 + 2 * c[4] * 2 + c[5]
    assert f.grad(2.0)[0] == pytest.approx(d2, rel=1e-12)
    # f''(0) = 2 c4 = 4.46823
    assert f.hessian(0.0)[0, 0] == pytest.approx(2 * c[4], rel=1e-14)


def test_sextic_minima_and_gradient_descent_steps():
    f = F.sextic()
    c = F.SEXTIC_COEFFICIENTS

    def d1(x):  # f' by hand
        return 6 * c[0] * x**5 + 5 * c[1] * x**4 + 4 * c[2] * x**3 + 3 * c[3] * x**2 + 2 * c[4] * x + c[5]

    def d2(x):  # f'' by hand
        return 30 * c[0] * x**4 + 20 * c[1] * x**3 + 12 * c[2] * x**2 + 6 * c[3] * x + 2 * c[4]

    assert f.minima.shape == (2, 1)
    (x_local,), (x_global,) = f.minima
    for m in (x_local, x_global):
        assert abs(d1(m)) < 1e-12 and d2(m) > 0
    assert 2.10 < x_local < 2.11 and 20.52 < x_global < 20.53
    # the stationary point between them is a maximum (the hump)
    assert len(f.stationary_points) == 3
    x_max = f.stationary_points[1]
    assert abs(d1(x_max)) < 1e-12 and d2(x_max) < 0 and 7.2 < x_max < 7.3
    assert f.fmin == pytest.approx(f(f.minima[1]), rel=1e-15) and f.fmin < f(f.minima[0])
    # a degree-6 polynomial with positive leading coefficient: f > fmin on a wide grid
    xs = np.linspace(-50, 50, 20001)
    assert np.all(f(xs[None]) >= f.fmin - 1e-9)

    def gd(x, lr, steps):
        for _ in range(steps):
            x = x - lr * d1(x)
        return x

    # a small step from x = 0 creeps into the LOCAL minimum (the hump at 7.2 is never crossed)
    assert gd(0.0, 0.1, 300) == pytest.approx(x_local, abs=1e-9)
    # stability near a minimum needs lr < 2 / f''(x*): here 2 / f''(20.52) ~ 1.19
    limit = 2 / d2(x_global)
    assert gd(x_global + 0.01, 0.9 * limit, 400) == pytest.approx(x_global, abs=1e-9)
    assert abs(gd(x_global + 0.01, 1.1 * limit, 400) - x_global) > 1e-3


# --------------------------------------------------------------------------
# logistic regression (source 000, Example 2)
# --------------------------------------------------------------------------
def test_logistic_regression_hand_example():
    # n = 2, x_1 = (1, 0), y_1 = +1;  x_2 = (0, 2), y_2 = -1;  w = (ln 3, -ln(2)/2)
    # margins m_1 = 1 * ln 3 = ln 3;  m_2 = -1 * 2 * (-ln(2)/2) = ln 2
    # loss terms log(1 + e^{-m}): log(1 + 1/3) = log(4/3), log(1 + 1/2) = log(3/2);
    # mean: 0.5 (log(4/3) + log(3/2)) = 0.5 log 2;  plus lam ||w||^2 = lam ((ln 3)^2 + (ln 2)^2 / 4)
    lam = 0.1
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    y = np.array([1.0, -1.0])
    w = np.array([math.log(3), -math.log(2) / 2])
    f = F.logistic_regression(X, y, lam)
    np.testing.assert_allclose(f.margins(w), [math.log(3), math.log(2)], rtol=1e-15)
    assert f(w) == pytest.approx(0.5 * math.log(2) + lam * (math.log(3) ** 2 + math.log(2) ** 2 / 4), rel=1e-14)
    # gradient: sigma(-m_1) = 1/(1+3) = 1/4, sigma(-m_2) = 1/(1+2) = 1/3
    # sum sigma(-m_i) y_i x_i = (1/4)(1, 0) + (1/3)(-1)(0, 2) = (1/4, -2/3)
    # -(1/n) * that = (-1/8, 1/3);  + 2 lam w
    np.testing.assert_allclose(f.grad(w), np.array([-1 / 8, 1 / 3]) + 2 * lam * w, rtol=1e-14)
    # Hessian weights sigma(m) sigma(-m): (3/4)(1/4) = 3/16 and (2/3)(1/3) = 2/9
    # (1/2) [3/16 diag(1, 0) + 2/9 diag(0, 4)] = diag(3/32, 4/9);  + 2 lam I
    np.testing.assert_allclose(f.hessian(w), np.diag([3 / 32, 4 / 9]) + 2 * lam * np.eye(2), rtol=1e-14)


def test_logistic_regression_matches_source_000_formula():
    X, y = _logistic_data()
    lam = 0.05
    f = F.logistic_regression(X, y, lam)
    # F(0) = (1/n) sum log(1 + e^0) + 0 = log 2
    assert f(np.zeros(3)) == pytest.approx(math.log(2), rel=1e-15)
    w = np.array([0.3, -0.7, 1.1])
    # source 000 equation (15), written directly
    direct = np.mean([math.log(1 + math.exp(-yi * xi @ w)) for xi, yi in zip(X, y)]) + lam * w @ w
    assert f(w) == pytest.approx(direct, rel=1e-14)
    assert f.loss(w) == f(w)
    # the gradient at 0 by hand: sigma(0) = 1/2, so -(1/n) sum (1/2) y_i x_i
    np.testing.assert_allclose(f.grad(np.zeros(3)), -0.5 * (y @ X) / len(y), rtol=1e-14)
    # the Hessian at 0: all weights sigma(0)^2 = 1/4: X'X / (4n) + 2 lam I
    np.testing.assert_allclose(f.hessian(np.zeros(3)), X.T @ X / (4 * len(y)) + 2 * lam * np.eye(3), rtol=1e-14)


def test_source_000_printed_gradient_is_the_erratum():
    """Equation (16) as printed, (1/n) sum -y_i x_i / (1 + e^{-y_i x_i'w}) + 2 lam w, fails a
    finite-difference check; the corrected denominator 1 + e^{+y_i x_i'w} passes."""
    X, y = _logistic_data()
    lam = 0.05
    f = F.logistic_regression(X, y, lam)
    w = np.array([0.3, -0.7, 1.1])
    m = y * (X @ w)
    printed = np.mean((-y / (1 + np.exp(-m)))[:, None] * X, axis=0) + 2 * lam * w
    corrected = np.mean((-y / (1 + np.exp(m)))[:, None] * X, axis=0) + 2 * lam * w
    numeric = fd_grad(f, w)
    np.testing.assert_allclose(corrected, numeric, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(f.grad(w), corrected, rtol=1e-13, atol=1e-15)
    assert np.max(np.abs(printed - numeric)) > 0.05


def test_logistic_regression_bounds_and_condition_number():
    X, y = _logistic_data(n=60, d=4, seed=1)
    lam = 0.01
    f = F.logistic_regression(X, y, lam)
    n = len(y)
    sum_sq = sum(float(xi @ xi) for xi in X)
    # source 000: beta = (1/n) sum ||x_i||^2 + 2 lam, alpha = 2 lam, kappa = 1 + sum ||x_i||^2 / (2 lam n)
    assert f.smoothness("source") == pytest.approx(sum_sq / n + 2 * lam, rel=1e-14)
    assert f.smoothness() == f.smoothness("source")
    assert f.strong_convexity == 2 * lam
    assert f.condition_number("source") == pytest.approx(1 + sum_sq / (2 * lam * n), rel=1e-14)
    assert f.condition_number("source") == pytest.approx(f.smoothness("source") / (2 * lam), rel=1e-14)
    assert f.smoothness("trace") == pytest.approx(sum_sq / (4 * n) + 2 * lam, rel=1e-14)
    tight = np.linalg.eigvalsh(X.T @ X)[-1] / (4 * n) + 2 * lam
    assert f.smoothness("tight") == pytest.approx(tight, rel=1e-12)
    assert f.condition_number("tight") == pytest.approx(tight / (2 * lam), rel=1e-12)
    assert f.smoothness("source") >= f.smoothness("trace") >= f.smoothness("tight")
    # each bound really bounds the Hessian; 2 lam bounds it from below
    rng = np.random.default_rng(2)
    for w in [np.zeros(4), *rng.standard_normal((6, 4)) * 2]:
        eig = np.linalg.eigvalsh(f.hessian(w))
        assert eig[-1] <= f.smoothness("tight") * (1 + 1e-12)
        assert eig[0] >= f.strong_convexity * (1 - 1e-12)
    # the tight bound is attained at w = 0, where every weight sigma(0)^2 is exactly 1/4
    assert np.linalg.eigvalsh(f.hessian(np.zeros(4)))[-1] == pytest.approx(tight, rel=1e-12)


@pytest.mark.parametrize("bound", ["source", "tight"])
def test_gradient_descent_with_step_one_over_beta_meets_theorem_3(bound):
    """Source 000, Theorem 3 (corrected): F(w_t) - F* <= (1 - alpha/beta)^t (F(w_0) - F*)."""
    X, y = _logistic_data(n=30, d=3, seed=5)
    f = F.logistic_regression(X, y, 0.05)
    beta, alpha = f.smoothness(bound), 2 * 0.05
    fstar = f.fmin
    w = np.array([2.0, -1.0, 0.5])
    gap0 = f(w) - fstar
    for t in range(1, 41):
        w = w - f.grad(w) / beta
        assert f(w) - fstar <= (1 - alpha / beta) ** t * gap0 + 1e-14


def test_logistic_regression_minimum():
    X, y = _logistic_data()
    lam = 0.02
    f = F.logistic_regression(X, y, lam)
    assert f.minima.shape == (1, 3)
    w_star = f.minima[0]
    assert np.linalg.norm(f.grad(w_star)) < 1e-12
    assert f.fmin == pytest.approx(f(w_star), rel=1e-15)
    # strong convexity: F(w) >= F(w*) + (alpha/2) ||w - w*||^2 = F* + lam ||w - w*||^2
    rng = np.random.default_rng(3)
    for w in rng.standard_normal((5, 3)):
        assert f(w) >= f.fmin + lam * np.sum((w - w_star) ** 2) - 1e-12


def test_logistic_regression_huge_margins_do_not_overflow():
    X, y = _logistic_data()
    f = F.logistic_regression(X, y, 1e-3)
    rng = np.random.default_rng(6)
    direction = rng.standard_normal(3)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        for scale in (1e3, 1e6):
            w = scale * direction
            margins = y * (X @ w)
            # log(1 + e^{-m}) = max(-m, 0) + log(1 + e^{-|m|}); with |m| >= ~1 e^{-|m|} is negligible
            # at this scale, so the loss is the mean of the positive parts of -m (+ lam ||w||^2)
            expected = np.mean(np.maximum(-margins, 0.0)) + 1e-3 * w @ w
            assert f(w) == pytest.approx(expected, rel=1e-9)
            g, H = f.grad(w), f.hessian(w)
            assert np.all(np.isfinite(g)) and np.all(np.isfinite(H))
            # sigma(-m) is 1 for very negative margins, 0 for very positive ones
            expected_g = -np.mean(((margins < 0) * y)[:, None] * X, axis=0) + 2e-3 * w
            np.testing.assert_allclose(g, expected_g, rtol=1e-9, atol=1e-12)
            # all Hessian weights sigma(m) sigma(-m) underflow to 0: only 2 lam I remains
            np.testing.assert_allclose(H, 2e-3 * np.eye(3), rtol=0, atol=1e-12)


def test_logistic_regression_copies_and_freezes_its_data():
    X, y = _logistic_data(n=10, d=2)
    f = F.logistic_regression(X, y, 0.1)
    w = np.array([0.2, 0.4])
    before = f(w)
    X[:] = 0.0  # the caller changing its arrays afterwards does not change the objective
    assert f(w) == before
    with pytest.raises(ValueError):
        f.X[0, 0] = 1.0
    # integer labels are fine
    Xf, yf = _logistic_data(n=10, d=2)
    assert F.logistic_regression(Xf, yf.astype(int), 0.1)(w) == F.logistic_regression(Xf, yf, 0.1)(w)


def test_finite_sum_pieces_by_hand():
    """Source 000's F as a finite sum: F_i(w) = log(1 + e^{-m_i}) + lam ||w||^2 and
    grad F_i(w) = -y_i x_i / (1 + e^{m_i}) + 2 lam w (the corrected (16)), written out per sample."""
    X, y = _logistic_data(n=12, d=3, seed=8)
    lam = 0.05
    f = F.logistic_regression(X, y, lam)
    w = np.array([0.4, -0.9, 0.6])
    L = [math.log(1 + math.exp(-yi * xi @ w)) + lam * w @ w for xi, yi in zip(X, y)]
    G = np.array([-yi * xi / (1 + math.exp(yi * xi @ w)) + 2 * lam * w for xi, yi in zip(X, y)])
    np.testing.assert_allclose(f.sample_losses(w), L, rtol=1e-14)
    np.testing.assert_allclose(f.sample_gradients(w), G, rtol=1e-13, atol=1e-16)
    idx = np.array([7, 2, 2, 11])  # a batch may repeat a sample
    np.testing.assert_allclose(f.sample_losses(w, idx), np.array(L)[idx], rtol=1e-14)
    np.testing.assert_allclose(f.sample_gradients(w, idx), G[idx], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(f.batch_gradient(w, idx), G[idx].mean(axis=0), rtol=1e-13, atol=1e-16)
    # the means over all samples are F and its gradient; the full batch is grad F itself
    assert np.mean(L) == pytest.approx(f(w), rel=1e-14)
    np.testing.assert_allclose(G.mean(axis=0), f.grad(w), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(f.batch_gradient(w), f.grad(w), rtol=1e-15, atol=0)
    # and the per-sample gradient is the derivative of the per-sample loss (central differences)
    for i in (0, 5):
        np.testing.assert_allclose(G[i], fd_grad(lambda v: f.sample_losses(v, [i])[0], w), rtol=1e-7, atol=1e-10)


def test_minibatch_gradients_are_unbiased_with_the_sampling_variance():
    """Sampling B of n without replacement: E g_B = grad F and E|g_B - grad F|^2 = (S^2/B)(1 - B/n)
    (Cochran, theorem 2.2), checked here by enumerating every batch of a small problem exactly."""
    import itertools

    X, y = _logistic_data(n=7, d=2, seed=9)
    f = F.logistic_regression(X, y, 0.1)
    w = np.array([0.3, -0.5])
    G = f.sample_gradients(w)
    g = f.grad(w)
    S2 = sum(np.sum((Gi - g) ** 2) for Gi in G) / (7 - 1)
    for B in (1, 3, 7):
        every = [G[list(c)].mean(axis=0) for c in itertools.combinations(range(7), B)]
        exact = np.mean([np.sum((gb - g) ** 2) for gb in every])
        assert f.minibatch_gradient_variance(w, B) == pytest.approx(exact, rel=1e-12, abs=1e-30)
        assert f.minibatch_gradient_variance(w, B) == pytest.approx(S2 / B * (1 - B / 7), rel=1e-12, abs=1e-30)
        np.testing.assert_allclose(np.mean(every, axis=0), g, rtol=1e-12)
    # drawn batches: the same batches from the same seed, new ones from a Generator's stream
    est = f.minibatch_gradients(w, 3, 5000, seed=1)
    assert est.shape == (5000, 2)
    np.testing.assert_array_equal(est, f.minibatch_gradients(w, 3, 5000, seed=np.random.default_rng(1)))
    rng = np.random.default_rng(2)
    assert not np.array_equal(f.minibatch_gradients(w, 3, 10, seed=rng), f.minibatch_gradients(w, 3, 10, seed=rng))
    var = float(np.mean(np.sum((est - g) ** 2, axis=1)))
    assert var == pytest.approx(S2 / 3 * (1 - 3 / 7), rel=0.1)
    # every estimate is the mean of 3 distinct samples' gradients
    combos = np.array([G[list(c)].mean(axis=0) for c in itertools.combinations(range(7), 3)])
    assert all(np.min(np.abs(combos - e).max(axis=1)) < 1e-14 for e in est[:50])
    np.testing.assert_allclose(f.minibatch_gradients(w, 7, 3), np.tile(g, (3, 1)), rtol=1e-13)  # B = n: exact


def test_logistic_clouds_are_two_gaussian_clouds():
    f = F.logistic_clouds(n=6, lam=0.02, seed=3)
    # by hand: labels +1, -1, ... and x_i = y_i (1, 0.4) + N(0, I) from default_rng(3)
    y = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
    X = np.random.default_rng(3).normal(0.0, 1.0, (6, 2)) + y[:, None] * np.array([1.0, 0.4])
    np.testing.assert_array_equal(f.y, y)
    np.testing.assert_array_equal(f.X, X)
    assert f.lam == 0.02 and f.n == 6 and f.dim == 2
    default = F.logistic_clouds()
    assert default.n == 256 and default.lam == 0.01
    np.testing.assert_array_equal(default.X, F.logistic_clouds(seed=np.random.default_rng(0)).X)
    assert np.linalg.norm(default.grad(default.minima[0])) < 1e-12


def test_grad_unvalidated_is_the_gradient_formula():
    for f in OBJECTIVES:
        x = np.array([np.mean(b) + 0.1 for b in f.bounds])
        np.testing.assert_array_equal(f.grad_unvalidated(x), f.grad(x))
    q = F.quadratic_from_matrix(np.array([[3.0, 1.0], [1.0, 2.0]]), b=np.array([1.0, -1.0]))
    np.testing.assert_array_equal(q.grad_unvalidated(np.array([1.0, 2.0])), [3 + 2 - 1, 1 + 4 + 1])  # A x - b


@pytest.mark.parametrize("call, exc, match", [
    (lambda f: f.sample_losses(np.zeros(3), [0, 40]), ValueError, r"idx must hold sample indices in \[0, 40\)"),
    (lambda f: f.sample_gradients(np.zeros(3), [0.5]), TypeError, "idx must be a non-empty 1-D array of integer"),
    (lambda f: f.batch_gradient(np.zeros(3), []), TypeError, "idx must be a non-empty"),
    (lambda f: f.batch_gradient(np.zeros((3, 2)), [1]), ValueError, r"w must be one point, shape \(3,\)"),
    (lambda f: f.batch_gradient(np.zeros(2), [1]), ValueError, r"x must have shape \(3,\)"),
    (lambda f: f.minibatch_gradient_variance(np.zeros(3), 41), ValueError, r"batch_size must be at most .* \(40\)"),
    (lambda f: f.minibatch_gradients(np.zeros(3), 0, 5), ValueError, "batch_size must be an integer >= 1"),
    (lambda f: f.minibatch_gradients(np.zeros(3), 2, 5, seed="x"), TypeError, "seed must be an int or a numpy"),
    (lambda f: F.logistic_clouds(n=1), ValueError, "n must be an integer >= 2"),
])
def test_finite_sum_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call(F.logistic_regression(*_logistic_data(), 0.05))


# --------------------------------------------------------------------------
# the Objective container
# --------------------------------------------------------------------------
def test_custom_objective_without_hessian():
    f = F.Objective("bowl", 2, value=lambda x: x[0] ** 2 + 3 * x[1] ** 2,
                    grad=lambda x: np.stack([2 * x[0], 6 * x[1]]), minima=[[0.0, 0.0]], fmin=0.0,
                    formula="x^2 + 3 y^2")
    # f(1, 2) = 1 + 12 = 13; grad = (2, 12)
    assert f(np.array([1.0, 2.0])) == 13.0
    np.testing.assert_array_equal(f.grad(np.array([1.0, 2.0])), [2.0, 12.0])
    assert not f.has_hessian
    with pytest.raises(NotImplementedError, match="bowl has no analytic Hessian"):
        f.hessian(np.zeros(2))
    assert f.bounds == [(-2.0, 2.0), (-2.0, 2.0)]
    assert "bowl" in repr(f) and "x^2 + 3 y^2" in repr(f)
    # float32 input is accepted and evaluated in float64
    assert f.grad(np.array([1.0, 2.0], dtype=np.float32)).dtype == np.float64


def test_float32_input_is_evaluated_in_float64():
    x32 = np.array([-1.2345678, 0.7654321], dtype=np.float32)
    x64 = x32.astype(np.float64)  # the same point, exactly
    f = F.rosenbrock()
    assert f(x32) == f(x64)
    np.testing.assert_array_equal(f.grad(x32), f.grad(x64))
    np.testing.assert_array_equal(f.hessian(x32), f.hessian(x64))


def test_repr_and_one_dimensional_input():
    assert "rosenbrock" in repr(F.rosenbrock())
    assert "kappa=10" in repr(F.quadratic(10.0))
    r = repr(F.logistic_regression(np.ones((3, 2)), np.array([1.0, -1.0, 1.0]), 0.1))
    assert "n=3" in r and "d=2" in r and "lam=0.1" in r
    f = F.sextic()
    assert isinstance(f(3.0), float)
    assert f.grad(3.0).shape == (1,)
    assert f(np.array([[1.0, 2.0, 3.0]])).shape == (3,)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: F.rosenbrock()(np.zeros(3)), ValueError, r"x must have shape \(2,\)"),
        (lambda: F.rosenbrock()(np.array([1, 2])), TypeError, "x must be a floating-point"),
        (lambda: F.rosenbrock()(np.array([1.0, np.inf])), ValueError, "x must contain only finite"),
        (lambda: F.rosenbrock().grad(np.array([np.nan, 1.0])), ValueError, "x must contain only finite"),
        (lambda: F.rosenbrock().hessian(np.zeros((2, 3))), ValueError, "hessian takes one point, x"),
        (lambda: F.sextic()(np.linspace(0.0, 1.0, 5)), ValueError, r"x must have shape.*xs\[None\]"),
        (lambda: F.rosenbrock(b=0.0), ValueError, "b must be > 0"),
        (lambda: F.rosenbrock(a=np.nan), ValueError, "a must be finite"),
        (lambda: F.quadratic(0.5), ValueError, "condition_number must be >= 1"),
        (lambda: F.quadratic(10.0, dim=1), ValueError, "condition_number must be 1 when dim=1"),
        (lambda: F.quadratic(10, dim=0), ValueError, "dim must be"),
        (lambda: F.quadratic(10, dim=2.0), TypeError, "dim must be an integer"),
        (lambda: F.quadratic(10, angle=np.inf), ValueError, "angle must be finite"),
        (lambda: F.quadratic_from_matrix(np.diag([1.0, -1.0])), ValueError, "A must be positive definite"),
        (lambda: F.quadratic_from_matrix(np.array([[1.0, 2.0], [0.0, 1.0]])), ValueError, "A must be symmetric"),
        (lambda: F.quadratic_from_matrix(np.eye(2, dtype=int)), TypeError, "A must be a floating-point"),
        (lambda: F.quadratic_from_matrix(np.eye(2), b=np.ones(3)), ValueError, r"b must have shape \(2,\)"),
        (lambda: F.quadratic_from_matrix(np.eye(2), c=np.nan), ValueError, "c must be finite"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.array([0, 1, 1]), 0.1), ValueError,
         r"y must hold labels -1 and \+1.*2\*y - 1"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.array([1.0, -1.0, 0.5]), 0.1), ValueError,
         r"y must hold labels.*0\.5"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.array([True, False, True]), 0.1), TypeError,
         "y must be a numeric"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.ones(2), 0.1), ValueError, r"y must have shape \(3,\)"),
        (lambda: F.logistic_regression(np.ones(3), np.ones(3), 0.1), ValueError, "X must be a 2-D array"),
        (lambda: F.logistic_regression(np.ones((3, 0)), np.ones(3), 0.1), ValueError, "X must be a 2-D array"),
        (lambda: F.logistic_regression(np.ones((3, 2), dtype=int), np.ones(3), 0.1), TypeError,
         "X must be a floating-point"),
        (lambda: F.logistic_regression(np.full((3, 2), np.nan), np.ones(3), 0.1), ValueError,
         "X must contain only finite"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.ones(3), 0.0), ValueError, "lam must be > 0"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.ones(3), 0.1).smoothness("loose"), ValueError,
         "bound must be one of"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.ones(3), 0.1).condition_number("x"), ValueError,
         "bound must be one of"),
        (lambda: F.Objective("f", 2, value=3.0, grad=lambda x: x), TypeError, "value must be a callable"),
        (lambda: F.Objective("f", 2, lambda x: x[0], lambda x: x, bounds=[(0.0, 1.0)]), ValueError,
         "bounds must hold one"),
        (lambda: F.Objective("f", 2, lambda x: x[0], lambda x: x, bounds=[(1.0, 0.0), (0.0, 1.0)]), ValueError,
         "bounds must be"),
        (lambda: F.Objective("f", 2, lambda x: x[0], lambda x: x, minima=[1.0, 2.0, 3.0]), ValueError,
         r"minima must have shape \(k, 2\)"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.tensorflow
def test_logistic_regression_matches_keras_binary_crossentropy_with_l2():
    """The docstring's claim: source 000's F(w) is Keras' mean binary cross-entropy on the
    logits x'w with labels t = (y + 1)/2, plus regularizers.L2(lam); gradients agree too."""
    import keras
    import tensorflow as tf

    X, y = _logistic_data(n=30, d=3, seed=7)
    lam = 0.0625  # 2^-4: Keras' L2 passes l2 through a float32 constant, which would round 0.05
    f = F.logistic_regression(X, y, lam)
    w = np.array([0.8, -1.3, 2.1])
    t = (y + 1) / 2
    w_tf = tf.Variable(w, dtype=tf.float64)
    with tf.GradientTape() as tape:
        logits = tf.linalg.matvec(tf.constant(X, dtype=tf.float64), w_tf)[:, None]
        bce = keras.losses.binary_crossentropy(tf.constant(t[:, None]), logits, from_logits=True)
        loss = tf.reduce_mean(bce) + keras.regularizers.L2(lam)(w_tf)
    grad = tape.gradient(loss, w_tf)
    assert f(w) == pytest.approx(float(loss.numpy()), rel=1e-12)
    np.testing.assert_allclose(f.grad(w), grad.numpy(), rtol=1e-10, atol=1e-14)


def test_the_finite_sums_fast_paths_give_the_validated_numbers():
    P = F.logistic_clouds(n=40, seed=3)
    w, idx = np.array([0.3, -0.7]), np.array([5, 0, 39, 5])
    assert np.array_equal(P.batch_gradient_unvalidated(w, idx), P.batch_gradient(w, idx))
    assert np.array_equal(P.sample_losses_unvalidated(w, idx), P.sample_losses(w, idx))
    # by hand for one sample: F_i = log(1 + exp(-y_i x_i'w)) + lam |w|^2
    m = P.y[0] * (P.X[0] @ w)
    assert P.sample_losses_unvalidated(w, np.array([0]))[0] == pytest.approx(np.log1p(np.exp(-m)) + P.lam * (w @ w))


# --------------------------------------------------------------------------
# flat_minimum: convex, 9/4-smooth, not strongly convex; Jensen's inequality
# --------------------------------------------------------------------------
def test_flat_minimum_hand_values_and_constants():
    f = F.flat_minimum()
    # by hand: f(1) = 1 - log 2, f'(1) = 2 / 2 = 1, f''(1) = 2 - 0 = 2, f''(0) = 2 - 2 = 0
    assert f(1.0) == pytest.approx(1 - math.log(2), rel=1e-15)
    assert f.grad(1.0)[0] == pytest.approx(1.0, rel=1e-15)
    assert f.hessian(np.array([1.0]))[0, 0] == pytest.approx(2.0, rel=1e-15)
    assert f.hessian(np.array([0.0]))[0, 0] == 0.0 and f.strong_convexity == 0.0
    assert f.minima.tolist() == [[0.0]] and f.fmin == 0.0
    # f'' on a fine grid: never negative (convex), largest 9/4 at x = sqrt(3) (beta), by finite differences
    xs = np.linspace(-30, 30, 600_001)
    h = 1e-4
    d2 = (F.flat_minimum()(xs[None] + h) - 2 * F.flat_minimum()(xs[None]) + F.flat_minimum()(xs[None] - h)) / h ** 2
    assert d2.min() > -1e-6 and d2.max() == pytest.approx(9 / 4, abs=1e-5)
    assert abs(xs[np.argmax(d2)]) == pytest.approx(math.sqrt(3), abs=1e-3)
    assert f.smoothness == 9 / 4 == f.hessian(np.array([math.sqrt(3)]))[0, 0]


def test_jensen_sides_two_points_is_the_chord_and_samples_the_means():
    f = F.flat_minimum()
    a, b, theta = -2.0, 1.5, 0.3
    f_mean, mean_f = F.jensen_sides(f, np.array([a, b]), np.array([theta, 1 - theta]))
    g = lambda x: x * x - math.log(1 + x * x)  # noqa: E731  (written out here)
    assert f_mean == pytest.approx(g(theta * a + (1 - theta) * b), rel=1e-14)
    assert mean_f == pytest.approx(theta * g(a) + (1 - theta) * g(b), rel=1e-14)
    assert f_mean <= mean_f
    # unnormalised weights are normalised; 2-D points; a non-convex f can break the inequality
    assert F.jensen_sides(f, np.array([a, b]), np.array([3.0, 7.0])) == pytest.approx((f_mean, mean_f), rel=1e-14)
    q = F.quadratic(4.0)
    P = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    fm, mf = F.jensen_sides(q, P)
    assert fm == pytest.approx(q(P.mean(axis=0))) and mf == pytest.approx(np.mean([q(p) for p in P]))
    s = F.sextic()
    fm, mf = F.jensen_sides(s, np.array([2.0, 12.0]))       # the hump at 7.22 lies above the chord
    assert fm > mf


@pytest.mark.parametrize("kwargs, match", [
    (dict(points=np.array([])), "points"),
    (dict(points=np.array([1.0, 2.0]), weights=np.array([1.0])), "weights"),
    (dict(points=np.array([1.0, 2.0]), weights=np.array([-1.0, 2.0])), "weights"),
    (dict(points=np.array([1.0, 2.0]), weights=np.array([0.0, 0.0])), "weights"),
    (dict(points=[1, 2]), "points"),
])
def test_jensen_sides_rejects_bad_input_naming_it(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        F.jensen_sides(F.flat_minimum(), **kwargs)
    with pytest.raises(TypeError, match="f must be a callable"):
        F.jensen_sides(3.0, np.array([1.0]))


def test_logistic_curvature_at_minimum_is_the_hessian_spectrum_there():
    X, y = _logistic_data(n=60, d=3, seed=2)
    f = F.logistic_regression(X, y, 0.02)
    w = f.minima[0]
    m = y * (X @ w)
    s = 1 / (1 + np.exp(-m))
    H = (X.T * (s * (1 - s))) @ X / len(y) + 2 * 0.02 * np.eye(3)   # written out here
    np.testing.assert_allclose(f.curvature_at_minimum(), np.linalg.eigvalsh(H), rtol=1e-10)
    lo, hi = f.curvature_at_minimum()[[0, -1]]
    assert 2 * 0.02 <= lo and hi <= f.smoothness("tight") * (1 + 1e-12)


def test_pl_ratio_is_one_along_the_flat_eigenvector_of_a_quadratic_and_above_elsewhere():
    q = F.quadratic(8.0, angle=0.3)
    c, s_ = math.cos(0.3), math.sin(0.3)
    flat_dir, steep_dir = np.array([c, s_]), np.array([-s_, c])     # the rotated axes, eigenvalues 1 and 8
    assert F.pl_ratio(q, 0.7 * flat_dir, 1.0) == pytest.approx(1.0, rel=1e-12)
    # along the steep one ||Ax||^2 / (alpha x'Ax) = 8^2 / 8 = 8
    assert F.pl_ratio(q, -1.3 * steep_dir, 1.0) == pytest.approx(8.0, rel=1e-12)
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-2, 2, 9)))
    r = F.pl_ratio(q, grid, 1.0)
    assert r.shape == (9, 9) and np.isinf(r[4, 4]) and np.all(r >= 1 - 1e-12)
    with pytest.raises(ValueError, match="alpha"):
        F.pl_ratio(q, flat_dir, 0.0)
    with pytest.raises(TypeError, match="Objective"):
        F.pl_ratio(lambda x: x @ x, flat_dir, 1.0)
    with pytest.raises(ValueError, match="fmin"):
        F.pl_ratio(F.Objective("bowl", 1, value=lambda x: x[0] ** 2, grad=lambda x: 2 * x), np.array([1.0]), 1.0)


@pytest.mark.parametrize("angle", [0.0, np.deg2rad(30.0), 1.0])
def test_quadratic_eigenvectors_are_the_rotated_axes_in_the_order_of_the_eigenvalues(angle):
    f = F.quadratic(condition_number=10.0, dim=2, angle=angle)
    # by hand: A = R diag(1, 10) R', so A (R e1) = R e1 and A (R e2) = 10 R e2
    flat, steep = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    V = f.eigenvectors
    assert abs(V[:, 0] @ flat) == pytest.approx(1.0, abs=1e-12) and abs(V[:, 1] @ steep) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(f.A @ V, V * f.eigenvalues, atol=1e-12)
    with pytest.raises(ValueError):
        f.eigenvectors[0, 0] = 2.0                                    # read-only, like A
