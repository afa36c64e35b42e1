"""The slider machinery (``Interactive``), and every lecture's widget redrawn fast and in full.

(How a figure is read: ``figure_data.py``.)
"""

import io

import numpy as np
import pytest

from course_lib import lectures
from course_lib.lectures import l01_gradient_descent

WIDGETS = lectures.widgets()


def png_size(png: bytes):
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return im.size


def test_update_redraws_in_place_and_keeps_controls_in_step():
    w = l01_gradient_descent.sextic_descent(lr=0.1)
    fig, image, first_png = w.fig, w.image, w.png
    assert image.value == first_png and png_size(first_png)[0] == 720 and abs(png_size(first_png)[1] - 274) <= 1
    state = w.update(lr=0.2)
    assert w.fig is fig and w.image is image           # nothing re-created
    assert w.controls["lr"].value == pytest.approx(0.2)
    assert w.values["lr"] == 0.2 and state is w.state
    assert w.png != first_png and image.value == w.png  # the picture changed in the same widget


def test_moving_a_control_runs_the_update_once():
    w = l01_gradient_descent.sextic_descent(lr=0.1, steps=5)
    calls = []
    update = w.update
    w.update = lambda **v: calls.append(v) or update(**v)
    w.controls["steps"].value = 7          # what a slider move does
    assert calls == [{"steps": 7}]
    assert w.state["steps_taken"] == 7


def test_unknown_control_is_a_clear_error():
    w = l01_gradient_descent.sextic_descent()
    with pytest.raises(TypeError, match=r"unknown control\(s\) \['learning_rate'\].*'lr'"):
        w.update(learning_rate=0.1)


MOVES = {  # factory -> (control, values to move through)
    "sextic_descent": ("lr", [0.1, 0.2, 0.3]),
    "linear_rate": ("lr_beta", [0.5, 0.8]),
    "jensen_chord": ("theta", [0.2, 0.7]),
    "sublinear_rate": ("x0", [1.5, -2.0]),
    "regularised_logistic": ("lam", [0.003, 0.3]),
    "backtracking": ("c", [0.2, 0.8]),
    "optimizer_race": ("lr", [0.005, 0.02]),
    "momentum_forms": ("beta", [0.5, 0.8]),
    "eigen_errors": ("beta", [0.5, 0.8]),
    "phase_diagram": ("beta", [0.3, 0.7]),
    "finite_differences": ("x", [0.5, 2.0]),
    "sigmoid_slope": ("bias", [-2.0, 1.0]),
    "decision_boundary": ("epoch", [3, 30]),
    "minibatch_descent": ("batch_size", [4, 64]),
    "gradient_noise": ("batch_size", [2, 32]),
    "running_loss": ("lam", [0.02, 0.2]),
    "schedule_explorer": ("lr0", [0.05, 0.2]),
    "random_search_race": ("sigma", [0.02, 0.1]),
    "asgd_vs_sgd": ("seed", [1, 2]),
    "initialisation": ("scheme", ["too small: N(0, 0.01²)", "He normal"]),
    "vanishing_gradients": ("depth", [3, 20]),
    "overfitting": ("l2", [0.001, 0.01]),
    "batchnorm_distributions": ("depth", [3, 8]),
}


@pytest.fixture(scope="module")
def made():
    """Each widget once (some train a network when made)."""
    return {}


def get(made, name):
    if name not in made:
        made[name] = WIDGETS[name]()
    return made[name]


def pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png))).astype(int)


def test_every_widget_is_moved_here():
    assert set(MOVES) == set(WIDGETS)


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
    if name in ("sextic_descent", "momentum_forms", "eigen_errors", "phase_diagram", "finite_differences",
                "decision_boundary", "running_loss"):
        assert w.full_redraws == redraws, "moving this slider should not redraw the axes"
    w.invalidate()  # the flags were changed above: force a clean background next time


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
