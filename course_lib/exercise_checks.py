"""The hidden tests of the exercises: one function per graded question.

A hidden test cell of an assignment in ``solutions/`` holds one call, e.g.
``exercise_checks.forward_difference(forward_difference)``.  Each check runs
the student's function against the ``course_lib`` reference on seeded random
inputs (several shapes and scales, and the edge cases that catch the usual
mistakes) through ``grading.check_function``, which raises an
``AssertionError`` with the feedback the student reads.

Reference and wrong variants are written here, next to each other, so the
likely mistakes are named ("you divided by h instead of 2h").

Only numpy is imported here.
"""

from __future__ import annotations

import numpy as np

from . import grading
from .gradcheck import numerical_gradient, relative_error as _relative_error

__all__ = ["forward_difference", "backward_difference", "central_difference", "relative_error",
           "check_gradient", "best_central_step",
           "momentum_classical", "momentum_ema", "nesterov", "adagrad", "rmsprop", "adam", "rprop",
           "inverse_time", "exponential", "trained_accuracy"]


# --------------------------------------------------------------------------
# Assignment 1: numerical gradients
# --------------------------------------------------------------------------
def _smooth_functions():
    """Test functions of a vector with their gradients (closed forms)."""
    return [
        ("sum of squares", lambda x: float(np.sum(x ** 2)), lambda x: 2 * x),
        ("sum of sines", lambda x: float(np.sum(np.sin(x))), np.cos),
        ("log-sum-exp", lambda x: float(np.log(np.sum(np.exp(x)))), lambda x: np.exp(x) / np.sum(np.exp(x))),
        ("a quartic", lambda x: float(np.sum(x ** 4) - np.prod(x[:2]) if x.size > 1 else float(np.sum(x ** 4))),
         None),
    ]


def _difference_cases(seed: int = 0):
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


def forward_difference(student) -> int:
    """``forward_difference(f, x, h)``: (f(x + h e_i) - f(x)) / h for every coordinate i."""
    return grading.check_function(
        student, _ref("forward"), _difference_cases(1), name="forward_difference", **_DIFF_TOL,
        variants={"you divided by 2h; a one-sided difference divides by h": _one_sided_over_2h(+1),
                  "only the first coordinate is perturbed: loop over every entry of x (x.size, x.flat)":
                      _forward_using_first_coordinate_only})


def backward_difference(student) -> int:
    """``backward_difference(f, x, h)``: (f(x) - f(x - h e_i)) / h."""
    return grading.check_function(
        student, _ref("backward"), _difference_cases(2), name="backward_difference", **_DIFF_TOL,
        variants={"the sign is flipped: it is (f(x) - f(x - h)) / h, not (f(x - h) - f(x)) / h": _backward_flipped,
                  "you divided by 2h; a one-sided difference divides by h": _one_sided_over_2h(-1)})


def central_difference(student) -> int:
    """``central_difference(f, x, h)``: (f(x + h e_i) - f(x - h e_i)) / (2h)."""
    return grading.check_function(
        student, _ref("central"), _difference_cases(3), name="central_difference", **_DIFF_TOL,
        variants={"you divided by h; the central difference spans 2h, so divide by 2h": _central_over_h,
                  "this is the forward difference; the central one uses f(x + h) - f(x - h)": _ref("forward")})


def relative_error(student) -> int:
    """``relative_error(a, b)``: max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-8)."""
    rng = np.random.default_rng(4)
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


def check_gradient(student) -> int:
    """``check_gradient(f, grad, x)``: the largest relative error between grad(x) and central differences.

    The reference uses the central difference with h = 1e-5 (the step the
    exercise asks for) and CS231n's relative error.
    """
    rng = np.random.default_rng(5)
    cases = []
    for _, f, g in _smooth_functions()[:3]:
        x = rng.normal(size=4)
        cases.append(((f, g, x), {}))
        cases.append(((f, lambda x, g=g: 1.01 * g(x), x), {}))  # a gradient 1% off

    def reference(f, grad, x):
        return _relative_error(np.asarray(grad(x), dtype=float), numerical_gradient(f, x, "central", eps=1e-5))

    return grading.check_function(student, reference, cases, name="check_gradient", rtol=1e-3, atol=1e-9)


def best_central_step(answer) -> int:
    """The step chosen for central differences in float64: between 1e-6 and 1e-4 (about cbrt(eps) ~ 6e-6)."""
    try:
        h = float(answer)
    except (TypeError, ValueError):
        raise grading.GradingError(f"best_step must be a number; got {answer!r}") from None
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


def momentum_classical(student, lr=0.1, beta=0.9) -> int:
    """``momentum_classical(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v - lr g, w = w + v."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(10, 1)]
    ref = lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="classical")  # noqa: E731
    return grading.check_function(student, ref, cases, name="momentum_classical", **_OPT_TOL, variants={
        "the sign is flipped: the classical velocity is v = beta v - lr g, and w = w + v":
            lambda w, g, v, lr, beta: (w - (beta * v + lr * g), beta * v + lr * g),
        "beta is missing on the old velocity: v = beta v - lr g":
            lambda w, g, v, lr, beta: (w + v - lr * g, v - lr * g),
        "this is the EMA form (source 001); the classical one has no (1 - beta) and adds v":
            lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="ema")})


def momentum_ema(student, lr=0.1, beta=0.9) -> int:
    """``momentum_ema(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v + (1 - beta) g, w = w - lr v."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(11, 1)]
    ref = lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="ema")  # noqa: E731
    return grading.check_function(student, ref, cases, name="momentum_ema", **_OPT_TOL, variants={
        "the (1 - beta) factor on the gradient is missing":
            lambda w, g, v, lr, beta: (w - lr * (beta * v + g), beta * v + g),
        "this is the classical form (v = beta v - lr g, w = w + v), not source 001's average":
            lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="classical")})


