"""Lecture 2, numerical gradients: forward, backward and central differences and their
error against the step, in float64 and float32.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..validation import as_choice
from .figures import figure as _figure
from .interactive import Interactive, _float_slider, _dropdown

__all__ = ["difference_quotients", "finite_differences"]
WIDGETS = ("finite_differences",)  # the slider figures, in the notebook's order


FD_FUNCTIONS = {  # name -> (f, f', f'', f''') for the error curves; all smooth on x > 0
    "exp": (np.exp, np.exp, np.exp, np.exp),
    "sin": (np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    "log": (np.log, lambda x: 1 / x, lambda x: -1 / x ** 2, lambda x: 2 / x ** 3),
}
FD_METHODS = ("forward", "backward", "central")


def difference_quotients(f: Callable, x: float, h, dtype=np.float64) -> dict:
    """Forward, backward and central difference quotients of ``f`` at ``x``, computed in ``dtype``.

    forward  (f(x + h) - f(x)) / h          error ~ h |f''| / 2      + round-off ~ eps |f| / h
    backward (f(x) - f(x - h)) / h          error ~ h |f''| / 2      + round-off ~ eps |f| / h
    central  (f(x + h) - f(x - h)) / (2h)   error ~ h^2 |f'''| / 6   + round-off ~ eps |f| / h

    Everything (x, h, f's values, the quotient) is rounded to ``dtype``, as it
    is in a float32 network.  Returns a dict of arrays shaped like ``h``.
    """
    dtype = np.dtype(dtype)
    xd = dtype.type(x)
    hd = np.asarray(h, dtype=dtype)
    with np.errstate(all="ignore"):
        fp, f0, fm = (np.asarray(f(xd + hd), dtype), np.asarray(f(xd), dtype), np.asarray(f(xd - hd), dtype))
        return {"forward": (fp - f0) / hd, "backward": (f0 - fm) / hd, "central": (fp - fm) / (dtype.type(2) * hd)}


def finite_differences(function: str = "exp", x: float = 1.0, dtype: str = "float64") -> Interactive:
    """Error of the three difference quotients against the step h, on a log-log plot.

    The V shape: for large h the truncation error falls with h (slope 1 for
    one-sided differences, 2 for central ones); for small h round-off, about
    eps |f(x)| / h, grows again.  The best step balances the two:
    h ~ sqrt(eps) for one-sided, h ~ cbrt(eps) for central differences
    (eps = 2.2e-16 in float64, 1.2e-7 in float32).  The dotted line marks
    source 003's 1e-8, used for all three methods: near-optimal one-sided in
    float64, far too small for central differences.

    State: ``h``, ``errors`` (dict by method), ``best_h`` (dict: the h of the
    smallest error), ``error_at_1e-8`` (dict), ``eps`` (machine epsilon).
    """
    as_choice("function", function, tuple(FD_FUNCTIONS))
    h = np.logspace(-16, -1, 91)
    fig, (ax,) = _figure(8, 4.6)
    lines = {m: ax.loglog([], [], "-", lw=1.6, label=m, color=c)[0]
             for m, c in zip(FD_METHODS, ("C0", "C2", "C1"))}
    (trunc1,) = ax.loglog([], [], ":", color="0.5", lw=1, label="truncation h|f''|/2, h²|f'''|/6")
    (trunc2,) = ax.loglog([], [], ":", color="0.5", lw=1)
    (roundoff,) = ax.loglog([], [], "--", color="0.6", lw=1, label="round-off eps|f|/h")
    ax.set_xlim(1e-16, 1e-1)
    ax.set_ylim(1e-17, 1e2)
    ax.axvline(1e-8, color="C3", ls=":", lw=1.2, label="source 003's h = 1e-8")
    ax.set(xlabel="step h", ylabel="|numerical − exact derivative|")
    ax.grid(alpha=0.3, which="major")
    ax.legend(loc="upper center", fontsize=8, ncol=2)

    def draw(function, x, dtype):
        f, df, d2f, d3f = FD_FUNCTIONS[function]
        exact = float(df(x))
        q = difference_quotients(f, x, h, dtype)
        eps = float(np.finfo(dtype).eps)
        errors = {}
        for m in FD_METHODS:
            err = np.abs(q[m].astype(np.float64) - exact)
            err = np.where(np.isfinite(err), err, np.nan)
            errors[m] = err
            lines[m].set_data(h, np.maximum(err, 1e-17))
        trunc1.set_data(h, h * abs(d2f(x)) / 2)
        trunc2.set_data(h, h ** 2 * abs(d3f(x)) / 6)
        roundoff.set_data(h, eps * abs(f(x)) / h)
        best = {m: float(h[np.nanargmin(errors[m])]) for m in FD_METHODS}
        at = {m: float(np.interp(-8, np.log10(h), errors[m])) for m in FD_METHODS}
        ax.set_title(f"d/dx {function}(x) at x = {x:.3g} in {dtype}: best h forward {best['forward']:.0e}, "
                     f"central {best['central']:.0e}")
        return {"h": h, "errors": errors, "best_h": best, "error_at_1e-8": at, "eps": eps, "exact": exact}

    controls = {
        "function": _dropdown("f", list(FD_FUNCTIONS), function),
        "x": _float_slider("x", x, 0.1, 5.0, 0.05, readout_format=".2f"),
        "dtype": _dropdown("float type", ["float64", "float32"], dtype),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [*lines.values(), trunc1, trunc2, roundoff, ax.get_legend(), ax.title],
                       caption="Best step: about sqrt(eps) for one-sided, cbrt(eps) for central differences "
                               "(float64: 1.5e-8 and 6e-6; float32: 3e-4 and 5e-3).")
