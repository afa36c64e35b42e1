"""The lectures' slider figures: what they draw, checked against independent computations.

Each widget's update path (``Interactive.update``) is called as a slider
move would call it; the tests read the data of the figure's lines and its
titles and compare them with closed forms or recursions written out here.
"""

import io

import numpy as np
import pytest

from course_lib import widgets

# Source 004, Figure 1, as printed (typed in here, not taken from course_lib)
SEXTIC = [0.000017, -0.001133, 0.029241, -0.36691, 2.234115, -5.510020, 4.722197]


def line_data(line):
    x, y = line.get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def png_size(png: bytes):
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return im.size


# --------------------------------------------------------------------------
# The machinery
# --------------------------------------------------------------------------
def test_update_redraws_in_place_and_keeps_controls_in_step():
    w = widgets.sextic_descent(lr=0.1)
    fig, image, first_png = w.fig, w.image, w.png
    assert image.value == first_png and png_size(first_png)[0] == 720 and abs(png_size(first_png)[1] - 274) <= 1
    state = w.update(lr=0.2)
    assert w.fig is fig and w.image is image           # nothing re-created
    assert w.controls["lr"].value == pytest.approx(0.2)
    assert w.values["lr"] == 0.2 and state is w.state
    assert w.png != first_png and image.value == w.png  # the picture changed in the same widget


def test_moving_a_control_runs_the_update_once():
    w = widgets.sextic_descent(lr=0.1, steps=5)
    calls = []
    draw = w._draw
    w._draw = lambda **v: calls.append(v) or draw(**v)
    w.controls["steps"].value = 7          # what a slider move does
    assert len(calls) == 1 and calls[0]["steps"] == 7
    assert w.state["steps_taken"] == 7


def test_unknown_control_is_a_clear_error():
    w = widgets.sextic_descent()
    with pytest.raises(TypeError, match=r"unknown control\(s\) \['learning_rate'\].*'lr'"):
        w.update(learning_rate=0.1)


def test_run_optimizer_stops_where_the_iterates_blow_up():
    from course_lib import optim

    # x_{k+1} = x_k - 3 * 2 x_k = -5 x_k: |x| = 5^k passes 1000 at k = 5
    path, diverged = widgets.run_optimizer(optim.SGD(3.0), lambda x: 2 * x, [1.0], 50, blow_up=1e3)
    assert diverged and path[:, 0].tolist() == [1, -5, 25, -125, 625]
    path, diverged = widgets.run_optimizer(optim.SGD(0.25), lambda x: 2 * x, [1.0], 3)
    assert not diverged and path[:, 0].tolist() == [1, 0.5, 0.25, 0.125]


# --------------------------------------------------------------------------
# Lecture 1
# --------------------------------------------------------------------------
def sextic_gd(lr, x0, steps):
    d = np.polyder(np.poly1d(SEXTIC))
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - lr * d(xs[-1]))
    return np.array(xs)


@pytest.mark.parametrize("lr, x0, steps", [(0.1, 1.0, 30), (0.5, 12.0, 50), (1.0, 3.0, 7)])
def test_sextic_descent_draws_gradient_descent_on_the_printed_polynomial(lr, x0, steps):
    w = widgets.sextic_descent(lr=lr, x0=x0, steps=steps)
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
    w = widgets.sextic_descent(lr=0.9 * lr_max, x0=19.0, steps=200)
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
    w = widgets.linear_rate(condition_number=kappa, lr_beta=lr_beta, steps=60)
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
    w = widgets.linear_rate(condition_number=10.0, lr_beta=1.0, steps=20)
    gap, printed = w.state["gap"], w.state["printed_bound"]
    assert printed[1] == pytest.approx(np.exp(-10) * gap[0])
    assert np.all(gap[1:] > printed[1:])


