"""The exercises' checks: one function per graded question, open to students for practice.

Each check runs the student's function against the ``course_lib`` reference on
seeded random inputs (several shapes and scales, and the edge cases that catch
the usual mistakes) through ``grading.check_function``, which raises an
``AssertionError`` with the feedback the student reads.  Reference and wrong
variants are written here, next to each other, so the likely mistakes are
named ("you divided by h instead of 2h").

A student calls a check in their own kernel to practise:
``exercise_checks.central_difference(central_difference)`` draws the practice
inputs (fixed seeds).  The grader calls the *same* check in its own process
(``course_grader``), with the student's function a proxy into the sandboxed
kernel and ``seed=`` drawn from the instructor's secret and the student's id
(the hidden tests of ``solutions/``): other inputs, the same feedback.
Checks of a trained network take the network's parameters (fetched as arrays)
and evaluate them here, on data of their own.

Only numpy is imported here.
"""

from __future__ import annotations

import numpy as np

from . import grading
from .grading import case_seed, portable
from .gradcheck import numerical_gradient, relative_error as _relative_error

__all__ = ["forward_difference", "backward_difference", "central_difference", "relative_error",
           "check_gradient", "best_central_step",
           "momentum_classical", "momentum_ema", "nesterov", "adagrad", "rmsprop", "adam", "rprop",
           "inverse_time", "exponential", "trained_network", "perceptron_weights", "quiz_answer",
           "finite_difference_step", "random_search", "ars_update",
           "activations", "dense_backward", "softmax_cross_entropy_grad", "mlp_backward",
           "sgd_epoch", "project_result"]


# --------------------------------------------------------------------------
# Assignment 1: numerical gradients
# --------------------------------------------------------------------------
_SMOOTH = [  # test functions of a vector (portable: they run in the student's kernel too) and their gradients
    ("sum of squares", "lambda x: float(np.sum(x ** 2))", "2 * x"),
    ("sum of sines", "lambda x: float(np.sum(np.sin(x)))", "np.cos(x)"),
    ("log-sum-exp", "lambda x: float(np.log(np.sum(np.exp(x))))", "np.exp(x) / np.sum(np.exp(x))"),
    ("a quartic", "lambda x: float(np.sum(x ** 4) - np.prod(x[:2]) if x.size > 1 else np.sum(x ** 4))", None),
]


def _smooth_functions():
    """(name, f, grad or None) for the test functions, each a ``grading.Portable``."""
    return [(name, portable(f, name), portable(f"lambda x: {g}", f"the gradient of {name}") if g else None)
            for name, f, g in _SMOOTH]


def _difference_cases(seed: int):
    rng = np.random.default_rng(seed)
    cases = []
    for _, f, _ in _smooth_functions():
        for shape, scale, h in (((3,), 1.0, 1e-4), ((5,), 0.1, 1e-3), ((2, 3), 2.0, 1e-5), ((1,), 1.0, 1e-2)):
            cases.append(((f, rng.normal(scale=scale, size=shape), h), {}))
    return cases


def _ref(method):
    def reference(f, x, h):
        return numerical_gradient(f, x, method=method, eps=h)
    return reference


def _one_sided_over_2h(sign):
    def variant(f, x, h):
        return _ref("forward" if sign > 0 else "backward")(f, x, h) / 2
    return variant


def _central_over_h(f, x, h):
    return 2 * _ref("central")(f, x, h)


def _backward_flipped(f, x, h):
    return -_ref("backward")(f, x, h)


def _forward_using_first_coordinate_only(f, x, h):
    g = np.zeros_like(x, dtype=float)
    g.flat[0] = _ref("forward")(f, x, h).flat[0]
    return g


# tolerances: the same formula computed in another order differs by round-off eps|f|/h
_DIFF_TOL = {"rtol": 1e-6, "atol": 1e-8}


