"""Lecture 5, momentum and adaptive methods: the optimizers racing on a ravine and on
Rosenbrock's valley, classical and EMA momentum side by side, the conventions of course_lib
and Keras.

Every list of optimizers here is ``optim.OPTIMIZERS``: the race's racers, its sliders'
labels and the conventions table are built from it.
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import functions, linesearch, optim
from ..validation import as_choice
from .figures import Markdown, figure as _figure
from .interactive import Interactive, float_slider, int_slider, dropdown

__all__ = ["optimizer_race", "momentum_forms", "conventions_table"]
WIDGETS = ("optimizer_race", "momentum_forms")  # the slider figures, in the notebook's order


RACE_FUNCTIONS = ("ravine", "rosenbrock")
RACE_PRESETS = {  # what the function dropdown sets: a fair start for every method
    "ravine": {"lr": 0.01, "lr_adaptive": 0.05, "steps": 150},
    "rosenbrock": {"lr": 0.0005, "lr_adaptive": 0.1, "steps": 300},
}
LEAVES_PLOT = 1e3  # the race's stop rule: a run whose iterate goes beyond this |coordinate| has diverged


def _race_problem(function: str, condition_number: float):
    """(objective, start, bounds) of the optimizer race."""

    if function == "ravine":
        f = functions.quadratic(condition_number=condition_number, dim=2, angle=np.deg2rad(20.0))
        return f, np.array([-1.8, 1.0]), ((-2.0, 2.0), (-1.5, 1.5))
    f = functions.rosenbrock()
    return f, np.array([-1.5, 2.0]), ((-2.0, 2.0), (-1.0, 3.0))


def _race_settings(info, lr: float, lr_adaptive: float, beta: float) -> dict:
    """The hyperparameters the race's sliders set for one optimizer of ``optim.OPTIMIZERS``.

    ``lr`` drives the methods whose learning rate multiplies the gradient
    (``lr_role == "gradient"``: SGD, Momentum, Nesterov); ``lr_adaptive``
    those whose learning rate is a step length (``"step"``: Adagrad,
    RMSprop, Adam, and Rprop's initial step); Adadelta has no learning rate
    in Zeiler's paper and keeps its defaults (lr 1, rho 0.95, eps 1e-6).
    ``beta`` is every momentum coefficient (Momentum's and Nesterov's
    ``beta``, Adam's ``beta1``).  Everything else keeps the class' defaults.
    One lr for all would be unfair: the adaptive methods divide the gradient
    by its own size, so their lr is a step length, not a multiple of the
    gradient.
    """
    settings = {}
    if info.lr_role is not None:
        settings["lr"] = lr if info.lr_role == "gradient" else lr_adaptive
    if info.momentum is not None:
        settings[info.momentum] = beta
    return settings


def optimizer_race(function: str = "ravine", lr: float = 0.01, lr_adaptive: float = 0.05, beta: float = 0.9,
                   condition_number: float = 50.0, steps: int = 150) -> Interactive:
    """Every optimizer of ``optim.OPTIMIZERS`` from one start: SGD, Momentum, Nesterov, Adagrad, RMSprop,
    Adadelta, Adam and Rprop.

    Left: contours of the function (a rotated quadratic ravine with the
    chosen condition number, or Rosenbrock's valley) and each optimizer's
    path.  Right: f(x_k) - f* on a log scale.  On the ravine, plain SGD is
    stable only for lr < 2/kappa; momentum allows larger steps and moves
    along the valley floor.

    Each run is ``optim.trajectory`` with the stop rule ``stop_beyond=LEAVES_PLOT``:
    a run stopped early has diverged.

    State: ``paths`` and ``gaps`` (dict by optimizer name), ``final_gap``,
    ``diverged`` (dict of bool), ``optimizers`` (each racer as the sliders
    set it, fresh).
    """
    as_choice("function", function, RACE_FUNCTIONS)
    racers = optim.OPTIMIZERS
    fig, (ax, ax_gap) = _figure(11, 4.4, ncols=2)
    lines, gap_lines = {}, {}
    for k, info in enumerate(racers):
        (lines[info.name],) = ax.plot([], [], "-", color=f"C{k}", lw=1.3, label=info.name)
        (gap_lines[info.name],) = ax_gap.semilogy([], [], "-", color=f"C{k}", lw=1.3, label=info.name)
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
        paths, gaps, diverged, optimizers = {}, {}, {}, {}
        for info in racers:
            name, settings = info.name, _race_settings(info, lr, lr_adaptive, beta)
            optimizers[name] = info.cls(**settings)  # fresh, as the sliders set it (the state shows it)
            # a run depends only on its own hyperparameters: keep it while they stay
            run_key = (key, steps, tuple(settings.items()))
            if runs.get(name, (None,))[0] != run_key:
                # grad_unvalidated: x0 is validated once by trajectory, which then feeds back its own iterates
                path = optim.trajectory(info.cls(**settings), f.grad_unvalidated, x0, steps,
                                        stop_beyond=LEAVES_PLOT)
                runs[name] = (run_key, path, f(path.T) - f.fmin, len(path) <= steps)
            _, path, gap, div = runs[name]
            paths[name], gaps[name], diverged[name] = path, gap, div
            lines[name].set_data(path[:, 0], path[:, 1])
            gap_lines[name].set_data(np.arange(len(gap)), np.maximum(gap, 1e-300))
            lines[name].set_label(f"{name} (diverged)" if div else name)
        ax.legend(loc="lower right", fontsize=8, ncol=2)
        ax_gap.set_xlim(0, steps)
        stable = linesearch.largest_stable_step(condition_number)  # the ravine's largest curvature is kappa
        title = (f"ravine, κ = {condition_number:.3g} (SGD stable for lr < {stable:.3g})"
                 if function == "ravine" else "Rosenbrock's valley")
        ax.set_title(title)
        best = min((g[-1], n) for n, g in gaps.items() if not diverged[n])[1] if not all(diverged.values()) else None
        ax_gap.set_title(f"closest after {steps} steps: {best}" if best else "all diverged")
        return {"paths": paths, "gaps": gaps, "diverged": diverged, "optimizers": optimizers,
                "final_gap": {n: float(g[-1]) for n, g in gaps.items()}, "best": best}

    gradient_scaled = ", ".join(i.name for i in racers if i.lr_role == "gradient")
    step_length = ", ".join(i.name for i in racers if i.lr_role == "step")
    momenta = ", ".join(i.name if i.momentum == "beta" else f"{i.name}'s {i.momentum}" for i in racers if i.momentum)
    no_lr = ", ".join(i.name for i in racers if i.lr_role is None)
    controls = {
        "function": dropdown("function", list(RACE_FUNCTIONS), function),
        "lr": float_slider(f"lr ({gradient_scaled})", lr, 1e-4, 1.0, 0.05, log=True),
        "lr_adaptive": float_slider(f"lr ({step_length})", lr_adaptive, 1e-3, 1.0, 0.05, log=True),
        "beta": float_slider(f"β ({momenta})", beta, 0.0, 0.99, 0.01, readout_format=".2f"),
        "condition_number": float_slider("κ (ravine)", condition_number, 1.0, 1000.0, 0.05, log=True),
        "steps": int_slider("steps", steps, 10, 300, 10),
    }
    return Interactive(fig, controls, draw, presets={"function": RACE_PRESETS.get},
                       dynamic=lambda: [*lines.values(), start, minimum, *gap_lines.values(), ax.get_legend(),
                                        ax.title, ax_gap.title],
                       caption=f"One lr for the gradient-scaled methods, one for the adaptive ones (their lr is a "
                               f"step length); {no_lr} has none. Choosing a function resets the learning rates "
                               f"and steps to values that suit it.")


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

    def draw(lr_ema, beta, steps):  # each run stops far beyond the plot if it diverges (the same nominal lr can)
        ema = optim.trajectory(optim.Momentum(lr_ema, beta=beta, variant="ema"), f.grad, x0, steps,
                               stop_beyond=1e6)
        lr_c = (1.0 - beta) * lr_ema
        cls = optim.trajectory(optim.Momentum(lr_c, beta=beta, variant="classical"), f.grad, x0, steps,
                               stop_beyond=1e6)
        same = optim.trajectory(optim.Momentum(lr_ema, beta=beta, variant="classical"), f.grad, x0, steps,
                                stop_beyond=1e6)
        ema_line.set_data(ema[:, 0], ema[:, 1])
        cls_line.set_data(cls[:, 0], cls[:, 1])
        same_line.set_data(same[:, 0], same[:, 1])
        n = min(len(ema), len(cls))
        diff = float(np.max(np.linalg.norm(ema[:n] - cls[:n], axis=1)))
        ax.set_title(f"β = {beta:.2f}: EMA vs rescaled classical, largest gap {diff:.1e}")
        return {"max_difference": diff, "paths": {"ema": ema, "classical_rescaled": cls, "classical_same_lr": same}}

    controls = {
        "lr_ema": float_slider("lr_e (EMA form)", lr_ema, 1e-3, 1.0, 0.05, log=True),
        "beta": float_slider("β", beta, 0.0, 0.99, 0.01, readout_format=".2f"),
        "steps": int_slider("steps", steps, 1, 200),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [ema_line, cls_line, same_line, ax.get_legend(), ax.title])


def _call(name: str, args, fixed: dict, order=()) -> str:
    """``name(args..., key=value...)`` as code.  ``args`` are placeholders, passed positionally while
    they follow ``order`` (the constructor's arguments) and by keyword after that."""
    parts, positional = [], True
    for k, arg in enumerate(args):
        positional = positional and k < len(order) and order[k] == arg
        parts.append(arg if positional else f"{arg}={arg}")
    parts += [f"{key}={value!r}" for key, value in fixed.items()]
    return f"{name}({', '.join(parts)})"


def _settings(values: dict, other: dict) -> str:
    """``name=value, ...``, in bold where ``other`` (the other column) differs."""
    shown = []
    for name, value in values.items():
        text = f"{name} (no default)" if value is inspect.Parameter.empty else f"{name}={value!r}"
        shown.append(f"**{text}**" if name in other and other[name] != value else text)
    return ", ".join(shown)


def conventions_table() -> Markdown:
    """The conventions of course_lib and Keras 3, one row per optimizer of ``optim.OPTIMIZERS``.

    Columns: course_lib's defaults (every hyperparameter, in the order of the
    constructor); Keras' defaults, in course_lib's names, with the flags that
    put course_lib's rule in Keras' form (entries that differ in bold); the
    course_lib optimizer that takes the same steps as the Keras one for any
    values of the hyperparameters (``tests/lib/test_optim_keras.py`` runs
    each pair against Keras); the registry's note.
    """
    rows = ["| optimizer | course_lib default | Keras 3 default, in course_lib's names | "
            "the same steps as Keras | note |",
            "|---|---|---|---|---|"]
    for info in optim.OPTIMIZERS:
        order = info.hyperparameters
        ours = {name: info.defaults.get(name, inspect.Parameter.empty) for name in order}
        keras = info.keras
        if keras is None:
            rows.append(f"| `{info.name}` | {_settings(ours, {})} | — | — | Keras has no {info.name} |")
            continue
        merged = {**keras.defaults, **keras.ours}
        theirs = {name: merged[name] for name in order if name in merged}
        args = [name for name in order if name in keras.names]
        ours_call = _call(info.name, args, dict(keras.ours), order)
        keras_args = [f"{keras.names[a]}={a}" for a in args] + [f"{k}={v!r}" for k, v in keras.theirs.items()]
        keras_call = f"keras.optimizers.{keras.name}({', '.join(keras_args)})"
        rows.append(f"| `{info.name}` | {_settings(ours, theirs)} | {_settings(theirs, ours)} | "
                    f"`{ours_call}`<br>= `{keras_call}` | {keras.note} |")
    return Markdown("\n".join(rows))
