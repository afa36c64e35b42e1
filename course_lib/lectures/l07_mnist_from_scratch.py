"""Lecture 7, MNIST from scratch: the digits a network gets right and wrong, learning curves of
the live runs (``figures.learning_curves``, shared with lecture 4) and of the full runs of
``experiments/results/source_003_mnist.json`` (``main_runs``), and the linear-scaling pattern
of source 003's Table 2 (``linear_scaling``, ``linear_scaling_summary``).

The results files are read, not recomputed: ``experiments/exp_003_mnist_mlp.py`` writes them.
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..schedules import SOURCE_003_MAIN, SOURCE_003_TABLE2, equal_ratio_groups, equal_ratio_spread
from .figures import Markdown, Plot, figure, learning_curves, results, reveal

__all__ = ["digits", "learning_curves", "main_runs", "main_learning_curves", "linear_scaling", "linear_scaling_summary",
           "collapse_answer"]
WIDGETS = ()  # the slider figures, in the notebook's order


def digits(images, labels, predicted=None, n: int = 16, title: str = "") -> Plot:
    """A grid of 28x28 images with their labels (and the prediction, in red when wrong).

    ``images`` of shape (k, 28, 28) or (k, 784); shows the first ``n``.
    data: ``shown`` (the indices drawn).
    """
    images = np.asarray(images)
    k = min(n, len(images))
    cols = min(8, k) if k else 1
    rows = max(1, -(-k // cols))  # ceiling division
    fig, axes = figure(1.25 * cols, 1.45 * rows + (0.3 if title else 0), ncols=cols, nrows=rows)
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= k:
            continue
        ax.imshow(images[i].reshape(28, 28), cmap="gray_r")
        if predicted is None:
            ax.set_title(f"{labels[i]}", fontsize=10)
        else:
            wrong = predicted[i] != labels[i]
            ax.set_title(f"{labels[i]} → {predicted[i]}", fontsize=10, color="C3" if wrong else "k")
    if title:
        fig.suptitle(title)
    return Plot(fig, {"shown": np.arange(k)})


# Source 003, Table 2 ("Final performance metrics at epoch 10"): (lr, batch) -> (training loss, test accuracy),
# and Tables 2, 5 and 6: the main runs' test accuracy at epoch 10 (one copy, in ``schedules``)
PUBLISHED_TABLE2 = {cell: (loss, acc) for cell, (loss, acc, _) in SOURCE_003_TABLE2.items()}
PUBLISHED_MAIN = SOURCE_003_MAIN
_MAIN_LABELS = {"a": "(a) SGD 0.1, batch 10", "b": "(b) decay + momentum", "c": "(c) Adam, batch 100"}


def main_runs(folder=None) -> Plot:
    """Test accuracy per epoch of source 003's three main runs, 10 epochs on all 60,000 images.

    The title gives the largest change of one seed's accuracy between two
    consecutive epochs in the second half of the run (``late_move``): how
    noisy one run's last-epoch number is.

    From ``source_003_mnist.json`` (``main``: five seeds per run; ``keras_c``:
    the Keras peer of run (c), three seeds): the mean over the seeds (line)
    and the lowest and highest seed (band) after every epoch, with the
    report's published epoch-10 accuracy (star).  ``main_learning_curves``
    draws one seed's training and test loss beside it.

    data: ``epochs``, ``runs`` (label -> (seeds, epochs) array), ``published``.
    """
    res = results("source_003_mnist", folder)
    runs = {_MAIN_LABELS[k]: np.array([r["test_accuracy_per_epoch"] for r in res["main"][k]]) for k in "abc"}
    runs["(c) Keras peer"] = np.array([r["test_accuracy_per_epoch"] for r in res["keras_c"]])
    epochs = np.arange(1, runs[_MAIN_LABELS["a"]].shape[1] + 1)
    fig, (ax,) = figure(8.5, 4.2)
    for i, (label, acc) in enumerate(runs.items()):
        color = f"C{i}" if i < 3 else "C4"
        ls = "--" if "Keras" in label else "-"
        ax.plot(epochs, 100 * acc.mean(axis=0), ls, color=color, marker="o", ms=3,
                label=f"{label} ({len(acc)} seeds)")
        ax.fill_between(epochs, 100 * acc.min(axis=0), 100 * acc.max(axis=0), color=color, alpha=0.15)
    for i, k in enumerate("abc"):
        ax.plot(epochs[-1], 100 * PUBLISHED_MAIN[k], "*", color=f"C{i}", ms=13, mec="k",
                label="published (epoch 10)" if i == 0 else None)
    late = max(float(np.abs(np.diff(acc[:, len(epochs) // 2 - 1:], axis=1)).max()) for acc in runs.values())
    ax.set(xlabel="epoch", ylabel="test accuracy (%)", xlim=(0.7, epochs[-1] + 0.3),
           title=f"test accuracy after every epoch; from epoch {len(epochs) // 2} on, one seed's accuracy "
                 f"moves by up to {100 * late:.2f} points from one epoch to the next")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return Plot(fig, {"epochs": epochs, "runs": runs, "published": dict(PUBLISHED_MAIN), "late_move": late})


def main_learning_curves(folder=None) -> Plot:
    """The learning curves of source 003's three full runs and the Keras peer, seed 0, from the results file.

    Training loss and accuracy (the mean over each epoch's batches, as the
    report's training figures) against the test set's after every epoch, 10
    epochs on all 60,000 images: ``figures.learning_curves`` of the
    ``*_per_epoch`` lists that ``experiments/exp_003_mnist_mlp.py`` records.
    The gap between the two is the overfitting the report's 10 epochs reach.
    """
    res = results("source_003_mnist", folder)
    seed0 = {**{_MAIN_LABELS[k]: res["main"][k][0] for k in "abc"}, "(c) Keras peer": res["keras_c"][0]}
    runs = {label: {"loss": r["train_loss_per_epoch"], "val_loss": r["test_loss_per_epoch"],
                    "accuracy": r["train_accuracy_per_epoch"], "val_accuracy": r["test_accuracy_per_epoch"]}
            for label, r in seed0.items()}
    return learning_curves(runs, held_out="test", title="source 003's full runs, seed 0: training (epoch mean) "
                                                         "against test (after the epoch)")


def _grid(folder=None):
    """The reproduced Table 2 grid (seed 0, 3 epochs) as rows of (lr, batch, train loss, test accuracy, collapsed)."""
    res = results("source_003_mnist", folder)
    rows = [(r["lr"], r["batch_size"], r["train_loss_last_epoch"], r["test_accuracy"], r["collapsed"])
            for r in res["grid"]]
    return rows, res["grid_epochs"]


def linear_scaling(folder=None) -> Plot:
    """Source 003's Table 2 against lr / batch: equal loss where the ratio is equal.

    Left: the final training loss of each (lr, batch) cell against lr/batch,
    the reproduced grid (3 epochs, ``source_003_mnist.json``) and the
    published one (10 epochs, Table 2) side by side; right: the test
    accuracy.  The report's update is ``w = w - lr dw / m`` with ``dw`` the
    batch's summed gradient: with small steps, ``m`` steps of lr/m on single
    samples move the weights as one step of lr on their mean (the gradients
    barely change within the batch), so cells with equal lr/m follow nearly
    the same path per epoch (the "linear scaling rule": multiply the batch by
    k, multiply the learning rate by k).  The collapsed cell (lr 0.1, batch
    1) is marked and left out of the spreads.

    data: ``reproduced``, ``published`` (lists of (lr, batch, loss, accuracy)),
    ``spread_reproduced``, ``spread_published`` (``within``, ``across`` std of
    log10 loss, ``worst_ratio`` within a group: ``schedules.equal_ratio_spread``), ``epochs``.
    """
    rows, epochs = _grid(folder)
    ours = [(lr, b, loss, acc) for lr, b, loss, acc, _ in rows]
    collapsed = {(lr, b) for lr, b, _, _, c in rows if c}
    pub = [(lr, b, *PUBLISHED_TABLE2[(lr, b)]) for lr, b, _, _ in ours]
    live = lambda cells: [(lr, b, loss) for lr, b, loss, _ in cells if (lr, b) not in collapsed]
    fig, (ax_l, ax_a) = figure(11.5, 4.4, ncols=2)
    markers = {1: "o", 10: "s", 100: "^"}
    for cells, color, shift, name in ((ours, "C0", 0.93, f"ours, {epochs} epochs"),
                                      (pub, "C3", 1.07, "published, 10 epochs")):
        for b in sorted({b for _, b, _, _ in cells}):
            sel = [(lr / bb, loss, acc) for lr, bb, loss, acc in cells if bb == b]
            x = np.array([s[0] for s in sel]) * shift
            ax_l.plot(x, [s[1] for s in sel], markers[b], color=color, ms=8, mfc="none" if color == "C3" else color,
                      label=f"{name}, batch {b}")
            ax_a.plot(x, [100 * s[2] for s in sel], markers[b], color=color, ms=8,
                      mfc="none" if color == "C3" else color)
    for lr, b in collapsed:
        ax_l.annotate("collapse: lr 0.1, batch 1\n(dead ReLUs, loss ln 10)", (lr / b, PUBLISHED_TABLE2[(lr, b)][0]),
                      (lr / b / 30, 0.9), fontsize=8, arrowprops={"arrowstyle": "->", "color": "0.4"})
    for ax in (ax_l, ax_a):
        ax.set_xscale("log")
        ax.set_xlabel("lr / batch (the step per sample)")
        ax.grid(alpha=0.3, which="both")
    ax_l.set(yscale="log", ylabel="training loss (last epoch)", title="loss against lr / batch")
    ax_a.set(ylabel="test accuracy (%)", title="accuracy against lr / batch")
    ax_l.legend(fontsize=7, loc="lower left")
    return Plot(fig, {"reproduced": ours, "published": pub, "epochs": epochs, "collapsed": sorted(collapsed),
                      "spread_reproduced": equal_ratio_spread(live(ours)),
                      "spread_published": equal_ratio_spread(live(pub))})


def linear_scaling_summary(folder=None) -> Markdown:
    """The linear-scaling claim in numbers: the groups of equal lr/batch and the spreads of log10(loss).

    A table of each ratio's cells (lr, batch: published loss / ours), then
    the pooled standard deviation of log10(loss) within the equal-ratio
    groups against the standard deviation over all cells (collapse left out)
    for both grids, and the largest loss ratio inside one group.
    """
    plot = linear_scaling(folder)
    d = plot.data
    pub = {(lr, b): (loss, acc) for lr, b, loss, acc in d["published"]}
    ours = {(lr, b): (loss, acc) for lr, b, loss, acc in d["reproduced"]}
    ratios = sorted(equal_ratio_groups((lr, b, 1.0) for lr, b in ours), reverse=True)
    lines = ["| lr / batch | cells (lr, batch) | published loss (10 ep.) | ours: loss (%d ep.) | published acc. | ours: acc. |"
             % d["epochs"], "|---|---|---|---|---|---|"]
    for r in ratios:
        cells = [k for k in sorted(ours, reverse=True) if float(f"{k[0] / k[1]:.12g}") == r]
        fmt = lambda cs, tab, i, f: " · ".join(f(tab[c][i]) for c in cs)
        lines.append(f"| {r:g} | {' · '.join(f'({lr:g}, {b})' for lr, b in cells)} | "
                     f"{fmt(cells, pub, 0, lambda v: f'{v:.4f}')} | {fmt(cells, ours, 0, lambda v: f'{v:.4f}')} | "
                     f"{fmt(cells, pub, 1, lambda v: f'{100 * v:.2f}%')} | {fmt(cells, ours, 1, lambda v: f'{100 * v:.2f}%')} |")
    sp, so = d["spread_published"], d["spread_reproduced"]
    lines += ["", f"Standard deviation of log10(loss), collapse left out: **within** equal-ratio groups "
              f"{sp['within']:.3f} (published) and {so['within']:.3f} (ours), **across** all cells "
              f"{sp['across']:.3f} and {so['across']:.3f}: within a group the spread is "
              f"{sp['within'] / sp['across']:.1%} (published) and {so['within'] / so['across']:.1%} (ours) "
              f"of the spread across the grid. "
              f"Inside one group the losses differ by at most a factor {sp['worst_ratio']:.3f} (published) "
              f"and {so['worst_ratio']:.3f} (ours)."]
    return Markdown("\n".join(lines))


def collapse_answer(X_test, y_test) -> Markdown:
    """The answer to "why exactly 2.3026 and 9.80%?": a dead bias-free network evaluated with ``MLP.evaluate``.

    The report's network has no biases (its update has none), so a dead
    hidden layer makes every logit exactly 0.  The network is built with
    ``bias=False``, its first layer killed (every weight -1, so with inputs
    in [0, 1] every pre-activation is <= 0 and ReLU outputs 0), and
    evaluated on the test set; the share of zeros among the labels is
    counted beside it.  With a trainable output bias the picture changes:
    the network learns the classes' frequencies, and the loss and accuracy
    are no longer ln 10 and the share of zeros.
    """
    y_test = np.asarray(y_test)
    net = nn.MLP([784, 30, 10], bias=False, seed=0)
    net.params[0][...] = -1.0                 # every first-layer unit off on every image: a dead layer
    loss, acc = net.evaluate(X_test, y_test)
    counts = np.bincount(y_test, minlength=10)
    return reveal(f"With a whole hidden layer dead, every unit of it outputs 0 on every image. The report's "
                  f"network has no biases, so the logits are then 0 for every image, the softmax gives 1/10 "
                  f"to each class and the loss is $\\ln 10$ = {loss:.4f}. `argmax` of ten equal numbers is the "
                  f"first, class 0, so the accuracy is the share of zeros among the test labels: "
                  f"{counts[0]:,} of {len(y_test):,} = {acc:.2%}. Every gradient below the dead layer is "
                  f"then exactly 0, and training never recovers. (A network with a trainable output bias "
                  f"would instead learn the classes' frequencies and predict the most frequent class: the "
                  f"exact 2.3026 and 9.80% show the report's network had none.)")
