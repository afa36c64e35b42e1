"""Lecture 5's slider figures: what they draw, checked against independent computations.

(How a figure is read: ``figure_data.py``.)
"""

import types

import numpy as np
import pytest

from course_lib import optim
from course_lib.lectures import l05_momentum_adaptive as lecture
from figure_data import line_data


def ravine_matrix(kappa):
    a = np.deg2rad(20.0)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return R @ np.diag([1.0, kappa]) @ R.T


def test_optimizer_race_sgd_and_momentum_paths_are_the_textbook_recursions():
    kappa, lr, beta, steps = 30.0, 0.02, 0.8, 40
    w = lecture.optimizer_race(condition_number=kappa, lr=lr, beta=beta, steps=steps)
    A, x0 = ravine_matrix(kappa), np.array([-1.8, 1.0])
    x, y, u = x0.copy(), x0.copy(), np.zeros(2)  # SGD; momentum and its velocity
    sgd, mom = [x.copy()], [y.copy()]
    for _ in range(steps):
        x = x - lr * A @ x
        u = beta * u - lr * A @ y      # Polyak: v = beta v - lr g, w = w + v
        y = y + u
        sgd.append(x.copy())
        mom.append(y.copy())
    np.testing.assert_allclose(w.state["paths"]["SGD"], sgd, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(w.state["paths"]["Momentum"], mom, rtol=1e-10, atol=1e-14)
    drawn = {line.get_label(): np.column_stack(line_data(line)) for line in w.fig.axes[0].lines[:8]}
    np.testing.assert_allclose(drawn["SGD"], sgd, rtol=1e-10, atol=1e-14)
    assert list(drawn) == [info.name for info in optim.OPTIMIZERS]  # every optimizer races, in order
    gaps = w.state["gaps"]["SGD"]
    np.testing.assert_allclose(gaps, [0.5 * p @ A @ p for p in sgd], rtol=1e-10)


def test_optimizer_race_sgd_diverges_beyond_two_over_kappa_and_says_so():
    w = lecture.optimizer_race(condition_number=50.0, lr=0.9 * 2 / 50, steps=300)
    assert not w.state["diverged"]["SGD"]
    w.update(lr=1.1 * 2 / 50)
    assert w.state["diverged"]["SGD"]
    labels = [line.get_label() for line in w.fig.axes[0].lines[:8]]
    assert "SGD (diverged)" in labels
    assert "2/κ" not in w.fig.axes[0].get_title() and "0.04" in w.fig.axes[0].get_title()


def test_optimizer_race_function_choice_applies_its_presets():
    w = lecture.optimizer_race()
    w.controls["function"].value = "rosenbrock"        # as the dropdown does
    preset = lecture.RACE_PRESETS["rosenbrock"]
    assert {k: w.values[k] for k in preset} == preset
    assert w.fig.axes[0].get_title() == "Rosenbrock's valley"
    # with the preset every method stays on the plot and ends lower than it started:
    # f(-1.5, 2) = (1 + 1.5)^2 + 100 (2 - 2.25)^2 = 12.5; plain SGD crawls along the valley floor,
    # momentum and Adam get more than ten times closer
    assert not any(w.state["diverged"].values())
    gap = w.state["final_gap"]
    assert w.state["gaps"]["SGD"][0] == pytest.approx(12.5)
    assert all(g < 12.5 for g in gap.values())
    assert gap["SGD"] > 1 and gap["Momentum"] < gap["SGD"] / 5 and gap["Adam"] < gap["SGD"] / 10


def test_momentum_forms_coincide_after_rescaling():
    for beta in (0.0, 0.5, 0.9, 0.99):
        w = lecture.momentum_forms(beta=beta, lr_ema=0.05, steps=80)
        assert w.state["max_difference"] < 1e-12
        if beta > 0:
            same = w.state["paths"]["classical_same_lr"]
            assert np.max(np.abs(same - w.state["paths"]["ema"])) > 1e-3


def test_race_settings_follow_the_registry_by_hand():
    # lr for the gradient-scaled methods, lr_adaptive for the step-length ones, beta for every momentum
    # coefficient, the class' defaults for everything else (Adadelta: Zeiler's lr 1, rho 0.95, eps 1e-6)
    racers = lecture.optimizer_race(lr=0.01, lr_adaptive=0.05, beta=0.8, steps=5).state["optimizers"]
    assert list(racers) == ["SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adadelta", "Adam", "Rprop"]
    assert {n: o.lr for n, o in racers.items()} == {"SGD": 0.01, "Momentum": 0.01, "Nesterov": 0.01, "Adagrad": 0.05,
                                                    "RMSprop": 0.05, "Adadelta": 1.0, "Adam": 0.05, "Rprop": 0.05}
    assert racers["Momentum"].beta == racers["Nesterov"].beta == racers["Adam"].beta1 == 0.8
    assert racers["Momentum"].variant == "classical" and racers["Adam"].beta2 == 0.999
    assert (racers["RMSprop"].rho, racers["Adadelta"].rho, racers["Adadelta"].eps) == (0.9, 0.95, 1e-6)
    w = lecture.optimizer_race()
    labels = {name: c.description for name, c in w.controls.items()}
    assert labels["lr"] == "lr (SGD, Momentum, Nesterov)"
    assert labels["lr_adaptive"] == "lr (Adagrad, RMSprop, Adam, Rprop)"
    assert labels["beta"] == "β (Momentum, Nesterov, Adam's beta1)"
    assert "Adadelta has none" in w.caption.value


def test_race_is_built_from_the_registry(monkeypatch):
    two = tuple(i for i in optim.OPTIMIZERS if i.name in ("SGD", "Adam"))
    monkeypatch.setattr(optim, "OPTIMIZERS", two)
    w = lecture.optimizer_race(steps=20)
    assert set(w.state["paths"]) == {"SGD", "Adam"}
    assert [line.get_label() for line in w.fig.axes[0].lines[:2]] == ["SGD", "Adam"]
    assert w.controls["lr"].description == "lr (SGD)" and set(w.state["optimizers"]) == {"SGD", "Adam"}


def test_race_runs_stop_where_they_leave_the_plot():
    # SGD on the ravine with lr 0.1 > 2/kappa: |x| grows by |1 - 0.1 * 50| = 4 per step along the steep axis,
    # so the run stops before an iterate beyond 1000 and is marked diverged
    A = ravine_matrix(50.0)
    w = lecture.optimizer_race(condition_number=50.0, lr=0.1, steps=100)
    path = w.state["paths"]["SGD"]
    assert w.state["diverged"]["SGD"] and len(path) < 101
    expected = [np.array([-1.8, 1.0])]
    while len(expected) < len(path):
        expected.append(expected[-1] - 0.1 * A @ expected[-1])
    np.testing.assert_allclose(path, expected, rtol=1e-10)
    left_out = path[-1] - 0.1 * A @ path[-1]  # the first iterate beyond the plot
    assert np.abs(path).max() <= lecture.LEAVES_PLOT < np.abs(left_out).max()


def _fake_keras():
    """A stand-in for the keras module: keras.optimizers.X(**kwargs) returns (X, kwargs)."""

    class Optimizers:
        def __getattr__(self, name):
            return lambda **kwargs: (name, kwargs)

    return types.SimpleNamespace(optimizers=Optimizers())


def table_rows():
    text = lecture.conventions_table().text
    lines = text.splitlines()
    assert lines[0].startswith("| optimizer | course_lib default | Keras 3 default") and set(lines[1]) <= set("|-")
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def test_conventions_table_is_rendered_from_the_registry(monkeypatch):
    rows = table_rows()
    assert [r[0] for r in rows] == [f"`{info.name}`" for info in optim.OPTIMIZERS]
    by_name = {info.name: info for info in optim.OPTIMIZERS}
    adam = rows[[r[0] for r in rows].index("`Adam`")]
    # read by hand from Kingma & Ba (ours) and keras.optimizers.Adam's constructor (Keras)
    assert adam[1] == "lr=0.001, beta1=0.9, beta2=0.999, **eps=1e-08**, amsgrad=False, **eps_hat=False**"
    assert adam[2] == "lr=0.001, beta1=0.9, beta2=0.999, **eps=1e-07**, amsgrad=False, **eps_hat=True**"
    assert rows[-1][1:] == ["lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-06, 50.0)", "—", "—", "Keras has no Rprop"]
    for row in rows:
        info = by_name[row[0].strip("`")]
        if info.keras is not None:
            assert row[4] == info.keras.note
    # change the registry, the table follows
    monkeypatch.setattr(optim, "OPTIMIZERS", (by_name["SGD"],))
    assert [r[0] for r in table_rows()] == ["`SGD`"]


def test_conventions_table_states_exactly_the_keras_pairs_that_are_run_against_keras():
    # each row's two calls, evaluated, build what OptimizerInfo.keras_pair builds; test_optim_keras runs those
    # pairs against Keras itself, so every equivalence the table states is checked against Keras
    keras = _fake_keras()
    values = {"lr": 0.125, "beta": 0.5, "beta1": 0.75, "beta2": 0.875, "eps": 0.25, "rho": 0.625,
              "initial_accumulator": 0.375, "amsgrad": True}
    for row in table_rows():
        info = next(i for i in optim.OPTIMIZERS if f"`{i.name}`" == row[0])
        if info.keras is None:
            continue
        ours_code, keras_code = (part.strip().strip("=").strip().strip("`") for part in row[3].split("<br>"))
        namespace = {**values, info.name: info.cls, "keras": keras}
        ours, theirs = eval(ours_code, namespace), eval(keras_code, namespace)
        hyper = {k: values[k] for k in info.keras.names}
        expected_ours, expected_theirs = info.keras_pair(keras, **hyper)
        assert theirs == expected_theirs
        assert type(ours) is type(expected_ours) and repr(ours) == repr(expected_ours)



def test_notebook_shows_the_rendered_table_not_a_typed_one():
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parents[2] / "notebooks" / "05_momentum_adaptive.ipynb").read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "lecture.conventions_table()" in code
    assert "Keras 3 default" not in markdown and "how to match Keras" not in markdown
    assert "## 5.6 Conventions: course_lib and Keras" in markdown and "optim.OPTIMIZERS" in markdown



