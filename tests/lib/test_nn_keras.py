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
import math

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


# ---------------------------------------------------------------------------
# 4. Lecture 9's layers: batch normalisation, dropout, L2, Glorot normal
# ---------------------------------------------------------------------------

def test_batchnorm_matches_keras_in_training_mode(keras):
    import tensorflow as tf

    rng = np.random.default_rng(31)
    z = rng.normal(size=(9, 4)) * 2 + 1
    gamma, beta, G = rng.uniform(0.5, 2, 4), rng.normal(size=4), rng.normal(size=(9, 4))
    layer = keras.layers.BatchNormalization(dtype="float64")  # eps 1e-3, as nn.batchnorm_forward's default
    layer.build((None, 4))
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    zt = tf.Variable(z)
    with tf.GradientTape() as tape:
        out_k = layer(zt, training=True)
        loss = tf.reduce_sum(out_k * G)
    dz_k, dgamma_k, dbeta_k = tape.gradient(loss, [zt, layer.gamma, layer.beta])
    out, cache = nn.batchnorm_forward(z, gamma, beta)
    dz, dgamma, dbeta = nn.batchnorm_backward(G, cache)
    np.testing.assert_allclose(out, np.asarray(out_k), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dz, np.asarray(dz_k), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, np.asarray(dgamma_k), rtol=1e-12)
    np.testing.assert_allclose(dbeta, np.asarray(dbeta_k), rtol=1e-12)


def test_dropout_scales_like_keras(keras):
    # Keras' random stream is its own, so the masks differ; the convention is the same: in training every
    # entry is 0 or a / (1 - rate) (inverted dropout), at inference the identity
    a = np.random.default_rng(32).uniform(1, 2, (200, 50))
    theirs = np.asarray(keras.layers.Dropout(0.3, seed=1, dtype="float64")(a, training=True))
    ours, _ = nn.dropout_forward(a, 0.3, 1)
    for out in (theirs, ours):
        kept = out != 0
        np.testing.assert_allclose(out[kept], a[kept] / 0.7, rtol=1e-14)
        assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_array_equal(np.asarray(keras.layers.Dropout(0.3, dtype="float64")(a, training=False)), a)


def test_l2_penalty_and_glorot_normal_match_keras(keras):
    rng = np.random.default_rng(33)
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    # Keras rounds l2 to float32: 2**-6 is exact there (0.01 would differ by float32's 2e-8)
    reg = keras.regularizers.L2(l2=2**-6)
    assert nn.l2_penalty([W1, W2], 2**-6) == pytest.approx(float(reg(W1)) + float(reg(W2)), rel=1e-13)
    # GlorotNormal is a truncated normal with the same variance 2 / (n_in + n_out) as nn.glorot_normal
    theirs = np.asarray(keras.initializers.GlorotNormal(seed=0)((400, 600)))
    ours = nn.glorot_normal(400, 600, seed=0)
    for W in (theirs, ours):
        assert abs(W.var() / (2 / 1000) - 1) < 0.02
    assert np.abs(theirs).max() <= 2 * math.sqrt(2 / 1000) / 0.87962566103423978 + 1e-12  # truncated
    assert np.abs(ours).max() > 2 * math.sqrt(2 / 1000) / 0.87962566103423978          # plain normal: not


