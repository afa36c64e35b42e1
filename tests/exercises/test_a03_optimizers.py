"""The hidden tests: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them.
"""

import numpy as np
import pytest

from course_lib.exercises import a03_optimizers as checks
from course_lib.exercises.engine import GradingError


def adam(w, g, m, v, t, lr, beta1, beta2, eps, bias=True, t_shift=0, eps_inside=False, times_g=False):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
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


@pytest.mark.parametrize("kwargs, named", [
    ({"bias": False}, "the bias correction is missing"),
    ({"t_shift": 1}, "t is off by one"),
    ({"eps_inside": True}, "eps is inside the square root"),
    ({"times_g": True}, "multiplied by g again"),
])
def test_adam_mistakes_are_named(kwargs, named):
    with pytest.raises(GradingError, match=named):
        checks.adam(lambda *a: adam(*a, **kwargs))


def test_other_classic_mistakes_are_named():
    with pytest.raises(GradingError, match="the sign is flipped"):
        checks.momentum_classical(lambda w, g, v, lr, beta: (w - (beta * v + lr * g), beta * v + lr * g))
    with pytest.raises(GradingError, match=r"the \(1 - beta\) factor on the gradient is missing"):
        checks.momentum_ema(lambda w, g, v, lr, beta: (w - lr * (beta * v + g), beta * v + g))
    with pytest.raises(GradingError, match="eps is inside the square root"):
        checks.rmsprop(lambda w, g, s, lr, rho, eps: (w - lr * g / np.sqrt(rho * s + (1 - rho) * g * g + eps),
                                                  rho * s + (1 - rho) * g * g))
    with pytest.raises(GradingError, match="epoch 0 must give lr0"):
        checks.exponential(lambda lr0, b, k: lr0 * b ** (k + 1))


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
