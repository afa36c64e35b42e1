"""Lecture 9, practical issues: initialisation, vanishing and exploding gradients, overfitting
and its remedies (L2, dropout, early stopping), batch normalisation.

Source 002's "practical issues in neural networks training" and source 001's "next session",
with deeplearning.ai's initialisation and regularisation labs as the model.  Every number is
computed by the library: the initialisers, ``MLP.layer_activations`` and
``MLP.gradient_norms`` of ``course_lib.nn``, ``nn.RegularizedMLP`` (L2, dropout, batch
normalisation), and the runs of ``course_lib.train`` (``symmetry_runs``,
``regularization_runs``, ``batchnorm_runs``, ``EarlyStopping.replay``).  The training runs
are made once per kernel (cached here) and the sliders only pick among them.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from .. import nn
from ..train import EarlyStopping, batchnorm_runs, mnist_subsets, regularization_runs, symmetry_runs
from ..validation import as_choice, as_int
from . import figures
from .figures import Markdown, Plot, figure as _figure
from .interactive import Interactive, dropdown, int_slider

__all__ = ["initialisation", "symmetry", "symmetry_answer", "vanishing_gradients", "vanishing_answer",
           "overfitting", "overfitting_answer", "batchnorm_distributions", "batchnorm_training",
           "batchnorm_answer"]
WIDGETS = ("initialisation", "vanishing_gradients", "overfitting", "batchnorm_distributions")

MAX_DEPTH = 10          # hidden layers of the initialisation and batch-norm figures
MAX_GRADIENT_DEPTH = 30  # hidden layers of the gradient-norm figure
WIDTH = 100             # units per hidden layer there
N_SAMPLES = 500         # MNIST images pushed through them
BN_N_TRAIN = BN_N_VAL = 1000  # training and validation images of the batch-normalisation runs
SCHEMES = {             # dropdown label -> the initialiser MLP(init=...) gets
    "zeros": "zeros",
    "too small: N(0, 0.01²)": functools.partial(nn.scaled_normal, std=0.01),
    "too large: N(0, 1)": functools.partial(nn.scaled_normal, std=1.0),
    "Glorot uniform": "glorot_uniform",
    "Glorot normal": "glorot_normal",
    "He normal": "he_normal",
}
GRADIENT_NETS = (("sigmoid", "Glorot uniform"), ("tanh", "Glorot uniform"), ("relu", "He normal"))


@functools.lru_cache(maxsize=1)
def _images():
    """The MNIST images (and labels) every forward-pass figure uses: ``mnist_subsets(N_SAMPLES, 1)``."""
    X, y, _, _ = mnist_subsets(N_SAMPLES, 1, seed=0, dtype=np.float64)
    return X, y


@functools.lru_cache(maxsize=None)
def _activations(scheme: str, activation: str) -> tuple:
    """Hidden activations of the ``MAX_DEPTH``-layer network: a net of depth d has the first d of them
    (its weights are the same first draws of the same Generator)."""
    net = nn.MLP([784] + [WIDTH] * MAX_DEPTH + [10], hidden=activation, init=SCHEMES[scheme], seed=0)
    return tuple(net.layer_activations(_images()[0]))


@functools.lru_cache(maxsize=None)
def _ridge_of(kind: str, scheme: str, activation: str) -> tuple:
    """``(lo, hi, histograms, std, mean, arrays)`` of one cached set of per-layer arrays, for the figures."""
    if kind == "activations":
        arrays = _activations(scheme, activation)
    else:
        arrays = _batchnorm_pre_activations(scheme, activation)[kind == "with"]
    lo, hi = _range_of(arrays)
    hists = [_histogram(a, lo, hi) for a in arrays]
    return lo, hi, hists, [float(a.std()) for a in arrays], [float(a.mean()) for a in arrays], arrays


@functools.lru_cache(maxsize=None)
def _batchnorm_pre_activations(scheme: str, activation: str) -> tuple:
    """``(without, with)``: every hidden layer's pre-activations without and with batch normalisation."""
    sizes = [784] + [WIDTH] * MAX_DEPTH + [10]
    X = _images()[0]
    plain = nn.RegularizedMLP(sizes, hidden=activation, init=SCHEMES[scheme], seed=0)
    normed = nn.RegularizedMLP(sizes, hidden=activation, init=SCHEMES[scheme], seed=0, batchnorm=True)
    return tuple(plain.pre_activations(X)[:-1]), tuple(normed.pre_activations(X, training=True)[:-1])


