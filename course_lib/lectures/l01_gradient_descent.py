"""Lecture 1, gradient descent: the sextic with a learning-rate slider, the linear rate of
source 000's Theorem 3, exact line search on a quadratic.
"""

from __future__ import annotations

import numpy as np

from .. import functions, linesearch, optim
from .figures import Plot, figure as _figure
from .interactive import Interactive, float_slider, int_slider

__all__ = ["sextic_descent", "linear_rate", "exact_line_search"]
WIDGETS = ("sextic_descent", "linear_rate")  # the slider figures, in the notebook's order


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
        path = optim.trajectory(optim.SGD(lr_beta / beta), f.grad, x0, steps, stop_beyond=1e3)
        diverged = len(path) <= steps  # the stop rule ended the run early
        path_line.set_data(path[:, 0], path[:, 1])
        gap = f(path.T) - 0.0
        t = np.arange(steps + 1)
        eta = lr_beta / beta
        bound = (linesearch.fixed_step_bound(alpha, eta, steps) * gap[0] if lr_beta <= 1
                 else np.full(t.shape, np.nan))
        printed = linesearch.fixed_step_bound_as_printed(alpha, beta, steps) * gap[0]
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
        "condition_number": float_slider("κ = β/α", condition_number, 1.0, 1000.0, 0.05, log=True),
        "lr_beta": float_slider("step × β", lr_beta, 0.05, 2.2, 0.05, readout_format=".2f"),
        "steps": int_slider("steps", steps, 1, 200),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [contour_set[0], path_line, gap_line, bound_line, printed_line,
                                        ax_gap.get_legend(), ax.title, ax_gap.title],
                       caption="Theorem 3 of source 000 (step 1/β): f(x_t) − f* ≤ (1 − α/β)^t (f(x_0) − f*). "
                               "Its printed form exp(−tβ/α) has the ratio inverted.")


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