def test_linear_rate_beyond_two_over_beta_grows():
    w = widgets.linear_rate(condition_number=10.0, lr_beta=2.1, steps=40)
    gap = w.state["gap"]
    assert gap[-1] > gap[0] and not w.state["bound_holds"]


# --------------------------------------------------------------------------
# Lecture 5
# --------------------------------------------------------------------------
def ravine_matrix(kappa):
    a = np.deg2rad(20.0)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return R @ np.diag([1.0, kappa]) @ R.T


def test_optimizer_race_sgd_and_momentum_paths_are_the_textbook_recursions():
    kappa, lr, beta, steps = 30.0, 0.02, 0.8, 40
    w = widgets.optimizer_race(condition_number=kappa, lr=lr, beta=beta, steps=steps)
    A, x0 = ravine_matrix(kappa), np.array([-1.8, 1.0])
    x, v, y, u = x0.copy(), np.zeros(2), x0.copy(), np.zeros(2)
    sgd, mom = [x.copy()], [y.copy()]
    for _ in range(steps):
        x = x - lr * A @ x
        u = beta * u - lr * A @ y      # Polyak: v = beta v - lr g, w = w + v
        y = y + u
        sgd.append(x.copy())
        mom.append(y.copy())
    np.testing.assert_allclose(w.state["paths"]["SGD"], sgd, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(w.state["paths"]["momentum"], mom, rtol=1e-10, atol=1e-14)
    drawn = {line.get_label(): np.column_stack(line_data(line)) for line in w.fig.axes[0].lines[:8]}
    np.testing.assert_allclose(drawn["SGD"], sgd, rtol=1e-10, atol=1e-14)
    assert set(drawn) == set(widgets.OPTIMIZER_STYLES)
    gaps = w.state["gaps"]["SGD"]
    np.testing.assert_allclose(gaps, [0.5 * p @ A @ p for p in sgd], rtol=1e-10)


def test_optimizer_race_sgd_diverges_beyond_two_over_kappa_and_says_so():
    w = widgets.optimizer_race(condition_number=50.0, lr=0.9 * 2 / 50, steps=300)
    assert not w.state["diverged"]["SGD"]
    w.update(lr=1.1 * 2 / 50)
    assert w.state["diverged"]["SGD"]
    labels = [line.get_label() for line in w.fig.axes[0].lines[:8]]
    assert "SGD (diverged)" in labels
    assert "2/κ" not in w.fig.axes[0].get_title() and "0.04" in w.fig.axes[0].get_title()


def test_optimizer_race_function_choice_applies_its_presets():
    w = widgets.optimizer_race()
    w.controls["function"].value = "rosenbrock"        # as the dropdown does
    preset = widgets.RACE_PRESETS["rosenbrock"]
    assert {k: w.values[k] for k in preset} == preset
    assert w.fig.axes[0].get_title() == "Rosenbrock's valley"
    # with the preset every method stays on the plot and ends lower than it started:
    # f(-1.5, 2) = (1 + 1.5)^2 + 100 (2 - 2.25)^2 = 12.5; plain SGD crawls along the valley floor,
    # momentum and Adam get more than ten times closer
    assert not any(w.state["diverged"].values())
    gap = w.state["final_gap"]
    assert w.state["gaps"]["SGD"][0] == pytest.approx(12.5)
    assert all(g < 12.5 for g in gap.values())
    assert gap["SGD"] > 1 and gap["momentum"] < gap["SGD"] / 5 and gap["Adam"] < gap["SGD"] / 10


def test_momentum_forms_coincide_after_rescaling():
    for beta in (0.0, 0.5, 0.9, 0.99):
        w = widgets.momentum_forms(beta=beta, lr_ema=0.05, steps=80)
        assert w.state["max_difference"] < 1e-12
        if beta > 0:
            same = w.state["paths"]["classical_same_lr"]
            assert np.max(np.abs(same - w.state["paths"]["ema"])) > 1e-3


# --------------------------------------------------------------------------
# Every widget: the fast redraw shows what a full redraw shows
# --------------------------------------------------------------------------
MOVES = {  # factory -> (control, values to move through)
    "sextic_descent": ("lr", [0.1, 0.2, 0.3]),
    "linear_rate": ("lr_beta", [0.5, 0.8]),
    "optimizer_race": ("lr", [0.005, 0.02]),
    "momentum_forms": ("beta", [0.5, 0.8]),
    "finite_differences": ("x", [0.5, 2.0]),
    "sigmoid_slope": ("bias", [-2.0, 1.0]),
    "decision_boundary": ("epoch", [3, 30]),
    "minibatch_descent": ("batch_size", [4, 64]),
    "gradient_noise": ("batch_size", [2, 32]),
    "running_loss": ("lam", [0.02, 0.2]),
    "schedule_explorer": ("lr0", [0.05, 0.2]),
    "random_search_race": ("sigma", [0.02, 0.1]),
    "asgd_vs_sgd": ("seed", [1, 2]),
}


@pytest.fixture(scope="module")
def made():
    """Each widget once (some train a network when made)."""
    return {}


def get(made, name):
    if name not in made:
        made[name] = getattr(widgets, name)()
    return made[name]


def pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png))).astype(int)


