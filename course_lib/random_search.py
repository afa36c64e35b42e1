"""Derivative-free training: the method of finite differences and Augmented Random Search.

The lecture (course source ``001``, "Additional material") ends with two ideas
that need no gradient at all, only evaluations of a loss or a reward:

1. the *method of finite differences*: perturb the weights by a small random
   ``dW``, evaluate both ``W + dW`` and ``W - dW``, and move along ``dW`` in
   proportion to the difference (``finite_difference_step``);
2. *Augmented Random Search* (ARS; Mania, Guy & Recht 2018, "Simple random
   search provides a competitive approach to reinforcement learning",
   arXiv:1803.07055, Algorithm 1), which does the same for the weight matrix
   ``M`` of a linear policy ``u = M x`` with many directions per step, the
   top-``b`` directions, reward-standard-deviation scaling and (V2) state
   normalisation (``ars_update``, ``RunningStat``, ``ars``).

Two small environment-free problems make both runnable in a notebook:

* ``LQR`` (here): a linear-quadratic regulator with fixed initial states,
  whose optimal linear policy ``u = -K x`` is known independently from the
  discrete algebraic Riccati equation (``lqr_optimal_gain``);
* the slide's sigmoid "perceptron" (logistic regression) with binary
  cross-entropy on linearly separable data, whose gradient ``X^T (a - y) / n``
  is the slide's ``a - y``: ``PerceptronProblem`` and ``make_separable_data``
  of ``course_lib.perceptron`` (their one home: assignment 4 hands that
  module over while grading, unlike this one, its reference).  Its ``loss``
  is what ``finite_difference_search`` minimises and its ``rollout`` what
  ``ars`` maximises.

Randomness: ``ars`` takes ``seed`` and the finite-difference functions
``rng`` (the name of assignment 4's signatures); both accept an int or a
numpy Generator (``validation.as_generator``).

Sign conventions (read this first)
----------------------------------
* ``finite_difference_step`` MINIMISES a loss: ``w - lr * (L+ - L-) * dW``.
* ARS MAXIMISES a reward: ``M + alpha/(b sigma_R) * sum (r+ - r-) delta``.

Erratum (course source ``001``, slide "Method of Finite Difference"): the slide
records the *losses* G_p, G_n of ``W + dW`` and ``W - dW`` and updates
``W = W + alpha (G_p - G_n) dW`` while saying "we are minimizing the cost".
With losses that step climbs the loss (on average it moves along +grad L); the
"+" is right only when G_p, G_n are gains/rewards, as in ARS.  To minimise a
loss the sign flips: ``W = W - alpha (G_p - G_n) dW``.

The race of lecture 6 (``race_problem``, ``gradient_descent_race``,
``random_search_race``, ``race_curves``): gradient descent against the two
derivative-free methods on the perceptron, counted in loss evaluations.

Imported here: numpy, the standard library and ``course_lib.validation``
(the race's functions import ``optim``, ``gradcheck`` and ``perceptron`` when
they are called).

Validation happens once, at each public function's boundary: ``ars`` validates
its arguments and then runs the same internal step as ``ars_update`` (one
top-b selection and one ``sigma_R`` per iteration, which it also records);
inside its loop only what the caller's ``reward_fn`` returns is validated.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .validation import (
    describe,
    as_float_array,
    as_scalar_output,
    as_bool,
    as_choice,
    as_generator,
    as_int,
    as_positive,
)

__all__ = [
    "finite_difference_step",
    "finite_difference_search",
    "ars_update",
    "top_directions",
    "basic_random_search_update",
    "RunningStat",
    "LinearPolicy",
    "ars",
    "LQR",
    "lqr_optimal_gain",
    "RACE_METHODS",
    "race_problem",
    "gradient_descent_race",
    "random_search_race",
    "race_curves",
]

ARS_VERSIONS = ("v1", "v2", "basic")


# --------------------------------------------------------------------------
# small validation helpers specific to this module
# --------------------------------------------------------------------------
def _validate_rewards(name: str, rewards, n_directions: int) -> np.ndarray:
    r = as_float_array(name, rewards, allow_scalar=False, finite=False)
    if r.shape != (n_directions,):
        raise ValueError(
            f"{name} must have shape ({n_directions},), one reward per direction; got shape {r.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(r))
    if bad.size:
        k = int(bad[0])
        raise ValueError(
            f"{name} must be finite; {name}[{k}] = {r[k]!r} (direction index {k}). "
            "A rollout diverged: reduce the exploration noise or the step size."
        )
    return r


def _validate_matrix(name: str, M) -> np.ndarray:
    M = as_float_array(name, M, allow_scalar=False)
    if M.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (p, n); got shape {M.shape}")
    return M


# --------------------------------------------------------------------------
# 1. The method of finite differences (lecture slide, sign corrected)
# --------------------------------------------------------------------------
def _finite_difference_arguments(loss, w, lr, sigma, rng, w_name: str):
    """The arguments of both finite-difference functions, validated once at the boundary."""
    w = as_float_array(w_name, w)
    lr = as_positive("lr", lr)
    sigma = as_positive("sigma", sigma)
    rng = as_generator("rng", rng)
    if not callable(loss):
        raise TypeError(f"loss must be callable as loss(w) -> float; got {describe(loss)}")
    return w, lr, sigma, rng


def _finite_difference_rule(loss, w, lr, sigma, rng):
    """The update rule of ``finite_difference_step`` on validated arguments; returns (w_new, L+, L-).

    Only the losses are validated here: they come from the caller's function at every step.
    """
    dW = sigma * rng.standard_normal(size=w.shape)
    L_plus = as_scalar_output("loss(w + dW)", loss(w + dW))
    L_minus = as_scalar_output("loss(w - dW)", loss(w - dW))
    w_new = w - lr * (L_plus - L_minus) * dW
    return w_new, L_plus, L_minus


def finite_difference_step(loss: Callable, w, lr: float, sigma: float, rng: int | np.random.Generator) -> np.ndarray:
    """One step of the method of finite differences, minimising ``loss``.

    Update rule (plain text)::

        dW  = sigma * z,           z ~ N(0, I) shaped like w
        L+  = loss(w + dW)
        L-  = loss(w - dW)
        w  <- w - lr * (L+ - L-) * dW

    ``dW`` is drawn exactly as ``sigma * rng.standard_normal(size=w.shape)``
    (one call, so an identically seeded Generator reproduces it).  The
    parameter keeps the name ``rng`` of assignment 4's signature
    ``finite_difference_step(loss, w, lr, sigma, rng)``.

    Why it works.  For small ``sigma`` a Taylor expansion gives
    ``L(w + dW) - L(w - dW) = 2 grad L(w) . dW + O(sigma^3)``, so::

        E[(L(w + dW) - L(w - dW)) dW] = 2 E[dW dW^T] grad L(w) + O(sigma^4)
                                      = 2 sigma^2 grad L(w) + O(sigma^4).

    For a quadratic ``L`` the central difference is exact and the identity
    holds exactly for every ``sigma``.  The step is therefore a *stochastic
    gradient step* with effective learning rate ``2 * lr * sigma^2``: unbiased
    (up to O(sigma^4)) but noisy, since one random direction replaces the full
    gradient; its noise grows with the dimension of ``w``.

    Parameters
    ----------
    loss : callable
        ``loss(w) -> float``, evaluated twice per step (two function
        evaluations, the cost the lecture counts).
    w : ndarray of float
        Current weights (any shape).  Not modified.
    lr : float > 0
        Learning rate ``alpha`` of the slide.
    sigma : float > 0
        Standard deviation of each entry of the perturbation ``dW``.
    rng : numpy.random.Generator or int
        Source of the perturbation.  A Generator advances, so consecutive
        steps draw new directions; an int seeds a new Generator in every call
        (the same ``dW`` each time, ``validation.as_generator``).

    Returns
    -------
    w_new : ndarray
        A new array; ``w`` is unchanged.

    Notes
    -----
    Source: lecture ``001``, slide "Method of Finite Difference".  Erratum: the
    slide writes ``W = W + alpha (G_p - G_n) dW`` with G_p, G_n the *losses*
    while minimising the cost; that ascends the loss.  The "+" belongs to the
    maximisation of a gain (reward), as in ARS (``ars_update``); for a loss
    the sign is "-", as implemented here.

    Compared with ARS this is the basic random search step with one direction
    (N = 1), no division by a reward standard deviation, and ``dW`` carrying
    the noise scale (ARS keeps ``delta`` unit-variance and multiplies the
    perturbation by ``nu``).
    """
    w, lr, sigma, rng = _finite_difference_arguments(loss, w, lr, sigma, rng, "w")
    return _finite_difference_rule(loss, w, lr, sigma, rng)[0]


def finite_difference_search(
    loss: Callable, w0, lr: float, sigma: float, n_steps: int, rng: int | np.random.Generator
) -> tuple[np.ndarray, dict]:
    """Run ``n_steps`` finite-difference steps from ``w0`` (assignment 4's ``random_search``).

    The steps are ``finite_difference_step``'s, drawing their directions one
    after the other from one Generator (``rng``: a Generator, or an int that
    seeds one for the whole run).  Returns ``(w, history)`` with, for step
    ``t = 0 .. n_steps - 1`` (from ``w_t`` to ``w_{t+1}``, ``w_0 = w0``):

    * ``history["w"][t]``: ``w_{t+1}``, the weights after the step (an array
      of shape ``(n_steps, *w0.shape)``; its last row is the returned ``w``);
    * ``history["n_evaluations"][t] = 2 (t + 1)``: the cumulative number of
      loss evaluations after it;
    * ``history["loss_estimate"][t]``: the average ``(L+ + L-) / 2`` of the
      step, a free estimate of ``loss(w_t)`` (at the weights *before* the
      step) with bias O(sigma^2): no extra evaluation.  To draw the loss
      itself, evaluate ``loss`` at ``history["w"]`` (evaluations for the
      picture, not for the search).

    ``w0`` is not modified.
    """
    n_steps = as_int("n_steps", n_steps, minimum=1)
    w, lr, sigma, rng = _finite_difference_arguments(loss, w0, lr, sigma, rng, "w0")
    iterates = np.empty((n_steps, *w.shape))
    estimates = np.empty(n_steps)
    for t in range(n_steps):
        w, L_plus, L_minus = _finite_difference_rule(loss, w, lr, sigma, rng)
        iterates[t] = w
        estimates[t] = 0.5 * (L_plus + L_minus)
    history = {"w": iterates, "loss_estimate": estimates, "n_evaluations": 2 * np.arange(1, n_steps + 1)}
    return w, history


# --------------------------------------------------------------------------
# 2. Augmented Random Search: the update rules
# --------------------------------------------------------------------------
def _validate_update_inputs(M, deltas, rewards_plus, rewards_minus, step_size):
    M = _validate_matrix("M", M)
    deltas = as_float_array("deltas", deltas, allow_scalar=False)
    if deltas.ndim != 3 or deltas.shape[1:] != M.shape:
        raise ValueError(
            f"deltas must have shape (N, {M.shape[0]}, {M.shape[1]}) = (n_directions, *M.shape); "
            f"got shape {deltas.shape}"
        )
    n_directions = deltas.shape[0]
    if n_directions < 1:
        raise ValueError("deltas must hold at least one direction; got shape " f"{deltas.shape}")
    r_plus = _validate_rewards("rewards_plus", rewards_plus, n_directions)
    r_minus = _validate_rewards("rewards_minus", rewards_minus, n_directions)
    step_size = as_positive("step_size", step_size)
    return M, deltas, r_plus, r_minus, step_size


def top_directions(rewards_plus, rewards_minus, top_b: int) -> np.ndarray:
    """Indices of the ``top_b`` directions with the largest ``max(r+, r-)``, best first.

    Ties are broken by the lower index (stable sort).  The reference code of
    the paper (modestyachts/ARS) keeps every direction at or above a
    percentile threshold instead, so on ties it may keep more than ``b``; here
    exactly ``b`` are kept.
    """
    r_plus = as_float_array("rewards_plus", rewards_plus, allow_scalar=False)
    r_minus = as_float_array("rewards_minus", rewards_minus, allow_scalar=False)
    if r_plus.ndim != 1 or r_plus.shape != r_minus.shape:
        raise ValueError(
            f"rewards_plus and rewards_minus must be 1-D of equal length; got shapes {r_plus.shape} and {r_minus.shape}"
        )
    top_b = _validate_top_b(top_b, r_plus.shape[0])
    return _top_directions(r_plus, r_minus, top_b)


def _validate_top_b(top_b, n_directions: int) -> int:
    top_b = as_int("top_b", top_b, minimum=1)
    if top_b > n_directions:
        raise ValueError(f"top_b must be <= n_directions = {n_directions}; got top_b = {top_b}")
    return top_b


def _top_directions(r_plus, r_minus, top_b):
    """``top_directions`` on validated arguments."""
    return np.argsort(-np.maximum(r_plus, r_minus), kind="stable")[:top_b]   # by score max(r+, r-), best first


def _basic_step(M, deltas, r_plus, r_minus, step_size, reward_std=1.0):
    """The basic random search update on validated arguments (see ``basic_random_search_update``).

    ``M + step_size / (N * reward_std) * sum_k (r+_k - r-_k) delta_k`` over the
    N given directions; ``reward_std`` is 1 for basic random search and
    ``sigma_R`` for ARS (``_ars_step``).
    """
    step = np.tensordot(r_plus - r_minus, deltas, axes=1)           # sum_k (r+_k - r-_k) * delta_k
    return M + step_size / (deltas.shape[0] * reward_std) * step    # M + alpha / (N sigma_R) * sum


def _ars_step(M, deltas, r_plus, r_minus, step_size, top_b):
    """The ARS update on validated arguments: ``(M_new, sigma_R)``, one selection and one std (see ``ars_update``).

    It is the basic step over the top-b directions with the rewards divided
    by their std ``sigma_R``: ``M + alpha / (b sigma_R) * sum_(k) (r+_(k) - r-_(k)) delta_(k)``.
    """
    idx = _top_directions(r_plus, r_minus, top_b)
    r_plus, r_minus = r_plus[idx], r_minus[idx]
    sigma_R = float(np.std(np.concatenate([r_plus, r_minus])))  # population std, ddof=0
    if sigma_R == 0.0:
        if np.any(r_plus != r_minus):  # pragma: no cover - only reachable through rounding
            raise FloatingPointError(
                "std of the used rewards rounded to 0 although rewards_plus - rewards_minus is not 0; "
                "rescale the rewards"
            )
        return M.copy(), sigma_R
    return _basic_step(M, deltas[idx], r_plus, r_minus, step_size, sigma_R), sigma_R


def ars_update(M, deltas, rewards_plus, rewards_minus, step_size: float, top_b: int) -> np.ndarray:
    """The ARS update step (Mania, Guy & Recht 2018, Algorithm 1, lines 6-7). Maximises reward.

    Update rule (plain text)::

        score_k  = max(r+_k, r-_k)                        k = 1..N
        (1)..(b) = the b directions with the largest score
        sigma_R  = std of the 2b rewards {r+_(k), r-_(k) : k = 1..b}
        M       <- M + step_size / (b * sigma_R) * sum_{k=1..b} (r+_(k) - r-_(k)) * delta_(k)

    Parameters
    ----------
    M : ndarray, shape (p, n)
        Current policy matrix.  Not modified.
    deltas : ndarray, shape (N, p, n)
        The N directions, entries i.i.d. standard normal.  ``r+_k`` is the
        reward of ``M + nu * deltas[k]`` and ``r-_k`` of ``M - nu * deltas[k]``;
        the noise ``nu`` does not enter the update (as in the paper).
    rewards_plus, rewards_minus : ndarray, shape (N,)
        Finite rewards; a non-finite one raises naming its direction index.
    step_size : float > 0
        ``alpha`` of the paper.
    top_b : int, 1 <= top_b <= N
        ``b`` of the paper; ``top_b = N`` uses every direction (versions V1/V2
        without "-t").

    Returns
    -------
    M_new : ndarray, shape (p, n), a new array.

    Conventions
    -----------
    * ``sigma_R`` is the population standard deviation ``np.std(..., ddof=0)``
      of the 2b rewards used, as in the paper's reference code
      (``rollout_rewards /= np.std(rollout_rewards)``).
    * Top-b selection keeps exactly ``b`` directions, ties broken by lower
      index (see ``top_directions``).
    * ``sigma_R == 0`` (never a silent division by zero): it happens only when
      all 2b used rewards are equal, and then every difference ``r+ - r-`` is
      exactly 0, so the update is exactly zero and a copy of ``M`` is
      returned.  (If rounding ever made ``sigma_R`` 0 while a difference is
      not, a ``FloatingPointError`` is raised.)
    """
    M, deltas, r_plus, r_minus, step_size = _validate_update_inputs(
        M, deltas, rewards_plus, rewards_minus, step_size
    )
    top_b = _validate_top_b(top_b, deltas.shape[0])
    return _ars_step(M, deltas, r_plus, r_minus, step_size, top_b)[0]


def basic_random_search_update(M, deltas, rewards_plus, rewards_minus, step_size: float) -> np.ndarray:
    """Basic random search (BRS; Mania et al. 2018, Algorithm "Basic Random Search"). Maximises reward.

    Update rule::

        M <- M + step_size / N * sum_{k=1..N} (r+_k - r-_k) * delta_k

    ARS without its three augmentations: every direction is used, the rewards
    are not divided by their standard deviation and states are not
    normalised.  Because the step scales with the rewards, ``step_size`` must
    be tuned to the reward scale (ARS's ``sigma_R`` removes that).
    Shapes and validation as in ``ars_update``.  Returns a new array.
    """
    M, deltas, r_plus, r_minus, step_size = _validate_update_inputs(
        M, deltas, rewards_plus, rewards_minus, step_size
    )
    return _basic_step(M, deltas, r_plus, r_minus, step_size)


# --------------------------------------------------------------------------
# 3. State normalisation (ARS V2)
# --------------------------------------------------------------------------
class RunningStat:
    """Running mean and variance of states, per coordinate (Welford / Chan et al.).

    ``push(states)`` adds one state of shape (n,) or a batch of shape (k, n).
    A batch is merged with the parallel formula of Chan, Golub & LeVeque
    (1979), the batch form of Welford's algorithm::

        d     = mean_b - mean_a
        n     = n_a + n_b
        mean  = mean_a + d * n_b / n
        M2    = M2_a + M2_b + d^2 * n_a * n_b / n

    Conventions
    -----------
    * ``var`` is the population variance ``M2 / n`` (``np.var(ddof=0)``) of
      all states pushed so far, the "covariance of the states encountered"
      of the paper restricted to its diagonal.  (The paper's reference code
      uses ``ddof=1``; the difference is a factor n/(n-1), negligible after
      the first rollout.)
    * Before any state is pushed, ``mean = 0`` and ``std = 1``: the paper's
      initialisation ``mu_0 = 0``, ``Sigma_0 = I``.
    * ``std = max(sqrt(var), min_std)``: the floor ``min_std`` (default
      1e-8) keeps constant coordinates (variance 0) from dividing by zero; such
      a coordinate equals its mean, so it normalises to 0.  Beware that a
      coordinate that was constant and later moves is then multiplied by up to
      ``1 / min_std``.  (The reference code instead sets std < 1e-7 to +inf,
      i.e. ignores such coordinates.)
    """

    def __init__(self, n_features: int, min_std: float = 1e-8):
        self.n_features = as_int("n_features", n_features, minimum=1)
        self.min_std = as_positive("min_std", min_std)
        self.count = 0
        self._mean = np.zeros(self.n_features)
        self._m2 = np.zeros(self.n_features)

    def push(self, states) -> None:
        """Add one state (shape (n,)) or a batch of states (shape (k, n))."""
        x = as_float_array("states", states, allow_scalar=False)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(
                f"states must have shape ({self.n_features},) or (k, {self.n_features}); got shape {np.shape(states)}"
            )
        self._merge(x)

    def _merge(self, x: np.ndarray) -> None:
        """``push`` of a validated batch: finite floats of shape (k, n_features)."""
        n_b = x.shape[0]
        if n_b == 0:
            return
        mean_b = x.mean(axis=0)
        m2_b = ((x - mean_b) ** 2).sum(axis=0)
        n_a = self.count
        n = n_a + n_b
        d = mean_b - self._mean
        self._mean = self._mean + d * (n_b / n)
        self._m2 = self._m2 + m2_b + d**2 * (n_a * n_b / n)
        self.count = n

    @property
    def mean(self) -> np.ndarray:
        """Mean of all pushed states (zeros before the first push)."""
        return self._mean.copy()

    @property
    def var(self) -> np.ndarray:
        """Population variance (ddof=0) of all pushed states (ones before the first push)."""
        if self.count == 0:
            return np.ones(self.n_features)
        return self._m2 / self.count

    @property
    def std(self) -> np.ndarray:
        """``max(sqrt(var), min_std)`` per coordinate (ones before the first push)."""
        return np.maximum(np.sqrt(self.var), self.min_std)


# --------------------------------------------------------------------------
# 4. Linear policies and the ARS loop
# --------------------------------------------------------------------------
class LinearPolicy:
    """The linear policy ``u = M x`` (V1) or ``u = M diag(std)^-1 (x - mean)`` (V2).

    Calling the policy accepts one state of shape (n,) (returns shape (p,))
    or a batch of states as rows, shape (k, n) (returns shape (k, p)).
    ``M``, ``mean`` and ``std`` are stored as read-only copies.
    """

    def __init__(self, M, mean=None, std=None):
        M = _validate_matrix("M", M).copy()
        n = M.shape[1]
        if (mean is None) != (std is None):
            raise ValueError("mean and std must be given together (V2) or both be None (V1)")
        if mean is not None:
            mean = as_float_array("mean", mean, allow_scalar=False).copy()
            std = as_float_array("std", std, allow_scalar=False).copy()
            if mean.shape != (n,) or std.shape != (n,):
                raise ValueError(
                    f"mean and std must have shape ({n},) to match M of shape {M.shape}; "
                    f"got {mean.shape} and {std.shape}"
                )
            if np.any(std <= 0):
                raise ValueError(f"std must be > 0 everywhere; got {std!r}")
        self._store(M, mean, std)

    @classmethod
    def _from_validated(cls, M, mean=None, std=None) -> "LinearPolicy":
        """The constructor without its validation, for arrays ``ars`` made from validated ones."""
        policy = cls.__new__(cls)
        policy._store(M.copy(), *((None, None) if mean is None else (mean.copy(), std.copy())))
        return policy

    def _store(self, M, mean, std) -> None:
        for a in (M, mean, std):
            if a is not None:
                a.setflags(write=False)
        self.M, self.mean, self.std = M, mean, std
        self._n = (M.shape[1],)

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.shape[-1:] != self._n:
            raise ValueError(f"x must have last dimension {self.M.shape[1]}; got shape {x.shape}")
        if self.mean is not None:
            x = (x - self.mean) / self.std
        return x @ self.M.T

    def __repr__(self) -> str:
        kind = "V1" if self.mean is None else "V2 (normalised states)"
        return f"LinearPolicy({kind}, M={self.M.tolist()})"


def _validate_states(states, n: int, where: str, finite: bool) -> np.ndarray:
    s = as_float_array(f"states returned by reward_fn ({where})", states, allow_scalar=False, finite=finite)
    if s.ndim == 1:
        s = s[None, :]
    if s.ndim != 2 or s.shape[1] != n:
        raise ValueError(
            f"reward_fn must return (reward, states) with states of shape (k, {n}); "
            f"got states of shape {np.shape(states)} ({where})"
        )
    return s


def ars(
    reward_fn: Callable,
    policy_shape: tuple[int, int],
    n_iterations: int,
    step_size: float,
    n_directions: int,
    top_b: int | None,
    noise: float,
    version: str = "v1",
    seed: int | np.random.Generator | None = None,
    M0=None,
    evaluate: bool = False,
    min_std: float = 1e-8,
) -> tuple[np.ndarray, dict]:
    """Augmented Random Search (Mania, Guy & Recht 2018, Algorithm 1) for linear policies.

    Each iteration j (maximising the reward)::

        delta_1..delta_N ~ p x n matrices, i.i.d. N(0, 1) entries
        r+_k = reward of policy (M_j + noise * delta_k)      [normalised states for V2]
        r-_k = reward of policy (M_j - noise * delta_k)
        M_{j+1} = ars_update(M_j, deltas, r+, r-, step_size, top_b)
        V2: mean, std <- running mean/std of all states visited so far

    Parameters
    ----------
    reward_fn : callable
        ``reward_fn(policy) -> (total_reward, states_visited)``: one rollout.
        ``policy`` is a ``LinearPolicy`` (callable ``x -> action``);
        ``states_visited`` has shape (k, n).  Each call counts as one rollout
        (one function evaluation).
    policy_shape : (p, n)
        Action dimension p, state dimension n.
    n_iterations : int >= 1
    step_size : float > 0
        ``alpha``.
    n_directions : int >= 1
        ``N``, directions per iteration; 2N rollouts per iteration.
    top_b : int or None
        ``b``, 1 <= b <= N; ``None`` means ``b = N`` (versions V1/V2 of the
        paper; ``b < N`` gives V1-t/V2-t).  Must be None or N for "basic".
    noise : float > 0
        ``nu``, standard deviation of the exploration noise.
    version : {"v1", "v2", "basic"}
        "v1": ``u = M x``.  "v2": ``u = M diag(Sigma)^(-1/2) (x - mu)`` with
        the running statistics of all states visited (``RunningStat``), frozen
        during an iteration and updated after it (``mu_0 = 0``,
        ``Sigma_0 = I``).  "basic": basic random search
        (``basic_random_search_update``; no top-b, no ``sigma_R``, no
        normalisation).
    seed : int, numpy.random.Generator or None
        Source of the directions ``delta``: an int seeds a new Generator (the
        same run every time), a Generator is used as it is (it advances),
        ``None`` draws fresh entropy (not reproducible); see
        ``validation.as_generator``.
    M0 : array (p, n) or None
        Initial policy, default zeros (the paper's ``M_0 = 0``).  Not modified.
    evaluate : bool
        If True, one extra rollout of the noise-free policy per iteration is
        recorded in ``history["reward_current"]``; these rollouts are counted
        in ``history["n_eval_rollouts"]``, not in ``history["n_rollouts"]``.
    min_std : float
        Floor of the state standard deviation for V2 (see ``RunningStat``).

    Returns
    -------
    M : ndarray, shape (p, n)
        The final policy matrix.  For V2 it acts on normalised states: use
        ``history["policy"]``, which pairs it with the final statistics (the
        pair the algorithm would use at its next iteration).
    history : dict
        ``"reward_mean"``, ``"reward_max"`` (over the 2N rollouts of each
        iteration, i.e. around ``M_j``), ``"sigma_R"`` (ARS versions; NaN for
        "basic"), ``"n_rollouts"`` (cumulative training rollouts, 2N(j+1)),
        ``"n_states"`` (cumulative states visited), ``"reward_current"`` (if
        ``evaluate``), ``"n_eval_rollouts"``, ``"mean"``/``"std"`` (final V2
        statistics, None for V1/basic) and ``"policy"`` (final ``LinearPolicy``).

    Raises
    ------
    ValueError
        Naming the direction index and sign when a rollout returns a
        non-finite reward (a diverged rollout).

    Notes
    -----
    * The noise ``nu`` enters only the rollouts; the update uses the
      unit-variance ``delta`` (paper, Algorithm 1).
    * V2 statistics include every state ever visited, also those of a
      diverging rollout in the first iterations (which run with
      ``Sigma_0 = I``).  One such rollout can inflate ``std`` by many orders
      of magnitude, after which the normalised states are ~0 and learning
      stalls.  Choose ``noise`` small enough that the perturbed policies of
      the first iteration stay bounded.
    * Rollouts are deterministic calls of ``reward_fn``; a stochastic
      environment simply makes the rewards noisy.
    """
    if not callable(reward_fn):
        raise TypeError(f"reward_fn must be callable as reward_fn(policy) -> (reward, states); got {describe(reward_fn)}")
    if not isinstance(policy_shape, (tuple, list)) or len(policy_shape) != 2:
        raise ValueError(f"policy_shape must be a pair (p, n); got {policy_shape!r}")
    p = as_int("policy_shape[0]", policy_shape[0], minimum=1)
    n = as_int("policy_shape[1]", policy_shape[1], minimum=1)
    n_iterations = as_int("n_iterations", n_iterations, minimum=1)
    step_size = as_positive("step_size", step_size)
    n_directions = as_int("n_directions", n_directions, minimum=1)
    noise = as_positive("noise", noise)
    version = as_choice("version", version, ARS_VERSIONS)
    top_b = _validate_top_b(n_directions if top_b is None else top_b, n_directions)
    if version == "basic" and top_b != n_directions:
        raise ValueError(
            f"top_b must be None or n_directions = {n_directions} for version 'basic' "
            f"(basic random search uses every direction); got top_b = {top_b}"
        )
    rng = as_generator("seed", seed)
    evaluate = as_bool("evaluate", evaluate)
    if M0 is None:
        M = np.zeros((p, n))
    else:
        M = _validate_matrix("M0", M0).astype(np.float64, copy=True)
        if M.shape != (p, n):
            raise ValueError(f"M0 must have shape policy_shape = {(p, n)}; got shape {M.shape}")

    stat = RunningStat(n, min_std=min_std) if version == "v2" else None
    mean = stat.mean if stat is not None else None
    std = stat.std if stat is not None else None

    reward_mean = np.empty(n_iterations)
    reward_max = np.empty(n_iterations)
    sigma_R = np.full(n_iterations, np.nan)
    n_rollouts = np.empty(n_iterations, dtype=int)
    n_states = np.empty(n_iterations, dtype=int)
    reward_current = np.full(n_iterations, np.nan)
    rollouts, states_seen, eval_rollouts = 0, 0, 0

    for j in range(n_iterations):
        deltas = rng.standard_normal(size=(n_directions, p, n))
        rewards = np.empty((2, n_directions))
        for k in range(n_directions):
            for s, sign in enumerate((+1.0, -1.0)):
                where = f"iteration {j}, direction index {k}, sign {'+' if sign > 0 else '-'}"
                out = reward_fn(LinearPolicy._from_validated(M + sign * noise * deltas[k], mean, std))
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise TypeError(f"reward_fn must return a pair (reward, states); got {describe(out)} ({where})")
                r, states = out
                try:
                    r = as_scalar_output("reward", r)
                except ValueError:
                    raise ValueError(
                        f"reward must be finite; the rollout at {where} returned {r!r}. "
                        "It diverged: reduce noise or step_size."
                    ) from None
                states = _validate_states(states, n, where, finite=stat is not None)  # V2 averages them
                rewards[s, k] = r
                rollouts += 1
                states_seen += states.shape[0]
                if stat is not None:
                    stat._merge(states)
        if version == "basic":
            M = _basic_step(M, deltas, rewards[0], rewards[1], step_size)
        else:
            M, sigma_R[j] = _ars_step(M, deltas, rewards[0], rewards[1], step_size, top_b)
        if stat is not None:
            mean, std = stat.mean, stat.std
        reward_mean[j] = rewards.mean()
        reward_max[j] = rewards.max()
        n_rollouts[j] = rollouts
        n_states[j] = states_seen
        if evaluate:
            r, _ = reward_fn(LinearPolicy._from_validated(M, mean, std))
            reward_current[j] = as_scalar_output("reward of the current policy", r)
            eval_rollouts += 1

    history = {
        "reward_mean": reward_mean,
        "reward_max": reward_max,
        "sigma_R": sigma_R,
        "n_rollouts": n_rollouts,
        "n_states": n_states,
        "n_eval_rollouts": eval_rollouts,
        "mean": mean,
        "std": std,
        "policy": LinearPolicy._from_validated(M, mean, std),
    }
    if evaluate:
        history["reward_current"] = reward_current
    return M, history


# --------------------------------------------------------------------------
# 5. Demonstration problem 1: the linear-quadratic regulator
# --------------------------------------------------------------------------
def _validate_lqr_matrices(A, B, Q, R):
    A = _validate_matrix("A", A)
    B = _validate_matrix("B", B)
    Q = _validate_matrix("Q", Q)
    R = _validate_matrix("R", R)
    n, p = B.shape
    if A.shape != (n, n):
        raise ValueError(f"A must be square with as many rows as B ({n}); got A of shape {A.shape}, B of shape {B.shape}")
    if Q.shape != (n, n):
        raise ValueError(f"Q must have shape ({n}, {n}) like A; got shape {Q.shape}")
    if R.shape != (p, p):
        raise ValueError(f"R must have shape ({p}, {p}) (B has {p} columns); got shape {R.shape}")
    for name, S in (("Q", Q), ("R", R)):
        if not np.allclose(S, S.T, rtol=1e-12, atol=1e-12):
            raise ValueError(f"{name} must be symmetric; got {S.tolist()}")
    if np.linalg.eigvalsh(Q).min() < -1e-12 * max(1.0, np.abs(Q).max()):
        raise ValueError(f"Q must be positive semi-definite; its eigenvalues are {np.linalg.eigvalsh(Q).tolist()}")
    if np.linalg.eigvalsh(R).min() <= 0:
        raise ValueError(f"R must be positive definite; its eigenvalues are {np.linalg.eigvalsh(R).tolist()}")
    return A, B, Q, R


def lqr_optimal_gain(A, B, Q, R, tol: float = 1e-12, max_iter: int = 100_000) -> tuple[np.ndarray, np.ndarray]:
    """Infinite-horizon discrete LQR: optimal gain ``K`` and Riccati solution ``P``.

    Minimises ``sum_t (x_t^T Q x_t + u_t^T R u_t)`` subject to
    ``x_{t+1} = A x_t + B u_t``; the optimal policy is ``u = -K x`` with::

        P = Q + A^T P A - A^T P B (R + B^T P B)^{-1} B^T P A     (DARE)
        K = (R + B^T P B)^{-1} B^T P A

    ``P`` is found by the fixed-point (value) iteration of the right-hand
    side started at ``P = Q``, in numpy only (no scipy); each iteration
    computes the gain ``K`` of the current ``P`` once and writes the
    right-hand side with it, ``Q + A^T P A - (B^T P A)^T K``.  It stops at
    the first ``P`` whose DARE residual (the change ``P_new - P``) satisfies
    ``max|P_new - P| <= tol * max(1, max|P|)`` and returns that ``P`` with
    its ``K``.  It converges when ``(A, B)`` is stabilisable and ``(A,
    Q^{1/2})`` detectable; otherwise a ``RuntimeError`` is raised after
    ``max_iter`` iterations.

    Note the sign: ``K`` is the gain of ``u = -K x``, so the matching ARS
    policy matrix is ``M = -K``.

    Returns
    -------
    K : ndarray, shape (p, n)
    P : ndarray, shape (n, n), symmetric
    """
    A, B, Q, R = _validate_lqr_matrices(A, B, Q, R)
    tol = as_positive("tol", tol)
    max_iter = as_int("max_iter", max_iter, minimum=1)
    P = Q.copy()
    for _ in range(max_iter):
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected just below
            BtPA = B.T @ P @ A
            K = np.linalg.solve(R + B.T @ P @ B, BtPA)        # K = (R + B^T P B)^{-1} B^T P A
            P_new = Q + A.T @ P @ A - BtPA.T @ K              # the right-hand side of the DARE
            P_new = 0.5 * (P_new + P_new.T)
        if not np.all(np.isfinite(P_new)):
            break
        if np.max(np.abs(P_new - P)) <= tol * max(1.0, np.max(np.abs(P))):  # P solves the DARE to tol
            return K, P
        P = P_new
    raise RuntimeError(
        f"the Riccati iteration did not converge in max_iter = {max_iter} iterations; "
        "is (A, B) stabilisable and (A, Q) detectable?"
    )


class LQR:
    """A deterministic linear-quadratic regulator with fixed initial states.

    Dynamics and reward (each rollout runs every initial state)::

        x_{t+1} = A x_t + B u_t,     u_t = policy(x_t),     t = 0..horizon-1
        reward  = -(1/K) sum_{i=1..K} sum_{t=0..horizon-1} (x_t^T Q x_t + u_t^T R u_t)

    i.e. minus the cost per initial state, averaged over the K initial states
    ``x0[i]`` (the final state x_horizon is not charged).  ``rollout(policy)``
    returns ``(reward, states)`` with ``states`` the ``horizon * K`` states at
    which the policy was queried, shape (horizon*K, n) — the interface of
    ``ars``.  ``cost(policy) = -reward``.

    The policy is called on a batch of states, shape (K, n), and must return
    shape (K, p) (``LinearPolicy`` does).  A diverging policy yields an
    overflowing (non-finite) reward, which ``ars`` reports.
    """

    def __init__(self, A, B, Q, R, horizon: int, x0):
        self.A, self.B, self.Q, self.R = _validate_lqr_matrices(A, B, Q, R)
        self.n, self.p = self.B.shape
        self.horizon = as_int("horizon", horizon, minimum=1)
        x0 = as_float_array("x0", x0, allow_scalar=False)
        if x0.ndim == 1:
            x0 = x0[None, :]
        if x0.ndim != 2 or x0.shape[1] != self.n:
            raise ValueError(f"x0 must have shape (K, {self.n}) (K initial states as rows); got shape {x0.shape}")
        self.x0 = x0.copy()

    def rollout(self, policy) -> tuple[float, np.ndarray]:
        """Run ``policy`` from every initial state; return ``(reward, states)``."""
        if not callable(policy):
            raise TypeError(f"policy must be callable x -> u; got {describe(policy)}")
        X = self.x0
        K = X.shape[0]
        states = np.empty((self.horizon, K, self.n))
        actions = np.empty((self.horizon, K, self.p))
        At, Bt = self.A.T, self.B.T
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(self.horizon):
                U = policy(X)
                if np.shape(U) != (K, self.p):
                    raise ValueError(
                        f"policy must map states of shape {X.shape} to actions of shape {(K, self.p)}; "
                        f"got shape {np.shape(U)}"
                    )
                states[t] = X
                actions[t] = U
                X = X @ At + U @ Bt
            X, U = states.reshape(-1, self.n), actions.reshape(-1, self.p)
            cost = np.sum((X @ self.Q) * X) + np.sum((U @ self.R) * U)
        return -float(cost) / K, X

    __call__ = rollout

    def cost(self, policy) -> float:
        """Average cost per initial state, ``-rollout(policy)[0]``."""
        return -self.rollout(policy)[0]


# --------------------------------------------------------------------------
# lecture 6's race: loss evaluations against the loss, four methods
# --------------------------------------------------------------------------
RACE_METHODS = ("GD, central-difference gradient", "GD, exact gradient (backprop)", "finite differences (001)",
                "ARS V1")
"""The race's methods, in the order ``race_curves`` returns them."""


def race_problem(dim: int, seed: int = 0, n_points: int = 200):
    """The race's problem: the slide's perceptron on ``n_points`` points with ``dim`` features (plus a bias).

    ``perceptron.make_separable_data(n_points, seed, n_features=dim,
    flip=0.1)``: linearly separable but for 10% flipped labels, so the
    logistic loss has a finite minimum.  Returns a ``PerceptronProblem``.
    """
    from .perceptron import PerceptronProblem, make_separable_data

    dim = as_int("dim", dim, minimum=1)
    n_points = as_int("n_points", n_points, minimum=2)
    X, y, _ = make_separable_data(n_points, as_int("seed", seed, minimum=0), n_features=dim, flip=0.1)
    return PerceptronProblem(X, y)


def gradient_descent_race(problem, budget: int, lr: float = 1.0) -> dict:
    """Gradient descent from w = 0 within ``budget`` loss evaluations: ``{method: (evaluations, J(w))}``.

    * with a central-difference gradient (``gradcheck.numerical_gradient``,
      step 1e-5): 2 (d + 1) evaluations per step, ``budget // (2 (d + 1))``
      steps (at least one);
    * with the exact gradient (backprop), counted at 2 evaluations per step
      (one product forward, one backward: a single layer needs no input
      gradient), ``budget // 2`` steps.

    ``J(w)`` is the problem's loss at every iterate (computed for the
    picture, not counted).
    """
    from . import optim
    from .gradcheck import numerical_gradient

    budget = as_int("budget", budget, minimum=2)
    lr = as_positive("lr", lr)
    w0 = np.zeros(_n_weights(problem))
    per_step = 2 * len(w0)
    steps = max(budget // per_step, 1)
    path = optim.trajectory(optim.SGD(lr), lambda w: numerical_gradient(problem.loss, w, method="central", eps=1e-5),
                            w0, steps)
    curves = {RACE_METHODS[0]: (np.arange(steps + 1) * per_step, np.array([problem.loss(w) for w in path]))}
    path = optim.trajectory(optim.SGD(lr), problem.gradient, w0, budget // 2)
    curves[RACE_METHODS[1]] = (np.arange(len(path)) * 2, np.array([problem.loss(w) for w in path]))
    return curves


def _n_weights(problem) -> int:
    return problem.X_aug.shape[1]          # the features and the bias


def random_search_race(problem, sigma: float, n_directions: int, budget: int, seed: int = 0,
                       lr: float = 1.0) -> dict:
    """The two derivative-free methods from w = 0 within ``budget`` evaluations: ``{method: (evaluations, J(w))}``.

    * the method of finite differences (source ``001``, sign corrected):
      ``finite_difference_search`` with learning rate ``lr / (2 sigma^2)``
      (its step then equals gradient descent's in expectation, E[(L+ - L-)
      dW] ~ 2 sigma^2 grad L), 2 evaluations per step, ``budget // 2``
      steps, directions from ``seed + 1``;
    * ARS V1 with ``n_directions`` directions, all used, rewards = -loss,
      step size ``lr sigma``: 2N evaluations per iteration, ``budget //
      (2N)`` iterations (at least one), directions from ``seed + 2``.

    ``J(w)`` at w = 0 and after every step (for ARS minus the reward of its
    current policy): the true loss, not the methods' estimates.
    """
    sigma = as_positive("sigma", sigma)
    n_directions = as_int("n_directions", n_directions, minimum=1)
    budget = as_int("budget", budget, minimum=2)
    seed = as_int("seed", seed, minimum=0)
    lr = as_positive("lr", lr)
    d = _n_weights(problem)
    w0 = np.zeros(d)
    _, hist = finite_difference_search(problem.loss, w0, lr / (2 * sigma ** 2), sigma, budget // 2, seed + 1)
    curves = {RACE_METHODS[2]: (np.concatenate([[0], hist["n_evaluations"]]),
                                np.array([problem.loss(w) for w in (w0, *hist["w"])]))}
    iters = max(budget // (2 * n_directions), 1)
    _, h = ars(problem.rollout, (1, d), iters, step_size=lr * sigma, n_directions=n_directions,
               top_b=n_directions, noise=sigma, version="v1", seed=seed + 2, evaluate=True)
    curves[RACE_METHODS[3]] = (np.concatenate([[0], h["n_rollouts"]]),
                               np.concatenate([[problem.loss(w0)], -h["reward_current"]]))
    return curves


def race_curves(dim: int, sigma: float, n_directions: int, budget: int, seed: int = 0, n_points: int = 200) -> dict:
    """Lecture 6's race: every method's ``(evaluations, J(w))`` on ``race_problem(dim, seed, n_points)``.

    ``gradient_descent_race`` and ``random_search_race`` (learning rate 1),
    in the order of ``RACE_METHODS``.
    """
    problem = race_problem(dim, seed, n_points)
    return {**gradient_descent_race(problem, budget), **random_search_race(problem, sigma, n_directions, budget, seed)}
