"""Tests of course_lib.optim (numpy only).

Expected values come from hand derivations written out below (small numbers
chosen so the arithmetic is exact), from closed forms (matrix powers of the
linear recurrences a rule follows on a quadratic) and from algebraic
identities between two forms of the same method.  The comparison with Keras
is in tests/lib/test_optim_keras.py.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from course_lib import optim
from course_lib.optim import (
    OPTIMIZERS,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Momentum,
    Nesterov,
    RMSprop,
    Rprop,
    adadelta_update,
    adagrad_update,
    adam_update,
    adaptive_step,
    bias_correction,
    momentum_update,
    nesterov_update,
    rmsprop_update,
    rprop_update,
    sgd_update,
    trajectory,
)

SQRT7 = np.sqrt(7.0)


# ---------------------------------------------------------------------------
# a smooth non-quadratic test function (numpy gradient), used by several tests
#   f(x) = sum_i log cosh((B x - c)_i)  + 0.05 |x|^2,   grad = B^T tanh(B x - c) + 0.1 x
# ---------------------------------------------------------------------------
_RNG = np.random.default_rng(20240611)
_B = _RNG.normal(size=(5, 3))
_C = _RNG.normal(size=5)


def logcosh_grad(x):
    return _B.T @ np.tanh(_B @ x - _C) + 0.1 * x


# ---------------------------------------------------------------------------
# every optimizer of the registry, run with its defaults and with other hyperparameters
# ---------------------------------------------------------------------------
FORMS = {  # per optimizer: the flags that change a rule's formula, and other values of its other hyperparameters
    "Momentum": [{"variant": "ema"}, {"beta": 0.8}],
    "Nesterov": [{"beta": 0.8}],
    "Adagrad": [{"eps_inside_sqrt": True, "initial_accumulator": 0.1}, {"eps": 1e-7}],
    "RMSprop": [{"eps_inside_sqrt": True}, {"rho": 0.8, "eps": 1e-6}],
    "Adadelta": [{"rho": 0.9, "eps": 1e-4}],
    "Adam": [{"eps_hat": True}, {"amsgrad": True}, {"amsgrad": True, "eps_hat": True},
             {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}],
    "Rprop": [{"etas": (0.4, 1.5), "step_sizes": (1e-3, 1.0)}],
}
CONFIGS = [(info, {"lr": 0.05, **form}) for info in OPTIMIZERS for form in [{}, *FORMS.get(info.name, [])]]
CONFIG_IDS = [info.name + "".join(f"-{k}={v}" for k, v in hyper.items() if k != "lr") for info, hyper in CONFIGS]


def _rule_args(info) -> set:
    return set(inspect.signature(info.rule).parameters)


def _rule_kwargs(info, hyper) -> dict:
    """The rule's hyperparameters for a config: as the config gives them, the class' defaults for the rest.

    Taken from the config, not from the optimizer's attributes, so that a constructor that stores a
    hyperparameter wrongly cannot hide it.
    """
    full = {**info.defaults, **hyper}
    return {a: full[a] for a in _rule_args(info) if a in full}


def _initial_state(info, hyper, p):
    """The state before step 1, as the rules' docstrings give it: zeros, except Adagrad's G (initial_accumulator)
    and Rprop's step (the initial step lr); vmax only with AMSGrad."""
    full = {**info.defaults, **hyper}
    start = {"G": full.get("initial_accumulator", 0.0), "step": full["lr"]}
    names = [n for n in info.state if n != "vmax" or full.get("amsgrad", False)]
    return {n: np.full_like(p, start.get(n, 0.0)) for n in names}


def _random_state(info, hyper, w, rng):
    """A state the rule could have reached: positive entries (sums and means of squares among them); Rprop's
    step the initial step."""
    state = {n: np.abs(rng.normal(size=w.shape)) + 0.01 for n in _initial_state(info, hyper, w)}
    if "step" in state:
        state["step"] = np.full_like(w, {**info.defaults, **hyper}["lr"])
    return state


def test_every_hyperparameter_of_every_optimizer_is_run_with_another_value_too():
    for info in OPTIMIZERS:
        forms = FORMS.get(info.name, [])
        assert set().union(*forms) == set(info.hyperparameters) - {"lr"}, info.name  # lr: every config sets it
        for form in forms:
            assert all(value != info.defaults[k] for k, value in form.items()), (info.name, form)
    assert set(FORMS) <= {info.name for info in OPTIMIZERS}


# ---------------------------------------------------------------------------
# hand-derived single steps
# ---------------------------------------------------------------------------
def test_sgd_step_by_hand():
    # w = [1, -2], g = [0.5, 3], lr = 0.1:  [1 - 0.05, -2 - 0.3]
    w = sgd_update(np.array([1.0, -2.0]), np.array([0.5, 3.0]), 0.1)
    assert_allclose(w, [0.95, -2.3], rtol=1e-15)


def test_momentum_classical_two_steps_by_hand():
    # lr 0.1, beta 0.9, w0 = 1, v0 = 0
    # step 1, g = 2:  v1 = 0.9*0 - 0.1*2 = -0.2;         w1 = 1 - 0.2 = 0.8
    # step 2, g = 1:  v2 = 0.9*(-0.2) - 0.1*1 = -0.28;   w2 = 0.8 - 0.28 = 0.52
    w, v = momentum_update(np.array([1.0]), np.array([2.0]), np.zeros(1), lr=0.1, beta=0.9)
    assert_allclose([w[0], v[0]], [0.8, -0.2], rtol=1e-14)
    w, v = momentum_update(w, np.array([1.0]), v, lr=0.1, beta=0.9)
    assert_allclose([w[0], v[0]], [0.52, -0.28], rtol=1e-14)


def test_momentum_ema_two_steps_by_hand():
    # slide 001 form, lr 0.1, beta 0.9, w0 = 1, v0 = 0
    # step 1, g = 2:  v1 = 0.9*0 + 0.1*2 = 0.2;          w1 = 1 - 0.1*0.2 = 0.98
    # step 2, g = 1:  v2 = 0.9*0.2 + 0.1*1 = 0.28;       w2 = 0.98 - 0.1*0.28 = 0.952
    w, v = momentum_update(np.array([1.0]), np.array([2.0]), np.zeros(1), lr=0.1, beta=0.9, variant="ema")
    assert_allclose([w[0], v[0]], [0.98, 0.2], rtol=1e-14)
    w, v = momentum_update(w, np.array([1.0]), v, lr=0.1, beta=0.9, variant="ema")
    assert_allclose([w[0], v[0]], [0.952, 0.28], rtol=1e-14)


def test_nesterov_two_steps_by_hand():
    # lr 0.1, beta 0.9, w0 = 1, v0 = 0
    # step 1, g = 2:  v1 = -0.2;   w1 = 1 + 0.9*(-0.2) - 0.1*2 = 1 - 0.18 - 0.2 = 0.62
    # step 2, g = 1:  v2 = 0.9*(-0.2) - 0.1 = -0.28;  w2 = 0.62 + 0.9*(-0.28) - 0.1 = 0.268
    w, v = nesterov_update(np.array([1.0]), np.array([2.0]), np.zeros(1), lr=0.1, beta=0.9)
    assert_allclose([w[0], v[0]], [0.62, -0.2], rtol=1e-14)
    w, v = nesterov_update(w, np.array([1.0]), v, lr=0.1, beta=0.9)
    assert_allclose([w[0], v[0]], [0.268, -0.28], rtol=1e-14)


def test_adagrad_two_steps_by_hand_eps_outside():
    # lr 0.5, eps 1 (large on purpose, to see where it goes), G0 = 0
    # step 1, g = [3, -4]:  G1 = [9, 16], sqrt = [3, 4]
    #         w1 = w0 - 0.5 * [3/(3+1), -4/(4+1)] = w0 - [0.375, -0.4]
    # step 2, g = [4, 3]:   G2 = [25, 25], sqrt = [5, 5]
    #         w2 = w1 - 0.5 * [4/6, 3/6] = w1 - [1/3, 0.25]
    w0 = np.array([1.0, 1.0])
    w1, G1 = adagrad_update(w0, np.array([3.0, -4.0]), np.zeros(2), lr=0.5, eps=1.0)
    assert_allclose(G1, [9.0, 16.0], rtol=0)
    assert_allclose(w1, [1 - 0.375, 1 + 0.4], rtol=1e-15)
    w2, G2 = adagrad_update(w1, np.array([4.0, 3.0]), G1, lr=0.5, eps=1.0)
    assert_allclose(G2, [25.0, 25.0], rtol=0)
    assert_allclose(w2, [1 - 0.375 - 1 / 3, 1 + 0.4 - 0.25], rtol=1e-15)


def test_adagrad_step_by_hand_eps_inside_sqrt():
    # lr 0.5, eps 16, g = [3, -3]:  G1 = [9, 9], sqrt(9 + 16) = 5
    # w1 = w0 - 0.5 * [3/5, -3/5] = w0 - [0.3, -0.3]
    w1, G1 = adagrad_update(np.zeros(2), np.array([3.0, -3.0]), np.zeros(2), lr=0.5, eps=16.0, eps_inside_sqrt=True)
    assert_allclose(w1, [-0.3, 0.3], rtol=1e-15)
    assert_allclose(G1, [9.0, 9.0], rtol=0)


