"""Lecture 7, MNIST from scratch: the digits a network gets right and wrong, learning curves of
the live runs (``figures.learning_curves``, shared with lecture 4) and of the full runs of
``experiments/results/source_003_mnist.json`` (``main_runs``), source 003's Tables 2-6 as
curves like the report's Figures 3-12 (``table_curves``) and the linear-scaling pattern of its
Table 2 (``linear_scaling``, ``linear_scaling_summary``), both from
``experiments/results/source_003_tables.json``.

The results files are read, not recomputed: ``experiments/exp_003_mnist_mlp.py`` and
``experiments/exp_003_tables.py`` write them.
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..schedules import SOURCE_003_MAIN, SOURCE_003_TABLE2, equal_ratio_groups, equal_ratio_spread
from .figures import Markdown, Plot, figure, learning_curves, results, reveal

__all__ = ["digits", "learning_curves", "main_runs", "main_learning_curves", "table_curves", "linear_scaling",
           "linear_scaling_summary", "collapse_answer"]
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


TABLES = "source_003_tables"  # the results file of experiments/exp_003_tables.py: Tables 2-6 at the report's scale
_TABLE_TITLES = {"2": "Table 2: SGD\n(Figures 3, 4)", "3": "Table 3: SGD, decay 0.1 → 1e-4\n(Figures 5, 6)",
                 "4": "Table 4: momentum 0.1\n(Figures 7, 8)", "5": "Table 5: decay and momentum 0.1\n(Figures 9, 10)",
                 "adam": "Adam\n(Figures 11, 12; Table 6)"}
ZOOM_FROM = 30000  # the report's detailed figures: "Accuracy after 30000 Iterations"
_BATCH_COLORS = {1: "C3", 10: "C0", 100: "C2"}
_LR_STYLES = {0.1: "-", 0.01: "--", 0.001: ":"}


def _table_cells(folder=None):
    """``(table, lr, batch) -> (cell summary, runs)`` of ``source_003_tables.json``, in the file's order (the
    report's), and the parsed file.  The runs (one per seed) are the jobs' records of that cell."""
    res = results(TABLES, folder)
    runs = {}
    for job in res["jobs"]:
        for r in job["runs"]:
            runs.setdefault((job["table"], r["lr"], job["batch_size"]), []).append(r)
    cells = {(c["table"], c["lr"], c["batch_size"]): (c, runs[(c["table"], c["lr"], c["batch_size"])])
             for c in res["cells"]}
    return cells, res


def _label(cell) -> str:
    lr = f"lr {cell['lr']:g} → 1e-4" if cell["decayed"] else f"lr {cell['lr']:g}"
    return f"{lr}, batch {cell['batch_size']}"


def table_curves(folder=None) -> Plot:
    """Test accuracy against the training samples seen, every cell of source 003's Tables 2-5 and the Adam grid.

    The report's Figures 3-12: one panel per table (its "Accuracy across
    Iterations" figure) and, below it, the same curves after ``ZOOM_FROM`` =
    30,000 samples with the accuracy axis from 90% (its "after 30000
    Iterations" figure).
    The report's x axis, "Iterations", is read as one training sample (its
    "after 30000 Iterations" panels are drawn for every batch size), so every
    batch size shares one axis.  From ``source_003_tables.json``: each run's
    ``curve_test_accuracy`` at its ``curve_samples`` (the test set, every
    6,000 samples in the full run); per cell the mean over its seeds (line)
    and the lowest and highest seed (band; one seed at batch 1), colour by
    batch size, line style by learning rate, and the report's published
    epoch-10 accuracy (star, at the last sample) where it prints one.

    data: ``panels`` (table -> label -> ``samples``, ``mean``, ``min``,
    ``max`` (fractions), ``seeds``, ``published`` (or None)), ``epochs``,
    ``curve_every``.
    """
    cells, res = _table_cells(folder)
    fig, axes = figure(17, 7.2, ncols=len(_TABLE_TITLES), nrows=2)
    panels = {}
    for k, table in enumerate(_TABLE_TITLES):
        top, zoom = axes[k], axes[len(_TABLE_TITLES) + k]
        panels[table] = {}
        for (t, lr, batch), (cell, runs) in cells.items():
            if t != table:
                continue
            length = max(len(r["curve_samples"]) for r in runs)   # a diverged run's curve ends early
            samples = np.asarray(next(r["curve_samples"] for r in runs if len(r["curve_samples"]) == length), float)
            acc = np.full((len(runs), length), np.nan)
            for i, r in enumerate(runs):
                acc[i, :len(r["curve_test_accuracy"])] = r["curve_test_accuracy"]
            label, pub = _label(cell), cell["published"]
            curve = {"samples": samples, "mean": np.nanmean(acc, axis=0), "min": np.nanmin(acc, axis=0),
                     "max": np.nanmax(acc, axis=0), "seeds": len(runs),
                     "published": None if pub is None else pub["accuracy"]}
            panels[table][label] = curve
            color, ls = _BATCH_COLORS.get(batch, "C7"), _LR_STYLES.get(lr, "-.")
            for ax in (top, zoom):
                ax.plot(samples, 100 * curve["mean"], ls, color=color, lw=1.2,
                        label=f"{label} ({len(runs)} seed{'s' if len(runs) > 1 else ''})" if ax is top else None)
                ax.fill_between(samples, 100 * curve["min"], 100 * curve["max"], color=color, alpha=0.15, lw=0)
                if pub is not None:
                    ax.plot(res["epochs"] * res["n_train"], 100 * pub["accuracy"], "*", color=color, ms=9, mec="k",
                            mew=0.5)
        top.set(title=_TABLE_TITLES[table], ylim=(0, 100), ylabel="test accuracy (%)" if k == 0 else None)
        end = res["epochs"] * res["n_train"]
        start = ZOOM_FROM if end > ZOOM_FROM else 0       # a quick run's few samples: the whole run
        zoom.set(xlim=(start, end * 1.02), ylim=(90, 100), title=f"after {start:,} samples, from 90%",
                 xlabel="training samples seen",
                 ylabel="test accuracy (%)" if k == 0 else None)
        for ax in (top, zoom):
            ax.grid(alpha=0.3)
            ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
        if panels[table]:
            top.legend(fontsize=6, loc="lower right")
    fig.suptitle(f"source 003's tables as curves: test accuracy every {res['curve_every']:,} samples, mean over "
                 f"the seeds (band: lowest to highest seed), {res['epochs']} epochs on {res['n_train']:,} images; "
                 "star: the report's epoch-10 accuracy", fontsize=10)
    return Plot(fig, {"panels": panels, "epochs": res["epochs"], "curve_every": res["curve_every"]})


def _table2(folder=None):
    """Table 2 of ``source_003_tables.json``: ``{(lr, batch): cell summary}`` and the parsed file."""
    cells, res = _table_cells(folder)
    return {(lr, b): c for (t, lr, b), (c, _) in cells.items() if t == "2"}, res


def linear_scaling(folder=None) -> Plot:
    """Source 003's Table 2 against lr / batch: equal loss where the ratio is equal.

    Left: the final training loss of each (lr, batch) cell against lr/batch,
    the reproduced grid (``source_003_tables.json``'s Table 2: the mean over
    the seeds of the last epoch's mean batch loss, a vertical bar from the
    lowest to the highest seed) and the published one (Table 2) side by
    side; right: the test accuracy.  The report's update is ``w = w - lr dw
    / m`` with ``dw`` the batch's summed gradient: with small steps, ``m``
    steps of lr/m on single samples move the weights as one step of lr on
    their mean (the gradients barely change within the batch), so cells with
    equal lr/m follow nearly the same path per epoch (the "linear scaling
    rule": multiply the batch by k, multiply the learning rate by k).  A
    collapsed cell (ours with a seed collapsed, or the published loss
    ``ln 10``: lr 0.1, batch 1) is marked and left out of the spreads.

    data: ``reproduced``, ``published`` (lists of (lr, batch, loss, accuracy)),
    ``loss_range`` ((lr, batch) -> (min, max) over the seeds), ``seeds``,
    ``collapsed`` (ours), ``left_out``, ``spread_reproduced``,
    ``spread_published`` (``within``, ``across`` std of log10 loss,
    ``worst_ratio`` within a group: ``schedules.equal_ratio_spread``), ``epochs``.
    """
    grid, res = _table2(folder)
    epochs = res["epochs"]
    ours = [(lr, b, c["train_loss_last_epoch"]["mean"], c["test_accuracy"]["mean"]) for (lr, b), c in grid.items()]
    loss_range = {cell: (c["train_loss_last_epoch"]["min"], c["train_loss_last_epoch"]["max"]) for cell, c in grid.items()}
    seeds = {cell: len(c["seeds"]) for cell, c in grid.items()}
    collapsed = {cell for cell, c in grid.items() if c["collapsed"]}
    pub = [(lr, b, *PUBLISHED_TABLE2[(lr, b)]) for lr, b, _, _ in ours]
    ln10 = round(float(np.log(10)), 4)
    left_out = collapsed | {(lr, b) for lr, b, loss, _ in pub if loss == ln10}
    live = lambda cells: [(lr, b, loss) for lr, b, loss, _ in cells if (lr, b) not in left_out]
    fig, (ax_l, ax_a) = figure(11.5, 4.4, ncols=2)
    markers = {1: "o", 10: "s", 100: "^"}
    for cells, color, shift, name in ((ours, "C0", 0.93, f"ours, {epochs} epochs"),
                                      (pub, "C3", 1.07, "published, 10 epochs")):
        for b in sorted({b for _, b, _, _ in cells}):
            sel = [(lr, lr / bb, loss, acc) for lr, bb, loss, acc in cells if bb == b]
            x = np.array([s[1] for s in sel]) * shift
            n = f" (mean of {seeds[(sel[0][0], b)]})" if color == "C0" else ""
            ax_l.plot(x, [s[2] for s in sel], markers[b], color=color, ms=8, mfc="none" if color == "C3" else color,
                      label=f"{name}, batch {b}{n}")
            ax_a.plot(x, [100 * s[3] for s in sel], markers[b], color=color, ms=8,
                      mfc="none" if color == "C3" else color)
            if color == "C0":
                ax_l.vlines(x, [loss_range[(lr, b)][0] for lr, *_ in sel], [loss_range[(lr, b)][1] for lr, *_ in sel],
                            color=color, lw=1.5)
    for lr, b in sorted(left_out):
        ax_l.annotate(f"collapse: lr {lr:g}, batch {b}\n(dead ReLUs, loss ln 10)", (lr / b, PUBLISHED_TABLE2[(lr, b)][0]),
                      (lr / b / 30, 0.9), fontsize=8, arrowprops={"arrowstyle": "->", "color": "0.4"})
    for ax in (ax_l, ax_a):
        ax.set_xscale("log")
        ax.set_xlabel("lr / batch (the step per sample)")
        ax.grid(alpha=0.3, which="both")
    ax_l.set(yscale="log", ylabel="training loss (last epoch)", title="loss against lr / batch (bar: lowest to highest seed)")
    ax_a.set(ylabel="test accuracy (%)", title="accuracy against lr / batch (ours: mean over the seeds)")
    ax_l.legend(fontsize=7, loc="lower left")
    return Plot(fig, {"reproduced": ours, "published": pub, "epochs": epochs, "collapsed": sorted(collapsed),
                      "left_out": sorted(left_out), "loss_range": loss_range, "seeds": seeds,
                      "spread_reproduced": equal_ratio_spread(live(ours)),
                      "spread_published": equal_ratio_spread(live(pub))})


def linear_scaling_summary(folder=None) -> Markdown:
    """The linear-scaling claim in numbers: the groups of equal lr/batch and the spreads of log10(loss).

    A table of each ratio's cells (lr, batch: published loss / ours, the
    mean over the seeds), then the pooled standard deviation of log10(loss)
    within the equal-ratio groups against the standard deviation over all
    cells (collapse left out) for both grids, the largest loss ratio inside
    one group, and the largest ratio between two seeds of one cell (how far
    the seed alone moves a cell's loss).
    """
    plot = linear_scaling(folder)
    d = plot.data
    pub = {(lr, b): (loss, acc) for lr, b, loss, acc in d["published"]}
    ours = {(lr, b): (loss, acc) for lr, b, loss, acc in d["reproduced"]}
    ratios = sorted(equal_ratio_groups((lr, b, 1.0) for lr, b in ours), reverse=True)
    lines = ["| lr / batch | cells (lr, batch) | published loss (10 ep.) | ours: loss (%d ep., seed mean) | "
             "published acc. | ours: acc. |" % d["epochs"], "|---|---|---|---|---|---|"]
    for r in ratios:
        cells = [k for k in sorted(ours, reverse=True) if float(f"{k[0] / k[1]:.12g}") == r]
        fmt = lambda cs, tab, i, f: " · ".join(f(tab[c][i]) for c in cs)
        lines.append(f"| {r:g} | {' · '.join(f'({lr:g}, {b})' for lr, b in cells)} | "
                     f"{fmt(cells, pub, 0, lambda v: f'{v:.4f}')} | {fmt(cells, ours, 0, lambda v: f'{v:.4f}')} | "
                     f"{fmt(cells, pub, 1, lambda v: f'{100 * v:.2f}%')} | {fmt(cells, ours, 1, lambda v: f'{100 * v:.2f}%')} |")
    sp, so = d["spread_published"], d["spread_reproduced"]
    multi = {cell: rng for cell, rng in d["loss_range"].items() if d["seeds"][cell] > 1 and cell not in d["left_out"]}
    lines += ["", f"Standard deviation of log10(loss), collapse left out: **within** equal-ratio groups "
              f"{sp['within']:.3f} (published) and {so['within']:.3f} (ours), **across** all cells "
              f"{sp['across']:.3f} and {so['across']:.3f}: within a group the spread is "
              f"{sp['within'] / sp['across']:.1%} (published) and {so['within'] / so['across']:.1%} (ours) "
              f"of the spread across the grid. "
              f"Inside one group the losses differ by at most a factor {sp['worst_ratio']:.3f} (published) "
              f"and {so['worst_ratio']:.3f} (ours)."]
    if multi:
        worst_cell = max(multi, key=lambda c: multi[c][1] / multi[c][0])
        lines[-1] += (f" Over the seeds, one cell's loss varies by at most a factor "
                      f"{multi[worst_cell][1] / multi[worst_cell][0]:.3f} (lr {worst_cell[0]:g}, batch {worst_cell[1]}, "
                      f"{d['seeds'][worst_cell]} seeds).")
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