# ---------------------------------------------------------------------------------------------
# Goh (2017)'s analysis: the eigenvector errors, the phase diagram, the optimal tuning
# ---------------------------------------------------------------------------------------------
def lecture_quadratic():
    """By hand: eigenvalues 1, 10, 100; the first two eigenvectors rotated by 30 degrees in the (x1, x2) plane."""
    a = np.deg2rad(30.0)
    Q = np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])
    return Q @ np.diag([1.0, 10.0, 100.0]) @ Q.T, Q


def distill_run(A, w0, alpha, beta, steps):
    """Goh 2017's recursion written out (b = 0, so w* = 0): z = beta z + A w, w = w - alpha z."""
    w, z, path = np.array(w0, float), np.zeros(len(w0)), [np.array(w0, float)]
    for _ in range(steps):
        z = beta * z + A @ w
        w = w - alpha * z
        path.append(w.copy())
    return np.array(path)


def spectral_radius(h, beta):
    """By hand: the largest |root| of s^2 - (1 + beta - h) s + beta (the characteristic polynomial of R)."""
    return float(np.max(np.abs(np.roots([1.0, -(1.0 + beta - h), beta]))))


@pytest.mark.parametrize("alpha, beta", [(0.01, 0.0), (0.01, 0.81), (0.02, 0.5), (0.03, 0.9)])
def test_eigen_errors_draws_each_eigenvector_of_the_textbook_recursion(alpha, beta):
    A, Q = lecture_quadratic()
    steps = 150
    w = lecture.eigen_errors(alpha=alpha, beta=beta, steps=steps)
    hand = np.abs(distill_run(A, Q @ np.ones(3), alpha, beta, steps) @ Q)   # |q_i'(w_k - w*)|, one column each
    lines = w.fig.axes[0].lines
    solid, dashed = lines[0:6:2], lines[1:6:2]
    for i, lam in enumerate((1.0, 10.0, 100.0)):
        k, drawn = line_data(solid[i])
        np.testing.assert_array_equal(k, np.arange(steps + 1))
        np.testing.assert_allclose(drawn, np.maximum(hand[:, i], 1e-300), rtol=1e-9, atol=1e-13)
        assert solid[i].get_label() == f"λ = {lam:g}"
        rho = spectral_radius(alpha * lam, beta)
        # (np.roots has ~1e-8 error at a double root, as at beta = 0.81 for lambda = 1: k times that at step k)
        np.testing.assert_allclose(line_data(dashed[i])[1], rho ** np.arange(steps + 1.0), rtol=1e-5, atol=1e-300)
        assert w.state["rates"][i] == pytest.approx(rho, rel=1e-6, abs=1e-12)
    assert w.state["rate"] == pytest.approx(max(spectral_radius(alpha * l, beta) for l in (1, 10, 100)), rel=1e-6)
    assert "rates " + ", ".join(f"{r:.3f}" for r in w.state["rates"]) in w.fig.axes[0].get_title()
    assert not w.state["diverged"]


