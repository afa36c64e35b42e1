"""Why momentum works, on a quadratic: the per-eigenvector error, the (alpha, beta) phase diagram, the optimal tuning.

After Goh (2017), "Why Momentum Really Works", Distill, and Polyak (1964), "Some methods of
speeding up the convergence of iteration methods" (the heavy-ball method), on the model

    f(w) = 1/2 w'Aw - b'w,   A symmetric positive definite, eigenvalues 0 < lambda_1 <= ... <= lambda_n,
    minimiser w* = A^{-1} b,   A = Q diag(lambda) Q'  (the columns q_i of Q are the eigenvectors).

Update rules (Distill's notation)
---------------------------------
Gradient descent::

    w_{k+1} = w_k - alpha grad f(w_k)

Momentum (heavy ball; Goh 2017, section "The Dynamics of Momentum")::

    z_{k+1} = beta z_k + grad f(w_k)
    w_{k+1} = w_k - alpha z_{k+1},          z_0 = 0

Conventions: how Distill's form is optim's
------------------------------------------
``optim.momentum_update``'s classical form (Polyak; Sutskever et al. 2013; Keras) is
``v_{k+1} = beta v_k - lr g_k, w_{k+1} = w_k + v_{k+1}``.  With **lr = alpha, the same beta and
v = -alpha z** the two are one recursion: ``beta v_k - alpha g_k = -alpha (beta z_k + g_k) =
-alpha z_{k+1}`` (``distill_to_classical``).  In floating point they agree to the last bit when alpha
is a power of two (multiplying by it commutes with rounding) and to rounding otherwise.  The EMA form
of ``optim.momentum_update`` (``v = beta v + (1 - beta) g, w = w - lr_e v``) is Distill's with
``z = v / (1 - beta)`` and ``lr_e = alpha / (1 - beta)``.  ``beta = 0`` is gradient descent in all three.
Every iteration here (``heavy_ball_path``) runs optim's own rule.

The error along each eigenvector
--------------------------------
In the eigenvector coordinates ``x^k = Q'(w^k - w*)`` and ``y^k = Q' z^k`` every coordinate moves on
its own (Goh 2017, "Decomposing the Error"):

* gradient descent: ``x_i^{k+1} = (1 - alpha lambda_i) x_i^k``, so ``x_i^k = (1 - alpha lambda_i)^k x_i^0``;
* momentum: ``(y_i^{k+1}, x_i^{k+1}) = R_i (y_i^k, x_i^k)`` with the 2x2 matrix

      R_i = [[beta, lambda_i], [-alpha beta, 1 - alpha lambda_i]]

  (``momentum_matrix``), so ``(y_i^k, x_i^k) = R_i^k (y_i^0, x_i^0)`` (``momentum_matrix_power``,
  ``momentum_errors``).

Convergence rate and the eigenvalues of R
-----------------------------------------
The characteristic polynomial of ``R`` is ``sigma^2 - (1 + beta - alpha lambda) sigma + beta``, so (Goh
2017, "The Dynamics of Momentum")

    sigma_{1,2} = ( (1 + beta - alpha lambda) +- sqrt((1 + beta - alpha lambda)^2 - 4 beta) ) / 2

(``momentum_eigenvalues``), and ``x_i^k`` shrinks like ``rate^k`` with the spectral radius
``rate = max(|sigma_1|, |sigma_2|)`` (``momentum_rate``; ``beta = 0`` gives GD's ``|1 - alpha lambda|``).
It depends on alpha and lambda only through ``h = alpha lambda``.  The error of the whole problem
converges at the slowest eigenvector's rate (``convergence_rate``).

The phase diagram (``phase_region``)
------------------------------------
Momentum converges exactly for ``0 < alpha lambda < 2 + 2 beta`` and ``0 <= beta < 1``
(``in_stable_region``, ``largest_stable_step``, ``smallest_stable_beta``): up to twice GD's
``2 / lambda``.  Inside, with ``h = alpha lambda``:

* ``h <= (1 - sqrt beta)^2``: real, positive eigenvalues, the error decays without changing sign
  (from ``z_0 = 0``: ``x^k / x^0 = d_(k+1) - beta d_k > 0``, see ``momentum_matrix_power``; ``"monotone"``);
* ``(1 - sqrt beta)^2 < h < (1 + sqrt beta)^2``: complex eigenvalues of modulus ``sqrt beta``; the error
  is a damped oscillation (``"ripples"``), at the rate ``sqrt beta`` whatever ``h``;
* ``(1 + sqrt beta)^2 <= h < 2 + 2 beta``: real, negative eigenvalues, the error ends up flipping sign
  every step (``"oscillation"``);
* ``h >= 2 + 2 beta``: ``"divergence"``.

For a given ``h`` in (0, 4) the fastest beta is the one at the edge of the ripples, ``beta = (1 -
sqrt h)^2``, with rate ``|1 - sqrt h|`` (``critical_damping``; Goh 2017's critical damping).

Optimal parameters (Goh 2017, "Choosing A Step-size" and "The Dynamics of Momentum"; Polyak 1964)
---------------------------------------------------------------------------------------------------
With ``kappa = lambda_n / lambda_1``:

* gradient descent: ``alpha = 2 / (lambda_1 + lambda_n)``, rate ``(kappa - 1) / (kappa + 1)`` (``optimal_gd``);
* momentum: ``alpha* = (2 / (sqrt(lambda_1) + sqrt(lambda_n)))^2``, ``beta* = ((sqrt(kappa) - 1) /
  (sqrt(kappa) + 1))^2``, rate ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)`` (``optimal_momentum``).

The iterations to shrink the error by a factor ``tol`` are ``log(tol) / log(rate)``
(``iterations_for_rate``); for large kappa GD needs about ``kappa / 2 * ln(1/tol)``, momentum about
``sqrt(kappa) / 2 * ln(1/tol)``: momentum is ``sqrt(kappa)`` times faster (``momentum_speedup``).
``measured_iterations`` counts them on a run of optim's rule.

Validation: every public function validates its arguments at the boundary; the phase diagram's
grids use the vectorised fast path ``momentum_rate_unvalidated``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import optim
from .functions import Quadratic
from .validation import as_float_array, as_in_interval, as_int, as_positive, as_real, describe

__all__ = [
    "distill_to_classical", "classical_velocity", "heavy_ball_path", "eigenvector_errors",
    "start_from_eigenvector_errors", "gd_errors", "momentum_matrix", "momentum_matrix_power", "momentum_errors",
    "momentum_eigenvalues", "momentum_rate", "momentum_rate_unvalidated", "convergence_rate",
    "in_stable_region", "largest_stable_step", "smallest_stable_beta", "phase_region", "PHASE_REGIONS", "ripple_band",
    "critical_damping", "Tuning", "optimal_gd", "optimal_momentum", "iterations_for_rate",
    "momentum_speedup", "measured_iterations",
]

PHASE_REGIONS = ("monotone", "ripples", "oscillation", "divergence")


class Tuning(NamedTuple):
    """A step size ``alpha``, a momentum ``beta`` (0 for gradient descent) and the convergence ``rate`` they give."""

    alpha: float
    beta: float
    rate: float


# ---------------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------------
def _beta(beta) -> float:
    return as_in_interval("beta", beta, 0.0, 1.0, closed="left")


def _quadratic(f) -> Quadratic:
    if not isinstance(f, Quadratic):
        raise TypeError(f"f must be a functions.Quadratic (0.5 w'Aw - b'w + c); got {describe(f)}")
    return f


def _eigenvalue_pair(lambda_min, lambda_max) -> tuple[float, float]:
    lo, hi = as_positive("lambda_min", lambda_min), as_positive("lambda_max", lambda_max)
    if lo > hi:
        raise ValueError(f"lambda_min must be <= lambda_max; got lambda_min={lambda_min!r}, lambda_max={lambda_max!r}")
    return lo, hi


def _eigenvalues(lambdas) -> np.ndarray:
    lam = as_float_array("lambdas", lambdas)
    lam = np.atleast_1d(lam)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"lambdas must be a non-empty 1-D array of eigenvalues; got shape {lam.shape}")
    if not np.all(lam > 0):
        raise ValueError(f"lambdas must all be > 0 (A positive definite); got {lam}")
    return lam


def _per_eigenvalue(name: str, x, n: int) -> np.ndarray:
    """``x`` (a number, or one value per eigenvalue) as an array of length ``n``."""
    x = as_float_array(name, x)
    if x.ndim > 1 or x.size not in (1, n):
        raise ValueError(f"{name} must be a number or one value per eigenvalue (length {n}); got shape {x.shape}")
    return np.broadcast_to(x.ravel(), (n,))


# ---------------------------------------------------------------------------------------------
# the recursion: Distill's form run by optim's rule
# ---------------------------------------------------------------------------------------------
def distill_to_classical(alpha, beta) -> dict:
    """Distill's ``(alpha, beta)`` as the keyword arguments of ``optim.Momentum`` / ``optim.momentum_update``.

    Distill: ``z = beta z + g, w = w - alpha z``; optim's classical form: ``v = beta v - lr g, w = w + v``.
    They are one recursion with ``lr = alpha``, the same ``beta`` and ``v = -alpha z``
    (``classical_velocity``): ``{"lr": alpha, "beta": beta, "variant": "classical"}``.
    """
    return {"lr": as_positive("alpha", alpha), "beta": _beta(beta), "variant": "classical"}


def classical_velocity(z, alpha) -> np.ndarray:
    """optim's classical velocity ``v = -alpha z`` for Distill's ``z`` (see ``distill_to_classical``)."""
    return -as_positive("alpha", alpha) * as_float_array("z", z)


def heavy_ball_path(f, w0, alpha, beta, steps: int, stop_beyond: float | None = None) -> np.ndarray:
    """The iterates ``w_0 .. w_steps`` of Distill's momentum (``z_0 = 0``) on the quadratic ``f``, one per row.

    Run by optim's own rule: ``optim.trajectory(optim.Momentum(**distill_to_classical(alpha, beta)), ...)``;
    ``beta = 0`` is gradient descent with step ``alpha``.  ``stop_beyond`` is ``trajectory``'s stop
    rule (a diverging run stops before the first iterate whose largest |coordinate| exceeds it).
    """
    f = _quadratic(f)
    opt = optim.Momentum(**distill_to_classical(alpha, beta))
    return optim.trajectory(opt, f.grad_unvalidated, w0, steps, stop_beyond=stop_beyond)


def eigenvector_errors(f, path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lambdas, Q, X)``: the eigenvalues of ``f.A`` (ascending), its eigenvectors (columns) and the errors
    ``X[k, i] = q_i'(w_k - w*)`` of the iterates ``path[k]`` along each eigenvector (Goh 2017, "Decomposing the Error").

    The sign of each ``q_i`` is numpy's ``eigh``'s; ``|X[k, i]|`` does not depend on it.
    """
    f = _quadratic(f)
    path = as_float_array("path", path, allow_scalar=False, finite=False)
    if path.ndim != 2 or path.shape[1] != f.dim:
        raise ValueError(f"path must have shape (steps + 1, {f.dim}) as heavy_ball_path returns; got {path.shape}")
    lambdas, Q = np.linalg.eigh(f.A)
    return lambdas, Q, (path - f.minima[0]) @ Q


