"""Line searches: how far to go along the negative gradient.

Gradient descent ``x_{k+1} = x_k - t_k * g_k`` (``g_k`` the gradient at
``x_k``) needs a step size ``t_k``.  Instead of a fixed learning rate, a line
search chooses it at each step:

* **exact line search** minimises ``f(x_k - t g_k)`` over ``t >= 0``.  For a
  quadratic ``f(x) = 0.5 x'Ax - b'x + c`` with ``A`` symmetric positive definite
  this has a closed form, ``t = g'g / g'Ag`` (``exact_step_quadratic``), and
  gives steepest descent (``steepest_descent_exact``), whose consecutive steps
  are orthogonal (the zig-zag).
* **backtracking** (``backtracking_step``) starts at ``t = 1`` and multiplies
  ``t`` by ``beta`` (default 1/2, "halving") until the sufficient-decrease test

      f(x - t g) <= f(x) - (t/2) ||g||^2

  holds.  If ``grad f`` is L-Lipschitz the test holds for every ``t <= 1/L``,
  so the accepted step is at least ``beta / L`` (or 1): backtracking finds a
  safe learning rate without knowing L.  The factor 1/2 is Armijo's constant
  ``c``; ``c`` is a parameter here.  ``backtracking_trials`` returns every
  trial step and ``f`` there (lecture 1 draws them).

Sources: course source ``004`` (exact line search on
``f(x) = x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2`` from (0, 0): first step 1/4 to (0,
1/2), converging to (1, 1)); course source ``000``, equation (21)
(backtracking with ``t_k = beta t_{k-1}``, ``t_1 = 1``, and the test above);
Boyd & Vandenberghe, *Convex Optimization*, section 9.2-9.3.

Notes on the sources: ``000`` prints (21) as the strict inequality
``g(a_k - t_k grad g(a_k)) > g(a_k) - (t_k/2) ||grad g(a_k)||^2`` and says the
iteration ends "when this condition is met": (21) is the condition to *keep
shrinking* t; the search stops at the first t where it fails, i.e. where the
sufficient-decrease test above holds.  ``004`` writes ``f(0, -2 lambda)`` once
where it means ``f(0, 2 lambda)``.

The gradient step itself is ``optim``'s SGD rule (one rule, one
implementation); this module chooses its step size.

Convergence rates (the lectures draw them against the measured gap)
----------------------------------------------------------------------
For an ``alpha``-strongly convex function with ``beta``-Lipschitz gradient
(on a quadratic: the extreme eigenvalues of ``A``, ``kappa = beta/alpha``):

* a fixed step ``eta <= 1/beta``: ``f(x_t) - f* <= (1 - alpha eta)^t (f(x_0) -
  f*)`` (``fixed_step_bound``; source ``000``, Theorem 3 with ``eta = 1/beta``:
  ``(1 - 1/kappa)^t <= exp(-t/kappa)``).  Source ``000`` prints the last form as
  ``exp(-t beta/alpha)``, the ratio inverted (``fixed_step_bound_as_printed``,
  an erratum: it would promise faster convergence the worse the conditioning);
  for any fixed step ``0 < eta < 2/beta`` the factor per step is ``1 - alpha eta
  (2 - beta eta) < 1`` (``fixed_step_factor``, ``fixed_step_bound_general``).
  These are upper bounds, not tight on a quadratic: there the gap along the
  eigenvector of ``lambda`` shrinks by ``(1 - eta lambda)^2`` per step;
* on a quadratic, any fixed step is stable only below ``2/beta``; in one
  dimension near a minimum ``x*``, below ``2 / f''(x*)`` (``largest_stable_step``);
* exact line search on a quadratic: ``f(x_k) - f* <= ((kappa - 1)/(kappa +
  1))^(2k) (f(x_0) - f*)`` (``exact_step_bound``; Luenberger & Ye, *Linear and
  Nonlinear Programming*, section 8.2, the steepest-descent theorem).
* ``linear_rate_steps(kappa, tol)``: the steps the bound ``(1 - 1/kappa)^t``
  needs to reach ``tol``; ``steps_to_reach(gaps, tol)``: the steps a run needed.

Without strong convexity (convex, ``beta``-smooth, a minimiser ``x*``), the
step ``1/beta`` gives ``f(x_t) - f* <= beta ||x_0 - x*||^2 / (2t)``
(``sublinear_bound``): O(1/t), source ``000``'s remark after Theorem 3.

numpy, ``course_lib.validation`` and ``course_lib.optim`` are imported here.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .optim import SGD
from .validation import (
    as_float_array,
    as_scalar_output,
    as_start_point,
    as_in_interval,
    as_int,
    as_nonnegative,
    as_positive,
    require_same_shape,
    as_spd,
    gradient_at,
)

__all__ = [
    "exact_step_quadratic",
    "steepest_descent_exact",
    "backtracking_step",
    "backtracking_trials",
    "gradient_descent_backtracking",
    "largest_stable_step",
    "fixed_step_bound",
    "fixed_step_bound_as_printed",
    "fixed_step_factor",
    "fixed_step_bound_general",
    "exact_step_bound",
    "linear_rate_steps",
    "steps_to_reach",
    "sublinear_bound",
]


def exact_step_quadratic(A, g, d=None) -> float:
    """Exact line-search step for a quadratic ``f(x) = 0.5 x'Ax - b'x + c``.

    Along ``x + t d`` the function is a parabola in ``t`` with minimum at
    ``t = -g'd / d'Ad``.  For steepest descent, ``d = -g``::

        t = g'g / g'Ag

    Parameters
    ----------
    A : array (n, n)
        The (symmetric) Hessian of the quadratic.
    g : array (n,)
        Gradient at the current point, ``A x - b``.
    d : array (n,), optional
        Search direction; default ``-g``.

    Returns
    -------
    float
        The minimising ``t`` (0 when ``g`` is zero: the point is the minimiser).

    Examples
    --------
    Source ``004``: for f = x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2, A = [[2, -2], [-2, 4]],
    at (0, 0) the gradient is (0, -2) and t = 4 / 16 = 1/4.
    """
    A = as_float_array("A", A, allow_scalar=False)
    g = as_float_array("g", g, allow_scalar=False)
    if A.ndim != 2 or A.shape != (g.size, g.size) or g.ndim != 1:
        raise ValueError(f"A must have shape (n, n) and g shape (n,); got A {A.shape} and g {g.shape}")
    d = -g if d is None else as_float_array("d", d, allow_scalar=False)
    require_same_shape("g", g, "d", d)
    curvature = d @ A @ d
    slope = g @ d
    if slope > 0:
        raise ValueError(f"d must be a descent direction (g'd < 0); got g'd = {slope:.6g}")
    if slope != 0.0 and curvature <= 0:
        raise ValueError(
            f"the quadratic has no minimum along d (d'Ad = {curvature:.6g} <= 0); A must be "
            f"positive definite"
        )
    return _exact_step(slope, curvature)


def _exact_step(slope, curvature) -> float:
    """``t = -g'd / d'Ad``, the minimum of the parabola ``f(x + t d)`` (0 where the slope is 0)."""
    return 0.0 if slope == 0.0 else float(-slope / curvature)


def steepest_descent_exact(A, b, x0, steps: int | None = None, tol: float = 1e-10,
                           max_steps: int = 10_000) -> np.ndarray:
    """Steepest descent with exact line search on ``f(x) = 0.5 x'Ax - b'x``.

    Iterates ``g_k = A x_k - b``, ``t_k = g_k'g_k / g_k'A g_k``,
    ``x_{k+1} = x_k - t_k g_k``.  Consecutive gradients are orthogonal.  The
    error in the A-norm shrinks at least by ``(kappa - 1) / (kappa + 1)`` per
    step, ``kappa`` the condition number of ``A`` (Luenberger's bound).

    Parameters
    ----------
    A : array (n, n)
        Symmetric positive definite.
    b : array (n,)
    x0 : array (n,)
        Starting point.
    steps : int, optional
        Take exactly this many steps (stops early only at an exact minimiser,
        where the gradient is zero).  If None, iterate until
        ``||g|| <= tol * max(1, ||b||)`` or ``max_steps``.
    tol : float, default 1e-10
    max_steps : int, default 10000

    Returns
    -------
    path : array (k + 1, n)
        The iterates ``x_0 .. x_k``.
    ts : array (k,)
        The exact step sizes ``t_0 .. t_{k-1}`` (``t_0 = 1/4`` in source ``004``'s example).
    """
    A = as_spd("A", A)
    n = A.shape[0]
    b = as_float_array("b", b, allow_scalar=False)
    x = as_float_array("x0", x0, allow_scalar=False).astype(np.float64, copy=True)
    if b.shape != (n,) or x.shape != (n,):
        raise ValueError(f"b and x0 must have shape ({n},) to match A; got {b.shape} and {x.shape}")
    if steps is not None:
        steps = as_int("steps", steps, minimum=0)
    tol = as_positive("tol", tol)
    max_steps = as_int("max_steps", max_steps, minimum=1)
    limit = steps if steps is not None else max_steps
    tol_g = 0.0 if steps is not None else tol * max(1.0, float(np.linalg.norm(b)))
    return _descend(x, lambda x, k: A @ x - b, lambda x, g: _exact_step(-(g @ g), g @ A @ g), limit, tol_g)


def _descend(x, gradient, step_size, steps: int, tol: float):
    """Gradient descent ``x <- x - t_k g_k`` (optim's SGD step), ``t_k = step_size(x_k, g_k)``, on validated inputs.

    Stops after ``steps`` steps, or before a step whose gradient has norm
    ``<= tol`` or is exactly zero (a minimiser).  ``x`` (a float64 copy) is
    updated in place.  Returns the iterates and the step sizes.
    """
    path, ts = [x.copy()], []
    sgd = SGD(lr=1.0)  # its lr is t_k, set at each step
    for k in range(steps):
        g = gradient(x, k)
        if not np.any(g) or np.linalg.norm(g) <= tol:
            break
        sgd.lr = step_size(x, g)
        sgd.step_unvalidated([x], [g])
        path.append(x.copy())
        ts.append(sgd.lr)
    return np.array(path), np.array(ts, dtype=np.float64)


def backtracking_step(f: Callable, x, g, t0: float = 1.0, beta: float = 0.5, c: float = 0.5,
                      max_shrinks: int = 60, return_evals: bool = False, d=None):
    """Backtracking line search: shrink ``t`` until sufficient decrease.

    Start at ``t = t0`` and set ``t = beta * t`` while::

        f(x - t g) > f(x) - c * t * ||g||^2

    or, along another descent direction ``-d`` (Armijo's rule in general:
    Newton's step ``d = H^-1 g`` gives the slope ``g'd``, the squared Newton
    decrement)::

        f(x - t d) > f(x) - c * t * g'd

    With the defaults (``t0 = 1``, ``beta = 1/2``, ``c = 1/2``) this is
    course source ``000``'s equation (21): halve t from 1 until
    ``f(x - t g) <= f(x) - (t/2) ||g||^2``.

    Parameters
    ----------
    f : callable
        The objective, ``f(x) -> float``.
    x : array
        Current point (not modified).
    g : array
        Gradient of ``f`` at ``x``, same shape.
    d : array, optional
        The step's direction is ``-d``; default ``g`` (steepest descent).
        Must satisfy ``g'd >= 0``.
    t0 : float, default 1
        First trial step, > 0.
    beta : float, default 0.5
        Shrink factor, in (0, 1).
    c : float, default 0.5
        Sufficient-decrease constant, in (0, 1).
    max_shrinks : int, default 60
        Give up (``RuntimeError``) after this many reductions: ``g`` is then
        not a descent direction at ``x`` (wrong gradient?) or ``f`` is not
        smooth there.
    return_evals : bool, default False
        Also return the number of evaluations of ``f`` (including ``f(x)``).

    Returns
    -------
    t : float
        The accepted step (``0.0`` when ``g`` is zero).
    n_evals : int
        Only with ``return_evals=True``.
    """
    x, g, d, t0, beta, c, max_shrinks = _backtracking_arguments(x, g, d, t0, beta, c, max_shrinks)
    t, evals = _backtrack(f, x, g, d, t0, beta, c, max_shrinks)
    return (t, evals) if return_evals else t


def _backtracking_arguments(x, g, d, t0, beta, c, max_shrinks) -> tuple:
    """The validation ``backtracking_step`` and ``backtracking_trials`` make: their arguments, converted."""
    x = as_float_array("x", x, allow_scalar=False)
    g = as_float_array("g", g, allow_scalar=False)
    require_same_shape("x", x, "g", g)
    d = g if d is None else as_float_array("d", d, allow_scalar=False)
    require_same_shape("g", g, "d", d)
    t0 = as_positive("t0", t0)
    beta = as_in_interval("beta", beta, 0.0, 1.0, closed="neither")
    c = as_in_interval("c", c, 0.0, 1.0, closed="neither")
    max_shrinks = as_int("max_shrinks", max_shrinks, minimum=0)
    if float(np.sum(g * d)) < 0:
        raise ValueError(f"-d must be a descent direction (g'd >= 0); got g'd = {float(np.sum(g * d)):.6g}")
    return x, g, d, t0, beta, c, max_shrinks


def _backtrack(f, x, g, d, t0: float, beta: float, c: float, max_shrinks: int, trials: list | None = None):
    """``backtracking_step`` on validated arguments: ``(t, evaluations of f)``.

    With a list ``trials``, each trial ``(t, f(x - t d))`` is appended to it, in order.
    """
    slope = float(np.sum(g * d))
    if slope == 0.0:
        return 0.0, 0
    fx = as_scalar_output("f(x)", f(x.copy()), finite=False)
    if not np.isfinite(fx):
        raise ValueError(f"f(x) must be finite; got {fx}")
    t, evals = t0, 1
    for _ in range(max_shrinks + 1):
        f_trial = as_scalar_output("f(x - t d)", f(x - t * d), finite=False)
        evals += 1
        if trials is not None:
            trials.append((float(t), float(f_trial)))
        if f_trial <= fx - c * t * slope:  # NaN/inf trials fail the test and shrink t
            return float(t), evals
        t *= beta
    raise RuntimeError(
        f"backtracking found no step with sufficient decrease after {max_shrinks} "
        f"reductions (last t = {t / beta:.3g}); is g really the gradient of f at x?"
    )


def backtracking_trials(f: Callable, x, g, t0: float = 1.0, beta: float = 0.5, c: float = 0.5,
                        max_shrinks: int = 60, d=None) -> tuple[np.ndarray, np.ndarray]:
    """Every trial step of ``backtracking_step`` and the value of ``f`` there; the last one is accepted.

    The trials are ``t0, beta t0, beta^2 t0, ...`` up to the first ``t`` with
    ``f(x - t d) <= f(x) - c t g'd`` (``d = g`` by default: source ``000``,
    equation (21), whose printed inequality is the condition to keep
    shrinking).  Same arguments, validation and errors as ``backtracking_step``.

    Returns
    -------
    ts : array (k,)
        The trial steps in the order tried; ``ts[-1]`` is the accepted step,
        ``backtracking_step``'s answer (``k = 0`` when ``g'd = 0``: no step).
    values : array (k,)
        ``f(x - ts[i] d)``.
    """
    x, g, d, t0, beta, c, max_shrinks = _backtracking_arguments(x, g, d, t0, beta, c, max_shrinks)
    trials: list = []
    _backtrack(f, x, g, d, t0, beta, c, max_shrinks, trials)
    ts = np.array([t for t, _ in trials], dtype=np.float64)
    return ts, np.array([v for _, v in trials], dtype=np.float64)


def gradient_descent_backtracking(f: Callable, grad: Callable, x0, steps: int = 100,
                                  t0: float = 1.0, beta: float = 0.5, c: float = 0.5,
                                  tol: float = 0.0):
    """Gradient descent with a backtracking line search at every step.

    ``x_{k+1} = x_k - t_k g_k`` with ``t_k = backtracking_step(f, x_k, g_k,
    t0, beta, c)`` (each search starts again from ``t0``, as in source ``000``).

    Parameters
    ----------
    f, grad : callable
        Objective and its gradient.
    x0 : array (n,)
        Starting point.
    steps : int, default 100
        Maximum number of steps.
    t0, beta, c : float
        See ``backtracking_step``.
    tol : float, default 0
        Stop early once ``||g_k|| <= tol``.

    Returns
    -------
    path : array (k + 1, n)
        The iterates.
    ts : array (k,)
        The accepted step sizes.
    """
    x = as_start_point(x0).astype(np.float64, copy=True)
    steps = as_int("steps", steps, minimum=0)
    tol = as_nonnegative("tol", tol)
    t0 = as_positive("t0", t0)
    beta = as_in_interval("beta", beta, 0.0, 1.0, closed="neither")
    c = as_in_interval("c", c, 0.0, 1.0, closed="neither")
    return _descend(x, lambda x, k: gradient_at(grad, x, k),
                    lambda x, g: _backtrack(f, x, g, g, t0, beta, c, 60)[0], steps, tol)


def largest_stable_step(curvature) -> float:
    """``2 / curvature``: the largest fixed step for which gradient descent is stable on a quadratic.

    Near a minimum ``x*`` of a 1-D function, ``x_{k+1} - x* ~ (1 - eta
    f''(x*)) (x_k - x*)``, which shrinks only for ``0 < eta < 2 / f''(x*)``;
    on ``f(x) = 0.5 x'Ax`` the same holds with the largest eigenvalue of
    ``A`` for ``f''``.  Above the limit the error is multiplied by
    ``1 - eta f'' < -1`` at every step: on a quadratic the iterates alternate
    sides and grow from the first step.  On a function that is not quadratic
    (lecture 1's sextic) the higher-order terms can hold them in a two-cycle
    for a range of steps first.
    """
    return 2.0 / as_positive("curvature", curvature)


def fixed_step_bound(alpha, eta, steps) -> np.ndarray:
    """``(1 - alpha eta)^t`` for ``t = 0 .. steps``: the bound on ``(f(x_t) - f*) / (f(x_0) - f*)``.

    Gradient descent with a fixed step ``eta <= 1/beta`` on an
    ``alpha``-strongly convex, ``beta``-smooth function: the descent lemma
    ``f(x+) <= f(x) - (eta/2) ||grad f||^2`` and the Polyak-Lojasiewicz
    inequality ``||grad f||^2 >= 2 alpha (f - f*)`` give one factor ``1 -
    alpha eta`` per step (source ``000``, Theorem 3, for ``eta = 1/beta``).
    The caller knows ``beta``: this simple form is only claimed for ``eta <=
    1/beta``; ``fixed_step_bound_general`` covers every ``eta < 2/beta``.
    An upper bound, not tight on a quadratic (see the module docstring).
    """
    alpha, eta = as_positive("alpha", alpha), as_positive("eta", eta)
    if alpha * eta > 1:
        raise ValueError(f"alpha * eta must be <= 1 (the bound needs eta <= 1/beta <= 1/alpha); "
                         f"got alpha = {alpha!r}, eta = {eta!r}")
    return (1.0 - alpha * eta) ** np.arange(as_int("steps", steps, minimum=0) + 1)


def fixed_step_factor(alpha, beta, eta) -> float:
    """``1 - alpha eta (2 - beta eta)``: the factor per step on ``f - f*`` for any fixed step ``0 < eta < 2/beta``.

    Gradient descent ``x+ = x - eta grad f(x)`` on an ``alpha``-strongly
    convex (or PL), ``beta``-smooth function.  Smoothness gives ``f(x+) <=
    f(x) - eta (1 - beta eta / 2) ||grad f||^2`` (the quadratic upper bound
    at ``x+``), and Lemma 1 of source ``000`` (PL: ``||grad f||^2 >= 2 alpha
    (f - f*)``) turns it into ``f(x+) - f* <= (1 - alpha eta (2 - beta eta))
    (f(x) - f*)``; the factor is below 1 for every ``0 < eta < 2/beta`` and
    smallest, ``1 - alpha/beta``, at ``eta = 1/beta`` (Theorem 3).  For ``eta
    <= 1/beta``, ``2 - beta eta >= 1`` and the factor is at most ``1 - alpha
    eta``, the simpler form of ``fixed_step_bound`` (Nesterov, *Introductory
    Lectures on Convex Optimization*, section 2.1.5; Karimi, Nutini & Schmidt
    2016, Theorem 1, for ``eta = 1/beta``).
    """
    alpha, beta, eta = as_positive("alpha", alpha), as_positive("beta", beta), as_positive("eta", eta)
    if alpha > beta:
        raise ValueError(f"alpha must be <= beta (strong convexity below smoothness); got alpha = {alpha!r}, beta = {beta!r}")
    if beta * eta >= 2:
        raise ValueError(f"eta must be below 2/beta = {2 / beta!r} (no decrease is guaranteed beyond); got {eta!r}")
    return 1.0 - alpha * eta * (2.0 - beta * eta)


def fixed_step_bound_general(alpha, beta, eta, steps) -> np.ndarray:
    """``(1 - alpha eta (2 - beta eta))^t`` for ``t = 0 .. steps``: the bound for any step ``0 < eta < 2/beta``.

    The bound on ``(f(x_t) - f*) / (f(x_0) - f*)`` from ``fixed_step_factor``
    (see there for the proof and sources); for ``eta = 1/beta`` it is
    Theorem 3's ``(1 - alpha/beta)^t``.
    """
    return fixed_step_factor(alpha, beta, eta) ** np.arange(as_int("steps", steps, minimum=0) + 1)


def fixed_step_bound_as_printed(alpha, beta, steps) -> np.ndarray:
    """``exp(-t beta/alpha)`` for ``t = 0 .. steps``: source ``000``'s Theorem 3 as printed (an erratum).

    The right bound for the step ``1/beta`` is ``(1 - alpha/beta)^t <=
    exp(-t alpha/beta)``; the printed exponent has the ratio inverted, which
    would promise faster convergence the worse the conditioning (lecture 1
    draws it failing).
    """
    alpha, beta = as_positive("alpha", alpha), as_positive("beta", beta)
    return np.exp(-np.arange(as_int("steps", steps, minimum=0) + 1) * beta / alpha)


def exact_step_bound(kappa, steps) -> np.ndarray:
    """``((kappa - 1)/(kappa + 1))^(2k)`` for ``k = 0 .. steps``: steepest descent with exact steps on a quadratic.

    The bound on ``(f(x_k) - f*) / (f(x_0) - f*)`` (Luenberger & Ye, section
    8.2), ``kappa`` the condition number of ``A``; the error in the A-norm
    shrinks by ``(kappa - 1)/(kappa + 1)`` per step, and a start along the
    right combination of the extreme eigenvectors attains it.
    """
    kappa = as_positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1 (a ratio of the largest to the smallest eigenvalue); got {kappa!r}")
    return ((kappa - 1) / (kappa + 1)) ** (2 * np.arange(as_int("steps", steps, minimum=0) + 1))


def linear_rate_steps(kappa, tol) -> int:
    """The fewest steps ``t`` with ``(1 - 1/kappa)^t <= tol``: what Theorem 3's bound needs for ``tol``.

    ``t = ceil(log(tol) / log(1 - 1/kappa))`` (0 for ``tol >= 1``; 1 for
    ``kappa = 1``, where one step of ``1/beta`` is exact).  With ``kappa = 10``
    and ``tol = 1e-6``: ``log(1e-6) / log(0.9) = 131.1``, so 132 steps.
    Source ``000``, Theorem 3 (step ``1/beta``; ``kappa = beta / alpha``).
    """
    kappa = as_positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1 (a ratio of the largest to the smallest curvature); got {kappa!r}")
    tol = as_positive("tol", tol)
    if tol >= 1:
        return 0
    if kappa == 1:
        return 1
    t = int(-(-np.log(tol) // np.log1p(-1.0 / kappa)))  # the ceiling of the ratio
    # the ceiling of a rounded quotient can be one off: make (1 - 1/kappa)^t <= tol < (1 - 1/kappa)^(t-1) exact
    while t > 1 and (1 - 1 / kappa) ** (t - 1) <= tol:
        t -= 1
    while (1 - 1 / kappa) ** t > tol:
        t += 1
    return t


def steps_to_reach(gaps, tol) -> int | None:
    """The first ``t`` with ``gaps[t] <= tol * gaps[0]``: the steps a run needed to shrink its gap by ``tol``.

    ``gaps`` is ``f(x_t) - f*`` for ``t = 0, 1, ...`` (one run).  ``None``
    when no entry gets there, and also when a gap that is not finite (NaN or
    inf: the run broke down) comes before the first entry that does: a run is
    not counted as having reached ``tol`` after it produced a NaN, even if
    later entries are small.  ``tol`` in (0, 1].
    """
    gaps = as_float_array("gaps", gaps, allow_scalar=False, finite=False)
    if gaps.ndim != 1 or gaps.size == 0:
        raise ValueError(f"gaps must be a non-empty 1-D array (f(x_t) - f* for t = 0, 1, ...); got shape {gaps.shape}")
    if not np.isfinite(gaps[0]) or gaps[0] < 0:
        raise ValueError(f"gaps[0] must be finite and >= 0 (f(x_0) - f*); got {gaps[0]!r}")
    tol = as_in_interval("tol", tol, 0.0, 1.0, closed="right")
    broken = np.flatnonzero(~np.isfinite(gaps))
    end = int(broken[0]) if broken.size else gaps.size          # only the entries before the breakdown count
    hit = np.flatnonzero(gaps[:end] <= tol * gaps[0])
    return int(hit[0]) if hit.size else None


def sublinear_bound(beta, distance, steps) -> np.ndarray:
    """``beta ||x_0 - x*||^2 / (2t)`` for ``t = 0 .. steps`` (``inf`` at ``t = 0``): the O(1/t) rate.

    Gradient descent with the step ``1/beta`` on a convex, ``beta``-smooth
    function with a minimiser ``x*`` (``distance = ||x_0 - x*||``) satisfies
    ``f(x_t) - f* <= beta ||x_0 - x*||^2 / (2t)``, without strong convexity.
    Proof: the descent step ``f(x+) <= f(x) - ||g||^2 / (2 beta)`` and
    convexity ``f(x) - f* <= g'(x - x*)`` give ``f(x+) - f* <= (beta/2)
    (||x - x*||^2 - ||x+ - x*||^2)``; summed over the steps the right side
    telescopes, and ``f(x_t)`` is the smallest of the summed values.
    (Vandenberghe, EE236C lecture notes "Gradient method", constant step
    ``t <= 1/L``; Beck, *First-Order Methods in Optimization*, Theorem
    10.21.)  Bubeck, *Convex Optimization: Algorithms and Complexity*,
    Theorem 3.3, states the looser ``2 beta ||x_1 - x*||^2 / (t - 1)``
    (his ``x_1`` is the start).  Source ``000`` only says "O(1/t)".  An upper bound, not
    tight: the exact worst case over convex ``beta``-smooth functions for the
    step ``1/beta`` is ``beta ||x_0 - x*||^2 / (4t + 2)`` (Drori & Teboulle
    2014, "Performance of first-order methods for smooth convex
    minimization: a novel approach", Theorem 3.1).
    """
    beta = as_positive("beta", beta)
    distance = as_nonnegative("distance", distance)
    t = np.arange(as_int("steps", steps, minimum=0) + 1, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(t > 0, beta * distance ** 2 / (2 * np.maximum(t, 1)), np.inf)
