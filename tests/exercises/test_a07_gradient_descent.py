"""The hidden tests of assignment 7: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them.
"""

import numpy as np
import pytest

from course_lib import functions, linesearch
from course_lib.exercises import a07_gradient_descent as checks
from course_lib.exercises.engine import GradingError, UsedReference


def gradient_descent(grad, x0, lr, n_steps):
    path = [np.array(x0, dtype=float)]
    for _ in range(n_steps):
        path.append(path[-1] - lr * grad(path[-1]))
    return np.array(path)


def largest_stable_step(A):
    return 2.0 / np.linalg.eigvalsh(A)[-1]


def steepest_descent_exact(A, b, x0, n_steps):
    path = [np.array(x0, dtype=float)]
    for _ in range(n_steps):
        g = A @ path[-1] - b
        path.append(path[-1] - (g @ g) / (g @ A @ g) * g)
    return np.array(path)


def backtracking_step(f, x, g, beta=0.5, c=0.5):
    t, fx, gg = 1.0, f(x), g @ g
    while f(x - t * g) > fx - c * t * gg:
        t *= beta
    return t


def gradient_descent_backtracking(f, grad, x0, n_steps, beta=0.5, c=0.5):
    path = [np.array(x0, dtype=float)]
    for _ in range(n_steps):
        g = grad(path[-1])
        path.append(path[-1] - backtracking_step(f, path[-1], g, beta, c) * g)
    return np.array(path)


def test_the_portable_test_functions_are_the_librarys():
    x = np.array([-0.7, 1.3])
    assert checks._ROSENBROCK(x) == pytest.approx(functions.rosenbrock().value(x), rel=1e-14)
    assert np.allclose(checks._ROSENBROCK_GRAD(x), functions.rosenbrock().grad(x), rtol=1e-14)
    for x in (0.5, 7.0, 20.5):
        assert np.allclose(checks._SEXTIC_GRAD(np.array([x])), functions.sextic().grad(np.array([x])), rtol=1e-13)
    rng = np.random.default_rng(5)
    A, b, x = checks._spd(rng, 3, 7.0), rng.normal(size=3), rng.normal(size=3)
    assert np.allclose(np.linalg.eigvalsh(A)[[0, -1]], [1.0, 7.0]) and not np.allclose(A, np.diag(np.diag(A)))
    f, grad = checks._quadratic(A, b)
    assert f(x) == pytest.approx(functions.quadratic_from_matrix(A, b).value(x), rel=1e-13)
    assert np.array_equal(grad(x), A @ x - b)  # every digit travels in the source


def test_source_004s_worked_example_is_the_first_exact_line_search_case():
    # f = x1^2 + 2 x2^2 - 2 x1 x2 - 2 x2: from (0, 0) the first step is 1/4, to (0, 1/2), by hand
    path = steepest_descent_exact(np.array([[2.0, -2.0], [-2.0, 4.0]]), np.array([0.0, 2.0]), np.zeros(2), 1)
    assert np.allclose(path[1], [0.0, 0.5])


def test_the_reference_passes():
    assert checks.gradient_descent(gradient_descent) == 5
    assert checks.largest_stable_step(largest_stable_step) == 5
    assert checks.steepest_descent_exact(steepest_descent_exact) == 4
    assert checks.backtracking_step(backtracking_step) == 8
    assert checks.gradient_descent_backtracking(gradient_descent_backtracking) == 3
    for seed in (1, 2**40 + 3):
        checks.gradient_descent(gradient_descent, seed=seed)
        checks.backtracking_step(backtracking_step, seed=seed)
        checks.steepest_descent_exact(steepest_descent_exact, seed=seed)


def test_the_cases_make_the_searches_work():
    cases = checks._backtracking_cases(np.random.default_rng(0))
    ts = [linesearch.backtracking_step(f, x, g, beta=beta, c=c) for f, x, g, beta, c in (a for a, _ in cases)]
    assert max(ts) == 1.0 and min(ts) < 0.01  # some accept t = 1 at once, some need many shrinks


