"""Source 004 reproduced at its own scale: SGD vs Adam across batch sizes, on MNIST and on Wine Quality.

The thesis' Keras code, redone with course_lib, quantity for quantity:

* MNIST: ``Flatten -> Dense(128, relu) -> Dense(10, softmax)``, sparse
  categorical cross-entropy, Glorot-uniform weights and zero biases, inputs
  preprocessed with ``tf.keras.utils.normalize(x, axis=1)`` (each image
  column divided by its L2 norm, as the thesis does; ``data.l2_normalize``),
  float32.
* Wine Quality (white, 4898 wines): ``Dense(128, relu) -> Dense(1, relu)``,
  mean squared error, the same ``normalize(axis=1)`` on the 11 features
  (each *wine* scaled to norm 1, not each feature), and the thesis' split:
  its lines 7-11 slice the file unshuffled, the first ``int(0.75 * 4898)`` =
  3673 wines to train and the last 1225 to test (``data.thesis_wine_split``).
  The two slices differ: the variance of the quality score is 0.838 in the
  first and 0.622 in the last, which is why the thesis finds a *lower* loss
  on its test data.
* Optimizers with Keras' defaults, as in the thesis (``SGD()``, ``Adam()``):
  course_lib's optimizers that take their steps, read from the registry's
  Keras entries (``optim.OPTIMIZERS``, ``KerasEquivalent``; Keras' ``SGD()``
  is lr 0.01, its ``Adam()`` lr 1e-3, betas 0.9 / 0.999 and epsilon 1e-7 --
  not the 1e-8 the thesis says TensorFlow uses -- in the "eps hat" form).
* Section 4.2's study (Figures 20-23) at the thesis' scale: batch sizes 1,
  8, 16, ..., 256 and the full batch, MNIST for 100 epochs and the wine for
  250, no stopping rule.  Batch 1 on MNIST uses a 10,000-image subset, as the
  thesis did (here the first 10,000; the thesis: a random sample).  The
  thesis' full wine batch, ``batch_size=4898``, is the whole 3673-wine
  training slice (Keras caps a batch at the data).
* Seeds (the thesis: one run each): ``--seeds`` (default 5) for every wine
  row and the MNIST batch sizes from 32 up, ``--small-batch-seeds`` (default
  2) for MNIST batch 1, 8 and 16, whose runs cost many minutes each.  Seed
  ``s`` is the initialisation seed and the batch order (``train(...,
  seed=s)``).  The wine's seeds are the first live ones (``live_seeds``):
  a network whose ReLU output unit is negative on every training wine
  outputs 0, never gets a gradient and cannot learn at all -- seeds 0, 1 and 2
  are such, and are skipped and named.
* The seeds of one (optimizer, batch size) are trained together, by
  ``course_lib.batched.train_batched`` (each network bit for bit the one
  ``train`` gives alone); the section 3 baselines, with Keras' stopping rule,
  by ``course_lib.train.train``, one seed at a time.  The parts run in
  ``--workers`` processes (default 2, this machine's cores), longest first.

What the published numbers are (read from the thesis' code, not its prose):

* Figures 21 and 23, "training loss" and "training accuracy", print
  ``round(mdl.history['loss'][-1], 3)`` (and ``round(...['accuracy'][-1] *
  100, 2)`` %): Keras' mean over the *last epoch's batches*, accumulated
  while the weights move, on the training data (never the test set; section
  4 evaluates no test data).  Ours are the same quantity (``History.loss``,
  ``History.accuracy``); the wine also gets the MSE of the trained network on
  the whole training slice after training, which is lower.  Figures 20 and
  22 plot ``history['loss']`` against the epoch: every run's per-epoch curve
  is in the JSON (``loss_per_epoch``, rounded to 6 significant digits).
  "training time" is ``timedelta(seconds=int(sum(epoch times)))`` on the
  thesis' machine (not stated); ours is ``History.wall_time`` on this one,
  per network of a batched stack -- set beside it, not compared.
* Figure 17 prints ``mse(model.predict(x), y, squared=False)`` of
  scikit-learn: a *root* mean squared error, 0.880 (train) and 0.779 (test),
  of the section 3.2 network (``SGD()``, batch 32, EarlyStopping on the
  training loss with ``min_delta=0.0001, patience=3``: 42 epochs, training
  loss 0.778).  ``figure_16_17`` reruns that network with Keras' stopping
  rule (``keras_early_stopping``) and reports RMSEs beside the published ones.
* Figures 13 and 14: the section 3.1 MNIST network (``SGD()``, batch 32,
  EarlyStopping on the training accuracy, ``min_delta=0.0001, patience=3``):
  129 epochs, training loss 0.042 and accuracy 98.97% (last-epoch means),
  test loss 0.0838 and accuracy 0.9739 (``model.evaluate`` after training).
  ``figure_13_14`` reruns it.

Verdict: a published number is "reproduced" when it lies inside our range
over the seeds (min to max), widened by its printed rounding (a loss printed
"0.058" stands for [0.0575, 0.0585]); else "not reproduced", with what we
know of why.

Cost: about an hour of both cores (the results page states the measured
wall time; a ``--quick`` run estimates it).  ``--reduced`` trains Adam's
MNIST batch 1 and 8, the slowest rows, with one seed each (about 7 minutes
less), and the page says so.  Every part is logged as it finishes
(``<out>/source_004_batch_sizes.parts.jsonl``, ``benchmarks.common.PartLog``):
after a crash, ``--resume`` trains only the parts the log lacks.

    .venv/bin/python -m experiments.exp_004_batch_sizes --resume   # after a crash: only the missing parts
    .venv/bin/python -m experiments.exp_004_batch_sizes [--quick] [--seeds 5] [--small-batch-seeds 2] [--workers 2]
    .venv/bin/python -m experiments.exp_004_batch_sizes --render-only   # the .md again from the .json
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import NamedTuple

import numpy as np

from benchmarks.common import PartLog, environment_info, finish
from course_lib import optim
from course_lib.batched import MEMORY_BUDGET, stack_bytes, train_batched
from course_lib.data import l2_normalize, load_wine_quality, thesis_wine_split
from course_lib.nn import MLP
from course_lib.train import batches_per_epoch, train
from experiments.shared import md_table, mnist_flat, output_arguments, pct, rendered_again, require_positive

RESULTS_NAME = "source_004_batch_sizes"  # experiments/results/<RESULTS_NAME>.json and .md

# Thesis, Figures 21 and 23: training loss (and accuracy) after 100 (MNIST) / 250 (wine) epochs
PUBLISHED_MNIST = {("adam", 1): (0.0, 1.0), ("adam", 60000): (0.331, 0.9081), ("adam", 8): (0.001, 0.9998),
                   ("adam", 16): (0.001, 0.9995), ("adam", 32): (0.0, 1.0), ("adam", 64): (0.0, 1.0),
                   ("adam", 128): (0.0, 1.0), ("adam", 256): (0.0, 1.0),
                   ("sgd", 1): (0.001, 1.0), ("sgd", 60000): (0.71, 0.8405), ("sgd", 8): (0.008, 0.9996),
                   ("sgd", 16): (0.025, 0.9951), ("sgd", 32): (0.058, 0.9851), ("sgd", 64): (0.106, 0.9707),
                   ("sgd", 128): (0.165, 0.9538), ("sgd", 256): (0.227, 0.9363)}
PUBLISHED_WINE = {("adam", 1): 0.567, ("adam", "full"): 0.811, ("adam", 8): 0.576, ("adam", 16): 0.577,
                  ("adam", 32): 0.578, ("adam", 64): 0.583, ("adam", 128): 0.627, ("adam", 256): 0.675,
                  ("sgd", 1): 0.671, ("sgd", "full"): 0.815, ("sgd", 8): 0.679, ("sgd", 16): 0.684,
                  ("sgd", 32): 0.691, ("sgd", 64): 0.74, ("sgd", 128): 0.759, ("sgd", 256): 0.772}
# ... and the "training time" printed beside them (the thesis' machine, h:mm:ss)
PUBLISHED_MNIST_TIME = {("adam", 1): "0:49:56", ("adam", 60000): "0:01:04", ("adam", 8): "0:39:20",
                        ("adam", 16): "0:20:54", ("adam", 32): "0:10:45", ("adam", 64): "0:06:34",
                        ("adam", 128): "0:03:17", ("adam", 256): "0:02:37",
                        ("sgd", 1): "0:35:36", ("sgd", 60000): "0:01:20", ("sgd", 8): "0:26:36",
                        ("sgd", 16): "0:15:21", ("sgd", 32): "0:08:58", ("sgd", 64): "0:05:17",
                        ("sgd", 128): "0:03:25", ("sgd", 256): "0:02:20"}
PUBLISHED_WINE_TIME = {("adam", 1): "0:27:08", ("adam", "full"): "0:00:04", ("adam", 8): "0:03:44",
                       ("adam", 16): "0:02:03", ("adam", 32): "0:01:03", ("adam", 64): "0:00:37",
                       ("adam", 128): "0:00:21", ("adam", 256): "0:00:22",
                       ("sgd", 1): "0:24:25", ("sgd", "full"): "0:00:46", ("sgd", 8): "0:03:25",
                       ("sgd", 16): "0:01:53", ("sgd", 32): "0:00:59", ("sgd", 64): "0:00:35",
                       ("sgd", 128): "0:00:20", ("sgd", 256): "0:00:16"}
# Thesis, Figures 16 and 17 (wine, section 3.2) and 13 and 14 (MNIST, section 3.1)
PUBLISHED_FIG_16_17 = {"epochs": 42, "train_loss": 0.778, "train_rmse": 0.8801356159723733,
                       "test_rmse": 0.7789493289659192, "training_time": "0:00:15"}
PUBLISHED_FIG_13_14 = {"epochs": 129, "train_loss": 0.042, "train_accuracy": 0.9897, "test_loss": 0.0838,
                       "test_accuracy": 0.9739, "training_time": "0:12:14"}
# Decimals the thesis prints each quantity with (accuracies as fractions): round(loss, 3), round(100 acc, 2) %,
# Keras' progress bar "loss: 0.0838 - accuracy: 0.9739", and Python's repr of the RMSEs
PRINTED_DECIMALS = {"train_loss": 3, "train_accuracy": 4, "test_loss": 4, "test_accuracy": 4, "train_rmse": 16,
                    "test_rmse": 16, "epochs": 0}

KERAS_CLASSES = {"sgd": "SGD", "adam": "Adam"}  # the thesis' optimizers, named as in the results
OPTIMIZER_NAMES = ("sgd", "adam")
BATCHES = (1, 8, 16, 32, 64, 128, 256, "full")
SMALL_BATCHES = (1, 8, 16)         # MNIST rows trained with --small-batch-seeds
REDUCED_ROWS = (("adam", 1), ("adam", 8))  # --reduced: these MNIST rows (the slowest) train 1 seed
BATCH1_IMAGES = 10_000             # the thesis' batch-1 MNIST runs: "a random sample of size N = 10000"
MNIST_SIZES, WINE_SIZES = [784, 128, 10], [11, 128, 1]
MNIST_FULL_N = 60_000
# Expected length of an early-stopped baseline, for the plan's cost estimate only: the thesis' epochs
EXPECTED_EPOCHS = {"figure_13_14": PUBLISHED_FIG_13_14["epochs"], "figure_16_17": PUBLISHED_FIG_16_17["epochs"]}
# Seconds per network-step (per sample-pass for the full batches), for ordering the parts and the progress
# bar's estimate only; measured in --quick runs on this machine (2 cores shared with other work)
COST_GUESS = {("mnist", "sgd"): (2.0e-4, 5.4e-6), ("mnist", "adam"): (4.8e-4, 5.9e-6),
              ("wine", "sgd"): (1.4e-5, 6.8e-7), ("wine", "adam"): (2.4e-5, 7.0e-7)}


def thesis_seconds(printed: str) -> int:
    """Seconds of a time the thesis prints as ``h:mm:ss`` (``str(datetime.timedelta(seconds=int(t)))``)."""
    h, m, s = (int(part) for part in printed.split(":"))
    return 3600 * h + 60 * m + s


def make_optimizer(name: str) -> optim.Optimizer:
    """The course_lib optimizer that takes the steps of Keras' ``SGD()`` or ``Adam()`` (``name`` "sgd" or
    "adam") with Keras' defaults: ``info.cls(**keras.defaults, **keras.ours)``, the registry's
    ``KerasEquivalent`` of that optimizer."""
    info = optim.optimizer_info(KERAS_CLASSES[name])
    return info.cls(**info.keras.defaults, **info.keras.ours)


def keras_early_stopping(monitor: str, min_delta: float, patience: int):
    """Keras' ``EarlyStopping(monitor, min_delta, patience)`` rule as a ``train`` callback.

    Keras (``keras.callbacks.EarlyStopping.on_epoch_end``, no baseline, no
    restored weights) counts ``wait += 1`` every epoch, resets it to 0 when
    the value beats the best so far by more than ``min_delta`` (``current +
    min_delta < best`` for a loss, ``current - min_delta > best`` for an
    accuracy), and stops when ``wait >= patience`` (after epoch 0): with
    patience 3, after the third epoch in a row without improvement.  The
    comparison is with the *best* value, signed -- not ``|x_t - x_{t-1}| >
    min_delta``, as the thesis describes it."""
    state = {"best": None, "wait": 0}
    sign = 1.0 if monitor.endswith("accuracy") else -1.0  # +1: larger is better

    def callback(epoch, history, model):
        current = getattr(history, monitor)[-1]
        state["wait"] += 1
        if state["best"] is None or sign * (current - sign * min_delta - state["best"]) > 0:
            state["best"], state["wait"] = current, 0
            return False
        return state["wait"] >= patience and epoch > 0

    return callback


def live_seeds(X_train, count):
    """The first ``count`` initialisation seeds whose ReLU output unit is positive on some training wine,
    and the seeds skipped before them (an output unit negative on every wine outputs 0 and never gets a
    gradient: that network cannot learn at all)."""
    live, dead, seed = [], [], 0
    while len(live) < count:
        alive = np.any(MLP(WINE_SIZES, output="relu", loss="mse", seed=seed).forward(X_train) > 0)
        (live if alive else dead).append(seed)
        seed += 1
    return live, dead


def spread(values) -> dict:
    """Mean, standard deviation (ddof 1; 0 for one value), min, max and count of ``values``."""
    a = np.asarray(values, dtype=float)
    return {"mean": float(a.mean()), "std": float(a.std(ddof=1)) if a.size > 1 else 0.0, "min": float(a.min()),
            "max": float(a.max()), "n": int(a.size)}


def reproduced(published: float, values, decimals: int) -> bool:
    """Whether ``published``, printed with ``decimals`` decimals, lies in the range of ``values`` (min to max).

    A printed number stands for every value that rounds to it: the range
    ``[min, max]`` and ``[published - h, published + h]``, ``h = 0.5 *
    10**-decimals``, must meet.  ``reproduced(0.058, [0.0584, 0.06], 3)`` is
    True (0.0584 prints as 0.058); ``reproduced(0.058, [0.0586, 0.06], 3)``
    False.
    """
    lo, hi = float(np.min(values)), float(np.max(values))
    half = 0.5 * 10.0 ** -decimals
    return lo <= published + half and hi >= published - half


def _curve(values) -> list:
    return [float(f"{v:.6g}") for v in values]


# ----------------------------------------------------------------------------------------------------------
# the parts (run in worker processes; each returns its numbers to the parent)
# ----------------------------------------------------------------------------------------------------------
_DATA: dict = {}
_SLOT = {"position": 0}


def _init_worker(counter) -> None:
    """Each worker process's line for its progress bar (the parent's bar is line 0)."""
    with counter.get_lock():
        counter.value += 1
        _SLOT["position"] = counter.value


def _progress(enabled: bool, label: str):
    return (f"004: {label}", _SLOT["position"]) if enabled else False


def _mnist_data(n_train):
    """MNIST as the thesis preprocesses it (the first ``n_train`` training images), loaded once per process."""
    if ("mnist", n_train) not in _DATA:
        _DATA[("mnist", n_train)] = mnist_flat(n_train=n_train, scale="keras_normalize")
    return _DATA[("mnist", n_train)]


def _wine_data():
    """The thesis' wine split of the ``normalize(axis=1)`` features, loaded once per process."""
    if "wine" not in _DATA:
        X, y, _ = load_wine_quality("white")
        _DATA["wine"] = thesis_wine_split(l2_normalize(X, axis=1), y)
    return _DATA["wine"]