def start_from_eigenvector_errors(f, x0) -> np.ndarray:
    """The point ``w0 = w* + Q x0`` whose errors along the eigenvectors (``eigenvector_errors``' ``Q``) are ``x0``."""
    f = _quadratic(f)
    x0 = _per_eigenvalue("x0", x0, f.dim)
    _, Q = np.linalg.eigh(f.A)
    return f.minima[0] + Q @ x0


def gd_errors(lambdas, alpha, x0, steps: int) -> np.ndarray:
    """Gradient descent's closed form ``x_i^k = (1 - alpha lambda_i)^k x_i^0``, shape ``(steps + 1, n)``."""
    lam = _eigenvalues(lambdas)
    alpha = as_positive("alpha", alpha)
    x0 = _per_eigenvalue("x0", x0, lam.size)
    k = np.arange(as_int("steps", steps, minimum=0) + 1)[:, None]
    return (1.0 - alpha * lam) ** k * x0


def momentum_matrix(lam, alpha, beta) -> np.ndarray:
    """Distill's ``R = [[beta, lambda], [-alpha beta, 1 - alpha lambda]]``: ``(y, x)_{k+1} = R (y, x)_k`` along one
    eigenvector."""
    lam, alpha, beta = as_positive("lam", lam), as_positive("alpha", alpha), _beta(beta)
    return np.array([[beta, lam], [-alpha * beta, 1.0 - alpha * lam]])


