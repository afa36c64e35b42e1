"""Many networks of one architecture trained at once: ``train_batched``.

Source ``000`` trains 10,000 small networks, source ``003`` a grid of
learning rates and batch sizes, every study of the course several seeds.
Trained one after another, a 2-10-10-10-10-10-1 network spends most of
every step in Python and in the fixed cost of a few dozen tiny numpy calls
(some 150 microseconds a step, for about 40,000 multiply-adds).  Stacked
along a leading axis, K such networks take one step with the same few dozen
calls on arrays K times larger::

    W_l : (K, n_in, n_out)      b_l : (K, 1, n_out)      X_batch : (K, B, n_in)
    z_l = a_{l-1} @ W_l + b_l   (np.matmul: one matrix product per network)

and every line of ``nn.MLP``'s forward and backward pass, of its losses and
of the optimizers' rules already reads a stack this way: the loss formulas
work on the last two axes (samples, outputs) and ``nn.dense_backward``'s
transposes and sums are taken over those axes only.  So a stack is trained
by *the same code* as one network -- ``MLP.loss_and_grads_unvalidated`` on
stacked parameters, ``Optimizer.step_unvalidated(..., lr=..., t=...)`` with
one learning rate and step count per network -- not by a second
implementation of backprop.

``train_batched(networks, X, y, optimizers, batch_size, epochs, seeds)``
trains K ``nn.MLP``s in place and returns one ``train.History`` each.  Each
network keeps its own

* initial weights (its own ``MLP``),
* data (``X`` shared by all, or one data set each: ``X[k]``),
* batch order (``seeds[k]``, drawn exactly as ``train`` draws it:
  ``rng.permutation(n)`` every epoch, cut into consecutive batches),
* optimizer (one class; the hyperparameters shared, the learning rate --
  and its schedule -- each network's own) and optimizer state,
* stopping: after an epoch whose mean training loss is below ``loss_stop``
  the network is done (``History.stopped_epoch``), and a network whose loss
  becomes NaN or infinite stops before that step (``History.diverged_step``;
  ``train`` raises ``TrainingDiverged`` there instead).  Finished networks
  leave the stack and the next network in line takes the place, at its
  epoch 0; the run ends when all are done.

Each network's history and final weights are those of ``train`` on that
network alone, to the last bit in float64 (``tests/lib/test_batched.py``:
SGD, momentum and Adam, the mean and the aSGD "effective" reduction,
schedules, the loss threshold, refilled places, divergence): numpy's stacked
matrix product gives each network the bits of its own product, and every
other line is elementwise or a product with a row of ones
(``nn``'s bias gradient).  A learning rate or step number shared by the stack
is passed as the Python number ``train`` uses; different ones become arrays
in the networks' dtype, which in float32 can round Adam's step otherwise
than a Python float does (float64 stays exact).

Memory.  The networks trained together (a *pool*) hold their parameters,
gradients, a copy of the parameters and their optimizer state, one batch of
activations, their own data and their per-step losses (``stack_bytes``).
``train_batched`` admits as many as fit ``memory_budget`` (default
``MEMORY_BUDGET``, 512 MiB), and at most ``MAX_CHUNK``; a test measures the
peak (``tracemalloc``).  The per-epoch records each ``History`` keeps are
the caller's: ``record="last"`` keeps one epoch per network.

Not stacked: ``nn.RegularizedMLP`` (dropout and batch normalisation draw
per-network randomness and keep moving averages), ``optim.Rprop`` (its
learning rate is only the initial step size), per-network batch sizes (a
batch size is a different number of steps; group the networks by it).
"""

from __future__ import annotations

import copy
import time
from typing import NamedTuple

import numpy as np

from . import optim
from .nn import CHUNK_ROWS, MLP
from .schedules import apply as apply_schedule
from .train import (ASGD_HIDDEN, ASGD_LR, History, as_validation_schedule, asgd_data, batches_per_epoch,
                    progress_bar, running_loss_estimate)
from .validation import as_bool, as_choice, as_generator, as_in_interval, as_int, as_positive, describe

__all__ = ["MEMORY_BUDGET", "MAX_CHUNK", "stack_bytes", "stack_parameters", "keep_freed_memory",
           "train_batched", "ASGDStudy", "asgd_study"]

MEMORY_BUDGET = 512 * 2**20
"""Bytes the networks trained together may hold (``stack_bytes``): 512 MiB by default."""

MAX_CHUNK = 1024
"""Networks trained together at most (``benchmarks/bench_batched.py`` measures the cost per network step up to 1,000)."""

_ARCHITECTURE = ("sizes", "hidden", "output", "loss_name", "bias", "dtype", "slope")

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
_KEPT = {"done": False}


