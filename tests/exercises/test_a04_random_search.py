"""The hidden tests: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them.
"""

import numpy as np
import pytest

from course_lib.exercises import a04_random_search as checks
from course_lib.exercises.engine import GradingError


def test_perceptron_weights_are_evaluated_on_the_exercises_own_data():
    from course_lib.perceptron import PerceptronProblem, make_separable_data
    from course_lib.random_search import finite_difference_search

    X, y, _ = make_separable_data(200, np.random.default_rng(0), n_features=2)
    w = finite_difference_search(PerceptronProblem(X, y).loss, np.zeros(3), 5.0, 0.1, 400, np.random.default_rng(1))[0]
    assert checks.perceptron_weights(w) == 1
    with pytest.raises(GradingError, match="the perceptron's training accuracy is"):
        checks.perceptron_weights(np.zeros(3))
    with pytest.raises(GradingError, match="w must be 3 finite numbers"):
        checks.perceptron_weights(np.zeros(2))


def test_random_search_checks():
    def fd_step(loss, w, lr, sigma, rng):
        dW = sigma * rng.standard_normal(size=w.shape)
        return w - lr * (loss(w + dW) - loss(w - dW)) * dW

    def search(loss, w0, lr, sigma, n_steps, rng):
        w = np.array(w0, dtype=float)
        for _ in range(n_steps):
            w = fd_step(loss, w, lr, sigma, rng)
        return w

    def ars(M, deltas, rp, rm, step, b):
        idx = np.argsort(-np.maximum(rp, rm), kind="stable")[:b]
        sigma = np.std(np.concatenate([rp[idx], rm[idx]]))
        return M + step / (b * sigma) * np.tensordot(rp[idx] - rm[idx], deltas[idx], axes=1)

    assert checks.finite_difference_step(fd_step) == 3
    assert checks.random_search(search) == 2
    assert checks.ars_update(ars) == 3
    with pytest.raises(GradingError, match="the sign is the slide's"):
        checks.finite_difference_step(lambda loss, w, lr, s, rng: 2 * w - fd_step(loss, w, lr, s, rng))
    with pytest.raises(GradingError, match="divided by sigma_R"):
        checks.ars_update(lambda M, d, rp, rm, step, b: M + (ars(M, d, rp, rm, step, b) - M)
                      * np.std(np.concatenate([rp[np.argsort(-np.maximum(rp, rm), kind="stable")[:b]],
                                               rm[np.argsort(-np.maximum(rp, rm), kind="stable")[:b]]])))
    with pytest.raises(GradingError, match=r"only the top b directions \(by max\(r\+, r-\)\) enter the sum"):
        checks.ars_update(lambda M, d, rp, rm, step, b: ars(M, d, rp, rm, step, len(rp)))

    def slide_step(loss, w, lr, sigma, rng):  # the slide's sign, written out
        dW = sigma * rng.standard_normal(size=w.shape)
        return w + lr * (loss(w + dW) - loss(w - dW)) * dW

    with pytest.raises(GradingError, match="the sign is the slide's"):
        checks.finite_difference_step(slide_step)


def test_a_seed_may_be_a_generator_and_an_int_draws_what_its_generator_draws():
    seen = {}

    def spy(key):
        def ars(M, deltas, rp, rm, step, b):
            seen.setdefault(key, []).append(deltas.copy())
            idx = np.argsort(-np.maximum(rp, rm), kind="stable")[:b]
            sigma = np.std(np.concatenate([rp[idx], rm[idx]]))
            return M + step / (b * sigma) * np.tensordot(rp[idx] - rm[idx], deltas[idx], axes=1)
        return ars

    checks.ars_update(spy("int"), seed=987654321987)
    checks.ars_update(spy("generator"), seed=np.random.default_rng(987654321987))
    assert len(seen["int"]) == 3 and all(np.array_equal(a, b) for a, b in zip(seen["int"], seen["generator"]))