@pytest.mark.parametrize("name", sorted(MOVES))
def test_fast_redraw_matches_a_full_redraw(made, name):
    import ipywidgets

    w = get(made, name)
    assert isinstance(w, ipywidgets.DOMWidget) and w.image in w.children  # displays as a widget
    control, values = MOVES[name]
    redraws = w.full_redraws
    for v in values:
        w.update(**{control: v})
    fast = pixels(w.png)
    # draw everything the slow way and compare
    for artist in w.fig.findobj(lambda a: hasattr(a, "get_animated") and a.get_animated()):
        artist.set_animated(False)
    w.fig.canvas.draw()
    full = np.asarray(w.fig.canvas.buffer_rgba())[..., :3].astype(int)
    differing = np.mean(np.any(np.abs(fast - full) > 40, axis=-1))
    assert fast.shape == full.shape and differing < 0.01, f"{name}: {differing:.2%} of the pixels differ"
    assert w.png[:8] == b"\x89PNG\r\n\x1a\n"
    if name in ("sextic_descent", "momentum_forms", "finite_differences", "decision_boundary", "running_loss"):
        assert w.full_redraws == redraws, "moving this slider should not redraw the axes"
    w._background_key = None  # the flags were changed above: force a clean background next time


@pytest.mark.parametrize("name", sorted(MOVES))
def test_every_panel_has_a_title_axis_labels_and_the_figure_a_legend(made, name):
    w = get(made, name)
    panels = [ax for ax in w.fig.axes if ax.get_label() != "<colorbar>"]
    twins = [ax for ax in panels if any(o is not ax and o.bbox.bounds == ax.bbox.bounds for o in panels)
             and not ax.get_xlabel()]
    for ax in panels:
        if ax in twins:  # a twin y axis: its own y label is enough
            assert ax.get_ylabel(), f"{name}: twin axes without a y label"
            continue
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), (
            f"{name}: axes {w.fig.axes.index(ax)} lacks a title or an axis label "
            f"({ax.get_title()!r}, {ax.get_xlabel()!r}, {ax.get_ylabel()!r})")
    assert any(ax.get_legend() is not None for ax in panels), f"{name}: no legend"