def keep_freed_memory() -> bool:
    """Let this process reuse the memory of freed arrays instead of returning it to the system (glibc only).

    A stacked step allocates its temporaries afresh (arrays of about a
    megabyte for 256 small networks).  glibc's ``malloc`` serves blocks that
    large with ``mmap`` and unmaps them when freed, so every step
    page-faults its memory back in (the benchmarks' numbers are with this
    setting).  This
    raises the mmap threshold to 32 MiB and the trim threshold to 256 MiB
    with ``mallopt``, once per process (the environment variables
    ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` would do the
    same, but are read only when a process starts).  The cost: up to 256 MiB
    of freed memory stays with the process for reuse.  Returns whether the
    setting applies (False where the C library is not glibc).
    """
    if not _KEPT["done"]:
        _KEPT["done"] = True
        _KEPT["applied"] = False
        try:
            import ctypes

            libc = ctypes.CDLL(None)
            mallopt = libc.mallopt
        except (OSError, AttributeError):
            return False
        _KEPT["applied"] = bool(mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)) and bool(mallopt(_M_TRIM_THRESHOLD, 256 * 2**20))
    return _KEPT["applied"]


def stack_parameters(networks) -> list:
    """``[W1, b1, ...]`` of K networks as stacks: ``W_l`` ``(K, n_in, n_out)``, ``b_l`` ``(K, 1, n_out)`` (copies)."""
    out = []
    for arrays in zip(*(net.params for net in networks)):
        a = np.stack(arrays)
        out.append(a[:, None, :] if a.ndim == 2 else a)  # a bias row per network: it broadcasts over the batch
    return out


def stack_bytes(network, batch_size: int, steps: int, data_rows: int = 0, n_state: int = 2,
                validation_rows: int = 0) -> int:
    """Bytes one network adds to the pool of ``train_batched``: what ``memory_budget`` is compared with.

    Parameters, gradients, a copy of the parameters (the result kept at the
    end), and ``n_state`` optimizer state arrays of the same size (Adam: 2,
    AMSGrad: 3);
    a batch's pre-activations, activations, backward rows and temporaries
    (six arrays of ``batch_size`` rows per layer width, plus the gathered
    input batch); ``data_rows`` rows of data the network owns alone (its own
    data set), the logits of an evaluation chunk of ``validation_rows`` rows
    (one pass, at most ``nn.CHUNK_ROWS``; ``train_batched`` counts the training rows too when it
    evaluates them: ``evaluate_training``, ``stop_dead``), and 8 bytes per
    recorded step loss.
    """
    item = np.dtype(network.dtype).itemsize
    widths = sum(network.sizes)
    params = network.n_params * item * (3 + n_state)
    batch = batch_size * (6 * widths + network.sizes[0]) * item
    data = data_rows * (network.sizes[0] + network.sizes[-1]) * item
    rows = min(validation_rows, CHUNK_ROWS)  # one evaluation pass: its inputs, every layer's z and output, the losses
    evaluation = rows * (network.sizes[0] + 2 * sum(network.sizes[1:])) * item + 8 * validation_rows
    return int(params + batch + data + evaluation + 8 * steps)


def _check_networks(networks) -> list:
    if isinstance(networks, MLP) or not hasattr(networks, "__len__") or len(networks) == 0:
        raise TypeError(f"networks must be a non-empty list of course_lib.nn.MLP; got {describe(networks)}")
    networks = list(networks)
    first = networks[0]
    for k, net in enumerate(networks):
        if type(net) is not MLP:
            raise TypeError(f"networks[{k}] must be a course_lib.nn.MLP (RegularizedMLP and other subclasses "
                            f"are not stacked); got {describe(net)}")
        for attr in _ARCHITECTURE:
            if getattr(net, attr) != getattr(first, attr):
                raise ValueError(f"networks must share one architecture: networks[{k}].{attr} is "
                                 f"{getattr(net, attr)!r}, networks[0].{attr} is {getattr(first, attr)!r}")
    if len({id(net) for net in networks}) != len(networks):
        raise ValueError("networks must be distinct objects (the same network twice would be trained twice)")
    owners = {}
    for k, net in enumerate(networks):
        for p in net.params:
            base = p if p.base is None else p.base
            if id(base) in owners and owners[id(base)] != k:
                raise ValueError(f"networks[{k}] shares its parameter arrays with networks[{owners[id(base)]}] "
                                 f"(e.g. a copy.copy of it); each network needs its own (copy.deepcopy)")
            owners[id(base)] = k
    return networks


