"""Multilayer perceptrons in numpy: activations, losses and backpropagation.

The network of the lectures, written the way the slides write it.  A layer
computes ``z = a_prev @ W + b`` and ``a = g(z)``; ``W`` has shape ``(n_in,
n_out)`` (Keras' ``Dense`` convention, the transpose of the ``W a`` of most
slides) so that a batch of samples is a matrix of rows.  Backpropagation runs
the chain rule from the output back::

    dz_L = dLoss/dz_L                       (loss and output activation, below)
    dW_l = a_{l-1}^T @ dz_l,   db_l = sum over samples of dz_l
    dz_{l-1} = (dz_l @ W_l^T) * g'(z_{l-1})

The middle line and the matrix product of the last are one dense layer's
backward pass, ``dense_backward``; ``g'(z_{l-1})`` is computed from the
layer's output ``a_{l-1} = g(z_{l-1})``, which the forward pass kept
(``derivative_from_output`` below).

Activations (``g`` and its derivative ``g'``)
---------------------------------------------
=============  ==============================  ===============================
name           g(z)                            g'(z), in terms of the output g
=============  ==============================  ===============================
``sigmoid``    1 / (1 + exp(-a z))             a g (1 - g)   (slope ``a``, 004)
``relu``       max(z, 0)                       1 if g > 0 else 0
``tanh``       tanh(z)                         1 - g^2
``identity``   z                               1
``softmax``    exp(z_k) / sum_j exp(z_j)       (a Jacobian; only as the output)
=============  ==============================  ===============================

``ACTIVATIONS[name]`` is an ``Activation(function, derivative,
derivative_from_output)``: ``derivative(z)`` is
``derivative_from_output(function(z))``, the one formula of the table.
ReLU's derivative at the kink ``z = 0`` is taken as 0, like TensorFlow.

Losses
------
=============================  ==========================================  ====================
loss                           per sample                                  output activation
=============================  ==========================================  ====================
``cross_entropy``              -log softmax(z)_y, integer label y          softmax
``binary_cross_entropy``       mean_k -[y log p + (1-y) log(1-p)]          sigmoid
``mse``                        mean_k (y_hat_k - y_k)^2                    any
=============================  ==========================================  ====================

Each loss function takes ``reduction``: ``"mean"`` (default) is the mean of
the per-sample losses over the batch, ``"sum"`` their sum, ``"none"`` the
per-sample losses themselves (Keras' and PyTorch's three reductions; the
per-sample loss of several outputs is their mean, as in Keras).  Each
gradient function takes ``"mean"`` or ``"sum"``; row ``i`` of the ``"sum"``
gradient is the gradient of sample ``i``'s own loss.  ``MLP`` computes its
losses and output gradients with the same formulas.

The mean squared error is the mean over samples *and* outputs of
``(y_hat - y)^2``, without a factor 1/2 (Keras' ``MeanSquaredError``; the
worked example of source ``004`` uses this form, so its gradient carries the
factor 2).  Cross-entropies are computed from the pre-activations ("logits")
with the log-sum-exp and softplus identities, so they never take the log of
0 and never overflow, and their gradients take the well-known short forms
``softmax(z) - onehot(y)`` and ``a (sigmoid(a z) - y)``.

Numerics: every activation and loss here is stable for ``|z|`` up to 1e3 and
beyond (no overflow warnings; ``tests/lib/test_nn.py`` checks it).

Accuracy
--------
A classifier (``MLP.is_classifier``: a softmax output, or a sigmoid output
with binary cross-entropy) predicts the class of largest logit (softmax) or,
for every sigmoid unit, 1 where ``sigmoid(a z) > 0.5``, that is ``z > 0``.
Its accuracy is the fraction of correct predictions: samples for softmax
(Keras' ``sparse_categorical_accuracy``), entries (sample, unit) for
sigmoid outputs (Keras' ``binary_accuracy``), where the target's label is
``y > 0.5`` (the same as Keras' for 0/1 targets; a soft target such as 0.9
counts as label 1).  ``MLP.correct_unvalidated`` decides it from the
logits, for ``MLP.accuracy`` and for the training loop alike.

The aSGD "mean effective gradient" (source ``000``) is
``MLP.loss_and_grads(..., reduction="effective")``; ``MLP.dead_units`` finds
the dead and always-on ReLU units it is about.

Initialisation, regularisation and normalisation (lecture 9)
-------------------------------------------------------------
The initialisers (``INITS``: ``zeros``, ``glorot_uniform``, ``glorot_normal``,
``he_uniform``, ``he_normal``; and ``scaled_normal(n_in, n_out, std)``)
share the signature ``(n_in, n_out, seed, dtype)``.  ``dropout_forward`` /
``dropout_backward`` (inverted dropout), ``batchnorm_forward`` /
``batchnorm_backward`` (training mode), ``batchnorm_inference`` (the moving
averages in place of the batch's statistics) and ``l2_penalty`` /
``l2_penalty_grad`` are the pieces, each written once, each with its
``*_unvalidated`` fast path that the validated function calls;
``RegularizedMLP`` is the network that trains with them, through those fast
paths (Keras' conventions: ``Dropout(rate)``, ``BatchNormalization()`` with
eps 1e-3 and momentum 0.99, ``kernel_regularizer=L2(l2)``).
``MLP.layer_activations``, ``MLP.gradient_norms`` and ``saturated_fraction``
are the per-layer diagnostics of initialisation and of vanishing and
exploding gradients.

Validated and unvalidated
-------------------------
``MLP``'s public methods validate their arguments (shapes, dtypes, finite
values, labels).  A training loop that has validated its data once, with
``MLP.as_inputs`` and ``MLP.as_targets``, calls the fast paths
``MLP.loss_and_grads_unvalidated``, ``MLP.correct_unvalidated`` and
``MLP.evaluate_unvalidated`` instead (``course_lib.train.train`` does).
Likewise ``binary_cross_entropy_from_logits_unvalidated``, its ``_grad``
and ``dense_backward_unvalidated`` are the validated functions without
their validation, for a model that validated its data once
(``course_lib.perceptron``, whose loss random search evaluates thousands of
times).

Imports numpy and ``course_lib.validation`` only (no other ``course_lib``
module: assignments that hand ``nn`` over get nothing else with it).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .validation import (describe, as_bool, as_float_array, as_choice, as_generator, as_in_interval, as_int,
                         as_nonnegative, as_positive, require_same_shape)

__all__ = [
    "count_parameters",
    "sigmoid",
    "sigmoid_derivative",
    "sigmoid_derivative_from_output",
    "relu",
    "relu_derivative",
    "relu_derivative_from_output",
    "tanh",
    "tanh_derivative",
    "tanh_derivative_from_output",
    "identity",
    "identity_derivative",
    "identity_derivative_from_output",
    "softmax",
    "softplus",
    "Activation",
    "ACTIVATIONS",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_from_logits",
    "binary_cross_entropy_from_logits_grad",
    "binary_cross_entropy_from_logits_unvalidated",
    "binary_cross_entropy_from_logits_grad_unvalidated",
    "mean_squared_error",
    "mean_squared_error_grad",
    "LOSSES",
    "dense_backward",
    "dense_backward_unvalidated",
    "dropout_forward",
    "dropout_backward",
    "dropout_mask_unvalidated",
    "batchnorm_forward",
    "batchnorm_forward_unvalidated",
    "batchnorm_backward",
    "batchnorm_backward_unvalidated",
    "batchnorm_inference",
    "batchnorm_inference_unvalidated",
    "dropout_forward_unvalidated",
    "dropout_backward_unvalidated",
    "l2_penalty",
    "l2_penalty_unvalidated",
    "l2_penalty_grad",
    "l2_penalty_grad_unvalidated",
    "saturated_fraction",
    "INITS",
    "distinct_columns",
    "zeros",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "scaled_normal",
    "UnitActivity",
    "MLP",
    "RegularizedMLP",
]


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------

def _float_like(x: np.ndarray) -> np.dtype:
    """The dtype of a derivative of ``x``: its own if floating, float64 otherwise (integer input)."""
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)


def sigmoid(z, a=1.0):
    """Logistic sigmoid with slope ``a``: ``g(z) = 1 / (1 + exp(-a z))``.

    Source ``004`` (section on the perceptron) plots it for several slopes:
    the larger ``a``, the closer it comes to the step function.  Computed as
    ``1 / (1 + e)`` for ``a z >= 0`` and ``e / (1 + e)`` otherwise, with ``e =
    exp(-|a z|) <= 1``, so it never overflows and keeps full relative
    precision in both tails.
    """
    z = np.asarray(z)
    az = a * z
    e = np.exp(-np.abs(az))
    return np.where(az >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(az.dtype, copy=False)


def sigmoid_derivative_from_output(g, a=1.0):
    """The sigmoid's derivative from its output ``g = sigmoid(z, a)``: ``a g (1 - g)``.

    Differentiate ``g = 1 / (1 + exp(-a z))``: ``g' = a exp(-a z) / (1 +
    exp(-a z))^2 = a g (1 - g)``.  Backpropagation has ``g`` from the forward
    pass, so the derivative costs two multiplications.
    """
    g = np.asarray(g)
    return a * g * (1.0 - g)


def sigmoid_derivative(z, a=1.0):
    """``g'(z) = a g(z) (1 - g(z))`` for the sigmoid of slope ``a``."""
    return sigmoid_derivative_from_output(sigmoid(z, a), a)


def relu(z):
    """Rectified linear unit ``max(z, 0)``."""
    return np.maximum(z, 0)


def relu_derivative_from_output(g):
    """ReLU's derivative from its output ``g = max(z, 0)``: 1 where ``g > 0`` (that is ``z > 0``), else 0."""
    g = np.asarray(g)
    return (g > 0).astype(_float_like(g))


def relu_derivative(z):
    """``1`` where ``z > 0``, else ``0`` (0 at the kink, as in TensorFlow)."""
    return relu_derivative_from_output(relu(z))


def tanh(z):
    """Hyperbolic tangent (``np.tanh``; saturates at -1 and 1, never overflows)."""
    return np.tanh(z)


def tanh_derivative_from_output(g):
    """tanh's derivative from its output ``g = tanh(z)``: ``1 - g^2``."""
    g = np.asarray(g)
    return 1.0 - g * g


def tanh_derivative(z):
    """``1 - tanh(z)^2``."""
    return tanh_derivative_from_output(np.tanh(z))


def identity(z):
    """The linear output ``g(z) = z`` (regression)."""
    return np.asarray(z)


def identity_derivative_from_output(g):
    """``1`` everywhere, shaped like ``g``."""
    g = np.asarray(g)
    return np.ones(g.shape, dtype=_float_like(g))


def identity_derivative(z):
    """``1`` everywhere."""
    return identity_derivative_from_output(z)


