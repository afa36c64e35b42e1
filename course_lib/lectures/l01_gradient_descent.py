"""Lecture 1, gradient descent: the sextic with a learning-rate slider, convexity and Jensen's
inequality, the linear rate of source 000's Theorem 3 and the O(1/t) rate without strong
convexity, the condition number of regularised logistic regression, exact and backtracking
line search, and the answers to the lecture's questions (behind reveals).

Every number is the library's: the objectives are ``functions``', the bounds and step
counts ``linesearch``', the runs ``optim.trajectory``; this module draws and formats them.
"""

from __future__ import annotations

import numpy as np

from .. import functions, linesearch, optim
from . import figures
from .figures import Markdown, Plot, figure as _figure
from .interactive import Interactive, float_slider, int_slider

__all__ = ["sextic_descent", "sextic_landmarks", "stable_step_answer", "jensen_chord", "jensen_check",
           "pl_check", "linear_rate", "linear_rate_answers", "sublinear_rate", "regularised_logistic",
           "exact_line_search", "backtracking"]
# the slider figures, in the notebook's order
WIDGETS = ("sextic_descent", "jensen_chord", "linear_rate", "sublinear_rate", "regularised_logistic",
           "backtracking")

SEXTIC_YLIM = (-8.0, 18.0)
"""The f-axis of the sextic's figures: the whole graph over the start sliders' range [0, 24] (f(24) = 15.7)."""
LINEAR_RATE_START = (-1.0, 0.6)
"""The start of ``linear_rate``'s runs (and of ``linear_rate_answers``')."""
LINEAR_RATE_ANGLE = 30.0
"""The rotation of ``linear_rate``'s quadratic, in degrees."""


def sextic_descent(lr: float = 0.3, x0: float = 1.0, steps: int = 30) -> Interactive:
    """Gradient descent on source 004's sextic: sliders for the learning rate, start and steps.

    Left: f with the iterates x_0, x_1, ... joined in order.  Right: f(x_k)
    against k.  Near a minimum x*, x_{k+1} - x* ~ (1 - lr f''(x*)) (x_k - x*),
    so the iteration is stable only for lr < 2 / f''(x*) (the caption gives
    it at both minima, from ``linesearch.largest_stable_step``); the title
    says where the run ended, whether it settled into a two-cycle (just above
    2 / f''(x*) the iterates jump between two points on either side of x*:
    a period-doubling, not a divergence), or when it left the plot.

    State: ``x`` (last iterate), ``f``, ``diverged``, ``converged`` (last
    step below 1e-6 relative), ``two_cycle``, ``steps_taken``,
    ``lr_max_local`` (2 / f'' at the minimum nearest to the last iterate).
    """

    f = functions.sextic()
    lo, hi = f.bounds[0]
    xs = np.linspace(lo, hi, 400)
    fig, (ax, ax_k) = _figure(10, 3.8, ncols=2)
    ax.plot(xs, f(xs[None]), color="0.3", lw=1.5, label="f(x)")
    for m in f.minima[:, 0]:
        ax.axvline(m, color="0.8", lw=0.8, zorder=0)
    (path_line,) = ax.plot([], [], "o-", color="C1", ms=4, lw=1, label="iterates $x_k$")
    (start,) = ax.plot([], [], "s", color="C3", ms=7, label="$x_0$")
    ax.set(xlabel="x", ylabel="f(x)", xlim=(lo, hi), ylim=SEXTIC_YLIM)
    ax.legend(loc="upper left", fontsize=9)
    (curve,) = ax_k.plot([], [], "o-", color="C1", ms=3)
    ax_k.set(xlabel="step k", ylabel="f($x_k$)", title="f along the run")
    ax_k.grid(alpha=0.3)
    minima = f.minima[:, 0]
    curvature = np.array([f.hessian(np.array([m]))[0, 0] for m in minima])

    def draw(lr, x0, steps):
        path = optim.trajectory(optim.SGD(lr), f.grad, [float(x0)], steps, stop_beyond=1e3)
        diverged = len(path) <= steps  # the stop rule ended the run early
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
        lr_max = linesearch.largest_stable_step(curvature[nearest])
        converged = not diverged and len(p) > 1 and bool(optim.settled(path)[-1])
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
        "lr": float_slider("learning rate", lr, 1e-3, 3.0, 0.01, log=True),
        "x0": float_slider("start x0", x0, lo, hi, 0.1, readout_format=".1f"),
        "steps": int_slider("steps", steps, 1, 200),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [path_line, start, curve, ax.title],
                       caption="Stable near a minimum x* only for lr &lt; 2 / f''(x*): " + ", ".join(
                           f"{linesearch.largest_stable_step(c):.2f} at x* = {m:.2f}" for m, c in zip(minima, curvature))
                       + ".")


