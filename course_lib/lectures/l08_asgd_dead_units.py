"""Lecture 8, aSGD and dead units: source 000's mean effective gradient against SGD, seed
by seed.

The runs are ``train.asgd_runs``, the same function ``experiments/exp_000_asgd.py``
repeats over 200 seeds (seed s here is the experiment's seed s, cut at fewer steps); the
unit counts are ``MLP.dead_units``; this module draws them.
"""

from __future__ import annotations

import numpy as np

from ..train import ASGD_LR, asgd_runs
from ..validation import as_choice, as_int, as_positive
from . import figures
from .figures import Plot, figure as _figure
from .interactive import Interactive, int_slider, dropdown

__all__ = ["asgd_vs_sgd", "mnist_learning_curves"]
WIDGETS = ("asgd_vs_sgd",)  # the slider figures, in the notebook's order


def asgd_vs_sgd(dataset: str = "circles", seed: int = 0, seeds: int = 4, max_steps: int = 3000,
                batch_size: int = 32, loss_stop: float = 0.01) -> Interactive:
    """Source 000's mean effective gradient (aSGD) against SGD, seed by seed.

    For seeds 0 .. ``seeds`` - 1 both optimizers are trained once when the
    figure is made (``train.asgd_runs``: same data, initial weights and batch
    order; the slider then only chooses what to show).  Left: the learning
    curves of both against the step, the batch loss of every step (faint,
    ``History.step_loss``) and each epoch's mean (``History.loss``, drawn at
    the epoch's last step).  Middle and right: each one's decision boundary
    on its 128 training points, with its dead units (off on every training
    point) and always-on units counted.

    ``seed`` is the seed shown first, one of 0 .. ``seeds`` - 1 (the
    slider's values are the experiment's integer seeds).  ``max_steps``,
    ``batch_size`` and ``loss_stop`` go to ``asgd_runs`` (the experiment
    caps its runs at more steps than the figure's default).

    State: ``steps`` (dict: steps to the loss threshold, or the cap),
    ``step_loss``/``epoch_loss`` (dict: the curves drawn),
    ``dead``/``always_on`` (dict: counts over the hidden layers), ``accuracy``.
    """
    as_choice("dataset", dataset, ("circles", "spirals"))
    seeds = as_int("seeds", seeds, minimum=1)
    seed = as_int("seed", seed, minimum=0)
    if seed >= seeds:
        raise ValueError(f"seed must be one of the trained seeds 0..{seeds - 1}; got {seed}")
    batch_size = as_int("batch_size", batch_size, minimum=1)
    loss_stop = as_positive("loss_stop", loss_stop)
    cache = {}

    def runs(ds, s):
        if (ds, s) not in cache:
            cache[(ds, s)] = asgd_runs(ds, s, max_steps=max_steps, batch_size=batch_size, loss_stop=loss_stop)
        return cache[(ds, s)]

    for ds in ("circles", "spirals"):  # trained now, so moving the slider only redraws
        for s in range(seeds):
            runs(ds, s)

    fig, (ax_l, ax_s, ax_a) = _figure(12, 4.0, ncols=3)
    step_lines = {n: ax_l.semilogy([], [], "-", color=c, lw=0.6, alpha=0.35, label=f"{n}, batch loss per step")[0]
                  for n, c in (("SGD", "C0"), ("aSGD", "C1"))}
    loss_lines = {n: ax_l.semilogy([], [], "-", color=c, lw=1.8, label=f"{n}, epoch mean")[0]
                  for n, c in (("SGD", "C0"), ("aSGD", "C1"))}
    ax_l.axhline(loss_stop, color="0.6", ls=":", lw=1, label=f"stop: loss {loss_stop:g}")
    ax_l.set(xlabel="step", ylabel="training loss (BCE)", xlim=(0, max_steps), ylim=(1e-3, 1.0))
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
        out, X, y, _, _ = runs(dataset, seed)
        state = {"steps": {}, "dead": {}, "always_on": {}, "accuracy": {}, "step_loss": {}, "epoch_loss": {}}
        lim = max(1.6, float(np.abs(X).max()) * 1.1)
        for (name, (net, hist)), ax in zip(out.items(), (ax_s, ax_a)):
            spe = hist.steps_per_epoch
            step_lines[name].set_data(np.arange(1, hist.steps + 1), hist.step_loss)
            loss_lines[name].set_data(np.arange(1, hist.epochs + 1) * spe, hist.loss)
            steps = hist.epochs * spe
            act = net.dead_units(X)
            dead = sum(layer.n_dead for layer in act)
            on = sum(layer.n_always_on for layer in act)
            n_hidden = sum(net.sizes[1:-1])
            acc = net.accuracy(X, y)
            state["steps"][name], state["dead"][name] = steps, dead
            state["always_on"][name], state["accuracy"][name] = on, acc
            state["step_loss"][name], state["epoch_loss"][name] = list(hist.step_loss), list(hist.loss)
            gg = np.linspace(-lim, lim, 70)
            gx, gy = np.meshgrid(gg, gg)
            P = net.forward_grid(gx, gy)
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
            reached = hist.loss[-1] < loss_stop
            ax.set_title(f"{name}: {steps} steps{'' if reached else ' (cap)'}, acc {acc:.0%}\n"
                         f"dead units {dead}/{n_hidden}, always on {on}/{n_hidden}", fontsize=10)
        ax_l.set_title(f"{dataset}, seed {seed}")
        return state

    controls = {
        "dataset": dropdown("data", ["circles", "spirals"], dataset),
        "seed": int_slider("seed", seed, 0, seeds - 1),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [*step_lines.values(), *loss_lines.values(), ax_l.get_legend(), ax_l.title,
                                        *[a for n in ("SGD", "aSGD") for a in (images[n], contours[n], scatters[n])],
                                        ax_s.title, ax_a.title],
                       caption=f"Same data, initial weights and batch order for both; lr "
                               f"{ASGD_LR['circles']:g} (circles) and {ASGD_LR['spirals']:g} (spirals), batch "
                               f"{batch_size}, as in the experiments; each run stops after the first epoch whose "
                               f"mean loss is below {loss_stop:g}, or after {max_steps:,} steps rounded up to whole epochs.")


