"""Assignment 8, mini-batches and schedules (lecture 4): the checks of an epoch's shuffled batches,
the mini-batch gradient of regularised logistic regression, mini-batch SGD, source 002's running
loss estimate, step decay and the learning rate of every step of an inverse-time schedule.

Each check runs the student's function against the ``course_lib`` reference
(``train.batch_indices``, ``functions.LogisticRegression``,
``train.minibatch_sgd``, ``train.running_loss_estimate``, ``schedules``) on
seeded random inputs through ``engine.check_function`` and names the likely
mistake (see ``course_lib.exercises``).

Conventions the questions state (those of ``course_lib.train``): an epoch's
order is one call ``rng.permutation(n)``, cut into consecutive batches of
``batch_size`` (the last may be smaller); the loss is source ``000``'s
``F(w) = (1/n) sum_i log(1 + exp(-y_i x_i'w)) + lam ||w||^2`` with labels -1
and +1; a schedule's epoch counts from 0 and the rate is set at the start of
every epoch.
"""

from __future__ import annotations

import numpy as np

from .. import schedules as _schedules
from .. import train as _train
from ..functions import LogisticRegression, logistic_clouds
from ..nn import sigmoid
from . import engine
from .engine import case_rng


def _as_tuple_of_arrays(student, name):
    """The student's list of batches as a tuple of arrays (each batch is one output of the comparison)."""
    def wrapped(*args):
        return tuple(np.asarray(b) for b in student(*args))

    wrapped.__name__ = name
    wrapped.runs_in_kernel = getattr(student, "runs_in_kernel", False)
    return wrapped


