"""Assignment 7, gradient descent and line search (lecture 1): the checks of a gradient-descent path,
the largest stable step, steepest descent with exact line search on a quadratic, one backtracking
line search and gradient descent with backtracking.

Each check runs the student's function against the ``course_lib`` reference
(``optim.trajectory`` with ``optim.SGD``, ``linesearch``, ``functions``) on
seeded random inputs through ``engine.check_function`` and names the likely
mistake (see ``course_lib.exercises``).  The test functions travel to the
grading kernel as :class:`engine.Portable` lambdas; a quadratic's matrix is
written into its source with every digit (``repr`` of a float round-trips).

Conventions the questions state: a point is a 1-D array (shape ``(1,)`` for a
1-D objective), a path is the array of iterates ``x_0 .. x_n`` one per row,
the quadratic is ``f(x) = 0.5 x'Ax - b'x`` with gradient ``Ax - b``, and the
backtracking test is source ``000``'s equation (21) read as the sufficient
decrease it means, ``f(x - t g) <= f(x) - c t ||g||^2`` with ``t`` from 1
(see ``course_lib.linesearch``).
"""

from __future__ import annotations

import numpy as np

from .. import linesearch as _ls
from .. import optim as _optim
from ..functions import SEXTIC_COEFFICIENTS, rosenbrock, sextic
from . import engine
from .engine import case_rng, portable

_SEXTIC_GRAD = portable(f"lambda x: np.polyval(np.polyder(np.array({list(SEXTIC_COEFFICIENTS)!r})), x)",
                        "the sextic's derivative")
_SQUARE = portable("lambda x: float(x @ x)", "x'x")
_SQUARE_15 = portable("lambda x: float(1.5 * x @ x)", "1.5 x'x")
_ROSENBROCK = portable("lambda x: float((1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2)", "Rosenbrock's function")
_ROSENBROCK_GRAD = portable("lambda x: np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] ** 2), "
                            "200.0 * (x[1] - x[0] ** 2)])", "Rosenbrock's gradient")


def _spd(rng: np.random.Generator, n: int, kappa: float) -> np.ndarray:
    """A random symmetric positive definite n x n matrix with eigenvalues from 1 to ``kappa`` (rotated: not diagonal)."""
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    eig = np.concatenate([[1.0, kappa], rng.uniform(1.0, kappa, n - 2)])[:n] if n > 1 else np.array([kappa])
    A = (Q * eig) @ Q.T
    return (A + A.T) / 2


def _quadratic(A: np.ndarray, b: np.ndarray):
    """``f(x) = 0.5 x'Ax - b'x`` and its gradient ``Ax - b`` as portable functions (every digit of A and b)."""
    A_src, b_src = f"np.array({A.tolist()!r})", f"np.array({b.tolist()!r})"
    f = portable(f"lambda x: float(0.5 * x @ {A_src} @ x - {b_src} @ x)", "a quadratic 0.5 x'Ax - b'x")
    grad = portable(f"lambda x: {A_src} @ x - {b_src}", "its gradient Ax - b")
    return f, grad


def _path(grad, x0, lr, n_steps):
    """The reference path ``x_0 .. x_n``: optim's SGD rule from ``x0``."""
    return _optim.trajectory(_optim.SGD(lr), grad, x0, n_steps)


