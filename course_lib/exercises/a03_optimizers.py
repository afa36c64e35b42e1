"""Assignment 3, optimizers: the checks of the momentum forms, Nesterov, AdaGrad, RMSProp,
Adam, Rprop, two schedules, and the network trained with the student's Adam.

Each check runs the student's function against the ``course_lib`` reference on
seeded random inputs through ``engine.check_function`` and names the likely
mistake (see ``course_lib.exercises``).
"""

from __future__ import annotations

import numpy as np

from .. import optim, schedules
from ..data import make_circles
from . import engine
from .engine import case_seed, network_from, reached



_OPT_TOL = {"rtol": 1e-9, "atol": 1e-12}


def _state_cases(seed: int, n_state: int, with_t: bool = False, positive_state: bool = False):
    """(w, g, *state[, t]) for several shapes and scales, zero gradients and t = 1 included."""
    rng = np.random.default_rng(seed)
    cases = []
    for k, (shape, scale) in enumerate((((3,), 1.0), ((2, 4), 1e-3), ((1,), 50.0), ((5,), 1.0), ((2, 2), 1.0))):
        w = rng.normal(size=shape)
        g = rng.normal(scale=scale, size=shape)
        if k == 3:
            g[:2] = 0.0  # zero gradients
        state = []
        for _ in range(n_state):
            s = rng.normal(scale=scale, size=shape)
            state.append(s ** 2 if positive_state else s)
        if k == 4:
            state = [np.zeros(shape) for _ in range(n_state)]  # the very first step
        args = (w, g, *state)
        if with_t:
            args = (*args, 1 if k in (0, 4) else int(rng.integers(2, 50)))
        cases.append(args)
    return cases