def test_adagrad_first_step_is_lr_times_sign():
    # G1 = g^2, so w1 = w0 - lr * g / (|g| + eps), which is lr*sign(g) up to eps/|g|
    g = np.array([0.5, -3.0, 1e-9])
    w1, _ = adagrad_update(np.zeros(3), g, np.zeros(3), lr=0.01, eps=1e-8)
    # third coordinate: 0.01 * 1e-9 / (1e-9 + 1e-8) = 0.01 / 11 -- eps matters for tiny gradients
    assert_allclose(w1, [-0.01 * 0.5 / (0.5 + 1e-8), 0.01 * 3 / (3 + 1e-8), -0.01 / 11], rtol=1e-12)


def test_rmsprop_two_steps_by_hand():
    # rho 0.75, lr 0.3, eps 1 outside sqrt, s0 = 0, w0 = 0
    # step 1, g = 2:   s1 = 0.25*4 = 1;               w1 = 0 - 0.3*2/(1 + 1) = -0.3
    # step 2, g = -1:  s2 = 0.75*1 + 0.25*1 = 1;      w2 = -0.3 + 0.3*1/(1 + 1) = -0.15
    w1, s1 = rmsprop_update(np.zeros(1), np.array([2.0]), np.zeros(1), lr=0.3, rho=0.75, eps=1.0)
    assert_allclose([w1[0], s1[0]], [-0.3, 1.0], rtol=1e-15)
    w2, s2 = rmsprop_update(w1, np.array([-1.0]), s1, lr=0.3, rho=0.75, eps=1.0)
    assert_allclose([w2[0], s2[0]], [-0.15, 1.0], rtol=1e-15)
    # eps inside the root, eps 8:  w1 = 0 - 0.3*2/sqrt(1 + 8) = -0.2
    w1, _ = rmsprop_update(np.zeros(1), np.array([2.0]), np.zeros(1), lr=0.3, rho=0.75, eps=8.0, eps_inside_sqrt=True)
    assert_allclose(w1, [-0.2], rtol=1e-15)


def test_rmsprop_first_step_without_bias_correction_is_lr_over_sqrt_one_minus_rho():
    # s1 = 0.1 g^2 (rho 0.9): the step is lr |g| / (sqrt(0.1)|g| + eps) ~ lr / 0.316228 = 3.16228 lr
    w1, _ = rmsprop_update(np.zeros(2), np.array([1.0, -4.0]), np.zeros(2), lr=0.001)
    assert_allclose(w1, [-0.001 / np.sqrt(0.1), 0.001 / np.sqrt(0.1)], rtol=1e-7)


def test_adadelta_first_step_by_hand():
    # rho 0.75, eps 0.16, g = 0.6, Eg2 = Edx2 = 0 (a 3-4-5 triangle keeps it exact)
    # Eg2_1  = 0.25 * 0.36 = 0.09
    # dx     = -sqrt(0 + 0.16) / sqrt(0.09 + 0.16) * 0.6 = -(0.4 / 0.5) * 0.6 = -0.48
    # Edx2_1 = 0.25 * 0.48^2 = 0.0576
    # w1     = w0 + lr * dx:  lr 1 -> -0.48,  lr 0.5 -> -0.24 (Edx2 does not see lr)
    w1, Eg2, Edx2 = adadelta_update(np.zeros(1), np.array([0.6]), np.zeros(1), np.zeros(1), lr=1.0, rho=0.75, eps=0.16)
    assert_allclose([w1[0], Eg2[0], Edx2[0]], [-0.48, 0.09, 0.0576], rtol=1e-14)
    w1h, _, Edx2h = adadelta_update(np.zeros(1), np.array([0.6]), np.zeros(1), np.zeros(1), lr=0.5, rho=0.75, eps=0.16)
    assert_allclose([w1h[0], Edx2h[0]], [-0.24, 0.0576], rtol=1e-14)
    # step 2, g = -1.2:  Eg2_2 = 0.75*0.09 + 0.25*1.44 = 0.0675 + 0.36 = 0.4275
    #                    dx2 = -sqrt(0.0576 + 0.16) / sqrt(0.4275 + 0.16) * (-1.2) = +1.2 sqrt(0.2176/0.5875)
    w2, Eg2, Edx2 = adadelta_update(w1, np.array([-1.2]), Eg2, Edx2, lr=1.0, rho=0.75, eps=0.16)
    dx2 = 1.2 * np.sqrt(0.2176 / 0.5875)
    assert_allclose(Eg2, [0.4275], rtol=1e-14)
    assert_allclose(w2, [-0.48 + dx2], rtol=1e-14)
    assert_allclose(Edx2, [0.75 * 0.0576 + 0.25 * dx2**2], rtol=1e-14)


def test_adadelta_first_step_size_is_set_by_eps():
    # Zeiler's defaults: first step = sqrt(eps) |g| / sqrt(0.05 g^2 + eps) ~ sqrt(1e-6 / 0.05) = 0.0044721
    w1, _, _ = adadelta_update(np.zeros(2), np.array([1.0, -10.0]), np.zeros(2), np.zeros(2))
    assert_allclose(w1, [-np.sqrt(1e-6 / (0.05 + 1e-6)), np.sqrt(1e-6 / (0.05 + 1e-6 / 100))], rtol=1e-12)
    assert_allclose(np.abs(w1), np.sqrt(2e-5), rtol=1e-4)


def test_adam_first_step_is_about_lr_times_sign():
    # Kingma & Ba defaults.  m1 = (1-b1) g, v1 = (1-b2) g^2  =>  m_hat = g, v_hat = g^2
    # w1 = w0 - lr * g / (|g| + eps)
    g = np.array([0.5, -3.0, 1e-9])
    w1, m1, v1 = adam_update(np.ones(3), g, np.zeros(3), np.zeros(3), t=1)
    assert_allclose(m1, 0.1 * g, rtol=1e-15)
    assert_allclose(v1, 0.001 * g**2, rtol=1e-12)
    # third coordinate: 1e-3 * 1e-9 / (1e-9 + 1e-8) = 1e-3 / 11
    assert_allclose(w1, [1 - 1e-3 * 0.5 / (0.5 + 1e-8), 1 + 1e-3 * 3 / (3 + 1e-8), 1 - 1e-3 / 11], rtol=1e-12)


def test_adam_two_steps_by_hand():
    # b1 = 0.5, b2 = 0.75, eps = 1, lr = 0.9, w0 = 1
    # step 1, g = 2:  m = 0.5*2 = 1, v = 0.25*4 = 1
    #   m_hat = 1/(1-0.5) = 2, v_hat = 1/(1-0.75) = 4 -> w1 = 1 - 0.9*2/(2+1) = 0.4
    # step 2, g = -2: m = 0.5*1 + 0.5*(-2) = -0.5, v = 0.75*1 + 0.25*4 = 1.75
    #   m_hat = -0.5/(1-0.25) = -2/3, v_hat = 1.75/(1-0.5625) = 4 -> w2 = 0.4 + 0.9*(2/3)/3 = 0.6
    kw = dict(lr=0.9, beta1=0.5, beta2=0.75, eps=1.0)
    w, m, v = adam_update(np.ones(1), np.array([2.0]), np.zeros(1), np.zeros(1), t=1, **kw)
    assert_allclose([w[0], m[0], v[0]], [0.4, 1.0, 1.0], rtol=1e-14)
    w, m, v = adam_update(w, np.array([-2.0]), m, v, t=2, **kw)
    assert_allclose([w[0], m[0], v[0]], [0.6, -0.5, 1.75], rtol=1e-14)


def test_adam_eps_hat_two_steps_by_hand():
    # Same data in Kingma & Ba's "more efficient order" (Keras):
    # step 1: lr_1 = 0.9*sqrt(1-0.75)/(1-0.5) = 0.9;       w1 = 1 - 0.9*1/(sqrt(1)+1) = 0.55
    # step 2: lr_2 = 0.9*sqrt(1-0.5625)/(1-0.25) = 0.9*(sqrt7/4)/0.75 = 0.3 sqrt7
    #         w2 = 0.55 - 0.3 sqrt7 * (-0.5) / (sqrt(1.75) + 1) = 0.55 + 0.15 sqrt7 / (sqrt7/2 + 1)
    kw = dict(lr=0.9, beta1=0.5, beta2=0.75, eps=1.0, eps_hat=True)
    w, m, v = adam_update(np.ones(1), np.array([2.0]), np.zeros(1), np.zeros(1), t=1, **kw)
    assert_allclose(w, [0.55], rtol=1e-14)
    w, m, v = adam_update(w, np.array([-2.0]), m, v, t=2, **kw)
    assert_allclose(w, [0.55 + 0.15 * SQRT7 / (SQRT7 / 2 + 1)], rtol=1e-14)