def linear_rate(condition_number: float = 10.0, lr_beta: float = 1.0, steps: int = 40,
                angle: float = LINEAR_RATE_ANGLE) -> Interactive:
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
    which is drawn; for 1/beta < eta < 2/beta smoothness gives f(x+) <= f(x)
    - eta (1 - beta eta / 2) |grad f|^2, hence the factor 1 - alpha eta (2 -
    beta eta) < 1 per step (``linesearch.fixed_step_factor``), which is
    drawn instead; from 2/beta on no bound is drawn (the run diverges).  Both
    are upper bounds, not tight on a quadratic.

    State: ``gap`` (f(x_t) - f*, one per iterate), ``bound`` (the drawn bound
    times f(x_0) - f*; NaN for ``lr_beta >= 2``), ``printed_bound``,
    ``diverged``, ``bound_holds`` (every gap <= bound, with 1e-12 slack;
    False when no bound applies).
    """

    fig, (ax, ax_gap) = _figure(10, 4.0, ncols=2)
    g = np.linspace(-1.2, 1.2, 101)
    X, Y = np.meshgrid(g, g)
    x0 = np.array(LINEAR_RATE_START)
    (path_line,) = ax.plot([], [], "o-", color="C1", ms=3, lw=1, label="gradient descent")
    ax.plot(0, 0, "*", color="k", ms=10, label="minimum")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=(-1.2, 1.2), ylim=(-1.2, 1.2), aspect="equal")
    (gap_line,) = ax_gap.semilogy([], [], "o-", color="C1", ms=3, label="$f(x_t) - f^*$")
    (bound_line,) = ax_gap.semilogy([], [], "--", color="C0",
                                    label=r"bound: $(1-\alpha\eta)^t$ for $\eta \leq 1/\beta$, "
                                          r"$(1-\alpha\eta(2-\beta\eta))^t$ below $2/\beta$")
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
        path = optim.trajectory(optim.SGD(lr_beta / beta), f.grad, x0, steps, stop_beyond=1e3)
        diverged = len(path) <= steps  # the stop rule ended the run early
        path_line.set_data(path[:, 0], path[:, 1])
        gap = f(path.T) - 0.0
        t = np.arange(steps + 1)
        eta = lr_beta / beta
        if lr_beta <= 1:
            bound = linesearch.fixed_step_bound(alpha, eta, steps) * gap[0]
        elif lr_beta < 2:
            bound = linesearch.fixed_step_bound_general(alpha, beta, eta, steps) * gap[0]
        else:
            bound = np.full(t.shape, np.nan)
        printed = linesearch.fixed_step_bound_as_printed(alpha, beta, steps) * gap[0]
        gap_line.set_data(np.arange(len(gap)), np.maximum(gap, 1e-300))
        bound_line.set_data(t, np.maximum(bound, 1e-300))
        printed_line.set_data(t, np.maximum(printed, 1e-300))
        ax_gap.set_xlim(0, steps)
        ax_gap.set_ylim(gap[0] * 1e-10, gap[0] * 1e3)  # fixed per kappa: a slider move redraws only the curves
        ax.set_title(f"κ = β/α = {beta:.3g}, step = {lr_beta:.2f}/β")
        holds = (lr_beta < 2 and not diverged
                 and bool(np.all(gap <= bound[:len(gap)] * (1 + 1e-12) + 1e-300)))
        status = "diverged" if diverged else f"after {steps} steps: f − f* = {gap[-1]:.2e}"
        ax_gap.set_title(status, color="C3" if diverged else "black")
        return {"gap": gap, "bound": bound, "printed_bound": printed, "diverged": diverged,
                "bound_holds": holds, "path": path}

    controls = {
        "condition_number": float_slider("κ = β/α", condition_number, 1.0, 1000.0, 0.05, log=True),
        "lr_beta": float_slider("step × β", lr_beta, 0.05, 2.2, 0.05, readout_format=".2f"),
        "steps": int_slider("steps", steps, 1, 200),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [contour_set[0], path_line, gap_line, bound_line, printed_line,
                                        ax_gap.get_legend(), ax.title, ax_gap.title],
                       caption="Theorem 3 of source 000 (step 1/β): f(x_t) − f* ≤ (1 − α/β)^t (f(x_0) − f*). "
                               "Its printed form exp(−tβ/α) has the ratio inverted. For 1/β < η < 2/β the "
                               "dashed bound is (1 − αη(2 − βη))^t, from the same two inequalities.")


def exact_line_search(steps: int = 8) -> Plot:
    """Source 004, Example 1: steepest descent with exact line search on x1^2 + 2x2^2 - 2x1x2 - 2x2.

    From (0, 0) each step goes to the minimum of f along the negative
    gradient, t_k = g'g / g'Ag; consecutive steps are orthogonal, so the path
    zig-zags into the minimiser (1, 1).  Left: contours and path, with the
    first steps' t annotated (the first is 1/4, to (0, 1/2)).  Right: f(x_k)
    - f* on a log scale against Luenberger's bound ((kappa - 1)/(kappa + 1))^(2k).

    data: ``path`` (steps + 1, 2), ``t`` (the step lengths), ``gap``, ``bound``.
    """

    f = functions.two_variable_quadratic()
    path, t = linesearch.steepest_descent_exact(f.A, f.b, np.zeros(2), steps=steps)
    gap = f(path.T) - f.fmin
    kappa = f.condition_number
    bound = linesearch.exact_step_bound(kappa, steps) * gap[0]

    fig, (ax, ax_gap) = _figure(10, 4.2, ncols=2)
    (x0, x1), (y0, y1) = f.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, 161), np.linspace(y0, y1, 161))
    Z = f(np.stack([X, Y]))
    ax.contour(X, Y, Z, levels=np.linspace(-0.95, 3, 16), colors="0.75", linewidths=0.8,
               negative_linestyles="solid")
    ax.plot(path[:, 0], path[:, 1], "o-", color="C1", ms=4, label="exact line search")
    ax.plot(1, 1, "*", color="k", ms=11, label="minimiser (1, 1)")
    for k in range(min(3, steps)):
        mid = 0.5 * (path[k] + path[k + 1])
        ax.annotate(f"t = {t[k]:.4g}", mid, textcoords="offset points", xytext=(6, -4), fontsize=9)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal", xlim=(x0, x1), ylim=(y0, y1),
           title="$x_1^2 + 2x_2^2 - 2x_1x_2 - 2x_2$: steepest descent, exact steps")
    ax.legend(loc="lower right", fontsize=9)
    ax_gap.semilogy(gap, "o-", color="C1", label="$f(x_k) - f^*$")
    ax_gap.semilogy(bound, "--", color="C0", label=r"$((\kappa-1)/(\kappa+1))^{2k}(f(x_0)-f^*)$")
    ax_gap.set(xlabel="step k", ylabel="$f(x_k) - f^*$", title=f"κ = {kappa:.2f}")
    ax_gap.grid(alpha=0.3, which="both")
    ax_gap.legend(fontsize=9)
    return Plot(fig, {"path": path, "t": t, "gap": gap, "bound": bound, "kappa": kappa})


# ---------------------------------------------------------------------------------------------
# the sextic's numbers, and the answer to "Check yourself"
# ---------------------------------------------------------------------------------------------
def sextic_landmarks() -> Markdown:
    """The sextic's stationary points (``functions.sextic().stationary_points``), f and f'' there, and 2/f''."""
    f = functions.sextic()
    rows = ["| x | kind | f(x) | f''(x) | 2 / f''(x) |", "|---|---|---|---|---|"]
    for x in f.stationary_points:
        c = float(f.hessian(np.array([x]))[0, 0])
        kind = "local maximum (the hump)" if c < 0 else (
            "global minimum" if np.isclose(f(x), f.fmin) else "local minimum")
        lr_max = f"{linesearch.largest_stable_step(c):.2f}" if c > 0 else "—"
        rows.append(f"| {x:.2f} | {kind} | {f(x):.3f} | {c:.2f} | {lr_max} |")
    return Markdown("\n".join(rows))


