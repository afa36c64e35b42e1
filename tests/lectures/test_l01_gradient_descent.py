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
