"""Lecture 4's slider figures: what they draw, checked against independent computations.

(How a figure is read: ``figure_data.py``.)
"""

import numpy as np
import pytest

from course_lib.functions import logistic_clouds
from course_lib.lectures import l04_stochastic_minibatch_batch as lecture
from figure_data import line_data


def test_full_batch_path_is_gradient_descent_on_F():
    w = lecture.minibatch_descent(batch_size=256, lr=0.5, epochs=4)
    F = logistic_clouds()
    x = np.array([-2.0, 2.5])
    expected = [x]
    for _ in range(4):
        m = F.y * (F.X @ x)
        grad = -(F.X.T @ (F.y / (1 + np.exp(m)))) / F.n + 2 * F.lam * x   # source 000 (16), corrected
        x = x - 0.5 * grad
        expected.append(x)
    np.testing.assert_allclose(w.state["batch_path"], expected, rtol=1e-12)
    np.testing.assert_allclose(w.state["path"], expected, rtol=1e-12)  # batch = n: the same run
    assert w.state["steps_per_epoch"] == 1


def test_small_batches_end_in_a_larger_noise_ball():
    w = lecture.minibatch_descent(batch_size=1, lr=0.5, epochs=10)
    small = np.mean(w.state["gap"][-256:])
    w.update(batch_size=64)
    large = np.mean(w.state["gap"][-4:])
    assert small > 5 * large


def test_gradient_noise_is_unbiased_with_the_predicted_variance():
    w = lecture.gradient_noise(batch_size=1, draws=4000)
    F = logistic_clouds()
    x = np.array([-1.0, 1.5])
    m = F.y * (F.X @ x)
    per = -(F.X * (F.y / (1 + np.exp(m)))[:, None]) + 2 * F.lam * x
    g = per.mean(axis=0)
    np.testing.assert_allclose(w.state["full_gradient"], g, rtol=1e-12)
    S2 = per.var(axis=0, ddof=1).sum()
    for B in (1, 8, 64):
        s = w.update(batch_size=B)
        predicted = S2 / B * (1 - B / F.n)
        assert s["predicted_variance"] == pytest.approx(predicted)
        assert s["variance"] == pytest.approx(predicted, rel=0.1)
        se = np.sqrt(predicted / 4000)
        assert np.linalg.norm(s["estimates"].mean(axis=0) - g) < 5 * se
    assert w.update(batch_size=256)["variance"] == pytest.approx(0.0, abs=1e-30)


def test_running_loss_is_the_exponential_average_of_source_002():
    w = lecture.running_loss(lam=0.1, steps=300)
    L, Q = w.state["sample_loss"], w.state["Q"]
    q = L[0]
    for k in range(300):
        q = 0.1 * L[k] + 0.9 * q
        assert Q[k] == pytest.approx(q, rel=1e-12)
    F = logistic_clouds()
    assert w.state["true_loss"][0] == pytest.approx(F(np.array([-2.0, 2.5])))
    _, drawn = line_data(w.fig.axes[0].lines[-1])
    np.testing.assert_allclose(drawn, Q)


def test_schedules_drawn_are_the_formulas():
    w = lecture.schedule_explorer(lr0=0.2, decay=0.05, base=0.9, every=7, lr_final=1e-3, epochs=50)
    k = np.arange(51)
    c = w.state["curves"]
    np.testing.assert_allclose(c["inverse time"], 0.2 / (1 + 0.05 * k))
    np.testing.assert_allclose(c["exponential"], 0.2 * 0.9 ** k)
    np.testing.assert_allclose(c["inverse sqrt"], 0.2 / np.sqrt(1 + k))
    np.testing.assert_allclose(c["step decay"], 0.2 * 0.5 ** (k // 7))
    np.testing.assert_allclose(c["linear (003)"], 0.2 + (1e-3 - 0.2) * k / 50)
    labels = [line.get_label() for line in w.fig.axes[0].lines]
    assert any(lab.startswith("exponential: ") and f"{0.2 * 0.9 ** 50:.1e}" in lab for lab in labels)
