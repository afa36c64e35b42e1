"""course_lib.nn: activations, losses, backprop, aSGD's effective gradient, dead units.

Expected values come from closed forms written out here, from source 004's
worked example (published numbers), from central differences
(course_lib.gradcheck) and from per-sample loops that restate the definitions.
TensorFlow comparisons are in test_nn_keras.py.
"""

from __future__ import annotations

import itertools
import math
import warnings
import zlib

import numpy as np
import pytest

from course_lib import gradcheck, nn
from course_lib.nn import MLP


# ---------------------------------------------------------------------------
# Source 004's worked example, digit for digit
# ---------------------------------------------------------------------------

def test_worked_example_of_source_004():
    net = MLP([1, 1, 1], hidden="sigmoid", output="sigmoid", loss="mse", bias=False)
    net.params[0][...] = 0.75
    net.params[1][...] = 0.5
    X, y = np.array([[2.0]]), np.array([0.25])
    assert f"{net.forward(X)[0, 0]:.5f}" == "0.60080"
    _, (g1, g2) = net.loss_and_grads(X, y)
    assert f"{g1[0, 0]:.5f}" == "0.02510"
    assert f"{g2[0, 0]:.5f}" == "0.13757"
    for p, g in zip(net.params, (g1, g2)):  # one step with lr 1
        p -= 1.0 * g
    assert f"{net.params[0][0, 0]:.5f}" == "0.72490"
    assert f"{net.params[1][0, 0]:.5f}" == "0.36243"
    assert f"{net.forward(X)[0, 0]:.5f}" == "0.57287"


def test_worked_example_by_hand_chain_rule():
    # The same example with the chain rule written out in plain floats.
    s = lambda u: 1 / (1 + math.exp(-u))  # noqa: E731
    w1, w2, x, y = 0.75, 0.5, 2.0, 0.25
    h = s(w1 * x)
    y_hat = s(w2 * h)
    d_out = 2 * (y_hat - y) * y_hat * (1 - y_hat)
    expect = [d_out * w2 * h * (1 - h) * x, d_out * h]
    net = MLP([1, 1, 1], hidden="sigmoid", output="sigmoid", loss="mse", bias=False)
    net.params[0][...] = w1
    net.params[1][...] = w2
    loss, grads = net.loss_and_grads(np.array([[x]]), np.array([y]))
    assert loss == pytest.approx((y_hat - y) ** 2, rel=1e-15)
    np.testing.assert_allclose([g[0, 0] for g in grads], expect, rtol=1e-14)


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------

def _elementwise_central_difference(g, z):
    """(g(z + h) - g(z - h)) / 2h entry by entry: error ~ h^2 |g3| / 6 + 1e-16 |g| / h."""
    h = np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(z))
    return (g(z + h) - g(z - h)) / (2 * h)


