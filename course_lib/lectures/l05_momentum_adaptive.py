"""Lecture 5, momentum and adaptive methods: classical and EMA momentum side by side, Goh
(2017)'s analysis of momentum on a quadratic (the error along each eigenvector, the (alpha,
beta) phase diagram, the optimal tuning), the optimizers racing on a ravine and on Rosenbrock's
valley, source 004's Figures 18 and 19 (momentum and Adam on its sextic, from the results of
``experiments/exp_004_sextic.py``), the conventions of course_lib and Keras, and the answers to the
lecture's questions.

Every list of optimizers here is ``optim.OPTIMIZERS``: the race's racers, its sliders'
labels and the conventions table are built from it.
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import functions, linesearch, momentum_theory, optim
from ..validation import as_choice, as_int
from . import figures
from .figures import Markdown, Plot, figure as _figure, reveal
from .interactive import Interactive, float_slider, int_slider, dropdown

__all__ = ["momentum_forms", "eigen_errors", "phase_diagram", "optimal_tuning", "best_beta_answer",
           "phase_answer", "optimizer_race", "race_limits_answer", "conventions_table", "sextic_figures_18_19"]
# the slider figures, in the notebook's order
WIDGETS = ("momentum_forms", "eigen_errors", "phase_diagram", "optimizer_race")


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


# ---------------------------------------------------------------------------------------------
# Goh (2017), "Why Momentum Really Works": momentum on a quadratic, eigenvector by eigenvector
# ---------------------------------------------------------------------------------------------
EIGEN_KAPPA = 100.0    # the lecture's quadratic: eigenvalues 1, 10, 100 (functions.quadratic, dim 3)
EIGEN_TOL = 1e-6       # the iteration counts: until the error is 1e-6 of the start's, for good
PHASE_H = (0.0, 4.4)   # the phase diagram's alpha*lambda axis
PHASE_SIZE = (221, 200)  # its grid: alpha*lambda points x beta points, computed once per figure


def _eigen_problem(kappa: float = EIGEN_KAPPA):
    """(quadratic, start): eigenvalues 1, sqrt(kappa), kappa in a rotated basis; the start's error is 1
    along every eigenvector."""
    f = functions.quadratic(condition_number=kappa, dim=3, angle=np.deg2rad(30.0))
    return f, momentum_theory.start_from_eigenvector_errors(f, 1.0)


def eigen_errors(alpha: float = 0.01, beta: float = 0.0, steps: int = 200) -> Interactive:
    """The error of momentum along each eigenvector of a quadratic, against the iteration (Goh 2017).

    The quadratic has eigenvalues 1, 10 and 100 (kappa = 100) in a rotated basis, and the start's
    error is 1 along each eigenvector.  Solid: ``|x_i^k| = |q_i'(w_k - w*)|`` of a run of optim's
    momentum rule (``momentum_theory.heavy_ball_path``, Distill's form; beta = 0 is gradient descent);
    dashed: ``rate_i^k``, the spectral radius of ``R_i`` to the power k (``momentum_theory.momentum_rate``).
    A run that leaves ``|w| > 1e6`` stops there (it diverges).  Sliders: alpha and beta; ``steps`` is
    fixed when the figure is made (the axes stay, so a move redraws only the lines).

    State: ``errors`` (``|x^k|``, one column per eigenvalue), ``lambdas``, ``rates``, ``regions``
    (``momentum_theory.phase_region`` of each ``alpha * lambda_i``), ``rate`` (the slowest),
    ``diverged``.
    """
    f, w0 = _eigen_problem()
    lambdas = np.linalg.eigvalsh(f.A)
    fig, (ax,) = _figure(7.5, 4.4)
    solid, dashed = [], []
    for i, lam in enumerate(lambdas):
        (line,) = ax.semilogy([], [], "-", color=f"C{i}", lw=1.6, label=f"λ = {lam:g}")
        (guide,) = ax.semilogy([], [], "--", color=f"C{i}", lw=1.0, alpha=0.8)
        solid.append(line)
        dashed.append(guide)
    ax.semilogy([], [], "--", color="0.4", lw=1.0, label="rate$^k$ (closed form)")
    ax.set(xlabel="iteration k", ylabel="$|x_i^k|$, error along eigenvector $i$", ylim=(1e-14, 1e4))
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="lower left", fontsize=9)

    ax.set_xlim(0, steps)

    def draw(alpha, beta):
        path = momentum_theory.heavy_ball_path(f, w0, alpha, beta, steps, stop_beyond=1e6)
        _, _, X = momentum_theory.eigenvector_errors(f, path)
        errors = np.abs(X)
        k = np.arange(len(path))
        rates = [momentum_theory.momentum_rate(lam, alpha, beta) for lam in lambdas]
        regions = [momentum_theory.phase_region(alpha * lam, beta) for lam in lambdas]
        with np.errstate(over="ignore"):
            for i in range(len(lambdas)):
                solid[i].set_data(k, np.maximum(errors[:, i], 1e-300))
                dashed[i].set_data(np.arange(steps + 1), np.minimum(rates[i] ** np.arange(steps + 1.0), 1e300))
        rate = max(rates)
        diverged = len(path) <= steps
        ax.set_title(f"α = {alpha:.3g}, β = {beta:.2f}: rates " + ", ".join(f"{r:.3f}" for r in rates)
                     + (" (diverges)" if rate >= 1 else f"; slowest {rate:.4f}"))
        return {"errors": errors, "lambdas": lambdas, "rates": rates, "regions": regions, "rate": rate,
                "diverged": diverged}

    controls = {
        "alpha": float_slider("α (step)", alpha, 1e-3, 0.04, 0.02, log=True),
        "beta": float_slider("β (momentum)", beta, 0.0, 0.99, 0.01, readout_format=".2f"),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [*solid, *dashed, ax.title],
                       caption="Solid: optim's momentum rule, measured along each eigenvector; dashed: "
                               "the closed-form rate to the power k.  β = 0 is gradient descent.")


def _phase_grid():
    """(h, beta, rate): ``momentum_theory.momentum_rate_unvalidated`` on the phase diagram's grid."""
    h = np.linspace(*PHASE_H, PHASE_SIZE[0])[1:]
    b = np.linspace(0.0, 0.995, PHASE_SIZE[1])
    return h, b, momentum_theory.momentum_rate_unvalidated(h[None, :], b[:, None])


def phase_diagram(alpha_lambda: float = 1.0, beta: float = 0.5, steps: int = 40) -> Interactive:
    """Goh (2017)'s phase diagram of momentum along one eigenvector, and that eigenvector's error.

    Left: the convergence rate (``momentum_theory.momentum_rate``) as a colour over ``(alpha lambda,
    beta)``, computed once on a grid; grey where it diverges.  Black: the edge of the stable region
    ``alpha lambda = 2 + 2 beta``; white dashed: the edges of the ripples ``(1 -+ sqrt beta)^2``
    (``momentum_theory.ripple_band``); the cross is the sliders' point.  Right: the error ``x^k`` of a
    run of optim's momentum on ``f(w) = w^2 / 2`` (``lambda = 1``, ``alpha = alpha lambda``) from
    ``x^0 = 1``, ``steps`` iterations (fixed when the figure is made).

    State: ``region`` (``momentum_theory.phase_region``), ``rate``, ``errors``, ``grid`` (h, beta, rate).
    """
    H, B, rate_grid = _phase_grid()
    fig, (ax, ax_err) = _figure(11, 4.4, ncols=2)
    shown = np.ma.masked_where(rate_grid >= 1.0, rate_grid)
    ax.set_facecolor("0.82")
    image = ax.pcolormesh(H, B, shown, cmap="viridis", vmin=0.0, vmax=1.0, shading="nearest", rasterized=True)
    fig.colorbar(image, ax=ax, label="rate = max |σ| (grey: diverges)")
    betas = np.linspace(0.0, 0.995, 200)
    edges = np.array([momentum_theory.ripple_band(b) for b in betas])
    ax.plot([2.0 + 2.0 * b for b in betas], betas, "k-", lw=2, label="αλ = 2 + 2β (stable edge)")
    ax.plot(edges[:, 0], betas, "w--", lw=1.2, label="(1 ∓ √β)²: ripples between")
    ax.plot(edges[:, 1], betas, "w--", lw=1.2)
    (point,) = ax.plot([], [], "x", color="red", ms=12, mew=3, label="the sliders")
    ax.set(xlabel="α λ", ylabel="β", xlim=PHASE_H, ylim=(0.0, 1.0))
    ax.legend(loc="upper left", fontsize=8)
    (err_line,) = ax_err.plot([], [], "o-", color="C3", ms=3, lw=1, label="$x^k$, optim's momentum")
    ax_err.axhline(0.0, color="0.6", lw=0.8)
    ax_err.set(xlabel="iteration k", ylabel="error $x^k$ (λ = 1)", ylim=(-1.1, 1.1))
    ax_err.legend(loc="upper right", fontsize=8)
    ax_err.set_xlim(0, steps)
    one = functions.quadratic_from_matrix([[1.0]])

    def draw(alpha_lambda, beta):
        path = momentum_theory.heavy_ball_path(one, [1.0], alpha_lambda, beta, steps, stop_beyond=1e6)
        point.set_data([alpha_lambda], [beta])
        err_line.set_data(np.arange(len(path)), path[:, 0])
        region = momentum_theory.phase_region(alpha_lambda, beta)
        rate = momentum_theory.momentum_rate(1.0, alpha_lambda, beta)
        ax.set_title(f"αλ = {alpha_lambda:.2f}, β = {beta:.2f}: {region}, rate {rate:.3f}")
        ax_err.set_title(f"{region}: " + ("the error grows" if rate >= 1 else f"$|x^k| \\sim {rate:.3f}^k$"))
        return {"region": region, "rate": rate, "errors": path[:, 0], "grid": (H, B, rate_grid)}

    controls = {
        "alpha_lambda": float_slider("α λ", alpha_lambda, 0.02, PHASE_H[1], 0.02, readout_format=".2f"),
        "beta": float_slider("β", beta, 0.0, 0.99, 0.01, readout_format=".2f"),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [point, err_line, ax.title, ax_err.title],
                       caption="The colour map is computed once; a move runs one short recursion.")


def optimal_tuning(kappa: float = EIGEN_KAPPA, tol: float = EIGEN_TOL) -> Markdown:
    """The answer to "how much faster is momentum?": a table of gradient descent at its best step and
    momentum at ``(alpha*, beta*)`` on the lecture's quadratic (eigenvalues 1, sqrt(kappa), kappa), behind a
    reveal.

    Columns: alpha, beta, rate (``momentum_theory.optimal_gd`` / ``optimal_momentum``), the iterations the
    rate predicts for the error to fall to ``tol`` of the start's (``iterations_for_rate``) and those a run
    of optim's rule needs (``measured_iterations``); then the predicted speed-up
    (``momentum_speedup``) against sqrt(kappa) and the measured one.
    """
    f, w0 = _eigen_problem(kappa)
    lo, hi = f.strong_convexity, f.smoothness
    rows = ["| method | α | β | rate per iteration | iterations predicted by the rate | iterations measured |",
            "|---|---|---|---|---|---|"]
    counts = {}
    for name, tuning in (("gradient descent, α = 2/(λ₁ + λₙ)", momentum_theory.optimal_gd(lo, hi)),
                         ("momentum, α\\*, β\\*", momentum_theory.optimal_momentum(lo, hi))):
        predicted = momentum_theory.iterations_for_rate(tuning.rate, tol)
        measured = momentum_theory.measured_iterations(f, w0, tuning.alpha, tuning.beta, tol,
                                                       max_steps=4 * int(predicted) + 200)
        counts[name] = (predicted, measured)
        rows.append(f"| {name} | {tuning.alpha:.5f} | {tuning.beta:.5f} | {tuning.rate:.5f} | {predicted:.1f} | "
                    f"{measured} |")
    (gd_pred, gd_meas), (mom_pred, mom_meas) = counts.values()
    text = "\n".join(rows) + (
        f"\n\nFor κ = {kappa:g} and a tolerance of {tol:g}: the rates predict a speed-up of "
        f"{momentum_theory.momentum_speedup(kappa):.2f} (√κ = {np.sqrt(kappa):.2f}); "
        f"measured, momentum needs {mom_meas} iterations against {gd_meas}: "
        f"{gd_meas / mom_meas:.2f} times fewer.  Momentum's measured count exceeds its prediction "
        f"({mom_meas} against {mom_pred:.1f}) because at (α\\*, β\\*) the two extreme eigenvalues sit on the "
        f"edge of the ripples, where R has a double eigenvalue and the error decays like k·rate^k, not rate^k.")
    return reveal(text, summary="Answer: the optimal parameters and the iteration counts")


def best_beta_answer(alpha: float = 0.01) -> Markdown:
    """The answer to "at this step, which beta is fastest?" for the lecture's quadratic: the critical damping of
    its smallest eigenvalue (``momentum_theory.critical_damping``), the rate of the whole problem there and
    gradient descent's at the same step (``momentum_theory.convergence_rate``)."""
    f, _ = _eigen_problem()
    lambdas = np.linalg.eigvalsh(f.A)
    beta, rate = momentum_theory.critical_damping(alpha * lambdas[0])
    overall = momentum_theory.convergence_rate(lambdas, alpha, beta)
    gd = momentum_theory.convergence_rate(lambdas, alpha, 0.0)
    verdict = ("There the others are no slower" if overall <= rate * (1 + 1e-9)
               else "But there the others are slower")
    others = "; ".join(f"λ = {lam:g}: {momentum_theory.phase_region(alpha * lam, beta)}, rate "
                       f"{momentum_theory.momentum_rate(lam, alpha, beta):.4f}" for lam in lambdas[1:])
    return reveal(
        f"The slowest eigenvector (λ = {lambdas[0]:g}, αλ = {alpha * lambdas[0]:.3g}) is fastest at its critical "
        f"damping β = (1 − √(αλ))² = {beta:.4f}, with rate 1 − √(αλ) = {rate:.4f}.  {verdict} "
        f"({others}), so the whole problem's rate is {overall:.4f} per iteration"
        f"{' (at least 1: it diverges)' if overall >= 1 else ''}, against {gd:.4f} for gradient descent at "
        f"the same step.")


def phase_answer(alpha_lambda: float = 3.0) -> Markdown:
    """The answer to "gradient descent diverges at this alpha lambda: which betas rescue it, and which is best?"
    (``momentum_theory.smallest_stable_beta``, ``critical_damping``)."""
    lo = momentum_theory.smallest_stable_beta(alpha_lambda)
    beta, rate = momentum_theory.critical_damping(alpha_lambda)
    return reveal(
        f"At αλ = {alpha_lambda:g} gradient descent (β = 0) diverges (it needs αλ < 2).  Momentum converges "
        f"for αλ < 2 + 2β, that is for every β > αλ/2 − 1 = {lo:.3f}; the fastest is the critical damping "
        f"β = (1 − √(αλ))² = {beta:.3f}, rate |1 − √(αλ)| = {rate:.3f}.")


def race_limits_answer(condition_number: float = 50.0, beta: float = 0.9) -> Markdown:
    """The answer to "find the largest lr at which SGD, and Momentum, still converge on the ravine": ``2 /
    kappa`` (``linesearch.largest_stable_step``) and ``(2 + 2 beta) / kappa``
    (``momentum_theory.largest_stable_step``; the ravine's largest curvature is kappa)."""
    sgd = linesearch.largest_stable_step(condition_number)
    mom = momentum_theory.largest_stable_step(condition_number, beta)
    return reveal(
        f"On the ravine with κ = {condition_number:g} the largest curvature is κ: SGD converges for "
        f"lr < 2/κ = {sgd:.4g}, heavy-ball momentum with β = {beta:g} for lr < (2 + 2β)/κ = {mom:.4g}, "
        f"{mom / sgd:.2f} times as far (the stable region of Goh's phase diagram, αλ < 2 + 2β).")


SEXTIC_RESULTS = "source_004_sextic"
"""The results file of ``experiments/exp_004_sextic.py``: source 004's Figures 18 and 19 redone."""


def _sextic_end(run: dict, tol: float, beyond: float) -> str:
    """Where a run of the results file ends, for a legend."""
    if run["diverged"]:
        k = run["leaves_plot_at"]
        off = f"off the plot at step {k} (x = {run['iterates'][k]:.4g}), " if k is not None else ""
        return f"{off}beyond {beyond:g} at step {run['taken'] + 1}"
    if run["reached_at"] is None:
        return f"near {run['minimum']:.3f}, not within {tol:g} after {run['steps']} steps"
    return f"{run['which']} minimum {run['minimum']:.3f}, within {tol:g} from step {run['reached_at']}"


def sextic_figures_18_19(shown: int = 30) -> Plot:
    """Source 004's Figures 18 and 19 redone: momentum and Adam on the thesis' sextic, the iterates on the curve.

    Drawn from the committed results of ``experiments/exp_004_sextic.py`` (``figures.results``), the first
    ``shown`` steps of each run.  Left, Figure 18 (from the right): gradient descent at the printed
    lambda, momentum (``Delta W = alpha Delta W - lambda grad J``) at the likely intended alpha = 0.4 and
    the usual 0.9, and the printed alpha = 40 while its iterates are on the plot.  Right, Figure 19 (from
    the left): Adam at the printed settings and gradient descent at Figure 18's lambda.  Each legend entry
    says where the run ends: which minimum, the step from which it stays within the results' tolerance,
    or where it left the plot and diverged.

    data: ``paths`` (run key -> the iterates drawn), ``ends`` (run key -> legend text), ``results``.
    """
    r = figures.results(SEXTIC_RESULTS)
    runs, choices, thesis = r["runs"], r["choices"], r["thesis"]
    shown = as_int("shown", shown, minimum=1)
    most = min(len(run["iterates"]) for key, run in runs.items() if not run["diverged"]) - 1
    if shown > most:
        raise ValueError(f"shown must be at most {most} (the iterates the results file holds); got {shown}")
    f = functions.sextic()
    lo, hi = f.bounds[0]
    xs = np.linspace(lo, hi, 400)
    fig, axes = _figure(12, 4.6, ncols=2)
    f18, f19 = thesis["figure_18"], thesis["figure_19"]
    names = {"fig18_gd": ("gradient descent", "C0"),
             "fig18_reading": (f"momentum, α = {choices['reading_alpha']:g} (reading)", "C1"),
             "fig18_usual": (f"momentum, α = {choices['usual_alpha']:g}", "C2"),
             "fig18_printed": (f"momentum, α = {f18['alpha']:g} (printed)", "C3"),
             "fig19_adam": ("Adam (printed settings)", "C1"),
             "fig19_gd": (f"gradient descent, λ = {f18['lr']:g}", "C0")}
    panels = ((axes[0], ("fig18_usual", "fig18_gd", "fig18_reading", "fig18_printed"),
               f"Figure 18: momentum, λ = {f18['lr']:g}, from x = {choices['x0_right']:g}"),
              (axes[1], ("fig19_adam", "fig19_gd"),
               f"Figure 19: Adam, λ = {f19['lr']:g}, from x = {choices['x0_left']:g}\n"
               f"(β₁ = {f19['beta1']:g}, β₂ = {f19['beta2']:g}, ε = {f19['eps']:g})"))
    paths, ends = {}, {}
    for ax, keys, title in panels:
        ax.plot(xs, f(xs[None]), color="0.3", lw=1.5, label="f(x)")
        for key in keys:
            run = runs[key]
            x = np.asarray(run["iterates"][:shown + 1])
            if run["leaves_plot_at"] is not None:
                x = x[:run["leaves_plot_at"]]  # the iterates on the plot
            name, color = names[key]
            ends[key] = _sextic_end(run, choices["tol"], choices["diverged_beyond"])
            paths[key] = x
            ax.plot(x, f(x[None]), "o-", color=color, ms=3.5, lw=1, alpha=0.85, label=f"{name}: {ends[key]}")
        ax.plot([runs[keys[0]]["x0"]], [f(np.array([runs[keys[0]]["x0"]]))], "s", color="k", ms=6, label="start")
        left = max(lo, np.floor(min(paths[key].min() for key in keys)) - 2.0)  # Figure 18 stays on the right
        ax.set(xlabel="x", ylabel="f(x)", xlim=(left, hi), title=title)
        ax.legend(loc="upper center", fontsize=8)
        ax.grid(alpha=0.3)
    return Plot(fig, {"paths": paths, "ends": ends, "results": r})


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
