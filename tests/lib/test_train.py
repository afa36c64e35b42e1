"""course_lib.train: the loop restated by hand, History, schedules, early stopping, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import optim, schedules
from course_lib.data import make_circles, make_spirals, train_test_split
from course_lib.functions import logistic_regression
from course_lib.nn import MLP, RegularizedMLP
from course_lib.train import (
    EarlyStopping,
    TrainingDiverged,
    asgd_runs,
    batchnorm_runs,
    mnist_subsets,
    regularization_runs,
    symmetry_runs,
    batch_indices,
    batches_of,
    batches_per_epoch,
    minibatch_sgd,
    running_loss_estimate,
    train,
)


def problem(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1)
    return X, y


def hand_loop(net, X, y, lr, batch_size, epochs, seed, shuffle=True, lrs=None):
    """The training loop of the slides, written out: shuffle, slice, backprop, w -= lr g."""
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(epochs):
        rate = lr if lrs is None else lrs[epoch]
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        for s in range(0, len(X), batch_size):
            idx = order[s:s + batch_size]
            loss, grads = net.loss_and_grads(X[idx], y[idx])
            for p, g in zip(net.params, grads):
                p -= rate * g
            losses.append(loss)
    return losses


@pytest.mark.parametrize("batch_size,shuffle", [(1, True), (7, True), (60, False), (16, False)])
def test_train_is_the_hand_written_loop(batch_size, shuffle):
    X, y = problem()
    a, b = MLP([4, 6, 3], seed=1), MLP([4, 6, 3], seed=1)
    expect = hand_loop(a, X, y, 0.1, batch_size, 3, seed=4, shuffle=shuffle)
    hist = train(b, X, y, optim.SGD(0.1), batch_size, 3, seed=4, shuffle=shuffle, progress=False)
    np.testing.assert_allclose(hist.step_loss, expect, rtol=1e-13)
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(q, p, rtol=1e-12, atol=1e-15)
    per_epoch = math.ceil(60 / batch_size)  # the last batch may be smaller
    assert hist.steps_per_epoch == per_epoch and hist.steps == 3 * per_epoch
    assert hist.epochs == 3


def test_batch_gradient_descent_is_one_step_per_epoch_on_the_full_gradient():
    X, y = problem()
    net = MLP([4, 5, 3], seed=2)
    ref = MLP([4, 5, 3], seed=2)
    hist = train(net, X, y, optim.SGD(0.5), batch_size=len(X), epochs=4, progress=False)
    for _ in range(4):
        _, grads = ref.loss_and_grads(X, y)
        for p, g in zip(ref.params, grads):
            p -= 0.5 * g
    assert hist.steps == 4
    for p, q in zip(ref.params, net.params):
        np.testing.assert_allclose(q, p, rtol=1e-13)


def test_epoch_loss_and_accuracy_are_batch_averages():
    X, y = problem(50)
    net, copy = MLP([4, 5, 3], seed=3), MLP([4, 5, 3], seed=3)
    hist = train(net, X, y, optim.SGD(0.2), batch_size=10, epochs=2, shuffle=False, progress=False)
    # epoch 0 by hand: batch losses and correct counts before each step
    losses, correct = [], 0
    for s in range(0, 50, 10):
        pred = copy.predict(X[s:s + 10])
        correct += int(np.sum(pred == y[s:s + 10]))
        loss, grads = copy.loss_and_grads(X[s:s + 10], y[s:s + 10])
        losses.append(loss)
        for p, g in zip(copy.params, grads):
            p -= 0.2 * g
    assert hist.loss[0] == pytest.approx(np.mean(losses), rel=1e-13)
    assert hist.accuracy[0] == correct / 50
    assert len(hist.loss) == len(hist.accuracy) == len(hist.epoch_time) == len(hist.lr) == 2


def test_epoch_accuracy_of_sigmoid_units_is_the_networks_accuracy():
    # z = x W + b by hand: W = [[1, -1]], b = 0, x = 1 and 2 -> predictions [[1, 0], [1, 0]].  Against
    # y = [[1, 0], [1, 1]] three of the four entries are right: 3/4, what net.accuracy says (the old
    # per-batch count, 3 // 2 = 1 of 2 samples, gave 1/2).  Soft targets 0.9, 0.2, ... sit on the
    # predictions' sides of 0.5, so they count as right both here and in net.accuracy.
    for y, expect in ((np.array([[1.0, 0.0], [1.0, 1.0]]), 0.75), (np.array([[0.9, 0.2], [0.6, 0.4]]), 1.0)):
        net = MLP([1, 2], output="sigmoid")
        net.params[0][...] = [[1.0, -1.0]]
        X = np.array([[1.0], [2.0]])
        assert net.accuracy(X, y) == expect
        hist = train(net, X, y, optim.SGD(1e-3), batch_size=2, epochs=1, shuffle=False, progress=False)
        assert hist.accuracy == [expect]  # counted before the step, as net.accuracy saw it


def test_validation_data_are_validated_once_and_minibatch_sgd_uses_the_fast_paths():
    X, y = problem()
    net = MLP([4, 5, 3], seed=1)
    calls = []
    as_inputs = net.as_inputs
    net.as_inputs = lambda X: calls.append(len(X)) or as_inputs(X)
    train(net, X, y, optim.SGD(0.1), 10, 4, validation=(X[:20], y[:20]), progress=False)
    assert calls == [60, 20]  # the training data and the validation data, once each, for 4 epochs
    F = clouds()

    class Counting(type(F)):
        def batch_gradient(self, w, idx=None):
            raise AssertionError("the validated batch_gradient was called in the loop")

        def sample_losses(self, w, idx=None):
            raise AssertionError("the validated sample_losses was called in the loop")

    G = Counting(F.X, F.y, F.lam)
    np.testing.assert_array_equal(minibatch_sgd(G, np.zeros(2), 0.1, 4, 2).path,
                                  minibatch_sgd(F, np.zeros(2), 0.1, 4, 2).path)


def test_running_loss_of_source_002():
    X, y = problem()
    hist = train(MLP([4, 5, 3]), X, y, optim.SGD(0.1), 5, 2, running_loss_lambda=0.25, progress=False)
    q = hist.step_loss[0]
    expect = [q]
    for loss in hist.step_loss[1:]:
        q = 0.25 * loss + 0.75 * q  # Q := lambda L_i + (1 - lambda) Q
        expect.append(q)
    np.testing.assert_allclose(hist.running_loss, expect, rtol=1e-14)


def test_schedule_sets_the_learning_rate_of_every_epoch():
    X, y = problem()
    sched = schedules.linear(0.1, 1e-3, 4)
    a, b = MLP([4, 5, 3], seed=4), MLP([4, 5, 3], seed=4)
    hist = train(a, X, y, optim.SGD(1.0), 12, 6, schedule=sched, seed=1, progress=False)
    lrs = [0.1 * (1 - k / 4) + 1e-3 * k / 4 for k in range(4)] + [1e-3, 1e-3]  # source 003's linear decay
    np.testing.assert_allclose(hist.lr, lrs, rtol=1e-14)
    hand_loop(b, X, y, None, 12, 6, seed=1, lrs=lrs)
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)


def test_validation_and_early_stopping_restore_the_best_epoch():
    X, y = problem(80)
    Xv, yv = problem(40, seed=1)
    net = MLP([4, 16, 3], seed=0)
    snapshots = []

    def keep(epoch, history, model):
        snapshots.append([p.copy() for p in model.params])

    hist = train(net, X, y, optim.SGD(2.0), 8, 40, validation=(Xv, yv),
                 early_stopping=EarlyStopping(patience=2), callbacks=[keep], progress=False)
    assert len(hist.val_loss) == len(hist.val_accuracy) == hist.epochs
    best = int(np.argmin(hist.val_loss))
    assert hist.best_epoch == best
    assert hist.stopped_epoch == hist.epochs - 1 == best + 3  # patience 2: stops on the 3rd bad epoch
    for p, s in zip(net.params, snapshots[best]):
        np.testing.assert_array_equal(p, s)
    # validation numbers are the model's own loss and accuracy after that epoch
    check = MLP([4, 16, 3])
    for p, s in zip(check.params, snapshots[0]):
        p[...] = s
    assert hist.val_loss[0] == pytest.approx(check.loss(Xv, yv), rel=1e-13)
    assert hist.val_accuracy[0] == check.accuracy(Xv, yv)


def test_callback_can_stop_training():
    X, y = problem()
    hist = train(MLP([4, 3]), X, y, optim.SGD(0.1), 10, 50, callbacks=[lambda e, h, m: e == 2], progress=False)
    assert hist.epochs == 3 and hist.stopped_epoch == 2


def test_effective_reduction_trains_with_the_effective_gradient():
    X, y = problem()
    X[X < 0] = 0.0
    a, b = MLP([4, 6, 3], seed=5), MLP([4, 6, 3], seed=5)
    train(a, X, y, optim.SGD(0.1), 60, 2, reduction="effective", progress=False)
    for _ in range(2):
        _, grads = b.loss_and_grads(X, y, reduction="effective")
        for p, g in zip(b.params, grads):
            p -= 0.1 * g
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(p, q, rtol=1e-13)


def test_float32_training_keeps_float32_and_learns():
    X, y = problem(200)
    net = MLP([4, 32, 3], dtype=np.float32, seed=1)
    hist = train(net, X.astype(np.float32), y, optim.Adam(0.01), 20, 30, progress=False)
    assert all(p.dtype == np.float32 for p in net.params)
    assert hist.accuracy[-1] > 0.9 and hist.loss[-1] < 0.5 * hist.loss[0]


def test_divergence_names_epoch_and_step():
    X, y = problem()
    X = X * 1e3
    net = MLP([4, 8, 3], output="identity", loss="mse")
    target = np.zeros((60, 3))
    with pytest.raises(TrainingDiverged, match=r"at epoch \d+, step \d+ .*smaller learning rate"):
        train(net, X, target, optim.SGD(10.0), 10, 5, progress=False)


def test_progress_bar_only_when_asked(capsys):
    X, y = problem()
    train(MLP([4, 3]), X, y, optim.SGD(0.1), 10, 2, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    train(MLP([4, 3]), X, y, optim.SGD(0.1), 10, 2, progress=True)
    err = capsys.readouterr().err
    assert "12/12" in err and "step" in err  # 2 epochs x 6 steps


def test_regression_history_has_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    Y = X @ rng.normal(size=(3, 2))
    hist = train(MLP([3, 8, 2], output="identity"), X, Y, optim.SGD(0.05), 8, 20,
                 validation=(X, Y), progress=False)
    assert hist.accuracy == [] and hist.val_accuracy == []
    assert hist.loss[-1] < 0.2 * hist.loss[0]
    assert "loss" in hist.as_dict() and "accuracy" not in hist.as_dict()


def test_train_errors():
    X, y = problem()
    net = MLP([4, 3])
    sgd = optim.SGD(0.1)
    with pytest.raises(ValueError, match=r"batch_size must be at most the number of samples \(60\); got 61"):
        train(net, X, y, sgd, 61, 1, progress=False)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        train(net, X, y, sgd, 0, 1, progress=False)
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        train(net, X, y, sgd, 2.5, 1, progress=False)
    with pytest.raises(ValueError, match="y must hold class labels in 0..2"):
        train(net, X, y + 1, sgd, 10, 1, progress=False)
    with pytest.raises(ValueError, match="y must be a 1-D array of 60 integer class labels"):
        train(net, X, y[:50], sgd, 10, 1, progress=False)
    bad = X.copy()
    bad[3, 2] = np.inf
    with pytest.raises(ValueError, match="X must contain only finite values"):
        train(net, bad, y, sgd, 10, 1, progress=False)
    with pytest.raises(ValueError, match=r"X must be a 2-D array \(samples, 4 features\)"):
        train(net, X[:, :3], y, sgd, 10, 1, progress=False)
    with pytest.raises(ValueError, match="reduction must be one of"):
        train(net, X, y, sgd, 10, 1, reduction="max", progress=False)
    with pytest.raises(TypeError, match="optimizer must be a course_lib.optim optimizer"):
        train(net, X, y, 0.1, 10, 1, progress=False)
    with pytest.raises(TypeError, match="model must be a course_lib.nn.MLP"):
        train("net", X, y, sgd, 10, 1, progress=False)
    with pytest.raises(ValueError, match="early_stopping monitors 'val_loss' but no validation data"):
        train(net, X, y, sgd, 10, 1, early_stopping=EarlyStopping(), progress=False)
    with pytest.raises(TypeError, match="validation must be a pair"):
        train(net, X, y, sgd, 10, 1, validation=X, progress=False)
    with pytest.raises(ValueError, match="running_loss_lambda must lie in"):
        train(net, X, y, sgd, 10, 1, running_loss_lambda=0.0, progress=False)
    with pytest.raises(ValueError, match="patience must be an integer >= 0"):
        EarlyStopping(patience=-1)
    with pytest.raises(TypeError, match="restore_best must be True or False; got int 1"):
        EarlyStopping(restore_best=1)
    with pytest.raises(TypeError, match="shuffle must be True or False; got int 1"):
        train(net, X, y, sgd, 10, 1, shuffle=1, progress=False)
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        train(net, X, y, sgd, 10, 1, seed=0.5, progress=False)
    with pytest.raises(TypeError, match="model must be a course_lib.nn.MLP .*which lacks as_inputs, as_targets, "
                                        "loss_and_grads_unvalidated"):
        train(type("Model", (), {"params": []})(), X, y, sgd, 10, 1, progress=False)
    with pytest.raises(TypeError, match="early_stopping must be an EarlyStopping or an int patience; got str"):
        train(net, X, y, sgd, 10, 1, early_stopping="3", progress=False)
    with pytest.raises(TypeError, match="early_stopping must be an EarlyStopping or an int patience; got bool"):
        train(net, X, y, sgd, 10, 1, early_stopping=True, progress=False)
    with pytest.raises(ValueError, match="early_stopping must be an integer >= 0; got -1"):
        train(net, X, y, sgd, 10, 1, early_stopping=-1, progress=False)
    with pytest.raises(ValueError, match="early_stopping monitors 'accuracy' but the model is not a classifier"):
        train(MLP([4, 3], output="identity"), X, np.zeros((60, 3)), sgd, 10, 1,
              early_stopping=EarlyStopping(monitor="accuracy"), progress=False)
    with pytest.raises(ValueError, match="validation must hold at least one sample"):
        train(net, X, y, sgd, 10, 1, validation=(X[:0], y[:0]), progress=False)


def test_int_early_stopping_is_a_patience_on_the_loss():
    X, y = problem()
    # patience 0 on the training loss: stops at the first epoch whose loss is not below the best so far
    hist = train(MLP([4, 3], seed=2), X, y, optim.SGD(50.0), 10, 30, early_stopping=0, progress=False)
    first_bad = next(k for k in range(1, hist.epochs) if hist.loss[k] >= min(hist.loss[:k]))
    assert hist.stopped_epoch == first_bad == hist.epochs - 1


# ---------------------------------------------------------------------------
# seeds, batches and source 002's running estimate
# ---------------------------------------------------------------------------

def test_seed_takes_an_int_or_a_generator():
    X, y = problem()
    a, b = MLP([4, 5, 3], seed=1), MLP([4, 5, 3], seed=1)
    ha = train(a, X, y, optim.SGD(0.1), 7, 2, seed=4, progress=False)
    hb = train(b, X, y, optim.SGD(0.1), 7, 2, seed=np.random.default_rng(4), progress=False)
    assert ha.step_loss == hb.step_loss
    # batch_indices: a permutation from the seed's stream, cut into ceil(n / batch_size) pieces
    order = np.random.default_rng(3).permutation(10)
    got = batch_indices(10, 4, True, 3)
    assert [g.tolist() for g in got] == [order[:4].tolist(), order[4:8].tolist(), order[8:].tolist()]
    rng = np.random.default_rng(3)
    assert batch_indices(10, 4, True, rng)[0].tolist() == order[:4].tolist()
    assert batch_indices(10, 4, True, rng)[0].tolist() != order[:4].tolist()  # the stream moved on
    assert batch_indices(10, 4, False) == [slice(0, 4), slice(4, 8), slice(8, 10)]
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        batch_indices(10, 4, "yes")


def test_batches_per_epoch_and_batches_of_a_given_order():
    assert [batches_per_epoch(n, b) for n, b in ((60, 16), (60, 15), (1, 1), (0, 3), (7, 10))] == [4, 4, 1, 0, 1]
    assert batches_per_epoch(10**18 + 1, 10**18) == 2  # exact for integers a float division would round
    order = np.array([4, 0, 3, 1, 2])
    assert [b.tolist() for b in batches_of(order, 2)] == [[4, 0], [3, 1], [2]]
    assert [b.tolist() for b in batches_of(order, 5)] == [[4, 0, 3, 1, 2]]
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        batches_per_epoch(10, 0)
    with pytest.raises(TypeError, match="order must be a 1-D array of integer sample indices"):
        batches_of(np.array([0.0, 1.0]), 1)


def test_running_loss_estimate_is_source_002s_recursion():
    L = [4.0, 2.0, 3.0, 1.0]
    # Q_0 = L_0, then Q := lam L + (1 - lam) Q with lam = 0.5: 4, 3, 3, 2
    np.testing.assert_array_equal(running_loss_estimate(L, 0.5), [4.0, 3.0, 3.0, 2.0])
    # continued from an earlier estimate Q = 6: 5, 3.5, 3.25, 2.125
    np.testing.assert_array_equal(running_loss_estimate(L, 0.5, start=6.0), [5.0, 3.5, 3.25, 2.125])
    np.testing.assert_array_equal(running_loss_estimate(L, 1.0), L)  # lam = 1: no memory
    with pytest.raises(ValueError, match="lam must lie in"):
        running_loss_estimate(L, 0.0)
    with pytest.raises(ValueError, match="losses must be a 1-D array"):
        running_loss_estimate(np.ones((2, 2)), 0.5)


# ---------------------------------------------------------------------------
# mini-batch SGD on a finite sum (lecture 4)
# ---------------------------------------------------------------------------

def clouds(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    X = rng.normal(size=(n, 2)) + 0.8 * y[:, None]
    return logistic_regression(X, y, 0.05)


@pytest.mark.parametrize("batch_size", [1, 7, 40])
def test_minibatch_sgd_is_the_loop_written_out(batch_size):
    F = clouds()
    w0 = np.array([-1.0, 2.0])
    run = minibatch_sgd(F, w0, 0.3, batch_size, 3, seed=5)
    # by hand: the same permutations, source 000's gradient (16), corrected, on each batch
    rng = np.random.default_rng(5)
    w, path, losses = w0.copy(), [w0.copy()], []
    for _ in range(3):
        order = rng.permutation(40)
        for s in range(0, 40, batch_size):
            B = order[s:s + batch_size]
            m = F.y[B] * (F.X[B] @ w)
            losses.append(np.mean(np.log1p(np.exp(-m))) + 0.05 * w @ w)
            w = w - 0.3 * (-(F.X[B].T @ (F.y[B] / (1 + np.exp(m)))) / len(B) + 2 * 0.05 * w)
            path.append(w)
    assert run.path.shape == (3 * math.ceil(40 / batch_size) + 1, 2)
    np.testing.assert_allclose(run.path, path, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(run.batch_loss, losses, rtol=1e-12)
    first = np.random.default_rng(5).permutation(40)  # epoch 0's order
    assert run.batches[0].tolist() == first[:batch_size].tolist()
    np.testing.assert_array_equal(w0, [-1.0, 2.0])  # w0 is not modified


def test_minibatch_sgd_full_batch_is_gradient_descent_and_max_steps_cuts():
    F = clouds()
    w0 = np.array([0.5, 0.5])
    full = minibatch_sgd(F, w0, 0.5, F.n, 4)
    w = w0.copy()
    for k in range(4):
        np.testing.assert_allclose(full.path[k], w, rtol=1e-13)
        w = w - 0.5 * F.grad(w)
    cut = minibatch_sgd(F, w0, 0.5, 3, 10, max_steps=25)
    assert len(cut.batches) == 25 and cut.path.shape == (26, 2) and cut.batch_loss.shape == (25,)
    np.testing.assert_array_equal(cut.path, minibatch_sgd(F, w0, 0.5, 3, 10).path[:26])


def test_minibatch_sgd_errors():
    F = clouds()
    with pytest.raises(TypeError, match="objective must be a finite-sum objective .*lacks n, dim, batch_gradient"):
        minibatch_sgd(object(), np.zeros(2), 0.1, 1, 1)
    with pytest.raises(ValueError, match=r"w0 must have shape \(2,\)"):
        minibatch_sgd(F, np.zeros(3), 0.1, 1, 1)
    with pytest.raises(ValueError, match=r"batch_size must be at most the number of samples \(40\)"):
        minibatch_sgd(F, np.zeros(2), 0.1, 41, 1)
    with pytest.raises(ValueError, match="lr must be > 0"):
        minibatch_sgd(F, np.zeros(2), 0.0, 1, 1)
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        minibatch_sgd(F, np.zeros(2), 0.1, 1, 1, seed="s")


# ---------------------------------------------------------------------------
# source 000's synthetic experiment (lecture 8 and experiments/exp_000_asgd.py)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dataset, make, lr", [("circles", make_circles, 0.01), ("spirals", make_spirals, 0.05)])
def test_asgd_runs_are_two_trainings_from_the_same_start(dataset, make, lr):
    out = asgd_runs(dataset, 3, max_steps=60)
    # by hand: 183 points, 55 held out, the same seed for data, split, weights and batches
    X, y = make(183, seed=3)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=55, seed=3)
    np.testing.assert_array_equal(out.X, X_tr)
    np.testing.assert_array_equal(out.X_test, X_te)
    np.testing.assert_array_equal(out.y, y_tr)
    np.testing.assert_array_equal(out.y_test, y_te)
    assert set(out.runs) == {"SGD", "aSGD"}
    for name, reduction in (("SGD", "mean"), ("aSGD", "effective")):
        net = MLP([2, 10, 10, 10, 10, 10, 1], output="sigmoid", seed=3)
        hist = train(net, X_tr, y_tr, optim.SGD(lr), 32, math.ceil(60 / math.ceil(128 / 32)), seed=3,
                     reduction=reduction, progress=False)
        got_net, got_hist = out.runs[name]
        assert got_hist.step_loss == hist.step_loss and got_hist.steps == 60
        for p, q in zip(got_net.params, net.params):
            np.testing.assert_array_equal(p, q)
    assert out.runs["SGD"][1].step_loss[0] == out.runs["aSGD"][1].step_loss[0]  # same weights, same first batch


def test_asgd_runs_stop_at_the_loss_threshold_and_take_a_generator():
    out = asgd_runs("circles", 0, max_steps=400, loss_stop=0.6, lr=0.5)
    for net, hist in out.runs.values():
        assert hist.stopped_epoch is not None and hist.loss[-1] < 0.6 <= min(hist.loss[:-1], default=1.0)
    seed = int(np.random.default_rng(7).integers(2**32))
    a = asgd_runs("spirals", np.random.default_rng(7), max_steps=8)
    b = asgd_runs("spirals", seed, max_steps=8)
    np.testing.assert_array_equal(a.X, b.X)
    assert a.runs["aSGD"][1].step_loss == b.runs["aSGD"][1].step_loss
    with pytest.raises(ValueError, match="dataset must be one of 'circles', 'spirals'"):
        asgd_runs("moons", 0)
    with pytest.raises(ValueError, match=r"batch_size must be at most n_train \(128\)"):
        asgd_runs("circles", 0, batch_size=129)
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        asgd_runs("circles", 0.5)
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        asgd_runs("circles", True)
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        asgd_runs("circles", -1)


# ---------------------------------------------------------------------------
# learning curves, early stopping on a recorded curve, lecture 9's runs
# ---------------------------------------------------------------------------

def test_evaluate_training_records_the_whole_training_set_after_every_epoch():
    X, y = problem(80)
    net = RegularizedMLP([4, 16, 3], seed=0, dropout=0.3, l2=1e-3)
    after = []

    def keep(epoch, history, model):  # the model after the epoch, evaluated by hand in inference mode
        after.append((model.loss(X, y), model.accuracy(X, y)))

    hist = train(net, X, y, optim.SGD(0.5), 8, 5, evaluate_training=True, callbacks=[keep], progress=False)
    assert hist.train_loss == [a for a, _ in after] and hist.train_accuracy == [b for _, b in after]
    assert hist.train_loss != hist.loss  # the epoch's running average of batch losses (with dropout and penalty)
    assert "train_loss" in hist.as_dict()
    assert train(MLP([4, 3]), X, y, optim.SGD(0.1), 8, 2, progress=False).train_loss == []
    with pytest.raises(TypeError, match="evaluate_training must be True or False"):
        train(net, X, y, optim.SGD(0.1), 8, 1, evaluate_training=1, progress=False)


@pytest.mark.parametrize("patience", [0, 2, 5])
def test_early_stopping_replay_stops_where_train_stops(patience):
    X, y = problem(80)
    Xv, yv = problem(40, seed=1)
    stopped = train(MLP([4, 16, 3], seed=0), X, y, optim.SGD(2.0), 8, 40, validation=(Xv, yv),
                    early_stopping=patience, progress=False)
    full = train(MLP([4, 16, 3], seed=0), X, y, optim.SGD(2.0), 8, 40, validation=(Xv, yv), progress=False)
    assert full.val_loss[:stopped.epochs] == stopped.val_loss  # the same run, cut
    assert EarlyStopping(patience=patience).replay(full.val_loss) == (stopped.stopped_epoch, stopped.best_epoch)


def test_early_stopping_replay_by_hand():
    # best 1.0 at epoch 1; epochs 2, 3 do not beat it by more than min_delta 0.1 (0.95 is not enough)
    values = [2.0, 1.0, 0.95, 1.5, 0.5]
    assert EarlyStopping(patience=1, min_delta=0.1).replay(values) == (3, 1)
    assert EarlyStopping(patience=2, min_delta=0.1).replay(values) == (None, 4)
    assert EarlyStopping(patience=1).replay(values) == (None, 4)
    assert EarlyStopping(monitor="val_accuracy", patience=0).replay([0.5, 0.7, 0.6]) == (2, 1)
    with pytest.raises(ValueError, match="values must be a 1-D array"):
        EarlyStopping().replay(np.ones((2, 2)))


def test_mnist_subsets_are_disjoint_seeded_slices_of_the_training_images():
    from course_lib.data import flatten_images, load_mnist

    X, y, Xv, yv = mnist_subsets(30, 20, seed=3)
    (images, labels), _ = load_mnist()
    order = np.random.default_rng(3).permutation(60000)
    tr, va = np.sort(order[:30]), np.sort(order[30:50])
    np.testing.assert_array_equal(X, flatten_images(images[tr]))
    np.testing.assert_array_equal(yv, labels[va])
    assert X.dtype == np.float32 and X.shape == (30, 784) and not set(tr) & set(va)
    with pytest.raises(ValueError, match="n_train \\+ n_val must be at most 60000"):
        mnist_subsets(60000, 1)


def test_symmetry_runs_keep_every_unit_equal_from_zeros():
    runs = symmetry_runs(width=4, n_train=64, epochs=2)
    W0 = runs["zeros"][0].weights[0]
    assert np.all(W0 == W0[:, :1]) and np.any(W0 != 0)
    Wg = runs["glorot_uniform"][0].weights[0]
    assert len(np.unique(Wg.T, axis=0)) == 4
    relu = symmetry_runs(inits=("zeros",), hidden="relu", width=4, n_train=64, epochs=2)["zeros"][0]
    assert np.all(relu.weights[0] == 0) and np.all(relu.weights[1] == 0)  # g(0) = 0: no hidden gradient ever


def test_regularization_runs_share_the_start_and_the_batches():
    runs = regularization_runs(l2s=(0.0, 0.1), dropouts=(0.0, 0.5), n_train=40, n_val=30, hidden=(8,), epochs=3)
    assert set(runs.histories) == {(0.0, 0.0), (0.0, 0.5), (0.1, 0.0), (0.1, 0.5)}
    assert runs.X.shape == (40, 2) and runs.X_val.shape == (30, 2)
    # the same first step: with lambda = 0 and no dropout, the plain MLP trained by hand on the same batches
    net = MLP([2, 8, 1], output="sigmoid", seed=0)
    hist = train(net, runs.X, runs.y, optim.Adam(1e-2), 20, 3, validation=(runs.X_val, runs.y_val), progress=False)
    np.testing.assert_allclose(runs.histories[(0.0, 0.0)].val_loss, hist.val_loss, rtol=1e-12)
    for key, h in runs.histories.items():
        assert len(h.train_loss) == len(h.val_loss) == 3 and runs.models[key].l2 == key[0]
    with pytest.raises(ValueError, match=r"dropouts\[0\] must lie in \[0.0, 1.0\)"):
        regularization_runs(dropouts=(1.0,))


def test_batchnorm_runs_train_both_networks_from_the_same_weights():
    runs = batchnorm_runs(lrs=(0.1,), hidden=(8, 8), n_train=64, n_val=32, epochs=2)
    assert set(runs) == {(False, 0.1), (True, 0.1)}
    plain = MLP([784, 8, 8, 10], hidden="sigmoid", seed=0)          # nothing on: the plain network
    X, y, Xv, yv = mnist_subsets(64, 32, 0, np.float64)
    hist = train(plain, X, y, optim.SGD(0.1), 32, 2, validation=(Xv, yv), evaluate_training=True, progress=False)
    np.testing.assert_allclose(runs[(False, 0.1)][1].val_loss, hist.val_loss, rtol=1e-12)
    net, bn_hist = runs[(True, 0.1)]
    assert len(bn_hist.train_loss) == 2 and net.batchnorm and net.momentum == 0.9
    assert bn_hist.train_loss[-1] == pytest.approx(net.evaluate(X, y)[0], rel=1e-14)   # inference mode
    # the network with batch normalisation: the same Glorot weights, and its first batch loss by hand
    rng = np.random.default_rng(0)
    Ws = []
    for n_in, n_out in ((784, 8), (8, 8), (8, 10)):
        r = np.sqrt(6 / (n_in + n_out))
        Ws.append(rng.uniform(-r, r, (n_in, n_out)))
    idx = next(iter(batch_indices(64, 32, True, np.random.default_rng(0))))
    a = X[idx]
    for W in Ws[:-1]:
        z = a @ W
        a = 1 / (1 + np.exp(-(z - z.mean(0)) / np.sqrt(z.var(0) + 1e-3)))   # gamma 1, beta 0, then the sigmoid
    logits = a @ Ws[-1]
    log_p = logits - logits.max(1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
    assert bn_hist.step_loss[0] == pytest.approx(-log_p[np.arange(len(idx)), y[idx]].mean(), rel=1e-12)


def test_evaluate_every_records_the_validation_curve_against_the_steps():
    """At a step that ends an epoch, the curve's point is the epoch's own validation record."""
    X, y = problem()
    net = MLP([4, 6, 3], seed=2)
    hist = train(net, X, y, optim.SGD(0.1), 15, 3, seed=1, validation=(X[:20], y[:20]), evaluate_every=2,
                 progress=False)
    assert hist.steps_per_epoch == 4 and hist.curve_step == [2, 4, 6, 8, 10, 12]
    assert hist.curve_val_loss[1::2] == hist.val_loss and hist.curve_val_accuracy[1::2] == hist.val_accuracy
    with pytest.raises(ValueError, match="evaluate_every needs validation data"):
        train(net, X, y, optim.SGD(0.1), 15, 1, evaluate_every=2, progress=False)
    with pytest.raises(ValueError, match="evaluate_every must be"):
        train(net, X, y, optim.SGD(0.1), 15, 1, validation=(X, y), evaluate_every=0, progress=False)