def stack_limits(net, batch_size) -> dict:
    """``train_batched``'s ``chunk_size`` and ``memory_budget`` for networks like ``net`` at ``batch_size``.

    Within ``MEMORY_BUDGET``: its defaults.  Above it (the full MNIST batch:
    60,000 rows of activations, 1.5 GB by ``stack_bytes`` for one network)
    the networks train one after another, each with the budget it needs
    (``stack_bytes``' default two state arrays: Adam's, more than SGD's none).
    """
    need = stack_bytes(net, batch_size, 0)
    return {} if need <= MEMORY_BUDGET else {"chunk_size": 1, "memory_budget": need}


def mnist_part(optimizer, batch, seeds, epochs, n_train, n_images, progress):
    """One (optimizer, batch size) of Figure 21: the networks of ``seeds`` trained together; per run its numbers."""
    (X, y), (Xt, yt) = _mnist_data(n_train)
    if n_images is not None:
        X, y = X[:n_images], y[:n_images]
    B = len(X) if batch == "full" else batch
    nets = [MLP(MNIST_SIZES, dtype=np.float32, seed=s) for s in seeds]
    label = f"MNIST, {KERAS_CLASSES[optimizer]}, batch {batch}"
    t0, c0 = time.perf_counter(), time.process_time()
    hists = train_batched(nets, X, y, make_optimizer(optimizer), B, epochs, list(seeds), record="epochs",
                          progress=_progress(progress, label), **stack_limits(nets[0], B))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    runs = []
    for s, net, h in zip(seeds, nets, hists):
        test_loss, test_acc = net.evaluate(Xt, yt)
        runs.append({"seed": s, "train_loss": h.loss[-1], "train_accuracy": h.accuracy[-1], "test_loss": test_loss,
                     "test_accuracy": test_acc, "seconds": h.wall_time, "loss_per_epoch": _curve(h.loss),
                     "accuracy_per_epoch": _curve(h.accuracy)})
    return {"kind": "mnist", "label": label, "optimizer": optimizer, "batch": batch, "batch_size": B,
            "n_train": len(X), "epochs": epochs, "runs": runs, "seconds": seconds,
            "cpu_seconds": cpu, "network_steps": sum(h.steps for h in hists)}