def _chebyshev_d(t, det, k):
    """``d_k = (sigma_1^k - sigma_2^k) / (sigma_1 - sigma_2)`` for the roots of ``s^2 - t s + det``, without
    the cancellation near a double root: ``det^((k-1)/2) U_{k-1}(t / (2 sqrt det))`` in its trigonometric
    or hyperbolic form (``U`` the Chebyshev polynomial of the second kind); ``t^(k-1)`` when ``det = 0``."""
    k = np.asarray(k)
    if det == 0.0:
        return np.where(k == 0, 0.0, float(t) ** np.maximum(k - 1, 0))
    s = np.sqrt(det)
    x = t / (2.0 * s)
    sign = (-1.0) ** (k - 1) if x < 0 else np.ones(k.shape)
    ax = abs(x)
    if ax == 1.0:                                      # the double root sigma = +-sqrt(det)
        u = k.astype(float)
    elif ax < 1.0:                                     # complex roots: sin(k theta) / sin(theta)
        theta = np.arccos(ax)
        u = np.sin(k * theta) / np.sin(theta)
    else:                                              # real roots: sinh(k phi) / sinh(phi)
        phi = np.arccosh(ax)
        u = np.sinh(k * phi) / np.sinh(phi)
    return sign * s ** (k - 1.0) * u


