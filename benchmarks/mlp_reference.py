"""Course source 003's layers, with biases added, as a flat-vector model, for the gradient-check benchmark.

784-300-100-100-10, ReLU hidden layers, softmax output with mean
cross-entropy, Glorot-uniform weights and zero biases (Keras' defaults; source
``003``'s own formulas have no biases, and lecture 7 trains its network
without them, 276,200 parameters) -- 276,710 parameters.  The benchmark works on one flat
parameter vector ``theta`` (``W1, b1, W2, b2, ...``, each ``W_l`` of shape
``(fan_in, fan_out)``, row-major); this module adapts ``course_lib.nn.MLP``
to that view.  The backprop (``grad``) and the rank-1 batched loss
(``loss_batch``, the ``f_batch`` contract of ``course_lib.gradcheck``) are
``MLP``'s own: ``MLP.loss_batch`` explains the rank-1 trick.

Zero biases do not put the ReLU kinks at the gradient check's doorstep: a
hidden pre-activation ``z = a @ W + b`` is exactly 0 only if every input of
the unit is 0 (an all-black image, say), and a central difference with step
``h ~ 6e-6`` crosses a kink only if some pre-activation lies closer to 0 than
the step moves it; ``benchmarks.bench_gradcheck`` counts such crossings.
``bias_scale > 0`` draws the biases from ``U(-bias_scale, bias_scale)``
instead, for checks that should not depend on the data keeping
pre-activations away from 0.
"""

from __future__ import annotations

import numpy as np

from course_lib.nn import MLP
from course_lib.validation import as_generator

SOURCE_003_SIZES = (784, 300, 100, 100, 10)


class ReferenceMLP:
    """``MLP(sizes)`` seen as a function of one flat parameter vector; see the module docstring.

    Parameters
    ----------
    sizes : tuple of int
        Layer widths from input to output, default (784, 300, 100, 100, 10).
    seed : int or numpy Generator, default 0
        Source of the initialisation (the weights, then any biases).
    bias_scale : float, default 0.0
        Biases are drawn from ``U(-bias_scale, bias_scale)``; 0 gives Keras'
        zero biases.
    """

    def __init__(self, sizes=SOURCE_003_SIZES, seed=0, bias_scale=0.0):
        if not (np.isfinite(bias_scale) and bias_scale >= 0):
            raise ValueError(f"bias_scale must be a finite number >= 0; got {bias_scale!r}")
        rng = as_generator("seed", seed)
        self.net = MLP(sizes, seed=rng)
        self.sizes = self.net.sizes
        if bias_scale:
            for b in self.net.biases:
                b[...] = rng.uniform(-bias_scale, bias_scale, b.shape)
        self.shapes = [p.shape for p in self.net.params]
        self.offsets = [0, *np.cumsum([p.size for p in self.net.params]).tolist()]
        self.n_params = self.net.n_params

    # -- parameters -------------------------------------------------------
    def flat(self) -> np.ndarray:
        """A copy of the parameters as one vector (W1, b1, W2, b2, ...)."""
        return self.net.get_flat()

    def set_flat(self, theta) -> None:
        self.net.set_flat(theta)

    def unflatten(self, theta):
        """Views [(W1, b1), (W2, b2), ...] into ``theta``."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},); got {theta.shape}")
        parts = [theta[a:b].reshape(s) for a, b, s in zip(self.offsets[:-1], self.offsets[1:], self.shapes)]
        return list(zip(parts[0::2], parts[1::2]))

    def describe_index(self, flat_index: int) -> str:
        """The parameter behind a flat index, e.g. ``"W2[17, 3]"`` or ``"b4[9]"`` (layers from 1)."""
        return self.net.describe_index(flat_index)

    @staticmethod
    def _labels(Y):
        Y = np.asarray(Y)
        return Y.argmax(axis=1) if Y.ndim == 2 else Y.astype(np.int64)

    def _at(self, theta):
        self.net.set_flat(theta)
        return self.net

    def relu_masks(self, theta, X) -> list:
        """The on/off pattern ``z_l > 0`` of every hidden layer, each (n_samples, width)."""
        zs = self._at(theta).pre_activations(np.asarray(X, dtype=np.float64))
        return [z > 0 for z in zs[:-1]]

    # -- loss, backprop and the batched loss --------------------------------------
    def loss(self, theta, X, Y) -> float:
        """Mean cross-entropy of softmax(MLP(X)) against labels ``Y`` (ints or one-hot)."""
        return self._at(theta).loss(X, self._labels(Y))

    def grad(self, theta, X, Y) -> np.ndarray:
        """Backpropagation (``MLP.loss_and_grads``): the gradient of ``loss`` as a flat vector."""
        _, grads = self._at(theta).loss_and_grads(X, self._labels(Y))
        return np.concatenate([g.ravel() for g in grads])

    def loss_batch(self, theta, X, Y):
        """``MLP.loss_batch`` at ``theta``: entry ``j`` of ``f_batch(idx, h)`` is
        ``loss(theta + h[j] e_{idx[j]}, X, Y)``."""
        return self._at(theta).loss_batch(X, self._labels(Y))


def synthetic_mnist(n: int, seed=0):
    """MNIST-shaped stand-in data: 784 pixels in [0, 1], ~80% zeros, labels 0-9 (``seed``: int or Generator)."""
    rng = as_generator("seed", seed)
    X = rng.random((n, 784)) * (rng.random((n, 784)) < 0.2)
    return X, rng.integers(0, 10, n)
