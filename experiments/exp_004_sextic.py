"""Source 004 reproduced: Figures 18 and 19, momentum and Adam on the thesis' sextic.

The thesis (section 4.1.2) runs two methods on "a function similar to Figure 1", the sextic
``f(x) = 0.000017x^6 - 0.001133x^5 + ... + 4.722197`` (``functions.sextic()``):

* Figure 18, "Gradient Descent with Momentum Term (alpha = 40, lambda = 0.1)", with the rule it
  prints, ``Delta W^(i+1) = alpha Delta W^(i) - lambda grad J(W^(i))``, ``W^(i+1) = W^(i) + Delta
  W^(i+1)`` (``Delta W^(0) = 0``): classical momentum, ``optim.Momentum(lr, beta)`` with beta = alpha.
  Its text: "start iterating from the right"; "it converges much faster than in Figure 1 with the
  same learning rate"; "takes a larger 'jump' towards the minima".
* Figure 19, "ADAM (lambda = 5, beta_1 = 0.9, beta_2 = 0.999 and epsilon = 10^-8)", with its
  Algorithm 8, which is Kingma & Ba's Algorithm 1 (epsilon added to sqrt(v_hat)): ``optim.Adam``
  in its default form.  Its text: "the ADAM algorithm is capable of finding a better minima".

What the text does not print (the plots are not in the text): the start points and the number of
steps.  Here Figure 18 starts at ``X0_RIGHT = 23`` ("from the right" of the hump at x = 7.22, in
the plotted range [0, 24] of ``functions.sextic().bounds``) and Figure 19 at ``X0_LEFT = 1`` (left
of the hump, where gradient descent at lambda = 0.1 finds the local minimum only, which is what a
"better minimum" needs); every run has ``STEPS`` steps, and the conclusions are checked over every
start ``STARTS`` of the plotted range.  A run "reaches" a minimum at the first step from which all
its iterates up to ``STEPS`` stay within ``TOL`` of it; it "diverged" when an iterate went beyond
``DIVERGED`` (``optim.trajectory``'s stop rule).

The literal alpha = 40 cannot be run with ``optim.Momentum`` (it accepts 0 <= beta < 1, where the
method can converge); ``optim.momentum_trajectory`` runs the same rule for any beta >= 0.  It
diverges from every start, so the figure was not made with it; the script gives the reading
alpha = 0.4 ("40" for 0.40: ``READING_ALPHA``), the usual 0.9, and a sweep of alpha.

    .venv/bin/python -m experiments.exp_004_sextic [--quick] [--out DIR]

It takes about a second; ``--quick`` is the same run (marked quick).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.common import environment_info, finish
from course_lib import functions, momentum_theory, optim
from experiments.shared import md_table, output_arguments


# The thesis' printed settings (Figure 18's and 19's captions)
FIGURE_18 = {"alpha": 40.0, "lr": 0.1}
FIGURE_19 = {"lr": 5.0, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

X0_RIGHT = 23.0       # Figure 18: "start iterating from the right" (not printed: our choice)
X0_LEFT = 1.0         # Figure 19: left of the hump (not printed: our choice)
STEPS = 1000          # every run's budget (not printed)
LONG_STEPS = 5000     # Adam's long run: what happens after it has settled
TOL = 1e-3            # "reaches a minimum": stays within TOL of it from some step to the end
DIVERGED = 1e12       # trajectory's stop rule
SHOWN = 40            # iterates written per run
READING_ALPHA = 0.4   # the likely intended momentum factor: "40" for 0.40
USUAL_ALPHA = 0.9     # the usual momentum factor
ALPHAS = tuple(round(a, 2) for a in np.arange(0.0, 0.951, 0.05)) + (0.99, 1.0, 2.0, 40.0)
STARTS = tuple(float(x) for x in np.arange(0.0, 24.01, 0.5))
RESULTS_NAME = "source_004_sextic"  # experiments/results/<RESULTS_NAME>.json and .md (course.py reads it)


def _reached(path: np.ndarray, target: float) -> int | None:
    """The first step k from which every iterate up to the end lies within TOL of ``target`` (None if none)."""
    far = np.flatnonzero(np.abs(path - target) > TOL)
    if far.size == 0:
        return 0
    k = int(far[-1]) + 1
    return k if k < len(path) else None


def summary(f, path: np.ndarray, steps: int) -> dict:
    """Where a run of ``steps`` steps ends: diverged (and when), or which minimum, reached at which step."""
    x = path[:, 0]
    lo, hi = f.bounds[0]
    outside = np.flatnonzero((x < lo) | (x > hi))
    minima = f.minima[:, 0]
    hump = float(f.stationary_points[1])
    out = {"steps": steps, "taken": len(x) - 1, "diverged": len(x) <= steps, "x0": float(x[0]),
           "iterates": x[:SHOWN + 1].tolist(), "f_iterates": [float(f(np.array([v]))) for v in x[:SHOWN + 1]],
           "leaves_plot_at": int(outside[0]) if outside.size else None,
           "first_step_sizes": np.abs(np.diff(x[:6])).tolist(), "final": float(x[-1]),
           "smallest": float(x.min()), "largest": float(x.max())}
    if out["diverged"]:
        out.update(minimum=None, reached_at=None)
        return out
    m = float(minima[np.argmin(np.abs(minima - x[-1]))])
    crossed = np.flatnonzero((x - hump) * (x[0] - hump) < 0)
    out.update(minimum=m, which="global" if m == minima[np.argmin(f(minima[None]))] else "local",
               f_minimum=float(f(np.array([m]))), reached_at=_reached(x, m), final_error=float(abs(x[-1] - m)),
               crosses_hump_at=int(crossed[0]) if crossed.size else None)
    return out


def _runs(f) -> dict:
    """The runs at the thesis' settings, the readings of alpha, and gradient descent at the same lambda."""
    g, lr18 = f.grad, FIGURE_18["lr"]
    a19 = dict(FIGURE_19)
    paths = {
        "fig18_printed": optim.momentum_trajectory(g, [X0_RIGHT], lr18, FIGURE_18["alpha"], STEPS, stop_beyond=DIVERGED),
        "fig18_gd": optim.trajectory(optim.SGD(lr18), g, [X0_RIGHT], STEPS, stop_beyond=DIVERGED),
        "fig18_reading": optim.trajectory(optim.Momentum(lr18, READING_ALPHA), g, [X0_RIGHT], STEPS,
                                          stop_beyond=DIVERGED),
        "fig18_usual": optim.trajectory(optim.Momentum(lr18, USUAL_ALPHA), g, [X0_RIGHT], STEPS, stop_beyond=DIVERGED),
        "fig19_adam": optim.trajectory(optim.Adam(**a19), g, [X0_LEFT], STEPS, stop_beyond=DIVERGED),
        "fig19_gd": optim.trajectory(optim.SGD(lr18), g, [X0_LEFT], STEPS, stop_beyond=DIVERGED),
    }
    labels = {"fig18_printed": f"momentum, alpha = {FIGURE_18['alpha']:g} (printed), lambda = {lr18:g}",
              "fig18_gd": f"gradient descent, lambda = {lr18:g}",
              "fig18_reading": f"momentum, alpha = {READING_ALPHA:g} (reading), lambda = {lr18:g}",
              "fig18_usual": f"momentum, alpha = {USUAL_ALPHA:g} (usual), lambda = {lr18:g}",
              "fig19_adam": "Adam, lambda = {lr:g}, beta1 = {beta1:g}, beta2 = {beta2:g}, eps = {eps:g} (printed)"
                            .format(**a19),
              "fig19_gd": f"gradient descent, lambda = {lr18:g}"}
    return {k: {"label": labels[k], **summary(f, p, STEPS)} for k, p in paths.items()}