def momentum_classical(student, lr=0.1, beta=0.9, seed=None) -> int:
    """``momentum_classical(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v - lr g, w = w + v."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(case_seed(seed, 10), 1)]
    ref = lambda w, g, v, lr, beta: optim.momentum_update(w, g, v, lr, beta, variant="classical")  # noqa: E731
    return engine.check_function(student, ref, cases, name="momentum_classical", **_OPT_TOL, variants={
        "the sign is flipped: the classical velocity is v = beta v - lr g, and w = w + v":
            lambda w, g, v, lr, beta: (w - (beta * v + lr * g), beta * v + lr * g),
        "beta is missing on the old velocity: v = beta v - lr g":
            lambda w, g, v, lr, beta: (w + v - lr * g, v - lr * g),
        "this is the EMA form (source 001); the classical one has no (1 - beta) and adds v":
            lambda w, g, v, lr, beta: optim.momentum_update(w, g, v, lr, beta, variant="ema")})


def momentum_ema(student, lr=0.1, beta=0.9, seed=None) -> int:
    """``momentum_ema(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v + (1 - beta) g, w = w - lr v."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(case_seed(seed, 11), 1)]
    ref = lambda w, g, v, lr, beta: optim.momentum_update(w, g, v, lr, beta, variant="ema")  # noqa: E731
    return engine.check_function(student, ref, cases, name="momentum_ema", **_OPT_TOL, variants={
        "the (1 - beta) factor on the gradient is missing":
            lambda w, g, v, lr, beta: (w - lr * (beta * v + g), beta * v + g),
        "this is the classical form (v = beta v - lr g, w = w + v), not source 001's average":
            lambda w, g, v, lr, beta: optim.momentum_update(w, g, v, lr, beta, variant="classical")})


def nesterov(student, lr=0.1, beta=0.9, seed=None) -> int:
    """``nesterov(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v - lr g, w = w + beta v_new - lr g."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(case_seed(seed, 12), 1)]
    return engine.check_function(student, optim.nesterov_update, cases, name="nesterov", **_OPT_TOL, variants={
        "this is plain (heavy-ball) momentum, w + v_new; Nesterov steps w + beta v_new - lr g":
            lambda w, g, v, lr, beta: optim.momentum_update(w, g, v, lr, beta, variant="classical")})


def adagrad(student, lr=0.01, eps=1e-8, seed=None) -> int:
    """``adagrad(w, g, G, lr, eps)`` -> (w_new, G_new): G = G + g^2, w = w - lr g / (sqrt(G) + eps)."""
    cases = [((w, g, G, lr, eps), {}) for w, g, G in _state_cases(case_seed(seed, 13), 1, positive_state=True)]
    return engine.check_function(student, optim.adagrad_update, cases, name="adagrad", **_OPT_TOL, variants={
        "eps is inside the square root; here it is added to sqrt(G)":
            lambda w, g, G, lr, eps: optim.adagrad_update(w, g, G, lr, eps, eps_inside_sqrt=True),
        "G must accumulate: G_new = G + g**2, not g**2 alone":
            lambda w, g, G, lr, eps: (w - lr * g / (np.abs(g) + eps), g ** 2)})


def rmsprop(student, lr=0.001, rho=0.9, eps=1e-8, seed=None) -> int:
    """``rmsprop(w, g, s, lr, rho, eps)`` -> (w_new, s_new): s = rho s + (1 - rho) g^2, w = w - lr g / (sqrt(s) + eps)."""
    cases = [((w, g, s, lr, rho, eps), {}) for w, g, s in _state_cases(case_seed(seed, 14), 1, positive_state=True)]
    return engine.check_function(student, optim.rmsprop_update, cases, name="rmsprop", **_OPT_TOL, variants={
        "eps is inside the square root; here it is added to sqrt(s)":
            lambda w, g, s, lr, rho, eps: optim.rmsprop_update(w, g, s, lr, rho, eps, eps_inside_sqrt=True),
        "the (1 - rho) factor on g**2 is missing":
            lambda w, g, s, lr, rho, eps: (w - lr * g / (np.sqrt(rho * s + g * g) + eps), rho * s + g * g)})


def _adam_mistakes() -> dict:
    """Adam with one classic mistake each, keyed by the sentence that names it.

    Each is the reference (``optim.adam_update``, Kingma & Ba Algorithm 1) with
    its one wrong piece written out; the correct parts are not typed again.
    """
    def moments(w, g, m, v, t, lr, beta1, beta2, eps):
        """The reference's new moments and their bias corrections."""
        _, m_new, v_new = optim.adam_update(w, g, m, v, t, lr, beta1, beta2, eps)
        return m_new, v_new, m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)

    def no_bias(w, g, m, v, t, lr, beta1, beta2, eps):
        m_new, v_new, _, _ = moments(w, g, m, v, t, lr, beta1, beta2, eps)
        return w - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new

    def t_off_by_one(w, g, m, v, t, lr, beta1, beta2, eps):
        return optim.adam_update(w, g, m, v, t + 1, lr, beta1, beta2, eps)

    def eps_inside(w, g, m, v, t, lr, beta1, beta2, eps):
        m_new, v_new, m_hat, v_hat = moments(w, g, m, v, t, lr, beta1, beta2, eps)
        return w - lr * m_hat / np.sqrt(v_hat + eps), m_new, v_new

    def no_one_minus(w, g, m, v, t, lr, beta1, beta2, eps):
        m_new, v_new = beta1 * m + g, beta2 * v + g * g
        m_hat, v_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new

    def times_g(w, g, m, v, t, lr, beta1, beta2, eps):
        w_new, m_new, v_new = optim.adam_update(w, g, m, v, t, lr, beta1, beta2, eps)
        return w - (w - w_new) * g, m_new, v_new  # the reference's step, multiplied by g

    return {
        "the bias correction is missing: divide m by (1 - beta1**t) and v by (1 - beta2**t)": no_bias,
        "t is off by one: the first step is t = 1, so the corrections use beta**t, not beta**(t+1)": t_off_by_one,
        "eps is inside the square root; Algorithm 1 adds it to sqrt(v_hat)": eps_inside,
        "the (1 - beta) factors of the moving averages are missing": no_one_minus,
        "the step is multiplied by g again (the misprint of source 002); m_hat already carries the gradient":
            times_g,
    }