# --------------------------------------------------------------------------
# Lecture 2
# --------------------------------------------------------------------------
def test_finite_differences_follow_truncation_and_round_off():
    w = widgets.finite_differences(function="exp", x=1.0, dtype="float64")
    h, err = w.state["h"], w.state["errors"]
    e = np.e
    k = np.argmin(np.abs(np.log10(h) + 3))  # h = 1e-3: truncation dominates
    assert err["forward"][k] == pytest.approx(h[k] * e / 2, rel=0.01)        # h f''/2
    assert err["central"][k] == pytest.approx(h[k] ** 2 * e / 6, rel=0.01)   # h^2 f'''/6
    assert 1e-9 <= w.state["best_h"]["forward"] <= 1e-7          # ~ sqrt(eps) = 1.5e-8
    assert 1e-6 <= w.state["best_h"]["central"] <= 1e-4          # ~ cbrt(eps) = 6e-6
    best_central = np.nanmin(err["central"])
    assert w.state["error_at_1e-8"]["central"] > 100 * best_central  # source 003's step is far off for central
    w.update(dtype="float32")
    assert w.state["eps"] == np.finfo(np.float32).eps
    assert 1e-3 <= w.state["best_h"]["central"] <= 3e-2          # cbrt(1.2e-7) = 5e-3


def test_difference_quotients_round_in_the_given_type():
    q = widgets.difference_quotients(np.sin, 0.5, np.array([1e-2]), np.float32)
    x, h = np.float32(0.5), np.float32(1e-2)
    assert q["central"].dtype == np.float32
    assert q["central"][0] == (np.sin(x + h) - np.sin(x - h)) / (np.float32(2) * h)
    assert q["forward"][0] == (np.sin(x + h) - np.sin(x)) / h


# --------------------------------------------------------------------------
# Lecture 3
# --------------------------------------------------------------------------
@pytest.mark.parametrize("a, bias, wt", [(1.0, 0.0, 1.0), (4.0, -2.0, 0.5), (0.3, 3.0, 2.0)])
def test_sigmoid_slope_draws_the_neuron(a, bias, wt):
    w = widgets.sigmoid_slope(a=a, bias=bias, w=wt)
    x, g = line_data(w.fig.axes[0].lines[1])
    np.testing.assert_allclose(g, 1 / (1 + np.exp(-a * (wt * x + bias))), rtol=1e-12)
    _, d = line_data(w.fig.axes[1].lines[1])
    np.testing.assert_allclose(d, np.gradient(g, x), atol=2e-3 * max(1, a * wt))
    assert w.state["midpoint"] == pytest.approx(-bias / wt)
    assert w.state["max_slope_dx"] == pytest.approx(a * wt / 4) and d.max() <= a * wt / 4 + 1e-12


def test_decision_boundary_replays_training():
    from course_lib.data import make_circles
    from course_lib.nn import MLP

    w = widgets.decision_boundary(epochs=40)
    untrained = MLP([2, 16, 16, 1], output="sigmoid", seed=0)
    X, y = make_circles(256, seed=0)
    assert w.state["accuracy"] > 0.95  # the slider opens on the last epoch
    w.update(epoch=0)
    assert w.state["accuracy"] == pytest.approx(untrained.accuracy(X, y))
    assert w.state["loss"] == pytest.approx(untrained.loss(X, y))
    g = w.state["probabilities"]
    lim = float(np.abs(X).max()) * 1.15
    corner = untrained.forward(np.array([[-lim, -lim]]))[0, 0]
    assert g[0, 0] == pytest.approx(corner)
    marker = [ln for ln in w.fig.axes[1].lines if ln.get_marker() == "o"][0]
    mx, my = line_data(marker)
    assert mx.tolist() == [0] and my[0] == pytest.approx(untrained.loss(X, y))


# --------------------------------------------------------------------------
# Lecture 4
# --------------------------------------------------------------------------
def test_full_batch_path_is_gradient_descent_on_F():
    w = widgets.minibatch_descent(batch_size=256, lr=0.5, epochs=4)
    F = widgets.logistic_problem()
    x = np.array([-2.0, 2.5])
    expected = [x]
    for _ in range(4):
        m = F.y * (F.X @ x)
        grad = -(F.X.T @ (F.y / (1 + np.exp(m)))) / F.n + 2 * F.lam * x   # source 000 (16), corrected
        x = x - 0.5 * grad
        expected.append(x)
    np.testing.assert_allclose(w.state["batch_path"], expected, rtol=1e-12)
    np.testing.assert_allclose(w.state["path"], expected, rtol=1e-12)  # batch = n: the same run
    assert w.state["steps_per_epoch"] == 1