def wine_part(optimizer, batch, seeds, epochs, progress):
    """One (optimizer, batch size) of Figure 23: the networks of ``seeds`` trained together; per run its numbers."""
    X_train, X_test, y_train, y_test = _wine_data()
    B = len(X_train) if batch == "full" else batch
    nets = [MLP(WINE_SIZES, output="relu", loss="mse", seed=s) for s in seeds]
    label = f"wine, {KERAS_CLASSES[optimizer]}, batch {batch}"
    t0, c0 = time.perf_counter(), time.process_time()
    hists = train_batched(nets, X_train, y_train, make_optimizer(optimizer), B, epochs, list(seeds),
                          record="epochs", progress=_progress(progress, label))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    runs = [{"seed": s, "train_loss": h.loss[-1], "train_mse_after": net.loss(X_train, y_train),
             "test_loss": net.loss(X_test, y_test), "seconds": h.wall_time,
             "output_dead_after": not bool(np.any(net.forward(X_train) > 0)), "loss_per_epoch": _curve(h.loss)}
            for s, net, h in zip(seeds, nets, hists)]
    return {"kind": "wine", "label": label, "optimizer": optimizer, "batch": batch, "batch_size": B,
            "n_train": len(X_train), "epochs": epochs, "runs": runs, "seconds": seconds,
            "cpu_seconds": cpu, "network_steps": sum(h.steps for h in hists)}