@functools.lru_cache(maxsize=1)
def _regularization():
    return regularization_runs()


@functools.lru_cache(maxsize=1)
def _symmetry():
    return symmetry_runs()


@functools.lru_cache(maxsize=1)
def _batchnorm_runs():
    return batchnorm_runs(n_train=BN_N_TRAIN, n_val=BN_N_VAL, seed=0)


# ---------------------------------------------------------------------------------------------
# histograms per layer, stacked
# ---------------------------------------------------------------------------------------------
class _Ridge:
    """Per-layer histograms stacked in one axes (layer 1 at the bottom), drawn on a fixed frame.

    The x-axis runs over [0, 1] and each array's range ``[lo, hi]`` is mapped onto it, with
    ``lo`` and ``hi`` written under the corners: changing the range changes no axis, so a
    move redraws only these artists over the cached background.
    """

    def __init__(self, ax, n: int, color: str, xlabel: str):
        self.lines = [ax.plot([], [], "-", color=color, lw=1.2, drawstyle="steps-mid")[0] for _ in range(n)]
        ax.set(ylabel="hidden layer", ylim=(0.7, n + 1.1), yticks=range(1, n + 1), xlim=(0, 1), xticks=[])
        ax.set_xlabel(xlabel, labelpad=14)
        ax.grid(alpha=0.3, axis="y")
        self.lo = ax.text(0, -0.02, "", transform=ax.transAxes, ha="left", va="top", fontsize=9)
        self.hi = ax.text(1, -0.02, "", transform=ax.transAxes, ha="right", va="top", fontsize=9)
        self.zero = ax.axvline(np.nan, color="0.5", lw=0.8, ls=":")

    def draw(self, lo: float, hi: float, hists, depth: int) -> None:
        for k, line in enumerate(self.lines):
            if k < depth:
                x, h = hists[k]
                line.set_data((x - lo) / (hi - lo), k + 1 + h)
            else:
                line.set_data([], [])
        self.lo.set_text(f"{lo:.3g}")
        self.hi.set_text(f"{hi:.3g}")
        self.zero.set_xdata([(0 - lo) / (hi - lo) if lo < 0 < hi else np.nan] * 2)

    def artists(self) -> list:
        return [*self.lines, self.lo, self.hi, self.zero]


def _range_of(arrays) -> tuple:
    """A common x-range for the histograms: the 0.5-99.5 percentiles of all values (or +-1 around a constant)."""
    values = np.concatenate([a.ravel() for a in arrays])
    lo, hi = np.percentile(values, [0.5, 99.5])
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.05 * (hi - lo)
    return float(lo - pad), float(hi + pad)


def _histogram(a: np.ndarray, lo: float, hi: float, bins: int = 40):
    """Bin centres and counts (scaled to a peak of 0.85) of ``a`` over ``[lo, hi]``, outliers clipped in."""
    counts, edges = np.histogram(np.clip(a.ravel(), lo, hi), bins=bins, range=(lo, hi))
    return 0.5 * (edges[:-1] + edges[1:]), 0.85 * counts / max(counts.max(), 1)


