"""The hidden tests of assignment 10: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them; the batch-norm backward pass is also checked
against central differences of the forward pass.
"""

import numpy as np
import pytest

from course_lib import nn
from course_lib.exercises import a10_practical_issues as checks
from course_lib.exercises.engine import GradingError, UsedReference


def dropout_forward(a, rate, rng):
    mask = (rng.random(a.shape) >= rate) / (1 - rate)
    return a * mask, mask


def dropout_backward(grad_out, mask):
    return grad_out * mask


def batchnorm_forward(z, gamma, beta, eps=1e-3):
    mu = z.mean(axis=0)
    var = ((z - mu) ** 2).mean(axis=0)
    return gamma * (z - mu) / np.sqrt(var + eps) + beta


def batchnorm_backward(grad_out, z, gamma, eps=1e-3):
    n = len(z)
    mu = z.mean(axis=0)
    var = ((z - mu) ** 2).mean(axis=0)
    inv_std = 1 / np.sqrt(var + eps)
    z_hat = (z - mu) * inv_std
    dbeta = grad_out.sum(axis=0)
    dgamma = (grad_out * z_hat).sum(axis=0)
    d_hat = grad_out * gamma
    dz = inv_std / n * (n * d_hat - d_hat.sum(axis=0) - z_hat * (d_hat * z_hat).sum(axis=0))
    return dz, dgamma, dbeta


def sgd_step_l2(W, grad, lr, lam):
    return W - lr * (grad + 2 * lam * W)


def he_normal(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out))


def test_the_hand_written_backward_pass_is_the_derivative_of_the_forward_pass():
    rng = np.random.default_rng(0)
    z, gamma, beta, g = rng.normal(size=(5, 3)), rng.uniform(0.5, 2, 3), rng.normal(size=3), rng.normal(size=(5, 3))
    dz, dgamma, dbeta = batchnorm_backward(g, z, gamma)
    h = 1e-6
    loss = lambda z, gamma, beta: float(np.sum(g * batchnorm_forward(z, gamma, beta)))  # noqa: E731
    for (i, j) in ((0, 0), (3, 2), (4, 1)):
        e = np.zeros_like(z)
        e[i, j] = h
        assert np.isclose(dz[i, j], (loss(z + e, gamma, beta) - loss(z - e, gamma, beta)) / (2 * h), rtol=1e-6)
    e = np.array([0.0, h, 0.0])
    assert np.isclose(dgamma[1], (loss(z, gamma + e, beta) - loss(z, gamma - e, beta)) / (2 * h), rtol=1e-6)
    assert np.isclose(dbeta[1], (loss(z, gamma, beta + e) - loss(z, gamma, beta - e)) / (2 * h), rtol=1e-6)


def test_by_hand():
    # inverted dropout keeps the mean: over many entries the output's mean is about the input's
    out, mask = dropout_forward(np.ones(100_000), 0.3, np.random.default_rng(1))
    assert set(np.unique(mask)) == {0.0, 1 / 0.7} and abs(out.mean() - 1) < 0.01
    # two samples 0 and 2 of one unit: mu = 1, biased var = 1; eps = 0 gives -1 and +1
    assert np.allclose(batchnorm_forward(np.array([[0.0], [2.0]]), np.ones(1), np.zeros(1), eps=1e-12), [[-1], [1]])
    assert np.allclose(sgd_step_l2(np.array([1.0]), np.array([0.0]), 0.1, 0.5), [0.9])     # shrinks by 1 - 2 lr lam
    W = he_normal(1000, 200, np.random.default_rng(2))
    assert abs(W.var() / (2 / 1000) - 1) < 0.02


