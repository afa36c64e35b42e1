"""Lecture 2's slider figures: what they draw, checked against independent computations.

(How a figure is read: ``figure_data.py``.)
The quotients themselves (``gradcheck.difference_quotients``) are tested in
tests/lib/test_gradcheck.py.
"""

import numpy as np
import pytest

from course_lib.lectures import l02_numerical_gradients as lecture


def test_finite_differences_follow_truncation_and_round_off():
    w = lecture.finite_differences(function="exp", x=1.0, dtype="float64")
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


def test_error_at_source_003s_step_against_the_best_central_step_is_measured():
    # lecture 2 prints this ratio from the widget's state; here it is computed directly with numpy
    w = lecture.finite_differences(function="exp", x=1.0, dtype="float64")
    h = np.logspace(-16, -1, 91)
    central = np.abs((np.exp(1.0 + h) - np.exp(1.0 - h)) / (2 * h) - np.e)
    at_1e8 = abs((np.exp(1.0 + 1e-8) - np.exp(1.0 - 1e-8)) / 2e-8 - np.e)
    assert w.state["error_at_1e-8"]["central"] == pytest.approx(at_1e8, rel=1e-9)
    assert np.nanmin(w.state["errors"]["central"]) == pytest.approx(central.min(), rel=1e-9)
    assert w.state["best_h"]["central"] == pytest.approx(h[np.argmin(central)], rel=1e-12)
    ratio = w.state["error_at_1e-8"]["central"] / np.nanmin(w.state["errors"]["central"])
    assert ratio == pytest.approx(at_1e8 / central.min(), rel=1e-9)
    assert ratio > 300   # far more than the "roughly a hundred times" the lecture once said


def test_caption_and_float32_answer_state_the_computed_steps():
    w = lecture.finite_differences()
    # sqrt and cbrt of 2^-52 and 2^-23, the IEEE 754 double and single machine epsilons
    assert ("float64: 1.5e-08 and 6.1e-06; float32: 3.5e-04 and 4.9e-03" in w.caption.value
            and f"{2.0 ** -26:.1e}" == "1.5e-08" and f"{np.cbrt(2.0 ** -23):.1e}" == "4.9e-03")
    text = lecture.float32_step_answer("exp", 1.0).text
    w.update(dtype="float32")
    assert text.startswith("<details>") and f"is {w.state['best_h']['central']:.1e} in float32" in text
    with pytest.raises(ValueError, match="function"):
        lecture.float32_step_answer("tan")