def softmax(z, axis=-1):
    """``exp(z_k) / sum_j exp(z_j)`` along ``axis``, computed as ``exp(z - max z)``.

    Subtracting the maximum changes nothing mathematically (it cancels in the
    ratio) and keeps every exponent <= 0, so nothing overflows.
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softplus(z):
    """``log(1 + exp(z))`` without overflow, computed as ``max(z, 0) + log1p(exp(-|z|))``.

    The per-sample logistic loss: ``log(1 + exp(-m))`` is ``softplus(-m)``
    for the margin ``m``, and the binary cross-entropy of a logit ``u``
    against a label ``y`` is ``softplus(u) - y u``.  Its derivative is
    ``sigmoid(z)``.  ``exp(-|z|) <= 1`` never overflows, and ``log1p`` keeps
    full precision where ``exp(-|z|)`` is tiny.
    """
    z = np.asarray(z)
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


class Activation(NamedTuple):
    """An elementwise activation: ``function(z)``, ``derivative(z)`` and ``derivative_from_output(g(z))``.

    ``derivative(z)`` is ``derivative_from_output(function(z))``; the
    network's backward pass calls ``derivative_from_output`` on the outputs
    its forward pass kept.  The sigmoid's three take the slope ``a`` as a
    second argument.
    """

    function: Callable
    derivative: Callable
    derivative_from_output: Callable


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, sigmoid_derivative, sigmoid_derivative_from_output),
    "relu": Activation(relu, relu_derivative, relu_derivative_from_output),
    "tanh": Activation(tanh, tanh_derivative, tanh_derivative_from_output),
    "identity": Activation(identity, identity_derivative, identity_derivative_from_output),
}
"""Elementwise activations by name (``Activation`` triples); ``"softmax"`` is an output only."""


# ---------------------------------------------------------------------------
# Losses and their gradients
# ---------------------------------------------------------------------------
# Each loss is written once, as two formulas on arrays that are already
# validated: its terms (one per sample for the softmax cross-entropy, one per
# sample and output otherwise) and the gradient of each sample's own loss
# with respect to that sample's row (``*_delta``).  The public functions
# validate and reduce; MLP calls the formulas on the data it validated once.

def _labels(name: str, y, n: int, n_classes: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"{name} must be a 1-D array of {n} integer class labels; got shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer class labels 0..{n_classes - 1}; got {describe(y)}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = y[(y < 0) | (y >= n_classes)][0]
        raise ValueError(
            f"{name} must hold class labels in 0..{n_classes - 1} (the output layer has {n_classes} "
            f"units); found the label {int(bad)}"
        )
    return y


def _logits(name: str, z) -> np.ndarray:
    z = as_float_array(name, z, allow_scalar=False)
    if z.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples, outputs); got shape {z.shape}")
    if z.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample; got shape {z.shape}")
    return z


def _targets(name: str, y, like: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 1 and like.shape[1] == 1:
        y = y[:, None]
    if y.shape != like.shape:
        raise ValueError(f"{name} must have the shape of the predictions, {like.shape}; got {y.shape}")
    if not (np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.integer)):
        raise TypeError(f"{name} must be numeric; got {describe(y)}")
    y = y.astype(like.dtype, copy=False)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} must contain only finite values")
    return y


_LOSS_REDUCTIONS = ("mean", "sum", "none")
_GRAD_REDUCTIONS = ("mean", "sum")


def _reduce(terms: np.ndarray, reduction: str):
    """The per-sample losses (``"none"``; the mean over outputs of 2-D terms), their mean or their sum."""
    per_sample = _mean_over_outputs(terms) if terms.ndim == 2 else terms
    if reduction == "none":
        return per_sample
    return float(np.mean(per_sample) if reduction == "mean" else np.sum(per_sample))


def _mean_over_outputs(terms: np.ndarray) -> np.ndarray:
    """Per-sample losses from per-output terms ``(..., n, K)``: their mean over the last axis (of one output, itself)."""
    return terms[..., 0] if terms.shape[-1] == 1 else terms.mean(axis=-1)  # the same numbers; the first is faster


def _mean_over_samples(per_sample: np.ndarray):
    """The mean loss: a float for ``(n,)`` per-sample losses, one mean per network for a stack ``(K, n)``."""
    return float(np.mean(per_sample)) if per_sample.ndim == 1 else per_sample.mean(axis=-1)


def _reduce_delta(delta: np.ndarray, reduction: str) -> np.ndarray:
    """Per-sample gradient rows -> the gradient of the mean (rows / n) or of the sum (as they are), in place."""
    if reduction == "mean":
        delta *= 1.0 / delta.shape[-2]
    return delta


# The loss formulas below work on the last two axes, (samples, outputs), and treat any axes before them
# as a stack of independent networks (course_lib.batched trains K networks at once with these same lines).
def _log_sum_exp(z: np.ndarray) -> np.ndarray:
    top = z.max(axis=-1)
    return np.log(np.exp(z - top[..., None]).sum(axis=-1)) + top


def _softmax_cross_entropy_terms(z, y):
    z_y = np.take_along_axis(z, y[..., None], axis=-1)[..., 0]
    return _log_sum_exp(z) - z_y                                       # -log softmax(z)_y = lse(z) - z_y


def _softmax_cross_entropy_delta(z, y):
    d = softmax(z, axis=-1)
    at_y = y[..., None]
    np.put_along_axis(d, at_y, np.take_along_axis(d, at_y, axis=-1) - 1, axis=-1)  # softmax(z) - onehot(y)
    return d


def _binary_cross_entropy_terms(p, y):
    with np.errstate(divide="ignore", invalid="ignore"):               # log 0 = -inf, honestly
        return -(np.where(y > 0, y * np.log(p), 0) + np.where(y < 1, (1 - y) * np.log1p(-p), 0))


def _binary_cross_entropy_delta(p, y):
    return (p - y) / (p * (1 - p)) / p.shape[-1]                        # d/dp of mean_k: (p - y) / (p (1 - p)) / K


def _binary_cross_entropy_from_logits_terms(z, y, a):
    u = a * z
    return softplus(u) - y * u                                         # softplus(u) - y u, u = a z


def _binary_cross_entropy_from_logits_delta(z, y, a):
    return (a / z.shape[-1]) * (sigmoid(z, a) - y)                      # d/dz of mean_k: a (sigmoid(a z) - y) / K


def _mean_squared_error_terms(y_hat, y):
    return (y_hat - y) ** 2


def _mean_squared_error_delta(y_hat, y):
    return (2 / y_hat.shape[-1]) * (y_hat - y)                          # d/dy_hat of mean_k: 2 (y_hat - y) / K


def softmax_cross_entropy(logits, labels, reduction="mean"):
    """``-log softmax(z)_y = logsumexp(z) - z_y`` per sample; by default their mean.

    Parameters
    ----------
    logits : float array (n, K)
        Pre-activations ``z`` of the softmax output layer.
    labels : int array (n,)
        Class labels in ``0..K-1`` (Keras' "sparse" categorical cross-entropy).
    reduction : {"mean", "sum", "none"}, default "mean"
        A float (the mean or the sum over samples) or, for ``"none"``, the
        array of the ``n`` per-sample losses.
    """
    reduction = as_choice("reduction", reduction, _LOSS_REDUCTIONS)
    z = _logits("logits", logits)
    y = _labels("labels", labels, z.shape[0], z.shape[1])
    return _reduce(_softmax_cross_entropy_terms(z, y), reduction)


def softmax_cross_entropy_grad(logits, labels, reduction="mean") -> np.ndarray:
    """Gradient of ``softmax_cross_entropy`` w.r.t. the logits: ``(softmax(z) - onehot(y)) / n`` for the mean.

    ``reduction="sum"``: ``softmax(z) - onehot(y)`` (row ``i`` is the
    gradient of sample ``i``'s loss).
    """
    reduction = as_choice("reduction", reduction, _GRAD_REDUCTIONS)
    z = _logits("logits", logits)
    y = _labels("labels", labels, z.shape[0], z.shape[1])
    return _reduce_delta(_softmax_cross_entropy_delta(z, y), reduction)


def binary_cross_entropy(p, y, reduction="mean"):
    """``mean_k -[y log p + (1 - y) log(1 - p)]`` per sample (mean over outputs); by default their mean.

    ``p`` are probabilities (sigmoid outputs).  ``p = 0`` or ``1`` against the
    other label gives ``inf``, honestly (no clipping, unlike Keras which clips
    to ``[1e-7, 1 - 1e-7]``); training uses the stable
    ``binary_cross_entropy_from_logits`` instead.  ``reduction`` as in
    ``softmax_cross_entropy``.
    """
    reduction = as_choice("reduction", reduction, _LOSS_REDUCTIONS)
    p = _logits("p", p)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p must hold probabilities in [0, 1]")
    y = _targets("y", y, p)
    return _reduce(_binary_cross_entropy_terms(p, y), reduction)


def binary_cross_entropy_grad(p, y, reduction="mean") -> np.ndarray:
    """Gradient of ``binary_cross_entropy`` w.r.t. ``p``: ``(p - y) / (p (1 - p)) / (n K)`` for the mean.

    ``reduction="sum"``: without the ``1/n``.
    """
    reduction = as_choice("reduction", reduction, _GRAD_REDUCTIONS)
    p = _logits("p", p)
    y = _targets("y", y, p)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("p must lie strictly inside (0, 1) for the gradient to be finite")
    return _reduce_delta(_binary_cross_entropy_delta(p, y), reduction)


def binary_cross_entropy_from_logits(logits, y, a=1.0, reduction="mean"):
    """``binary_cross_entropy(sigmoid(logits, a), y, reduction)`` computed stably.

    With ``u = a z``: ``-[y log s(u) + (1 - y) log(1 - s(u))] = softplus(u) -
    y u``, and ``softplus(u) = max(u, 0) + log1p(exp(-|u|))`` never overflows.
    """
    reduction = as_choice("reduction", reduction, _LOSS_REDUCTIONS)
    a = as_positive("a", a)
    z = _logits("logits", logits)
    y = _targets("y", y, z)
    return binary_cross_entropy_from_logits_unvalidated(z, y, a, reduction)


def binary_cross_entropy_from_logits_unvalidated(logits, y, a=1.0, reduction="mean"):
    """``binary_cross_entropy_from_logits`` without validating its arguments: the fast path of a model's loop.

    ``logits`` must be a 2-D float array (n, K) with n >= 1, ``y`` a float
    array of the same shape, ``a > 0`` and ``reduction`` one of "mean",
    "sum", "none": what the validated function converts its arguments to.
    Anything else gives wrong numbers or an obscure numpy error.  The same
    formula, ``softplus(a z) - y a z`` per entry, and the same numbers.
    """
    return _reduce(_binary_cross_entropy_from_logits_terms(logits, y, a), reduction)


def binary_cross_entropy_from_logits_grad(logits, y, a=1.0, reduction="mean") -> np.ndarray:
    """Gradient w.r.t. the logits: ``a (sigmoid(a z) - y) / (n K)`` for the mean (``"sum"``: without ``1/n``)."""
    reduction = as_choice("reduction", reduction, _GRAD_REDUCTIONS)
    a = as_positive("a", a)
    z = _logits("logits", logits)
    y = _targets("y", y, z)
    return binary_cross_entropy_from_logits_grad_unvalidated(z, y, a, reduction)


def binary_cross_entropy_from_logits_grad_unvalidated(logits, y, a=1.0, reduction="mean") -> np.ndarray:
    """``binary_cross_entropy_from_logits_grad`` without validating its arguments (as its loss's ``_unvalidated``).

    ``reduction`` must be "mean" or "sum".  A new array, ``a (sigmoid(a z) - y) / K``, divided by ``n`` for the mean.
    """
    return _reduce_delta(_binary_cross_entropy_from_logits_delta(logits, y, a), reduction)


def mean_squared_error(y_hat, y, reduction="mean"):
    """``mean_k (y_hat_k - y_k)^2`` per sample (no factor 1/2); by default their mean over samples."""
    reduction = as_choice("reduction", reduction, _LOSS_REDUCTIONS)
    y_hat = _logits("y_hat", y_hat)
    y = _targets("y", y, y_hat)
    return _reduce(_mean_squared_error_terms(y_hat, y), reduction)


def mean_squared_error_grad(y_hat, y, reduction="mean") -> np.ndarray:
    """Gradient of ``mean_squared_error`` w.r.t. ``y_hat``: ``2 (y_hat - y) / (n K)`` for the mean."""
    reduction = as_choice("reduction", reduction, _GRAD_REDUCTIONS)
    y_hat = _logits("y_hat", y_hat)
    y = _targets("y", y, y_hat)
    return _reduce_delta(_mean_squared_error_delta(y_hat, y), reduction)


LOSSES = ("cross_entropy", "binary_cross_entropy", "mse")
"""Loss names accepted by ``MLP``; ``"mse"`` is ``mean_squared_error``."""

_DEFAULT_LOSS = {"softmax": "cross_entropy", "sigmoid": "binary_cross_entropy"}


# ---------------------------------------------------------------------------
# A dense layer's backward pass
# ---------------------------------------------------------------------------

def dense_backward_unvalidated(dZ, X, W, input_gradient=True, bias=True):
    """``dense_backward`` without validating its arguments, and without the results a caller does not need.

    ``(dX, dW, db)`` as ``dense_backward`` returns them, for arrays of the
    shapes it validates; ``dX`` is None when ``input_gradient`` is False (the
    first layer: nothing flows below it) and ``db`` None when ``bias`` is
    False (a layer without bias, or one whose bias is a constant input
    column, as ``course_lib.perceptron``'s).  ``MLP``'s backward pass runs
    it on every layer.
    """
    dX = dZ @ _transpose(W) if input_gradient else None                # dX = dZ W^T
    db = _sum_over_samples(dZ) if bias else None                       # db = sum_n dZ
    return dX, _transpose(X) @ dZ, db                                  # dW = X^T dZ


def _sum_over_samples(d: np.ndarray) -> np.ndarray:
    """The column sums of ``(n, m)`` rows, ``1^T d`` (shape ``(m,)``); of a stack ``(K, n, m)``, each one's, as ``(K, 1, m)``.

    Taken as a matrix product with a row of ones: numpy gives every matrix of
    a stack the bits of its own product, so a network's bias gradient is the
    same alone and stacked (``np.sum`` over the middle axis of a stack adds
    in another order; tests/lib/test_batched.py compares the bits).
    """
    s = _ones(d.shape[-2], d.dtype) @ d
    return s if d.ndim == 2 else s[..., None, :]


_ZEROS: dict = {}
_ZEROS_MAX_BYTES = 2**21


def zeros_like_cached(z: np.ndarray):
    """A read-only array of zeros with ``z``'s shape, layout and dtype, kept for the next call (up to 2 MiB each).

    ``np.maximum(z, zeros)`` is ReLU with the bits of ``np.maximum(z, 0)``
    (NaN stays NaN, -0.0 becomes 0.0), but numpy vectorises only the
    array-array form (``MLP``'s forward pass uses it).  Larger arrays get
    the scalar 0; at most 8 arrays are kept (16 MiB), all dropped when a
    ninth shape comes.
    """
    key = (z.shape, z.strides, z.dtype)
    zeros = _ZEROS.get(key)
    if zeros is None:
        if z.nbytes > _ZEROS_MAX_BYTES:
            return 0
        if len(_ZEROS) >= 8:
            _ZEROS.clear()
        zeros = np.zeros_like(z)
        zeros.flags.writeable = False
        _ZEROS[key] = zeros
    return zeros


_ONES: dict = {}


def _ones(n: int, dtype) -> np.ndarray:
    """A read-only vector of ``n`` ones (kept: every step of a loop sums batches of the same size)."""
    key = (n, np.dtype(dtype))
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) > 64:
            _ONES.clear()
        ones = np.ones(n, dtype=dtype)
        ones.flags.writeable = False
        _ONES[key] = ones
    return ones


def _transpose(a: np.ndarray) -> np.ndarray:
    """``a.T`` of a matrix; of a stack of matrices ``(K, n, m)``, each one's transpose (a view)."""
    return a.swapaxes(-1, -2)


def dense_backward(dZ, X, W):
    """The backward pass of a dense layer ``Z = X W + b``: ``(dX, dW, db)`` from ``dZ = dLoss/dZ``.

    ::

        dX = dZ @ W.T          (n, n_in):  what flows on to the layer below
        dW = X.T @ dZ          (n_in, n_out)
        db = dZ.sum(axis=0)    (n_out,):   b is added to every sample's row

    Every entry of ``Z[n, j] = sum_i X[n, i] W[i, j] + b[j]`` is linear in
    ``X``, ``W`` and ``b``, so the chain rule gives these sums over ``j``,
    ``n`` and ``n`` (source ``004``'s backpropagation, in the matrix form of
    a batch).  ``MLP``'s backward pass runs this formula on every layer.

    Parameters
    ----------
    dZ : float array (n, n_out)
    X : float array (n, n_in)
        The layer's input (the previous layer's activations).
    W : float array (n_in, n_out)
    """
    dZ = as_float_array("dZ", dZ, allow_scalar=False)
    X = as_float_array("X", X, allow_scalar=False)
    W = as_float_array("W", W, allow_scalar=False)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D array (n_in, n_out); got shape {W.shape}")
    n_in, n_out = W.shape
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"X must be a 2-D array (samples, {n_in}) for W of shape {W.shape}; got shape {X.shape}")
    if dZ.shape != (X.shape[0], n_out):
        raise ValueError(f"dZ must have shape ({X.shape[0]}, {n_out}), one row per sample of X and one column "
                         f"per output of W; got shape {dZ.shape}")
    return dense_backward_unvalidated(dZ, X, W)


# ---------------------------------------------------------------------------
# Regularisation and normalisation: dropout, batch normalisation, L2
# ---------------------------------------------------------------------------

def dropout_forward(a, rate, rng):
    """Inverted dropout in training mode: ``(out, mask)`` with ``out = a * mask``.

    Rule (Srivastava et al. 2014, "Dropout", with the rescaling moved to
    training time, as Keras' ``Dropout`` layer does in training): every
    entry is kept with probability ``1 - rate`` and the kept ones are scaled
    by ``1 / (1 - rate)``, so the expected output equals the input and
    inference is the identity (a network in inference mode skips dropout:
    no mask and no scaling; the paper instead keeps training unscaled and
    multiplies the weights by its retention probability ``p`` at test time,
    which gives the same expected activations)::

        u = rng.random(a.shape)                 # exactly one draw, U[0, 1)
        mask = (u >= rate) / (1 - rate)         # 0 or 1 / (1 - rate)
        out = a * mask

    Parameters
    ----------
    a : float array, any shape
        A layer's activations.
    rate : float in [0, 1)
        The probability of dropping a unit (Keras' ``rate``; the paper's
        retention probability is ``p = 1 - rate``).  ``rate = 0`` keeps
        everything (the draw is still made, so the stream advances alike).
    rng : int or numpy Generator
        ``validation.as_generator``: an int gives the same mask every time,
        a Generator draws a new one and advances.

    Returns
    -------
    out, mask : arrays shaped like ``a``, of ``a``'s dtype
        ``mask`` is what ``dropout_backward`` multiplies the gradient by.
    """
    a = as_float_array("a", a)
    rate = as_in_interval("rate", rate, 0.0, 1.0, closed="left")
    return dropout_forward_unvalidated(a, rate, as_generator("rng", rng))


def dropout_forward_unvalidated(a, rate, rng):
    """``dropout_forward`` without validation (float ``a``, ``rate`` in [0, 1), ``rng`` a Generator): ``(out, mask)``.

    ``RegularizedMLP``'s training pass calls it on every hidden layer.
    """
    mask = dropout_mask_unvalidated(a.shape, rate, rng, a.dtype)
    return a * mask, mask                                            # out = a * mask


def dropout_mask_unvalidated(shape, rate, rng, dtype=np.float64) -> np.ndarray:
    """``dropout_forward``'s mask without validation: ``(rng.random(shape) >= rate) / (1 - rate)`` in ``dtype``.

    ``rate`` in [0, 1) and ``rng`` a Generator; ``dropout_forward_unvalidated`` draws with it.
    """
    return ((rng.random(shape) >= rate) / (1.0 - rate)).astype(dtype, copy=False)


def dropout_backward_unvalidated(grad_out, mask, out=None) -> np.ndarray:
    """``dropout_backward`` without validation; ``out=`` writes the product in place (``RegularizedMLP``'s backward pass)."""
    return np.multiply(grad_out, mask, out=out)                      # grad_out * mask


def dropout_backward(grad_out, mask) -> np.ndarray:
    """The gradient through inverted dropout: ``grad_out * mask`` (``out = a * mask`` is linear in ``a``)."""
    grad_out = as_float_array("grad_out", grad_out)
    mask = as_float_array("mask", mask)
    require_same_shape("mask", mask, "grad_out", grad_out)
    return dropout_backward_unvalidated(grad_out, mask)


def _batchnorm_inputs(z, gamma, beta):
    z = as_float_array("z", z, allow_scalar=False)
    if z.ndim != 2 or z.shape[0] == 0:
        raise ValueError(f"z must be a 2-D array (samples, units) with at least one sample; got shape {z.shape}")
    gamma = as_float_array("gamma", gamma, allow_scalar=False)
    beta = as_float_array("beta", beta, allow_scalar=False)
    if gamma.shape != (z.shape[1],):
        raise ValueError(f"gamma must have shape ({z.shape[1]},), one scale per unit of z; got {gamma.shape}")
    if beta.shape != (z.shape[1],):
        raise ValueError(f"beta must have shape ({z.shape[1]},), one shift per unit of z; got {beta.shape}")
    return z, gamma, beta


def batchnorm_forward_unvalidated(z, gamma, beta, eps=1e-3):
    """``batchnorm_forward`` without validating its arguments (2-D float ``z``, ``gamma`` and ``beta`` (k,), eps > 0).

    Also returns the batch mean and biased variance: ``(out, cache, mu, var)``
    (a network keeps moving averages of them for inference).
    """
    mu = z.mean(axis=0)
    var = z.var(axis=0)                                                # biased: the mean of (z - mu)^2
    inv_std = 1.0 / np.sqrt(var + eps)
    z_hat = (z - mu) * inv_std
    return gamma * z_hat + beta, (z_hat, inv_std, gamma), mu, var


def batchnorm_forward(z, gamma, beta, eps=1e-3):
    """Batch normalisation in training mode: ``(out, cache)``.

    Rule (Ioffe & Szegedy 2015, Algorithm 1), per unit (column) over the
    batch (axis 0, ``n`` samples)::

        mu = mean(z)             var = mean((z - mu)^2)       (biased, 1/n)
        z_hat = (z - mu) / sqrt(var + eps)
        out = gamma * z_hat + beta

    Every unit's pre-activations have mean ``beta`` and standard deviation
    about ``|gamma|`` over the batch, whatever the weights below did.

    Parameters
    ----------
    z : float array (n, k)
        Pre-activations of a layer for a batch.
    gamma, beta : float arrays (k,)
        The learned scale and shift (Keras starts them at 1 and 0).
    eps : float > 0, default 1e-3
        Keras' ``BatchNormalization`` default (PyTorch's ``BatchNorm1d``
        uses 1e-5; the paper leaves it open).

    Returns
    -------
    out : (n, k)
    cache : ``(z_hat, inv_std, gamma)``, with ``inv_std = 1 / sqrt(var + eps)``
        What ``batchnorm_backward`` needs.
    """
    z, gamma, beta = _batchnorm_inputs(z, gamma, beta)
    eps = as_positive("eps", eps)
    out, cache, _, _ = batchnorm_forward_unvalidated(z, gamma, beta, eps)
    return out, cache


def batchnorm_backward_unvalidated(grad_out, cache):
    """``batchnorm_backward`` without validating its arguments."""
    z_hat, inv_std, gamma = cache
    g = grad_out
    n = g.shape[0]
    dbeta = g.sum(axis=0)
    dgamma = (g * z_hat).sum(axis=0)
    dz = (gamma * inv_std / n) * (n * g - dbeta - z_hat * dgamma)
    return dz, dgamma, dbeta


def batchnorm_backward(grad_out, cache):
    """The backward pass of ``batchnorm_forward``: ``(dz, dgamma, dbeta)`` from ``g = dLoss/d out``.

    ::

        dbeta  = sum_n g
        dgamma = sum_n g * z_hat
        dz     = gamma * inv_std / n * (n g - sum_n g - z_hat * sum_n (g * z_hat))

    Derivation (Ioffe & Szegedy 2015, section 3, written in closed form):
    ``d z_hat = gamma g``; ``z_hat`` depends on ``z`` directly and through
    ``mu`` and ``var``, and ``d mu / dz_i = 1/n``, ``d var / dz_i = 2 (z_i -
    mu) / n``; collecting the three paths gives the last line.  Its columns
    sum to 0 and are orthogonal to ``z_hat``: shifting or scaling a unit's
    ``z`` over the batch changes nothing after normalisation.

    ``cache`` is what ``batchnorm_forward`` returned with the output.
    """
    if not (isinstance(cache, tuple) and len(cache) == 3):
        raise TypeError(f"cache must be the (z_hat, inv_std, gamma) tuple batchnorm_forward returns; "
                        f"got {describe(cache)}")
    z_hat = as_float_array("cache[0] (z_hat)", cache[0], allow_scalar=False)
    grad_out = as_float_array("grad_out", grad_out, allow_scalar=False)
    require_same_shape("z_hat", z_hat, "grad_out", grad_out)
    return batchnorm_backward_unvalidated(grad_out, cache)


def batchnorm_inference_unvalidated(z, moving_mean, moving_var, gamma, beta, eps=1e-3):
    """``batchnorm_inference`` without validating its arguments (what ``RegularizedMLP``'s inference pass calls)."""
    return gamma * (z - moving_mean) / np.sqrt(moving_var + eps) + beta


def batchnorm_inference(z, moving_mean, moving_var, gamma, beta, eps=1e-3):
    """Batch normalisation in inference mode: ``gamma * (z - moving_mean) / sqrt(moving_var + eps) + beta``.

    At test time (Ioffe & Szegedy 2015, Algorithm 2; Keras'
    ``BatchNormalization`` called with ``training=False``) the batch's own
    mean and variance are replaced by the averages collected in training,
    so a sample's output no longer depends on the other samples of its
    batch: the layer is a fixed affine map per unit.  Keras collects them
    as exponential moving averages (``optim.ema`` with its ``momentum``,
    default 0.99, of the batch mean and of the *biased* batch variance;
    they start at 0 and 1); the paper uses the unbiased variance of the
    population.

    Parameters
    ----------
    z : float array (n, k)
    moving_mean, moving_var, gamma, beta : float arrays (k,)
    eps : float > 0, default 1e-3 (Keras)
    """
    z, gamma, beta = _batchnorm_inputs(z, gamma, beta)
    moving_mean = as_float_array("moving_mean", moving_mean, allow_scalar=False)
    moving_var = as_float_array("moving_var", moving_var, allow_scalar=False)
    for name, v in (("moving_mean", moving_mean), ("moving_var", moving_var)):
        if v.shape != (z.shape[1],):
            raise ValueError(f"{name} must have shape ({z.shape[1]},), one value per unit of z; got {v.shape}")
    if np.any(moving_var < 0):
        raise ValueError("moving_var must be >= 0 (a variance)")
    eps = as_positive("eps", eps)
    return batchnorm_inference_unvalidated(z, moving_mean, moving_var, gamma, beta, eps)


def _weight_list(weights) -> list:
    if isinstance(weights, np.ndarray) or not hasattr(weights, "__len__"):
        raise TypeError(f"weights must be a list of weight arrays (e.g. net.weights); got {describe(weights)}")
    return [as_float_array(f"weights[{i}]", W) for i, W in enumerate(weights)]


def l2_penalty(weights, lam) -> float:
    """``lam * sum over W of sum(W**2)``: the L2 penalty added to the loss (weight decay).

    Keras' convention: ``regularizers.L2(l2=lam)`` on a layer's kernel adds
    ``lam * sum(W**2)`` to the loss -- no factor 1/2 and no division by the
    number of samples (source ``000``'s regularised logistic regression,
    eq. 15, writes ``lambda ||w||^2`` alike; the ``lambda/2 ||W||^2`` of
    many textbooks is this with ``lam = lambda/2``).  Pass the weight
    matrices only (``MLP.weights``): biases are not penalised, as in Keras'
    ``kernel_regularizer`` and Goodfellow et al. (2016), section 7.1.

    Parameters
    ----------
    weights : list of float arrays
    lam : float >= 0
    """
    weights = _weight_list(weights)
    lam = as_nonnegative("lam", lam)
    return l2_penalty_unvalidated(weights, lam)


def l2_penalty_unvalidated(weights, lam) -> float:
    """``l2_penalty`` without validation (a list of float arrays, ``lam >= 0``): ``RegularizedMLP``'s loss adds it."""
    return float(lam * sum(float(np.sum(W * W)) for W in weights))     # lam sum W^2


def l2_penalty_grad(weights, lam) -> list:
    """The gradient of ``l2_penalty``: ``[2 * lam * W for W in weights]``.

    Added to the loss gradient, one SGD step becomes ``W <- (1 - 2 lr lam) W
    - lr grad``: the weights shrink by a constant factor every step, hence
    "weight decay".  That equivalence is SGD's only: an adaptive optimizer
    (Adam, RMSprop) divides the penalty's gradient by its running scale
    like any other gradient, so the shrinking is no longer proportional to
    ``W`` (Adam's first step moves every weight by about ``lr`` whatever
    its size); AdamW (Loshchilov & Hutter 2019) decouples the decay from
    the gradient to get it back.
    """
    weights = _weight_list(weights)
    lam = as_nonnegative("lam", lam)
    return [l2_penalty_grad_unvalidated(W, lam) for W in weights]


def l2_penalty_grad_unvalidated(W, lam) -> np.ndarray:
    """``2 lam W``: the gradient of ``lam * sum(W**2)`` for one float array, without validation.

    ``RegularizedMLP`` adds it to each weight gradient.
    """
    return 2.0 * lam * W                                               # 2 lam W


# ---------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------

def _fan(n_in, n_out) -> tuple[int, int]:
    return as_int("n_in", n_in, minimum=1), as_int("n_out", n_out, minimum=1)


def glorot_uniform(n_in: int, n_out: int, seed=0, dtype=np.float64) -> np.ndarray:
    """``U(-r, r)`` with ``r = sqrt(6 / (n_in + n_out))`` (Glorot & Bengio 2010, eq. 16; Keras' default).

    Variance ``r^2 / 3 = 2 / (n_in + n_out)``, derived for an activation
    symmetric about 0 with slope 1 there (tanh near 0; not the sigmoid, of
    mean 1/2 and slope 1/4 at 0).  A weight matrix of shape ``(n_in, n_out)``.  ``seed``: an int or a
    numpy Generator (``validation.as_generator``; a Generator advances).
    """
    n_in, n_out = _fan(n_in, n_out)
    r = np.sqrt(6.0 / (n_in + n_out))
    return as_generator("seed", seed).uniform(-r, r, (n_in, n_out)).astype(dtype, copy=False)


def he_uniform(n_in: int, n_out: int, seed=0, dtype=np.float64) -> np.ndarray:
    """``U(-r, r)`` with ``r = sqrt(6 / n_in)`` (He et al. 2015; Keras' ``HeUniform``); ``seed`` as ``glorot_uniform``."""
    n_in, n_out = _fan(n_in, n_out)
    r = np.sqrt(6.0 / n_in)
    return as_generator("seed", seed).uniform(-r, r, (n_in, n_out)).astype(dtype, copy=False)


def he_normal(n_in: int, n_out: int, seed=0, dtype=np.float64) -> np.ndarray:
    """``N(0, 2 / n_in)`` (He et al. 2015, eq. 10, derived for ReLU); ``seed`` as ``glorot_uniform``.

    A ReLU passes on half of its symmetric input's mean square, ``E[a^2] =
    Var(z) / 2``, so keeping ``Var(z)`` from layer to layer needs ``n_in
    Var(w) / 2 = 1``.

    Keras' ``HeNormal`` draws from a normal *truncated* at two standard
    deviations and rescaled; this is the plain normal of the paper.
    """
    n_in, n_out = _fan(n_in, n_out)
    return as_generator("seed", seed).normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)).astype(dtype, copy=False)


def distinct_columns(W, tol: float = 0.0) -> int:
    """How many different units a weight matrix ``(n_in, n_out)`` holds: its distinct columns.

    Columns ``j`` and ``k`` count as one when ``max_i |W[i, j] - W[i, k]| <=
    tol`` (grouped greedily, each column joining the first group whose
    first member it matches).  A network started from ``zeros`` keeps every
    column of a layer equal however long it trains (the symmetry a random
    start breaks): 1 distinct column instead of ``n_out``.
    """
    W = as_float_array("W", W, allow_scalar=False)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D weight matrix (n_in, n_out); got shape {W.shape}")
    tol = as_nonnegative("tol", tol)
    leaders = []
    for j in range(W.shape[1]):
        if not any(np.max(np.abs(W[:, j] - W[:, k])) <= tol for k in leaders):
            leaders.append(j)
    return len(leaders)


def saturated_fraction(a, activation: str, threshold: float = 0.99) -> float:
    """The share of entries of a layer's activations ``a`` where the unit's slope is (nearly) 0.

    From the activation's output, as ``*_derivative_from_output``:

    * ``"tanh"``: ``|a| > threshold`` (the slope ``1 - a^2`` is below
      ``1 - threshold^2``, 0.0199 at the default);
    * ``"sigmoid"``: ``a < 1 - threshold`` or ``a > threshold`` (the slope
      ``g (1 - g)`` is below ``threshold (1 - threshold)``, 0.0099; times the
      slope ``a`` of source ``004``'s sigmoid);
    * ``"relu"``: ``a <= 0``, the unit is off (slope exactly 0; a ReLU does
      not saturate for large inputs).

    The measure of lecture 9's initialisation figure (Glorot & Bengio 2010,
    section 3, follow the saturation of sigmoid and tanh layers).
    """
    a = as_float_array("a", a)
    activation = as_choice("activation", activation, ("tanh", "sigmoid", "relu"))
    threshold = as_in_interval("threshold", threshold, 0.5, 1.0, closed="neither")
    if activation == "tanh":
        return float(np.mean(np.abs(a) > threshold))
    if activation == "sigmoid":
        return float(np.mean((a < 1.0 - threshold) | (a > threshold)))
    return float(np.mean(a <= 0))


def zeros(n_in: int, n_out: int, seed=0, dtype=np.float64) -> np.ndarray:
    """All weights 0: the initialisation that cannot learn (``seed`` accepted and validated, unused).

    Every unit of a layer then computes the same function and receives the
    same gradient, so the units stay identical forever (the symmetry that
    random initialisation breaks; Goodfellow et al. 2016, section 8.4).  With
    zero weights *and* biases a ReLU or tanh network's hidden activations
    and its weight gradients are exactly 0: only the output bias learns.
    """
    n_in, n_out = _fan(n_in, n_out)
    as_generator("seed", seed)
    return np.zeros((n_in, n_out), dtype=dtype)


def glorot_normal(n_in: int, n_out: int, seed=0, dtype=np.float64) -> np.ndarray:
    """``N(0, 2 / (n_in + n_out))``: Glorot & Bengio's (2010) variance with a plain normal; ``seed`` as ``glorot_uniform``.

    The variance ``2 / (n_in + n_out)`` is the compromise of Glorot &
    Bengio's eq. 12 between keeping the forward (``1/n_in``) and the backward
    (``1/n_out``) variance.  Keras' ``GlorotNormal`` draws from a normal
    *truncated* at two standard deviations, with the standard deviation
    raised by 1/0.8796 so that the variance is the same; this is the plain
    normal (no weight beyond 2 std is refused), as ``he_normal``.
    """
    n_in, n_out = _fan(n_in, n_out)
    std = np.sqrt(2.0 / (n_in + n_out))
    return as_generator("seed", seed).normal(0.0, std, (n_in, n_out)).astype(dtype, copy=False)


def scaled_normal(n_in: int, n_out: int, std, seed=0, dtype=np.float64) -> np.ndarray:
    """``N(0, std^2)`` whatever the layer's size: the "too small" and "too large" initialisations.

    With ``std`` far below ``1 / sqrt(n_in)`` every layer shrinks its input
    (activations and gradients vanish with depth); far above, tanh and
    sigmoid units saturate and ReLU activations grow layer after layer.
    ``MLP(init=functools.partial(scaled_normal, std=0.01))`` selects it.
    ``seed`` as ``glorot_uniform``.
    """
    n_in, n_out = _fan(n_in, n_out)
    std = as_positive("std", std)
    return as_generator("seed", seed).normal(0.0, std, (n_in, n_out)).astype(dtype, copy=False)


INITS = {"glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal, "he_uniform": he_uniform,
         "he_normal": he_normal, "zeros": zeros}
"""Weight initialisations by name, each ``init(n_in, n_out, seed, dtype)``; biases always start at 0 (Keras' default).

``scaled_normal`` takes a ``std`` as well, so it is not here: pass
``functools.partial(scaled_normal, std=...)`` as ``MLP``'s ``init``.
"""


# ---------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------

class UnitActivity(NamedTuple):
    """Which units of one hidden layer are dead or always on over a data set.

    ``dead[j]``: unit ``j``'s ReLU is off (``z <= 0``) on every sample -- its
    output is constantly 0 and no gradient flows through it.  ``always_on[j]``:
    its ReLU is on (``z > 0``) on every sample -- it acts as a linear unit.
    Source ``000`` calls both "dummy" nodes.
    """

    dead: np.ndarray
    always_on: np.ndarray

    @property
    def n_dead(self) -> int:
        return int(self.dead.sum())

    @property
    def n_always_on(self) -> int:
        return int(self.always_on.sum())


CHUNK_ROWS = 8192
"""Samples per forward pass of ``predict``, ``accuracy``, ``evaluate`` and ``dead_units`` (and ``batched``'s evaluations)."""


def count_parameters(sizes, bias: bool = True) -> int:
    """The number of parameters of ``MLP(sizes, bias=bias)``: ``sum_l n_{l-1} n_l`` weights, plus ``n_l`` biases.

    Computed from the sizes alone, before anything is allocated (the grader
    refuses a network too large to rebuild with it).
    """
    sizes = [as_int(f"sizes[{i}]", n, minimum=1) for i, n in enumerate(sizes)]
    bias = as_bool("bias", bias)
    return sum(n_in * n_out + (n_out if bias else 0) for n_in, n_out in zip(sizes, sizes[1:]))


class MLP:
    """A fully connected network trained by backpropagation.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``[784, 300, 100, 100, 10]``.
    hidden : {"relu", "sigmoid", "tanh", "identity"}, default "relu"
        Activation of every hidden layer.
    output : {"softmax", "sigmoid", "identity", "relu", "tanh"}, default "softmax"
    loss : {"cross_entropy", "binary_cross_entropy", "mse"} or None
        None picks the natural pair: cross-entropy for softmax, binary
        cross-entropy for sigmoid, mse otherwise.  Cross-entropy needs a
        softmax output, binary cross-entropy a sigmoid output.
    init : name or callable, default "glorot_uniform"
        A name of ``INITS`` ("glorot_uniform", "glorot_normal", "he_uniform",
        "he_normal", "zeros"), or a callable ``init(n_in, n_out, seed=,
        dtype=)`` returning the ``(n_in, n_out)`` matrix, e.g.
        ``functools.partial(scaled_normal, std=0.01)``.  It is called with
        one Generator, layer after layer.
    bias : bool, default True
        Without biases ``params`` is ``[W1, W2, ...]``.
    seed : int or numpy Generator, default 0
        Randomness of the initial weights (``validation.as_generator``): an
        int gives the same weights every time, a Generator draws them from
        its stream (and advances it).
    dtype : float32 or float64, default float64
        float32 for fast training, float64 for gradient checks.
    slope : float, default 1.0
        The slope ``a`` of every sigmoid (source ``004``).

    Attributes
    ----------
    params : list of ndarray
        ``[W1, b1, W2, b2, ...]``, ``W_l`` of shape ``(n_in, n_out)``; the
        optimizers of ``course_lib.optim`` update them in place.
    is_classifier : bool
        A softmax output, or a sigmoid output with binary cross-entropy:
        ``predict`` gives labels and ``accuracy`` is defined.

    Examples
    --------
    The worked example of source ``004``::

        net = MLP([1, 1, 1], hidden="sigmoid", output="sigmoid", loss="mse", bias=False)
        net.params[0][...] = 0.75; net.params[1][...] = 0.5
        loss, grads = net.loss_and_grads(np.array([[2.0]]), np.array([0.25]))
    """

    def __init__(self, sizes, hidden="relu", output="softmax", loss=None, init="glorot_uniform",
                 bias=True, seed=0, dtype=np.float64, slope=1.0):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
            raise ValueError(f"sizes must list at least two layer widths (input and output); got {sizes!r}")
        self.sizes = tuple(as_int(f"sizes[{i}]", s, minimum=1) for i, s in enumerate(sizes))
        self.hidden = as_choice("hidden", hidden, tuple(ACTIVATIONS))
        self.output = as_choice("output", output, ("softmax",) + tuple(ACTIVATIONS))
        if loss is None:
            loss = _DEFAULT_LOSS.get(output, "mse")
        self.loss_name = as_choice("loss", loss, LOSSES)
        if loss == "cross_entropy" and output != "softmax":
            raise ValueError(f"loss='cross_entropy' needs output='softmax'; got output={output!r} "
                             f"(use loss='mse', or output='softmax')")
        if loss == "binary_cross_entropy" and output != "sigmoid":
            raise ValueError(f"loss='binary_cross_entropy' needs output='sigmoid'; got output={output!r}")
        if output == "softmax" and self.sizes[-1] < 2:
            raise ValueError(f"a softmax output needs at least 2 units; sizes[-1] is {self.sizes[-1]}")
        if callable(init):
            make_weights = init
        else:
            make_weights = INITS[as_choice("init", init, tuple(INITS))]
        self.init = init
        self.bias = as_bool("bias", bias)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64; got {self.dtype}")
        self.slope = as_positive("slope", slope)
        rng = as_generator("seed", seed)
        self.params = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            W = np.asarray(make_weights(n_in, n_out, seed=rng, dtype=self.dtype))
            if W.shape != (n_in, n_out):
                raise ValueError(f"init must return a weight matrix of shape (n_in, n_out) = ({n_in}, {n_out}); "
                                 f"got shape {W.shape}")
            self.params.append(W.astype(self.dtype, copy=False))
            if self.bias:
                self.params.append(np.zeros(n_out, dtype=self.dtype))

    # -- structure ------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight layers (``len(sizes) - 1``)."""
        return len(self.sizes) - 1

    @property
    def weights(self) -> list:
        """``[W1, W2, ...]`` (views of the arrays in ``params``)."""
        return self.params[0::2] if self.bias else list(self.params)

    @property
    def biases(self) -> list:
        """``[b1, b2, ...]``; empty without biases."""
        return self.params[1::2] if self.bias else []

    @property
    def n_params(self) -> int:
        """The number of weights and biases (``count_parameters(sizes, bias)``)."""
        return count_parameters(self.sizes, self.bias)

    def _activation(self, layer: int) -> str:
        return self.output if layer == self.n_layers - 1 else self.hidden

    @property
    def is_classifier(self) -> bool:
        """True for a softmax output, or a sigmoid output with binary cross-entropy: it has an ``accuracy``."""
        return self.output == "softmax" or self.loss_name == "binary_cross_entropy"

    def _g(self, layer: int, z):
        name = self._activation(layer)
        if name == "sigmoid":
            return sigmoid(z, self.slope)
        if name == "softmax":
            return softmax(z, axis=-1)
        return ACTIVATIONS[name].function(z)

    def _g_prime(self, layer: int, g):
        """``g'`` of an elementwise activation from its output ``g`` (None for the identity: nothing to multiply)."""
        name = self._activation(layer)
        if name == "identity":
            return None
        if name == "sigmoid":
            return sigmoid_derivative_from_output(g, self.slope)
        if name == "relu":  # ReLU's 1 or 0 as a boolean mask: multiplying by it multiplies by 1.0 or 0.0, no float copy
            return g > 0
        return ACTIVATIONS[name].derivative_from_output(g)

    def __repr__(self) -> str:
        return (f"MLP({list(self.sizes)}, hidden={self.hidden!r}, output={self.output!r}, "
                f"loss={self.loss_name!r}, bias={self.bias}, dtype={self.dtype.name}; "
                f"{self.n_params} parameters)")

    # -- input validation -------------------------------------------------------
    def as_inputs(self, X) -> np.ndarray:
        """``X`` validated and converted to the network's dtype: a 2-D array (samples, ``sizes[0]``).

        Raises unless ``X`` is numeric, has ``sizes[0]`` columns and holds
        only finite values (tested in chunks: no data-sized temporary).
        No copy when ``X`` already has the network's dtype.  This is the
        validation every public method makes; a loop that calls
        ``loss_and_grads_unvalidated`` makes it once, here.
        """
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X must be a 2-D array (samples, {self.sizes[0]} features); got shape {X.shape}"
                + (" -- flatten images first, e.g. X.reshape(len(X), -1)" if X.ndim > 2 else "")
            )
        if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)):
            raise TypeError(f"X must be numeric; got {describe(X)}")
        X = X.astype(self.dtype, copy=False)
        for start in range(0, len(X), CHUNK_ROWS):  # in chunks: no data-sized temporary
            block = X[start:start + CHUNK_ROWS]
            if not np.all(np.isfinite(block)):
                i, j = np.argwhere(~np.isfinite(block))[0]
                raise ValueError(f"X must contain only finite values; found {float(block[i, j])!r} "
                                 f"at index {(start + int(i), int(j))}")
        return X

    def as_targets(self, y, n: int) -> np.ndarray:
        """``y`` validated and converted to what the loss needs, for ``n`` samples.

        Integer class labels ``(n,)`` for cross-entropy; otherwise a float
        array ``(n, K)`` in the network's dtype (``(n,)`` is accepted when
        ``K = 1``; integer labels are one-hot encoded for mse with a softmax
        output; binary cross-entropy needs values in [0, 1]).  Raises with
        the expected shape or range otherwise.
        """
        K = self.sizes[-1]
        if self.loss_name == "cross_entropy":
            return _labels("y", y, n, K)
        y = np.asarray(y)
        if y.ndim == 1 and K == 1:
            y = y[:, None]
        if y.ndim == 1 and self.output == "softmax" and y.shape[0] == n:
            # mse with a softmax output: integer labels are one-hot encoded
            y = np.eye(K, dtype=self.dtype)[_labels("y", y, n, K)]
        if y.shape != (n, K):
            raise ValueError(f"y must have shape ({n}, {K}) (one target per output unit); got {y.shape}")
        if not (np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.integer)):
            raise TypeError(f"y must be numeric; got {describe(y)}")
        y = y.astype(self.dtype, copy=False)
        if not np.all(np.isfinite(y)):
            raise ValueError("y must contain only finite values")
        if self.loss_name == "binary_cross_entropy" and np.any((y < 0) | (y > 1)):
            raise ValueError("y must lie in [0, 1] for binary cross-entropy (0/1 labels or probabilities)")
        return y

    # -- forward ---------------------------------------------------------------
    def _forward(self, X, first=0, params=None, hidden_z=True):
        """Pre-activations ``zs`` and activations ``acts`` of layers ``first`` .. L-1 (``acts[0] = X``, their input).

        ``z = a @ W + b`` then ``a = g(z)``, layer after layer; the output's
        ``a`` is None when the loss works from the logits.  ``X`` is the
        input of layer ``first`` (the data for ``first = 0``); ``params =
        (weights, biases)`` replaces the network's own (``loss_batch``'s
        snapshot).  ``hidden_z=False`` lets a hidden ReLU overwrite its
        pre-activations with its outputs (backpropagation needs only the
        outputs and the last layer's ``z``): one array less per layer.
        """
        weights, biases = (self.weights, self.biases) if params is None else params
        zs, acts = [], [X]
        a = X
        last = self.n_layers - 1
        for layer in range(first, self.n_layers):
            z = a @ weights[layer]
            if self.bias:
                z += biases[layer]
            zs.append(z)
            if layer < last and not hidden_z and self.hidden == "relu":
                a = np.maximum(z, zeros_like_cached(z), out=z)  # relu(z), written over z
            elif layer < last or self.loss_name == "mse":
                a = self._g(layer, z)
            else:
                a = None  # fused output: the loss works from the logits
            acts.append(a)
        return zs, acts

    def forward(self, X) -> np.ndarray:
        """The output layer's activations (class probabilities for softmax)."""
        X = self.as_inputs(X)
        out = []
        for start in range(0, max(len(X), 1), CHUNK_ROWS):
            zs, acts = self._forward(X[start:start + CHUNK_ROWS])
            out.append(acts[-1] if acts[-1] is not None else self._g(self.n_layers - 1, zs[-1]))
        return np.concatenate(out) if len(out) > 1 else out[0]

    def pre_activations(self, X) -> list:
        """``[z_1, ..., z_L]``: every layer's pre-activations ``z_l = a_{l-1} @ W_l + b_l``, each (n, sizes[l]).

        The hidden layers' ReLU on/off pattern is ``z_l > 0`` (see
        ``dead_units``); the last entry holds the output logits.
        """
        X = self.as_inputs(X)
        return self._forward(X)[0]

    def layer_activations(self, X) -> list:
        """``[a_1, ..., a_{L-1}]``: every hidden layer's activations ``a_l = g(z_l)``, each (n, sizes[l]).

        The per-layer diagnostic of initialisation (Glorot & Bengio 2010,
        figure 6; deeplearning.ai's initialisation lab): the histograms of
        these show whether the signal keeps its spread through the depth,
        shrinks to 0 or saturates.  ``pre_activations`` gives the ``z_l``.
        """
        X = self.as_inputs(X)
        return list(self._forward(X)[1][1:self.n_layers])             # acts[0] is X, acts[L] the output

    def gradient_norms(self, X, y) -> np.ndarray:
        """``||dLoss/dW_l||`` (Frobenius) of the mean loss on ``(X, y)``, for l = 1..L, as an array of L floats.

        The per-layer diagnostic of vanishing and exploding gradients
        (Glorot & Bengio 2010, section 4.2.2): backpropagation multiplies
        the signal by ``W_l^T`` and by ``g'(z)`` once per layer, so the norms
        of the lower layers shrink or grow geometrically with the depth.
        ``y`` as in ``loss_and_grads``.
        """
        _, grads = self.loss_and_grads(X, y)
        L = self.n_layers
        return np.array([float(np.linalg.norm(g)) for g in (grads[0:2 * L:2] if self.bias else grads[:L])])

    def forward_grid(self, xx, yy, unit: int = 0) -> np.ndarray:
        """Output ``unit``'s activation at every point of a 2-D grid, shaped like ``xx``.

        For a network with two inputs: ``xx`` and ``yy`` are the coordinates
        of the points (as from ``np.meshgrid``), and entry ``[i, j]`` is
        ``forward([[xx[i, j], yy[i, j]]])[0, unit]``.  For a sigmoid
        classifier it is the probability of class 1: the map a
        decision-boundary plot colours, with the boundary at 0.5.
        """
        if self.sizes[0] != 2:
            raise ValueError(f"forward_grid needs a network with 2 inputs (a plane of points); "
                             f"this one has sizes[0] = {self.sizes[0]}")
        xx = as_float_array("xx", xx, allow_scalar=False)
        yy = as_float_array("yy", yy, allow_scalar=False)
        if xx.shape != yy.shape:
            raise ValueError(f"yy must have the shape of xx, {xx.shape}; got {yy.shape}")
        unit = as_int("unit", unit, minimum=0)
        if unit >= self.sizes[-1]:
            raise ValueError(f"unit must be < {self.sizes[-1]} (the output layer's width); got {unit}")
        out = self.forward(np.column_stack([xx.ravel(), yy.ravel()]))
        return out[:, unit].reshape(xx.shape)

    def predict(self, X) -> np.ndarray:
        """Class labels for classifiers, else the outputs.

        Softmax: the class of the largest logit.  Sigmoid units (binary
        cross-entropy): 1 where ``z > 0``, which is ``sigmoid(a z) > 0.5``
        (decided on the logit, so no rounding of the sigmoid to 0.5 can flip
        it), as a vector for one unit.
        """
        if not self.is_classifier:
            return self.forward(X)
        X = self.as_inputs(X)
        labels = np.concatenate([self._predict_from_logits(z) for _, z in self._logits_by_chunk(X)])
        return labels[:, 0] if labels.ndim == 2 and labels.shape[1] == 1 else labels

    def _predict_from_logits(self, z: np.ndarray) -> np.ndarray:
        if self.output == "softmax":
            return z.argmax(axis=-1)
        return (z > 0).astype(np.int64)

    def _logits_by_chunk(self, X):
        """``(rows, z)``: the output pre-activations of ``X[rows]``, chunk after chunk (no data-sized temporaries)."""
        for start in range(0, max(len(X), 1), CHUNK_ROWS):
            rows = slice(start, start + CHUNK_ROWS)
            yield rows, self._forward(X[rows])[0][-1]

    def _as_batch(self, X) -> np.ndarray:
        """``as_inputs(X)``, and at least one sample."""
        X = self.as_inputs(X)
        if len(X) == 0:
            raise ValueError("X must hold at least one sample; got 0")
        return X

    def correct_unvalidated(self, logits, y) -> np.ndarray:
        """Which predictions are right, decided from the output logits: what ``accuracy`` averages.

        ``logits`` are the output pre-activations ``z`` of a classifier, shape
        ``(n, K)`` (``loss_and_grads_unvalidated(..., return_logits=True)``
        returns them); ``y`` is what ``as_targets`` returns for those samples.
        A boolean array: ``(n,)`` for softmax (``argmax z == label``; one-hot
        targets count by their argmax), ``(n, K)`` for sigmoid units (``(z >
        0) == (y > 0.5)``, see the module docstring, "Accuracy").  The number
        correct is its ``count_nonzero``, the accuracy its mean.

        Nothing is validated (not even that the network is a classifier): the
        fast path of a loop that validated its data once
        (``course_lib.train.train`` counts every batch with it).
        """
        predicted = self._predict_from_logits(logits)
        if self.output == "softmax":
            return predicted == (y if self.loss_name == "cross_entropy" else y.argmax(axis=-1))
        return predicted == (y > 0.5)

    def accuracy(self, X, y) -> float:
        """Fraction of correct predictions (classifiers only; see the module docstring, "Accuracy").

        ``y``: class labels ``(n,)`` (or one-hot rows ``(n, K)``) for a
        softmax output; 0/1 targets ``(n, K)`` (``(n,)`` for one unit) for
        sigmoid units, where the fraction is over all ``n K`` entries.
        """
        if not self.is_classifier:
            raise ValueError(f"accuracy needs a classifier (softmax output, or sigmoid with binary "
                             f"cross-entropy); this network has output={self.output!r}, "
                             f"loss={self.loss_name!r}")
        X = self._as_batch(X)
        y = np.asarray(y)
        if self.loss_name == "cross_entropy" and y.shape == (len(X), self.sizes[-1]):
            y = y.argmax(axis=1)  # one-hot rows: their labels
        return self.evaluate_unvalidated(X, self.as_targets(y, len(X)))[1]

    # -- loss and gradients --------------------------------------------------------
    def _loss_terms(self, z_out: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The loss formula's terms from the output pre-activations (the public loss functions' formulas)."""
        if self.loss_name == "cross_entropy":
            return _softmax_cross_entropy_terms(z_out, y)
        if self.loss_name == "binary_cross_entropy":
            return _binary_cross_entropy_from_logits_terms(z_out, y, self.slope)
        return _mean_squared_error_terms(self._g(self.n_layers - 1, z_out), y)

    def _per_sample_loss(self, z_out: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Loss of every sample from the output pre-activations (for a stack of networks, ``(K, n)``)."""
        terms = self._loss_terms(z_out, y)
        return terms if self.loss_name == "cross_entropy" else _mean_over_outputs(terms)

    def _output_delta(self, z_out, a_out, y) -> np.ndarray:
        """``d(per-sample loss)/dz`` at the output, one row per sample (summed, not averaged)."""
        if self.loss_name == "cross_entropy":
            return _softmax_cross_entropy_delta(z_out, y)
        if self.loss_name == "binary_cross_entropy":
            return _binary_cross_entropy_from_logits_delta(z_out, y, self.slope)
        d_a = _mean_squared_error_delta(a_out, y)  # d/dy_hat of mean_k (y_hat - y)^2
        if self.output == "softmax":  # Jacobian-vector product of the softmax
            return a_out * (d_a - np.sum(d_a * a_out, axis=-1, keepdims=True))
        gp = self._g_prime(self.n_layers - 1, a_out)
        return d_a if gp is None else d_a * gp

    def loss(self, X, y) -> float:
        """Mean loss over the samples of ``(X, y)`` (the first of ``evaluate``)."""
        return self.evaluate(X, y)[0]

    def evaluate(self, X, y) -> tuple[float, float | None]:
        """``(mean loss, accuracy)`` on ``(X, y)``, from one forward pass; the accuracy is None unless ``is_classifier``.

        ``y`` as in ``loss_and_grads``.  ``X`` is processed in chunks, so a
        whole data set is fine (Keras' ``model.evaluate``).
        """
        X = self._as_batch(X)
        return self.evaluate_unvalidated(X, self.as_targets(y, len(X)))

    def evaluate_unvalidated(self, X, y) -> tuple[float, float | None]:
        """``evaluate`` without validating its arguments: for a loop that validated its data once.

        ``X`` and ``y`` must be what ``as_inputs`` and ``as_targets`` return
        (at least one sample); ``course_lib.train.train`` evaluates its
        validation data after every epoch with it.
        """
        losses, correct, total = [], 0, 0
        for rows, z in self._logits_by_chunk(X):
            losses.append(self._per_sample_loss(z, y[rows]))
            if self.is_classifier:
                hit = self.correct_unvalidated(z, y[rows])
                correct += int(np.count_nonzero(hit))
                total += hit.size
        loss = _reduce(np.concatenate(losses), "mean")
        return loss, (correct / total if self.is_classifier else None)

    def loss_and_grads(self, X, y, reduction="mean"):
        """The loss and its gradient for every array of ``params``.

        Parameters
        ----------
        X : array (n, sizes[0])
        y : labels (n,) for cross-entropy; targets (n, K) (or (n,) when K = 1) otherwise
        reduction : {"mean", "effective", "sum"}, default "mean"
            ``"mean"``: the gradient of the mean loss, ``(1/n) sum_i grad L_i``.
            ``"sum"``: ``sum_i grad L_i``.
            ``"effective"``: the aSGD mean effective gradient of source ``000``:
            each parameter's summed gradient divided by the number of samples
            whose own gradient for that parameter is non-zero (0 where none
            is).  For ``W_l[i, j]`` the per-sample gradient is ``a_{l-1}[n, i]
            dz_l[n, j]``, so the counts are the matrix product ``(a_{l-1} != 0)^T
            @ (dz_l != 0)``; for ``b_l[j]`` they are the column sums of
            ``dz_l != 0``.  A ReLU unit that is off for a sample passes no
            gradient, so it is not counted for that sample.

        Returns
        -------
        loss : float
            The mean loss (for every reduction).
        grads : list of ndarray
            Aligned with ``params``.
        """
        as_choice("reduction", reduction, ("mean", "effective", "sum"))
        X = self._as_batch(X)
        y = self.as_targets(y, len(X))
        return self.loss_and_grads_unvalidated(X, y, reduction)

    def loss_and_grads_unvalidated(self, X, y, reduction="mean", return_logits=False):
        """``loss_and_grads`` without validating its arguments: the fast path of a training loop.

        Skips everything ``loss_and_grads`` validates: ``reduction`` must be one
        of "mean", "effective", "sum"; ``X`` must be what ``as_inputs``
        returns (2-D, ``sizes[0]`` columns, the network's dtype, finite, at
        least one row) and ``y`` what ``as_targets(y, len(X))`` returns (or
        rows of them: a batch ``X[idx], y[idx]`` of validated arrays is fine).
        Anything else gives wrong numbers or an obscure numpy error, not a
        clear message.  For loops that validated their data once and call
        this on every batch (``course_lib.train.train``, ``flat_functions``);
        everyone else calls ``loss_and_grads``.

        With ``return_logits`` it also returns the output pre-activations
        (the training loop counts correct predictions from them, with
        ``correct_unvalidated``).
        """
        zs, acts = self._forward(X, hidden_z=False)
        loss = _mean_over_samples(self._per_sample_loss(zs[-1], y))
        dz = self._output_delta(zs[-1], acts[-1], y)
        if reduction == "mean":
            dz = _reduce_delta(dz, "mean")
        grads = [None] * len(self.params)
        effective = reduction == "effective"
        weights = self.weights
        for layer in range(self.n_layers - 1, -1, -1):
            a_prev = acts[layer]
            dz_prev, gW, gb = dense_backward_unvalidated(dz, a_prev, weights[layer], input_gradient=layer > 0,
                                                         bias=self.bias)
            if effective:
                # where a count is 0 every sample's term is 0, so the sum is 0 already: dividing by
                # max(count, 1) leaves it 0 (at most its sign changes) and needs no masked division
                nz = (dz != 0).astype(self.dtype)
                count_W = _transpose((a_prev != 0).astype(self.dtype)) @ nz
                gW /= np.maximum(count_W, 1, out=count_W)
                if self.bias:
                    count_b = _sum_over_samples(nz)
                    gb /= np.maximum(count_b, 1, out=count_b)
            if self.bias:
                grads[2 * layer], grads[2 * layer + 1] = gW, gb
            else:
                grads[layer] = gW
            if layer:
                gp = self._g_prime(layer - 1, a_prev)  # from the output a_{l-1} the forward pass kept
                dz = dz_prev if gp is None else np.multiply(dz_prev, gp, out=dz_prev)
        if return_logits:
            return loss, grads, zs[-1]
        return loss, grads

    # -- dead and always-on units ----------------------------------------------------
    def dead_units(self, X) -> list:
        """Per hidden layer, the units inactive on every sample and those active on every sample.

        Returns a list of ``UnitActivity(dead, always_on)`` (boolean masks over
        the layer's units), one per hidden layer.  "Active" means ``z > 0``,
        the ReLU's on state; only ReLU layers can have dead or always-on units
        in this sense, so for other hidden activations both masks are all
        False.  ``X`` is processed in chunks, so a whole training set is fine.
        """
        X = self._as_batch(X)
        hidden = self.sizes[1:-1]
        if self.hidden != "relu":
            return [UnitActivity(np.zeros(w, bool), np.zeros(w, bool)) for w in hidden]
        any_on = [np.zeros(w, dtype=bool) for w in hidden]
        all_on = [np.ones(w, dtype=bool) for w in hidden]
        for start in range(0, len(X), CHUNK_ROWS):
            zs, _ = self._forward(X[start:start + CHUNK_ROWS])
            for layer, z in enumerate(zs[:-1]):
                on = z > 0
                any_on[layer] |= on.any(axis=0)
                all_on[layer] &= on.all(axis=0)
        return [UnitActivity(~a, b) for a, b in zip(any_on, all_on)]

    # -- flat parameter vector (for gradient checks) -----------------------------------
    def get_flat(self) -> np.ndarray:
        """A copy of all parameters as one vector, in the order of ``params``."""
        return np.concatenate([p.ravel() for p in self.params])

    def set_flat(self, theta) -> None:
        """Write a flat vector (as from ``get_flat``) back into ``params`` in place."""
        theta = as_float_array("theta", theta, allow_scalar=False)
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},); got {theta.shape}")
        start = 0
        for p in self.params:
            p[...] = theta[start:start + p.size].reshape(p.shape)
            start += p.size

    def describe_index(self, flat_index: int) -> str:
        """The parameter behind a flat index, e.g. ``"W2[17, 3]"`` or ``"b4[9]"`` (layers from 1)."""
        flat_index = as_int("flat_index", flat_index, minimum=0)
        if flat_index >= self.n_params:
            raise ValueError(f"flat_index must be < {self.n_params}; got {flat_index}")
        for k, p in enumerate(self.params):
            if flat_index < p.size:
                layer = (k // 2 if self.bias else k) + 1
                if p.ndim == 1:
                    return f"b{layer}[{flat_index}]"
                i, j = divmod(flat_index, p.shape[1])
                return f"W{layer}[{i}, {j}]"
            flat_index -= p.size
        raise AssertionError("unreachable")  # pragma: no cover

    def flat_functions(self, X, y):
        """``(f, grad, f_batch)`` of the mean loss over the flat parameter vector.

        ``f(theta)`` and ``grad(theta)`` evaluate at ``theta`` without
        changing the network's own parameters; ``f_batch(idx, h)`` is the
        rank-1 batched loss of ``course_lib.gradcheck`` at the *current*
        parameters (see ``loss_batch``).  Use a float64 network for checks::

            f, grad, f_batch = net.flat_functions(X, y)
            theta = net.get_flat()
            gradcheck.check_gradient_batched(f_batch, grad(theta), theta)
        """
        X = self._as_batch(X)
        y = self.as_targets(y, len(X))

        def with_params(theta, fn):
            saved = self.get_flat()
            try:
                self.set_flat(theta)
                return fn()
            finally:
                self.set_flat(saved)

        def f(theta):
            return with_params(theta, lambda: self.evaluate_unvalidated(X, y)[0])

        def grad(theta):
            return with_params(theta, lambda: np.concatenate([g.ravel() for g in self.loss_and_grads_unvalidated(X, y)[1]]))

        return f, grad, self._loss_batch(X, y)

    def loss_batch(self, X, y):
        """An ``f_batch(idx, h)`` for ``course_lib.gradcheck`` at the current parameters.

        The parameters are copied when it is made: changing the network
        afterwards does not change what ``f_batch`` evaluates.

        Entry ``k`` of ``f_batch(idx, h)`` is the mean loss with the flat
        parameter ``idx[k]`` (order of ``get_flat``) moved by ``h[k]``.  It uses
        the rank-1 structure of a dense layer: moving ``W_l[i, j]`` by ``h``
        changes only unit ``j``'s pre-activation, ``z_l[:, j] += h
        a_{l-1}[:, i]`` (``b_l[j]``: ``+= h``), so the layers below are taken
        from one cached forward pass, the next layer's pre-activations change
        by an outer product, and only the samples whose unit ``j`` really
        changed are pushed through the layers above.  This is what makes
        ``check_gradient_batched`` on a network of 276,710 parameters take about
        a second instead of minutes (``benchmarks/bench_gradcheck.py``).
        """
        X = self.as_inputs(X)
        y = self.as_targets(y, len(X))
        return self._loss_batch(X, y)

    def _loss_batch(self, X, y):
        # a snapshot: the f_batch keeps evaluating at today's parameters even if they change later
        Ws = [W.copy() for W in self.weights]
        bs = [b.copy() for b in self.biases]
        zs, acts = self._forward(X)
        n = len(X)
        L = self.n_layers
        # post-activations of every layer (the fused output has none in acts)
        outs = [acts[k + 1] if acts[k + 1] is not None else None for k in range(L)]
        offsets = np.cumsum([0] + [p.size for p in self.params])
        every = np.arange(n)
        base = {}

        def tail(k, z, rows):
            """Per-sample losses of samples ``rows`` from their layer-k pre-activations ``z``."""
            if k < L - 1:  # the rest of the forward pass, from a_k = g(z_k), with the snapshot
                z = self._forward(self._g(k, z), first=k + 1, params=(Ws, bs))[0][-1]
            return self._per_sample_loss(z, y[rows])

        def base_losses(k):
            if k not in base:  # same arithmetic as the perturbed rows, so unchanged rows cancel exactly
                base[k] = tail(k, zs[k], every)
            return base[k]

        def perturbed(l, i, j, h):
            inputs = np.ones((h.size, n), dtype=self.dtype) if i is None else acts[l][:, i].T
            shift = h[:, None] * inputs  # (B, n)
            z_col = zs[l][:, j].T + shift
            if l == L - 1:
                k = l
                pb, pn = np.nonzero(shift != 0)
                z_rows = zs[l][pn]
                z_rows[np.arange(pb.size), j[pb]] = z_col[pb, pn]
            else:
                k = l + 1
                delta = self._g(l, z_col) - outs[l][:, j].T  # change of a_l[:, j]
                pb, pn = np.nonzero(delta)
                z_rows = zs[k][pn] + delta[pb, pn][:, None] * Ws[k][j[pb]]
            losses = np.tile(base_losses(k), (h.size, 1))
            if pb.size:
                losses[pb, pn] = tail(k, z_rows, pn)
            return losses.mean(axis=1)

        def f_batch(idx, h):
            idx = np.asarray(idx)
            h = np.asarray(h, dtype=self.dtype)
            if idx.ndim != 1 or not (np.issubdtype(idx.dtype, np.integer) or idx.size == 0):
                raise TypeError(f"idx must be a 1-D array of integer flat indices; got {describe(idx)}")
            if h.shape != idx.shape:
                raise ValueError(f"h must have the shape of idx, {idx.shape}; got {h.shape}")
            if idx.size and (idx.min() < 0 or idx.max() >= self.n_params):
                raise ValueError(f"idx must lie in [0, {self.n_params}); got values from {idx.min()} to {idx.max()}")
            idx = idx.astype(np.int64)
            out = np.empty(idx.size)
            segment = np.searchsorted(offsets, idx, side="right") - 1
            for s in np.unique(segment):
                mask = segment == s
                local = idx[mask] - offsets[s]
                p = self.params[s]
                l = s // 2 if self.bias else s
                if p.ndim == 1:
                    i, j = None, local
                else:
                    i, j = np.divmod(local, p.shape[1])
                out[mask] = perturbed(l, i, j, h[mask])
            return out

        return f_batch


# ---------------------------------------------------------------------------
# A network with dropout, L2 and batch normalisation (lecture 9)
# ---------------------------------------------------------------------------

class RegularizedMLP(MLP):
    """``MLP`` with L2 weight decay, inverted dropout and batch normalisation on its hidden layers.

    Every hidden layer computes, in training (``loss_and_grads``, the step
    of ``course_lib.train.train``)::

        z = a_prev @ W + b
        z = gamma * (z - mu_B) / sqrt(var_B + eps) + beta     if batchnorm   (batchnorm_forward)
        a = g(z)
        a = a * mask                                         if dropout     (dropout_forward)

    and in inference (``evaluate``, ``predict``, ``forward``,
    ``layer_activations``, ``pre_activations``, the validation of ``train``)
    the same without dropout and with the moving averages of ``mu_B`` and
    ``var_B`` in place of the batch's (Keras' ``Dense``, ``BatchNormalization``
    and ``Dropout`` layers in that order, with ``training=True`` and
    ``False``; ``batchnorm_inference``).  The moving averages are updated at
    every training forward pass: ``m <- momentum m + (1 - momentum) mu_B``
    and alike with the biased ``var_B`` (``optim.ema``; Keras, whose
    ``momentum`` default 0.99 suits thousands of steps, a short run wants
    0.9); they start at 0 and 1.  ``evaluate_batch_statistics`` evaluates
    with the data's own statistics instead, to show what the averages cost.  The objective of training is the data loss plus
    ``l2_penalty(weights, l2)`` (Keras' ``kernel_regularizer=L2(l2)`` on every
    layer, output included; biases, gamma and beta are not penalised).

    Parameters
    ----------
    sizes, hidden, output, loss, init, seed, dtype, slope
        As ``MLP`` (always with biases).  The weights are those of ``MLP``
        with the same arguments; the dropout masks are drawn from the same
        Generator afterwards.
    dropout : float in [0, 1), default 0
        The rate of every hidden layer (the input and output are not dropped).
    l2 : float >= 0, default 0
    batchnorm : bool, default False
    momentum : float in [0, 1), default 0.99
    eps : float > 0, default 1e-3
        Batch normalisation's (Keras' defaults).

    Attributes
    ----------
    params : list of ndarray
        ``[W1, b1, ..., WL, bL]`` and then, with ``batchnorm``, ``[gamma1,
        beta1, ..., gamma_{L-1}, beta_{L-1}]``.  The hidden biases are kept
        under batch normalisation, which cancels them (their gradient is 0);
        Ioffe & Szegedy drop them.
    moving_mean, moving_var : lists of ndarray (one per hidden layer; empty without ``batchnorm``)
    rng : numpy Generator
        Draws the dropout masks.

    ``evaluate`` (and so ``train``'s validation loss) is the data loss in
    inference mode, without the penalty; ``loss_and_grads`` returns the
    training objective, penalty included, which is what the gradients are
    of.  The aSGD reductions, ``loss_batch`` and ``flat_functions`` are
    ``MLP``'s only: the training loss here depends on the batch (batch
    statistics) and on the draw (dropout).
    """

    def __init__(self, sizes, hidden="relu", output="softmax", loss=None, init="glorot_uniform", seed=0,
                 dtype=np.float64, slope=1.0, dropout=0.0, l2=0.0, batchnorm=False, momentum=0.99, eps=1e-3):
        rng = as_generator("seed", seed)
        super().__init__(sizes, hidden=hidden, output=output, loss=loss, init=init, bias=True, seed=rng,
                         dtype=dtype, slope=slope)
        self.rng = rng
        self.dropout = as_in_interval("dropout", dropout, 0.0, 1.0, closed="left")
        self.l2 = as_nonnegative("l2", l2)
        self.batchnorm = as_bool("batchnorm", batchnorm)
        self.momentum = as_in_interval("momentum", momentum, 0.0, 1.0, closed="left")
        self.eps = as_positive("eps", eps)
        hidden_sizes = self.sizes[1:-1]
        self.moving_mean, self.moving_var = [], []
        if self.batchnorm:
            for k in hidden_sizes:
                self.params += [np.ones(k, dtype=self.dtype), np.zeros(k, dtype=self.dtype)]
                self.moving_mean.append(np.zeros(k, dtype=self.dtype))
                self.moving_var.append(np.ones(k, dtype=self.dtype))

    @property
    def weights(self) -> list:
        """``[W1, W2, ...]``."""
        return self.params[0:2 * self.n_layers:2]

    @property
    def biases(self) -> list:
        """``[b1, b2, ...]``."""
        return self.params[1:2 * self.n_layers:2]

    @property
    def gammas(self) -> list:
        """Batch normalisation's scales, one per hidden layer (empty without ``batchnorm``)."""
        return self.params[2 * self.n_layers::2]

    @property
    def betas(self) -> list:
        """Batch normalisation's shifts, one per hidden layer (empty without ``batchnorm``)."""
        return self.params[2 * self.n_layers + 1::2]

    @property
    def n_params(self) -> int:
        """Weights, biases and batch normalisation's gamma and beta."""
        return sum(p.size for p in self.params)

    def __repr__(self) -> str:
        return (super().__repr__()[:-1] + f", dropout={self.dropout:g}, l2={self.l2:g}, "
                f"batchnorm={self.batchnorm})")

    def _forward(self, X, first=0, params=None):
        """Inference mode (``_layers`` with ``training=False``): ``(zs, acts)`` as ``MLP._forward``.

        ``zs`` holds what enters each activation (after batch normalisation).
        """
        if first != 0 or params is not None:
            raise NotImplementedError("RegularizedMLP has no rank-1 loss_batch; use MLP for the fast gradient check")
        zs, acts, _, _, _ = self._layers(X, training=False)
        return zs, acts

    def _layers(self, X, training: bool, update: bool = False, drop: bool = False):
        """The forward pass, both modes: ``(zs, acts, outs, masks, caches)``.

        Per hidden layer ``z = a W + b`` (as ``MLP._forward``), then batch
        normalisation -- ``batchnorm_forward_unvalidated`` on the batch in
        training, ``batchnorm_inference_unvalidated`` with the moving
        averages otherwise -- then ``g``, then (training with ``drop``)
        ``dropout_forward_unvalidated``.  ``zs[l]`` enters layer l's
        activation; ``outs[l]`` is the activation before dropout,
        ``acts[l + 1]`` after; ``update`` moves the moving averages
        (an EMA with ``momentum``, Keras' rule: ``optim.ema``'s line written
        out here, because ``nn`` must not import ``optim``: the grading
        sandbox hands ``nn`` to assignments whose reference ``optim`` is).  The output's
        activation is computed only for the mse loss (the others work from
        the logits), as ``MLP._forward``.
        """
        L = self.n_layers
        a = X
        zs, acts, outs, masks, caches = [], [X], [], [], []
        weights, biases = self.weights, self.biases
        for layer in range(L - 1):
            z = a @ weights[layer]
            z += biases[layer]
            cache = None
            if self.batchnorm and training:
                z, cache, mu, var = batchnorm_forward_unvalidated(z, self.gammas[layer], self.betas[layer], self.eps)
                if update:
                    for avg, x in ((self.moving_mean[layer], mu), (self.moving_var[layer], var)):
                        np.add(self.momentum * avg, (1.0 - self.momentum) * x, out=avg)  # beta avg + (1 - beta) x
            elif self.batchnorm:
                z = batchnorm_inference_unvalidated(z, self.moving_mean[layer], self.moving_var[layer],
                                                    self.gammas[layer], self.betas[layer], self.eps)
            zs.append(z)
            a = self._g(layer, z)
            outs.append(a)
            caches.append(cache)
            mask = None
            if drop and self.dropout > 0:
                a, mask = dropout_forward_unvalidated(a, self.dropout, self.rng)
            masks.append(mask)
            acts.append(a)
        z = a @ weights[-1]
        z += biases[-1]
        zs.append(z)
        acts.append(self._g(L - 1, z) if self.loss_name == "mse" else None)
        return zs, acts, outs, masks, caches

    def pre_activations(self, X, training: bool = False) -> list:
        """``[z_1, ..., z_L]``, what enters each layer's activation (after batch normalisation).

        ``training=False``: inference mode, as ``MLP.pre_activations``.
        ``training=True``: batch normalisation with the statistics of ``X``
        itself (what a training step sees; the moving averages are not
        moved), without dropout.
        """
        if not as_bool("training", training):
            return super().pre_activations(X)
        X = self._as_batch(X)
        return self._layers(X, training=True)[0]

    def evaluate_batch_statistics(self, X, y) -> tuple[float, float | None]:
        """``(mean data loss, accuracy)`` on ``(X, y)`` normalised with the statistics of ``X`` itself.

        As ``evaluate``, but batch normalisation uses the mean and variance of
        the whole of ``X`` (training mode's rule, ``pre_activations(X,
        training=True)``; no dropout, no penalty, the moving averages not
        moved) instead of the moving averages.  Set beside ``evaluate`` it
        separates what the moving averages cost from what the weights do.
        """
        X = self._as_batch(X)
        y = self.as_targets(y, len(X))
        z = self._layers(X, training=True)[0][-1]
        loss = _reduce(self._loss_terms(z, y), "mean")
        return loss, (float(np.mean(self.correct_unvalidated(z, y))) if self.is_classifier else None)

    def loss_and_grads_unvalidated(self, X, y, reduction="mean", return_logits=False):
        """The training objective and its gradients, in training mode (batch statistics, a fresh dropout draw).

        As ``MLP.loss_and_grads_unvalidated`` (``X``, ``y`` validated
        already), for ``reduction="mean"`` only.  Backward, layer by layer:
        ``dropout_backward``, then ``g'`` from the activation before dropout,
        then ``batchnorm_backward``; ``2 l2 W`` is added to every weight
        gradient (``l2_penalty_grad``).  Updates the moving averages and
        advances ``rng``.
        """
        if reduction != "mean":
            raise ValueError(f"RegularizedMLP trains with reduction='mean' only; got {reduction!r}")
        L = self.n_layers
        zs, acts, outs, masks, caches = self._layers(X, training=True, update=True, drop=True)
        z_out = zs[-1]
        loss = _reduce(self._loss_terms(z_out, y), "mean")
        if self.l2 > 0:
            loss += l2_penalty_unvalidated(self.weights, self.l2)
        dz = _reduce_delta(self._output_delta(z_out, acts[-1], y), "mean")
        grads = [None] * len(self.params)
        for layer in range(L - 1, -1, -1):
            da, gW, gb = dense_backward_unvalidated(dz, acts[layer], self.weights[layer], input_gradient=layer > 0)
            if self.l2 > 0:
                gW += l2_penalty_grad_unvalidated(self.weights[layer], self.l2)
            grads[2 * layer], grads[2 * layer + 1] = gW, gb
            if layer:
                k = layer - 1
                if masks[k] is not None:
                    dropout_backward_unvalidated(da, masks[k], out=da)
                gp = self._g_prime(k, outs[k])
                dz = da if gp is None else da * gp
                if self.batchnorm:
                    dz, dgamma, dbeta = batchnorm_backward_unvalidated(dz, caches[k])
                    grads[2 * L + 2 * k], grads[2 * L + 2 * k + 1] = dgamma, dbeta
        if return_logits:
            return loss, grads, z_out
        return loss, grads

    def describe_index(self, flat_index: int) -> str:
        """As ``MLP.describe_index``, with ``gamma1[j]``, ``beta1[j]`` for batch normalisation's parameters."""
        flat_index = as_int("flat_index", flat_index, minimum=0)
        n_dense = count_parameters(self.sizes)
        if flat_index < n_dense:
            return super().describe_index(flat_index)
        if flat_index >= self.n_params:
            raise ValueError(f"flat_index must be < {self.n_params}; got {flat_index}")
        rest = flat_index - n_dense
        for k, p in enumerate(self.params[2 * self.n_layers:]):
            if rest < p.size:
                return f"{'gamma' if k % 2 == 0 else 'beta'}{k // 2 + 1}[{rest}]"
            rest -= p.size
        raise AssertionError("unreachable")  # pragma: no cover

    def flat_functions(self, X, y):
        """Not available: the training loss depends on the batch and the dropout draw (see the class docstring)."""
        raise NotImplementedError("RegularizedMLP's training loss is random (dropout) and depends on the batch "
                                  "(batch statistics): check its gradient with a fixed rng and the whole batch, "
                                  "as tests/lib/test_nn.py does")

    def loss_batch(self, X, y):
        """Not available (see ``flat_functions``)."""
        return self.flat_functions(X, y)
