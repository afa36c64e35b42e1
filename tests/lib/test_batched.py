"""course_lib.batched: K networks trained at once are each the network trained alone by ``train``.

The expected values are independent runs of ``course_lib.train.train`` (the
kit's reference loop, itself checked against a hand-written loop and against
Keras in tests/lib/test_train.py and test_nn_keras.py), one network at a
time.  The stack must give every network the numbers of its own run: the
tests assert them equal to the last bit in float64 (the issue asks for
1e-10), over a few hundred steps.
"""

from __future__ import annotations

import copy
import tracemalloc

import numpy as np
import pytest

from course_lib import nn, optim, schedules
from course_lib.batched import MEMORY_BUDGET, stack_bytes, stack_parameters, train_batched
from course_lib.data import make_circles, make_spirals
from course_lib.train import TrainingDiverged, train

RECORDS = ("loss", "accuracy", "val_loss", "val_accuracy", "train_loss", "train_accuracy", "lr", "step_loss",
           "running_loss", "curve_step", "curve_val_loss", "curve_val_accuracy")


def circles_sets(K, n=60, seed0=0):
    """One small circles (or spirals) problem per network: the per-network data of source 000's study."""
    sets = [(make_circles if k % 2 == 0 else make_spirals)(n, seed=seed0 + k) for k in range(K)]
    return [s[0] for s in sets], [s[1] for s in sets]


def alone(net, X, y, optimizer, batch_size, epochs, seed, loss_stop=None, **kwargs):
    """The reference: ``train`` on one network, with source 000's stopping rule as a callback."""
    callbacks = [] if loss_stop is None else [lambda e, h, m: h.loss[-1] < loss_stop]
    return train(net, X, y, optimizer, batch_size, epochs, seed=seed, callbacks=callbacks, progress=False, **kwargs)


def assert_same_run(stacked_net, stacked_hist, net, hist):
    for p, q in zip(stacked_net.params, net.params):
        np.testing.assert_array_equal(p, q)
    for name in RECORDS:
        np.testing.assert_array_equal(getattr(stacked_hist, name), getattr(hist, name), err_msg=name)
    assert stacked_hist.stopped_epoch == hist.stopped_epoch
    assert stacked_hist.epochs == hist.epochs and stacked_hist.steps == hist.steps


OPTIMIZERS = {
    "SGD": lambda k: optim.SGD(0.05 * (1 + k)),
    "Momentum": lambda k: optim.Momentum(0.02 * (1 + k), beta=0.9),
    "Adam": lambda k: optim.Adam(1e-3 * (1 + k)),
}


