"""Slider figures for the lectures: each returns an ``Interactive`` to display in a notebook.

Every figure of a lecture that reacts to a slider is one function here; the
notebook cell only calls it::

    from course_lib import widgets
    widgets.sextic_descent()          # the figure with its sliders

How they work
-------------
An ``Interactive`` owns one matplotlib ``Figure`` (Agg, created once) and a set
of ipywidgets controls.  Moving a control calls ``update(**values)``: a plain
function that recomputes, changes the data of the figure's existing artists
(``line.set_data``, titles) and renders the figure to PNG into one
``ipywidgets.Image``.  Nothing is re-created per move, so the picture changes
in place without flicker, in JupyterLab, in a headless run and in tests alike
(no ipympl needed).  ``update`` returns ``state``, a dict with the numbers the
figure shows (final loss, whether the run diverged, ...), which is what the
tests check; ``benchmarks/bench_widgets.py`` times it (target: under 100 ms
per move, compute and redraw together).

Each widget function takes the initial values of its controls as keyword
arguments, so ``sextic_descent(lr=1.8)`` opens on a diverging run.

An ``Interactive`` is an ``ipywidgets.VBox`` (controls, the figure, a
caption), so it displays like any widget and can be placed in other layouts.
``import course_lib`` does not import this module; importing it loads numpy
and ipywidgets, and matplotlib when the first figure is made.
"""

from __future__ import annotations

import math
from typing import Callable

import ipywidgets as _w
import numpy as np

from ._checks import check_choice, check_int, check_positive
from .plots import figure as _figure

__all__ = [
    "Interactive",
    "run_optimizer",
    "sextic_descent",
    "linear_rate",
    "OPTIMIZER_STYLES",
    "race_optimizers",
    "optimizer_race",
    "momentum_forms",
]

BLOW_UP = 1e6  # an iterate this far from the plot's centre counts as diverged