def momentum_matrix_power(lam, alpha, beta, k) -> np.ndarray:
    """``R^k`` in closed form, for an int or an array of ints ``k >= 0`` (shape ``k.shape + (2, 2)``).

    Cayley-Hamilton (``R^2 = t R - beta I`` with ``t = 1 + beta - alpha lambda``) gives
    ``R^k = d_k R - beta d_(k-1) I`` with ``d_k = (sigma_1^k - sigma_2^k) / (sigma_1 - sigma_2)``: the eigenvalue
    form Goh 2017 writes R^k in, ``(sigma_1^k (R - sigma_2 I) - sigma_2^k (R - sigma_1 I)) / (sigma_1 - sigma_2)``
    (Sylvester's formula), and at a double root its limit ``sigma^k (k R / sigma - (k - 1) I)``, rearranged so
    that neither loses digits near a double root.
    """
    R = momentum_matrix(lam, alpha, beta)
    k = np.asarray(k)
    if not np.issubdtype(k.dtype, np.integer) or np.any(k < 0):
        raise ValueError(f"k must be an integer or an array of integers >= 0; got {k!r}")
    beta = R[0, 0]
    t = 1.0 + beta - alpha * lam
    d_k, d_prev = _chebyshev_d(t, beta, k), _chebyshev_d(t, beta, np.maximum(k - 1, 0))
    d_prev = np.where(k == 0, -1.0 / beta if beta else 0.0, d_prev)  # d_(-1) = -1/det makes R^0 = I
    out = d_k[..., None, None] * R - (beta * d_prev)[..., None, None] * np.eye(2)
    if not beta:
        out = np.where((k == 0)[..., None, None], np.eye(2), out)
    return out