def stable_step_answer() -> Markdown:
    """The answer to lecture 1's "Check yourself": 2/f''(x*) at each minimum of the sextic, behind a reveal."""
    f = functions.sextic()
    (local, glob) = f.minima[:, 0]
    c_local, c_glob = (float(f.hessian(np.array([m]))[0, 0]) for m in (local, glob))
    return figures.reveal(
        f"At the local minimum $x^* = {local:.2f}$, $f''(x^*) = {c_local:.2f}$, so the largest stable "
        f"learning rate there is $2/f'' = {linesearch.largest_stable_step(c_local):.2f}$; at the global "
        f"minimum $x^* = {glob:.2f}$, $f'' = {c_glob:.2f}$ and $2/f'' = "
        f"{linesearch.largest_stable_step(c_glob):.2f}$. A learning rate between the two is stable at the "
        f"flatter minimum only.")


# ---------------------------------------------------------------------------------------------
# convexity and Jensen's inequality
# ---------------------------------------------------------------------------------------------
def jensen_chord(a: float = -2.5, b: float = 1.5, theta: float = 0.4) -> Interactive:
    """The chord above the graph: source 000's equation (3) and Jensen's inequality for two points.

    f(x) = x^2 - log(1 + x^2) (``functions.flat_minimum``, convex).  The
    chord joins (a, f(a)) and (b, f(b)); the distribution with mass theta at
    a and 1 - theta at b has mean x_theta = theta a + (1 - theta) b, and
    Jensen's inequality f(E[x]) <= E[f(x)] says the graph at x_theta (a dot)
    lies below the chord there (a square): ``functions.jensen_sides``.

    State: ``x_mean``, ``f_of_mean``, ``mean_of_f``, ``holds``.
    """
    f = functions.flat_minimum()
    lo, hi = f.bounds[0]
    xs = np.linspace(lo, hi, 300)
    fig, (ax,) = _figure(6.5, 4.0)
    ax.plot(xs, f(xs[None]), color="0.3", lw=1.5, label="$f(x) = x^2 - \\log(1 + x^2)$")
    (chord,) = ax.plot([], [], "o-", color="C0", lw=1.2, ms=5, label="chord: $\\theta f(a) + (1-\\theta) f(b)$")
    (gap,) = ax.plot([], [], "-", color="C3", lw=2)
    (on_graph,) = ax.plot([], [], "o", color="C3", ms=7, label="$f(E[x])$")
    (on_chord,) = ax.plot([], [], "s", color="C0", ms=7, label="$E[f(x)]$")
    ax.set(xlabel="x", ylabel="f(x)", xlim=(lo, hi), ylim=(-0.3, float(f(np.array([hi]))) + 0.4))
    ax.legend(loc="upper center", fontsize=9)
    ax.grid(alpha=0.3)

    def draw(a, b, theta):
        f_mean, mean_f = functions.jensen_sides(f, np.array([a, b], dtype=float), np.array([theta, 1 - theta]))
        xm = theta * a + (1 - theta) * b
        chord.set_data([a, b], [f(np.array([a])), f(np.array([b]))])
        gap.set_data([xm, xm], [f_mean, mean_f])
        on_graph.set_data([xm], [f_mean])
        on_chord.set_data([xm], [mean_f])
        holds = f_mean <= mean_f + 1e-12
        ax.set_title(f"E[x] = {xm:.2f}:  f(E[x]) = {f_mean:.3f} ≤ E[f(x)] = {mean_f:.3f}", color="black"
                     if holds else "C3")
        return {"x_mean": xm, "f_of_mean": f_mean, "mean_of_f": mean_f, "holds": bool(holds)}

    controls = {
        "a": float_slider("a", a, lo, hi, 0.05, readout_format=".2f"),
        "b": float_slider("b", b, lo, hi, 0.05, readout_format=".2f"),
        "theta": float_slider("θ = P(x = a)", theta, 0.0, 1.0, 0.01, readout_format=".2f"),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [chord, gap, on_graph, on_chord, ax.title],
                       caption="Convex: every chord lies above the graph, f(θa + (1−θ)b) ≤ θf(a) + (1−θ)f(b) "
                               "(source 000, eq. 3), which is Jensen's inequality for a two-point distribution.")


