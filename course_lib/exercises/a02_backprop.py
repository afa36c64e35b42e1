"""Assignment 2, backprop: the checks of the activations and their derivatives, a dense
layer's backward pass, the softmax cross-entropy gradient and an MLP's backward pass.

Each check runs the student's function against the ``course_lib`` reference on
seeded random inputs through ``engine.check_function`` and names the likely
mistake (see ``course_lib.exercises``).
"""

from __future__ import annotations

import numpy as np

from .. import nn
from . import engine
from .engine import case_rng


def _z_cases(rng: np.random.Generator):
    return [((rng.normal(scale=s, size=shape),), {}) for shape, s in (((5,), 1.0), ((3, 4), 5.0), ((7,), 0.01))] + \
        [((np.array([0.0, -0.0, 1e-300, -1e-300, 40.0, -40.0]),), {})]


def activations(sigmoid, sigmoid_derivative, relu, relu_derivative, seed=None) -> int:
    """The four functions, elementwise, on arrays of any shape (0 for relu_derivative at 0, as TensorFlow)."""
    n = engine.check_function(sigmoid, nn.sigmoid, _z_cases(case_rng(seed, 20)), name="sigmoid", rtol=1e-12, atol=1e-300)
    n += engine.check_function(sigmoid_derivative, nn.sigmoid_derivative, _z_cases(case_rng(seed, 21)), name="sigmoid_derivative",
                                rtol=1e-10, atol=1e-300, variants={
        "the derivative is g(z)(1 - g(z)), the sigmoid times one minus the sigmoid":
            lambda z: nn.sigmoid(z) * (1 - z)})
    n += engine.check_function(relu, nn.relu, _z_cases(case_rng(seed, 22)), name="relu", rtol=0, atol=0)
    n += engine.check_function(relu_derivative, nn.relu_derivative, _z_cases(case_rng(seed, 23)), name="relu_derivative",
                                rtol=0, atol=0, variants={
        "at z = 0 (the kink) the course, like TensorFlow, uses 0, not 1": lambda z: (np.asarray(z) >= 0) * 1.0})
    return n


def dense_backward(student, seed=None) -> int:
    """``dense_backward(dZ, X, W)`` -> (dX, dW, db) for Z = X W + b (W of shape (n_in, n_out))."""
    rng = case_rng(seed, 24)
    cases = [((rng.normal(size=(n, o)), rng.normal(size=(n, i)), rng.normal(size=(i, o))), {})
             for n, i, o in ((4, 3, 3), (1, 5, 5), (7, 2, 6))]

    def mean_db(dZ, X, W):
        dX, dW, _ = nn.dense_backward(dZ, X, W)
        return dX, dW, dZ.mean(axis=0)

    def untransposed_dX(dZ, X, W):
        _, dW, db = nn.dense_backward(dZ, X, W)
        return dZ @ W, dW, db

    return engine.check_function(student, nn.dense_backward, cases, name="dense_backward", rtol=1e-10, atol=1e-12,
                                  variants={
        "db sums dZ over the samples (axis 0): one entry per output unit": mean_db,
        "dX is dZ times W transposed (dZ @ W.T), not dZ @ W": untransposed_dX})


def softmax_cross_entropy_grad(student, seed=None) -> int:
    """``softmax_cross_entropy_grad(logits, labels)``: (softmax(logits) - onehot(labels)) / n."""
    rng = case_rng(seed, 25)
    cases = [((rng.normal(scale=s, size=(n, k)), rng.integers(0, k, size=n)), {})
             for n, k, s in ((5, 3, 1.0), (1, 10, 1.0), (4, 4, 300.0))]

    def summed(logits, labels):
        return nn.softmax_cross_entropy_grad(logits, labels, reduction="sum")

    return engine.check_function(student, nn.softmax_cross_entropy_grad, cases,
                                  name="softmax_cross_entropy_grad", rtol=1e-9, atol=1e-12, variants={
        "the loss is the MEAN over the batch, so the gradient is divided by n (the batch mean replaced by a sum)":
            summed,
        "the sign is flipped: it is softmax minus one-hot": lambda lg, lb: -nn.softmax_cross_entropy_grad(lg, lb)})


def mlp_backward(student, seed=None) -> int:
    """``mlp_backward(X, y, params)`` -> grads [dW1, db1, dW2, db2, dW3, db3] of a ReLU-ReLU-softmax MLP."""
    rng = case_rng(seed, 26)
    cases = []
    for n, sizes in ((6, (4, 5, 3, 3)), (1, (2, 3, 3, 2)), (10, (3, 8, 6, 4))):
        net = nn.MLP(list(sizes), seed=int(rng.integers(1000)))
        cases.append(((rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n),
                       [p.copy() for p in net.params]), {}))

    def reference(X, y, params):
        net = nn.MLP([params[0].shape[0], params[0].shape[1], params[2].shape[1], params[4].shape[1]])
        for p, q in zip(net.params, params):
            p[...] = q
        return tuple(net.loss_and_grads(X, y)[1])

    def student_tuple(X, y, params):
        return tuple(student(X, y, params))

    student_tuple.__name__ = "mlp_backward"
    student_tuple.runs_in_kernel = getattr(student, "runs_in_kernel", False)
    return engine.check_function(student_tuple, reference, cases, name="mlp_backward", rtol=1e-8, atol=1e-12)
