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