def momentum_errors(lambdas, alpha, beta, x0, steps: int, y0=0.0) -> np.ndarray:
    """The closed form of momentum's error along each eigenvector: ``x_i^k``, the second entry of
    ``R_i^k (y_i^0, x_i^0)``, shape ``(steps + 1, n)``.  ``y0 = 0`` is Distill's ``z_0 = 0``."""
    lam = _eigenvalues(lambdas)
    x0, y0 = _per_eigenvalue("x0", x0, lam.size), _per_eigenvalue("y0", y0, lam.size)
    k = np.arange(as_int("steps", steps, minimum=0) + 1)
    out = np.empty((k.size, lam.size))
    for i, li in enumerate(lam):
        P = momentum_matrix_power(li, alpha, beta, k)
        out[:, i] = P[:, 1, 0] * y0[i] + P[:, 1, 1] * x0[i]
    return out


def _discriminant(h, beta):
    """``(1 + beta - h)^2 - 4 beta``, factored as ``((1 - sqrt beta)^2 - h) ((1 + sqrt beta)^2 - h)`` (no
    cancellation near the edges of the ripples, where it vanishes)."""
    s = np.sqrt(beta)
    return ((1.0 - s) ** 2 - h) * ((1.0 + s) ** 2 - h)


def momentum_eigenvalues(lam, alpha, beta) -> np.ndarray:
    """The two eigenvalues of ``R`` (complex, the larger modulus first)::

        sigma_{1,2} = ((1 + beta - alpha lambda) +- sqrt((1 + beta - alpha lambda)^2 - 4 beta)) / 2

    the roots of ``sigma^2 - (1 + beta - alpha lambda) sigma + beta`` (Goh 2017, "The Dynamics of Momentum").
    The smaller real root is computed as ``beta / sigma_1`` (no cancellation).
    """
    lam, alpha, beta = as_positive("lam", lam), as_positive("alpha", alpha), _beta(beta)
    t = 1.0 + beta - alpha * lam
    disc = float(_discriminant(alpha * lam, beta))
    if disc < 0:
        root = 1j * np.sqrt(-disc)
        return np.array([(t + root) / 2, (t - root) / 2])
    big = (t + np.copysign(np.sqrt(disc), t)) / 2
    small = beta / big if big != 0 else 0.0
    return np.array([big, small], dtype=complex)


def momentum_rate_unvalidated(alpha_lambda, beta) -> np.ndarray:
    """``momentum_rate`` as a function of ``h = alpha lambda`` and ``beta``, broadcast over arrays, without
    validation: the fast path of the phase diagram's grid (``h > 0``, ``0 <= beta < 1`` assumed)."""
    h, beta = np.asarray(alpha_lambda, dtype=float), np.asarray(beta, dtype=float)
    t = 1.0 + beta - h
    disc = _discriminant(h, beta)
    real = 0.5 * (np.abs(t) + np.sqrt(np.maximum(disc, 0.0)))
    return np.where(disc < 0, np.sqrt(beta), real)


def momentum_rate(lam, alpha, beta) -> float:
    """The convergence rate along one eigenvector: the spectral radius ``max(|sigma_1|, |sigma_2|)`` of ``R``.

    ``sqrt(beta)`` when the eigenvalues are complex, ``(|t| + sqrt(t^2 - 4 beta)) / 2`` with ``t = 1 + beta
    - alpha lambda`` when they are real; ``|1 - alpha lambda|`` for ``beta = 0`` (gradient descent).  ``>= 1``:
    the error does not shrink (divergence).
    """
    lam, alpha, beta = as_positive("lam", lam), as_positive("alpha", alpha), _beta(beta)
    return float(momentum_rate_unvalidated(alpha * lam, beta))