def test_amsgrad_two_steps_by_hand():
    # b1 0.5, b2 0.75, eps 1, lr 0.9.  step 1 (g = 2) as plain Adam: m = v = vmax = 1, w1 = 0.4
    # step 2, g = 0: m = 0.5, v = 0.75, vmax = max(1, 0.75) = 1
    #   m_hat = 0.5/0.75 = 2/3;  AMSGrad v_hat = vmax/(1-0.5625) = 16/7 (Adam: 0.75/0.4375 = 12/7)
    #   AMSGrad: w2 = 0.4 - 0.9*(2/3)/(4/sqrt7 + 1);  Adam: w2 = 0.4 - 0.9*(2/3)/(sqrt(12/7) + 1)
    kw = dict(lr=0.9, beta1=0.5, beta2=0.75, eps=1.0)
    w, m, v, vmax = adam_update(np.ones(1), np.array([2.0]), np.zeros(1), np.zeros(1), t=1, amsgrad=True, **kw)
    assert_allclose([w[0], m[0], v[0], vmax[0]], [0.4, 1.0, 1.0, 1.0], rtol=1e-14)
    w2, m2, v2, vmax2 = adam_update(w, np.zeros(1), m, v, t=2, amsgrad=True, vmax=vmax, **kw)
    assert_allclose([m2[0], v2[0], vmax2[0]], [0.5, 0.75, 1.0], rtol=1e-14)
    assert_allclose(w2, [0.4 - 0.6 / (4 / SQRT7 + 1)], rtol=1e-14)
    w2_adam, _, _ = adam_update(w, np.zeros(1), m, v, t=2, **kw)
    assert_allclose(w2_adam, [0.4 - 0.6 / (np.sqrt(12 / 7) + 1)], rtol=1e-14)
    # eps-hat form (Keras): step 1 w1 = 0.55; step 2 lr_2 = 0.3 sqrt7, w2 = 0.55 - 0.3 sqrt7 * 0.5/(sqrt(1) + 1)
    w, m, v, vmax = adam_update(np.ones(1), np.array([2.0]), np.zeros(1), np.zeros(1), t=1, amsgrad=True, eps_hat=True, **kw)
    w2, *_ = adam_update(w, np.zeros(1), m, v, t=2, amsgrad=True, vmax=vmax, eps_hat=True, **kw)
    assert_allclose(w2, [0.55 - 0.075 * SQRT7], rtol=1e-14)


def test_adam_eps_hat_equals_algorithm1_with_time_dependent_eps():
    # lr_t m / (sqrt(v) + eps) = lr m_hat / (sqrt(v_hat) + eps / sqrt(1 - b2^t)), so running the
    # default form with eps_t = eps / sqrt(1 - b2^t) must reproduce the eps-hat form step by step.
    rng = np.random.default_rng(1)
    eps = 1e-3
    w1 = w2 = rng.normal(size=4)
    m1 = v1 = m2 = v2 = np.zeros(4)
    for t in range(1, 41):
        g = rng.normal(size=4) * 10.0 ** rng.uniform(-4, 0, size=4)
        w1, m1, v1 = adam_update(w1, g, m1, v1, t, lr=0.01, eps=eps, eps_hat=True)
        w2, m2, v2 = adam_update(w2, g, m2, v2, t, lr=0.01, eps=eps / np.sqrt(1 - 0.999**t))
        assert_allclose(w1, w2, rtol=1e-13, atol=1e-15)
    # ... and with the SAME eps the two forms really differ
    w3, _, _ = adam_update(np.zeros(1), np.array([1e-3]), np.zeros(1), np.zeros(1), 1, lr=0.01, eps=eps)
    w4, _, _ = adam_update(np.zeros(1), np.array([1e-3]), np.zeros(1), np.zeros(1), 1, lr=0.01, eps=eps, eps_hat=True)
    # step 1 (g = 1e-3, m = 1e-4, v = 1e-9):
    #   Algorithm 1 moves 0.01 * 1e-3/(1e-3 + 1e-3) = 0.005
    #   eps-hat moves 0.01*sqrt(1e-3)/0.1 * 1e-4/(sqrt(1e-9) + 1e-3), and sqrt(1e-9) = 1e-3 sqrt(1e-3), so
    #   = 0.01 * sqrt(1e-3)/(sqrt(1e-3) + 1) = 3.07e-4: sixteen times less
    assert_allclose(w3, [-0.005], rtol=1e-12)
    assert_allclose(w4, [-0.01 * np.sqrt(1e-3) / (np.sqrt(1e-3) + 1)], rtol=1e-12)


def test_bias_correction_by_hand():
    # beta 0.75: t = 1 divides by 1 - 0.75 = 0.25, t = 2 by 1 - 0.5625 = 0.4375
    assert_allclose(bias_correction(np.array([0.5, -1.0]), 0.75, 1), [2.0, -4.0], rtol=1e-15)
    assert_allclose(bias_correction(np.array([0.875]), 0.75, 2), [2.0], rtol=1e-15)
    # a constant x averaged from zero is (1 - beta^t) x: the correction gives back x at every t
    avg = np.zeros(1)
    for t in range(1, 40):
        avg = 0.9 * avg + 0.1 * 3.0
        assert_allclose(bias_correction(avg, 0.9, t), [3.0], rtol=1e-13)
    avg = np.array([1.0])
    out = bias_correction(avg, 0.9, 1)
    assert avg[0] == 1.0 and not np.shares_memory(out, avg)  # pure
    with pytest.raises(ValueError, match=r"t must be an integer >= 1"):
        bias_correction(avg, 0.9, 0)
    with pytest.raises(TypeError, match=r"t must be an integer"):
        bias_correction(avg, 0.9, 1.0)
    with pytest.raises(ValueError, match=r"beta must lie in \[0.0, 1.0\)"):
        bias_correction(avg, 1.0, 1)
    with pytest.raises(TypeError, match=r"avg must be a floating-point array"):
        bias_correction(np.array([1, 2]), 0.9, 1)


def test_adaptive_step_by_hand():
    # the first AdaGrad step of test_adagrad_two_steps_by_hand: w - 0.5 * [3/(3 + 1), -4/(4 + 1)]
    w = np.ones(2)
    assert_allclose(adaptive_step(w, np.array([3.0, -4.0]), np.array([9.0, 16.0]), lr=0.5, eps=1.0),
                    [1 - 0.375, 1 + 0.4], rtol=1e-15)
    assert_array_equal(w, [1.0, 1.0])  # pure
    # eps inside the root: sqrt(9 + 16) = 5, so w - 0.5 * 3/5
    assert_allclose(adaptive_step(np.zeros(1), np.array([3.0]), np.array([9.0]), 0.5, 16.0, eps_inside_sqrt=True),
                    [-0.3], rtol=1e-15)
    with pytest.raises(ValueError, match=r"v must be >= 0"):
        adaptive_step(W, G, -np.ones(3), 0.1, 1e-8)
    with pytest.raises(ValueError, match=r"m must have the same shape as w"):
        adaptive_step(W, np.ones(2), Z, 0.1, 1e-8)
    with pytest.raises(ValueError, match=r"v must have the same shape as w"):
        adaptive_step(W, G, np.zeros(2), 0.1, 1e-8)
    with pytest.raises(ValueError, match=r"eps must be > 0"):
        adaptive_step(W, G, Z, 0.1, 0.0)
    with pytest.raises(ValueError, match=r"lr must be > 0"):
        adaptive_step(W, G, Z, -0.1, 1e-8)
    with pytest.raises(TypeError, match=r"eps_inside_sqrt must be True or False"):
        adaptive_step(W, G, Z, 0.1, 1e-8, eps_inside_sqrt=1)


def test_adagrad_rmsprop_and_adam_end_with_the_shared_pieces_bit_for_bit():
    # one formula, one implementation: the rules' last lines are bias_correction and adaptive_step
    rng = np.random.default_rng(4)
    w0, g = rng.normal(size=5), rng.normal(size=5)
    m0, v0 = rng.normal(size=5), np.abs(rng.normal(size=5))
    w, m, v = adam_update(w0, g, m0, v0, 3, lr=0.01, beta1=0.8, beta2=0.99, eps=1e-3)
    assert_array_equal(w, adaptive_step(w0, bias_correction(m, 0.8, 3), bias_correction(v, 0.99, 3), 0.01, 1e-3))
    w, m, v = adam_update(w0, g, m0, v0, 3, lr=0.01, beta1=0.8, beta2=0.99, eps=1e-3, eps_hat=True)
    lr_t = 0.01 * np.sqrt(1 - 0.99**3) / (1 - 0.8**3)
    assert_allclose(w, adaptive_step(w0, m, v, lr_t, 1e-3), rtol=1e-15)
    for inside in (False, True):
        w, G = adagrad_update(w0, g, v0, 0.1, 1e-3, eps_inside_sqrt=inside)
        assert_array_equal(w, adaptive_step(w0, g, G, 0.1, 1e-3, eps_inside_sqrt=inside))
        w, s = rmsprop_update(w0, g, v0, 0.1, 0.9, 1e-3, eps_inside_sqrt=inside)
        assert_array_equal(w, adaptive_step(w0, g, s, 0.1, 1e-3, eps_inside_sqrt=inside))


RPROP_SCRIPT = [
    # g,    step after,  w after,   stored g      (etas 0.5/1.2, step_sizes 0.02/0.15, step0 0.1, w0 0)
    (1.0, 0.1, -0.1, 1.0),  # g_prev = 0: product 0, step unchanged, move -sign(g)*0.1
    (2.0, 0.12, -0.22, 2.0),  # same sign: 0.1*1.2 = 0.12
    (3.0, 0.144, -0.364, 3.0),  # same sign: 0.12*1.2 = 0.144
    (1.0, 0.15, -0.514, 1.0),  # same sign: 0.144*1.2 = 0.1728 clipped to step_max 0.15
    (-1.0, 0.075, -0.514, 0.0),  # sign change: 0.15*0.5 = 0.075, no move, stored g = 0
    (-1.0, 0.075, -0.439, -1.0),  # product with stored 0 is 0: step unchanged, move +0.075
    (1.0, 0.0375, -0.439, 0.0),  # sign change: 0.0375, no move
    (1.0, 0.0375, -0.4765, 1.0),  # product 0: unchanged, move -0.0375
    (-1.0, 0.02, -0.4765, 0.0),  # sign change: 0.01875 clipped to step_min 0.02, no move
    (0.0, 0.02, -0.4765, 0.0),  # zero gradient: product 0, step unchanged, sign(0) = 0: no move
    (-1.0, 0.02, -0.4565, -1.0),  # product 0: unchanged, move +0.02
]


