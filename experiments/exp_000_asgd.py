"""Source 000 reproduced at its own scale: aSGD (the mean effective gradient) against SGD, and the dummy nodes.

aSGD divides each parameter's summed gradient by the number of samples in
the batch that really contribute to it (``reduction="effective"``); with
ReLU units many samples contribute nothing, so plain SGD's batch mean
underestimates the gradient (source 000, section 6.3).

Synthetic data (section 7.2): concentric circles (lr 0.01) and spirals (lr
0.05), a 5 x 10 ReLU network with one sigmoid output and binary
cross-entropy, 128 training samples and a 7:3 train/test ratio, at most
10,000 batches or until the loss is small, **10,000 repetitions** (the
paper's count).  The source does not give the batch size, the "minor loss"
threshold, the noise or the shape of the data; chosen here
(``course_lib.train.asgd_runs``, the runs lecture 8 shows): batch 32, stop
after the first epoch whose mean loss is below 0.01,
``make_circles(noise=0.1, factor=0.5)`` and ``make_spirals(noise=0.05,
turns=1.5)``, float32 (the frameworks' precision).  Seed ``s`` gives both
optimizers the same data, initial weights and batch order, so the steps are
also compared seed by seed.  All seeds are trained at once by
``course_lib.batched.asgd_study``, each network exactly as ``asgd_runs``
trains it alone (``tests/lib/test_batched.py``).  Dead ("actual dummy") and
always-on ("pseudo dummy") hidden units are counted on the training data
after training, per layer: the paper's "probability distribution map" of
dummy nodes.  **The paper prints no number for this study** (its results were
figures, absent from the text), so there is nothing published to set beside
ours; its one checkable claim is that aSGD leaves more actual dummy nodes.

MNIST (section 7.3): 784-30-20-10, ReLU and softmax, batch 64, 500 epochs, no
early stopping, the paper's four learning rates 0.005, 0.01, 0.03 and 0.1,
SGD vs aSGD, ``--mnist-seeds`` seeds (default 3; the paper: 100).  Its
Tables 1 and 2 give, over its runs, the mean and standard deviation of the
lowest test loss over training and the test accuracy, training accuracy
and training loss at that epoch; their numbers are missing from the text.
Ours: the same quantities (training loss and accuracy: the epoch's means
over its batches), mean and standard deviation over the seeds.

The parts run in ``--workers`` processes (default 2, this machine's cores):
the circles, the spirals, and MNIST's SGD and aSGD networks.

    .venv/bin/python -m experiments.exp_000_asgd [--quick] [--seeds 10000] [--mnist-seeds 3] [--mnist-epochs 500]
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from benchmarks.common import environment_info, finish
from course_lib import optim
from course_lib.batched import asgd_study, train_batched
from course_lib.nn import MLP
from course_lib.train import ASGD_HIDDEN, ASGD_LR
from experiments.shared import md_table, mnist_flat, output_arguments, pct, rendered_again, require_positive

N_TRAIN, N_TEST = 128, 55  # 128 : 55 is the source's 7 : 3
MAX_STEPS, BATCH, LOSS_STOP = 10_000, 32, 0.01
DTYPE = np.float32
GROUPS = {"1: circles, aSGD": ("circles", "aSGD"), "2: circles, SGD": ("circles", "SGD"),
          "3: spirals, aSGD": ("spirals", "aSGD"), "4: spirals, SGD": ("spirals", "SGD")}
REDUCTION = {"SGD": "mean", "aSGD": "effective"}  # MLP.loss_and_grads' reduction of each optimizer
MNIST_LRS = (0.005, 0.01, 0.03, 0.1)               # every rate section 7.3 names
MNIST_SIZES = [784, 30, 20, 10]
MNIST_BATCH = 64
RESULTS_NAME = "source_000_asgd"  # experiments/results/<RESULTS_NAME>.json and .md (course.py reads it)


def synthetic(dataset, seeds, max_steps, progress):
    """Every seed's SGD and aSGD run (``asgd_study``), summarised per run as columns; with the wall time."""
    t0 = time.perf_counter()
    study = asgd_study(dataset, range(seeds), max_steps=max_steps, batch_size=BATCH, loss_stop=LOSS_STOP,
                       n_train=N_TRAIN, n_test=N_TEST, dtype=DTYPE, progress=progress)
    out = {}
    for name, runs in study.runs.items():
        cols = {k: [] for k in ("steps", "reached", "train_loss", "test_loss", "test_accuracy", "dead",
                                "always_on")}
        dead_by_layer, on_by_layer = np.zeros(len(ASGD_HIDDEN)), np.zeros(len(ASGD_HIDDEN))
        for (net, hist), (X, _, X_test, y_test) in zip(runs, study.data):
            units = net.dead_units(X)
            loss, acc = net.evaluate(X_test, y_test)
            cols["steps"].append(hist.steps)
            cols["reached"].append(int(hist.stopped_epoch is not None))
            cols["train_loss"].append(round(hist.loss[-1], 6))
            cols["test_loss"].append(round(loss, 6))
            cols["test_accuracy"].append(round(acc, 6))
            cols["dead"].append(sum(u.n_dead for u in units))
            cols["always_on"].append(sum(u.n_always_on for u in units))
            dead_by_layer += [u.n_dead for u in units]
            on_by_layer += [u.n_always_on for u in units]
        out[name] = {"runs": cols, "dead_per_layer": (dead_by_layer / seeds).tolist(),
                     "always_on_per_layer": (on_by_layer / seeds).tolist()}
    return dataset, out, time.perf_counter() - t0


