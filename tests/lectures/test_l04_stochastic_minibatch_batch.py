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


def _tiny_run(batch_size=8, epochs=3):
    from course_lib import nn, optim
    from course_lib.train import train

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=64)
    net = nn.MLP([3, 8, 1], output="identity", loss="mse", seed=0)
    return train(net, X[:48], y[:48], optim.SGD(0.05), batch_size, epochs, validation=(X[48:], y[48:]),
                 progress=False)


def test_learning_curves_draw_the_epoch_means_mid_epoch_and_validation_after_it():
    h = _tiny_run()
    w = lecture.learning_curves({"run": h, "keras-like": {"loss": [3.0, 2.0], "val_loss": [2.5, 1.5]}},
                                baseline=("mean", 1.0))
    c = w.data["curves"]["run"]
    # the epoch's training loss is the mean of its 6 batch losses (48 samples, batches of 8)
    np.testing.assert_allclose(c["loss"], np.asarray(h.step_loss).reshape(3, 6).mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(c["epoch_x"], [0.5, 1.5, 2.5])
    np.testing.assert_allclose(c["val_x"], [1, 2, 3])
    np.testing.assert_allclose(c["val_loss"], h.val_loss)
    # the per-step curve is source 002's running estimate, at the fraction of an epoch after each step
    q = h.step_loss[0]
    for k, L in enumerate(h.step_loss):
        q = 0.01 * L + 0.99 * q if k else L
        assert c["step_loss"][k] == pytest.approx(q, rel=1e-12)
    np.testing.assert_allclose(c["step_x"], (np.arange(18) + 1) / 6)
    ax = w.fig.axes[0]
    drawn = {line.get_label(): line_data(line) for line in ax.lines}
    np.testing.assert_allclose(drawn["run: validation, after the epoch"][1], h.val_loss)
    np.testing.assert_allclose(drawn["keras-like: training, mean over the epoch (mid-epoch)"][0], [0.5, 1.5])
    assert w.data["steps_per_epoch"] == 6 and ax.get_yscale() == "log"
    assert len(w.fig.axes) == 1   # the loss panel only (no accuracy), with its iteration axis on top
    (top,) = ax.child_axes
    assert top.get_xlabel().startswith("iteration")


def test_learning_curves_thin_long_runs_and_check_their_arguments():
    h = _tiny_run(batch_size=1, epochs=2)                # 96 steps
    c = lecture.learning_curves({"r": h}, per_step="step_loss", max_points=10).data["curves"]["r"]
    np.testing.assert_allclose(c["step_loss"], np.asarray(h.step_loss)[::10])
    with pytest.raises(ValueError, match="per_step"):
        lecture.learning_curves({"r": h}, per_step="loss")
    with pytest.raises(TypeError, match="runs must be"):
        lecture.learning_curves([h])


def test_wine_features_table_states_the_standardised_and_row_normalised_spreads():
    X = np.array([[3.0, 4.0], [4.0, 3.0], [6.0, 8.0]])
    y = np.array([5.0, 6.0, 7.0])
    text = lecture.wine_features(X, y, ("a", "b")).text
    rows = text.splitlines()
    # by hand: column a is 3, 4, 6 (mean 13/3); normalize(axis=1) makes the rows (0.6, 0.8), (0.8, 0.6), (0.6, 0.8)
    std = lambda *v: np.std(v)
    assert rows[2] == f"| a | {13 / 3:.4g} | {std(3, 4, 6):.3g} | 3 | 6 | 1 | {std(0.6, 0.8, 0.6):.2g} |"
    assert rows[3] == f"| b | 5 | {std(4, 3, 8):.3g} | 3 | 8 | 1 | {std(0.8, 0.6, 0.8):.2g} |"
    assert rows[4] == f"| **quality** (target) | 6 | {np.sqrt(2 / 3):.3g} | 5 | 7 | (not scaled) | (not scaled) |"


def test_noise_ball_answer_is_the_paths_of_minibatch_sgd():
    text = lecture.noise_ball_answer(batch_size=1, lrs=(0.5, 0.05), epochs=3).text
    assert text.startswith("<details>")
    F = logistic_clouds()
    for lr in (0.5, 0.05):   # SGD written out: one sample per step, the batches of seed 0's permutations
        rng = np.random.default_rng(0)
        x = np.array([-2.0, 2.5])
        gaps = [F(x) - F.fmin]
        for _ in range(3):
            for i in rng.permutation(F.n):
                m = F.y[i] * (F.X[i] @ x)
                x = x - lr * (-(F.X[i] * F.y[i]) / (1 + np.exp(m)) + 2 * F.lam * x)
                gaps.append(F(x) - F.fmin)
        gaps = np.array(gaps)
        assert f"| {lr:g} | {gaps[1:257].mean():.2e} | {gaps[-256:].mean():.2e} |" in text


def test_wine_steps_answer_counts_the_steps_of_each_run():
    h1, h8 = _tiny_run(batch_size=1, epochs=2), _tiny_run(batch_size=8, epochs=2)
    text = lecture.wine_steps_answer({"b1": h1, "b8": h8}).text
    assert f"| b1 | 48 | 96 | {h1.loss[-1]:.3f} | {h1.val_loss[-1]:.3f} |" in text
    assert f"| b8 | 6 | 12 | {h8.loss[-1]:.3f} | {h8.val_loss[-1]:.3f} |" in text