# ---------------------------------------------------------------------------------------------
# 1. initialisation
# ---------------------------------------------------------------------------------------------
def initialisation(scheme: str = "Glorot uniform", activation: str = "tanh", depth: int = 6) -> Interactive:
    """Activation histograms per hidden layer of a deep network, for each initialisation.

    A 784-100-...-100-10 network (``depth`` hidden layers) initialised by ``scheme``, its biases
    0, takes ``N_SAMPLES`` MNIST images; left, each hidden layer's activations as a histogram
    (layer 1 at the bottom); right, their standard deviation per layer (log scale).  The
    networks of every (scheme, activation) are built when first chosen and cached; the depth
    slider shows the first ``depth`` layers of the ``MAX_DEPTH``-layer network, which are
    exactly the layers of a network that deep.  Every network is made with the figure, and
    the histograms' x-range covers all ``MAX_DEPTH`` layers, so a move only redraws.

    State: ``std`` (per shown layer), ``saturated`` (per layer, ``nn.saturated_fraction``: the
    share of units where the slope is about 0; for ReLU the share that is off).
    """
    as_choice("scheme", scheme, tuple(SCHEMES))
    as_choice("activation", activation, ("tanh", "sigmoid", "relu"))
    depth = as_int("depth", depth, minimum=1)
    if depth > MAX_DEPTH:
        raise ValueError(f"depth must be at most {MAX_DEPTH}; got {depth}")
    fig, (ax_h, ax_s) = _figure(11, 4.4, ncols=2)
    ridge = _Ridge(ax_h, MAX_DEPTH, "C0", "activation a = g(z), from the left value to the right one")
    std_line, = ax_s.semilogy([], [], "o-", color="C1", lw=1.6, label="std over units and images")
    ax_s.set(xlabel="hidden layer", ylabel="std of the activations", xlim=(0.5, MAX_DEPTH + 0.5),
             ylim=(1e-12, 1e10), xticks=range(1, MAX_DEPTH + 1))
    ax_s.grid(alpha=0.3, which="both")
    ax_s.legend(fontsize=8, loc="upper left")

    for key in itertools.product(SCHEMES, ("tanh", "sigmoid", "relu")):   # all made now: a move only redraws
        _ridge_of("activations", *key)

    def draw(scheme, activation, depth):
        lo, hi, hists, std, _, acts = _ridge_of("activations", scheme, activation)
        std, acts = std[:depth], acts[:depth]
        ridge.draw(lo, hi, hists, depth)
        shown = np.array([s if s > 0 else np.nan for s in std])
        std_line.set_data(np.arange(1, depth + 1), shown)
        sat = [nn.saturated_fraction(a, activation) for a in acts]
        word = "off" if activation == "relu" else "saturated"
        ax_h.set_title(f"{scheme}, {activation}: layer {depth} {sat[-1]:.0%} {word}", fontsize=10)
        ax_s.set_title("every activation exactly 0: std 0 (not drawn)" if max(std) == 0 else
                       f"std: layer 1 {std[0]:.3g}, layer {depth} {std[-1]:.3g}", fontsize=10)
        return {"std": std, "saturated": sat, "x_range": (lo, hi)}

    controls = {
        "scheme": dropdown("initialisation", list(SCHEMES), scheme),
        "activation": dropdown("activation", ["tanh", "sigmoid", "relu"], activation),
        "depth": int_slider("hidden layers", depth, 1, MAX_DEPTH),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [*ridge.artists(), std_line, ax_h.title, ax_s.title],
                       caption=f"{WIDTH} units per hidden layer, biases 0, {N_SAMPLES} MNIST images "
                               f"(pixels in [0, 1]); the x-range covers all {MAX_DEPTH} layers.")


def symmetry() -> Plot:
    """Why zeros fail: the first layer's weights after training from zeros and from Glorot uniform.

    ``train.symmetry_runs`` (784-16-10, sigmoid hidden units, SGD): the first eight hidden
    units' weights drawn as 28x28 images, and the number of distinct units
    (``nn.distinct_columns``) in each title.
    """
    runs = _symmetry()
    fig, axes = _figure(11, 3.2, ncols=8, nrows=2)
    data = {}
    for row, (init, (net, hist)) in enumerate(runs.items()):
        W = net.weights[0]
        distinct = nn.distinct_columns(W)
        data[init] = {"distinct": distinct, "width": W.shape[1], "accuracy": hist.accuracy[-1]}
        lim = float(np.abs(W[:, :8]).max()) or 1.0
        for j in range(8):
            ax = axes[row * 8 + j]
            ax.imshow(W[:, j].reshape(28, 28), cmap="RdBu", vmin=-lim, vmax=lim)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[row * 8].set_ylabel(init, fontsize=9)
        title = axes[row * 8].text(0, 1.12, f"from {init}: {distinct} distinct of {W.shape[1]} hidden units "
                                   f"after {hist.epochs} epochs (the first 8 drawn)", fontsize=10,
                                   transform=axes[row * 8].transAxes)
        title.set_in_layout(False)
    return Plot(fig, data)


def symmetry_answer() -> Markdown:
    """How many different hidden units the network trained from zeros has, and what it learned."""
    runs = _symmetry()
    (net0, h0), (net1, h1) = runs["zeros"], runs["glorot_uniform"]
    W0 = net0.weights[0]
    return figures.reveal(
        f"From zeros, all {W0.shape[1]} columns of $W_1$ are still one and the same after "
        f"{h0.epochs} epochs: **{nn.distinct_columns(W0)} distinct unit**. Every hidden unit started "
        f"with the same weights, so it computed the same output and received the same gradient, "
        f"step after step: the layer is one unit repeated. Its training accuracy in the last epoch "
        f"was {h0.accuracy[-1]:.1%}, against {h1.accuracy[-1]:.1%} from Glorot uniform "
        f"({nn.distinct_columns(net1.weights[0])} distinct units). With tanh or ReLU units it is "
        f"worse still: g(0) = 0, so the hidden layer outputs 0 and no hidden weight ever gets a "
        f"gradient (the first figure shows every activation at exactly 0).")