def adam(student, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, seed=None) -> int:
    """``adam(w, g, m, v, t, lr, beta1, beta2, eps)`` -> (w_new, m_new, v_new), Kingma & Ba Algorithm 1 (t from 1)."""
    cases = []
    for w, g, m, v, t in _state_cases(case_seed(seed, 15), 2, with_t=True):
        cases.append(((w, g, m, np.abs(v), t, lr, beta1, beta2, eps), {}))
    return engine.check_function(student, optim.adam_update, cases, name="adam", **_OPT_TOL,
                                 variants=_adam_mistakes())


def rprop(student, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0), seed=None) -> int:
    """``rprop(w, g, g_prev, step)`` -> (w_new, g_prev_new, step_new), iRprop-."""
    rng = np.random.default_rng(case_seed(seed, 16))
    cases = []
    for shape in ((4,), (2, 3), (6,)):
        w, g = rng.normal(size=shape), rng.normal(size=shape)
        g_prev = rng.normal(size=shape)          # mixed: some signs agree, some flip
        g_prev.flat[0] = 0.0                     # and one "no history" entry
        step = rng.uniform(0.001, 0.1, size=shape)
        cases.append(((w, g, g_prev, step), {}))
    cases.append(((np.ones(3), np.ones(3), np.zeros(3), np.full(3, 0.01)), {}))  # the first step

    def no_zeroing(w, g, g_prev, step):
        s = np.sign(g) * np.sign(g_prev)
        new = np.where(s > 0, np.minimum(step * 1.2, 50.0), np.where(s < 0, np.maximum(step * 0.5, 1e-6), step))
        return w - np.sign(g) * new, g, new

    return engine.check_function(student, optim.rprop_update, cases, name="rprop", **_OPT_TOL, variants={
        "after a sign change iRprop- sets the stored gradient to 0 and does not move that coordinate": no_zeroing})


def _schedule_cases(seed: int, fixed):
    """The fixed (lr0, rate) pairs and a random one, each at epochs 0, 1 and two drawn ones."""
    rng = np.random.default_rng(seed)
    pairs = [*fixed, (float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.5, 0.99)))]
    epochs = (0, 1, int(rng.integers(2, 20)), int(rng.integers(20, 200)))
    return [((lr0, r, k), {}) for lr0, r in pairs for k in epochs]


def inverse_time(student, seed=None) -> int:
    """``inverse_time(lr0, decay, epoch)``: lr0 / (1 + decay * epoch)."""
    cases = _schedule_cases(case_seed(seed, 18), ((0.1, 0.5), (1.0, 0.01)))
    return engine.check_function(student, lambda lr0, d, k: schedules.inverse_time(lr0, d)(k), cases,
                                  name="inverse_time", rtol=1e-12, atol=0.0, variants={
        "this is the slide's garbled 1/(1 - dec) * 1/(rate * epoch) * lr0; use lr0 / (1 + decay * epoch)":
            lambda lr0, d, k: (1 / (1 - d)) * (1 / (d * k)) * lr0 if k else np.inf})


def exponential(student, seed=None) -> int:
    """``exponential(lr0, base, epoch)``: lr0 * base ** epoch."""
    cases = _schedule_cases(case_seed(seed, 19), ((0.1, 0.95), (1.0, 0.98)))
    return engine.check_function(student, lambda lr0, b, k: schedules.exponential(lr0, b)(k), cases,
                                  name="exponential", rtol=1e-12, atol=0.0, variants={
        "epoch 0 must give lr0 (base ** 0 = 1): the exponent is the epoch, counted from 0":
            lambda lr0, b, k: lr0 * b ** (k + 1)})


def trained_network(net, threshold: float = 0.95, seed=None) -> int:
    """Assignment 3: the network trained with the student's Adam classifies ``make_circles(256, seed=0)``.

    The accuracy is computed here from the network's parameters, on the
    exercise's data regenerated here (not taken from the student's variables).
    """
    X, y = make_circles(256, seed=0)
    return reached(network_from(net).accuracy(X, y), threshold, "the network's training accuracy",
                    "Check that every parameter is updated with its own m and v, and that t starts at 1.")