def jensen_check(samples: int = 10_000, mean: float = 1.0, std: float = 1.0, seed: int = 0) -> Markdown:
    """Jensen's inequality on ``samples`` normal draws for f(x) = x^2 - log(1 + x^2) (``functions.jensen_sides``)."""
    f = functions.flat_minimum()
    x = np.random.default_rng(seed).normal(mean, std, samples)
    f_mean, mean_f = functions.jensen_sides(f, x)
    return Markdown(f"{samples:,} draws from N({mean:g}, {std:g}²): f(mean of x) = {f_mean:.4f} "
                    f"≤ mean of f(x) = {mean_f:.4f} (gap {mean_f - f_mean:.4f})")


# ---------------------------------------------------------------------------------------------
# Lemma 1 checked on the course's logistic regression
# ---------------------------------------------------------------------------------------------
def pl_check(lam: float = 0.01, points: int = 81) -> Markdown:
    """Lemma 1 (PL) on lecture 4's logistic regression: the smallest ||grad F||^2 / (2 alpha (F - F*)) on a grid.

    ``functions.pl_ratio`` over a ``points`` x ``points`` grid of w in the
    box [-3, 3]^2, with alpha = 2 lambda (``strong_convexity``).
    """
    F = functions.logistic_clouds(lam=lam)
    (lo0, hi0), (lo1, hi1) = F.bounds
    W = np.stack(np.meshgrid(np.linspace(lo0, hi0, points), np.linspace(lo1, hi1, points)))
    ratio = functions.pl_ratio(F, W, F.strong_convexity)
    k = np.unravel_index(np.argmin(ratio), ratio.shape)
    return Markdown(f"Lemma 1 on lecture 4's logistic regression (λ = {lam:g}, α = 2λ = {F.strong_convexity:g}), "
                    f"{points}×{points} points w in [{lo0:g}, {hi0:g}]²: the smallest "
                    f"‖∇F(w)‖² / (2α (F(w) − F*)) is {ratio[k]:.3g} {'≥' if ratio[k] >= 1 else '<'} 1, "
                    f"at w = ({W[0][k]:.2f}, {W[1][k]:.2f}).")