@pytest.mark.parametrize("a", [0.5, 1.0, 4.0])
def test_sigmoid_closed_form_and_derivative(a):
    z = np.linspace(-6, 6, 25)
    expect = np.array([1 / (1 + math.exp(-a * v)) for v in z])
    np.testing.assert_allclose(nn.sigmoid(z, a), expect, rtol=1e-15)
    num = _elementwise_central_difference(lambda t: nn.sigmoid(t, a), z)
    np.testing.assert_allclose(nn.sigmoid_derivative(z, a), num, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", ["sigmoid", "relu", "tanh", "identity"])
def test_activation_derivatives_match_central_differences(name):
    g, g_prime, from_output = nn.ACTIVATIONS[name]
    z = np.array([-3.0, -1.2, -0.3, 0.25, 0.9, 2.7])  # away from the ReLU kink
    num = _elementwise_central_difference(g, z)
    np.testing.assert_allclose(g_prime(z), num, rtol=1e-8, atol=1e-10)
    # the derivative from the output g(z), as backprop uses it, is the same derivative
    np.testing.assert_allclose(from_output(g(z)), num, rtol=1e-8, atol=1e-10)


def test_derivatives_from_the_output_by_hand():
    # outputs g picked by hand: sigmoid a g (1 - g), relu [g > 0], tanh 1 - g^2, identity 1
    g = np.array([0.0, 0.25, 0.5, 0.75, 1.0])  # exact in binary: the products are exact too
    np.testing.assert_array_equal(nn.sigmoid_derivative_from_output(g, 2.0), [0.0, 0.375, 0.5, 0.375, 0.0])
    np.testing.assert_array_equal(nn.relu_derivative_from_output(np.array([0.0, 0.0, 3.5])), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(nn.tanh_derivative_from_output(np.array([0.0, 0.5, -1.0])), [1.0, 0.75, 0.0])
    np.testing.assert_array_equal(nn.identity_derivative_from_output(np.array([[-2.0, 7.0]])), [[1.0, 1.0]])
    # integer input gives float derivatives
    assert nn.relu_derivative(np.array([-1, 0, 2])).tolist() == [0.0, 0.0, 1.0]
    assert nn.identity_derivative(np.array([3, 4])).dtype == np.float64
    # and each derivative(z) is its from-output formula at g(z): sigmoid'(0) = a / 4
    assert nn.sigmoid_derivative(np.array([0.0]), 3.0)[0] == 0.75


def test_the_forward_pass_relu_against_cached_zeros_has_the_bits_of_max_z_0():
    # np.maximum(z, 0) written out by hand: NaN stays NaN, -inf and -0.0 become +0.0
    specials = [-0.0, 0.0, np.nan, -np.inf, np.inf, -1.5, 2.5, 1e-45, -1e-45]
    for dtype in (np.float32, np.float64):
        z = np.array(specials * 7, dtype=dtype).reshape(3, 7, 3)
        expected = np.array([np.nan if math.isnan(v) else (v if v > 0 else 0.0) for v in specials * 7],
                            dtype=dtype).reshape(z.shape)
        got = np.maximum(z, nn.zeros_like_cached(z))
        uint = np.uint32 if dtype == np.float32 else np.uint64
        assert np.array_equal(got.view(uint), expected.view(uint))
        assert np.array_equal(got.view(uint), np.maximum(z, 0).view(uint))
        assert nn.zeros_like_cached(z) is nn.zeros_like_cached(z.copy())   # kept for the next call of that shape
        # the forward pass's hidden ReLU: the bits of max(z, 0) on every hidden layer
        net = nn.MLP([3, 4, 2], dtype=dtype, seed=1)
        X = np.random.default_rng(0).standard_normal((7, 3)).astype(dtype)
        zs, acts = net._forward(X, hidden_z=True)
        _, relu_acts = net._forward(X, hidden_z=False)           # the path written over z
        assert np.array_equal(relu_acts[1].view(uint), np.maximum(zs[0], 0).view(uint))
        view = z.transpose(1, 0, 2)  # another layout: zeros of that layout
        assert nn.zeros_like_cached(view).strides == view.strides
    big = np.ones(2**21 // 8 + 1)
    assert nn.zeros_like_cached(big) == 0  # over 2 MiB: the scalar, nothing kept
    kept = [nn.zeros_like_cached(np.ones(n)) for n in range(1, 12)]
    assert all(not k.flags.writeable for k in kept) and len(nn._ZEROS) <= 8


def test_relu_derivative_is_zero_at_the_kink():
    assert nn.relu_derivative(np.array([0.0]))[0] == 0.0


def test_activations_are_stable_for_large_inputs():
    z = np.array([-1e3, -800.0, -40.0, 0.0, 40.0, 800.0, 1e3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = nn.sigmoid(z)
        d = nn.sigmoid_derivative(z, a=3.0)
        sm = nn.softmax(np.array([[1e3, 0.0, -1e3], [1e3, 1e3, 1e3]]))
        t = nn.tanh_derivative(z)
        ce = nn.softmax_cross_entropy(np.array([[1e3, -1e3]]), np.array([1]))
        bce = nn.binary_cross_entropy_from_logits(np.array([[1e3], [-1e3]]), np.array([0.0, 1.0]))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    # sigmoid keeps full relative precision in the lower tail: s(-40) = exp(-40)/(1+exp(-40))
    assert s[2] == pytest.approx(math.exp(-40) / (1 + math.exp(-40)), rel=1e-15)
    assert np.all(np.isfinite(d)) and np.all(d >= 0)
    np.testing.assert_allclose(sm, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-300)
    assert np.all(np.isfinite(t))
    assert ce == pytest.approx(2e3)  # logsumexp(1e3, -1e3) - (-1e3) = 2e3 (+ exp(-2e3))
    assert bce == pytest.approx(1e3)  # each sample: softplus(1e3) - 0 = 1e3; softplus(-1e3) + 1e3 = 1e3


def test_softplus_closed_form_and_tails():
    z = np.linspace(-8, 8, 33)
    np.testing.assert_allclose(nn.softplus(z), [math.log1p(math.exp(v)) for v in z], rtol=1e-15)
    # its derivative is the sigmoid
    np.testing.assert_allclose(_elementwise_central_difference(nn.softplus, z), nn.sigmoid(z), rtol=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = nn.softplus(np.array([-1e3, -40.0, 40.0, 1e3]))
    # log(1 + e^z) = e^z (1 - e^z / 2 + ...) far left, z + e^{-z} far right
    assert big[0] == 0.0 and big[1] == pytest.approx(math.exp(-40), rel=1e-15)
    assert big[2] == pytest.approx(40.0, rel=1e-15) and big[3] == 1e3


def test_softmax_is_shift_invariant_and_sums_to_one():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 4))
    p = nn.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(nn.softmax(z + 123.0), p, rtol=1e-13)
    e = np.exp(z)
    np.testing.assert_allclose(p, e / e.sum(axis=1, keepdims=True), rtol=1e-14)


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------

def test_loss_values_by_hand():
    # softmax CE: logits (0, 0) -> p = 1/2 -> -log(1/2) = log 2
    assert nn.softmax_cross_entropy(np.zeros((3, 2)), np.array([0, 1, 0])) == pytest.approx(math.log(2))
    # logits (log 3, 0, 0): p = (3/5, 1/5, 1/5)
    assert nn.softmax_cross_entropy(np.array([[math.log(3), 0, 0]]), np.array([1])) == pytest.approx(math.log(5))
    # BCE: p = 0.8 with y = 1 -> -log 0.8;  p = 0.8 with y = 0 -> -log 0.2
    assert nn.binary_cross_entropy(np.array([[0.8], [0.8]]), np.array([1, 0])) == pytest.approx(
        (-math.log(0.8) - math.log(0.2)) / 2)
    # MSE: mean over samples AND outputs, no 1/2: errors (1, -2; 0, 3) -> (1 + 4 + 0 + 9) / 4
    assert nn.mean_squared_error(np.array([[1.0, 0], [2, 3]]), np.array([[0.0, 2], [2, 0]])) == pytest.approx(3.5)


def test_bce_from_logits_equals_bce_of_sigmoid():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(6, 2)) * 3
    y = rng.integers(0, 2, size=(6, 2)).astype(float)
    for a in (1.0, 2.5):
        assert nn.binary_cross_entropy_from_logits(z, y, a) == pytest.approx(
            nn.binary_cross_entropy(nn.sigmoid(z, a), y), rel=1e-13)


@pytest.mark.parametrize("which", ["ce", "bce", "bce_logits", "mse"])
def test_loss_gradients_match_central_differences(which):
    rng = np.random.default_rng(2)
    z = rng.normal(size=(4, 3))
    if which == "ce":
        y = np.array([0, 2, 1, 2])
        f, g = nn.softmax_cross_entropy, nn.softmax_cross_entropy_grad
    elif which == "bce":
        z = nn.sigmoid(z)
        y = rng.integers(0, 2, size=(4, 3)).astype(float)
        f, g = nn.binary_cross_entropy, nn.binary_cross_entropy_grad
    elif which == "bce_logits":
        y = rng.random((4, 3))
        f, g = (lambda t, yy: nn.binary_cross_entropy_from_logits(t, yy, 1.7),
                lambda t, yy: nn.binary_cross_entropy_from_logits_grad(t, yy, 1.7))
    else:
        y = rng.normal(size=(4, 3))
        f, g = nn.mean_squared_error, nn.mean_squared_error_grad
    res = gradcheck.check_gradient(lambda t: f(t, y), g(z, y), z, tol=1e-8)
    assert res.passed, res


def test_per_sample_losses_and_reductions_by_hand():
    # softmax CE of logits (log 3, 0, 0): sample 0 label 0 -> -log(3/5), sample 1 label 1 -> -log(1/5)
    z = np.array([[math.log(3), 0.0, 0.0], [math.log(3), 0.0, 0.0]])
    labels = np.array([0, 1])
    per_sample = [math.log(5 / 3), math.log(5)]
    np.testing.assert_allclose(nn.softmax_cross_entropy(z, labels, reduction="none"), per_sample, rtol=1e-15)
    assert nn.softmax_cross_entropy(z, labels, reduction="sum") == pytest.approx(sum(per_sample), rel=1e-15)
    assert nn.softmax_cross_entropy(z, labels) == pytest.approx(sum(per_sample) / 2, rel=1e-15)
    # its gradient: softmax (3/5, 1/5, 1/5) minus the one-hot row; "sum" keeps the rows, "mean" halves them
    rows = np.array([[3 / 5 - 1, 1 / 5, 1 / 5], [3 / 5, 1 / 5 - 1, 1 / 5]])
    np.testing.assert_allclose(nn.softmax_cross_entropy_grad(z, labels, reduction="sum"), rows, rtol=1e-15)
    np.testing.assert_allclose(nn.softmax_cross_entropy_grad(z, labels), rows / 2, rtol=1e-15)
    # per-sample losses of several outputs are the mean over the outputs (Keras' convention)
    y_hat, y = np.array([[1.0, 0.0], [2.0, 3.0]]), np.array([[0.0, 2.0], [2.0, 0.0]])
    np.testing.assert_array_equal(nn.mean_squared_error(y_hat, y, reduction="none"), [2.5, 4.5])  # (1+4)/2, (0+9)/2
    assert nn.mean_squared_error(y_hat, y, reduction="sum") == 7.0
    np.testing.assert_array_equal(nn.mean_squared_error_grad(y_hat, y, reduction="sum"), [[1.0, -2.0], [0.0, 3.0]])
    # BCE of p = 0.8 against 1 and 0: -log 0.8 and -log 0.2; from logits u = log 4 (sigmoid(u) = 0.8) alike
    p = np.array([[0.8], [0.8]])
    expect = [-math.log(0.8), -math.log(0.2)]
    np.testing.assert_allclose(nn.binary_cross_entropy(p, np.array([1.0, 0.0]), reduction="none"), expect, rtol=1e-15)
    u = np.full((2, 1), math.log(4))
    np.testing.assert_allclose(nn.binary_cross_entropy_from_logits(u, np.array([1.0, 0.0]), reduction="none"),
                               expect, rtol=1e-14)
    # d/dz of softplus(z) - y z is sigmoid(z) - y: -0.2 and 0.8 per sample
    np.testing.assert_allclose(nn.binary_cross_entropy_from_logits_grad(u, np.array([1.0, 0.0]), reduction="sum"),
                               [[-0.2], [0.8]], rtol=1e-14)
    # d/dp of -[y log p + (1-y) log(1-p)] is (p - y) / (p (1 - p)): -0.2/0.16 and 0.8/0.16
    np.testing.assert_allclose(nn.binary_cross_entropy_grad(p, np.array([1.0, 0.0]), reduction="sum"),
                               [[-1.25], [5.0]], rtol=1e-14)
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', 'none'; got 'max'"):
        nn.mean_squared_error(y_hat, y, reduction="max")
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum'; got 'none'"):
        nn.mean_squared_error_grad(y_hat, y, reduction="none")
    with pytest.raises(ValueError, match="a must be > 0"):
        nn.binary_cross_entropy_from_logits(u, np.array([1.0, 0.0]), a=0.0)


def test_network_loss_is_the_loss_function_of_its_logits():
    # the network's per-sample losses and output gradient are the public loss functions' formulas
    rng = np.random.default_rng(12)
    for output, loss, fn, grad in (("softmax", "cross_entropy", nn.softmax_cross_entropy, nn.softmax_cross_entropy_grad),
                                   ("sigmoid", "binary_cross_entropy",
                                    lambda z, y: nn.binary_cross_entropy_from_logits(z, y, 1.3),
                                    lambda z, y: nn.binary_cross_entropy_from_logits_grad(z, y, 1.3))):
        net = MLP([3, 4], hidden="relu", output=output, loss=loss, slope=1.3, seed=1)
        net.params[1][...] = rng.normal(size=4)
        X, y = _data(net, 6, rng)
        W, b = net.params
        z = X @ W + b
        value, (gW, gb) = net.loss_and_grads(X, y)
        assert value == pytest.approx(fn(z, y), rel=1e-14)
        np.testing.assert_allclose(gW, X.T @ grad(z, y), rtol=1e-13)  # one layer: dW = X^T dz
        np.testing.assert_allclose(gb, grad(z, y).sum(axis=0), rtol=1e-13)


def test_dense_backward_by_hand():
    # Z = X W + b with X = [[1, 2]], W = [[1, 0, -1], [2, 1, 0]]; dZ = [[1, -1, 2]]
    X = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    dZ = np.array([[1.0, -1.0, 2.0]])
    dX, dW, db = nn.dense_backward(dZ, X, W)
    np.testing.assert_array_equal(dX, [[1 * 1 + 0 * -1 + -1 * 2, 2 * 1 + 1 * -1 + 0 * 2]])  # dZ W^T = [[-1, 1]]
    np.testing.assert_array_equal(dW, [[1.0, -1.0, 2.0], [2.0, -2.0, 4.0]])  # X^T dZ: x_i dz_j
    np.testing.assert_array_equal(db, [1.0, -1.0, 2.0])
    # two samples: dW and db add the samples' contributions
    dX2, dW2, db2 = nn.dense_backward(np.vstack([dZ, dZ]), np.vstack([X, X]), W)
    np.testing.assert_array_equal(dW2, 2 * dW)
    np.testing.assert_array_equal(db2, 2 * db)
    np.testing.assert_array_equal(dX2, [[-1.0, 1.0], [-1.0, 1.0]])
    with pytest.raises(ValueError, match=r"dZ must have shape \(1, 3\).*got shape \(1, 2\)"):
        nn.dense_backward(np.zeros((1, 2)), X, W)
    with pytest.raises(ValueError, match=r"X must be a 2-D array \(samples, 2\) for W of shape \(2, 3\)"):
        nn.dense_backward(dZ, np.zeros((1, 3)), W)
    with pytest.raises(TypeError, match="W must be a floating-point array"):
        nn.dense_backward(dZ, X, np.zeros((2, 3), dtype=int))


def test_unvalidated_losses_and_dense_backward_are_the_validated_ones_without_their_checks():
    # by hand: u = log 4 has sigmoid(u) = 0.8; against 1 and 0 the losses are -log 0.8 and -log 0.2 and the
    # per-sample gradients sigmoid(u) - y = -0.2 and 0.8
    u, y = np.full((2, 1), math.log(4)), np.array([[1.0], [0.0]])
    np.testing.assert_allclose(nn.binary_cross_entropy_from_logits_unvalidated(u, y, 1.0, "none"),
                               [-math.log(0.8), -math.log(0.2)], rtol=1e-14)
    np.testing.assert_allclose(nn.binary_cross_entropy_from_logits_grad_unvalidated(u, y, 1.0, "sum"),
                               [[-0.2], [0.8]], rtol=1e-14)
    # and bit for bit the validated functions' numbers, for every reduction and a slope
    rng = np.random.default_rng(4)
    z, t = rng.normal(size=(5, 3)) * 4, rng.random((5, 3))
    for a in (1.0, 2.5):
        for reduction in ("mean", "sum", "none"):
            np.testing.assert_array_equal(nn.binary_cross_entropy_from_logits_unvalidated(z, t, a, reduction),
                                          nn.binary_cross_entropy_from_logits(z, t, a, reduction))
        for reduction in ("mean", "sum"):
            np.testing.assert_array_equal(nn.binary_cross_entropy_from_logits_grad_unvalidated(z, t, a, reduction),
                                          nn.binary_cross_entropy_from_logits_grad(z, t, a, reduction))
    # dense_backward_unvalidated: the example of test_dense_backward_by_hand, and None for what is not asked
    X, W, dZ = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]), np.array([[1.0, -1.0, 2.0]])
    dX, dW, db = nn.dense_backward_unvalidated(dZ, X, W)
    np.testing.assert_array_equal(dX, [[-1.0, 1.0]])
    np.testing.assert_array_equal(dW, [[1.0, -1.0, 2.0], [2.0, -2.0, 4.0]])
    np.testing.assert_array_equal(db, [1.0, -1.0, 2.0])
    dX, dW_only, db = nn.dense_backward_unvalidated(dZ, X, W, input_gradient=False, bias=False)
    assert dX is None and db is None
    np.testing.assert_array_equal(dW_only, dW)


def test_loss_input_errors():
    with pytest.raises(ValueError, match="labels must hold class labels in 0..2"):
        nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(TypeError, match="labels must hold integer class labels"):
        nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="logits must be a 2-D array"):
        nn.softmax_cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match="y must have the shape of the predictions"):
        nn.mean_squared_error(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="p must hold probabilities"):
        nn.binary_cross_entropy(np.array([[1.5]]), np.array([1.0]))
    with pytest.raises(ValueError, match="logits must contain only finite values"):
        nn.softmax_cross_entropy(np.array([[np.nan, 0.0]]), np.array([0]))


