"""Source 003's Tables 2-6 at the report's scale: 10 epochs, every cell, spread over seeds, published beside ours.

The network and conventions are ``exp_003_mnist_mlp``'s (its ``SIZES`` and
``ADAM_C`` are imported): 784-300-100-100-10, ReLU, softmax with
cross-entropy, **no biases**, Glorot uniform, float32, pixels / 255, the
60,000 training images, 10 epochs, the test set of 10,000 images.  The
cells, as the report's tables list them:

* Table 2 -- SGD, lr {0.1, 0.01, 0.001} x batch {1, 10, 100};
* Table 3 -- SGD with the linear decay 0.1 -> 1e-4 (``schedules.linear(0.1,
  1e-4, epochs)``, epoch ``k`` trains at ``eta_k``), batch {1, 10, 100};
* Table 4 -- classical momentum 0.1 (``optim.Momentum(lr, beta=0.1,
  variant="classical")``: ``v = alpha v - eta g, w = w + v``), the lr x batch
  grid;
* Table 5 -- the decay and the momentum together, batch {1, 10, 100};
* Adam (``optim.Adam(lr, 0.9, 0.999, 1e-8)``), the lr x batch grid: the
  report's Figures 11 and 12 draw all nine, its Table 6 prints the three that
  "achieved convergence" (lr 0.01 batch 100, lr 0.001 batch 10 and 100), so
  Table 6's rows are those cells of this grid (the same runs).

Seeds: ``--seeds`` (default 5) for batch 10 and 100, ``--batch1-seeds``
(default 1) for batch 1, whose run is 600,000 steps (about 8 minutes on this
machine).  Seed ``s`` sets the initial weights (``MLP(seed=s)``) and the
batch order (``train(seed=s)``'s), as ``exp_003_mnist_mlp.run``.

Training: ``course_lib.batched.train_batched``, each network bit for bit the
one ``course_lib.train.train`` gives alone (in float32 too, with the learning
rates stacked: a test checks it); one call per table and batch size stacks
that table's learning rates and seeds (the decay per network through
``schedules=``).  ``validation=`` the test set (the report's accuracy is the
test accuracy) and ``evaluate_every = 6000 // batch``: every run's test
accuracy and loss every 6,000 training samples, the curves of the report's
Figures 3-12.  Their x axis, "Iterations", is most likely one training sample
(its "after 30000 Iterations" panels are drawn for every batch size, and batch
100 makes only 6,000 updates in 10 epochs), so the curves are stored against
the samples seen (``curve_samples``).  At batch 1 ``stop_dead=True``: a
network with a hidden layer dead on every training image (the collapse of lr
0.1, batch 1) and no motion left in its optimizer is stopped, as every later
step would leave it unchanged; its later epochs and curve points are filled
in exactly (``run_record``; ``frozen_epoch`` says where): the test numbers
repeat, the training epochs are those of zero logits (``ln 10``, the share
of zeros).  "No motion left" is ``stop_dead``'s bound: the largest step the
optimizer's decaying state could still take is below every weight's spacing
(Adam's float32 first moment sticks at a subnormal, where ``0.9 m`` rounds
back to ``m``, never at 0; the bound counts it as still, as it is).

Per run: the last epoch's mean batch loss and accuracy (``History.loss[-1]``,
``accuracy[-1]``), the test accuracy and loss after training, the trained
network's loss on the training set, dead units per hidden layer (on the first
10,000 training images), training seconds (``History.epoch_time``), the
curve.  Per cell: mean, standard deviation (n - 1), min and max over seeds;
the published numbers; the verdict "reproduced" when the published test
accuracy lies in our [min, max] (one seed: within 0.1 points of ours), else
"not reproduced", with what we know of why.  The published numbers of Tables
3-6 are ``PUBLISHED`` (Table 2's: ``schedules.SOURCE_003_TABLE2``), checked
against the report's text by ``tests/course/test_experiments.py``.

The jobs (a table at a batch size) run in ``--workers`` processes (default 2,
this machine's cores), the longest first.

    .venv/bin/python -m experiments.exp_003_tables [--quick] [--seeds 5] [--batch1-seeds 1] [--workers 2]
                                                   [--epochs 10] [--n-train 60000]   # a smaller run: the page says so
    .venv/bin/python -m experiments.exp_003_tables --render-only   # the .md again from the .json
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from benchmarks.common import environment_info, finish
from course_lib import optim, schedules
from course_lib.batched import train_batched
from course_lib.nn import MLP
from course_lib.schedules import SOURCE_003_TABLE2
from experiments.exp_003_mnist_mlp import ADAM_C, SIZES
from experiments.shared import md_table, mnist_flat, output_arguments, pct, rendered_again, require_positive

RESULTS_NAME = "source_003_tables"  # experiments/results/<RESULTS_NAME>.json and .md (course.py reads it)
LRS = (0.1, 0.01, 0.001)
BATCHES = (1, 10, 100)
MOMENTUM = 0.1            # "a momentum coefficient of 0.1" (section 3.3.2)
DECAY = (0.1, 1e-4)       # eta_init = 0.1, eta_final = 10^-4 (section 3.2.1)
CURVE_EVERY = 6000        # training samples between two points of a curve (the full run)
FULL_EPOCHS, FULL_TRAIN = 10, 60000

PUBLISHED = {
    "3": {(0.1, 0.0001, 1): (2.3026, 0.0980), (0.1, 0.0001, 10): (0.0017, 0.9827),
          (0.1, 0.0001, 100): (0.0311, 0.9788)},
    "4": {(0.1, 0.1, 1): (2.3026, 0.0980), (0.1, 0.1, 10): (0.0250, 0.9792), (0.1, 0.1, 100): (0.0136, 0.9778),
          (0.1, 0.01, 1): (0.0272, 0.9768), (0.1, 0.01, 10): (0.0145, 0.9748), (0.1, 0.01, 100): (0.1630, 0.9532),
          (0.1, 0.001, 1): (0.0145, 0.9768), (0.1, 0.001, 10): (0.1487, 0.9528),
          (0.1, 0.001, 100): (0.4821, 0.8772)},
    "5": {(0.1, 0.1, 0.0001, 1): (2.3026, 0.0980), (0.1, 0.1, 0.0001, 10): (0.0016, 0.9828),
          (0.1, 0.1, 0.0001, 100): (0.0271, 0.9789)},
    "6": {(0.01, 100): (0.0780, 0.9738), (0.001, 10): (0.0299, 0.9820), (0.001, 100): (0.0171, 0.9842)},
}
"""Source 003's Tables 3-6 as printed, ``row's leading columns -> (Loss, Accuracy)``: Table 3 ``(eta_0, eta_N,
m)``, Table 4 ``(alpha, eta, m)``, Table 5 ``(alpha, eta_0, eta_N, m)``, Table 6 ``(eta, m)``.  Table 2 is
``schedules.SOURCE_003_TABLE2`` (with its Time column)."""

# What the report's text says about a cell, where it differs from its table (quotes verbatim; a test checks them)
TEXT_NOTES = {
    ("3", 0.1, 1): 'the text says "whether with a decayed learning rate from 0.1 to 0.001" (the table: 0.0001)',
    ("3", 0.1, 10): 'the text gives "an accuracy of 98.30% (from 97.74%) with a loss of 0.0020" (the table: '
                    '0.9827, 0.0017)',
}
TABLE_4_CLAIM = "all other configurations exhibit a slight improvement in accuracy compared to previous experiments"
ADAM_UNLISTED = "either failed to converge or experienced collapse"

TABLES = {  # name -> (heading, optimizer, decayed, learning rates)
    "2": ("Table 2: SGD, constant learning rate", "sgd", False, LRS),
    "3": ("Table 3: SGD with the linear decay 0.1 → 1e-4", "sgd", True, (DECAY[0],)),
    "4": ("Table 4: classical momentum 0.1, constant learning rate", "momentum", False, LRS),
    "5": ("Table 5: the linear decay 0.1 → 1e-4 with momentum 0.1", "momentum", True, (DECAY[0],)),
    "adam": ("Adam (0.9, 0.999, 1e-8), constant learning rate: the grid of Figures 11 and 12", "adam", False, LRS),
}
QUICK_BATCH1 = {"2": (0.1,)}  # --quick: every table at batch 10 and 100; at batch 1 only Table 2's lr 0.1


def make_optimizer(kind: str, lr: float):
    """The report's optimizers: SGD, classical momentum 0.1, Adam (0.9, 0.999, eps 1e-8: ``exp_003``'s run (c))."""
    if kind == "sgd":
        return optim.SGD(lr)
    if kind == "momentum":
        return optim.Momentum(lr, beta=MOMENTUM, variant="classical")
    return optim.Adam(lr, ADAM_C["beta1"], ADAM_C["beta2"], ADAM_C["eps"])


def published(table: str, lr: float, batch: int):
    """``{"loss", "accuracy"[, "seconds"]}`` the report prints for a cell, or None (the Adam cells Table 6 omits)."""
    if table == "2":
        loss, acc, sec = SOURCE_003_TABLE2[(lr, batch)]
        return {"loss": loss, "accuracy": acc, "seconds": sec}
    key = {"3": (DECAY[0], DECAY[1], batch), "4": (MOMENTUM, lr, batch),
           "5": (MOMENTUM, DECAY[0], DECAY[1], batch), "adam": (lr, batch)}[table]
    row = PUBLISHED["6" if table == "adam" else table].get(key)
    return None if row is None else {"loss": row[0], "accuracy": row[1]}


def text_note(table: str, lr: float, batch: int) -> str | None:
    """What the report's text says against its table for this cell (None: nothing)."""
    if (table, lr, batch) in TEXT_NOTES:
        return TEXT_NOTES[(table, lr, batch)]
    if table == "4" and (lr, batch) != (0.1, 1):
        before, after = SOURCE_003_TABLE2[(lr, batch)][1], PUBLISHED["4"][(MOMENTUM, lr, batch)][1]
        if after <= before:
            return (f'the text says "{TABLE_4_CLAIM}"; here Table 4 prints {after:.4f}, Table 2 {before:.4f}: '
                    f'{"no change" if after == before else "a loss"}')
    if table == "adam" and published(table, lr, batch) is None:
        return f'not in Table 6; the text: the other combinations "{ADAM_UNLISTED}"'
    return None


