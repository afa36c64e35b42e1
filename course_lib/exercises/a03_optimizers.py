"""Assignment 3, optimizers: the checks of the momentum forms, Nesterov, AdaGrad, RMSProp,
Adam, Rprop, two schedules, and the network trained with the student's Adam.

Each check runs the student's function against the ``course_lib`` reference on
seeded random inputs through ``engine.check_function`` and names the likely
mistake (see ``course_lib.exercises``).  The reference rule of each optimizer
and its default hyperparameters come from the registry ``optim.OPTIMIZERS``;
each wrong variant is the reference with one piece changed: the reference
called with a wrong argument, or the wrong piece followed by the rest of the
rule from ``optim``'s own pieces (``sgd_update``, ``bias_correction``,
``adaptive_step``, the rule itself), so only the wrong piece is written here
(and the classical momentum's step ``w + v``, a single addition, after a
wrong velocity).
"""

from __future__ import annotations

import numpy as np

from .. import optim, schedules
from ..data import make_circles
from . import engine
from .engine import case_rng, network_from, reached

_MOMENTUM, _NESTEROV = optim.optimizer_info("Momentum"), optim.optimizer_info("Nesterov")
_ADAGRAD, _RMSPROP = optim.optimizer_info("Adagrad"), optim.optimizer_info("RMSprop")
_ADAM, _RPROP = optim.optimizer_info("Adam"), optim.optimizer_info("Rprop")

_OPT_TOL = {"rtol": 1e-9, "atol": 1e-12}
_MOMENTUM_LR = 0.1  # Momentum and Nesterov have no default lr (it must suit the problem's curvature)


def _state_cases(rng: np.random.Generator, n_state: int, with_t: bool = False, positive_state: bool = False):
    """(w, g, *state[, t]) for several shapes and scales, zero gradients and t = 1 included."""
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