# ---------------------------------------------------------------------------
# Backprop of whole networks against central differences
# ---------------------------------------------------------------------------

PAIRS = [("softmax", "cross_entropy"), ("softmax", "mse"), ("sigmoid", "binary_cross_entropy"),
         ("sigmoid", "mse"), ("identity", "mse"), ("tanh", "mse")]


def _data(net, n, rng):
    X = rng.normal(size=(n, net.sizes[0]))
    K = net.sizes[-1]
    if net.loss_name == "cross_entropy":
        return X, rng.integers(0, K, n)
    if net.loss_name == "binary_cross_entropy":
        return X, rng.integers(0, 2, (n, K)).astype(float)
    if net.output == "softmax":
        return X, rng.integers(0, K, n)  # integer labels are one-hot encoded for mse
    return X, rng.normal(size=(n, K))


@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh", "identity"])
@pytest.mark.parametrize("output,loss", PAIRS)
def test_mlp_gradients_match_central_differences(hidden, output, loss):
    rng = np.random.default_rng(zlib.crc32(f"{hidden}-{output}-{loss}".encode()))
    for sizes, bias in (([4, 5, 3], True), ([3, 6, 5, 4, 2], False)):
        net = MLP(sizes, hidden=hidden, output=output, loss=loss, bias=bias, seed=3, slope=1.3)
        if bias:
            for b in net.biases:
                b[...] = rng.uniform(-0.5, 0.5, b.shape)
        X, y = _data(net, 7, rng)
        f, grad, _ = net.flat_functions(X, y)
        theta = net.get_flat()
        # Entries far below the central difference's round-off, about eps_mach |f| / h,
        # cannot show a small relative error; atol is 10x that level (see check_gradient).
        h = np.cbrt(np.finfo(float).eps)
        atol = 10 * np.finfo(float).eps * max(abs(f(theta)), 1.0) / h
        res = gradcheck.check_gradient(f, grad, theta, tol=1e-7, atol=atol)
        assert res.passed, (sizes, res)
        # the flat functions do not move the network's own parameters
        np.testing.assert_array_equal(net.get_flat(), theta)


def test_sum_reduction_is_n_times_mean():
    net = MLP([3, 4, 2], seed=1)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 2, 6)
    _, g_mean = net.loss_and_grads(X, y)
    _, g_sum = net.loss_and_grads(X, y, reduction="sum")
    for a, b in zip(g_mean, g_sum):
        np.testing.assert_allclose(b, 6 * a, rtol=1e-13)


def test_rank1_loss_batch_equals_perturbed_loss():
    rng = np.random.default_rng(5)
    for hidden, output, loss in (("relu", "softmax", "cross_entropy"), ("sigmoid", "identity", "mse"),
                                 ("tanh", "sigmoid", "binary_cross_entropy")):
        net = MLP([6, 5, 4, 3], hidden=hidden, output=output, loss=loss, seed=2)
        for b in net.biases:
            b[...] = rng.uniform(-0.3, 0.3, b.shape)
        X, y = _data(net, 9, rng)
        X[X < 0] = 0.0  # zero inputs: perturbations hidden from some samples
        f, _, f_batch = net.flat_functions(X, y)
        theta = net.get_flat()
        idx = rng.choice(net.n_params, 40, replace=False)
        h = rng.choice([-1.0, 1.0], 40) * 1e-3
        np.testing.assert_allclose(f_batch(idx, h), _perturbed_losses(f, theta, idx, h), rtol=1e-12)


def _perturbed_losses(f, theta, idx, h):
    """The loss with one parameter perturbed at a time, by the loop: ``f(theta + h_k e_{idx_k})``."""
    expect = []
    for i, s in zip(idx, h):
        t = theta.copy()
        t[i] += s
        expect.append(f(t))
    return expect


def test_rank1_loss_batch_without_biases_equals_perturbed_loss():
    # without biases the layers above a perturbed unit run the same forward pass (z = a W, no b)
    rng = np.random.default_rng(15)
    for hidden, output, loss in (("relu", "softmax", "cross_entropy"), ("tanh", "identity", "mse")):
        net = MLP([5, 4, 3, 2], hidden=hidden, output=output, loss=loss, bias=False, seed=3)
        X, y = _data(net, 7, rng)
        f, _, f_batch = net.flat_functions(X, y)
        theta = net.get_flat()
        idx = np.arange(net.n_params)
        h = rng.choice([-1.0, 1.0], net.n_params) * 1e-3
        np.testing.assert_allclose(f_batch(idx, h), _perturbed_losses(f, theta, idx, h), rtol=1e-12)


def test_batched_check_on_a_relu_network_agrees_with_the_loop():
    net = MLP([20, 16, 12, 5], seed=4)
    rng = np.random.default_rng(4)
    X, y = np.abs(rng.normal(size=(30, 20))), rng.integers(0, 5, 30)
    f, grad, f_batch = net.flat_functions(X, y)
    theta = net.get_flat()
    loop = gradcheck.numerical_gradient(f, theta)
    batched = gradcheck.numerical_gradient_batched(f_batch, theta)
    # the two evaluate the same differences in a different order: equal up to round-off
    # of f (|f| ~ 2) divided by the step (~6e-6): ~1e-10
    np.testing.assert_allclose(batched, loop, rtol=1e-9, atol=1e-10)
    assert gradcheck.check_gradient_batched(f_batch, grad(theta), theta, tol=1e-6, atol=1e-10).passed


def test_describe_index():
    net = MLP([3, 4, 2])
    assert net.describe_index(0) == "W1[0, 0]"
    assert net.describe_index(5) == "W1[1, 1]"
    assert net.describe_index(12) == "b1[0]"
    assert net.describe_index(16) == "W2[0, 0]"
    assert net.describe_index(net.n_params - 1) == "b2[1]"
    assert MLP([3, 4, 2], bias=False).describe_index(12) == "W2[0, 0]"


# ---------------------------------------------------------------------------
# aSGD's mean effective gradient and dead units (source 000)
# ---------------------------------------------------------------------------

def _per_sample_grads(net, X, y):
    return [net.loss_and_grads(X[i:i + 1], y[i:i + 1], reduction="sum")[1] for i in range(len(X))]


