"""The hidden tests: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them.
"""

import numpy as np
import pytest

from course_lib.exercises import a03_optimizers as checks
from course_lib.exercises.engine import GradingError


def adam(w, g, m, v, t, lr, beta1, beta2, eps, bias=True, t_shift=0, eps_inside=False, times_g=False,
         one_minus=True):
    m = beta1 * m + ((1 - beta1) if one_minus else 1) * g
    v = beta2 * v + ((1 - beta2) if one_minus else 1) * g * g
    m_hat = m / (1 - beta1 ** (t + t_shift)) if bias else m
    v_hat = v / (1 - beta2 ** (t + t_shift)) if bias else v
    step = lr * m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps)
    return w - (step * g if times_g else step), m, v


def test_correct_optimizers_pass():
    assert checks.adam(adam) >= 5
    assert checks.momentum_classical(lambda w, g, v, lr, beta: (w + (beta * v - lr * g), beta * v - lr * g)) >= 5
    assert checks.momentum_ema(lambda w, g, v, lr, beta: (w - lr * (beta * v + (1 - beta) * g), beta * v + (1 - beta) * g)) >= 5
    assert checks.nesterov(lambda w, g, v, lr, beta: (w + beta * (beta * v - lr * g) - lr * g, beta * v - lr * g)) >= 5
    assert checks.adagrad(lambda w, g, G, lr, eps: (w - lr * g / (np.sqrt(G + g * g) + eps), G + g * g)) >= 5
    assert checks.rmsprop(lambda w, g, s, lr, rho, eps: (w - lr * g / (np.sqrt(rho * s + (1 - rho) * g * g) + eps),
                                                     rho * s + (1 - rho) * g * g)) >= 5
    assert checks.inverse_time(lambda lr0, d, k: lr0 / (1 + d * k)) == 12
    assert checks.exponential(lambda lr0, b, k: lr0 * b ** k) == 12


def rprop(w, g, g_prev, step, zero_on_flip=True):
    s = np.sign(g) * np.sign(g_prev)
    step = np.where(s > 0, np.minimum(step * 1.2, 50.0), np.where(s < 0, np.maximum(step * 0.5, 1e-6), step))
    if zero_on_flip:
        g = np.where(s < 0, 0.0, g)
    return w - np.sign(g) * step, g, step


def test_rprop():
    assert checks.rprop(rprop) == 4
    with pytest.raises(GradingError, match="sets the stored gradient to 0"):
        checks.rprop(lambda *a: rprop(*a, zero_on_flip=False))


def rprop_other_constants(w, g, g_prev, step, zero_on_flip=True):
    """iRprop- with eta- = 0.25, eta+ = 2 and steps in [0.01, 0.08], as a student given those constants writes it."""
    s = np.sign(g) * np.sign(g_prev)
    step = np.where(s > 0, np.minimum(step * 2.0, 0.08), np.where(s < 0, np.maximum(step * 0.25, 0.01), step))
    if zero_on_flip:
        g = np.where(s < 0, 0.0, g)
    return w - np.sign(g) * step, g, step


def test_rprop_check_uses_its_etas_and_step_sizes():
    # the student's function by hand, one coordinate of each kind:
    #   same sign,   step 0.05:  min(0.05 * 2, 0.08) = 0.08, moves -sign(1) 0.08
    #   sign change, step 0.03:  max(0.03 * 0.25, 0.01) = 0.01, stored g = 0, does not move
    #   no history,  step 0.04:  unchanged, moves -sign(2) 0.04
    w, g_stored, step = rprop_other_constants(np.zeros(3), np.array([1.0, -1.0, 2.0]), np.array([1.0, 1.0, 0.0]),
                                              np.array([0.05, 0.03, 0.04]))
    np.testing.assert_allclose(step, [0.08, 0.01, 0.04], rtol=1e-15)
    np.testing.assert_array_equal(g_stored, [1.0, 0.0, 2.0])
    np.testing.assert_allclose(w, [-0.08, 0.0, -0.04], rtol=1e-15)
    other = {"etas": (0.25, 2.0), "step_sizes": (0.01, 0.08)}
    assert checks.rprop(rprop_other_constants, **other) == 4
    # the reference really uses them: each function fails the other's constants
    with pytest.raises(GradingError, match=r"rprop\(.*\): output \d: first mismatch"):
        checks.rprop(rprop_other_constants)
    with pytest.raises(GradingError, match=r"rprop\(.*\): output \d: first mismatch"):
        checks.rprop(rprop, **other)
    # ... and so does the wrong variant: the mistake is still named with these constants
    with pytest.raises(GradingError, match="sets the stored gradient to 0"):
        checks.rprop(lambda *a: rprop_other_constants(*a, zero_on_flip=False), **other)


@pytest.mark.parametrize("kwargs, named", [
    ({"bias": False}, "the bias correction is missing"),
    ({"t_shift": 1}, "t is off by one"),
    ({"eps_inside": True}, "eps is inside the square root"),
    ({"times_g": True}, "multiplied by g again"),
    ({"one_minus": False}, r"the \(1 - beta\) factors of the moving averages are missing"),
])
def test_adam_mistakes_are_named(kwargs, named):
    with pytest.raises(GradingError, match=named):
        checks.adam(lambda *a: adam(*a, **kwargs))