def jobs_of(quick: bool, seeds: int, batch1_seeds: int) -> list:
    """The jobs: ``(table, batch, lrs, seeds)``, one ``train_batched`` call each.

    A table's learning rates at batch 10 and 100 are stacked in one job; at
    batch 1 each learning rate is a job of its own: a run there is 600,000
    steps of a network whose step stacking does not make cheaper (266 k
    weights, no weight reused within a step), and single runs share the
    processes evenly.
    """
    jobs = []
    for table, (_, _, _, lrs) in TABLES.items():
        for batch in BATCHES:
            lrs_here = QUICK_BATCH1.get(table, ()) if quick and batch == 1 else lrs
            run_seeds = tuple(range(batch1_seeds if batch == 1 else seeds))
            groups = [(lr,) for lr in lrs_here] if batch == 1 else [lrs_here] if lrs_here else []
            jobs += [(table, batch, group, run_seeds) for group in groups]
    return jobs


def job_name(table: str, batch: int, lrs) -> str:
    """A job's label: ``"2 b10"``; a batch-1 job (one learning rate) ``"2 b1 lr 0.1"``."""
    return f"{table} b{batch}" + (f" lr {lrs[0]:g}" if batch == 1 else "")


@functools.lru_cache(maxsize=2)
def _data(n_train):
    return mnist_flat(n_train=n_train)