def test_rprop_scripted_sequence():
    w, g_prev, step = np.zeros(1), np.zeros(1), np.full(1, 0.1)
    for k, (g, step_after, w_after, stored) in enumerate(RPROP_SCRIPT):
        w, g_prev, step = rprop_update(w, np.array([g]), g_prev, step, etas=(0.5, 1.2), step_sizes=(0.02, 0.15))
        assert_allclose(step, [step_after], rtol=1e-14, err_msg=f"step after update {k + 1}")
        assert_allclose(w, [w_after], rtol=1e-14, atol=1e-15, err_msg=f"w after update {k + 1}")
        assert_array_equal(g_prev, [stored], err_msg=f"stored gradient after update {k + 1}")


def test_rprop_all_cases_in_one_vector_step():
    # coordinates: same sign, sign change, previous 0, current 0
    w, g_prev, step = rprop_update(
        np.ones(4), np.array([2.0, -3.0, 5.0, 0.0]), np.array([1.0, 1.0, 0.0, 1.0]), np.full(4, 0.1)
    )
    assert_allclose(step, [0.12, 0.05, 0.1, 0.1], rtol=1e-14)
    assert_array_equal(g_prev, [2.0, 0.0, 5.0, 0.0])
    assert_allclose(w, [1 - 0.12, 1.0, 1 - 0.1, 1.0], rtol=1e-14)


def test_rprop_class_follows_the_script_too():
    opt = Rprop(lr=0.1, step_sizes=(0.02, 0.15))
    w = np.zeros(1)
    for g, step_after, w_after, _ in RPROP_SCRIPT:
        opt.step([w], [np.array([g])])
        assert_allclose(w, [w_after], rtol=1e-14, atol=1e-15)
        assert_allclose(opt.state[0]["step"], [step_after], rtol=1e-14)


# ---------------------------------------------------------------------------
# closed forms on quadratics
# ---------------------------------------------------------------------------
def test_gradient_descent_on_diagonal_quadratic_matches_matrix_power():
    # f(x) = 0.5 x^T A x, grad = A x:  x_{k+1} = (I - lr A) x_k  =>  x_k = (1 - lr a_i)^k x0_i
    a = np.array([1.0, 4.0, 10.0])
    lr = 0.15  # 1 - lr a = [0.85, 0.4, -0.5]: one slow, one fast, one oscillating coordinate
    x0 = np.array([1.0, -2.0, 0.5])
    path = trajectory(SGD(lr), lambda x: a * x, x0, 60)
    k = np.arange(61)[:, None]
    assert_allclose(path, (1 - lr * a) ** k * x0, rtol=1e-12, atol=1e-300)


def test_gradient_descent_on_general_quadratic_matches_matrix_power():
    rng = np.random.default_rng(3)
    Q = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    A = Q @ np.diag([0.5, 2.0, 5.0]) @ Q.T
    lr = 0.3
    x0 = rng.normal(size=3)
    path = trajectory(SGD(lr), lambda x: A @ x, x0, 30)
    for k in (1, 7, 30):
        assert_allclose(path[k], np.linalg.matrix_power(np.eye(3) - lr * A, k) @ x0, rtol=1e-10, atol=1e-14)


def test_classical_momentum_on_1d_quadratic_matches_2x2_recurrence():
    # f = 0.5 a x^2, g = a x.  v' = beta v - lr a x,  x' = x + v' = (1 - lr a) x + beta v
    #   [x']   [1 - lr a   beta] [x]
    #   [v'] = [  -lr a    beta] [v]
    a, lr, beta = 3.0, 0.1, 0.9
    M = np.array([[1 - lr * a, beta], [-lr * a, beta]])
    x, v = np.array([2.0]), np.zeros(1)
    for k in range(1, 81):
        x, v = momentum_update(x, a * x, v, lr, beta)
        z = np.linalg.matrix_power(M, k) @ np.array([2.0, 0.0])
        assert_allclose([x[0], v[0]], z, rtol=1e-9, atol=1e-12)


def test_nesterov_on_1d_quadratic_matches_2x2_recurrence():
    # v' = beta v - lr a x,  x' = x + beta v' - lr a x = (1 - (1 + beta) lr a) x + beta^2 v
    #   [x']   [1 - (1+beta) lr a   beta^2] [x]
    #   [v'] = [       -lr a         beta ] [v]
    a, lr, beta = 3.0, 0.1, 0.9
    M = np.array([[1 - (1 + beta) * lr * a, beta**2], [-lr * a, beta]])
    x, v = np.array([2.0]), np.zeros(1)
    for k in range(1, 81):
        x, v = nesterov_update(x, a * x, v, lr, beta)
        z = np.linalg.matrix_power(M, k) @ np.array([2.0, 0.0])
        assert_allclose([x[0], v[0]], z, rtol=1e-9, atol=1e-12)


def test_nesterov_equals_sutskever_lookahead_form():
    # Sutskever et al. 2013 (3)-(4): v' = beta v - lr grad(theta + beta v), theta' = theta + v'.
    # With w = theta + beta v the stored iterate of nesterov_update is the look-ahead point.
    lr, beta = 0.05, 0.9
    theta, v_s = np.array([1.0, -1.0, 0.5]), np.zeros(3)
    w, v = theta.copy(), np.zeros(3)
    for _ in range(100):
        v_s = beta * v_s - lr * logcosh_grad(theta + beta * v_s)
        theta = theta + v_s
        w, v = nesterov_update(w, logcosh_grad(w), v, lr, beta)
        assert_allclose(w, theta + beta * v_s, rtol=1e-11, atol=1e-13)
        assert_allclose(v, v_s, rtol=1e-11, atol=1e-13)


def test_ema_and_classical_momentum_coincide_after_rescaling():
    # lr_classical = lr_ema (1 - beta), v_classical = -lr_ema v_ema  (see momentum_update)
    lr_e, beta = 0.2, 0.9
    w_c = w_e = np.array([1.0, -1.0, 0.5])
    v_c = v_e = np.zeros(3)
    for _ in range(300):
        w_c, v_c = momentum_update(w_c, logcosh_grad(w_c), v_c, lr_e * (1 - beta), beta, "classical")
        w_e, v_e = momentum_update(w_e, logcosh_grad(w_e), v_e, lr_e, beta, "ema")
    assert_allclose(w_c, w_e, rtol=1e-12, atol=1e-14)
    assert_allclose(v_c, -lr_e * v_e, rtol=1e-12, atol=1e-14)
    # the run went somewhere: far from the start, close to the minimiser (gradient ~ 0)
    assert np.linalg.norm(w_c - [1.0, -1.0, 0.5]) > 0.1
    assert np.linalg.norm(logcosh_grad(w_c)) < 1e-4


def test_ema_and_classical_momentum_differ_without_rescaling_or_with_a_schedule():
    beta = 0.9
    x0 = np.array([1.0, -1.0, 0.5])
    same_lr = trajectory(Momentum(0.2, beta, "ema"), logcosh_grad, x0, 10)
    classical = trajectory(Momentum(0.2, beta, "classical"), logcosh_grad, x0, 10)
    # step 1: classical moves lr g, EMA moves lr (1 - beta) g: ten times less
    assert_allclose(x0 - classical[1], 10 * (x0 - same_lr[1]), rtol=1e-12)
    # rescaled, but the lr halves after 5 steps: the forms no longer agree
    ema, cla = Momentum(0.2, beta, "ema"), Momentum(0.2 * (1 - beta), beta, "classical")
    w_e, w_c = x0.copy(), x0.copy()
    for k in range(10):
        if k == 5:
            ema.lr, cla.lr = ema.lr / 2, cla.lr / 2
        ema.step([w_e], [logcosh_grad(w_e)])
        cla.step([w_c], [logcosh_grad(w_c)])
    assert np.max(np.abs(w_e - w_c)) > 1e-3


# ---------------------------------------------------------------------------
# purity: no argument is modified, results are new arrays
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("info, hyper", CONFIGS, ids=CONFIG_IDS)
def test_update_functions_do_not_modify_their_arguments(info, hyper):
    rng = np.random.default_rng(2)
    kwargs = _rule_kwargs(info, hyper)
    if "t" in _rule_args(info):
        kwargs["t"] = 3
    w, g = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    state = _random_state(info, hyper, w, rng)
    arrays = [w, g, *state.values()]
    copies = [a.copy() for a in arrays]
    out = info.rule(w=w, g=g, **state, **kwargs)
    for a, c in zip(arrays, copies):
        assert_array_equal(a, c)
    outs = out if isinstance(out, tuple) else (out,)
    assert len(outs) == 1 + len(state)
    for o in outs:
        assert isinstance(o, np.ndarray)
        for a in arrays:
            assert not np.shares_memory(o, a), f"{info.rule.__name__} returned an array sharing memory with an input"