def nesterov(student, lr=0.1, beta=0.9) -> int:
    """``nesterov(w, g, v, lr, beta)`` -> (w_new, v_new): v = beta v - lr g, w = w + beta v_new - lr g."""
    cases = [((w, g, v, lr, beta), {}) for w, g, v in _state_cases(12, 1)]
    return grading.check_function(student, _optim.nesterov_update, cases, name="nesterov", **_OPT_TOL, variants={
        "this is plain (heavy-ball) momentum, w + v_new; Nesterov steps w + beta v_new - lr g":
            lambda w, g, v, lr, beta: _optim.momentum_update(w, g, v, lr, beta, variant="classical")})


def adagrad(student, lr=0.01, eps=1e-8) -> int:
    """``adagrad(w, g, G, lr, eps)`` -> (w_new, G_new): G = G + g^2, w = w - lr g / (sqrt(G) + eps)."""
    cases = [((w, g, G, lr, eps), {}) for w, g, G in _state_cases(13, 1, positive_state=True)]
    return grading.check_function(student, _optim.adagrad_update, cases, name="adagrad", **_OPT_TOL, variants={
        "eps is inside the square root; here it is added to sqrt(G)":
            lambda w, g, G, lr, eps: _optim.adagrad_update(w, g, G, lr, eps, eps_inside_sqrt=True),
        "G must accumulate: G_new = G + g**2, not g**2 alone":
            lambda w, g, G, lr, eps: (w - lr * g / (np.abs(g) + eps), g ** 2)})


def rmsprop(student, lr=0.001, rho=0.9, eps=1e-8) -> int:
    """``rmsprop(w, g, s, lr, rho, eps)`` -> (w_new, s_new): s = rho s + (1 - rho) g^2, w = w - lr g / (sqrt(s) + eps)."""
    cases = [((w, g, s, lr, rho, eps), {}) for w, g, s in _state_cases(14, 1, positive_state=True)]
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


def adam(student, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8) -> int:
    """``adam(w, g, m, v, t, lr, beta1, beta2, eps)`` -> (w_new, m_new, v_new), Kingma & Ba Algorithm 1 (t from 1)."""
    cases = []
    for w, g, m, v, t in _state_cases(15, 2, with_t=True):
        cases.append(((w, g, m, np.abs(v), t, lr, beta1, beta2, eps), {}))
    return grading.check_function(student, _optim.adam_update, cases, name="adam", **_OPT_TOL, variants={
        "the bias correction is missing: divide m by (1 - beta1**t) and v by (1 - beta2**t)": _adam_variant(no_bias=True),
        "t is off by one: the first step is t = 1, so the corrections use beta**t, not beta**(t+1)":
            _adam_variant(t_shift=1),
        "eps is inside the square root; Algorithm 1 adds it to sqrt(v_hat)": _adam_variant(eps_inside=True),
        "the (1 - beta) factors of the moving averages are missing": _adam_variant(no_one_minus=True),
        "the step is multiplied by g again (the misprint of source 002); m_hat already carries the gradient":
            _adam_variant(times_g=True)})


def rprop(student, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)) -> int:
    """``rprop(w, g, g_prev, step)`` -> (w_new, g_prev_new, step_new), iRprop-."""
    rng = np.random.default_rng(16)
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


def inverse_time(student) -> int:
    """``inverse_time(lr0, decay, epoch)``: lr0 / (1 + decay * epoch)."""
    cases = [((lr0, d, k), {}) for lr0, d in ((0.1, 0.5), (1.0, 0.01)) for k in (0, 1, 7, 100)]
    return grading.check_function(student, lambda lr0, d, k: _schedules.inverse_time(lr0, d)(k), cases,
                                  name="inverse_time", rtol=1e-12, atol=0.0, variants={
        "this is the slide's garbled 1/(1 - dec) * 1/(rate * epoch) * lr0; use lr0 / (1 + decay * epoch)":
            lambda lr0, d, k: (1 / (1 - d)) * (1 / (d * k)) * lr0 if k else np.inf})


def exponential(student) -> int:
    """``exponential(lr0, base, epoch)``: lr0 * base ** epoch."""
    cases = [((lr0, b, k), {}) for lr0, b in ((0.1, 0.95), (1.0, 0.98)) for k in (0, 1, 7, 100)]
    return grading.check_function(student, lambda lr0, b, k: _schedules.exponential(lr0, b)(k), cases,
                                  name="exponential", rtol=1e-12, atol=0.0, variants={
        "epoch 0 must give lr0 (base ** 0 = 1): the exponent is the epoch, counted from 0":
            lambda lr0, b, k: lr0 * b ** (k + 1)})


def trained_accuracy(accuracy, threshold: float = 0.95) -> int:
    """The network trained with the student's own Adam reaches ``threshold`` training accuracy."""
    try:
        acc = float(accuracy)
    except (TypeError, ValueError):
        raise grading.GradingError(f"final_accuracy must be a number; got {accuracy!r}") from None
    if not acc >= threshold:
        raise grading.GradingError(
            f"the network reached {acc:.1%} training accuracy; at least {threshold:.0%} is expected. "
            f"Check that every parameter is updated with its own m and v, and that t starts at 1.")
    return 1
