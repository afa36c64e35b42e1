"""Lecture 8's slider figures: what they draw, checked against independent computations.

(How a figure is read: ``figure_data.py``.)
"""

import numpy as np
import pytest

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
        title = w.fig.axes[1 if name == "SGD" else 2].get_title()
        assert f"dead units {dead}/50, always on {on}/50" in title         # five hidden layers of 10 units
        assert w.state["steps"][name] == hist.epochs * hist.steps_per_epoch
        line = [ln for ln in w.fig.axes[0].lines if ln.get_label() == f"{name}, epoch mean"][0]
        np.testing.assert_allclose(line_data(line)[1], hist.loss)


def test_asgd_widget_draws_both_learning_curves_against_the_step():
    out, X, y, _, _ = asgd_runs("spirals", 0, max_steps=300)
    w = lecture.asgd_vs_sgd(dataset="spirals", seeds=1, max_steps=300)
    ax = w.fig.axes[0]
    for name, (net, hist) in out.items():
        # by hand: 128 training points in batches of 32 are 4 steps per epoch; epoch k ends at step 4k
        assert hist.steps_per_epoch == 4 and len(hist.step_loss) == 4 * len(hist.loss)
        step = [ln for ln in ax.lines if ln.get_label() == f"{name}, batch loss per step"][0]
        epoch = [ln for ln in ax.lines if ln.get_label() == f"{name}, epoch mean"][0]
        sx, sy = line_data(step)
        ex, ey = line_data(epoch)
        np.testing.assert_array_equal(sx, np.arange(1, len(hist.step_loss) + 1))
        np.testing.assert_allclose(sy, hist.step_loss)
        np.testing.assert_array_equal(ex, 4 * np.arange(1, len(hist.loss) + 1))
        # the epoch mean is the mean of its four batch losses (all batches hold 32 samples)
        np.testing.assert_allclose(ey, np.asarray(hist.step_loss).reshape(-1, 4).mean(axis=1), rtol=1e-12)
        assert w.state["step_loss"][name] == list(hist.step_loss)
    assert "below 0.01, or after 300 steps" in w.caption.value and "batch 32" in w.caption.value


def test_mnist_learning_curves_draw_the_results_file():
    import json
    from pathlib import Path

    runs = json.loads((Path(__file__).resolve().parents[2] / "experiments/results/source_000_asgd.json")
                      .read_text())["mnist"]
    p = lecture.mnist_learning_curves()  # seed 0's runs, one panel per learning rate
    assert len([a for a in p.fig.axes if a.get_visible()]) == len({r["lr"] for r in runs})
    for run in (r for r in runs if r.get("seed", 0) == 0):
        (ax,) = [a for a in p.fig.axes if a.get_title().startswith(f"MNIST, lr {run['lr']:g}:")]
        for kind, style in (("training (mean over the epoch)", "-"), ("test (after the epoch)", "--")):
            (ln,) = [ln for ln in ax.lines if ln.get_label() == f"{run['optimizer']}, {kind}"]
            x, yv = line_data(ln)
            np.testing.assert_allclose(yv, run["train_loss" if kind.startswith("training") else "test_loss"])
            assert x.tolist() == list(range(1, len(run["test_loss"]) + 1)) and ln.get_linestyle() == style
        best = min(range(len(run["test_loss"])), key=run["test_loss"].__getitem__) + 1
        assert p.data[(run["optimizer"], run["lr"])]["best_epoch"] == best
    first = runs[0]
    small = lecture.mnist_learning_curves([{**first, "lr": 0.5}], seed=first.get("seed", 0))
    best = min(range(len(first["test_loss"])), key=first["test_loss"].__getitem__) + 1
    assert len(small.fig.axes) == 1 and small.data[(first["optimizer"], 0.5)]["best_epoch"] == best
    seeds = sorted({r.get("seed", 0) for r in runs})
    other = lecture.mnist_learning_curves(seed=seeds[-1])   # another seed's runs
    (run,) = [r for r in runs if r.get("seed", 0) == seeds[-1] and r["optimizer"] == "aSGD" and r["lr"] == 0.01]
    assert other.data[("aSGD", 0.01)]["test_loss"].tolist() == run["test_loss"]
    with pytest.raises(ValueError, match="no MNIST run has seed 99"):
        lecture.mnist_learning_curves(seed=99)
