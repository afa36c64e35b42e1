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
    assert ex.inverse_time(lambda lr0, d, k: lr0 / (1 + d * k)) == 12
    assert ex.exponential(lambda lr0, b, k: lr0 * b ** k) == 12


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


def test_trained_network_is_evaluated_on_the_exercises_own_data():
    from course_lib import nn, optim, train
    from course_lib.data import make_circles

    X, y = make_circles(256, seed=0)
    net = nn.MLP([2, 16, 16, 1], output="sigmoid", seed=0)
    with pytest.raises(GradingError, match=r"the network's training accuracy is \d+\.\d%; at least 95% is expected"):
        ex.trained_network(net)  # untrained
    train.train(net, X, y, optim.Adam(lr=0.01), batch_size=32, epochs=60, seed=0)
    assert net.accuracy(X, y) >= 0.95 and ex.trained_network(net) == 1
    with pytest.raises(GradingError, match="parameters have shapes"):
        ex.trained_network(type("Fake", (), {"sizes": (2, 16, 16, 1), "hidden": "relu", "output": "sigmoid",
                                              "loss_name": "binary_cross_entropy", "bias": True, "slope": 1.0,
                                              "params": [np.zeros(3)]})())


def test_a_network_too_large_to_rebuild_is_refused_before_anything_is_allocated():
    huge = type("Huge", (), {"sizes": (2, 40000, 40000, 2), "hidden": "relu", "output": "sigmoid",
                             "loss_name": "binary_cross_entropy", "bias": True, "slope": 1.0, "params": []})()
    with pytest.raises(GradingError, match="beyond what is checked here"):
        ex.trained_network(huge)


def test_check_gradient_cases_do_not_give_themselves_away():
    """The off gradient's factor, offset and place are drawn per seed; the functions carry neutral names."""
    seen = []

    def spy(f, grad, x):
        seen.append((grad.__name__, grad.kernel_source))
        x = np.asarray(x, dtype=float)
        num = np.array([(f(x + 1e-5 * e) - f(x - 1e-5 * e)) / 2e-5 for e in np.eye(x.size)])
        a = np.asarray(grad(x), dtype=float)
        return float(np.max(np.abs(a - num) / np.maximum(np.abs(a) + np.abs(num), 1e-8)))

    for seed in (11, 12):
        ex.check_gradient(spy, seed=seed)
    names = {name for name, _ in seen}
    assert names == {"grad"}
    assert len({src for _, src in seen}) > 6  # the off ones differ from seed to seed


def test_perceptron_weights_are_evaluated_on_the_exercises_own_data():
    from course_lib.perceptron import PerceptronProblem, make_separable_data
    from course_lib.random_search import finite_difference_search

    X, y, _ = make_separable_data(200, np.random.default_rng(0), n_features=2)
    w = finite_difference_search(PerceptronProblem(X, y).loss, np.zeros(3), 5.0, 0.1, 400, np.random.default_rng(1))[0]
    assert ex.perceptron_weights(w) == 1
    with pytest.raises(GradingError, match="the perceptron's training accuracy is"):
        ex.perceptron_weights(np.zeros(3))
    with pytest.raises(GradingError, match="w must be 3 finite numbers"):
        ex.perceptron_weights(np.zeros(2))


def test_quiz_answers_are_letters_in_the_students_own_order():
    from course_lib import quiz

    for number in range(1, len(quiz.QUESTIONS) + 1):
        perm = quiz.permutation("s123", number)
        assert sorted(perm) == [0, 1, 2, 3]
        right = quiz.LETTERS[perm.index(2)]  # the letter s123 sees for option 2
        assert ex.quiz_answer(number, right, "s123", key=2) == 1
        assert ex.quiz_answer(number, " " + right.lower() + " ", "s123", key=2) == 1  # case and spaces do not matter
        wrong = next(L for L in quiz.LETTERS if L != right)
        with pytest.raises(GradingError, match=f"q{number}: the answer is"):
            ex.quiz_answer(number, wrong, "s123", key=2, why="because")
    orders = {tuple(quiz.permutation(f"student{i}", 1)) for i in range(40)}
    assert len(orders) > 10  # shuffled per student
    with pytest.raises(GradingError, match="q2 must be one of the letters A, B, C, D; got 'E'"):
        ex.quiz_answer(2, "E", "s123", key=0)
    with pytest.raises(GradingError, match="set STUDENT_ID"):
        ex.quiz_answer(2, "A", "", key=0)