@pytest.mark.parametrize("bias", [True, False])
def test_effective_gradient_restates_the_definition(bias):
    rng = np.random.default_rng(7)
    net = MLP([5, 6, 4, 3], seed=7, bias=bias)
    if bias:
        for b in net.biases:
            b[...] = rng.uniform(-0.5, 0.5, b.shape)
    X = rng.normal(size=(12, 5))
    X[rng.random(X.shape) < 0.3] = 0.0  # zero inputs give zero per-sample gradients too
    y = rng.integers(0, 3, 12)
    per_sample = _per_sample_grads(net, X, y)
    _, eff = net.loss_and_grads(X, y, reduction="effective")
    for k in range(len(net.params)):
        stack = np.stack([g[k] for g in per_sample])
        count = np.count_nonzero(stack, axis=0)
        expect = np.where(count > 0, stack.sum(axis=0) / np.maximum(count, 1), 0.0)
        np.testing.assert_allclose(eff[k], expect, rtol=1e-12, atol=1e-15)
    # some entries really are averaged over fewer samples than the batch
    counts = np.count_nonzero(np.stack([g[0] for g in per_sample]), axis=0)
    assert counts.min() < 12 and counts.max() > 0


def test_effective_gradient_equals_mean_when_every_sample_contributes():
    # sigmoid hidden units and non-zero inputs: every per-sample gradient entry is non-zero
    rng = np.random.default_rng(8)
    net = MLP([3, 4, 2], hidden="sigmoid", seed=8)
    for b in net.biases:
        b[...] = 0.1
    X, y = rng.uniform(0.5, 1.5, (10, 3)), rng.integers(0, 2, 10)
    _, mean = net.loss_and_grads(X, y)
    _, eff = net.loss_and_grads(X, y, reduction="effective")
    for a, b in zip(mean, eff):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def test_dead_and_always_on_units():
    net = MLP([2, 4, 3, 2], seed=0)
    X = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    b1, b2 = net.biases[0], net.biases[1]
    b1[...] = [-100.0, 100.0, 0.0, 0.0]   # unit 0 dead, unit 1 always on
    b2[...] = [0.0, -100.0, 0.0]          # unit 1 of layer 2 dead
    act = net.dead_units(X)
    assert len(act) == 2
    assert act[0].dead.tolist()[:2] == [True, False] and act[0].always_on.tolist()[:2] == [False, True]
    assert act[1].dead[1] and not act[1].always_on[1]
    # the remaining units: recount with an independent forward pass
    z1 = X @ net.params[0] + b1
    on1 = z1 > 0
    np.testing.assert_array_equal(act[0].dead, ~on1.any(axis=0))
    np.testing.assert_array_equal(act[0].always_on, on1.all(axis=0))
    z2 = np.maximum(z1, 0) @ net.params[2] + b2
    np.testing.assert_array_equal(act[1].dead, ~(z2 > 0).any(axis=0))
    assert act[0].n_dead == int((~on1.any(axis=0)).sum())
    # a dead unit's weights get exactly zero gradient
    _, grads = net.loss_and_grads(X, np.zeros(50, dtype=int))
    assert np.all(grads[0][:, 0] == 0) and grads[1][0] == 0


def test_dead_units_in_chunks_match_one_pass():
    net = MLP([10, 30, 20, 3], seed=1)
    X = np.random.default_rng(1).normal(size=(20000, 10))  # more than one chunk
    act = net.dead_units(X)
    z = X @ net.params[0] + net.params[1]
    np.testing.assert_array_equal(act[0].always_on, (z > 0).all(axis=0))
    np.testing.assert_array_equal(act[0].dead, ~(z > 0).any(axis=0))


# ---------------------------------------------------------------------------
# Construction, prediction, dtypes and errors
# ---------------------------------------------------------------------------

def test_params_layout_and_glorot_limits():
    net = MLP([784, 300, 100, 100, 10])
    assert [p.shape for p in net.params] == [(784, 300), (300,), (300, 100), (100,), (100, 100), (100,),
                                             (100, 10), (10,)]
    assert net.n_params == (784 * 300 + 300) + (300 * 100 + 100) + (100 * 100 + 100) + (100 * 10 + 10)
    for W in net.weights:
        limit = math.sqrt(6 / sum(W.shape))
        assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
        assert abs(W.std() - limit / math.sqrt(3)) < 0.01 * limit  # U(-r, r) has std r / sqrt(3)
    assert all(np.all(b == 0) for b in net.biases)
    assert [p.shape for p in MLP([3, 4, 2], bias=False).params] == [(3, 4), (4, 2)]
    np.testing.assert_array_equal(MLP([3, 4, 2], seed=5).params[0], MLP([3, 4, 2], seed=5).params[0])


def test_float32_network_stays_float32():
    net = MLP([4, 5, 3], dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(6, 4))
    loss, grads = net.loss_and_grads(X, np.array([0, 1, 2, 0, 1, 2]))
    assert all(p.dtype == np.float32 for p in net.params)
    assert all(g.dtype == np.float32 for g in grads)
    assert net.forward(X).dtype == np.float32
    # and agrees with the float64 network to float32 precision
    net64 = MLP([4, 5, 3], dtype=np.float64)
    for p64, p32 in zip(net64.params, net.params):
        p64[...] = p32
    loss64, grads64 = net64.loss_and_grads(X, np.array([0, 1, 2, 0, 1, 2]))
    assert loss == pytest.approx(loss64, rel=1e-6)
    for g32, g64 in zip(grads, grads64):
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-6)


def test_initialisers_take_a_seed_int_or_generator():
    # drawn by hand from the same streams: U(-r, r) with r = sqrt(6 / (n_in + n_out)) or sqrt(6 / n_in),
    # and N(0, 2 / n_in)
    r = math.sqrt(6 / (3 + 4))
    np.testing.assert_array_equal(nn.glorot_uniform(3, 4, seed=7), np.random.default_rng(7).uniform(-r, r, (3, 4)))
    np.testing.assert_array_equal(nn.he_uniform(3, 4, seed=7),
                                  np.random.default_rng(7).uniform(-math.sqrt(2), math.sqrt(2), (3, 4)))
    np.testing.assert_array_equal(nn.he_normal(3, 4, seed=7),
                                  np.random.default_rng(7).normal(0.0, math.sqrt(2 / 3), (3, 4)))
    rng = np.random.default_rng(7)
    first, second = nn.glorot_uniform(3, 4, rng), nn.glorot_uniform(3, 4, rng)  # a Generator advances
    np.testing.assert_array_equal(first, nn.glorot_uniform(3, 4, seed=7))
    assert not np.array_equal(first, second)
    assert nn.he_normal(2, 2, seed=0, dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        nn.he_uniform(3, 4, seed=1.5)
    with pytest.raises(ValueError, match="n_in must be an integer >= 1"):
        nn.glorot_uniform(0, 4)


def test_predict_and_accuracy():
    net = MLP([2, 2], hidden="relu", output="softmax", bias=True)
    net.params[0][...] = [[1.0, -1.0], [0.0, 0.0]]  # class 0 if x0 > 0 else class 1
    X = np.array([[1.0, 5.0], [-2.0, 0.0], [3.0, 1.0], [-1.0, 1.0]])
    np.testing.assert_array_equal(net.predict(X), [0, 1, 0, 1])
    assert net.accuracy(X, np.array([0, 1, 1, 1])) == 0.75
    binary = MLP([1, 1], output="sigmoid")
    binary.params[0][...] = 1.0
    np.testing.assert_array_equal(binary.predict(np.array([[-2.0], [3.0]])), [0, 1])
    with pytest.raises(ValueError, match="accuracy needs a classifier"):
        MLP([2, 1], output="identity").accuracy(X, np.zeros(4))
    assert net.accuracy(X, np.eye(2)[[0, 1, 1, 1]]) == 0.75  # one-hot rows count by their label
    assert net.is_classifier and binary.is_classifier
    assert not MLP([2, 1], output="identity").is_classifier
    assert not MLP([2, 1], output="sigmoid", loss="mse").is_classifier


def test_accuracy_of_sigmoid_units_counts_entries_against_thresholded_targets():
    # one layer, no hidden units: z = x W + b, worked out by hand
    net = MLP([1, 2], output="sigmoid")
    net.params[0][...] = [[1.0, -1.0]]
    X = np.array([[1.0], [2.0]])  # z = [[1, -1], [2, -2]]: predictions [[1, 0], [1, 0]]
    # three of the four entries are right: 3/4 (a count per sample would give 1 of 2)
    assert net.accuracy(X, np.array([[1.0, 0.0], [1.0, 1.0]])) == 0.75
    np.testing.assert_array_equal(net.correct_unvalidated(X @ net.params[0], np.array([[1.0, 0.0], [1.0, 1.0]])),
                                  [[True, True], [True, False]])
    # soft targets take the label of their side of 0.5: 0.9 is 1, 0.2 is 0, so all four are right
    assert net.accuracy(X, np.array([[0.9, 0.2], [0.6, 0.4]])) == 1.0
    # decided on the logit: z = 1e-20 > 0 is class 1 although sigmoid(1e-20) rounds to exactly 0.5
    tiny = MLP([1, 1], output="sigmoid")
    tiny.params[0][...] = 0.0
    tiny.params[1][...] = 1e-20
    assert tiny.forward(np.array([[0.0]]))[0, 0] == 0.5
    assert tiny.predict(np.array([[0.0]])).tolist() == [1]
    assert tiny.accuracy(np.array([[0.0]]), np.array([1.0])) == 1.0


def test_evaluate_is_loss_and_accuracy_in_one_pass():
    rng = np.random.default_rng(13)
    net = MLP([4, 6, 3], seed=3)
    X, y = rng.normal(size=(20000, 4)), rng.integers(0, 3, 20000)  # more than one chunk
    loss, acc = net.evaluate(X, y)
    W1, b1, W2, b2 = net.params
    z = np.maximum(X @ W1 + b1, 0) @ W2 + b2  # by hand
    lse = np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)) + z.max(axis=1)
    assert loss == pytest.approx(np.mean(lse - z[np.arange(len(y)), y]), rel=1e-12)
    assert acc == np.mean(z.argmax(axis=1) == y)
    assert net.loss(X, y) == loss and net.accuracy(X, y) == acc
    reg = MLP([4, 2], output="identity")
    reg_loss, reg_acc = reg.evaluate(X[:5], np.zeros((5, 2)))
    assert reg_acc is None and reg_loss == pytest.approx(np.mean((X[:5] @ reg.params[0]) ** 2), rel=1e-14)
    with pytest.raises(ValueError, match="X must hold at least one sample; got 0"):
        net.evaluate(np.zeros((0, 4)), np.zeros(0, int))


