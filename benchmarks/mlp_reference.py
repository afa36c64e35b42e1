"""A reference multilayer perceptron for gradient-check benchmarks.

The network of course source ``003``: 784-300-100-100-10, ReLU hidden layers,
softmax output with mean cross-entropy, Glorot-uniform weights and zero
biases (Keras' defaults, which ``003`` uses) -- 276,710 parameters.

Zero biases do not put the ReLU kinks at the gradient check's doorstep: a
hidden pre-activation ``z = a @ W + b`` is exactly 0 only if every input of
the unit is 0 (an all-black image, say), and a central difference with step
``h ~ 6e-6`` crosses a kink only if some pre-activation lies closer to 0 than
the step moves it (``h |a_i|`` for unit ``j`` when ``W_l[i, j]`` is perturbed);
``benchmarks/bench_gradcheck.py`` counts such crossings.  ``bias_scale > 0``
draws the biases from ``U(-bias_scale, bias_scale)`` instead, for checks that
should not depend on the data keeping pre-activations away from 0.

Besides ``loss`` and its backprop ``grad``, ``loss_batch`` evaluates the loss
for a *batch of single-coordinate perturbations* (the ``f_batch`` contract of
``course_lib.gradcheck``) with the rank-1 trick: perturbing ``W_l[i, j]`` by
``h`` changes only unit ``j``'s pre-activation, ``z_l[:, j] += h *
a_{l-1}[:, i]`` (``b_l[j]``: ``+= h``).  So the layers below ``l`` are reused
from a cached forward pass; after the ReLU only column ``j`` of ``a_l``
changes, so ``z_{l+1}`` changes by the outer product ``delta_j W_{l+1}[j, :]``;
only the layers from ``l + 2`` on are recomputed for the batch.

Parameters are laid out flat as ``W1, b1, W2, b2, ...`` (``W_l`` of shape
``(fan_in, fan_out)``, row-major).  numpy only; this is benchmark support,
not part of ``course_lib``.
"""

from __future__ import annotations

import numpy as np

SOURCE_003_SIZES = (784, 300, 100, 100, 10)


def _relu(z):
    return np.maximum(z, 0.0)


def _cross_entropy(logits, labels):
    """Per-sample cross-entropy of softmax(logits) (P, C) against int labels (P,)."""
    top = logits.max(axis=1)
    lse = np.log(np.sum(np.exp(logits - top[:, None]), axis=1)) + top
    return lse - logits[np.arange(labels.size), labels]