def test_each_mistake_is_named():
    def gd_plus(grad, x0, lr, n):
        return gradient_descent(lambda x: -grad(x), x0, lr, n)

    with pytest.raises(GradingError, match="the sign is flipped"):
        checks.gradient_descent(gd_plus)
    with pytest.raises(GradingError, match="the path must start with x0 itself"):
        checks.gradient_descent(lambda grad, x0, lr, n: gradient_descent(grad, x0, lr, n)[1:])
    with pytest.raises(GradingError, match="one step too many"):
        checks.gradient_descent(lambda grad, x0, lr, n: gradient_descent(grad, x0, lr, n + 1))
    with pytest.raises(GradingError, match="one step too few"):
        checks.gradient_descent(lambda grad, x0, lr, n: gradient_descent(grad, x0, lr, n - 1))

    with pytest.raises(GradingError, match="1 / lambda_max is the safe step"):
        checks.largest_stable_step(lambda A: 1.0 / np.linalg.eigvalsh(A)[-1])
    with pytest.raises(GradingError, match="not the smallest"):
        checks.largest_stable_step(lambda A: 2.0 / np.linalg.eigvalsh(A).min())
    with pytest.raises(GradingError, match="the largest diagonal entry"):
        checks.largest_stable_step(lambda A: 2.0 / A.diagonal().max())

    def sd_inverted(A, b, x0, n):
        path = [np.array(x0, dtype=float)]
        for _ in range(n):
            g = A @ path[-1] - b
            path.append(path[-1] - (g @ A @ g) / (g @ g) * g)
        return np.array(path)

    def sd_first_step(A, b, x0, n):
        g = A @ x0 - b
        return gradient_descent(lambda x: A @ x - b, x0, (g @ g) / (g @ A @ g), n)

    with pytest.raises(GradingError, match="the step is inverted"):
        checks.steepest_descent_exact(sd_inverted)
    with pytest.raises(GradingError, match="recomputed at every iterate"):
        checks.steepest_descent_exact(sd_first_step)
    with pytest.raises(GradingError, match=r"is Ax - b, not Ax \+ b"):
        checks.steepest_descent_exact(lambda A, b, x0, n: steepest_descent_exact(A, -b, x0, n))

    def bt_printed(f, x, g, beta=0.5, c=0.5):  # (21) as printed, with a guard a student would need
        t = 1.0
        for _ in range(60):
            if f(x - t * g) > f(x) - c * t * (g @ g):
                return t
            t *= beta
        return t

    def bt_shrunk_first(f, x, g, beta=0.5, c=0.5):
        t = beta
        while f(x - t * g) > f(x) - c * t * (g @ g):
            t *= beta
        return t

    def bt_norm(f, x, g, beta=0.5, c=0.5):
        t = 1.0
        while f(x - t * g) > f(x) - c * t * np.linalg.norm(g):
            t *= beta
        return t

    def bt_half(f, x, g, beta=0.5, c=0.5):
        t = 1.0
        while f(x - t * g) > f(x) - t / 2 * (g @ g):
            t *= beta
        return t

    with pytest.raises(GradingError, match="printed inequality"):
        checks.backtracking_step(bt_printed)
    with pytest.raises(GradingError, match="the first trial step is t = 1 itself"):
        checks.backtracking_step(bt_shrunk_first)
    with pytest.raises(GradingError, match=r"the squared norm, not \|\|g\|\|"):
        checks.backtracking_step(bt_norm)
    with pytest.raises(GradingError, match="the constant c is a parameter"):
        checks.backtracking_step(bt_half)

    def bt_any_decrease(f, x, g, beta=0.5, c=0.5):
        t = 1.0
        while not f(x - t * g) < f(x):
            t *= beta
        return t

    def bt_no_increase(f, x, g, beta=0.5, c=0.5):
        t = 1.0
        while f(x - t * g) > f(x):
            t *= beta
        return t

    for seed in (None, 1, 2, 3):  # each gets its own hint, not that of ||g|| (the two agree where ||g|| >> 1)
        with pytest.raises(GradingError, match="any decrease is not enough"):
            checks.backtracking_step(bt_any_decrease, seed=seed)
        with pytest.raises(GradingError, match="any decrease is not enough"):
            checks.backtracking_step(bt_no_increase, seed=seed)
        with pytest.raises(GradingError, match="printed inequality"):
            checks.backtracking_step(bt_printed, seed=seed)
        with pytest.raises(GradingError, match=r"the squared norm, not \|\|g\|\|"):
            checks.backtracking_step(bt_norm, seed=seed)

    def gdb_carried(f, grad, x0, n, beta=0.5, c=0.5):
        path, t = [np.array(x0, dtype=float)], 1.0
        for _ in range(n):
            g = grad(path[-1])
            while f(path[-1] - t * g) > f(path[-1]) - c * t * (g @ g):
                t *= beta
            path.append(path[-1] - t * g)
        return np.array(path)

    def gdb_once(f, grad, x0, n, beta=0.5, c=0.5):
        return gradient_descent(grad, x0, backtracking_step(f, x0, grad(x0), beta, c), n)

    with pytest.raises(GradingError, match="each search starts again at t = 1"):
        checks.gradient_descent_backtracking(gdb_carried)
    with pytest.raises(GradingError, match="not once at x0"):
        checks.gradient_descent_backtracking(gdb_once)


