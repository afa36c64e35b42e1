"""Gradient checks on the 784-300-100-100-10 MLP of course source 003: the plain loop vs the fast checks.

Checking all 276,710 parameters with central differences is 553,420 loss
evaluations.  This script measures, in the same run and on the same network
and data batch:

* the plain loop (``course_lib.gradcheck.numerical_gradient``'s code path:
  one loss evaluation per perturbation), timed on ``--loop-coords``
  coordinates spread over every layer and extrapolated to all of them;
* the vectorised full check (``check_gradient_batched`` with the rank-1
  ``ReferenceMLP.loss_batch``) over every parameter;
* the sampled check (1000 coordinates) and the directional check (20
  directions), both with the plain loss;
* one analytic backprop, for scale.

    python3 course.py bench                                  # all benchmarks
    .venv/bin/python benchmarks/bench_gradcheck.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import environment_info, environment_markdown, write_results  # noqa: E402
from mlp_reference import ReferenceMLP, synthetic_mnist  # noqa: E402

from course_lib import gradcheck  # noqa: E402


def _spread(n_params: int, offsets, k: int, rng) -> np.ndarray:
    """k flat indices drawn from every parameter block in proportion to its size (at least 4 each)."""
    picks = []
    for a, b in zip(offsets[:-1], offsets[1:]):
        m = min(b - a, max(4, round(k * (b - a) / n_params)))
        picks.append(a + rng.choice(b - a, size=m, replace=False))
    return np.sort(np.concatenate(picks)).astype(np.int64)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: loop on 200 coordinates, the vectorised check on 20,000 (extrapolated)")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    parser.add_argument("--batch-size", type=int, default=256, help="perturbations per f_batch call")
    parser.add_argument("--n-samples", type=int, default=10, help="data batch size (source 003 trains with 10)")
    parser.add_argument("--loop-coords", type=int, default=2000, help="coordinates timed with the plain loop")
    args = parser.parse_args(argv)
    loop_coords = 200 if args.quick else args.loop_coords

    rng = np.random.default_rng(0)
    net = ReferenceMLP(rng=0)
    X, Y = synthetic_mnist(args.n_samples, rng=1)
    theta = net.flat()
    n = net.n_params
    loss = lambda t: net.loss(t, X, Y)  # noqa: E731

    t0 = time.perf_counter()
    analytic = net.grad(theta, X, Y)
    t_backprop = time.perf_counter() - t0
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
                                               indices=full_idx, atol=atol)
    t_batched = time.perf_counter() - t0
    t_batched_full = t_batched * n / batched.n_checked
    # the two paths must agree where both ran
    same = gradcheck.numerical_gradient_batched(f_batch, theta, indices=loop_idx, batch_size=args.batch_size)
    loop_vs_batched = gradcheck.relative_error(loop_numeric, same)
    loop_check = gradcheck.relative_errors(loop_numeric, analytic[loop_idx])

    # (iii) sampled and (iv) directional checks with the plain loss
    t0 = time.perf_counter()
    sampled = gradcheck.check_gradient_sampled(loss, analytic, theta, n_samples=1000, rng=0, atol=atol)
    t_sampled = time.perf_counter() - t0
    t0 = time.perf_counter()
    directional = gradcheck.check_directional_derivative(loss, analytic, theta, n_directions=20, rng=0,
                                                         atol=atol)
    t_directional = time.perf_counter() - t0

    # a seeded bug: the gradient of the second layer's biases b2 off by 50% (100 entries).
    # Which checks notice it?  (The vectorised check needs only the b2 block to say so.)
    buggy = analytic.copy()
    b2 = slice(net.offsets[3], net.offsets[4])
    buggy[b2] *= 1.5
    caught = {
        "vectorised (b2 block)": not gradcheck.check_gradient_batched(
            f_batch, buggy, theta, indices=np.arange(b2.start, b2.stop), atol=atol).passed,
        "sampled, 1000 coordinates": not gradcheck.check_gradient_sampled(
            loss, buggy, theta, n_samples=1000, rng=0, atol=atol).passed,
        "directional, 20 directions": not gradcheck.check_directional_derivative(
            loss, buggy, theta, n_directions=20, rng=0, atol=atol).passed,
    }

    err = batched.relative_errors
    result = {
        "environment": environment_info(),
        "network": list(net.sizes),
        "n_params": n,
        "n_samples": args.n_samples,
        "batch_size": args.batch_size,
        "quick": args.quick,
        "tol": 1e-6,
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
                    "agreement_with_loop": loop_vs_batched},
        "sampled": {"coords_checked": sampled.n_checked, "seconds": t_sampled,
                    "speedup_vs_full_loop": t_loop_full / t_sampled,
                    "max_relative_error": sampled.max_relative_error, "passed": sampled.passed},
        "seeded_bug_b2_times_1.5_caught": caught,
        "directional": {"directions": len(directional.numeric), "seconds": t_directional,
                        "speedup_vs_full_loop": t_loop_full / t_directional,
                        "max_relative_error": directional.max_relative_error, "passed": directional.passed},
    }
    worst = batched.worst(3)
    md = (
        "# Gradient checks on the 784-300-100-100-10 MLP (course source 003)\n\n"
        f"{n:,} parameters, central differences with the default step, a batch of "
        f"{args.n_samples} samples, f_batch batches of {args.batch_size}"
        f"{' (QUICK run: extrapolated figures)' if args.quick else ''}.\n\n"
        f"Verdict: relative error <= 1e-6, or absolute error <= atol = {atol:.1e} (ten times the "
        f"central difference's round-off eps_mach |L| / h = {noise:.1e}).\n\n"
        "| check | loss evaluations | time (s) | vs plain loop | max rel. error | passed |\n"
        "|---|---|---|---|---|---|\n"
        f"| plain loop, all parameters | {2 * n:,} | {t_loop_full:.1f} (extrapolated from "
        f"{loop_idx.size:,} coordinates, {per_eval * 1e3:.3f} ms per evaluation) | 1x | "
        f"{loop_check.max():.1e} (timed part) | -- |\n"
        f"| vectorised rank-1, all parameters | {2 * n:,} in batches | {t_batched_full:.2f}"
        f"{' (extrapolated)' if args.quick else ''} | {t_loop_full / t_batched_full:.0f}x faster | "
        f"{batched.max_relative_error:.1e} | {batched.passed} |\n"
        f"| sampled, 1000 coordinates | 2,000 | {t_sampled:.2f} | {t_loop_full / t_sampled:.0f}x faster | "
        f"{sampled.max_relative_error:.1e} | {sampled.passed} |\n"
        f"| directional, 20 directions | 40 | {t_directional:.3f} | {t_loop_full / t_directional:.0f}x faster | "
        f"{directional.max_relative_error:.1e} | {directional.passed} |\n"
        f"| analytic backprop (for scale) | -- | {t_backprop:.4f} | -- | -- | -- |\n\n"
        f"The vectorised and the loop estimates agree to a relative error of {loop_vs_batched:.1e} on the "
        f"{loop_idx.size:,} coordinates both computed. Vectorised check: median relative error "
        f"{np.median(err):.1e}; {int(np.sum(err > 1e-6))} of {batched.n_checked:,} coordinates above 1e-6, "
        f"{int(np.sum(err > 1e-4))} above 1e-4, {batched.n_failed} failing the verdict. Worst by relative error: "
        + "; ".join(f"index {i}: analytic {a:.3e}, numeric {b:.3e}" for i, a, b, _ in worst)
        + ". Relative errors above 1e-6 come from gradient entries so small that the round-off of "
        "the difference is not negligible against them (hence atol), or from a step crossing a ReLU "
        "kink; CS231n's guide calls anything below 1e-4 fine for ReLU networks.\n\n"
        "A seeded bug -- the 100 gradient entries of the second layer's biases multiplied by 1.5 -- is "
        "caught by: " + ", ".join(f"{name}: {'yes' if hit else 'NO'}" for name, hit in caught.items())
        + ". The full check finds every wrong entry; the sampled check only the ones it draws "
        "(1000 of 276,710 coordinates meet 100 wrong ones with probability about 30%); the "
        "directional check sees the bug only if it is large against the whole gradient's projection.\n\n"
        + environment_markdown(result["environment"])
    )
    write_results("gradcheck", result, md, args.out)
    print(md)
    return result


if __name__ == "__main__":
    main()
