"""Test objectives: value, gradient, Hessian, plotting bounds and known minima.

Every objective is an ``Objective``: call it (or ``.value``), take ``.grad``
and ``.hessian``, read ``.bounds`` for a plot and ``.minima`` / ``.fmin`` for
the answer.  With ``course_lib.optim.trajectory`` they make the lectures'
contour plots::

    import numpy as np
    from course_lib import functions, optim

    f = functions.rosenbrock()
    path = optim.trajectory(optim.Adam(lr=0.05), f.grad, np.array([-1.5, 2.0]), steps=2000)
    X, Y = np.meshgrid(np.linspace(*f.bounds[0], 200), np.linspace(*f.bounds[1], 200))
    Z = f(np.stack([X, Y]))        # a grid: the first axis indexes the coordinates
    # plt.contour(X, Y, Z, levels=np.logspace(-1, 3, 20)); plt.plot(*path.T, ".-")
    f(path[-1]) - f.fmin           # about 2e-12
    np.linalg.norm(path[-1] - f.minima[0])   # about 3e-6

==============================  ===========================================================
objective                       what it is for
==============================  ===========================================================
``quadratic``                   0.5 x'Ax with a chosen condition number (zig-zag, momentum)
``quadratic_from_matrix``       0.5 x'Ax - b'x + c for any symmetric positive definite A
``two_variable_quadratic``      source 004: x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2 (exact line search)
``sextic``                      source 004's polynomial of degree 6 (small and large steps)
``flat_minimum``                x^2 - log(1 + x^2): convex, 9/4-smooth, not strongly convex
``rosenbrock``                  the banana valley, minimum (a, a^2)
``himmelblau``                  four global minima: where you end depends on where you start
``logistic_regression``         source 000, Example 2: L2-regularised logistic loss
``logistic_clouds``             the same on two overlapping Gaussian clouds (lecture 4)
==============================  ===========================================================

Two checks of source ``000``'s section 3-4 inequalities on any objective:
``jensen_sides`` (Jensen's inequality for a discrete distribution) and
``pl_ratio`` (Lemma 1, the Polyak-Lojasiewicz inequality).

Shapes
------
``x`` has shape ``(dim,)`` for one point, or ``(dim, ...)`` for a grid of
points: the first axis indexes the coordinates, the trailing axes the points
(``np.stack([X, Y])`` for a meshgrid).  ``value`` returns a float for one
point and an array of shape ``x.shape[1:]`` for a grid; ``grad`` returns an
array shaped like ``x``.  ``hessian`` takes one point and returns
``(dim, dim)``.  A 1-D objective (the sextic) also accepts a plain number,
and a row ``xs[None]`` of shape ``(1, N)`` for N values.  Everything is
computed in float64; no argument is modified.

Errata of the course sources met here (the kit teaches the corrected form)
----------------------------------------------------------------------------
Source ``000``, Example 2 (equations 15-17):

* the gradient (16) is printed ``(1/n) sum -y_i x_i / (1 + e^{-y_i x_i'w}) +
  2 lambda w``.  The derivative of ``log(1 + e^{-m})`` is ``-e^{-m} / (1 +
  e^{-m}) = -1 / (1 + e^{+m})``, so the denominator must be ``1 +
  e^{+y_i x_i'w}`` (as printed it is ``sigma(m)`` instead of ``sigma(-m)``;
  ``tests/lib/test_functions.py`` shows the printed form failing a
  finite-difference check);
* the Hessian (17) is printed without its sum over ``i`` and with ``+ 2
  lambda`` for ``+ 2 lambda I`` (its weight ``e^{-m} / (1 + e^{-m})^2`` is right);
* ``beta = (1/n) sum ||x_i||^2 + 2 lambda`` is a valid smoothness constant
  but loose: the weight ``e^{-m} / (1 + e^{-m})^2 = sigma(m) sigma(-m)`` is at
  most 1/4, not 1, so the data term can be divided by 4, and
  ``lambda_max(X'X) <= sum ||x_i||^2`` loosens it further
  (``LogisticRegression.smoothness``).  Its ``kappa = beta / alpha = 1 + sum
  ||x_i||^2 / (2 lambda n)`` is consistent with that beta and ``alpha = 2 lambda``.

Source ``000``, section 4 (the definitions the constants come from):
Definition 3 prints the Lipschitz-gradient form as ``||grad f(x) - grad
f(y)||^2 <= ||x - y||^2`` (the factor beta is lost; it should read ``||grad
f(x) - grad f(y)|| <= beta ||x - y||``); Definitions 2 and 3 write their
Hessian conditions with strict inequalities where the non-strict ones of the
semidefinite order are meant (``hess f - alpha I`` and ``beta I - hess f``
positive SEMIdefinite: ``f = x^2`` is 2-smooth);
Theorem 3's ``exp(-t beta/alpha)`` should be ``exp(-t alpha/beta)`` (see the
course-sources README).

Source ``004``, Example 1: ``f(0, 2 lambda)`` is expanded with the cross term
``2(0)(-2)`` (it should be ``2(0)(2 lambda)``; both are 0) and minimised as
``f(0, -2 lambda)`` once (a sign slip); the result, step 1/4 to (0, 1/2), is right.

Validated and unvalidated
-------------------------
``f(x)``, ``f.grad(x)`` and ``f.hessian(x)`` validate ``x`` on every call.
``f.grad_unvalidated(x)`` is the gradient formula alone, for loops that
validated their start point once and feed back iterates they computed.

Imports numpy, ``course_lib.validation`` and ``course_lib.nn`` (for the one
``sigmoid`` and ``softplus`` of the library).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .linesearch import backtracking_step
from .nn import sigmoid, softplus
from .validation import (
    as_real,
    describe,
    as_float_array,
    as_generator,
    as_scalar_output,
    as_choice,
    as_int,
    as_positive,
    as_spd,
)

__all__ = [
    "Objective",
    "Quadratic",
    "quadratic",
    "quadratic_from_matrix",
    "two_variable_quadratic",
    "SEXTIC_COEFFICIENTS",
    "sextic",
    "flat_minimum",
    "jensen_sides",
    "pl_ratio",
    "rosenbrock",
    "himmelblau",
    "LogisticRegression",
    "logistic_regression",
    "logistic_clouds",
]


def _frozen(a: np.ndarray) -> np.ndarray:
    """A read-only float64 copy: an objective's data cannot be changed behind its back."""
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a


