"""Lecture 3, from perceptron to backprop: the sigmoid's slope and bias, an MLP's decision
boundary replayed epoch by epoch.

The network, its training and its probability map are the library's (``nn.MLP``,
``train.train``, ``MLP.forward_grid``); this module draws them.
"""

from __future__ import annotations

import numpy as np

import timeit

from .. import optim
from ..data import make_circles, make_spirals
from ..nn import MLP, count_parameters, sigmoid, sigmoid_derivative
from ..train import train
from ..validation import as_choice, as_int
from .figures import Markdown, figure as _figure
from .interactive import Interactive, float_slider, int_slider

__all__ = ["sigmoid_slope", "decision_boundary", "backward_cost"]
WIDGETS = ("sigmoid_slope", "decision_boundary")  # the slider figures, in the notebook's order


def sigmoid_slope(a: float = 1.0, bias: float = 0.0, w: float = 1.0) -> Interactive:
    """The neuron g(w x + b) with the thesis' sigmoid of slope a, g(z) = 1 / (1 + exp(-a z)).

    The slope a steepens the step (a -> infinity gives the perceptron's hard
    threshold); the bias b moves the midpoint g = 1/2 to x = -b/w; the
    derivative g'(z) = a g (1 - g) peaks at a/4 there.  Dashed: a = 1, b = 0.

    State: ``midpoint`` (-b/w), ``max_slope_dx`` (a w / 4, the steepest dg/dx).
    """

    x = np.linspace(-10, 10, 401)
    fig, (ax, ax_d) = _figure(10, 3.8, ncols=2)
    ax.plot(x, sigmoid(x), "--", color="0.6", lw=1, label="a = 1, b = 0")
    (g_line,) = ax.plot([], [], color="C0", lw=2, label="g(wx + b)")
    (mid,) = ax.plot([], [], "o", color="C3", ms=6, label="midpoint x = −b/w")
    ax.set(xlabel="input x", ylabel="output g", ylim=(-0.05, 1.05), xlim=(-10, 10))
    ax.axhline(0.5, color="0.85", lw=0.8, zorder=0)
    ax.legend(loc="upper left", fontsize=9)
    ax_d.plot(x, sigmoid_derivative(x), "--", color="0.6", lw=1, label="a = 1, b = 0")
    (d_line,) = ax_d.plot([], [], color="C1", lw=2, label="d g(wx + b) / dx")
    ax_d.set(xlabel="input x", ylabel="slope", xlim=(-10, 10))
    ax_d.legend(loc="upper left", fontsize=9)

    def draw(a, bias, w):
        z = w * x + bias
        g_line.set_data(x, sigmoid(z, a=a))
        d = w * sigmoid_derivative(z, a=a)
        d_line.set_data(x, d)
        peak = abs(a * w) / 4
        top = max(0.3, 2.0 ** np.ceil(np.log2(peak * 1.1)))  # in powers of 2: most moves keep the axes
        ax_d.set_ylim(-0.02 * top, top)
        midpoint = -bias / w
        mid.set_data([midpoint], [0.5])
        ax.set_title(f"a = {a:.2g}, w = {w:.2g}, b = {bias:.2g}: midpoint {midpoint:.2f}")
        ax_d.set_title(f"steepest slope a·w/4 = {peak:.3g}")
        return {"midpoint": midpoint, "max_slope_dx": peak}

    controls = {
        "a": float_slider("slope a", a, 0.1, 10.0, 0.05, log=True),
        "bias": float_slider("bias b", bias, -8.0, 8.0, 0.1, readout_format=".1f"),
        "w": float_slider("weight w", w, 0.2, 3.0, 0.05, readout_format=".2f"),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [g_line, mid, d_line, ax.get_legend(),
                                                             ax_d.get_legend(), ax.title, ax_d.title])


