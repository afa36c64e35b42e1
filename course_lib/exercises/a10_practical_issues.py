"""Assignment 10, practical issues (lecture 9): the checks of inverted dropout (forward and backward),
batch normalisation (forward and backward), an SGD step with the L2 penalty, and He initialisation.

Each check runs the student's function against the ``course_lib`` reference
(``nn.dropout_forward``, ``nn.dropout_backward``, ``nn.batchnorm_forward``,
``nn.batchnorm_backward``, ``nn.l2_penalty_grad`` with ``optim.sgd_update``,
``nn.he_normal``) on seeded random inputs through ``engine.check_function``
and names the likely mistake (see ``course_lib.exercises``).

Conventions the questions state (those of ``course_lib.nn``): dropout's
``rate`` is the probability of dropping, one draw ``u = rng.random(a.shape)``
keeps the entries with ``u >= rate`` and scales them by ``1 / (1 - rate)``;
batch normalisation normalises each unit (column) over the batch (axis 0) with
the biased variance and ``eps`` inside the square root; the L2 penalty is
Keras' ``lam * sum(W**2)``; He's normal is drawn in one call
``rng.normal(0, sqrt(2 / n_in), (n_in, n_out))``.
"""

from __future__ import annotations

import numpy as np

from .. import nn as _nn
from .. import optim as _optim
from . import engine
from .engine import case_rng


def _fresh(rng: np.random.Generator) -> np.random.Generator:
    return np.random.default_rng(int(rng.integers(2 ** 32)))


def _outputs(student, name):
    """The student's ``(out, mask)`` or ``(dz, dgamma, dbeta)`` as a tuple: a list ``[out, mask]`` is as good."""
    def wrapped(*args):
        out = student(*args)
        return tuple(out) if isinstance(out, list) else out

    wrapped.__name__ = name
    wrapped.runs_in_kernel = getattr(student, "runs_in_kernel", False)
    return wrapped


def dropout_forward(student, seed=None) -> int:
    """``dropout_forward(a, rate, rng)``: u = rng.random(a.shape), mask = (u >= rate) / (1 - rate); (a * mask, mask)."""
    rng = case_rng(seed, 100)
    cases = [((rng.normal(size=shape), rate, _fresh(rng)), {})
             for shape, rate in (((4, 5), 0.2), ((6,), 0.5), ((2, 3, 4), float(rng.uniform(0.05, 0.9))),
                                 ((3, 3), 0.0), ((50, 8), 0.8))]

    def masked(a, rate, rng, keep, scale):
        u = rng.random(a.shape)
        mask = keep(u, rate) * scale(rate)
        return a * mask, mask

    return engine.check_function(_outputs(student, "dropout_forward"), _nn.dropout_forward, cases,
                                  name="dropout_forward", rtol=1e-12, atol=0.0, variants={
        "the kept entries must be scaled by 1 / (1 - rate) (inverted dropout): without it the expected output "
        "shrinks by 1 - rate": lambda a, r, g: masked(a, r, g, lambda u, r: (u >= r).astype(float), lambda r: 1.0),
        "the scale is 1 / (1 - rate), one over the probability of KEEPING an entry, not 1 / rate":
            lambda a, r, g: masked(a, r, g, lambda u, r: (u >= r).astype(float), lambda r: 1.0 / r),
        "rate is the probability of DROPPING an entry (Keras' convention): keep where u >= rate":
            lambda a, r, g: masked(a, r, g, lambda u, r: (u < r).astype(float), lambda r: 1.0 / r)})


