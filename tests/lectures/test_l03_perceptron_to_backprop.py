"""Lecture 3's slider figures: what they draw, checked against independent computations.

(How a figure is read: ``figure_data.py``.)
"""

import numpy as np
import pytest

from course_lib.lectures import l03_perceptron_to_backprop as lecture
from figure_data import line_data


@pytest.mark.parametrize("a, bias, wt", [(1.0, 0.0, 1.0), (4.0, -2.0, 0.5), (0.3, 3.0, 2.0)])
def test_sigmoid_slope_draws_the_neuron(a, bias, wt):
    w = lecture.sigmoid_slope(a=a, bias=bias, w=wt)
    x, g = line_data(w.fig.axes[0].lines[1])
    np.testing.assert_allclose(g, 1 / (1 + np.exp(-a * (wt * x + bias))), rtol=1e-12)
    _, d = line_data(w.fig.axes[1].lines[1])
    np.testing.assert_allclose(d, np.gradient(g, x), atol=2e-3 * max(1, a * wt))
    assert w.state["midpoint"] == pytest.approx(-bias / wt)
    assert w.state["max_slope_dx"] == pytest.approx(a * wt / 4) and d.max() <= a * wt / 4 + 1e-12


def test_decision_boundary_replays_training():
    from course_lib.data import make_circles
    from course_lib.nn import MLP

    w = lecture.decision_boundary(epochs=40)
    untrained = MLP([2, 16, 16, 1], output="sigmoid", seed=0)
    X, y = make_circles(256, seed=0)
    assert w.state["accuracy"] > 0.95  # the slider opens on the last epoch
    w.update(epoch=0)
    assert w.state["accuracy"] == pytest.approx(untrained.accuracy(X, y))
    assert w.state["loss"] == pytest.approx(untrained.loss(X, y))
    g = w.state["probabilities"]
    lim = float(np.abs(X).max()) * 1.15
    corner = untrained.forward(np.array([[-lim, -lim]]))[0, 0]
    assert g[0, 0] == pytest.approx(corner)
    marker = [ln for ln in w.fig.axes[1].lines if ln.get_marker() == "o"][0]
    mx, my = line_data(marker)
    assert mx.tolist() == [0] and my[0] == pytest.approx(untrained.loss(X, y))


def _forward_by_hand(params, X):
    """p(class 1) of a ReLU MLP with a sigmoid output, written out."""
    a = X
    for k in range(0, len(params) - 2, 2):
        a = np.maximum(a @ params[k] + params[k + 1], 0)
    return 1 / (1 + np.exp(-(a @ params[-2] + params[-1])))[:, 0]


def test_decision_boundary_draws_learning_curves_on_training_and_held_out_points():
    from course_lib import optim
    from course_lib.data import make_circles
    from course_lib.nn import MLP
    from course_lib.train import train

    epochs = 12
    w = lecture.decision_boundary(epochs=epochs)
    curves = w.state["curves"]
    X, y = make_circles(256, seed=0)
    X_val, y_val = make_circles(128, seed=1)                   # the held-out draw: same data, seed + 1
    assert not np.isin(X_val, X).all(axis=1).any()
    snapshots = []
    net = MLP([2, 16, 16, 1], output="sigmoid", seed=0)
    snapshots.append([p.copy() for p in net.params])
    train(net, X, y, optim.Adam(0.005), 32, epochs, seed=0, progress=False,
          callbacks=[lambda e, h, m: snapshots.append([p.copy() for p in m.params])])
    for key, (A, b) in (("", (X, y)), ("val_", (X_val, y_val))):
        p = np.array([_forward_by_hand(s, A) for s in snapshots])            # (epochs + 1, n)
        bce = -np.mean(b * np.log(p) + (1 - b) * np.log(1 - p), axis=1)
        acc = np.mean((p > 0.5) == (b == 1), axis=1)
        np.testing.assert_allclose(curves[key + "loss"], bce, rtol=1e-7)
        np.testing.assert_allclose(curves[key + "accuracy"], acc)
    # what is drawn: the four curves on the right panel, dashed for the held-out set
    ax_l = w.fig.axes[1]
    ax_a = [a for a in w.fig.axes if a is not ax_l and a.get_ylabel() == "accuracy"][0]
    drawn = {ln.get_label(): line_data(ln)[1] for ln in [*ax_l.lines, *ax_a.lines] if "loss" in ln.get_label()
             or "accuracy" in ln.get_label()}
    np.testing.assert_allclose(drawn["held-out loss, evaluated after the epoch"], curves["val_loss"])
    np.testing.assert_allclose(drawn["held-out accuracy, evaluated after the epoch"], curves["val_accuracy"])
    np.testing.assert_allclose(drawn["training loss, evaluated after the epoch"], curves["loss"])
    w.update(epoch=5)
    assert w.state["val_accuracy"] == curves["val_accuracy"][5] and w.state["loss"] == curves["loss"][5]
    assert f"{curves['val_accuracy'][5]:.1%} held out" in w.fig.axes[0].get_title()
    assert (f"After epoch {epochs}: loss {curves['loss'][-1]:.3f} training, {curves['val_loss'][-1]:.3f} held out"
            in w.caption.value)


def test_backward_cost_counts_the_products_of_a_small_network_by_hand():
    import re

    import numpy as np

    from course_lib import nn

    net = nn.MLP([6, 4, 3, 2], bias=False, seed=0)
    X, labels = np.random.default_rng(0).random((50, 6)), np.arange(50) % 2
    text = lecture.backward_cost(net, X, labels, number=1, repeat=2).text
    # forward 6*4 + 4*3 + 3*2 = 42; weight gradients 42; input gradients above layer 1: 4*3 + 3*2 = 18
    assert f"{(42 + 42 + 18) / 42:.2f} by counting products" in text and "(42 multiply-adds per sample forward" in text
    assert float(re.match(r"forward \+ backward = (\S+) forward passes measured", text).group(1)) > 0
