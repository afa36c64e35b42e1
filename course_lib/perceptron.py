"""The slides' sigmoid "perceptron" (source 001): logistic regression on linearly separable data.

``PerceptronProblem`` gives the loss, gradient and accuracy of one weight
vector (weights first, bias last), and ``make_separable_data`` the data with
a guaranteed margin (and, if asked, a fraction of flipped labels).  Random
search (``course_lib.random_search``) trains it without a gradient;
assignment 4 hands this module to the student's kernel while grading (and not
``random_search``, its reference).

The loss and its gradient are ``course_lib.nn``'s: the binary cross-entropy
from logits and a dense layer's backward pass, one implementation for the
network and the perceptron.

Imports numpy, ``course_lib.validation`` and ``course_lib.nn`` (handed over
with this module; ``nn`` brings nothing else).
"""

from __future__ import annotations

import numpy as np

from .nn import (
    binary_cross_entropy_from_logits_grad_unvalidated,
    binary_cross_entropy_from_logits_unvalidated,
    dense_backward_unvalidated,
)
from .validation import as_float_array, as_generator, as_in_interval, as_int, as_positive

__all__ = ["PerceptronProblem", "make_separable_data"]


class PerceptronProblem:
    """The slide's sigmoid "perceptron": logistic regression with binary cross-entropy.

    Parameters are one vector ``w`` of length d + 1, weights first and the
    bias last (so derivative-free methods can perturb it as one array)::

        z = X w[:d] + w[d],     a = sigmoid(z) = 1 / (1 + exp(-z))
        J(w) = (1/m) sum_i -[y_i log a_i + (1 - y_i) log(1 - a_i)]
        dJ/dw[:d] = X^T (a - y) / m,     dJ/dw[d] = mean(a - y)

    Labels are in {0, 1}.  ``J`` is ``nn.binary_cross_entropy_from_logits``
    of the logits ``z``, evaluated stably as ``mean(softplus(z) - y z)`` with
    ``softplus(z) = log(1 + exp(z))``, which equals the formula above:
    ``-log a = softplus(-z) = softplus(z) - z`` and ``-log(1 - a) =
    softplus(z)``.  The gradient is each sample's loss gradient with
    respect to its logit, ``a - y`` (``nn.binary_cross_entropy_from_logits_grad``
    with ``reduction="sum"``), through the backward pass of a dense layer
    whose input is ``[X, 1]`` (``nn.dense_backward``: ``dW = [X, 1]^T (a -
    y)``), divided by ``m`` for the mean.  The arguments are validated
    here, once (the data in the constructor, ``w`` in every call), and
    ``nn``'s ``_unvalidated`` forms do the arithmetic.

    Erratum (course source ``001``, slide "Perceptron"): the slide prints
    ``l(a, y) = -y log(a) + (1 - y) log(1 - a)``; the minus must cover both
    terms, ``-[y log a + (1 - y) log(1 - a)]``, which is the loss whose
    derivative the slide then uses (``dl/da = -y/a + (1 - y)/(1 - a)``,
    ``dl/dz = a - y``).  Course source ``004`` (section 2.3.1) prints the
    same loss with the same slip, ``J(W) = -(1/n) sum_{i=1}^n y_n log(f(x_n;
    W)) + (1 - y_n) log(1 - f(x_n; W))`` -- the minus and the sum must cover
    both terms -- and sums over ``i`` terms indexed ``n``; read ``J(W) =
    -(1/n) sum_i [y_i log f(x_i; W) + (1 - y_i) log(1 - f(x_i; W))]``.

    ``rollout(policy)`` exposes the problem to ``ars``: the "states" are the
    rows of ``[X, 1]`` (a constant 1 for the bias), the policy of shape
    (1, d + 1) maps them to ``z``, and the reward is ``-J``.  With V2 the
    constant column has std 0 and normalises to 0, so its weight is lost; the
    centring offset of V2 acts as the bias instead.
    """

    def __init__(self, X, y):
        X = as_float_array("X", X, allow_scalar=False)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D of shape (m, d); got shape {X.shape}")
        y = as_float_array("y", y, allow_scalar=False)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X; got shape {y.shape}")
        if not np.all((y == 0) | (y == 1)):
            raise ValueError(f"y must contain only the labels 0.0 and 1.0; got values {np.unique(y).tolist()}")
        self.X, self.y = X.copy(), y.copy()
        self.m, self.d = X.shape
        self.X_aug = np.hstack([self.X, np.ones((self.m, 1))])
        self._targets = self.y[:, None]  # one output unit: the (m, 1) targets of nn's loss

    def _validate_w(self, w) -> np.ndarray:
        w = as_float_array("w", w, allow_scalar=False)
        if w.shape != (self.d + 1,):
            raise ValueError(f"w must have shape ({self.d + 1},) (d weights then the bias); got shape {w.shape}")
        return w

    def logits(self, w) -> np.ndarray:
        """``z = X w[:d] + w[d]`` for every sample."""
        return self.X_aug @ self._validate_w(w)

    def _loss_of_logits(self, z: np.ndarray) -> float:
        """``J`` from the logits of every sample, shape (m, 1): ``mean(softplus(z) - y z)``."""
        return binary_cross_entropy_from_logits_unvalidated(z, self._targets)

    def loss(self, w) -> float:
        """Mean binary cross-entropy ``J(w)``."""
        return self._loss_of_logits(self.logits(w)[:, None])

    def gradient(self, w) -> np.ndarray:
        """``[X^T (a - y) / m, mean(a - y)]``: the slide's ``a - y`` times the inputs."""
        w = self._validate_w(w)
        z = (self.X_aug @ w)[:, None]
        dz = binary_cross_entropy_from_logits_grad_unvalidated(z, self._targets, reduction="sum")  # a - y per sample
        dW = dense_backward_unvalidated(dz, self.X_aug, w[:, None], input_gradient=False, bias=False)[1]
        return dW[:, 0] / self.m                                                # X_aug^T (a - y) / m

    def accuracy(self, w) -> float:
        """Fraction of samples with ``(z > 0) == (y == 1)``."""
        return float(np.mean((self.logits(w) > 0) == (self.y == 1)))

    def rollout(self, policy) -> tuple[float, np.ndarray]:
        """ARS interface: reward ``-J`` of the logits ``policy([X, 1])``, states ``[X, 1]``."""
        z = np.asarray(policy(self.X_aug), dtype=float)
        if z.shape != (self.m, 1):
            raise ValueError(f"policy must map X_aug of shape {self.X_aug.shape} to shape ({self.m}, 1); got {z.shape}")
        return -self._loss_of_logits(z), self.X_aug

    __call__ = rollout


