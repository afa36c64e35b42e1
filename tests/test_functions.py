"""Test objectives: hand values, finite-difference gradients and Hessians, known minima."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import functions as F


def fd_grad(f, x, h=1e-6):
    """Central differences written out here, independent of course_lib.gradcheck."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def fd_hessian(grad, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((grad(x + e) - grad(x - e)) / (2 * h))
    return np.array(cols).T


OBJECTIVES = [
    F.quadratic(10.0, angle=0.4),
    F.quadratic(5.0, dim=4, angle=1.0),
    F.quadratic_from_matrix(np.array([[3.0, 1.0], [1.0, 2.0]]), b=np.array([1.0, -1.0]), c=0.5),
    F.two_variable_quadratic(),
    F.rosenbrock(),
    F.rosenbrock(a=2.0, b=10.0),
    F.himmelblau(),
    F.sextic(),
]


@pytest.mark.parametrize("f", OBJECTIVES, ids=lambda f: f.name)
def test_gradient_and_hessian_match_finite_differences(f):
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = np.array([rng.uniform(lo, hi) for lo, hi in f.bounds])
        scale = max(1.0, abs(f(x)))
        np.testing.assert_allclose(f.grad(x), fd_grad(f, x), rtol=1e-6, atol=1e-6 * scale)
        H = f.hessian(x)
        np.testing.assert_allclose(H, fd_hessian(f.grad, x), rtol=1e-5, atol=1e-5 * max(1.0, np.abs(H).max()))


@pytest.mark.parametrize("f", OBJECTIVES, ids=lambda f: f.name)
def test_minima_are_stationary_with_positive_curvature(f):
    assert len(f.minima) >= 1
    for m in f.minima:
        assert np.linalg.norm(f.grad(m)) < 1e-8 * max(1.0, np.abs(f.hessian(m)).max())
        assert np.linalg.eigvalsh(f.hessian(m))[0] > 0
    assert min(f(m) for m in f.minima) == pytest.approx(f.fmin, abs=1e-12)