def test_small_batches_end_in_a_larger_noise_ball():
    w = widgets.minibatch_descent(batch_size=1, lr=0.5, epochs=10)
    small = np.mean(w.state["gap"][-256:])
    w.update(batch_size=64)
    large = np.mean(w.state["gap"][-4:])
    assert small > 5 * large


def test_gradient_noise_is_unbiased_with_the_predicted_variance():
    w = widgets.gradient_noise(batch_size=1, draws=4000)
    F = widgets.logistic_problem()
    x = np.array([-1.0, 1.5])
    m = F.y * (F.X @ x)
    per = -(F.X * (F.y / (1 + np.exp(m)))[:, None]) + 2 * F.lam * x
    g = per.mean(axis=0)
    np.testing.assert_allclose(w.state["full_gradient"], g, rtol=1e-12)
    S2 = per.var(axis=0, ddof=1).sum()
    for B in (1, 8, 64):
        s = w.update(batch_size=B)
        predicted = S2 / B * (1 - B / F.n)
        assert s["predicted_variance"] == pytest.approx(predicted)
        assert s["variance"] == pytest.approx(predicted, rel=0.1)
        se = np.sqrt(predicted / 4000)
        assert np.linalg.norm(s["estimates"].mean(axis=0) - g) < 5 * se
    assert w.update(batch_size=256)["variance"] == pytest.approx(0.0, abs=1e-30)


def test_running_loss_is_the_exponential_average_of_source_002():
    w = widgets.running_loss(lam=0.1, steps=300)
    L, Q = w.state["sample_loss"], w.state["Q"]
    q = L[0]
    for k in range(300):
        q = 0.1 * L[k] + 0.9 * q
        assert Q[k] == pytest.approx(q, rel=1e-12)
    F = widgets.logistic_problem()
    assert w.state["true_loss"][0] == pytest.approx(F(np.array([-2.0, 2.5])))
    _, drawn = line_data(w.fig.axes[0].lines[-1])
    np.testing.assert_allclose(drawn, Q)