def figure_13_14_part(seed, max_epochs, n_train, progress):
    """Section 3.1's run for one seed: ``SGD()``, batch 32, up to ``max_epochs`` (the thesis: 1000), Keras'
    stopping rule on the training accuracy (``min_delta=0.0001, patience=3``)."""
    (X, y), (Xt, yt) = _mnist_data(n_train)
    net = MLP(MNIST_SIZES, dtype=np.float32, seed=seed)
    label = f"section 3.1, seed {seed}"
    t0, c0 = time.perf_counter(), time.process_time()
    hist = train(net, X, y, make_optimizer("sgd"), 32, max_epochs, seed=seed,
                 progress=_progress(progress, f"{label} (at most {max_epochs} epochs)"),
                 callbacks=[keras_early_stopping("accuracy", 1e-4, 3)])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    test_loss, test_acc = net.evaluate(Xt, yt)
    run = {"seed": seed, "epochs": hist.epochs, "train_loss": hist.loss[-1], "train_accuracy": hist.accuracy[-1],
           "test_loss": test_loss, "test_accuracy": test_acc, "seconds": hist.wall_time, "max_epochs": max_epochs,
           "published": PUBLISHED_FIG_13_14, "loss_per_epoch": _curve(hist.loss),
           "accuracy_per_epoch": _curve(hist.accuracy)}
    return {"kind": "figure_13_14", "label": label, "run": run, "seconds": seconds, "cpu_seconds": cpu,
            "network_steps": hist.steps}


def figure_16_17_part(seeds, max_epochs, progress):
    """Section 3.2's run, per seed: ``SGD()``, batch 32, up to ``max_epochs`` (the thesis: 1000), Keras'
    stopping rule on the training loss (``min_delta=0.0001, patience=3``); the RMSEs of Figure 17."""
    X_train, X_test, y_train, y_test = _wine_data()
    rows, steps = [], 0
    t0, c0 = time.perf_counter(), time.process_time()
    for seed in seeds:
        net = MLP(WINE_SIZES, output="relu", loss="mse", seed=seed)
        hist = train(net, X_train, y_train, make_optimizer("sgd"), 32, max_epochs, seed=seed,
                     progress=_progress(progress, f"section 3.2, seed {seed}"),
                     callbacks=[keras_early_stopping("loss", 1e-4, 3)])
        steps += hist.steps
        rows.append({"seed": seed, "epochs": hist.epochs, "train_loss": hist.loss[-1],
                     "train_rmse": float(np.sqrt(net.loss(X_train, y_train))),
                     "test_rmse": float(np.sqrt(net.loss(X_test, y_test))), "max_epochs": max_epochs,
                     "seconds": hist.wall_time, "loss_per_epoch": _curve(hist.loss)})
    return {"kind": "figure_16_17", "label": "section 3.2", "runs": rows, "seconds": time.perf_counter() - t0,
            "cpu_seconds": time.process_time() - c0, "network_steps": steps}


PARTS = {"mnist": mnist_part, "wine": wine_part, "figure_13_14": figure_13_14_part, "figure_16_17": figure_16_17_part}


def run_part(kind: str, kwargs: dict) -> dict:
    """Worker entry point: the part ``kind`` with its arguments; its numbers, with its own wall time."""
    return PARTS[kind](**kwargs)


# ----------------------------------------------------------------------------------------------------------
# the plan: every part, its size and its expected cost
# ----------------------------------------------------------------------------------------------------------
class Sizes(NamedTuple):
    """How large the study is: the full run's sizes, or the quick run's."""

    mnist_n: int | None     # MNIST training images (None: all 60,000)
    batch1_images: int      # MNIST batch 1 trains on the first this many images
    mnist_epochs: int
    wine_epochs: int
    baseline_max_epochs: int  # the section 3 runs' epochs=... (the thesis: 1000), early-stopped
    seeds: int
    small_batch_seeds: int
    reduced: bool           # REDUCED_ROWS with 1 seed


class Part(NamedTuple):
    kind: str
    kwargs: dict
    steps: int       # network-steps it takes (the baselines: expected, at the thesis' epoch count)
    batch_size: int


def full_sizes(args) -> Sizes:
    return Sizes(None, BATCH1_IMAGES, args.mnist_epochs, args.wine_epochs, 1000, args.seeds, args.small_batch_seeds,
                 args.reduced)


def quick_sizes(args) -> Sizes:
    """The full run's seed counts (the stacks' sizes, so that their per-step times scale), on little data."""
    return Sizes(3000, 500, 1, 2, 2, args.seeds, args.small_batch_seeds, args.reduced)


