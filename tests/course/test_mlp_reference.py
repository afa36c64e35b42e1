"""The benchmark's reference MLP: parameter count, backprop vs TensorFlow, the rank-1 batched loss."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks.mlp_reference import ReferenceMLP, synthetic_mnist


def test_parameter_count_of_source_003_network():
    # 784*300 + 300 + 300*100 + 100 + 100*100 + 100 + 100*10 + 10
    assert ReferenceMLP().n_params == 235200 + 300 + 30000 + 100 + 10000 + 100 + 1000 + 10 == 276710


def test_glorot_uniform_limits_and_zero_biases():
    net = ReferenceMLP((784, 300, 10), seed=0)
    (W1, b1), (W2, b2) = net.unflatten(net.flat())
    assert np.abs(W1).max() <= math.sqrt(6 / (784 + 300))
    assert np.abs(W1).max() > 0.99 * math.sqrt(6 / (784 + 300))
    # U(-a, a) has variance a^2 / 3 = 2 / (fan_in + fan_out) (Glorot & Bengio 2010, eq. 16)
    assert W1.var() == pytest.approx(2 / (784 + 300), rel=0.02)
    assert np.all(b1 == 0) and np.all(b2 == 0)


def test_seed_is_an_int_or_a_generator():
    a = ReferenceMLP((5, 4, 3), seed=3, bias_scale=0.1).flat()
    np.testing.assert_array_equal(a, ReferenceMLP((5, 4, 3), seed=np.random.default_rng(3), bias_scale=0.1).flat())
    X, Y = synthetic_mnist(6, seed=np.random.default_rng(2))
    X2, Y2 = synthetic_mnist(6, seed=2)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        ReferenceMLP((3, 2), seed=0.5)


def test_small_random_biases_on_request():
    net = ReferenceMLP((784, 300, 10), seed=0, bias_scale=0.01)
    (_, b1), (_, b2) = net.unflatten(net.flat())
    assert np.abs(b1).max() <= 0.01 and np.abs(b1).max() > 0.009 and np.all(b1 != 0) and np.all(b2 != 0)
    with pytest.raises(ValueError, match="bias_scale"):
        ReferenceMLP((3, 2), bias_scale=-1.0)


def test_parameter_layout_and_names():
    # sizes (3, 2, 4): W1 is 3x2 (flat 0-5), b1 (6-7), W2 is 2x4 (8-15), b2 (16-19)
    net = ReferenceMLP((3, 2, 4))
    assert net.n_params == 3 * 2 + 2 + 2 * 4 + 4 == 20
    theta = np.arange(20.0)
    (W1, b1), (W2, b2) = net.unflatten(theta)
    assert W1[1, 0] == 2 and b1[0] == 6 and W2[0, 3] == 11 and W2[1, 0] == 12 and b2[3] == 19
    names = [net.describe_index(i) for i in (0, 2, 5, 6, 7, 8, 11, 12, 15, 16, 19)]
    assert names == ["W1[0, 0]", "W1[1, 0]", "W1[2, 1]", "b1[0]", "b1[1]", "W2[0, 0]", "W2[0, 3]",
                     "W2[1, 0]", "W2[1, 3]", "b2[0]", "b2[3]"]
    with pytest.raises(ValueError, match="flat_index"):
        net.describe_index(20)
    net.set_flat(theta)
    assert np.array_equal(net.flat(), theta) and net.flat() is not net.flat()
    with pytest.raises(ValueError, match="theta"):
        net.set_flat(np.zeros(19))


# sizes (2, 2, 2); W1 = [[1, -1], [2, 0]], b1 = (0, 0.5); W2 = I, b2 = 0 (flat: W1, b1, W2, b2)
TINY_THETA = np.array([1.0, -1.0, 2.0, 0.0, 0.0, 0.5, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0])


def test_loss_by_hand_on_a_tiny_network():
    # x = (1, 1), label 0:
    # z1 = (1*1 + 1*2, 1*(-1) + 1*0) + (0, 0.5) = (3, -0.5); a1 = (3, 0); logits = (3, 0)
    # loss = log(e^3 + e^0) - 3 = log(1 + e^-3)
    net = ReferenceMLP((2, 2, 2))
    x1 = np.array([[1.0, 1.0]])
    assert net.loss(TINY_THETA, x1, np.array([0])) == pytest.approx(math.log1p(math.exp(-3)), rel=1e-14)
    # one-hot labels give the same
    assert net.loss(TINY_THETA, x1, np.array([[1.0, 0.0]])) == pytest.approx(math.log1p(math.exp(-3)), rel=1e-14)
    # the ReLU pattern: unit 0 on, unit 1 off
    assert [m.tolist() for m in net.relu_masks(TINY_THETA, x1)] == [[[True, False]]]
    # a second sample x = (0, 1), label 1:
    # z1 = (0*1 + 1*2, 0*(-1) + 1*0) + (0, 0.5) = (2, 0.5); a1 = logits = (2, 0.5)
    # loss = log(e^2 + e^0.5) - 0.5 = log(e^1.5 + 1); the batch loss is the mean of the two
    X = np.array([[1.0, 1.0], [0.0, 1.0]])
    expected = (math.log1p(math.exp(-3)) + math.log1p(math.exp(1.5))) / 2
    assert net.loss(TINY_THETA, X, np.array([0, 1])) == pytest.approx(expected, rel=1e-14)


def test_backprop_by_hand_on_a_tiny_network():
    # x = (1, 1), label 0, logits (3, 0) as above; s = 1 / (1 + e^3) = softmax(logits)[1]
    # dL/dlogits = p - y = (1 - s, s) - (1, 0) = (-s, s)         -> grad b2
    # grad W2 = a1^T (-s, s) with a1 = (3, 0) = [[-3s, 3s], [0, 0]]
    # dL/da1 = (-s, s) W2^T = (-s, s); ReLU mask (1, 0) -> dL/dz1 = (-s, 0)   -> grad b1
    # grad W1 = x^T (-s, 0) with x = (1, 1) = [[-s, 0], [-s, 0]]
    s = 1 / (1 + math.exp(3))
    expected = np.array([-s, 0, -s, 0, -s, 0, -3 * s, 3 * s, 0, 0, -s, s])
    grad = ReferenceMLP((2, 2, 2)).grad(TINY_THETA, np.array([[1.0, 1.0]]), np.array([0]))
    np.testing.assert_allclose(grad, expected, rtol=1e-14, atol=1e-17)


def _small_problem(seed=0):
    net = ReferenceMLP((20, 7, 5, 3), seed=seed)
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
    X, Y = synthetic_mnist(4, seed=2)
    theta = net.flat()
    f_batch = net.loss_batch(theta, X, Y)
    rng = np.random.default_rng(3)
    # from every W and b: the first and last entry of the block and 3 random ones, each with
    # the central-difference step (+-6e-6), a large step (+-0.05) and 0 (the baseline)
    blocks = [np.concatenate([[a, b - 1], a + rng.choice(b - a, 3, replace=False)])
              for a, b in zip(net.offsets[:-1], net.offsets[1:])]
    idx = np.repeat(np.concatenate(blocks), 5)
    h = np.tile([6e-6, -6e-6, 0.05, -0.05, 0.0], idx.size // 5)
    expected = []
    for i, hi in zip(idx, h):
        t = theta.copy()
        t[i] += hi
        expected.append(net.loss(t, X, Y))
    got = f_batch(idx, h)
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    # the baseline entries equal loss(theta) and every entry is exact enough for a central difference:
    # (L(+h) - L(-h)) / 2h agrees with the plain forward's to far below the 1e-6 check tolerance
    np.testing.assert_allclose(got[h == 0], net.loss(theta, X, Y), rtol=1e-14)
    d_batch = (got[0::5] - got[1::5]) / 12e-6
    d_plain = (np.array(expected[0::5]) - np.array(expected[1::5])) / 12e-6
    np.testing.assert_allclose(d_batch, d_plain, rtol=0, atol=1e-9)


def test_loss_batch_rejects_bad_indices_and_steps():
    net, theta, X, Y = _small_problem()
    f_batch = net.loss_batch(theta, X, Y)
    with pytest.raises(ValueError, match="idx"):
        f_batch(np.array([net.n_params]), np.array([1e-3]))
    with pytest.raises(ValueError, match="idx"):
        f_batch(np.array([-1]), np.array([1e-3]))
    with pytest.raises(ValueError, match="h must have the shape of idx"):
        f_batch(np.array([0, 1]), np.array([1e-3]))
    with pytest.raises(TypeError, match="idx"):
        f_batch(np.array([0.0]), np.array([1e-3]))
    assert f_batch(np.array([], dtype=np.int64), np.array([])).shape == (0,)


def test_kink_detector_of_the_benchmark_on_the_tiny_network():
    from benchmarks.bench_gradcheck import kink_crossings

    # x = (1, 1): z1 = (3, -0.5) (see above).  Moving b1[1] (flat 5) by +-0.6 puts z1[1] at 0.1 > 0
    # (unit 1 switches on): a kink crossed; by +-0.1 (z1[1] = -0.4 or -0.6) nothing switches.
    # Moving W2[0, 0] (flat 6) changes no hidden pre-activation at all.
    net = ReferenceMLP((2, 2, 2))
    X = np.array([[1.0, 1.0]])
    crossed = kink_crossings(net, TINY_THETA, X, np.array([5, 5, 6]), np.array([0.6, 0.1, 0.6]))
    assert crossed.tolist() == [True, False, False]


def test_backprop_matches_central_differences_small():
    from course_lib.gradcheck import check_gradient

    net, theta, X, Y = _small_problem(seed=4)
    result = check_gradient(lambda t: net.loss(t, X, Y), net.grad(theta, X, Y), theta, atol=1e-9)
    assert result.passed, result


@pytest.mark.tensorflow
@pytest.mark.parametrize("sizes", [(20, 7, 5, 3), (784, 300, 100, 100, 10)])
def test_backprop_matches_tensorflow(sizes):
    import tensorflow as tf

    net = ReferenceMLP(sizes, seed=5)
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