# ---------------------------------------------------------------------------
# classes: agreement with the functions, lr assignment, state bookkeeping
# ---------------------------------------------------------------------------
SHAPES = [(3,), (2, 4), (1,)]


def _reference_run(info, hyper, params, grads_seq, lrs):
    """Run the pure rule with hand-managed state: the reference for the classes.

    The rule gets the config's hyperparameters (``_rule_kwargs``), the state starts as the docstrings say
    (``_initial_state``), and ``lrs[k]`` is the learning rate of step k + 1.
    """
    kwargs = _rule_kwargs(info, hyper)
    ps = [p.copy() for p in params]
    states = [_initial_state(info, hyper, p) for p in ps]
    for t, (gs, lr) in enumerate(zip(grads_seq, lrs), start=1):
        if "lr" in kwargs:
            kwargs["lr"] = lr
        for i, g in enumerate(gs):
            out = info.rule(w=ps[i], g=g, **states[i], **({"t": t} if "t" in _rule_args(info) else {}), **kwargs)
            out = out if isinstance(out, tuple) else (out,)
            ps[i], states[i] = out[0], dict(zip(states[i], out[1:]))
    return ps


@pytest.mark.parametrize("info, hyper", CONFIGS, ids=CONFIG_IDS)
def test_class_matches_update_function_on_a_list_of_arrays(info, hyper):
    rng = np.random.default_rng(7)
    params = [rng.normal(size=s) for s in SHAPES]
    grads_seq = [[rng.normal(size=s) for s in SHAPES] for _ in range(6)]
    # the lr changes after 3 steps (as a schedule would do); Rprop's lr is only its initial step (no rule argument)
    schedule = "lr" in _rule_args(info)
    lrs = [hyper["lr"]] * 3 + [0.02] * 3 if schedule else [hyper["lr"]] * 6
    expected = _reference_run(info, hyper, params, grads_seq, lrs)
    opt = info.cls(**hyper)
    ids = [id(p) for p in params]
    for k, gs in enumerate(grads_seq):
        if schedule:
            opt.lr = lrs[k]
        opt.step(params, gs)
    assert opt.t == 6
    assert [id(p) for p in params] == ids  # updated in place
    for p, e in zip(params, expected):
        assert_allclose(p, e, rtol=1e-14, atol=1e-16)


def test_lr_assignment_takes_effect():
    # SGD: w2 = w0 - 0.1 g1 - 0.01 g2
    w = np.array([1.0, 2.0])
    opt = SGD(0.1)
    opt.step([w], [np.array([1.0, -1.0])])
    opt.lr = 0.01
    opt.step([w], [np.array([3.0, 5.0])])
    assert_allclose(w, [1 - 0.1 - 0.03, 2 + 0.1 - 0.05], rtol=1e-15)
    assert opt.lr == 0.01
    for bad in (0.0, -1.0, float("nan"), "0.1"):
        with pytest.raises((ValueError, TypeError), match="lr"):
            opt.lr = bad
    assert opt.lr == 0.01


def test_rprop_lr_is_only_the_initial_step():
    opt = Rprop(lr=0.2)
    w = np.zeros(2)
    opt.step([w], [np.array([1.0, -1.0])])
    assert_allclose(w, [-0.2, 0.2], rtol=1e-15)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = 0.1
    opt.reset()
    opt.lr = 0.1
    with pytest.raises(ValueError, match=r"lr.*step_min, step_max"):
        Rprop(lr=100.0)


def test_adagrad_class_initial_accumulator_by_hand():
    # G0 = 6, g = 3, eps = 1 inside the root: sqrt(6 + 9 + 1) = 4, step = lr * 3/4 = 0.375 for lr 0.5
    w = np.array([0.0])
    opt = Adagrad(lr=0.5, eps=1.0, eps_inside_sqrt=True, initial_accumulator=6.0)
    opt.step([w], [np.array([3.0])])
    assert_allclose(w, [-0.375], rtol=1e-15)
    assert_allclose(opt.state[0]["G"], [15.0], rtol=0)


def test_single_array_is_accepted_as_params():
    w = np.array([1.0, 2.0])
    SGD(0.5).step(w, np.array([2.0, 2.0]))
    assert_allclose(w, [0.0, 1.0], rtol=0)


def test_float32_params_stay_float32():
    w = np.array([1.0, 2.0], dtype=np.float32)
    opt = Adam(0.1)
    opt.step([w], [np.array([1.0, -1.0], dtype=np.float32)])
    assert w.dtype == np.float32
    assert opt.state[0]["m"].dtype == np.float32
    assert_allclose(w, [0.9, 2.1], rtol=1e-6)


def test_state_bookkeeping_errors():
    a, b = np.zeros(3), np.zeros((2, 2))
    opt = Adam(0.1)
    opt.step([a, b], [np.ones(3), np.ones((2, 2))])
    with pytest.raises(ValueError, match=r"params has 1 arrays.*2"):
        opt.step([a], [np.ones(3)])
    with pytest.raises(ValueError, match=r"params\[1\] has shape \(4,\).*\(2, 2\)"):
        opt.step([a, np.zeros(4)], [np.ones(3), np.ones(4)])
    with pytest.raises(ValueError, match=r"grads must have one array per parameter"):
        opt.step([a, b], [np.ones(3)])
    with pytest.raises(ValueError, match=r"grads\[1\] must have the same shape as params\[1\]"):
        opt.step([a, b], [np.ones(3), np.ones(4)])
    with pytest.raises(TypeError, match=r"params\[0\] must be a numpy array"):
        opt.step([[0.0, 0.0, 0.0], b], [np.ones(3), np.ones((2, 2))])
    with pytest.raises(TypeError, match=r"params must be a list"):
        opt.step({"a": a}, [np.ones(3)])
    assert opt.t == 1
    # a NaN in the second gradient: nothing is updated, t does not advance
    a_before = a.copy()
    with pytest.raises(ValueError, match=r"grads\[1\] must contain only finite values"):
        opt.step([a, b], [np.ones(3), np.array([[1.0, np.nan], [1.0, 1.0]])])
    assert_array_equal(a, a_before)
    assert opt.t == 1
    with pytest.raises(TypeError, match=r"params\[0\] must be a floating-point array"):
        SGD(0.1).step([np.zeros(3, dtype=int)], [np.ones(3)])
    opt.reset()
    opt.step([np.zeros(4)], [np.ones(4)])  # after reset a new list is fine
    assert opt.t == 1


def test_repr_shows_hyperparameters():
    r = repr(Adam(0.01, amsgrad=True))
    assert r.startswith("Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08, amsgrad=True, eps_hat=False")
    assert "t=0" in r
    assert "variant='ema'" in repr(Momentum(0.1, variant="ema"))
    assert "etas=(0.5, 1.2)" in repr(Rprop())


# ---------------------------------------------------------------------------
# trajectory
# ---------------------------------------------------------------------------
def test_trajectory_shape_first_row_and_no_mutation():
    x0 = np.array([1.0, -2.0, 0.5])
    x0_copy = x0.copy()
    path = trajectory(Adam(0.1), logcosh_grad, x0, 25)
    assert path.shape == (26, 3)
    assert_array_equal(path[0], x0_copy)
    assert_array_equal(x0, x0_copy)
    assert trajectory(SGD(0.1), logcosh_grad, x0, 0).shape == (1, 3)
    # row 1 is one SGD step from x0
    assert_allclose(trajectory(SGD(0.1), logcosh_grad, x0, 1)[1], x0 - 0.1 * logcosh_grad(x0), rtol=1e-15)


def test_trajectory_bad_input():
    x0 = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="steps"):
        trajectory(SGD(0.1), lambda x: x, x0, -1)
    with pytest.raises(TypeError, match="steps"):
        trajectory(SGD(0.1), lambda x: x, x0, 2.5)
    with pytest.raises(ValueError, match="x0 must be a 1-D"):
        trajectory(SGD(0.1), lambda x: x, np.zeros((2, 2)), 3)
    with pytest.raises(TypeError, match="x0"):
        trajectory(SGD(0.1), lambda x: x, np.array([1, 2]), 3)
    with pytest.raises(TypeError, match="grad"):
        trajectory(SGD(0.1), "not callable", x0, 3)
    with pytest.raises(TypeError, match="optimizer"):
        trajectory(sgd_update, lambda x: x, x0, 3)
    used = SGD(0.1)
    used.step([x0.copy()], [x0])
    with pytest.raises(ValueError, match="optimizer has already taken 1 steps"):
        trajectory(used, lambda x: x, x0, 3)
    with pytest.raises(ValueError, match=r"grad\(x_0\) must have the same shape"):
        trajectory(SGD(0.1), lambda x: np.ones(3), x0, 3)
    with pytest.raises(ValueError, match=r"grad\(x_1\) returned non-finite values.*diverged"):
        trajectory(SGD(0.1), lambda x: x if x[0] > 0.95 else np.full(2, np.nan), x0, 3)