def _newton(grad, hessian, x, f=None, max_steps: int = 100):
    """Newton's method for ``grad = 0`` from ``x``: the known minima of the test functions.

    ``x <- x - H(x)^-1 g(x)`` until the step is at the round-off of ``x``.
    With ``f``, damped (Boyd & Vandenberghe, *Convex Optimization*, 9.5):
    while the squared Newton decrement ``g'H^-1 g`` (about ``2 (f - f*)``)
    exceeds 1e-8, the step is halved until ``f`` decreases by at least a
    quarter of what the decrement promises (``linesearch.backtracking_step``
    along the Newton direction, ``c = 1/4``), then full steps converge
    quadratically.
    """
    for _ in range(max_steps):
        g = grad(x)
        step = np.linalg.solve(hessian(x), g)
        decrement2 = float(g @ step)
        if f is not None and decrement2 > 1e-8:
            step = backtracking_step(f, x, g, t0=1.0, beta=0.5, c=0.25, d=step) * step
        x = x - step
        if np.abs(step).max() <= 1e-15 * max(1.0, np.abs(x).max()) or abs(decrement2) < 1e-30:
            break
    return x


class Objective:
    """A function to minimise, with what a lecture needs to plot and grade it.

    Parameters
    ----------
    name : str
    dim : int
        Number of variables.
    value, grad : callable
        ``value(x)`` and ``grad(x)`` for a float64 ``x`` of shape ``(dim, ...)``
        (one point or a grid, see the module docstring); ``value`` returns
        shape ``x.shape[1:]``, ``grad`` shape ``x.shape``.
    hessian : callable, optional
        ``hessian(x) -> (dim, dim)`` at one point ``x`` of shape ``(dim,)``.
        Without it, calling ``.hessian`` raises ``NotImplementedError``.
    bounds : sequence of (low, high), optional
        A plotting box, one pair per variable (default ``(-2, 2)`` each).
    minima : array_like (k, dim), optional
        Known minimisers, local and global.
    fmin : float, optional
        The global minimum value, when known.
    formula : str
        The function in plain text (shown by ``repr``).

    Attributes
    ----------
    name, dim, bounds, formula
    minima : ndarray (k, dim)
        A copy on each access (possibly ``k = 0``: none known).
    fmin : float or None

    Examples
    --------
    >>> f = Objective("bowl", 2, value=lambda x: x[0]**2 + x[1]**2, grad=lambda x: 2 * x,
    ...               minima=[[0.0, 0.0]], fmin=0.0, formula="x^2 + y^2")
    >>> f(np.array([1.0, 2.0]))
    5.0
    >>> f.grad(np.array([1.0, 2.0]))
    array([2., 4.])
    >>> f(np.zeros((2, 3, 4))).shape          # a 3 x 4 grid of points
    (3, 4)
    """

    def __init__(self, name: str, dim: int, value: Callable, grad: Callable,
                 hessian: Callable | None = None, bounds=None, minima=None, fmin: float | None = None,
                 formula: str = ""):
        for arg, fn in (("value", value), ("grad", grad)):
            if not callable(fn):
                raise TypeError(f"{arg} must be a callable of x; got {describe(fn)}")
        if hessian is not None and not callable(hessian):
            raise TypeError(f"hessian must be a callable of x or None; got {describe(hessian)}")
        self.name = str(name)
        self.dim = dim = as_int("dim", dim, minimum=1)
        self._value_formula, self._grad_formula, self._hessian_formula = value, grad, hessian
        self.bounds = self._validate_bounds(bounds)
        if minima is None:
            self._minima = np.empty((0, dim))
        else:
            m = as_float_array("minima", minima)
            if m.size % dim or (m.ndim == 2 and m.shape[1] != dim) or m.ndim > 2:
                raise ValueError(f"minima must have shape (k, {dim}), one row per minimiser; got shape {m.shape}")
            self._minima = _frozen(m.reshape(-1, dim))
        self._fmin = None if fmin is None else as_real("fmin", fmin)
        self.formula = formula

    def _validate_bounds(self, bounds) -> list[tuple[float, float]]:
        if bounds is None:
            return [(-2.0, 2.0)] * self.dim
        out = []
        for pair in bounds:
            lo, hi = (as_real("bounds", v) for v in pair)
            if not lo < hi:
                raise ValueError(f"bounds must be (low, high) pairs with low < high; got {tuple(pair)!r}")
            out.append((lo, hi))
        if len(out) != self.dim:
            raise ValueError(f"bounds must hold one (low, high) pair per variable ({self.dim}); got {len(out)}")
        return out

    # known minima ---------------------------------------------------------
    def _compute_minima(self):
        """Hook for objectives whose minimiser is computed on first use."""
        return self._minima, self._fmin

    @property
    def minima(self) -> np.ndarray:
        if self._minima is None:
            self._minima, self._fmin = self._compute_minima()
        return self._minima.copy()

    @property
    def fmin(self) -> float | None:
        if self._minima is None:
            self._minima, self._fmin = self._compute_minima()
        return self._fmin

    # evaluation -------------------------------------------------------------
    def _point(self, x) -> np.ndarray:
        x = as_float_array("x", x)
        if self.dim == 1 and x.ndim == 0:
            x = x.reshape(1)
        if x.ndim == 0 or x.shape[0] != self.dim:
            hint = " (for N values of a 1-D function pass xs[None], of shape (1, N))" if self.dim == 1 else ""
            raise ValueError(
                f"x must have shape ({self.dim},) for one point or ({self.dim}, ...) for a grid of points "
                f"({self.name} has {self.dim} variable{'s' if self.dim > 1 else ''}); "
                f"got shape {x.shape}{hint}"
            )
        return x.astype(np.float64, copy=False)

    def value(self, x):
        """f(x): a float for one point, an array of shape ``x.shape[1:]`` for a grid."""
        x = self._point(x)
        out = self._value_formula(x)
        if x.ndim == 1:
            return as_scalar_output(f"{self.name}(x)", out, finite=False)
        return np.asarray(out, dtype=np.float64).reshape(x.shape[1:])

    __call__ = value

    def grad(self, x) -> np.ndarray:
        """The gradient, a new array shaped like ``x`` (``(1,)`` for a 1-D objective given a number)."""
        x = self._point(x)
        return np.array(self._grad_formula(x), dtype=np.float64).reshape(x.shape)

    def grad_unvalidated(self, x) -> np.ndarray:
        """The gradient formula at ``x``, without the validation ``grad`` makes on every call.

        Skips the validation of ``x`` (type, shape, finiteness) and the copy of
        the result: ``x`` must already be a float64 array of shape
        ``(dim,)`` (or ``(dim, ...)`` for a grid), as ``grad`` would accept
        it; anything else gives a wrong number or an obscure numpy error.
        For loops that validate their start point once and then feed back the
        iterates they computed themselves (the optimizer race of lecture 5);
        everyone else calls ``grad``.
        """
        return self._grad_formula(x)

    @property
    def has_hessian(self) -> bool:
        return self._hessian_formula is not None

    def hessian(self, x) -> np.ndarray:
        """The Hessian, a new ``(dim, dim)`` array, at one point ``x`` of shape ``(dim,)``."""
        if self._hessian_formula is None:
            raise NotImplementedError(
                f"{self.name} has no analytic Hessian; use finite differences of its grad instead"
            )
        x = self._point(x)
        if x.ndim != 1:
            raise ValueError(f"hessian takes one point, x of shape ({self.dim},); got shape {x.shape}")
        return np.array(self._hessian_formula(x), dtype=np.float64).reshape(self.dim, self.dim)

    def __repr__(self) -> str:
        known = len(self._minima) if self._minima is not None else "not yet computed"
        fmin = "unknown" if self._fmin is None else f"{self._fmin:.6g}"
        return (f"{type(self).__name__}({self.name!r}, dim={self.dim}, f = {self.formula}, "
                f"fmin={fmin}, known minimisers: {known})")


