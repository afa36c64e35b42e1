"""Learning-rate schedules: the learning rate as a function of the epoch.

A schedule is a callable ``schedule(k)`` of the epoch number ``k = 0, 1, 2,
...`` (an int, or an integer array for plotting a whole curve).  Epoch 0 gets
the initial learning rate ``lr0``.  Set an optimizer's learning rate at the
start of each epoch with ``apply(schedule, optimizer, k)``::

    from course_lib import optim, schedules
    opt = optim.Momentum(lr=0.1, beta=0.9)
    schedule = schedules.linear(lr0=0.1, lr_final=1e-4, n_epochs=10)
    for k in range(10):
        schedules.apply(schedule, opt, k)
        for xb, yb in batches:
            ...
            opt.step(params, grads)

=================  ========================================  =======================================
factory            lr_k                                      source / Keras equivalent
=================  ========================================  =======================================
``constant``       lr0                                       --
``inverse_time``   lr0 / (1 + decay * k)                     001 slide "Learning Rate Decay";
                                                             ``InverseTimeDecay(lr0, 1, decay)``
``exponential``    lr0 * base**k                             001 (base 0.95 and 0.98);
                                                             ``ExponentialDecay(lr0, 1, base)``
``inverse_sqrt``   lr0 / sqrt(1 + k)                         001 writes (c / sqrt(k)) * lr0, see below
``step_decay``     lr0 * factor**floor(k / every)            001 "reduce ... after 100 epochs";
                                                             ``PiecewiseConstantDecay``
``linear``         lr0 * (1 - k/N) + lr_final * k/N,         003 section 3.2.1;
                   held at lr_final for k >= N               ``PolynomialDecay(lr0, N, lr_final)``
=================  ========================================  =======================================

The decaying schedules accept ``lr_min``, a floor (slide 001: "with some
threshold at a minimum value"): ``lr_k = max(formula, lr_min)``.

Notes on the course sources
---------------------------
* ``001`` writes the inverse-square-root decay as ``(k / sqrt(epoch_num)) *
  learning_rate_0`` with ``k`` a constant.  At epoch 0 that divides by zero,
  so here the epoch is shifted by one: ``lr0 / sqrt(1 + k)`` (the constant is
  folded into ``lr0``), which gives ``lr0`` at epoch 0 like every other
  schedule.
* ``001`` slide 40 prints the inverse-time rule garbled as ``1/(1 - dec) *
  1/(rate * epoch number) * alpha_0``; its later slide gives the correct
  ``1 / (1 + decay_rate * epoch_num) * learning_rate_0``, implemented by
  ``inverse_time``.
* ``001``'s "reduce by 0.1 * alpha_{t-1} after 100 epochs" can be read as
  multiplying by 0.1 or by 0.9; ``step_decay`` takes the factor explicitly.
* ``003`` computes the linear decay with alpha = k / N at the end of epoch k;
  ``linear(lr0, lr_final, N)(k)`` is the rate used *during* epoch k, so epoch
  0 trains with lr0 and epoch N (if there is one) with lr_final.  In the
  report's N = 10 epochs, then, eta_N = 1e-4 (its Table 3's "eta_N") is never
  used: the tenth and last epoch trains at ``linear(0.1, 1e-4, 10)(9)`` =
  0.01009, a tenfold decay, not a thousandfold.  Its text also calls the
  run "a decayed learning rate from 0.1 to 0.001"; Table 3 says 0.0001.

The learning rate and the batch size: ``linear_scaling(lr, batch, new_batch)``
(Goyal et al. 2017's rule) and ``equal_ratio_spread``, which measures how
well a grid of runs follows it (lecture 7, on source ``003``'s Table 2,
``SOURCE_003_TABLE2``).

Keras counts optimizer *steps* (mini-batches), not epochs; with
``decay_steps=1`` and the epoch fed in as the step its schedules give the same
numbers (``tests/lib/test_schedules.py`` checks this against Keras).

numpy and ``course_lib.validation`` are imported here.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .validation import describe, as_in_interval, as_int, as_nonnegative, as_positive

__all__ = [
    "Schedule",
    "constant",
    "inverse_time",
    "exponential",
    "inverse_sqrt",
    "step_decay",
    "linear",
    "apply",
    "linear_scaling",
    "equal_ratio_groups",
    "equal_ratio_spread",
    "SOURCE_003_TABLE2",
    "SOURCE_003_MAIN",
]


def _as_epochs(k):
    """Validate ``k`` (an int >= 0 or an integer array of them)."""
    arr = np.asarray(k)
    if not np.issubdtype(arr.dtype, np.integer):  # bool is not an integer dtype for numpy
        raise TypeError(
            f"k (the epoch) must be an integer >= 0 or an integer array; got {describe(k)}"
        )
    if np.any(arr < 0):
        raise ValueError(f"k (the epoch) must be >= 0; got {k!r}")
    return arr


class Schedule:
    """A learning rate as a function of the epoch ``k = 0, 1, 2, ...``.

    Built by the factory functions of this module (``inverse_time`` ...);
    calling it with an int returns a float, with an integer array returns a
    float64 array of the same shape.

    Attributes
    ----------
    name : str
        The factory's name.
    params : dict
        The hyperparameters, as given.
    formula : str
        The rule in plain text.
    """

    def __init__(self, name: str, rule: Callable[[np.ndarray], np.ndarray], formula: str,
                 params: dict, lr_min: float = 0.0):
        self.name = name
        self.params = dict(params)
        self.formula = formula
        self.lr_min = lr_min
        self._rule = rule

    def __call__(self, k):
        arr = _as_epochs(k)
        lr = np.maximum(self._rule(arr.astype(np.float64)), self.lr_min)
        return float(lr) if arr.ndim == 0 else lr

    def values(self, n_epochs: int) -> np.ndarray:
        """The learning rates of epochs ``0 .. n_epochs - 1`` (for plotting)."""
        n_epochs = as_int("n_epochs", n_epochs, minimum=0)
        return self(np.arange(n_epochs))

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.name}({args})  # lr_k = {self.formula}"


def constant(lr: float) -> Schedule:
    """Constant learning rate: ``lr_k = lr``.

    Parameters
    ----------
    lr : float
        The learning rate, > 0.
    """
    lr = as_positive("lr", lr)
    return Schedule("constant", lambda k: np.full_like(k, lr), "lr", {"lr": lr})


def inverse_time(lr0: float, decay: float, lr_min: float = 0.0) -> Schedule:
    """Inverse-time decay: ``lr_k = lr0 / (1 + decay * k)``.

    Source: lecture slides ``001``, "Learning Rate Decay": learning_rate =
    (1 / (1 + decay_rate * epoch_num)) * learning_rate_0.  Keras:
    ``keras.optimizers.schedules.InverseTimeDecay(lr0, decay_steps=1,
    decay_rate=decay)`` evaluated at step ``k``.

    Parameters
    ----------
    lr0 : float
        Learning rate at epoch 0, > 0.
    decay : float
        Decay rate, >= 0 (0 gives a constant rate).
    lr_min : float, default 0
        Floor: ``lr_k = max(lr0 / (1 + decay * k), lr_min)``.
    """
    lr0 = as_positive("lr0", lr0)
    decay = as_nonnegative("decay", decay)
    lr_min = as_nonnegative("lr_min", lr_min)
    return Schedule("inverse_time", lambda k: lr0 / (1.0 + decay * k), "lr0 / (1 + decay*k)",
                    {"lr0": lr0, "decay": decay, "lr_min": lr_min}, lr_min)


def exponential(lr0: float, base: float = 0.95, lr_min: float = 0.0) -> Schedule:
    """Exponential decay: ``lr_k = lr0 * base**k``.

    Source: lecture slides ``001`` (``0.95**epoch_num * learning_rate_0``, and
    0.98 on an earlier slide).  Keras: ``ExponentialDecay(lr0,
    decay_steps=1, decay_rate=base)``.

    Parameters
    ----------
    lr0 : float
        Learning rate at epoch 0, > 0.
    base : float, default 0.95
        Factor per epoch, in (0, 1].
    lr_min : float, default 0
        Floor.
    """
    lr0 = as_positive("lr0", lr0)
    base = as_in_interval("base", base, 0.0, 1.0, closed="right")
    lr_min = as_nonnegative("lr_min", lr_min)
    return Schedule("exponential", lambda k: lr0 * base**k, "lr0 * base**k",
                    {"lr0": lr0, "base": base, "lr_min": lr_min}, lr_min)


def inverse_sqrt(lr0: float, lr_min: float = 0.0) -> Schedule:
    """Inverse-square-root decay: ``lr_k = lr0 / sqrt(1 + k)``.

    Source: lecture slides ``001`` write ``(c / sqrt(epoch_num)) *
    learning_rate_0``, which is infinite at epoch 0; shifting the epoch by one
    (and folding the constant ``c`` into ``lr0``) gives ``lr0`` at epoch 0.
    The 1/sqrt(k) rate is the classic step size of stochastic (sub)gradient
    methods for convex problems.

    Parameters
    ----------
    lr0 : float
        Learning rate at epoch 0, > 0.
    lr_min : float, default 0
        Floor.
    """
    lr0 = as_positive("lr0", lr0)
    lr_min = as_nonnegative("lr_min", lr_min)
    return Schedule("inverse_sqrt", lambda k: lr0 / np.sqrt(1.0 + k), "lr0 / sqrt(1 + k)",
                    {"lr0": lr0, "lr_min": lr_min}, lr_min)


def step_decay(lr0: float, factor: float = 0.5, every: int = 10, lr_min: float = 0.0) -> Schedule:
    """Step drops: ``lr_k = lr0 * factor**floor(k / every)``.

    Source: lecture slides ``001``: "may be stepped; reduce by 0.1 * alpha
    after 100 epochs" -- read either as ``factor=0.1`` or ``factor=0.9``,
    ``every=100``.  Keras: ``PiecewiseConstantDecay`` with boundaries at
    multiples of ``every``.

    Parameters
    ----------
    lr0 : float
        Learning rate for epochs ``0 .. every - 1``, > 0.
    factor : float, default 0.5
        Multiplier applied at each drop, in (0, 1].
    every : int, default 10
        Epochs between drops, >= 1.
    lr_min : float, default 0
        Floor.
    """
    lr0 = as_positive("lr0", lr0)
    factor = as_in_interval("factor", factor, 0.0, 1.0, closed="right")
    every = as_int("every", every, minimum=1)
    lr_min = as_nonnegative("lr_min", lr_min)
    return Schedule("step_decay", lambda k: lr0 * factor ** np.floor(k / every),
                    "lr0 * factor**floor(k / every)",
                    {"lr0": lr0, "factor": factor, "every": every, "lr_min": lr_min}, lr_min)


def linear(lr0: float, lr_final: float, n_epochs: int) -> Schedule:
    """Linear interpolation: ``lr_k = lr0 * (1 - k/N) + lr_final * k/N``.

    Source: student report ``003``, section 3.2.1: alpha = k / N, eta_k =
    eta_0 (1 - alpha) + alpha eta_N, with eta_0 = 0.1, eta_N = 1e-4 and N = 10
    epochs in its Table 3.  For ``k >= N`` the rate stays at ``lr_final``
    (Keras' ``PolynomialDecay(lr0, decay_steps=N, end_learning_rate=lr_final,
    power=1)`` does the same).  ``lr_final`` may exceed ``lr0`` (a warm-up).

    Parameters
    ----------
    lr0 : float
        Learning rate at epoch 0, > 0.
    lr_final : float
        Learning rate from epoch ``n_epochs`` on, >= 0.
    n_epochs : int
        ``N``, the number of epochs of the interpolation, >= 1.
    """
    lr0 = as_positive("lr0", lr0)
    lr_final = as_nonnegative("lr_final", lr_final)
    n_epochs = as_int("n_epochs", n_epochs, minimum=1)

    def rule(k):
        alpha = np.minimum(k, n_epochs) / n_epochs
        return lr0 * (1.0 - alpha) + lr_final * alpha

    return Schedule("linear", rule, "lr0*(1 - k/N) + lr_final*k/N (k <= N)",
                    {"lr0": lr0, "lr_final": lr_final, "n_epochs": n_epochs})


def apply(schedule: Callable[[int], float], optimizer, epoch: int) -> float:
    """Set ``optimizer.lr`` to ``schedule(epoch)`` and return that rate.

    ``schedule`` is any callable of the epoch (a ``Schedule`` or a plain
    function returning a positive float); ``optimizer`` any object with an
    assignable ``lr`` (the classes of ``course_lib.optim``).
    """
    if not callable(schedule):
        raise TypeError(f"schedule must be callable, e.g. linear(0.1, 1e-4, 10); got {describe(schedule)}")
    if not hasattr(optimizer, "lr"):
        raise TypeError(f"optimizer must have an assignable lr attribute; got {describe(optimizer)}")
    epoch = as_int("epoch", epoch, minimum=0)
    lr = as_positive(f"schedule({epoch})", schedule(epoch))  # a finite real number > 0
    optimizer.lr = lr
    return lr


# ---------------------------------------------------------------------------------------------
# the learning rate against the batch size: the linear scaling rule
# ---------------------------------------------------------------------------------------------
SOURCE_003_TABLE2 = {(0.1, 1): (2.3026, 0.0980, 589), (0.1, 10): (0.0253, 0.9774, 555), (0.1, 100): (0.0161, 0.9768, 544),
                     (0.01, 1): (0.0253, 0.9738, 588), (0.01, 10): (0.0167, 0.9769, 551), (0.01, 100): (0.1591, 0.9528, 547),
                     (0.001, 1): (0.0166, 0.9762, 591), (0.001, 10): (0.1603, 0.9521, 558), (0.001, 100): (0.4820, 0.8772, 546)}
"""Source ``003``, Table 2 ("Final performance metrics at epoch 10"), as printed:
``(lr, batch) -> (training loss, test accuracy, time in s)``; the one copy the lecture and
``experiments/exp_003_mnist_mlp.py`` use."""

SOURCE_003_MAIN = {"a": 0.9774, "b": 0.9828, "c": 0.9842}
"""Source ``003``, Tables 2, 5 and 6: the test accuracy at epoch 10 of its three main runs,
(a) SGD lr 0.1 batch 10, (b) linear decay with momentum, (c) Adam."""


def linear_scaling(lr: float, batch: int, new_batch: int) -> float:
    """The learning rate for ``new_batch`` that keeps ``lr / batch`` fixed: Goyal et al.'s linear scaling rule.

    "When the minibatch size is multiplied by k, multiply the learning rate
    by k" (Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training
    ImageNet in 1 Hour", section 2.1): ``lr * new_batch / batch``.  The
    argument: with the *mean* gradient of a batch, one step of ``k lr`` on a
    batch of ``k m`` moves the weights about as far as ``k`` steps of ``lr``
    on batches of ``m``, as long as the gradient changes little over those
    steps (so it fails for large steps and early in training).  Source
    ``003``'s update is ``w = w - lr dw / m`` with ``dw`` the batch's summed
    gradient, a mean gradient, so its Table 2 should show equal losses
    where ``lr / m`` is equal; ``equal_ratio_spread`` measures that.
    """
    lr = as_positive("lr", lr)
    batch = as_int("batch", batch, minimum=1)
    new_batch = as_int("new_batch", new_batch, minimum=1)
    return lr * new_batch / batch


def _ratio_key(lr: float, batch: int) -> float:
    return float(f"{lr / batch:.12g}")   # 0.1/100 and 0.001/1 are one key despite binary rounding


def _as_cells(cells) -> list:
    out = []
    for i, cell in enumerate(cells):
        try:
            lr, batch, loss = cell
        except (TypeError, ValueError):
            raise TypeError(f"cells[{i}] must be a triple (lr, batch, loss); got {cell!r}") from None
        out.append((as_positive(f"cells[{i}] lr", lr), as_int(f"cells[{i}] batch", batch, minimum=1),
                    as_positive(f"cells[{i}] loss", loss)))
    if not out:
        raise ValueError("cells must hold at least one (lr, batch, loss) triple; got none")
    return out


def equal_ratio_groups(cells) -> dict:
    """``{lr / batch: [loss, ...]}`` over ``(lr, batch, loss)`` cells, in the cells' order.

    The ratio is rounded to 12 significant digits, so that cells whose
    ratios agree in decimal (0.1 / 100 and 0.001 / 1) share a group.
    """
    groups = {}
    for lr, batch, loss in _as_cells(cells):
        groups.setdefault(_ratio_key(lr, batch), []).append(loss)
    return groups


def equal_ratio_spread(cells) -> dict:
    """How closely a grid of runs follows the linear scaling rule: spreads of log10(loss).

    ``cells`` are ``(lr, batch, loss)`` triples (losses > 0), grouped by
    ``lr / batch`` (``equal_ratio_groups``).  Returns

    * ``within``: the pooled standard deviation of log10(loss) inside the
      groups of two or more cells, ``sqrt(sum_g sum_i (l_gi - mean_g)^2 /
      (n - G))`` over those groups' ``n`` cells and ``G`` groups (the
      one-way analysis of variance's within-group estimate);
    * ``across``: the sample standard deviation (``ddof=1``) of log10(loss)
      over all cells;
    * ``worst_ratio``: the largest ``max / min`` of the losses inside one group;
    * ``groups``: the groups themselves.

    If the rule held exactly, ``within`` would be 0 however much ``across``
    is.  At least one group must hold two cells.
    """
    groups = equal_ratio_groups(cells)
    multi = [np.log10(v) for v in groups.values() if len(v) > 1]
    if not multi:
        raise ValueError(f"cells must contain at least two cells with equal lr / batch; got ratios {sorted(groups)}")
    logs = np.log10([loss for v in groups.values() for loss in v])
    ss = sum(float(np.sum((g - g.mean()) ** 2)) for g in multi)
    dof = sum(len(g) for g in multi) - len(multi)
    worst = max(float(10 ** (g.max() - g.min())) for g in multi)
    return {"within": float(np.sqrt(ss / dof)), "across": float(np.std(logs, ddof=1)) if len(logs) > 1 else 0.0,
            "worst_ratio": worst, "groups": groups}