def convergence_rate(lambdas, alpha, beta=0.0) -> float:
    """The rate of the whole quadratic: the largest ``momentum_rate`` over its eigenvalues (``beta = 0``:
    gradient descent's ``max_i |1 - alpha lambda_i|``)."""
    lam = _eigenvalues(lambdas)
    alpha, beta = as_positive("alpha", alpha), _beta(beta)
    return float(np.max(momentum_rate_unvalidated(alpha * lam, beta)))


def in_stable_region(alpha_lambda, beta) -> bool:
    """Whether momentum converges along an eigenvector: ``0 < alpha lambda < 2 + 2 beta`` and ``0 <= beta < 1``.

    Schur-Cohn (Jury) for ``sigma^2 - t sigma + beta``: both roots inside the unit circle exactly when
    ``|beta| < 1`` and ``|t| < 1 + beta``.  Any real ``alpha_lambda`` and ``beta`` are accepted.
    """
    h, beta = as_real("alpha_lambda", alpha_lambda), as_real("beta", beta)
    return bool(0.0 < h < 2.0 + 2.0 * beta and 0.0 <= beta < 1.0)


def largest_stable_step(lam, beta=0.0) -> float:
    """``(2 + 2 beta) / lambda``: the supremum of the steps alpha for which momentum converges along an
    eigenvalue ``lambda`` (``2 / lambda`` for gradient descent, ``linesearch.largest_stable_step``)."""
    return (2.0 + 2.0 * _beta(beta)) / as_positive("lam", lam)


def smallest_stable_beta(alpha_lambda) -> float:
    """``max(0, alpha lambda / 2 - 1)``: momentum converges along an eigenvector for every beta above it (and
    below 1; at ``beta = 0`` itself only when ``alpha lambda < 2``).  Raises for ``alpha lambda >= 4``, where
    no beta < 1 converges."""
    h = as_positive("alpha_lambda", alpha_lambda)
    if h >= 4.0:
        raise ValueError(f"alpha_lambda must be < 4 (2 + 2 beta < 4 for every beta < 1); got {alpha_lambda!r}")
    return max(0.0, h / 2.0 - 1.0)


def ripple_band(beta) -> tuple[float, float]:
    """``((1 - sqrt beta)^2, (1 + sqrt beta)^2)``: the ``alpha lambda`` between which ``R``'s eigenvalues are
    complex (the discriminant ``(1 + beta - alpha lambda)^2 - 4 beta`` is negative)."""
    s = np.sqrt(_beta(beta))
    return float((1.0 - s) ** 2), float((1.0 + s) ** 2)


def phase_region(alpha_lambda, beta) -> str:
    """Which region of the phase diagram ``(alpha lambda, beta)`` lies in: one of ``PHASE_REGIONS``.

    ``"monotone"`` for ``alpha lambda <= (1 - sqrt beta)^2`` (real positive eigenvalues), ``"ripples"``
    between the two edges of ``ripple_band`` (complex), ``"oscillation"`` from ``(1 + sqrt beta)^2`` to
    ``2 + 2 beta`` (real negative), ``"divergence"`` from ``2 + 2 beta`` on.
    """
    h = as_positive("alpha_lambda", alpha_lambda)
    lo, hi = ripple_band(beta)
    if h >= 2.0 + 2.0 * beta:
        return "divergence"
    if h <= lo:
        return "monotone"
    return "ripples" if h < hi else "oscillation"


def critical_damping(alpha_lambda) -> tuple[float, float]:
    """``(beta, rate)``: the momentum that converges fastest at a given ``h = alpha lambda`` in (0, 4),
    ``beta = (1 - sqrt h)^2``, and its rate ``|1 - sqrt h|`` (the double root at the edge of the ripples)."""
    h = as_in_interval("alpha_lambda", alpha_lambda, 0.0, 4.0, closed="neither")
    r = abs(1.0 - np.sqrt(h))
    return float(r * r), float(r)


