"""course_lib.nn and course_lib.train against TensorFlow, in float64.

1. Gradients: the same random networks written with TensorFlow ops and
   differentiated by ``tf.GradientTape`` (an independent implementation of
   backprop) give the same gradients to 1e-10 relative error, for every
   hidden activation and output/loss pair, several depths, with and without
   biases.
2. Training: the same architecture, initial weights and batches trained for
   300 steps with SGD, momentum and Adam in ``course_lib.train.train`` and in
   a ``tf.function`` loop with Keras optimizers configured to the same
   conventions end with the same weights (asked: 1e-6; measured: ~1e-15).
3. Per-sample losses (``reduction="none"``) and accuracies: Keras' loss
   functions and its ``sparse_categorical_accuracy`` and ``binary_accuracy``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from course_lib import nn, optim
from course_lib.nn import MLP
from course_lib.train import train

pytestmark = pytest.mark.tensorflow

PAIRS = [("softmax", "cross_entropy"), ("softmax", "mse"), ("sigmoid", "binary_cross_entropy"),
         ("sigmoid", "mse"), ("identity", "mse"), ("tanh", "mse"), ("relu", "mse")]
SLOPE = 1.3


def tf_loss(tf, net, weights, biases, X, y):
    """The network's mean loss written directly in TensorFlow ops."""
    def g(name, z):
        return {"relu": tf.nn.relu, "tanh": tf.tanh, "identity": tf.identity,
                "sigmoid": lambda u: tf.sigmoid(SLOPE * u), "softmax": tf.nn.softmax}[name](z)

    a = tf.convert_to_tensor(X)
    for k, W in enumerate(weights):
        z = tf.matmul(a, W) + (biases[k] if biases else 0)
        last = k == len(weights) - 1
        if last and net.loss_name == "cross_entropy":
            return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z))
        if last and net.loss_name == "binary_cross_entropy":
            return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=SLOPE * z))
        a = g(net.output if last else net.hidden, z)
    return tf.reduce_mean(tf.square(a - y))


def data_for(net, n, rng):
    X = rng.normal(size=(n, net.sizes[0]))
    K = net.sizes[-1]
    if net.loss_name == "cross_entropy":
        return X, rng.integers(0, K, n)
    if net.loss_name == "binary_cross_entropy":
        return X, rng.integers(0, 2, (n, K)).astype(np.float64)
    return X, rng.normal(size=(n, K))


@pytest.mark.parametrize("output,loss", PAIRS)
def test_gradients_match_gradient_tape(output, loss):
    import tensorflow as tf

    rng = np.random.default_rng(11)
    for hidden, (sizes, bias) in itertools.product(
            ["relu", "sigmoid", "tanh", "identity"],
            [([5, 3], True), ([6, 8, 4], True), ([4, 7, 6, 5, 3], False), ([3, 9, 9, 9, 9, 2], True)]):
        net = MLP(sizes, hidden=hidden, output=output, loss=loss, bias=bias, seed=int(rng.integers(1000)),
                  slope=SLOPE)
        for b in net.biases:
            b[...] = rng.uniform(-0.4, 0.4, b.shape)
        X, y = data_for(net, 16, rng)
        value, grads = net.loss_and_grads(X, y)
        weights = [tf.Variable(W) for W in net.weights]
        biases = [tf.Variable(b) for b in net.biases]
        with tf.GradientTape() as tape:
            tf_value = tf_loss(tf, net, weights, biases, X, y)
        tf_grads = tape.gradient(tf_value, weights + biases)
        assert value == pytest.approx(float(tf_value), rel=1e-13)
        ours = grads[0::2] + grads[1::2] if bias else grads  # TF's order: weights, then biases
        for mine, theirs in zip(ours, tf_grads):
            theirs = theirs.numpy()
            rel = np.max(np.abs(mine - theirs)) / np.max(np.abs(theirs))
            assert rel <= 1e-10, (hidden, sizes, rel)


def keras_train(tf, keras, net, X, y, make_optimizer, batch_size, epochs, seed):
    """The same training in TensorFlow: same weights, same batches (train()'s shuffling rule)."""
    weights = [tf.Variable(W.copy()) for W in net.weights]
    biases = [tf.Variable(b.copy()) for b in net.biases]
    variables = [v for pair in zip(weights, biases) for v in pair]  # course_lib's order W1, b1, ...
    opt = make_optimizer(keras)

    @tf.function
    def step(Xb, yb):
        with tf.GradientTape() as tape:
            value = tf_loss(tf, net, weights, biases, Xb, yb)
        opt.apply_gradients(zip(tape.gradient(value, variables), variables))
        return value

    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for s in range(0, len(X), batch_size):
            idx = order[s:s + batch_size]
            losses.append(float(step(tf.constant(X[idx]), tf.constant(y[idx]))))
    return [v.numpy() for v in variables], np.array(losses)