# ---------------------------------------------------------------------------------------------
# the answers to the questions on the linear rate
# ---------------------------------------------------------------------------------------------
def linear_rate_answers(condition_number: float = 10.0, tol: float = 1e-6, angle: float = LINEAR_RATE_ANGLE,
                        factor: float = 2.1) -> Markdown:
    """Answers to lecture 1's questions on Theorem 3, from the library, behind a reveal.

    1. The steps the bound (1 - 1/kappa)^t needs to reach ``tol``
       (``linesearch.linear_rate_steps``), the steps the run of
       ``linear_rate`` (same start ``LINEAR_RATE_START`` and angle, step
       1/beta) needs, and the steps a run from the flat eigenvector
       (``Quadratic.eigenvectors[:, 0]``) needs (``linesearch.steps_to_reach``
       on ``optim.trajectory`` runs).  There the gap shrinks by exactly (1 -
       1/kappa)^2 per step, so even the slowest start beats the bound: it is
       an upper bound, not tight on a quadratic.
    2. At the step ``factor``/beta, the factor 1 - eta lambda per step along
       each eigenvector of the quadratic.
    """
    f = functions.quadratic(condition_number=condition_number, dim=2, angle=np.deg2rad(angle))
    alpha, beta = f.strong_convexity, f.smoothness
    kappa = beta / alpha
    bound_steps = linesearch.linear_rate_steps(kappa, tol)

    def run_steps(x0):
        path = optim.trajectory(optim.SGD(1.0 / beta), f.grad, np.asarray(x0, dtype=float), bound_steps)
        return linesearch.steps_to_reach(f(path.T) - f.fmin, tol)

    default_steps, flat_steps = run_steps(LINEAR_RATE_START), run_steps(f.eigenvectors[:, 0])
    flat, steep = (1 - factor / beta * lam for lam in (alpha, beta))
    start = ", ".join(f"{v:g}" for v in LINEAR_RATE_START)
    return figures.reveal(
        f"1. $(1 - 1/\\kappa)^t \\le {tol:g}$ needs $t \\ge \\ln({tol:g}) / \\ln(1 - 1/{kappa:g})$, "
        f"so **{bound_steps} steps** by the bound. The run (start $({start})$) needs **{default_steps} steps**. "
        f"No start reaches the bound: along the flat eigenvector ($\\lambda = \\alpha$) the error shrinks by "
        f"$1 - 1/\\kappa$ per step, so the gap $\\tfrac{{\\alpha}}{{2}} e^2$ shrinks by $(1 - 1/\\kappa)^2$, and "
        f"a run started there needs **{flat_steps} steps**, the slowest of all starts (the steep part of any "
        f"other start is gone after one step of $1/\\beta$), and about half the bound's count, since "
        f"$(1 - 1/\\kappa)^{{2t}} \\le {tol:g}$ needs half the $t$. Theorem 3's bound is an upper bound, not "
        f"tight on a quadratic: Lemma 1 holds with equality along the flat eigenvector, but the descent step "
        f"guarantees only $\\|g\\|^2/(2\\beta)$ of a decrease that is there almost twice as large.\n"
        f"2. With $\\eta = {factor:g}/\\beta$ the error along the steep eigenvector ($\\lambda = \\beta$) is "
        f"multiplied by $1 - {factor:g} = {steep:.2f}$ per step, $|{steep:.2f}| > 1$: it flips sign and grows. "
        f"Along the flat one ($\\lambda = \\alpha$) the factor is ${flat:.2f}$, which still shrinks. "
        f"The run diverges along the steep direction, zig-zagging ever wider across the valley.")