@pytest.mark.parametrize("f", OBJECTIVES[:-1], ids=lambda f: f.name)
def test_grid_evaluation_equals_pointwise(f):
    xs = [np.linspace(lo, hi, 4) for lo, hi in f.bounds[:2]]
    grid = np.stack(np.meshgrid(*xs, *([np.array([0.3])] * (f.dim - 2)), indexing="ij"))
    values = f(grid)
    grads = f.grad(grid)
    assert values.shape == grid.shape[1:] and grads.shape == grid.shape
    for index in np.ndindex(*grid.shape[1:]):
        point = grid[(slice(None),) + index]
        assert values[index] == pytest.approx(f(point), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(grads[(slice(None),) + index], f.grad(point), rtol=1e-12, atol=1e-12)


def test_two_variable_quadratic_hand_values():
    f = F.two_variable_quadratic()
    # f(1,1) = 1 + 2 - 2 - 2 = -1;  f(0, 1/2) = 0 + 1/2 - 0 - 1 = -1/2;  grad(0,0) = (0, -2)
    assert f(np.array([1.0, 1.0])) == -1.0
    assert f(np.array([0.0, 0.5])) == -0.5
    np.testing.assert_array_equal(f.grad(np.zeros(2)), [0.0, -2.0])
    np.testing.assert_array_equal(f.minima, [[1.0, 1.0]])
    assert f.fmin == -1.0


def test_quadratic_condition_number_and_rotation():
    f = F.quadratic(25.0, angle=math.pi / 6)
    eig = np.linalg.eigvalsh(f.A)
    np.testing.assert_allclose(eig, [1.0, 25.0], rtol=1e-12)
    assert f.condition_number == pytest.approx(25.0)
    # eigenvalue 1 along the x axis rotated by 30 degrees, 25 along the rotated y axis
    u = np.array([math.cos(math.pi / 6), math.sin(math.pi / 6)])
    v = np.array([-math.sin(math.pi / 6), math.cos(math.pi / 6)])
    np.testing.assert_allclose(f.A @ u, u, atol=1e-12)
    np.testing.assert_allclose(f.A @ v, 25.0 * v, atol=1e-12)
    # f(v) = 0.5 * 25 * |v|^2
    assert f(v) == pytest.approx(12.5)
    g4 = F.quadratic(8.0, dim=4)
    np.testing.assert_allclose(np.linalg.eigvalsh(g4.A), [1.0, 2.0, 4.0, 8.0], rtol=1e-12)


def test_quadratic_from_matrix_minimum():
    # A = [[3,1],[1,2]], b = (1,-1): x* = A^{-1} b = (1/5)[[2,-1],[-1,3]] (1,-1) = (3/5, -4/5)
    # f* = c - 0.5 b'x* = 0.5 - 0.5 (3/5 + 4/5) = 0.5 - 0.7 = -0.2
    f = F.quadratic_from_matrix(np.array([[3.0, 1.0], [1.0, 2.0]]), b=np.array([1.0, -1.0]), c=0.5)
    np.testing.assert_allclose(f.minima[0], [0.6, -0.8], rtol=1e-14)
    assert f.fmin == pytest.approx(-0.2, abs=1e-15)


def test_rosenbrock_hand_values():
    f = F.rosenbrock()
    # f(-1, 1) = (1+1)^2 + 100 (1-1)^2 = 4;  f(0,0) = 1;  grad(0,0) = (-2, 0)
    assert f(np.array([-1.0, 1.0])) == 4.0
    assert f(np.zeros(2)) == 1.0
    np.testing.assert_array_equal(f.grad(np.zeros(2)), [-2.0, 0.0])
    # Hessian at the minimum (1,1): [[2 + 800, -400], [-400, 200]]
    np.testing.assert_array_equal(f.hessian(np.ones(2)), [[802.0, -400.0], [-400.0, 200.0]])


def test_himmelblau_four_minima():
    f = F.himmelblau()
    assert f(np.array([3.0, 2.0])) == 0.0  # (9+2-11)^2 + (3+4-7)^2
    assert len(f.minima) == 4
    for m in f.minima:
        assert f(m) < 1e-20
    # the published approximate locations
    approx = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    np.testing.assert_allclose(f.minima, approx, atol=1e-6)


def test_sextic_matches_source_004_and_its_minima():
    f = F.sextic()
    c = F.SEXTIC_COEFFICIENTS
    # f(0) is the constant term; f(1) the sum of the coefficients
    assert f(0.0) == 4.722197
    assert f(1.0) == pytest.approx(sum(c), rel=1e-14)
    assert f(np.array([2.0])) == pytest.approx(
        c[0] * 64 - c[1] * -32 + c[2] * 16 + c[3] * 8 + c[4] * 4 + c[5] * 2 + c[6], rel=1e-14)
    # f' at 2 by hand: 6c0 x^5 + 5c1 x^4 + 4c2 x^3 + 3c3 x^2 + 2c4 x + c5
    d = 6 * c[0] * 32 + 5 * c[1] * 16 + 4 * c[2] * 8 + 3 * c[3] * 4 + 2 * c[4] * 2 + c[5]
    assert f.grad(2.0)[0] == pytest.approx(d, rel=1e-12)
    # two minima inside the plotting box, the global one on the right
    assert f.minima.shape == (2, 1)
    assert 2.0 < f.minima[0, 0] < 2.2 and 20 < f.minima[1, 0] < 21
    assert f.fmin == pytest.approx(f(f.minima[1]))
    lo, hi = f.bounds[0]
    assert lo < f.minima[0, 0] and f.minima[1, 0] < hi


def _logistic_data(n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + 0.5
    y = np.where(rng.standard_normal(n) + X[:, 0] > 0.5, 1.0, -1.0)
    return X, y


def test_logistic_regression_value_gradient_hessian():
    X, y = _logistic_data()
    lam = 0.05
    f = F.logistic_regression(X, y, lam)
    # F(0) = (1/n) sum log(1 + e^0) + 0 = log 2
    assert f(np.zeros(3)) == pytest.approx(math.log(2), rel=1e-15)
    w = np.array([0.3, -0.7, 1.1])
    # the loss written directly from source 000's equation (15)
    direct = np.mean([math.log(1 + math.exp(-yi * xi @ w)) for xi, yi in zip(X, y)]) + lam * w @ w
    assert f(w) == pytest.approx(direct, rel=1e-14)
    np.testing.assert_allclose(f.grad(w), fd_grad(f, w), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(f.hessian(w), fd_hessian(f.grad, w), rtol=1e-6, atol=1e-8)
    # the gradient at 0 by hand: -(1/n) sum (1/2) y_i x_i
    np.testing.assert_allclose(f.grad(np.zeros(3)), -0.5 * (y @ X) / len(y), rtol=1e-14)


def test_logistic_regression_bounds_and_condition_number():
    X, y = _logistic_data(n=60, d=4, seed=1)
    lam = 0.01
    f = F.logistic_regression(X, y, lam)
    n = len(y)
    sum_sq = sum(float(xi @ xi) for xi in X)
    # source 000: beta = (1/n) sum ||x_i||^2 + 2 lam, kappa = 1 + sum ||x_i||^2 / (2 lam n)
    assert f.smoothness("source") == pytest.approx(sum_sq / n + 2 * lam, rel=1e-14)
    assert f.condition_number("source") == pytest.approx(1 + sum_sq / (2 * lam * n), rel=1e-14)
    assert f.strong_convexity == 2 * lam
    assert f.smoothness("source") >= f.smoothness("trace") >= f.smoothness("tight")
    rng = np.random.default_rng(2)
    for w in [np.zeros(4), *rng.standard_normal((5, 4)) * 2]:
        eig = np.linalg.eigvalsh(f.hessian(w))
        assert eig[-1] <= f.smoothness("tight") * (1 + 1e-12)
        assert eig[0] >= f.strong_convexity * (1 - 1e-12)
    # the tight bound is attained in the limit of tiny margins: at w = 0 all weights are 1/4
    eig0 = np.linalg.eigvalsh(f.hessian(np.zeros(4)))[-1]
    assert eig0 == pytest.approx(f.smoothness("tight"), rel=1e-12)


def test_logistic_regression_minimum_and_huge_margins():
    X, y = _logistic_data()
    f = F.logistic_regression(X, y, 0.02)
    w_star = f.minima[0]
    assert np.linalg.norm(f.grad(w_star)) < 1e-10
    # strong convexity: F(w) >= F(w*) + lam ||w - w*||^2 for any w
    rng = np.random.default_rng(3)
    for w in rng.standard_normal((5, 3)):
        assert f(w) >= f.fmin + 0.02 * np.sum((w - w_star) ** 2) - 1e-12
    # margins of +-1e4: no overflow, loss ~ (1/n) sum of the negative margins' sizes
    big = 1e4 * w_star / np.linalg.norm(w_star)
    value = f(big)
    margins = y * (X @ big)
    expected = np.mean(np.where(margins < 0, -margins, 0.0)) + 0.02 * big @ big
    assert value == pytest.approx(expected, rel=1e-10)
    assert np.all(np.isfinite(f.grad(big))) and np.all(np.isfinite(f.hessian(big)))


def test_repr_and_one_dimensional_scalar_input():
    assert "rosenbrock" in repr(F.rosenbrock())
    f = F.sextic()
    assert f.grad(3.0).shape == (1,)
    assert f(np.array([[1.0, 2.0, 3.0]])).shape == (3,)


@pytest.mark.parametrize(
    "call, exc, name",
    [
        (lambda: F.rosenbrock()(np.zeros(3)), ValueError, "x must have shape"),
        (lambda: F.rosenbrock()(np.array([1, 2])), TypeError, "x"),
        (lambda: F.rosenbrock()(np.array([1.0, np.inf])), ValueError, "x"),
        (lambda: F.rosenbrock().hessian(np.zeros((2, 3))), ValueError, "one point"),
        (lambda: F.quadratic(0.5), ValueError, "condition_number"),
        (lambda: F.quadratic(10, dim=0), ValueError, "dim"),
        (lambda: F.quadratic_from_matrix(np.diag([1.0, -1.0])), ValueError, "positive definite"),
        (lambda: F.quadratic_from_matrix(np.eye(2), b=np.ones(3)), ValueError, "b"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.array([0, 1, 1]), 0.1), ValueError, "y must hold"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.ones(2), 0.1), ValueError, "y must have shape"),
        (lambda: F.logistic_regression(np.ones(3), np.ones(3), 0.1), ValueError, "X"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.ones(3), 0.0), ValueError, "lam"),
        (lambda: F.logistic_regression(np.ones((3, 2)), np.ones(3), 0.1).smoothness("loose"), ValueError,
         "bound"),
    ],
)
def test_bad_input(call, exc, name):
    with pytest.raises(exc, match=name):
        call()
