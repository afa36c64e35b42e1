"""Lecture 1's slider figures: what they draw, checked against independent computations.

(How a figure is read: ``figure_data.py``.)
"""

import numpy as np
import pytest

from course_lib.lectures import l01_gradient_descent as lecture
from figure_data import line_data


# Source 004, Figure 1, as printed (typed in here, not taken from course_lib)
SEXTIC = [0.000017, -0.001133, 0.029241, -0.36691, 2.234115, -5.510020, 4.722197]


def sextic_gd(lr, x0, steps):
    d = np.polyder(np.poly1d(SEXTIC))
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - lr * d(xs[-1]))
    return np.array(xs)


@pytest.mark.parametrize("lr, x0, steps", [(0.1, 1.0, 30), (0.5, 12.0, 50), (1.0, 3.0, 7)])
def test_sextic_descent_draws_gradient_descent_on_the_printed_polynomial(lr, x0, steps):
    w = lecture.sextic_descent(lr=lr, x0=x0, steps=steps)
    expected = sextic_gd(lr, x0, steps)
    path_line = w.fig.axes[0].lines[-2]
    x, y = line_data(path_line)
    np.testing.assert_allclose(x, expected, rtol=1e-12)
    np.testing.assert_allclose(y, np.poly1d(SEXTIC)(expected), rtol=1e-12)
    kx, ky = line_data(w.fig.axes[1].lines[0])
    assert kx.tolist() == list(range(steps + 1))
    assert not w.state["diverged"]
    assert f"x = {expected[-1]:.4f}" in w.fig.axes[0].get_title()


def test_sextic_descent_names_the_largest_stable_step():
    p = np.poly1d(SEXTIC)
    d2 = p.deriv(2)
    # the global minimum: Newton on f' from 20.5
    x = 20.5
    for _ in range(20):
        x -= p.deriv()(x) / d2(x)
    lr_max = 2 / d2(x)
    w = lecture.sextic_descent(lr=0.9 * lr_max, x0=19.0, steps=200)
    assert w.state["lr_max_local"] == pytest.approx(lr_max, rel=1e-9)
    assert w.state["converged"] and w.state["x"] == pytest.approx(x, abs=1e-6)
    # just above 2 / f''(x*) the iteration does not converge: it settles into a
    # two-cycle on either side of x* (period doubling), which the title names
    w.update(lr=1.05 * lr_max)
    path = w.state["path"]
    assert not w.state["converged"] and not w.state["diverged"] and w.state["two_cycle"]
    assert (path[-1] - x) * (path[-2] - x) < 0 and abs(path[-1] - path[-2]) > 0.5
    assert "no convergence" in w.fig.axes[0].get_title()
    # a large step leaves the plot
    w.update(lr=3.0, x0=15.0, steps=50)
    assert w.state["diverged"] and "diverged" in w.fig.axes[0].get_title()


def quadratic_gap(kappa, angle_deg, x0, lr, steps):
    """f(x_t) for f = 0.5 x'Ax, A = R diag(1, kappa) R': each eigen-coordinate scales by (1 - lr lam)."""
    a = np.deg2rad(angle_deg)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    lam = np.array([1.0, kappa])
    c = R.T @ x0
    t = np.arange(steps + 1)[:, None]
    return 0.5 * np.sum(lam * (c * (1 - lr * lam) ** t) ** 2, axis=1)


@pytest.mark.parametrize("kappa", [1.0, 4.0, 50.0, 400.0])
@pytest.mark.parametrize("lr_beta", [0.5, 1.0])
def test_linear_rate_gap_is_the_closed_form_and_obeys_the_corrected_bound(kappa, lr_beta):
    w = lecture.linear_rate(condition_number=kappa, lr_beta=lr_beta, steps=60)
    gap = quadratic_gap(kappa, 30.0, np.array([-1.0, 0.6]), lr_beta / kappa, 60)
    np.testing.assert_allclose(w.state["gap"], gap, rtol=1e-9, atol=1e-300)
    _, drawn = line_data(w.fig.axes[1].lines[0])
    np.testing.assert_allclose(drawn, np.maximum(gap, 1e-300), rtol=1e-9)
    t = np.arange(61)
    eta = lr_beta / kappa  # alpha = 1
    np.testing.assert_allclose(w.state["bound"], (1 - eta) ** t * gap[0], rtol=1e-12)
    assert w.state["bound_holds"] and np.all(gap <= (1 - eta) ** t * gap[0] * (1 + 1e-9) + 1e-300)