def test_eigen_errors_stops_a_diverging_run_and_says_so():
    # alpha lambda_n = 0.045 * 100 = 4.5 > 2 + 2 beta for every beta < 1
    w = lecture.eigen_errors(alpha=0.045, beta=0.5, steps=100)
    assert w.state["diverged"] and w.state["rate"] > 1 and "(diverges)" in w.fig.axes[0].get_title()
    assert w.state["regions"][2] == "divergence"
    w.update(alpha=0.02)                     # 2 <= 2 + 2 * 0.5: converges again
    assert not w.state["diverged"] and "(diverges)" not in w.fig.axes[0].get_title()


def region_by_hand(h, beta):
    """The sign of the discriminant and of the roots of s^2 - (1 + beta - h) s + beta."""
    roots = np.roots([1.0, -(1.0 + beta - h), beta])
    if np.max(np.abs(roots)) >= 1:
        return "divergence"
    if np.iscomplexobj(roots) and abs(roots[0].imag) > 1e-12:
        return "ripples"
    return "monotone" if np.max(roots.real) > 0 and np.min(roots.real) >= 0 else "oscillation"


@pytest.mark.parametrize("h, beta", [(0.1, 0.2), (1.0, 0.5), (2.8, 0.3), (3.0, 0.7), (3.9, 0.9), (0.5, 0.0),
                                     (1.5, 0.0)])