def gradient_descent(student, seed=None) -> int:
    """``gradient_descent(grad, x0, lr, n_steps)``: the path x_0 .. x_n of x_{k+1} = x_k - lr grad(x_k), shape (n+1, d)."""
    rng = case_rng(seed, 70)
    cases = [((_SEXTIC_GRAD, np.array([float(rng.uniform(0.5, 6.0))]), 0.5, 12), {}),
             ((_SEXTIC_GRAD, np.array([float(rng.uniform(14.0, 24.0))]), float(rng.uniform(0.2, 1.0)), 8), {})]
    for n, kappa, steps in ((2, 10.0, 15), (3, 4.0, 6), (5, 30.0, 1)):
        A, b = _spd(rng, n, kappa), rng.normal(size=n)
        lr = float(rng.uniform(0.2, 1.9)) / kappa  # below and above 1/L, under the stability limit 2/L
        cases.append(((_quadratic(A, b)[1], rng.normal(size=n), lr, steps), {}))

    def climbs(grad, x0, lr, n_steps):  # a plain loop: climbing may overflow, which the student's path does too
        path = [np.array(x0, dtype=float)]
        for _ in range(n_steps):
            path.append(path[-1] + lr * grad(path[-1]))
        return np.array(path)

    def without_x0(grad, x0, lr, n_steps):
        return _path(grad, x0, lr, n_steps)[1:]

    def one_more(grad, x0, lr, n_steps):
        return _path(grad, x0, lr, n_steps + 1)

    def one_fewer(grad, x0, lr, n_steps):
        return _path(grad, x0, lr, n_steps - 1)

    return engine.check_function(student, _path, cases, name="gradient_descent", rtol=1e-10, atol=1e-12, variants={
        "the sign is flipped: x + lr grad climbs the objective; the step is x - lr grad(x)": climbs,
        "the path must start with x0 itself: n_steps + 1 rows, x_0 first": without_x0,
        "one step too many: n_steps steps give n_steps + 1 rows (x_0 .. x_n)": one_more,
        "one step too few: n_steps steps give n_steps + 1 rows (x_0 .. x_n)": one_fewer})


def largest_stable_step(student, seed=None) -> int:
    """``largest_stable_step(A)``: 2 / lambda_max(A), the largest stable fixed step on 0.5 x'Ax (2/f'' in 1-D)."""
    rng = case_rng(seed, 71)
    f = sextic()
    cases = [((f.hessian(x_star),), {}) for x_star in f.minima]  # the lecture's two minima, 1 x 1
    # every largest eigenvalue drawn: no answer is the same for every student
    cases += [((_spd(rng, n, float(rng.uniform(lo, hi))),), {}) for n, lo, hi in ((2, 4.0, 20.0), (3, 2.0, 50.0),
                                                                               (4, 3.0, 8.0))]

    def reference(A):
        return _ls.largest_stable_step(np.linalg.eigvalsh(A)[-1])

    return engine.check_function(student, reference, cases, name="largest_stable_step", rtol=1e-9, atol=0.0,
                                  variants={
        "1 / lambda_max is the safe step of source 000's Theorem 3 (monotone decrease), not the stability limit, "
        "which is twice it": lambda A: 1.0 / np.linalg.eigvalsh(A)[-1],
        "the limit comes from the largest eigenvalue (the steepest direction), not the smallest":
            lambda A: 2.0 / np.linalg.eigvalsh(A)[0],
        "the largest diagonal entry is not the largest eigenvalue of a matrix that is not diagonal":
            lambda A: 2.0 / np.max(np.diag(A))})


def steepest_descent_exact(student, seed=None) -> int:
    """``steepest_descent_exact(A, b, x0, n_steps)``: g = Ax - b, t = g'g / g'Ag, x - t g; the path (n+1, d)."""
    rng = case_rng(seed, 72)
    A4 = np.array([[2.0, -2.0], [-2.0, 4.0]])  # source 004's worked example, from (0, 0)
    cases = [((A4, np.array([0.0, 2.0]), np.zeros(2), 3), {})]

    def reference(A, b, x0, n_steps):
        return _ls.steepest_descent_exact(A, b, x0, steps=n_steps)[0]

    for n, kappa, steps in ((2, 10.0, 8), (3, float(rng.uniform(3.0, 20.0)), 5), (4, 6.0, 2)):
        A, b = _spd(rng, n, kappa), rng.normal(size=n)
        while True:  # a start near an eigenvector of A reaches the minimiser (g = 0, then 0/0) within the steps
            x0 = rng.normal(size=n)
            g_last = A @ reference(A, b, x0, steps)[-1] - b
            if np.linalg.norm(g_last) > 1e-6 * np.linalg.norm(A @ x0 - b):
                break
        cases.append(((A, b, x0, steps), {}))

    def inverted(A, b, x0, n_steps):
        x, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
        for _ in range(n_steps):
            g = A @ x - b
            x = x - (g @ A @ g) / (g @ g) * g
            path.append(x)
        return np.array(path)

    def first_step_kept(A, b, x0, n):
        g0 = A @ x0 - b
        t = (g0 @ g0) / (g0 @ A @ g0)
        return _path(lambda x: A @ x - b, x0, t, n)

    def plus_b(A, b, x0, n):
        return reference(A, -b, x0, n)

    return engine.check_function(student, reference, cases, name="steepest_descent_exact", rtol=1e-9, atol=1e-12,
                                  variants={
        "the step is inverted: the minimum of f(x - t g) over t is t = g'g / g'Ag, not g'Ag / g'g": inverted,
        "the exact step is recomputed at every iterate from its own gradient, not kept from the first": first_step_kept,
        "the gradient of 0.5 x'Ax - b'x is Ax - b, not Ax + b": plus_b})