# --------------------------------------------------------------------------
# The machinery
# --------------------------------------------------------------------------
class Interactive(_w.VBox):
    """A figure, its controls and the function that redraws one from the other: an ``ipywidgets.VBox``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Created once; ``draw`` changes its artists in place.
    controls : dict of name -> ipywidgets control
        Their ``value`` is passed to ``draw`` as keyword arguments.
    draw : callable
        ``draw(**values) -> dict``: updates the figure and returns the state
        (the numbers the figure shows).
    caption : str, optional
        One line shown under the figure (HTML allowed).
    presets : dict of name -> callable, optional
        ``presets[name](new_value) -> dict``: when the user moves control
        ``name``, other controls are set to the values returned (e.g. the
        learning rates that suit a newly chosen function), in the same redraw.
    dynamic : callable, optional
        ``dynamic() -> list of artists``: the artists ``draw`` changes (lines,
        titles, re-made contours), in drawing order.  Everything else is
        drawn once and kept as a background bitmap while the axes' limits,
        scales and static artists stay the same; a move then redraws only
        the dynamic artists over it (matplotlib's blitting).  Without it,
        every move redraws the whole figure.

    Attributes
    ----------
    values : dict
        The current value of every control.
    state : dict
        What the last ``draw`` returned.
    png : bytes
        The last rendering of the figure.
    """

    def __init__(self, fig, controls: dict, draw: Callable[..., dict], caption: str = "",
                 presets: dict | None = None, dynamic: Callable[[], list] | None = None):
        self.fig = fig
        self.controls = dict(controls)
        self._draw = draw
        self._presets = dict(presets or {})
        self._dynamic = dynamic
        self._background = self._background_key = None
        self.full_redraws = 0
        self.values = {name: c.value for name, c in self.controls.items()}
        self.image = _w.Image(format="png", layout=_w.Layout(max_width="100%", height="auto"))
        self.caption = _w.HTML(caption)
        self.state: dict = {}
        self.png = b""
        self._syncing = False
        for name, control in self.controls.items():
            control.observe(self._on_change(name), names="value")
        self.update()
        # The constrained layout placed the axes on that first drawing; keep them
        # there (re-running it costs more than the rest of a redraw).
        fig.set_layout_engine("none")
        rows = [_w.HBox(list(self.controls.values())[i:i + 3]) for i in range(0, len(self.controls), 3)]
        super().__init__(children=[*rows, self.image, self.caption])

    @property
    def widget(self):
        """The widget to display: the ``Interactive`` itself (a ``VBox``)."""
        return self

    def _on_change(self, name: str):
        def handler(change):
            if not self._syncing:
                preset = self._presets.get(name, lambda value: {})(change["new"])
                self.update(**{**preset, name: change["new"]})
        return handler

    def update(self, **values) -> dict:
        """Set some controls' values, redraw, render; return the new ``state``.

        The same path a slider move takes, callable without a browser.
        Unknown names raise ``TypeError``.
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            raise TypeError(f"update() got unknown control(s) {sorted(unknown)}; "
                            f"this figure has {sorted(self.controls)}")
        self.values.update(values)
        self._syncing = True
        try:  # keep the controls in step when called from code, without re-entering update
            for name, value in values.items():
                if self.controls[name].value != value:
                    self.controls[name].value = value
        finally:
            self._syncing = False
        self.state = self._draw(**self.values) or {}
        self.png = self.render()
        self.image.value = self.png
        return self.state

    def _static_key(self) -> tuple:
        """What the background bitmap depends on: per axes its view and its static artists."""
        key = [tuple(self.fig.get_size_inches())]
        for ax in self.fig.get_axes():
            static = [id(a) for a in (*ax.lines, *ax.collections, *ax.images, *ax.patches, *ax.texts,
                                      ax.get_legend(), ax.title) if a is not None and not a.get_animated()]
            key.append((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), tuple(static)))
        return tuple(key)

    def render(self) -> bytes:
        """The figure as PNG bytes (Agg): the whole figure, or the dynamic artists over the cached rest."""
        from .plots import encode_png

        canvas = self.fig.canvas
        if self._dynamic is None:
            canvas.draw()
            self.full_redraws += 1
            return encode_png(canvas)
        artists = [a for a in self._dynamic() if a is not None]
        for a in artists:
            a.set_animated(True)
        key = self._static_key()
        if key != self._background_key:
            canvas.draw()  # everything but the animated artists
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._background_key = key
            self.full_redraws += 1
        else:
            canvas.restore_region(self._background)
        for a in artists:
            self.fig.draw_artist(a)
        return encode_png(canvas)

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"<Interactive {self.fig.get_axes()[0].get_title()!r} ({vals})>"


def _float_slider(description: str, value: float, lo: float, hi: float, step: float, log: bool = False,
                  readout_format: str = ".3g"):
    style = {"description_width": "initial"}
    layout = _w.Layout(width="32%")
    if log:
        return _w.FloatLogSlider(value=value, base=10, min=math.log10(lo), max=math.log10(hi), step=step,
                                description=description, readout_format=readout_format,
                                continuous_update=True, style=style, layout=layout)
    return _w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         readout_format=readout_format, continuous_update=True, style=style, layout=layout)


def _int_slider(description: str, value: int, lo: int, hi: int, step: int = 1, continuous: bool = True):
    """An IntSlider; ``continuous=False`` updates on release only (for moves that recompute a lot)."""
    return _w.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                       continuous_update=continuous, style={"description_width": "initial"},
                       layout=_w.Layout(width="32%"))


def _batch_slider(value: int):
    """The batch sizes of lecture 4 (powers of two up to the 256 samples) on one slider."""
    return _w.SelectionSlider(options=list(BATCH_SIZES), value=value, description="batch size",
                              continuous_update=True, style={"description_width": "initial"},
                              layout=_w.Layout(width="32%"))


def _dropdown(description: str, options, value):
    return _w.Dropdown(options=options, value=value, description=description,
                      style={"description_width": "initial"}, layout=_w.Layout(width="32%"))


def run_optimizer(optimizer, grad: Callable, x0, steps: int, blow_up: float = BLOW_UP):
    """Iterates of ``optimizer`` on ``grad`` from ``x0``, stopped where they blow up.

    Like ``optim.trajectory``, but a diverging run is a result here, not an
    error: iteration stops at the first iterate that is not finite or whose
    largest coordinate exceeds ``blow_up`` in absolute value.

    Returns
    -------
    path : ndarray, shape (k + 1, dim)
        ``x0`` and the iterates, up to and excluding the first blown-up one.
    diverged : bool
    """
    x = np.array(x0, dtype=float).ravel()
    path = np.empty((steps + 1, x.size))
    path[0] = x
    step = optimizer._step_trusted  # the same arithmetic as step(); x and g are checked here
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            g = np.asarray(grad(x.copy()), dtype=float).reshape(x.shape)
            if not np.isfinite(g).all():
                return path[:k + 1], True
            step([x], [g])
            if not np.abs(x).max() <= blow_up:  # also catches NaN
                return path[:k + 1], True
            path[k + 1] = x
    return path, False


# --------------------------------------------------------------------------
# Lecture 1: gradient descent
# --------------------------------------------------------------------------
def sextic_descent(lr: float = 0.3, x0: float = 1.0, steps: int = 30) -> Interactive:
    """Gradient descent on source 004's sextic: sliders for the learning rate, start and steps.

    Left: f with the iterates x_0, x_1, ... joined in order.  Right: f(x_k)
    against k.  Near a minimum x*, x_{k+1} - x* ~ (1 - lr f''(x*)) (x_k - x*),
    so the iteration is stable only for lr < 2 / f''(x*) (about 1.68 at the
    local minimum x = 2.10, 1.19 at the global one x = 20.52); the title
    says where the run ended, whether it settled into a two-cycle (just above
    2 / f''(x*) the iterates jump between two points on either side of x*:
    a period-doubling, not a divergence), or when it left the plot.

    State: ``x`` (last iterate), ``f``, ``diverged``, ``converged`` (last
    step below 1e-6 relative), ``two_cycle``, ``steps_taken``,
    ``lr_max_local`` (2 / f'' at the minimum nearest to the last iterate).
    """
    from . import functions, optim

    f = functions.sextic()
    lo, hi = f.bounds[0]
    xs = np.linspace(lo, hi, 400)
    fig, (ax, ax_k) = _figure(10, 3.8, ncols=2)
    ax.plot(xs, f(xs[None]), color="0.3", lw=1.5, label="f(x)")
    for m in f.minima[:, 0]:
        ax.axvline(m, color="0.8", lw=0.8, zorder=0)
    (path_line,) = ax.plot([], [], "o-", color="C1", ms=4, lw=1, label="iterates $x_k$")
    (start,) = ax.plot([], [], "s", color="C3", ms=7, label="$x_0$")
    ax.set(xlabel="x", ylabel="f(x)", xlim=(lo, hi), ylim=(-8, 8))
    ax.legend(loc="upper left", fontsize=9)
    (curve,) = ax_k.plot([], [], "o-", color="C1", ms=3)
    ax_k.set(xlabel="step k", ylabel="f($x_k$)", title="f along the run")
    ax_k.grid(alpha=0.3)
    minima = f.minima[:, 0]
    curvature = np.array([f.hessian(np.array([m]))[0, 0] for m in minima])

    def draw(lr, x0, steps):
        path, diverged = run_optimizer(optim.SGD(lr), f.grad, [x0], steps, blow_up=1e3)
        p = path[:, 0]
        fp = f(p[None])
        path_line.set_data(p, fp)
        start.set_data([p[0]], [fp[0]])
        curve.set_data(np.arange(len(p)), fp)
        ax_k.set_xlim(0, max(steps, 1))
        finite = fp[np.isfinite(fp)]
        ax_k.set_ylim(min(-7.0, finite.min() - 0.5), max(8.0, min(finite.max(), 1e4) + 0.5))
        ax_k.set_yscale("symlog" if finite.max() > 50 else "linear")
        nearest = int(np.argmin(np.abs(minima - p[-1])))
        lr_max = 2.0 / curvature[nearest]
        converged = not diverged and len(p) > 1 and abs(p[-1] - p[-2]) <= 1e-6 * (1 + abs(p[-1]))
        cycling = (not diverged and not converged and len(p) > 3
                   and abs(p[-1] - p[-3]) <= 1e-6 * (1 + abs(p[-1])))
        if diverged:
            ax.set_title(f"lr = {lr:.3g}: diverged after {len(p) - 1} steps (|x| > 1000)", color="C3")
        elif cycling:
            ax.set_title(f"lr = {lr:.3g}: no convergence, x jumps between {p[-2]:.3f} and {p[-1]:.3f}",
                         color="C3")
        else:
            ax.set_title(f"lr = {lr:.3g}: after {steps} steps x = {p[-1]:.4f}, f = {fp[-1]:.4f}",
                         color="black")
        return {"x": float(p[-1]), "f": float(fp[-1]), "diverged": diverged, "converged": converged,
                "two_cycle": cycling, "steps_taken": len(p) - 1, "lr_max_local": lr_max, "path": p}

    controls = {
        "lr": _float_slider("learning rate", lr, 1e-3, 3.0, 0.01, log=True),
        "x0": _float_slider("start x0", x0, lo, hi, 0.1, readout_format=".1f"),
        "steps": _int_slider("steps", steps, 1, 200),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [path_line, start, curve, ax.title],
                       caption="Stable near a minimum x* only for lr &lt; 2 / f''(x*): "
                               "1.68 at x* = 2.10, 1.19 at x* = 20.52.")


def linear_rate(condition_number: float = 10.0, lr_beta: float = 1.0, steps: int = 40,
                angle: float = 30.0) -> Interactive:
    """Gradient descent on a 2-D quadratic with condition number kappa = beta / alpha.

    f(x) = 0.5 x'Ax with eigenvalues alpha = 1 and beta = kappa, rotated by
    ``angle`` degrees.  Left: contours and the iterates (the zig-zag grows
    with kappa).  Right: f(x_t) - f* on a log scale, against source 000's
    Theorem 3 bound for the step 1/beta,

        f(x_t) - f* <= (1 - alpha/beta)^t (f(x_0) - f*) <= exp(-t alpha/beta) (f(x_0) - f*),

    and the bound as printed in the source, exp(-t beta/alpha) (the ratio
    inverted: it would promise faster convergence the worse the
    conditioning).  ``lr_beta`` is the step eta in units of 1/beta.  For any
    eta <= 1/beta the same argument (descent lemma f(x+) <= f(x) - (eta/2)
    |grad f|^2, and |grad f|^2 >= 2 alpha (f - f*)) gives (1 - alpha eta)^t,
    which is drawn; beyond 1/beta no bound is drawn, and gradient descent
    still converges on a quadratic for any eta < 2/beta.

    State: ``gap`` (f(x_t) - f*, one per iterate), ``bound`` ((1 - alpha
    eta)^t (f(x_0) - f*); NaN for ``lr_beta > 1``), ``printed_bound``,
    ``diverged``, ``bound_holds`` (every gap <= bound, with 1e-12 slack;
    False when no bound applies).
    """
    from . import functions, optim

    fig, (ax, ax_gap) = _figure(10, 4.0, ncols=2)
    g = np.linspace(-1.2, 1.2, 101)
    X, Y = np.meshgrid(g, g)
    x0 = np.array([-1.0, 0.6])
    (path_line,) = ax.plot([], [], "o-", color="C1", ms=3, lw=1, label="gradient descent")
    ax.plot(0, 0, "*", color="k", ms=10, label="minimum")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=(-1.2, 1.2), ylim=(-1.2, 1.2), aspect="equal")
    (gap_line,) = ax_gap.semilogy([], [], "o-", color="C1", ms=3, label="$f(x_t) - f^*$")
    (bound_line,) = ax_gap.semilogy([], [], "--", color="C0",
                                    label=r"bound $(1-\alpha\eta)^t\,(f(x_0)-f^*)$, $\eta \leq 1/\beta$")
    (printed_line,) = ax_gap.semilogy([], [], ":", color="C3",
                                      label=r"as printed: $e^{-t\beta/\alpha}\,(f(x_0)-f^*)$")
    ax_gap.set(xlabel="step t", ylabel="$f(x_t) - f^*$")
    ax_gap.grid(alpha=0.3, which="both")
    ax_gap.legend(loc="lower left", fontsize=9)
    contour_set = [None, None]  # the contours and the kappa they were drawn for

    def draw(condition_number, lr_beta, steps):
        f = functions.quadratic(condition_number=condition_number, dim=2, angle=np.deg2rad(angle))
        alpha, beta = 1.0, float(condition_number)
        if contour_set[1] != condition_number:
            if contour_set[0] is not None:
                contour_set[0].remove()
            Z = f(np.stack([X, Y]))
            contour_set[0] = ax.contour(X, Y, Z, levels=np.geomspace(Z.max() * 1e-4, Z.max(), 12),
                                        colors="0.75", linewidths=0.8)
            contour_set[1] = condition_number
        path, diverged = run_optimizer(optim.SGD(lr_beta / beta), f.grad, x0, steps, blow_up=1e3)
        path_line.set_data(path[:, 0], path[:, 1])
        gap = f(path.T) - 0.0
        t = np.arange(steps + 1)
        eta = lr_beta / beta
        bound = (1 - alpha * eta) ** t * gap[0] if lr_beta <= 1 else np.full(t.shape, np.nan)
        printed = np.exp(-t * beta / alpha) * gap[0]
        gap_line.set_data(np.arange(len(gap)), np.maximum(gap, 1e-300))
        bound_line.set_data(t, np.maximum(bound, 1e-300))
        printed_line.set_data(t, np.maximum(printed, 1e-300))
        ax_gap.set_xlim(0, steps)
        ax_gap.set_ylim(gap[0] * 1e-10, gap[0] * 1e3)  # fixed per kappa: a slider move redraws only the curves
        ax.set_title(f"κ = β/α = {beta:.3g}, step = {lr_beta:.2f}/β")
        holds = (lr_beta <= 1 and not diverged
                 and bool(np.all(gap <= bound[:len(gap)] * (1 + 1e-12) + 1e-300)))
        status = "diverged" if diverged else f"after {steps} steps: f − f* = {gap[-1]:.2e}"
        ax_gap.set_title(status, color="C3" if diverged else "black")
        return {"gap": gap, "bound": bound, "printed_bound": printed, "diverged": diverged,
                "bound_holds": holds, "path": path}

    controls = {
        "condition_number": _float_slider("κ = β/α", condition_number, 1.0, 1000.0, 0.05, log=True),
        "lr_beta": _float_slider("step × β", lr_beta, 0.05, 2.2, 0.05, readout_format=".2f"),
        "steps": _int_slider("steps", steps, 1, 200),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [contour_set[0], path_line, gap_line, bound_line, printed_line,
                                        ax_gap.get_legend(), ax.title, ax_gap.title],
                       caption="Theorem 3 of source 000 (step 1/β): f(x_t) − f* ≤ (1 − α/β)^t (f(x_0) − f*). "
                               "Its printed form exp(−tβ/α) has the ratio inverted.")


# --------------------------------------------------------------------------
# Lecture 5: momentum and adaptive methods
# --------------------------------------------------------------------------
OPTIMIZER_STYLES = {
    "SGD": "C0", "momentum": "C1", "Nesterov": "C2", "AdaGrad": "C3",
    "RMSProp": "C4", "Adadelta": "C5", "Adam": "C6", "Rprop": "C7",
}
RACE_FUNCTIONS = ("ravine", "rosenbrock")
RACE_PRESETS = {  # what the function dropdown sets: a fair start for every method
    "ravine": {"lr": 0.01, "lr_adaptive": 0.05, "steps": 150},
    "rosenbrock": {"lr": 0.0005, "lr_adaptive": 0.1, "steps": 300},
}


def _race_problem(function: str, condition_number: float):
    """(objective, start, bounds) of the optimizer race."""
    from . import functions

    if function == "ravine":
        f = functions.quadratic(condition_number=condition_number, dim=2, angle=np.deg2rad(20.0))
        return f, np.array([-1.8, 1.0]), ((-2.0, 2.0), (-1.5, 1.5))
    f = functions.rosenbrock()
    return f, np.array([-1.5, 2.0]), ((-2.0, 2.0), (-1.0, 3.0))


def race_optimizers(lr: float, lr_adaptive: float, beta: float) -> dict:
    """The eight optimizers of the race, fresh, keyed by name.

    ``lr`` drives SGD, momentum and Nesterov (classical form, coefficient
    ``beta``); ``lr_adaptive`` drives AdaGrad, RMSProp, Adam (``beta1 =
    beta``) and Rprop's initial step; Adadelta has no learning rate in
    Zeiler's paper (lr 1, rho 0.95, eps 1e-6).  One lr for all would be
    unfair: the adaptive methods divide the gradient by its own size, so
    their lr is a step length, not a multiple of the gradient.
    """
    from . import optim

    return {
        "SGD": optim.SGD(lr),
        "momentum": optim.Momentum(lr, beta=beta),
        "Nesterov": optim.Nesterov(lr, beta=beta),
        "AdaGrad": optim.AdaGrad(lr_adaptive),
        "RMSProp": optim.RMSProp(lr_adaptive, rho=0.9),
        "Adadelta": optim.Adadelta(1.0, rho=0.95, eps=1e-6),
        "Adam": optim.Adam(lr_adaptive, beta1=beta, beta2=0.999),
        "Rprop": optim.Rprop(lr_adaptive),
    }


def optimizer_race(function: str = "ravine", lr: float = 0.01, lr_adaptive: float = 0.05, beta: float = 0.9,
                   condition_number: float = 50.0, steps: int = 150) -> Interactive:
    """SGD, momentum, Nesterov, AdaGrad, RMSProp, Adadelta, Adam and Rprop from one start.

    Left: contours of the function (a rotated quadratic ravine with the
    chosen condition number, or Rosenbrock's valley) and each optimizer's
    path.  Right: f(x_k) - f* on a log scale.  On the ravine, plain SGD is
    stable only for lr < 2/kappa; momentum allows larger steps and moves
    along the valley floor.

    State: ``paths`` and ``gaps`` (dict by optimizer name), ``final_gap``,
    ``diverged`` (dict of bool).
    """
    check_choice("function", function, RACE_FUNCTIONS)
    fig, (ax, ax_gap) = _figure(11, 4.4, ncols=2)
    lines, gap_lines = {}, {}
    for name, color in OPTIMIZER_STYLES.items():
        (lines[name],) = ax.plot([], [], "-", color=color, lw=1.3, label=name)
        (gap_lines[name],) = ax_gap.semilogy([], [], "-", color=color, lw=1.3, label=name)
    (start,) = ax.plot([], [], "s", color="k", ms=6)
    (minimum,) = ax.plot([], [], "*", color="k", ms=11)
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="lower right", fontsize=8, ncol=2)
    ax_gap.set(xlabel="step k", ylabel="$f(x_k) - f^*$", ylim=(1e-12, 1e4))
    ax_gap.grid(alpha=0.3, which="both")
    cache = {"key": None, "contours": None}
    runs = {}  # name -> (what the run depends on, path, gap, diverged)

    def draw(function, lr, lr_adaptive, beta, condition_number, steps):
        f, x0, (xb, yb) = _race_problem(function, condition_number)
        key = (function, condition_number if function == "ravine" else None)
        if cache["key"] != key:  # contours only when the landscape changes
            if cache["contours"] is not None:
                cache["contours"].remove()
            X, Y = np.meshgrid(np.linspace(*xb, 161), np.linspace(*yb, 161))
            Z = f(np.stack([X, Y])) - f.fmin
            levels = np.geomspace(max(Z.max() * 1e-5, 1e-3), Z.max(), 14)
            cache["contours"] = ax.contour(X, Y, Z, levels=levels, colors="0.78", linewidths=0.7)
            cache["key"] = key
            ax.set(xlim=xb, ylim=yb)
            start.set_data([x0[0]], [x0[1]])
            minimum.set_data([f.minima[0][0]], [f.minima[0][1]])
        paths, gaps, diverged = {}, {}, {}
        for name, opt in race_optimizers(lr, lr_adaptive, beta).items():
            # a run depends only on its own hyperparameters: keep it while they stay
            uses = {"SGD": (lr,), "momentum": (lr, beta), "Nesterov": (lr, beta), "AdaGrad": (lr_adaptive,),
                    "RMSProp": (lr_adaptive,), "Adadelta": (), "Adam": (lr_adaptive, beta),
                    "Rprop": (lr_adaptive,)}[name]
            run_key = (key, steps, uses)
            if runs.get(name, (None,))[0] != run_key:
                # f._grad: the objective's own formula, without the per-call input checks of f.grad
                path, div = run_optimizer(opt, f._grad, x0, steps, blow_up=1e3)
                runs[name] = (run_key, path, f(path.T) - f.fmin, div)
            _, path, gap, div = runs[name]
            paths[name], gaps[name], diverged[name] = path, gap, div
            lines[name].set_data(path[:, 0], path[:, 1])
            gap_lines[name].set_data(np.arange(len(gap)), np.maximum(gap, 1e-300))
            lines[name].set_label(f"{name} (diverged)" if div else name)
        ax.legend(loc="lower right", fontsize=8, ncol=2)
        ax_gap.set_xlim(0, steps)
        title = (f"ravine, κ = {condition_number:.3g} (SGD stable for lr < {2 / condition_number:.3g})"
                 if function == "ravine" else "Rosenbrock's valley")
        ax.set_title(title)
        best = min((g[-1], n) for n, g in gaps.items() if not diverged[n])[1] if not all(diverged.values()) else None
        ax_gap.set_title(f"closest after {steps} steps: {best}" if best else "all diverged")
        return {"paths": paths, "gaps": gaps, "diverged": diverged,
                "final_gap": {n: float(g[-1]) for n, g in gaps.items()}, "best": best}

    controls = {
        "function": _dropdown("function", list(RACE_FUNCTIONS), function),
        "lr": _float_slider("lr (SGD, momentum, Nesterov)", lr, 1e-4, 1.0, 0.05, log=True),
        "lr_adaptive": _float_slider("lr (AdaGrad, RMSProp, Adam, Rprop)", lr_adaptive, 1e-3, 1.0, 0.05, log=True),
        "beta": _float_slider("β (momentum, Adam's β1)", beta, 0.0, 0.99, 0.01, readout_format=".2f"),
        "condition_number": _float_slider("κ (ravine)", condition_number, 1.0, 1000.0, 0.05, log=True),
        "steps": _int_slider("steps", steps, 10, 300, 10),
    }
    return Interactive(fig, controls, draw, presets={"function": RACE_PRESETS.get},
                       dynamic=lambda: [*lines.values(), start, minimum, *gap_lines.values(), ax.get_legend(),
                                        ax.title, ax_gap.title],
                       caption="One lr for the gradient-scaled methods, one for the adaptive ones "
                               "(their lr is a step length); Adadelta has none. Choosing a function "
                               "resets the learning rates and steps to values that suit it.")


def momentum_forms(lr_ema: float = 0.05, beta: float = 0.9, steps: int = 60,
                   condition_number: float = 20.0) -> Interactive:
    """Momentum in its two textbook forms, shown to be one method up to a rescaled lr.

    Classical (source 003, Keras): v = beta v - lr_c g, w = w + v.
    EMA (source 001): v = beta v + (1 - beta) g, w = w - lr_e v.
    With lr_c = (1 - beta) lr_e the iterates coincide; at the same nominal lr
    the EMA form takes 1/(1 - beta) times smaller steps.  Drawn: the EMA form
    with lr_e, the classical form with lr_c = (1 - beta) lr_e (on top of it),
    and the classical form with the same nominal lr_e (different).

    State: ``max_difference`` (largest distance between the EMA path and
    the rescaled classical path), ``paths``.
    """
    from . import functions, optim

    f = functions.quadratic(condition_number=condition_number, dim=2, angle=np.deg2rad(20.0))
    x0 = np.array([-1.8, 1.0])
    fig, (ax,) = _figure(6.5, 4.6)
    X, Y = np.meshgrid(np.linspace(-2, 2, 121), np.linspace(-1.5, 1.5, 121))
    Z = f(np.stack([X, Y]))
    ax.contour(X, Y, Z, levels=np.geomspace(Z.max() * 1e-4, Z.max(), 12), colors="0.78", linewidths=0.7)
    (ema_line,) = ax.plot([], [], "o-", color="C1", ms=5, lw=1.5, label="EMA form, lr_e")
    (cls_line,) = ax.plot([], [], "x--", color="k", ms=5, lw=1, label="classical, lr_c = (1 − β) lr_e")
    (same_line,) = ax.plot([], [], ":", color="C0", lw=1.5, label="classical, lr_c = lr_e")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=(-2, 2), ylim=(-1.5, 1.5))
    ax.legend(loc="lower right", fontsize=9)

    def draw(lr_ema, beta, steps):
        ema, _ = run_optimizer(optim.Momentum(lr_ema, beta=beta, variant="ema"), f.grad, x0, steps)
        lr_c = (1.0 - beta) * lr_ema
        cls, _ = run_optimizer(optim.Momentum(lr_c, beta=beta, variant="classical"), f.grad, x0, steps)
        same, _ = run_optimizer(optim.Momentum(lr_ema, beta=beta, variant="classical"), f.grad, x0, steps)
        ema_line.set_data(ema[:, 0], ema[:, 1])
        cls_line.set_data(cls[:, 0], cls[:, 1])
        same_line.set_data(same[:, 0], same[:, 1])
        n = min(len(ema), len(cls))
        diff = float(np.max(np.linalg.norm(ema[:n] - cls[:n], axis=1)))
        ax.set_title(f"β = {beta:.2f}: EMA vs rescaled classical, largest gap {diff:.1e}")
        return {"max_difference": diff, "paths": {"ema": ema, "classical_rescaled": cls, "classical_same_lr": same}}

    controls = {
        "lr_ema": _float_slider("lr_e (EMA form)", lr_ema, 1e-3, 1.0, 0.05, log=True),
        "beta": _float_slider("β", beta, 0.0, 0.99, 0.01, readout_format=".2f"),
        "steps": _int_slider("steps", steps, 1, 200),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [ema_line, cls_line, same_line, ax.get_legend(), ax.title])


# --------------------------------------------------------------------------
# Lecture 2: numerical gradients
# --------------------------------------------------------------------------
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
    check_choice("function", function, tuple(FD_FUNCTIONS))
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


# --------------------------------------------------------------------------
# Lecture 3: from perceptron to backprop
# --------------------------------------------------------------------------
def sigmoid_slope(a: float = 1.0, bias: float = 0.0, w: float = 1.0) -> Interactive:
    """The neuron g(w x + b) with the thesis' sigmoid of slope a, g(z) = 1 / (1 + exp(-a z)).

    The slope a steepens the step (a -> infinity gives the perceptron's hard
    threshold); the bias b moves the midpoint g = 1/2 to x = -b/w; the
    derivative g'(z) = a g (1 - g) peaks at a/4 there.  Dashed: a = 1, b = 0.

    State: ``midpoint`` (-b/w), ``max_slope_dx`` (a w / 4, the steepest dg/dx).
    """
    from .nn import sigmoid, sigmoid_derivative

    x = np.linspace(-10, 10, 401)
    fig, (ax, ax_d) = _figure(10, 3.8, ncols=2)
    ax.plot(x, sigmoid(x), "--", color="0.6", lw=1, label="a = 1, b = 0")
    (g_line,) = ax.plot([], [], color="C0", lw=2, label="g(wx + b)")
    (mid,) = ax.plot([], [], "o", color="C3", ms=6, label="midpoint x = −b/w")
    ax.set(xlabel="input x", ylabel="output g", ylim=(-0.05, 1.05), xlim=(-10, 10))
    ax.axhline(0.5, color="0.85", lw=0.8, zorder=0)
    ax.legend(loc="upper left", fontsize=9)
    ax_d.plot(x, sigmoid_derivative(x), "--", color="0.6", lw=1, label="a = 1, b = 0")
    (d_line,) = ax_d.plot([], [], color="C1", lw=2, label="d g(wx + b) / dx")
    ax_d.set(xlabel="input x", ylabel="slope", xlim=(-10, 10))
    ax_d.legend(loc="upper left", fontsize=9)

    def draw(a, bias, w):
        z = w * x + bias
        g_line.set_data(x, sigmoid(z, a=a))
        d = w * sigmoid_derivative(z, a=a)
        d_line.set_data(x, d)
        peak = abs(a * w) / 4
        top = max(0.3, 2.0 ** np.ceil(np.log2(peak * 1.1)))  # in powers of 2: most moves keep the axes
        ax_d.set_ylim(-0.02 * top, top)
        midpoint = -bias / w
        mid.set_data([midpoint], [0.5])
        ax.set_title(f"a = {a:.2g}, w = {w:.2g}, b = {bias:.2g}: midpoint {midpoint:.2f}")
        ax_d.set_title(f"steepest slope a·w/4 = {peak:.3g}")
        return {"midpoint": midpoint, "max_slope_dx": peak}

    controls = {
        "a": _float_slider("slope a", a, 0.1, 10.0, 0.05, log=True),
        "bias": _float_slider("bias b", bias, -8.0, 8.0, 0.1, readout_format=".1f"),
        "w": _float_slider("weight w", w, 0.2, 3.0, 0.05, readout_format=".2f"),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [g_line, mid, d_line, ax.get_legend(),
                                                             ax_d.get_legend(), ax.title, ax_d.title])


def _grid_probabilities(model, xx, yy):
    P = model.forward(np.column_stack([xx.ravel(), yy.ravel()]))
    return P[:, 0].reshape(xx.shape)


def decision_boundary(dataset: str = "circles", epochs: int = 60, hidden=(16, 16), lr: float = 0.005,
                      batch_size: int = 32, seed: int = 0, epoch: int | None = None) -> Interactive:
    """An MLP learning circles (or spirals); the slider moves through its training epochs.

    The network (ReLU hidden layers, sigmoid output, binary cross-entropy,
    Adam) is trained once, when the figure is made; after every epoch the
    predicted probability on a grid is stored.  Left: the probability
    (colour), the decision boundary p = 0.5 and the data.  Right: training
    loss and accuracy per epoch, with the shown epoch marked.

    State: ``epoch``, ``loss``, ``accuracy`` (training, at that epoch),
    ``probabilities`` (the grid).
    """
    from . import optim
    from .data import make_circles, make_spirals
    from .nn import MLP
    from .train import train

    check_choice("dataset", dataset, ("circles", "spirals"))
    epochs = check_int("epochs", epochs, minimum=1)
    X, y = (make_circles if dataset == "circles" else make_spirals)(256, seed=seed)
    net = MLP([2, *hidden, 1], hidden="relu", output="sigmoid", seed=seed)
    lim = float(np.abs(X).max()) * 1.15
    g = np.linspace(-lim, lim, 90)
    xx, yy = np.meshgrid(g, g)
    grids = [_grid_probabilities(net, xx, yy)]
    acc0 = net.accuracy(X, y)
    loss0 = net.loss(X, y)

    def snapshot(e, hist, model):
        grids.append(_grid_probabilities(model, xx, yy))

    hist = train(net, X, y, optim.Adam(lr), batch_size, epochs, seed=seed, callbacks=[snapshot], progress=False)
    losses = [loss0, *hist.loss]
    accs = [acc0, *hist.accuracy]

    fig, (ax, ax_l) = _figure(10, 4.4, ncols=2)
    img = ax.imshow(grids[0], extent=(-lim, lim, -lim, lim), origin="lower", cmap="RdBu", vmin=0, vmax=1,
                    alpha=0.55, interpolation="bilinear")
    dots = [ax.scatter(*X[y == 1].T, s=12, c="C0", edgecolors="k", linewidths=0.3, label="class 1"),
            ax.scatter(*X[y == 0].T, s=12, c="C3", edgecolors="k", linewidths=0.3, label="class 0")]
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(loc="upper right", fontsize=8)
    fig.colorbar(img, ax=ax, shrink=0.8, label="p(class 1)")
    ax_l.plot(range(epochs + 1), losses, color="C1", label="training loss")
    ax_l.set(xlabel="epoch", ylabel="binary cross-entropy", yscale="log", title="training loss and accuracy")
    from matplotlib.ticker import NullFormatter

    ax_l.yaxis.set_minor_formatter(NullFormatter())
    ax_a = ax_l.twinx()
    ax_a.plot(range(epochs + 1), accs, color="C2", label="training accuracy")
    ax_a.set(ylabel="accuracy", ylim=(0.4, 1.02))
    (marker,) = ax_l.plot([], [], "o", color="k", ms=7)
    cursor = ax_l.axvline(0, color="k", lw=0.8)
    ax_l.legend(loc="center right", fontsize=8)
    ax_a.legend(loc="lower right", fontsize=8)
    boundary = [None]

    def draw(epoch):
        img.set_data(grids[epoch])
        if boundary[0] is not None:
            boundary[0].remove()
            boundary[0] = None
        if grids[epoch].min() < 0.5 < grids[epoch].max():
            boundary[0] = ax.contour(xx, yy, grids[epoch], levels=[0.5], colors="k", linewidths=1.5)
        marker.set_data([epoch], [losses[epoch]])
        cursor.set_xdata([epoch, epoch])
        ax.set_title(f"{dataset}, after {epoch} epoch{'s' if epoch != 1 else ''}: "
                     f"training accuracy {accs[epoch]:.1%}")
        return {"epoch": epoch, "loss": losses[epoch], "accuracy": accs[epoch], "probabilities": grids[epoch]}

    controls = {"epoch": _int_slider("epoch", epochs if epoch is None else epoch, 0, epochs)}
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [img, boundary[0], *dots, ax.get_legend(), marker, cursor, ax.title],
                       caption=f"MLP 2-{'-'.join(map(str, hidden))}-1, ReLU + sigmoid, Adam lr {lr}, "
                               f"batch {batch_size}, {len(X)} points; trained once, the slider replays it.")


# --------------------------------------------------------------------------
# Lecture 4: stochastic, mini-batch and batch descent
# --------------------------------------------------------------------------
def logistic_problem(n: int = 256, lam: float = 0.01, seed: int = 0):
    """Source 000's L2-regularised logistic regression on two overlapping 2-D Gaussian clouds.

    Two features, no bias, labels -1/+1, ``F(w) = (1/n) sum log(1 + exp(-y_i x_i'w)) + lam |w|^2``;
    ``F.minima[0]`` and ``F.fmin`` are computed by Newton's method.
    """
    from . import functions

    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    X = rng.normal(0.0, 1.0, (n, 2)) + np.outer(y, [1.0, 0.4])
    return functions.logistic_regression(X, y, lam)


def minibatch_sgd_path(F, w0, lr: float, batch_size: int, epochs: int, seed: int = 0) -> np.ndarray:
    """Mini-batch SGD on a ``LogisticRegression`` F: the iterates after every step.

    Each epoch visits a fresh permutation of the samples in batches of
    ``batch_size`` (the last may be smaller); the step uses the batch's mean
    gradient plus the regulariser's 2 lam w (so the batch gradient is an
    unbiased estimate of grad F).  ``batch_size = n`` is batch gradient descent.
    """
    from . import functions

    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    n = F.n
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            m = F.y[idx] * (F.X[idx] @ w)
            g = -(F.X[idx].T @ (functions._sigmoid(-m) * F.y[idx])) / len(idx) + 2 * F.lam * w
            w = w - lr * g
            path.append(w.copy())
    return np.array(path)


BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def minibatch_descent(batch_size: int = 16, lr: float = 0.5, epochs: int = 5, seed: int = 0) -> Interactive:
    """Stochastic, mini-batch and batch gradient descent on regularised logistic regression.

    Left: contours of F(w) over the two weights, the path of mini-batch SGD
    with the chosen batch size, and batch gradient descent for the same
    number of epochs (one step per epoch).  Right: F(w) - F* against the
    epoch (fractional: step / steps per epoch) on a log scale.  Small batches
    take many cheap, noisy steps per epoch; the full batch takes one exact
    step.  With a constant learning rate SGD does not converge: it ends in a
    noise ball around w* whose size grows with lr and shrinks with the batch.

    State: ``path``, ``gap`` (per step), ``batch_gap`` (full-batch GD per epoch),
    ``steps_per_epoch``.
    """
    F = logistic_problem(seed=seed)
    w_star, f_star = F.minima[0], F.fmin
    w0 = np.array([-2.0, 2.5])
    fig, (ax, ax_gap) = _figure(10.5, 4.4, ncols=2)
    g1 = np.linspace(-2.5, 3.0, 121)
    g2 = np.linspace(-2.0, 3.0, 121)
    W1, W2 = np.meshgrid(g1, g2)
    Z = F(np.stack([W1, W2])) - f_star
    ax.contour(W1, W2, Z, levels=np.geomspace(1e-3, Z.max(), 14), colors="0.78", linewidths=0.7)
    (sgd_line,) = ax.plot([], [], "-", color="C1", lw=0.8, alpha=0.9, label="mini-batch SGD")
    (gd_line,) = ax.plot([], [], "o-", color="C0", ms=4, lw=1.5, label="batch GD (1 step/epoch)")
    (star,) = ax.plot(*w_star, "*", color="k", ms=11, label="w*")
    ax.plot(*w0, "s", color="k", ms=6)
    ax.set(xlabel="$w_1$", ylabel="$w_2$", xlim=(g1[0], g1[-1]), ylim=(g2[0], g2[-1]))
    ax.legend(loc="lower right", fontsize=8)
    (sgd_gap,) = ax_gap.semilogy([], [], "-", color="C1", lw=0.8, label="mini-batch SGD")
    (gd_gap,) = ax_gap.semilogy([], [], "o-", color="C0", ms=4, label="batch GD")
    ax_gap.set(xlabel="epoch", ylabel="$F(w) - F^*$", ylim=(1e-6, 10))
    ax_gap.grid(alpha=0.3, which="both")
    ax_gap.legend(loc="upper right", fontsize=8)

    def draw(batch_size, lr, epochs):
        path = minibatch_sgd_path(F, w0, lr, batch_size, epochs, seed=seed)
        full = minibatch_sgd_path(F, w0, lr, F.n, epochs, seed=seed)
        steps_per_epoch = -(-F.n // batch_size)
        gap = F(path.T) - f_star
        full_gap = F(full.T) - f_star
        sgd_line.set_data(path[:, 0], path[:, 1])
        gd_line.set_data(full[:, 0], full[:, 1])
        sgd_gap.set_data(np.arange(len(gap)) / steps_per_epoch, np.maximum(gap, 1e-300))
        gd_gap.set_data(np.arange(len(full_gap)), np.maximum(full_gap, 1e-300))
        ax_gap.set_xlim(0, epochs)
        tail = gap[-steps_per_epoch:]
        ax.set_title(f"batch {batch_size}: {steps_per_epoch} steps per epoch, lr {lr:.3g}")
        ax_gap.set_title(f"F − F* in the last epoch: SGD {np.mean(tail):.1e} (mean), GD {full_gap[-1]:.1e}")
        return {"path": path, "gap": gap, "batch_path": full, "batch_gap": full_gap,
                "steps_per_epoch": steps_per_epoch}
    controls = {
        "batch_size": _batch_slider(batch_size),
        "lr": _float_slider("learning rate", lr, 0.01, 5.0, 0.05, log=True),
        "epochs": _int_slider("epochs", epochs, 1, 20),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [sgd_line, gd_line, star, sgd_gap, gd_gap, ax.get_legend(),
                                        ax_gap.get_legend(), ax.title, ax_gap.title],
                       caption=f"{F.n} samples, 2 weights, λ = {F.lam}. One epoch = one pass over the data.")


def gradient_noise(batch_size: int = 8, draws: int = 400, seed: int = 0) -> Interactive:
    """The mini-batch gradient as a random estimate of the full gradient.

    At a fixed w, ``draws`` batches (each sampled without replacement) give
    ``draws`` gradient estimates, drawn as points around the full gradient.
    Their mean is the full gradient (unbiased); their total variance is

        E|g_B - g|^2 = (S^2 / B) (1 - B/n),  S^2 summed over the coordinates,

    with S^2 the per-sample gradients' variance (denominator n - 1): it
    falls like 1/B and is 0 for the full batch.

    State: ``estimates``, ``full_gradient``, ``variance`` (measured, total),
    ``predicted_variance``.
    """
    F = logistic_problem(seed=seed)
    w0 = np.array([-1.0, 1.5])
    from . import functions

    m = F.y * (F.X @ w0)
    per_sample = -(F.X * (functions._sigmoid(-m) * F.y)[:, None]) + 2 * F.lam * w0  # (n, 2)
    g_full = per_sample.mean(axis=0)
    S2 = per_sample.var(axis=0, ddof=1).sum()
    rng = np.random.default_rng(seed)
    fig, (ax, ax_v) = _figure(10, 4.2, ncols=2)
    (pts,) = ax.plot([], [], ".", color="C1", ms=3, alpha=0.5, label="mini-batch gradients")
    (full_pt,) = ax.plot(*g_full, "*", color="k", ms=12, label="full gradient")
    (mean_pt,) = ax.plot([], [], "x", color="C3", ms=10, mew=2, label="mean of the estimates")
    span = 3.5 * per_sample.std(axis=0)  # about the spread of single-sample estimates
    ax.set(xlabel=r"$\partial F/\partial w_1$", ylabel=r"$\partial F/\partial w_2$",
           xlim=(g_full[0] - span[0], g_full[0] + span[0]), ylim=(g_full[1] - span[1], g_full[1] + span[1]))
    ax.legend(loc="upper right", fontsize=8)
    B_all = np.array([b for b in BATCH_SIZES if b < F.n])
    ax_v.loglog(B_all, S2 / B_all * (1 - B_all / F.n), "-", color="C0", label="(S²/B)(1 − B/n)")
    ax_v.set_ylim(S2 / F.n * 0.3, S2 * 3)
    (measured,) = ax_v.loglog([], [], "o", color="C1", ms=8, label="measured")
    ax_v.set(xlabel="batch size B", ylabel="E|g_B − g|²", title="variance of the estimate")
    ax_v.grid(alpha=0.3, which="both")
    ax_v.legend(fontsize=8)

    def draw(batch_size):
        idx = np.argsort(rng.random((draws, F.n)), axis=1)[:, :batch_size]
        est = per_sample[idx].mean(axis=1)
        pts.set_data(est[:, 0], est[:, 1])
        mean_pt.set_data([est[:, 0].mean()], [est[:, 1].mean()])
        var = float(np.mean(np.sum((est - g_full) ** 2, axis=1)))
        predicted = float(S2 / batch_size * (1 - batch_size / F.n))
        measured.set_data([batch_size], [var] if var > 0 else [])
        ax.set_title(f"B = {batch_size}: variance {var:.2e} (predicted {predicted:.2e})")
        return {"estimates": est, "full_gradient": g_full, "variance": var, "predicted_variance": predicted}
    controls = {"batch_size": _batch_slider(batch_size)}
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [pts, full_pt, mean_pt, measured, ax.get_legend(), ax.title])


def running_loss(lam: float = 0.05, lr: float = 0.1, steps: int = 600, seed: int = 0) -> Interactive:
    """Source 002's running loss estimate during SGD with batch size 1.

    Each step sees one sample i and its loss L_i (noisy); the running
    estimate Q := lam L_i + (1 - lam) Q follows the trend at no extra cost
    (an exponentially weighted average over about 1/lam steps).  The true
    loss F(w_k) over all samples (expensive: a full pass) is drawn for
    comparison.  Q starts at the first sample's loss.

    State: ``sample_loss``, ``Q``, ``true_loss`` (per step).
    """
    F = logistic_problem(seed=seed)
    rng = np.random.default_rng(seed)
    from . import functions

    w = np.array([-2.0, 2.5])
    order = np.concatenate([rng.permutation(F.n) for _ in range(-(-steps // F.n))])[:steps]
    sample_loss, true_loss = np.empty(steps), np.empty(steps)
    for k, i in enumerate(order):
        m = F.y[i] * (F.X[i] @ w)
        sample_loss[k] = np.logaddexp(0.0, -m) + F.lam * w @ w
        true_loss[k] = F(w)
        g = -functions._sigmoid(-m) * F.y[i] * F.X[i] + 2 * F.lam * w
        w = w - lr * g

    fig, (ax,) = _figure(9, 4.0)
    ax.plot(np.arange(steps), sample_loss, ".", color="0.6", ms=2.5, label="$L_i$ of the step's sample")
    ax.plot(np.arange(steps), true_loss, "-", color="C0", lw=1.5, label="true loss F(w) (full pass)")
    (q_line,) = ax.plot([], [], "-", color="C1", lw=2, label="running estimate Q")
    ax.set(xlabel="step (one sample each)", ylabel="loss", yscale="log", xlim=(0, steps))
    ax.legend(loc="upper right", fontsize=8)

    def draw(lam):
        Q = np.empty(steps)
        q = sample_loss[0]
        for k in range(steps):
            q = lam * sample_loss[k] + (1 - lam) * q
            Q[k] = q
        q_line.set_data(np.arange(steps), Q)
        err = np.abs(Q[steps // 2:] - true_loss[steps // 2:]) / true_loss[steps // 2:]
        ax.set_title(f"λ = {lam:.3g} (averages about {1 / lam:.0f} steps): "
                     f"Q within {np.median(err):.0%} of F (median, second half)")
        return {"sample_loss": sample_loss, "Q": Q, "true_loss": true_loss}

    controls = {"lam": _float_slider("λ", lam, 0.001, 1.0, 0.05, log=True)}
    return Interactive(fig, controls, draw, dynamic=lambda: [q_line, ax.get_legend(), ax.title])


def schedule_explorer(lr0: float = 0.1, decay: float = 0.1, base: float = 0.95, every: int = 10,
                      lr_final: float = 1e-4, epochs: int = 100) -> Interactive:
    """The learning-rate schedules of sources 001 and 003, with their parameters on sliders.

    inverse time lr0 / (1 + decay k); exponential lr0 base^k; inverse square
    root lr0 / sqrt(1 + k) (001's k/sqrt(epoch) shifted by one: it is
    infinite at epoch 0 as printed); step decay lr0 0.5^floor(k / every);
    linear lr0 -> lr_final over the run (003).  Log scale.

    State: ``curves`` (dict name -> lr per epoch), ``epochs``.
    """
    from . import schedules

    fig, (ax,) = _figure(9, 4.0)
    names = ("inverse time", "exponential", "inverse sqrt", "step decay", "linear (003)")
    lines = {n: ax.semilogy([], [], "-", lw=1.8, label=n)[0] for n in names}
    ax.set(xlabel="epoch k", ylabel="learning rate")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="lower left", fontsize=8)

    def draw(lr0, decay, base, every, lr_final, epochs):
        k = np.arange(epochs + 1)
        curves = {
            "inverse time": schedules.inverse_time(lr0, decay)(k),
            "exponential": schedules.exponential(lr0, base)(k),
            "inverse sqrt": schedules.inverse_sqrt(lr0)(k),
            "step decay": schedules.step_decay(lr0, 0.5, every)(k),
            "linear (003)": schedules.linear(lr0, min(lr_final, lr0), epochs)(k),
        }
        for n, c in curves.items():
            lines[n].set_data(k, c)
            lines[n].set_label(f"{n}: {c[-1]:.1e} at the end")
        ax.legend(loc="lower left", fontsize=8)
        ax.set_xlim(0, epochs)
        low = min(c.min() for c in curves.values())
        ax.set_ylim(10.0 ** np.floor(np.log10(low * 0.5)), 10.0 ** np.ceil(np.log10(lr0 * 1.5)))  # whole decades
        ax.set_title(f"lr0 = {lr0:.3g}, {epochs} epochs")
        return {"curves": curves, "epochs": epochs}

    controls = {
        "lr0": _float_slider("lr0", lr0, 1e-3, 1.0, 0.05, log=True),
        "decay": _float_slider("decay (inverse time)", decay, 0.001, 1.0, 0.05, log=True),
        "base": _float_slider("base (exponential)", base, 0.8, 0.999, 0.001, readout_format=".3f"),
        "every": _int_slider("every (step decay)", every, 1, 50),
        "lr_final": _float_slider("lr_final (linear)", lr_final, 1e-5, 0.1, 0.1, log=True),
        "epochs": _int_slider("epochs", epochs, 10, 300, 10),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [*lines.values(), ax.get_legend(), ax.title])


# --------------------------------------------------------------------------
# Lecture 6: random search
# --------------------------------------------------------------------------
N_POINTS = 200  # of the random-search problem


def random_search_race(dim: int = 10, sigma: float = 0.05, n_directions: int = 8, budget: int = 600,
                       seed: int = 0) -> Interactive:
    """Gradient descent against derivative-free search, counted in loss evaluations.

    The slide's sigmoid perceptron (logistic loss) on 200 points with
    ``dim`` features (plus a bias), linearly separable but for 10% flipped
    labels, so the loss has a finite minimum.  Each method gets ``budget`` loss
    evaluations:

    * gradient descent with a central-difference gradient: 2 (dim + 1) evaluations per step;
    * gradient descent with the exact gradient (backprop), drawn with one
      step per 2 evaluations (a backward pass costs about one forward pass);
    * the method of finite differences (source 001, sign corrected): 2 per step;
    * ARS V1 with N directions: 2N per iteration (rewards = -loss, all N used).

    Learning rates: 1 for gradient descent; lr / (2 sigma^2) for the
    finite-difference method, whose step then equals gradient descent's in
    expectation (E[(L+ - L-) dW] ~ 2 sigma^2 grad L) but carries noise that
    grows with the dimension; step size lr sigma for ARS, whose update is
    divided by the rewards' standard deviation and so has a roughly fixed
    length (about 2 lr sigma along -grad L / |grad L|).

    State: ``curves`` (dict name -> (evaluations, loss)), ``final`` (dict).
    """
    from . import optim
    from .random_search import PerceptronProblem, ars, finite_difference_search, make_separable_data

    fig, (ax,) = _figure(9, 4.2)
    names = ("GD, central-difference gradient", "GD, exact gradient (backprop)",
             "finite differences (001)", "ARS V1")
    styles = ("C0", "C0", "C1", "C2")
    lines = {n: ax.semilogy([], [], ls, color=c, lw=1.6, label=n)[0]
             for n, c, ls in zip(names, styles, ("-", ":", "-", "-"))}
    ax.set(xlabel="loss evaluations", ylabel="training loss J(w)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right", fontsize=8)

    def draw(dim, sigma, n_directions, budget):
        rng = np.random.default_rng(seed)
        X, y, _ = make_separable_data(N_POINTS, rng, n_features=dim)
        y = np.where(rng.random(len(y)) < 0.1, 1.0 - y, y)  # 10% flipped labels: a finite minimum
        P = PerceptronProblem(X, y)
        w0 = np.zeros(dim + 1)
        lr = 1.0
        curves = {}
        if memo.get("gd_key") == (dim, budget):  # the gradient-descent runs do not depend on sigma or N
            curves[names[0]], curves[names[1]] = memo["gd"]
        else:
            curves.update(gd_curves(P, w0, lr, dim, budget))
            memo["gd_key"], memo["gd"] = (dim, budget), (curves[names[0]], curves[names[1]])
        curves.update(random_curves(P, w0, lr, dim, sigma, n_directions, budget))
        for n, (e, L) in curves.items():
            lines[n].set_data(e, L)
        ax.set_xlim(0, budget)
        allL = np.concatenate([c[1] for c in curves.values()])
        ax.set_ylim(10.0 ** np.floor(np.log10(max(allL.min() * 0.8, 1e-4))), 10.0 ** np.ceil(np.log10(allL.max())))
        final = {n: float(c[1][-1]) for n, c in curves.items()}
        ax.set_title(f"{dim} features + bias, {budget} evaluations each, σ = {sigma:.3g}, N = {n_directions}")
        return {"curves": curves, "final": final}

    memo = {}

    def gd_curves(P, w0, lr, dim, budget):
        curves = {}
        # GD with a numerical gradient: 2(d + 1) evaluations per step
        per_step = 2 * (dim + 1)
        steps = max(budget // per_step, 1)
        from .gradcheck import numerical_gradient

        w = w0.copy()
        losses = [P.loss(w)]
        for _ in range(steps):
            w = w - lr * numerical_gradient(P.loss, w, method="central", eps=1e-5)
            losses.append(P.loss(w))
        curves[names[0]] = (np.arange(steps + 1) * per_step, np.array(losses))
        # GD with the exact gradient, one step per 2 evaluations
        path = optim.trajectory(optim.SGD(lr), P.gradient, w0, budget // 2)
        Z = path @ P.X_aug.T  # the loss at every iterate, in one product
        curves[names[1]] = (np.arange(len(path)) * 2, np.mean(np.logaddexp(0.0, Z) - P.y * Z, axis=1))
        return curves

    def random_curves(P, w0, lr, dim, sigma, n_directions, budget):
        curves = {}
        # the method of finite differences, 2 evaluations per step
        _, hist = finite_difference_search(P.loss, w0, lr / (2 * sigma ** 2), sigma, budget // 2,
                                           np.random.default_rng(seed + 1))
        curves[names[2]] = (np.concatenate([[0], hist["n_evaluations"]]),
                            np.concatenate([[P.loss(w0)], hist["loss_estimate"]]))
        # ARS V1, 2N rollouts per iteration, reward = -loss
        iters = max(budget // (2 * n_directions), 1)
        _, h = ars(P.rollout, (1, dim + 1), iters, step_size=lr * sigma, n_directions=n_directions,
                   top_b=n_directions, noise=sigma, version="v1", rng=np.random.default_rng(seed + 2),
                   evaluate=True)
        curves[names[3]] = (np.concatenate([[0], h["n_rollouts"]]),
                            np.concatenate([[P.loss(w0)], -h["reward_current"]]))
        return curves

    controls = {
        "dim": _int_slider("features d", dim, 1, 50, continuous=False),
        "sigma": _float_slider("σ (perturbation)", sigma, 1e-3, 0.5, 0.05, log=True),
        "n_directions": _int_slider("ARS directions N", n_directions, 1, 32),
        "budget": _int_slider("evaluations", budget, 200, 2000, 100, continuous=False),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [*lines.values(), ax.get_legend(), ax.title])


# --------------------------------------------------------------------------
# Lecture 8: aSGD and dead units
# --------------------------------------------------------------------------
def asgd_runs(dataset: str, seed: int, max_steps: int = 3000, lr: float | None = None, batch_size: int = 32,
              loss_stop: float = 0.01):
    """SGD and aSGD on one of source 000's synthetic problems, same data, weights and batches.

    2-10-10-10-10-10-1 ReLU network, sigmoid output, binary cross-entropy,
    128 training points (the source's setting; lr 0.01 for circles, 0.05 for
    spirals); stops when an epoch's mean loss falls below ``loss_stop`` or
    after ``max_steps`` steps.  Returns ``{"SGD": (model, history), "aSGD": ...}``
    and the data.
    """
    from . import optim
    from .data import make_circles, make_spirals
    from .nn import MLP
    from .train import train

    X, y = (make_circles if dataset == "circles" else make_spirals)(128, seed=seed)
    lr = (0.01 if dataset == "circles" else 0.05) if lr is None else lr
    epochs = -(-max_steps // -(-len(X) // batch_size))
    out = {}
    for name, reduction in (("SGD", "mean"), ("aSGD", "effective")):
        net = MLP([2, 10, 10, 10, 10, 10, 1], output="sigmoid", seed=seed)
        hist = train(net, X, y, optim.SGD(lr), batch_size, epochs, seed=seed, reduction=reduction,
                     callbacks=[lambda e, h, m: h.loss[-1] < loss_stop], progress=False)
        out[name] = (net, hist)
    return out, X, y


def asgd_vs_sgd(dataset: str = "circles", seed: int = 0, seeds: int = 4, max_steps: int = 3000) -> Interactive:
    """Source 000's mean effective gradient (aSGD) against SGD, seed by seed.

    For seeds 0 .. ``seeds`` - 1 both optimizers are trained once when the
    figure is made (same data, initial weights and batch order; the slider
    then only chooses what to show).  Left: the training loss per epoch of
    both.  Middle and right: each one's decision boundary, with its dead
    units (off on every training point) and always-on units counted.

    State: ``steps`` (dict: steps to the loss threshold, or the cap),
    ``dead``/``always_on`` (dict: counts over the hidden layers), ``accuracy``.
    """
    check_choice("dataset", dataset, ("circles", "spirals"))
    cache = {}

    def runs(ds, s):
        if (ds, s) not in cache:
            cache[(ds, s)] = asgd_runs(ds, s, max_steps=max_steps)
        return cache[(ds, s)]

    for ds in ("circles", "spirals"):  # trained now, so moving the slider only redraws
        for s in range(seeds):
            runs(ds, s)

    fig, (ax_l, ax_s, ax_a) = _figure(12, 4.0, ncols=3)
    loss_lines = {n: ax_l.semilogy([], [], "-", color=c, lw=1.6, label=n)[0]
                  for n, c in (("SGD", "C0"), ("aSGD", "C1"))}
    ax_l.axhline(0.01, color="0.6", ls=":", lw=1, label="stop: loss 0.01")
    ax_l.set(xlabel="step", ylabel="epoch loss (BCE)", xlim=(0, max_steps), ylim=(1e-3, 1.0))
    ax_l.grid(alpha=0.3, which="both")
    ax_l.legend(fontsize=8)
    g = np.linspace(-1.6, 1.6, 70)
    xx, yy = np.meshgrid(g, g)
    images, scatters, contours = {}, {}, {"SGD": None, "aSGD": None}
    for ax, name in ((ax_s, "SGD"), (ax_a, "aSGD")):
        images[name] = ax.imshow(np.zeros_like(xx), extent=(g[0], g[-1], g[0], g[-1]), origin="lower",
                                 cmap="RdBu", vmin=0, vmax=1, alpha=0.5)
        scatters[name] = ax.scatter([], [], s=10, edgecolors="k", linewidths=0.3)
        ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")

    def draw(dataset, seed):
        out, X, y = runs(dataset, seed)
        state = {"steps": {}, "dead": {}, "always_on": {}, "accuracy": {}}
        lim = max(1.6, float(np.abs(X).max()) * 1.1)
        for (name, (net, hist)), ax in zip(out.items(), (ax_s, ax_a)):
            spe = hist.steps_per_epoch
            loss_lines[name].set_data(np.arange(1, hist.epochs + 1) * spe, hist.loss)
            steps = hist.epochs * spe
            act = net.dead_units(X)
            dead = sum(layer.n_dead for layer in act)
            on = sum(layer.n_always_on for layer in act)
            acc = net.accuracy(X, y)
            state["steps"][name], state["dead"][name] = steps, dead
            state["always_on"][name], state["accuracy"][name] = on, acc
            gg = np.linspace(-lim, lim, 70)
            gx, gy = np.meshgrid(gg, gg)
            P = net.forward(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(gx.shape)
            images[name].set_data(P)
            images[name].set_extent((-lim, lim, -lim, lim))
            scatters[name].set_offsets(X)
            scatters[name].set_facecolors(np.where(y[:, None] == 1, [[0.12, 0.47, 0.71, 1]], [[0.84, 0.15, 0.16, 1]]))
            if contours[name] is not None:
                contours[name].remove()
                contours[name] = None
            if P.min() < 0.5 < P.max():
                contours[name] = ax.contour(gx, gy, P, levels=[0.5], colors="k", linewidths=1.2)
            ax.set(xlim=(-lim, lim), ylim=(-lim, lim))
            reached = hist.loss[-1] < 0.01
            ax.set_title(f"{name}: {steps} steps{'' if reached else ' (cap)'}, acc {acc:.0%}\n"
                         f"dead units {dead}/50, always on {on}/50", fontsize=10)
        ax_l.set_title(f"{dataset}, seed {seed}")
        return state

    controls = {
        "dataset": _dropdown("data", ["circles", "spirals"], dataset),
        "seed": _int_slider("seed", seed, 0, seeds - 1),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [*loss_lines.values(), ax_l.get_legend(), ax_l.title,
                                        *[a for n in ("SGD", "aSGD") for a in (images[n], contours[n], scatters[n])],
                                        ax_s.title, ax_a.title],
                       caption="Same data, initial weights and batch order for both; "
                               "lr 0.01 (circles) and 0.05 (spirals), batch 32, as in the experiments.")


# --------------------------------------------------------------------------
# Lecture 9: self-check questions
# --------------------------------------------------------------------------
class Question:
    """A multiple-choice question that says right or wrong, and why.

    Parameters
    ----------
    text : str
    options : list of str
    answer : int or collection of int
        Index (or indices, when more than one option is right) of the right option(s).
    why : str
        The explanation shown after any check.
    hints : dict of int -> str, optional
        What to say for particular wrong options.
    """

    def __init__(self, text: str, options, answer, why: str, hints: dict | None = None):
        self.text, self.options = text, list(options)
        answers = (answer,) if isinstance(answer, (int, np.integer)) else tuple(answer)
        if not answers or any(not isinstance(a, (int, np.integer)) or not 0 <= a < len(self.options)
                              for a in answers):
            raise ValueError(f"answer must index one of the {len(self.options)} options (or be a collection "
                             f"of such indices); got {answer!r}")
        self.answers = frozenset(int(a) for a in answers)
        self.why, self.hints = why, dict(hints or {})

    @property
    def answer(self) -> int:
        """The first right option (the only one for most questions)."""
        return min(self.answers)

    def check(self, choice) -> tuple[bool, str]:
        """(right?, feedback) for the option index ``choice`` (None: nothing chosen)."""
        if choice is None:
            return False, "Choose an option first."
        if choice in self.answers:
            return True, f"Right. {self.why}"
        hint = self.hints.get(choice, "")
        return False, f"Not quite. {hint + ' ' if hint else ''}{self.why}"


def quiz(questions) -> "object":
    """A column of questions, each with its options, a Check button and feedback.

    Returns an ``ipywidgets.VBox``; ``box.check_all(choices)`` grades a list of
    option indices without a browser and returns the number right.
    """
    blocks, radios, feedback = [], [], []
    for k, q in enumerate(questions, 1):
        radio = _w.RadioButtons(options=[(o, i) for i, o in enumerate(q.options)], value=None,
                               layout=_w.Layout(width="auto"))
        out = _w.HTML()
        button = _w.Button(description="Check", button_style="info")

        def on_click(_, q=q, radio=radio, out=out):
            ok, msg = q.check(radio.value)
            colour = "#1a7f37" if ok else "#b42318"
            out.value = f"<span style='color:{colour}'><b>{'✔' if ok else '✘'}</b> {msg}</span>"

        button.on_click(on_click)
        blocks.append(_w.VBox([_w.HTML(f"<b>{k}.</b> {q.text}"), radio, button, out]))
        radios.append(radio)
        feedback.append(out)
    box = _w.VBox(blocks)

    def check_all(choices) -> int:
        right = 0
        for q, radio, out, c in zip(questions, radios, feedback, choices):
            radio.value = c
            ok, msg = q.check(c)
            out.value = msg
            right += ok
        return right

    box.check_all = check_all
    box.questions = list(questions)
    box.feedback = feedback
    return box
