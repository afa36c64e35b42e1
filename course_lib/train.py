"""Training loops: mini-batch gradient descent for ``course_lib.nn.MLP``.

``train(model, X, y, optimizer, batch_size, epochs)`` is the loop of every
lecture::

    for epoch in range(epochs):
        lr = schedule(epoch)                      # optional
        for idx in batch_indices(len(X), batch_size, shuffle, rng):
            loss, grads = model.loss_and_grads(X[idx], y[idx])
            optimizer.step(model.params, grads)   # params updated in place

``batch_size=1`` is stochastic gradient descent, ``batch_size=len(X)`` batch
gradient descent, anything between mini-batch descent (sources ``001``,
``002``).  The last batch of an epoch may be smaller (Keras' convention).

Shuffling is reproducible: every epoch draws ``rng.permutation(n)`` from
``rng = validation.as_generator("seed", seed)`` (an int seed: a new
``numpy.random.default_rng(seed)``), and the batches are consecutive slices
of that permutation (``batch_indices``).  ``tests/lib/test_nn_keras.py``
rebuilds the same batches for TensorFlow from this rule.

The running loss estimate of source ``002`` -- ``Q := lam L_i + (1 - lam) Q``
after every step, started at the first step's loss -- is kept in
``History.running_loss`` (``running_loss_estimate``).

Also here, for the lectures and experiments:

* ``minibatch_sgd`` -- the same loop on a finite-sum objective such as
  ``functions.LogisticRegression`` (lecture 4's paths, noise ball and
  running loss);
* ``asgd_runs`` -- source ``000``'s synthetic experiment for one seed: SGD
  and aSGD from the same data, weights and batches (lecture 8 and
  ``experiments/exp_000_asgd.py``);
* lecture 9's runs: ``mnist_subsets`` (disjoint random subsets of MNIST's
  training images), ``symmetry_runs`` (training from zeros),
  ``regularization_runs`` (a small noisy training set for every L2 and
  dropout value) and ``batchnorm_runs`` (a deep sigmoid network with and
  without batch normalisation); ``EarlyStopping.replay`` finds where early
  stopping would stop a recorded curve, and ``train(...,
  evaluate_training=True)`` records the training side of a learning curve.

Validated once: ``train`` validates the data (training and validation) with
``model.as_inputs`` and ``model.as_targets`` and then calls the fast paths:
``model.loss_and_grads_unvalidated`` and ``model.correct_unvalidated`` on
every batch, ``optimizer.step_unvalidated`` for every step and
``model.evaluate_unvalidated`` on the validation data after every epoch.
``minibatch_sgd`` likewise validates its start point once and then calls the
objective's ``batch_gradient_unvalidated`` and ``sample_losses_unvalidated``.
The epoch's accuracy is counted by the model's own rule
(``MLP.correct_unvalidated``, the rule of ``MLP.accuracy``) on each batch
before its step.

Imports numpy and ``course_lib``'s numpy modules (validation, schedules, nn,
optim, data); the progress bar (tqdm, a widget in a notebook) is imported
when it is shown.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import optim
from .data import make_circles, make_spirals, train_test_split
from .nn import MLP, RegularizedMLP
from .schedules import apply as apply_schedule
from .validation import (
    describe,
    as_bool,
    as_choice,
    as_float_array,
    as_generator,
    as_in_interval,
    as_int,
    as_nonnegative,
    as_positive,
    as_scalar_output,
)

__all__ = ["History", "EarlyStopping", "TrainingDiverged", "progress_bar", "batches_per_epoch", "batches_of", "batch_indices",
           "running_loss_estimate", "as_validation_schedule", "train", "SGDRun", "minibatch_sgd", "ASGDRuns", "ASGD_HIDDEN", "ASGD_LR",
           "asgd_runs", "asgd_data", "mnist_subsets", "symmetry_runs", "RegularizationRuns", "regularization_runs",
           "batchnorm_runs"]


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite during training."""