def mnist_learning_curves(results=None, seed: int = 0) -> Plot:
    """Learning curves of the experiment's MNIST runs: training and test loss per epoch, SGD against aSGD.

    From ``experiments/results/source_000_asgd.json`` (``exp_000_asgd.py``:
    784-30-20-10, batch 64, per learning rate and seed one SGD and one aSGD
    run from the same weights); ``results`` is that file's ``"mnist"`` list
    (default: read from the file).  The runs of ``seed`` (default 0), one
    panel per learning rate (two to a row); solid the training loss (the
    epoch's mean over its batches), dashed the test loss after the epoch, a
    dot at each run's lowest test loss.

    ``data``: ``{(optimizer, lr): {"train_loss", "test_loss", "best_epoch"}}``
    (epochs counted from 1).
    """
    if results is None:
        results = figures.results("source_000_asgd")["mnist"]
    seed = as_int("seed", seed, minimum=0)
    results = [r for r in results if r.get("seed", 0) == seed]
    if not results:
        raise ValueError(f"seed must be one of the results' seeds; no MNIST run has seed {seed}")
    from matplotlib.ticker import NullFormatter

    rates = sorted({r["lr"] for r in results})
    ncols = min(2, len(rates))
    nrows = -(-len(rates) // ncols)
    fig, axes = _figure(5.2 * ncols, 3.8 * nrows, ncols=ncols, nrows=nrows)
    data = {}
    for ax, lr in zip(axes, rates):
        for run in (r for r in results if r["lr"] == lr):
            name, colour = run["optimizer"], "C0" if run["optimizer"] == "SGD" else "C1"
            train_loss, test_loss = np.asarray(run["train_loss"]), np.asarray(run["test_loss"])
            epochs = np.arange(1, len(test_loss) + 1)
            best = int(np.argmin(test_loss))
            ax.semilogy(epochs, train_loss, "-", color=colour, lw=1.5, label=f"{name}, training (mean over the epoch)")
            ax.semilogy(epochs, test_loss, "--", color=colour, lw=1.5, label=f"{name}, test (after the epoch)")
            ax.plot([best + 1], [test_loss[best]], "o", color=colour, ms=6)
            data[(name, lr)] = {"train_loss": train_loss, "test_loss": test_loss, "best_epoch": best + 1}
        ax.set(xlabel="epoch", ylabel="loss (cross-entropy)", title=f"MNIST, lr {lr:g}: training and test loss")
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    for ax in axes[len(rates):]:
        ax.set_visible(False)
    return Plot(fig, data)