@pytest.mark.parametrize("kappa", [4.0, 10.0, 100.0])
@pytest.mark.parametrize("lr_beta", [1.3, 1.6, 1.95])
def test_linear_rate_between_one_and_two_over_beta_draws_the_general_factor(kappa, lr_beta):
    # smoothness: f(x+) <= f(x) - eta (1 - beta eta / 2) |g|^2; PL: |g|^2 >= 2 alpha (f - f*), alpha = 1
    w = lecture.linear_rate(condition_number=kappa, lr_beta=lr_beta, steps=60)
    eta = lr_beta / kappa
    factor = 1 - 2 * eta * (1 - kappa * eta / 2)
    gap = quadratic_gap(kappa, 30.0, np.array([-1.0, 0.6]), eta, 60)
    np.testing.assert_allclose(w.state["bound"], factor ** np.arange(61) * gap[0], rtol=1e-12)
    _, drawn = line_data(w.fig.axes[1].lines[1])
    np.testing.assert_allclose(drawn, np.maximum(factor ** np.arange(61) * gap[0], 1e-300), rtol=1e-12)
    assert factor < 1 and w.state["bound_holds"] and np.all(gap <= factor ** np.arange(61) * gap[0] * (1 + 1e-9))
    # at eta = 1/beta the general factor is Theorem 3's 1 - 1/kappa; below it, the simple form is drawn
    assert 1 - 2 * (1 / kappa) * (1 - 1 / 2) == pytest.approx(1 - 1 / kappa)


def test_linear_rate_starts_where_its_answers_start():
    w = lecture.linear_rate(condition_number=10.0, steps=5)
    assert tuple(w.state["path"][0]) == lecture.LINEAR_RATE_START == (-1.0, 0.6)
    assert "start $(-1, 0.6)$" in str(lecture.linear_rate_answers())


def test_linear_rate_shows_the_printed_bound_failing():
    # exp(-t beta/alpha) with kappa = 10 promises f - f* < 1e-4 (f0 - f*) after one step; it is not so
    w = lecture.linear_rate(condition_number=10.0, lr_beta=1.0, steps=20)
    gap, printed = w.state["gap"], w.state["printed_bound"]
    assert printed[1] == pytest.approx(np.exp(-10) * gap[0])
    assert np.all(gap[1:] > printed[1:])


def test_linear_rate_beyond_two_over_beta_grows():
    w = lecture.linear_rate(condition_number=10.0, lr_beta=2.1, steps=40)
    gap = w.state["gap"]
    assert gap[-1] > gap[0] and not w.state["bound_holds"]


def first_settled_step(path):
    """The first k with |x_k - x_(k-1)| <= 1e-6 (1 + |x_k|): the widget's "converged" rule, in plain numpy."""
    steps = np.abs(np.diff(path)) <= 1e-6 * (1 + np.abs(path[1:]))
    return int(np.argmax(steps)) + 1 if steps.any() else None


def settle(lr, x0, max_steps=200):
    """optim.steps_to_settle for gradient descent on the sextic, as lecture 1 calls it: (k, x_k)."""
    from course_lib import functions, optim

    k, x = optim.steps_to_settle(optim.SGD(lr), functions.sextic().grad, [x0], max_steps, stop_beyond=1e3)
    return k, float(x[0])


def sextic_minima():
    """The two minima of the printed sextic: the real roots of f' where f'' > 0."""
    p = np.poly1d(SEXTIC)
    roots = p.deriv().roots
    real = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
    return [r for r in real if p.deriv(2)(r) > 0]


