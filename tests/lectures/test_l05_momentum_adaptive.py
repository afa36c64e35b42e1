"""Lecture 5's slider figures: what they draw, checked against independent computations.

Each widget's update path (``Interactive.update``) is called as a slider
move would call it; the tests read the data of the figure's lines and its
titles and compare them with closed forms or recursions written out here.
"""

import numpy as np
import pytest

from course_lib.lectures import l05_momentum_adaptive as lecture


def line_data(line):
    x, y = line.get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def ravine_matrix(kappa):
    a = np.deg2rad(20.0)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return R @ np.diag([1.0, kappa]) @ R.T


def test_optimizer_race_sgd_and_momentum_paths_are_the_textbook_recursions():
    kappa, lr, beta, steps = 30.0, 0.02, 0.8, 40
    w = lecture.optimizer_race(condition_number=kappa, lr=lr, beta=beta, steps=steps)
    A, x0 = ravine_matrix(kappa), np.array([-1.8, 1.0])
    x, v, y, u = x0.copy(), np.zeros(2), x0.copy(), np.zeros(2)
    sgd, mom = [x.copy()], [y.copy()]
    for _ in range(steps):
        x = x - lr * A @ x
        u = beta * u - lr * A @ y      # Polyak: v = beta v - lr g, w = w + v
        y = y + u
        sgd.append(x.copy())
        mom.append(y.copy())
    np.testing.assert_allclose(w.state["paths"]["SGD"], sgd, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(w.state["paths"]["momentum"], mom, rtol=1e-10, atol=1e-14)
    drawn = {line.get_label(): np.column_stack(line_data(line)) for line in w.fig.axes[0].lines[:8]}
    np.testing.assert_allclose(drawn["SGD"], sgd, rtol=1e-10, atol=1e-14)
    assert set(drawn) == set(lecture.OPTIMIZER_STYLES)
    gaps = w.state["gaps"]["SGD"]
    np.testing.assert_allclose(gaps, [0.5 * p @ A @ p for p in sgd], rtol=1e-10)


def test_optimizer_race_sgd_diverges_beyond_two_over_kappa_and_says_so():
    w = lecture.optimizer_race(condition_number=50.0, lr=0.9 * 2 / 50, steps=300)
    assert not w.state["diverged"]["SGD"]
    w.update(lr=1.1 * 2 / 50)
    assert w.state["diverged"]["SGD"]
    labels = [line.get_label() for line in w.fig.axes[0].lines[:8]]
    assert "SGD (diverged)" in labels
    assert "2/κ" not in w.fig.axes[0].get_title() and "0.04" in w.fig.axes[0].get_title()


def test_optimizer_race_function_choice_applies_its_presets():
    w = lecture.optimizer_race()
    w.controls["function"].value = "rosenbrock"        # as the dropdown does
    preset = lecture.RACE_PRESETS["rosenbrock"]
    assert {k: w.values[k] for k in preset} == preset
    assert w.fig.axes[0].get_title() == "Rosenbrock's valley"
    # with the preset every method stays on the plot and ends lower than it started:
    # f(-1.5, 2) = (1 + 1.5)^2 + 100 (2 - 2.25)^2 = 12.5; plain SGD crawls along the valley floor,
    # momentum and Adam get more than ten times closer
    assert not any(w.state["diverged"].values())
    gap = w.state["final_gap"]
    assert w.state["gaps"]["SGD"][0] == pytest.approx(12.5)
    assert all(g < 12.5 for g in gap.values())
    assert gap["SGD"] > 1 and gap["momentum"] < gap["SGD"] / 5 and gap["Adam"] < gap["SGD"] / 10


def test_momentum_forms_coincide_after_rescaling():
    for beta in (0.0, 0.5, 0.9, 0.99):
        w = lecture.momentum_forms(beta=beta, lr_ema=0.05, steps=80)
        assert w.state["max_difference"] < 1e-12
        if beta > 0:
            same = w.state["paths"]["classical_same_lr"]
            assert np.max(np.abs(same - w.state["paths"]["ema"])) > 1e-3