def decision_boundary(dataset: str = "circles", epochs: int = 60, hidden=(16, 16), lr: float = 0.005,
                      batch_size: int = 32, seed: int = 0, epoch: int | None = None, n_train: int = 256,
                      n_held_out: int = 128) -> Interactive:
    """An MLP learning circles (or spirals); the slider moves through its training epochs.

    The network (ReLU hidden layers, sigmoid output, binary cross-entropy,
    Adam) is trained once, when the figure is made, on ``n_train`` points;
    after every epoch the predicted probability on a grid is stored, and the
    loss and accuracy are measured after the epoch's last step on the
    training points (``MLP.evaluate``) and on ``n_held_out`` held-out points,
    a fresh draw of the same data (seed + 1) that training never sees
    (``train``'s ``validation``, whose ``History.val_loss`` is measured the
    same way).  Left: the probability (colour), the
    decision boundary p = 0.5 and the training data.  Right: the learning
    curves, loss and accuracy per epoch on both sets, with the shown epoch
    marked.  Epoch 0 is the untrained network.

    State: ``epoch``, ``loss``, ``accuracy`` (training, after that epoch),
    ``val_loss``, ``val_accuracy`` (held out), ``curves`` (dict of the four
    per-epoch lists, index = epoch), ``probabilities`` (the grid).
    """

    as_choice("dataset", dataset, ("circles", "spirals"))
    epochs = as_int("epochs", epochs, minimum=1)
    n_train = as_int("n_train", n_train, minimum=1)
    n_held_out = as_int("n_held_out", n_held_out, minimum=1)
    make = make_circles if dataset == "circles" else make_spirals
    X, y = make(n_train, seed=seed)
    X_val, y_val = make(n_held_out, seed=seed + 1)
    net = MLP([2, *hidden, 1], hidden="relu", output="sigmoid", seed=seed)
    lim = float(np.abs(X).max()) * 1.15
    g = np.linspace(-lim, lim, 90)
    xx, yy = np.meshgrid(g, g)
    grids = [net.forward_grid(xx, yy)]
    before = {"": net.evaluate(X, y), "val_": net.evaluate(X_val, y_val)}    # epoch 0: untrained
    after = []                                                          # training set, after each epoch

    def snapshot(e, hist, model):
        grids.append(model.forward_grid(xx, yy))
        after.append(model.evaluate(X, y))

    hist = train(net, X, y, optim.Adam(lr), batch_size, epochs, seed=seed, validation=(X_val, y_val),
                 callbacks=[snapshot], progress=False)
    curves = {"loss": [before[""][0], *(a[0] for a in after)],
              "accuracy": [before[""][1], *(a[1] for a in after)],
              "val_loss": [before["val_"][0], *hist.val_loss],
              "val_accuracy": [before["val_"][1], *hist.val_accuracy]}
    losses, accs = curves["loss"], curves["accuracy"]

    fig, (ax, ax_l) = _figure(10, 4.4, ncols=2)
    img = ax.imshow(grids[0], extent=(-lim, lim, -lim, lim), origin="lower", cmap="RdBu", vmin=0, vmax=1,
                    alpha=0.55, interpolation="bilinear")
    dots = [ax.scatter(*X[y == 1].T, s=12, c="C0", edgecolors="k", linewidths=0.3, label="class 1"),
            ax.scatter(*X[y == 0].T, s=12, c="C3", edgecolors="k", linewidths=0.3, label="class 0")]
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(loc="upper right", fontsize=8)
    fig.colorbar(img, ax=ax, shrink=0.8, label="p(class 1)")
    ax_l.plot(range(epochs + 1), losses, color="C1", label="training loss, evaluated after the epoch")
    ax_l.plot(range(epochs + 1), curves["val_loss"], "--", color="C1", label="held-out loss, evaluated after the epoch")
    ax_l.set(xlabel="epoch", ylabel="binary cross-entropy", yscale="log",
             title="learning curves: training (solid) and held-out (dashed)")
    from matplotlib.ticker import NullFormatter

    ax_l.yaxis.set_minor_formatter(NullFormatter())
    ax_a = ax_l.twinx()
    ax_a.plot(range(epochs + 1), accs, color="C2", label="training accuracy, evaluated after the epoch")
    ax_a.plot(range(epochs + 1), curves["val_accuracy"], "--", color="C2", label="held-out accuracy, evaluated after the epoch")
    ax_a.set(ylabel="accuracy", ylim=(0.4, 1.02))
    (marker,) = ax_l.plot([], [], "o", color="k", ms=7)
    cursor = ax_l.axvline(0, color="k", lw=0.8)
    ax_l.legend(loc="center right", fontsize=8)
    ax_a.legend(loc="lower right", fontsize=8)
    boundary = [None]

    def draw(epoch):
        img.set_data(grids[epoch])
        if boundary[0] is not None:
            boundary[0].remove()
            boundary[0] = None
        if grids[epoch].min() < 0.5 < grids[epoch].max():
            boundary[0] = ax.contour(xx, yy, grids[epoch], levels=[0.5], colors="k", linewidths=1.5)
        marker.set_data([epoch], [losses[epoch]])
        cursor.set_xdata([epoch, epoch])
        ax.set_title(f"{dataset}, after {epoch} epoch{'s' if epoch != 1 else ''}: accuracy "
                     f"{accs[epoch]:.1%} training, {curves['val_accuracy'][epoch]:.1%} held out")
        return {"epoch": epoch, "loss": losses[epoch], "accuracy": accs[epoch],
                "val_loss": curves["val_loss"][epoch], "val_accuracy": curves["val_accuracy"][epoch],
                "curves": {k: list(v) for k, v in curves.items()}, "probabilities": grids[epoch]}

    controls = {"epoch": int_slider("epoch", epochs if epoch is None else epoch, 0, epochs)}
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [img, boundary[0], *dots, ax.get_legend(), marker, cursor, ax.title],
                       caption=f"MLP 2-{'-'.join(map(str, hidden))}-1, ReLU + sigmoid, Adam lr {lr}, "
                               f"batch {batch_size}, {len(X)} training points, {len(X_val)} held out; trained "
                               f"once, the slider replays it. After epoch {epochs}: loss {losses[-1]:.3f} "
                               f"training, {curves['val_loss'][-1]:.3f} held out; accuracy {accs[-1]:.1%} and "
                               f"{curves['val_accuracy'][-1]:.1%}.")