def test_the_checks_practise_with_the_papers_defaults():
    # Kingma & Ba: alpha 0.001, beta1 0.9, beta2 0.999, eps 1e-8; Duchi et al. and PyTorch's Adagrad lr 0.01;
    # Hinton's RMSProp rho 0.9; Riedmiller & Braun's eta- 0.5, eta+ 1.2, steps in [1e-6, 50]
    import inspect

    def defaults(check):
        return {k: p.default for k, p in inspect.signature(check).parameters.items()
                if p.default is not p.empty and k != "seed"}

    assert defaults(checks.adam) == {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert defaults(checks.adagrad) == {"lr": 0.01, "eps": 1e-8}
    assert defaults(checks.rmsprop) == {"lr": 0.001, "rho": 0.9, "eps": 1e-8}
    assert defaults(checks.rprop) == {"etas": (0.5, 1.2), "step_sizes": (1e-6, 50.0)}
    assert defaults(checks.momentum_classical) == defaults(checks.nesterov) == {"lr": 0.1, "beta": 0.9}


def test_other_classic_mistakes_are_named():
    with pytest.raises(GradingError, match="the sign is flipped"):
        checks.momentum_classical(lambda w, g, v, lr, beta: (w - (beta * v + lr * g), beta * v + lr * g))
    with pytest.raises(GradingError, match=r"the \(1 - beta\) factor on the gradient is missing"):
        checks.momentum_ema(lambda w, g, v, lr, beta: (w - lr * (beta * v + g), beta * v + g))
    with pytest.raises(GradingError, match="beta is missing on the old velocity"):
        checks.momentum_classical(lambda w, g, v, lr, beta: (w + (v - lr * g), v - lr * g))
    with pytest.raises(GradingError, match=r"this is the EMA form \(source 001\)"):
        checks.momentum_classical(lambda w, g, v, lr, beta: (w - lr * (beta * v + (1 - beta) * g),
                                                             beta * v + (1 - beta) * g))
    with pytest.raises(GradingError, match=r"this is the classical form"):
        checks.momentum_ema(lambda w, g, v, lr, beta: (w + (beta * v - lr * g), beta * v - lr * g))
    with pytest.raises(GradingError, match="eps is inside the square root"):
        checks.rmsprop(lambda w, g, s, lr, rho, eps: (w - lr * g / np.sqrt(rho * s + (1 - rho) * g * g + eps),
                                                  rho * s + (1 - rho) * g * g))
    with pytest.raises(GradingError, match="epoch 0 must give lr0"):
        checks.exponential(lambda lr0, b, k: lr0 * b ** (k + 1))
    with pytest.raises(GradingError, match="G must accumulate"):
        checks.adagrad(lambda w, g, G, lr, eps: (w - lr * g / (np.sqrt(g * g) + eps), g * g))
    with pytest.raises(GradingError, match=r"the \(1 - rho\) factor on g\*\*2 is missing"):
        checks.rmsprop(lambda w, g, s, lr, rho, eps: (w - lr * g / (np.sqrt(rho * s + g * g) + eps), rho * s + g * g))
    with pytest.raises(GradingError, match=r"this is plain \(heavy-ball\) momentum"):
        checks.nesterov(lambda w, g, v, lr, beta: (w + beta * v - lr * g, beta * v - lr * g))


def test_a_seed_may_be_a_generator_and_an_int_draws_what_its_generator_draws():
    seen = {}

    def spy(key):
        def inverse_time(lr0, d, k):
            seen.setdefault(key, []).append((lr0, d, k))
            return lr0 / (1 + d * k)
        return inverse_time

    checks.inverse_time(spy("int"), seed=2 ** 40 + 3)
    checks.inverse_time(spy("generator"), seed=np.random.default_rng(2 ** 40 + 3))
    checks.inverse_time(spy("practice"))
    assert seen["int"] == seen["generator"] != seen["practice"]
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        checks.inverse_time(spy("bad"), seed=1.5)


def test_trained_network_is_evaluated_on_the_exercises_own_data():
    from course_lib import nn, optim, train
    from course_lib.data import make_circles

    X, y = make_circles(256, seed=0)
    net = nn.MLP([2, 16, 16, 1], output="sigmoid", seed=0)
    with pytest.raises(GradingError, match=r"the network's training accuracy is \d+\.\d%; at least 95% is expected"):
        checks.trained_network(net)  # untrained
    train.train(net, X, y, optim.Adam(lr=0.01), batch_size=32, epochs=60, seed=0)
    assert net.accuracy(X, y) >= 0.95 and checks.trained_network(net) == 1
    with pytest.raises(GradingError, match="parameters have shapes"):
        checks.trained_network(type("Fake", (), {"sizes": (2, 16, 16, 1), "hidden": "relu", "output": "sigmoid",
                                              "loss_name": "binary_cross_entropy", "bias": True, "slope": 1.0,
                                              "params": [np.zeros(3)]})())


def test_a_network_too_large_to_rebuild_is_refused_before_anything_is_allocated():
    huge = type("Huge", (), {"sizes": (2, 40000, 40000, 2), "hidden": "relu", "output": "sigmoid",
                             "loss_name": "binary_cross_entropy", "bias": True, "slope": 1.0, "params": []})()
    with pytest.raises(GradingError, match="beyond what is checked here"):
        checks.trained_network(huge)