def test_construction_errors():
    with pytest.raises(ValueError, match="hidden must be one of"):
        MLP([2, 3, 2], hidden="swish")
    with pytest.raises(ValueError, match="output must be one of"):
        MLP([2, 3, 2], output="softplus")
    with pytest.raises(ValueError, match="loss must be one of"):
        MLP([2, 3, 2], loss="hinge")
    with pytest.raises(ValueError, match="loss='cross_entropy' needs output='softmax'"):
        MLP([2, 3, 2], output="sigmoid", loss="cross_entropy")
    with pytest.raises(ValueError, match="binary_cross_entropy' needs output='sigmoid'"):
        MLP([2, 3, 2], output="identity", loss="binary_cross_entropy")
    with pytest.raises(ValueError, match="sizes must list at least two"):
        MLP([5])
    with pytest.raises(ValueError, match=r"sizes\[1\] must be an integer >= 1"):
        MLP([5, 0, 2])
    with pytest.raises(ValueError, match="init must be one of"):
        MLP([2, 2], init="orthogonal")
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        MLP([2, 2], dtype=np.float16)
    with pytest.raises(ValueError, match="slope must be"):
        MLP([2, 2], slope=0.0)


def test_input_errors():
    net = MLP([3, 4, 2])
    X = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"X must be a 2-D array \(samples, 3 features\); got shape \(5, 4\)"):
        net.loss_and_grads(np.zeros((5, 4)), np.zeros(5, int))
    with pytest.raises(ValueError, match="flatten images first"):
        net.forward(np.zeros((5, 3, 1)))
    with pytest.raises(ValueError, match="y must hold class labels in 0..1"):
        net.loss_and_grads(X, np.array([0, 1, 2, 0, 1]))
    with pytest.raises(ValueError, match="y must be a 1-D array of 5 integer class labels"):
        net.loss_and_grads(X, np.zeros(4, int))
    Xn = X.copy()
    Xn[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"X must contain only finite values; found nan at index \(2, 1\)"):
        net.loss_and_grads(Xn, np.zeros(5, int))
    with pytest.raises(ValueError, match="reduction must be one of"):
        net.loss_and_grads(X, np.zeros(5, int), reduction="median")
    reg = MLP([3, 2], output="identity")
    with pytest.raises(ValueError, match=r"y must have shape \(5, 2\)"):
        reg.loss_and_grads(X, np.zeros(5))
    with pytest.raises(ValueError, match="y must lie in"):
        MLP([3, 1], output="sigmoid").loss_and_grads(X, np.full(5, 2.0))


def test_every_activation_loss_pair_is_stable_at_large_scale():
    rng = np.random.default_rng(9)
    for (output, loss), hidden in itertools.product(PAIRS, ["relu", "sigmoid", "tanh"]):
        net = MLP([3, 4, 2], hidden=hidden, output=output, loss=loss, seed=1)
        for W in net.weights:
            W *= 300.0  # pre-activations of order 1e3
        X, y = _data(net, 5, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss_value, grads = net.loss_and_grads(X * 3, y)
        assert np.isfinite(loss_value) and all(np.all(np.isfinite(g)) for g in grads)


def test_a_dead_layer_gives_source_003s_collapsed_numbers():
    # Source 003, Table 2, lr 0.1 batch 1: loss 2.3026, accuracy 9.80%.  A bias-free network
    # whose first hidden layer is dead outputs zero logits for every input: the softmax is
    # uniform, the loss is ln 10, argmax ties go to class 0, and every gradient is 0.
    net = MLP([6, 5, 4, 10], bias=False, seed=0)
    net.params[0][...] = -np.abs(net.params[0])  # every unit off for non-negative inputs
    rng = np.random.default_rng(0)
    X = rng.random((50, 6))
    y = rng.integers(0, 10, 50)
    assert all(net.dead_units(X)[0].dead)
    loss, grads = net.loss_and_grads(X, y)
    assert loss == pytest.approx(math.log(10), rel=1e-15)
    np.testing.assert_array_equal(net.predict(X), np.zeros(50))
    assert net.accuracy(X, y) == np.mean(y == 0)
    assert all(np.all(g == 0) for g in grads)  # nothing can ever move again


def test_loss_batch_keeps_the_parameters_it_was_made_at():
    net = MLP([4, 5, 3], seed=1)
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
    f_batch = net.loss_batch(X, y)
    before = f_batch(np.array([0, 7]), np.array([1e-3, -1e-3]))
    for p in net.params:
        p += 0.5  # moving the network afterwards must not leak into f_batch
    np.testing.assert_array_equal(f_batch(np.array([0, 7]), np.array([1e-3, -1e-3])), before)


# ---------------------------------------------------------------------------
# Validated boundary, unvalidated fast path; seeds; grids
# ---------------------------------------------------------------------------

def test_seed_takes_an_int_or_a_generator():
    r = math.sqrt(6 / (3 + 4))  # Glorot uniform, drawn by hand from the same stream
    by_hand = np.random.default_rng(5).uniform(-r, r, (3, 4))
    np.testing.assert_array_equal(MLP([3, 4, 2], seed=5).params[0], by_hand)
    np.testing.assert_array_equal(MLP([3, 4, 2], seed=np.random.default_rng(5)).params[0], by_hand)
    rng = np.random.default_rng(5)
    first, second = MLP([3, 4, 2], seed=rng), MLP([3, 4, 2], seed=rng)  # one stream: new weights
    assert not np.array_equal(first.params[0], second.params[0])
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        MLP([3, 2], seed=1.5)
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        MLP([3, 2], seed=-1)
    with pytest.raises(TypeError, match="bias must be True or False; got int 1"):
        MLP([3, 2], bias=1)


def test_unvalidated_fast_path_is_the_validated_one_without_its_validation():
    net = MLP([3, 5, 4], seed=2)
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(9, 3)), rng.integers(0, 4, 9)
    for reduction in ("mean", "effective", "sum"):
        loss, grads = net.loss_and_grads(X, y, reduction=reduction)
        loss_u, grads_u, logits = net.loss_and_grads_unvalidated(net.as_inputs(X), net.as_targets(y, 9), reduction,
                                                               return_logits=True)
        assert loss_u == loss
        for a, b in zip(grads, grads_u):
            np.testing.assert_array_equal(a, b)
    W1, b1, W2, b2 = net.params
    np.testing.assert_allclose(logits, np.maximum(X @ W1 + b1, 0) @ W2 + b2, rtol=1e-14)  # by hand


def test_as_inputs_and_as_targets_convert_once():
    net = MLP([2, 3, 2], dtype=np.float32)
    X = net.as_inputs(np.array([[1, 2], [3, 4]]))  # integers become the network's dtype
    assert X.dtype == np.float32 and X.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    X32 = np.ones((2, 2), dtype=np.float32)
    assert net.as_inputs(X32) is X32  # no copy when the dtype is already right
    assert net.as_targets(np.array([1.0, 0.0]), 2).tolist() == [1, 0]  # whole floats are labels
    mse = MLP([2, 3], output="softmax", loss="mse")
    np.testing.assert_array_equal(mse.as_targets(np.array([2, 0]), 2), [[0, 0, 1], [1, 0, 0]])  # one-hot
    with pytest.raises(ValueError, match=r"y must have shape \(2, 3\)"):
        mse.as_targets(np.zeros((2, 2)), 2)
    with pytest.raises(ValueError, match="X must contain only finite values"):
        net.as_inputs(np.array([[1.0, np.inf]]))


def test_pre_activations_and_forward_grid_by_hand():
    net = MLP([2, 3, 1], hidden="tanh", output="sigmoid", seed=4)
    net.params[1][...] = [0.1, -0.2, 0.3]
    net.params[3][...] = 0.25
    W1, b1, W2, b2 = net.params
    X = np.array([[0.5, -1.0], [2.0, 0.0]])
    z1, z2 = net.pre_activations(X)
    np.testing.assert_allclose(z1, X @ W1 + b1, rtol=1e-15)
    np.testing.assert_allclose(z2, np.tanh(X @ W1 + b1) @ W2 + b2, rtol=1e-14)
    xx, yy = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(0, 2, 3))
    P = net.forward_grid(xx, yy)
    assert P.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            z = np.tanh(np.array([xx[i, j], yy[i, j]]) @ W1 + b1) @ W2 + b2
            assert P[i, j] == pytest.approx(1 / (1 + math.exp(-z[0])), rel=1e-13)
    with pytest.raises(ValueError, match=r"yy must have the shape of xx"):
        net.forward_grid(xx, yy[:2])
    with pytest.raises(ValueError, match="unit must be < 1"):
        net.forward_grid(xx, yy, unit=1)
    with pytest.raises(ValueError, match="forward_grid needs a network with 2 inputs"):
        MLP([3, 1], output="sigmoid").forward_grid(xx, yy)