# ---------------------------------------------------------------------------------------------
# without strong convexity: O(1/t)
# ---------------------------------------------------------------------------------------------
def sublinear_rate(x0: float = 2.5, steps: int = 300) -> Interactive:
    """Gradient descent with step 1/beta on a convex, not strongly convex function: the O(1/t) bound.

    f(x) = x^2 - log(1 + x^2) (``functions.flat_minimum``: beta = 9/4,
    f''(0) = 0).  Left: f and the iterates.  Right, log-log: f(x_t) - f*
    against ``linesearch.sublinear_bound``, beta ||x_0 - x*||^2 / (2t).
    No linear rate exists here: near 0, f ~ x^4/2 and the gap falls like a
    power of t (here about 1/t^2), a straight line on the log-log plot.

    State: ``gap`` (t = 0 .. steps), ``bound`` (inf at t = 0), ``holds``
    (gap_t <= bound_t for every t >= 1).
    """
    f = functions.flat_minimum()
    beta = f.smoothness
    lo, hi = f.bounds[0]
    xs = np.linspace(lo, hi, 300)
    fig, (ax, ax_gap) = _figure(10, 3.8, ncols=2)
    ax.plot(xs, f(xs[None]), color="0.3", lw=1.5, label="$x^2 - \\log(1+x^2)$")
    (path_line,) = ax.plot([], [], "o-", color="C1", ms=3, lw=0.8, label="iterates, step $1/\\beta$")
    ax.set(xlabel="x", ylabel="f(x)", xlim=(lo, hi), ylim=(-0.3, float(f(np.array([hi]))) + 0.3),
           title="convex, β-smooth, f''(x*) = 0")
    ax.legend(loc="upper center", fontsize=9)
    (gap_line,) = ax_gap.loglog([], [], "-", color="C1", lw=1.5, label="$f(x_t) - f^*$")
    (bound_line,) = ax_gap.loglog([], [], "--", color="C0", label=r"$\beta\,\|x_0 - x^*\|^2 / (2t)$")
    # fixed limits (the bound at t = 1 is at most beta * 3^2 / 2 ~ 10): a move redraws only the curves
    ax_gap.set(xlabel="step t", ylabel="$f(x_t) - f^*$", xlim=(1, 1000), ylim=(1e-9, 30.0))
    ax_gap.grid(alpha=0.3, which="both")
    ax_gap.legend(loc="lower left", fontsize=9)

    def draw(x0, steps):
        x_star = f.minima[0]
        path = optim.trajectory(optim.SGD(1.0 / beta), f.grad, np.array([float(x0)]), steps)
        gap = f(path.T) - f.fmin
        bound = linesearch.sublinear_bound(beta, float(np.linalg.norm(path[0] - x_star)), steps)
        path_line.set_data(path[:, 0], gap + f.fmin)
        t = np.arange(1, steps + 1)
        gap_line.set_data(t, np.maximum(gap[1:], 1e-300))
        bound_line.set_data(t, np.maximum(bound[1:], 1e-300))
        holds = bool(np.all(gap[1:] <= bound[1:] * (1 + 1e-12)))
        ax_gap.set_title(f"after {steps} steps: f − f* = {gap[-1]:.2e}, bound {bound[-1]:.2e}")
        return {"gap": gap, "bound": bound, "holds": holds, "path": path}

    controls = {
        "x0": float_slider("start x0", x0, lo, hi, 0.05, readout_format=".2f"),
        "steps": int_slider("steps", steps, 2, 1000),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [path_line, gap_line, bound_line, ax_gap.title],
                       caption="Convex and β-smooth, not strongly convex: f(x_t) − f* ≤ β‖x_0 − x*‖² / (2t) "
                               f"for the step 1/β (β = {beta:g} here).")