def test_phase_diagram_marks_the_point_and_draws_its_recursion(h, beta):
    w = lecture.phase_diagram(alpha_lambda=h, beta=beta, steps=40)
    ax, ax_err = w.fig.axes[:2]                      # (axes 2 is the colour bar)
    point = ax.lines[-1]
    assert [float(v[0]) for v in point.get_data()] == [h, beta]
    by_hand = distill_run(np.array([[1.0]]), [1.0], h, beta, 40)[:, 0]
    k, drawn = line_data(ax_err.lines[0])
    n = len(drawn)                                   # a diverging run stops beyond 1e6
    np.testing.assert_allclose(drawn, by_hand[:n], rtol=1e-10, atol=1e-14)
    assert n == 41 or np.abs(by_hand[n]) > 1e6
    assert w.state["region"] == region_by_hand(h, beta)
    assert w.state["rate"] == pytest.approx(spectral_radius(h, beta), rel=1e-6)
    assert w.state["region"] in ax.get_title() and f"{w.state['rate']:.3f}" in ax.get_title()


def test_phase_diagram_colours_are_the_spectral_radius_and_the_edges_are_the_closed_forms():
    w = lecture.phase_diagram()
    H, B, rate = w.state["grid"]
    rng = np.random.default_rng(0)
    for _ in range(60):
        j, i = rng.integers(len(B)), rng.integers(len(H))
        assert rate[j, i] == pytest.approx(spectral_radius(H[i], B[j]), rel=1e-6, abs=1e-7)
    mesh = w.fig.axes[0].collections[0]
    shown = np.ma.getdata(mesh.get_array()).reshape(rate.shape)
    mask = np.ma.getmaskarray(mesh.get_array()).reshape(rate.shape)
    np.testing.assert_array_equal(mask, rate >= 1)                       # grey exactly where it diverges
    np.testing.assert_allclose(shown[~mask], rate[~mask])
    edge, low, high = w.fig.axes[0].lines[:3]
    h_edge, b_edge = line_data(edge)
    np.testing.assert_allclose(h_edge, 2 + 2 * b_edge)                    # 2 + 2 beta
    np.testing.assert_allclose(line_data(low)[0], (1 - np.sqrt(line_data(low)[1])) ** 2, atol=1e-12)
    np.testing.assert_allclose(line_data(high)[0], (1 + np.sqrt(line_data(high)[1])) ** 2, atol=1e-12)
    # on both ripple edges the discriminant (1 + beta - h)^2 - 4 beta vanishes
    for line in (low, high):
        h, b = line_data(line)
        np.testing.assert_allclose((1 + b - h) ** 2 - 4 * b, 0, atol=1e-12)