def test_count_parameters_is_the_count_of_the_arrays_it_would_allocate():
    # by hand: 784*300 + 300*100 + 100*10 = 266,200 weights; + 410 biases
    assert nn.count_parameters([784, 300, 100, 10], bias=False) == 266_200
    assert nn.count_parameters([784, 300, 100, 10]) == 266_610
    for sizes, bias in (([2, 3, 2], True), ([4, 5, 6, 2], False)):
        net = nn.MLP(sizes, bias=bias)
        assert net.n_params == nn.count_parameters(sizes, bias) == sum(p.size for p in net.params)
    with pytest.raises(ValueError, match=r"sizes\[1\] must be an integer >= 1; got 0"):
        nn.count_parameters([2, 0, 1])


# ---------------------------------------------------------------------------
# Dropout, batch normalisation, L2 (lecture 9)
# ---------------------------------------------------------------------------

def test_dropout_forward_is_one_uniform_draw_thresholded_and_rescaled():
    a = np.arange(1.0, 13.0).reshape(3, 4)
    out, mask = nn.dropout_forward(a, 0.25, 11)
    u = np.random.default_rng(11).random((3, 4))  # the one draw, restated
    for i, j in itertools.product(range(3), range(4)):
        expect = 1 / 0.75 if u[i, j] >= 0.25 else 0.0
        assert mask[i, j] == expect
        assert out[i, j] == a[i, j] * expect
    rng = np.random.default_rng(3)
    nn.dropout_forward(a, 0.5, rng)
    assert rng.bit_generator.state == (lambda r: (r.random((3, 4)), r.bit_generator.state)[1])(
        np.random.default_rng(3))  # exactly one draw of a.shape
    out0, mask0 = nn.dropout_forward(a, 0.0, 5)
    np.testing.assert_array_equal(out0, a)
    np.testing.assert_array_equal(mask0, np.ones_like(a))
    out32, mask32 = nn.dropout_forward(a.astype(np.float32), 0.3, 0)
    assert out32.dtype == mask32.dtype == np.float32


def test_dropout_keeps_the_expected_activation():
    # E[mask] = (1 - rate) / (1 - rate) = 1; a mean of N entries has std sqrt(rate / (1 - rate) / N)
    rate, N = 0.4, 400_000
    _, mask = nn.dropout_forward(np.ones(N), rate, 0)
    assert abs(mask.mean() - 1) < 5 * math.sqrt(rate / (1 - rate) / N)
    assert abs(np.mean(mask == 0) - rate) < 5 * math.sqrt(rate * (1 - rate) / N)


def test_dropout_backward_matches_central_differences():
    rng = np.random.default_rng(2)
    a, G = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    _, mask = nn.dropout_forward(a, 0.5, 7)
    f = lambda x: float(np.sum(nn.dropout_forward(x, 0.5, 7)[0] * G))  # noqa: E731  the same mask each call
    np.testing.assert_allclose(nn.dropout_backward(G, mask), gradcheck.numerical_gradient(f, a), rtol=1e-8, atol=1e-10)


def test_dropout_errors():
    with pytest.raises(ValueError, match=r"rate must lie in \[0.0, 1.0\); got 1"):
        nn.dropout_forward(np.ones(3), 1, 0)
    with pytest.raises(ValueError, match=r"rate must lie in"):
        nn.dropout_forward(np.ones(3), -0.1, 0)
    with pytest.raises(TypeError, match="a must be a floating-point array"):
        nn.dropout_forward(np.ones(3, dtype=int), 0.5, 0)
    with pytest.raises(TypeError, match="rng must be an int or a numpy random Generator"):
        nn.dropout_forward(np.ones(3), 0.5, 0.5)
    with pytest.raises(ValueError, match="grad_out must have the same shape as mask"):
        nn.dropout_backward(np.ones(3), np.ones(4))


def test_batchnorm_forward_by_hand():
    z = np.array([[1.0, -2.0], [3.0, 0.0], [8.0, 4.0]])
    gamma, beta = np.array([2.0, 0.5]), np.array([-1.0, 3.0])
    out, (z_hat, inv_std, g) = nn.batchnorm_forward(z, gamma, beta)
    for j in range(2):
        col = [float(v) for v in z[:, j]]
        mu = sum(col) / 3
        var = sum((v - mu) ** 2 for v in col) / 3   # biased
        for i in range(3):
            zh = (col[i] - mu) / math.sqrt(var + 1e-3)   # Keras' eps
            assert z_hat[i, j] == pytest.approx(zh, rel=1e-14)
            assert out[i, j] == pytest.approx(gamma[j] * zh + beta[j], rel=1e-14)
        assert inv_std[j] == pytest.approx(1 / math.sqrt(var + 1e-3), rel=1e-14)
    np.testing.assert_array_equal(g, gamma)
    # every column: mean beta, variance gamma^2 var / (var + eps)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-14)
    np.testing.assert_allclose(out.var(axis=0), gamma**2 * z.var(axis=0) / (z.var(axis=0) + 1e-3), rtol=1e-13)
    out5, _ = nn.batchnorm_forward(z, gamma, beta, eps=1e-5)
    np.testing.assert_allclose(out5, gamma * (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5) + beta, rtol=1e-14)


def test_batchnorm_backward_matches_central_differences():
    rng = np.random.default_rng(4)
    z, G = rng.normal(size=(6, 3)) * 3 + 1, rng.normal(size=(6, 3))
    gamma, beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    out, cache = nn.batchnorm_forward(z, gamma, beta)
    dz, dgamma, dbeta = nn.batchnorm_backward(G, cache)

    def loss(zz=z, gg=gamma, bb=beta):
        return float(np.sum(nn.batchnorm_forward(zz, gg, bb)[0] * G))

    np.testing.assert_allclose(dz, gradcheck.numerical_gradient(lambda x: loss(zz=x), z), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dgamma, gradcheck.numerical_gradient(lambda x: loss(gg=x), gamma), rtol=1e-7)
    np.testing.assert_allclose(dbeta, gradcheck.numerical_gradient(lambda x: loss(bb=x), beta), rtol=1e-7)
    # shifting or scaling a column of z changes nothing after normalisation (up to eps): dz sums to 0
    np.testing.assert_allclose(dz.sum(axis=0), 0, atol=1e-12)


def test_batchnorm_errors():
    with pytest.raises(ValueError, match=r"gamma must have shape \(2,\)"):
        nn.batchnorm_forward(np.ones((3, 2)), np.ones(3), np.zeros(2))
    with pytest.raises(ValueError, match=r"beta must have shape \(2,\)"):
        nn.batchnorm_forward(np.ones((3, 2)), np.ones(2), np.zeros(1))
    with pytest.raises(ValueError, match="z must be a 2-D array"):
        nn.batchnorm_forward(np.ones(3), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="eps must be > 0"):
        nn.batchnorm_forward(np.ones((3, 2)), np.ones(2), np.zeros(2), eps=0)
    _, cache = nn.batchnorm_forward(np.arange(6.0).reshape(3, 2), np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="grad_out must have the same shape as z_hat"):
        nn.batchnorm_backward(np.ones((2, 2)), cache)
    with pytest.raises(TypeError, match="cache must be the"):
        nn.batchnorm_backward(np.ones((3, 2)), cache[:2])


def test_l2_penalty_by_hand_and_its_gradient():
    W1, W2 = np.array([[1.0, -2.0]]), np.array([[3.0], [0.5]])
    assert nn.l2_penalty([W1, W2], 0.1) == pytest.approx(0.1 * (1 + 4 + 9 + 0.25), rel=1e-15)
    assert nn.l2_penalty([W1, W2], 0.0) == 0.0
    for W, g in zip((W1, W2), nn.l2_penalty_grad([W1, W2], 0.1)):
        num = gradcheck.numerical_gradient(lambda x: nn.l2_penalty([x], 0.1), W)
        np.testing.assert_allclose(g, num, rtol=1e-8)
        np.testing.assert_array_equal(g, 0.2 * W)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        nn.l2_penalty([W1], -1)
    with pytest.raises(TypeError, match="weights must be a list of weight arrays"):
        nn.l2_penalty(W1, 0.1)
    with pytest.raises(TypeError, match=r"weights\[1\] must be a floating-point array"):
        nn.l2_penalty_grad([W1, np.ones((2, 2), dtype=int)], 0.1)


# ---------------------------------------------------------------------------
# More initialisers; per-layer diagnostics
# ---------------------------------------------------------------------------

