"""Source 004 reproduced: SGD vs Adam across batch sizes, on MNIST and on Wine Quality.

The thesis' Keras code, redone with course_lib, quantity for quantity:

* MNIST: ``Flatten -> Dense(128, relu) -> Dense(10, softmax)``, sparse
  categorical cross-entropy, Glorot-uniform weights and zero biases, inputs
  preprocessed with ``tf.keras.utils.normalize(x, axis=1)`` (each image
  column divided by its L2 norm, as the thesis does; ``data.l2_normalize``).
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
* Batch sizes 1, 8, 16, ..., 256 and the full batch; batch 1 on MNIST uses
  a 10,000-image subset, as the thesis did (here the first 10,000; the
  thesis: a random sample).  The thesis' full wine batch, ``batch_size=4898``,
  is the whole 3673-wine training slice (Keras caps a batch at the data).

What the published numbers are (read from the thesis' code, not its prose):

* Figures 21 and 23, "training loss" and "training accuracy", print
  ``mdl.history['loss'][-1]`` (and ``['accuracy'][-1]``): Keras' mean over
  the *last epoch's batches*, accumulated while the weights move, on the
  training data (never the test set; section 4 evaluates no test data).
  Ours are the same quantity (``History.loss``, ``History.accuracy``); for
  the wine we also give the MSE of the trained network on the whole training
  slice after training, which is lower.
* Figure 17 prints ``mse(model.predict(x), y, squared=False)`` of
  scikit-learn: a *root* mean squared error, 0.880 (train) and 0.779 (test),
  of the section 3.2 network (``SGD()``, batch 32, EarlyStopping on the
  training loss with ``min_delta=0.0001, patience=3``: 42 epochs, training
  loss 0.778).  ``figure_16_17`` reruns that network with Keras' stopping
  rule (``keras_early_stopping``) and reports RMSEs beside the published ones.
* Figures 13 and 14: the section 3.1 MNIST network (``SGD()``, batch 32,
  EarlyStopping on the training accuracy, ``min_delta=0.0001, patience=3``):
  129 epochs, training loss 0.042 and accuracy 98.97% (last-epoch means),
  test loss 0.0838 and accuracy 97.39% (``model.evaluate`` after training).
  ``figure_13_14`` reruns it.

Epochs: the thesis trains MNIST for 100 epochs and the wine for 250; here
every MNIST batch size runs ``--mnist-epochs`` (default 5), the batch sizes
of ``--long-batches`` (default 64, 128, 256 and the full batch, the cheap
ones) also the thesis' 100 epochs (``--long-epochs``), and the wine
``--wine-epochs`` (default 250).

    .venv/bin/python -m experiments.exp_004_batch_sizes [--quick]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.common import environment_info, finish
from course_lib import optim
from course_lib.data import l2_normalize, load_wine_quality, thesis_wine_split
from course_lib.nn import MLP
from course_lib.train import train
from experiments.shared import RESULTS, md_table, mnist_flat, pct

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
# Thesis, Figures 16 and 17 (wine, section 3.2) and 13 and 14 (MNIST, section 3.1)
PUBLISHED_FIG_16_17 = {"epochs": 42, "train_loss": 0.778, "train_rmse": 0.8801356159723733,
                       "test_rmse": 0.7789493289659192}
PUBLISHED_FIG_13_14 = {"epochs": 129, "train_loss": 0.042, "train_accuracy": 0.9897, "test_loss": 0.0838,
                       "test_accuracy": 0.9739}


KERAS_CLASSES = {"sgd": "SGD", "adam": "Adam"}  # the thesis' optimizers, named as in the results


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


def mnist_runs(batch_sizes, epochs, data):
    (X, y), (Xt, yt) = data
    rows = []
    for name in ("sgd", "adam"):
        for bs in batch_sizes:
            Xb, yb = (X[:10000], y[:10000]) if bs == 1 else (X, y)
            bs_eff = len(Xb) if bs == "full" else bs
            net = MLP([784, 128, 10], dtype=np.float32, seed=0)
            t0 = time.perf_counter()
            hist = train(net, Xb, yb, make_optimizer(name), bs_eff, epochs, progress=False)
            rows.append({"optimizer": name, "batch_size": bs_eff, "n_train": len(Xb), "epochs": epochs,
                         "seconds": time.perf_counter() - t0, "train_loss": hist.loss[-1],
                         "train_accuracy": hist.accuracy[-1], "test_accuracy": net.accuracy(Xt, yt),
                         "published": PUBLISHED_MNIST.get((name, 60000 if bs == "full" else bs))})
    return rows


def figure_13_14(data, max_epochs):
    """Section 3.1's run: ``SGD()``, batch 32, up to ``max_epochs`` (the thesis: 1000), Keras' stopping
    rule on the training accuracy (``min_delta=0.0001, patience=3``)."""
    (X, y), (Xt, yt) = data
    net = MLP([784, 128, 10], dtype=np.float32, seed=0)
    hist = train(net, X, y, make_optimizer("sgd"), 32, max_epochs, progress=False,
                 callbacks=[keras_early_stopping("accuracy", 1e-4, 3)])
    test_loss, test_acc = net.evaluate(Xt, yt)
    return {"epochs": hist.epochs, "train_loss": hist.loss[-1], "train_accuracy": hist.accuracy[-1],
            "test_loss": test_loss, "test_accuracy": test_acc, "seconds": hist.wall_time,
            "max_epochs": max_epochs, "published": PUBLISHED_FIG_13_14}


def live_seeds(X_train, count):
    """The first ``count`` initialisation seeds whose ReLU output unit is positive on some training wine,
    and the seeds skipped before them (an output unit negative on every wine outputs 0 and never gets a
    gradient: that network cannot learn at all)."""
    live, dead, seed = [], [], 0
    while len(live) < count:
        alive = np.any(MLP([11, 128, 1], output="relu", loss="mse", seed=seed).forward(X_train) > 0)
        (live if alive else dead).append(seed)
        seed += 1
    return live, dead


def wine_runs(batch_sizes, epochs, split, seed):
    X_train, X_test, y_train, y_test = split
    rows = []
    for name in ("sgd", "adam"):
        for bs in batch_sizes:
            bs_eff = len(X_train) if bs == "full" else bs
            net = MLP([11, 128, 1], output="relu", loss="mse", seed=seed)
            t0 = time.perf_counter()
            hist = train(net, X_train, y_train, make_optimizer(name), bs_eff, epochs, progress=False)
            rows.append({"optimizer": name, "batch_size": bs_eff, "epochs": epochs,
                         "seconds": time.perf_counter() - t0, "train_loss": hist.loss[-1],
                         "train_mse_after": net.loss(X_train, y_train),
                         "test_loss": net.loss(X_test, y_test), "published": PUBLISHED_WINE.get((name, bs))})
    return rows


def figure_16_17(split, seeds, max_epochs):
    """Section 3.2's run, per seed: ``SGD()``, batch 32, up to ``max_epochs`` (the thesis: 1000), Keras'
    stopping rule on the training loss (``min_delta=0.0001, patience=3``); the RMSEs of Figure 17."""
    X_train, X_test, y_train, y_test = split
    rows = []
    for seed in seeds:
        net = MLP([11, 128, 1], output="relu", loss="mse", seed=seed)
        hist = train(net, X_train, y_train, make_optimizer("sgd"), 32, max_epochs, progress=False,
                     callbacks=[keras_early_stopping("loss", 1e-4, 3)])
        rows.append({"seed": seed, "epochs": hist.epochs, "train_loss": hist.loss[-1],
                     "train_rmse": float(np.sqrt(net.loss(X_train, y_train))),
                     "test_rmse": float(np.sqrt(net.loss(X_test, y_test))), "max_epochs": max_epochs})
    return rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--mnist-epochs", type=int, default=5)
    parser.add_argument("--long-epochs", type=int, default=100, help="epochs of the --long-batches runs")
    parser.add_argument("--long-batches", default="64,128,256,full",
                        help="MNIST batch sizes also run for --long-epochs (comma-separated; '' for none)")
    parser.add_argument("--wine-epochs", type=int, default=250)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory (default experiments/results)")
    args = parser.parse_args(argv)
    long_bs = tuple(b if b == "full" else int(b) for b in args.long_batches.split(",") if b)
    if args.quick:
        mnist_bs, wine_bs, m_ep, w_ep = (32, 256, "full"), (32, "full"), 1, 5
        long_bs, l_ep, fig13_max, fig16_max, n_fig16 = ("full",), 2, 2, 5, 1
    else:
        mnist_bs = (1, 8, 16, 32, 64, 128, 256, "full")
        wine_bs = (1, 8, 16, 32, 64, 128, 256, "full")
        m_ep, w_ep, l_ep, fig13_max, fig16_max, n_fig16 = (args.mnist_epochs, args.wine_epochs, args.long_epochs,
                                                           1000, 1000, 3)
    data = mnist_flat(n_train=6000 if args.quick else None, scale="keras_normalize")
    mnist = mnist_runs(mnist_bs, m_ep, data)
    mnist_long = mnist_runs(long_bs, l_ep, data) if long_bs else []
    fig13 = figure_13_14(data, fig13_max)

    X, y, _ = load_wine_quality("white")
    split = thesis_wine_split(l2_normalize(X, axis=1), y)
    X_train, X_test, y_train, y_test = split
    seeds, dead_seeds = live_seeds(X_train, n_fig16)
    wine = wine_runs(wine_bs, w_ep, split, seeds[0])
    fig16 = figure_16_17(split, seeds, fig16_max)
    train_var = float(np.var(y_train))
    test_mean_mse = float(np.mean((y_test - y_train.mean()) ** 2))  # predicting the training mean
    result = {"environment": environment_info(), "quick": args.quick, "mnist": mnist, "mnist_long": mnist_long,
              "figure_13_14": fig13, "wine": wine, "figure_16_17": fig16,
              "published_figure_16_17": PUBLISHED_FIG_16_17,
              "wine_n_train": len(X_train), "wine_n_test": len(X_test),
              "wine_train_variance": train_var, "wine_test_mse_of_train_mean": test_mean_mse,
              "wine_seed": seeds[0], "wine_seeds_figure_16_17": seeds, "wine_dead_output_seeds": dead_seeds}

    def m_rows(rows):
        return [[r["optimizer"], r["batch_size"], r["n_train"],
                 "--" if r["published"] is None else f"{r['published'][0]} / {pct(r['published'][1])}",
                 f"{r['train_loss']:.3f} / {pct(r['train_accuracy'])}", pct(r["test_accuracy"]),
                 f"{r['seconds']:.1f}"] for r in rows]

    m_head = ["optimizer", "batch", "train images", "published train loss / acc. (100 ep.)"]
    w_rows = [[r["optimizer"], r["batch_size"], "--" if r["published"] is None else r["published"],
               f"{r['train_loss']:.3f}", f"{r['train_mse_after']:.3f}", f"{r['test_loss']:.3f}",
               f"{r['seconds']:.1f}"] for r in wine]
    p16 = PUBLISHED_FIG_16_17
    f16_rows = [["published", p16["epochs"], p16["train_loss"], f"{p16['train_rmse']:.3f}",
                 f"{p16['test_rmse']:.3f}"]]
    f16_rows += [[f"ours, seed {r['seed']}", r["epochs"], f"{r['train_loss']:.3f}", f"{r['train_rmse']:.3f}",
                  f"{r['test_rmse']:.3f}"] for r in fig16]
    f16_rows.append(["always the training mean", "--", "--", f"{np.sqrt(train_var):.3f}",
                     f"{np.sqrt(test_mean_mse):.3f}"])
    p13 = PUBLISHED_FIG_13_14
    f13_rows = [["published", p13["epochs"], f"{p13['train_loss']} / {pct(p13['train_accuracy'])}",
                 f"{p13['test_loss']} / {pct(p13['test_accuracy'])}"],
                ["ours, seed 0", fig13["epochs"], f"{fig13['train_loss']:.3f} / {pct(fig13['train_accuracy'])}",
                 f"{fig13['test_loss']:.4f} / {pct(fig13['test_accuracy'])}"]]
    finish("source_004_batch_sizes", result, [
        "# Source 004 reproduced: SGD vs Adam across batch sizes\n",
        ("QUICK RUN (small data, few epochs).\n" if args.quick else ""),
        "The thesis' \"training loss\" and \"training accuracy\" (Figures 13, 21, 23) are Keras' "
        "`history['loss'][-1]`: the mean over the last epoch's batches, on the training data, while the "
        "weights move. Ours are the same quantity. Section 4 evaluates no test data; our test numbers "
        "are extra.\n",
        f"## MNIST, Dense(128, relu) + softmax, {m_ep} epochs (the thesis: 100)\n",
        md_table(m_head + [f"ours: train loss / acc. ({m_ep} ep.)", "ours: test acc.", "time (s)"],
                 m_rows(mnist)),
        *([f"\n### The cheap batch sizes at {l_ep} epochs\n",
           md_table(m_head + [f"ours: train loss / acc. ({l_ep} ep.)", "ours: test acc.", "time (s)"],
                    m_rows(mnist_long))] if mnist_long else []),
        "\n### Section 3.1 (Figures 13, 14): SGD(), batch 32, Keras' EarlyStopping on the training accuracy "
        f"(min_delta 0.0001, patience 3), at most {fig13_max} epochs\n",
        md_table(["run", "epochs", "train loss / acc. (last epoch)", "test loss / acc. (after training)"],
                 f13_rows),
        f"\n## Wine Quality (white), Dense(128, relu) + Dense(1, relu), MSE, {w_ep} epochs (the thesis: 250)\n",
        f"The thesis' split: the file's first {len(X_train)} wines train, the last {len(X_test)} test "
        f"(no shuffle). Always predicting the training mean has MSE {train_var:.3f} on the training slice "
        f"and {test_mean_mse:.3f} on the test slice: the slices differ, and that, not the network, makes the "
        "thesis' test loss lower than its training loss. "
        f"Initialisation seed {seeds[0]}: seeds {dead_seeds} were skipped because their ReLU output unit is "
        "negative on every wine from the start (it outputs 0 and never gets a gradient; the thesis' architecture "
        "has this trap).\n",
        md_table(["optimizer", "batch", "published train MSE (last-epoch mean)", "ours: train MSE (last-epoch mean)",
                  "ours: train MSE after training", "ours: test MSE", "time (s)"], w_rows),
        "\n### Section 3.2 (Figures 16, 17): SGD(), batch 32, Keras' EarlyStopping on the training loss "
        f"(min_delta 0.0001, patience 3), at most {fig16_max} epochs\n",
        "Figure 17's numbers are scikit-learn's `mean_squared_error(..., squared=False)`: root mean squared "
        "errors, not MSEs.\n",
        md_table(["run", "epochs", "train MSE (last-epoch mean)", "train RMSE", "test RMSE"], f16_rows),
        "",
    ], args.out)
    return result


if __name__ == "__main__":
    main()