# ---------------------------------------------------------------------------------------------
# 2. vanishing and exploding gradients
# ---------------------------------------------------------------------------------------------
def _gradient_norms(activation: str, scheme: str, depth: int, width: int, n: int):
    X, y = _images()
    net = nn.MLP([784] + [width] * depth + [10], hidden=activation, init=SCHEMES[scheme], seed=0)
    return net.gradient_norms(X[:n], y[:n])


def vanishing_gradients(depth: int = 10, width: int = 64, n: int = 200) -> Interactive:
    """The gradient's norm per layer, ``||dLoss/dW_l||``, against the depth, for three networks.

    Left: the sigmoid's slope ``g'(z) = g (1 - g)`` (source 004, slope a = 1), at most 1/4, and
    ReLU's, 0 or 1.  Right: ``MLP.gradient_norms`` of the cross-entropy on ``n`` MNIST images
    for sigmoid and tanh networks with Glorot uniform weights and a ReLU network with He normal
    weights (``depth`` hidden layers of ``width`` units, output layer last), computed for every
    depth up to ``MAX_GRADIENT_DEPTH`` when the figure is made (one forward and backward pass
    each), so a move only redraws.

    State: ``norms`` (name -> list, layer 1 first), ``ratio`` (name -> first layer's norm over
    the last's).
    """
    depth = as_int("depth", depth, minimum=1)
    if depth > MAX_GRADIENT_DEPTH:
        raise ValueError(f"depth must be at most {MAX_GRADIENT_DEPTH}; got {depth}")
    width = as_int("width", width, minimum=1)
    n = as_int("n", n, minimum=1)
    fig, (ax_g, ax_n) = _figure(11, 4.0, ncols=2)
    z = np.linspace(-6, 6, 241)
    ax_g.plot(z, nn.sigmoid_derivative(z), color="C0", lw=1.8, label="sigmoid: g(1 - g)")
    ax_g.plot(z, nn.tanh_derivative(z), color="C2", lw=1.4, label="tanh: 1 - g²")
    ax_g.plot(z, nn.relu_derivative(z), color="C3", lw=1.4, label="ReLU: 0 or 1")
    peak = float(nn.sigmoid_derivative(0.0))
    ax_g.axhline(peak, color="C0", ls=":", lw=1)
    ax_g.set(xlabel="z", ylabel="slope g'(z)", title=f"the sigmoid's slope is at most {peak:g} (at z = 0)",
             ylim=(-0.05, 1.1))
    ax_g.legend(fontsize=8)
    ax_g.grid(alpha=0.3)
    colors = {"sigmoid": "C0", "tanh": "C2", "relu": "C3"}
    lines = {act: ax_n.semilogy([], [], "o-", ms=3, color=colors[act], lw=1.5,
                                label=f"{act}, {scheme}")[0] for act, scheme in GRADIENT_NETS}
    ax_n.set(xlabel="layer l (1 = first hidden, last = output)", ylabel="||dLoss/dW_l||", ylim=(1e-21, 1e2),
             xlim=(0.5, MAX_GRADIENT_DEPTH + 1.5))
    ax_n.grid(alpha=0.3, which="both")
    ax_n.legend(fontsize=8, loc="lower right")
    computed = {(act, d): _gradient_norms(act, scheme, d, width, n)     # all made now: a move only redraws
                for act, scheme in GRADIENT_NETS for d in range(1, MAX_GRADIENT_DEPTH + 1)}

    def draw(depth):
        norms, ratio = {}, {}
        for act, _ in GRADIENT_NETS:
            g = computed[(act, depth)]
            norms[act], ratio[act] = g.tolist(), float(g[0] / g[-1])
            lines[act].set_data(np.arange(1, depth + 2), np.where(g > 0, g, np.nan))
        ax_n.set_title(f"{depth} hidden layers: first / last layer's norm: sigmoid {ratio['sigmoid']:.1e}, "
                       f"ReLU {ratio['relu']:.2g}", fontsize=10)
        return {"norms": norms, "ratio": ratio}

    controls = {"depth": int_slider("hidden layers", depth, 1, MAX_GRADIENT_DEPTH)}
    return Interactive(fig, controls, draw, dynamic=lambda: [*lines.values(), ax_n.title], caption=f"{width} units per hidden layer, biases 0, mean "
                       f"cross-entropy of {n} MNIST images at the initial weights.")