def answer_numbers(md):
    text = md.text
    assert text.startswith("<details>\n<summary>") and text.rstrip().endswith("</details>")
    import re
    return text, [float(x) for x in re.findall(r"(?<![\w.])-?\d+\.\d+", text)]


def test_optimal_tuning_states_the_closed_forms_and_the_measured_counts():
    import re
    text = lecture.optimal_tuning(kappa=100).text
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines() if line.startswith("| ")][1:]
    (gd_row, mom_row) = rows
    # by hand for eigenvalues 1 .. 100: GD alpha 2/101, rate 99/101; momentum (2/11)^2, (9/11)^2, rate 9/11
    assert [float(x) for x in gd_row[1:4]] == pytest.approx([2 / 101, 0.0, 99 / 101], abs=5e-6)
    assert [float(x) for x in mom_row[1:4]] == pytest.approx([4 / 121, 81 / 121, 9 / 11], abs=5e-6)
    assert float(gd_row[4]) == pytest.approx(np.log(1e-6) / np.log(99 / 101), abs=0.05)
    assert float(mom_row[4]) == pytest.approx(np.log(1e-6) / np.log(9 / 11), abs=0.05)
    # measured: the hand recursion on the hand-built quadratic, until the error stays below 1e-6 of the start's
    A, Q = lecture_quadratic()
    for row, (alpha, beta) in ((gd_row, (2 / 101, 0.0)), (mom_row, (4 / 121, 81 / 121))):
        err = np.linalg.norm(distill_run(A, Q @ np.ones(3), alpha, beta, 2000), axis=1)
        assert int(row[5]) == np.flatnonzero(err > 1e-6 * err[0])[-1] + 1
    gd_k, mom_k = int(gd_row[5]), int(mom_row[5])
    speedup = np.log(9 / 11) / np.log(99 / 101)
    m = re.search(r"speed-up of (\d+\.\d\d) \(√κ = 10\.00\); measured, momentum needs (\d+) iterations against "
                  r"(\d+): (\d+\.\d\d) times fewer", text)
    assert m, text
    assert m.group(1) == f"{speedup:.2f}" and (int(m.group(2)), int(m.group(3))) == (mom_k, gd_k)
    assert m.group(4) == f"{gd_k / mom_k:.2f}"
    assert mom_k > float(mom_row[4])        # the double root: k rate^k, slower than rate^k
    assert "summary>Answer" in text


def test_best_beta_answer_is_the_brute_force_best_beta():
    text, nums = answer_numbers(lecture.best_beta_answer(alpha=0.01))
    # by hand: alpha lambda_1 = 0.01, beta = (1 - 0.1)^2 = 0.81, rate 0.9; GD max |1 - 0.01 lambda| = 0.99
    assert "β = (1 − √(αλ))² = 0.8100" in text and "rate 1 − √(αλ) = 0.9000" in text
    assert "the whole problem's rate is 0.9000 per iteration, against 0.9900" in text
    betas = np.linspace(0.0, 0.99, 991)
    worst = [max(spectral_radius(0.01 * l, b) for l in (1, 10, 100)) for b in betas]
    assert betas[int(np.argmin(worst))] == pytest.approx(0.81, abs=0.011) and min(worst) == pytest.approx(0.9, abs=2e-3)
    assert "There the others are no slower" in text
    assert "But there the others are slower" in lecture.best_beta_answer(alpha=0.035).text   # 3.5 > (2 - sqrt 0.035)^2