def optimal_gd(lambda_min, lambda_max) -> Tuning:
    """Gradient descent's best fixed step ``alpha = 2 / (lambda_1 + lambda_n)`` and its rate
    ``(kappa - 1) / (kappa + 1)`` (Goh 2017, "Choosing A Step-size"); ``beta = 0``."""
    lo, hi = _eigenvalue_pair(lambda_min, lambda_max)
    kappa = hi / lo
    return Tuning(2.0 / (lo + hi), 0.0, (kappa - 1.0) / (kappa + 1.0))


def optimal_momentum(lambda_min, lambda_max) -> Tuning:
    """Momentum's best ``alpha* = (2 / (sqrt(lambda_1) + sqrt(lambda_n)))^2``, ``beta* = ((sqrt(kappa) - 1) /
    (sqrt(kappa) + 1))^2`` and its rate ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)`` (Goh 2017, "The Dynamics of
    Momentum"; Polyak 1964).  At this point both extreme eigenvalues sit on the edges of the ripples."""
    lo, hi = _eigenvalue_pair(lambda_min, lambda_max)
    r = (np.sqrt(hi / lo) - 1.0) / (np.sqrt(hi / lo) + 1.0)
    return Tuning(float((2.0 / (np.sqrt(lo) + np.sqrt(hi))) ** 2), float(r * r), float(r))


def iterations_for_rate(rate, tol) -> float:
    """``log(tol) / log(rate)``: the iterations for an error shrinking like ``rate^k`` to fall by the factor ``tol``."""
    rate = as_in_interval("rate", rate, 0.0, 1.0, closed="neither")
    tol = as_in_interval("tol", tol, 0.0, 1.0, closed="neither")
    return float(np.log(tol) / np.log(rate))


def momentum_speedup(kappa) -> float:
    """How many times fewer iterations optimal momentum needs than optimal gradient descent at condition
    number ``kappa > 1``: ``log((kappa - 1)/(kappa + 1)) / log((sqrt kappa - 1)/(sqrt kappa + 1))``, which
    tends to ``sqrt(kappa)`` as kappa grows (both logs are ``-2/kappa`` and ``-2/sqrt(kappa)`` to first order)."""
    kappa = as_real("kappa", kappa)
    if not kappa > 1:
        raise ValueError(f"kappa must be > 1 (for kappa = 1 both methods converge in one step); got {kappa!r}")
    # (kappa - 1)/(kappa + 1) = 1 - 2/(kappa + 1): log1p keeps the digits that log of the rate loses for large kappa
    return float(np.log1p(-2.0 / (np.sqrt(kappa) + 1.0)) / np.log1p(-2.0 / (kappa + 1.0)))


def measured_iterations(f, w0, alpha, beta, tol, max_steps: int = 10_000) -> int | None:
    """The iterations a run of ``heavy_ball_path`` needs until ``||w_k - w*|| <= tol ||w_0 - w*||`` for good:
    the first ``k`` from which every later iterate of the run stays below (momentum's error is not monotone).
    None when the run's last iterate is still above (or it diverged) within ``max_steps``."""
    f = _quadratic(f)
    tol = as_in_interval("tol", tol, 0.0, 1.0, closed="neither")
    path = heavy_ball_path(f, w0, alpha, beta, as_int("max_steps", max_steps, minimum=1), stop_beyond=1e150)
    err = np.linalg.norm(path - f.minima[0], axis=1)
    if err[0] == 0:
        raise ValueError("w0 must differ from the minimiser (the error is already 0)")
    above = np.flatnonzero(err > tol * err[0])
    if len(path) <= max_steps or above[-1] == len(err) - 1:
        return None
    return int(above[-1]) + 1