def _spread(values) -> dict:
    a = np.asarray(values, dtype=float)
    q25, q50, q75 = np.percentile(a, [25, 50, 75])
    return {"mean": float(a.mean()), "std": float(a.std(ddof=1)) if a.size > 1 else 0.0, "median": float(q50),
            "q25": float(q25), "q75": float(q75)}


def summarise(cols: dict) -> dict:
    steps, acc = cols["steps"], cols["test_accuracy"]
    return {"runs": len(steps), "median_steps": statistics.median(steps), "steps": _spread(steps),
            "mean_test_accuracy": float(np.mean(acc)), "median_test_accuracy": statistics.median(acc),
            "test_accuracy": _spread(acc), "test_loss": _spread(cols["test_loss"]),
            "median_train_loss": statistics.median(cols["train_loss"]), "train_loss": _spread(cols["train_loss"]),
            "reached_loss_stop": int(sum(cols["reached"])), "mean_dead": float(np.mean(cols["dead"])),
            "dead": _spread(cols["dead"]), "mean_always_on": float(np.mean(cols["always_on"])),
            "runs_with_dead": int(sum(d > 0 for d in cols["dead"]))}


def mnist(reduction, seeds, epochs, quick, progress):
    """Every (learning rate, seed) network of one optimizer, trained at once; per epoch their records."""
    (X, y), (Xt, yt) = mnist_flat(n_train=6000 if quick else None)
    t0 = time.perf_counter()
    configs = [(lr, s) for s in range(seeds) for lr in MNIST_LRS]
    nets = [MLP(MNIST_SIZES, dtype=DTYPE, seed=s) for _, s in configs]
    hists = train_batched(nets, X, y, [optim.SGD(lr) for lr, _ in configs], MNIST_BATCH, epochs,
                          [s for _, s in configs], reduction=reduction, validation=(Xt, yt), record="epochs",
                          progress=progress)
    seconds = time.perf_counter() - t0
    runs = []
    for (lr, s), net, hist in zip(configs, nets, hists):
        units = net.dead_units(X)
        runs.append({"lr": lr, "seed": s, "optimizer": "aSGD" if reduction == "effective" else "SGD",
                     "train_loss": _sig(hist.loss), "train_accuracy": _sig(hist.accuracy),
                     "test_loss": _sig(hist.val_loss), "test_accuracy": _sig(hist.val_accuracy),
                     "dead": [u.n_dead for u in units],
                     "always_on": [u.n_always_on for u in units]})
    return reduction, runs, seconds


def _sig(values, digits: int = 6) -> list:
    """Per-epoch values rounded to ``digits`` significant digits (what the results file keeps of a curve)."""
    return [float(f"{v:.{digits}g}") for v in values]