# ---------------------------------------------------------------------------------------------
# regularisation and the condition number of logistic regression
# ---------------------------------------------------------------------------------------------
_LAMBDAS = np.geomspace(1e-3, 1.0, 25)  # the grid of the kappa(lambda) curves


def regularised_logistic(lam: float = 0.01, tol: float = 1e-6, steps: int = 120, seed: int = 0) -> Interactive:
    """Source 000, Example 2: the condition number of L2-regularised logistic regression against lambda.

    The problem is lecture 4's (``functions.logistic_clouds``, 256 samples,
    2 features).  Left, against lambda (log-log): source 000's kappa = 1 +
    sum ||x_i||^2 / (2 lambda n) (``condition_number("source")``), the same
    with the tight beta (``condition_number("tight")``), and beta_tight /
    lambda_min(hess F(w*)) (``curvature_at_minimum``), the conditioning the
    run meets near the minimiser; a dot marks the slider's lambda.  Right:
    F(w_t) - F* of gradient descent with step 1/beta_tight from w = 0, and
    Theorem 3's bound (1 - 1/kappa_tight)^t (F(w_0) - F*).

    State: ``kappa_source``, ``kappa_tight``, ``kappa_local``, ``gap``,
    ``bound``, ``steps_measured`` (to shrink the gap by ``tol``; None if not
    within ``steps``), ``steps_bound`` (``linesearch.linear_rate_steps``).
    """
    base = functions.logistic_clouds(lam=1.0, seed=seed)
    X, y = base.X, base.y

    def problem(lam):
        return functions.logistic_regression(X, y, lam)

    def kappas(F):
        return (F.condition_number("source"), F.condition_number("tight"),
                F.smoothness("tight") / float(F.curvature_at_minimum()[0]))

    curves = np.array([kappas(problem(v)) for v in _LAMBDAS])
    fig, (ax, ax_gap) = _figure(10.5, 4.2, ncols=2)
    names = ("source 000: $1 + \\sum\\|x_i\\|^2/(2\\lambda n)$", "tight β: $\\beta/(2\\lambda)$",
             "at $w^*$: $\\beta/\\lambda_{\\min}(\\nabla^2 F(w^*))$")
    for k, (name, style) in enumerate(zip(names, ("-", "--", ":"))):
        ax.loglog(_LAMBDAS, curves[:, k], style, color=f"C{k}", label=name)
    (dots,) = ax.loglog([], [], "o", color="k", ms=5)
    ax.set(xlabel="λ", ylabel="condition number κ", xlim=(_LAMBDAS[0], _LAMBDAS[-1]))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper right")
    (gap_line,) = ax_gap.semilogy([], [], "o-", color="C1", ms=2, lw=1, label="$F(w_t) - F^*$, step $1/\\beta$")
    (bound_line,) = ax_gap.semilogy([], [], "--", color="C1", alpha=0.7,
                                     label=r"$(1 - 1/\kappa)^t\,(F(w_0) - F^*)$")
    # fixed limits (F(0) - F* <= log 2 for every lambda): a move redraws only the curves
    ax_gap.set(xlabel="step t", ylabel="$F(w_t) - F^*$", xlim=(0, steps), ylim=(1e-14, 2.0))
    ax_gap.grid(alpha=0.3, which="both")
    ax_gap.legend(fontsize=8, loc="lower left")

    def draw(lam):
        F = problem(lam)
        k_source, k_tight, k_local = kappas(F)
        beta = F.smoothness("tight")
        path = optim.trajectory(optim.SGD(1.0 / beta), F.grad, np.zeros(2), steps)
        gap = F(path.T) - F.fmin
        bound = linesearch.fixed_step_bound(F.strong_convexity, 1.0 / beta, steps) * gap[0]
        dots.set_data([lam] * 3, [k_source, k_tight, k_local])
        t = np.arange(steps + 1)
        gap_line.set_data(t, np.maximum(gap, 1e-300))
        bound_line.set_data(t, bound)
        measured = linesearch.steps_to_reach(gap, tol)
        needed = linesearch.linear_rate_steps(k_tight, tol)
        shown = f"{measured}" if measured is not None else f"more than {steps}"
        ax_gap.set_title(f"λ = {lam:.3g}: gap × {tol:g} after {shown} steps (bound: {needed})")
        ax.set_title(f"κ = {k_source:.3g} (source), {k_tight:.3g} (tight), {k_local:.3g} (at w*)")
        return {"kappa_source": k_source, "kappa_tight": k_tight, "kappa_local": k_local, "gap": gap,
                "bound": bound, "steps_measured": measured, "steps_bound": needed, "path": path}

    controls = {"lam": float_slider("λ", lam, float(_LAMBDAS[0]), float(_LAMBDAS[-1]), 0.125, log=True)}
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [dots, gap_line, bound_line, ax.title, ax_gap.title],
                       caption="F(w) = mean log(1 + exp(−y x'w)) + λ‖w‖²: α = 2λ, so κ = β/α falls as λ grows.")