def dropout_backward(student, seed=None) -> int:
    """``dropout_backward(grad_out, mask)``: grad_out * mask (the mask already holds the 1 / (1 - rate))."""
    rng = case_rng(seed, 101)
    cases = []
    for shape, rate in (((4, 5), 0.25), ((7,), 0.6), ((3, 2, 2), 0.1)):
        _, mask = _nn.dropout_forward(rng.normal(size=shape), rate, _fresh(rng))
        cases.append(((rng.normal(size=shape), mask), {}))
    return engine.check_function(student, _nn.dropout_backward, cases, name="dropout_backward", rtol=1e-12,
                                  atol=0.0, variants={
        "out = a * mask, so the gradient is grad_out * mask, scale included (not only its 0/1 pattern)":
            lambda g, m: g * (m > 0),
        "a dropped entry passes no gradient: multiply grad_out by the mask": lambda g, m: g.copy()})


def _batchnorm_cases(rng: np.random.Generator):
    cases = []
    for n, k, eps in ((8, 3, 1e-3), (2, 4, 1e-3), (16, 1, 1e-5), (int(rng.integers(3, 40)), 5, 1e-3)):
        z = rng.normal(size=(n, k)) * rng.uniform(0.01, 5.0, size=k) + rng.normal(size=k)
        cases.append((z, rng.uniform(0.5, 2.0, size=k), rng.normal(size=k), eps))
    return cases


def batchnorm_forward(student, seed=None) -> int:
    """``batchnorm_forward(z, gamma, beta, eps)``: gamma * (z - mu) / sqrt(var + eps) + beta, over axis 0, biased var."""
    cases = [((z, gamma, beta, eps), {}) for z, gamma, beta, eps in _batchnorm_cases(case_rng(seed, 102))]

    def normalised(z, gamma, beta, eps, axis=0, ddof=0, eps_inside=True):
        mu, var = z.mean(axis=axis, keepdims=True), z.var(axis=axis, ddof=ddof, keepdims=True)
        scale = np.sqrt(var + eps) if eps_inside else np.sqrt(var) + eps
        return gamma * (z - mu) / scale + beta

    return engine.check_function(student, lambda z, g, b, eps: _nn.batchnorm_forward(z, g, b, eps)[0], cases,
                                  name="batchnorm_forward", rtol=1e-9, atol=1e-12, variants={
        "the batch variance is the biased one, the mean of (z - mu)^2 (divide by n, not n - 1)":
            lambda z, g, b, eps: normalised(z, g, b, eps, ddof=1),
        "eps goes inside the square root: sqrt(var + eps)":
            lambda z, g, b, eps: normalised(z, g, b, eps, eps_inside=False),
        "each unit (column) is normalised over the batch (axis 0), not each sample over its units":
            lambda z, g, b, eps: normalised(z, g, b, eps, axis=1),
        "after normalising, scale and shift: out = gamma * z_hat + beta":
            lambda z, g, b, eps: normalised(z, np.ones_like(g), np.zeros_like(b), eps)})


def batchnorm_backward(student, seed=None) -> int:
    """``batchnorm_backward(grad_out, z, gamma, eps)``: (dz, dgamma, dbeta) of the training-mode batch norm."""
    rng = case_rng(seed, 103)
    cases = [((rng.normal(size=z.shape), z, gamma, eps), {}) for z, gamma, _, eps in _batchnorm_cases(rng)]

    def reference(g, z, gamma, eps):
        return _nn.batchnorm_backward(g, _nn.batchnorm_forward(z, gamma, np.zeros_like(gamma), eps)[1])

    def pieces(g, z, gamma, eps):
        z_hat, inv_std, _ = _nn.batchnorm_forward(z, gamma, np.zeros_like(gamma), eps)[1]
        return z_hat, inv_std, reference(g, z, gamma, eps)

    def constant_statistics(g, z, gamma, eps):
        _, inv_std, (_, dgamma, dbeta) = pieces(g, z, gamma, eps)
        return g * gamma * inv_std, dgamma, dbeta

    def mean_path_only(g, z, gamma, eps):
        _, inv_std, (_, dgamma, dbeta) = pieces(g, z, gamma, eps)
        return gamma * inv_std * (g - g.mean(axis=0)), dgamma, dbeta

    def dgamma_without_z_hat(g, z, gamma, eps):
        _, _, (dz, _, dbeta) = pieces(g, z, gamma, eps)
        return dz, g.sum(axis=0), dbeta

    def means(g, z, gamma, eps):
        _, _, (dz, dgamma, dbeta) = pieces(g, z, gamma, eps)
        return dz, dgamma / len(z), dbeta / len(z)

    return engine.check_function(_outputs(student, "batchnorm_backward"), reference, cases, name="batchnorm_backward",
                                  rtol=1e-8, atol=1e-11, variants={
        "mu and var depend on every z of the batch: the gradient flows through them too (dz is not grad_out * "
        "gamma / sqrt(var + eps))": constant_statistics,
        "the path through the variance is missing: dz needs the term - z_hat * sum(grad_out * z_hat) / n":
            mean_path_only,
        "dgamma = sum over the batch of grad_out * z_hat (out = gamma * z_hat + beta)": dgamma_without_z_hat,
        "gamma and beta are shared by the batch: their gradients are sums over the samples, not means": means})


