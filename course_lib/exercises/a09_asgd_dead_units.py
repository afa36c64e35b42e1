"""Assignment 9, aSGD and dead units (lecture 8): the checks of a network's dead and always-on ReLU
units, the per-parameter counts and the mean effective gradient of source 000, and one aSGD step.

Each check runs the student's function against the ``course_lib`` reference
(``nn.MLP.dead_units``, ``nn.MLP.loss_and_grads(..., reduction="effective")``,
``optim.sgd_update``) on seeded random networks and data through
``engine.check_function`` and names the likely mistake (see
``course_lib.exercises``).  The counts are checked against their definition,
sample by sample (each sample's own gradient from ``nn.MLP.loss_and_grads``),
not against the mask products the reference divides by.

The network is source ``000``'s kind (section 7.2): ReLU hidden layers, one
sigmoid output unit, binary cross-entropy, given as ``params = [W1, b1, W2,
b2, ...]`` with ``W_l`` of shape ``(n_in, n_out)`` (``course_lib.nn``'s
convention), targets ``y`` of shape ``(n, 1)`` with values 0 and 1.  Every
case has a unit with zero weights and bias (``z = 0`` on every sample: dead,
since a ReLU is on only for ``z > 0``), a unit pushed off by its bias and one
pushed on; its output layer is scaled to ``|z_L| <= MAX_OUTPUT_Z``, where the
sigmoid is far from rounding to exactly 1 (so a count never depends on how
the student computes the sigmoid).
"""

from __future__ import annotations

import numpy as np

from .. import nn as _nn
from .. import optim as _optim
from . import engine
from .engine import case_rng


def _net(params) -> _nn.MLP:
    """The reference network with the given parameters (ReLU hidden layers, a sigmoid output, binary cross-entropy)."""
    sizes = [params[0].shape[0]] + [W.shape[1] for W in params[0::2]]
    net = _nn.MLP(sizes, hidden="relu", output="sigmoid", loss="binary_cross_entropy")
    for p, q in zip(net.params, params):
        p[...] = q
    return net


MAX_OUTPUT_Z = 8.0  # the largest |z| of the output unit in the cases (sigmoid(8) = 0.99966)


def _network_cases(rng: np.random.Generator):
    cases = []
    for sizes, n in (((2, 6, 5, 1), 12), ((2, 10, 10, 10, 1), 32), ((3, 4, 1), 1), ((2, 8, 6, 1), 20)):
        params = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            params += [_nn.he_normal(n_in, n_out, rng), 0.5 * rng.normal(size=n_out)]
        W1, b1 = params[0], params[1]
        W1[:, 0], b1[0] = 0.0, 0.0              # z = 0 on every sample: a dead unit
        if sizes[1] > 2:
            b1[1], b1[2] = -10.0, 10.0          # pushed off, pushed on
        X = rng.normal(size=(n, sizes[0]))
        y = (rng.random((n, 1)) < 0.5).astype(float)
        # the output layer scaled to |z_L| <= MAX_OUTPUT_Z: far from where p = sigmoid(z_L) rounds to exactly 1 (z_L
        # above about 36.7), which would make a sample's dz_L = p - y exactly 0 or not by the way p is computed
        z_out = np.abs(_net(params).pre_activations(X)[-1]).max()
        if z_out > MAX_OUTPUT_Z:
            params[-2] *= MAX_OUTPUT_Z / z_out
            params[-1] *= MAX_OUTPUT_Z / z_out
        cases.append((params, X, y))
    return cases


def _pairs(student, name):
    """The student's ``[(dead, always_on), ...]`` as one (2, width) array per hidden layer: row 0 dead, row 1 on."""
    def wrapped(params, X):
        return tuple(np.array([np.asarray(d), np.asarray(a)]) for d, a in student(params, X))

    wrapped.__name__ = name
    wrapped.runs_in_kernel = getattr(student, "runs_in_kernel", False)
    return wrapped


def _as_tuple(student, name):
    def wrapped(*args):
        return tuple(student(*args))

    wrapped.__name__ = name
    wrapped.runs_in_kernel = getattr(student, "runs_in_kernel", False)
    return wrapped