def _alpha_sweep(f) -> list:
    rows = []
    for x0 in (X0_RIGHT, 24.0):
        for a in ALPHAS:
            path = optim.momentum_trajectory(f.grad, [x0], FIGURE_18["lr"], a, STEPS, stop_beyond=DIVERGED)
            s = summary(f, path, STEPS)
            rows.append({"x0": x0, "alpha": a, "diverged": s["diverged"], "taken": s["taken"],
                         "minimum": s["minimum"], "reached_at": s["reached_at"]})
    return rows


def _starts(f) -> list:
    """Every start of the plotted range: the printed momentum, Adam and gradient descent at lambda = 0.1."""
    rows = []
    for x0 in STARTS:
        lit = summary(f, optim.momentum_trajectory(f.grad, [x0], FIGURE_18["lr"], FIGURE_18["alpha"], STEPS,
                                                   stop_beyond=DIVERGED), STEPS)
        adam = summary(f, optim.trajectory(optim.Adam(**FIGURE_19), f.grad, [x0], STEPS, stop_beyond=DIVERGED), STEPS)
        gd = summary(f, optim.trajectory(optim.SGD(FIGURE_18["lr"]), f.grad, [x0], STEPS, stop_beyond=DIVERGED), STEPS)
        rows.append({"x0": x0, "printed_momentum_diverged": lit["diverged"], "printed_momentum_taken": lit["taken"],
                     "printed_momentum_leaves_plot_at": lit["leaves_plot_at"],
                     "adam_minimum": adam["minimum"], "adam_reached_at": adam["reached_at"],
                     "gd_minimum": gd["minimum"], "gd_reached_at": gd["reached_at"]})
    return rows