def test_zeros_glorot_normal_and_scaled_normal_by_hand():
    np.testing.assert_array_equal(nn.zeros(3, 4), np.zeros((3, 4)))
    assert nn.zeros(3, 4, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(nn.glorot_normal(3, 4, seed=7),
                                  np.random.default_rng(7).normal(0.0, math.sqrt(2 / 7), (3, 4)))
    np.testing.assert_array_equal(nn.scaled_normal(3, 4, 0.01, seed=7),
                                  np.random.default_rng(7).normal(0.0, 0.01, (3, 4)))
    # the variances the names promise, on large matrices (a sample variance of N normals: rel. std sqrt(2/N))
    for W, var in ((nn.glorot_normal(300, 500, seed=1), 2 / 800), (nn.scaled_normal(300, 500, 1.5, seed=1), 2.25)):
        assert abs(W.var() / var - 1) < 5 * math.sqrt(2 / W.size)
    with pytest.raises(ValueError, match="std must be > 0"):
        nn.scaled_normal(3, 4, 0.0)
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        nn.zeros(3, 4, seed="a")


def test_initialisers_by_name_and_callable_in_the_network():
    import functools

    assert set(nn.INITS) == {"glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "zeros"}
    net = MLP([3, 4, 2], init="glorot_normal", seed=5)
    rng = np.random.default_rng(5)  # one Generator, layer after layer
    np.testing.assert_array_equal(net.weights[0], rng.normal(0, math.sqrt(2 / 7), (3, 4)))
    np.testing.assert_array_equal(net.weights[1], rng.normal(0, math.sqrt(2 / 6), (4, 2)))
    net = MLP([3, 4, 2], init=functools.partial(nn.scaled_normal, std=0.2), seed=5)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(net.weights[0], rng.normal(0, 0.2, (3, 4)))
    assert all(np.all(W == 0) for W in MLP([3, 4, 2], init="zeros").weights)
    with pytest.raises(ValueError, match=r"init must return a weight matrix of shape \(n_in, n_out\) = \(3, 4\)"):
        MLP([3, 4, 2], init=lambda n_in, n_out, seed, dtype: np.zeros((n_out, n_in)))


@pytest.mark.parametrize("hidden", ["relu", "tanh"])
def test_zero_initialisation_keeps_every_hidden_unit_at_zero(hidden):
    # by hand: z_1 = X 0 + 0 = 0, a_1 = g(0) = 0 for ReLU and tanh, so every layer's input is 0 and
    # dW_l = a_{l-1}^T dz_l = 0 for l >= 2; dz_1 = dz_2 W_2^T = 0, so dW_1 = 0 too: only the output bias moves
    net = MLP([3, 5, 5, 2], hidden=hidden, init="zeros")
    X, y = np.random.default_rng(0).normal(size=(8, 3)), np.array([0, 1, 1, 1, 1, 1, 1, 0])
    assert all(np.all(a == 0) for a in net.layer_activations(X))
    np.testing.assert_array_equal(net.gradient_norms(X, y), [0.0, 0.0, 0.0])
    _, grads = net.loss_and_grads(X, y)
    np.testing.assert_allclose(grads[-1], [0.5 - 2 / 8, 0.5 - 6 / 8], rtol=1e-15)  # mean of softmax(0) - onehot(y)


def test_layer_activations_and_gradient_norms_by_hand_and_by_differences():
    net = MLP([3, 4, 5, 2], hidden="tanh", seed=2)
    rng = np.random.default_rng(1)
    for b in net.biases:
        b[...] = rng.uniform(-0.5, 0.5, b.shape)
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 2, 6)
    W1, b1, W2, b2, W3, b3 = net.params
    a1 = np.tanh(X @ W1 + b1)
    a2 = np.tanh(a1 @ W2 + b2)
    acts = net.layer_activations(X)
    assert len(acts) == 2
    np.testing.assert_allclose(acts[0], a1, rtol=1e-15)
    np.testing.assert_allclose(acts[1], a2, rtol=1e-15)
    f, _, _ = net.flat_functions(X, y)
    num = gradcheck.numerical_gradient(f, net.get_flat())
    sizes = [p.size for p in net.params]
    pieces = np.split(num, np.cumsum(sizes)[:-1])
    np.testing.assert_allclose(net.gradient_norms(X, y), [np.linalg.norm(pieces[k]) for k in (0, 2, 4)], rtol=1e-7)
    nb = MLP([3, 4, 2], bias=False, seed=2)
    _, grads = nb.loss_and_grads(X, y)
    np.testing.assert_allclose(nb.gradient_norms(X, y), [np.linalg.norm(g) for g in grads], rtol=1e-15)


# ---------------------------------------------------------------------------
# RegularizedMLP: L2, dropout and batch normalisation in one network
# ---------------------------------------------------------------------------

def _training_objective(net, X, y, seed):
    """f(theta): the training objective at theta with the dropout masks of Generator(seed) (fixed draws)."""
    def f(theta):
        saved = net.get_flat()
        net.set_flat(theta)
        net.rng = np.random.default_rng(seed)
        try:
            return net.loss_and_grads_unvalidated(X, y)[0]
        finally:
            net.set_flat(saved)
    return f


@pytest.mark.parametrize("dropout,l2,batchnorm", [(0.0, 0.0, True), (0.4, 0.0, False), (0.0, 0.05, False),
                                                  (0.3, 0.02, True)])
@pytest.mark.parametrize("hidden,output", [("tanh", "softmax"), ("sigmoid", "identity")])
def test_regularized_mlp_gradients_match_central_differences(dropout, l2, batchnorm, hidden, output):
    net = nn.RegularizedMLP([4, 6, 5, 3], hidden=hidden, output=output, seed=2, dropout=dropout, l2=l2,
                            batchnorm=batchnorm)
    rng = np.random.default_rng(8)
    for p in net.params[1:2 * net.n_layers:2] + net.params[2 * net.n_layers:]:  # biases, gammas, betas off their start
        p += rng.uniform(-0.5, 0.5, p.shape)
    X = rng.normal(size=(9, 4))
    y = rng.integers(0, 3, 9) if output == "softmax" else rng.normal(size=(9, 3))
    y = net.as_targets(y, 9)
    f = _training_objective(net, X, y, seed=5)
    theta = net.get_flat()
    net.rng = np.random.default_rng(5)
    _, grads = net.loss_and_grads_unvalidated(X, y)
    analytic = np.concatenate([g.ravel() for g in grads])
    h = np.cbrt(np.finfo(float).eps)
    atol = 10 * np.finfo(float).eps * max(abs(f(theta)), 1.0) / h
    res = gradcheck.check_gradient(f, analytic, theta, tol=1e-6, atol=atol)
    assert res.passed, res


def test_regularized_mlp_training_forward_by_hand():
    # the training pass written out in plain numpy, with the same Generator: batchnorm, g, dropout per layer
    net = nn.RegularizedMLP([3, 4, 5, 2], hidden="relu", seed=1, dropout=0.25, l2=0.1, batchnorm=True, momentum=0.9)
    X, y = np.random.default_rng(0).normal(size=(7, 3)), np.array([0, 1, 1, 0, 1, 0, 0])
    W1, b1, W2, b2, W3, b3, g1, be1, g2, be2 = [p.copy() for p in net.params]
    rng = np.random.default_rng(77)
    net.rng = np.random.default_rng(77)

    def bn(z, g, b):
        return g * (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-3) + b

    def drop(a):
        return a * (rng.random(a.shape) >= 0.25) / 0.75

    a1 = drop(np.maximum(bn(X @ W1 + b1, g1, be1), 0))
    a2 = drop(np.maximum(bn(a1 @ W2 + b2, g2, be2), 0))
    logits = a2 @ W3 + b3
    log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expect = -np.mean(log_p[np.arange(7), y]) + 0.1 * sum(np.sum(W ** 2) for W in (W1, W2, W3))
    loss, _, z_out = net.loss_and_grads_unvalidated(X, y, return_logits=True)
    assert loss == pytest.approx(expect, rel=1e-13)
    np.testing.assert_allclose(z_out, logits, rtol=1e-13)
    # the moving averages after one step: 0.9 * (0, 1) + 0.1 * (batch mean, biased batch variance)
    h1 = X @ W1 + b1
    np.testing.assert_allclose(net.moving_mean[0], 0.1 * h1.mean(0), rtol=1e-13)
    np.testing.assert_allclose(net.moving_var[0], 0.9 + 0.1 * h1.var(0), rtol=1e-13)


def test_regularized_mlp_inference_by_hand_and_the_plain_network_when_nothing_is_on():
    net = nn.RegularizedMLP([3, 4, 2], hidden="tanh", seed=3, dropout=0.5, batchnorm=True)
    rng = np.random.default_rng(1)
    net.moving_mean[0][...] = rng.normal(size=4)
    net.moving_var[0][...] = rng.uniform(0.5, 2, 4)
    net.gammas[0][...] = rng.uniform(0.5, 2, 4)
    net.betas[0][...] = rng.normal(size=4)
    X = rng.normal(size=(5, 3))
    W1, b1, W2, b2 = net.weights[0], net.biases[0], net.weights[1], net.biases[1]
    zn = net.gammas[0] * (X @ W1 + b1 - net.moving_mean[0]) / np.sqrt(net.moving_var[0] + 1e-3) + net.betas[0]
    np.testing.assert_allclose(net.forward(X), nn.softmax(np.tanh(zn) @ W2 + b2), rtol=1e-13)
    np.testing.assert_allclose(net.pre_activations(X)[0], zn, rtol=1e-13)
    np.testing.assert_allclose(net.layer_activations(X)[0], np.tanh(zn), rtol=1e-13)
    assert net.n_params == nn.count_parameters([3, 4, 2]) + 8
    assert net.describe_index(nn.count_parameters([3, 4, 2]) + 5) == "beta1[1]"
    assert net.describe_index(0) == "W1[0, 0]"
    # nothing on: the plain MLP's weights, loss and gradients
    plain, reg = MLP([3, 4, 2], seed=4), nn.RegularizedMLP([3, 4, 2], seed=4)
    y = np.array([0, 1, 1, 0, 1])
    lp, gp = plain.loss_and_grads(X, y)
    lr, gr = reg.loss_and_grads(X, y)
    assert lr == pytest.approx(lp, rel=1e-15)
    for a, b in zip(gp, gr):
        np.testing.assert_allclose(a, b, rtol=1e-15)


def test_regularized_mlp_trains_and_refuses_what_it_cannot_do():
    from course_lib import optim
    from course_lib.train import train

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 2)), rng.integers(0, 2, 64)
    net = nn.RegularizedMLP([2, 8, 2], seed=0, dropout=0.2, l2=1e-3, batchnorm=True, momentum=0.9)
    hist = train(net, X, y, optim.SGD(0.1), 16, 3, validation=(X, y), progress=False)
    assert hist.val_loss[-1] == pytest.approx(net.evaluate(X, y)[0], rel=1e-15)  # inference data loss
    assert net.evaluate(X, y)[0] == pytest.approx(nn.softmax_cross_entropy(
        net.pre_activations(X)[-1], y), rel=1e-14)
    with pytest.raises(ValueError, match="reduction='mean' only"):
        net.loss_and_grads(X, y, reduction="effective")
    with pytest.raises(NotImplementedError, match="training loss is random"):
        net.flat_functions(X, y)
    with pytest.raises(ValueError, match=r"dropout must lie in \[0.0, 1.0\)"):
        nn.RegularizedMLP([2, 2], dropout=1.0)
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        nn.RegularizedMLP([2, 2], l2=-1)