def test_schedules_drawn_are_the_formulas():
    w = widgets.schedule_explorer(lr0=0.2, decay=0.05, base=0.9, every=7, lr_final=1e-3, epochs=50)
    k = np.arange(51)
    c = w.state["curves"]
    np.testing.assert_allclose(c["inverse time"], 0.2 / (1 + 0.05 * k))
    np.testing.assert_allclose(c["exponential"], 0.2 * 0.9 ** k)
    np.testing.assert_allclose(c["inverse sqrt"], 0.2 / np.sqrt(1 + k))
    np.testing.assert_allclose(c["step decay"], 0.2 * 0.5 ** (k // 7))
    np.testing.assert_allclose(c["linear (003)"], 0.2 + (1e-3 - 0.2) * k / 50)
    labels = [line.get_label() for line in w.fig.axes[0].lines]
    assert any(lab.startswith("exponential: ") and f"{0.2 * 0.9 ** 50:.1e}" in lab for lab in labels)


# --------------------------------------------------------------------------
# Lecture 6
# --------------------------------------------------------------------------
def test_random_search_race_counts_evaluations_and_runs_gd_exactly():
    from course_lib.random_search import make_separable_data

    w = widgets.random_search_race(dim=5, budget=400)
    curves = w.state["curves"]
    for name, (evals, loss) in curves.items():
        assert evals[0] == 0 and evals[-1] <= 400, name
        assert np.all(np.diff(evals) > 0), name
    rng = np.random.default_rng(0)
    X, y, _ = make_separable_data(widgets.N_POINTS, rng, n_features=5)
    y = np.where(rng.random(len(y)) < 0.1, 1.0 - y, y)
    Xa = np.hstack([X, np.ones((len(X), 1))])
    v = np.zeros(6)
    losses = []
    for _ in range(200):
        z = Xa @ v
        losses.append(np.mean(np.logaddexp(0, z) - y * z))
        v = v - 1.0 * Xa.T @ (1 / (1 + np.exp(-z)) - y) / len(y)
    e, L = curves["GD, exact gradient (backprop)"]
    np.testing.assert_allclose(L[:200], losses, rtol=1e-10)
    assert e[:3].tolist() == [0, 2, 4]
    en, Ln = curves["GD, central-difference gradient"]
    assert en[1] == 12  # 2 (d + 1) evaluations per step
    np.testing.assert_allclose(Ln, losses[:len(Ln)], rtol=1e-6)  # the numerical gradient is that accurate


# --------------------------------------------------------------------------
# Lecture 8
# --------------------------------------------------------------------------
def test_asgd_widget_counts_dead_units_by_hand():
    out, X, y = widgets.asgd_runs("circles", 1, max_steps=600)
    w = widgets.asgd_vs_sgd(seeds=2, max_steps=600, seed=1)
    for name, (net, hist) in out.items():
        h = X
        params = net.params
        dead = on = 0
        for k in range(0, len(params) - 2, 2):  # hidden layers: W, b pairs
            z = h @ params[k] + params[k + 1]
            dead += int(np.sum(np.all(z <= 0, axis=0)))
            on += int(np.sum(np.all(z > 0, axis=0)))
            h = np.maximum(z, 0)
        assert w.state["dead"][name] == dead and w.state["always_on"][name] == on
        assert w.state["steps"][name] == hist.epochs * hist.steps_per_epoch
        line = [ln for ln in w.fig.axes[0].lines if ln.get_label() == name][0]
        np.testing.assert_allclose(line_data(line)[1], hist.loss)


# --------------------------------------------------------------------------
# Lecture 9
# --------------------------------------------------------------------------
def test_quiz_grades_and_explains():
    q1 = widgets.Question("2 + 2?", ["3", "4"], 1, "Two and two make four.", hints={0: "Count again."})
    q2 = widgets.Question("Sign of the step?", ["+grad", "-grad"], 1, "Descent goes against the gradient.")
    assert q1.check(1) == (True, "Right. Two and two make four.")
    ok, msg = q1.check(0)
    assert not ok and "Count again." in msg and "four" in msg
    assert q1.check(None)[0] is False
    box = widgets.quiz([q1, q2])
    assert box.check_all([1, 0]) == 1
    assert box.feedback[0].value.startswith("Right") and box.feedback[1].value.startswith("Not quite")
    assert widgets.Question("?", ["a", "b", "c"], (0, 2), "").check(2)[0]
    with pytest.raises(ValueError, match="answer must index one of the 2 options"):
        widgets.Question("?", ["a", "b"], 2, "")


def test_reflect_questions_accept_the_slides_key_and_explain():
    from course_lib import reflect

    assert len(reflect.QUESTIONS) == len(reflect.SLIDE_KEY) == 10
    for q, key in zip(reflect.QUESTIONS, reflect.SLIDE_KEY):
        ok, msg = q.check(key)
        assert ok and len(msg) > 40, q.text
        wrong = [i for i in range(len(q.options)) if i not in q.answers]
        assert wrong and not q.check(wrong[0])[0]
    # where the slides' key is arguable, the other defensible option is accepted too
    extra = {q.text[:30]: sorted(q.answers) for q in reflect.QUESTIONS if len(q.answers) > 1}
    assert extra == {"What is Gradient Descent used ": [1, 3],
                     "In Gradient Descent, what does": [0, 1],
                     "Which technique is often used ": [0, 3]}