# --------------------------------------------------------------------------
# quadratics
# --------------------------------------------------------------------------
class Quadratic(Objective):
    """``f(x) = 0.5 x'Ax - b'x + c`` with ``A`` symmetric positive definite.

    Gradient ``Ax - b``, Hessian ``A``, minimiser ``x* = A^{-1} b``, minimum
    ``c - 0.5 b'x*``.  Built by ``quadratic``, ``quadratic_from_matrix`` and
    ``two_variable_quadratic``.

    Attributes
    ----------
    A, b, c
        The data (``A`` and ``b`` read-only).
    eigenvalues : ndarray
        Of ``A``, ascending.
    eigenvectors : ndarray (d, d)
        Unit eigenvectors of ``A`` as columns, in the order of ``eigenvalues``
        (column 0 the flattest direction), from ``numpy.linalg.eigh``.
    smoothness : float
        ``L = lambda_max(A)``: ``grad f`` is L-Lipschitz; gradient descent
        converges for steps ``lr < 2/L``.
    strong_convexity : float
        ``mu = lambda_min(A)``.
    condition_number : float
        ``kappa = L / mu``.  With ``lr = 1/L`` the error shrinks by ``1 -
        1/kappa`` per step along the slowest direction.
    """

    def __init__(self, A, b=None, c: float = 0.0, *, name: str = "quadratic",
                 formula: str = "0.5 x'Ax - b'x + c", bounds=None, eigenvalues=None):
        A = as_spd("A", A)
        n = A.shape[0]
        if b is None:
            b = np.zeros(n)
        b = as_float_array("b", b, allow_scalar=False)
        if b.shape != (n,):
            raise ValueError(f"b must have shape ({n},) to match A of shape {A.shape}; got shape {b.shape}")
        self.A, self.b, self.c = _frozen(A), _frozen(b), as_real("c", c)
        self.eigenvalues = _frozen(np.linalg.eigvalsh(A) if eigenvalues is None else eigenvalues)
        self.eigenvectors = _frozen(np.linalg.eigh(A)[1])
        self.smoothness = float(self.eigenvalues[-1])
        self.strong_convexity = float(self.eigenvalues[0])
        self.condition_number = self.smoothness / self.strong_convexity
        xstar = np.linalg.solve(A, b)
        if bounds is None:  # a box around the minimiser
            half = max(2.0, 1.5 * float(np.abs(xstar).max()))
            bounds = [(float(s) - half, float(s) + half) for s in xstar]
        super().__init__(name, n, self._f, self._g, self._h, bounds=bounds, minima=xstar[None],
                         fmin=float(self.c - 0.5 * self.b @ xstar), formula=formula)

    def _f(self, x):
        return 0.5 * np.einsum("i...,ij,j...->...", x, self.A, x) - np.tensordot(self.b, x, 1) + self.c

    def _g(self, x):
        return np.tensordot(self.A, x, 1) - self.b.reshape((self.dim,) + (1,) * (x.ndim - 1))

    def _h(self, x):
        return self.A.copy()


def quadratic_from_matrix(A, b=None, c: float = 0.0) -> Quadratic:
    """``f(x) = 0.5 x'Ax - b'x + c`` for a symmetric positive definite ``A``.

    Minimiser ``A^{-1} b``, minimum ``c - 0.5 b'A^{-1}b``; gradient ``Ax - b``;
    Hessian ``A``.  ``A`` is validated (square, symmetric, positive definite:
    otherwise there is no unique minimiser).  See ``Quadratic`` for the
    attributes (``smoothness``, ``strong_convexity``, ``condition_number``...).

    Parameters
    ----------
    A : float array (d, d)
    b : float array (d,), optional
        Default zeros.
    c : float, default 0
    """
    return Quadratic(A, b, c)


