"""Tests of course_lib.perceptron: the slide's sigmoid "perceptron" and its separable data.

Expected values come from the direct formulas written out below (the sigmoid
and the binary cross-entropy), central differences, the slide's one-sample
derivative and TensorFlow.  Random search training it is tested in
tests/lib/test_random_search.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.perceptron import PerceptronProblem, make_separable_data


def test_perceptron_loss_and_gradient_against_direct_formulas():
    rng = np.random.default_rng(0)
    X, y, _ = make_separable_data(30, rng, n_features=3)
    prob = PerceptronProblem(X, y)
    w = np.array([0.4, -0.3, 0.2, 0.1])
    z = X @ w[:3] + w[3]
    a = 1 / (1 + np.exp(-z))
    expected_loss = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    np.testing.assert_allclose(prob.loss(w), expected_loss, rtol=1e-12)
    # central differences, step 1e-5 (float64 optimum ~ eps^(1/3))
    h = 1e-5
    num = np.array([(prob.loss(w + h * e) - prob.loss(w - h * e)) / (2 * h) for e in np.eye(4)])
    np.testing.assert_allclose(prob.gradient(w), num, rtol=1e-7, atol=1e-10)
    # the slide: dl/dz = a - y, dl/dw_j = x_j (a - y), dl/db = a - y (one sample, x = (2, -1, 0), y = 1):
    one = PerceptronProblem(np.array([[2.0, -1.0, 0.0]]), np.array([1.0]))
    a1 = 1 / (1 + np.exp(-(0.4 * 2 + 0.3 * 1 + 0.1)))  # z = 0.8 + 0.3 + 0 + 0.1 = 1.2
    np.testing.assert_allclose(one.gradient(w), (a1 - 1) * np.array([2.0, -1.0, 0.0, 1.0]), rtol=1e-12)
    # the data are separable by the returned direction, with the requested margin
    u = _
    assert np.all((X @ u > 0) == (y == 1)) and np.all(np.abs(X @ u) >= 0.25)


@pytest.mark.tensorflow
def test_perceptron_loss_and_gradient_match_tensorflow():
    import tensorflow as tf

    X, y, _ = make_separable_data(25, np.random.default_rng(1), n_features=2)
    prob = PerceptronProblem(X, y)
    w_np = np.array([0.7, -1.2, 0.3])
    w = tf.Variable(w_np, dtype=tf.float64)
    with tf.GradientTape() as tape:
        z = tf.linalg.matvec(tf.constant(X), w[:2]) + w[2]
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(y), logits=z))
    grad = tape.gradient(loss, w)
    np.testing.assert_allclose(prob.loss(w_np), loss.numpy(), rtol=1e-12)
    np.testing.assert_allclose(prob.gradient(w_np), grad.numpy(), rtol=1e-10)


def test_perceptron_and_data_bad_inputs():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="y"):
        PerceptronProblem(X, np.array([-1.0, 1.0, 1.0, -1.0]))
    with pytest.raises(ValueError, match="y"):
        PerceptronProblem(X, np.zeros(3))
    with pytest.raises(TypeError, match="X"):
        PerceptronProblem(np.zeros((4, 2), dtype=int), np.zeros(4))
    with pytest.raises(ValueError, match="w"):
        PerceptronProblem(X, np.zeros(4)).loss(np.zeros(2))
    with pytest.raises(ValueError, match="margin"):
        make_separable_data(10, np.random.default_rng(0), margin=0.0)
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator.*str"):
        make_separable_data(10, "0")
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        make_separable_data(10, np.random.RandomState(0))


def test_separable_data_seed_is_an_int_or_a_generator():
    X_int, y_int, u_int = make_separable_data(40, 3, n_features=2)
    X_gen, y_gen, u_gen = make_separable_data(40, np.random.default_rng(3), n_features=2)
    np.testing.assert_array_equal(X_int, X_gen)
    np.testing.assert_array_equal(u_int, u_gen)
    # u is the first draw: a unit vector along default_rng(3)'s first two normals
    z = np.random.default_rng(3).standard_normal(2)
    np.testing.assert_allclose(u_int, z / np.linalg.norm(z), rtol=1e-15)
    gen = np.random.default_rng(3)
    make_separable_data(40, gen)
    assert not np.array_equal(make_separable_data(40, gen)[0], X_int)  # the Generator advanced


def test_perceptron_is_stable_for_large_logits():
    import warnings

    # one sample x = 1000 (bias input 1), w = (1, 0): z = 1000.  By hand: J = log(1 + e^1000) - y z,
    # which is 1000 for y = 0 and 0 for y = 1; dJ/dw = (sigmoid(1000) - y) (1000, 1) = (1 - y) (1000, 1).
    w = np.array([1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on the way
        for y, loss, grad in ((0.0, 1000.0, [1000.0, 1.0]), (1.0, 0.0, [0.0, 0.0])):
            prob = PerceptronProblem(np.array([[1000.0]]), np.array([y]))
            assert prob.loss(w) == loss
            np.testing.assert_array_equal(prob.gradient(w), grad)
            assert prob.rollout(lambda S: S @ w[:, None])[0] == -loss  # the reward is -J
        # z = -1000 against y = 1: J = log(1 + e^-1000) + 1000 = 1000
        assert PerceptronProblem(np.array([[-1000.0]]), np.array([1.0])).loss(w) == 1000.0


def test_flipped_labels_are_drawn_after_the_points_from_the_same_seed():
    # flip = 0 (default) draws nothing more: the Generator is where the separable data left it
    gen = np.random.default_rng(3)
    X0, y0, u0 = make_separable_data(40, gen, n_features=2)
    uniforms = gen.random(40)  # the next 40 uniforms of that stream
    # flip = 0.3: the same points and direction; label i flipped where the i-th of those uniforms is < 0.3
    X, y, u = make_separable_data(40, 3, n_features=2, flip=0.3)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(u, u0)
    np.testing.assert_array_equal(y, np.where(uniforms < 0.3, 1 - y0, y0))
    assert 0 < np.sum(y != y0) < 40 and set(np.unique(y)) <= {0.0, 1.0}
    # flip = 1 flips every label, flip = 0 none
    np.testing.assert_array_equal(make_separable_data(40, 3, flip=1.0)[1], 1 - y0)
    np.testing.assert_array_equal(make_separable_data(40, 3, flip=0.0)[1], y0)
    # each label independently with probability flip: the flipped count is Binomial(n, p); for n = 20000,
    # p = 0.1 its mean is 2000 and its standard deviation sqrt(n p (1 - p)) = 42.4; we allow 5 of them
    Xb, yb, ub = make_separable_data(20_000, 7, flip=0.1)
    flipped = np.sum(yb != (Xb @ ub > 0))
    assert abs(flipped - 2000) < 5 * np.sqrt(20_000 * 0.1 * 0.9)
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match=rf"flip must lie in \[0.0, 1.0\]; got {bad}"):
            make_separable_data(10, 0, flip=bad)
    with pytest.raises(ValueError, match="flip must be finite; got nan"):
        make_separable_data(10, 0, flip=float("nan"))


def test_perceptron_loss_and_gradient_are_nns_binary_cross_entropy_and_dense_backward():
    # one implementation: the perceptron's numbers are nn's (the same arithmetic, bit for bit)
    from course_lib import nn

    X, y, _ = make_separable_data(30, 2, n_features=3, flip=0.2)
    prob = PerceptronProblem(X, y)
    w = np.array([0.5, -1.0, 0.25, 0.3])
    Xa = np.hstack([X, np.ones((30, 1))])
    z = (Xa @ w)[:, None]
    assert prob.loss(w) == nn.binary_cross_entropy_from_logits(z, y)
    dz = nn.binary_cross_entropy_from_logits_grad(z, y, reduction="sum")
    np.testing.assert_array_equal(prob.gradient(w), nn.dense_backward(dz, Xa, w[:, None])[1][:, 0] / 30)
    assert prob.rollout(lambda S: S @ w[:, None])[0] == -prob.loss(w)
