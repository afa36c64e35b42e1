"""The hidden tests of assignment 8: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them.
"""

import numpy as np
import pytest

from course_lib import functions, train
from course_lib.exercises import a08_minibatch_schedules as checks
from course_lib.exercises.engine import GradingError, UsedReference


def epoch_batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[s:s + batch_size] for s in range(0, n, batch_size)]


def minibatch_gradient(X, y, lam, w, idx):
    Xb, yb = X[idx], y[idx]
    m = yb * (Xb @ w)
    return -(yb / (1 + np.exp(m))) @ Xb / len(idx) + 2 * lam * w     # sigma(-m) = 1 / (1 + e^m)


def minibatch_sgd(X, y, lam, w0, lr, batch_size, epochs, rng):
    path = [np.array(w0, dtype=float)]
    for _ in range(epochs):
        for idx in epoch_batches(len(X), batch_size, rng):
            path.append(path[-1] - lr * minibatch_gradient(X, y, lam, path[-1], idx))
    return np.array(path)


def running_loss(losses, lam):
    out, q = [], None
    for L in losses:
        q = L if q is None else lam * L + (1 - lam) * q
        out.append(q)
    return np.array(out)


def step_decay(lr0, factor, every, epoch):
    return lr0 * factor ** (epoch // every)


def step_learning_rates(lr0, decay, n, batch_size, epochs):
    steps = -(-n // batch_size)
    return np.array([lr0 / (1 + decay * k) for k in range(epochs) for _ in range(steps)])


def test_by_hand():
    # 10 samples in batches of 3: 4 batches, the last of 1; every sample once
    batches = epoch_batches(10, 3, np.random.default_rng(0))
    assert [len(b) for b in batches] == [3, 3, 3, 1] and sorted(np.concatenate(batches)) == list(range(10))
    # one sample x = (1, 0), y = 1, w = 0: margin 0, sigma(0) = 1/2, gradient -(1/2) x + 0
    assert np.allclose(minibatch_gradient(np.array([[1.0, 0.0]]), np.array([1.0]), 0.1, np.zeros(2), np.array([0])),
                       [-0.5, 0.0])
    assert np.allclose(running_loss(np.array([1.0, 0.0, 0.0]), 0.5), [1.0, 0.5, 0.25])
    assert [step_decay(1.0, 0.5, 2, k) for k in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert np.allclose(step_learning_rates(1.0, 1.0, 5, 2, 2), [1, 1, 1, 0.5, 0.5, 0.5])


def test_the_student_gradient_is_the_librarys_finite_sum():
    F = functions.logistic_clouds(32, 0.05, 1)
    w, idx = np.array([0.3, -0.2]), np.arange(32)
    assert np.allclose(minibatch_gradient(np.array(F.X), np.array(F.y), F.lam, w, idx), F.grad(w), rtol=1e-12)


def test_the_reference_passes():
    assert checks.epoch_batches(epoch_batches) == 5
    assert checks.minibatch_gradient(minibatch_gradient) == 4
    assert checks.minibatch_sgd(minibatch_sgd) == 3
    assert checks.running_loss(running_loss) == 4
    assert checks.step_decay(step_decay) == 18
    assert checks.step_learning_rates(step_learning_rates) == 4
    for seed in (7, 2**33 + 1):
        for check, fn in ((checks.epoch_batches, epoch_batches), (checks.minibatch_sgd, minibatch_sgd),
                          (checks.step_decay, step_decay), (checks.minibatch_gradient, minibatch_gradient)):
            check(fn, seed=seed)


def test_each_mistake_is_named():
    def floor_batches(n, b, rng):
        return epoch_batches(n, b, rng)[:n // b]

    def ordered(n, b, rng):
        return [np.arange(n)[s:s + b] for s in range(0, n, b)]

    def replaced(n, b, rng):
        order = rng.integers(0, n, n)
        return [order[s:s + b] for s in range(0, n, b)]

    with pytest.raises(GradingError, match="the last, smaller batch is part of the epoch"):
        checks.epoch_batches(floor_batches)
    with pytest.raises(GradingError, match="must be shuffled with the given rng"):
        checks.epoch_batches(ordered)
    with pytest.raises(GradingError, match="not n indices with replacement"):
        checks.epoch_batches(replaced)

    def summed(X, y, lam, w, idx):
        m = y[idx] * (X[idx] @ w)
        return -(y[idx] / (1 + np.exp(m))) @ X[idx] + 2 * lam * w

    def half_penalty(X, y, lam, w, idx):
        return minibatch_gradient(X, y, lam, w, idx) - lam * w

    def over_n(X, y, lam, w, idx):
        m = y[idx] * (X[idx] @ w)
        return -(y[idx] / (1 + np.exp(m))) @ X[idx] / len(X) + 2 * lam * w

    def wrong_sigmoid(X, y, lam, w, idx):
        m = y[idx] * (X[idx] @ w)
        return -(y[idx] / (1 + np.exp(-m))) @ X[idx] / len(idx) + 2 * lam * w

    with pytest.raises(GradingError, match="is the MEAN over the batch"):
        checks.minibatch_gradient(summed)
    with pytest.raises(GradingError, match="has gradient 2 lam w, not lam w"):
        checks.minibatch_gradient(half_penalty)
    with pytest.raises(GradingError, match="not by the number of samples n"):
        checks.minibatch_gradient(over_n)
    with pytest.raises(GradingError, match=r"-sigma\(-m\), not -sigma\(m\)"):
        checks.minibatch_gradient(wrong_sigmoid)

    def one_order(X, y, lam, w0, lr, b, epochs, rng):
        path, batches = [np.array(w0, dtype=float)], epoch_batches(len(X), b, rng)
        for _ in range(epochs):
            for idx in batches:
                path.append(path[-1] - lr * minibatch_gradient(X, y, lam, path[-1], idx))
        return np.array(path)

    def no_shuffle(X, y, lam, w0, lr, b, epochs, rng):
        path = [np.array(w0, dtype=float)]
        for _ in range(epochs):
            for idx in ordered(len(X), b, rng):
                path.append(path[-1] - lr * minibatch_gradient(X, y, lam, path[-1], idx))
        return np.array(path)

    with pytest.raises(GradingError, match="every epoch draws a new order"):
        checks.minibatch_sgd(one_order)
    with pytest.raises(GradingError, match="must be shuffled with the given rng"):
        checks.minibatch_sgd(no_shuffle)

    def from_zero(losses, lam):
        out, q = [], 0.0
        for L in losses:
            q = lam * L + (1 - lam) * q
            out.append(q)
        return np.array(out)

    with pytest.raises(GradingError, match="starts at the first loss"):
        checks.running_loss(from_zero)
    with pytest.raises(GradingError, match="the weights are swapped"):
        checks.running_loss(lambda losses, lam: running_loss(losses, 1 - lam))
    with pytest.raises(GradingError, match="plain mean of all losses"):
        checks.running_loss(lambda losses, lam: np.cumsum(losses) / np.arange(1, len(losses) + 1))

    with pytest.raises(GradingError, match="epochs count from 0"):
        checks.step_decay(lambda lr0, f, e, k: lr0 * f ** ((k + 1) // e))
    with pytest.raises(GradingError, match="not ceil"):
        checks.step_decay(lambda lr0, f, e, k: lr0 * f ** -(-k // e))
    with pytest.raises(GradingError, match="that is exponential decay"):
        checks.step_decay(lambda lr0, f, e, k: lr0 * f ** (k / e))

    def per_step(lr0, decay, n, b, epochs):
        return np.array([lr0 / (1 + decay * s) for s in range(epochs * -(-n // b))])

    def floor_steps(lr0, decay, n, b, epochs):
        return np.array([lr0 / (1 + decay * k) for k in range(epochs) for _ in range(n // b)])

    def from_one(lr0, decay, n, b, epochs):
        return np.array([lr0 / (1 + decay * k) for k in range(1, epochs + 1) for _ in range(-(-n // b))])

    with pytest.raises(GradingError, match="the schedule counts epochs, not steps"):
        checks.step_learning_rates(per_step)
    with pytest.raises(GradingError, match="the last, smaller batch is a step too"):
        checks.step_learning_rates(floor_steps)
    with pytest.raises(GradingError, match="the first epoch trains with lr0"):
        checks.step_learning_rates(from_one)


def test_calling_the_reference_is_refused():
    with pytest.raises(UsedReference, match=r"course_lib.train.batch_indices"):
        checks.epoch_batches(lambda n, b, rng: train.batch_indices(n, b, True, rng))
    with pytest.raises(UsedReference, match=r"course_lib.train.running_loss_estimate"):
        checks.running_loss(lambda losses, lam: train.running_loss_estimate(losses, lam))
    with pytest.raises(UsedReference, match="calls the reference implementation"):
        checks.minibatch_gradient(lambda X, y, lam, w, idx: functions.LogisticRegression(X, y, lam)
                                  .batch_gradient(w, idx))


def test_other_correct_ways_pass_for_every_student():
    """Correct answers written differently (np.array_split, another sigmoid, the incremental mean form) pass."""
    def batches_split(n, batch_size, rng):
        return np.array_split(rng.permutation(n), range(batch_size, n, batch_size))

    def gradient_other(X, y, lam, w, idx):
        m = y[idx] * X[idx].dot(w)
        return np.mean(-(y[idx] * np.exp(-m) / (1 + np.exp(-m)))[:, None] * X[idx], axis=0) + lam * 2 * w

    def running_incremental(losses, lam):
        out = np.array(losses, dtype=float)
        for k in range(1, len(out)):
            out[k] = out[k - 1] + lam * (out[k] - out[k - 1])
        return out

    for seed in [None, *range(30)]:
        checks.epoch_batches(batches_split, seed=seed)
        checks.minibatch_gradient(gradient_other, seed=seed)
        checks.running_loss(running_incremental, seed=seed)
        checks.step_decay(lambda lr0, f, e, k: lr0 * f ** np.floor(k / e), seed=seed)
        checks.step_learning_rates(lambda lr0, d, n, b, e: np.repeat(lr0 / (1 + d * np.arange(e)), int(np.ceil(n / b))),
                                   seed=seed)