def frozen_epoch_records(net, X, y) -> tuple[float, float]:
    """The mean batch loss and accuracy a batch-1 epoch records for a network with a hidden layer dead on every input.

    Every logit is then exactly 0 (no biases): every step's loss is the one
    per-sample loss of zero logits (``ln 10`` in float32) and every
    prediction is class 0 (the model's argmax of ten equal numbers).  The
    epoch's loss is summed as ``train_batched`` sums it (in float64, one step
    after another, over the ``n`` steps of batch 1, then divided by ``n``),
    its accuracy the share of zeros: the numbers training that epoch would
    record (``tests/course/test_experiments.py`` compares them with training
    it).  Only *after* the epoch in which the network died: that epoch's own
    means also hold the steps before the collapse.
    """
    per_sample = float(net.loss(X[:1], y[:1]))
    total = 0.0
    for _ in range(len(X)):
        total += per_sample
    return total / len(X), net.accuracy(X, y)


def run_record(net, h, lr, seed, batch, epochs, curve_every, schedule, X, y, Xt, yt) -> dict:
    """One network's numbers: last epoch, after training, dead units, time, per epoch and the curve.

    A network stopped by ``stop_dead`` (``h.frozen_epoch``) gets its later
    epochs and curve points filled in: the test numbers repeat its last
    evaluation (the weights do not change again), the training epochs are
    ``frozen_epoch_records``, the learning rate its schedule's.
    """
    spe = h.steps_per_epoch
    frozen, complete = h.frozen_epoch, h.diverged_step is None
    dead = [u.n_dead for u in net.dead_units(X[:10000])]
    run = {"lr": lr, "seed": seed, "batch_size": batch, "epochs": epochs, "steps_per_epoch": spe,
           "epochs_trained": len(h.loss), "frozen_epoch": frozen, "diverged_step": h.diverged_step,
           "seconds": h.wall_time, "dead_units": dead, "hidden_widths": list(SIZES[1:-1]),
           "collapsed": any(d == w for d, w in zip(dead, SIZES[1:-1])), "train_loss_after": net.loss(X, y),
           "lr_per_epoch": list(h.lr), "train_loss_per_epoch": list(h.loss),
           "train_accuracy_per_epoch": list(h.accuracy), "test_loss_per_epoch": list(h.val_loss),
           "test_accuracy_per_epoch": list(h.val_accuracy), "curve_samples": [s * batch for s in h.curve_step],
           "curve_test_accuracy": list(h.curve_val_accuracy), "curve_test_loss": list(h.curve_val_loss),
           "curve_recorded_to": h.curve_step[-1] * batch if h.curve_step else 0}
    if frozen is not None and len(h.loss) < epochs:
        if batch != 1:
            raise ValueError(f"a frozen network's epochs are filled in for batch 1 only; got batch {batch}")
        loss, acc = frozen_epoch_records(net, X, y)
        later = range(len(h.loss), epochs)
        run["lr_per_epoch"] += [lr if schedule is None else float(schedule(e)) for e in later]
        run["train_loss_per_epoch"] += [loss] * len(later)
        run["train_accuracy_per_epoch"] += [acc] * len(later)
        run["test_loss_per_epoch"] += [h.val_loss[-1]] * len(later)
        run["test_accuracy_per_epoch"] += [h.val_accuracy[-1]] * len(later)
        k = curve_every // batch
        steps = range((len(h.curve_step) + 1) * k, epochs * spe + 1, k)
        run["curve_samples"] += [s * batch for s in steps]
        run["curve_test_accuracy"] += [h.val_accuracy[-1]] * len(steps)
        run["curve_test_loss"] += [h.val_loss[-1]] * len(steps)
    # after training: the last epoch's records, or (a diverged run) the weights it stopped with, evaluated
    run["train_loss_last_epoch"] = run["train_loss_per_epoch"][-1] if complete else None
    run["train_accuracy_last_epoch"] = run["train_accuracy_per_epoch"][-1] if complete else None
    run["test_accuracy"] = run["test_accuracy_per_epoch"][-1] if complete else net.accuracy(Xt, yt)
    run["test_loss"] = run["test_loss_per_epoch"][-1] if complete else net.loss(Xt, yt)
    return run