def quadratic(condition_number: float = 10.0, dim: int = 2, angle: float = 0.0) -> Quadratic:
    """``f(x) = 0.5 x'Ax`` with eigenvalues from 1 to ``condition_number``.

    ``A = R diag(lambda) R'`` with ``lambda`` geometrically spaced from 1 to
    ``kappa = condition_number`` (exactly ``{1, kappa}`` for ``dim=2``;
    ``dim=4, kappa=8`` gives 1, 2, 4, 8) and ``R`` the rotation by ``angle``
    radians in the plane of the first two coordinates.  With ``angle=0`` the
    flat direction (eigenvalue 1) is the first axis and the steepest
    (eigenvalue kappa) the last.  Minimum 0 at the origin.

    Gradient descent with ``lr = 1/L = 1/kappa`` shrinks the error along the
    flat direction by ``1 - 1/kappa`` per step; with an exact line search
    ``f(x_k)`` (= ``f - f*`` here) shrinks per step by a factor of at most
    ``((kappa - 1)/(kappa + 1))^2``, and the steps zig-zag.
    Attributes as in ``Quadratic``; ``smoothness = kappa``, ``strong_convexity = 1``.

    Parameters
    ----------
    condition_number : float >= 1, default 10
    dim : int >= 1, default 2
        With ``dim=1`` the only possible condition number is 1.
    angle : float, default 0
        Rotation of the principal axes (radians; only for ``dim >= 2``).
    """
    kappa = as_positive("condition_number", condition_number)
    if kappa < 1:
        raise ValueError(
            f"condition_number must be >= 1 (largest / smallest eigenvalue); got {condition_number!r}"
        )
    dim = as_int("dim", dim, minimum=1)
    if dim == 1 and kappa != 1:
        raise ValueError(
            f"condition_number must be 1 when dim=1 (one eigenvalue); got {condition_number!r}"
        )
    angle = as_real("angle", angle)
    lam = np.geomspace(1.0, kappa, dim)
    lam[0], lam[-1] = 1.0, kappa  # the endpoints exactly
    R = np.eye(dim)
    if dim >= 2:
        cs, sn = np.cos(angle), np.sin(angle)
        R[:2, :2] = [[cs, -sn], [sn, cs]]
    A = (R * lam) @ R.T
    A = 0.5 * (A + A.T)  # symmetric to the last bit
    return Quadratic(A, None, 0.0, name=f"quadratic(kappa={kappa:g})", formula="0.5 x'Ax",
                     bounds=[(-2.0, 2.0)] * dim, eigenvalues=lam)


def two_variable_quadratic() -> Quadratic:
    """Course source ``004``, Example 1: ``f(x) = x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2``.

    As ``0.5 x'Ax - b'x`` with ``A = [[2, -2], [-2, 4]]``, ``b = (0, 2)``;
    gradient ``(2 x1 - 2 x2, 4 x2 - 2 x1 - 2)``; minimiser (1, 1), minimum -1.
    Eigenvalues ``3 -+ sqrt(5)``, so ``kappa = (3 + sqrt 5)/(3 - sqrt 5) ~ 6.85``.
    Source ``004`` runs an exact line search from (0, 0): the gradient there is
    (0, -2), ``f(0, 2t) = 8 t^2 - 4 t`` is least at ``t = 1/4``, so the first
    step lands on (0, 1/2); the iterates converge to (1, 1)
    (``course_lib.linesearch.steepest_descent_exact(f.A, f.b, x0)``).
    """
    return Quadratic(np.array([[2.0, -2.0], [-2.0, 4.0]]), np.array([0.0, 2.0]), 0.0,
                     name="two_variable_quadratic", formula="x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2",
                     bounds=[(-0.5, 2.0), (-0.5, 2.0)])


# --------------------------------------------------------------------------
# the sextic of source 004
# --------------------------------------------------------------------------
SEXTIC_COEFFICIENTS = (0.000017, -0.001133, 0.029241, -0.36691, 2.234115, -5.510020, 4.722197)
"""Source ``004``'s coefficients, highest power first (``np.poly1d`` order)."""


def sextic() -> Objective:
    """Course source ``004``, Figure 1: a polynomial of degree 6 in one variable.

    ``f(x) = 0.000017x^6 - 0.001133x^5 + 0.029241x^4 - 0.36691x^3 + 2.234115x^2
    - 5.510020x + 4.722197``  (coefficients ``SEXTIC_COEFFICIENTS``).

    ``f'`` has three real roots (and two complex ones): a local minimum near
    x = 2.103 (f ~ 0.130), a local maximum near x = 7.220 (f ~ 2.95) and the
    global minimum near x = 20.523 (f ~ -6.355).  ``minima`` holds the real
    roots of ``f'`` with ``f'' > 0``, found by ``np.roots`` and polished by two
    Newton steps on ``f'`` (not typed in); ``stationary_points`` all three
    real roots.  ``hessian`` is ``f''`` as a 1x1 matrix.

    Source ``004`` (Figure 1, whose plot is not in the text) runs gradient
    descent with two constant learning rates: the small one "is able to find
    a local minimum" but "takes a lot of steps", the large one "diverges
    drastically after only two iterations".  The numbers behind it: near a
    minimum x*, gradient descent is stable only for ``lr < 2 / f''(x*)``
    (about 1.68 at x = 2.103 and 1.19 at x = 20.523), and from the left the
    hump at x = 7.22 keeps small steps in the local, not the global, minimum.
    A 1-D objective: ``f(3.0)``, ``f.grad(3.0)`` (shape (1,)), ``f(xs[None])``.
    """
    p = np.poly1d(SEXTIC_COEFFICIENTS)
    dp, d2p = p.deriv(), p.deriv(2)
    roots = np.roots(dp.coeffs)
    real = np.sort(roots[np.abs(roots.imag) < 1e-9 * np.abs(roots)].real)
    # Newton on f' = 0 polishes the companion-matrix roots (~1e-12 error) to full precision
    real = np.array([_newton(lambda x: dp(x), lambda x: np.array([[d2p(x[0])]]), np.array([r]))[0]
                     for r in real])
    minima = real[d2p(real) > 0]
    obj = Objective(
        "sextic", 1,
        value=lambda x: p(x[0]),
        grad=lambda x: dp(x),
        hessian=lambda x: np.array([[d2p(x[0])]]),
        bounds=[(0.0, 24.0)], minima=minima[:, None], fmin=float(p(minima).min()),
        formula="0.000017x^6 - 0.001133x^5 + 0.029241x^4 - 0.36691x^3 + 2.234115x^2 - 5.510020x + 4.722197",
    )
    obj.coefficients = SEXTIC_COEFFICIENTS
    obj.stationary_points = _frozen(real)
    return obj