def forward_difference(student, seed=None) -> int:
    """``forward_difference(f, x, h)``: (f(x + h e_i) - f(x)) / h for every coordinate i."""
    return grading.check_function(
        student, _ref("forward"), _difference_cases(case_seed(seed, 1)), name="forward_difference", **_DIFF_TOL,
        variants={"you divided by 2h; a one-sided difference divides by h": _one_sided_over_2h(+1),
                  "only the first coordinate is perturbed: loop over every entry of x (x.size, x.flat)":
                      _forward_using_first_coordinate_only})


def backward_difference(student, seed=None) -> int:
    """``backward_difference(f, x, h)``: (f(x) - f(x - h e_i)) / h."""
    return grading.check_function(
        student, _ref("backward"), _difference_cases(case_seed(seed, 2)), name="backward_difference", **_DIFF_TOL,
        variants={"the sign is flipped: it is (f(x) - f(x - h)) / h, not (f(x - h) - f(x)) / h": _backward_flipped,
                  "you divided by 2h; a one-sided difference divides by h": _one_sided_over_2h(-1)})


def central_difference(student, seed=None) -> int:
    """``central_difference(f, x, h)``: (f(x + h e_i) - f(x - h e_i)) / (2h)."""
    return grading.check_function(
        student, _ref("central"), _difference_cases(case_seed(seed, 3)), name="central_difference", **_DIFF_TOL,
        variants={"you divided by h; the central difference spans 2h, so divide by 2h": _central_over_h,
                  "this is the forward difference; the central one uses f(x + h) - f(x - h)": _ref("forward")})


def relative_error(student, seed=None) -> int:
    """``relative_error(a, b)``: max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-8)."""
    rng = np.random.default_rng(case_seed(seed, 4))
    cases = [((a, a + rng.normal(scale=s, size=a.shape)), {})
             for a, s in ((rng.normal(size=5), 1e-3), (rng.normal(size=(3, 4)), 1e-7), (rng.normal(size=1), 1.0))]
    cases.append(((np.zeros(3), np.zeros(3)), {}))                      # both zero: 0, not 0/0
    cases.append(((np.array([1e-12, 2.0]), np.array([3e-12, 2.0])), {}))  # tiny entries: the floor
    cases.append(((np.array([1.0, -1.0]), np.array([-1.0, -1.0])), {}))   # a sign change: error 1

    def no_floor(a, b):
        with np.errstate(all="ignore"):
            return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))

    def max_denominator(a, b):
        return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-8)))

    def mean_not_max(a, b):
        return float(np.mean(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))

    return grading.check_function(
        student, _relative_error, cases, name="relative_error", rtol=1e-9, atol=1e-15,
        variants={"the denominator needs the floor max(|a| + |b|, 1e-8), or 0/0 gives nan": no_floor,
                  "the denominator is |a| + |b| (CS231n's code), not max(|a|, |b|)": max_denominator,
                  "report the largest relative error over the entries, not their mean": mean_not_max})


def check_gradient(student, seed=None) -> int:
    """``check_gradient(f, grad, x)``: the largest relative error between grad(x) and central differences.

    The reference uses the central difference with h = 1e-5 (the step the
    exercise asks for) and CS231n's relative error.
    """
    rng = np.random.default_rng(case_seed(seed, 5))
    cases = []
    for name, f, g in _SMOOTH[:3]:  # the right gradient, and one off by a drawn factor and offset, in a drawn order
        x = rng.normal(size=int(rng.integers(2, 7)))
        f = portable(f, "f")
        factor, offset = 1 + float(rng.uniform(0.002, 0.05)), float(rng.normal(scale=0.01))
        pair = [portable(f"lambda x: {g}", "grad"), portable(f"lambda x: {factor!r} * ({g}) + {offset!r}", "grad")]
        for grad in (pair if rng.random() < 0.5 else pair[::-1]):
            cases.append(((f, grad, x), {}))

    def reference(f, grad, x):
        return _relative_error(np.asarray(grad(x), dtype=float), numerical_gradient(f, x, "central", eps=1e-5))

    return grading.check_function(student, reference, cases, name="check_gradient", rtol=1e-3, atol=1e-9)