def train_job(table, batch, lrs, seeds, n_train, epochs, curve_every, progress=False) -> dict:
    """One table at one batch size: every (lr, seed) network trained at once; the per-run records and the times."""
    _, kind, decayed, _ = TABLES[table]
    if curve_every % batch:
        raise ValueError(f"curve_every ({curve_every}) must be a multiple of the batch size ({batch})")
    (X, y), (Xt, yt) = _data(n_train)
    cells = [(lr, s) for lr in lrs for s in seeds]
    nets = [MLP(SIZES, bias=False, dtype=np.float32, seed=s) for _, s in cells]
    opts = [make_optimizer(kind, lr) for lr, _ in cells]
    schedule = schedules.linear(DECAY[0], DECAY[1], epochs) if decayed else None
    t0 = time.perf_counter()
    hists = train_batched(nets, X, y, opts, batch, epochs, [s for _, s in cells],
                          schedules=None if schedule is None else [schedule] * len(cells),
                          validation=(Xt, yt), evaluate_every=curve_every // batch, record="epochs",
                          stop_dead=batch == 1, progress=progress)
    train_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    runs = [run_record(net, h, lr, seed, batch, epochs, curve_every, schedule, X, y, Xt, yt)
            for (lr, seed), net, h in zip(cells, nets, hists)]
    return {"table": table, "batch_size": batch, "lrs": list(lrs), "seeds": list(seeds), "optimizer": kind,
            "networks": len(cells), "network_steps": sum(h.steps for h in hists),
            "curve_points": sum(len(h.curve_step) for h in hists), "epoch_evaluations": sum(len(h.val_loss) for h in hists),
            "wall_seconds": train_seconds, "training_seconds": sum(r["seconds"] for r in runs),
            "after_seconds": time.perf_counter() - t1, "runs": runs}


def spread(values) -> dict:
    v = np.asarray([x for x in values if x is not None], dtype=np.float64)
    if not len(v):
        return {"mean": None, "std": None, "min": None, "max": None, "n": 0}
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else None,
            "min": float(v.min()), "max": float(v.max()), "n": int(len(v))}


def verdict(pub, acc: dict, runs=()) -> str:
    """"reproduced" when the published test accuracy is in our [min, max] (one seed: within 0.1 points).

    Not when one of ``runs`` diverged (its loss not finite): the report's loss is finite, and a network whose
    weights are NaN predicts class 0 for every image, the accuracy of a collapse for another reason.
    """
    if pub is None:
        return "no number published"
    if any(r["diverged_step"] is not None for r in runs):
        return "not reproduced"
    if acc["n"] == 1:
        return "reproduced" if abs(pub["accuracy"] - acc["mean"]) <= 0.001 + 1e-12 else "not reproduced"
    return "reproduced" if acc["min"] - 1e-12 <= pub["accuracy"] <= acc["max"] + 1e-12 else "not reproduced"


