"""Lecture 8's slider figures: what they draw, checked against independent computations.

(How a figure is read: ``figure_data.py``.)
"""

import numpy as np

from course_lib.lectures import l08_asgd_dead_units as lecture
from course_lib.train import asgd_runs
from figure_data import line_data


def test_asgd_widget_counts_dead_units_by_hand():
    out, X, y, _, _ = asgd_runs("circles", 1, max_steps=600)
    w = lecture.asgd_vs_sgd(seeds=2, max_steps=600, seed=1)
    for name, (net, hist) in out.items():
        h = X
        params = net.params
        dead = on = 0
        for k in range(0, len(params) - 2, 2):  # hidden layers: W, b pairs
            z = h @ params[k] + params[k + 1]
            dead += int(np.sum(np.all(z <= 0, axis=0)))
            on += int(np.sum(np.all(z > 0, axis=0)))
            h = np.maximum(z, 0)
        assert w.state["dead"][name] == dead and w.state["always_on"][name] == on
        assert w.state["steps"][name] == hist.epochs * hist.steps_per_epoch
        line = [ln for ln in w.fig.axes[0].lines if ln.get_label() == name][0]
        np.testing.assert_allclose(line_data(line)[1], hist.loss)