def test_phase_answer_by_hand():
    text, _ = answer_numbers(lecture.phase_answer(alpha_lambda=3.0))
    # 3 < 2 + 2 beta for beta > 0.5; critical damping (1 - sqrt 3)^2 = 4 - 2 sqrt 3 = 0.536, rate sqrt 3 - 1 = 0.732
    assert "every β > αλ/2 − 1 = 0.500" in text
    assert f"= {4 - 2 * np.sqrt(3):.3f}, rate |1 − √(αλ)| = {np.sqrt(3) - 1:.3f}" in text
    assert spectral_radius(3.0, 0.499) > 1 > spectral_radius(3.0, 0.501)
    betas = np.linspace(0.5, 0.99, 4901)
    best = betas[int(np.argmin([spectral_radius(3.0, b) for b in betas]))]
    assert best == pytest.approx(4 - 2 * np.sqrt(3), abs=1e-3)


def test_race_limits_answer_is_where_the_race_starts_to_diverge():
    text, _ = answer_numbers(lecture.race_limits_answer(condition_number=50, beta=0.9))
    assert "lr < 2/κ = 0.04," in text and "lr < (2 + 2β)/κ = 0.076," in text and "1.90 times as far" in text
    w = lecture.optimizer_race(condition_number=50.0, beta=0.9, steps=300)
    for lr, sgd, momentum in ((0.95 * 0.04, False, False), (1.05 * 0.04, True, False),
                              (0.95 * 0.076, True, False), (1.05 * 0.076, True, True)):
        state = w.update(lr=lr)
        assert (state["diverged"]["SGD"], state["diverged"]["Momentum"]) == (sgd, momentum), lr


# ---------------------------------------------------------------------------------------------
# source 004's Figures 18 and 19 on its sextic (the results of experiments/exp_004_sextic.py)
# ---------------------------------------------------------------------------------------------
# the thesis' sextic as printed (typed in here, not taken from course_lib)
SEXTIC = np.poly1d([0.000017, -0.001133, 0.029241, -0.36691, 2.234115, -5.510020, 4.722197])


def momentum_by_hand(alpha, lr, x0, steps):
    """004, section 4.1.2: Delta W <- alpha Delta W - lambda f'(W), W <- W + Delta W, from Delta W = 0."""
    d, dw, xs = SEXTIC.deriv(), 0.0, [x0]
    for _ in range(steps):
        dw = alpha * dw - lr * d(xs[-1])
        xs.append(xs[-1] + dw)
    return np.array(xs)


def adam_by_hand(lr, b1, b2, eps, x0, steps):
    """004, Algorithm 8 (Kingma & Ba, Algorithm 1), written out."""
    d, m, v, xs = SEXTIC.deriv(), 0.0, 0.0, [x0]
    for i in range(1, steps + 1):
        g = d(xs[-1])
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        xs.append(xs[-1] - lr * (m / (1 - b1 ** i)) / (np.sqrt(v / (1 - b2 ** i)) + eps))
    return np.array(xs)


def test_sextic_figures_18_19_draw_the_thesis_rules_on_its_polynomial():
    shown = 30
    plot = lecture.sextic_figures_18_19(shown=shown)
    r = plot.data["results"]
    f18, f19, c = r["thesis"]["figure_18"], r["thesis"]["figure_19"], r["choices"]
    # the captions' numbers (tests/course/test_experiments.py parses them from the thesis)
    assert (f18["alpha"], f18["lr"], f19["lr"], f19["eps"]) == (40.0, 0.1, 5.0, 1e-8)
    left, right = plot.fig.axes
    drawn = {line.get_label().split(":")[0]: line_data(line) for ax in (left, right) for line in ax.lines}
    expected = {
        "gradient descent": momentum_by_hand(0.0, f18["lr"], c["x0_right"], shown),
        f"momentum, α = {c['reading_alpha']:g} (reading)": momentum_by_hand(c["reading_alpha"], f18["lr"], c["x0_right"], shown),
        f"momentum, α = {c['usual_alpha']:g}": momentum_by_hand(c["usual_alpha"], f18["lr"], c["x0_right"], shown),
        "Adam (printed settings)": adam_by_hand(f19["lr"], f19["beta1"], f19["beta2"], f19["eps"], c["x0_left"], shown),
        f"gradient descent, λ = {f18['lr']:g}": momentum_by_hand(0.0, f18["lr"], c["x0_left"], shown),
    }
    for label, xs in expected.items():
        x, y = drawn[label]
        np.testing.assert_allclose(x, xs, rtol=1e-10)
        np.testing.assert_allclose(y, SEXTIC(xs), rtol=1e-9, atol=1e-12)
    # the printed alpha = 40: only the iterates on the plot [0, 24] are drawn; the next one is far off it
    printed = momentum_by_hand(f18["alpha"], f18["lr"], c["x0_right"], 4)
    x, _ = drawn[f"momentum, α = {f18['alpha']:g} (printed)"]
    k = next(i for i, v in enumerate(printed) if not 0 <= v <= 24)
    np.testing.assert_allclose(x, printed[:k], rtol=1e-12)
    assert k == 2 and printed[2] < -15 and abs(printed[4]) > 1e10
    labels = [line.get_label() for line in left.lines]
    assert f"momentum, α = 40 (printed): off the plot at step {k} (x = {printed[k]:.4g})" in "\n".join(labels)
    # the legends say where the runs end: the two minima of the sextic (Newton on f' by hand)
    minima = []
    for x in (2.0, 20.5):
        for _ in range(30):
            x -= SEXTIC.deriv()(x) / SEXTIC.deriv(2)(x)
        minima.append(x)
    legend = "\n".join(line.get_label() for line in right.lines)
    assert f"Adam (printed settings): global minimum {minima[1]:.3f}" in legend
    assert f"gradient descent, λ = 0.1: local minimum {minima[0]:.3f}" in legend
    with pytest.raises(ValueError, match="shown must be at most"):
        lecture.sextic_figures_18_19(shown=10_000)