def momentum_classical(student, lr=_MOMENTUM_LR, beta=_MOMENTUM.defaults["beta"], seed=None) -> int:
    """``momentum_classical(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v - lr g, w = w + v."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(case_rng(seed, 10), 1)]

    def reference(w, g, v, lr, beta):
        return _MOMENTUM.rule(w, g, v, lr, beta, variant="classical")

    def sign_flipped(w, g, v, lr, beta):
        v_new = beta * v + lr * g  # the wrong piece: both signs of the rule flipped
        return w - v_new, v_new

    def no_beta(w, g, v, lr, beta):
        v_new = v - lr * g  # the wrong piece; the step is the reference's w + v
        return w + v_new, v_new

    return engine.check_function(student, reference, cases, name="momentum_classical", **_OPT_TOL, variants={
        "the sign is flipped: the classical velocity is v = beta v - lr g, and w = w + v": sign_flipped,
        "beta is missing on the old velocity: v = beta v - lr g": no_beta,
        "this is the EMA form (source 001); the classical one has no (1 - beta) and adds v":
            lambda w, g, v, lr, beta: _MOMENTUM.rule(w, g, v, lr, beta, variant="ema")})


def momentum_ema(student, lr=_MOMENTUM_LR, beta=_MOMENTUM.defaults["beta"], seed=None) -> int:
    """``momentum_ema(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v + (1 - beta) g, w = w - lr v."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(case_rng(seed, 11), 1)]

    def reference(w, g, v, lr, beta):
        return _MOMENTUM.rule(w, g, v, lr, beta, variant="ema")

    def no_one_minus_beta(w, g, v, lr, beta):
        v_new = beta * v + g  # the wrong piece; the step is the EMA form's w - lr v
        return optim.sgd_update(w, v_new, lr), v_new

    return engine.check_function(student, reference, cases, name="momentum_ema", **_OPT_TOL, variants={
        "the (1 - beta) factor on the gradient is missing": no_one_minus_beta,
        "this is the classical form (v = beta v - lr g, w = w + v), not source 001's average":
            lambda w, g, v, lr, beta: _MOMENTUM.rule(w, g, v, lr, beta, variant="classical")})


def nesterov(student, lr=_MOMENTUM_LR, beta=_NESTEROV.defaults["beta"], seed=None) -> int:
    """``nesterov(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v - lr g, w = w + beta v_new - lr g."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(case_rng(seed, 12), 1)]
    return engine.check_function(student, _NESTEROV.rule, cases, name="nesterov", **_OPT_TOL, variants={
        "this is plain (heavy-ball) momentum, w + v_new; Nesterov steps w + beta v_new - lr g":
            lambda w, g, v, lr, beta: _MOMENTUM.rule(w, g, v, lr, beta, variant="classical")})


def adagrad(student, lr=_ADAGRAD.defaults["lr"], eps=_ADAGRAD.defaults["eps"], seed=None) -> int:
    """``adagrad(w, g, G, lr, eps)`` -> (w_new, G_new): G = G + g^2, w = w - lr g / (sqrt(G) + eps)."""
    cases = [((w, g, G, lr, eps), {}) for w, g, G in _state_cases(case_rng(seed, 13), 1, positive_state=True)]
    return engine.check_function(student, _ADAGRAD.rule, cases, name="adagrad", **_OPT_TOL, variants={
        "eps is inside the square root; here it is added to sqrt(G)":
            lambda w, g, G, lr, eps: _ADAGRAD.rule(w, g, G, lr, eps, eps_inside_sqrt=True),
        "G must accumulate: G_new = G + g**2, not g**2 alone":  # the reference with the history forgotten
            lambda w, g, G, lr, eps: _ADAGRAD.rule(w, g, np.zeros_like(G), lr, eps)})


def rmsprop(student, lr=_RMSPROP.defaults["lr"], rho=_RMSPROP.defaults["rho"], eps=_RMSPROP.defaults["eps"],
            seed=None) -> int:
    """``rmsprop(w, g, s, lr, rho, eps)`` -> (w_new, s_new): s = rho s + (1 - rho) g^2, w = w - lr g / (sqrt(s) + eps)."""
    cases = [((w, g, s, lr, rho, eps), {}) for w, g, s in _state_cases(case_rng(seed, 14), 1, positive_state=True)]

    def no_one_minus_rho(w, g, s, lr, rho, eps):
        s_new = rho * s + g * g  # the wrong piece; the step is the reference's
        return optim.adaptive_step(w, g, s_new, lr, eps), s_new

    return engine.check_function(student, _RMSPROP.rule, cases, name="rmsprop", **_OPT_TOL, variants={
        "eps is inside the square root; here it is added to sqrt(s)":
            lambda w, g, s, lr, rho, eps: _RMSPROP.rule(w, g, s, lr, rho, eps, eps_inside_sqrt=True),
        "the (1 - rho) factor on g**2 is missing": no_one_minus_rho})


def _adam_mistakes() -> dict:
    """Adam with one classic mistake each, keyed by the sentence that names it.

    Each is the reference (``optim.adam_update``, Kingma & Ba Algorithm 1)
    with one piece wrong: its moments, bias corrections and step come from
    ``optim`` (``adam_update``, ``bias_correction``, ``adaptive_step``); only
    the wrong piece is written here.
    """
    def moments(w, g, m, v, t, lr, beta1, beta2, eps):
        """The reference's new moments m, v."""
        return _ADAM.rule(w, g, m, v, t, lr, beta1, beta2, eps)[1:]

    def no_bias(w, g, m, v, t, lr, beta1, beta2, eps):
        m_new, v_new = moments(w, g, m, v, t, lr, beta1, beta2, eps)
        return optim.adaptive_step(w, m_new, v_new, lr, eps), m_new, v_new  # m, v in place of m_hat, v_hat

    def t_off_by_one(w, g, m, v, t, lr, beta1, beta2, eps):
        return _ADAM.rule(w, g, m, v, t + 1, lr, beta1, beta2, eps)

    def eps_inside(w, g, m, v, t, lr, beta1, beta2, eps):
        m_new, v_new = moments(w, g, m, v, t, lr, beta1, beta2, eps)
        m_hat, v_hat = optim.bias_correction(m_new, beta1, t), optim.bias_correction(v_new, beta2, t)
        return optim.adaptive_step(w, m_hat, v_hat, lr, eps, eps_inside_sqrt=True), m_new, v_new

    def no_one_minus(w, g, m, v, t, lr, beta1, beta2, eps):
        m_new, v_new = beta1 * m + g, beta2 * v + g * g  # the wrong piece
        m_hat, v_hat = optim.bias_correction(m_new, beta1, t), optim.bias_correction(v_new, beta2, t)
        return optim.adaptive_step(w, m_hat, v_hat, lr, eps), m_new, v_new

    def times_g(w, g, m, v, t, lr, beta1, beta2, eps):
        w_new, m_new, v_new = _ADAM.rule(w, g, m, v, t, lr, beta1, beta2, eps)
        return w - (w - w_new) * g, m_new, v_new  # the reference's step, multiplied by g

    return {
        "the bias correction is missing: divide m by (1 - beta1**t) and v by (1 - beta2**t)": no_bias,
        "t is off by one: the first step is t = 1, so the corrections use beta**t, not beta**(t+1)": t_off_by_one,
        "eps is inside the square root; Algorithm 1 adds it to sqrt(v_hat)": eps_inside,
        "the (1 - beta) factors of the moving averages are missing": no_one_minus,
        "the step is multiplied by g again (the misprint of source 002); m_hat already carries the gradient":
            times_g,
    }


def adam(student, lr=_ADAM.defaults["lr"], beta1=_ADAM.defaults["beta1"], beta2=_ADAM.defaults["beta2"],
         eps=_ADAM.defaults["eps"], seed=None) -> int:
    """``adam(w, g, m, v, t, lr, beta1, beta2, eps)`` -> (w_new, m_new, v_new), Kingma & Ba Algorithm 1 (t from 1)."""
    cases = []
    for w, g, m, v, t in _state_cases(case_rng(seed, 15), 2, with_t=True):
        cases.append(((w, g, m, np.abs(v), t, lr, beta1, beta2, eps), {}))
    return engine.check_function(student, _ADAM.rule, cases, name="adam", **_OPT_TOL, variants=_adam_mistakes())


def rprop(student, etas=_RPROP.defaults["etas"], step_sizes=_RPROP.defaults["step_sizes"], seed=None) -> int:
    """``rprop(w, g, g_prev, step)`` -> (w_new, g_prev_new, step_new), iRprop- with ``etas`` and ``step_sizes``.

    ``etas = (eta_minus, eta_plus)`` and ``step_sizes = (step_min, step_max)``
    are the constants the exercise gives the student (the student's function
    takes none); the reference and the wrong variant use the same.  The
    drawn steps lie in [step_min, step_max] (clipped into it).
    """
    step_min, step_max = step_sizes
    rng = case_rng(seed, 16)
    cases = []
    for shape in ((4,), (2, 3), (6,)):
        w, g = rng.normal(size=shape), rng.normal(size=shape)
        g_prev = rng.normal(size=shape)          # mixed: some signs agree, some flip
        g_prev.flat[0] = 0.0                     # and one "no history" entry
        step = np.clip(rng.uniform(0.001, 0.1, size=shape), step_min, step_max)
        cases.append(((w, g, g_prev, step), {}))
    cases.append(((np.ones(3), np.ones(3), np.zeros(3), np.clip(np.full(3, 0.01), step_min, step_max)), {}))  # step 1

    def reference(w, g, g_prev, step):
        return _RPROP.rule(w, g, g_prev, step, etas, step_sizes)

    def no_zeroing(w, g, g_prev, step):
        _, _, step_new = reference(w, g, g_prev, step)  # the step sizes adapt as in the reference,
        # but g is neither zeroed after a flip nor kept from moving: the reference's move with those steps
        # and no history (g_prev = 0: no sign change to act on), w - sign(g) step_new, g_prev_new = g
        return reference(w, g, np.zeros_like(g_prev), step_new)

    return engine.check_function(student, reference, cases, name="rprop", **_OPT_TOL, variants={
        "after a sign change iRprop- sets the stored gradient to 0 and does not move that coordinate": no_zeroing})


def _schedule_cases(rng: np.random.Generator, fixed):
    """The fixed (lr0, rate) pairs and a random one, each at epochs 0, 1 and two drawn ones."""
    pairs = [*fixed, (float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.5, 0.99)))]
    epochs = (0, 1, int(rng.integers(2, 20)), int(rng.integers(20, 200)))
    return [((lr0, r, k), {}) for lr0, r in pairs for k in epochs]


