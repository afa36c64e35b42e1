"""Lecture 8, aSGD and dead units: source 000's mean effective gradient against SGD, seed
by seed.
"""

from __future__ import annotations

import numpy as np

from .. import optim
from ..data import make_circles, make_spirals
from ..nn import MLP
from ..train import train
from ..validation import as_choice
from .figures import figure as _figure
from .interactive import Interactive, _int_slider, _dropdown

__all__ = ["asgd_runs", "asgd_vs_sgd"]
WIDGETS = ("asgd_vs_sgd",)  # the slider figures, in the notebook's order


def asgd_runs(dataset: str, seed: int, max_steps: int = 3000, lr: float | None = None, batch_size: int = 32,
              loss_stop: float = 0.01):
    """SGD and aSGD on one of source 000's synthetic problems, same data, weights and batches.

    2-10-10-10-10-10-1 ReLU network, sigmoid output, binary cross-entropy,
    128 training points (the source's setting; lr 0.01 for circles, 0.05 for
    spirals); stops when an epoch's mean loss falls below ``loss_stop`` or
    after ``max_steps`` steps.  Returns ``{"SGD": (model, history), "aSGD": ...}``
    and the data.
    """

    X, y = (make_circles if dataset == "circles" else make_spirals)(128, seed=seed)
    lr = (0.01 if dataset == "circles" else 0.05) if lr is None else lr
    epochs = -(-max_steps // -(-len(X) // batch_size))
    out = {}
    for name, reduction in (("SGD", "mean"), ("aSGD", "effective")):
        net = MLP([2, 10, 10, 10, 10, 10, 1], output="sigmoid", seed=seed)
        hist = train(net, X, y, optim.SGD(lr), batch_size, epochs, seed=seed, reduction=reduction,
                     callbacks=[lambda e, h, m: h.loss[-1] < loss_stop], progress=False)
        out[name] = (net, hist)
    return out, X, y


def asgd_vs_sgd(dataset: str = "circles", seed: int = 0, seeds: int = 4, max_steps: int = 3000) -> Interactive:
    """Source 000's mean effective gradient (aSGD) against SGD, seed by seed.

    For seeds 0 .. ``seeds`` - 1 both optimizers are trained once when the
    figure is made (same data, initial weights and batch order; the slider
    then only chooses what to show).  Left: the training loss per epoch of
    both.  Middle and right: each one's decision boundary, with its dead
    units (off on every training point) and always-on units counted.

    State: ``steps`` (dict: steps to the loss threshold, or the cap),
    ``dead``/``always_on`` (dict: counts over the hidden layers), ``accuracy``.
    """
    as_choice("dataset", dataset, ("circles", "spirals"))
    cache = {}

    def runs(ds, s):
        if (ds, s) not in cache:
            cache[(ds, s)] = asgd_runs(ds, s, max_steps=max_steps)
        return cache[(ds, s)]

    for ds in ("circles", "spirals"):  # trained now, so moving the slider only redraws
        for s in range(seeds):
            runs(ds, s)

    fig, (ax_l, ax_s, ax_a) = _figure(12, 4.0, ncols=3)
    loss_lines = {n: ax_l.semilogy([], [], "-", color=c, lw=1.6, label=n)[0]
                  for n, c in (("SGD", "C0"), ("aSGD", "C1"))}
    ax_l.axhline(0.01, color="0.6", ls=":", lw=1, label="stop: loss 0.01")
    ax_l.set(xlabel="step", ylabel="epoch loss (BCE)", xlim=(0, max_steps), ylim=(1e-3, 1.0))
    ax_l.grid(alpha=0.3, which="both")
    ax_l.legend(fontsize=8)
    g = np.linspace(-1.6, 1.6, 70)
    xx, yy = np.meshgrid(g, g)
    images, scatters, contours = {}, {}, {"SGD": None, "aSGD": None}
    for ax, name in ((ax_s, "SGD"), (ax_a, "aSGD")):
        images[name] = ax.imshow(np.zeros_like(xx), extent=(g[0], g[-1], g[0], g[-1]), origin="lower",
                                 cmap="RdBu", vmin=0, vmax=1, alpha=0.5)
        scatters[name] = ax.scatter([], [], s=10, edgecolors="k", linewidths=0.3)
        ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")

    def draw(dataset, seed):
        out, X, y = runs(dataset, seed)
        state = {"steps": {}, "dead": {}, "always_on": {}, "accuracy": {}}
        lim = max(1.6, float(np.abs(X).max()) * 1.1)
        for (name, (net, hist)), ax in zip(out.items(), (ax_s, ax_a)):
            spe = hist.steps_per_epoch
            loss_lines[name].set_data(np.arange(1, hist.epochs + 1) * spe, hist.loss)
            steps = hist.epochs * spe
            act = net.dead_units(X)
            dead = sum(layer.n_dead for layer in act)
            on = sum(layer.n_always_on for layer in act)
            acc = net.accuracy(X, y)
            state["steps"][name], state["dead"][name] = steps, dead
            state["always_on"][name], state["accuracy"][name] = on, acc
            gg = np.linspace(-lim, lim, 70)
            gx, gy = np.meshgrid(gg, gg)
            P = net.forward(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(gx.shape)
            images[name].set_data(P)
            images[name].set_extent((-lim, lim, -lim, lim))
            scatters[name].set_offsets(X)
            scatters[name].set_facecolors(np.where(y[:, None] == 1, [[0.12, 0.47, 0.71, 1]], [[0.84, 0.15, 0.16, 1]]))
            if contours[name] is not None:
                contours[name].remove()
                contours[name] = None
            if P.min() < 0.5 < P.max():
                contours[name] = ax.contour(gx, gy, P, levels=[0.5], colors="k", linewidths=1.2)
            ax.set(xlim=(-lim, lim), ylim=(-lim, lim))
            reached = hist.loss[-1] < 0.01
            ax.set_title(f"{name}: {steps} steps{'' if reached else ' (cap)'}, acc {acc:.0%}\n"
                         f"dead units {dead}/50, always on {on}/50", fontsize=10)
        ax_l.set_title(f"{dataset}, seed {seed}")
        return state

    controls = {
        "dataset": _dropdown("data", ["circles", "spirals"], dataset),
        "seed": _int_slider("seed", seed, 0, seeds - 1),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [*loss_lines.values(), ax_l.get_legend(), ax_l.title,
                                        *[a for n in ("SGD", "aSGD") for a in (images[n], contours[n], scatters[n])],
                                        ax_s.title, ax_a.title],
                       caption="Same data, initial weights and batch order for both; "
                               "lr 0.01 (circles) and 0.05 (spirals), batch 32, as in the experiments.")