def plan(sizes: Sizes, wine_seeds, progress: bool) -> list:
    """Every part of the run: the 16 MNIST and 16 wine (optimizer, batch size) stacks, section 3.1 per seed,
    section 3.2 (its seeds in one part: seconds)."""
    n_mnist = MNIST_FULL_N if sizes.mnist_n is None else sizes.mnist_n
    n_wine = int(0.75 * 4898)
    parts = []
    for name in OPTIMIZER_NAMES:
        for b in BATCHES:
            k = 1 if sizes.reduced and (name, b) in REDUCED_ROWS else (
                sizes.small_batch_seeds if b in SMALL_BATCHES else sizes.seeds)
            n = min(sizes.batch1_images, n_mnist) if b == 1 else n_mnist
            B = n if b == "full" else b
            parts.append(Part("mnist", {"optimizer": name, "batch": b, "seeds": tuple(range(k)),
                                        "epochs": sizes.mnist_epochs, "n_train": sizes.mnist_n,
                                        "n_images": sizes.batch1_images if b == 1 else None, "progress": progress},
                              k * sizes.mnist_epochs * batches_per_epoch(n, B), B))
            Bw = n_wine if b == "full" else b
            parts.append(Part("wine", {"optimizer": name, "batch": b, "seeds": tuple(wine_seeds),
                                       "epochs": sizes.wine_epochs, "progress": progress},
                              len(wine_seeds) * sizes.wine_epochs * batches_per_epoch(n_wine, Bw), Bw))
    per_seed = min(EXPECTED_EPOCHS["figure_13_14"], sizes.baseline_max_epochs) * batches_per_epoch(n_mnist, 32)
    parts += [Part("figure_13_14", {"seed": s, "max_epochs": sizes.baseline_max_epochs, "n_train": sizes.mnist_n,
                                    "progress": progress}, per_seed, 32) for s in range(sizes.seeds)]
    parts.append(Part("figure_16_17", {"seeds": tuple(wine_seeds), "max_epochs": sizes.baseline_max_epochs,
                                       "progress": progress},
                      len(wine_seeds) * min(EXPECTED_EPOCHS["figure_16_17"], sizes.baseline_max_epochs)
                      * batches_per_epoch(n_wine, 32), 32))
    return parts


def _rate_key(part) -> tuple:
    if part.kind in ("mnist", "wine"):
        return part.kind, part.kwargs["optimizer"], part.kwargs["batch"]
    return (part.kind,)


def guessed_seconds(part: Part) -> float:
    """A rough cost of ``part`` (``COST_GUESS``): for ordering the parts and the progress bar's estimate."""
    dataset = "wine" if part.kind in ("wine", "figure_16_17") else "mnist"
    optimizer = part.kwargs.get("optimizer", "sgd")
    per_step, per_sample = COST_GUESS[(dataset, optimizer)]
    return part.steps * (per_step + per_sample * part.batch_size)


def schedule_makespan(costs, workers: int) -> float:
    """Wall time of running jobs of ``costs`` seconds longest first, each on the first free of ``workers``."""
    free = [0.0] * workers
    for c in sorted(costs, reverse=True):
        free[free.index(min(free))] += c
    return max(free)


def estimate_full_run(done: list, quick_plan: list, full_plan: list, workers: int) -> dict:
    """The full run's wall time, from a quick run's measured parts scaled to the full sizes.

    Each full part costs its quick twin's CPU seconds per network-step (the
    part's own process time: what the part costs on a core of its own,
    whatever else shares the machine) times its own network-steps; the full
    batches, whose step cost grows with the batch, per sample-pass
    (network-steps x batch).  The parts are then scheduled longest first on
    ``workers`` processes (``schedule_makespan``).  ``wall_based_seconds``
    does the same with the quick parts' wall times (slower where the quick
    run shared its cores).
    """
    measured = {_rate_key(p): (r, p) for p, r in zip(quick_plan, done)}
    by_part, by_part_wall = {}, {}
    for p in full_plan:
        r, q = measured[_rate_key(p)]
        full_batch = p.kind in ("mnist", "wine") and p.kwargs["batch"] == "full"
        scale = (p.steps * p.batch_size / (r["network_steps"] * q.batch_size) if full_batch
                 else p.steps / r["network_steps"])
        name = (f"{p.kind}, {p.kwargs['optimizer']}, batch {p.kwargs['batch']}" if p.kind in ("mnist", "wine")
                else f"{p.kind}, seed {p.kwargs['seed']}" if "seed" in p.kwargs else p.kind)
        by_part[name] = r["cpu_seconds"] * scale
        by_part_wall[name] = r["seconds"] * scale
    return {"seconds": schedule_makespan(by_part.values(), workers), "core_seconds": sum(by_part.values()),
            "wall_based_seconds": schedule_makespan(by_part_wall.values(), workers), "workers": workers,
            "by_part": by_part}


# ----------------------------------------------------------------------------------------------------------
# rows: per (optimizer, batch size) the spread over seeds, the published numbers, the verdict
# ----------------------------------------------------------------------------------------------------------
def _published_key(dataset, optimizer, batch):
    if dataset == "mnist":
        return optimizer, MNIST_FULL_N if batch == "full" else batch
    return optimizer, batch


def mnist_row(part: dict) -> dict:
    runs = part["runs"]
    key = _published_key("mnist", part["optimizer"], part["batch"])
    pub = PUBLISHED_MNIST[key]
    sp = {q: spread([r[q] for r in runs]) for q in ("train_loss", "train_accuracy", "test_loss", "test_accuracy",
                                                    "seconds")}
    verdicts = {q: reproduced(p, [r[q] for r in runs], PRINTED_DECIMALS[q])
                for q, p in zip(("train_loss", "train_accuracy"), pub)}
    row = {"optimizer": part["optimizer"], "batch_size": part["batch_size"], "n_train": part["n_train"],
           "epochs": part["epochs"], "seeds": [r["seed"] for r in runs],
           **{q: sp[q]["mean"] for q in sp}, "published": pub, "published_time": PUBLISHED_MNIST_TIME[key],
           "published_seconds": thesis_seconds(PUBLISHED_MNIST_TIME[key]), "spread": sp, "reproduced": verdicts,
           "verdict": "reproduced" if all(verdicts.values()) else "not reproduced", "runs": runs}
    return row


def wine_row(part: dict) -> dict:
    runs = part["runs"]
    key = (part["optimizer"], part["batch"])
    pub = PUBLISHED_WINE[key]
    sp = {q: spread([r[q] for r in runs]) for q in ("train_loss", "train_mse_after", "test_loss", "seconds")}
    ok = reproduced(pub, [r["train_loss"] for r in runs], PRINTED_DECIMALS["train_loss"])
    row = {"optimizer": part["optimizer"], "batch_size": part["batch_size"], "n_train": part["n_train"],
           "epochs": part["epochs"], "seeds": [r["seed"] for r in runs], **{q: sp[q]["mean"] for q in sp},
           "published": pub, "published_time": PUBLISHED_WINE_TIME[key],
           "published_seconds": thesis_seconds(PUBLISHED_WINE_TIME[key]), "spread": sp,
           "reproduced": {"train_loss": ok}, "verdict": "reproduced" if ok else "not reproduced",
           "dead_output_after": sum(r["output_dead_after"] for r in runs), "runs": runs}
    return row