def vanishing_answer(depth: int = 10, width: int = 64, n: int = 200) -> Markdown:
    """The bound (1/4)^depth on the sigmoid's slopes against the measured ratio of the gradient norms."""
    depth = as_int("depth", depth, minimum=1)
    peak = float(nn.sigmoid_derivative(0.0))
    sig = _gradient_norms("sigmoid", "Glorot uniform", depth, width, n)
    relu = _gradient_norms("relu", "He normal", depth, width, n)
    return figures.reveal(
        f"The output layer's gradient is $a_{{{depth}}}^T\\delta_{{{depth + 1}}}$, the first layer's "
        f"$x^T\\delta_1$, and on the way from $\\delta_{{{depth + 1}}}$ down to $\\delta_1$ backpropagation "
        f"multiplies by $W_l^T$ and by the slopes $g'(z_l)$ of all {depth} hidden layers. Each slope is at "
        f"most {peak:g}, so the slopes alone contribute a factor of at most {peak:g}^{depth} = "
        f"{peak ** depth:.2g}; the weights and the layers' inputs ($x$ against $a_{{{depth}}}$) multiply in "
        f"factors of their own, so this bounds the slopes' share, not the ratio of the norms. Measured at "
        f"{depth} hidden layers: the first layer's gradient is **{sig[0] / sig[-1]:.2g}** times the output "
        f"layer's for the sigmoid network and **{relu[0] / relu[-1]:.2g}** times for ReLU with He weights, "
        f"whose slope is 1 wherever a unit is on and whose weights are scaled to keep the signal's size "
        f"(He et al. 2015). Source 004 says ReLU avoids the problem \"due to its' [sic] gradient being constant\": "
        f"it is 0 or 1, and a unit that is off passes nothing back (lecture 8's dead units).")