def best_central_step(answer, seed=None) -> int:
    """The step chosen for central differences in float64: between 1e-6 and 1e-4 (about cbrt(eps) ~ 6e-6)."""
    try:
        h = float(answer)
    except (TypeError, ValueError):
        import reprlib

        raise grading.GradingError(f"best_step must be a number; got {reprlib.repr(answer)}") from None
    if h == 1e-8:
        raise grading.GradingError(
            "1e-8 is the report's choice, but for central differences round-off eps|f|/h dominates there; "
            "balance it against the truncation h^2 |f'''| / 6.")
    if not 1e-6 <= h <= 1e-4:
        raise grading.GradingError(
            f"best_step = {h:g} is off: the central difference's error h^2|f'''|/6 + eps|f|/h is smallest "
            f"near h = cbrt(eps) ~ 6e-6 in float64.")
    return 1


# --------------------------------------------------------------------------
# Assignment 3: optimizers
# --------------------------------------------------------------------------
from . import optim as _optim  # noqa: E402
from . import schedules as _schedules  # noqa: E402

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
    ref = lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="classical")  # noqa: E731
    return grading.check_function(student, ref, cases, name="momentum_classical", **_OPT_TOL, variants={
        "the sign is flipped: the classical velocity is v = beta v - lr g, and w = w + v":
            lambda w, g, v, lr, beta: (w - (beta * v + lr * g), beta * v + lr * g),
        "beta is missing on the old velocity: v = beta v - lr g":
            lambda w, g, v, lr, beta: (w + v - lr * g, v - lr * g),
        "this is the EMA form (source 001); the classical one has no (1 - beta) and adds v":
            lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="ema")})


def momentum_ema(student, lr=0.1, beta=0.9, seed=None) -> int:
    """``momentum_ema(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v + (1 - beta) g, w = w - lr v."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(case_seed(seed, 11), 1)]
    ref = lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="ema")  # noqa: E731
    return grading.check_function(student, ref, cases, name="momentum_ema", **_OPT_TOL, variants={
        "the (1 - beta) factor on the gradient is missing":
            lambda w, g, v, lr, beta: (w - lr * (beta * v + g), beta * v + g),
        "this is the classical form (v = beta v - lr g, w = w + v), not source 001's average":
            lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="classical")})


def nesterov(student, lr=0.1, beta=0.9, seed=None) -> int:
    """``nesterov(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v - lr g, w = w + beta v_new - lr g."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(case_seed(seed, 12), 1)]
    return grading.check_function(student, _optim.nesterov_update, cases, name="nesterov", **_OPT_TOL, variants={
        "this is plain (heavy-ball) momentum, w + v_new; Nesterov steps w + beta v_new - lr g":
            lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="classical")})


def adagrad(student, lr=0.01, eps=1e-8, seed=None) -> int:
    """``adagrad(w, g, G, lr, eps)`` -> (w_new, G_new): G = G + g^2, w = w - lr g / (sqrt(G) + eps)."""
    cases = [((w, g, G, lr, eps), {}) for w, g, G in _state_cases(case_seed(seed, 13), 1, positive_state=True)]
    return grading.check_function(student, _optim.adagrad_update, cases, name="adagrad", **_OPT_TOL, variants={
        "eps is inside the square root; here it is added to sqrt(G)":
            lambda w, g, G, lr, eps: _optim.adagrad_update(w, g, G, lr, eps, eps_inside_sqrt=True),
        "G must accumulate: G_new = G + g**2, not g**2 alone":
            lambda w, g, G, lr, eps: (w - lr * g / (np.abs(g) + eps), g ** 2)})


def rmsprop(student, lr=0.001, rho=0.9, eps=1e-8, seed=None) -> int:
    """``rmsprop(w, g, s, lr, rho, eps)`` -> (w_new, s_new): s = rho s + (1 - rho) g^2, w = w - lr g / (sqrt(s) + eps)."""
    cases = [((w, g, s, lr, rho, eps), {}) for w, g, s in _state_cases(case_seed(seed, 14), 1, positive_state=True)]
    return grading.check_function(student, _optim.rmsprop_update, cases, name="rmsprop", **_OPT_TOL, variants={
        "eps is inside the square root; here it is added to sqrt(s)":
            lambda w, g, s, lr, rho, eps: _optim.rmsprop_update(w, g, s, lr, rho, eps, eps_inside_sqrt=True),
        "the (1 - rho) factor on g**2 is missing":
            lambda w, g, s, lr, rho, eps: (w - lr * g / (np.sqrt(rho * s + g * g) + eps), rho * s + g * g)})


