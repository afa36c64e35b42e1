"""course_lib.train: the loop restated by hand, History, schedules, early stopping, errors."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import optim, schedules
from course_lib.nn import MLP
from course_lib.train import EarlyStopping, TrainingDiverged, train


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
    per_epoch = -(-60 // batch_size)  # ceil: the last batch may be smaller
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