def test_the_reference_passes():
    assert checks.dropout_forward(dropout_forward) == 5
    assert checks.dropout_backward(dropout_backward) == 3
    assert checks.batchnorm_forward(batchnorm_forward) == 4
    assert checks.batchnorm_backward(batchnorm_backward) == 4
    assert checks.sgd_step_l2(sgd_step_l2) == 3
    assert checks.he_normal(he_normal) == 4
    for seed in (5, 2**36 + 9):
        checks.dropout_forward(dropout_forward, seed=seed)
        checks.batchnorm_backward(batchnorm_backward, seed=seed)
        checks.he_normal(he_normal, seed=seed)


def test_each_mistake_is_named():
    with pytest.raises(GradingError, match=r"must be scaled by 1 / \(1 - rate\)"):
        checks.dropout_forward(lambda a, rate, rng: (lambda m: (a * m, m))((rng.random(a.shape) >= rate) * 1.0))
    with pytest.raises(GradingError, match=r"not 1 / rate"):
        checks.dropout_forward(lambda a, rate, rng: (lambda m: (a * m, m))((rng.random(a.shape) >= rate) / rate))
    with pytest.raises(GradingError, match="the probability of DROPPING"):
        checks.dropout_forward(lambda a, rate, rng: (lambda m: (a * m, m))((rng.random(a.shape) < rate) / rate))

    with pytest.raises(GradingError, match="scale included"):
        checks.dropout_backward(lambda g, mask: g * (mask != 0))
    with pytest.raises(GradingError, match="a dropped entry passes no gradient"):
        checks.dropout_backward(lambda g, mask: g)

    def unbiased(z, gamma, beta, eps=1e-3):
        return gamma * (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0, ddof=1) + eps) + beta

    def eps_outside(z, gamma, beta, eps=1e-3):
        return gamma * (z - z.mean(axis=0)) / (z.std(axis=0) + eps) + beta

    def per_sample(z, gamma, beta, eps=1e-3):
        mu, var = z.mean(axis=1, keepdims=True), z.var(axis=1, keepdims=True)
        return gamma * (z - mu) / np.sqrt(var + eps) + beta

    with pytest.raises(GradingError, match="the biased one"):
        checks.batchnorm_forward(unbiased)
    with pytest.raises(GradingError, match="eps goes inside the square root"):
        checks.batchnorm_forward(eps_outside)
    with pytest.raises(GradingError, match=r"over the batch \(axis 0\)"):
        checks.batchnorm_forward(per_sample)

    def constant_stats(g, z, gamma, eps=1e-3):
        _, dgamma, dbeta = batchnorm_backward(g, z, gamma, eps)
        return g * gamma / np.sqrt(z.var(axis=0) + eps), dgamma, dbeta

    def no_var_path(g, z, gamma, eps=1e-3):
        _, dgamma, dbeta = batchnorm_backward(g, z, gamma, eps)
        return gamma / np.sqrt(z.var(axis=0) + eps) * (g - g.mean(axis=0)), dgamma, dbeta

    def dgamma_plain(g, z, gamma, eps=1e-3):
        dz, _, dbeta = batchnorm_backward(g, z, gamma, eps)
        return dz, g.sum(axis=0), dbeta

    def averaged(g, z, gamma, eps=1e-3):
        dz, dgamma, dbeta = batchnorm_backward(g, z, gamma, eps)
        return dz, dgamma / len(z), dbeta / len(z)

    with pytest.raises(GradingError, match="the gradient flows through them too"):
        checks.batchnorm_backward(constant_stats)
    with pytest.raises(GradingError, match="the path through the variance is missing"):
        checks.batchnorm_backward(no_var_path)
    with pytest.raises(GradingError, match=r"dgamma = sum over the batch of grad_out \* z_hat"):
        checks.batchnorm_backward(dgamma_plain)
    with pytest.raises(GradingError, match="not means"):
        checks.batchnorm_backward(averaged)

    with pytest.raises(GradingError, match="has gradient 2 lam W, not lam W"):
        checks.sgd_step_l2(lambda W, g, lr, lam: W - lr * (g + lam * W))
    with pytest.raises(GradingError, match="it must not grow it"):
        checks.sgd_step_l2(lambda W, g, lr, lam: W - lr * (g - 2 * lam * W))
    with pytest.raises(GradingError, match="multiply it by lr too"):
        checks.sgd_step_l2(lambda W, g, lr, lam: W - lr * g - 2 * lam * W)

    with pytest.raises(GradingError, match="LeCun's"):
        checks.he_normal(lambda i, o, rng: rng.normal(0, np.sqrt(1 / i), (i, o)))
    with pytest.raises(GradingError, match="not the variance 2 / n_in"):
        checks.he_normal(lambda i, o, rng: rng.normal(0, 2 / i, (i, o)))
    with pytest.raises(GradingError, match="Glorot's variance"):
        checks.he_normal(lambda i, o, rng: rng.normal(0, np.sqrt(2 / (i + o)), (i, o)))
    with pytest.raises(GradingError, match="the fan-in n_in"):
        checks.he_normal(lambda i, o, rng: np.sqrt(2 / o) * rng.standard_normal((i, o)))