OPTIMIZERS = {
    # course_lib optimizer, the Keras optimizer with the same convention
    "sgd": (lambda: optim.SGD(0.1), lambda k: k.optimizers.SGD(learning_rate=0.1)),
    "momentum": (lambda: optim.Momentum(0.05, beta=0.875),
                 lambda k: k.optimizers.SGD(learning_rate=0.05, momentum=0.875)),
    "adam": (lambda: optim.Adam(0.01, beta1=0.875, beta2=1 - 2**-10, eps=1e-7, eps_hat=True),
             lambda k: k.optimizers.Adam(learning_rate=0.01, beta_1=0.875, beta_2=1 - 2**-10, epsilon=1e-7)),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_training_matches_a_tensorflow_loop(name, keras):
    import tensorflow as tf

    ours_opt, theirs_opt = OPTIMIZERS[name]
    rng = np.random.default_rng(3)
    net = MLP([8, 16, 12, 3], seed=5)
    X = rng.normal(size=(200, 8))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(np.int64) + (X[:, 2] > 0.5)
    tf_params, tf_losses = keras_train(tf, keras, net, X, y, theirs_opt, batch_size=20, epochs=30, seed=9)
    start = [p.copy() for p in net.params]
    hist = train(net, X, y, ours_opt(), batch_size=20, epochs=30, seed=9, progress=False)
    assert hist.steps == 300
    # the networks really moved and learned something
    assert max(np.max(np.abs(p - s)) for p, s in zip(net.params, start)) > 0.1
    assert hist.step_loss[-1] < 0.6 * hist.step_loss[0]
    np.testing.assert_allclose(hist.step_loss, tf_losses, rtol=1e-9)
    for mine, theirs in zip(net.params, tf_params):
        rel = np.max(np.abs(mine - theirs)) / np.max(np.abs(theirs))
        # the issue asks for 1e-6; measured ~1e-15 (the same float64 arithmetic, reordered)
        assert rel < 1e-12, (name, rel)


def test_per_sample_losses_match_keras(keras):
    # reduction="none" against Keras' loss functions, which return one loss per sample (the mean over
    # the last axis for several outputs)
    rng = np.random.default_rng(21)
    z = rng.normal(size=(7, 3)) * 4
    labels = rng.integers(0, 3, 7)
    targets = rng.random((7, 3))
    cases = [
        (nn.softmax_cross_entropy(z, labels, reduction="none"),
         keras.losses.sparse_categorical_crossentropy(labels, z, from_logits=True)),
        (nn.binary_cross_entropy_from_logits(z, targets, reduction="none"),
         keras.losses.binary_crossentropy(targets, z, from_logits=True)),
        (nn.mean_squared_error(z, targets, reduction="none"), keras.losses.mean_squared_error(targets, z)),
    ]
    for ours, theirs in cases:
        assert ours.shape == (7,)
        # a loss near 0 is a difference of numbers of the size of |z| (~10): atol covers its round-off
        np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-12, atol=1e-14)


def test_accuracy_matches_keras_metrics(keras):
    # softmax: sparse_categorical_accuracy; sigmoid units: binary_accuracy (threshold 0.5, the mean over
    # every sample and unit), on 0/1 targets, where the two definitions agree
    rng = np.random.default_rng(22)
    X = rng.normal(size=(40, 5))
    net = MLP([5, 6, 4], seed=3)
    labels = rng.integers(0, 4, 40)
    theirs = np.mean(np.asarray(keras.metrics.sparse_categorical_accuracy(labels, net.forward(X))))
    assert net.accuracy(X, labels) == pytest.approx(theirs, rel=1e-15)
    binary = MLP([5, 6, 3], output="sigmoid", seed=4)
    targets = rng.integers(0, 2, (40, 3)).astype(np.float64)
    theirs = np.mean(np.asarray(keras.metrics.binary_accuracy(targets, binary.forward(X))))
    assert binary.accuracy(X, targets) == pytest.approx(theirs, rel=1e-15)
    assert 0.2 < binary.accuracy(X, targets) < 0.8  # neither trivially 0 nor 1