@pytest.mark.parametrize("chunk_size", [None, 2])
@pytest.mark.parametrize("reduction", ["mean", "effective"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_network_is_the_network_trained_alone(name, reduction, chunk_size):
    """SGD, momentum and Adam; batch mean and aSGD's effective gradient; per-network data, rates, orders and stops.

    Each network has its own data set, initial weights, learning rate and
    batch order, and stops after the first epoch whose loss is below 0.3
    (source 000's rule); 60 samples in batches of 8 are 8 steps an epoch, up
    to 240 steps.  ``chunk_size=2`` trains two at a time, so a finished
    network's place goes to the next, which starts its epoch 0 (and Adam's
    step 1) beside networks far into their runs.
    """
    K = 5
    Xs, ys = circles_sets(K)
    make = OPTIMIZERS[name]
    nets = [nn.MLP([2, 10, 10, 1], output="sigmoid", seed=k) for k in range(K)]
    refs = [copy.deepcopy(net) for net in nets]
    hists = train_batched(nets, Xs, ys, [make(k) for k in range(K)], 8, 30, seeds=[10 + k for k in range(K)],
                          reduction=reduction, loss_stop=0.3, validation=(Xs, ys), evaluate_training=True,
                          evaluate_every=5, chunk_size=chunk_size)
    stopped = 0
    for k in range(K):
        ref_hist = alone(refs[k], Xs[k], ys[k], make(k), 8, 30, seed=10 + k, loss_stop=0.3, reduction=reduction,
                         validation=(Xs[k], ys[k]), evaluate_training=True, evaluate_every=5)
        assert ref_hist.curve_step[:3] == [5, 10, 15]  # the curve was recorded, mid-epoch too
        assert_same_run(nets[k], hists[k], refs[k], ref_hist)
        stopped += ref_hist.stopped_epoch is not None
    assert 0 < stopped  # the stopping rule was exercised


def test_shared_data_softmax_and_a_schedule_per_network():
    """One data set for all, a 3-class softmax network, each network its own linear decay (source 003's schedule)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4))
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    K = 4
    scheds = [schedules.linear(0.1 * (k + 1), 1e-3, 12) for k in range(K)]
    nets = [nn.MLP([4, 16, 8, 3], seed=k) for k in range(K)]
    refs = [copy.deepcopy(net) for net in nets]
    hists = train_batched(nets, X, y, [optim.Momentum(0.1, 0.5) for _ in range(K)], 10, 12, seeds=list(range(K)),
                          schedules=scheds, validation=(X[:30], y[:30]))
    for k in range(K):
        ref = alone(refs[k], X, y, optim.Momentum(0.1, 0.5), 10, 12, seed=k, schedule=scheds[k],
                    validation=(X[:30], y[:30]))
        assert_same_run(nets[k], hists[k], refs[k], ref)
    assert len({h.lr[-1] for h in hists}) == K  # the rates did differ


def test_float32_with_one_rate_is_the_float32_network_alone():
    """One learning rate for the stack is passed as the Python float ``train`` uses: float32 runs agree bit for bit."""
    Xs, ys = circles_sets(6, n=40)
    nets = [nn.MLP([2, 8, 8, 1], output="sigmoid", seed=k, dtype=np.float32) for k in range(6)]
    refs = [copy.deepcopy(net) for net in nets]
    hists = train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 20, seeds=list(range(6)), reduction="effective",
                          validation=(Xs, ys), evaluate_every=7)
    for k in range(6):
        assert_same_run(nets[k], hists[k], refs[k],
                        alone(refs[k], Xs[k], ys[k], optim.SGD(0.1), 8, 20, seed=k, reduction="effective",
                              validation=(Xs[k], ys[k]), evaluate_every=7))


def test_evaluations_of_shared_data_larger_than_one_chunk_are_the_networks_own():
    """Validation data of more rows than one evaluation pass (``nn.CHUNK_ROWS``), shared by all, float32."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(nn.CHUNK_ROWS + 500, 5)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    nets = [nn.MLP([5, 7, 2], seed=k, dtype=np.float32) for k in range(3)]
    refs = [copy.deepcopy(net) for net in nets]
    hists = train_batched(nets, X[:200], y[:200], optim.SGD(0.2), 50, 2, seeds=[0, 1, 2], validation=(X, y))
    for k in range(3):
        assert_same_run(nets[k], hists[k], refs[k], alone(refs[k], X[:200], y[:200], optim.SGD(0.2), 50, 2, seed=k,
                                                          validation=(X, y)))


def test_a_diverging_network_stops_where_train_raises_and_the_others_go_on():
    Xs, ys = circles_sets(3, n=40)
    lrs = [0.05, 1e6, 0.05]  # the middle one blows up
    nets = [nn.MLP([2, 8, 1], output="identity", loss="mse", seed=k) for k in range(3)]
    refs = [copy.deepcopy(net) for net in nets]
    hists = train_batched(nets, Xs, ys, [optim.SGD(lr) for lr in lrs], 4, 10, seeds=[0, 1, 2])
    with pytest.raises(TrainingDiverged, match=r"step (\d+) overall") as info:
        alone(refs[1], Xs[1], ys[1], optim.SGD(lrs[1]), 4, 10, seed=1)
    overall = int(info.value.args[0].split("step ")[2].split(" overall")[0])  # train counts from 1
    assert hists[1].diverged_step == overall - 1
    assert hists[1].steps == overall - 1  # every step before the bad one was taken
    for p, q in zip(nets[1].params, refs[1].params):  # train raised before its step: the same weights
        np.testing.assert_array_equal(p, q)
    for k in (0, 2):
        assert hists[k].diverged_step is None
        assert_same_run(nets[k], hists[k], refs[k], alone(refs[k], Xs[k], ys[k], optim.SGD(lrs[k]), 4, 10, seed=k))


def test_record_last_keeps_the_last_epoch_and_counts_the_whole_run():
    Xs, ys = circles_sets(4)
    nets = [nn.MLP([2, 6, 1], output="sigmoid", seed=k) for k in range(4)]
    full = [copy.deepcopy(net) for net in nets]
    last = train_batched(nets, Xs, ys, optim.SGD(0.3), 16, 40, seeds=list(range(4)), loss_stop=0.4, record="last",
                         chunk_size=3)
    every = train_batched(full, Xs, ys, optim.SGD(0.3), 16, 40, seeds=list(range(4)), loss_stop=0.4)
    for a, b, na, nb in zip(last, every, nets, full):
        assert a.epochs == b.epochs and a.steps == b.steps and a.stopped_epoch == b.stopped_epoch
        assert a.first_epoch == b.epochs - 1 and a.loss == b.loss[-1:] and a.accuracy == b.accuracy[-1:]
        assert a.step_loss == [] and a.running_loss == []
        for p, q in zip(na.params, nb.params):
            np.testing.assert_array_equal(p, q)


def test_zero_epochs_leave_the_networks_untouched():
    Xs, ys = circles_sets(2)
    nets = [nn.MLP([2, 4, 1], output="sigmoid", seed=k) for k in range(2)]
    before = [[p.copy() for p in net.params] for net in nets]
    hists = train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 0, seeds=[0, 1])
    assert all(h.epochs == 0 and h.steps == 0 for h in hists)
    for net, old in zip(nets, before):
        for p, q in zip(net.params, old):
            np.testing.assert_array_equal(p, q)


def test_stack_parameters_puts_networks_on_a_leading_axis():
    nets = [nn.MLP([3, 5, 2], seed=k) for k in range(4)]
    W1, b1, W2, b2 = stack_parameters(nets)
    assert W1.shape == (4, 3, 5) and b1.shape == (4, 1, 5) and W2.shape == (4, 5, 2) and b2.shape == (4, 1, 2)
    np.testing.assert_array_equal(W2[3], nets[3].params[2])


def test_the_stack_stays_within_its_memory_budget():
    """The pool holds no more networks than the budget allows (by ``stack_bytes``), and its peak memory shows it."""
    K, n = 40, 200
    Xs, ys = circles_sets(K, n=n)
    X = np.stack(Xs)                       # the caller's data, allocated before the measurement
    y = np.stack([v.reshape(-1, 1).astype(np.float64) for v in ys])
    nets = [nn.MLP([2, 64, 64, 1], output="sigmoid", seed=k) for k in range(K)]
    per_net = stack_bytes(nets[0], 20, 0, data_rows=n, n_state=0)
    budget = 5 * per_net
    tracemalloc.start()
    try:
        hists = train_batched(nets, X, y, optim.SGD(0.05), 20, 2, seeds=list(range(K)), record="last",
                              memory_budget=budget)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert all(h.epochs == 2 for h in hists)
    assert peak <= budget + 2 * per_net  # five networks' working set, and the few records of the run
    # and the budget is what decides: without it all 40 would be stacked at once
    tracemalloc.start()
    try:
        train_batched([copy.deepcopy(n_) for n_ in nets], X, y, optim.SGD(0.05), 20, 2, seeds=list(range(K)),
                      record="last")
        _, peak_all = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_all > 3 * budget


def test_default_budget_is_stated():
    assert MEMORY_BUDGET == 512 * 2**20


def test_bad_arguments_are_named():
    Xs, ys = circles_sets(2)
    nets = [nn.MLP([2, 4, 1], output="sigmoid", seed=k) for k in range(2)]
    with pytest.raises(TypeError, match="networks must be a non-empty list"):
        train_batched(nets[0], Xs[0], ys[0], optim.SGD(0.1), 8, 1, seeds=[0])
    with pytest.raises(ValueError, match=r"networks\[1\].sizes"):
        train_batched([nets[0], nn.MLP([2, 5, 1], output="sigmoid")], Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1])
    with pytest.raises(TypeError, match="RegularizedMLP"):
        train_batched([nets[0], nn.RegularizedMLP([2, 4, 1], output="sigmoid")], Xs, ys, optim.SGD(0.1), 8, 1,
                      seeds=[0, 1])
    with pytest.raises(ValueError, match="distinct"):
        train_batched([nets[0], nets[0]], Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1])
    with pytest.raises(TypeError, match="seeds must be a sequence of 2"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 1, seeds=0)
    with pytest.raises(ValueError, match="same hyperparameters except lr"):
        train_batched(nets, Xs, ys, [optim.Momentum(0.1, 0.9), optim.Momentum(0.1, 0.5)], 8, 1, seeds=[0, 1])
    with pytest.raises(TypeError, match="Rprop"):
        train_batched(nets, Xs, ys, optim.Rprop(), 8, 1, seeds=[0, 1])
    used = optim.SGD(0.1)
    used.step([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="already taken 1 steps"):
        train_batched(nets, Xs, ys, [used, optim.SGD(0.1)], 8, 1, seeds=[0, 1])
    with pytest.raises(ValueError, match="one per network \\(2\\); got 3"):
        train_batched(nets, Xs + Xs[:1], ys, optim.SGD(0.1), 8, 1, seeds=[0, 1])
    with pytest.raises(ValueError, match="batch_size must be at most"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 61, 1, seeds=[0, 1])
    with pytest.raises(ValueError, match="evaluate_every needs validation data"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1], evaluate_every=3)
    with pytest.raises(TypeError, match="validation must be a pair \\(X_val, y_val\\); got"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1], validation=Xs[0])
    with pytest.raises(ValueError, match="evaluate_every must be"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1], validation=(Xs[0], ys[0]), evaluate_every=0)
    with pytest.raises(ValueError, match="record must be one of"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1], record="all")
    with pytest.raises(ValueError, match="memory_budget .* smaller than what one network needs"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1], memory_budget=100)
    with pytest.raises(ValueError, match=r"X\[1\] \(network 1's data\): X must be a 2-D array"):
        train_batched(nets, [Xs[0], Xs[1][:, :1]], ys, optim.SGD(0.1), 8, 1, seeds=[0, 1])