@pytest.mark.parametrize("lr, x0", [(0.3, 1.0), (0.3, 12.0), (0.1, 12.0), (1.0, 3.0)])
def test_steps_to_settle_is_the_first_converged_step(lr, x0):
    k = first_settled_step(sextic_gd(lr, x0, 400))
    steps, x = settle(lr, x0, 400)
    assert steps == k
    assert x == pytest.approx(sextic_gd(lr, x0, k)[-1], rel=1e-12)
    # the widget with exactly that many steps ends converged, one step fewer does not
    w = lecture.sextic_descent(lr=lr, x0=x0, steps=k)
    assert w.state["converged"] and w.state["steps_taken"] == k
    w.update(steps=k - 1)
    assert not w.state["converged"]


def test_steps_to_settle_reports_none_when_the_run_does_not_settle():
    assert settle(0.3, 12.0, 30)[0] is None   # 30 steps are too few
    assert settle(3.0, 15.0)[0] is None                   # diverges


def test_lecture_1_hint_reaches_both_minima_at_learning_rate_0_3():
    # lecture 1's hint: from x0 = 1 and from x0 = 12 at learning rate 0.3 the run ends in different minima
    local, global_ = sextic_minima()
    k = max(first_settled_step(sextic_gd(0.3, x0, 400)) for x0 in (1.0, 12.0))
    w = lecture.sextic_descent(lr=0.3, x0=1.0, steps=k)
    assert w.state["converged"] and w.state["x"] == pytest.approx(local, abs=1e-4)
    w.update(x0=12.0)
    assert w.state["converged"] and w.state["x"] == pytest.approx(global_, abs=1e-4)


def test_the_caption_states_the_largest_stable_steps_of_the_printed_sextic():
    # 2 / f''(x*) at the two minima of the printed polynomial, by numpy
    p = np.poly1d(SEXTIC)
    expected = [f"{2 / p.deriv(2)(m):.2f} at x* = {m:.2f}" for m in sextic_minima()]
    caption = lecture.sextic_descent().caption.value
    assert all(e in caption for e in expected), (caption, expected)


# ---------------------------------------------------------------------------------------------
# convexity: the chord and Jensen's inequality
# ---------------------------------------------------------------------------------------------
def flat(x):
    """x^2 - log(1 + x^2), written out here."""
    x = np.asarray(x, dtype=float)
    return x * x - np.log1p(x * x)


@pytest.mark.parametrize("a, b, theta", [(-2.5, 1.5, 0.4), (0.5, 3.0, 0.9), (-3.0, 3.0, 0.5), (1.0, 1.0, 0.2)])
def test_jensen_chord_draws_the_graph_below_the_chord(a, b, theta):
    w = lecture.jensen_chord(a=a, b=b, theta=theta)
    xm = theta * a + (1 - theta) * b
    chord_x, chord_y = line_data(w.fig.axes[0].lines[1])
    np.testing.assert_allclose(chord_x, [a, b])
    np.testing.assert_allclose(chord_y, flat([a, b]), rtol=1e-14)
    _, on_graph = line_data(w.fig.axes[0].lines[3])
    _, on_chord = line_data(w.fig.axes[0].lines[4])
    assert on_graph[0] == pytest.approx(flat(xm), rel=1e-13, abs=1e-15)
    assert on_chord[0] == pytest.approx(theta * flat(a) + (1 - theta) * flat(b), rel=1e-13, abs=1e-15)
    assert w.state["holds"] and on_graph[0] <= on_chord[0] + 1e-15
    assert f"{flat(xm):.3f}" in w.fig.axes[0].get_title()


def test_jensen_check_prints_both_sides_of_the_samples():
    shown = str(lecture.jensen_check(samples=2000, mean=1.0, std=1.0, seed=3))
    x = np.random.default_rng(3).normal(1.0, 1.0, 2000)
    assert f"f(mean of x) = {flat(x.mean()):.4f}" in shown and f"mean of f(x) = {flat(x).mean():.4f}" in shown
    assert flat(x.mean()) < flat(x).mean()


