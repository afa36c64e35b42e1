"""The hidden tests: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them.
"""

import numpy as np
import pytest

from course_lib.exercises import a01_numerical_gradients as checks
from course_lib.exercises.engine import GradingError


def test_relative_error_edge_cases():
    def good(a, b):
        return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))
    assert checks.relative_error(good) == 6
    def no_floor(a, b):
        with np.errstate(invalid="ignore"):
            return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
    with pytest.raises(GradingError, match="the denominator needs the floor"):
        checks.relative_error(no_floor)


def test_relative_error_mean_and_max_denominator_are_named():
    def mean_not_max(a, b):  # the element-wise errors averaged, as a student may write it
        return float(np.mean(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))

    def max_denominator(a, b):
        return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-8)))

    with pytest.raises(GradingError, match="report the largest relative error over the entries, not their mean"):
        checks.relative_error(mean_not_max)
    with pytest.raises(GradingError, match=r"the denominator is \|a\| \+ \|b\| \(CS231n's code\)"):
        checks.relative_error(max_denominator)


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
        checks.check_gradient(spy, seed=seed)
    names = {name for name, _ in seen}
    assert names == {"grad"}
    assert len({src for _, src in seen}) > 6  # the off ones differ from seed to seed


def test_a_one_sided_over_2h_is_named():
    with pytest.raises(GradingError, match="a one-sided difference divides by h"):
        checks.forward_difference(lambda f, x, h: np.array(
            [(f(x + h * e) - f(x)) / (2 * h) for e in np.eye(x.size)]).reshape(x.shape))


def test_best_central_step_is_a_question_about_float64_with_no_drawn_inputs():
    import inspect

    assert "seed" not in inspect.signature(checks.best_central_step).parameters
    # cbrt(2.2e-16) = 6.1e-6 balances the truncation h^2 |f'''| / 6 against the round-off eps |f| / h
    for good in (6e-6, 1e-5, "1e-5", 1e-6, 1e-4):
        assert checks.best_central_step(good) == 1
    with pytest.raises(GradingError, match="1e-8 is the report's choice"):
        checks.best_central_step(1e-8)
    with pytest.raises(GradingError, match="best_step = 0.001 is off"):
        checks.best_central_step(1e-3)
    with pytest.raises(GradingError, match="best_step must be a number; got 'small'"):
        checks.best_central_step("small")