def _gap(published, s: dict, fmt: str, scale: float = 1.0, unit: str = "") -> str:
    """Where ``published`` lies against the spread ``s``: above or below its range, by how much."""
    side, d = ("above", published - s["max"]) if published > s["max"] else ("below", s["min"] - published)
    out = (f"{format(scale * published, fmt)}{unit} is {side} our range by {format(scale * d, fmt)}"
           f"{' points' if unit else ''}")
    if s["std"] > 0:
        k = d / s["std"]
        out += f" ({k:.0f} standard deviations of ours)" if k >= 10 else f" ({k:.1f} standard deviations of ours)"
    return out


def _first_epoch_below(row: dict, value: float):
    """The first epoch (from 1) in which any run of ``row`` has a last-epoch-style mean loss below ``value``."""
    epochs = [next((e + 1 for e, v in enumerate(r["loss_per_epoch"]) if v < value), None) for r in row["runs"]]
    epochs = [e for e in epochs if e is not None]
    return min(epochs) if epochs else None


def add_notes(rows: list, dataset: str) -> None:
    """Each row's ``note``: what we know of why it is not reproduced (empty when it is)."""
    by_key = {(r["optimizer"], "full" if r["batch_size"] == r["n_train"] else r["batch_size"]): r for r in rows}
    names = {"train_loss": ("loss", ".4f", 1.0, ""), "train_accuracy": ("accuracy", ".2f", 100.0, "%")}
    for (optimizer, batch), row in by_key.items():
        row["note"] = ""
        if row["verdict"] == "reproduced":
            continue
        pub = row["published"] if dataset == "mnist" else (row["published"],)
        facts = [f"{names[q][0]}: " + _gap(p, row["spread"][q], *names[q][1:])
                 for q, p in zip(("train_loss", "train_accuracy"), pub) if not row["reproduced"][q]]
        n = len(row["runs"])
        if n < 3:
            facts.append(f"only {n} seed{'s' if n > 1 else ''}: a narrow range")
        if dataset == "mnist" and batch == 1:
            facts.append(f"the thesis drew a random sample of 10,000 images, ours are the first {row['n_train']:,}")
        if dataset == "mnist" and (optimizer, batch) == ("sgd", "full"):
            adam = by_key.get(("adam", "full"))
            facts.append(f"SGD(0.01) takes {row['epochs']} full-batch steps from Glorot weights (loss ln 10 = 2.303 "
                         "at the start)" + ("" if adam is None else
                                            f"; Adam's full-batch row, with the same data, network and steps, is "
                                            f"{adam['verdict']}"))
            b256 = by_key.get(("sgd", 256))
            if b256 is not None:
                first = _first_epoch_below(b256, pub[0])
                steps = b256["n_train"] // 256 + (b256["n_train"] % 256 > 0)
                facts.append(f"our SGD batch-256 runs get below {pub[0]} in epoch {first} (after about "
                             f"{first * steps:,} steps)" if first else
                             f"not even our SGD batch-256 runs get below {pub[0]}")
            facts.append("we do not know what the thesis ran for this row")
        if dataset == "wine" and row["dead_output_after"]:
            facts.append(f"{row['dead_output_after']} of our {n} runs ended with a dead ReLU output (0 for every "
                         "wine: the loss stays at the mean squared quality)")
        row["note"] = "; ".join(facts)


def baseline_summary(runs, published, quantities) -> dict:
    """Per quantity of a section 3 run: the spread over seeds and whether the published value is in it."""
    out = {}
    for q in quantities:
        values = [r[q] for r in runs]
        out[q] = {**spread(values), "published": published[q],
                  "reproduced": reproduced(published[q], values, PRINTED_DECIMALS[q])}
    return out


# ----------------------------------------------------------------------------------------------------------
# the page
# ----------------------------------------------------------------------------------------------------------
def _pm(s: dict, fmt: str, scale: float = 1.0) -> str:
    f = lambda v: format(scale * v, fmt)
    if s["n"] == 1:
        return f(s["mean"])
    return f"{f(s['mean'])} ± {f(s['std'])} ({f(s['min'])}–{f(s['max'])})"


def _seconds(s: float) -> str:
    return f"{s:.0f}" if s >= 10 else f"{s:.1f}"


def _notes(rows, what) -> list:
    lines = [f"- {r['optimizer']}, batch {r['batch_size']}: {r['note']}." for r in rows if r["note"]]
    if not lines:
        return [f"\nEvery {what} row is reproduced.\n"]
    return ["\nNot reproduced, and what we know of why:\n", *lines, ""]