def test_pl_check_reports_the_smallest_ratio_of_lemma_1():
    X, y = clouds()
    lam, n = 0.01, len(y)
    g = np.linspace(-3, 3, 21)
    W = np.stack(np.meshgrid(g, g)).reshape(2, -1)
    M = y[:, None] * (X @ W)
    F = np.mean(np.logaddexp(0, -M), axis=0) + lam * np.sum(W ** 2, axis=0)
    G = X.T @ (-y[:, None] / (1 + np.exp(M))) / n + 2 * lam * W
    gaps, _ = logistic_gd(X, y, lam, 0.1, 0)
    F_star = np.log(2) - gaps[0]                                       # F(0) = log 2; F* by Newton, there
    ratio = np.sum(G ** 2, axis=0) / (2 * 2 * lam * (F - F_star))
    text = str(lecture.pl_check(lam=lam, points=21))
    assert f"is {ratio.min():.3g} ≥ 1" in text and ratio.min() >= 1
    k = np.argmin(ratio)
    assert f"at w = ({W[0, k]:.2f}, {W[1, k]:.2f})" in text


# ---------------------------------------------------------------------------------------------
# the answers behind reveals
# ---------------------------------------------------------------------------------------------
def test_stable_step_answer_is_two_over_the_curvature_at_each_minimum():
    text = str(lecture.stable_step_answer())
    assert text.startswith("<details>") and "<summary>Answer</summary>" in text
    p = np.poly1d(SEXTIC)
    for m in sextic_minima():
        c = p.deriv(2)(m)
        assert f"$x^* = {m:.2f}$" in text and f"{c:.2f}" in text and f"{2 / c:.2f}" in text


def test_sextic_landmarks_lists_the_stationary_points_of_the_printed_polynomial():
    text = str(lecture.sextic_landmarks())
    p = np.poly1d(SEXTIC)
    roots = p.deriv().roots
    for r in np.sort(roots[np.abs(roots.imag) < 1e-9].real):
        assert f"| {r:.2f} |" in text and f"| {p(r):.3f} |" in text and f"{p.deriv(2)(r):.2f}" in text


def test_linear_rate_answers_count_the_steps_of_the_bound_and_of_the_run():
    text = str(lecture.linear_rate_answers(condition_number=10.0, tol=1e-6))
    assert text.startswith("<details>")
    t_bound = next(t for t in range(10_000) if 0.9 ** t <= 1e-6)      # by brute force
    gap = quadratic_gap(10.0, 30.0, np.array([-1.0, 0.6]), 0.1, 400)
    t_run = int(np.argmax(gap <= 1e-6 * gap[0]))
    assert f"**{t_bound} steps** by the bound" in text and f"**{t_run} steps**" in text
    assert t_run < t_bound
    assert "1 - 2.1 = -1.10" in text and f"${1 - 2.1 / 10:.2f}$" in text


def test_linear_rate_answers_count_the_steps_of_a_start_along_the_flat_eigenvector():
    text = str(lecture.linear_rate_answers(condition_number=10.0, tol=1e-6))
    a = np.deg2rad(30.0)
    A = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) @ np.diag([1.0, 10.0])
    A = A @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])   # R diag(1, 10) R'
    x = np.array([np.cos(a), np.sin(a)])                                 # R e1: the flat eigenvector
    gaps = [0.5 * x @ A @ x]
    while gaps[-1] > 1e-6 * gaps[0]:                                     # gradient descent, step 1/beta = 0.1
        x = x - 0.1 * (A @ x)
        gaps.append(0.5 * x @ A @ x)
    t_flat = len(gaps) - 1
    assert t_flat == 66 and t_flat == next(t for t in range(1000) if 0.81 ** t <= 1e-6)   # (1 - 1/kappa)^2 per step
    assert f"needs **{t_flat} steps**, the slowest of all starts" in text
    assert "worst case" not in text and "upper bound, not tight" in text


def test_pl_check_prints_the_comparison_it_computed(monkeypatch):
    from course_lib import functions

    monkeypatch.setattr(functions, "pl_ratio", lambda F, W, alpha: np.full(W.shape[1:], 0.5))
    text = str(lecture.pl_check(points=5))
    assert "is 0.5 < 1" in text and "≥" not in text


@pytest.mark.parametrize("make", [lambda x0: lecture.backtracking(x0=x0), lambda x0: lecture.sextic_descent(x0=x0)])
def test_sextic_figures_show_f_at_every_start_of_their_slider(make):
    p = np.poly1d(SEXTIC)
    w = make(1.0)
    lo, hi = w.controls["x0"].min, w.controls["x0"].max
    assert (lo, hi) == (0.0, 24.0)
    ylo, yhi = w.fig.axes[0].get_ylim()
    xs = np.linspace(lo, hi, 2401)
    assert ylo < p(xs).min() and p(xs).max() < yhi                     # f(24) = 15.7 on the plot too