def _adam_variant(no_bias=False, t_shift=0, eps_inside=False, no_one_minus=False, times_g=False):
    def variant(w, g, m, v, t, lr, beta1, beta2, eps):
        m_new = beta1 * m + (g if no_one_minus else (1 - beta1) * g)
        v_new = beta2 * v + (g * g if no_one_minus else (1 - beta2) * g * g)
        tt = t + t_shift
        m_hat = m_new if no_bias else m_new / (1 - beta1 ** tt)
        v_hat = v_new if no_bias else v_new / (1 - beta2 ** tt)
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        step = lr * m_hat / denom
        return w - (step * g if times_g else step), m_new, v_new
    return variant


def adam(student, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, seed=None) -> int:
    """``adam(w, g, m, v, t, lr, beta1, beta2, eps)`` -> (w_new, m_new, v_new), Kingma & Ba Algorithm 1 (t from 1)."""
    cases = []
    for w, g, m, v, t in _state_cases(case_seed(seed, 15), 2, with_t=True):
        cases.append(((w, g, m, np.abs(v), t, lr, beta1, beta2, eps), {}))
    return grading.check_function(student, _optim.adam_update, cases, name="adam", **_OPT_TOL, variants={
        "the bias correction is missing: divide m by (1 - beta1**t) and v by (1 - beta2**t)": _adam_variant(no_bias=True),
        "t is off by one: the first step is t = 1, so the corrections use beta**t, not beta**(t+1)":
            _adam_variant(t_shift=1),
        "eps is inside the square root; Algorithm 1 adds it to sqrt(v_hat)": _adam_variant(eps_inside=True),
        "the (1 - beta) factors of the moving averages are missing": _adam_variant(no_one_minus=True),
        "the step is multiplied by g again (the misprint of source 002); m_hat already carries the gradient":
            _adam_variant(times_g=True)})


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

    return grading.check_function(student, _optim.rprop_update, cases, name="rprop", **_OPT_TOL, variants={
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
    return grading.check_function(student, lambda lr0, d, k: _schedules.inverse_time(lr0, d)(k), cases,
                                  name="inverse_time", rtol=1e-12, atol=0.0, variants={
        "this is the slide's garbled 1/(1 - dec) * 1/(rate * epoch) * lr0; use lr0 / (1 + decay * epoch)":
            lambda lr0, d, k: (1 / (1 - d)) * (1 / (d * k)) * lr0 if k else np.inf})


def exponential(student, seed=None) -> int:
    """``exponential(lr0, base, epoch)``: lr0 * base ** epoch."""
    cases = _schedule_cases(case_seed(seed, 19), ((0.1, 0.95), (1.0, 0.98)))
    return grading.check_function(student, lambda lr0, b, k: _schedules.exponential(lr0, b)(k), cases,
                                  name="exponential", rtol=1e-12, atol=0.0, variants={
        "epoch 0 must give lr0 (base ** 0 = 1): the exponent is the epoch, counted from 0":
            lambda lr0, b, k: lr0 * b ** (k + 1)})


MAX_LAYERS, MAX_WIDTH, MAX_PARAMETERS = 8, 4096, 5_000_000  # a network the grader is willing to rebuild


def network_from(net):
    """A fresh ``nn.MLP`` with the architecture and parameters of ``net``, to evaluate here.

    ``net`` is a ``course_lib.nn.MLP`` (practice) or the student's network seen
    from the grader, whose attributes arrive as plain data; either way the
    accuracy is computed by this code, on data it loads itself.
    """
    from . import nn

    try:
        sizes = [int(s) for s in net.sizes]
        params = [np.asarray(p, dtype=np.float64) for p in net.params]
        if not 2 <= len(sizes) <= MAX_LAYERS + 1 or not all(1 <= n <= MAX_WIDTH for n in sizes) \
                or sum(a * b + b for a, b in zip(sizes, sizes[1:])) > MAX_PARAMETERS:
            raise ValueError(f"sizes {sizes[:12]} are beyond what is checked here (at most {MAX_LAYERS} layers of "
                             f"{MAX_WIDTH} units, {MAX_PARAMETERS:,} parameters)")
        model = nn.MLP(sizes, hidden=str(net.hidden), output=str(net.output), loss=str(net.loss_name),
                       bias=bool(net.bias), slope=float(net.slope))
    except Exception as exc:  # noqa: BLE001  (whatever the student's object is, say what is expected)
        raise grading.GradingError(f"could not read the network (keep it a course_lib.nn.MLP): "
                                   f"{str(exc)[:500]}") from None
    if [p.shape for p in params] != [p.shape for p in model.params]:
        raise grading.GradingError(f"the network's parameters have shapes {[p.shape for p in params]}; its sizes "
                                   f"{list(model.sizes)} need {[p.shape for p in model.params]}")
    if not all(np.all(np.isfinite(p)) for p in params):
        raise grading.GradingError("the network's parameters are not all finite (the training diverged)")
    for p, q in zip(model.params, params):
        p[...] = q
    return model


def _reached(acc: float, threshold: float, what: str, hint: str) -> int:
    if not acc >= threshold:
        raise grading.GradingError(f"{what} is {acc:.1%}; at least {threshold:.0%} is expected. {hint}")
    return 1


def trained_network(net, threshold: float = 0.95, seed=None) -> int:
    """Assignment 3: the network trained with the student's Adam classifies ``make_circles(256, seed=0)``.

    The accuracy is computed here from the network's parameters, on the
    exercise's data regenerated here (not taken from the student's variables).
    """
    from .data import make_circles

    X, y = make_circles(256, seed=0)
    return _reached(network_from(net).accuracy(X, y), threshold, "the network's training accuracy",
                    "Check that every parameter is updated with its own m and v, and that t starts at 1.")


def perceptron_weights(w, threshold: float = 0.9, seed=None) -> int:
    """Assignment 4: the weights found by random search classify the exercise's separable data."""
    from .perceptron import PerceptronProblem, make_separable_data

    X, y, _ = make_separable_data(200, np.random.default_rng(0), n_features=2)
    try:
        w = np.asarray(w, dtype=np.float64)
    except (TypeError, ValueError):
        raise grading.GradingError(f"w must be an array of 3 numbers; got {type(w).__name__}") from None
    if w.shape != (3,) or not np.all(np.isfinite(w)):
        raise grading.GradingError(f"w must be 3 finite numbers (two weights, then the bias); got shape {w.shape}")
    return _reached(PerceptronProblem(X, y).accuracy(w), threshold, "the perceptron's training accuracy",
                    "Check the sign of your finite-difference step and the number of steps.")


# --------------------------------------------------------------------------
# Assignment 6: the quiz (the questions are course_lib.quiz; the key is the instructor's)
# --------------------------------------------------------------------------
def quiz_answer(number: int, answer, student_id, key: int, why: str = "") -> int:
    """Question ``number`` of ``course_lib.quiz`` answered with the letter ``answer`` in ``student_id``'s order.

    ``key`` (the place of the right option in ``quiz.QUESTIONS``) and ``why``
    come from the hidden tests of ``solutions/06_quiz``, on the instructor's
    side only.
    """
    from . import quiz

    try:
        index = quiz.option_index(number, answer, student_id)
    except ValueError as exc:
        raise grading.GradingError(str(exc)) from None
    if index != key:
        raise grading.GradingError(f"q{number}: the answer is \"{quiz.QUESTIONS[number - 1].options[key]}\". {why}")
    return 1


# --------------------------------------------------------------------------
# Assignment 4: random search
# --------------------------------------------------------------------------
from . import random_search as _rs  # noqa: E402


_quadratic_loss = portable("lambda w: float(np.sum((w - 0.5) ** 2) + 0.1 * np.sum(w ** 4))", "a quartic bowl")


def finite_difference_step(student, seed=None) -> int:
    """``finite_difference_step(loss, w, lr, sigma, rng)``: dW = sigma * rng.standard_normal(w.shape), w - lr (L+ - L-) dW."""
    rng = np.random.default_rng(case_seed(seed, 0))
    cases = []
    for shape, lr, sigma in (((3,), 0.5, 0.1), ((2, 2), 0.1, 0.01), ((5,), 1.0, 0.5)):
        cases.append(((_quadratic_loss, rng.normal(size=shape), lr, sigma,
                       np.random.default_rng(int(rng.integers(2 ** 32)))), {}))

    def slide_sign(loss, w, lr, sigma, rng):
        dW = sigma * rng.standard_normal(size=w.shape)
        return w + lr * (loss(w + dW) - loss(w - dW)) * dW

    return grading.check_function(student, _rs.finite_difference_step, cases, name="finite_difference_step",
                                  rtol=1e-9, atol=1e-12, variants={
        "the sign is the slide's: with losses (not rewards) W + lr (L+ - L-) dW climbs the loss; use W - ...":
            slide_sign})


def random_search(student, seed=None) -> int:
    """``random_search(loss, w0, lr, sigma, n_steps, rng)``: ``n_steps`` finite-difference steps; the final w."""
    def reference(loss, w0, lr, sigma, n_steps, rng):
        return _rs.finite_difference_search(loss, w0, lr, sigma, n_steps, rng)[0]

    rng = np.random.default_rng(case_seed(seed, 3))
    cases = [((_quadratic_loss, np.zeros(4), 0.5, 0.05, 50, np.random.default_rng(int(rng.integers(2 ** 32)))), {}),
             ((_quadratic_loss, rng.normal(size=2), 1.0, 0.1, 1, np.random.default_rng(int(rng.integers(2 ** 32)))),
              {})]
    return grading.check_function(student, reference, cases, name="random_search", rtol=1e-8, atol=1e-12)


def ars_update(student, seed=None) -> int:
    """``ars_update(M, deltas, r_plus, r_minus, step_size, top_b)``: ARS V1 (Mania et al. 2018, Algorithm 1)."""
    rng = np.random.default_rng(case_seed(seed, 17))
    cases = []
    for p, n, N, b in ((1, 3, 8, 4), (2, 4, 6, 6), (1, 5, 10, 1)):
        cases.append(((rng.normal(size=(p, n)), rng.normal(size=(N, p, n)), rng.normal(size=N), rng.normal(size=N),
                       0.02, b), {}))

    def no_sigma(M, deltas, rp, rm, step, b):
        idx = np.argsort(-np.maximum(rp, rm), kind="stable")[:b]
        return M + step / b * np.tensordot(rp[idx] - rm[idx], deltas[idx], axes=1)

    def all_directions(M, deltas, rp, rm, step, b):
        sigma = np.std(np.concatenate([rp, rm]))
        return M + step / (len(rp) * sigma) * np.tensordot(rp - rm, deltas, axes=1)

    return grading.check_function(student, _rs.ars_update, cases, name="ars_update", rtol=1e-9, atol=1e-12,
                                  variants={
        "the update must be divided by sigma_R, the standard deviation of the 2b rewards used": no_sigma,
        "only the top b directions (by max(r+, r-)) enter the sum, and the divisor is b": all_directions})


# --------------------------------------------------------------------------
# Assignment 2: backprop
# --------------------------------------------------------------------------
from . import nn as _nn  # noqa: E402


def _z_cases(seed: int):
    rng = np.random.default_rng(seed)
    return [((rng.normal(scale=s, size=shape),), {}) for shape, s in (((5,), 1.0), ((3, 4), 5.0), ((7,), 0.01))] + \
        [((np.array([0.0, -0.0, 1e-300, -1e-300, 40.0, -40.0]),), {})]


def activations(sigmoid, sigmoid_derivative, relu, relu_derivative, seed=None) -> int:
    """The four functions, elementwise, on arrays of any shape (0 for relu_derivative at 0, as TensorFlow)."""
    n = grading.check_function(sigmoid, _nn.sigmoid, _z_cases(case_seed(seed, 20)), name="sigmoid", rtol=1e-12, atol=1e-300)
    n += grading.check_function(sigmoid_derivative, _nn.sigmoid_derivative, _z_cases(case_seed(seed, 21)), name="sigmoid_derivative",
                                rtol=1e-10, atol=1e-300, variants={
        "the derivative is g(z)(1 - g(z)), the sigmoid times one minus the sigmoid":
            lambda z: _nn.sigmoid(z) * (1 - z)})
    n += grading.check_function(relu, _nn.relu, _z_cases(case_seed(seed, 22)), name="relu", rtol=0, atol=0)
    n += grading.check_function(relu_derivative, _nn.relu_derivative, _z_cases(case_seed(seed, 23)), name="relu_derivative",
                                rtol=0, atol=0, variants={
        "at z = 0 (the kink) the course, like TensorFlow, uses 0, not 1": lambda z: (np.asarray(z) >= 0) * 1.0})
    return n


def dense_backward(student, seed=None) -> int:
    """``dense_backward(dZ, X, W)`` -> (dX, dW, db) for Z = X W + b (W of shape (n_in, n_out))."""
    rng = np.random.default_rng(case_seed(seed, 24))
    cases = [((rng.normal(size=(n, o)), rng.normal(size=(n, i)), rng.normal(size=(i, o))), {})
             for n, i, o in ((4, 3, 3), (1, 5, 5), (7, 2, 6))]

    def reference(dZ, X, W):
        return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)

    return grading.check_function(student, reference, cases, name="dense_backward", rtol=1e-10, atol=1e-12,
                                  variants={
        "db sums dZ over the samples (axis 0): one entry per output unit":
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)),
        "dX is dZ times W transposed (dZ @ W.T), not dZ @ W":
            lambda dZ, X, W: (dZ @ W, X.T @ dZ, dZ.sum(axis=0))})