# --------------------------------------------------------------------------
# convex, smooth, not strongly convex
# --------------------------------------------------------------------------
def flat_minimum() -> Objective:
    """``f(x) = x^2 - log(1 + x^2)``: convex and 9/4-smooth, but not strongly convex (the O(1/t) regime).

    ``f'(x) = 2x^3 / (1 + x^2)``, ``f''(x) = 2 - 2 (1 - x^2) / (1 + x^2)^2``.
    With ``u = x^2``, ``h(u) = (1 - u)/(1 + u)^2`` has ``h'(u) = -(3 - u)/(1 +
    u)^3``, so ``h`` falls from 1 at ``u = 0`` to its minimum ``-1/8`` at
    ``u = 3``: hence ``0 <= f'' <= 2 + 1/4``.  ``f`` is convex, ``grad f`` is
    ``beta``-Lipschitz with ``beta = 9/4`` (attained at ``x = +-sqrt 3``), and
    ``f''(0) = 0``: no ``alpha > 0`` makes ``f`` strongly convex (near 0,
    ``f ~ x^4 / 2``).  Minimum 0 at 0.  Source ``000``'s remark after Theorem
    3 (gradient descent with step ``1/beta`` "converges ... at a slower pace in
    O(1/t)") is drawn on it in lecture 1 (``linesearch.sublinear_bound``).

    Attributes besides ``Objective``'s: ``smoothness = 9/4``,
    ``strong_convexity = 0``.
    """
    obj = Objective(
        "flat_minimum", 1,
        value=lambda x: x[0] ** 2 - np.log1p(x[0] ** 2),
        grad=lambda x: 2 * x ** 3 / (1 + x ** 2),
        hessian=lambda x: np.array([[2 - 2 * (1 - x[0] ** 2) / (1 + x[0] ** 2) ** 2]]),
        bounds=[(-3.0, 3.0)], minima=[[0.0]], fmin=0.0, formula="x^2 - log(1 + x^2)",
    )
    obj.smoothness, obj.strong_convexity = 2.25, 0.0
    return obj


def jensen_sides(f: Callable, points, weights=None) -> tuple[float, float]:
    """Both sides of Jensen's inequality for a discrete distribution: ``(f(E[x]), E[f(x)])``.

    Source ``000``, Proposition 1: for a convex ``f`` and a probability
    measure ``mu``, ``f(integral x dmu) <= integral f(x) dmu``.  Here ``mu``
    puts the weight ``weights[i]`` (default ``1/N`` each; normalised to sum
    1) on ``points[i]``.  Two points with weights ``theta`` and ``1 -
    theta`` give the chord inequality ``f(theta a + (1 - theta) b) <= theta
    f(a) + (1 - theta) f(b)`` (source ``000``, equation (3)).

    Parameters
    ----------
    f : callable
        ``f(x)`` for a grid ``x`` of shape ``(dim, N)`` returning ``N``
        values, and for one point of shape ``(dim,)`` (an ``Objective``).
    points : array (N,) for a 1-D ``f``, or (N, dim)
    weights : array (N,) of non-negative numbers with a positive sum, optional
    """
    if not callable(f):
        raise TypeError(f"f must be a callable of x; got {describe(f)}")
    P = as_float_array("points", points, allow_scalar=False)
    if P.ndim == 1:
        P = P[:, None]
    if P.ndim != 2 or P.shape[0] == 0:
        raise ValueError(f"points must have shape (N,) or (N, dim) with N >= 1; got shape {P.shape}")
    if weights is None:
        w = np.full(P.shape[0], 1.0 / P.shape[0])
    else:
        w = as_float_array("weights", weights, allow_scalar=False)
        if w.shape != (P.shape[0],):
            raise ValueError(f"weights must have shape ({P.shape[0]},), one per point; got shape {w.shape}")
        if np.any(w < 0) or not w.sum() > 0:
            raise ValueError(f"weights must be >= 0 with a positive sum; got {w[:5].tolist()}...")
        w = w / w.sum()
    mean = w @ P
    values = np.asarray(f(P.T), dtype=np.float64).reshape(-1)
    if values.shape != (P.shape[0],):
        raise ValueError(f"f must return one value per point ({P.shape[0]}); got shape {values.shape}")
    return as_scalar_output("f(E[x])", f(mean)), float(w @ values)