def dead_text(runs) -> str:
    """Mean dead units per hidden layer over the runs, ``dead/width`` each."""
    dead = np.mean([r["dead_units"] for r in runs], axis=0)
    return " ".join(f"{d:.3g}/{w}" for d, w in zip(dead, runs[0]["hidden_widths"]))


def reason(pub, runs, acc, ver, table, lr, batch, ln10_4) -> str:
    """Why a cell is (not) reproduced, where known: collapses (dead units), the text against the table, the gap."""
    parts = []
    n, collapsed = len(runs), sum(r["collapsed"] for r in runs)
    pub_collapsed = pub is not None and pub["loss"] == ln10_4
    if pub_collapsed and collapsed == n:
        parts.append(f"collapsed, as the report's run: a hidden layer dead on every input (dead units "
                     f"{dead_text(runs)}), logits 0, loss ln 10, accuracy = the test set's zeros")
    elif pub_collapsed:
        parts.append(f"the report's run collapsed (loss ln 10, accuracy = the test set's zeros); {collapsed}/{n} "
                     f"of ours did")
    elif collapsed:
        parts.append(f"{collapsed}/{n} of our seeds collapsed (a hidden layer dead on every input; dead units "
                     f"{dead_text(runs)})")
    frozen = [r["frozen_epoch"] for r in runs if r["frozen_epoch"] is not None]
    if frozen:
        parts.append(f"{len(frozen)}/{n} stopped dead after epoch {', '.join(str(e) for e in frozen)} "
                     "(`stop_dead`: the later epochs would change nothing; the time covers the epochs trained)")
    diverged = [r["diverged_step"] for r in runs if r["diverged_step"] is not None]
    if diverged:
        parts.append(f"{len(diverged)}/{n} diverged (loss not finite at step{'s' * (len(diverged) > 1)} "
                     f"{', '.join(f'{s:,}' for s in diverged)})"
                     + (f", where the report's loss {pub['loss']} is finite; NaN logits predict class 0, the test "
                        "set's zeros" if pub is not None else ""))
    if not (diverged and pub is not None) and ver == "not reproduced" and acc["n"]:
        gap = pub["accuracy"] - (acc["max"] if pub["accuracy"] > acc["max"] else acc["min"])
        side = ("above" if gap > 0 else "below") + (" ours" if acc["n"] == 1 else " our max" if gap > 0 else " our min")
        parts.append(f"published {abs(100 * gap):.2f} points {side}")
    note = text_note(table, lr, batch)
    if note:
        parts.append(note)
    return "; ".join(parts)


def curve_at(runs, samples: int, key="curve_test_accuracy"):
    """Mean over the runs of the curve's value after ``samples`` training samples (None if not recorded)."""
    vals = [r[key][r["curve_samples"].index(samples)] for r in runs if samples in r["curve_samples"]]
    return float(np.mean(vals)) if len(vals) == len(runs) and vals else None


def summarise(jobs, ln10_4) -> list:
    """One entry per table cell: the spreads, the published numbers, the verdict and the reason."""
    cells = []
    for job in jobs:
        for lr in job["lrs"]:
            runs = [r for r in job["runs"] if r["lr"] == lr]
            table, batch = job["table"], job["batch_size"]
            pub = published(table, lr, batch)
            acc = spread(r["test_accuracy"] for r in runs)
            ver = verdict(pub, acc, runs)
            after_30k = [a for r in runs for s, a in zip(r["curve_samples"], r["curve_test_accuracy"]) if s > 30000]
            cells.append({
                "table": table, "lr": lr, "batch_size": batch, "optimizer": job["optimizer"],
                "decayed": TABLES[table][2], "seeds": [r["seed"] for r in runs], "published": pub,
                "test_accuracy": acc, "test_loss": spread(r["test_loss"] for r in runs),
                "train_loss_last_epoch": spread(r["train_loss_last_epoch"] for r in runs),
                "train_accuracy_last_epoch": spread(r["train_accuracy_last_epoch"] for r in runs),
                "train_loss_after": spread(r["train_loss_after"] for r in runs),
                "seconds": spread(r["seconds"] for r in runs),
                "collapsed": sum(r["collapsed"] for r in runs), "dead_units_mean": dead_text(runs),
                "verdict": ver, "reason": reason(pub, runs, acc, ver, table, lr, batch, ln10_4),
                "curve": {"accuracy_at_6000": curve_at(runs, 6000), "accuracy_at_30000": curve_at(runs, 30000),
                          "loss_at_30000": curve_at(runs, 30000, "curve_test_loss"),
                          "accuracy_after_30000_min": min(after_30k) if after_30k else None,
                          "accuracy_after_30000_max": max(after_30k) if after_30k else None}})
    order = list(TABLES)
    return sorted(cells, key=lambda c: (order.index(c["table"]), -c["lr"], c["batch_size"]))  # the report's order


