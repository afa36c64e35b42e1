"""Lecture 6's slider figures: what they draw, checked against independent computations.

Each widget's update path (``Interactive.update``) is called as a slider
move would call it; the tests read the data of the figure's lines and its
titles and compare them with closed forms or recursions written out here.
"""

import numpy as np

from course_lib.lectures import l06_random_search as lecture


def test_random_search_race_counts_evaluations_and_runs_gd_exactly():
    from course_lib.random_search import make_separable_data

    w = lecture.random_search_race(dim=5, budget=400)
    curves = w.state["curves"]
    for name, (evals, loss) in curves.items():
        assert evals[0] == 0 and evals[-1] <= 400, name
        assert np.all(np.diff(evals) > 0), name
    rng = np.random.default_rng(0)
    X, y, _ = make_separable_data(lecture.N_POINTS, rng, n_features=5)
    y = np.where(rng.random(len(y)) < 0.1, 1.0 - y, y)
    Xa = np.hstack([X, np.ones((len(X), 1))])
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