def _adam_long(f) -> dict:
    """Adam at Figure 19's settings for LONG_STEPS: it settles (stays within TOL through step STEPS), then leaves
    TOL again.  Near x* with v_hat frozen, Adam is EMA momentum with the step lambda / (sqrt(v_hat) + eps), i.e.
    classical momentum with lr (1 - beta1) lambda / (sqrt(v_hat) + eps), stable while that lr is below
    ``momentum_theory.largest_stable_step(f''(x*), beta1)``; as the gradients vanish v_hat forgets the early large
    ones and the step grows past that limit."""
    b1, b2, eps = FIGURE_19["beta1"], FIGURE_19["beta2"], FIGURE_19["eps"]
    opt, x = optim.Adam(**FIGURE_19), np.array([X0_LEFT])
    path, step = [X0_LEFT], []
    for t in range(1, LONG_STEPS + 1):
        opt.step([x], [f.grad(x)])
        path.append(float(x[0]))
        step.append(float(FIGURE_19["lr"] / (np.sqrt(optim.bias_correction(opt.state[0]["v"], b2, t)[0]) + eps)))
    x, step = np.array(path), np.array(step)
    m = float(f.minima[np.argmin(np.abs(f.minima[:, 0] - x[STEPS])), 0])
    first_in = _reached(x[:STEPS + 1], m)
    left = np.flatnonzero(np.abs(x[first_in:] - m) > TOL) if first_in is not None else np.array([])
    late = slice(LONG_STEPS // 2, None)
    h = float(f.hessian(np.array([m]))[0, 0])
    limit = momentum_theory.largest_stable_step(h, b1) / (1 - b1)
    beyond = np.flatnonzero(step > limit)
    return {"steps": LONG_STEPS, "minimum": m, "settled_from": first_in,
            "leaves_tol_again_at": int(first_in + left[0]) if left.size else None,
            "max_error_second_half": float(np.abs(x[late] - m).max()),
            "min_x_after_settling": float(x[first_in:].min()) if first_in is not None else None,
            "hump": float(f.stationary_points[1]), "curvature": h, "stable_step_limit": limit,
            "step_at_settling": float(step[first_in - 1]) if first_in else None,
            "step_exceeds_limit_at": int(beyond[0]) + 1 if beyond.size else None}


def _first_adam_step(f) -> dict:
    """Figure 19's first step, corrected (the library's) and without the bias correction (the factor of
    ``optim.bias_correction`` at t = 1 taken out): the thesis' "bigger leaps in the beginning"."""
    x1 = optim.trajectory(optim.Adam(**FIGURE_19), f.grad, [X0_LEFT], 1)[1, 0]
    factor = float(optim.bias_correction(1.0, FIGURE_19["beta1"], 1)
                   / np.sqrt(optim.bias_correction(1.0, FIGURE_19["beta2"], 1)))
    corrected = abs(x1 - X0_LEFT)
    return {"corrected": corrected, "factor": factor, "uncorrected": corrected / factor}


def _fmt(x, digits=4) -> str:
    if x is None:
        return "--"
    return f"{x:.{digits}g}" if abs(x) >= 1e5 else f"{x:.{digits}f}".rstrip("0").rstrip(".")


def _end(s: dict) -> str:
    if s["diverged"]:
        out = f"diverged: beyond {DIVERGED:g} at step {s['taken'] + 1}"
        return out + (f" (leaves the plot [0, 24] at step {s['leaves_plot_at']})" if s["leaves_plot_at"] else "")
    where = f"{s['which']} minimum x = {s['minimum']:.3f}"
    if s["reached_at"] is None:
        return f"nearest the {where} after {s['steps']} steps, not within {TOL:g} of it at the end"
    return f"{where}, within {TOL:g} from step {s['reached_at']}"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the same run (it takes about a second), marked quick")
    output_arguments(parser, render=False)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    f = functions.sextic()
    runs, sweep, starts = _runs(f), _alpha_sweep(f), _starts(f)
    long, first = _adam_long(f), _first_adam_step(f)
    seconds = time.perf_counter() - start

    gd, reading, usual, printed = (runs[k] for k in ("fig18_gd", "fig18_reading", "fig18_usual", "fig18_printed"))
    adam, gd19 = runs["fig19_adam"], runs["fig19_gd"]
    right = [r for r in sweep if r["x0"] == X0_RIGHT]
    faster = [r["alpha"] for r in right if 0 < r["alpha"] and not r["diverged"] and r["reached_at"] is not None
              and r["reached_at"] < gd["reached_at"]]
    fewest = min(r["reached_at"] for r in right if r["reached_at"] is not None)
    best = [r["alpha"] for r in right if r["reached_at"] == fewest]
    lit_div = [r for r in starts if r["printed_momentum_diverged"]]
    better = [r["x0"] for r in starts if r["adam_minimum"] is not None and r["gd_minimum"] is not None
              and f(np.array([r["adam_minimum"]])) < f(np.array([r["gd_minimum"]])) - 1e-9]
    worse = [r["x0"] for r in starts if r["adam_minimum"] is not None and r["gd_minimum"] is not None
             and f(np.array([r["adam_minimum"]])) > f(np.array([r["gd_minimum"]])) + 1e-9]
    hump = float(f.stationary_points[1])
    left_starts = [r["x0"] for r in starts if r["x0"] < hump]
    better_left = [x for x in better if x < hump]
    contiguous = bool(faster) and all(a in faster for a in ALPHAS if faster[0] <= a <= faster[-1])
    comparisons = [
        {"claim": f"Figure 18: momentum factor alpha = {FIGURE_18['alpha']:g}, lambda = {FIGURE_18['lr']:g}, "
                  "rule Delta W = alpha Delta W - lambda grad J, W = W + Delta W",
         "ours": f"from x0 = {X0_RIGHT:g}: " + ", ".join(_fmt(v) for v in printed["iterates"][1:5]) + "; "
                 + _end(printed) + f"; diverged from {len(lit_div)} of the {len(starts)} starts in [0, 24]",
         "verdict": "not reproduced" if len(lit_div) == len(starts) else "partly",
         "why": "the rule multiplies Delta W by alpha every step; near a minimum (Delta W, x - x*) moves by a matrix "
                "of determinant alpha, so an eigenvalue has modulus >= sqrt(alpha) and nothing converges unless "
                "0 <= alpha < 1 (the range optim.Momentum accepts; Algorithm 8 itself requires beta in [0, 1))"},
        {"claim": "Figure 18: \"converges much faster than in Figure 1 with the same learning rate\"",
         "ours": f"from x0 = {X0_RIGHT:g}, within {TOL:g} of x* = {gd['minimum']:.3f}: gradient descent at step "
                 f"{gd['reached_at']}, alpha = {READING_ALPHA:g} at step {reading['reached_at']}, alpha = "
                 f"{USUAL_ALPHA:g} at step {usual['reached_at']}; faster than gradient descent for alpha "
                 + (f"{faster[0]:g} to {faster[-1]:g}" if contiguous else ", ".join(f"{a:g}" for a in faster))
                 + f" (fastest: alpha = {' and '.join(f'{a:g}' for a in best)}, step {fewest})",
         "verdict": "reproduced with alpha = 0.4, not with the printed alpha = 40 nor the usual 0.9",
         "why": f"the thesis' Figure 1 start is not printed either: we compare with gradient descent from the same "
                f"start at the same lambda. The step count is least at alpha = {' and '.join(f'{a:g}' for a in best)}, "
                f"which supports reading \"40\" as 0.40; alpha = {USUAL_ALPHA:g} overshoots the minimum (down to "
                f"x = {usual['smallest']:.2f}) and swings about it for {usual['reached_at']} steps"},
        {"claim": "Figure 18: takes a larger \"jump\" towards the minima",
         "ours": "the lengths of the first 5 steps (from x_(k-1) to x_k): gradient descent "
                 + ", ".join(_fmt(v, 3) for v in gd["first_step_sizes"]) + f"; alpha = {READING_ALPHA:g} "
                 + ", ".join(_fmt(v, 3) for v in reading["first_step_sizes"]),
         "verdict": "reproduced with alpha = 0.4",
         "why": "the first step is gradient descent's (Delta W starts at 0); from the second on the velocity adds up"},
        {"claim": "Figure 19: Adam with lambda = 5, beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-8 (Algorithm 8)",
         "ours": f"from x0 = {X0_LEFT:g}: " + ", ".join(_fmt(v, 3) for v in adam["iterates"][1:6]) + ", ...; "
                 + _end(adam) + f"; crosses the hump at x = {f.stationary_points[1]:.2f} at step "
                 f"{adam['crosses_hump_at']}",
         "verdict": "run as printed",
         "why": "Algorithm 8 is Kingma & Ba's Algorithm 1 (epsilon added to sqrt(v_hat)): optim.Adam's default form"},
        {"claim": "Figure 19: \"the ADAM algorithm is capable of finding a better minima\"",
         "ours": f"from x0 = {X0_LEFT:g}: Adam ends in the {adam['which']} minimum {adam['minimum']:.3f} "
                 f"(f = {adam['f_minimum']:.3f}), gradient descent at lambda = {FIGURE_18['lr']:g} in the "
                 f"{gd19['which']} one {gd19['minimum']:.3f} (f = {gd19['f_minimum']:.3f}); over the "
                 f"{len(starts)} starts of [0, 24] Adam ends lower at {len(better)} (x0 = "
                 f"{', '.join(f'{x:g}' for x in better)}), higher at {len(worse)} (x0 = "
                 f"{', '.join(f'{x:g}' for x in worse)}), in the same minimum at the others",
         "verdict": f"reproduced from x0 = {X0_LEFT:g} and from {len(better_left)} of the {len(left_starts)} starts "
                    f"left of the hump; the opposite from {len(worse)} starts "
                    + ("right of it" if all(x > hump for x in worse) else "(some left of it)"),
         "why": "its first step is about lambda = 5 long whatever the gradient, which carries it over the hump; "
                "from the far right the same long steps can carry it back over to the local minimum"},
        {"claim": "section 4.1.2: the bias correction makes Adam \"take bigger leaps in the beginning\"",
         "ours": f"Figure 19's first step: {first['corrected']:.4f} with the correction, "
                 f"{first['uncorrected']:.2f} without it (factor {first['factor']:.4f} at t = 1)",
         "verdict": "not reproduced (the opposite)",
         "why": "m_hat / sqrt(v_hat) = m / sqrt(v) * sqrt(1 - beta2^t) / (1 - beta1^t), and that factor is < 1 early"},
    ]
    result = {"environment": environment_info(), "quick": args.quick, "seconds": seconds, "wall_seconds": seconds,
              "thesis": {"figure_18": FIGURE_18, "figure_19": FIGURE_19},
              "choices": {"x0_right": X0_RIGHT, "x0_left": X0_LEFT, "steps": STEPS, "tol": TOL,
                          "diverged_beyond": DIVERGED, "reading_alpha": READING_ALPHA, "usual_alpha": USUAL_ALPHA},
              "sextic": {"coefficients": list(functions.SEXTIC_COEFFICIENTS), "bounds": list(f.bounds[0]),
                         "stationary_points": [float(x) for x in f.stationary_points],
                         "minima": [float(x) for x in f.minima[:, 0]]},
              "runs": runs, "alpha_sweep": sweep, "starts": starts, "adam_long": long, "adam_first_step": first,
              "faster_than_gd_alphas": faster, "comparisons": comparisons}

    shown = 12
    it_rows = [[k] + [_fmt(runs[r]["iterates"][k], 4) if k < len(runs[r]["iterates"]) else "--" for r in runs]
               for k in range(shown + 1)]
    sweep_rows = []
    for a in ALPHAS:
        cells = [f"{a:g}"]
        for x0 in (X0_RIGHT, 24.0):
            (r,) = [r for r in sweep if r["x0"] == x0 and r["alpha"] == a]
            cells.append(f"diverged (beyond {DIVERGED:g} at step {r['taken'] + 1})" if r["diverged"] else
                         f"{r['minimum']:.3f} at step {r['reached_at']}" if r["reached_at"] is not None else
                         f"not within {TOL:g}")
        sweep_rows.append(cells)
    def ends_in(m, k):
        return ("diverged" if m is None else f"{m:.3f}, from step {k}" if k is not None
                else f"nearest {m:.3f}, not within {TOL:g} at step {STEPS}")

    start_rows = [[f"{r['x0']:g}",
                   f"diverged (off the plot at step {r['printed_momentum_leaves_plot_at']}, beyond {DIVERGED:g} at "
                   f"step {r['printed_momentum_taken'] + 1})" if r["printed_momentum_diverged"] else "no",
                   ends_in(r["adam_minimum"], r["adam_reached_at"]), ends_in(r["gd_minimum"], r["gd_reached_at"])]
                  for r in starts]
    finish(RESULTS_NAME, result, [
        "# Source 004 reproduced: Figures 18 and 19, momentum and Adam on the sextic\n",
        ("QUICK RUN (the same run as the full one).\n" if args.quick else ""),
        f"The thesis' settings as printed: Figure 18, momentum factor alpha = {FIGURE_18['alpha']:g}, lambda = "
        f"{FIGURE_18['lr']:g}; Figure 19, Adam with lambda = {FIGURE_19['lr']:g}, beta_1 = {FIGURE_19['beta1']:g}, "
        f"beta_2 = {FIGURE_19['beta2']:g}, epsilon = {FIGURE_19['eps']:g}. Not printed (the plots are not in the "
        f"text): the start points and the number of steps. Ours: Figure 18 from x0 = {X0_RIGHT:g} (\"from the "
        f"right\"), Figure 19 from x0 = {X0_LEFT:g} (left of the hump at x = {f.stationary_points[1]:.2f}), "
        f"{STEPS} steps each, and every start 0, 0.5, ..., 24 of the plotted range for the conclusions. "
        f"A run reaches a minimum at the first step from which it stays within {TOL:g} of it to the end; it "
        f"diverged when an iterate went beyond {DIVERGED:g}. Minima of the sextic: "
        + " and ".join(f"{x:.4f}" for x in f.minima[:, 0]) + f" (local maximum {f.stationary_points[1]:.4f}). "
        f"Wall time of the whole run on this machine: {seconds:.2f} s.\n",
        "## The thesis' numbers beside ours\n",
        md_table(["the thesis", "ours", "verdict", "why"],
                 [[c["claim"], c["ours"], c["verdict"], c["why"]] for c in comparisons]),
        "\n## Where each run ends\n",
        md_table(["run", "x0", "end"], [[r["label"], _fmt(r["x0"]), _end(r)] for r in runs.values()]),
        f"\n## The iterates (first {shown} steps)\n",
        md_table(["step"] + [r["label"] for r in runs.values()], it_rows),
        f"\n## Momentum's factor alpha at lambda = {FIGURE_18['lr']:g}: which minimum, reached at which step\n",
        "alpha = 0 is gradient descent; alpha >= 1 is run by `optim.momentum_trajectory`.\n",
        md_table(["alpha", f"from x0 = {X0_RIGHT:g}", "from x0 = 24"], sweep_rows),
        "\n## Every start of the plotted range\n",
        f"The printed momentum (alpha = {FIGURE_18['alpha']:g}); Adam at Figure 19's settings and gradient descent at "
        f"lambda = {FIGURE_18['lr']:g}: the minimum each ends in, and the step it is reached.\n",
        md_table(["x0", f"alpha = {FIGURE_18['alpha']:g}", "Adam (Figure 19)", f"gradient descent, lambda = "
                  f"{FIGURE_18['lr']:g}"], start_rows),
        f"\n## Adam after it has settled ({LONG_STEPS} steps from x0 = {X0_LEFT:g})\n",
        f"Adam at lambda = {FIGURE_19['lr']:g} is within {TOL:g} of x* = {long['minimum']:.4f} from step "
        f"{long['settled_from']} to step {STEPS}, but does not stay there: it leaves again at step "
        f"{long['leaves_tol_again_at']} "
        f"and over steps {LONG_STEPS // 2}-{LONG_STEPS} strays up to {long['max_error_second_half']:.3f} from x*. "
        f"Near x* Adam is momentum in the EMA form (beta = beta_1) with the step lambda / (sqrt(v_hat) + eps), "
        f"stable while that step is below (2 + 2 beta_1) / ((1 - beta_1) f''(x*)) = {long['stable_step_limit']:.2f} "
        f"(the classical form's limit (2 + 2 beta) / f'', `momentum_theory.largest_stable_step`, rescaled). It "
        f"is {long['step_at_settling']:.2f} when Adam settles; as the gradients vanish v_hat forgets the early "
        f"large ones, the step grows, passes the limit at step {long['step_exceeds_limit_at']}, and the iterates "
        f"swing until v has grown again. They never return over the hump (smallest iterate after settling: "
        f"{long['min_x_after_settling']:.3f}).\n",
    ], args.out)
    return result


if __name__ == "__main__":
    main()