# ---------------------------------------------------------------------------------------------
# backtracking line search
# ---------------------------------------------------------------------------------------------
def backtracking(c: float = 0.5, beta: float = 0.5, t0: float = 4.0, x0: float = 1.0) -> Interactive:
    """Backtracking line search (source 000, eq. 21) on the sextic, drawn along the ray.

    From x0 with gradient g, phi(t) = f(x0 - t g) against t, the
    sufficient-decrease line f(x0) - c t g^2 (and the tangent, c = 1); the
    trial steps t0, beta t0, beta^2 t0, ... with phi there
    (``linesearch.backtracking_trials``), the rejected ones red, the accepted
    one (the first on or below the line) green.

    State: ``trials`` (the steps tried), ``values`` (phi there), ``accepted``.
    """
    f = functions.sextic()
    fig, (ax,) = _figure(7.5, 4.2)
    (phi_line,) = ax.plot([], [], color="0.3", lw=1.5, label="$\\varphi(t) = f(x_0 - t g)$")
    (armijo,) = ax.plot([], [], "--", color="C0", label="$f(x_0) - c\\,t\\,g^2$ (sufficient decrease)")
    (tangent,) = ax.plot([], [], ":", color="0.5", label="$f(x_0) - t\\,g^2$ (tangent)")
    (rejected,) = ax.plot([], [], "x", color="C3", ms=9, mew=2, label="rejected trials")
    (accepted,) = ax.plot([], [], "o", color="C2", ms=9, label="accepted step")
    labels = [ax.annotate("", (0, 0), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8)
              for _ in range(12)]
    ax.set(xlabel="step t", ylabel="f along the ray", ylim=SEXTIC_YLIM)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)

    def draw(c, beta, t0, x0):
        x = np.array([float(x0)])
        g = f.grad(x)
        ts, values = linesearch.backtracking_trials(f, x, g, t0=t0, beta=beta, c=c)
        grid = np.linspace(0.0, 1.05 * t0, 300)
        fx, g2 = f(x), float(g @ g)
        phi_line.set_data(grid, f(x[:, None] - grid[None] * g[:, None]))
        armijo.set_data(grid, fx - c * grid * g2)
        tangent.set_data(grid, fx - grid * g2)
        rejected.set_data(ts[:-1], values[:-1])
        accepted.set_data(ts[-1:], values[-1:])
        for k, lab in enumerate(labels):
            shown = k < len(ts) and k < 5
            lab.set_visible(shown)
            if shown:
                lab.xy = (ts[k], values[k])
                lab.set_text("$t_0$" if k == 0 else ("$\\beta t_0$" if k == 1 else f"$\\beta^{k} t_0$"))
        ax.set_xlim(0.0, 1.05 * t0)
        ax.set_title(f"x0 = {x0:.2f}, g = {g[0]:.3f}: {len(ts)} trial(s), accepted t = {ts[-1]:.4g}")
        return {"trials": ts, "values": values, "accepted": float(ts[-1]), "g": float(g[0]), "f0": fx}

    controls = {
        "c": float_slider("c", c, 0.05, 0.95, 0.05, readout_format=".2f"),
        "beta": float_slider("β (shrink)", beta, 0.1, 0.9, 0.05, readout_format=".2f"),
        "t0": float_slider("t0", t0, 0.5, 10.0, 0.1, readout_format=".1f"),
        "x0": float_slider("x0", x0, *f.bounds[0], 0.1, readout_format=".1f"),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [phi_line, armijo, tangent, rejected, accepted, *labels, ax.title],
                       caption="Shrink t ← βt while f(x − t g) > f(x) − c t ‖g‖² (source 000's eq. 21 is this "
                               "keep-shrinking condition); accept the first t that satisfies the opposite.")