def test_random_search_checks():
    def fd_step(loss, w, lr, sigma, rng):
        dW = sigma * rng.standard_normal(size=w.shape)
        return w - lr * (loss(w + dW) - loss(w - dW)) * dW

    def search(loss, w0, lr, sigma, n_steps, rng):
        w = np.array(w0, dtype=float)
        for _ in range(n_steps):
            w = fd_step(loss, w, lr, sigma, rng)
        return w

    def ars(M, deltas, rp, rm, step, b):
        idx = np.argsort(-np.maximum(rp, rm), kind="stable")[:b]
        sigma = np.std(np.concatenate([rp[idx], rm[idx]]))
        return M + step / (b * sigma) * np.tensordot(rp[idx] - rm[idx], deltas[idx], axes=1)

    assert ex.finite_difference_step(fd_step) == 3
    assert ex.random_search(search) == 2
    assert ex.ars_update(ars) == 3
    with pytest.raises(GradingError, match="the sign is the slide's"):
        ex.finite_difference_step(lambda loss, w, lr, s, rng: 2 * w - fd_step(loss, w, lr, s, rng))
    with pytest.raises(GradingError, match="divided by sigma_R"):
        ex.ars_update(lambda M, d, rp, rm, step, b: M + (ars(M, d, rp, rm, step, b) - M)
                      * np.std(np.concatenate([rp[np.argsort(-np.maximum(rp, rm), kind="stable")[:b]],
                                               rm[np.argsort(-np.maximum(rp, rm), kind="stable")[:b]]])))


def test_backprop_checks_with_a_hand_written_network():
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def relu_d(z):
        return (z > 0) * 1.0

    assert ex.activations(sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)), lambda z: np.maximum(z, 0), relu_d) == 16
    assert ex.dense_backward(lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0))) == 3

    def ce_grad(z, y):
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        return p / len(y)

    assert ex.softmax_cross_entropy_grad(ce_grad) == 3

    def mlp_backward(X, y, params):
        W1, b1, W2, b2, W3, b3 = params
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2 + b2
        a2 = np.maximum(z2, 0)
        d3 = ce_grad(a2 @ W3 + b3, y)
        d2 = (d3 @ W3.T) * relu_d(z2)
        d1 = (d2 @ W2.T) * relu_d(z1)
        return [X.T @ d1, d1.sum(0), a1.T @ d2, d2.sum(0), a2.T @ d3, d3.sum(0)]

    assert ex.mlp_backward(mlp_backward) == 3
    with pytest.raises(GradingError, match="the batch mean replaced by a sum"):
        ex.softmax_cross_entropy_grad(lambda z, y: ce_grad(z, y) * len(y))
    with pytest.raises(GradingError, match="at z = 0 .* uses 0, not 1"):
        ex.activations(sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)), lambda z: np.maximum(z, 0),
                       lambda z: (z >= 0) * 1.0)
    with pytest.raises(GradingError, match=r"dX is dZ times W transposed"):
        ex.dense_backward(lambda dZ, X, W: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)))


def test_training_project_checks():
    def epoch(net, X, y, lr, bs, order):
        losses = []
        for start in range(0, len(order), bs):
            idx = order[start:start + bs]
            loss, grads = net.loss_and_grads(X[idx], y[idx])
            for p, g in zip(net.params, grads):
                p[...] = p - lr * g
            losses.append(loss)
        return sum(losses) / len(losses)

    assert ex.sgd_epoch(epoch) == 4
    with pytest.raises(GradingError, match="the last, smaller batch is skipped"):
        ex.sgd_epoch(lambda net, X, y, lr, bs, order: epoch(net, X, y, lr, bs, order[:len(order) - len(order) % bs]))
    from course_lib import nn

    untrained = nn.MLP([784, 16, 10], seed=0)
    with pytest.raises(GradingError, match=r"the test accuracy is \d+\.\d%; at least 95% is expected"):
        ex.project_result(untrained, 50)
    with pytest.raises(GradingError, match="took 200 s"):
        ex.project_result(untrained, 200)
