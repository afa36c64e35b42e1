"""Source 000's circles study batched (``course_lib.batched``) against the loop over seeds with ``train``.

The study (``experiments/exp_000_asgd.py``): for every seed, a
2-10-10-10-10-10-1 ReLU network with a sigmoid output on its own 128
circles, SGD at lr 0.01 in batches of 32, trained until an epoch's mean
loss is below 0.01 or 10,000 steps -- once with the batch mean (SGD) and
once with the mean effective gradient (aSGD), float32.

* The loop: ``train.asgd_runs(seed)`` (``train`` on each network, one after
  another) on the first ``--loop-seeds`` seeds, timed: half of them before
  the batched run and half after, so that a change of the machine's speed
  during the run (another process starting or ending) weighs on both.
* Batched: ``batched.asgd_study(seeds)`` on ``--seeds`` seeds (default
  1,000), timed in the same run.  Its runs of the loop's seeds are checked
  equal to the loop's (steps, last loss, weights).
* The ratio is the loop's time per network step over the batched time per
  network step (the two do the same steps, seed for seed; the seeds beyond
  the loop's are the batched run's own), and the loop's time for all seeds
  is extrapolated from its time per seed.
* How the cost grows: time per network step for K = 10 ... 1,000 networks
  and for hidden widths 10 ... 100 (five hidden layers, 256 networks, a
  fixed 20 epochs, no stopping), each against the loop with ``train`` at that
  width, and the fraction of the float32 matmul peak (a 2000x2000 product,
  one thread, ``bench_train.matmul_peak``) the batched step reaches, from its
  floating-point operations: per sample ``2 sum(n_in n_out)`` forward, the
  same for the weight gradients and ``2 sum(n_in n_out)`` over layers 2.. for
  the deltas.

Target (issue 14): batched at least 20x faster than the loop.

    python3 course.py bench
    .venv/bin/python -m benchmarks.bench_batched [--quick] [--seeds 1000] [--loop-seeds 40] [--out DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_train import matmul_peak
from benchmarks.common import environment_info, finish
from course_lib import nn, optim
from course_lib.batched import asgd_study, train_batched
from course_lib.train import ASGD_LR, asgd_data, asgd_runs, train

HIDDEN_LAYERS = 5
BATCH = 32
DTYPE = np.float32
TARGET = 20.0


def step_flops(sizes, batch: int) -> float:
    pairs = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return batch * (2 * sum(pairs) + 2 * sum(pairs) + 2 * sum(pairs[1:]))


def _loop(seeds, max_steps: int) -> tuple:
    """``asgd_runs`` of ``seeds``, one after another: ``(runs, seconds, network steps)``."""
    t0 = time.perf_counter()
    runs = [asgd_runs("circles", s, max_steps=max_steps, batch_size=BATCH, dtype=DTYPE) for s in seeds]
    return runs, time.perf_counter() - t0, sum(h.steps for r in runs for _, h in r.runs.values())


def study(seeds: int, loop_seeds: int, max_steps: int) -> dict:
    half = loop_seeds // 2   # the loop's seeds, half before the batched run and half after: a drift weighs on both
    before, t_before, steps_before = _loop(range(half), max_steps)
    t0 = time.perf_counter()
    batched = asgd_study("circles", range(seeds), max_steps=max_steps, batch_size=BATCH, dtype=DTYPE)
    t_batched = time.perf_counter() - t0
    after, t_after, steps_after = _loop(range(half, loop_seeds), max_steps)
    loop, t_loop, loop_steps = before + after, t_before + t_after, steps_before + steps_after
    steps = sum(h.steps for runs in batched.runs.values() for _, h in runs)
    same = all(
        h.steps == ref_h.steps and h.loss == ref_h.loss[-1:]
        and all(np.array_equal(p, q) for p, q in zip(net.params, ref.params))
        for s, r in enumerate(loop) for name, (ref, ref_h) in r.runs.items()
        for net, h in [batched.runs[name][s]])
    per_step_loop, per_step_batched = t_loop / loop_steps, t_batched / steps
    return {"seeds": seeds, "loop_seeds": loop_seeds, "max_steps": max_steps,
            "loop_seconds": t_loop, "loop_network_steps": loop_steps, "loop_us_per_step": 1e6 * per_step_loop,
            "loop_us_per_step_before": 1e6 * t_before / steps_before,
            "loop_us_per_step_after": 1e6 * t_after / steps_after,
            "batched_seconds": t_batched, "batched_network_steps": steps, "batched_us_per_step": 1e6 * per_step_batched,
            "loop_seconds_extrapolated": per_step_loop * steps, "ratio": per_step_loop / per_step_batched,
            "same_runs_as_the_loop": same}


def scaling_run(K: int, width: int, epochs: int) -> dict:
    """Time per network step of K stacked networks of one width, and of ``train`` on one of them."""
    sizes = [2, *[width] * HIDDEN_LAYERS, 1]
    data = [asgd_data("circles", s) for s in range(K)]
    nets = [nn.MLP(sizes, output="sigmoid", seed=s, dtype=DTYPE) for s in range(K)]
    t0 = time.perf_counter()
    hists = train_batched(nets, np.stack([d[0] for d in data]), [d[1] for d in data], optim.SGD(ASGD_LR["circles"]),
                          BATCH, epochs, list(range(K)), record="last")
    t = time.perf_counter() - t0
    steps = sum(h.steps for h in hists)
    loops = min(K, 3)
    t0 = time.perf_counter()
    for s in range(loops):
        net = nn.MLP(sizes, output="sigmoid", seed=s, dtype=DTYPE)
        train(net, data[s][0], data[s][1], optim.SGD(ASGD_LR["circles"]), BATCH, epochs, seed=s, progress=False)
    t_loop = (time.perf_counter() - t0) / (loops * epochs * hists[0].steps_per_epoch)
    per_step = t / steps
    return {"K": K, "width": width, "batched_us_per_step": 1e6 * per_step, "loop_us_per_step": 1e6 * t_loop,
            "ratio": t_loop / per_step, "gflops": step_flops(sizes, BATCH) / per_step / 1e9}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke test: 30 seeds, 3 in the loop, 400 steps")
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--loop-seeds", type=int, default=40)
    parser.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    args = parser.parse_args(argv)
    if args.seeds < 2 or not 2 <= args.loop_seeds <= args.seeds:  # the loop's seeds: half before, half after
        parser.error(f"need 2 <= --loop-seeds <= --seeds; got {args.loop_seeds} and {args.seeds}")
    seeds, loop_seeds, max_steps = (30, 3, 400) if args.quick else (args.seeds, args.loop_seeds, 10_000)
    Ks, widths, epochs = ((10, 30), (10, 20), 3) if args.quick else ((10, 30, 100, 300, 1000), (10, 20, 50, 100), 20)

    peak = matmul_peak(1)
    main_run = study(seeds, loop_seeds, max_steps)
    by_K = [scaling_run(K, 10, epochs) for K in Ks]
    by_width = [scaling_run(256 if not args.quick else 30, w, epochs) for w in widths]
    for row in by_K + by_width:
        row["fraction_of_peak"] = row["gflops"] / peak
    main_run["fraction_of_peak"] = (step_flops([2, *[10] * HIDDEN_LAYERS, 1], BATCH)
                                    / (main_run["batched_us_per_step"] * 1e-6) / 1e9 / peak)
    result = {"environment": environment_info(), "quick": args.quick, "dtype": np.dtype(DTYPE).name,
              "batch_size": BATCH, "matmul_peak_gflops_1_thread": peak, "target": TARGET, "study": main_run,
              "by_K": by_K, "by_width": by_width}
    r = main_run
    verdict = "met" if r["ratio"] >= TARGET else "NOT met"
    rows = lambda runs, key: [[run[key], f"{run['batched_us_per_step']:.2f}", f"{run['loop_us_per_step']:.1f}",  # noqa: E731
                               f"{run['ratio']:.1f}x", f"{100 * run['fraction_of_peak']:.1f}%"] for run in runs]
    header = ["batched us / network step", "loop us / step", "batched / loop", "% of matmul peak"]
    from experiments.shared import md_table  # the one table formatter of the results pages

    finish("batched", result, [
        "# Many networks at once: source 000's circles study, batched against the loop\n",
        ("QUICK RUN.\n" if args.quick else ""),
        f"2-10-10-10-10-10-1 ReLU networks, sigmoid output, float32, SGD lr 0.01, batch {BATCH}, until an epoch's "
        f"loss < 0.01 or {max_steps:,} steps; SGD and aSGD for every seed.\n",
        f"- loop (`train.asgd_runs`, one network after another): {r['loop_seeds']} seeds, {r['loop_seconds']:.1f} s, "
        f"{r['loop_network_steps']:,} network steps, **{r['loop_us_per_step']:.1f} us per step** (half the seeds before "
        f"the batched run: {r['loop_us_per_step_before']:.1f} us, half after: {r['loop_us_per_step_after']:.1f} us)",
        f"- batched (`batched.asgd_study`): {r['seeds']:,} seeds, {r['batched_seconds']:.1f} s, "
        f"{r['batched_network_steps']:,} network steps, **{r['batched_us_per_step']:.2f} us per step** "
        f"({100 * r['fraction_of_peak']:.1f}% of the float32 matmul peak, {peak:.0f} GFLOP/s on one thread)",
        f"- the loop would take {r['loop_seconds_extrapolated']:.0f} s for the {r['seeds']:,} seeds: "
        f"**batched {r['ratio']:.1f}x faster** (target {TARGET:.0f}x: {verdict}); the batched runs of the loop's "
        f"seeds are the loop's runs exactly: {r['same_runs_as_the_loop']}\n",
        f"## Cost with the number of networks (width 10, {epochs} epochs, no stopping)\n",
        md_table(["K", *header], rows(by_K, "K")),
        f"\n## Cost with the hidden width ({HIDDEN_LAYERS} hidden layers, {by_width[0]['K']} networks, "
        f"{epochs} epochs)\n",
        md_table(["width", *header], rows(by_width, "width")),
        "",
    ], args.out)
    return result


if __name__ == "__main__":
    main()