@pytest.mark.parametrize("dataset", ["circles", "spirals"])
def test_asgd_study_is_asgd_runs_seed_by_seed(dataset):
    """Source 000's study batched: every seed's SGD and aSGD runs are ``train.asgd_runs``' for that seed."""
    from course_lib.batched import asgd_study
    from course_lib.train import asgd_runs

    study = asgd_study(dataset, seeds=[3, 0, 7], max_steps=600, dtype=np.float32)
    for i, seed in enumerate(study.seeds):
        alone_runs = asgd_runs(dataset, seed, max_steps=600, dtype=np.float32)
        np.testing.assert_array_equal(study.data[i][0], alone_runs.X)
        for name in ("SGD", "aSGD"):
            (net, hist), (ref, ref_hist) = study.runs[name][i], alone_runs.runs[name]
            assert hist.steps == ref_hist.steps and hist.stopped_epoch == ref_hist.stopped_epoch
            assert hist.loss == ref_hist.loss[-1:]
            for p, q in zip(net.params, ref.params):
                np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("make", [lambda: optim.SGD(0.1), lambda: optim.Momentum(0.1, beta=0.1)])
def test_stop_dead_stops_a_collapsed_network_that_train_would_leave_unchanged(make):
    """Source 003's collapse: a hidden layer off on every input; every later step is an exact no-op."""
    rng = np.random.default_rng(0)
    X = rng.random((40, 6))                        # non-negative inputs, as pixels
    y = rng.integers(0, 3, 40)
    nets = [nn.MLP([6, 5, 4, 3], bias=False, seed=k) for k in range(3)]
    nets[1].params[0][...] = -np.abs(nets[1].params[0])   # network 1: its first layer is dead on every input
    refs = [copy.deepcopy(net) for net in nets]
    hists = train_batched(nets, X, y, make(), 1, 6, seeds=[0, 1, 2], stop_dead=True, validation=(X, y))
    assert hists[1].frozen_epoch == 0 and hists[1].stopped_epoch == 0 and hists[1].epochs == 1
    assert hists[0].frozen_epoch is None and hists[2].frozen_epoch is None and hists[0].epochs == 6
    full = alone(refs[1], X, y, make(), 1, 6, seed=1, validation=(X, y))  # trained to the end, alone
    for p, q in zip(nets[1].params, refs[1].params):                    # nothing moved after epoch 0
        np.testing.assert_array_equal(p, q)
    assert full.loss == full.loss[:1] * 6 and full.val_accuracy == hists[1].val_accuracy * 6  # every epoch the same
    assert np.isclose(full.loss[0], np.log(3))     # zero logits: the uniform softmax
    for k in (0, 2):
        assert_same_run(nets[k], hists[k], refs[k], alone(refs[k], X, y, make(), 1, 6, seed=k, validation=(X, y)))
    with pytest.raises(ValueError, match="stop_dead needs an optimizer"):
        train_batched([nn.MLP([6, 5, 3])], X, y, optim.RMSprop(), 1, 1, seeds=[0], stop_dead=True)