def softmax_cross_entropy_grad(student, seed=None) -> int:
    """``softmax_cross_entropy_grad(logits, labels)``: (softmax(logits) - onehot(labels)) / n."""
    rng = np.random.default_rng(case_seed(seed, 25))
    cases = [((rng.normal(scale=s, size=(n, k)), rng.integers(0, k, size=n)), {})
             for n, k, s in ((5, 3, 1.0), (1, 10, 1.0), (4, 4, 300.0))]

    def summed(logits, labels):
        return _nn.softmax_cross_entropy_grad(logits, labels) * logits.shape[0]

    return grading.check_function(student, _nn.softmax_cross_entropy_grad, cases,
                                  name="softmax_cross_entropy_grad", rtol=1e-9, atol=1e-12, variants={
        "the loss is the MEAN over the batch, so the gradient is divided by n (the batch mean replaced by a sum)":
            summed,
        "the sign is flipped: it is softmax minus one-hot": lambda lg, lb: -_nn.softmax_cross_entropy_grad(lg, lb)})


def mlp_backward(student, seed=None) -> int:
    """``mlp_backward(X, y, params)`` -> grads [dW1, db1, dW2, db2, dW3, db3] of a ReLU-ReLU-softmax MLP."""
    rng = np.random.default_rng(case_seed(seed, 26))
    cases = []
    for n, sizes in ((6, (4, 5, 3, 3)), (1, (2, 3, 3, 2)), (10, (3, 8, 6, 4))):
        net = _nn.MLP(list(sizes), seed=int(rng.integers(1000)))
        cases.append(((rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n),
                       [p.copy() for p in net.params]), {}))

    def reference(X, y, params):
        net = _nn.MLP([params[0].shape[0], params[0].shape[1], params[2].shape[1], params[4].shape[1]])
        for p, q in zip(net.params, params):
            p[...] = q
        return tuple(net.loss_and_grads(X, y)[1])

    def student_tuple(X, y, params):
        return tuple(student(X, y, params))

    student_tuple.__name__ = "mlp_backward"
    student_tuple.runs_in_kernel = getattr(student, "runs_in_kernel", False)
    return grading.check_function(student_tuple, reference, cases, name="mlp_backward", rtol=1e-8, atol=1e-12)