# ---------------------------------------------------------------------------------------------
# without strong convexity: O(1/t)
# ---------------------------------------------------------------------------------------------
def flat_gd(x0, steps):
    """Gradient descent with step 1/beta = 4/9 on x^2 - log(1 + x^2), f' = 2x^3/(1 + x^2)."""
    xs = [x0]
    for _ in range(steps):
        x = xs[-1]
        xs.append(x - (4 / 9) * 2 * x ** 3 / (1 + x ** 2))
    return np.array(xs)


@pytest.mark.parametrize("x0, steps", [(2.5, 300), (-3.0, 1000), (0.4, 50)])
def test_sublinear_rate_draws_the_run_under_beta_r2_over_2t(x0, steps):
    w = lecture.sublinear_rate(x0=x0, steps=steps)
    xs = flat_gd(x0, steps)
    gap = flat(xs)
    np.testing.assert_allclose(w.state["gap"], gap, rtol=1e-10, atol=1e-300)
    t = np.arange(1, steps + 1)
    bound = 2.25 * x0 ** 2 / (2 * t)
    tx, drawn = line_data(w.fig.axes[1].lines[1])
    np.testing.assert_allclose(tx, t)
    np.testing.assert_allclose(drawn, bound, rtol=1e-14)
    assert w.state["holds"] and np.all(gap[1:] <= bound)
    assert f"β = {9 / 4:g} here" in w.caption.value            # f'' <= 2 + 1/4, by hand
    # no linear rate: the ratio of successive gaps creeps up to 1 (about 1 - 2/t here, f ~ x^4/2 near 0);
    # a linear rate would keep it below a fixed q < 1
    ratios = gap[2:] / gap[1:-1]
    assert np.all(np.diff(ratios) > 0) and ratios[-1] > 1 - 3 / steps


# ---------------------------------------------------------------------------------------------
# regularised logistic regression: kappa against lambda
# ---------------------------------------------------------------------------------------------
def clouds(n=256, seed=0):
    """Lecture 4's two clouds, drawn as functions.logistic_clouds documents them: x_i = y_i (1, 0.4) + N(0, I)."""
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    X = np.random.default_rng(seed).normal(0.0, 1.0, (n, 2)) + np.outer(y, [1.0, 0.4])
    return X, y


def logistic_gd(X, y, lam, lr, steps):
    """F(w_t) of gradient descent from 0 on (1/n) sum log(1 + exp(-y x'w)) + lam |w|^2, and F* by Newton."""
    n = len(y)

    def F(w):
        return np.mean(np.logaddexp(0, -y * (X @ w))) + lam * w @ w

    def grad(w):
        return X.T @ (-y / (1 + np.exp(y * (X @ w)))) / n + 2 * lam * w

    def hess(w):
        s = 1 / (1 + np.exp(-y * (X @ w)))
        return (X.T * (s * (1 - s))) @ X / n + 2 * lam * np.eye(2)

    w_star = np.zeros(2)
    for _ in range(50):
        w_star = w_star - np.linalg.solve(hess(w_star), grad(w_star))
    w, gaps = np.zeros(2), []
    for _ in range(steps + 1):
        gaps.append(F(w) - F(w_star))
        w = w - lr * grad(w)
    return np.array(gaps), np.linalg.eigvalsh(hess(w_star))[0]