@dataclass
class History:
    """What happened during ``train``: per-epoch and per-step records.

    Per epoch (index ``k`` is epoch ``k``, counted from 0):
    ``loss`` and ``accuracy`` (averages over the epoch's batches as they were
    trained, like Keras' ``fit``), ``val_loss`` and ``val_accuracy`` (after the
    epoch, on the validation data), ``lr`` (the learning rate used),
    ``epoch_time`` (wall seconds).  Per step: ``step_loss`` (the batch loss)
    and ``running_loss`` (source ``002``'s estimate ``Q``).  With
    ``train(..., evaluate_training=True)`` also ``train_loss`` and
    ``train_accuracy``: the whole training set evaluated after the epoch,
    like the validation data (in inference mode: without dropout, the loss
    without penalty), the learning curve to set beside ``val_loss``.
    ``diverged_step``: set by ``course_lib.batched.train_batched`` when the
    network's loss became NaN or infinite at that step (counted from 0); it
    stopped before taking it (``train`` raises ``TrainingDiverged`` there).
    With ``train(..., evaluate_every=k)`` the validation data is also
    evaluated after every k-th step: ``curve_step`` (the steps taken, k, 2k,
    ...), ``curve_val_loss`` and ``curve_val_accuracy`` -- a learning curve
    against the iterations, as source 003's figures draw it.
    ``frozen_epoch``: set by ``train_batched(stop_dead=True)`` when the
    network stopped because it could never change again (a dead layer).
    ``first_epoch`` is the epoch of the first per-epoch record (0, unless
    ``train_batched(record="last")`` kept only the last) and ``n_steps`` the
    steps taken when ``step_loss`` was not recorded.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    epoch_time: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    running_loss: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    curve_step: list = field(default_factory=list)
    curve_val_loss: list = field(default_factory=list)
    curve_val_accuracy: list = field(default_factory=list)
    steps_per_epoch: int = 0
    stopped_epoch: int | None = None
    best_epoch: int | None = None
    diverged_step: int | None = None
    frozen_epoch: int | None = None
    first_epoch: int = 0
    n_steps: int | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs completed."""
        return self.first_epoch + len(self.loss)

    @property
    def steps(self) -> int:
        """Number of optimizer steps taken."""
        return len(self.step_loss) if self.n_steps is None else self.n_steps

    @property
    def wall_time(self) -> float:
        """Total training time in seconds (excluding validation)."""
        return float(sum(self.epoch_time))

    def as_dict(self) -> dict:
        """The per-epoch records as a dict of lists (e.g. for ``pandas.DataFrame``)."""
        keys = ("loss", "accuracy", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "epoch_time")
        return {k: list(getattr(self, k)) for k in keys if getattr(self, k)}

    def __repr__(self) -> str:
        if not self.loss:
            return "History(no epochs)"
        last = f"loss {self.loss[-1]:.4g}"
        if self.accuracy:
            last += f", accuracy {self.accuracy[-1]:.4f}"
        if self.val_loss:
            last += f", val_loss {self.val_loss[-1]:.4g}"
        if self.val_accuracy:
            last += f", val_accuracy {self.val_accuracy[-1]:.4f}"
        return f"History({self.epochs} epochs, {self.steps} steps, {self.wall_time:.2f} s; last: {last})"


@dataclass
class EarlyStopping:
    """Stop when a monitored quantity has not improved for more than ``patience`` epochs.

    Parameters
    ----------
    monitor : {"val_loss", "val_accuracy", "loss", "accuracy"}
    patience : int
        Epochs without improvement tolerated: the run stops at the
        ``patience + 1``-th in a row.  Keras' ``EarlyStopping(patience=p)``
        stops at the ``p``-th (its ``wait >= patience``), so it is this
        rule with ``patience = p - 1`` (for ``p >= 1``; Keras' 0 acts as 1).
    min_delta : float
        An improvement must beat the best value by more than this.
    restore_best : bool
        Put back the parameters of the best epoch when stopping (Keras'
        ``restore_best_weights``).
    """

    monitor: str = "val_loss"
    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True

    def __post_init__(self):
        as_choice("monitor", self.monitor, ("val_loss", "val_accuracy", "loss", "accuracy"))
        self.patience = as_int("patience", self.patience, minimum=0)
        self.min_delta = as_nonnegative("min_delta", self.min_delta)
        self.restore_best = as_bool("restore_best", self.restore_best)

    def _better(self, value: float, best: float) -> bool:
        if self.monitor.endswith("accuracy"):
            return value > best + self.min_delta
        return value < best - self.min_delta

    def replay(self, values) -> tuple:
        """``(stopped_epoch, best_epoch)``: where this rule stops a run whose monitored values were ``values``.

        The rule ``train`` applies after every epoch, on a recorded curve
        (``values[k]`` after epoch ``k``): the best epoch is the last one
        that beat the best so far by more than ``min_delta``; the run stops
        at the first epoch that is the ``patience + 1``-th in a row without
        such an improvement.  ``stopped_epoch`` is None when the curve ends
        first.  Lecture 9 moves a patience slider over precomputed curves
        with it.
        """
        values = as_float_array("values", values, allow_scalar=False, finite=False)
        if values.ndim != 1:
            raise ValueError(f"values must be a 1-D array of per-epoch values; got shape {values.shape}")
        best, best_epoch, waited = None, None, 0
        for epoch, value in enumerate(values.tolist()):
            improved, best, waited, stop = self.update_unvalidated(best, waited, value)
            if improved:
                best_epoch = epoch
            if stop:
                return epoch, best_epoch
        return None, best_epoch

    def update_unvalidated(self, best, waited: int, value: float) -> tuple:
        """One epoch of the rule: ``(improved, best, waited, stop)`` after the epoch's ``value``.

        ``best`` is the best value so far (None before the first epoch) and
        ``waited`` the epochs since it; ``stop`` is True at the ``patience +
        1``-th epoch in a row without an improvement.  ``train`` and
        ``replay`` both apply the rule through this.
        """
        if best is None or self._better(value, best):
            return True, value, 0, False
        waited += 1
        return False, best, waited, waited > self.patience