def epoch_batches(student, seed=None) -> int:
    """``epoch_batches(n, batch_size, rng)``: ``rng.permutation(n)`` cut into batches of batch_size (last smaller)."""
    rng = case_rng(seed, 80)
    cases = [((n, b, np.random.default_rng(int(rng.integers(2 ** 32)))), {})
             for n, b in ((10, 3), (12, 4), (7, 7), (int(rng.integers(20, 60)), int(rng.integers(2, 9))), (5, 1))]

    def reference(n, batch_size, rng):
        return tuple(_train.batch_indices(n, batch_size, True, rng))

    def cut(order, batch_size):
        return tuple(_train.batches_of(order, batch_size))

    return engine.check_function(_as_tuple_of_arrays(student, "epoch_batches"), reference, cases,
                                  name="epoch_batches", rtol=0.0, atol=0.0, variants={
        "the last, smaller batch is part of the epoch too: every sample is visited once (ceil(n / batch_size) batches)":
            lambda n, b, rng: reference(n, b, rng)[:n // b],
        "the samples must be shuffled with the given rng (one call rng.permutation(n)), not taken in order":
            lambda n, b, rng: cut(np.arange(n), b),
        "an epoch visits every sample exactly once: draw a permutation, not n indices with replacement":
            lambda n, b, rng: cut(rng.integers(0, n, n), b)})


def _logistic_case(rng: np.random.Generator, n: int, d: int, batch: int):
    X = rng.normal(size=(n, d))
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    lam = float(10 ** rng.uniform(-3, -1))
    return X, y, lam, rng.normal(size=d), rng.permutation(n)[:batch]


def minibatch_gradient(student, seed=None) -> int:
    """``minibatch_gradient(X, y, lam, w, idx)``: -(1/|B|) sum_B sigma(-m_i) y_i x_i + 2 lam w, m_i = y_i x_i'w."""
    rng = case_rng(seed, 81)
    cases = [(_logistic_case(rng, n, d, b), {}) for n, d, b in ((20, 3, 5), (8, 2, 1), (30, 4, 30))]
    clouds = logistic_clouds(64, 0.01, int(rng.integers(1000)))
    cases.append(((np.array(clouds.X), np.array(clouds.y), clouds.lam, rng.normal(size=2),
                   rng.permutation(64)[:16]), {}))

    def reference(X, y, lam, w, idx):
        return LogisticRegression(X, y, lam).batch_gradient(w, idx)

    def data_term(X, y, lam, w, idx):
        return reference(X, y, lam, w, idx) - 2 * lam * w

    def sigmoid_of_margin(X, y, lam, w, idx):
        m = y[idx] * (X[idx] @ w)
        return -(sigmoid(m) * y[idx]) @ X[idx] / len(idx) + 2 * lam * w

    return engine.check_function(student, reference, cases, name="minibatch_gradient", rtol=1e-9, atol=1e-12,
                                  variants={
        "the batch gradient is the MEAN over the batch (divide the sum by |B|)":
            lambda X, y, lam, w, idx: len(idx) * data_term(X, y, lam, w, idx) + 2 * lam * w,
        "the penalty lam ||w||^2 (no 1/2) has gradient 2 lam w, not lam w":
            lambda X, y, lam, w, idx: data_term(X, y, lam, w, idx) + lam * w,
        "divide by the batch size |B|, not by the number of samples n":
            lambda X, y, lam, w, idx: len(idx) / len(X) * data_term(X, y, lam, w, idx) + 2 * lam * w,
        "d/dm log(1 + exp(-m)) = -sigma(-m), not -sigma(m)": sigmoid_of_margin})


def minibatch_sgd(student, seed=None) -> int:
    """``minibatch_sgd(X, y, lam, w0, lr, batch_size, epochs, rng)``: a new permutation each epoch; the path."""
    rng = case_rng(seed, 82)
    cases = []
    for n, d, b, epochs, lr in ((12, 2, 5, 3, 0.5), (9, 3, 1, 2, 0.2), (16, 2, 16, 4, 1.0)):
        X, y, lam, w0, _ = _logistic_case(rng, n, d, 1)
        cases.append(((X, y, lam, w0, lr, b, epochs, np.random.default_rng(int(rng.integers(2 ** 32)))), {}))

    def reference(X, y, lam, w0, lr, batch_size, epochs, rng):
        return _train.minibatch_sgd(LogisticRegression(X, y, lam), w0, lr, batch_size, epochs, seed=rng).path

    def sgd(X, y, lam, w0, lr, orders):
        """The path of SGD over the given sample orders (one per epoch), with the reference's gradient."""
        F, w, path = LogisticRegression(X, y, lam), np.array(w0, dtype=float), [np.array(w0, dtype=float)]
        for batches in orders:
            for idx in batches:
                w = w - lr * F.batch_gradient(w, idx)
                path.append(w)
        return np.array(path)

    def same_order(X, y, lam, w0, lr, b, epochs, rng):
        return sgd(X, y, lam, w0, lr, [_train.batch_indices(len(X), b, True, rng)] * epochs)

    def in_order(X, y, lam, w0, lr, b, epochs, rng):
        return sgd(X, y, lam, w0, lr, [_train.batches_of(np.arange(len(X)), b)] * epochs)

    return engine.check_function(student, reference, cases, name="minibatch_sgd", rtol=1e-9, atol=1e-12, variants={
        "every epoch draws a new order (call your epoch_batches with the same rng once per epoch), not one order "
        "reused": same_order,
        "the batches must be shuffled with the given rng, not taken in order": in_order})


def running_loss(student, seed=None) -> int:
    """``running_loss(losses, lam)``: Q_0 = L_0, Q_k = lam L_k + (1 - lam) Q_{k-1} (source 002)."""
    rng = case_rng(seed, 83)
    cases = [((np.abs(rng.normal(1.0, 0.5, size=k)), lam), {})
             for k, lam in ((10, 0.1), (1, 0.3), (40, float(rng.uniform(0.01, 0.5))), (5, 0.9))]
    return engine.check_function(student, _train.running_loss_estimate, cases, name="running_loss", rtol=1e-10,
                                  atol=1e-12, variants={
        "the estimate starts at the first loss, Q_0 = L_0; starting from Q = 0 drags it towards 0 for about "
        "1/lam steps": lambda L, lam: _train.running_loss_estimate(L, lam, start=0.0),
        "the weights are swapped: the new loss gets lam, the estimate so far 1 - lam":
            lambda L, lam: _train.running_loss_estimate(L, 1.0 - lam),
        "this is the plain mean of all losses so far; source 002's estimate weights recent steps more":
            lambda L, lam: np.cumsum(L) / np.arange(1, len(L) + 1)})


def step_decay(student, seed=None) -> int:
    """``step_decay(lr0, factor, every, epoch)``: lr0 * factor ** floor(epoch / every)."""
    rng = case_rng(seed, 84)
    cases = []
    for lr0, factor, every in ((0.1, 0.5, 10), (1.0, 0.1, 3), (float(rng.uniform(0.01, 1.0)),
                                                               float(rng.uniform(0.2, 0.9)), int(rng.integers(2, 20)))):
        for k in (0, 1, every - 1, every, int(rng.integers(every + 1, 5 * every)), 3 * every):
            cases.append(((lr0, factor, every, k), {}))

    def reference(lr0, factor, every, k):
        return _schedules.step_decay(lr0, factor, every)(k)

    return engine.check_function(student, reference, cases, name="step_decay", rtol=1e-12, atol=0.0, variants={
        "epochs count from 0: epochs 0 .. every - 1 train with lr0, the first drop is at epoch every":
            lambda lr0, f, e, k: reference(lr0, f, e, k + 1),
        "the number of drops so far is floor(epoch / every), not ceil":
            lambda lr0, f, e, k: lr0 * f ** -(-k // e),
        "the rate drops in steps: the exponent is floor(epoch / every), not epoch / every (that is exponential decay)":
            lambda lr0, f, e, k: lr0 * f ** (k / e)})


def step_learning_rates(student, seed=None) -> int:
    """``step_learning_rates(lr0, decay, n, batch_size, epochs)``: inverse-time per epoch, repeated for its steps."""
    rng = case_rng(seed, 85)
    cases = [((0.1, 0.5, 10, 3, 4), {}), ((1.0, 0.01, 60, 16, 3), {}), ((0.5, 1.0, 8, 8, 5), {}),
             ((float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.05, 2.0)), int(rng.integers(20, 200)),
               int(rng.integers(3, 30)), int(rng.integers(2, 8))), {})]

    def per_epoch(lr0, decay, epochs):
        return _schedules.inverse_time(lr0, decay)(np.arange(epochs))

    def reference(lr0, decay, n, batch_size, epochs):
        return np.repeat(per_epoch(lr0, decay, epochs), _train.batches_per_epoch(n, batch_size))

    return engine.check_function(student, reference, cases, name="step_learning_rates", rtol=1e-12, atol=0.0,
                                  variants={
        "the schedule counts epochs, not steps: the rate is set once per epoch and held for its "
        "ceil(n / batch_size) steps": lambda lr0, d, n, b, e: _schedules.inverse_time(lr0, d)(
            np.arange(e * _train.batches_per_epoch(n, b))),
        "an epoch has ceil(n / batch_size) steps: the last, smaller batch is a step too":
            lambda lr0, d, n, b, e: np.repeat(per_epoch(lr0, d, e), n // b),
        "epochs count from 0: the first epoch trains with lr0":
            lambda lr0, d, n, b, e: np.repeat(_schedules.inverse_time(lr0, d)(np.arange(1, e + 1)),
                                              _train.batches_per_epoch(n, b))})
