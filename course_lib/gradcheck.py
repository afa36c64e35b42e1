"""Numerical gradients and gradient checks.

Backpropagation is easy to get subtly wrong; the cure is to compare it with
a finite-difference estimate.  This module offers:

* ``difference_quotient(method, f_plus, f_x, f_minus, h)`` -- the three
  quotients themselves, the one place their formulas are written;
  ``difference_quotients(f, x, h, dtype)`` all three for a function of one
  variable, rounded to a float type (lecture 2's error-against-step plot);
* ``numerical_gradient(f, x, method)`` -- forward, backward or central
  differences, one coordinate at a time;
* ``relative_error(a, b)`` -- CS231n's max |a-b| / max(|a|+|b|, 1e-8);
* ``check_gradient(f, grad, x)`` -- the verdict, with the worst entries;
* three fast checks for models with many parameters.

Cost, for ``n`` parameters (central differences)
------------------------------------------------
=====================================  =====================  ===================================
check                                  evaluations of f       finds
=====================================  =====================  ===================================
``check_gradient`` (plain loop)        2n (n + 1 one-sided)   every wrong coordinate
``check_gradient_batched``             2n, in batches of B    every wrong coordinate, B at a time
``check_gradient_sampled``             2k for k coordinates   a wrong coordinate if it is sampled
``check_directional_derivative``       2k for k directions    a wrong gradient (not which entry)
=====================================  =====================  ===================================

The batched check is only fast when the model can evaluate a *batch of
perturbed parameter vectors* at once.  For a multilayer perceptron it can:
perturbing weight ``W[i, j]`` changes only unit ``j``'s pre-activation, by
``h * a[:, i]`` (a rank-1 update), so the layers below need not be recomputed
(``course_lib.nn.MLP.loss_batch``).  The contract is ``f_batch(idx, h)``:
``idx`` holds flat indices into ``x`` and ``h`` signed steps, and entry ``j``
of the result is ``f`` at ``x`` with ``x.flat[idx[j]] += h[j]``.
``from_stacked`` and ``from_scalar`` build such an ``f_batch``.
``benchmarks/bench_gradcheck.py`` times all four on the 784-300-100-100-10
network of course source ``003`` with biases added (276,710 parameters; the
source's own network has none, 276,200).

Choosing the step (erratum of source ``003``)
---------------------------------------------
A one-sided difference has truncation error ``|f''| h / 2`` and round-off
error about ``eps_mach |f| / h``; their sum is smallest near ``h ~
sqrt(eps_mach) ~ 1.5e-8`` (times the scale of ``x``).  The central difference
has truncation error ``|f'''| h^2 / 6``, so its best step is ``h ~
cbrt(eps_mach) ~ 6e-6``, with a total error near ``eps_mach^(2/3) ~ 4e-11``.
Course source ``003`` uses ``eps = 1e-8`` for all three methods: right for
forward and backward differences, but for central differences the round-off
term ``eps_mach |f| / h ~ 2e-8 |f|`` then dominates (the truncation term
``|f'''| h^2 / 6 ~ 2e-17`` it saves is negligible), and the estimate is some
hundreds of times less accurate (about 1e-8 against 1e-11, relative) than
with ``h ~ 6e-6``: no better than a forward difference.  The derivation is in
``numerical_gradient``'s docstring.  With ``eps=None`` (the
default) the step is chosen per method, ``h_i = c * max(1, |x_i|)``, and
rounded so that ``x_i + h_i`` is exactly representable (the step that was
really taken is the one divided by).

Imports numpy and ``course_lib.validation`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from .validation import (
    describe,
    as_float_array,
    as_scalar_output,
    as_choice,
    as_generator,
    as_int,
    as_nonnegative,
    as_positive,
    require_same_shape,
)

__all__ = [
    "METHODS",
    "difference_quotient",
    "difference_quotients",
    "difference_errors",
    "quotient_errors",
    "QuotientErrors",
    "default_step",
    "numerical_gradient",
    "relative_error",
    "relative_errors",
    "GradientCheckResult",
    "DirectionalCheckResult",
    "check_gradient",
    "from_scalar",
    "from_stacked",
    "numerical_gradient_batched",
    "check_gradient_batched",
    "check_gradient_sampled",
    "check_directional_derivative",
]

METHODS = ("forward", "backward", "central")
_EPS_MACH = np.finfo(np.float64).eps
_STEP_SCALE = {"forward": np.sqrt(_EPS_MACH), "backward": np.sqrt(_EPS_MACH), "central": np.cbrt(_EPS_MACH)}
_FLOOR = 1e-8  # CS231n's floor on the denominator of the relative error


# --------------------------------------------------------------------------
# the difference quotients
# --------------------------------------------------------------------------
def difference_quotient(method: str, f_plus, f_x, f_minus, h):
    """The difference quotient of ``method`` from the values of ``f`` around ``x``.

    ::

        forward   (f(x + h) - f(x)) / h          truncation error  f'' h / 2
        backward  (f(x) - f(x - h)) / h          truncation error -f'' h / 2
        central   (f(x + h) - f(x - h)) / (2h)   truncation error  f''' h^2 / 6

    ``f_plus = f(x + h)``, ``f_x = f(x)``, ``f_minus = f(x - h)``; the value a
    method does not use may be None (``f_x`` for central differences).
    Numbers or arrays (elementwise, in their own float type: float32 values
    and steps give a float32 quotient).  Every difference in ``course_lib``
    is computed here (``numerical_gradient``, ``difference_quotients``).
    """
    method = as_choice("method", method, METHODS)
    if method == "forward":
        return (f_plus - f_x) / h
    if method == "backward":
        return (f_x - f_minus) / h
    return (f_plus - f_minus) / (2 * h)


def difference_errors(method: str, h, f_x, d2f, d3f, eps=_EPS_MACH) -> tuple:
    """The leading error terms of ``method``'s quotient with step ``h``: ``(truncation, round_off)``.

    ::

        truncation   |f''(x)| h / 2      forward and backward (f(x+h) = f + f' h + f'' h^2/2 + ...)
                     |f'''(x)| h^2 / 6   central (the f'' terms cancel)
        round-off    eps |f(x)| / h      each value carries a relative error ~eps, divided by h

    ``d2f`` and ``d3f`` are ``f''(x)`` and ``f'''(x)``.  The sum is smallest
    near ``h ~ sqrt(eps)`` (one-sided) and ``h ~ eps^(1/3)`` (central): the
    bottom of lecture 2's V.  ``h`` a number or an array of steps; ``eps``
    the machine epsilon of the type the quotient is computed in
    (``np.finfo(np.float32).eps`` for float32).
    """
    method = as_choice("method", method, METHODS)
    h = as_float_array("h", h)
    if not np.all(h > 0):
        raise ValueError(f"h must hold steps > 0; got {describe(h)} with minimum {float(h.min())!r}")
    f_x, d2f, d3f = (abs(as_scalar_output(name, v)) for name, v in (("f_x", f_x), ("d2f", d2f), ("d3f", d3f)))
    eps = as_positive("eps", eps)
    truncation = d3f * h ** 2 / 6 if method == "central" else d2f * h / 2
    return truncation, eps * f_x / h


def difference_quotients(f: Callable, x, h, dtype=np.float64) -> dict:
    """Forward, backward and central quotients of ``f`` at ``x`` for the steps ``h``, in ``dtype``.

    For a function of one variable (``f`` elementwise, like ``np.exp``).
    Everything -- ``x``, ``h``, the values of ``f`` and the quotients -- is
    rounded to ``dtype``, as it is in a float32 network, so the round-off
    error ``~ eps |f| / h`` of that type shows (lecture 2's V-shaped
    error-against-step plot).  Overflow and division warnings are silenced:
    tiny steps in float32 may give inf or nan, which is part of the picture.

    Parameters
    ----------
    f : callable
        ``f(t)`` elementwise on arrays of ``dtype``.
    x : float
    h : float or array of floats > 0
    dtype : float32 or float64, default float64

    Returns
    -------
    dict
        ``{"forward": ..., "backward": ..., "central": ...}``, arrays of
        ``dtype`` shaped like ``h`` (see ``difference_quotient``).
    """
    if not callable(f):
        raise TypeError(f"f must be callable, f(t) elementwise; got {describe(f)}")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    x = as_scalar_output("x", x)
    h = as_float_array("h", h)
    if not np.all(h > 0):
        raise ValueError(f"h must hold steps > 0; got {describe(h)} with minimum {float(h.min())!r}")
    xd = dtype.type(x)
    hd = h.astype(dtype)
    with np.errstate(all="ignore"):
        f_plus, f_x, f_minus = (np.asarray(f(xd + hd), dtype), np.asarray(f(xd), dtype), np.asarray(f(xd - hd), dtype))
        return {m: difference_quotient(m, f_plus, f_x, f_minus, hd) for m in METHODS}


class QuotientErrors(NamedTuple):
    """The errors of the three quotients on a grid of steps, and each method's best step on it."""

    h: np.ndarray
    errors: dict
    best_h: dict


def quotient_errors(f: Callable, df_x, x, h, dtype=np.float64) -> QuotientErrors:
    """``|quotient - f'(x)|`` of each method at the steps ``h`` in ``dtype``, and the best step of each.

    The quotients are ``difference_quotients(f, x, h, dtype)``; ``df_x`` is the
    exact ``f'(x)``.  An error that is not finite (a float32 quotient that
    overflowed) is NaN, and the best step is the ``h`` of the smallest finite
    error.  Lecture 2's V-shaped plot and its h = 1e-8 ratio, and lecture 10's
    answer about it, are this one computation.
    """
    h = as_float_array("h", h)
    df_x = as_scalar_output("df_x", df_x)
    q = difference_quotients(f, x, h, dtype)
    errors, best_h = {}, {}
    for m in METHODS:
        err = np.abs(q[m].astype(np.float64) - df_x)
        errors[m] = np.where(np.isfinite(err), err, np.nan)
        if np.all(np.isnan(errors[m])):
            raise ValueError(f"h must hold at least one step with a finite {m} quotient; got {describe(h)}")
        best_h[m] = float(h.ravel()[np.nanargmin(errors[m])])
    return QuotientErrors(h, errors, best_h)


# --------------------------------------------------------------------------
# steps and scalar outputs
# --------------------------------------------------------------------------
def default_step(x, method: str = "central") -> np.ndarray:
    """The step ``numerical_gradient`` uses when ``eps=None``.

    ``h = c * max(1, |x|)`` with ``c = sqrt(eps_mach)`` (about 1.5e-8) for
    forward and backward differences and ``c = cbrt(eps_mach)`` (about 6.1e-6)
    for central differences, then rounded to ``(x + h) - x`` so that the
    perturbed point is exactly ``x + h``.
    """
    method = as_choice("method", method, METHODS)
    x = as_float_array("x", x).astype(np.float64, copy=False)
    h = _STEP_SCALE[method] * np.maximum(1.0, np.abs(x))
    return (x + h) - x


def _steps(x_flat: np.ndarray, method: str, eps) -> tuple[np.ndarray, object]:
    """Steps for the coordinates ``x_flat`` and a description of the choice."""
    if eps is None:
        return default_step(x_flat, method), "auto"
    eps = as_positive("eps", eps)
    return np.full(x_flat.shape, eps), eps


def _validate_indices(indices, n: int) -> np.ndarray:
    idx = np.asarray(indices)
    if idx.size == 0:
        raise ValueError("indices must hold at least one flat index (a check of nothing cannot pass); "
                         f"got {describe(indices)}")
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"indices must be a 1-D array of integer flat indices; got {describe(indices)}")
    if idx.min() < 0 or idx.max() >= n:
        raise ValueError(f"indices must lie in [0, {n}) (flat indices into x); "
                         f"got values from {idx.min()} to {idx.max()}")
    return idx.astype(np.int64)


# --------------------------------------------------------------------------
# f_batch adapters
# --------------------------------------------------------------------------
def _where(flat_index: int, shape: tuple, step: float) -> str:
    """Say which evaluation of ``f`` this is, e.g. ``f(x) with x[1, 2] += 6.06e-06``."""
    if step == 0:
        return "f(x)"
    where = ", ".join(str(int(k)) for k in np.unravel_index(int(flat_index), shape))
    return f"f(x) with x[{where}] {'+' if step > 0 else '-'}= {abs(step):.3g}"


def from_scalar(f: Callable, x) -> Callable:
    """Turn a plain ``f(x) -> float`` into an ``f_batch`` (one call per entry).

    The returned ``f_batch(idx, h)`` perturbs a private float64 copy of ``x``
    one coordinate at a time, calls ``f`` and restores the coordinate (also
    when ``f`` raises); ``x`` itself is never touched.  It is the plain loop,
    in the batched interface.  A value of ``f`` that is not one finite real
    number raises an error naming the perturbed entry of ``x``.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, f(x) -> float; got {describe(f)}")
    work = np.array(as_float_array("x", x), dtype=np.float64, copy=True)
    flat = work.reshape(-1)  # a view: writing flat[i] changes work

    def f_batch(idx, h):
        if len(idx) != len(h):
            raise ValueError(f"h must have one step per index; got {len(h)} steps for {len(idx)} indices")
        out = np.empty(len(idx))
        for j, (i, hj) in enumerate(zip(idx, h)):
            old = flat[i]
            flat[i] = old + hj
            try:
                out[j] = as_scalar_output(_where(i, work.shape, hj), f(work))
            finally:
                flat[i] = old
        return out

    return f_batch


def from_stacked(f_stacked: Callable, x) -> Callable:
    """Turn ``f_stacked`` (rows of parameter vectors -> losses) into an ``f_batch``.

    ``f_stacked(P)`` takes an array ``P`` of shape ``(B, x.size)``, each row a
    flattened parameter vector, and returns the ``B`` losses.  The returned
    ``f_batch(idx, h)`` builds row ``j`` as ``x.ravel()`` with
    ``h[j]`` added to entry ``idx[j]``.  Each call holds ``B`` copies of the
    parameters, ``8 * B * x.size`` bytes (128 rows of the 276,710 parameters
    of source ``003``'s network: 283 MB); a model that can apply one
    coordinate's perturbation more cheaply (the rank-1 update of
    ``course_lib.nn.MLP.loss_batch``) should write its own ``f_batch``.
    """
    if not callable(f_stacked):
        raise TypeError(f"f_stacked must be callable, f_stacked(P) -> losses; got {describe(f_stacked)}")
    base = np.array(as_float_array("x", x), dtype=np.float64).reshape(-1)

    def f_batch(idx, h):
        rows = np.tile(base, (len(idx), 1))
        rows[np.arange(len(idx)), idx] += h
        out = np.asarray(f_stacked(rows))
        if out.shape != (len(idx),):
            raise ValueError(
                f"f_stacked must return one loss per row, shape ({len(idx)},); got shape {out.shape}"
            )
        return out

    return f_batch


def _call_batch(f_batch: Callable, idx: np.ndarray, h: np.ndarray, shape: tuple) -> np.ndarray:
    """Call ``f_batch`` and check it returned ``len(idx)`` finite floats."""
    out = np.asarray(f_batch(idx, h))
    if out.shape != idx.shape:
        raise ValueError(
            f"f_batch(idx, h) must return one value per perturbation, shape {idx.shape}; "
            f"got {describe(out)}"
        )
    if not np.issubdtype(out.dtype, np.floating):
        raise TypeError(f"f_batch must return floating-point losses; got {describe(out)}")
    if not np.all(np.isfinite(out)):
        j = int(np.argmax(~np.isfinite(out)))
        raise ValueError(
            f"f_batch must return finite values; got {float(out[j])!r} for "
            f"{_where(idx[j], shape, h[j])} (flat index {int(idx[j])})"
        )
    return out.astype(np.float64, copy=False)


# --------------------------------------------------------------------------
# numerical gradients
# --------------------------------------------------------------------------
def numerical_gradient_batched(f_batch: Callable, x, method: str = "central", eps=None,
                               batch_size: int = 128, indices=None) -> np.ndarray:
    """Finite-difference gradient, evaluating perturbations in batches.

    Parameters
    ----------
    f_batch : callable
        ``f_batch(idx, h) -> array (B,)``: entry ``j`` is ``f`` at ``x`` with
        ``x.flat[idx[j]] += h[j]`` (``idx`` int64 flat indices, ``h`` float64
        signed steps, ``B <= batch_size``).  A zero step gives ``f(x)``.
    x : array
        The point (not modified).
    method : {"forward", "backward", "central"}
        ``(f(x+h) - f(x)) / h``, ``(f(x) - f(x-h)) / h`` or
        ``(f(x+h) - f(x-h)) / (2h)``.
    eps : float, optional
        Absolute step for every coordinate; default ``default_step(x, method)``.
    batch_size : int, default 128
        Largest number of perturbations per call of ``f_batch``.
    indices : array of int, optional
        Flat indices of the coordinates to estimate; default all.

    Returns
    -------
    array
        Shaped like ``x`` when ``indices`` is None, else a 1-D array holding
        the estimates for ``indices`` in that order.

    Notes
    -----
    The arithmetic is that of ``numerical_gradient`` (same steps, the
    formulas of ``difference_quotient``), so with ``from_scalar(f, x)`` the
    result is identical to it.
    Central differences call ``f_batch`` twice per batch (steps ``+h`` and
    ``-h``); one-sided differences first get ``f(x)`` once, as
    ``f_batch(idx[:1], [0.0])``.  Every call has at most ``batch_size``
    entries, and its output is checked: ``len(idx)`` finite floats, or an
    error naming the perturbed entry.
    """
    if not callable(f_batch):
        raise TypeError(f"f_batch must be callable, f_batch(idx, h) -> losses; got {describe(f_batch)}")
    method = as_choice("method", method, METHODS)
    x = as_float_array("x", x)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    flat = x.reshape(-1).astype(np.float64, copy=False)
    idx_all = np.arange(flat.size, dtype=np.int64) if indices is None else _validate_indices(indices, flat.size)
    h_all, _ = _steps(flat[idx_all], method, eps)
    out = np.empty(idx_all.size)
    f0 = None  # f(x), for the one-sided differences
    if method != "central" and idx_all.size:
        f0 = _call_batch(f_batch, idx_all[:1], np.zeros(1), x.shape)[0]
    for start in range(0, idx_all.size, batch_size):
        idx = idx_all[start:start + batch_size]
        h = h_all[start:start + batch_size]
        f_plus = _call_batch(f_batch, idx, h, x.shape) if method != "backward" else None
        f_minus = _call_batch(f_batch, idx, -h, x.shape) if method != "forward" else None
        out[start:start + len(idx)] = difference_quotient(method, f_plus, f0, f_minus, h)
    return out.reshape(x.shape) if indices is None else out


def numerical_gradient(f: Callable, x, method: str = "central", eps=None) -> np.ndarray:
    """Finite-difference estimate of the gradient of ``f`` at ``x``.

    For each coordinate ``i``, with ``e_i`` the i-th unit vector and ``h``
    the step (Taylor's theorem gives the truncation error)::

        forward:   (f(x + h e_i) - f(x)) / h              error  f'' h / 2     = O(h)
        backward:  (f(x) - f(x - h e_i)) / h              error -f'' h / 2     = O(h)
        central:   (f(x + h e_i) - f(x - h e_i)) / (2h)   error  f''' h^2 / 6  = O(h^2)

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for an array shaped like ``x``.  It must return one
        finite real number; otherwise the error names the perturbed entry.
    x : array
        Floating-point array of any shape; a 0-d array (a scalar) is
        supported too.  Integer arrays and non-finite values are rejected.
        ``x`` is left unchanged: ``f`` receives a private float64 copy in
        which one entry at a time is perturbed and then restored (also
        when ``f`` raises).
    method : {"forward", "backward", "central"}, default "central"
    eps : float, optional
        Absolute step, the same for every coordinate and used as given (not
        rounded), as in course source ``003`` and CS231n.  Default (None):
        ``default_step(x, method)``, i.e. ``h_i = c * max(1, |x_i|)`` with
        ``c = sqrt(eps_mach) ~ 1.49e-8`` for forward/backward and
        ``c = cbrt(eps_mach) ~ 6.06e-6`` for central differences, rounded to
        the step actually taken.

    Returns
    -------
    array of float64, shaped like ``x``.

    Notes
    -----
    *Truncation against round-off.*  ``f`` is computed with a relative error
    of about ``eps_mach = 2.2e-16``, so each value carries an absolute error
    of about ``eps_mach |f|`` and the difference quotient one of about
    ``eps_mach |f| / h``: it grows as the step shrinks, while the truncation
    error shrinks.  The total error is smallest where the two balance::

        one-sided:  |f''| h / 2    + eps_mach |f| / h  ->  h ~ sqrt(eps_mach) ~ 1.5e-8,
                                                           error ~ sqrt(eps_mach) ~ 1e-8
        central:    |f'''| h^2 / 6 + eps_mach |f| / h  ->  h ~ cbrt(eps_mach)  ~ 6e-6,
                                                           error ~ eps_mach^(2/3) ~ 4e-11

    (relative to the scale of ``f`` and its derivatives; ``h`` grows with
    ``|x_i|`` because ``x_i + h`` is itself rounded to about
    ``eps_mach |x_i|``).

    *Why 1e-8 is a poor central step* (erratum of course source ``003``,
    section 2.2, which uses ``eps = 1e-8`` for all three methods).  At
    ``h = 1e-8`` the central truncation error ``|f'''| h^2 / 6 ~ 2e-17`` is
    negligible but the round-off ``eps_mach |f| / h ~ 2e-8 |f|`` is not: the
    estimate is good to about 1e-8 relative, no better than a forward
    difference, where the cube-root step gives about 1e-11.  The second-order
    accuracy that is the reason for using central differences is thrown
    away.  For one-sided differences 1e-8 is about right.

    *Representable step.*  ``x_i + h`` is rounded to a float, so the step
    really taken can differ from ``h`` by up to ``eps_mach |x_i| / 2``; with
    ``eps=None`` the step is replaced by ``(x_i + h) - x_i`` (computed
    exactly), so the quotient divides by the step that was taken.

    *Cost.*  ``n`` coordinates cost ``2n`` evaluations of ``f`` (central) or
    ``n + 1`` (one-sided).  For large models use ``check_gradient_batched``,
    ``check_gradient_sampled`` or ``check_directional_derivative``.
    Erratum of course source ``003`` (section 2.3): it times forward,
    backward and central differences at "0.52123", "0.52331" and "0.52957
    seconds per sample", as if central differences cost no more; they need
    ``2n`` evaluations against ``n + 1``, about twice the time (one-sided
    differences reuse ``f(x)`` for every coordinate).  Its "Figure 1 compares
    the gradient validation results" means Table 1 (Figure 1 is the training
    curve), and its reason for the central difference's lower error (second
    order) does not hold at its ``eps = 1e-8``, where round-off, not
    truncation, sets the error (above).
    """
    x = as_float_array("x", x)
    return numerical_gradient_batched(from_scalar(f, x), x, method=method, eps=eps, batch_size=1024)


# --------------------------------------------------------------------------
# relative error and results
# --------------------------------------------------------------------------
def relative_errors(a, b) -> np.ndarray:
    """Element-wise ``|a - b| / max(|a| + |b|, 1e-8)`` (shapes must match)."""
    a = as_float_array("a", a)
    b = as_float_array("b", b)
    require_same_shape("a", a, "b", b)
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), _FLOOR)


def relative_error(a, b) -> float:
    """Largest element-wise relative error, CS231n's convention.

    ``max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-8)``.  Rules of thumb
    (CS231n): above 1e-2 the gradient is probably wrong; 1e-4 is suspicious
    for smooth functions but fine across ReLU kinks; below 1e-7 all is well.
    The 1e-8 floor keeps entries where both values are ~0 from counting.

    Parameters
    ----------
    a, b : arrays of the same shape (no broadcasting).
    """
    errors = relative_errors(a, b)
    return float(errors.max()) if errors.size else 0.0


def _table(rows, headers) -> str:
    widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h) for k, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.rjust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(headers)] + [line(r) for r in rows])


@dataclass(frozen=True, repr=False)
class GradientCheckResult:
    """Outcome of a gradient check.

    Attributes
    ----------
    passed : bool
        Every entry has relative error <= ``tol`` (or absolute error <=
        ``atol``, when given).
    max_relative_error : float
    worst_index : tuple
        Index into ``x`` of the worst coordinate.
    numeric, analytic : arrays
        Shaped like ``x`` for a full check; for a sampled or ``indices``
        check, 1-D arrays over the checked coordinates ``indices``.
    relative_errors : array
        Element-wise relative errors, shaped like ``numeric``.
    method, eps, tol, n_checked, shape
        How the check was made; ``eps`` is "auto" for the default steps.
    indices : array or None
        Flat indices of the checked coordinates (None for a full check).
    atol : float
    n_failed : int
        Number of entries that fail the test.
    """

    passed: bool
    max_relative_error: float
    worst_index: tuple
    numeric: np.ndarray
    analytic: np.ndarray
    relative_errors: np.ndarray
    method: str
    eps: object
    tol: float
    n_checked: int
    shape: tuple
    indices: np.ndarray | None = field(default=None)
    atol: float = 0.0
    n_failed: int = 0

    def worst(self, k: int = 5) -> list[tuple[tuple, float, float, float]]:
        """The ``k`` worst entries as (index, analytic, numeric, relative error)."""
        err = self.relative_errors.reshape(-1)
        order = np.argsort(err)[::-1][:k]
        flat_idx = order if self.indices is None else self.indices[order]
        return [
            (tuple(int(i) for i in np.unravel_index(int(fi), self.shape)),
             float(self.analytic.reshape(-1)[o]), float(self.numeric.reshape(-1)[o]), float(err[o]))
            for o, fi in zip(order, flat_idx)
        ]

    def __bool__(self) -> bool:
        return bool(self.passed)

    def __repr__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        eps = self.eps if isinstance(self.eps, str) else f"{self.eps:.3g}"
        limits = f"tol {self.tol:.1e}" + (f", atol {self.atol:.1e}" if self.atol else "")
        failed = (f", {self.n_failed} entr{'y fails' if self.n_failed == 1 else 'ies fail'}"
                  if self.n_failed else "")
        head = (f"GradientCheckResult: {verdict}  max relative error {self.max_relative_error:.3e} "
                f"({limits}) at index {self.worst_index}{failed}\n"
                f"  {self.n_checked} of {int(np.prod(self.shape, dtype=np.int64))} coordinates, "
                f"{self.method} differences, eps={eps}\n")
        rows = [(str(i), f"{a:.10g}", f"{n:.10g}", f"{e:.2e}") for i, a, n, e in self.worst(5)]
        body = _table(rows, ("index", "analytic", "numeric", "rel. error"))
        return head + "\n".join("  " + r for r in body.splitlines())


def _analytic(grad, x: np.ndarray) -> np.ndarray:
    value = grad(x.copy()) if callable(grad) else grad
    g = as_float_array("grad", value)
    require_same_shape("x", x, "grad", g)
    return g


def _passes(errors, numeric, analytic, tol, atol) -> np.ndarray:
    """Entry-wise verdict: relative error <= tol, or absolute error <= atol."""
    return (errors <= tol) | (np.abs(numeric - analytic) <= atol)


def _result(numeric, analytic, method, eps, tol, atol, shape, indices=None) -> GradientCheckResult:
    """Assemble the verdict; ``tol`` and ``atol`` were validated by the caller."""
    errors = relative_errors(numeric, analytic)
    if errors.size == 0:
        raise ValueError("x must have at least one entry to check (a check of nothing cannot pass); "
                         "got an empty array")
    k = int(np.argmax(errors))
    flat_worst = k if indices is None else int(indices[k])
    ok = _passes(errors, numeric, analytic, tol, atol)
    return GradientCheckResult(
        passed=bool(np.all(ok)), max_relative_error=float(errors.reshape(-1)[k]),
        worst_index=tuple(int(i) for i in np.unravel_index(flat_worst, shape)),
        numeric=numeric, analytic=analytic, relative_errors=errors, method=method,
        eps="auto" if eps is None else float(eps), tol=tol, n_checked=int(errors.size),
        shape=tuple(shape), indices=indices, atol=atol,
        n_failed=int(np.sum(~ok)),
    )


def check_gradient(f: Callable, grad, x, method: str = "central", eps=None,
                   tol: float = 1e-6, atol: float = 0.0) -> GradientCheckResult:
    """Compare an analytic gradient with ``numerical_gradient``.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    grad : callable or array
        ``grad(x) -> array`` shaped like ``x``, or the gradient already
        computed at ``x``.
    x : array
        Where to check (not modified).
    method, eps
        See ``numerical_gradient``.
    tol : float, default 1e-6
        Pass when the largest relative error (``relative_error``) is <= tol.
    atol : float, default 0
        Also let an entry pass when ``|analytic - numeric| <= atol``.  A
        central difference cannot resolve a gradient entry much below its own
        round-off, about ``eps_mach |f(x)| / h`` (1e-16 * |f| / 6e-6 ~ 4e-11
        |f| with the default step), so entries that small show large relative
        errors even when right; ``atol`` a few times that level (as in
        ``numpy.allclose``) keeps them from failing the check.  The default 0
        is CS231n's plain relative test.

    Returns
    -------
    GradientCheckResult
        ``print`` it for the verdict and the five worst entries; it is truthy
        when the check passed.
    """
    tol = as_positive("tol", tol)
    atol = as_nonnegative("atol", atol)
    x = as_float_array("x", x)
    analytic = _analytic(grad, x)
    numeric = numerical_gradient(f, x, method=method, eps=eps)
    return _result(numeric, analytic.astype(np.float64), method, eps, tol, atol, x.shape)


def check_gradient_batched(f_batch: Callable, grad, x, method: str = "central", eps=None,
                           tol: float = 1e-6, batch_size: int = 128, indices=None,
                           atol: float = 0.0) -> GradientCheckResult:
    """``check_gradient`` over batches of perturbations (the fast full check).

    ``f_batch`` follows the contract of ``numerical_gradient_batched``;
    ``grad`` is a callable or the gradient array; ``tol`` and ``atol`` as in
    ``check_gradient``.  With ``indices`` only those
    flat coordinates are checked (``numeric`` and ``analytic`` are then 1-D
    over ``indices``).
    """
    tol = as_positive("tol", tol)
    atol = as_nonnegative("atol", atol)
    x = as_float_array("x", x)
    analytic = _analytic(grad, x).astype(np.float64)
    numeric = numerical_gradient_batched(f_batch, x, method=method, eps=eps,
                                         batch_size=batch_size, indices=indices)
    if indices is None:
        return _result(numeric, analytic, method, eps, tol, atol, x.shape)
    idx = _validate_indices(indices, x.size)
    return _result(numeric, analytic.reshape(-1)[idx], method, eps, tol, atol, x.shape, idx)


def check_gradient_sampled(f: Callable | None, grad, x, n_samples: int = 1000, method: str = "central",
                           eps=None, tol: float = 1e-6, seed=None, f_batch: Callable | None = None,
                           batch_size: int = 128, atol: float = 0.0) -> GradientCheckResult:
    """Check ``n_samples`` coordinates drawn at random without replacement.

    Cost: ``2 * n_samples`` evaluations (central), whatever the size of ``x``.
    A single wrong coordinate among ``n`` is found with probability
    ``n_samples / n``; a bug that touches a whole layer is found almost surely.

    Parameters
    ----------
    f : callable or None
        ``f(x) -> float``; may be None when ``f_batch`` is given.
    grad : callable or array
    x : array
    n_samples : int, default 1000
        Between 1 and ``x.size``.
    seed : int, numpy Generator or None
        Which coordinates are drawn (``validation.as_generator``): an int
        draws the same ones every time, None fresh ones.
    f_batch : callable, optional
        If given, used instead of looping over ``f`` (see
        ``numerical_gradient_batched``).
    Other parameters as in ``check_gradient``.

    Returns
    -------
    GradientCheckResult
        ``indices`` holds the sampled flat indices (sorted).
    """
    x = as_float_array("x", x)
    n_samples = as_int("n_samples", n_samples, minimum=1)
    if n_samples > x.size:
        raise ValueError(f"n_samples must be at most x.size = {x.size}; got {n_samples}")
    if f_batch is None:
        if f is None:
            raise TypeError("f must be callable when f_batch is not given; got None")
        f_batch = from_scalar(f, x)
    rng = as_generator("seed", seed)
    idx = np.sort(rng.choice(x.size, size=n_samples, replace=False)).astype(np.int64)
    return check_gradient_batched(f_batch, grad, x, method=method, eps=eps, tol=tol,
                                  batch_size=batch_size, indices=idx, atol=atol)


@dataclass(frozen=True, repr=False)
class DirectionalCheckResult:
    """Outcome of ``check_directional_derivative``.

    ``numeric[k]`` is the central difference of ``f`` along ``directions[k]``
    and ``analytic[k]`` the dot product of the gradient with it.
    """

    passed: bool
    max_relative_error: float
    worst_direction: int
    numeric: np.ndarray
    analytic: np.ndarray
    relative_errors: np.ndarray
    directions: np.ndarray
    eps: float
    tol: float

    def __bool__(self) -> bool:
        return bool(self.passed)

    def __repr__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        head = (f"DirectionalCheckResult: {verdict}  max relative error {self.max_relative_error:.3e} "
                f"(tol {self.tol:.1e}) in direction {self.worst_direction}\n"
                f"  {len(self.numeric)} random unit directions, central differences, eps={self.eps:.3g}\n")
        order = np.argsort(self.relative_errors)[::-1][:5]
        rows = [(str(int(k)), f"{self.analytic[k]:.10g}", f"{self.numeric[k]:.10g}",
                 f"{self.relative_errors[k]:.2e}") for k in order]
        body = _table(rows, ("direction", "grad . u", "numeric", "rel. error"))
        return head + "\n".join("  " + r for r in body.splitlines())


def check_directional_derivative(f: Callable, grad, x, n_directions: int = 20, eps=None,
                                 tol: float = 1e-6, seed=None, atol: float = 0.0) -> DirectionalCheckResult:
    """Check the gradient along random directions: ``grad . u`` vs a difference.

    For unit vectors ``u`` drawn uniformly on the sphere (normalised
    Gaussians), compare the two sides of ``d/dt f(x + t u) = grad f(x) . u``::

        numeric  = (f(x + h u) - f(x - h u)) / (2h)
        analytic = grad(x) . u

    Power and limits
    ----------------
    * Cost: two evaluations of ``f`` per direction, whatever the dimension
      ``n`` (20 directions = 40 evaluations, against ``2n`` for the full
      check).
    * A wrong gradient ``g' = g + d`` passes a direction only if the error
      cancels inside it, ``d . u = 0``: a set of directions of measure zero.
      So for random directions any wrong gradient is caught with
      probability 1 -- *if* the error is large enough to stand out.
    * It shows relative to the whole gradient, not to the wrong entry:
      ``d . u ~ |d| / sqrt(n)`` against ``g . u ~ |g| / sqrt(n)``, so the
      relative error is about ``|d| / (2 |g|)``.  One entry off by 1 % among
      ``n`` of similar size gives ``~0.005 / sqrt(n)``; for very large
      ``n`` and a loose ``tol`` a small error in a few coordinates can pass.
    * A *correct* gradient can fail a direction where ``g . u`` happens to
      be tiny: the difference's round-off ``eps_mach |f| / h`` is then large
      relative to it.  The chance grows with ``sqrt(n) |f| / |g|``; an
      ``atol`` a few times ``eps_mach |f| / h`` removes these false alarms.
    * It cannot say *which* coordinate is wrong (use
      ``check_gradient_sampled`` or ``check_gradient_batched`` for that).

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    grad : callable or array
        ``grad(x) -> array`` shaped like ``x``, or the gradient at ``x``.
    x : array
        At least one entry; not modified (``f`` receives new arrays).
    n_directions : int, default 20
    eps : float, optional
        Step ``h`` along ``u``.  Default ``cbrt(eps_mach) * max(1, rms(x))``
        (about ``6.06e-6`` for ``x`` of order 1), with ``rms(x) =
        sqrt(mean(x**2))`` the typical size of a coordinate: the central
        step of ``numerical_gradient`` at the scale of ``x``.  (The largest
        ``|x_i|`` would let one outlier set the step for all coordinates.)
    tol : float, default 1e-6
    atol : float, default 0
        As in ``check_gradient``.
    seed : int, numpy Generator or None
        Which directions are drawn (``validation.as_generator``): an int
        draws the same ones every time, None fresh ones.

    Returns
    -------
    DirectionalCheckResult
        ``analytic[k]`` is ``grad . u`` for the step really taken: the
        points ``x +- h u`` are rounded to floats, so ``u`` is replaced by
        ``((x + h u) - (x - h u)) / (2h)``, computed exactly (the directional
        form of the representable-step trick of ``numerical_gradient``).
        It differs from ``directions[k] . grad`` by round-off only.
    """
    x = as_float_array("x", x)
    if not callable(f):
        raise TypeError(f"f must be callable, f(x) -> float; got {describe(f)}")
    if x.size == 0:
        raise ValueError("x must have at least one entry to check; got an empty array")
    n_directions = as_int("n_directions", n_directions, minimum=1)
    tol = as_positive("tol", tol)
    atol = as_nonnegative("atol", atol)
    g = _analytic(grad, x).astype(np.float64).reshape(-1)
    base = x.astype(np.float64).reshape(-1)
    if eps is None:
        h = float(_STEP_SCALE["central"] * max(1.0, np.sqrt(np.mean(base**2))))
    else:
        h = as_positive("eps", eps)
    U = as_generator("seed", seed).standard_normal((n_directions, base.size))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    numeric = np.empty(n_directions)
    analytic = np.empty(n_directions)
    for k, u in enumerate(U):
        x_plus, x_minus = base + h * u, base - h * u
        fp = as_scalar_output(f"f(x + h u) (direction {k})", f(x_plus.reshape(x.shape)))
        fm = as_scalar_output(f"f(x - h u) (direction {k})", f(x_minus.reshape(x.shape)))
        numeric[k] = difference_quotient("central", fp, None, fm, h)
        analytic[k] = g @ (x_plus - x_minus) / (2 * h)
    errors = relative_errors(numeric, analytic)
    k = int(np.argmax(errors))
    return DirectionalCheckResult(
        passed=bool(np.all(_passes(errors, numeric, analytic, tol, atol))),
        max_relative_error=float(errors[k]), worst_direction=k,
        numeric=numeric, analytic=analytic, relative_errors=errors, directions=U, eps=h, tol=tol,
    )