# ---------------------------------------------------------------------------------------------
# 3. overfitting: L2, dropout, early stopping
# ---------------------------------------------------------------------------------------------
def overfitting(l2: float = 0.0, dropout: float = 0.0, patience: int = 10) -> Interactive:
    """Training against validation curves on a small noisy training set, with L2, dropout and early stopping.

    The runs are ``train.regularization_runs()`` (noisy circles, 100 training and 1000
    validation points, a 2-100-100-1 ReLU network, Adam), one per (L2, dropout) pair, trained
    when the figure is first made and cached: the controls only pick a run, so a move is a
    redraw.  Left: loss per epoch, training set (solid) and validation set (dashed), with the
    unregularised run's validation loss in grey; the early stopping of ``patience`` epochs
    (``EarlyStopping.replay`` on the validation loss) is the vertical line, its best epoch the
    dot.  Middle: accuracy.  Right: the trained network's probability of class 1 (blue) on a
    grid, with the training points: its decision boundary is where the colour turns.

    State: ``train_loss``, ``val_loss``, ``train_accuracy``, ``val_accuracy`` (last epoch),
    ``best_epoch`` and ``stopped_epoch`` (counted from 1; None when the run ends first),
    ``best_val_loss``.
    """
    runs = _regularization()
    if l2 not in runs.l2s:
        raise ValueError(f"l2 must be one of the trained {runs.l2s}; got {l2!r}")
    if dropout not in runs.dropouts:
        raise ValueError(f"dropout must be one of the trained {runs.dropouts}; got {dropout!r}")
    patience = as_int("patience", patience, minimum=0)
    lim = 1.1 * float(np.abs(runs.X).max())
    g = np.linspace(-lim, lim, 60)
    gx, gy = np.meshgrid(g, g)
    surfaces = {key: net.forward_grid(gx, gy) for key, net in runs.models.items()}
    base = runs.histories[(runs.l2s[0], runs.dropouts[0])]
    epochs = np.arange(1, len(base.val_loss) + 1)

    fig, (ax_l, ax_a, ax_b) = _figure(13, 4.2, ncols=3)
    ax_l.plot(epochs, base.val_loss, color="0.7", lw=1.2, label="validation, no L2 or dropout")
    tl, = ax_l.plot([], [], "-", color="C0", lw=1.6, label="training")
    vl, = ax_l.plot([], [], "--", color="C1", lw=1.6, label="validation")
    stop_line = ax_l.axvline(np.nan, color="k", ls=":", lw=1.2)
    best_dot, = ax_l.plot([], [], "o", color="k", ms=5)
    top = max(max(h.val_loss) for h in runs.histories.values())
    ax_l.set(xlabel="epoch", ylabel="binary cross-entropy", xlim=(0, epochs[-1] + 1), ylim=(0, 1.05 * top))
    ax_l.legend(fontsize=8, loc="upper left")
    ax_l.grid(alpha=0.3)
    ta, = ax_a.plot([], [], "-", color="C0", lw=1.6, label="training")
    va, = ax_a.plot([], [], "--", color="C1", lw=1.6, label="validation")
    ax_a.set(xlabel="epoch", ylabel="accuracy", xlim=(0, epochs[-1] + 1), ylim=(0.4, 1.02))
    ax_a.legend(fontsize=8, loc="lower right")
    ax_a.grid(alpha=0.3)
    image = ax_b.imshow(np.zeros_like(gx), extent=(-lim, lim, -lim, lim), origin="lower", cmap="RdBu",
                        vmin=0, vmax=1, alpha=0.6, interpolation="nearest")
    colors = np.where(runs.y[:, None] == 1, [[0.12, 0.47, 0.71, 1]], [[0.84, 0.15, 0.16, 1]])
    ax_b.scatter(runs.X[:, 0], runs.X[:, 1], s=12, c=colors, edgecolors="k", linewidths=0.3)
    ax_b.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal", xlim=(-lim, lim), ylim=(-lim, lim))

    def draw(l2, dropout, patience):
        h = runs.histories[(l2, dropout)]
        tl.set_data(epochs, h.train_loss)
        vl.set_data(epochs, h.val_loss)
        ta.set_data(epochs, h.train_accuracy)
        va.set_data(epochs, h.val_accuracy)
        stopped, best = EarlyStopping(patience=patience).replay(h.val_loss)
        stop_line.set_xdata([stopped + 1 if stopped is not None else np.nan] * 2)
        best_dot.set_data([best + 1], [h.val_loss[best]])
        image.set_data(surfaces[(l2, dropout)])
        stop_text = f"stops at epoch {stopped + 1}" if stopped is not None else "never stops"
        ax_l.set_title(f"L2 {l2:g}, dropout {dropout:g}\nearly stopping (patience {patience}) {stop_text}, "
                       f"best epoch {best + 1}", fontsize=9)
        ax_a.set_title(f"last epoch\ntraining {h.train_accuracy[-1]:.1%}, validation {h.val_accuracy[-1]:.1%}",
                       fontsize=9)
        ax_b.set_title(f"P(class 1) after {len(epochs)} epochs\n(the boundary: where blue meets red)", fontsize=9)
        return {"train_loss": h.train_loss[-1], "val_loss": h.val_loss[-1], "train_accuracy": h.train_accuracy[-1],
                "val_accuracy": h.val_accuracy[-1], "best_epoch": best + 1,
                "stopped_epoch": None if stopped is None else stopped + 1, "best_val_loss": h.val_loss[best]}

    controls = {
        "l2": dropdown("L2 lambda", list(runs.l2s), l2),
        "dropout": dropdown("dropout rate", list(runs.dropouts), _option(dropout, runs.dropouts)),
        "patience": int_slider("early-stopping patience", patience, 0, 40),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [tl, vl, stop_line, best_dot, ta, va, image, ax_l.title, ax_a.title,
                                        ax_b.title],
                       caption=f"{len(runs.y)} training points, {len(runs.y_val)} validation points; "
                               f"{len(runs.histories)} runs trained once, the controls pick one.")


def _option(value, options):
    """``value`` as it appears in ``options`` (0 and 0.0 are the same dropdown entry)."""
    return next(o for o in options if o == value)