def test_regularized_mlp_matches_keras_dense_batchnorm_l2(keras):
    # Dense -> BatchNormalization -> tanh, twice, then Dense + softmax cross-entropy, every kernel with
    # L2(2**-6) (exact in float32, see above), in training mode: the same loss (penalty included) and gradients
    import tensorflow as tf

    lam = 2.0**-6
    net = nn.RegularizedMLP([4, 6, 5, 3], hidden="tanh", seed=3, l2=lam, batchnorm=True)
    rng = np.random.default_rng(34)
    for p in net.params[2 * net.n_layers:]:
        p += rng.uniform(-0.5, 0.5, p.shape)
    X, y = rng.normal(size=(10, 4)), rng.integers(0, 3, 10)
    layers = []
    for k in range(2):
        dense = keras.layers.Dense(net.sizes[k + 1], kernel_regularizer=keras.regularizers.L2(lam), dtype="float64")
        dense.build((None, net.sizes[k]))
        dense.kernel.assign(net.weights[k])
        dense.bias.assign(net.biases[k])
        bn = keras.layers.BatchNormalization(dtype="float64")
        bn.build((None, net.sizes[k + 1]))
        bn.gamma.assign(net.gammas[k])
        bn.beta.assign(net.betas[k])
        layers += [dense, bn]
    out = keras.layers.Dense(3, kernel_regularizer=keras.regularizers.L2(lam), dtype="float64")
    out.build((None, 5))
    out.kernel.assign(net.weights[2])
    out.bias.assign(net.biases[2])
    variables = [v for lay in layers[0::2] + [out] for v in (lay.kernel, lay.bias)]
    variables += [v for lay in layers[1::2] for v in (lay.gamma, lay.beta)]
    with tf.GradientTape() as tape:
        a = tf.convert_to_tensor(X)
        for dense, bn in zip(layers[0::2], layers[1::2]):
            a = tf.tanh(bn(dense(a), training=True))
        logits = out(a)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        loss += tf.add_n([lay.losses[0] for lay in layers[0::2] + [out]])
    theirs = tape.gradient(loss, variables)
    ours_loss, ours = net.loss_and_grads(X, y)
    assert ours_loss == pytest.approx(float(loss), rel=1e-12)
    for mine, g in zip(ours, theirs):
        np.testing.assert_allclose(mine, np.asarray(g), rtol=1e-9, atol=1e-12)
    # and the moving averages after that one training call, with Keras' momentum 0.99
    np.testing.assert_allclose(net.moving_mean[0], np.asarray(layers[1].moving_mean), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(net.moving_var[0], np.asarray(layers[1].moving_variance), rtol=1e-12)
    # inference (Keras' training=False): the moving averages in place of the batch's statistics; set to
    # values far from any batch's, so that a pass with the batch statistics could not agree
    for k, bn in enumerate(layers[1::2]):
        mean, var = rng.normal(size=net.sizes[k + 1]), rng.uniform(0.2, 3.0, net.sizes[k + 1])
        bn.moving_mean.assign(mean)
        bn.moving_variance.assign(var)
        net.moving_mean[k][...], net.moving_var[k][...] = mean, var
    Xt = rng.normal(size=(7, 4))
    a = tf.convert_to_tensor(Xt)
    for dense, bn in zip(layers[0::2], layers[1::2]):
        a = tf.tanh(bn(dense(a), training=False))
    np.testing.assert_allclose(net.forward(Xt), np.asarray(tf.nn.softmax(out(a))), rtol=1e-12)
    np.testing.assert_allclose(nn.batchnorm_inference(Xt @ net.weights[0] + net.biases[0], net.moving_mean[0],
                                                      net.moving_var[0], net.gammas[0], net.betas[0]),
                               np.asarray(layers[1](layers[0](tf.convert_to_tensor(Xt)), training=False)), rtol=1e-12)
    # and a batch of one sample: in inference mode it is normalised as it is inside a batch
    np.testing.assert_allclose(net.forward(Xt[:1]), net.forward(Xt)[:1], rtol=1e-14)


def test_regularized_mlp_with_dropout_matches_keras_at_inference(keras):
    # Dense -> tanh -> Dropout(0.5), then Dense + softmax: at inference Keras' Dropout is the identity, and so
    # is RegularizedMLP's (no mask, no rescaling)
    net = nn.RegularizedMLP([4, 6, 3], hidden="tanh", seed=5, dropout=0.5)
    X = np.random.default_rng(35).normal(size=(8, 4))
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="tanh", dtype="float64"),
                              keras.layers.Dropout(0.5, dtype="float64"),
                              keras.layers.Dense(3, activation="softmax", dtype="float64")])
    model.layers[0].set_weights([net.weights[0], net.biases[0]])
    model.layers[2].set_weights([net.weights[1], net.biases[1]])
    np.testing.assert_allclose(net.forward(X), np.asarray(model(X, training=False)), rtol=1e-12)


def test_early_stopping_patience_is_keras_patience_minus_one(keras):
    from course_lib.train import EarlyStopping

    def keras_stop(values, patience):
        cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        cb.set_model(model)
        model.stop_training = False
        cb.on_train_begin()
        for epoch, value in enumerate(values):
            cb.on_epoch_end(epoch, {"val_loss": value})
            if model.stop_training:
                return epoch, cb.best_epoch
        return None, cb.best_epoch

    curves = ([1.0, 0.8, 0.9, 0.85, 0.95, 0.7, 0.75, 0.8, 0.9, 1.0, 1.1, 1.2],
              [3.0, 2.0, 2.5, 1.0, 1.5, 1.6, 1.7, 0.9, 1.0])
    for values in curves:
        for patience in range(5):
            assert EarlyStopping(patience=patience).replay(values) == keras_stop(values, patience + 1)
    # by hand, for the first curve: best 0.8 at epoch 1, not beaten at epochs 2, 3, 4: patience 2 tolerates
    # epochs 2 and 3 and stops at 4, Keras' patience 2 at 3; patience 3 waits for 0.7 at epoch 5, then 6, 7, 8
    assert EarlyStopping(patience=2).replay(curves[0]) == (4, 1) and keras_stop(curves[0], 2) == (3, 1)
    assert EarlyStopping(patience=3).replay(curves[0]) == (9, 5)