def test_distinct_columns_by_hand():
    W = np.array([[1.0, 1.0, 2.0, 1.0], [0.0, 0.0, 0.0, 1e-9]])
    assert nn.distinct_columns(W) == 3          # columns 0 and 1 equal; 3 differs by 1e-9
    assert nn.distinct_columns(W, tol=1e-8) == 2
    assert nn.distinct_columns(np.zeros((5, 7))) == 1
    assert nn.distinct_columns(nn.glorot_uniform(5, 7)) == 7
    with pytest.raises(ValueError, match="W must be a 2-D weight matrix"):
        nn.distinct_columns(np.ones(3))


def test_regularized_mlp_training_pre_activations_use_the_batchs_statistics():
    net = nn.RegularizedMLP([3, 4, 5, 2], hidden="tanh", seed=6, batchnorm=True, dropout=0.5)
    X = np.random.default_rng(2).normal(size=(50, 3)) * 4 + 1
    W1, b1, W2, b2 = net.weights[0], net.biases[0], net.weights[1], net.biases[1]
    z1 = X @ W1 + b1
    z1n = (z1 - z1.mean(0)) / np.sqrt(z1.var(0) + 1e-3)            # gamma 1, beta 0 at the start
    z2 = np.tanh(z1n) @ W2 + b2                                    # no dropout
    z2n = (z2 - z2.mean(0)) / np.sqrt(z2.var(0) + 1e-3)
    zs = net.pre_activations(X, training=True)
    np.testing.assert_allclose(zs[0], z1n, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(zs[1], z2n, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(net.moving_mean[0], 0.0)         # not moved
    # inference at the start: moving mean 0 and variance 1, so z / sqrt(1 + eps)
    np.testing.assert_allclose(net.pre_activations(X)[0], z1 / np.sqrt(1 + 1e-3), rtol=1e-13)


# ---------------------------------------------------------------------------
# Review of lecture 9's pieces: inference-mode batch normalisation, saturation, weight decay,
# the cancelled biases, the one forward pass of both modes
# ---------------------------------------------------------------------------

def test_batchnorm_inference_by_hand():
    z = np.array([[1.0, -2.0], [3.0, 0.0], [8.0, 4.0]])
    mean, var = np.array([0.5, -1.0]), np.array([4.0, 0.25])
    gamma, beta = np.array([2.0, 0.5]), np.array([-1.0, 3.0])
    out = nn.batchnorm_inference(z, mean, var, gamma, beta)
    for i, j in itertools.product(range(3), range(2)):   # one affine map per unit, no batch statistic
        expect = float(gamma[j]) * (float(z[i, j]) - float(mean[j])) / math.sqrt(float(var[j]) + 1e-3) + float(beta[j])
        assert out[i, j] == pytest.approx(expect, rel=1e-14)
    # each row alone gives the same: a sample's output does not depend on its batch
    np.testing.assert_array_equal(nn.batchnorm_inference(z[1:2], mean, var, gamma, beta), out[1:2])
    with pytest.raises(ValueError, match=r"moving_var must have shape \(2,\)"):
        nn.batchnorm_inference(z, mean, np.ones(3), gamma, beta)
    with pytest.raises(ValueError, match="moving_var must be >= 0"):
        nn.batchnorm_inference(z, mean, -var, gamma, beta)


def test_saturated_fraction_by_hand():
    a = np.array([[-0.995, -0.5, 0.0, 0.991, 0.999, 0.2]])
    assert nn.saturated_fraction(a, "tanh") == 3 / 6                  # |a| > 0.99: -0.995, 0.991, 0.999
    s = np.array([0.005, 0.5, 0.995, 0.011, 0.0099])
    assert nn.saturated_fraction(s, "sigmoid") == 3 / 5                # below 0.01 or above 0.99
    assert nn.saturated_fraction(np.array([0.0, 0.0, 1.5, 3.0]), "relu") == 0.5   # off
    assert nn.saturated_fraction(a, "tanh", threshold=0.9) == 3 / 6
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.saturated_fraction(a, "softmax")


def test_under_batchnorm_the_hidden_biases_get_no_gradient():
    # z - mean_B(z) does not change when b is added to every sample's z: d loss / d b = 0 exactly in theory
    net = nn.RegularizedMLP([4, 6, 5, 3], hidden="tanh", seed=1, batchnorm=True)
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(12, 4)), rng.integers(0, 3, 12)
    _, grads = net.loss_and_grads(X, y)
    for gb in grads[1:2 * (net.n_layers - 1):2]:                    # hidden biases
        np.testing.assert_allclose(gb, 0.0, atol=1e-15)
    assert np.linalg.norm(grads[2 * net.n_layers - 1]) > 1e-3        # the output bias does learn


def test_l2_is_weight_decay_for_sgd_but_not_for_adam():
    from course_lib import optim

    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(16, 3)), rng.integers(0, 2, 16)
    lam, lr = 0.05, 0.1
    plain = MLP([3, 4, 2], seed=2)
    _, g = plain.loss_and_grads(X, y)                               # the data loss' gradient only
    W0 = [W.copy() for W in plain.weights]
    reg = nn.RegularizedMLP([3, 4, 2], seed=2, l2=lam)
    _, grads = reg.loss_and_grads(X, y)
    optim.SGD(lr).step(reg.params, grads)
    for k, W in enumerate(reg.weights):                              # SGD: W <- (1 - 2 lr lam) W - lr grad
        np.testing.assert_allclose(W, (1 - 2 * lr * lam) * W0[k] - lr * g[2 * k], rtol=1e-14, atol=1e-16)
    # Adam's first step is lr * m / (sqrt(v) + eps) with m = g, v = g^2: about lr for every weight,
    # whatever its size -- not the decay lr * 2 lam W, even when the penalty dominates the gradient
    heavy = nn.RegularizedMLP([3, 4, 2], seed=2, l2=100.0)
    _, grads = heavy.loss_and_grads(X, y)
    optim.Adam(lr).step(heavy.params, grads)
    step = np.abs(heavy.weights[0] - W0[0])
    np.testing.assert_allclose(step, lr, rtol=1e-6)
    assert np.ptp(np.abs(W0[0])) > 0.3                               # weights of very different sizes, same step


def test_regularized_mlp_inference_is_the_training_pass_with_the_moving_statistics():
    # one forward pass for both modes: with moving averages equal to one batch's statistics and no dropout,
    # inference on that batch is the training pass on it
    net = nn.RegularizedMLP([3, 6, 4, 2], hidden="sigmoid", seed=4, batchnorm=True, dropout=0.5, momentum=0.0)
    X = np.random.default_rng(6).normal(size=(20, 3)) * 2
    net.loss_and_grads(X, np.zeros(20, dtype=int))                 # momentum 0: the averages become X's statistics
    z1 = X @ net.weights[0] + net.biases[0]
    np.testing.assert_allclose(net.moving_mean[0], z1.mean(0), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(net.moving_var[0], z1.var(0), rtol=1e-13)
    train_zs = net.pre_activations(X, training=True)
    np.testing.assert_allclose(net.pre_activations(X)[0], train_zs[0], rtol=1e-12, atol=1e-14)


def test_evaluate_batch_statistics_by_hand():
    net = nn.RegularizedMLP([3, 5, 2], hidden="sigmoid", seed=7, batchnorm=True, dropout=0.5)
    net.moving_mean[0][...], net.moving_var[0][...] = 3.0, 9.0          # far from X's statistics
    rng = np.random.default_rng(9)
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 2, 40)
    z = X @ net.weights[0] + net.biases[0]
    a = 1 / (1 + np.exp(-(z - z.mean(0)) / np.sqrt(z.var(0) + 1e-3)))  # X's own statistics, no dropout
    logits = a @ net.weights[1] + net.biases[1]
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    loss, acc = net.evaluate_batch_statistics(X, y)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(40), y])), rel=1e-13)
    assert acc == np.mean(logits.argmax(1) == y)
    assert abs(net.evaluate(X, y)[0] - loss) > 1e-3                    # the moving averages give another loss
    np.testing.assert_array_equal(net.moving_mean[0], 3.0)               # and are not moved