def overfitting_answer(patience: int = 10) -> Markdown:
    """What overfitting, L2, dropout and early stopping did to the validation loss, from the runs."""
    patience = as_int("patience", patience, minimum=0)
    runs = _regularization()
    base = runs.histories[(runs.l2s[0], runs.dropouts[0])]
    best = int(np.argmin(base.val_loss))
    stopped, restored = EarlyStopping(patience=patience).replay(base.val_loss)
    rows = ["| L2 | dropout | training loss | validation loss | validation accuracy |", "|---|---|---|---|---|"]
    for (l2, rate), h in runs.histories.items():
        rows.append(f"| {l2:g} | {rate:g} | {h.train_loss[-1]:.3f} | {h.val_loss[-1]:.3f} | {h.val_accuracy[-1]:.1%} |")
    key = min(runs.histories, key=lambda k: runs.histories[k].val_loss[-1])
    stop = (f"stops it at epoch {stopped + 1} and restores epoch {restored + 1}" if stopped is not None
            else "never stops it")
    return figures.reveal(
        f"Without L2 or dropout the validation loss is lowest after epoch {best + 1} "
        f"({base.val_loss[best]:.3f}) and then climbs to {base.val_loss[-1]:.3f} after epoch "
        f"{len(base.val_loss)}, while the training loss falls to {base.train_loss[-1]:.3f}: the network "
        f"learns the noise of its {len(runs.y)} points. Early stopping with patience {patience} {stop}. "
        f"The lowest final validation loss is that of L2 {key[0]:g} with dropout {key[1]:g} "
        f"({runs.histories[key].val_loss[-1]:.3f}). After {len(base.val_loss)} epochs:\n\n" + "\n".join(rows))


# ---------------------------------------------------------------------------------------------
# 4. batch normalisation
# ---------------------------------------------------------------------------------------------
BN_SCHEMES = ("too small: N(0, 0.01²)", "too large: N(0, 1)", "Glorot uniform", "He normal")


def batchnorm_distributions(scheme: str = "too large: N(0, 1)", activation: str = "sigmoid",
                            depth: int = 6) -> Interactive:
    """Every hidden layer's pre-activations, what enters g, without and with batch normalisation.

    Two ``nn.RegularizedMLP`` networks with the same initial weights (``scheme``), one with
    batch normalisation after every hidden layer's ``z = a W + b``, take ``N_SAMPLES`` MNIST
    images as one batch (training mode: the batch's own mean and variance, gamma 1 and beta 0 as
    at the start).  Left and middle: the histograms per layer; right: their standard deviation
    per layer.  Every pair (scheme, activation) is computed when the figure is made, as in
    ``initialisation``.

    State: ``std_without``, ``std_with``, ``mean_with`` (per shown layer).
    """
    as_choice("scheme", scheme, BN_SCHEMES)
    as_choice("activation", activation, ("sigmoid", "tanh", "relu"))
    depth = as_int("depth", depth, minimum=1)
    if depth > MAX_DEPTH:
        raise ValueError(f"depth must be at most {MAX_DEPTH}; got {depth}")
    fig, (ax_0, ax_1, ax_s) = _figure(13, 4.2, ncols=3)
    ridge0 = _Ridge(ax_0, MAX_DEPTH, "C0", "pre-activation z")
    ridge1 = _Ridge(ax_1, MAX_DEPTH, "C2", "pre-activation after batch normalisation")
    s0, = ax_s.semilogy([], [], "o-", color="C0", lw=1.5, label="without")
    s1, = ax_s.semilogy([], [], "o-", color="C2", lw=1.5, label="with batch normalisation")
    ax_s.set(xlabel="hidden layer", ylabel="std of the pre-activations", xlim=(0.5, MAX_DEPTH + 0.5),
             ylim=(1e-4, 1e3), xticks=range(1, MAX_DEPTH + 1))
    ax_s.grid(alpha=0.3, which="both")
    ax_s.legend(fontsize=8)

    for key in itertools.product(BN_SCHEMES, ("sigmoid", "tanh", "relu")):   # all made now: a move only redraws
        _ridge_of("without", *key)
        _ridge_of("with", *key)

    def draw(scheme, activation, depth):
        ranges = {}
        for ridge, kind in ((ridge0, "without"), (ridge1, "with")):
            lo, hi, hists, _, _, _ = _ridge_of(kind, scheme, activation)
            ridge.draw(lo, hi, hists, depth)
            ranges[kind] = (lo, hi)
        std0 = _ridge_of("without", scheme, activation)[3][:depth]
        std1 = _ridge_of("with", scheme, activation)[3][:depth]
        mean1 = _ridge_of("with", scheme, activation)[4][:depth]
        layers = np.arange(1, depth + 1)
        s0.set_data(layers, std0)
        s1.set_data(layers, std1)
        ax_0.set_title(f"without: layer {depth} std {std0[-1]:.3g}", fontsize=10)
        ax_1.set_title(f"with: layer {depth} std {std1[-1]:.3g}", fontsize=10)
        ax_s.set_title(f"{scheme}, {activation}", fontsize=10)
        return {"std_without": std0, "std_with": std1, "mean_with": mean1, "x_range": ranges}

    controls = {
        "scheme": dropdown("initialisation", list(BN_SCHEMES), scheme),
        "activation": dropdown("activation", ["sigmoid", "tanh", "relu"], activation),
        "depth": int_slider("hidden layers", depth, 1, MAX_DEPTH),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [*ridge0.artists(), *ridge1.artists(), s0, s1, ax_0.title, ax_1.title,
                                        ax_s.title],
                       caption=f"{WIDTH} units per hidden layer; batch statistics of {N_SAMPLES} MNIST images, "
                               f"eps 1e-3 (Keras); the x-ranges cover all {MAX_DEPTH} layers.")