def make_separable_data(
    n_samples: int, seed: int | np.random.Generator, n_features: int = 2, margin: float = 0.25, flip: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linearly separable data with labels in {0, 1} and a guaranteed margin, optionally with flipped labels.

    Draws x ~ N(0, I_d), keeps points with ``|x . u| >= margin`` for a random
    unit vector u, and labels ``y = 1`` where ``x . u > 0``.  Then each label
    is flipped (``y -> 1 - y``) independently with probability ``flip``: a
    point is flipped where ``U < flip`` for ``U`` the next ``n_samples``
    uniforms ``rng.random(n_samples)`` of the same Generator, drawn after the
    points.  ``flip = 0`` (default) draws nothing more: separable data.  A
    few flipped labels make the data inseparable (in general), so that the
    logistic loss has a finite minimiser (lecture 6 uses ``flip=0.1``).

    ``seed`` is an int (the same data every time) or a numpy Generator (used
    as it is, so it advances).  Returns ``(X, y, u)``: X of shape
    (n_samples, n_features), y float in {0.0, 1.0}, and the separating
    direction u (through the origin) of the labels before any flip.
    """
    n_samples = as_int("n_samples", n_samples, minimum=2)
    n_features = as_int("n_features", n_features, minimum=1)
    margin = as_positive("margin", margin)
    flip = as_in_interval("flip", flip, 0.0, 1.0, closed="both")
    rng = as_generator("seed", seed)
    u = rng.standard_normal(n_features)
    u /= np.linalg.norm(u)
    rows = []
    kept = 0
    while kept < n_samples:
        x = rng.standard_normal((2 * n_samples, n_features))
        x = x[np.abs(x @ u) >= margin]
        rows.append(x)
        kept += x.shape[0]
    X = np.vstack(rows)[:n_samples]
    y = (X @ u > 0).astype(np.float64)
    if flip > 0:
        y = np.where(rng.random(n_samples) < flip, 1.0 - y, y)
    return X, y, u