def _per_network_data(name, X, K, validate, n=None, per_network=None):
    """``(array, shared)``: data shared by all networks (validated once) or one data set per network, stacked.

    Inputs are one data set per network when they are a list of K arrays or
    an array ``(K, n, features)``; targets when their inputs are
    (``per_network``).  Each is validated, and an array already of the
    networks' dtype is used as it is (no copy).
    """
    if per_network is None:
        per_network = ((isinstance(X, (list, tuple)) and len(X) > 0 and all(isinstance(x, np.ndarray) for x in X))
                       or (isinstance(X, np.ndarray) and X.ndim == 3))
        given = f"one per network ({K})"
    else:
        given = f"one per network ({K}), as the inputs are" if per_network else "one for all networks, as the inputs are"
    if not per_network:
        try:
            return validate(name, X, None if n is None else n[0]), True
        except (TypeError, ValueError) as err:
            if name in ("X", "y"):
                raise
            raise type(err)(f"{name}: {err}") from None
    if not hasattr(X, "__len__") or len(X) != K:
        raise ValueError(f"{name} must be {given}; got {describe(X) if not hasattr(X, '__len__') else len(X)}")
    arrays = []
    for k, x in enumerate(X):
        try:
            arrays.append(validate(f"{name}[{k}]", x, None if n is None else n[k]))
        except (TypeError, ValueError) as err:  # the network's own message, with which network it is
            raise type(err)(f"{name}[{k}] (network {k}'s data): {err}") from None
    if len({a.shape for a in arrays}) != 1:
        raise ValueError(f"{name}: every network's data must have the same shape; got "
                         f"{sorted({a.shape for a in arrays})}")
    if isinstance(X, np.ndarray) and X.shape[1:] == arrays[0].shape and all(np.shares_memory(a, X) for a in arrays):
        return X.astype(arrays[0].dtype, copy=False), False   # already what validation made of it: no copy
    return np.stack(arrays), False


def _check_optimizers(optimizers, K):
    if isinstance(optimizers, optim.Optimizer):
        optimizers = [copy.deepcopy(optimizers) for _ in range(K)]
    if not hasattr(optimizers, "__len__") or len(optimizers) != K:
        raise TypeError(f"optimizers must be one course_lib.optim optimizer (copied for every network) or a "
                        f"list of {K}, one per network; got {describe(optimizers)}")
    optimizers = list(optimizers)
    first = optimizers[0]
    info = _registry_entry(first)
    for k, opt in enumerate(optimizers):
        if not isinstance(opt, optim.Optimizer):
            raise TypeError(f"optimizers[{k}] must be a course_lib.optim optimizer; got {describe(opt)}")
        if isinstance(opt, optim.Rprop):
            raise TypeError(f"optimizers[{k}] is Rprop, whose lr is only the initial step size: Rprop is not "
                            f"stacked (train those networks with course_lib.train.train)")
        if opt.state is not None or opt.t:
            raise ValueError(f"optimizers[{k}] has already taken {opt.t} steps; pass fresh optimizers "
                             f"(or call reset())")
        if type(opt) is not type(first) or any(getattr(opt, h) != getattr(first, h) for h in info.hyperparameters
                                                if h != "lr"):
            raise ValueError(f"optimizers must be one class with the same hyperparameters except lr: "
                             f"optimizers[{k}] is {opt!r}, optimizers[0] is {first!r}")
    return optimizers


def _registry_entry(opt) -> optim.OptimizerInfo:
    for info in optim.OPTIMIZERS:
        if type(opt) is info.cls:
            return info
    raise TypeError(f"optimizers must be optimizers of course_lib.optim's registry (OPTIMIZERS); got {describe(opt)}")