def mnist_summary(runs) -> list:
    """Per (optimizer, lr): the paper's Table 1/2 quantities, mean and standard deviation over the seeds."""
    rows = []
    for optimizer in ("SGD", "aSGD"):
        for lr in MNIST_LRS:
            group = [r for r in runs if r["optimizer"] == optimizer and r["lr"] == lr]
            if not group:
                continue
            best = [int(np.argmin(r["test_loss"])) for r in group]
            row = {"optimizer": optimizer, "lr": lr, "seeds": len(group),
                   "best_epoch": _spread([b + 1 for b in best])}
            for key in ("test_loss", "test_accuracy", "train_accuracy", "train_loss"):
                row[key] = _spread([r[key][b] for r, b in zip(group, best)])
            row["final_test_loss"] = _spread([r["test_loss"][-1] for r in group])
            row["final_test_accuracy"] = _spread([r["test_accuracy"][-1] for r in group])
            rows.append(row)
    return rows


def _pm(s: dict, fmt: str) -> str:
    return f"{format(s['mean'], fmt)} ± {format(s['std'], fmt)}"


def render(result: dict) -> list:
    """The results page's parts (for ``benchmarks.common.finish``) from a run's ``result`` (the json's data)."""
    groups, paired, m_summary, seconds = result["groups"], result["paired"], result["mnist_summary"], result["seconds"]
    seeds, max_steps, m_ep, m_seeds = result["seeds"], result["max_steps"], result["mnist_epochs"], result["mnist_seeds"]
    rows = []
    for name, g in groups.items():
        sm = g["summary"]
        rows.append([name, g["lr"], f"{sm['steps']['median']:.0f} ({sm['steps']['q25']:.0f}–{sm['steps']['q75']:.0f})",
                     f"{sm['reached_loss_stop']:,}/{seeds:,}", f"{pct(sm['test_accuracy']['mean'])} ± "
                     f"{100 * sm['test_accuracy']['std']:.2f}", f"{sm['median_train_loss']:.4f}",
                     f"{sm['dead']['mean']:.2f} ± {sm['dead']['std']:.2f}", f"{sm['runs_with_dead']:,}/{seeds:,}",
                     f"{sm['mean_always_on']:.2f}", " ".join(f"{v:.2f}" for v in g["dead_per_layer"])])
    p_rows = [[d, f"{v['both_reached']:,}/{seeds:,}", f"{v['asgd_fewer_steps']:,}/{v['both_reached']:,}",
               "--" if v["median_step_ratio"] is None else
               f"{v['median_step_ratio']:.2f} ({v['step_ratio']['q25']:.2f}–{v['step_ratio']['q75']:.2f})"
               if v["step_ratio"] else f"{v['median_step_ratio']:.2f}",
               f"{v['asgd_more_dead']:,} / {v['asgd_fewer_dead']:,}"] for d, v in paired.items()]
    m_rows = [[r["optimizer"], r["lr"], r["seeds"], _pm(r["test_loss"], ".4f"), _pm(r["best_epoch"], ".0f"),
               f"{100 * r['test_accuracy']['mean']:.2f} ± {100 * r['test_accuracy']['std']:.2f}",
               f"{100 * r['train_accuracy']['mean']:.2f} ± {100 * r['train_accuracy']['std']:.2f}",
               _pm(r["train_loss"], ".4f"), _pm(r["final_test_loss"], ".4f")] for r in m_summary]
    return [
        "# Source 000 reproduced: aSGD vs SGD\n",
        ("QUICK RUN.\n" if result["quick"] else ""),
        f"## Circles and spirals: {seeds:,} seeds (the source: 10,000), 2-10-10-10-10-10-1, batch {BATCH}, "
        f"{np.dtype(DTYPE).name}, at most {max_steps:,} steps or epoch loss < {LOSS_STOP}\n",
        "The source prints no number for this study (its results were figures, not in the text): nothing "
        "published to compare with. Spreads: steps median (25th–75th percentile); accuracy and dead units "
        "mean ± standard deviation over the seeds.\n",
        md_table(["group", "lr", "steps", "reached loss < 0.01", "test acc. (%)", "median train loss",
                  "dead units", "runs with dead units", "mean always-on units", "dead per layer (1..5)"], rows),
        "\nSeed by seed (same data, initial weights and batch order for both optimizers), among the "
        "seeds where both reached the loss threshold; and over all seeds, in how many aSGD left more "
        "(fewer) dead units than SGD — the paper's claim is more:\n",
        md_table(["data", "both reached", "aSGD in fewer steps", "steps aSGD / SGD, median (IQR)",
                  "aSGD more / fewer dead units"], p_rows),
        f"\n## MNIST 784-30-20-10, batch {MNIST_BATCH}, {m_ep} epochs (the source: 500), {m_seeds} seeds "
        f"(the source: 100)\n",
        "The source's Tables 1 and 2 (mean and standard deviation over 100 runs of the lowest test loss, "
        "and of the test accuracy, training accuracy and training loss at that epoch) have no numbers in "
        "the text. Ours, mean ± standard deviation over the seeds; training accuracy and loss are the "
        "epoch's means over its batches:\n",
        md_table(["optimizer", "lr", "seeds", "lowest test loss", "at epoch", "test acc. there (%)",
                  "train acc. there (%)", "train loss there", f"test loss at epoch {m_ep}"], m_rows),
        f"\nWall time on this machine ({result['workers']} processes): {result['wall_seconds'] / 60:.1f} min "
        f"(circles {seconds['synthetic_circles'] / 60:.1f}, spirals {seconds['synthetic_spirals'] / 60:.1f}, "
        f"MNIST SGD {seconds['mnist_mean'] / 60:.1f}, aSGD {seconds['mnist_effective'] / 60:.1f} min of "
        f"training).\n",
    ]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=10_000)
    parser.add_argument("--mnist-seeds", type=int, default=3)
    parser.add_argument("--mnist-epochs", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    output_arguments(parser)
    args = parser.parse_args(argv)
    if (again := rendered_again(args, RESULTS_NAME, render)) is not None:
        return again
    require_positive(parser, args, ("seeds", "mnist_seeds", "mnist_epochs", "workers"))
    seeds, max_steps, m_seeds, m_ep = ((3, 400, 1, 1) if args.quick
                                       else (args.seeds, MAX_STEPS, args.mnist_seeds, args.mnist_epochs))
    progress = not args.quick
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        # one progress line per worker: position 0 and 1 (False in quick runs)
        jobs = [pool.submit(synthetic, d, seeds, max_steps, progress and ("000", i))
                for i, d in enumerate(("circles", "spirals"))]
        jobs += [pool.submit(mnist, red, m_seeds, m_ep, args.quick, progress and (f"000: MNIST, {red}", i))
                 for i, red in enumerate(("mean", "effective"))]
        done = [job.result() for job in jobs]
    wall = time.perf_counter() - t0
    per_dataset = {d: (out, sec) for d, out, sec in done[:2]}
    mnist_runs = [r for _, runs, _ in done[2:] for r in runs]
    seconds = {f"synthetic_{d}": sec for d, (_, sec) in per_dataset.items()}
    seconds.update({f"mnist_{red}": sec for red, _, sec in done[2:]})

    groups = {}
    for name, (dataset, optimizer) in GROUPS.items():
        part = per_dataset[dataset][0][optimizer]
        groups[name] = {"dataset": dataset, "reduction": REDUCTION[optimizer], "lr": ASGD_LR[dataset],
                        "summary": summarise(part["runs"]), "dead_per_layer": part["dead_per_layer"],
                        "always_on_per_layer": part["always_on_per_layer"], "runs": part["runs"]}
    paired = {}
    for dataset in ("circles", "spirals"):
        a, s = (per_dataset[dataset][0][o]["runs"] for o in ("aSGD", "SGD"))
        both = [(x, y) for x, y, rx, ry in zip(a["steps"], s["steps"], a["reached"], s["reached"]) if rx and ry]
        ratios = [x / y for x, y in both]
        paired[dataset] = {"both_reached": len(both), "asgd_fewer_steps": sum(x < y for x, y in both),
                           "median_step_ratio": statistics.median(ratios) if both else None,
                           "step_ratio": _spread(ratios) if len(ratios) > 1 else None,
                           "asgd_more_dead": sum(x > y for x, y in zip(a["dead"], s["dead"])),
                           "asgd_fewer_dead": sum(x < y for x, y in zip(a["dead"], s["dead"]))}
    m_summary = mnist_summary(mnist_runs)
    result = {"environment": environment_info(), "quick": args.quick, "seeds": seeds, "max_steps": max_steps,
              "batch_size": BATCH, "loss_stop": LOSS_STOP, "dtype": np.dtype(DTYPE).name, "groups": groups,
              "paired": paired, "mnist": mnist_runs, "mnist_summary": m_summary, "mnist_seeds": m_seeds,
              "mnist_epochs": m_ep, "seconds": seconds, "wall_seconds": wall, "workers": args.workers}

    finish(RESULTS_NAME, result, render(result), args.out)
    return result


if __name__ == "__main__":
    main()
