"""The hidden tests: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them.
"""

import numpy as np
import pytest

from course_lib.exercises import a02_backprop as checks
from course_lib.exercises.engine import GradingError


def test_backprop_checks_with_a_hand_written_network():
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def relu_d(z):
        return (z > 0) * 1.0

    assert checks.activations(sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)), lambda z: np.maximum(z, 0), relu_d) == 16
    assert checks.dense_backward(lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0))) == 3

    def ce_grad(z, y):
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        return p / len(y)

    assert checks.softmax_cross_entropy_grad(ce_grad) == 3

    def mlp_backward(X, y, params):
        W1, b1, W2, b2, W3, b3 = params
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2 + b2
        a2 = np.maximum(z2, 0)
        d3 = ce_grad(a2 @ W3 + b3, y)
        d2 = (d3 @ W3.T) * relu_d(z2)
        d1 = (d2 @ W2.T) * relu_d(z1)
        return [X.T @ d1, d1.sum(0), a1.T @ d2, d2.sum(0), a2.T @ d3, d3.sum(0)]

    assert checks.mlp_backward(mlp_backward) == 3
    with pytest.raises(GradingError, match="the batch mean replaced by a sum"):
        checks.softmax_cross_entropy_grad(lambda z, y: ce_grad(z, y) * len(y))
    with pytest.raises(GradingError, match="at z = 0 .* uses 0, not 1"):
        checks.activations(sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)), lambda z: np.maximum(z, 0),
                       lambda z: (z >= 0) * 1.0)
    with pytest.raises(GradingError, match=r"dX is dZ times W transposed"):
        checks.dense_backward(lambda dZ, X, W: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)))
    with pytest.raises(GradingError, match=r"db sums dZ over the samples \(axis 0\)"):
        checks.dense_backward(lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)))