def test_notebook_states_what_the_sextic_results_show():
    import json
    from pathlib import Path

    import course_env

    root = Path(__file__).resolve().parents[2]
    nb = json.loads((root / "notebooks" / "05_momentum_adaptive.ipynb").read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    (para,) = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
               and "".join(c["source"]).startswith("### Momentum and Adam on the thesis' sextic")]
    assert "lecture.sextic_figures_18_19(shown=30)" in code
    assert any('figures.results_table("source_004_sextic", "The thesis\' numbers beside ours")' in s for s in code)
    thesis = " ".join(next(course_env.SHARED_SOURCES.glob("004_*.txt")).read_text().split())
    for quote in ("Gradient Descent with Momentum Term ($\\alpha = 40, \\lambda = 0.1$)", "from the right",
                  "ADAM ($\\lambda = 5$, $\\beta_1 = 0.9$, $\\beta_2 = 0.999$ and $\\epsilon = 10^{-8}$)",
                  "converges much faster than in Figure 1 with the same learning rate",
                  "is capable of finding a better minima"):
        assert quote in thesis and quote in " ".join(para.split()), quote
    # each claim of the paragraph, against the committed results
    r = json.loads((root / "experiments" / "results" / "source_004_sextic.json").read_text())
    runs, starts = r["runs"], r["starts"]
    assert "from every start of the plot the iterates leave it within a few steps and blow up" in " ".join(para.split())
    assert all(s["printed_momentum_diverged"] and s["printed_momentum_leaves_plot_at"] <= 4 for s in starts)
    assert "holds for $\\alpha = 0.4$" in para and r["choices"]["reading_alpha"] == 0.4
    gd, reading, usual = runs["fig18_gd"], runs["fig18_reading"], runs["fig18_usual"]
    assert reading["reached_at"] < gd["reached_at"] and reading["first_step_sizes"][1] > gd["first_step_sizes"][1]
    assert usual["reached_at"] > gd["reached_at"] and usual["smallest"] < usual["minimum"]    # swings past it
    assert runs["fig19_adam"]["which"] == "global" and runs["fig19_gd"]["which"] == "local"
    assert r["adam_first_step"]["corrected"] == pytest.approx(r["thesis"]["figure_19"]["lr"], rel=1e-6)
    lower = {s["x0"]: SEXTIC(s["adam_minimum"]) - SEXTIC(s["gd_minimum"]) for s in starts}
    assert min(lower.values()) < 0 < max(lower.values())        # better from some starts, worse from others
    hump = r["sextic"]["stationary_points"][1]
    left = [x for x in lower if x < hump]
    assert "holds from most starts left of the hump" in " ".join(para.split())
    assert len(left) / 2 < sum(lower[x] < 0 for x in left) < len(left)
    long = r["adam_long"]
    assert long["settled_from"] < long["step_exceeds_limit_at"] <= long["leaves_tol_again_at"]