def dead_units(student, seed=None) -> int:
    """``dead_units(params, X)``: per hidden layer ``(dead, always_on)``, ReLU off (z <= 0) / on (z > 0) on every sample.

    The feedback's "output l" is hidden layer l + 1, its row 0 the dead mask and row 1 the always-on mask.
    """
    cases = [((params, X), {}) for params, X, _ in _network_cases(case_rng(seed, 90))]

    def reference(params, X):
        return tuple(np.array([u.dead, u.always_on]) for u in _net(params).dead_units(X))

    def from_zs(zs, dead_rule, on_rule):
        return tuple(np.array([dead_rule(z).all(axis=0), on_rule(z).all(axis=0)]) for z in zs)

    def hidden_zs(params, X):
        return _net(params).pre_activations(X)[:-1]

    def linear_zs(params, X):  # each layer fed the previous layer's z, not its ReLU
        zs, a = [], X
        for W, b in zip(params[0:-2:2], params[1:-2:2]):
            a = a @ W + b
            zs.append(a)
        return zs

    return engine.check_function(_pairs(student, "dead_units"), reference, cases, name="dead_units", rtol=0.0,
                                  atol=0.0, variants={
        "a unit with z = 0 on every sample is dead too: a ReLU is on only for z > 0 (dead: z <= 0 on every sample)":
            lambda p, X: from_zs(hidden_zs(p, X), lambda z: z < 0, lambda z: z > 0),
        "always on means z > 0 on every sample; at z = 0 the ReLU is off":
            lambda p, X: from_zs(hidden_zs(p, X), lambda z: z <= 0, lambda z: z >= 0),
        "always on means on for EVERY sample, not merely not dead":
            lambda p, X: tuple(np.array([u.dead, ~u.dead]) for u in _net(p).dead_units(X)),
        "each layer's input is the ReLU of the layer below, a = max(z, 0), not its z":
            lambda p, X: from_zs(linear_zs(p, X), lambda z: z <= 0, lambda z: z > 0)})


def _per_sample_nonzero(params, X, y) -> list:
    """For each sample, which parameters its own gradient moves (``g != 0``), from the reference's per-sample gradients."""
    net = _net(params)
    return [[g != 0 for g in net.loss_and_grads(X[i:i + 1], y[i:i + 1], reduction="sum")[1]] for i in range(len(X))]


def _counts(params, X, y) -> tuple:
    """Source 000's counts by their definition: for each parameter, the samples whose own gradient for it is non-zero."""
    return tuple(np.sum(masks, axis=0).astype(float) for masks in zip(*_per_sample_nonzero(params, X, y)))


def _per_sample_gradients_slope_one_at_zero(params, X, y) -> list:
    """The mistaken per-sample gradients of a backward pass that takes ReLU's slope at z = 0 as 1 (``z >= 0``):
    for each sample, ``[dW1, db1, ...]`` of its own loss (binary cross-entropy, ``dz_L = p - y``), written out."""
    Ws, bs = params[0::2], params[1::2]
    out = []
    for x, t in zip(X, y):
        acts, zs = [x], []
        for W, b in zip(Ws[:-1], bs[:-1]):
            zs.append(acts[-1] @ W + b)
            acts.append(np.maximum(zs[-1], 0.0))
        p = 1.0 / (1.0 + np.exp(-(acts[-1] @ Ws[-1] + bs[-1])))
        delta = p - t
        grads = [None] * len(params)
        for layer in range(len(Ws) - 1, -1, -1):
            grads[2 * layer], grads[2 * layer + 1] = np.outer(acts[layer], delta), delta
            if layer:
                delta = (delta @ Ws[layer].T) * (zs[layer - 1] >= 0)   # the mistake: slope 1 at z = 0
        out.append(grads)
    return out


def _counts_slope_one_at_zero(params, X, y) -> tuple:
    """The counts of ``_per_sample_gradients_slope_one_at_zero``: a unit at exactly z = 0 passes its delta back."""
    return tuple(np.sum([g != 0 for g in grads], axis=0).astype(float)
                 for grads in zip(*_per_sample_gradients_slope_one_at_zero(params, X, y)))


def _effective_slope_one_at_zero(params, X, y) -> tuple:
    """The mean effective gradient with those gradients and counts (0 where a count is 0)."""
    sums = [np.sum(g, axis=0) for g in zip(*_per_sample_gradients_slope_one_at_zero(params, X, y))]
    return tuple(np.divide(g, c, out=np.zeros_like(g), where=c > 0)
                 for g, c in zip(sums, _counts_slope_one_at_zero(params, X, y)))


SLOPE_AT_ZERO = "ReLU's slope at z = 0 is 0 (on only for z > 0): a unit at exactly z = 0 passes nothing back"


