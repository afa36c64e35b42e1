"""The hidden tests: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them.
"""

import numpy as np
import pytest

from course_lib import exercise_checks as ex
from course_lib.grading import GradingError


def adam(w, g, m, v, t, lr, beta1, beta2, eps, bias=True, t_shift=0, eps_inside=False, times_g=False):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** (t + t_shift)) if bias else m
    v_hat = v / (1 - beta2 ** (t + t_shift)) if bias else v
    step = lr * m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps)
    return w - (step * g if times_g else step), m, v


def test_correct_optimizers_pass():
    assert ex.adam(adam) >= 5
    assert ex.momentum_classical(lambda w, g, v, lr, beta: (w + (beta * v - lr * g), beta * v - lr * g)) >= 5
    assert ex.momentum_ema(lambda w, g, v, lr, beta: (w - lr * (beta * v + (1 - beta) * g), beta * v + (1 - beta) * g)) >= 5
    assert ex.nesterov(lambda w, g, v, lr, beta: (w + beta * (beta * v - lr * g) - lr * g, beta * v - lr * g)) >= 5
    assert ex.adagrad(lambda w, g, G, lr, eps: (w - lr * g / (np.sqrt(G + g * g) + eps), G + g * g)) >= 5
    assert ex.rmsprop(lambda w, g, s, lr, rho, eps: (w - lr * g / (np.sqrt(rho * s + (1 - rho) * g * g) + eps),
                                                     rho * s + (1 - rho) * g * g)) >= 5
    assert ex.inverse_time(lambda lr0, d, k: lr0 / (1 + d * k)) == 8
    assert ex.exponential(lambda lr0, b, k: lr0 * b ** k) == 8


def rprop(w, g, g_prev, step, zero_on_flip=True):
    s = np.sign(g) * np.sign(g_prev)
    step = np.where(s > 0, np.minimum(step * 1.2, 50.0), np.where(s < 0, np.maximum(step * 0.5, 1e-6), step))
    if zero_on_flip:
        g = np.where(s < 0, 0.0, g)
    return w - np.sign(g) * step, g, step


def test_rprop():
    assert ex.rprop(rprop) == 4
    with pytest.raises(GradingError, match="sets the stored gradient to 0"):
        ex.rprop(lambda *a: rprop(*a, zero_on_flip=False))


@pytest.mark.parametrize("kwargs, named", [
    ({"bias": False}, "the bias correction is missing"),
    ({"t_shift": 1}, "t is off by one"),
    ({"eps_inside": True}, "eps is inside the square root"),
    ({"times_g": True}, "multiplied by g again"),
])
def test_adam_mistakes_are_named(kwargs, named):
    with pytest.raises(GradingError, match=named):
        ex.adam(lambda *a: adam(*a, **kwargs))


def test_other_classic_mistakes_are_named():
    with pytest.raises(GradingError, match="the sign is flipped"):
        ex.momentum_classical(lambda w, g, v, lr, beta: (w - (beta * v + lr * g), beta * v + lr * g))
    with pytest.raises(GradingError, match=r"the \(1 - beta\) factor on the gradient is missing"):
        ex.momentum_ema(lambda w, g, v, lr, beta: (w - lr * (beta * v + g), beta * v + g))
    with pytest.raises(GradingError, match="eps is inside the square root"):
        ex.rmsprop(lambda w, g, s, lr, rho, eps: (w - lr * g / np.sqrt(rho * s + (1 - rho) * g * g + eps),
                                                  rho * s + (1 - rho) * g * g))
    with pytest.raises(GradingError, match="epoch 0 must give lr0"):
        ex.exponential(lambda lr0, b, k: lr0 * b ** (k + 1))
    with pytest.raises(GradingError, match="a one-sided difference divides by h"):
        ex.forward_difference(lambda f, x, h: np.array(
            [(f(x + h * e) - f(x)) / (2 * h) for e in np.eye(x.size)]).reshape(x.shape))


def test_relative_error_edge_cases():
    def good(a, b):
        return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))
    assert ex.relative_error(good) == 6
    def no_floor(a, b):
        with np.errstate(invalid="ignore"):
            return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
    with pytest.raises(GradingError, match="the denominator needs the floor"):
        ex.relative_error(no_floor)


def test_trained_accuracy_threshold():
    assert ex.trained_accuracy(0.97) == 1
    with pytest.raises(GradingError, match="reached 80.0% training accuracy"):
        ex.trained_accuracy(0.8)
