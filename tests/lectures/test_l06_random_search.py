"""Lecture 6's slider figures: what they draw, checked against independent computations.

(How a figure is read: ``figure_data.py``.)
"""

import numpy as np
import pytest

from course_lib.lectures import l06_random_search as lecture


def _lecture_data(dim):
    """The lecture's data: 200 separable points with 10% of the labels flipped, from seed 0."""
    from course_lib.perceptron import make_separable_data

    X, y, _ = make_separable_data(lecture.N_POINTS, 0, n_features=dim, flip=0.1)
    return np.hstack([X, np.ones((len(X), 1))]), y


def _loss(Xa, y, v):
    """J(v) = mean(log(1 + e^z) - y z), z = [X, 1] v: the logistic loss written out."""
    z = Xa @ v
    return np.mean(np.logaddexp(0, z) - y * z)


def test_random_search_race_counts_evaluations_and_runs_gd_exactly():
    w = lecture.random_search_race(dim=5, budget=400)
    curves = w.state["curves"]
    for name, (evals, loss) in curves.items():
        assert evals[0] == 0 and evals[-1] <= 400, name
        assert np.all(np.diff(evals) > 0), name
    Xa, y = _lecture_data(5)
    v = np.zeros(6)
    losses = []
    for _ in range(200):
        z = Xa @ v
        losses.append(np.mean(np.logaddexp(0, z) - y * z))
        v = v - 1.0 * Xa.T @ (1 / (1 + np.exp(-z)) - y) / len(y)
    e, L = curves["GD, exact gradient (backprop)"]
    np.testing.assert_allclose(L[:200], losses, rtol=1e-10)
    assert e[:3].tolist() == [0, 2, 4]
    en, Ln = curves["GD, central-difference gradient"]
    assert en[1] == 12  # 2 (d + 1) evaluations per step
    np.testing.assert_allclose(Ln, losses[:len(Ln)], rtol=1e-6)  # the numerical gradient is that accurate


def test_random_search_race_draws_the_true_loss_of_the_finite_difference_iterates():
    # Not the free estimate (L+ + L-) / 2: J itself at w0 and after every step, the steps written out by
    # hand (source 001 with the sign corrected: dW = sigma z, w <- w - lr (L+ - L-) dW, lr = 1 / (2 sigma^2),
    # directions from seed + 1 = 1), at 2 evaluations per step.
    sigma = 0.05
    w = lecture.random_search_race(dim=5, sigma=sigma, budget=400)
    e, L = w.state["curves"]["finite differences (001)"]
    Xa, y = _lecture_data(5)
    gen, v, lr = np.random.default_rng(1), np.zeros(6), 1.0 / (2 * sigma ** 2)
    losses = [_loss(Xa, y, v)]
    for _ in range(200):
        dW = sigma * gen.standard_normal(6)
        v = v - lr * (_loss(Xa, y, v + dW) - _loss(Xa, y, v - dW)) * dW
        losses.append(_loss(Xa, y, v))
    assert e.tolist() == list(range(0, 402, 2))
    np.testing.assert_allclose(L, losses, rtol=1e-8)


def test_race_table_shows_the_race_runs_and_counts_their_steps():
    table = lecture.race_table(dims=(3, 5), sigma=0.05, n_directions=4, budget=400)
    rows = [r for r in table.text.splitlines() if r.startswith("| 3 |") or r.startswith("| 5 |")]
    assert len(rows) == 2 and f"J = {np.log(2):.3f} at the start" in table.text
    for dim, row in zip((3, 5), rows):
        w = lecture.random_search_race(dim=dim, sigma=0.05, n_directions=4, budget=400)
        cells = [c.strip() for c in row.strip("|").split("|")[1:]]
        steps = [400 // (2 * (dim + 1)), 200, 200, 400 // 8]       # 2(d + 1), 2, 2 and 2N evaluations per step
        for name, cell, n in zip(lecture.NAMES, cells, steps):
            assert cell == f"{n} steps: {w.state['final'][name]:.3f}", (dim, name)
        Xa, y = _lecture_data(dim)
        assert _loss(Xa, y, np.zeros(dim + 1)) == pytest.approx(np.log(2))