@pytest.mark.parametrize("make", [lambda: optim.Adam(1.0), lambda: optim.Momentum(0.5, beta=0.9)])
def test_stop_dead_in_float32_waits_until_the_state_can_no_longer_move_a_weight(make):
    """Adam at a large rate collapses; its first moment decays to a subnormal that ``0.9 m`` rounds back to.

    The network is frozen once the step its state allows is below a quarter
    of every weight's spacing; trained on to the end alone, it is the same.
    """
    rng = np.random.default_rng(0)
    X = rng.random((30, 6)).astype(np.float32)
    y = rng.integers(0, 3, 30)
    nets = [nn.MLP([6, 5, 4, 3], bias=False, seed=k, dtype=np.float32) for k in range(3)]
    refs = [copy.deepcopy(net) for net in nets]
    hists = train_batched(nets, X, y, make(), 1, 40, seeds=[0, 1, 2], stop_dead=True, record="epochs")
    frozen = [k for k, h in enumerate(hists) if h.frozen_epoch is not None]
    assert frozen and all(hists[k].frozen_epoch < 39 for k in frozen)
    for k in frozen:
        alone(refs[k], X, y, make(), 1, 40, seed=k)
        for p, q in zip(nets[k].params, refs[k].params):
            np.testing.assert_array_equal(p, q)


