"""Test objectives: value, gradient, Hessian, plotting bounds and known minima.

Every objective is an ``Objective``; call it (or ``.value``), take ``.grad``
and ``.hessian``, read ``.bounds`` for a plot and ``.minima`` / ``.fmin`` for
the answer.  With ``course_lib.optim.trajectory`` they make the lectures'
contour plots::

    from course_lib import functions, optim
    f = functions.rosenbrock()
    path = optim.trajectory(optim.Adam(lr=0.05), f.grad, [-1.5, 2.0], steps=500)
    X, Y = np.meshgrid(np.linspace(*f.bounds[0], 200), np.linspace(*f.bounds[1], 200))
    Z = f(np.stack([X, Y]))           # a grid: the first axis indexes the coordinates

=============================  ==========================================================
objective                      where it comes from
=============================  ==========================================================
``quadratic``                  0.5 x'Ax with a chosen condition number (zig-zag, momentum)
``quadratic_from_matrix``      0.5 x'Ax - b'x + c for any symmetric positive definite A
``two_variable_quadratic``     source 004: x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2 (exact line search)
``sextic``                     source 004's polynomial of degree 6 (small and large steps)
``rosenbrock``                 the banana valley, minimum (a, a^2)
``himmelblau``                 four global minima
``logistic_regression``        source 000, Example 2: L2-regularised logistic loss
=============================  ==========================================================

Shapes: ``x`` has shape ``(dim,)`` for one point or ``(dim, ...)`` for a grid
of points (the first axis indexes the coordinates, the others the points);
``value`` then returns an array of shape ``x.shape[1:]`` and ``grad`` one of
shape ``x.shape``.  ``hessian`` takes one point.  A 1-D objective (the
sextic) also accepts a plain number.

Errata of course source ``000`` (Example 2, equations 16-17), corrected here:
the gradient's denominator is printed ``1 + exp(-y_i x_i'w)``; the derivative
of ``log(1 + exp(-m))`` is ``-1 / (1 + exp(+m))``, so it must read ``1 +
exp(+y_i x_i'w)``.  The Hessian is printed without its sum over ``i`` and
with ``+ 2 lambda`` for ``+ 2 lambda I``.  Its smoothness bound ``beta =
(1/n) sum ||x_i||^2 + 2 lambda`` is valid but four times looser than needed:
``exp(-m) / (1 + exp(-m))^2 <= 1/4`` (see ``LogisticRegression.smoothness``).

Only numpy is imported here.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._checks import _as_real, _describe, as_float_array, check_choice, check_int, check_positive, check_spd

__all__ = [
    "Objective",
    "quadratic",
    "quadratic_from_matrix",
    "two_variable_quadratic",
    "sextic",
    "SEXTIC_COEFFICIENTS",
    "rosenbrock",
    "himmelblau",
    "LogisticRegression",
    "logistic_regression",
]


class Objective:
    """A function to minimise, with what a lecture needs to plot and grade it.

    Parameters
    ----------
    name : str
    dim : int
        Number of variables.
    value, grad : callable
        ``value(x)`` and ``grad(x)`` for ``x`` of shape ``(dim, ...)``.
    hessian : callable, optional
        ``hessian(x) -> (dim, dim)`` for one point.
    bounds : sequence of (low, high), optional
        A plotting box, one pair per variable.
    minima : array (k, dim), optional
        Known minimisers (local and global).
    fmin : float, optional
        The global minimum value, when known.
    formula : str
        The function in plain text.
    """

    def __init__(self, name: str, dim: int, value: Callable, grad: Callable,
                 hessian: Callable | None = None, bounds=None, minima=None, fmin: float | None = None,
                 formula: str = ""):
        self.name = name
        self.dim = check_int("dim", dim, minimum=1)
        self._value, self._grad, self._hessian = value, grad, hessian
        self.bounds = [tuple(map(float, b)) for b in bounds] if bounds is not None else [(-2.0, 2.0)] * dim
        self.minima = np.empty((0, dim)) if minima is None else np.asarray(minima, dtype=np.float64).reshape(-1, dim)
        self.fmin = fmin
        self.formula = formula

    def _point(self, x) -> np.ndarray:
        x = as_float_array("x", x)
        if self.dim == 1 and x.ndim == 0:
            x = x.reshape(1)
        if x.ndim == 0 or x.shape[0] != self.dim:
            raise ValueError(
                f"x must have shape ({self.dim},) or ({self.dim}, ...) for a grid of points "
                f"({self.name} has {self.dim} variable{'s' if self.dim > 1 else ''}); got shape {x.shape}"
            )
        return x

    def value(self, x):
        """f(x): a float for one point, an array of shape ``x.shape[1:]`` for a grid."""
        out = self._value(self._point(x))
        return float(out) if np.ndim(out) == 0 else out

    __call__ = value

    def grad(self, x) -> np.ndarray:
        """The gradient, shaped like ``x`` (``(dim,)`` for a 1-D objective given a number)."""
        x = self._point(x)
        return np.asarray(self._grad(x), dtype=np.float64).reshape(x.shape)

    def hessian(self, x) -> np.ndarray:
        """The Hessian ``(dim, dim)`` at one point."""
        if self._hessian is None:
            raise NotImplementedError(f"{self.name} has no Hessian (use finite differences of grad)")
        x = self._point(x)
        if x.ndim != 1:
            raise ValueError(f"hessian takes one point, x of shape ({self.dim},); got shape {x.shape}")
        return np.asarray(self._hessian(x), dtype=np.float64).reshape(self.dim, self.dim)

    def __repr__(self) -> str:
        return f"<Objective {self.name}: {self.formula}; dim={self.dim}, fmin={self.fmin}>"


# --------------------------------------------------------------------------
# quadratics
# --------------------------------------------------------------------------
class _Quadratic(Objective):
    """f(x) = 0.5 x'Ax - b'x + c."""

    def __init__(self, A, b, c, name, formula, bounds=None):
        A = check_spd("A", A)
        n = A.shape[0]
        b = np.zeros(n) if b is None else as_float_array("b", b, allow_scalar=False)
        if b.shape != (n,):
            raise ValueError(f"b must have shape ({n},) to match A; got {b.shape}")
        c = _as_real("c", c)
        self.A, self.b, self.c = A, b, c
        self.eigenvalues = np.linalg.eigvalsh(A)
        self.smoothness = float(self.eigenvalues[-1])
        self.strong_convexity = float(self.eigenvalues[0])
        self.condition_number = self.smoothness / self.strong_convexity
        xstar = np.linalg.solve(A, b)
        if bounds is None:  # a box around the minimiser
            half = max(2.0, 1.5 * float(np.abs(xstar).max()))
            bounds = [(float(s) - half, float(s) + half) for s in xstar]
        super().__init__(
            name, n,
            value=lambda x: 0.5 * np.einsum("i...,ij,j...->...", x, A, x) - np.tensordot(b, x, 1) + c,
            grad=lambda x: np.tensordot(A, x, 1) - b.reshape((n,) + (1,) * (x.ndim - 1)),
            hessian=lambda x: A,
            bounds=bounds, minima=xstar[None], fmin=float(c - 0.5 * b @ xstar), formula=formula,
        )


def quadratic_from_matrix(A, b=None, c: float = 0.0) -> Objective:
    """``f(x) = 0.5 x'Ax - b'x + c`` for a symmetric positive definite ``A``.

    Minimiser ``A^{-1} b``, minimum ``c - 0.5 b'A^{-1}b``; gradient ``Ax - b``;
    Hessian ``A``.  Attributes ``A``, ``b``, ``c``, ``eigenvalues``,
    ``smoothness`` (largest eigenvalue, L), ``strong_convexity`` (smallest, mu)
    and ``condition_number`` (L / mu).
    """
    return _Quadratic(A, b, c, "quadratic", "0.5 x'Ax - b'x + c")


def quadratic(condition_number: float = 10.0, dim: int = 2, angle: float = 0.0) -> Objective:
    """``f(x) = 0.5 x'Ax`` with eigenvalues from 1 to ``condition_number``.

    ``A = R diag(lambda) R'`` with ``lambda`` geometrically spaced from 1 to
    ``condition_number`` (exactly ``{1, kappa}`` for ``dim=2``) and ``R`` the
    rotation by ``angle`` radians in the plane of the first two coordinates
    (so with ``angle=0`` the flat direction, eigenvalue 1, is the x axis and
    the steep one, eigenvalue kappa, the y axis).
    Gradient descent with step ``1/L`` contracts the error by ``1 - 1/kappa``
    per step; with an exact line search by ``(kappa - 1)/(kappa + 1)`` in the
    A-norm.  Minimum 0 at the origin.

    Parameters
    ----------
    condition_number : float, default 10
        ``kappa >= 1``.
    dim : int, default 2
    angle : float, default 0
        Rotation of the principal axes (radians).
    """
    kappa = check_positive("condition_number", condition_number)
    if kappa < 1:
        raise ValueError(f"condition_number must be >= 1 (largest / smallest eigenvalue); got {condition_number!r}")
    dim = check_int("dim", dim, minimum=1)
    angle = _as_real("angle", angle)
    lam = np.geomspace(1.0, kappa, dim) if dim > 1 else np.ones(1)
    R = np.eye(dim)
    if dim >= 2:
        cs, sn = np.cos(angle), np.sin(angle)
        R[:2, :2] = [[cs, -sn], [sn, cs]]
    A = (R * lam) @ R.T
    A = 0.5 * (A + A.T)
    q = _Quadratic(A, None, 0.0, f"quadratic(kappa={kappa:g})", "0.5 x'Ax", [(-2.0, 2.0)] * dim)
    q.eigenvalues = lam  # exact, not re-computed by eigvalsh
    q.smoothness, q.strong_convexity, q.condition_number = float(lam[-1]), float(lam[0]), float(lam[-1] / lam[0])
    return q


def two_variable_quadratic() -> Objective:
    """Course source ``004``: ``f(x) = x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2``.

    As ``0.5 x'Ax - b'x`` with ``A = [[2, -2], [-2, 4]]``, ``b = (0, 2)``;
    minimiser (1, 1), minimum -1.  Source ``004`` runs an exact line search
    from (0, 0): first step 1/4 to (0, 1/2) (``course_lib.linesearch``).
    """
    q = _Quadratic(np.array([[2.0, -2.0], [-2.0, 4.0]]), np.array([0.0, 2.0]), 0.0,
                   "two_variable_quadratic", "x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2", [(-0.5, 2.0), (-0.5, 2.0)])
    return q


# --------------------------------------------------------------------------
# the sextic of source 004
# --------------------------------------------------------------------------
SEXTIC_COEFFICIENTS = (0.000017, -0.001133, 0.029241, -0.36691, 2.234115, -5.510020, 4.722197)


def sextic() -> Objective:
    """Course source ``004``, Figure 1: a polynomial of degree 6 in one variable.

    ``f(x) = 0.000017x^6 - 0.001133x^5 + 0.029241x^4 - 0.36691x^3 + 2.234115x^2
    - 5.510020x + 4.722197``.

    ``f'`` has three real roots: a local minimum near x = 2.10 (f = 0.13), a
    local maximum near 7.22 and the global minimum near 20.52 (f = -6.35); the
    minima are computed from ``np.roots`` of ``f'``, not typed in.  Source
    ``004`` uses it to show that a small constant step finds the nearby local
    minimum slowly while a large one diverges after two steps.  ``hessian``
    is ``f''`` as a 1x1 matrix.
    """
    p = np.poly1d(SEXTIC_COEFFICIENTS)
    dp, d2p = p.deriv(), p.deriv(2)
    roots = dp.r
    real = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
    minima = real[d2p(real) > 0]
    fmin = float(p(minima).min())
    return Objective(
        "sextic", 1,
        value=lambda x: p(x[0]),
        grad=lambda x: dp(x),
        hessian=lambda x: np.array([[d2p(x[0])]]),
        bounds=[(0.0, 24.0)], minima=minima[:, None], fmin=fmin,
        formula="0.000017x^6 - 0.001133x^5 + 0.029241x^4 - 0.36691x^3 + 2.234115x^2 - 5.510020x + 4.722197",
    )


# --------------------------------------------------------------------------
# Rosenbrock and Himmelblau
# --------------------------------------------------------------------------
def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    """Rosenbrock's valley: ``f(x, y) = (a - x)^2 + b (y - x^2)^2``.

    Minimum 0 at ``(a, a^2)``, at the end of a long curved valley whose floor
    is nearly flat: plain gradient descent crawls along it.
    """
    a = _as_real("a", a)
    b = check_positive("b", b)

    def value(x):
        return (a - x[0]) ** 2 + b * (x[1] - x[0] ** 2) ** 2

    def grad(x):
        r = x[1] - x[0] ** 2
        return np.stack([-2 * (a - x[0]) - 4 * b * x[0] * r, 2 * b * r])

    def hessian(x):
        return np.array([[2 - 4 * b * (x[1] - 3 * x[0] ** 2), -4 * b * x[0]], [-4 * b * x[0], 2 * b]])

    return Objective("rosenbrock", 2, value, grad, hessian,
                     bounds=[(-2.0, 2.0), (-1.0, 3.0)] if a == 1.0 else [(-2 * abs(a) - 1, 2 * abs(a) + 1)] * 2,
                     minima=[[a, a * a]], fmin=0.0, formula=f"({a:g} - x)^2 + {b:g} (y - x^2)^2")


_HIMMELBLAU_START = ((3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8))


def himmelblau() -> Objective:
    """Himmelblau's function: ``f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2``.

    Four global minima, all with f = 0: (3, 2) exactly, and three more near
    (-2.805, 3.131), (-3.779, -3.283), (3.584, -1.848), refined here by
    Newton's method from those rough locations.  Which one gradient descent
    finds depends on the start.
    """

    def value(x):
        return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2

    def grad(x):
        u, v = x[0] ** 2 + x[1] - 11, x[0] + x[1] ** 2 - 7
        return np.stack([4 * x[0] * u + 2 * v, 2 * u + 4 * x[1] * v])

    def hessian(x):
        return np.array([[12 * x[0] ** 2 + 4 * x[1] - 42, 4 * x[0] + 4 * x[1]],
                         [4 * x[0] + 4 * x[1], 4 * x[0] + 12 * x[1] ** 2 - 26]])

    minima = []
    for start in _HIMMELBLAU_START:
        z = np.array(start)
        for _ in range(20):
            z = z - np.linalg.solve(hessian(z), grad(z))
        minima.append(z)
    return Objective("himmelblau", 2, value, grad, hessian, bounds=[(-5.0, 5.0), (-5.0, 5.0)],
                     minima=minima, fmin=0.0, formula="(x^2 + y - 11)^2 + (x + y^2 - 7)^2")


# --------------------------------------------------------------------------
# logistic regression (source 000, Example 2)
# --------------------------------------------------------------------------
class LogisticRegression(Objective):
    """L2-regularised logistic regression, course source ``000`` equation (15).

    ``F(w) = (1/n) sum_i log(1 + exp(-y_i x_i'w)) + lam ||w||^2`` with labels
    ``y_i`` in {-1, +1}.  Writing ``m_i = y_i x_i'w`` (the margin) and
    ``sigma(z) = 1 / (1 + exp(-z))``::

        grad F(w)    = -(1/n) sum_i sigma(-m_i) y_i x_i + 2 lam w
        hessian F(w) =  (1/n) sum_i sigma(m_i) sigma(-m_i) x_i x_i' + 2 lam I

    (source ``000`` prints the gradient's denominator with ``exp(-y_i
    x_i'w)``; see the module docstring).  Computed without overflow for any
    margin (``np.logaddexp``).

    ``strong_convexity`` is ``2 lam`` (alpha); ``smoothness(bound)`` an upper
    bound on the Hessian's largest eigenvalue (beta); ``condition_number``
    their ratio.  Attributes ``X``, ``y``, ``lam``, ``n``.
    """

    def __init__(self, X, y, lam):
        X = as_float_array("X", X, allow_scalar=False)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"X must be a 2-D array (n samples, d features) with n >= 1; got shape {X.shape}")
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X; got {_describe(y)}")
        if not np.all((y == 1) | (y == -1)):
            bad = np.unique(y[(y != 1) & (y != -1)])[:5]
            raise ValueError(f"y must hold labels -1 and +1 (source 000's convention); got values {bad.tolist()}")
        self.X, self.y = X.astype(np.float64), y.astype(np.float64)
        self.lam = check_positive("lam", lam)
        self.n, d = X.shape
        self.strong_convexity = 2 * self.lam
        super().__init__("logistic_regression", d, self._f, self._g, self._h,
                         bounds=[(-3.0, 3.0)] * d, formula="(1/n) sum log(1 + exp(-y_i x_i'w)) + lam ||w||^2")
        self._set_minimum()

    def _margins(self, w):
        return self.y.reshape((-1,) + (1,) * (w.ndim - 1)) * np.tensordot(self.X, w, 1)

    def _f(self, w):
        return np.mean(np.logaddexp(0.0, -self._margins(w)), axis=0) + self.lam * np.sum(w * w, axis=0)

    def _g(self, w):
        s = np.exp(-np.logaddexp(0.0, self._margins(w)))  # sigma(-m) = 1 / (1 + exp(m))
        return -np.tensordot(self.X.T, s * self.y.reshape(s.shape[:1] + (1,) * (s.ndim - 1)), 1) / self.n \
            + 2 * self.lam * w

    def _h(self, w):
        m = self._margins(w)
        weight = np.exp(-np.logaddexp(0.0, m) - np.logaddexp(0.0, -m))  # sigma(m) sigma(-m)
        return (self.X.T * weight) @ self.X / self.n + 2 * self.lam * np.eye(self.dim)

    def _set_minimum(self):
        # Newton's method: F is 2 lam-strongly convex, so it converges from 0 (damped by backtracking).
        w = np.zeros(self.dim)
        for _ in range(100):
            g = self._g(w)
            if np.linalg.norm(g) <= 1e-13 * max(1.0, self.strong_convexity):
                break
            step = np.linalg.solve(self._h(w), g)
            t, f0 = 1.0, self._f(w)
            while self._f(w - t * step) > f0 - 0.25 * t * g @ step and t > 1e-10:
                t *= 0.5
            w = w - t * step
        self.minima = w[None]
        self.fmin = float(self._f(w))

    def smoothness(self, bound: str = "source") -> float:
        """An upper bound beta on the largest eigenvalue of the Hessian.

        ``"source"``: source ``000``'s ``(1/n) sum ||x_i||^2 + 2 lam``
        (from ``sigma(m) sigma(-m) <= 1`` and ``lambda_max(x x') = ||x||^2``).
        ``"trace"``: the same with the sharper ``sigma(m) sigma(-m) <= 1/4``:
        ``(1/(4n)) sum ||x_i||^2 + 2 lam``.
        ``"tight"``: ``lambda_max(X'X) / (4n) + 2 lam``, the best bound valid
        for every ``w`` (the Hessian at ``w = 0`` for centred data comes close).
        The bounds are ordered source >= trace >= tight.
        """
        bound = check_choice("bound", bound, ("source", "trace", "tight"))
        sq = float(np.sum(self.X**2))
        if bound == "source":
            return sq / self.n + 2 * self.lam
        if bound == "trace":
            return sq / (4 * self.n) + 2 * self.lam
        return float(np.linalg.eigvalsh(self.X.T @ self.X)[-1]) / (4 * self.n) + 2 * self.lam

    def condition_number(self, bound: str = "source") -> float:
        """``kappa = beta / alpha``; for ``bound="source"`` this is source ``000``'s
        ``1 + sum ||x_i||^2 / (2 lam n)``."""
        return self.smoothness(bound) / self.strong_convexity


def logistic_regression(X, y, lam: float) -> LogisticRegression:
    """L2-regularised logistic regression on data ``X`` (n, d), labels ``y`` in {-1, +1}.

    See ``LogisticRegression``; ``minima`` holds the minimiser found by
    Newton's method and ``fmin`` its value.
    """
    return LogisticRegression(X, y, lam)