# --------------------------------------------------------------------------
# Assignment 5: the training project
# --------------------------------------------------------------------------
# builds the network next to the student's function (in their kernel, when graded) and returns plain data
_EPOCH_ADAPTER = """
def adapter(fn, X, y, lr, bs, order, seed):
    from course_lib import nn
    net = nn.MLP([3, 5, 3], seed=seed)
    loss = fn(net, X.copy(), y.copy(), lr, bs, order.copy())
    return (np.asarray(loss, dtype=float), *[p.copy() for p in net.params])
"""


def sgd_epoch(student, seed=None) -> int:
    """``sgd_epoch(net, X, y, lr, batch_size, order)``: one epoch of mini-batch SGD over ``order``, in place.

    Batches are consecutive slices of ``order`` (the last may be smaller); each
    step is ``p -= lr * g`` for every parameter with the batch's mean gradient
    (``net.loss_and_grads``).  Returns the mean of the batch losses.
    """
    rng = np.random.default_rng(case_seed(seed, 27))
    cases = []
    for n, bs in ((20, 5), (23, 8), (7, 7), (9, 1)):
        X, y = rng.normal(size=(n, 3)), rng.integers(0, 3, size=n)
        cases.append((X, y, 0.1, bs, rng.permutation(n), int(rng.integers(1000))))

    def reference_epoch(net, X, y, lr, bs, order, reduction="mean"):
        losses = []
        for start in range(0, len(order), bs):
            idx = order[start:start + bs]
            loss, grads = net.loss_and_grads(X[idx], y[idx], reduction=reduction)
            for p, g in zip(net.params, grads):
                p -= lr * g
            losses.append(loss)
        return float(np.mean(losses))

    def summed_epoch(net, X, y, lr, bs, order):
        return reference_epoch(net, X, y, lr, bs, order, reduction="sum")

    def drops_last(net, X, y, lr, bs, order):
        full = len(order) - len(order) % bs
        return reference_epoch(net, X, y, lr, bs, order[:full]) if full else float("nan")

    def wrap(fn):
        return grading.adapt(fn, _EPOCH_ADAPTER)

    return grading.check_function(wrap(student), wrap(reference_epoch), [(c, {}) for c in cases], name="sgd_epoch",
                                  rtol=1e-9, atol=1e-12, allow=("course_lib.nn.loss_and_grads",), variants={
        "each step uses the batch's MEAN gradient; this looks like the sum over the batch": wrap(summed_epoch),
        "the last, smaller batch is skipped; every sample must be used once per epoch": wrap(drops_last)})


def project_result(net, seconds, accuracy: float = 0.95, time_limit: float = 120.0, seed=None) -> int:
    """The network reaches ``accuracy`` on MNIST's 10,000 test images, trained within ``time_limit`` seconds.

    The test accuracy is computed here, from the network's parameters, on the
    test images scaled to [0, 1] (``data.load_mnist``).  ``seconds`` is a
    number or a function giving it, read after the network is fetched: the
    grader passes its own clock of the kernel's time (the cells before the
    test, loading and training included, and the fetching itself, so a network
    that trains while it is read is timed too).
    """
    from .data import load_mnist

    model = network_from(net)
    try:
        sec = float(seconds() if callable(seconds) else seconds)
    except (TypeError, ValueError):
        raise grading.GradingError("seconds must be a number") from None
    if not 0 < sec <= time_limit:
        raise grading.GradingError(f"training took {sec:.0f} s; the project asks for at most {time_limit:.0f} s.")
    _, (X_img, y_test) = load_mnist()
    X_test = X_img.reshape(len(X_img), -1).astype(np.float64) / 255
    return _reached(model.accuracy(X_test, y_test), accuracy, "the test accuracy",
                    "Try more epochs or training images, or a larger learning rate.")
