"""The benchmark's reference MLP: parameter count, backprop vs TensorFlow, the rank-1 batched loss."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from mlp_reference import ReferenceMLP, synthetic_mnist  # noqa: E402


def test_parameter_count_of_source_003_network():
    # 784*300 + 300 + 300*100 + 100 + 100*100 + 100 + 100*10 + 10
    assert ReferenceMLP().n_params == 235200 + 300 + 30000 + 100 + 10000 + 100 + 1000 + 10 == 276710


def test_glorot_uniform_limits_and_zero_biases():
    net = ReferenceMLP((784, 300, 10), rng=0)
    (W1, b1), (W2, b2) = net.unflatten(net.flat())
    assert np.abs(W1).max() <= math.sqrt(6 / (784 + 300))
    assert np.abs(W1).max() > 0.99 * math.sqrt(6 / (784 + 300))
    assert np.all(b1 == 0) and np.all(b2 == 0)


def test_loss_by_hand_on_a_tiny_network():
    # sizes (2, 2, 2); W1 = [[1, -1], [2, 0]], b1 = (0, 0.5); W2 = I, b2 = 0; x = (1, 1), label 0
    # z1 = (1 + 2, -1 + 0) + (0, 0.5) = (3, -0.5); a1 = (3, 0); logits = (3, 0)
    # loss = log(e^3 + e^0) - 3 = log(1 + e^-3)
    net = ReferenceMLP((2, 2, 2))
    theta = np.array([1.0, -1.0, 2.0, 0.0, 0.0, 0.5, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    assert net.loss(theta, np.array([[1.0, 1.0]]), np.array([0])) == pytest.approx(math.log1p(math.exp(-3)))
    # one-hot labels give the same
    assert net.loss(theta, np.array([[1.0, 1.0]]), np.array([[1.0, 0.0]])) == pytest.approx(math.log1p(math.exp(-3)))


def _small_problem(seed=0):
    net = ReferenceMLP((20, 7, 5, 3), rng=seed)
    rng = np.random.default_rng(seed)
    theta = net.flat() + 0.1 * rng.standard_normal(net.n_params)  # non-zero biases too
    X = rng.standard_normal((6, 20))
    Y = rng.integers(0, 3, 6)
    return net, theta, X, Y


def test_loss_batch_equals_plain_loss_for_every_block():
    net, theta, X, Y = _small_problem()
    f_batch = net.loss_batch(theta, X, Y)
    rng = np.random.default_rng(1)
    # every coordinate, including block boundaries, with positive, negative and zero steps
    idx = np.arange(net.n_params)
    h = rng.choice([1e-3, -1e-3, 0.0, 0.5, -0.5], size=idx.size)
    expected = np.empty(idx.size)
    for k, (i, hk) in enumerate(zip(idx, h)):
        t = theta.copy()
        t[i] += hk
        expected[k] = net.loss(t, X, Y)
    np.testing.assert_allclose(f_batch(idx, h), expected, rtol=1e-13, atol=1e-13)
    # order and batching do not matter
    perm = rng.permutation(idx.size)[:37]
    np.testing.assert_allclose(f_batch(idx[perm], h[perm]), expected[perm], rtol=1e-13, atol=1e-13)


def test_loss_batch_on_the_default_network_spot_check():
    net = ReferenceMLP()
    X, Y = synthetic_mnist(4, rng=2)
    theta = net.flat()
    f_batch = net.loss_batch(theta, X, Y)
    rng = np.random.default_rng(3)
    idx = np.concatenate([a + rng.choice(b - a, 3, replace=False) for a, b in zip(net.offsets[:-1], net.offsets[1:])])
    h = np.full(idx.size, 0.05)
    expected = []
    for i in idx:
        t = theta.copy()
        t[i] += 0.05
        expected.append(net.loss(t, X, Y))
    np.testing.assert_allclose(f_batch(idx, h), expected, rtol=1e-12)


def test_backprop_matches_central_differences_small():
    from course_lib.gradcheck import check_gradient

    net, theta, X, Y = _small_problem(seed=4)
    result = check_gradient(lambda t: net.loss(t, X, Y), net.grad(theta, X, Y), theta, atol=1e-9)
    assert result.passed, result


@pytest.mark.tensorflow
@pytest.mark.parametrize("sizes", [(20, 7, 5, 3), (784, 300, 100, 100, 10)])
def test_backprop_matches_tensorflow(sizes):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    net = ReferenceMLP(sizes, rng=5)
    rng = np.random.default_rng(5)
    theta = net.flat() + 0.01 * rng.standard_normal(net.n_params)
    X = rng.random((8, sizes[0]))
    Y = rng.integers(0, sizes[-1], 8)
    variables = [tf.Variable(p) for pair in net.unflatten(theta) for p in pair]
    with tf.GradientTape() as tape:
        a = tf.constant(X)
        for k in range(0, len(variables), 2):
            z = a @ variables[k] + variables[k + 1]
            a = tf.nn.relu(z) if k < len(variables) - 2 else z
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=Y, logits=a))
    grads = tape.gradient(loss, variables)
    assert net.loss(theta, X, Y) == pytest.approx(float(loss), rel=1e-13)
    np.testing.assert_allclose(net.grad(theta, X, Y), np.concatenate([g.numpy().ravel() for g in grads]),
                               rtol=1e-10, atol=1e-15)