def backward_cost(net, X, labels, number: int = 3, repeat: int = 5) -> Markdown:
    """Forward + backward against forward alone: measured (``timeit``) and counted in multiply-adds.

    Measured: the best of ``repeat`` timings of ``number`` calls of
    ``net.loss_and_grads(X, labels)`` over the same for ``net.forward(X)``.
    Counted per sample: the forward pass does one product per layer, ``sum_l
    n_(l-1) n_l`` multiply-adds (``nn.count_parameters(sizes, bias=False)``);
    the backward pass a weight gradient per layer (as many again) and an
    input gradient ``delta W^T`` for every layer above the first (the first
    layer skips it: ``count_parameters(sizes[1:], bias=False)``).
    """
    t_forward = min(timeit.repeat(lambda: net.forward(X), number=number, repeat=repeat))
    t_both = min(timeit.repeat(lambda: net.loss_and_grads(X, labels), number=number, repeat=repeat))
    forward = count_parameters(net.sizes, bias=False)
    above = count_parameters(net.sizes[1:], bias=False)
    counted = (2 * forward + above) / forward
    return Markdown(f"forward + backward = {t_both / t_forward:.2f} forward passes measured, {counted:.2f} by "
                    f"counting products ({forward:,} multiply-adds per sample forward, {forward:,} for the "
                    f"weight gradients and {above:,} for the input gradients above the first layer)")
