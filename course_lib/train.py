"""Training loops: mini-batch gradient descent for ``course_lib.nn.MLP``.

``train(model, X, y, optimizer, batch_size, epochs)`` is the loop of every
lecture::

    for epoch in range(epochs):
        lr = schedule(epoch)                      # optional
        for X_b, y_b in minibatches(X, y, batch_size, shuffle):
            loss, grads = model.loss_and_grads(X_b, y_b)
            optimizer.step(model.params, grads)   # params updated in place

``batch_size=1`` is stochastic gradient descent, ``batch_size=len(X)`` batch
gradient descent, anything between mini-batch descent (sources ``001``,
``002``).  The last batch of an epoch may be smaller (Keras' convention).

Shuffling is reproducible: every epoch draws ``rng.permutation(n)`` from
``rng = numpy.random.default_rng(seed)``, and the batches are consecutive
slices of that permutation.  ``tests/test_train_keras.py`` rebuilds the same
batches for TensorFlow from this rule.

The running loss estimate of source ``002`` -- ``Q := lam L_i + (1 - lam) Q``
after every step, started at the first step's loss -- is kept in
``History.running_loss``.

Only numpy is imported at module level; the progress bar (tqdm, a widget in
a notebook) is imported when it is shown.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .validation import describe, as_choice, as_in_interval, as_int, as_nonnegative
from .schedules import apply as apply_schedule

__all__ = ["History", "EarlyStopping", "TrainingDiverged", "batch_indices", "train", "evaluate"]


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
    and ``running_loss`` (source ``002``'s estimate ``Q``).
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    epoch_time: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    running_loss: list = field(default_factory=list)
    steps_per_epoch: int = 0
    stopped_epoch: int | None = None
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs completed."""
        return len(self.loss)

    @property
    def steps(self) -> int:
        """Number of optimizer steps taken."""
        return len(self.step_loss)

    @property
    def wall_time(self) -> float:
        """Total training time in seconds (excluding validation)."""
        return float(sum(self.epoch_time))

    def as_dict(self) -> dict:
        """The per-epoch records as a dict of lists (e.g. for ``pandas.DataFrame``)."""
        keys = ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "epoch_time")
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
    """Stop when a monitored quantity has not improved for ``patience`` epochs.

    Parameters
    ----------
    monitor : {"val_loss", "val_accuracy", "loss", "accuracy"}
    patience : int
        Epochs without improvement tolerated before stopping.
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

    def _better(self, value: float, best: float) -> bool:
        if self.monitor.endswith("accuracy"):
            return value > best + self.min_delta
        return value < best - self.min_delta


def batch_indices(n: int, batch_size: int, shuffle: bool, rng):
    """The index arrays (or slices) of one epoch's batches, in order.

    With ``shuffle`` the order is ``rng.permutation(n)`` cut into consecutive
    pieces; without, plain slices (views of the data, no copy).
    """
    if shuffle:
        order = rng.permutation(n)
        return [order[s:s + batch_size] for s in range(0, n, batch_size)]
    return [slice(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="step", leave=True, mininterval=0.5)


def evaluate(model, X, y) -> tuple[float, float | None]:
    """``(mean loss, accuracy)`` of ``model`` on ``(X, y)``; accuracy is None for regression."""
    loss = model.loss(X, y)
    try:
        acc = model.accuracy(X, y)
    except ValueError:
        acc = None
    return loss, acc


def _is_classifier(model) -> bool:
    return model.output == "softmax" or model.loss_name == "binary_cross_entropy"


def _batch_correct(model, z_out: np.ndarray, y: np.ndarray) -> int:
    if model.output == "softmax":
        labels = y if y.ndim == 1 else y.argmax(axis=1)
        return int(np.count_nonzero(z_out.argmax(axis=1) == labels))
    # sigmoid with binary cross-entropy: sigmoid(a z) > 0.5  <=>  z > 0
    return int(np.count_nonzero((z_out > 0) == (y > 0.5))) // max(z_out.shape[1], 1)


def train(model, X, y, optimizer, batch_size, epochs, schedule=None, shuffle=True, seed=0,
          validation=None, early_stopping=None, reduction="mean", callbacks=(), progress=True,
          running_loss_lambda=0.01) -> History:
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
    seed : int, default 0
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
    progress : bool, default True
        Show a progress bar (a widget in notebooks); silent when False.
    running_loss_lambda : float in (0, 1], default 0.01
        The ``lambda`` of source ``002``'s running loss estimate.

    Raises
    ------
    TrainingDiverged
        When a batch loss becomes NaN or infinite; the message names the epoch
        and step and suggests a smaller learning rate.
    """
    if not hasattr(model, "_loss_and_grads") or not hasattr(model, "params"):
        raise TypeError(f"model must be a course_lib.nn.MLP; got {describe(model)}")
    if not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must be a course_lib.optim optimizer (with .step); got {describe(optimizer)}")
    X = model._inputs(X)
    n = len(X)
    if n == 0:
        raise ValueError("X must hold at least one sample; got 0")
    y = model._outputs_target(y, n)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of samples ({n}); got {batch_size}")
    epochs = as_int("epochs", epochs, minimum=0)
    as_choice("reduction", reduction, ("mean", "effective"))
    lam = as_in_interval("running_loss_lambda", running_loss_lambda, 0.0, 1.0, closed="right")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False; got {describe(shuffle)}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable epoch -> lr (see course_lib.schedules); got {describe(schedule)}")
    callbacks = tuple(callbacks)
    for i, cb in enumerate(callbacks):
        if not callable(cb):
            raise TypeError(f"callbacks[{i}] must be callable(epoch, history, model); got {describe(cb)}")
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            raise TypeError(f"validation must be a pair (X_val, y_val); got {describe(validation)}")
        X_val = model._inputs(validation[0])
        y_val = model._outputs_target(validation[1], len(X_val))
    if isinstance(early_stopping, (int, np.integer)) and not isinstance(early_stopping, bool):
        early_stopping = EarlyStopping(monitor="val_loss" if validation is not None else "loss",
                                       patience=int(early_stopping))
    if early_stopping is not None:
        if not isinstance(early_stopping, EarlyStopping):
            raise TypeError(f"early_stopping must be an EarlyStopping or an int patience; got {describe(early_stopping)}")
        if early_stopping.monitor.startswith("val_") and validation is None:
            raise ValueError(f"early_stopping monitors {early_stopping.monitor!r} but no validation data was given")
        if early_stopping.monitor.endswith("accuracy") and not _is_classifier(model):
            raise ValueError(f"early_stopping monitors {early_stopping.monitor!r} but the model is not a classifier")

    rng = np.random.default_rng(seed)
    history = History(steps_per_epoch=math.ceil(n / batch_size))
    classifier = _is_classifier(model)
    fast_step = getattr(optimizer, "_step_trusted", None)
    bar = _progress_bar(epochs * history.steps_per_epoch, progress)
    best_value, best_params, waited = None, None, 0
    q = None
    try:
        for epoch in range(epochs):
            if schedule is not None:
                apply_schedule(schedule, optimizer, epoch)
            history.lr.append(float(optimizer.lr))
            t0 = time.perf_counter()
            loss_sum, correct = 0.0, 0
            for step, idx in enumerate(batch_indices(n, batch_size, shuffle, rng)):
                Xb, yb = X[idx], y[idx]
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    loss, grads, z_out = model._loss_and_grads(Xb, yb, reduction, return_logits=True)
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
                if classifier:
                    correct += _batch_correct(model, z_out, yb)
                q = loss if q is None else lam * loss + (1 - lam) * q
                history.step_loss.append(loss)
                history.running_loss.append(q)
                if bar is not None:
                    bar.update(1)
            history.epoch_time.append(time.perf_counter() - t0)
            history.loss.append(loss_sum / n)
            if classifier:
                history.accuracy.append(correct / n)
            if validation is not None:
                with np.errstate(over="ignore", invalid="ignore"):
                    vl, va = evaluate(model, X_val, y_val)
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
                if best_value is None or early_stopping._better(value, best_value):
                    best_value, waited, history.best_epoch = value, 0, epoch
                    if early_stopping.restore_best:
                        best_params = [p.copy() for p in model.params]
                else:
                    waited += 1
                    stop = waited > early_stopping.patience
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
