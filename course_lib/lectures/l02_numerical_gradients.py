"""Lecture 2, numerical gradients: forward, backward and central differences and their
error against the step, in float64 and float32.

The quotients are ``gradcheck.difference_quotients`` (the formulas of
``gradcheck.difference_quotient``, the same ``numerical_gradient`` uses); this module
draws their errors.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import METHODS, difference_errors, quotient_errors
from ..validation import as_choice
from .figures import Markdown, figure as _figure, reveal
from .interactive import Interactive, float_slider, dropdown

__all__ = ["finite_differences", "float32_step_answer"]
WIDGETS = ("finite_differences",)  # the slider figures, in the notebook's order


STEPS = np.logspace(-16, -1, 91)
"""The steps h of the figure's curves."""

FD_FUNCTIONS = {  # name -> (f, f', f'', f''') for the error curves; all smooth on x > 0
    "exp": (np.exp, np.exp, np.exp, np.exp),
    "sin": (np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    "log": (np.log, lambda x: 1 / x, lambda x: -1 / x ** 2, lambda x: 2 / x ** 3),
}


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
    h = STEPS
    fig, (ax,) = _figure(8, 4.6)
    lines = {m: ax.loglog([], [], "-", lw=1.6, label=m, color=c)[0]
             for m, c in zip(METHODS, ("C0", "C2", "C1"))}
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
        eps = float(np.finfo(dtype).eps)
        measured = _step_errors(function, x, dtype, h)
        errors = measured.errors
        for m in METHODS:
            lines[m].set_data(h, np.maximum(errors[m], 1e-17))
        one_sided, roundoff_error = difference_errors("forward", h, f(x), d2f(x), d3f(x), eps)
        central, _ = difference_errors("central", h, f(x), d2f(x), d3f(x), eps)
        trunc1.set_data(h, one_sided)
        trunc2.set_data(h, central)
        roundoff.set_data(h, roundoff_error)
        best = measured.best_h
        at = {m: float(np.interp(-8, np.log10(h), errors[m])) for m in METHODS}
        ax.set_title(f"d/dx {function}(x) at x = {x:.3g} in {dtype}: best h forward {best['forward']:.0e}, "
                     f"central {best['central']:.0e}")
        return {"h": h, "errors": errors, "best_h": best, "error_at_1e-8": at, "eps": eps, "exact": exact}

    controls = {
        "function": dropdown("f", list(FD_FUNCTIONS), function),
        "x": float_slider("x", x, 0.1, 5.0, 0.05, readout_format=".2f"),
        "dtype": dropdown("float type", ["float64", "float32"], dtype),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [*lines.values(), trunc1, trunc2, roundoff, ax.get_legend(), ax.title],
                       caption="Best step: about sqrt(eps) for one-sided, cbrt(eps) for central differences ("
                               + "; ".join(f"{t}: {np.sqrt(np.finfo(t).eps):.1e} and {np.cbrt(np.finfo(t).eps):.1e}"
                                           for t in ("float64", "float32")) + ").")

def _step_errors(function: str, x: float, dtype: str, h=None):
    """``gradcheck.quotient_errors`` for one of ``FD_FUNCTIONS`` at ``x`` on the steps ``h`` (default ``STEPS``)."""
    f, df = FD_FUNCTIONS[function][:2]
    return quotient_errors(f, float(df(x)), x, STEPS if h is None else h, dtype)


def float32_step_answer(function: str = "exp", x: float = 1.0) -> Markdown:
    """The answer to "why is the best central step so much larger in float32?", measured on the figure's steps."""
    as_choice("function", function, tuple(FD_FUNCTIONS))
    best = {t: _step_errors(function, x, t).best_h["central"] for t in ("float64", "float32")}
    eps = {t: float(np.finfo(t).eps) for t in best}
    return reveal(
        f"Measured on the plot's steps ({function} at $x = {x:g}$): the best central step is {best['float32']:.1e} "
        f"in float32 against {best['float64']:.1e} in float64. The best step balances truncation "
        r"$\tfrac{h^2}{6}|f'''|$ against round-off $\varepsilon|f|/h$, so it grows like $\sqrt[3]{\varepsilon}$: "
        f"float32's machine epsilon is {eps['float32']:.1e} against {eps['float64']:.1e} in float64, and "
        f"their cube roots are {np.cbrt(eps['float32']):.1e} and {np.cbrt(eps['float64']):.1e}. A float32 "
        f"network is therefore checked in float64, or with much larger steps.")