def _backtrack_printed(f, x, g, beta, c):
    """Source 000's printed (21) read as the stopping test: stop at the first t where sufficient decrease FAILS."""
    t, fx, gg = 1.0, f(x), float(g @ g)
    for _ in range(60):
        if not f(x - t * g) <= fx - c * t * gg:
            return t
        t *= beta
    return t


def _backtrack_norm(f, x, g, beta, c):
    """The test with ||g|| instead of ||g||^2."""
    t, fx, norm = 1.0, f(x), float(np.linalg.norm(g))
    for _ in range(60):
        if f(x - t * g) <= fx - c * t * norm:
            return t
        t *= beta
    return t


def _backtrack_any_decrease(f, x, g, beta, c):
    """The search with plain decrease, f(x - t g) < f(x), for sufficient decrease."""
    t, fx = 1.0, f(x)
    for _ in range(60):
        if f(x - t * g) < fx:
            return t
        t *= beta
    return t


def _backtracking_cases(rng: np.random.Generator):
    # First, f = 1.5 x^2 from x = 0.2 (g = 0.6, ||g|| < 1), beta = 0.9, c = 1/4: t <= (2/3)(1 - c) = 1/2 passes,
    # so t = 0.9^7; each mistake has its own answer there, so the feedback names the right one: ||g|| for ||g||^2
    # passes t <= (6 - 10 c)/9 (0.9^9), c = 1/2 whatever c t <= 1/3 (0.9^11), any decrease t < 2/3 (0.9^4), and
    # the printed (21) read as the stopping test stops at t = 1.
    # Then f = x^2 from x = 1 (g = 2): f(1 - 2t) <= 1 - 4 c t holds for t <= 1 - c, so beta = 0.9, c = 0.05
    # accepts t = 0.9 (0.64 <= 0.82), and c = 1/2 would accept only 0.9^7 (t <= 1/2).
    # No trial of any case lies on the boundary, where rounding would decide (c = 0.1 here would put t = 0.9
    # exactly on it: 0.64 against 1 - 0.36, rejected only by rounding: 0.6400000000000001 > 0.6399999999999999).
    cases = [((_SQUARE_15, np.array([0.2]), np.array([0.6]), 0.9, 0.25), {}),
             ((_SQUARE, np.array([1.0]), np.array([2.0]), 0.9, 0.05), {})]
    for beta, c in ((0.5, 0.5), (float(rng.uniform(0.3, 0.8)), 1e-4), (0.5, 0.3)):
        x = np.array([float(rng.uniform(-1.5, 1.5)), float(rng.uniform(-0.5, 2.0))])
        cases.append(((_ROSENBROCK, x, rosenbrock().grad(x), beta, c), {}))  # many halvings
    for n, kappa, scale, beta, c in ((2, 3.0, 1.0, 0.5, 0.5), (3, 2.0, 0.25, 0.7, 0.2), (4, 8.0, 1.0, 0.5, 0.5)):
        A, b = scale * _spd(rng, n, kappa), rng.normal(size=n)  # scale 0.25: L <= 1/2, t = 1 is accepted at once
        f, grad = _quadratic(A, b)
        x = rng.normal(size=n)
        cases.append(((f, x, grad(x), beta, c), {}))
    return cases


