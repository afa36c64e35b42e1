"""Source 000 reproduced: aSGD (the mean effective gradient) against SGD, and the dummy nodes it reveals.

aSGD divides each parameter's summed gradient by the number of samples in
the batch that really contribute to it (``reduction="effective"``); with
ReLU units many samples contribute nothing, so plain SGD's batch mean
underestimates the gradient (source 000, section 6.3).

Synthetic data (section 7.2): concentric circles (lr 0.01) and spirals (lr
0.05), a 5 x 10 ReLU network with one sigmoid output and binary
cross-entropy, 128 training samples and a 7:3 train/test ratio, at most
10,000 batches or until the loss is small.  The source ran 10,000 repetitions
and reports counts of steps, accuracy, loss and dummy nodes; it does not give
the batch size, the "minor loss" threshold, the noise or the shape of the
data.  Chosen here (``course_lib.train.asgd_runs``, the runs lecture 8
shows): batch 32, stop when an epoch's mean loss is below 0.01,
``make_circles(noise=0.1, factor=0.5)`` and ``make_spirals(noise=0.05,
turns=1.5)``, ``--seeds`` repetitions (default 200).  The same seed gives
both optimizers the same data, initial weights and batch order, so the
steps are also compared seed by seed.  Dead ("actual dummy")
and always-on ("pseudo dummy") hidden units are counted on the training data
after training.

MNIST (section 7.3): 784-30-20-10, ReLU and softmax, batch 64, lr 0.01 and
0.03, SGD vs aSGD; the source trains 500 epochs, here ``--mnist-epochs``
(default 50), and reports the lowest test loss over training with the
accuracy at that epoch (its Tables 1 and 2, whose numbers are missing from
the text).

    .venv/bin/python -m experiments.exp_000_asgd [--quick] [--seeds 200] [--mnist-epochs 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from benchmarks.common import environment_info, finish
from course_lib import optim
from course_lib.nn import MLP
from course_lib.train import ASGD_LR, asgd_runs, train
from experiments.shared import RESULTS, md_table, mnist_flat, pct

N_TRAIN, N_TEST = 128, 55  # 128 : 55 is the source's 7 : 3
MAX_STEPS, BATCH, LOSS_STOP = 10_000, 32, 0.01
GROUPS = {"1: circles, aSGD": ("circles", "aSGD"), "2: circles, SGD": ("circles", "SGD"),
          "3: spirals, aSGD": ("spirals", "aSGD"), "4: spirals, SGD": ("spirals", "SGD")}
REDUCTION = {"SGD": "mean", "aSGD": "effective"}  # MLP.loss_and_grads' reduction of each optimizer


def synthetic_runs(dataset, seed, max_steps):
    """Both optimizers on one seed (``train.asgd_runs``: same data, weights and batches), summarised."""
    runs, X_train, y_train, X_test, y_test = asgd_runs(dataset, seed, max_steps=max_steps, batch_size=BATCH,
                                                       loss_stop=LOSS_STOP, n_train=N_TRAIN, n_test=N_TEST)
    out = {}
    for name, (net, hist) in runs.items():
        units = net.dead_units(X_train)
        out[name] = {"steps": hist.steps, "train_loss": hist.loss[-1], "test_loss": net.loss(X_test, y_test),
                     "test_accuracy": net.accuracy(X_test, y_test), "dead": sum(u.n_dead for u in units),
                     "always_on": sum(u.n_always_on for u in units),
                     "stopped_early": hist.stopped_epoch is not None}
    return out


def summarise(runs):
    def med(key):
        return statistics.median(r[key] for r in runs)

    return {"runs": len(runs), "median_steps": med("steps"), "mean_test_accuracy": float(np.mean([r["test_accuracy"] for r in runs])),
            "median_test_accuracy": med("test_accuracy"), "median_train_loss": med("train_loss"),
            "reached_loss_stop": sum(r["stopped_early"] for r in runs),
            "mean_dead": float(np.mean([r["dead"] for r in runs])),
            "mean_always_on": float(np.mean([r["always_on"] for r in runs])),
            "runs_with_dead": sum(r["dead"] > 0 for r in runs)}


def mnist_runs(epochs, quick):
    (X, y), (Xt, yt) = mnist_flat(n_train=6000 if quick else None)
    out = []
    for lr in (0.01, 0.03):
        for reduction in ("mean", "effective"):
            net = MLP([784, 30, 20, 10], dtype=np.float32, seed=0)
            t0 = time.perf_counter()
            hist = train(net, X, y, optim.SGD(lr), 64, epochs, reduction=reduction, validation=(Xt, yt),
                         progress=False)
            units = net.dead_units(X)
            out.append({"lr": lr, "optimizer": "aSGD" if reduction == "effective" else "SGD",
                        "seconds": time.perf_counter() - t0, "train_loss": hist.loss, "test_loss": hist.val_loss,
                        "test_accuracy": hist.val_accuracy, "dead": [u.n_dead for u in units],
                        "always_on": [u.n_always_on for u in units]})
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--mnist-epochs", type=int, default=50)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory (default experiments/results)")
    args = parser.parse_args(argv)
    seeds, max_steps, m_ep = (3, 400, 1) if args.quick else (args.seeds, MAX_STEPS, args.mnist_epochs)

    per_seed = {dataset: [synthetic_runs(dataset, s, max_steps) for s in range(seeds)]
                for dataset in ("circles", "spirals")}
    groups = {}
    for name, (dataset, optimizer) in GROUPS.items():
        runs = [both[optimizer] for both in per_seed[dataset]]
        groups[name] = {"dataset": dataset, "reduction": REDUCTION[optimizer], "lr": ASGD_LR[dataset],
                        "summary": summarise(runs), "runs": runs}
    mnist = mnist_runs(m_ep, args.quick)
    result = {"environment": environment_info(), "quick": args.quick, "seeds": seeds, "max_steps": max_steps,
              "batch_size": BATCH, "loss_stop": LOSS_STOP, "groups": groups, "mnist": mnist}

    rows = [[name, g["lr"], g["summary"]["median_steps"], f"{g['summary']['reached_loss_stop']}/{seeds}",
             pct(g["summary"]["mean_test_accuracy"]), f"{g['summary']['median_train_loss']:.4f}",
             f"{g['summary']['mean_dead']:.2f}", f"{g['summary']['runs_with_dead']}/{seeds}",
             f"{g['summary']['mean_always_on']:.2f}"] for name, g in groups.items()]
    m_rows = []
    for r in mnist:
        best = int(np.argmin(r["test_loss"]))
        m_rows.append([r["optimizer"], r["lr"], pct(r["test_accuracy"][0]), pct(r["test_accuracy"][-1]),
                       f"{r['test_loss'][best]:.4f} (epoch {best + 1}) / {pct(r['test_accuracy'][best])}",
                       f"{r['test_loss'][-1]:.4f}", f"{r['train_loss'][-1]:.4f}", " ".join(map(str, r["dead"])),
                       f"{r['seconds']:.0f}"])
    paired = {}
    for dataset in ("circles", "spirals"):
        a_runs, s_runs = ([g["runs"] for g in groups.values() if g["dataset"] == dataset and g["reduction"] == red][0]
                          for red in ("effective", "mean"))
        both = [(a["steps"], b["steps"]) for a, b in zip(a_runs, s_runs) if a["stopped_early"] and b["stopped_early"]]
        paired[dataset] = {"both_reached": len(both), "asgd_fewer_steps": sum(a < b for a, b in both),
                           "median_step_ratio": statistics.median(a / b for a, b in both) if both else None}
    result["paired"] = paired
    p_rows = [[d, f"{v['both_reached']}/{seeds}", f"{v['asgd_fewer_steps']}/{v['both_reached']}",
               "--" if v["median_step_ratio"] is None else f"{v['median_step_ratio']:.2f}"]
              for d, v in paired.items()]
    finish("source_000_asgd", result, [
        "# Source 000 reproduced: aSGD vs SGD\n",
        ("QUICK RUN.\n" if args.quick else ""),
        f"## Circles and spirals: {seeds} seeds (the source: 10,000), 2-10-10-10-10-10-1, batch {BATCH}, "
        f"at most {max_steps:,} steps or epoch loss < {LOSS_STOP}\n",
        md_table(["group", "lr", "median steps", "reached loss < 0.01", "mean test acc.", "median train loss",
                  "mean dead units", "runs with dead units", "mean always-on units"], rows),
        "\nSeed by seed (same data, initial weights and batch order for both optimizers), among the "
        "seeds where both reached the loss threshold:\n",
        md_table(["data", "both reached", "aSGD in fewer steps", "median steps aSGD / SGD"], p_rows),
        f"\n## MNIST 784-30-20-10, batch 64, {m_ep} epochs (the source: 500)\n",
        md_table(["optimizer", "lr", "test acc. after epoch 1", f"after epoch {m_ep}",
                  "lowest test loss (epoch) / test acc. there", f"test loss at epoch {m_ep}",
                  "train loss", "dead units (layer 1, 2)", "time (s)"], m_rows),
        "",
    ], args.out)
    return result


if __name__ == "__main__":
    main()
