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
    assert "## 5.5 Conventions: course_lib and Keras" in markdown and "optim.OPTIMIZERS" in markdown