def backtracking_step(student, seed=None) -> int:
    """``backtracking_step(f, x, g, beta, c)``: t = 1, t *= beta while f(x - t g) > f(x) - c t ||g||^2; the accepted t."""
    cases = _backtracking_cases(case_rng(seed, 73))

    def reference(f, x, g, beta, c):
        return _ls.backtracking_step(f, x, g, t0=1.0, beta=beta, c=c)

    return engine.check_function(student, reference, cases, name="backtracking_step", rtol=1e-12, atol=0.0,
                                  variants={
        "source 000's printed inequality (21) is the condition to keep shrinking t; the search stops at the first "
        "t with sufficient decrease, f(x - t g) <= f(x) - c t ||g||^2": _backtrack_printed,
        "the first trial step is t = 1 itself: test it before shrinking":
            lambda f, x, g, beta, c: _ls.backtracking_step(f, x, g, t0=beta, beta=beta, c=c),
        "the decrease is measured against ||g||^2, the squared norm, not ||g||": _backtrack_norm,
        "the constant c is a parameter: use c t ||g||^2, not t/2 ||g||^2 whatever c is":
            lambda f, x, g, beta, c: _ls.backtracking_step(f, x, g, beta=beta, c=0.5),
        "any decrease is not enough: the test asks for the sufficient decrease f(x - t g) <= f(x) - c t ||g||^2":
            _backtrack_any_decrease})


def gradient_descent_backtracking(student, seed=None) -> int:
    """``gradient_descent_backtracking(f, grad, x0, n_steps, beta, c)``: each step's t by a fresh backtracking search from 1."""
    rng = case_rng(seed, 74)
    A, b = _spd(rng, 3, 10.0), rng.normal(size=3)
    eig, V = np.linalg.eigh(A)
    # from x* + 2 v_min + 0.01 v_max: t = 1 passes at x0, later steps need shrinking (the eigenvalue 10 takes over)
    x0 = np.linalg.solve(A, b) + 2.0 * V[:, 0] + 0.01 * V[:, -1]
    cases = [((*_quadratic(A, b), x0, 10, 0.5, 0.5), {}),
             ((_ROSENBROCK, _ROSENBROCK_GRAD, np.array([-1.2, 1.0]), 12, 0.5, 0.5), {}),
             ((_ROSENBROCK, _ROSENBROCK_GRAD, rng.uniform(-1.5, 1.5, 2), 6, float(rng.uniform(0.3, 0.8)), 1e-4), {})]

    def reference(f, grad, x0, n_steps, beta, c):
        return _ls.gradient_descent_backtracking(f, grad, x0, steps=n_steps, t0=1.0, beta=beta, c=c)[0]

    def carried_over(f, grad, x0, n_steps, beta, c):
        x, t, path = np.array(x0, dtype=float), 1.0, [np.array(x0, dtype=float)]
        for _ in range(n_steps):
            g = grad(x)
            t = _ls.backtracking_step(f, x, g, t0=t, beta=beta, c=c)
            x = x - t * g
            path.append(x)
        return np.array(path)

    def first_t_kept(f, grad, x0, n_steps, beta, c):
        t = _ls.backtracking_step(f, x0, grad(x0), beta=beta, c=c)
        return _path(grad, x0, t, n_steps)

    return engine.check_function(student, reference, cases, name="gradient_descent_backtracking", rtol=1e-9,
                                  atol=1e-12, variants={
        "each search starts again at t = 1 (source 000); continuing from the previous step's t only ever shrinks it":
            carried_over,
        "the line search runs at every step, at that step's point, not once at x0": first_t_kept,
        "the path must start with x0 itself: n_steps + 1 rows, x_0 first":
            lambda *a: reference(*a)[1:]})