def train_batched(networks, X, y, optimizers, batch_size, epochs, seeds, schedules=None, shuffle=True,
                  reduction="mean", loss_stop=None, stop_dead=False, validation=None, evaluate_training=False,
                  evaluate_every=None, record="steps", running_loss_lambda=0.01, memory_budget=MEMORY_BUDGET, chunk_size=None,
                  progress=False) -> list:
    """Train K networks of one architecture at once; each as ``train.train`` would train it alone.

    Parameters
    ----------
    networks : list of K ``course_lib.nn.MLP``
        One architecture (sizes, activations, loss, bias, dtype); their
        ``params`` are updated in place (when each network finishes).
    X, y : arrays
        One training set for all networks (``(n, features)``, targets as
        ``train`` takes them), or one per network (a list of K, or ``X`` of
        shape ``(K, n, features)``), each with the same ``n``.
    optimizers : optimizer or list of K
        One ``course_lib.optim`` optimizer (each network gets a copy) or one
        per network: one class, the same hyperparameters except ``lr``.
        Fresh (no step taken).  They are not stepped themselves: each
        network's state lives in the stack.
    batch_size, epochs : int
        As ``train``; one batch size for the whole stack.
    seeds : sequence of K ints or Generators
        Network ``k``'s batch order: ``train(..., seed=seeds[k])``'s.
    schedules : callable or list of K callables, optional
        ``epoch -> lr`` (``course_lib.schedules``), for all or per network.
    shuffle, reduction, running_loss_lambda, evaluate_training :
        As ``train`` (``reduction="effective"`` is aSGD's mean effective
        gradient).
    loss_stop : float > 0, optional
        A network stops after the first epoch whose mean training loss
        (``History.loss``) is below it, as ``train`` with the callback
        ``lambda e, h, m: h.loss[-1] < loss_stop``.
    stop_dead : bool, default False
        After every epoch, stop each network that has a hidden layer whose
        every unit is off on every training sample and whose optimizer can
        no longer move a weight (SGD; momentum, Nesterov and Adam once the
        step their decaying state allows is below a quarter of every
        weight's spacing): every later gradient is exactly 0, so every
        later step leaves it as it is (``History.frozen_epoch``).  Its
        records end there: the later epochs' validation records would
        repeat the last, their training means would be the dead network's
        (the frozen epoch's mean still holds its steps before the
        collapse).  Source 003's collapsed runs at lr 0.1 and batch 1.
        Costs one forward pass over the training data per epoch; with
        ``schedules`` only for SGD, classical momentum and Nesterov (whose
        zero-gradient steps do not scale with the rate).
    validation : (X_val, y_val), optional
        Evaluated after every epoch (``History.val_loss``,
        ``val_accuracy``); shared or one per network, as ``X``.
    evaluate_every : int >= 1, optional
        Also after every ``evaluate_every``-th step of each network, as
        ``train`` (``History.curve_step``, ``curve_val_loss``,
        ``curve_val_accuracy``).
    record : {"steps", "epochs", "last"}, default "steps"
        What each ``History`` keeps.  "steps": everything ``train`` keeps
        (the per-epoch records and every step's loss, ``step_loss`` and
        ``running_loss``).  "epochs": the per-epoch records only.  "last":
        the last epoch's records only (``History.first_epoch`` is its
        number; ``epochs`` and ``steps`` still count the whole run) -- for
        thousands of networks: Python keeps a float of a list in 32 bytes,
        so 10,000 networks of 2,500 epochs would hold 3 GB of records.
    memory_budget : int bytes, default ``MEMORY_BUDGET``
        The most the stack of networks trained together may hold by
        ``stack_bytes``.
    chunk_size : int, optional
        Networks trained together; default the most that fit the budget,
        at most ``MAX_CHUNK``.  When one finishes, the next takes its place.
    progress : bool or label, default False
        A progress bar over all networks' steps (``train.progress_bar``; a
        label names it).  With ``loss_stop`` its total is the most the run
        can take, and the time it estimates an upper bound.

    Returns
    -------
    list of K ``train.History``
        Network ``k``'s, as ``train`` returns it, with ``diverged_step``
        set when its loss became NaN or infinite (it stopped before that
        step).  ``epoch_time`` is the pool's epoch time divided by the
        networks trained in it (with ``record="last"``, the last epoch's
        only).  If training raises (a schedule's bad rate, an interrupt),
        every network keeps the weights it had reached, as ``train``'s
        model does.
    """
    networks = _check_networks(networks)
    K = len(networks)
    net0 = networks[0]
    as_choice("reduction", reduction, ("mean", "effective"))
    shuffle = as_bool("shuffle", shuffle)
    record = as_choice("record", record, ("steps", "epochs", "last"))
    evaluate_training = as_bool("evaluate_training", evaluate_training)
    lam = as_in_interval("running_loss_lambda", running_loss_lambda, 0.0, 1.0, closed="right")  # as train
    X, x_shared = _per_network_data("X", X, K, lambda name, x, _: net0.as_inputs(x))
    n = X.shape[-2]
    if n == 0:
        raise ValueError("X must hold at least one sample; got 0")
    y, y_shared = _per_network_data("y", y, K, lambda name, t, m: net0.as_targets(t, m), n=[n] * K,
                                    per_network=not x_shared)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of samples ({n}); got {batch_size}")
    epochs = as_int("epochs", epochs, minimum=0)
    optimizers = _check_optimizers(optimizers, K)
    if isinstance(seeds, (int, np.integer, np.random.Generator)) or not hasattr(seeds, "__len__") \
            or len(seeds) != K:
        raise TypeError(f"seeds must be a sequence of {K} seeds, one batch order per network; got {describe(seeds)}")
    rngs = [as_generator(f"seeds[{k}]", s) for k, s in enumerate(seeds)]
    if len({id(r) for r in rngs}) != K:
        raise ValueError("seeds must not repeat a Generator: networks drawing their batch orders from one stream "
                         "would not draw what train draws for each alone (pass one Generator per network)")
    if schedules is not None:
        schedules = list(schedules) if isinstance(schedules, (list, tuple)) else [schedules] * K
        if len(schedules) != K or not all(callable(s) for s in schedules):
            raise TypeError(f"schedules must be a callable epoch -> lr or a list of {K}; got {describe(schedules)}")
    if loss_stop is not None:
        loss_stop = as_positive("loss_stop", loss_stop)
    stop_dead = as_bool("stop_dead", stop_dead)
    if stop_dead:
        opt0 = optimizers[0]
        if type(opt0).__name__ not in _MOTION:
            raise ValueError(f"stop_dead needs an optimizer whose steps with a zero gradient are bounded by its "
                             f"state ({', '.join(_MOTION)}); got {type(opt0).__name__}")
        if net0.bias:
            raise ValueError("stop_dead needs networks without biases (bias=False): above a dead layer the biases "
                             "still receive gradients, so the network is not frozen")
        if schedules is not None and (isinstance(opt0, optim.Adam) or getattr(opt0, "variant", None) == "ema"):
            raise ValueError(f"stop_dead with schedules needs a rule whose zero-gradient steps do not scale with "
                             f"the learning rate (SGD, classical momentum, Nesterov); got {opt0!r}: a later, larger "
                             f"rate could still move a network its state bounds now")
    evaluate_every = as_validation_schedule(validation, evaluate_every)
    val = None
    if validation is not None:
        Xv, xv_shared = _per_network_data("validation X", validation[0], K, lambda name, x, _: net0.as_inputs(x))
        if Xv.shape[-2] == 0:
            raise ValueError("validation must hold at least one sample; X_val has 0")
        yv, yv_shared = _per_network_data("validation y", validation[1], K, lambda name, t, m: net0.as_targets(t, m),
                                          n=[Xv.shape[-2]] * K, per_network=not xv_shared)
        val = (Xv, xv_shared, yv, yv_shared)
    memory_budget = as_int("memory_budget", memory_budget, minimum=1)
    spe = batches_per_epoch(n, batch_size)
    evaluated_rows = max(0 if val is None else val[0].shape[-2], n if (evaluate_training or stop_dead) else 0)
    per_net = stack_bytes(net0, batch_size, epochs * spe if record == "steps" else 0,
                          data_rows=0 if x_shared else n, n_state=_n_state(optimizers[0]),
                          validation_rows=evaluated_rows)
    if per_net > memory_budget:
        raise ValueError(f"memory_budget ({memory_budget:,} bytes) is smaller than what one network needs "
                         f"({per_net:,} bytes by stack_bytes); raise it or record fewer steps")
    if chunk_size is None:
        chunk_size = max(1, min(K, MAX_CHUNK, memory_budget // per_net))
    else:
        chunk_size = as_int("chunk_size", chunk_size, minimum=1)
        if min(chunk_size, K) * per_net > memory_budget:
            raise ValueError(f"chunk_size {chunk_size} needs {min(chunk_size, K) * per_net:,} bytes by stack_bytes, "
                             f"more than memory_budget ({memory_budget:,}); at most {memory_budget // per_net} fit")

    histories = [History(steps_per_epoch=spe) for _ in range(K)]
    keep_freed_memory()
    bar = progress_bar(K * epochs * spe, progress)
    try:
        if epochs:
            _train_pool(networks, X, x_shared, y, y_shared, optimizers, rngs, schedules, batch_size, epochs, shuffle,
                        reduction, loss_stop, stop_dead, val, evaluate_training, evaluate_every, record, lam,
                        histories, chunk_size, bar)
    finally:
        if bar is not None:
            bar.close()
    return histories


class ASGDStudy(NamedTuple):
    """``asgd_study``'s runs: ``runs["SGD"][i]`` and ``runs["aSGD"][i]`` are seed ``seeds[i]``'s ``(model, History)``.

    ``data[i]`` is that seed's ``(X, y, X_test, y_test)``.
    """

    runs: dict
    data: list
    seeds: tuple


def asgd_study(dataset: str = "circles", seeds=range(100), max_steps: int = 10_000, lr: float | None = None,
               batch_size: int = 32, loss_stop: float = 0.01, n_train: int = 128, n_test: int = 55,
               dtype=np.float64, progress=False) -> ASGDStudy:
    """``train.asgd_runs`` for many seeds at once: source ``000``'s synthetic study, batched.

    For every seed ``s`` of ``seeds``, exactly ``asgd_runs(dataset, s, ...)``
    (the same data from ``train.asgd_data``, the same initial weights and
    batch order for SGD and aSGD, the same stopping rule), trained by
    ``train_batched``: all seeds' SGD networks as one run, then all their
    aSGD networks (``reduction="effective"``).  Histories keep the last
    epoch only (``record="last"``).
    """
    seeds = tuple(as_int(f"seeds[{i}]", s, minimum=0) for i, s in enumerate(seeds))
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    lr = ASGD_LR[as_choice("dataset", dataset, tuple(ASGD_LR))] if lr is None else as_positive("lr", lr)
    max_steps = as_int("max_steps", max_steps, minimum=1)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    data = [asgd_data(dataset, s, n_train, n_test) for s in seeds]
    epochs = -(-max_steps // batches_per_epoch(n_train, batch_size))  # whole epochs, as asgd_runs
    runs = {}
    for name, reduction in (("SGD", "mean"), ("aSGD", "effective")):
        nets = [MLP([2, *ASGD_HIDDEN, 1], output="sigmoid", seed=s, dtype=dtype) for s in seeds]
        label = _label(progress, f"{dataset}, {name}")
        hists = train_batched(nets, np.stack([d[0] for d in data]), [d[1] for d in data], optim.SGD(lr), batch_size,
                              epochs, seeds, reduction=reduction, loss_stop=loss_stop, record="last",
                              progress=label)
        runs[name] = list(zip(nets, hists))
    return ASGDStudy(runs, data, seeds)


def _label(progress, name):
    """``progress`` for one of several runs: True becomes the run's name; a position is kept."""
    if progress is True:
        return name
    if isinstance(progress, tuple):
        return (f"{progress[0]}: {name}", progress[1])
    if isinstance(progress, str):
        return f"{progress}: {name}"
    return progress


def _n_state(opt) -> int:
    """The number of state arrays the optimizer keeps per parameter array."""
    return len(opt.initial_state(np.zeros(1)))


def _select(arrays, keep):
    return [a[keep] for a in arrays]


def _evaluate(stack, X, shared_x, y, shared_y, rows_of):
    """Mean loss (K,) and accuracy (K,) or None of the stack on its evaluation data: ``MLP.evaluate_unvalidated``'s.

    The same chunks of samples and the same arithmetic (the mean of the
    per-sample losses in the networks' dtype), so each network's numbers are
    its own evaluation's.
    """
    n = X.shape[-2]
    K = stack.params[0].shape[0]
    losses = []
    correct = np.zeros(K, dtype=np.int64)
    total = 0
    for s in range(0, n, CHUNK_ROWS):
        part = slice(s, min(s + CHUNK_ROWS, n))
        Xp = X[part] if shared_x else X[rows_of, part]
        yp = np.broadcast_to(y[part], (K,) + y[part].shape) if shared_y else y[rows_of, part]
        with np.errstate(over="ignore", invalid="ignore"):
            z = stack._forward(Xp)[0][-1]
            losses.append(stack._per_sample_loss(z, yp))
        if stack.is_classifier:
            hit = stack.correct_unvalidated(z, yp)
            correct += np.count_nonzero(hit.reshape(K, -1), axis=1)
            total += hit[0].size
    mean = np.concatenate(losses, axis=-1).mean(axis=-1).astype(np.float64)
    return mean, (correct / total if stack.is_classifier else None)


_MOTION = ("SGD", "Momentum", "Nesterov", "Adam")  # the rules whose step with g = 0 is bounded by their state


def _in_motion(opt, params, K: int) -> np.ndarray:
    """Per slot of K: could the optimizer's state still move a weight when every gradient stays exactly 0?

    With g = 0 the state only decays (``|fl(beta m)| <= |m|``), so the step
    each rule can still take is bounded by its state now: SGD none;
    classical momentum and Nesterov ``|v|`` (the EMA form ``lr |v|``); Adam
    ``lr |m| / ((1 - beta1) eps)`` (its bias corrections are at most
    ``1 / (1 - beta1)``, its denominator at least ``eps``).  A weight moves
    only if such a step reaches half its spacing (``np.spacing``); a
    quarter is required, for the rounding of the step itself.  So a state
    that has decayed to a subnormal (``0.9 m`` rounds back to ``m`` there)
    counts as still, as it is.
    """
    moving = np.zeros(K, dtype=bool)
    if opt.state is None or isinstance(opt, optim.SGD):
        return moving
    for w, state in zip(params, opt.state):
        if isinstance(opt, optim.Adam):
            step = (np.float64(opt.lr) * np.abs(state["m"])) / ((1.0 - opt.beta1) * opt.eps)
        elif isinstance(opt, optim.Momentum) and opt.variant == "ema":
            step = np.float64(opt.lr) * np.abs(state["v"])
        else:
            step = np.abs(state["v"]).astype(np.float64)
        moving |= (step >= np.spacing(np.abs(w)) / 4).reshape(K, -1).any(axis=1)
    return moving


def _dead_layer(stack, X, shared_x, ids) -> np.ndarray:
    """Per slot: has some hidden ReLU layer every unit off (z <= 0) on every training sample?"""
    K = stack.params[0].shape[0]
    if stack.hidden != "relu":
        return np.zeros(K, dtype=bool)
    n = X.shape[-2]
    any_on = [np.zeros((K, w), dtype=bool) for w in stack.sizes[1:-1]]
    for s in range(0, n, CHUNK_ROWS):
        part = slice(s, min(s + CHUNK_ROWS, n))
        zs, _ = stack._forward(X[part] if shared_x else X[ids, part])
        for on, z in zip(any_on, zs[:-1]):
            on |= (z > 0).any(axis=-2)
    return np.logical_or.reduce([~on.any(axis=-1) for on in any_on])


def _evaluate_some(stack, due, val, ids):
    """``_evaluate`` of the slots where ``due`` is True (a smaller stack of their parameters)."""
    sub = copy.copy(stack)
    sub.params = [p[due] for p in stack.params]
    return _evaluate(sub, val[0], val[1], val[2], val[3], ids[due])


class _Pool:
    """The networks being trained: a stack of at most ``capacity``, refilled from the queue as networks finish.

    Every slot is one network at its own epoch and step count; all slots take
    their steps together (the same batch size, so the same step of an epoch),
    and a network that finishes at the end of an epoch leaves its slot to the
    next in the queue, which starts at its epoch 0.
    """

    def __init__(self, networks, optimizers):
        self.networks = networks
        self.optimizers = optimizers
        self.stack = copy.copy(networks[0])  # the architecture; its params become the stacks
        self.stack.params = None
        self.opt = copy.deepcopy(optimizers[0])  # the rule and its hyperparameters; lr and t per slot
        self.ids = np.zeros(0, dtype=np.int64)
        self.epoch = np.zeros(0, dtype=np.int64)
        self.t = np.zeros(0, dtype=np.int64)
        self.lr = np.zeros(0)

    def __len__(self):
        return len(self.ids)

    def admit(self, new):
        """Stack the networks ``new`` (ids) onto the pool, at epoch 0 with a fresh optimizer state."""
        params = stack_parameters([self.networks[k] for k in new])
        if self.stack.params is None:
            self.stack.params = params
        else:
            self.stack.params = [np.concatenate([a, b]) for a, b in zip(self.stack.params, params)]
            if self.opt.state is not None:
                self.opt.state = [{name: np.concatenate([old[name], fresh[name]]) for name in old}
                                  for old, fresh in zip(self.opt.state, map(self.opt.initial_state, params))]
        self.ids = np.concatenate([self.ids, np.asarray(new, dtype=np.int64)])
        self.epoch = np.concatenate([self.epoch, np.zeros(len(new), dtype=np.int64)])
        self.t = np.concatenate([self.t, np.zeros(len(new), dtype=np.int64)])
        self.lr = np.concatenate([self.lr, [float(self.optimizers[k].lr) for k in new]])

    def retire(self, positions):
        """Write the networks at ``positions`` back into their ``MLP``s."""
        for j in positions:
            for p, stacked in zip(self.networks[self.ids[j]].params, self.stack.params):
                p[...] = stacked[j].reshape(p.shape)

    def keep(self, mask):
        """Drop the slots where ``mask`` is False (after ``retire``)."""
        self.stack.params = _select(self.stack.params, mask)
        if self.opt.state is not None:
            self.opt.state = [{name: a[mask] for name, a in s.items()} for s in self.opt.state]
        self.ids, self.epoch, self.t, self.lr = self.ids[mask], self.epoch[mask], self.t[mask], self.lr[mask]

    def lr_arg(self):
        """The slots' learning rates: one Python float when they agree (a network's own arithmetic), else ``(K, 1, 1)``."""
        if (self.lr == self.lr[0]).all():
            return float(self.lr[0])
        return self.lr.astype(self.stack.dtype).reshape(-1, 1, 1)

    def t_arg(self):
        """The slots' step numbers, as ``lr_arg``."""
        if (self.t == self.t[0]).all():
            return int(self.t[0])
        return self.t.reshape(-1, 1, 1)


_RECORDS = ("lr", "loss", "accuracy", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "epoch_time")


def _train_pool(networks, X, x_shared, y, y_shared, optimizers, rngs, schedules, B, epochs, shuffle, reduction,
                loss_stop, stop_dead, val, evaluate_training, evaluate_every, record, lam, histories, capacity, bar):
    pool = _Pool(networks, optimizers)
    stack = pool.stack
    queue = list(range(len(networks)))[::-1]  # popped from the end: network 0 first
    n, d = X.shape[-2], X.shape[-1]
    X_rows = X if x_shared else X.reshape(-1, d)              # per-network data: row k * n + i is X[k][i]
    y_rows = y if y_shared else y.reshape((-1,) + y.shape[2:])
    log = []                                                   # (ids, {record: values}) after every epoch
    steps_of = {}                                              # recorded step losses, per network
    last = {}                                                  # record="last": the slots' latest records

    def finish(positions):
        """Networks at ``positions`` are done: their weights, step counts and last records go home."""
        pool.retire(positions)
        for j in positions:
            h = histories[pool.ids[j]]
            if record != "steps":
                h.n_steps = int(pool.t[j])
            if record == "last" and last and not np.isnan(last["loss"][j]):
                h.first_epoch = int(last["epoch"][j])
                for name in _RECORDS:
                    if name in last:
                        getattr(h, name).append(float(last[name][j]))

    def drop(mask):
        pool.keep(mask)
        for name in last:
            last[name] = last[name][mask]

    try:
        while queue or len(pool):
            free = capacity - len(pool)
            if free and queue:
                new = [queue.pop() for _ in range(min(free, len(queue)))]
                pool.admit(new)
                for name in last:
                    last[name] = np.concatenate([last[name], np.full(len(new), np.nan)])
            if schedules is not None:
                for j, (k, e) in enumerate(zip(pool.ids, pool.epoch)):
                    pool.lr[j] = apply_schedule(schedules[k], optimizers[k], int(e))  # train's line: lr = schedule(epoch)
            lr_arg = pool.lr_arg()
            t0 = time.perf_counter()
            order = np.empty((len(pool), n), dtype=np.int64)
            order[...] = np.arange(n)
            if shuffle:
                for k, row in zip(pool.ids, order):
                    rngs[k].shuffle(row)           # rng.permutation(n) is arange(n) shuffled: train's order
            if not (x_shared and y_shared):
                order_rows = order + (pool.ids * n)[:, None]
            loss_sum = np.zeros(len(pool))
            correct = np.zeros(len(pool), dtype=np.int64)
            counted = 0
            step_rows = []
            for s in range(0, n, B):
                cols = order[:, s:s + B]
                m = cols.shape[1]
                rows = None if x_shared and y_shared else order_rows[:, s:s + B]
                Xb = np.take(X_rows, cols if x_shared else rows, axis=0)
                yb = np.take(y_rows, cols if y_shared else rows, axis=0)
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    loss, grads, z = stack.loss_and_grads_unvalidated(Xb, yb, reduction, return_logits=True)
                bad = ~np.isfinite(loss)
                if bad.any():                      # those networks stop before this step, as train raises here
                    for j in np.flatnonzero(bad):
                        k = pool.ids[j]
                        histories[k].diverged_step = int(pool.t[j])
                        histories[k].stopped_epoch = int(pool.epoch[j])
                        if record == "steps" and step_rows:   # the steps it took in this epoch
                            steps_of.setdefault(k, []).append(np.array([r[j] for r in step_rows]))
                    finish(np.flatnonzero(bad))
                    good = ~bad
                    drop(good)
                    grads = _select(grads, good)
                    loss, z, yb, order = loss[good], z[good], yb[good], order[good]
                    if not (x_shared and y_shared):
                        order_rows = order_rows[good]
                    loss_sum, correct = loss_sum[good], correct[good]
                    step_rows = [r[good] for r in step_rows]
                    if not len(pool):
                        break
                    lr_arg = pool.lr_arg()
                pool.t += 1
                pool.opt.step_unvalidated(stack.params, grads, lr=lr_arg, t=pool.t_arg())
                loss_sum += loss.astype(np.float64) * m
                if stack.is_classifier:
                    hit = stack.correct_unvalidated(z, yb)
                    correct += np.count_nonzero(hit.reshape(len(pool), -1), axis=1)
                    counted += hit[0].size
                if record == "steps":
                    step_rows.append(loss.astype(np.float64))
                if evaluate_every is not None:
                    due = pool.t % evaluate_every == 0
                    if due.any():
                        t_eval = time.perf_counter()
                        vl, va = _evaluate_some(stack, due, val, pool.ids)
                        for i, j in enumerate(np.flatnonzero(due)):
                            h = histories[pool.ids[j]]
                            h.curve_step.append(int(pool.t[j]))
                            h.curve_val_loss.append(float(vl[i]))
                            if va is not None:
                                h.curve_val_accuracy.append(float(va[i]))
                        t0 += time.perf_counter() - t_eval  # the epoch's time stays its training time
                if bar is not None:
                    bar.update(len(pool))
            if not len(pool):
                continue
            rec = {"lr": pool.lr.copy(), "loss": loss_sum / n,
                   "epoch_time": np.full(len(pool), (time.perf_counter() - t0) / len(pool))}
            if stack.is_classifier:
                rec["accuracy"] = correct / counted
            if evaluate_training:
                rec["train_loss"], rec["train_accuracy"] = _evaluate(stack, X, x_shared, y, y_shared, pool.ids)
            if val is not None:
                rec["val_loss"], rec["val_accuracy"] = _evaluate(stack, val[0], val[1], val[2], val[3], pool.ids)
            rec = {name: v for name, v in rec.items() if v is not None}
            if record == "last":
                last.update(rec, epoch=pool.epoch.astype(np.float64))
            else:
                log.append((pool.ids.copy(), rec))
            if record == "steps":
                for k, row in zip(pool.ids, np.stack(step_rows, axis=1)):
                    steps_of.setdefault(k, []).append(row)
            done = pool.epoch + 1 == epochs
            if loss_stop is not None:
                reached = rec["loss"] < loss_stop
                for j in np.flatnonzero(reached):
                    histories[pool.ids[j]].stopped_epoch = int(pool.epoch[j])
                done |= reached
            if stop_dead:
                frozen = ~done & _dead_layer(stack, X, x_shared, pool.ids) & ~_in_motion(pool.opt, stack.params,
                                                                                          len(pool))
                for j in np.flatnonzero(frozen):
                    histories[pool.ids[j]].frozen_epoch = histories[pool.ids[j]].stopped_epoch = int(pool.epoch[j])
                done |= frozen
            pool.epoch += 1
            if done.any():
                finish(np.flatnonzero(done))
                drop(~done)

    finally:
        if len(pool):  # stopped by an error: the networks still training keep what they reached
            pool.retire(np.arange(len(pool)))
    _fill_histories(histories, log, steps_of, lam)


def _fill_histories(histories, log, steps_of, lam):
    """Each network's per-epoch records (in epoch order) and step losses into its ``History``."""
    if log:
        ids = np.concatenate([entry[0] for entry in log])
        order = np.argsort(ids, kind="stable")                # by network; each network's epochs stay in order
        bounds = np.cumsum(np.bincount(ids, minlength=len(histories)))
        for name in _RECORDS:
            if name not in log[0][1]:
                continue
            values = np.concatenate([entry[1][name] for entry in log])[order].tolist()
            for k, h in enumerate(histories):
                getattr(h, name).extend(values[bounds[k - 1] if k else 0:bounds[k]])
    for k, rows in steps_of.items():
        losses = np.concatenate(rows)
        histories[k].step_loss.extend(losses.tolist())
        histories[k].running_loss.extend(running_loss_estimate(losses, lam).tolist())