def render(result: dict) -> list:
    """The results page (``finish``'s parts) from the results' JSON."""
    q = result["quick"]
    m_ep, w_ep = result["mnist_epochs"], result["wine_epochs"]
    seeds, small = result["seeds"], result["small_batch_seeds"]
    mnist, wine = result["mnist"], result["wine"]
    m_rows = [[r["optimizer"], r["batch_size"], r["n_train"], len(r["runs"]),
               f"{r['published'][0]} / {pct(r['published'][1])}", _pm(r["spread"]["train_loss"], ".3f"),
               _pm(r["spread"]["train_accuracy"], ".2f", 100), r["verdict"], pct(r["test_accuracy"]),
               f"{_seconds(r['seconds'])} / {r['published_time']}"] for r in mnist]
    w_rows = [[r["optimizer"], r["batch_size"], len(r["runs"]), r["published"], _pm(r["spread"]["train_loss"], ".3f"),
               r["verdict"], f"{r['train_mse_after']:.3f}", f"{r['test_loss']:.3f}",
               f"{_seconds(r['seconds'])} / {r['published_time']}"] for r in wine]
    f13, s13, p13 = result["figure_13_14_runs"], result["figure_13_14_summary"], PUBLISHED_FIG_13_14
    f13_rows = [["published", p13["epochs"], p13["train_loss"], pct(p13["train_accuracy"]), p13["test_loss"],
                 pct(p13["test_accuracy"]), p13["training_time"]]]
    f13_rows += [[f"ours, seed {r['seed']}", r["epochs"], f"{r['train_loss']:.3f}", pct(r["train_accuracy"]),
                  f"{r['test_loss']:.4f}", pct(r["test_accuracy"]), _seconds(r["seconds"])] for r in f13]
    cols13 = ("epochs", "train_loss", "train_accuracy", "test_loss", "test_accuracy")
    f13_rows.append(["published inside our range?", *("yes" if s13[c]["reproduced"] else "**no**" for c in cols13),
                     "--"])
    f16, s16, p16 = result["figure_16_17"], result["figure_16_17_summary"], PUBLISHED_FIG_16_17
    f16_rows = [["published", p16["epochs"], p16["train_loss"], f"{p16['train_rmse']:.3f}",
                 f"{p16['test_rmse']:.3f}", p16["training_time"]]]
    f16_rows += [[f"ours, seed {r['seed']}", r["epochs"], f"{r['train_loss']:.3f}", f"{r['train_rmse']:.3f}",
                  f"{r['test_rmse']:.3f}", _seconds(r["seconds"])] for r in f16]
    cols16 = ("epochs", "train_loss", "train_rmse", "test_rmse")
    f16_rows.append(["published inside our range?", *("yes" if s16[c]["reproduced"] else "**no**" for c in cols16),
                     "--"])
    f16_rows.append(["always the training mean", "--", "--", f"{np.sqrt(result['wine_train_variance']):.3f}",
                     f"{np.sqrt(result['wine_test_mse_of_train_mean']):.3f}", "--"])
    wall = result["wall_seconds"]
    t_rows = [[name, _seconds(sec), _seconds(result["cpu_seconds"][name])]
              for name, sec in sorted(result["seconds"].items(), key=lambda kv: -kv[1])]
    reduced_text = ("; `--reduced`: " + " and ".join(f"{KERAS_CLASSES[o]}'s batch {b}" for o, b in REDUCED_ROWS)
                    + " 1 seed (the slowest rows)" if result["reduced"] else "")
    est = result.get("full_run_estimate")
    wine_seeds, dead = result["wine_seeds"], result["wine_dead_output_seeds"]
    m_head = ["optimizer", "batch", "train images", "seeds", "published train loss / acc. (100 ep.)",
              f"ours: train loss ({m_ep} ep.), mean ± std (min–max)", "ours: train acc. (%)", "verdict",
              "ours: test acc. (mean)", "time per network (s), ours / thesis'"]
    return [
        "# Source 004 reproduced: SGD vs Adam across batch sizes\n",
        ("QUICK RUN (small data, few epochs: the verdicts below compare it with 100- and 250-epoch numbers and "
         "mean nothing).\n" if q else ""),
        "The thesis' \"training loss\" and \"training accuracy\" (Figures 13, 21, 23) are Keras' "
        "`history['loss'][-1]`: the mean over the last epoch's batches, on the training data, while the "
        "weights move. Ours are the same quantity. Section 4 evaluates no test data; our test numbers "
        "are extra. The thesis ran every setting once; we run several seeds (initial weights and batch order) "
        "and give mean ± standard deviation (min–max). A published number is **reproduced** when it lies inside "
        "our range over the seeds, widened by its printed rounding (\"0.058\" stands for 0.0575–0.0585); else "
        "**not reproduced**. Figures 20 and 22 (the loss against the epoch) are the per-epoch curves of every run "
        "in `source_004_batch_sizes.json` (`loss_per_epoch`). Times: ours per network on this 2-core machine "
        f"({result['workers']} processes; a stack of networks trained together shares its time among them), "
        "the thesis' on its own machine (not stated): set side by side, not compared.\n",
        f"## MNIST, Dense(128, relu) + softmax, {m_ep} epochs (the thesis: 100)\n",
        f"Seeds: {seeds} for batch 32 to the full batch, {small} for batch 1, 8 and 16 (their runs take many "
        f"minutes each){reduced_text}. Batch 1 trains on the first {result['batch1_images']:,} images (the thesis: "
        "a random sample of 10,000).\n",
        md_table(m_head, m_rows),
        *_notes(mnist, "MNIST"),
        "\n### Section 3.1 (Figures 13, 14): SGD(), batch 32, Keras' EarlyStopping on the training accuracy "
        f"(min_delta 0.0001, patience 3), at most {result['baseline_max_epochs']} epochs, {len(f13)} seeds\n",
        md_table(["run", "epochs", "train loss (last epoch)", "train acc.", "test loss (after training)",
                  "test acc.", "time (s) / thesis'"], f13_rows),
        f"\n## Wine Quality (white), Dense(128, relu) + Dense(1, relu), MSE, {w_ep} epochs (the thesis: 250)\n",
        f"The thesis' split: the file's first {result['wine_n_train']} wines train, the last {result['wine_n_test']} "
        f"test (no shuffle). Always predicting the training mean has MSE {result['wine_train_variance']:.3f} on the "
        f"training slice and {result['wine_test_mse_of_train_mean']:.3f} on the test slice: the slices differ, and "
        "that, not the network, makes the thesis' test loss lower than its training loss. "
        f"Seeds {wine_seeds} ({len(wine_seeds)} per row): seeds {dead} were skipped because their ReLU output unit "
        "is negative on every wine from the start (it outputs 0 and never gets a gradient; the thesis' "
        "architecture has this trap).\n",
        md_table(["optimizer", "batch", "seeds", "published train MSE (last-epoch mean)",
                  f"ours: train MSE (last-epoch mean, {w_ep} ep.), mean ± std (min–max)", "verdict",
                  "ours: train MSE after training (mean)", "ours: test MSE (mean)",
                  "time per network (s), ours / thesis'"], w_rows),
        *_notes(wine, "wine"),
        "\n### Section 3.2 (Figures 16, 17): SGD(), batch 32, Keras' EarlyStopping on the training loss "
        f"(min_delta 0.0001, patience 3), at most {result['baseline_max_epochs']} epochs, {len(f16)} seeds\n",
        "Figure 17's numbers are scikit-learn's `mean_squared_error(..., squared=False)`: root mean squared "
        "errors, not MSEs.\n",
        md_table(["run", "epochs", "train MSE (last-epoch mean)", "train RMSE", "test RMSE", "time (s) / thesis'"],
                 f16_rows),
        "\n## Wall time on this machine\n",
        f"The whole run: **{wall / 60:.1f} min** on {result['workers']} processes "
        f"(the parts' own wall times add up to {sum(result['seconds'].values()) / 60:.1f} min, their CPU times "
        f"to {sum(result['cpu_seconds'].values()) / 60:.1f} min; the parts ran longest first)"
        + (f". {result['resumed_parts']} of the {len(result['seconds'])} parts were taken from an interrupted run's log "
           "(`--resume`): the whole run's time is this run's only, each part's time its own" if result.get("resumed_parts")
           else "") + ":\n",
        md_table(["part", "wall (s)", "CPU (s)"], t_rows),
        *([f"\nEstimated full run, from this quick run's CPU time per network-step of each part scaled to the full "
           f"sizes: **{est['seconds'] / 60:.0f} min** on {est['workers']} processes ({est['core_seconds'] / 60:.0f} "
           f"min of one core; from the quick run's wall times instead: {est['wall_based_seconds'] / 60:.0f} min); "
           f"with `--reduced`: {result['full_run_estimate_reduced']['seconds'] / 60:.0f} min.\n"] if est else [""]),
    ]