def batchnorm_training() -> Plot:
    """Learning curves of a deep sigmoid network trained with and without batch normalisation.

    ``train.batchnorm_runs()``: 784-64x5-10 sigmoid networks, SGD at two learning rates, the
    same initial weights and batches; left the training set's loss after every epoch, right the
    validation accuracy.
    """
    runs = _batchnorm_runs()
    fig, (ax_l, ax_a) = _figure(11, 4.0, ncols=2)
    data = {}
    for (bn, lr), (_, h) in runs.items():
        style = dict(color="C2" if bn else "C0", ls="-" if lr == max(lr for _, lr in runs) else "--", lw=1.6)
        label = f"{'with' if bn else 'without'} batch norm, lr {lr:g}"
        epochs = np.arange(1, h.epochs + 1)
        ax_l.plot(epochs, h.train_loss, label=label, **style)
        ax_a.plot(epochs, h.val_accuracy, label=label, **style)
        data[(bn, lr)] = {"train_loss": list(h.train_loss), "val_accuracy": list(h.val_accuracy)}
    ax_l.set(xlabel="epoch", ylabel="training-set cross-entropy", title="training loss after each epoch")
    ax_a.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1), title="validation accuracy")
    for ax in (ax_l, ax_a):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return Plot(fig, data)


def batchnorm_answer() -> Markdown:
    """The last epoch's validation accuracy of each batch-normalisation run, and what the moving averages cost."""
    runs = _batchnorm_runs()
    X, y = _batchnorm_training_set()
    rows = ["| batch norm | learning rate | training loss (inference) | training loss (its own statistics) "
            "| last epoch's batch losses | validation accuracy |", "|---|---|---|---|---|---|"]
    own = {}
    for (bn, lr), (net, h) in runs.items():
        own[(bn, lr)] = net.evaluate_batch_statistics(X, y)[0] if bn else h.train_loss[-1]
        rows.append(f"| {'yes' if bn else 'no'} | {lr:g} | {h.train_loss[-1]:.3f} | "
                    f"{own[(bn, lr)]:.3f} | {h.loss[-1]:.3f} | {h.val_accuracy[-1]:.1%} |")
    without = max(h.val_accuracy[-1] for (bn, _), (_, h) in runs.items() if not bn)
    with_bn = max(h.val_accuracy[-1] for (bn, _), (_, h) in runs.items() if bn)
    key = (True, max(lr for _, lr in runs))
    fast = runs[key][1]
    return figures.reveal(
        f"After {fast.epochs} epochs the best sigmoid network without batch normalisation reaches "
        f"{without:.1%} validation accuracy (chance, one of ten classes, is {1 / 10:.0%}), the best with it "
        f"{with_bn:.1%}. Normalising every layer's pre-activations keeps each unit near the steep middle of "
        f"its sigmoid, whatever the weights below do. At the larger learning rate inference mode costs "
        f"much of that (the curves jump): after the last epoch the training set gives a loss of "
        f"{fast.train_loss[-1]:.3f} with the moving averages (momentum {runs[key][0].momentum:g}), but "
        f"{own[key]:.3f} with the same weights normalised by the training set's own statistics: the "
        f"averages lag behind weights that change fast. (The last epoch's batch losses average "
        f"{fast.loss[-1]:.3f}: each is measured on its batch before that batch's step, while the "
        f"weights move.)\n\n" + "\n".join(rows))


def _batchnorm_training_set():
    """The training images and labels of ``_batchnorm_runs``: ``mnist_subsets(BN_N_TRAIN, BN_N_VAL, 0)``."""
    X, y, _, _ = mnist_subsets(BN_N_TRAIN, BN_N_VAL, seed=0, dtype=np.float64)
    return X, y