def test_calling_the_reference_is_refused():
    with pytest.raises(UsedReference, match=r"course_lib.linesearch.backtracking_step"):
        checks.backtracking_step(lambda f, x, g, beta, c: linesearch.backtracking_step(f, x, g, beta=beta, c=c))
    with pytest.raises(UsedReference, match=r"course_lib.linesearch.steepest_descent_exact"):
        checks.steepest_descent_exact(lambda A, b, x0, n: linesearch.steepest_descent_exact(A, b, x0, steps=n)[0])
    with pytest.raises(UsedReference, match="calls the reference implementation"):
        checks.largest_stable_step(lambda A: linesearch.largest_stable_step(np.linalg.eigvalsh(A)[-1]))


def test_other_correct_ways_pass_for_every_student():
    """Correct answers written differently (another formula order, another eigen-solver) pass for any seed."""
    def largest_by_norm(A):
        return 2.0 / np.linalg.norm(A, 2)

    def exact_by_residual(A, b, x0, n_steps):
        x, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
        for _ in range(n_steps):
            r = b - A @ x
            x = x + np.dot(r, r) / np.dot(r, A.dot(r)) * r
            path.append(x)
        return np.array(path)

    def backtracking_by_difference(f, x, g, beta=0.5, c=0.5):
        t, fx = 1.0, f(x)
        while f(x - t * g) - fx > -c * t * np.linalg.norm(g) ** 2:
            t = t * beta
        return t

    for seed in [None, *range(40), 166]:  # seed 166 drew a start that reached the minimiser (g = 0) in 7 steps
        checks.largest_stable_step(largest_by_norm, seed=seed)
        checks.steepest_descent_exact(exact_by_residual, seed=seed)
        checks.steepest_descent_exact(steepest_descent_exact, seed=seed)
        checks.backtracking_step(backtracking_by_difference, seed=seed)


def test_no_backtracking_trial_lies_on_the_boundary():
    """Every trial's f(x - t g) is clear of f(x) - c t ||g||^2, so rounding (g @ g or the norm squared) decides nothing."""
    for seed in [None, *range(60)]:
        for (f, x, g, beta, c), _ in checks._backtracking_cases(checks.case_rng(seed, 73)):
            t, fx, gg = 1.0, f(x), float(g @ g)
            while True:
                lhs, rhs = f(x - t * g), fx - c * t * gg
                assert abs(lhs - rhs) > 1e-9 * max(1.0, abs(fx)), (seed, t, lhs, rhs)
                if lhs <= rhs:
                    break
                t *= beta


def test_exact_line_search_cases_never_reach_the_minimiser():
    """The question promises it: every case takes all its steps with a gradient far from 0 (no 0 / 0 for the student)."""
    for seed in [None, *range(60), 166]:
        captured = []
        checks.steepest_descent_exact(lambda A, b, x0, n: captured.append((A, b, x0, n)) or
                                      steepest_descent_exact(A, b, x0, n), seed=seed)
        for A, b, x0, n in captured:
            path = linesearch.steepest_descent_exact(A, b, x0, steps=n)[0]
            assert len(path) == n + 1
            assert np.linalg.norm(A @ path[-1] - b) > 1e-6 * np.linalg.norm(A @ x0 - b)


def test_no_stable_step_answer_is_the_same_for_every_student():
    """Only the lecture's two 1 x 1 minima are fixed; every matrix's largest eigenvalue is drawn per student."""
    answers = []
    for seed in (1, 2, 3):
        got = []
        checks.largest_stable_step(lambda A: got.append(largest_stable_step(A)) or got[-1], seed=seed)
        answers.append(got)
    first, second, third = answers
    assert first[:2] == second[:2] == third[:2]  # the sextic's minima
    assert all(len({a[k] for a in answers}) == 3 for k in range(2, len(first)))