def batches_per_epoch(n: int, batch_size: int) -> int:
    """``ceil(n / batch_size)``: the number of batches (steps) of an epoch over ``n`` samples.

    Every batch has ``batch_size`` samples except the last, which may be
    smaller (Keras' convention): 60 samples in batches of 16 are 4 steps.
    The kit writes every ceiling division as here, ``-(-a // b)``: exact in
    integers, where ``math.ceil(a / b)`` rounds through a float.
    """
    n = as_int("n", n, minimum=0)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    return -(-n // batch_size)  # ceil(n / batch_size) in integers, exactly


def batches_of(order, batch_size: int) -> list:
    """``order`` cut into consecutive batches of ``batch_size`` sample indices (the last may be smaller).

    The batching rule of every loop here: ``[order[0:B], order[B:2B], ...]``
    (``batches_per_epoch(len(order), B)`` pieces, views of ``order``).
    ``order`` is a 1-D integer array, usually a permutation of the samples.
    """
    order = np.asarray(order)
    if order.ndim != 1 or not (np.issubdtype(order.dtype, np.integer) or order.size == 0):
        raise TypeError(f"order must be a 1-D array of integer sample indices; got {describe(order)}")
    batch_size = as_int("batch_size", batch_size, minimum=1)
    return [order[s:s + batch_size] for s in range(0, len(order), batch_size)]


def batch_indices(n: int, batch_size: int, shuffle: bool = True, seed=0):
    """The index arrays (or slices) of one epoch's batches, in order.

    With ``shuffle`` the order is ``rng.permutation(n)`` cut into
    consecutive pieces of ``batch_size`` (``batches_of``; the last may be
    smaller), ``rng = validation.as_generator("seed", seed)``: pass one
    Generator epoch after epoch for a new order each time (``train`` does).
    Without, plain slices (views of the data, no copy).
    ``batches_per_epoch(n, batch_size)`` batches either way.
    """
    n = as_int("n", n, minimum=0)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    if as_bool("shuffle", shuffle):
        return batches_of(as_generator("seed", seed).permutation(n), batch_size)
    return [slice(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]


def running_loss_estimate(losses, lam: float, start: float | None = None) -> np.ndarray:
    """Source ``002``'s running estimate of the loss along a run of SGD steps.

    ``Q_k = lam L_k + (1 - lam) Q_{k-1}`` for the step losses ``L_0, L_1,
    ...``: an exponentially weighted average over about ``1/lam`` steps, at
    no extra cost.  It starts at ``Q_0 = L_0``, or continues from ``Q_{-1} =
    start`` when given (the estimate of the steps before, as ``train``
    carries it from epoch to epoch).

    Parameters
    ----------
    losses : 1-D float array
    lam : float in (0, 1]
    start : float, optional

    Returns
    -------
    ndarray, shaped like ``losses``
    """
    losses = as_float_array("losses", losses, allow_scalar=False)
    if losses.ndim != 1:
        raise ValueError(f"losses must be a 1-D array of step losses; got shape {losses.shape}")
    lam = as_in_interval("lam", lam, 0.0, 1.0, closed="right")
    q = None if start is None else as_scalar_output("start", start)
    beta = 1.0 - lam  # the weight of the estimate so far
    out = np.empty(losses.shape)
    for k, loss in enumerate(losses.tolist()):
        q = loss if q is None else optim.ema_unvalidated(q, loss, beta)   # (1 - lam) Q + lam L: optim's one EMA
        out[k] = q
    return out


def progress_bar(total: int, progress):
    """The training loops' progress bar over ``total`` steps (tqdm; a widget in a notebook), or None.

    ``progress`` is True or False, or a label: a string (the bar's
    description) or a pair ``(label, position)`` for bars of several
    processes at once, one line each (``experiments/exp_000_asgd.py``'s
    workers).  Validated here, once, for ``train`` and
    ``batched.train_batched``.
    """
    position = None
    if isinstance(progress, tuple) and len(progress) == 2 and isinstance(progress[0], str):
        progress, position = progress[0], as_int("progress position", progress[1], minimum=0)
    if not isinstance(progress, str):
        if not as_bool("progress", progress):
            return None
        progress = None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="step", leave=True, mininterval=0.5, desc=progress, position=position)


def as_validation_schedule(validation, evaluate_every):
    """Check ``validation=`` and ``evaluate_every=`` of a trainer; return ``evaluate_every`` as an int or None.

    ``validation`` is None or a pair ``(X_val, y_val)`` (the arrays are the
    model's to check: ``MLP.as_inputs``, ``as_targets``); ``evaluate_every``
    is None or an int >= 1, and needs validation data to evaluate.  The one
    check of ``train`` and ``batched.train_batched``.
    """
    if validation is not None and not (isinstance(validation, (tuple, list)) and len(validation) == 2):
        raise TypeError(f"validation must be a pair (X_val, y_val); got {describe(validation)}")
    if evaluate_every is None:
        return None
    evaluate_every = as_int("evaluate_every", evaluate_every, minimum=1)
    if validation is None:
        raise ValueError("evaluate_every needs validation data (validation=(X_val, y_val)) to evaluate")
    return evaluate_every


def train(model, X, y, optimizer, batch_size, epochs, schedule=None, shuffle=True, seed=0,
          validation=None, early_stopping=None, reduction="mean", callbacks=(), progress=True,
          running_loss_lambda=0.01, evaluate_training=False, evaluate_every=None) -> History:
    """Train ``model`` with mini-batch gradient descent; return the ``History``.

    Parameters
    ----------
    model : course_lib.nn.MLP
        Its ``params`` are updated in place.
    X, y : arrays
        Training inputs ``(n, features)`` and targets.  ``X`` is converted to
        the model's dtype once (no copy if it already has it: pass float32
        data to a float32 model to hold no second copy of a large data set).
    optimizer : course_lib.optim.Optimizer
        E.g. ``optim.SGD(0.1)``, ``optim.Momentum(0.1, 0.9)``, ``optim.Adam(1e-3)``.
    batch_size : int
        1 = SGD, ``len(X)`` = batch gradient descent.
    epochs : int
    schedule : callable ``epoch -> lr``, optional
        A ``course_lib.schedules`` schedule, applied at the start of every epoch.
    shuffle : bool, default True
        Reshuffle every epoch (see the module docstring for the exact order).
    seed : int or numpy Generator, default 0
        The batches' order (``validation.as_generator``; a Generator is
        advanced).
    validation : (X_val, y_val), optional
        Evaluated after every epoch.
    early_stopping : EarlyStopping or int, optional
        An int is the patience of ``EarlyStopping()`` on ``val_loss`` (or on
        ``loss`` when there is no validation data).
    reduction : {"mean", "effective"}, default "mean"
        ``"effective"`` trains with source ``000``'s aSGD mean effective gradient.
    callbacks : sequence of callables
        ``callback(epoch, history, model)`` after every epoch; returning True
        stops training.
    progress : bool or label, default True
        Show a progress bar (a widget in notebooks); silent when False; a
        string labels it (``progress_bar``).
    running_loss_lambda : float in (0, 1], default 0.01
        The ``lambda`` of source ``002``'s running loss estimate.
    evaluate_training : bool, default False
        Also evaluate the whole training set after every epoch
        (``History.train_loss``, ``train_accuracy``): the training side of a
        learning curve, measured as the validation side is (``History.loss``
        averages the batches while the weights move, and with dropout).
        Costs one forward pass over the data per epoch.
    evaluate_every : int >= 1, optional
        Also evaluate the validation data after every ``evaluate_every``-th
        step (``History.curve_step``, ``curve_val_loss``,
        ``curve_val_accuracy``); needs ``validation``.

    Raises
    ------
    TrainingDiverged
        When a batch loss becomes NaN or infinite; the message names the epoch
        and step and suggests a smaller learning rate.
    """
    needs = ("params", "as_inputs", "as_targets", "loss_and_grads_unvalidated", "is_classifier",
             "correct_unvalidated", "evaluate_unvalidated")
    missing = [a for a in needs if not hasattr(model, a)]
    if missing:
        raise TypeError(f"model must be a course_lib.nn.MLP (with {', '.join(needs[:-1])} and {needs[-1]}); "
                        f"got {describe(model)}, which lacks {', '.join(missing)}")
    if not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must be a course_lib.optim optimizer (with .step); got {describe(optimizer)}")
    X = model.as_inputs(X)
    n = len(X)
    if n == 0:
        raise ValueError("X must hold at least one sample; got 0")
    y = model.as_targets(y, n)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of samples ({n}); got {batch_size}")
    epochs = as_int("epochs", epochs, minimum=0)
    as_choice("reduction", reduction, ("mean", "effective"))
    lam = as_in_interval("running_loss_lambda", running_loss_lambda, 0.0, 1.0, closed="right")
    shuffle = as_bool("shuffle", shuffle)
    evaluate_training = as_bool("evaluate_training", evaluate_training)
    evaluate_every = as_validation_schedule(validation, evaluate_every)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable epoch -> lr (see course_lib.schedules); got {describe(schedule)}")
    callbacks = tuple(callbacks)
    for i, cb in enumerate(callbacks):
        if not callable(cb):
            raise TypeError(f"callbacks[{i}] must be callable(epoch, history, model); got {describe(cb)}")
    if validation is not None:
        X_val = model.as_inputs(validation[0])
        if len(X_val) == 0:
            raise ValueError("validation must hold at least one sample; X_val has 0")
        y_val = model.as_targets(validation[1], len(X_val))
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        try:
            patience = as_int("early_stopping", early_stopping, minimum=0)
        except TypeError:
            raise TypeError(f"early_stopping must be an EarlyStopping or an int patience; "
                            f"got {describe(early_stopping)}") from None
        early_stopping = EarlyStopping(monitor="val_loss" if validation is not None else "loss", patience=patience)
    if early_stopping is not None:
        if early_stopping.monitor.startswith("val_") and validation is None:
            raise ValueError(f"early_stopping monitors {early_stopping.monitor!r} but no validation data was given")
        if early_stopping.monitor.endswith("accuracy") and not model.is_classifier:
            raise ValueError(f"early_stopping monitors {early_stopping.monitor!r} but the model is not a classifier")

    rng = as_generator("seed", seed)
    history = History(steps_per_epoch=batches_per_epoch(n, batch_size))
    classifier = model.is_classifier
    fast_step = getattr(optimizer, "step_unvalidated", None)  # the gradients come from backprop of model.params
    bar = progress_bar(epochs * history.steps_per_epoch, progress)
    best_value, best_params, waited = None, None, 0
    q = None
    try:
        for epoch in range(epochs):
            if schedule is not None:
                apply_schedule(schedule, optimizer, epoch)
            history.lr.append(float(optimizer.lr))
            t0 = time.perf_counter()
            loss_sum, correct, counted, epoch_losses = 0.0, 0, 0, []
            for step, idx in enumerate(batch_indices(n, batch_size, shuffle, rng)):
                Xb, yb = X[idx], y[idx]
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    loss, grads, z_out = model.loss_and_grads_unvalidated(Xb, yb, reduction, return_logits=True)
                if not math.isfinite(loss):
                    raise TrainingDiverged(
                        f"the loss became {loss} at epoch {epoch}, step {step} (step {history.steps + 1} "
                        f"overall) with learning rate {optimizer.lr:g}: training diverged; try a smaller "
                        f"learning rate (e.g. {optimizer.lr / 10:g})"
                    )
                if fast_step is not None:
                    fast_step(model.params, grads)
                else:
                    optimizer.step(model.params, grads)
                m = len(Xb)
                loss_sum += loss * m
                if classifier:  # the predictions before the step, by the model's own rule
                    hit = model.correct_unvalidated(z_out, yb)
                    correct += int(np.count_nonzero(hit))
                    counted += hit.size
                epoch_losses.append(loss)
                history.step_loss.append(loss)
                if evaluate_every is not None and history.steps % evaluate_every == 0:
                    t_eval = time.perf_counter()
                    with np.errstate(over="ignore", invalid="ignore"):
                        vl, va = model.evaluate_unvalidated(X_val, y_val)
                    history.curve_step.append(history.steps)
                    history.curve_val_loss.append(vl)
                    if va is not None:
                        history.curve_val_accuracy.append(va)
                    t0 += time.perf_counter() - t_eval  # the epoch's time stays its training time
                if bar is not None:
                    bar.update(1)
            running = running_loss_estimate(epoch_losses, lam, start=q).tolist()
            history.running_loss.extend(running)
            q = running[-1]
            history.epoch_time.append(time.perf_counter() - t0)
            history.loss.append(loss_sum / n)
            if classifier:
                history.accuracy.append(correct / counted)
            if evaluate_training:
                with np.errstate(over="ignore", invalid="ignore"):
                    tl, ta = model.evaluate_unvalidated(X, y)
                history.train_loss.append(tl)
                if ta is not None:
                    history.train_accuracy.append(ta)
            if validation is not None:
                with np.errstate(over="ignore", invalid="ignore"):
                    vl, va = model.evaluate_unvalidated(X_val, y_val)
                history.val_loss.append(vl)
                if va is not None:
                    history.val_accuracy.append(va)
            if bar is not None:
                post = {"loss": f"{history.loss[-1]:.4f}"}
                if history.val_accuracy:
                    post["val_acc"] = f"{history.val_accuracy[-1]:.4f}"
                bar.set_postfix(post, refresh=False)
            stop = False
            if early_stopping is not None:
                value = getattr(history, early_stopping.monitor)[-1]
                improved, best_value, waited, stop = early_stopping.update_unvalidated(best_value, waited, value)
                if improved:
                    history.best_epoch = epoch
                    if early_stopping.restore_best:
                        best_params = [p.copy() for p in model.params]
            for cb in callbacks:
                if cb(epoch, history, model) is True:
                    stop = True
            if stop:
                history.stopped_epoch = epoch
                if best_params is not None:
                    for p, best in zip(model.params, best_params):
                        p[...] = best
                break
    finally:
        if bar is not None:
            bar.close()
    return history


# --------------------------------------------------------------------------
# mini-batch SGD on a finite-sum objective (lecture 4)
# --------------------------------------------------------------------------
class SGDRun(NamedTuple):
    """What ``minibatch_sgd`` did, step by step.

    ``path[k]`` is ``w_k`` (``path[0] = w0``), shape ``(steps + 1, d)``;
    ``batches[k]`` the sample indices of step ``k``; ``batch_loss[k]`` the
    batch's mean loss at ``w_k``, before step ``k`` (what source ``002``'s
    running estimate averages, see ``running_loss_estimate``).
    """

    path: np.ndarray
    batches: list
    batch_loss: np.ndarray


def minibatch_sgd(objective, w0, lr: float, batch_size: int, epochs: int, seed=0,
                  max_steps: int | None = None) -> SGDRun:
    """Mini-batch SGD with a constant learning rate on a finite-sum objective ``F = (1/n) sum_i F_i``.

    ::

        for epoch in range(epochs):
            for B in batch_indices(n, batch_size, True, rng):   # a fresh permutation, cut in pieces
                w = w - lr * g_B(w)                              # g_B = mean of grad F_i over B (optim.SGD)

    ``g_B`` is an unbiased estimate of ``grad F`` (sources ``001``,
    ``002``): ``batch_size = 1`` is stochastic gradient descent, ``batch_size
    = n`` batch gradient descent (one exact step per epoch).  With a constant
    ``lr`` the iterates do not converge but end in a noise ball around the
    minimiser that grows with ``lr`` and shrinks with the batch.  The batches
    follow ``train``'s rule, so both loops visit the samples in the same order.

    Parameters
    ----------
    objective : finite-sum objective
        With ``n`` (number of samples), ``dim`` and the fast paths
        ``batch_gradient_unvalidated(w, idx)`` and
        ``sample_losses_unvalidated(w, idx)``:
        ``course_lib.functions.LogisticRegression``.  ``w0`` is validated here,
        once; the batches are drawn here, so the loop calls the fast paths.
    w0 : 1-D float array
    lr : float > 0
    batch_size : int in [1, n]
    epochs : int >= 0
    seed : int or numpy Generator, default 0
        The batches' order (``validation.as_generator``).
    max_steps : int, optional
        Stop after this many steps (within an epoch if need be).

    Returns
    -------
    SGDRun
        ``(path, batches, batch_loss)``.
    """
    needs = ("n", "dim", "batch_gradient_unvalidated", "sample_losses_unvalidated")
    missing = [a for a in needs if not hasattr(objective, a)]
    if missing:
        raise TypeError(f"objective must be a finite-sum objective such as course_lib.functions.LogisticRegression "
                        f"(with {', '.join(needs[:-1])} and {needs[-1]}); got {describe(objective)}, which lacks "
                        f"{', '.join(missing)}")
    w = as_float_array("w0", w0, allow_scalar=False).astype(np.float64)  # a copy: w0 is never modified
    if w.shape != (objective.dim,):
        raise ValueError(f"w0 must have shape ({objective.dim},), one weight per feature; got shape {w.shape}")
    sgd = optim.SGD(lr)  # validates lr (> 0)
    n = objective.n
    batch_size = as_int("batch_size", batch_size, minimum=1)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of samples ({n}); got {batch_size}")
    epochs = as_int("epochs", epochs, minimum=0)
    steps = epochs * batches_per_epoch(n, batch_size)
    if max_steps is not None:
        steps = min(steps, as_int("max_steps", max_steps, minimum=0))
    rng = as_generator("seed", seed)
    path = np.empty((steps + 1, w.size))
    path[0] = w
    batch_loss = np.empty(steps)
    batches = []
    for _ in range(epochs):
        for idx in batch_indices(n, batch_size, True, rng):
            k = len(batches)
            if k == steps:
                break
            batch_loss[k] = np.mean(objective.sample_losses_unvalidated(w, idx))
            sgd.step_unvalidated([w], [objective.batch_gradient_unvalidated(w, idx)])  # w - lr g_B, in place
            path[k + 1] = w
            batches.append(idx)
    return SGDRun(path, batches, batch_loss)


# --------------------------------------------------------------------------
# source 000's synthetic experiment (lecture 8, experiments/exp_000_asgd.py)
# --------------------------------------------------------------------------
class ASGDRuns(NamedTuple):
    """Both runs of ``asgd_runs`` and their data.

    ``runs["SGD"]`` and ``runs["aSGD"]`` are ``(model, History)`` pairs;
    ``X, y`` the training data both were trained on, ``X_test, y_test`` the
    held-out samples.
    """

    runs: dict
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


ASGD_HIDDEN = (10, 10, 10, 10, 10)
"""Source ``000``'s deliberately redundant hidden layers (section 7.2): five ReLU layers of 10 units."""

ASGD_LR = {"circles": 0.01, "spirals": 0.05}
"""Source ``000``'s learning rates for its two synthetic problems (section 7.2)."""


def asgd_runs(dataset: str = "circles", seed=0, max_steps: int = 3000, lr: float | None = None,
              batch_size: int = 32, loss_stop: float = 0.01, n_train: int = 128, n_test: int = 55,
              dtype=np.float64) -> ASGDRuns:
    """Source ``000``'s synthetic experiment for one seed: SGD against aSGD, same data, weights and batches.

    Section 7.2 of source ``000``: concentric circles (lr 0.01) or spirals
    (lr 0.05), a 2-10-10-10-10-10-1 ReLU network with a sigmoid output and
    binary cross-entropy, 128 training samples in a 7:3 train/test split
    (``n_train + n_test`` points, ``make_circles`` or ``make_spirals``, split
    by ``train_test_split``).  Both networks start from the same weights and
    see the same batches; SGD trains with the batch mean (``reduction="mean"``),
    aSGD with the mean effective gradient (``reduction="effective"``).  Each
    stops after the first epoch whose mean loss is below ``loss_stop``, or
    after ``max_steps`` steps rounded up to whole epochs.  The source leaves
    out the batch size and the threshold: 32 and 0.01 are the kit's choice.

    Parameters
    ----------
    dataset : {"circles", "spirals"}
    seed : int or numpy Generator, default 0
        An int is the repetition's seed: the data, the split, the initial
        weights and the batch order all derive from it (seed ``s`` here is
        seed ``s`` of ``experiments/exp_000_asgd.py``).  A Generator (or
        None, fresh entropy) gives one such int, drawn from it.
    max_steps : int >= 1, default 3000
    lr : float > 0, optional
        Default ``ASGD_LR[dataset]``.
    batch_size : int >= 1, default 32
    loss_stop : float > 0, default 0.01
    n_train, n_test : int >= 1, default 128 and 55
    dtype : float64 or float32, default float64
        The networks' (``experiments/exp_000_asgd.py`` runs float32, as the
        frameworks of the source do).

    Returns
    -------
    ASGDRuns
        ``runs`` (``{"SGD": (model, History), "aSGD": (model, History)}``),
        ``X, y`` (training data), ``X_test, y_test``.
    """
    dataset = as_choice("dataset", dataset, tuple(ASGD_LR))
    rng = as_generator("seed", seed)  # validates: an int >= 0, a Generator or None
    # an int is the repetition's seed, used as it is (4 times); a Generator (or None) draws one
    seed = int(rng.integers(2**32)) if seed is None or rng is seed else int(seed)
    max_steps = as_int("max_steps", max_steps, minimum=1)
    lr = ASGD_LR[dataset] if lr is None else as_positive("lr", lr)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    loss_stop = as_positive("loss_stop", loss_stop)
    n_train = as_int("n_train", n_train, minimum=1)
    n_test = as_int("n_test", n_test, minimum=1)
    if batch_size > n_train:
        raise ValueError(f"batch_size must be at most n_train ({n_train}); got {batch_size}")
    X, y, X_test, y_test = asgd_data(dataset, seed, n_train, n_test)
    epochs = -(-max_steps // batches_per_epoch(n_train, batch_size))  # ceiling division
    runs = {}
    for name, reduction in (("SGD", "mean"), ("aSGD", "effective")):
        net = MLP([2, *ASGD_HIDDEN, 1], output="sigmoid", seed=seed, dtype=dtype)
        hist = train(net, X, y, optim.SGD(lr), batch_size, epochs, seed=seed, reduction=reduction,
                     callbacks=[lambda e, h, m: h.loss[-1] < loss_stop], progress=False)
        runs[name] = (net, hist)
    return ASGDRuns(runs, X, y, X_test, y_test)


def asgd_data(dataset: str, seed: int, n_train: int = 128, n_test: int = 55) -> tuple:
    """Source ``000``'s data for repetition ``seed``: ``(X, y, X_test, y_test)``, as ``asgd_runs`` draws it.

    ``n_train + n_test`` points of ``make_circles`` or ``make_spirals``
    (seeded with ``seed``), split by ``train_test_split(..., test_size=n_test,
    seed=seed)``.  ``course_lib.batched.asgd_study`` draws each seed's data
    here too, so its seed ``s`` is ``asgd_runs``' seed ``s``.
    """
    dataset = as_choice("dataset", dataset, tuple(ASGD_LR))
    seed = as_int("seed", seed, minimum=0)
    make = make_circles if dataset == "circles" else make_spirals
    X_all, y_all = make(as_int("n_train", n_train, minimum=1) + as_int("n_test", n_test, minimum=1), seed=seed)
    X, X_test, y, y_test = train_test_split(X_all, y_all, test_size=n_test, seed=seed)
    return X, y, X_test, y_test


# --------------------------------------------------------------------------
# lecture 9: practical issues (initialisation's symmetry, overfitting, batch normalisation)
# --------------------------------------------------------------------------
def mnist_subsets(n_train: int, n_val: int, seed=0, dtype=np.float32):
    """Disjoint random subsets of MNIST's 60,000 training images: ``(X, y, X_val, y_val)``.

    ``rng.permutation(60000)`` (``rng = validation.as_generator("seed",
    seed)``): its first ``n_train`` indices are the training set, the next
    ``n_val`` the validation set; images flattened and scaled to [0, 1] by
    ``data.flatten_images``.  A small training set is the overfitting
    experiment of lecture 9; the test set stays untouched.
    """
    from .data import flatten_images, load_mnist

    n_train = as_int("n_train", n_train, minimum=1)
    n_val = as_int("n_val", n_val, minimum=1)
    (images, labels), _ = load_mnist()
    if n_train + n_val > len(images):
        raise ValueError(f"n_train + n_val must be at most {len(images)}; got {n_train + n_val}")
    order = as_generator("seed", seed).permutation(len(images))
    tr, va = np.sort(order[:n_train]), np.sort(order[n_train:n_train + n_val])
    return (flatten_images(images[tr], dtype), labels[tr].astype(np.int64),
            flatten_images(images[va], dtype), labels[va].astype(np.int64))


def symmetry_runs(inits=("zeros", "glorot_uniform"), hidden: str = "sigmoid", width: int = 16, n_train: int = 256,
                  epochs: int = 5, lr: float = 0.5, batch_size: int = 32, seed=0) -> dict:
    """The same 784-``width``-10 network trained from each initialisation: ``{init: (model, History)}``.

    From ``zeros`` every hidden unit computes the same function and gets the
    same gradient, so after any number of steps all columns of ``W1`` are
    still equal (``nn.distinct_columns`` counts 1): the network has one
    hidden unit, ``width`` times.  A random initialisation breaks that
    symmetry.  (With ReLU or tanh the zero start is worse still: ``g(0) =
    0``, so the hidden weights never receive a gradient.)  SGD on
    ``mnist_subsets(n_train, 1, seed)``'s training images; the same batches
    for every run.
    """
    width = as_int("width", width, minimum=1)
    epochs = as_int("epochs", epochs, minimum=0)
    X, y, _, _ = mnist_subsets(n_train, 1, seed, np.float64)
    out = {}
    for init in inits:
        net = MLP([784, width, 10], hidden=hidden, init=init, seed=seed)
        out[init] = (net, train(net, X, y, optim.SGD(lr), batch_size, epochs, seed=seed, progress=False))
    return out


class RegularizationRuns(NamedTuple):
    """``regularization_runs``' grid: ``histories[(l2, dropout)]`` is that run's ``History``, ``models`` its network.

    Every ``History`` has ``train_loss``/``train_accuracy`` (the whole
    training set after each epoch, inference mode, data loss) and
    ``val_loss``/``val_accuracy``; ``X, y`` are the training data, ``X_val,
    y_val`` the validation data.
    """

    histories: dict
    models: dict
    l2s: tuple
    dropouts: tuple
    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray


def regularization_runs(l2s=(0.0, 1e-3, 1e-2), dropouts=(0.0, 0.25, 0.5), dataset: str = "circles",
                        noise: float = 0.25, n_train: int = 100, n_val: int = 1000, hidden=(100, 100),
                        epochs: int = 150, lr: float = 1e-2, batch_size: int = 20, seed=0) -> RegularizationRuns:
    """Overfitting and two remedies: a small, noisy training set trained for every (L2, dropout) pair.

    ``make_circles`` (or ``make_spirals``) with ``noise``: ``n_train +
    n_val`` points, the first ``n_train`` for training and the rest for
    validation, drawn from the same distribution.  The network is
    ``nn.RegularizedMLP([2, *hidden, 1], output="sigmoid", l2=l2,
    dropout=rate)`` (ReLU, Glorot uniform, binary cross-entropy), trained
    with Adam(``lr``); every run starts from the same weights and sees the
    same batches, only the penalty and the dropout rate differ.  Early
    stopping needs no runs of its own: ``EarlyStopping.replay`` finds where
    it would have stopped each curve.  Lecture 9 trains this grid once and
    lets its sliders pick a run (deeplearning.ai's regularisation lab does
    the same on a 2-D problem).

    Returns ``RegularizationRuns``; ``models[(l2, rate)]`` holds each trained network.
    """
    l2s = tuple(as_nonnegative(f"l2s[{i}]", v) for i, v in enumerate(l2s))
    dropouts = tuple(as_in_interval(f"dropouts[{i}]", v, 0.0, 1.0, closed="left") for i, v in enumerate(dropouts))
    dataset = as_choice("dataset", dataset, ("circles", "spirals"))
    hidden = tuple(as_int(f"hidden[{i}]", h, minimum=1) for i, h in enumerate(hidden))
    n_train = as_int("n_train", n_train, minimum=1)
    n_val = as_int("n_val", n_val, minimum=1)
    epochs = as_int("epochs", epochs, minimum=1)
    make = make_circles if dataset == "circles" else make_spirals
    X_all, y_all = make(n_train + n_val, noise=noise, seed=seed)
    X, y, X_val, y_val = X_all[:n_train], y_all[:n_train], X_all[n_train:], y_all[n_train:]
    histories, models = {}, {}
    for l2 in l2s:
        for rate in dropouts:
            net = RegularizedMLP([2, *hidden, 1], output="sigmoid", seed=seed, l2=l2, dropout=rate)
            histories[(l2, rate)] = train(net, X, y, optim.Adam(lr), batch_size, epochs, seed=seed,
                                          validation=(X_val, y_val), evaluate_training=True, progress=False)
            models[(l2, rate)] = net
    return RegularizationRuns(histories, models, l2s, dropouts, X, y, X_val, y_val)


def batchnorm_runs(lrs=(0.05, 0.5), hidden=(64, 64, 64, 64, 64), activation: str = "sigmoid", n_train: int = 1000,
                   n_val: int = 1000, epochs: int = 8, batch_size: int = 32, momentum: float = 0.9,
                   seed=0) -> dict:
    """A deep network with and without batch normalisation, SGD at each learning rate: ``{(batchnorm, lr): (model, History)}``.

    ``nn.RegularizedMLP([784, *hidden, 10], hidden=activation,
    batchnorm=...)`` (Glorot uniform, float64: in float32 the vanishing
    gradients of the network without batch normalisation become subnormal
    numbers, whose arithmetic is about 100 times slower; the moving averages with
    ``momentum``, 0.9 for a short run) on ``mnist_subsets(n_train, n_val,
    seed)``; the same initial weights and batches for every run.  Every
    ``History`` has the training-set and validation learning curves.
    """
    lrs = tuple(as_positive(f"lrs[{i}]", v) for i, v in enumerate(lrs))
    hidden = tuple(as_int(f"hidden[{i}]", h, minimum=1) for i, h in enumerate(hidden))
    X, y, X_val, y_val = mnist_subsets(n_train, n_val, seed, np.float64)
    out = {}
    for bn in (False, True):
        for lr in lrs:
            net = RegularizedMLP([784, *hidden, 10], hidden=activation, seed=seed, batchnorm=bn, momentum=momentum)
            out[(bn, lr)] = (net, train(net, X, y, optim.SGD(lr), batch_size, epochs, seed=seed,
                                        validation=(X_val, y_val), evaluate_training=True, progress=False))
    return out