@pytest.mark.parametrize("lam", [1e-3, 0.01, 0.2, 1.0])
def test_regularised_logistic_kappa_and_run_are_source_000s(lam):
    X, y = clouds()
    n = len(y)
    kappa_source = 1 + np.sum(X ** 2) / (2 * lam * n)                 # source 000, Example 2
    beta = np.linalg.eigvalsh(X.T @ X)[-1] / (4 * n) + 2 * lam          # sigma(1 - sigma) <= 1/4
    w = lecture.regularised_logistic(lam=0.05)
    state = w.update(lam=lam)
    assert state["kappa_source"] == pytest.approx(kappa_source, rel=1e-12)
    assert state["kappa_tight"] == pytest.approx(beta / (2 * lam), rel=1e-12)
    gaps, lam_min = logistic_gd(X, y, lam, 1 / beta, 120)
    assert state["kappa_local"] == pytest.approx(beta / lam_min, rel=1e-8)
    np.testing.assert_allclose(state["gap"], gaps, rtol=1e-6, atol=1e-15)
    t = np.arange(121)
    np.testing.assert_allclose(state["bound"], (1 - 2 * lam / beta) ** t * gaps[0], rtol=1e-9)
    assert np.all(gaps <= state["bound"] * (1 + 1e-9) + 1e-15)
    reached = np.flatnonzero(gaps <= 1e-6 * gaps[0])
    assert state["steps_measured"] == (int(reached[0]) if reached.size else None)
    assert state["steps_bound"] == next(k for k in range(10 ** 6) if (1 - 2 * lam / beta) ** k <= 1e-6)
    # the left curves: source 000's kappa and the tight one over the lambda grid, from the data
    lams, source_curve = line_data(w.fig.axes[0].lines[0])
    np.testing.assert_allclose(source_curve, 1 + np.sum(X ** 2) / (2 * lams * n), rtol=1e-12)
    _, tight_curve = line_data(w.fig.axes[0].lines[1])
    np.testing.assert_allclose(tight_curve, (np.linalg.eigvalsh(X.T @ X)[-1] / (4 * n) + 2 * lams) / (2 * lams),
                               rtol=1e-12)
    # the dots on the left sit at the three kappas; the title names the measured steps
    dx, dy = line_data(w.fig.axes[0].lines[3])
    np.testing.assert_allclose(dx, [lam] * 3)
    np.testing.assert_allclose(dy, [state["kappa_source"], state["kappa_tight"], state["kappa_local"]])
    assert f"(bound: {state['steps_bound']})" in w.fig.axes[1].get_title()


def test_regularisation_lowers_every_kappa_and_the_steps():
    w = lecture.regularised_logistic()
    states = [dict(w.update(lam=lam)) for lam in (1e-3, 1e-2, 1e-1, 1.0)]
    for key in ("kappa_source", "kappa_tight", "kappa_local", "steps_measured", "steps_bound"):
        values = [s[key] for s in states]
        assert values == sorted(values, reverse=True) and values[0] > values[-1], (key, values)
    for s in states:
        assert s["kappa_local"] <= s["kappa_tight"] <= s["kappa_source"]


# ---------------------------------------------------------------------------------------------
# backtracking line search
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c, beta, t0, x0", [(0.5, 0.5, 4.0, 1.0), (0.1, 0.3, 10.0, 12.0), (0.9, 0.8, 2.0, 19.0)])
def test_backtracking_draws_the_trials_of_source_000s_rule(c, beta, t0, x0):
    p = np.poly1d(SEXTIC)
    g = p.deriv()(x0)
    trials, t = [], t0
    while True:
        trials.append(t)
        if p(x0 - t * g) <= p(x0) - c * t * g * g:
            break
        t *= beta
    w = lecture.backtracking(c=c, beta=beta, t0=t0, x0=x0)
    np.testing.assert_allclose(w.state["trials"], trials, rtol=1e-14)
    ax = w.fig.axes[0]
    phi_t, phi = line_data(ax.lines[0])
    np.testing.assert_allclose(phi, p(x0 - phi_t * g), rtol=1e-10, atol=1e-12)
    line_t, line = line_data(ax.lines[1])
    np.testing.assert_allclose(line, p(x0) - c * line_t * g * g, rtol=1e-12, atol=1e-12)
    rx, ry = line_data(ax.lines[3])
    ax_, ay = line_data(ax.lines[4])
    np.testing.assert_allclose(rx, trials[:-1])
    np.testing.assert_allclose(ry, p(x0 - np.array(trials[:-1]) * g), rtol=1e-12)
    assert ax_.tolist() == [pytest.approx(trials[-1])] and ay[0] <= p(x0) - c * trials[-1] * g * g
    assert np.all(ry > p(x0) - c * np.array(trials[:-1]) * g * g)       # each rejected trial fails the test
    assert f"accepted t = {trials[-1]:.4g}" in ax.get_title()
