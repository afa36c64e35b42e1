"""Assignment 1, numerical gradients: the checks of the forward, backward and central
differences, the relative error, a gradient check, and the best central step.

Each check runs the student's function against the ``course_lib`` reference on
seeded random inputs through ``engine.check_function`` and names the likely
mistake (see ``course_lib.exercises``).
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, relative_error as _relative_error, relative_errors as _relative_errors
from . import engine
from .engine import GradingError, case_rng, portable


_SMOOTH = [  # test functions of a vector (portable: they run in the student's kernel too) and their gradients
    ("sum of squares", "lambda x: float(np.sum(x ** 2))", "2 * x"),
    ("sum of sines", "lambda x: float(np.sum(np.sin(x)))", "np.cos(x)"),
    ("log-sum-exp", "lambda x: float(np.log(np.sum(np.exp(x))))", "np.exp(x) / np.sum(np.exp(x))"),
    ("a quartic", "lambda x: float(np.sum(x ** 4) - np.prod(x[:2]) if x.size > 1 else np.sum(x ** 4))", None),
]


def _smooth_functions():
    """(name, f, grad or None) for the test functions, each a ``engine.Portable``."""
    return [(name, portable(f, name), portable(f"lambda x: {g}", f"the gradient of {name}") if g else None)
            for name, f, g in _SMOOTH]


def _difference_cases(rng: np.random.Generator):
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
    return engine.check_function(
        student, _ref("forward"), _difference_cases(case_rng(seed, 1)), name="forward_difference", **_DIFF_TOL,
        variants={"you divided by 2h; a one-sided difference divides by h": _one_sided_over_2h(+1),
                  "only the first coordinate is perturbed: loop over every entry of x (x.size, x.flat)":
                      _forward_using_first_coordinate_only})


def backward_difference(student, seed=None) -> int:
    """``backward_difference(f, x, h)``: (f(x) - f(x - h e_i)) / h."""
    return engine.check_function(
        student, _ref("backward"), _difference_cases(case_rng(seed, 2)), name="backward_difference", **_DIFF_TOL,
        variants={"the sign is flipped: it is (f(x) - f(x - h)) / h, not (f(x - h) - f(x)) / h": _backward_flipped,
                  "you divided by 2h; a one-sided difference divides by h": _one_sided_over_2h(-1)})


def central_difference(student, seed=None) -> int:
    """``central_difference(f, x, h)``: (f(x + h e_i) - f(x - h e_i)) / (2h)."""
    return engine.check_function(
        student, _ref("central"), _difference_cases(case_rng(seed, 3)), name="central_difference", **_DIFF_TOL,
        variants={"you divided by h; the central difference spans 2h, so divide by 2h": _central_over_h,
                  "this is the forward difference; the central one uses f(x + h) - f(x - h)": _ref("forward")})


def relative_error(student, seed=None) -> int:
    """``relative_error(a, b)``: max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-8)."""
    rng = case_rng(seed, 4)
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

    def mean_not_max(a, b):  # the reference's element-wise errors, averaged instead of maximised
        return float(np.mean(_relative_errors(a, b)))

    return engine.check_function(
        student, _relative_error, cases, name="relative_error", rtol=1e-9, atol=1e-15,
        variants={"the denominator needs the floor max(|a| + |b|, 1e-8), or 0/0 gives nan": no_floor,
                  "the denominator is |a| + |b| (CS231n's code), not max(|a|, |b|)": max_denominator,
                  "report the largest relative error over the entries, not their mean": mean_not_max})


def check_gradient(student, seed=None) -> int:
    """``check_gradient(f, grad, x)``: the largest relative error between grad(x) and central differences.

    The reference uses the central difference with h = 1e-5 (the step the
    exercise asks for) and CS231n's relative error.
    """
    rng = case_rng(seed, 5)
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

    return engine.check_function(student, reference, cases, name="check_gradient", rtol=1e-3, atol=1e-9)


def best_central_step(answer) -> int:
    """The step chosen for central differences in float64: between 1e-6 and 1e-4 (about cbrt(eps) ~ 6e-6).

    A question about float64 itself, the same for every student: nothing is drawn from a seed.
    """
    try:
        h = float(answer)
    except (TypeError, ValueError):
        import reprlib

        raise GradingError(f"best_step must be a number; got {reprlib.repr(answer)}") from None
    if h == 1e-8:
        raise GradingError(
            "1e-8 is the report's choice, but for central differences round-off eps|f|/h dominates there; "
            "balance it against the truncation h^2 |f'''| / 6.")
    if not 1e-6 <= h <= 1e-4:
        raise GradingError(
            f"best_step = {h:g} is off: the central difference's error h^2|f'''|/6 + eps|f|/h is smallest "
            f"near h = cbrt(eps) ~ 6e-6 in float64.")
    return 1
