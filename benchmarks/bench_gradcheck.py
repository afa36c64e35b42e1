"""Gradient checks on the 784-300-100-100-10 MLP of course source 003: the plain loop vs the fast checks.

The network has biases added to the source's layers (``benchmarks.mlp_reference``).
Checking all 276,710 parameters with central differences is 553,420 loss
evaluations.  This script measures, in the same run and on the same network
and data batch:

* the plain loop (``course_lib.gradcheck.numerical_gradient``'s code path,
  ``numerical_gradient_batched(from_scalar(f, x), ...)``: one loss
  evaluation per perturbation), timed on ``--loop-coords`` coordinates
  spread over every layer and extrapolated linearly to all of them;
* the vectorised full check (``check_gradient_batched`` with the rank-1
  ``ReferenceMLP.loss_batch``) over every parameter (``--quick``: 20,000
  coordinates, extrapolated);
* the sampled check (1000 coordinates) and the directional check (20
  directions), both with the plain loss (and the sampled check once more
  with the rank-1 ``f_batch``);
* one analytic backprop, for scale.

Relative errors above ``tol`` are then explained, not hidden: each such
coordinate is tested for a ReLU kink crossed by its ``+-h`` steps (the on/off
pattern of every hidden unit and sample at ``theta +- h e_i`` against
``theta``'s), and its absolute error is set against the round-off level of a
central difference.  A seeded bug shows what each check can catch.

BLAS threads default to 1 (``course_env``, applied by the ``benchmarks``
package; several threads were measured 2-22x slower on the 2-core course
machine); the settings used are recorded in the results.

    python3 course.py bench                                  # all benchmarks
    .venv/bin/python -m benchmarks.bench_gradcheck [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np  # one BLAS thread already (the benchmarks package); recorded by environment_info()

from benchmarks.common import environment_info, finish
from benchmarks.mlp_reference import ReferenceMLP, synthetic_mnist
from course_lib import gradcheck


def _spread(n_params: int, offsets, k: int, rng) -> np.ndarray:
    """k flat indices drawn from every parameter block in proportion to its size (at least 4 each)."""
    picks = []
    for a, b in zip(offsets[:-1], offsets[1:]):
        m = min(b - a, max(4, round(k * (b - a) / n_params)))
        picks.append(a + rng.choice(b - a, size=m, replace=False))
    return np.sort(np.concatenate(picks)).astype(np.int64)


def kink_crossings(net: ReferenceMLP, theta, X, idx, steps) -> np.ndarray:
    """For each flat index ``idx[k]``: does ``theta +- steps[k] e_idx[k]`` switch any ReLU on or off?"""
    base = net.relu_masks(theta, X)
    work = np.array(theta, dtype=np.float64)
    crossed = np.zeros(len(idx), dtype=bool)
    for k, (i, h) in enumerate(zip(idx, steps)):
        old = work[i]
        for step in (h, -h):
            work[i] = old + step
            if any(np.any(m != b) for m, b in zip(net.relu_masks(work, X), base)):
                crossed[k] = True
        work[i] = old
    return crossed


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: loop on 200 coordinates, the vectorised check on 20,000 (extrapolated)")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    parser.add_argument("--batch-size", type=int, default=128, help="perturbations per f_batch call")
    parser.add_argument("--n-samples", type=int, default=10, help="data batch size (source 003 trains with 10)")
    parser.add_argument("--loop-coords", type=int, default=2000, help="coordinates timed with the plain loop")
    parser.add_argument("--kink-coords", type=int, default=2000,
                        help="at most this many coordinates above tol (worst first) are tested for ReLU kinks")
    args = parser.parse_args(argv)
    for name in ("batch_size", "n_samples", "loop_coords", "kink_coords"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive integer; got {getattr(args, name)}")
    loop_coords = 200 if args.quick else args.loop_coords
    tol = 1e-6

    rng = np.random.default_rng(0)
    net = ReferenceMLP(seed=0)
    X, Y = synthetic_mnist(args.n_samples, seed=1)
    theta = net.flat()
    n = net.n_params
    loss = lambda t: net.loss(t, X, Y)  # noqa: E731

    backprop_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        analytic = net.grad(theta, X, Y)
        backprop_times.append(time.perf_counter() - t0)
    t_backprop = statistics.median(backprop_times)
    # round-off of a central difference: eps_mach |L| / h with h = cbrt(eps_mach) (|theta| < 1 here);
    # entries smaller than ~10x that cannot be resolved, so they may pass on absolute error
    noise = np.finfo(float).eps * abs(loss(theta)) / np.cbrt(np.finfo(float).eps)
    atol = 10 * noise

    # (i) the plain loop, on a spread of coordinates
    loop_idx = _spread(n, net.offsets, loop_coords, rng)
    t0 = time.perf_counter()
    loop_numeric = gradcheck.numerical_gradient_batched(gradcheck.from_scalar(loss, theta), theta,
                                                        indices=loop_idx, batch_size=args.batch_size)
    t_loop = time.perf_counter() - t0
    per_eval = t_loop / (2 * loop_idx.size)
    t_loop_full = per_eval * 2 * n

    # (ii) the vectorised check: all parameters (quick: a spread of 20,000, extrapolated)
    f_batch = net.loss_batch(theta, X, Y)
    full_idx = None if not args.quick else _spread(n, net.offsets, 20_000, rng)
    t0 = time.perf_counter()
    batched = gradcheck.check_gradient_batched(f_batch, analytic, theta, batch_size=args.batch_size,
                                               indices=full_idx, tol=tol, atol=atol)
    t_batched = time.perf_counter() - t0
    t_batched_full = t_batched * n / batched.n_checked
    # the two paths must agree where both ran
    same = gradcheck.numerical_gradient_batched(f_batch, theta, indices=loop_idx, batch_size=args.batch_size)
    loop_vs_batched = gradcheck.relative_error(loop_numeric, same)
    loop_vs_batched_abs = float(np.abs(loop_numeric - same).max())
    # course source 003's step, eps = 1e-8, on the same coordinates (see gradcheck's module docstring)
    eps_003 = gradcheck.check_gradient_batched(f_batch, analytic, theta, eps=1e-8, batch_size=args.batch_size,
                                               indices=full_idx, tol=tol, atol=atol)
    abs_err_003 = np.abs(eps_003.numeric - eps_003.analytic)
    loop_check = gradcheck.relative_errors(loop_numeric, analytic[loop_idx])

    # (iii) sampled and (iv) directional checks with the plain loss
    t0 = time.perf_counter()
    sampled = gradcheck.check_gradient_sampled(loss, analytic, theta, n_samples=1000, seed=0, tol=tol, atol=atol)
    t_sampled = time.perf_counter() - t0
    t0 = time.perf_counter()
    sampled_fast = gradcheck.check_gradient_sampled(None, analytic, theta, n_samples=1000, seed=0, tol=tol,
                                                    atol=atol, f_batch=f_batch, batch_size=args.batch_size)
    t_sampled_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    directional = gradcheck.check_directional_derivative(loss, analytic, theta, n_directions=20, seed=0,
                                                         tol=tol, atol=atol)
    t_directional = time.perf_counter() - t0

    # why are some relative errors above tol?  ReLU kinks crossed by the steps, or round-off?
    err = batched.relative_errors
    checked = np.arange(n) if batched.indices is None else batched.indices
    above = np.argsort(err)[::-1][:int(np.sum(err > tol))]  # positions in `checked`, worst first
    examined = above[:args.kink_coords]
    t0 = time.perf_counter()
    crossed = kink_crossings(net, theta, X, checked[examined],
                             gradcheck.default_step(theta[checked[examined]], "central"))
    t_kinks = time.perf_counter() - t0
    abs_err = np.abs(batched.numeric - batched.analytic).reshape(-1)
    smooth = examined[~crossed]
    kinks = {
        "coords_above_tol": int(above.size), "coords_examined": int(examined.size),
        "crossing_a_kink": int(crossed.sum()),
        "kink_coords": [{"index": int(checked[e]), "parameter": net.describe_index(checked[e]),
                         "analytic": float(batched.analytic.reshape(-1)[e]),
                         "numeric": float(batched.numeric.reshape(-1)[e]),
                         "relative_error": float(err[e])} for e in examined[crossed][:20]],
        "not_crossing_max_abs_error": float(abs_err[smooth].max()) if smooth.size else 0.0,
        "not_crossing_max_abs_gradient": float(np.abs(batched.analytic.reshape(-1)[smooth]).max())
        if smooth.size else 0.0,
        "roundoff_level": noise, "seconds": t_kinks,
    }

    # a seeded bug: the gradient of the second layer's biases b2 off by 50% (100 entries).
    # Which checks notice it?  (The vectorised check needs only the b2 block to say so.)
    buggy = analytic.copy()
    b2 = slice(net.offsets[3], net.offsets[4])
    buggy[b2] *= 1.5
    n_wrong = b2.stop - b2.start
    p_sample_hits = 1.0 - float(np.prod(1.0 - 1000 / (n - np.arange(n_wrong))))  # >= 1 of 100 among 1000 draws
    caught = {
        "vectorised (b2 block)": not gradcheck.check_gradient_batched(
            f_batch, buggy, theta, indices=np.arange(b2.start, b2.stop), tol=tol, atol=atol).passed,
        "sampled, 1000 coordinates": not gradcheck.check_gradient_sampled(
            None, buggy, theta, n_samples=1000, seed=0, tol=tol, atol=atol, f_batch=f_batch).passed,
        "directional, 20 directions": not gradcheck.check_directional_derivative(
            loss, buggy, theta, n_directions=20, seed=0, tol=tol, atol=atol).passed,
    }

    result = {
        "environment": environment_info(),
        "network": list(net.sizes),
        "n_params": n,
        "n_samples": args.n_samples,
        "batch_size": args.batch_size,
        "quick": args.quick,
        "tol": tol,
        "atol": atol,
        "backprop_s": t_backprop,
        "loop": {"coords_timed": int(loop_idx.size), "seconds_measured": t_loop,
                 "seconds_per_loss_eval": per_eval, "seconds_all_params_extrapolated": t_loop_full,
                 "max_relative_error": float(loop_check.max())},
        "batched": {"coords_checked": batched.n_checked, "seconds_measured": t_batched,
                    "seconds_all_params": t_batched_full, "extrapolated": batched.n_checked < n,
                    "speedup_vs_loop": t_loop_full / t_batched_full,
                    "max_relative_error": batched.max_relative_error, "passed": batched.passed,
                    "n_failed": batched.n_failed,
                    "n_above_1e-6": int(np.sum(err > 1e-6)), "n_above_1e-4": int(np.sum(err > 1e-4)),
                    "median_relative_error": float(np.median(err)),
                    "max_abs_error": float(abs_err.max()),
                    "agreement_with_loop": loop_vs_batched,
                    "agreement_with_loop_max_abs": loop_vs_batched_abs},
        "batched_eps_1e-8": {"coords_checked": eps_003.n_checked, "max_abs_error": float(abs_err_003.max()),
                             "median_relative_error": float(np.median(eps_003.relative_errors)),
                             "n_above_1e-6": int(np.sum(eps_003.relative_errors > 1e-6)),
                             "n_failed": eps_003.n_failed, "passed": eps_003.passed},
        "sampled": {"coords_checked": sampled.n_checked, "seconds": t_sampled,
                    "speedup_vs_full_loop": t_loop_full / t_sampled,
                    "max_relative_error": sampled.max_relative_error, "passed": sampled.passed},
        "sampled_rank1": {"coords_checked": sampled_fast.n_checked, "seconds": t_sampled_fast,
                          "speedup_vs_full_loop": t_loop_full / t_sampled_fast,
                          "max_relative_error": sampled_fast.max_relative_error, "passed": sampled_fast.passed},
        "directional": {"directions": len(directional.numeric), "seconds": t_directional,
                        "speedup_vs_full_loop": t_loop_full / t_directional,
                        "max_relative_error": directional.max_relative_error, "passed": directional.passed},
        "relu_kinks": kinks,
        "seeded_bug_b2_times_1.5_caught": caught,
        "seeded_bug_sampled_hit_probability": p_sample_hits,
    }

    label = lambda e: net.describe_index(checked[e])  # noqa: E731
    worst = np.argsort(err)[::-1][:3]
    if kinks["coords_above_tol"] == 0:
        explain = f"No coordinate has a relative error above {tol:g}."
    else:
        explain = (
            f"Why {kinks['coords_above_tol']} coordinates exceed a relative error of {tol:g} (measured, "
            f"{kinks['coords_examined']} worst examined): {kinks['crossing_a_kink']} of them cross a ReLU kink "
            "with their +-h steps (the on/off pattern of every hidden unit and sample compared at theta +- h e_i "
            "and at theta)"
        )
        if kinks["crossing_a_kink"]:
            explain += (" -- there the loss has a corner, the central difference averages the two one-sided "
                        "slopes and may differ from the backprop value (which takes the ReLU's derivative as 0 "
                        "at z = 0) by a lot; they are: "
                        + "; ".join(f"{k['parameter']} (analytic {k['analytic']:.3e}, numeric {k['numeric']:.3e}, "
                                    f"relative error {k['relative_error']:.1e})" for k in kinks["kink_coords"]))
        others = "The others have" if kinks["crossing_a_kink"] else "All of them have"
        explain += (
            f". {others} absolute errors of at most {kinks['not_crossing_max_abs_error']:.1e}, the size of "
            f"a central difference's round-off eps_mach |L| / h = {noise:.1e}: they are gradient entries "
            f"(|analytic| <= {kinks['not_crossing_max_abs_gradient']:.1e}) too small for a difference to resolve "
            f"to {tol:g} relative, right but unresolvable, which is what atol lets pass. Worst by relative "
            "error: " + "; ".join(f"{label(e)}: analytic {batched.analytic.reshape(-1)[e]:.3e}, numeric "
                                  f"{batched.numeric.reshape(-1)[e]:.3e}" for e in worst) + "."
        )
    quick_note = " (QUICK run: the loop on 200 coordinates, the vectorised check on 20,000; extrapolated)"
    md = (
        "# Gradient checks on the 784-300-100-100-10 MLP (course source 003)\n\n"
        f"{n:,} parameters, central differences with the default step (about 6.1e-6 max(1, |theta_i|)), "
        f"a batch of {args.n_samples} synthetic MNIST-like samples, f_batch batches of {args.batch_size}"
        f"{quick_note if args.quick else ''}.\n\n"
        f"Verdict: relative error <= {tol:g}, or absolute error <= atol = {atol:.1e} (ten times the "
        f"central difference's round-off eps_mach |L| / h = {noise:.1e}).\n\n"
        "| check | loss evaluations | time (s) | time of the full loop / this | max rel. error | passed |\n"
        "|---|---|---|---|---|---|\n"
        f"| plain loop, all parameters | {2 * n:,} | {t_loop_full:.1f} EXTRAPOLATED (measured {t_loop:.2f} s "
        f"on {loop_idx.size:,} coordinates spread over all layers: {per_eval * 1e3:.3f} ms per evaluation) | 1 | "
        f"{loop_check.max():.1e} (measured part) | -- |\n"
        f"| vectorised rank-1, all parameters | {2 * n:,} in batches | {t_batched_full:.2f}"
        f"{f' EXTRAPOLATED (measured {t_batched:.3f} s on {batched.n_checked:,})' if args.quick else ''} | "
        f"{t_loop_full / t_batched_full:.0f}x | {batched.max_relative_error:.1e} | {batched.passed} |\n"
        f"| sampled, 1000 coordinates, plain loss | 2,000 | {t_sampled:.2f} | {t_loop_full / t_sampled:.0f}x | "
        f"{sampled.max_relative_error:.1e} | {sampled.passed} |\n"
        f"| sampled, 1000 coordinates, rank-1 f_batch | 2,000 in batches | {t_sampled_fast:.3f} | "
        f"{t_loop_full / t_sampled_fast:.0f}x | {sampled_fast.max_relative_error:.1e} | {sampled_fast.passed} |\n"
        f"| directional, 20 directions | 40 | {t_directional:.3f} | {t_loop_full / t_directional:.0f}x | "
        f"{directional.max_relative_error:.1e} | {directional.passed} |\n"
        f"| analytic backprop (median of 5, for scale) | -- | {t_backprop:.4f} | -- | -- | -- |\n\n"
        "Only the vectorised row does the loop's work (every coordinate); the sampled and directional "
        "checks do far less, so their ratio is one of time, not of speed at equal work.\n\n"
        f"The vectorised and the loop estimates agree to a relative error of {loop_vs_batched:.1e} "
        f"(absolute {loop_vs_batched_abs:.1e}) on the {loop_idx.size:,} coordinates both computed. "
        "Vectorised check: median relative error "
        f"{np.median(err):.1e}, largest absolute error {abs_err.max():.1e}; {int(np.sum(err > 1e-6))} of "
        f"{batched.n_checked:,} coordinates above 1e-6, {int(np.sum(err > 1e-4))} above 1e-4, "
        f"{batched.n_failed} failing the verdict.\n\n"
        f"{explain}\n\n"
        f"With course source 003's step eps = 1e-8 instead (same coordinates), the largest absolute error "
        f"grows from {abs_err.max():.1e} to {abs_err_003.max():.1e}, the median relative error from "
        f"{np.median(err):.1e} to {np.median(eps_003.relative_errors):.1e}, and {eps_003.n_failed:,} "
        f"coordinates fail the same verdict: the round-off eps_mach |L| / h grows "
        f"{np.cbrt(np.finfo(float).eps) / 1e-8:.0f}-fold as h shrinks from 6.1e-6 to 1e-8, while the truncation "
        "error the smaller step saves was already below round-off.\n\n"
        "A seeded bug -- the 100 gradient entries of the second layer's biases multiplied by 1.5 -- is "
        "caught by: " + ", ".join(f"{name}: {'yes' if hit else 'NO'}" for name, hit in caught.items())
        + ". The full check finds every wrong entry; the sampled check only the ones it draws "
        f"(1000 of {n:,} coordinates include at least one of the 100 wrong ones with probability "
        f"{p_sample_hits:.0%}, so catching it here is partly luck of the seed); the directional check sees "
        "the bug only if it is large against the whole gradient's projection, and cannot say where it is.\n"
    )
    finish("gradcheck", result, [md], args.out)
    return result


if __name__ == "__main__":
    main()