class ReferenceMLP:
    """ReLU MLP with softmax cross-entropy; see the module docstring.

    Parameters
    ----------
    sizes : tuple of int
        Layer widths from input to output, default (784, 300, 100, 100, 10).
    rng : int or Generator
        Seed for the initialisation.
    bias_scale : float, default 0.0
        Biases are drawn from ``U(-bias_scale, bias_scale)``; 0 gives Keras'
        zero biases.

    Notes
    -----
    ``W_l`` has limit ``sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio 2010,
    eq. 16; Keras' ``GlorotUniform``).  ``W_l`` is stored ``(fan_in,
    fan_out)`` and applied as ``a @ W``, Keras' ``Dense`` convention (the
    transpose of the ``W a`` of most slides).
    """

    def __init__(self, sizes=SOURCE_003_SIZES, rng=0, bias_scale=0.0):
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer widths; got {sizes!r}")
        if not (np.isfinite(bias_scale) and bias_scale >= 0):
            raise ValueError(f"bias_scale must be a finite number >= 0; got {bias_scale!r}")
        self.sizes = tuple(int(s) for s in sizes)
        rng = np.random.default_rng(rng)
        self.shapes = []
        self.offsets = [0]
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            self.shapes += [(fan_in, fan_out), (fan_out,)]
        for shape in self.shapes:
            self.offsets.append(self.offsets[-1] + int(np.prod(shape)))
        self.n_params = self.offsets[-1]
        theta = np.empty(self.n_params)
        for k, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            limit = np.sqrt(6.0 / (fan_in + fan_out))  # Glorot & Bengio (2010), uniform
            theta[self.offsets[2 * k]:self.offsets[2 * k + 1]] = rng.uniform(-limit, limit, fan_in * fan_out)
            theta[self.offsets[2 * k + 1]:self.offsets[2 * k + 2]] = (
                rng.uniform(-bias_scale, bias_scale, fan_out) if bias_scale else 0.0)
        self.theta = theta

    # -- parameters -------------------------------------------------------
    def flat(self) -> np.ndarray:
        """A copy of the parameters as one vector (W1, b1, W2, b2, ...)."""
        return self.theta.copy()

    def set_flat(self, theta) -> None:
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},); got {theta.shape}")
        self.theta = theta.copy()

    def unflatten(self, theta):
        """Views [(W1, b1), (W2, b2), ...] into ``theta``."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},); got {theta.shape}")
        parts = [theta[a:b].reshape(s) for a, b, s in zip(self.offsets[:-1], self.offsets[1:], self.shapes)]
        return list(zip(parts[0::2], parts[1::2]))

    def describe_index(self, flat_index: int) -> str:
        """The parameter behind a flat index, e.g. ``"W2[17, 3]"`` or ``"b4[9]"`` (layers from 1)."""
        flat_index = int(flat_index)
        if not 0 <= flat_index < self.n_params:
            raise ValueError(f"flat_index must lie in [0, {self.n_params}); got {flat_index}")
        s = int(np.searchsorted(self.offsets, flat_index, side="right")) - 1
        local = flat_index - self.offsets[s]
        layer, is_bias = divmod(s, 2)
        if is_bias:
            return f"b{layer + 1}[{local}]"
        i, j = divmod(local, self.shapes[s][1])
        return f"W{layer + 1}[{i}, {j}]"

    def relu_masks(self, theta, X) -> list:
        """The on/off pattern ``z_l > 0`` of every hidden layer, each (n_samples, width)."""
        _, zs, _ = self._forward(theta, X)
        return [z > 0 for z in zs[:-1]]

    @staticmethod
    def _labels(Y):
        Y = np.asarray(Y)
        return Y.argmax(axis=1) if Y.ndim == 2 else Y.astype(np.int64)

    # -- loss and backprop ----------------------------------------------------
    def _forward(self, theta, X):
        layers = self.unflatten(theta)
        zs, activations = [], [np.asarray(X, dtype=np.float64)]
        for k, (W, b) in enumerate(layers):
            z = activations[-1] @ W + b
            zs.append(z)
            activations.append(_relu(z) if k < len(layers) - 1 else z)
        return layers, zs, activations

    def loss(self, theta, X, Y) -> float:
        """Mean cross-entropy of softmax(MLP(X)) against labels ``Y`` (ints or one-hot)."""
        _, zs, _ = self._forward(theta, X)
        return float(np.mean(_cross_entropy(zs[-1], self._labels(Y))))

    def grad(self, theta, X, Y) -> np.ndarray:
        """Backpropagation: the gradient of ``loss`` as a flat vector."""
        labels = self._labels(Y)
        layers, zs, activations = self._forward(theta, X)
        n = labels.size
        logits = zs[-1]
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        dz = p
        dz[np.arange(n), labels] -= 1.0
        dz /= n
        grads = []
        for k in range(len(layers) - 1, -1, -1):
            W, _ = layers[k]
            grads.append(dz.sum(axis=0))
            grads.append(activations[k].T @ dz)
            if k:
                dz = (dz @ W.T) * (zs[k - 1] > 0)
        return np.concatenate([g.ravel() for g in reversed(grads)])

    # -- batched perturbations (the rank-1 trick) -----------------------------
    def loss_batch(self, theta, X, Y):
        """An ``f_batch(idx, h)`` for ``course_lib.gradcheck`` at ``theta``.

        Entry ``j`` of ``f_batch(idx, h)`` is ``loss(theta + h[j] e_{idx[j]},
        X, Y)``, computed from a cached forward pass at ``theta``.
        """
        labels = self._labels(Y)
        layers, zs, activations = self._forward(theta, X)
        n_layers = len(layers)

        def tail(k, z, rows):
            """Per-sample losses of samples ``rows`` from their pre-activations z (P, width) at layer k."""
            for W, b in layers[k + 1:]:
                z = _relu(z) @ W + b
            return _cross_entropy(z, labels[rows])

        every = np.arange(labels.size)
        unchanged = {}  # per-sample losses of the unperturbed net, by the same arithmetic as tail()

        def per_sample_base(k):
            if k not in unchanged:
                unchanged[k] = tail(k, zs[k], every)
            return unchanged[k]

        def perturbed(l, i, j, h):
            """Losses with W_l[i_k, j_k] += h_k (b_l[j_k] when i is None), for k = 1..B at once.

            Only the (perturbation, sample) pairs whose unit j really changes are
            recomputed: a zero input a_{l-1}[n, i] or a ReLU that stays off hides
            the perturbation from sample n.
            """
            inputs = np.ones((h.size, labels.size)) if i is None else activations[l][:, i].T  # (B, N)
            shift = h[:, None] * inputs
            z_col = zs[l][:, j].T + shift  # (B, N): column j of z_l under each perturbation
            if l == n_layers - 1:
                k = l
                pb, pn = np.nonzero(shift != 0.0)
                z_rows = zs[l][pn]  # fancy indexing copies
                z_rows[np.arange(pb.size), j[pb]] = z_col[pb, pn]
            else:
                k = l + 1
                delta = _relu(z_col) - activations[l + 1][:, j].T  # (B, N): change of a_l[:, j]
                pb, pn = np.nonzero(delta)
                z_rows = zs[k][pn] + delta[pb, pn][:, None] * layers[k][0][j[pb]]  # rank-1 per pair
            losses = np.tile(per_sample_base(k), (h.size, 1))
            if pb.size:
                losses[pb, pn] = tail(k, z_rows, pn)
            return losses.mean(axis=1)

        def f_batch(idx, h):
            idx = np.asarray(idx)
            h = np.asarray(h, dtype=np.float64)
            if idx.ndim != 1 or not (np.issubdtype(idx.dtype, np.integer) or idx.size == 0):
                raise TypeError(f"idx must be a 1-D array of integer flat indices; got {idx.dtype} shape {idx.shape}")
            if h.shape != idx.shape:
                raise ValueError(f"h must have the shape of idx, {idx.shape}; got {h.shape}")
            if idx.size and (idx.min() < 0 or idx.max() >= self.n_params):
                raise ValueError(f"idx must lie in [0, {self.n_params}); got values from {idx.min()} to {idx.max()}")
            idx = idx.astype(np.int64)
            out = np.empty(idx.size)
            segment = np.searchsorted(self.offsets, idx, side="right") - 1
            for s in np.unique(segment):
                mask = segment == s
                local = idx[mask] - self.offsets[s]
                l, is_bias = divmod(int(s), 2)
                if is_bias:
                    i, j = None, local
                else:
                    i, j = np.divmod(local, self.shapes[s][1])
                out[mask] = perturbed(l, i, j, h[mask])
            return out

        return f_batch


def synthetic_mnist(n: int, rng=0):
    """MNIST-shaped stand-in data: 784 pixels in [0, 1], ~80% zeros, labels 0-9."""
    rng = np.random.default_rng(rng)
    X = rng.random((n, 784)) * (rng.random((n, 784)) < 0.2)
    return X, rng.integers(0, 10, n)