def inverse_time(student, seed=None) -> int:
    """``inverse_time(lr0, decay, epoch)``: lr0 / (1 + decay * epoch)."""
    cases = _schedule_cases(case_rng(seed, 18), ((0.1, 0.5), (1.0, 0.01)))
    return engine.check_function(student, lambda lr0, d, k: schedules.inverse_time(lr0, d)(k), cases,
                                  name="inverse_time", rtol=1e-12, atol=0.0, variants={
        "this is the slide's garbled 1/(1 - dec) * 1/(rate * epoch) * lr0; use lr0 / (1 + decay * epoch)":
            lambda lr0, d, k: (1 / (1 - d)) * (1 / (d * k)) * lr0 if k else np.inf})


def exponential(student, seed=None) -> int:
    """``exponential(lr0, base, epoch)``: lr0 * base ** epoch."""
    cases = _schedule_cases(case_rng(seed, 19), ((0.1, 0.95), (1.0, 0.98)))
    return engine.check_function(student, lambda lr0, b, k: schedules.exponential(lr0, b)(k), cases,
                                  name="exponential", rtol=1e-12, atol=0.0, variants={
        "epoch 0 must give lr0 (base ** 0 = 1): the exponent is the epoch, counted from 0":
            lambda lr0, b, k: schedules.exponential(lr0, b)(k + 1)})


def trained_network(net, threshold: float = 0.95) -> int:
    """Assignment 3: the network trained with the student's Adam classifies ``make_circles(256, seed=0)``.

    The accuracy is computed here from the network's parameters, on the
    exercise's data regenerated here (not taken from the student's variables):
    the training data the notebook fixes, so nothing is drawn from a seed.
    """
    X, y = make_circles(256, seed=0)
    return reached(network_from(net).accuracy(X, y), threshold, "the network's training accuracy",
                    "Check that every parameter is updated with its own m and v, and that t starts at 1.")