def pl_ratio(f: Objective, x, alpha) -> np.ndarray | float:
    """``||grad f(x)||^2 / (2 alpha (f(x) - f*))``: Lemma 1 of source ``000`` holds at ``x`` iff this is ``>= 1``.

    Lemma 1 (the Polyak-Lojasiewicz inequality): an ``alpha``-strongly convex
    ``f`` satisfies ``||grad f(x)||^2 >= 2 alpha (f(x) - f*)`` for every ``x``.
    On ``0.5 x'Ax`` with ``alpha = lambda_min(A)`` the ratio is ``||Ax||^2 /
    (alpha x'Ax)``, exactly 1 along the flattest eigenvector.  ``x`` is one
    point ``(dim,)`` or a grid ``(dim, ...)`` (see the module docstring); at a
    minimiser (``f(x) = f*``) the ratio is ``inf``.  ``f.fmin`` must be known.
    """
    if not isinstance(f, Objective):
        raise TypeError(f"f must be an Objective (it needs f.fmin); got {describe(f)}")
    if f.fmin is None:
        raise ValueError(f"f must know its minimum f.fmin; {f.name} does not")
    alpha = as_positive("alpha", alpha)
    x = f._point(x)
    gap = np.asarray(f(x), dtype=np.float64) - f.fmin
    g2 = np.sum(np.asarray(f.grad(x)) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(gap > 0, g2 / (2 * alpha * np.where(gap > 0, gap, 1.0)), np.inf)
    return float(ratio) if ratio.ndim == 0 else ratio


# --------------------------------------------------------------------------
# Rosenbrock and Himmelblau
# --------------------------------------------------------------------------
def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    """Rosenbrock's valley: ``f(x, y) = (a - x)^2 + b (y - x^2)^2``.

    Minimum 0 at ``(a, a^2)``, at the end of a long curved valley whose floor
    is nearly flat: plain gradient descent crawls along it.  The Hessian at
    the minimum, ``[[2 + 8 b a^2, -4 b a], [-4 b a, 2 b]]``, has condition
    number about 2508 for the default ``a = 1, b = 100``.

    Parameters
    ----------
    a : float, default 1
    b : float > 0, default 100
    """
    a = as_real("a", a)
    b = as_positive("b", b)

    def value(x):
        return (a - x[0]) ** 2 + b * (x[1] - x[0] ** 2) ** 2

    def grad(x):
        r = x[1] - x[0] ** 2
        return np.stack([-2 * (a - x[0]) - 4 * b * x[0] * r, 2 * b * r])

    def hessian(x):
        return np.array([[2 - 4 * b * (x[1] - 3 * x[0] ** 2), -4 * b * x[0]],
                         [-4 * b * x[0], 2 * b]])

    half = abs(a) + 1.0  # (-2, 2) x (-1, 3) for a = 1
    return Objective("rosenbrock", 2, value, grad, hessian,
                     bounds=[(-half, half), (-1.0, a * a + 2.0)],
                     minima=[[a, a * a]], fmin=0.0, formula=f"({a:g} - x)^2 + {b:g} (y - x^2)^2")


# rough locations of Himmelblau's minima (Himmelblau 1972); refined by Newton below
_HIMMELBLAU_START = ((3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8))


def himmelblau() -> Objective:
    """Himmelblau's function: ``f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2``.

    Four global minima, all with f = 0: (3, 2) exactly, and three more near
    (-2.805, 3.131), (-3.779, -3.283), (3.584, -1.848), refined here by
    Newton's method from those rough locations.  Which one gradient descent
    finds depends on the start; a local maximum sits near (-0.271, -0.923).
    """

    def value(x):
        return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2

    def grad(x):
        u, v = x[0] ** 2 + x[1] - 11, x[0] + x[1] ** 2 - 7
        return np.stack([4 * x[0] * u + 2 * v, 2 * u + 4 * x[1] * v])

    def hessian(x):
        return np.array([[12 * x[0] ** 2 + 4 * x[1] - 42, 4 * x[0] + 4 * x[1]],
                         [4 * x[0] + 4 * x[1], 4 * x[0] + 12 * x[1] ** 2 - 26]])

    minima = [_newton(grad, hessian, np.array(start)) for start in _HIMMELBLAU_START]
    return Objective("himmelblau", 2, value, grad, hessian, bounds=[(-5.0, 5.0), (-5.0, 5.0)],
                     minima=minima, fmin=0.0, formula="(x^2 + y - 11)^2 + (x + y^2 - 7)^2")


# --------------------------------------------------------------------------
# logistic regression (source 000, Example 2)
# --------------------------------------------------------------------------
def _dot(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``A`` contracted with the first axis of ``b`` (a vector, or a grid of vectors)."""
    return A @ b if b.ndim == 1 else np.tensordot(A, b, 1)


class LogisticRegression(Objective):
    """L2-regularised logistic regression, course source ``000`` Example 2.

    Source ``000`` equation (15), labels ``y_i`` in {-1, +1}, the MEAN over
    the ``n`` samples and ``lambda ||w||^2`` (no 1/2)::

        F(w) = (1/n) sum_i log(1 + exp(-y_i x_i'w)) + lam ||w||^2

    With the margins ``m_i = y_i x_i'w`` and ``sigma(z) = 1 / (1 + exp(-z))``::

        grad F(w)    = -(1/n) sum_i sigma(-m_i) y_i x_i + 2 lam w
        hessian F(w) =  (1/n) sum_i sigma(m_i) sigma(-m_i) x_i x_i' + 2 lam I
                     =  X' D X / n + 2 lam I,   D = diag(sigma(m) sigma(-m)), 0 < D <= 1/4

    (source ``000`` prints the gradient with ``1 + exp(-y_i x_i'w)`` in the
    denominator, which is wrong, and the Hessian without the sum and ``I``:
    see the module docstring).  No bias term: append a column of ones to
    ``X`` for one (it is then regularised too).

    Keras writes the same loss with labels ``t_i`` in {0, 1}
    (``y = 2 t - 1``): ``binary_crossentropy(t, x'w, from_logits=True)`` is
    ``log(1 + exp(-y x'w))`` per sample and is averaged over the batch, and
    ``regularizers.L2(l2=lam)`` adds ``lam * sum(w**2)``, the same
    ``lam ||w||^2`` (no 1/2, not divided by n; Keras 3.15 rounds ``l2`` to
    float32 on the way, e.g. 0.05 -> 0.0500000007).  With ``from_logits=False``
    Keras clips the probability to ``[1e-7, 1 - 1e-7]``, which caps each
    sample's loss near 16.1 for very wrong margins.

    Computed without overflow for any margin (``nn.softplus`` and
    ``nn.sigmoid``).

    A finite sum: ``F = (1/n) sum_i F_i`` with ``F_i(w) = log(1 + exp(-m_i))
    + lam ||w||^2``, so for a mini-batch ``B`` of sample indices::

        grad F_i(w) = -sigma(-m_i) y_i x_i + 2 lam w            (sample_gradients)
        g_B(w)      = (1/|B|) sum_{i in B} grad F_i(w)            (batch_gradient)

    ``g_B`` is an unbiased estimate of ``grad F`` for a batch drawn at
    random, with variance ``(S^2 / B)(1 - B/n)`` without replacement
    (``minibatch_gradient_variance``).  The full gradient is the batch
    gradient of all ``n`` samples (one formula).

    Attributes
    ----------
    X, y : read-only float64 arrays (n, d) and (n,)
    lam, n : float, int
    strong_convexity : float
        ``alpha = 2 lam`` (source ``000``: "at least 2 lambda"): every Hessian
        is ``>= 2 lam I``, and 2 lam is the best constant valid for all ``w``
        (the data term fades as the margins grow).
    minima, fmin
        The minimiser (one row) and minimum, computed by Newton's method with
        backtracking on first access (cost per iteration ``O(n d^2)``).
    """

    def __init__(self, X, y, lam):
        X = as_float_array("X", X, allow_scalar=False)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(
                f"X must be a 2-D array (n samples, d features) with n >= 1 and d >= 1; got shape {X.shape}"
            )
        y = np.asarray(y)
        if y.dtype == np.bool_ or not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
            raise TypeError(f"y must be a numeric array of labels -1 and +1; got {describe(y)}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X; got shape {y.shape}")
        bad = (y != 1) & (y != -1)
        if np.any(bad):
            values = np.unique(y[bad])[:5].tolist()
            hint = " (labels in {0, 1}? use y = 2*y - 1)" if np.all((y == 0) | (y == 1)) else ""
            raise ValueError(f"y must hold labels -1 and +1 (source 000's convention); got values {values}{hint}")
        self.X, self.y = _frozen(X), _frozen(y)
        self.lam = as_positive("lam", lam)
        self.n, d = X.shape
        self.strong_convexity = 2 * self.lam  # the smallest eigenvalue of the penalty's Hessian
        super().__init__("logistic_regression", d, self._f, self._g, self._h, bounds=[(-3.0, 3.0)] * d,
                         formula="(1/n) sum log(1 + exp(-y_i x_i'w)) + lam ||w||^2")
        self._minima = self._fmin = None  # computed on first use (_compute_minima)

    def margins(self, w) -> np.ndarray:
        """``m_i = y_i x_i'w``, shape ``(n,)`` (or ``(n, ...)`` for a grid of ``w``)."""
        return self._margins(self._point(w))

    # the formulas; ``rows`` selects the samples (all of them, or a mini-batch's indices)
    def _margins(self, w, rows=slice(None)):
        return self.y[rows].reshape((-1,) + (1,) * (w.ndim - 1)) * _dot(self.X[rows], w)

    def _score_derivatives(self, w, rows=slice(None)):
        """``d/ds log(1 + exp(-y_i s))`` at ``s = x_i'w``: ``-sigma(-m_i) y_i``, one per selected sample."""
        m = self._margins(w, rows)
        return -sigmoid(-m) * self.y[rows].reshape(m.shape[:1] + (1,) * (m.ndim - 1))

    def _sample_terms(self, w, rows=slice(None)):
        """``log(1 + exp(-m_i))``, the data term of ``F_i``, one per selected sample."""
        return softplus(-self._margins(w, rows))

    # the regulariser of every F_i: lam ||w||^2, its gradient 2 lam w and Hessian 2 lam I
    def _penalty(self, w):
        return self.lam * np.sum(w * w, axis=0)

    def _penalty_grad(self, w):
        return 2 * self.lam * w

    def _penalty_hessian(self):
        return 2 * self.lam * np.eye(self.dim)

    def _f(self, w, rows=slice(None)):
        return np.mean(self._sample_terms(w, rows), axis=0) + self._penalty(w)

    def _g(self, w, rows=slice(None)):
        c = self._score_derivatives(w, rows)  # grad F_i = c_i x_i + 2 lam w; the batch mean of them:
        return _dot(self.X[rows].T, c) / len(c) + self._penalty_grad(w)

    def _h(self, w):
        m = self._margins(w)
        weight = sigmoid(m) * sigmoid(-m)  # <= 1/4
        return (self.X.T * weight) @ self.X / self.n + self._penalty_hessian()

    loss = Objective.value

    # the finite sum: per-sample losses and gradients, mini-batch gradients --------------
    def _one_point(self, w) -> np.ndarray:
        w = self._point(w)
        if w.ndim != 1:
            raise ValueError(f"w must be one point, shape ({self.dim},); got shape {w.shape}")
        return w

    def _rows(self, idx):
        """``idx`` validated: a non-empty 1-D array of sample indices in [0, n) (None: every sample)."""
        if idx is None:
            return slice(None)
        rows = np.asarray(idx)
        if rows.ndim != 1 or rows.size == 0 or not np.issubdtype(rows.dtype, np.integer):
            raise TypeError(f"idx must be a non-empty 1-D array of integer sample indices; got {describe(idx)}")
        if rows.min() < 0 or rows.max() >= self.n:
            raise ValueError(f"idx must hold sample indices in [0, {self.n}); "
                             f"got values from {rows.min()} to {rows.max()}")
        return rows

    def sample_losses(self, w, idx=None) -> np.ndarray:
        """``F_i(w) = log(1 + exp(-y_i x_i'w)) + lam ||w||^2`` for each sample ``i`` in ``idx``.

        Shape ``(len(idx),)`` (``(n,)`` for ``idx=None``); the mean over all
        samples is ``F(w)``.  Source ``002``'s running estimate averages these
        as SGD visits the samples (``course_lib.train.minibatch_sgd``).
        """
        return self.sample_losses_unvalidated(self._one_point(w), self._rows(idx))

    def sample_gradients(self, w, idx=None) -> np.ndarray:
        """``grad F_i(w) = -sigma(-m_i) y_i x_i + 2 lam w``, one row per sample ``i`` in ``idx``.

        Shape ``(len(idx), d)`` (``(n, d)`` for ``idx=None``); their mean over
        all samples is ``grad F(w)``.
        """
        w, rows = self._one_point(w), self._rows(idx)
        return self._score_derivatives(w, rows)[:, None] * self.X[rows] + self._penalty_grad(w)

    def batch_gradient(self, w, idx=None) -> np.ndarray:
        """The mini-batch gradient ``g_B(w) = (1/|B|) sum_{i in B} grad F_i(w)`` of the samples ``B = idx``.

        An unbiased estimate of ``grad F(w)`` when ``B`` is drawn at random;
        ``idx=None`` (every sample) gives ``grad F(w)`` itself.  Shape ``(d,)``.
        """
        return self.batch_gradient_unvalidated(self._one_point(w), self._rows(idx))

    def sample_losses_unvalidated(self, w, idx) -> np.ndarray:
        """``sample_losses(w, idx)`` without validating ``w`` and ``idx``: a loop's fast path.

        For a loop that validated its start point and draws ``idx`` itself
        (``course_lib.train.minibatch_sgd``): ``w`` a 1-D float array of shape
        ``(d,)``, ``idx`` a non-empty 1-D integer array of sample indices in
        ``[0, n)``.  The same formula as ``sample_losses``, so the same numbers.
        """
        return self._sample_terms(w, idx) + self._penalty(w)

    def batch_gradient_unvalidated(self, w, idx) -> np.ndarray:
        """``batch_gradient(w, idx)`` without validating ``w`` and ``idx`` (see ``sample_losses_unvalidated``)."""
        return self._g(w, idx)

    def minibatch_gradient_variance(self, w, batch_size: int) -> float:
        """``E|g_B(w) - grad F(w)|^2`` for ``B`` samples drawn without replacement: ``(S^2 / B)(1 - B/n)``.

        ``S^2`` is the per-sample gradients' variance (denominator ``n - 1``)
        summed over the coordinates: the variance of a sample mean drawn
        without replacement from a finite population (Cochran, *Sampling
        Techniques*, theorem 2.2).  It falls like ``1/B`` and is 0 for the
        full batch ``B = n``.
        """
        batch_size = as_int("batch_size", batch_size, minimum=1)
        if batch_size > self.n:
            raise ValueError(f"batch_size must be at most the number of samples ({self.n}); got {batch_size}")
        S2 = float(self.sample_gradients(w).var(axis=0, ddof=1).sum()) if self.n > 1 else 0.0
        return S2 / batch_size * (1 - batch_size / self.n)

    def minibatch_gradients(self, w, batch_size: int, draws: int, seed=0) -> np.ndarray:
        """``draws`` mini-batch gradients ``g_B(w)``, each of ``batch_size`` samples drawn without replacement.

        Shape ``(draws, d)``.  Their mean estimates ``grad F(w)`` and their
        spread ``minibatch_gradient_variance(w, batch_size)``.  ``seed``: an
        int or a numpy Generator (``validation.as_generator``); pass one
        Generator to draw new batches on every call.
        """
        w = self._one_point(w)
        batch_size = as_int("batch_size", batch_size, minimum=1)
        if batch_size > self.n:
            raise ValueError(f"batch_size must be at most the number of samples ({self.n}); got {batch_size}")
        draws = as_int("draws", draws, minimum=1)
        rng = as_generator("seed", seed)
        batches = np.argsort(rng.random((draws, self.n)), axis=1)[:, :batch_size]  # uniform, without replacement
        return self.sample_gradients(w)[batches].mean(axis=1)

    def _compute_minima(self):
        # F is 2 lam-strongly convex with a Lipschitz Hessian: damped Newton converges from w = 0
        w = _newton(self._g, self._h, np.zeros(self.dim), f=self._f)
        return _frozen(w[None]), float(self._f(w))

    def curvature_at_minimum(self) -> np.ndarray:
        """The eigenvalues of the Hessian at the minimiser ``w*``, ascending.

        The smallest is ``>= 2 lam`` (``strong_convexity``) and the largest
        ``<= smoothness("tight")``.  Near ``w*``, gradient descent with the step
        ``1/beta`` shrinks the error by about ``1 - lambda_min / beta`` per
        step, so ``beta / lambda_min`` is the condition number the run meets
        there, at most the global ``kappa = beta / (2 lam)``.
        """
        return np.linalg.eigvalsh(self._h(self.minima[0]))

    def smoothness(self, bound: str = "source") -> float:
        """An upper bound beta on the largest eigenvalue of the Hessian, for all ``w``.

        Gradient descent with ``lr = 1/beta`` then decreases ``F`` at every
        step (source ``000``, Theorem 3).

        Parameters
        ----------
        bound : {"source", "trace", "tight"}
            ``"source"``: source ``000``'s ``beta = (1/n) sum ||x_i||^2 + 2 lam``,
            from ``sigma(m) sigma(-m) <= 1`` and ``lambda_max(X'X) <= trace
            X'X = sum ||x_i||^2``.  Valid, but the first inequality wastes a
            factor 4.
            ``"trace"``: the same with ``sigma(m) sigma(-m) <= 1/4``:
            ``(1/(4n)) sum ||x_i||^2 + 2 lam``.
            ``"tight"``: ``lambda_max(X'X) / (4n) + 2 lam``.  Since ``D <= I/4``
            with equality at ``w = 0``, this is the Hessian's largest
            eigenvalue at ``w = 0``, the largest over all ``w``: the smallest
            valid beta.
            Always source >= trace >= tight.
        """
        bound = as_choice("bound", bound, ("source", "trace", "tight"))
        sum_sq = float(np.sum(self.X ** 2))  # sum_i ||x_i||^2
        if bound == "source":
            return sum_sq / self.n + 2 * self.lam
        if bound == "trace":
            return sum_sq / (4 * self.n) + 2 * self.lam
        return float(np.linalg.eigvalsh(self.X.T @ self.X)[-1]) / (4 * self.n) + 2 * self.lam

    def condition_number(self, bound: str = "source") -> float:
        """``kappa = beta / alpha`` with ``alpha = 2 lam`` and ``beta = smoothness(bound)``.

        For ``bound="source"`` this is source ``000``'s ``kappa = 1 + sum
        ||x_i||^2 / (2 lam n)``; gradient descent with ``lr = 1/beta`` then
        satisfies ``F(w_t) - F* <= (1 - 1/kappa)^t (F(w_0) - F*)``.
        """
        return self.smoothness(bound) / self.strong_convexity

    def __repr__(self) -> str:
        return (f"LogisticRegression(n={self.n}, d={self.dim}, lam={self.lam:g}; "
                f"F(w) = {self.formula}, labels -1/+1)")


def logistic_regression(X, y, lam: float) -> LogisticRegression:
    """L2-regularised logistic regression (course source ``000``, Example 2).

    ``F(w) = (1/n) sum_i log(1 + exp(-y_i x_i'w)) + lam ||w||^2``, labels
    ``y_i`` in {-1, +1}.  See ``LogisticRegression`` for the gradient,
    Hessian, ``smoothness``, ``strong_convexity`` and ``condition_number``.

    Parameters
    ----------
    X : float array (n, d)
        One sample per row.
    y : array (n,) of -1 and +1
    lam : float > 0
        Regularisation strength.
    """
    return LogisticRegression(X, y, lam)


def logistic_clouds(n: int = 256, lam: float = 0.01, seed=0) -> LogisticRegression:
    """Source ``000``'s regularised logistic regression on two overlapping 2-D Gaussian clouds.

    Lecture 4's problem: ``n`` samples with two features and no bias, labels
    alternating +1, -1, +1, ...; sample ``i`` is ``x_i = y_i (1, 0.4) +
    N(0, I)``, so the clouds' centres are ``+-(1, 0.4)`` and they overlap
    (no separating line: the minimiser is finite even for tiny ``lam``).
    ``F(w) = (1/n) sum log(1 + exp(-y_i x_i'w)) + lam ||w||^2``; ``minima``
    and ``fmin`` come from Newton's method.

    Parameters
    ----------
    n : int >= 2, default 256
    lam : float > 0, default 0.01
    seed : int or numpy Generator, default 0
        The noise (``validation.as_generator``).
    """
    n = as_int("n", n, minimum=2)
    rng = as_generator("seed", seed)
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    X = rng.normal(0.0, 1.0, (n, 2)) + np.outer(y, [1.0, 0.4])
    return LogisticRegression(X, y, lam)
