"""Lecture 9's figures: what they draw, checked against independent computations.

The networks are rebuilt here by hand, in plain numpy, from the initialisers' formulas and the
same random streams (one Generator, layer after layer); forward and backward passes are written
out. (How a figure is read: ``figure_data.py``.)
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib import data, nn
from course_lib.lectures import l09_practical_issues as lecture
from course_lib.train import mnist_subsets
from figure_data import line_data

ROOT = Path(__file__).resolve().parents[2]


def _images():
    X, y, _, _ = mnist_subsets(lecture.N_SAMPLES, 1, seed=0, dtype=np.float64)
    return X, y


def _weights(scheme, sizes):
    """The weight matrices MLP(sizes, init=scheme, seed=0) draws, from the formulas."""
    rng = np.random.default_rng(0)
    out = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if scheme == "zeros":
            out.append(np.zeros((n_in, n_out)))
        elif scheme.startswith("too small"):
            out.append(rng.normal(0, 0.01, (n_in, n_out)))
        elif scheme.startswith("too large"):
            out.append(rng.normal(0, 1.0, (n_in, n_out)))
        elif scheme == "Glorot uniform":
            r = np.sqrt(6 / (n_in + n_out))
            out.append(rng.uniform(-r, r, (n_in, n_out)))
        elif scheme == "Glorot normal":
            out.append(rng.normal(0, np.sqrt(2 / (n_in + n_out)), (n_in, n_out)))
        elif scheme == "He normal":
            out.append(rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out)))
    return out


G = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0)}


def _hidden_by_hand(scheme, activation, batchnorm=False, before_activation=False):
    X, _ = _images()
    Ws = _weights(scheme, [784] + [lecture.WIDTH] * lecture.MAX_DEPTH + [10])
    a, out = X, []
    for W in Ws[:-1]:
        z = a @ W
        if batchnorm:
            z = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + 1e-3)
        a = G[activation](z)
        out.append(z if before_activation else a)
    return out


def _ridge_expected(arrays, depth):
    values = np.concatenate([a.ravel() for a in arrays])
    lo, hi = np.percentile(values, [0.5, 99.5])
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - 1, hi + 1
    lo, hi = lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)
    curves = []
    for k in range(depth):
        counts, edges = np.histogram(np.clip(arrays[k].ravel(), lo, hi), bins=40, range=(lo, hi))
        x = ((edges[:-1] + edges[1:]) / 2 - lo) / (hi - lo)
        curves.append((x, k + 1 + 0.85 * counts / max(counts.max(), 1)))
    return (lo, hi), curves


# ---------------------------------------------------------------------------------------------
# 1. initialisation
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def init_widget():
    return lecture.initialisation()


@pytest.mark.parametrize("scheme,activation", [("Glorot uniform", "tanh"), ("too small: N(0, 0.01²)", "tanh"),
                                               ("He normal", "relu"), ("too large: N(0, 1)", "sigmoid")])
def test_initialisation_histograms_and_spread_by_hand(init_widget, scheme, activation):
    acts = _hidden_by_hand(scheme, activation)
    state = init_widget.update(scheme=scheme, activation=activation, depth=7)
    np.testing.assert_allclose(state["std"], [a.std() for a in acts[:7]], rtol=1e-9)
    (lo, hi), curves = _ridge_expected(acts, 7)
    np.testing.assert_allclose(state["x_range"], (lo, hi), rtol=1e-9)
    ax = init_widget.fig.axes[0]
    for k, (x, h) in enumerate(curves):
        got_x, got_h = line_data(ax.lines[k])
        np.testing.assert_allclose(got_x, x, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got_h, h, rtol=1e-9)
    assert all(len(line_data(ax.lines[k])[0]) == 0 for k in range(7, lecture.MAX_DEPTH))
    np.testing.assert_allclose(line_data(init_widget.fig.axes[1].lines[0])[1], state["std"], rtol=1e-12)


def test_a_shallower_network_is_the_first_layers_of_the_deep_one():
    X, _ = _images()
    deep = nn.MLP([784] + [100] * 10 + [10], hidden="tanh", seed=0).layer_activations(X[:50])
    shallow = nn.MLP([784] + [100] * 3 + [10], hidden="tanh", seed=0).layer_activations(X[:50])
    for a, b in zip(shallow, deep):
        np.testing.assert_array_equal(a, b)


def test_initialisation_does_what_the_try_it_answer_says(init_widget):
    depth = lecture.MAX_DEPTH
    small = init_widget.update(scheme="too small: N(0, 0.01²)", activation="tanh", depth=depth)["std"]
    ratios = np.array(small[1:]) / np.array(small[:-1])
    assert np.all(ratios < 0.2) and np.ptp(ratios) < 0.05                   # the same shrinking factor
    assert max(init_widget.update(scheme="too large: N(0, 1)")["saturated"][1:]) > 0.5   # tanh saturates
    glorot = init_widget.update(scheme="Glorot uniform")["std"]
    assert 0.1 < glorot[-1] / glorot[0] < 10                                 # the same order
    relu_glorot = init_widget.update(activation="relu")["std"]
    per_layer = (relu_glorot[-1] / relu_glorot[0]) ** (1 / (depth - 1))
    assert 0.6 < per_layer < 0.8                                             # about 1/sqrt(2) per layer
    he = init_widget.update(scheme="He normal")["std"]
    assert 0.3 < he[-1] / he[0] < 3
    for activation, value in (("tanh", 0.0), ("relu", 0.0), ("sigmoid", 0.5)):
        state = init_widget.update(scheme="zeros", activation=activation)
        assert state["std"] == [0.0] * depth
        np.testing.assert_array_equal(lecture._activations("zeros", activation)[0], value)
    assert "std 0" in init_widget.fig.axes[1].get_title()


# ---------------------------------------------------------------------------------------------
# zeros: symmetry
# ---------------------------------------------------------------------------------------------
def test_symmetry_plot_counts_the_distinct_units_by_hand():
    plot = lecture.symmetry()
    runs = lecture._symmetry()
    for init, (net, hist) in runs.items():
        assert net.sizes == (784, 16, 10) and net.hidden == "sigmoid"      # as the prose says
        W = net.weights[0]
        assert plot.data[init]["distinct"] == len(np.unique(W.T, axis=0))
    W0 = runs["zeros"][0].weights[0]
    assert np.all(W0 == W0[:, :1]) and np.any(W0 != 0)                     # equal columns, and they did move
    assert plot.data["glorot_uniform"]["distinct"] == 16
    text = lecture.symmetry_answer().text
    assert text.startswith("<details>") and "**1 distinct unit**" in text
    assert f"{runs['zeros'][1].accuracy[-1]:.1%}" in text


# ---------------------------------------------------------------------------------------------
# 2. vanishing and exploding gradients
# ---------------------------------------------------------------------------------------------
def _gradient_norms_by_hand(activation, scheme, depth, width=64, n=200):
    X, y = _images()
    X, y = X[:n], y[:n]
    Ws = _weights(scheme, [784] + [width] * depth + [10])
    acts = [X]
    for W in Ws[:-1]:
        acts.append(G[activation](acts[-1] @ W))
    z = acts[-1] @ Ws[-1]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = (p - np.eye(10)[y]) / n                                            # softmax cross-entropy, mean
    norms = []
    for layer in range(len(Ws) - 1, -1, -1):
        norms.append(np.linalg.norm(acts[layer].T @ dz))
        if layer:
            a = acts[layer]
            slope = {"sigmoid": a * (1 - a), "tanh": 1 - a * a, "relu": (a > 0).astype(float)}[activation]
            dz = (dz @ Ws[layer].T) * slope
    return np.array(norms[::-1])


def test_gradient_norms_per_layer_by_hand():
    w = lecture.vanishing_gradients()
    for depth in (3, 10):
        state = w.update(depth=depth)
        for line, (act, scheme) in zip(w.fig.axes[1].lines, lecture.GRADIENT_NETS):
            expect = _gradient_norms_by_hand(act, scheme, depth)
            np.testing.assert_allclose(state["norms"][act], expect, rtol=1e-9)
            np.testing.assert_allclose(line_data(line)[1], expect, rtol=1e-9)
            assert state["ratio"][act] == pytest.approx(expect[0] / expect[-1], rel=1e-9)
    slope_x, slope_y = line_data(w.fig.axes[0].lines[0])
    assert slope_y.max() == pytest.approx(0.25, rel=1e-12) and slope_x[slope_y.argmax()] == 0  # g(1-g) <= 1/4


def test_vanishing_answer_states_the_bound_and_the_measured_ratios():
    text = lecture.vanishing_answer().text
    sig = _gradient_norms_by_hand("sigmoid", "Glorot uniform", 10)
    relu = _gradient_norms_by_hand("relu", "He normal", 10)
    assert f"0.25^10 = {0.25 ** 10:.2g}" in text
    assert f"**{sig[0] / sig[-1]:.2g}**" in text and f"**{relu[0] / relu[-1]:.2g}**" in text
    assert sig[0] / sig[-1] < 1e-4 < 0.1 < relu[0] / relu[-1]                # vanishes for one, not the other


# ---------------------------------------------------------------------------------------------
# 3. overfitting
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def overfit():
    return lecture.overfitting(), lecture._regularization()


def _bce_by_hand(net, X, y):
    a = X
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        a = np.maximum(a @ W + b, 0)                                        # inference: no dropout
    z = (a @ net.weights[-1] + net.biases[-1])[:, 0]
    return float(np.mean(np.logaddexp(0, z) - y * z)), float(np.mean((z > 0) == (y == 1))), z


def _early_stop_by_hand(values, patience):
    best, best_epoch, waited = np.inf, None, 0
    for epoch, v in enumerate(values):
        if v < best:
            best, best_epoch, waited = v, epoch, 0
        else:
            waited += 1
            if waited > patience:
                return epoch, best_epoch
    return None, best_epoch


def test_overfitting_curves_are_the_trained_networks_losses_by_hand(overfit):
    w, runs = overfit
    X_all, y_all = data.make_circles(1100, noise=0.25, seed=0)
    np.testing.assert_array_equal(runs.X, X_all[:100])
    np.testing.assert_array_equal(runs.y_val, y_all[100:])
    for key, net in runs.models.items():
        assert net.sizes == (2, 100, 100, 1)                               # the prose's 2-100-100-1
        assert (net.l2, net.dropout) == key
        h = runs.histories[key]
        loss, acc, _ = _bce_by_hand(net, runs.X, runs.y)
        assert h.train_loss[-1] == pytest.approx(loss, rel=1e-10) and h.train_accuracy[-1] == pytest.approx(acc)
        val, val_acc, _ = _bce_by_hand(net, runs.X_val, runs.y_val)
        assert h.val_loss[-1] == pytest.approx(val, rel=1e-10) and h.val_accuracy[-1] == pytest.approx(val_acc)
    for l2, rate, patience in ((0.0, 0.0, 10), (runs.l2s[-1], runs.dropouts[1], 3)):
        state = w.update(l2=l2, dropout=rate, patience=patience)
        h = runs.histories[(l2, rate)]
        lines = w.fig.axes[0].lines
        np.testing.assert_allclose(line_data(lines[1])[1], h.train_loss)
        np.testing.assert_allclose(line_data(lines[2])[1], h.val_loss)
        np.testing.assert_allclose(line_data(w.fig.axes[1].lines[1])[1], h.val_accuracy)
        stopped, best = _early_stop_by_hand(h.val_loss, patience)
        assert state["best_epoch"] == best + 1
        assert state["stopped_epoch"] == (None if stopped is None else stopped + 1)
        assert state["best_val_loss"] == min(h.val_loss[:stopped + 1] if stopped is not None else h.val_loss)
        # the probability map: sigmoid of the logit on the grid, by hand
        lim = 1.1 * np.abs(runs.X).max()
        g = np.linspace(-lim, lim, 60)
        gx, gy = np.meshgrid(g, g)
        _, _, z = _bce_by_hand(runs.models[(l2, rate)], np.column_stack([gx.ravel(), gy.ravel()]), np.zeros(3600))
        np.testing.assert_allclose(np.asarray(w.fig.axes[2].images[0].get_array()), 1 / (1 + np.exp(-z.reshape(60, 60))),
                                   rtol=1e-9, atol=1e-12)


def test_overfitting_does_what_the_prose_says(overfit):
    _, runs = overfit
    base = runs.histories[(0.0, 0.0)]
    assert int(np.argmin(base.val_loss)) < len(base.val_loss) // 2         # the validation loss turns early
    assert base.val_loss[-1] > 1.5 * min(base.val_loss)                    # ... and climbs
    others = {k: h for k, h in runs.histories.items() if k != (0.0, 0.0)}
    assert all(h.val_loss[-1] < base.val_loss[-1] for h in others.values())   # both remedies help at the end
    assert all(h.train_loss[-1] > base.train_loss[-1] for h in others.values())  # at a price in training loss
    most = runs.histories[(runs.l2s[-1], runs.dropouts[-1])]
    assert most.train_loss[-1] == max(h.train_loss[-1] for h in runs.histories.values())
    assert most.val_loss[-1] > min(h.val_loss[-1] for h in runs.histories.values())
    text = lecture.overfitting_answer().text
    stopped, best = _early_stop_by_hand(base.val_loss, 10)
    assert f"lowest after epoch {int(np.argmin(base.val_loss)) + 1} ({min(base.val_loss):.3f})" in text
    assert f"stops it at epoch {stopped + 1} and restores epoch {best + 1}" in text
    assert text.count("\n| ") == len(runs.histories) + 1


# ---------------------------------------------------------------------------------------------
# 4. batch normalisation
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scheme,activation", [("too large: N(0, 1)", "sigmoid"), ("too small: N(0, 0.01²)", "tanh"),
                                               ("He normal", "relu")])
def test_batchnorm_distributions_by_hand(scheme, activation):
    w = lecture.batchnorm_distributions(scheme=scheme, activation=activation, depth=lecture.MAX_DEPTH)
    without = _hidden_by_hand(scheme, activation, before_activation=True)
    with_bn = _hidden_by_hand(scheme, activation, batchnorm=True, before_activation=True)
    state = w.state
    np.testing.assert_allclose(state["std_without"], [z.std() for z in without], rtol=1e-9)
    np.testing.assert_allclose(state["std_with"], [z.std() for z in with_bn], rtol=1e-9)
    for ax, arrays in ((w.fig.axes[0], without), (w.fig.axes[1], with_bn)):
        _, curves = _ridge_expected(arrays, lecture.MAX_DEPTH)
        for k, (x, h) in enumerate(curves):
            np.testing.assert_allclose(line_data(ax.lines[k])[1], h, rtol=1e-9)
    # standardised: mean 0 and, unit by unit, std sqrt(var / (var + eps)) <= 1 (well below 1 only where the
    # unit's variance over the batch is not large against eps = 1e-3, as with the too-small weights)
    assert np.all(np.abs(state["mean_with"]) < 1e-12)
    assert np.all((np.array(state["std_with"]) > 0.85) & (np.array(state["std_with"]) < 1))
    if scheme.startswith("too large"):
        assert min(state["std_without"]) > 4                                # far into the sigmoid's tails
    if scheme.startswith("too small"):
        assert state["std_without"][-1] < 1e-6 * state["std_without"][0]    # the spread collapses


def test_batchnorm_training_plot_and_answer():
    plot = lecture.batchnorm_training()
    runs = lecture._batchnorm_runs()
    for (bn, lr), (_, h) in runs.items():
        assert plot.data[(bn, lr)]["val_accuracy"] == h.val_accuracy
    text = lecture.batchnorm_answer().text
    without = max(h.val_accuracy[-1] for (bn, _), (_, h) in runs.items() if not bn)
    with_bn = max(h.val_accuracy[-1] for (bn, _), (_, h) in runs.items() if bn)
    assert f"reaches {without:.1%}" in text and f"with it {with_bn:.1%}" in text
    assert without < 0.2 < 0.6 < with_bn                                     # the prose: stuck near chance vs learning
    net, fast = runs[(True, max(lr for _, lr in runs))]
    # the training set normalised by its own statistics, by hand from the trained weights
    X, y, _, _ = mnist_subsets(1000, 1000, seed=0, dtype=np.float64)
    a = X
    for W, b, g, be in zip(net.weights[:-1], net.biases[:-1], net.gammas, net.betas):
        z = a @ W + b
        a = 1 / (1 + np.exp(-(g * (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-3) + be)))
    logits = a @ net.weights[-1] + net.biases[-1]
    logits -= logits.max(1, keepdims=True)
    own = float(np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(len(y)), y]))
    assert fast.train_loss[-1] > own + 0.1                                  # the moving averages lag: they cost loss
    assert f"gives a loss of {fast.train_loss[-1]:.3f} with the moving averages (momentum 0.9), but {own:.3f}" in text
    assert f"batch losses average {fast.loss[-1]:.3f}" in text


def test_batchnorm_runs_are_the_networks_the_prose_describes():
    import inspect

    from course_lib import train

    params = inspect.signature(train.batchnorm_runs).parameters
    assert params["hidden"].default == (64,) * 5 and params["activation"].default == "sigmoid"  # "five hidden layers"
    assert len(params["lrs"].default) == 2                                                      # "two learning rates"


# ---------------------------------------------------------------------------------------------
# the notebook
# ---------------------------------------------------------------------------------------------
def test_notebook_questions_have_hidden_answers_and_its_typed_numbers_are_checked():
    nb = nbformat.read(ROOT / "notebooks" / "09_practical_issues.ipynb", as_version=4)
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and ("**Question.**" in cell.source or "**Try it.**" in cell.source):
            after = cell.source[max(cell.source.find("**Question.**"), cell.source.find("**Try it.**")):]
            nxt = cells[i + 1]
            assert "<details>\n<summary>Answer</summary>\n\n" in after or (
                nxt.cell_type == "code" and re.search(r"lecture\.\w+_answer\(\)", nxt.source)), cell.source[:120]
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    # typed sizes, checked against the code above: 784-16-10 (symmetry), 2-100-100-1 (overfitting)
    assert "784-16-10" in text and "2-100-100-1" in text and "five hidden layers" in text
    assert "(1/4)^{10}" in text and lecture.vanishing_answer.__defaults__[0] == 10
    # no other decimal is typed: section numbers 9.x aside, only the zero-initialised sigmoid's 0.5,
    # which test_initialisation_does_what_the_try_it_answer_says checks, and the two momenta of batch
    # normalisation's moving averages, checked here against the code's defaults
    decimals = [d for d in re.findall(r"\d+\.\d+", text) if not re.fullmatch(r"9\.\d", d)]
    assert decimals == ["0.5", "0.99", "0.9"], decimals
    import inspect

    from course_lib import train

    assert inspect.signature(nn.RegularizedMLP).parameters["momentum"].default == 0.99
    assert inspect.signature(train.batchnorm_runs).parameters["momentum"].default == 0.9
    assert set(lecture.WIDGETS) <= {m for c in cells if c.cell_type == "code"
                                    for m in re.findall(r"lecture\.(\w+)\(", c.source)}