# ----------------------------------------------------------------------------------------------------------
def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3,000 images, 1 MNIST and 2 wine epochs (tests)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds of the wine and of MNIST batch 32 to full")
    parser.add_argument("--small-batch-seeds", type=int, default=2, help="seeds of MNIST batch 1, 8 and 16")
    parser.add_argument("--reduced", action="store_true",
                        help="Adam's MNIST batch 1 and 8 (the slowest rows): 1 seed each")
    parser.add_argument("--mnist-epochs", type=int, default=100)
    parser.add_argument("--wine-epochs", type=int, default=250)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--resume", action="store_true",
                        help="take the parts an interrupted run of the same sizes finished from its log in --out")
    output_arguments(parser)
    args = parser.parse_args(argv)
    if (again := rendered_again(args, RESULTS_NAME, render)) is not None:
        return again
    require_positive(parser, args, ("seeds", "small_batch_seeds", "mnist_epochs", "wine_epochs", "workers"))
    sizes = quick_sizes(args) if args.quick else full_sizes(args)
    progress = not args.quick

    X, y, _ = load_wine_quality("white")
    X_train, X_test, y_train, y_test = thesis_wine_split(l2_normalize(X, axis=1), y)
    wine_seeds, dead_seeds = live_seeds(X_train, sizes.seeds)
    parts = plan(sizes, wine_seeds, progress)
    costs = [guessed_seconds(p) for p in parts]
    order = sorted(range(len(parts)), key=lambda i: -costs[i])   # longest first: the 2 processes end together
    done = [None] * len(parts)
    seconds, cpu_seconds = {}, {}
    t0 = time.perf_counter()
    if progress:  # the parts done, in estimated seconds of one core (COST_GUESS); its time left is an estimate
        from tqdm.auto import tqdm

        bar = tqdm(total=round(sum(costs)), unit="core-s", desc="004: all parts", position=0, mininterval=0.5)
    else:
        bar = None
    keys = [PartLog.key(p.kind, p.kwargs) for p in parts]
    log = PartLog(args.out, RESULTS_NAME, {"sizes": sizes._asdict(), "wine_seeds": wine_seeds}, args.resume)
    resumed = [i for i in order if keys[i] in log.done]
    counter = multiprocessing.Value("i", 0)
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_init_worker, initargs=(counter,)) as pool:
        jobs = {pool.submit(run_part, parts[i].kind, parts[i].kwargs): i for i in order if keys[i] not in log.done}
        for job in itertools.chain(resumed, as_completed(jobs)):   # lazily: each part logged as it finishes
            i = job if isinstance(job, int) else jobs[job]
            done[i] = log.done[keys[i]] if isinstance(job, int) else job.result()
            if not isinstance(job, int):
                log.add(keys[i], done[i])
            seconds[done[i]["label"]] = done[i]["seconds"]
            cpu_seconds[done[i]["label"]] = done[i]["cpu_seconds"]
            if bar is not None:
                bar.update(round(costs[i]))
                bar.write(f"004: {done[i]['label']} done in {done[i]['seconds']:.0f} s "
                          f"({(time.perf_counter() - t0) / 60:.1f} min elapsed)")
    if bar is not None:
        bar.close()
    wall = time.perf_counter() - t0

    mnist = [mnist_row(d) for d in done if d["kind"] == "mnist"]
    wine = [wine_row(d) for d in done if d["kind"] == "wine"]
    add_notes(mnist, "mnist")
    add_notes(wine, "wine")
    f13 = sorted((d["run"] for d in done if d["kind"] == "figure_13_14"), key=lambda r: r["seed"])
    (f16_part,) = [d for d in done if d["kind"] == "figure_16_17"]
    f16 = f16_part["runs"]
    train_var = float(np.var(y_train))
    test_mean_mse = float(np.mean((y_test - y_train.mean()) ** 2))  # predicting the training mean
    result = {
        "environment": environment_info(), "quick": args.quick, "mnist_epochs": sizes.mnist_epochs,
        "wine_epochs": sizes.wine_epochs, "seeds": sizes.seeds, "small_batch_seeds": sizes.small_batch_seeds,
        "reduced": sizes.reduced, "batch1_images": sizes.batch1_images,
        "baseline_max_epochs": sizes.baseline_max_epochs, "workers": args.workers,
        "mnist": mnist,
        "figure_13_14_runs": f13,
        "figure_13_14_summary": baseline_summary(f13, PUBLISHED_FIG_13_14, ("epochs", "train_loss", "train_accuracy",
                                                                           "test_loss", "test_accuracy")),
        "wine": wine, "figure_16_17": f16,
        "figure_16_17_summary": baseline_summary(f16, PUBLISHED_FIG_16_17, ("epochs", "train_loss", "train_rmse",
                                                                           "test_rmse")),
        "published_figure_16_17": PUBLISHED_FIG_16_17,
        "wine_n_train": len(X_train), "wine_n_test": len(X_test),
        "wine_train_variance": train_var, "wine_test_mse_of_train_mean": test_mean_mse,
        "wine_seeds": wine_seeds,
        "wine_dead_output_seeds": dead_seeds, "seconds": seconds, "cpu_seconds": cpu_seconds,
        "wall_seconds": wall, "resumed_parts": len(resumed),
    }
    if args.quick:
        for key, reduced in (("full_run_estimate", args.reduced), ("full_run_estimate_reduced", True)):
            result[key] = estimate_full_run(done, parts, plan(full_sizes(args)._replace(reduced=reduced), wine_seeds,
                                                              False), args.workers)
    finish(RESULTS_NAME, result, render(result), args.out)
    return result


if __name__ == "__main__":
    main()