# ---------------------------------------------------------------------------
# bad input to the update functions
# ---------------------------------------------------------------------------
W, G = np.ones(3), np.ones(3)
Z = np.zeros(3)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        # shapes: no broadcasting between w, g and the state
        (lambda: sgd_update(W, np.ones(1), 0.1), ValueError, r"g must have the same shape as w"),
        (lambda: momentum_update(W, G, np.zeros(1), 0.1), ValueError, r"v must have the same shape as w"),
        (lambda: adagrad_update(W, G, np.zeros((3, 1))), ValueError, r"G must have the same shape"),
        (lambda: adadelta_update(W, G, Z, np.zeros(4)), ValueError, r"Edx2 must have the same shape"),
        (lambda: adam_update(W, G, Z, Z, 1, amsgrad=True, vmax=np.zeros(2)), ValueError, r"vmax must have the same shape"),
        (lambda: rprop_update(W, G, Z, np.full(2, 0.1)), ValueError, r"step must have the same shape"),
        # non-finite values
        (lambda: sgd_update(np.array([1.0, np.nan]), np.ones(2), 0.1), ValueError, r"w must contain only finite"),
        (lambda: sgd_update(np.ones(2), np.array([np.inf, 1.0]), 0.1), ValueError, r"g must contain only finite"),
        (lambda: nesterov_update(W, G, np.array([0.0, np.inf, 0.0]), 0.1), ValueError, r"v must contain only finite"),
        (lambda: rmsprop_update(W, G, np.array([0.0, np.nan, 0.0])), ValueError, r"s must contain only finite"),
        # integer arrays are refused, not cast
        (lambda: sgd_update(np.array([1, 2]), np.ones(2), 0.1), TypeError, r"w must be a floating-point array"),
        (lambda: adam_update(W, np.array([1, 1, 1]), Z, Z, 1), TypeError, r"g must be a floating-point array"),
        (lambda: momentum_update(W, G, np.zeros(3, dtype=int), 0.1), TypeError, r"v must be a floating-point"),
        # lr, eps
        (lambda: sgd_update(W, G, 0.0), ValueError, r"lr must be > 0"),
        (lambda: momentum_update(W, G, Z, -0.1), ValueError, r"lr must be > 0"),
        (lambda: adagrad_update(W, G, Z, lr=float("inf")), ValueError, r"lr must be finite"),
        (lambda: adagrad_update(W, G, Z, eps=0.0), ValueError, r"eps must be > 0"),
        (lambda: rmsprop_update(W, G, Z, eps=-1e-8), ValueError, r"eps must be > 0"),
        (lambda: adadelta_update(W, G, Z, Z, eps=0.0), ValueError, r"eps must be > 0"),
        (lambda: adam_update(W, G, Z, Z, 1, eps=0.0), ValueError, r"eps must be > 0"),
        (lambda: sgd_update(W, G, "0.1"), TypeError, r"lr must be a real number"),
        # decay rates in [0, 1)
        (lambda: momentum_update(W, G, Z, 0.1, beta=1.0), ValueError, r"beta must lie in \[0.0, 1.0\)"),
        (lambda: nesterov_update(W, G, Z, 0.1, beta=-0.1), ValueError, r"beta must lie in"),
        (lambda: rmsprop_update(W, G, Z, rho=1.0), ValueError, r"rho must lie in"),
        (lambda: adadelta_update(W, G, Z, Z, rho=1.5), ValueError, r"rho must lie in"),
        (lambda: adam_update(W, G, Z, Z, 1, beta1=1.0), ValueError, r"beta1 must lie in"),
        (lambda: adam_update(W, G, Z, Z, 1, beta2=-0.1), ValueError, r"beta2 must lie in"),
        # choices and flags
        (lambda: momentum_update(W, G, Z, 0.1, variant="nesterov"), ValueError, r"variant must be one of 'classical', 'ema'"),
        (lambda: adagrad_update(W, G, Z, eps_inside_sqrt="yes"), TypeError, r"eps_inside_sqrt must be True or False"),
        (lambda: adam_update(W, G, Z, Z, 1, amsgrad=1), TypeError, r"amsgrad must be True or False"),
        (lambda: adam_update(W, G, Z, Z, 1, vmax=Z), ValueError, r"vmax is only used by AMSGrad"),
        # Adam's t
        (lambda: adam_update(W, G, Z, Z, 0), ValueError, r"t must be an integer >= 1"),
        (lambda: adam_update(W, G, Z, Z, 1.0), TypeError, r"t must be an integer"),
        # state that cannot come from the rule
        (lambda: adagrad_update(W, G, -np.ones(3)), ValueError, r"G must be >= 0"),
        (lambda: adam_update(W, G, Z, -np.ones(3), 1), ValueError, r"v must be >= 0"),
        (lambda: adadelta_update(W, G, Z, -np.ones(3)), ValueError, r"Edx2 must be >= 0"),
        # Rprop's etas and step_sizes
        (lambda: rprop_update(W, G, Z, np.full(3, 0.1), etas=(1.0, 1.2)), ValueError, r"etas\[0\] \(eta_minus\)"),
        (lambda: rprop_update(W, G, Z, np.full(3, 0.1), etas=(0.5, 1.0)), ValueError, r"etas\[1\] \(eta_plus\) must be > 1"),
        (lambda: rprop_update(W, G, Z, np.full(3, 0.1), etas=0.5), TypeError, r"etas must be a pair"),
        (lambda: rprop_update(W, G, Z, np.full(3, 0.1), step_sizes=(0.0, 1.0)), ValueError, r"step_sizes\[0\] \(step_min\)"),
        (lambda: rprop_update(W, G, Z, np.full(3, 0.1), step_sizes=(1.0, 0.5)), ValueError, r"step_sizes must satisfy"),
        (lambda: rprop_update(W, G, Z, np.full(3, 100.0)), ValueError, r"step must lie in \[step_min, step_max\]"),
    ],
)
def test_bad_input_to_update_functions(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: SGD(0.0), r"lr must be > 0"),
        (lambda: Momentum(0.1, beta=1.0), r"beta must lie in"),
        (lambda: Momentum(0.1, variant="heavy"), r"variant must be one of"),
        (lambda: Nesterov(0.1, beta=-0.5), r"beta must lie in"),
        (lambda: Adagrad(eps=0.0), r"eps must be > 0"),
        (lambda: Adagrad(initial_accumulator=-0.1), r"initial_accumulator must be >= 0"),
        (lambda: RMSprop(rho=1.0), r"rho must lie in"),
        (lambda: Adadelta(rho=-0.1), r"rho must lie in"),
        (lambda: Adam(beta2=1.0), r"beta2 must lie in"),
        (lambda: Adam(amsgrad="no"), r"amsgrad must be True or False"),
        (lambda: Rprop(etas=(0.5, 0.9)), r"etas\[1\] \(eta_plus\)"),
        (lambda: Rprop(step_sizes=(1.0, 0.1)), r"step_sizes must satisfy"),
    ],
)
def test_bad_hyperparameters_of_classes(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


# ---------------------------------------------------------------------------
# the registry, and one implementation per rule
# ---------------------------------------------------------------------------
def test_registry_lists_every_optimizer_class_once_under_its_own_name():
    classes = {c for c in vars(optim).values()
               if isinstance(c, type) and issubclass(c, optim.Optimizer) and c is not optim.Optimizer}
    assert {info.cls for info in OPTIMIZERS} == classes and len(OPTIMIZERS) == len(classes) == 8
    assert len({info.rule for info in OPTIMIZERS}) == 8
    for info in OPTIMIZERS:
        assert info.name == info.cls.__name__ and info.name in optim.__all__
        assert info.rule.__name__ in optim.__all__ and info.rule.__name__.endswith("_update")
    # in the order the module defines the classes (the order the lectures introduce them)
    assert [info.cls for info in OPTIMIZERS] == sorted(classes, key=lambda c: inspect.getsourcelines(c)[1])
    # Keras' and PyTorch's spelling (keras.optimizers.Adagrad, torch.optim.RMSprop), not the papers':
    # every Keras class the registry maps to is a registry name itself
    assert {info.keras.name for info in OPTIMIZERS if info.keras} <= {info.name for info in OPTIMIZERS}
    assert not hasattr(optim, "AdaGrad") and not hasattr(optim, "RMSProp")


@pytest.mark.parametrize("info, hyper", CONFIGS, ids=CONFIG_IDS)
def test_registry_state_defaults_and_rule_arguments_agree_with_the_class(info, hyper):
    opt = info.cls(**hyper)
    opt.step([np.zeros(3)], [np.ones(3)])
    assert tuple(opt.state[0]) == tuple(n for n in info.state if n in opt.state[0])
    assert set(info.state) - set(opt.state[0]) <= {"vmax"}
    rule_args = inspect.signature(info.rule).parameters
    # the rule takes its state under the state's names and the class' hyperparameters under theirs
    assert set(info.state) <= set(rule_args)
    for name in set(rule_args) - {"w", "g", "t", "out", *info.state}:
        assert hasattr(opt, name), f"{info.rule.__name__}({name}=...) has no attribute {name} on {info.name}"
    signature = inspect.signature(info.cls).parameters
    assert info.hyperparameters == tuple(signature) and info.hyperparameters[0] == "lr"
    assert info.defaults == {k: p.default for k, p in signature.items() if p.default is not p.empty}
    assert info.lr_role in ("gradient", "step", None)
    assert info.momentum is None or info.momentum in signature
    assert info.source


def test_registry_facts_by_hand():
    # what the learning rate is, and which hyperparameter is a momentum coefficient (lecture 5's race reads these)
    by_name = {info.name: info for info in OPTIMIZERS}
    assert {n for n, i in by_name.items() if i.lr_role == "gradient"} == {"SGD", "Momentum", "Nesterov"}
    assert {n for n, i in by_name.items() if i.lr_role == "step"} == {"Adagrad", "RMSprop", "Adam", "Rprop"}
    assert by_name["Adadelta"].lr_role is None
    assert {n: i.momentum for n, i in by_name.items() if i.momentum} == {
        "Momentum": "beta", "Nesterov": "beta", "Adam": "beta1"}
    assert by_name["Rprop"].keras is None and all(i.keras for n, i in by_name.items() if n != "Rprop")
    assert by_name["Adam"].keras.ours == {"eps_hat": True}
    assert by_name["Adagrad"].keras.ours == {"eps_inside_sqrt": True}
    assert by_name["Nesterov"].keras.theirs == {"nesterov": True}


def test_registry_records_are_frozen_and_validated():
    info = OPTIMIZERS[0]
    with pytest.raises(AttributeError):
        info.name = "other"
    with pytest.raises(TypeError):
        OPTIMIZERS[3].keras.ours["eps_inside_sqrt"] = False
    with pytest.raises(ValueError, match="must be named as its class"):
        optim.OptimizerInfo("sgd", sgd_update, SGD, state=(), source="", lr_role="gradient")
    with pytest.raises(ValueError, match=r"\['beta'\] are not hyperparameters of SGD"):
        optim.OptimizerInfo("SGD", sgd_update, SGD, state=(), source="", lr_role="gradient", momentum="beta")
    with pytest.raises(ValueError, match="lr_role must be one of"):
        optim.OptimizerInfo("SGD", sgd_update, SGD, state=(), source="", lr_role="size")
    with pytest.raises(ValueError, match="defaults must give Keras' default"):
        optim.KerasEquivalent("SGD", names={"lr": "learning_rate"}, defaults={})
    with pytest.raises(TypeError, match=r"takes the hyperparameters \['lr'\]; got \['beta'\]"):
        info.keras_pair(None, beta=0.5)
    with pytest.raises(ValueError, match="Keras has no Rprop"):
        OPTIMIZERS[-1].keras_pair(None)


@pytest.mark.parametrize("info, hyper", CONFIGS, ids=CONFIG_IDS)
def test_in_place_step_and_pure_rule_give_identical_arrays(info, hyper):
    # the class writes the rule's arithmetic into its arrays; the pure function returns new ones:
    # the same numbers to the last bit (float64; one rule, one implementation)
    rng = np.random.default_rng(11)
    opt = info.cls(**hyper)
    rule_args = inspect.signature(info.rule).parameters
    kwargs = {a: getattr(opt, a) for a in rule_args if a not in ("w", "g", "t", "out", *info.state)}
    params = [rng.normal(size=s) for s in SHAPES]
    pure = [p.copy() for p in params]
    states = [_initial_state(info, hyper, p) for p in params]
    for t in range(1, 9):
        grads = [rng.normal(size=p.shape) * 10.0 ** rng.uniform(-3, 1) for p in params]
        if t == 5 and "lr" in rule_args:  # (Rprop's lr is only its initial step)
            opt.lr = kwargs["lr"] = 0.02  # a schedule changing lr between steps
        opt.step(params, grads)
        for i, g in enumerate(grads):
            out = info.rule(w=pure[i], g=g, **states[i], **({"t": t} if "t" in rule_args else {}), **kwargs)
            out = out if isinstance(out, tuple) else (out,)
            assert len(out) == 1 + len(states[i])
            pure[i], states[i] = out[0], dict(zip(states[i], out[1:]))
    assert opt.t == 8
    for p, q in zip(params, pure):
        assert_array_equal(p, q)
    for s_class, s_pure in zip(opt.state, states):
        assert list(s_class) == list(s_pure)
        for name in s_pure:
            assert_array_equal(s_class[name], s_pure[name])


@pytest.mark.parametrize("info, hyper", CONFIGS, ids=CONFIG_IDS)
def test_pure_rule_with_out_writes_into_the_given_arrays(info, hyper):
    # out=(w, *state) updates in place (as PyTorch's functional adam); other out arrays receive the results
    rng = np.random.default_rng(5)
    opt = info.cls(**hyper)
    rule_args = inspect.signature(info.rule).parameters
    kwargs = {a: getattr(opt, a) for a in rule_args if a not in ("w", "g", "t", "out", *info.state)}
    if "t" in rule_args:
        kwargs["t"] = 3
    w, g = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    state = _random_state(info, hyper, w, rng)
    expected = info.rule(w=w, g=g, **state, **kwargs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    fresh = tuple(np.empty_like(w) for _ in expected)
    got = info.rule(w=w, g=g, **state, **kwargs, out=fresh)
    got = got if isinstance(got, tuple) else (got,)
    assert all(a is b for a, b in zip(got, fresh))
    for e, a in zip(expected, got):
        assert_array_equal(a, e)
    inputs = (w.copy(), *(a.copy() for a in state.values()))
    got = info.rule(w=inputs[0], g=g, **dict(zip(state, inputs[1:])), **kwargs, out=inputs)
    got = got if isinstance(got, tuple) else (got,)
    assert all(a is b for a, b in zip(got, inputs))
    for e, a in zip(expected, inputs):
        assert_array_equal(a, e)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("info, hyper", CONFIGS, ids=CONFIG_IDS)
def test_step_unvalidated_is_bit_identical_to_step(info, hyper, dtype):
    # the training loop's fast path must give exactly the numbers of the validated step
    rng = np.random.default_rng(0)
    params_a = [rng.normal(size=(4, 3)).astype(dtype), rng.normal(size=3).astype(dtype)]
    params_b = [p.copy() for p in params_a]
    a, b = info.cls(**hyper), info.cls(**hyper)
    for _ in range(25):
        grads = [rng.normal(size=p.shape).astype(dtype) for p in params_a]
        a.step(params_a, grads)
        b.step_unvalidated(params_b, [g.copy() for g in grads])
    for p, q in zip(params_a, params_b):
        assert p.dtype == q.dtype == dtype
        np.testing.assert_array_equal(p, q)
    assert a.t == b.t == 25
    assert not hasattr(a, "_step_trusted") and not hasattr(a, "_update_inplace")


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: sgd_update(W, G, 0.1, out=W), TypeError, r"out must be None or a tuple of 1 arrays \(w\)"),
        (lambda: momentum_update(W, G, Z, 0.1, out=(W.copy(),)), TypeError, r"out must be None or a tuple of 2"),
        (lambda: sgd_update(W, G, 0.1, out=([1.0, 1.0, 1.0],)), TypeError, r"out\[0\] \(w\) must be a floating-point numpy array"),
        (lambda: sgd_update(W, G, 0.1, out=(np.zeros(3, dtype=int),)), TypeError, r"out\[0\] \(w\) must be a floating-point"),
        (lambda: sgd_update(W, G, 0.1, out=(np.zeros(4),)), ValueError, r"out\[0\] \(w\) must have the same shape as w"),
        (lambda: sgd_update(W, G, 0.1, out=(np.broadcast_to(np.zeros(1), (3,)),)), ValueError,
         r"out\[0\] \(w\) must be writeable"),
        (lambda: (lambda g: sgd_update(W, g, 0.1, out=(g,)))(G.copy()), ValueError, r"out\[0\] \(w\) shares memory with g"),
        (lambda: (lambda w, v: momentum_update(w, G, v, 0.1, out=(v, w)))(W.copy(), Z.copy()), ValueError,
         r"out\[0\] \(w\) shares memory with v"),
        (lambda: (lambda a: momentum_update(W, G, Z, 0.1, out=(a, a)))(np.zeros(3)), ValueError,
         r"out\[1\] \(v\) shares memory with out\[0\] \(w\)"),
        (lambda: adam_update(W, G, Z, Z, 1, out=(np.zeros(3),) * 2), TypeError, r"tuple of 3 arrays \(w, m, v\)"),
        (lambda: adam_update(W, G, Z, Z, 1, amsgrad=True, out=tuple(np.zeros(3) for _ in range(3))), TypeError,
         r"tuple of 4 arrays \(w, m, v, vmax\)"),
        (lambda: rmsprop_update(W, G, Z, eps_inside_sqrt=np.float64(1.0)), TypeError, r"eps_inside_sqrt must be True or False"),
        (lambda: adam_update(W, G, Z, Z, 1, eps_hat="no"), TypeError, r"eps_hat must be True or False"),
    ],
)
def test_bad_out_and_flags_of_update_functions(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------------------
# trajectory's stop rule
# ---------------------------------------------------------------------------
def test_trajectory_stops_where_the_iterates_blow_up():
    # x_{k+1} = x_k - 3 * 2 x_k = -5 x_k: |x| = 5^k passes 1000 at k = 5, which is left out
    path = trajectory(SGD(3.0), lambda x: 2 * x, [1.0], 50, stop_beyond=1e3)
    assert path[:, 0].tolist() == [1, -5, 25, -125, 625]
    assert len(path) <= 50  # fewer rows than steps + 1: it stopped early
    # x_{k+1} = x_k / 2: never beyond, all steps + 1 rows
    path = trajectory(SGD(0.25), lambda x: 2 * x, [1.0], 3, stop_beyond=1e6)
    assert path[:, 0].tolist() == [1, 0.5, 0.25, 0.125] and len(path) == 3 + 1
    # an iterate exactly at the bound is kept: the rule is |x| > stop_beyond
    assert trajectory(SGD(1.0), lambda x: np.full(1, -1.0), [0.0], 3, stop_beyond=2.0)[:, 0].tolist() == [0, 1, 2]
    # without the stop rule the same run is taken to the end
    assert trajectory(SGD(3.0), lambda x: 2 * x, [1.0], 6)[:, 0].tolist() == [(-5.0) ** k for k in range(7)]


def test_trajectory_stop_rule_catches_overflow_silently_and_is_validated():
    # step 1 overflows: x_1 = 1 - 1e10 * 1e300 = -inf; the path is x_0 alone, and numpy does not warn
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = trajectory(SGD(1e10), lambda x: 1e300 * x, np.array([1.0, 1.0]), 5, stop_beyond=1e3)
    assert path.tolist() == [[1.0, 1.0]]
    # Adagrad with the largest float as gradient: G = inf and lr g = inf, so the step is inf/inf = NaN, which stops it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = trajectory(Adagrad(10.0), lambda x: np.full(1, np.finfo(float).max), [0.0], 3, stop_beyond=1e3)
    assert path.tolist() == [[0.0]]
    for bad, exc in ((0.0, ValueError), (-1.0, ValueError), (float("inf"), ValueError), ("1e3", TypeError)):
        with pytest.raises(exc, match="stop_beyond"):
            trajectory(SGD(0.1), lambda x: x, [1.0], 3, stop_beyond=bad)
    with pytest.raises(ValueError, match=r"x0 already lies beyond stop_beyond=10.0: its largest \|coordinate\| is 20"):
        trajectory(SGD(0.1), lambda x: x, [1.0, -20.0], 3, stop_beyond=10.0)
    # a non-finite gradient at an iterate within the bound is still an error, not a stop
    with pytest.raises(ValueError, match=r"grad\(x_1\) returned non-finite values"):
        trajectory(SGD(0.1), lambda x: x if x[0] > 0.95 else np.full(1, np.nan), [1.0], 3, stop_beyond=1e3)


def test_trajectory_takes_the_validated_steps_numbers():
    # trajectory runs step_unvalidated after validating each gradient itself: the same iterates as step()
    x0 = np.array([1.0, -1.0, 0.5])
    for info, hyper in CONFIGS:
        opt = info.cls(**hyper)
        x, expected = x0.copy(), [x0.copy()]
        for _ in range(20):
            opt.step([x], [logcosh_grad(x)])
            expected.append(x.copy())
        assert_array_equal(trajectory(info.cls(**hyper), logcosh_grad, x0, 20), expected)


def test_ema_is_the_running_average_of_every_rule():
    # by hand: 0.75 * 1 + 0.25 * 3 = 1.5
    assert optim.ema(np.array([1.0]), np.array([3.0]), 0.75).tolist() == [1.5]
    assert optim.ema_unvalidated(1.0, 3.0, 0.75) == 1.5
    # RMSprop's s and Adam's m are this average: one step from zero state
    g = np.array([2.0, -1.0])
    _, s = optim.rmsprop_update(np.zeros(2), g, np.zeros(2), lr=0.1, rho=0.9)
    np.testing.assert_allclose(s, 0.1 * g * g, rtol=1e-15)
    with pytest.raises(ValueError, match="beta"):
        optim.ema(np.zeros(2), np.ones(2), 1.0)
    with pytest.raises(ValueError, match=r"x must broadcast against avg"):
        optim.ema(np.zeros(2), np.ones(3), 0.5)


def test_nesterov_takes_the_classical_velocity_step():
    # Nesterov's velocity is heavy-ball momentum's, v = beta v - lr g (one line, the same numbers); only the
    # parameter step differs: by hand, v = 0.9 * 0.5 - 0.1 * 2 = 0.25, then w + v = 1.25 (classical)
    # and w + beta v - lr g = 1 + 0.225 - 0.2 = 1.025 (Nesterov)
    w, g, v = np.array([1.0]), np.array([2.0]), np.array([0.5])
    w_c, v_c = momentum_update(w, g, v, lr=0.1, beta=0.9)
    w_n, v_n = nesterov_update(w, g, v, lr=0.1, beta=0.9)
    assert_allclose([v_c[0], v_n[0], w_c[0], w_n[0]], [0.25, 0.25, 1.25, 1.025], rtol=1e-15)
    rng = np.random.default_rng(8)
    w, g, v = rng.normal(size=(3, 5))
    assert_array_equal(nesterov_update(w, g, v, 0.05, 0.8)[1], momentum_update(w, g, v, 0.05, 0.8)[1])
    # and the classes, in place, take the pure functions' numbers
    for cls, rule in ((optim.Momentum, momentum_update), (optim.Nesterov, nesterov_update)):
        opt, p = cls(lr=0.05, beta=0.8), w.copy()
        opt.step([p], [g])
        assert_array_equal(p, rule(w, g, np.zeros(5), 0.05, 0.8)[0])


def test_settled_and_steps_to_settle_follow_the_relative_step_rule():
    path = np.array([[1.0], [0.5], [0.5 + 1e-7], [0.5 + 2e-7]])
    # steps: 0.5 (not settled), 1e-7 <= 1e-6 * 1.5 (settled), 1e-7 (settled)
    assert optim.settled(path).tolist() == [False, True, True]
    # gradient descent on x^2 with lr 0.25 halves x: |x_k - x_(k-1)| = 2^-k <= 1e-6 (1 + 2^-k) first at k = 20
    k, x = optim.steps_to_settle(optim.SGD(0.25), lambda x: 2 * x, [1.0], max_steps=100)
    assert k == 20 and x[0] == 2.0 ** -20
    assert optim.steps_to_settle(optim.SGD(0.25), lambda x: 2 * x, [1.0], max_steps=10)[0] is None
    assert optim.steps_to_settle(optim.SGD(3.0), lambda x: 2 * x, [1.0], stop_beyond=1e3)[0] is None  # diverges
    with pytest.raises(ValueError, match="path must be a 2-D array"):
        optim.settled(np.zeros(3))


def test_optimizer_info_finds_the_registry_entry_by_name():
    assert optim.optimizer_info("Adam").cls is optim.Adam and optim.optimizer_info("SGD").rule is optim.sgd_update
    with pytest.raises(ValueError, match=r"name must be one of 'SGD', .*'Rprop'; got 'AdaGrad'"):
        optim.optimizer_info("AdaGrad")


def test_momentum_trajectory_runs_the_classical_rule_for_any_momentum_factor():
    # f(x) = x^2 / 2, grad x; by hand from x0 = 1, lr 0.1, beta 40: v1 = -0.1, x1 = 0.9; v2 = 40 v1 - 0.1 x1 = -4.09,
    # x2 = 0.9 - 4.09 = -3.19; each further step multiplies the velocity by about 40
    path = optim.momentum_trajectory(lambda x: x.copy(), [1.0], lr=0.1, beta=40.0, steps=2)
    assert_allclose(path[:, 0], [1.0, 0.9, -3.19], rtol=1e-14)
    x, v, by_hand = 1.0, 0.0, [1.0]
    for _ in range(12):
        v = 40.0 * v - 0.1 * x
        x = x + v
        by_hand.append(x)
    assert_allclose(optim.momentum_trajectory(lambda x: x.copy(), [1.0], 0.1, 40.0, 12)[:, 0], by_hand, rtol=1e-12)
    # the stop rule of trajectory: |x| > 1e6 first at step k, which is left out
    k = next(i for i, x in enumerate(by_hand) if abs(x) > 1e6)
    assert len(optim.momentum_trajectory(lambda x: x.copy(), [1.0], 0.1, 40.0, 50, stop_beyond=1e6)) == k
    # inside [0, 1) it is Momentum's trajectory to the last bit
    for beta in (0.0, 0.4, 0.9):
        assert_array_equal(optim.momentum_trajectory(lambda x: 3 * x ** 3 - x, [0.8, -1.2], 0.05, beta, 30),
                           optim.trajectory(optim.Momentum(0.05, beta), lambda x: 3 * x ** 3 - x, [0.8, -1.2], 30))
    # the docstring's numbers: source 004's sextic from x = 23, lr 0.1, beta 40, with f' differentiated by hand
    d = [6 * 0.000017, 5 * -0.001133, 4 * 0.029241, 3 * -0.36691, 2 * 2.234115, -5.510020]
    fprime = lambda x: sum(c * x ** (5 - i) for i, c in enumerate(d))  # noqa: E731
    x, v, sextic = 23.0, 0.0, []
    for _ in range(4):
        v = 40.0 * v - 0.1 * fprime(x)
        x = x + v
        sextic.append(x)
    got = optim.momentum_trajectory(lambda x: np.array([fprime(x[0])]), [23.0], 0.1, 40.0, 4)[1:, 0]
    assert_allclose(got, sextic, rtol=1e-10)
    assert [round(got[0], 2), round(got[1], 1), round(got[2])] == [22.07, -15.5, -1399] and 5.6e10 < got[3] < 5.8e10
    for bad, match in (({"beta": -0.1}, "beta must be >= 0"), ({"beta": np.inf}, "beta"), ({"lr": 0.0}, "lr"),
                       ({"beta": "0.9"}, "beta")):
        with pytest.raises((ValueError, TypeError), match=match):
            optim.momentum_trajectory(lambda x: x, [1.0], **{"lr": 0.1, "beta": 0.5, **bad}, steps=3)