def test_calling_the_reference_is_refused():
    with pytest.raises(UsedReference, match=r"course_lib.nn.dropout_forward"):
        checks.dropout_forward(lambda a, rate, rng: nn.dropout_forward(a, rate, rng))
    with pytest.raises(UsedReference, match=r"course_lib.nn.he_normal"):
        checks.he_normal(lambda i, o, rng: nn.he_normal(i, o, rng))
    with pytest.raises(UsedReference, match="calls the reference implementation"):
        checks.batchnorm_forward(lambda z, g, b, eps: nn.batchnorm_forward(z, g, b, eps)[0])


def test_a_list_of_outputs_is_as_good_as_a_tuple():
    """``return [out, mask]`` answers "return (out, mask)" as well (it got "returned 1 value(s); expected 2")."""
    for seed in (None, 4):
        checks.dropout_forward(lambda a, rate, rng: list(dropout_forward(a, rate, rng)), seed=seed)
        checks.batchnorm_backward(lambda g, z, gamma, eps: list(batchnorm_backward(g, z, gamma, eps)), seed=seed)
    with pytest.raises(GradingError, match="returned 1 value"):  # the outputs themselves are still compared
        checks.dropout_forward(lambda a, rate, rng: [dropout_forward(a, rate, rng)[0]])


def test_other_correct_ways_pass_for_every_student():
    """Correct answers written differently (the staged graph of CS231n, np.where, standard_normal) pass for any seed."""
    def dropout_where(a, rate, rng):
        mask = np.where(rng.random(a.shape) >= rate, 1.0 / (1.0 - rate), 0.0)
        return a * mask, mask

    def batchnorm_staged(dout, z, gamma, eps=1e-3):
        n = z.shape[0]
        zmu = z - z.sum(axis=0) / n
        var = (zmu ** 2).sum(axis=0) / n
        sqrtvar = np.sqrt(var + eps)
        z_hat = zmu / sqrtvar
        dz_hat = dout * gamma
        dvar = -0.5 / sqrtvar ** 3 * (dz_hat * zmu).sum(axis=0)
        dzmu = dz_hat / sqrtvar + 2 * zmu * dvar / n
        return dzmu - dzmu.sum(axis=0) / n, (dout * z_hat).sum(axis=0), dout.sum(axis=0)

    def he_standard(n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) * (2 / n_in) ** 0.5

    for seed in [None, *range(30)]:
        checks.dropout_forward(dropout_where, seed=seed)
        checks.batchnorm_forward(lambda z, g, b, eps: (z - z.mean(0)) / np.sqrt(z.var(0) + eps) * g + b, seed=seed)
        checks.batchnorm_backward(batchnorm_staged, seed=seed)
        checks.sgd_step_l2(lambda W, g, lr, lam: (1 - 2 * lr * lam) * W - lr * g, seed=seed)
        checks.he_normal(he_standard, seed=seed)