def rates(jobs) -> dict:
    """Measured costs of this run: training ms per network-step per (optimizer, batch); seconds per test evaluation
    (one network, the 10,000 test images); seconds per network of the after-training evaluations, per image."""
    steps, secs = {}, {}
    evals, eval_secs, after, n_nets = 0, 0.0, 0.0, 0
    for job in jobs:
        key = f"{job['optimizer']} {job['batch_size']}"
        steps[key] = steps.get(key, 0) + job["network_steps"]
        secs[key] = secs.get(key, 0.0) + job["training_seconds"]
        evals += job["curve_points"] + job["epoch_evaluations"]
        eval_secs += max(job["wall_seconds"] - job["training_seconds"], 0.0)
        after += job["after_seconds"]
        n_nets += job["networks"]
    return {"ms_per_network_step": {k: 1000 * secs[k] / steps[k] for k in steps},
            "seconds_per_test_evaluation": eval_secs / evals if evals else None,
            "after_seconds_per_network": after / n_nets}


def estimate_full(measured: dict, n_train_measured: int, workers: int, seeds: int = 5, batch1_seeds: int = 1) -> dict:
    """The full run's wall time projected from a run's measured costs (``rates``), packed onto ``workers``.

    Network-steps at 60,000 images and 10 epochs (the lr 0.1 batch-1 SGD and momentum networks of Tables 2-5
    counted for one epoch: the report's collapse, which ``stop_dead`` ends there); a (optimizer, batch) not
    measured is scaled from the measured SGD rate at that batch by the optimizers' ratio at batch 10; the test
    evaluations (10 per run plus one per 6,000 samples); the after-training evaluations scaled to 60,000 images.
    Jobs go longest first to the least loaded worker.
    """
    ms = dict(measured["ms_per_network_step"])
    for kind in ("momentum", "adam"):
        for batch in BATCHES:
            key = f"{kind} {batch}"
            if key not in ms and f"sgd {batch}" in ms and f"{kind} 10" in ms and "sgd 10" in ms:
                ms[key] = ms[f"sgd {batch}"] * ms[f"{kind} 10"] / ms["sgd 10"]
    per_eval = measured["seconds_per_test_evaluation"] or 0.0
    after = measured["after_seconds_per_network"] * FULL_TRAIN / n_train_measured
    cost = []
    for table, batch, lrs, run_seeds in jobs_of(False, seeds, batch1_seeds):
        kind = TABLES[table][1]
        spe = FULL_TRAIN // batch
        seconds = 0.0
        for lr in lrs:
            epochs = 1 if (batch == 1 and lr == 0.1 and kind != "adam") else FULL_EPOCHS
            seconds += len(run_seeds) * (epochs * spe * ms[f"{kind} {batch}"] / 1000
                                         + (epochs + epochs * FULL_TRAIN // CURVE_EVERY) * per_eval + after)
        cost.append((seconds, job_name(table, batch, lrs)))
    loads = [0.0] * workers
    for seconds, _ in sorted(cost, reverse=True):
        loads[loads.index(min(loads))] += seconds
    return {"core_seconds": sum(c for c, _ in cost), "wall_seconds": max(loads), "workers": workers,
            "jobs": {name: c for c, name in cost}, "ms_per_network_step_used": ms}


def _fmt(s, digits=4, scale=1.0) -> str:
    return "--" if s is None else f"{scale * s:.{digits}f}"


def _acc_text(s) -> str:
    if s["n"] == 0:
        return "--"
    if s["n"] == 1:
        return pct(s["mean"])
    return f"{pct(s['mean'])} ± {100 * s['std']:.2f} ({pct(s['min'])} – {pct(s['max'])})"


def _cell_label(c) -> list:
    lr = f"{DECAY[0]} → {DECAY[1]:g}" if c["decayed"] else f"{c['lr']:g}"
    return [lr, c["batch_size"], len(c["seeds"])]


def table_rows(cells, with_time=False) -> list:
    rows = []
    for c in cells:
        pub = c["published"]
        row = [*_cell_label(c), "--" if pub is None else f"{pct(pub['accuracy'])} / {pub['loss']:.4f}",
               _acc_text(c["test_accuracy"]),
               f"{_fmt(c['train_loss_last_epoch']['mean'])} ({_fmt(c['train_loss_last_epoch']['min'])} – "
               f"{_fmt(c['train_loss_last_epoch']['max'])})",
               _fmt(c["train_loss_after"]["mean"]), _fmt(c["test_loss"]["mean"]),
               f"{c['collapsed']}/{len(c['seeds'])}", c["dead_units_mean"],
               f"{c['seconds']['mean']:.1f}" + (f" / {pub['seconds']}" if with_time and pub else ""),
               f"**{c['verdict']}**" if c["verdict"] == "not reproduced" else c["verdict"], c["reason"] or ""]
        rows.append(row)
    return rows


HEADERS = ["lr", "batch", "seeds", "published test acc. / loss", "ours: test acc. mean ± sd (min – max)",
           "ours: train loss, last-epoch batch mean (min – max)", "train loss after training (mean)",
           "test loss (mean)", "collapsed", "dead units per hidden layer (mean)", "time (s, mean)", "verdict",
           "why"]


def render(result: dict) -> list:
    """The results page's parts (for ``benchmarks.common.finish``) from a run's ``result`` (the json's data)."""
    cells, quick = result["cells"], result["quick"]
    by_table = {t: [c for c in cells if c["table"] == t] for t in TABLES}
    with_pub = [c for c in cells if c["published"] is not None]
    n_rep = sum(c["verdict"] == "reproduced" for c in with_pub)
    est = result.get("estimate_full")
    parts = [
        "# Source 003's Tables 2–6 at the report's scale\n",
        ("**QUICK RUN** (5,000 training images, 1 epoch, 1 seed, a reduced set of cells): the verdicts mean "
         "nothing here.\n" if quick else ""),
        f"784-300-100-100-10, ReLU, softmax cross-entropy, no biases, Glorot uniform, float32, pixels / 255 "
        f"(as `exp_003_mnist_mlp`), {result['n_train']:,} training images, {result['epochs']} epochs "
        f"(the report: 10), tested on the 10,000 test images. Seeds: {result['seeds']} at batch 10 and 100, "
        f"{result['batch1_seeds']} at batch 1 (a batch-1 run is {FULL_TRAIN * FULL_EPOCHS:,} steps, about 8 "
        "minutes on this machine; one seed keeps the study near an hour). The seed sets the initial weights "
        "and the batch order. Trained by `course_lib.batched.train_batched` (each network bit for bit what "
        "`course_lib.train.train` gives alone), one call per table and batch size; at batch 1 with "
        "`stop_dead=True` (a network with a hidden layer dead on every training image is stopped: every later "
        "step would leave it unchanged; its later epochs are filled in exactly, the test numbers repeated, the "
        "training epochs those of zero logits; a momentum or Adam network once its decaying state can move no "
        "weight any more, bounded against each weight's spacing: Adam's float32 first moment sticks at a "
        "subnormal, never at 0).\n",
        "The report's accuracy is the test accuracy (its collapsed 0.0980 is the test set's share of zeros, "
        f"{result['test_share_of_class_0']:.4f}; the training set's is {result['train_share_of_class_0']:.4f}); "
        "its loss is a training loss, without saying which: both ours are listed, the last epoch's mean batch "
        "loss and the trained network's loss on the training set. Verdict: **reproduced** when the published "
        "test accuracy lies within our [min, max] over the seeds (one seed: within 0.1 points of ours); sd is "
        "the standard deviation over the seeds (n − 1). Time: our training seconds per run (the report's "
        "Table 2 times beside them: its cost is per sample, ours per step).\n",
        f"**{n_rep} of the {len(with_pub)} published cells reproduced.**\n",
    ]
    for table, (heading, _, _, _) in TABLES.items():
        if not by_table[table]:
            continue
        headers = HEADERS[:-3] + ["time (s, mean) / the report's"] + HEADERS[-2:] if table == "2" else HEADERS
        parts += [f"\n## {heading}\n", md_table(headers, table_rows(by_table[table], with_time=table == "2"))]
        if table == "adam":
            t6 = [c for c in by_table["adam"] if c["published"] is not None]
            parts += ["\n## Table 6: Adam, the three cells the report prints (the same runs as the grid above)\n",
                      md_table(HEADERS, table_rows(t6))]
    curve_rows = []
    for c in cells:
        cv = c["curve"]
        curve_rows.append([c["table"], *_cell_label(c)[:2], pct(cv["accuracy_at_6000"]), pct(cv["accuracy_at_30000"]),
                           _fmt(cv["loss_at_30000"]), pct(c["test_accuracy"]["mean"]),
                           f"{pct(cv['accuracy_after_30000_min'])} – {pct(cv['accuracy_after_30000_max'])}"])
    every = result["curve_every"]
    parts += [
        "\n## The curves (Figures 1–12)\n",
        f"Every run's test accuracy and loss every {every:,} training samples "
        "(`curve_samples`, `curve_test_accuracy`, `curve_test_loss` in the json). The report's x axis is "
        "\"Iterations\", never defined; most likely one training sample (its \"after 30000 Iterations\" panels "
        "are drawn for every batch size, and batch 100 makes only 6,000 updates in 10 epochs), so ours are "
        "stored against the samples seen. The report's Figure 1 (SGD lr 0.1, batch 10): \"the test accuracy "
        "rapidly surpasses 90% by 30,000 iterations\"; Figure 2: beyond 30,000 \"the accuracy fluctuates "
        "between approximately 96% and 98%\". Means over the seeds; the last column spans all seeds' points "
        "after 30,000 samples.\n",
        md_table(["table", "lr", "batch", "test acc. at 6,000 samples", "at 30,000", "test loss at 30,000",
                  "at the end", "range after 30,000"], curve_rows),
    ]
    job_rows = [[j["table"], j["batch_size"], ", ".join(f"{lr:g}" for lr in j["lrs"]), j["networks"], f"{j['network_steps']:,}", f"{j['wall_seconds']:.1f}",
                 f"{j['training_seconds']:.1f}", f"{1000 * j['training_seconds'] / j['network_steps']:.3f}"]
                for j in result["jobs"]]
    parts += [
        "\n## Wall time\n",
        f"The whole run: {result['wall_seconds']:.1f} s ({result['wall_seconds'] / 60:.1f} min) in "
        f"{result['workers']} processes on this {result['environment']['cpu_count']}-core machine (load average "
        f"{result['load_average_at_start']:.1f} at the start: other processes' share of the cores). Each part "
        "(one `train_batched` call; wall time including the test evaluations; training alone; per network-step):\n",
        md_table(["table", "batch", "lr", "networks", "network-steps", "wall (s)", "training (s)", "ms / network-step"],
                 job_rows),
    ]
    if est is not None and quick:
        parts.append(f"\nProjected from this run's costs, the full run (5 seeds, 1 at batch 1, 60,000 images, "
                     f"10 epochs): {est['core_seconds'] / 60:.0f} core-minutes, {est['wall_seconds'] / 60:.0f} "
                     f"min on {est['workers']} processes (at this run's load; `estimate_full` in the json).\n")
    return parts


def render_again(result: dict) -> list:
    """``--render-only``: the cells summarised again from the runs in ``result["jobs"]`` (a changed verdict rule
    or reason reaches the json too), then the page."""
    result["cells"] = summarise(result["jobs"], round(math.log(10), 4))
    return render(result)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 images, 1 epoch, 1 seed, a reduced set of cells")
    parser.add_argument("--seeds", type=int, default=5, help="seeds of the batch-10 and batch-100 cells")
    parser.add_argument("--batch1-seeds", type=int, default=1, help="seeds of the batch-1 cells (~8 min each)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=FULL_EPOCHS, help="epochs (the report: 10)")
    parser.add_argument("--n-train", type=int, default=None, help="the first N training images (default all 60,000)")
    output_arguments(parser)
    args = parser.parse_args(argv)
    if (again := rendered_again(args, RESULTS_NAME, render_again)) is not None:
        return again
    require_positive(parser, args, ("seeds", "batch1_seeds", "workers", "epochs", "n_train"))
    if args.quick:
        args.seeds = args.batch1_seeds = 1
    n_train, epochs, curve_every = (5000, 1, 1000) if args.quick else (args.n_train, args.epochs, CURVE_EVERY)
    (X, y), (Xt, yt) = _data(n_train)
    jobs = jobs_of(args.quick, args.seeds, args.batch1_seeds)
    # longest first (batch 1, then Adam): the two processes finish together
    jobs.sort(key=lambda j: (j[1] != 1, TABLES[j[0]][1] != "adam", j[1]))
    load = os.getloadavg()[0]  # other processes on the machine share its cores: the times depend on it
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(train_job, table, batch, lrs, seeds, n_train, epochs, curve_every,
                               False if args.quick else (f"003 {job_name(table, batch, lrs)}", i % args.workers))
                   for i, (table, batch, lrs, seeds) in enumerate(jobs)]
        done = [f.result() for f in futures]
    wall = time.perf_counter() - t0
    order = {(t, b): k for k, (t, b) in enumerate((t, b) for t in TABLES for b in BATCHES)}
    done.sort(key=lambda j: order[(j["table"], j["batch_size"])])
    ln10_4 = round(math.log(10), 4)
    measured = rates(done)
    result = {"environment": environment_info(), "quick": args.quick, "n_train": len(X), "epochs": epochs,
              "seeds": args.seeds, "batch1_seeds": args.batch1_seeds, "curve_every": curve_every,
              "workers": args.workers, "load_average_at_start": load, "test_share_of_class_0": float(np.mean(yt == 0)),
              "train_share_of_class_0": float(np.mean(y == 0)), "ln10": math.log(10),
              "cells": summarise(done, ln10_4), "jobs": done, "wall_seconds": wall, "measured": measured,
              "estimate_full": estimate_full(measured, len(X), 2)}
    finish(RESULTS_NAME, result, render(result), args.out)
    return result


if __name__ == "__main__":
    main()