def _counts_without_inputs(params, X, y) -> tuple:
    """The mistaken counts of a weight W_l[i, j]: the samples where unit j's dz is non-zero, whatever a_{l-1}[n, i] is."""
    nonzero = _per_sample_nonzero(params, X, y)
    out = []
    for k, p in enumerate(params):
        bias_of_layer = k if k % 2 else k + 1  # db_l[n] = dz_l[n]: the unit's own gradient for sample n
        dz_counts = np.sum([masks[bias_of_layer] for masks in nonzero], axis=0).astype(float)
        out.append(np.broadcast_to(dz_counts, p.shape).copy())
    return tuple(out)


def effective_counts(student, seed=None) -> int:
    """``effective_counts(params, X, y)``: per parameter, the number of samples whose own gradient for it is non-zero."""
    cases = [((params, X, y), {}) for params, X, y in _network_cases(case_rng(seed, 91))]
    return engine.check_function(_as_tuple(student, "effective_counts"), _counts, cases, name="effective_counts",
                                  rtol=0.0, atol=0.0, variants={
        "sample n's gradient for W_l[i, j] is a_{l-1}[n, i] dz_l[n, j]: it is 0 when the input a_{l-1}[n, i] is 0 "
        "(a ReLU off below), not only when dz is": _counts_without_inputs,
        "only the samples whose gradient for the parameter is non-zero count, not every sample of the batch":
            lambda p, X, y: tuple(np.full(q.shape, float(len(X))) for q in p),
        SLOPE_AT_ZERO: _counts_slope_one_at_zero})


def _gradients(params, X, y, reduction):
    return tuple(_net(params).loss_and_grads(X, y, reduction=reduction)[1])


def effective_gradient(student, seed=None) -> int:
    """``effective_gradient(params, X, y)``: each parameter's summed gradient / its count (0 where the count is 0)."""
    cases = [((params, X, y), {}) for params, X, y in _network_cases(case_rng(seed, 92))]

    def divided(params, X, y, counts):
        return tuple(np.divide(g, c, out=np.full_like(g, np.nan), where=c > 0)
                     for g, c in zip(_gradients(params, X, y, "sum"), counts))

    def nan_where_none(params, X, y):
        return divided(params, X, y, _counts(params, X, y))

    def zeros_for(out):
        return tuple(np.nan_to_num(g, nan=0.0) for g in out)

    return engine.check_function(_as_tuple(student, "effective_gradient"),
                                  lambda p, X, y: _gradients(p, X, y, "effective"), cases, name="effective_gradient",
                                  rtol=1e-9, atol=1e-12, variants={
        "this is the batch mean (SGD's gradient): divide each parameter's sum by ITS count of samples, not by the "
        "batch size": lambda p, X, y: _gradients(p, X, y, "mean"),
        "the summed gradient must be divided by each parameter's count": lambda p, X, y: _gradients(p, X, y, "sum"),
        "where no sample moves a parameter (a dead unit's weights) 0 / 0 gives NaN; the effective gradient is 0 there":
            nan_where_none,
        "the counts of a weight W_l[i, j] must leave out the samples whose input a_{l-1}[n, i] is 0":
            lambda p, X, y: zeros_for(divided(p, X, y, _counts_without_inputs(p, X, y))),
        SLOPE_AT_ZERO: _effective_slope_one_at_zero})


def asgd_step(student, seed=None) -> int:
    """``asgd_step(params, X, y, lr)``: new arrays p - lr * (mean effective gradient of p), params unchanged."""
    rng = case_rng(seed, 93)
    cases = [((params, X, y, float(rng.choice([0.01, 0.05, 0.5]))), {})
             for params, X, y in _network_cases(rng)]

    def step(params, X, y, lr, reduction, sign=1.0):
        return tuple(_optim.sgd_update(p, sign * g, lr) for p, g in zip(params, _gradients(params, X, y, reduction)))

    return engine.check_function(_as_tuple(student, "asgd_step"), lambda p, X, y, lr: step(p, X, y, lr, "effective"),
                                  cases, name="asgd_step", rtol=1e-9, atol=1e-12, variants={
        "this is SGD's step with the batch mean; aSGD steps along the mean effective gradient":
            lambda p, X, y, lr: step(p, X, y, lr, "mean"),
        "the sign is flipped: the step is p - lr * g": lambda p, X, y, lr: step(p, X, y, lr, "effective", -1.0),
        SLOPE_AT_ZERO: lambda p, X, y, lr: tuple(_optim.sgd_update(q, g, lr)
                                                 for q, g in zip(p, _effective_slope_one_at_zero(p, X, y)))})