def test_per_network_targets_as_one_array_are_validated_as_train_validates_them():
    """A (K, n) float array of targets for one-output networks: each network's (n,) targets, as train takes them."""
    Xs, ys = circles_sets(2, n=40)
    X = np.stack(Xs)
    y = np.stack([v.astype(np.float64) for v in ys])            # (2, 40): already the networks' dtype
    nets = [nn.MLP([2, 6, 1], output="sigmoid", seed=k) for k in range(2)]
    refs = [copy.deepcopy(net) for net in nets]
    hists = train_batched(nets, X, y, optim.SGD(0.2), 8, 3, seeds=[0, 1], validation=(X, y))
    for k in range(2):
        assert_same_run(nets[k], hists[k], refs[k],
                        alone(refs[k], Xs[k], y[k], optim.SGD(0.2), 8, 3, seed=k, validation=(Xs[k], y[k])))


def test_an_error_leaves_every_network_with_the_weights_it_reached():
    """A schedule that turns bad at epoch 2 stops the run; the networks keep their two epochs, as train's model does."""
    Xs, ys = circles_sets(2, n=40)
    bad = lambda epoch: 0.1 if epoch < 2 else -1.0  # noqa: E731
    nets = [nn.MLP([2, 6, 1], output="sigmoid", seed=k) for k in range(2)]
    refs = [copy.deepcopy(net) for net in nets]
    with pytest.raises(ValueError, match=r"schedule\(2\)"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 4, seeds=[0, 1], schedules=bad)
    for k in range(2):
        with pytest.raises(ValueError, match=r"schedule\(2\)"):
            alone(refs[k], Xs[k], ys[k], optim.SGD(0.1), 8, 4, seed=k, schedule=bad)
        for p, q in zip(nets[k].params, refs[k].params):
            np.testing.assert_array_equal(p, q)


def test_what_cannot_be_stacked_is_refused_by_name():
    Xs, ys = circles_sets(2)
    X = np.random.default_rng(0).random((60, 2))
    nets = [nn.MLP([2, 4, 1], output="sigmoid", seed=k) for k in range(2)]
    shallow = copy.copy(nets[0])   # shares nets[0]'s arrays
    with pytest.raises(ValueError, match=r"networks\[1\] shares its parameter arrays with networks\[0\]"):
        train_batched([nets[0], shallow], Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1])
    g = np.random.default_rng(0)
    with pytest.raises(ValueError, match="must not repeat a Generator"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 1, seeds=[g, g])
    with pytest.raises(ValueError, match="stop_dead needs networks without biases"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1], stop_dead=True)
    free = [nn.MLP([2, 4, 1], output="sigmoid", bias=False, seed=k) for k in range(2)]
    with pytest.raises(ValueError, match="stop_dead with schedules needs"):
        train_batched(free, Xs, ys, optim.Adam(), 8, 1, seeds=[0, 1], stop_dead=True, schedules=lambda e: 0.1)
    per_net = stack_bytes(nets[0], 8, 8, data_rows=60, n_state=0)
    with pytest.raises(ValueError, match="chunk_size 2 needs .* more than memory_budget"):
        train_batched(nets, Xs, ys, optim.SGD(0.1), 8, 1, seeds=[0, 1], chunk_size=2, memory_budget=per_net + 1)
    with pytest.raises(ValueError, match="validation X: X must be a 2-D array"):
        train_batched(nets, X, ys[0], optim.SGD(0.1), 8, 1, seeds=[0, 1], validation=(X[:, :1], ys[0]))
    with pytest.raises(ValueError, match=r"y must be one per network \(2\), as the inputs are; got 60"):
        train_batched(nets, Xs, ys[0], optim.SGD(0.1), 8, 1, seeds=[0, 1])
    # a nested list is one data set for all networks, as train takes it
    hists = train_batched(nets, X.tolist(), ys[0].tolist(), optim.SGD(0.1), 8, 1, seeds=[0, 1])
    assert all(h.epochs == 1 for h in hists)
