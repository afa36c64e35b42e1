"""Input validation shared by every module of course_lib.

Each helper raises a ``ValueError`` or ``TypeError`` whose message names the
argument, says what was expected and shows what was given, in the spirit of
scikit-learn's ``check_array``.  Nothing here fixes bad input silently.

The names say what a helper does: ``as_*`` returns the value converted
(``as_positive("lr", lr)`` is the float ``lr``), ``require_*`` only raises.
Public functions validate their arguments once, at the boundary; what they
call after that trusts its inputs.  ("Check" in this kit means comparing
with a reference: ``gradcheck.check_gradient``, the exercises' checks.)
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "require_same_shape",
    "as_real",
    "as_positive",
    "as_nonnegative",
    "as_in_interval",
    "as_choice",
    "as_int",
    "as_spd",
    "as_scalar_output",
    "as_start_point",
    "gradient_at",
    "as_generator",
    "as_bool",
    "describe",
]


def describe(x) -> str:
    """A short description of ``x`` for an error message: its type, and its shape and dtype for an array."""
    if isinstance(x, np.ndarray):
        return f"array of dtype {x.dtype} and shape {x.shape}"
    return f"{type(x).__name__} {x!r}"


def as_float_array(name: str, x, *, allow_scalar: bool = True, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a floating-point ndarray without copying float input.

    Integer, boolean, complex and object input is rejected rather than cast:
    ``w -= lr * g`` on an integer array silently truncates, which is exactly
    the kind of wrong number the kit must never return.
    """
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be a floating-point array; got {describe(x)}")
    arr = np.asarray(x)
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(
            f"{name} must be a floating-point array (float32 or float64); got {describe(x)}. "
            f"Convert it first, e.g. {name}.astype(np.float64)."
        )
    if not allow_scalar and arr.ndim == 0:
        raise ValueError(f"{name} must be an array with at least one dimension; got the scalar {x!r}")
    if finite and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))
        where = tuple(int(i) for i in bad[0]) if arr.ndim else ()
        raise ValueError(
            f"{name} must contain only finite values; found {int(bad.shape[0])} non-finite "
            f"entr{'y' if bad.shape[0] == 1 else 'ies'} (first at index {where}: {arr[where]!r})"
        )
    return arr


def require_same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise if two arrays differ in shape (no broadcasting between state arrays)."""
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{name_b} must have the same shape as {name_a}; "
            f"{name_a} has shape {np.shape(a)} but {name_b} has shape {np.shape(b)}"
        )


def as_real(name: str, value) -> float:
    """Return ``value`` as a float, raising unless it is one finite real number (not a bool)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number; got {describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return value


def as_positive(name: str, value) -> float:
    """Return ``value`` as a float, raising unless it is finite and > 0."""
    v = as_real(name, value)
    if not v > 0:
        raise ValueError(f"{name} must be > 0; got {value!r}")
    return v


def as_nonnegative(name: str, value) -> float:
    """Return ``value`` as a float, raising unless it is finite and >= 0."""
    v = as_real(name, value)
    if not v >= 0:
        raise ValueError(f"{name} must be >= 0; got {value!r}")
    return v


def as_in_interval(name: str, value, low: float, high: float, *, closed: str = "left") -> float:
    """Return ``value`` as a float, raising unless it lies in the interval.

    ``closed`` is "left" for [low, high), "right" for (low, high], "both" for
    [low, high] and "neither" for (low, high).
    """
    v = as_real(name, value)
    lo_ok = v >= low if closed in ("left", "both") else v > low
    hi_ok = v <= high if closed in ("right", "both") else v < high
    if not (lo_ok and hi_ok):
        left = "[" if closed in ("left", "both") else "("
        right = "]" if closed in ("right", "both") else ")"
        raise ValueError(f"{name} must lie in {left}{low}, {high}{right}; got {value!r}")
    return v


def as_choice(name: str, value, choices) -> str:
    """Raise unless ``value`` is one of ``choices`` (listed in the message)."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def as_int(name: str, value, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int, raising unless it is an integer >= minimum."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer; got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return value


def as_spd(name: str, A) -> np.ndarray:
    """Return ``A`` as a float matrix, raising unless it is symmetric positive definite."""
    A = as_float_array(name, A, allow_scalar=False)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a square 2-D matrix; got shape {A.shape}")
    if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12 * max(1.0, float(np.abs(A).max()))):
        raise ValueError(f"{name} must be symmetric (0.5 x'Ax only sees the symmetric part of A)")
    lam_min = float(np.linalg.eigvalsh(A)[0])
    if lam_min <= 0:
        raise ValueError(
            f"{name} must be positive definite (otherwise the quadratic has no minimiser); "
            f"its smallest eigenvalue is {lam_min:.6g}"
        )
    return A


def as_scalar_output(name: str, value, *, finite: bool = True) -> float:
    """Return a value a callable produced (a loss, a reward) as a float.

    Raises unless it is one real number (a 0-d or size-1 array is fine) and,
    with ``finite=True``, finite.  ``name`` says where it came from, e.g.
    ``"f(x)"`` or ``"loss(w + dW)"``.
    """
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(f"{name} must be a scalar (one real number); got an array of shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"{name} must be a real number; got {describe(value)}")
    v = float(arr.reshape(()))
    if finite and not np.isfinite(v):
        raise ValueError(f"{name} must be finite; got {v!r}")
    return v


def as_start_point(x0) -> np.ndarray:
    """Return the starting point ``x0`` of an iteration as a 1-D float array."""
    x0 = as_float_array("x0", x0, allow_scalar=False)
    if x0.ndim != 1:
        raise ValueError(f"x0 must be a 1-D array; got shape {x0.shape}")
    return x0


def gradient_at(grad, x: np.ndarray, k: int, hint: str = "") -> np.ndarray:
    """``grad(x_k)`` of an iteration, validated: float, shaped like ``x``, finite.

    ``grad`` receives a copy of ``x``.  Non-finite values mean the iteration
    has diverged; ``hint`` is appended to that message (e.g. "try a smaller lr").
    """
    g = as_float_array(f"grad(x_{k})", grad(x.copy()), finite=False)
    require_same_shape("x0", x, f"grad(x_{k})", g)
    if not np.all(np.isfinite(g)):
        raise ValueError(
            f"grad(x_{k}) returned non-finite values at x_{k} = {x!r}: the iteration has diverged"
            + (f" ({hint})" if hint else "")
        )
    return g


def as_generator(name: str, seed) -> np.random.Generator:
    """``seed`` as a numpy random Generator, the one idiom for randomness in the kit.

    As scikit-learn's ``check_random_state``: an int (>= 0) makes a new
    Generator seeded with it (the same numbers every time), a Generator is
    used as it is (its state advances, so consecutive calls draw new numbers),
    ``None`` makes one from fresh entropy (not reproducible).  Anything else
    is a TypeError naming ``name``.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an int or a numpy random Generator (e.g. np.random.default_rng(0)); "
                        f"got {describe(seed)}")
    if seed < 0:
        raise ValueError(f"{name} must be an int >= 0 or a numpy random Generator; got {int(seed)}")
    return np.random.default_rng(int(seed))


def as_bool(name: str, value) -> bool:
    """Return ``value`` as a bool, raising unless it is True or False (not 0, 1 or "yes")."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)