def sgd_step_l2(student, seed=None) -> int:
    """``sgd_step_l2(W, grad, lr, lam)``: W - lr * (grad + 2 lam W), the step on loss + lam * sum(W**2)."""
    rng = case_rng(seed, 104)
    cases = [((rng.normal(size=shape), rng.normal(size=shape), lr, lam), {})
             for shape, lr, lam in (((3, 4), 0.1, 0.01), ((5,), 0.5, 0.1), ((2, 2), float(rng.uniform(0.01, 1.0)),
                                                                           float(10 ** rng.uniform(-4, -1))))]

    def reference(W, grad, lr, lam):
        return _optim.sgd_update(W, grad + _nn.l2_penalty_grad([W], lam)[0], lr)

    return engine.check_function(student, reference, cases, name="sgd_step_l2", rtol=1e-12, atol=1e-14, variants={
        "the penalty lam * sum(W**2) (Keras' convention, no 1/2) has gradient 2 lam W, not lam W":
            lambda W, g, lr, lam: _optim.sgd_update(W, g + lam * W, lr),
        "the penalty's gradient is added to the loss gradient: the decay shrinks W, it must not grow it":
            lambda W, g, lr, lam: _optim.sgd_update(W, g - 2 * lam * W, lr),
        "the penalty's gradient is part of the step: multiply it by lr too":
            lambda W, g, lr, lam: _optim.sgd_update(W, g, lr) - 2 * lam * W})


def he_normal(student, seed=None) -> int:
    """``he_normal(n_in, n_out, rng)``: rng.normal(0, sqrt(2 / n_in), (n_in, n_out)), one call."""
    rng = case_rng(seed, 105)
    cases = [((n_in, n_out, _fresh(rng)), {})
             for n_in, n_out in ((784, 30), (4, 10), (int(rng.integers(2, 200)), int(rng.integers(201, 400))), (1, 1))]

    def normal(n_in, n_out, rng, std):
        return rng.normal(0.0, std, (n_in, n_out))

    return engine.check_function(student, _nn.he_normal, cases, name="he_normal", rtol=1e-12, atol=0.0, variants={
        "He's variance is 2 / n_in (for ReLU, which zeroes half its inputs); 1 / n_in is LeCun's, for linear units":
            lambda i, o, g: normal(i, o, g, np.sqrt(1.0 / i)),
        "the scale of rng.normal is the standard deviation: sqrt(2 / n_in), not the variance 2 / n_in":
            lambda i, o, g: normal(i, o, g, 2.0 / i),
        "2 / (n_in + n_out) is Glorot's variance; He's is 2 / n_in":
            lambda i, o, g: normal(i, o, g, np.sqrt(2.0 / (i + o))),
        "the variance is set by the fan-in n_in, the number of inputs each unit sums":
            lambda i, o, g: normal(i, o, g, np.sqrt(2.0 / o))})
