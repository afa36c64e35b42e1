"""Learning-rate schedules: hand-computed values, the sources' formulas, Keras."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import linesearch as linesearch_module, optim, schedules as schedules_module
from course_lib.schedules import (
    apply,
    constant,
    exponential,
    inverse_sqrt,
    inverse_time,
    linear,
    step_decay,
)


def test_constant():
    s = constant(0.01)
    assert s(0) == 0.01 and s(1000) == 0.01
    np.testing.assert_array_equal(s.values(3), [0.01, 0.01, 0.01])


def test_inverse_time_hand_values():
    # lr0 / (1 + decay k) with lr0 = 0.2, decay = 1: 0.2/1, 0.2/2, 0.2/3, 0.2/4
    s = inverse_time(0.2, 1.0)
    np.testing.assert_allclose(s.values(4), [0.2, 0.1, 0.2 / 3, 0.05], rtol=1e-15)


def test_exponential_hand_values():
    # slide 001: 0.95**epoch * lr0 with lr0 = 1: 1, 0.95, 0.9025, 0.857375
    s = exponential(1.0, 0.95)
    np.testing.assert_allclose(s.values(4), [1.0, 0.95, 0.9025, 0.857375], rtol=1e-14)


def test_inverse_sqrt_hand_values():
    # lr0 / sqrt(1 + k): k = 0, 3, 8, 15 -> 1, 1/2, 1/3, 1/4
    s = inverse_sqrt(1.0)
    np.testing.assert_allclose(s(np.array([0, 3, 8, 15])), [1, 1 / 2, 1 / 3, 1 / 4], rtol=1e-15)


def test_step_decay_hand_values():
    s = step_decay(0.1, factor=0.1, every=100)
    assert s(0) == 0.1 and s(99) == 0.1
    assert s(100) == pytest.approx(0.01, rel=1e-15)
    assert s(250) == pytest.approx(0.001, rel=1e-15)


def test_linear_matches_source_003():
    # source 003: eta_0 = 0.1, eta_N = 1e-4, N = 10; eta_k = eta_0 (1 - k/N) + (k/N) eta_N
    s = linear(0.1, 1e-4, 10)
    assert s(0) == 0.1
    assert s(5) == pytest.approx(0.5 * 0.1 + 0.5 * 1e-4, rel=1e-15)  # 0.05005
    assert s(10) == pytest.approx(1e-4, rel=1e-12)
    assert s(25) == pytest.approx(1e-4, rel=1e-12)  # held after N
    # equal steps of (0.1 - 1e-4) / 10 = 0.00999 between consecutive epochs up to N
    np.testing.assert_allclose(np.diff(s.values(11)), -0.00999, rtol=1e-12)


def test_lr_min_is_a_floor():
    s = exponential(1.0, 0.5, lr_min=0.1)
    # 1, 0.5, 0.25, 0.125, then 0.0625 < 0.1 -> floored
    np.testing.assert_allclose(s.values(6), [1, 0.5, 0.25, 0.125, 0.1, 0.1])


def test_array_input_gives_array_and_int_gives_float():
    s = inverse_time(1.0, 0.5)
    assert isinstance(s(3), float)
    out = s(np.arange(6).reshape(2, 3))
    assert out.shape == (2, 3) and out.dtype == np.float64


def test_repr_shows_formula():
    assert "lr0 / (1 + decay*k)" in repr(inverse_time(0.1, 0.5))
    assert "linear(lr0=0.1" in repr(linear(0.1, 1e-4, 10))


def test_apply_sets_optimizer_lr_and_drives_training():
    opt = optim.SGD(lr=1.0)
    s = inverse_time(1.0, 1.0)
    w = np.array([1.0])
    for k in range(3):
        assert apply(s, opt, k) == pytest.approx(1 / (1 + k))
        assert opt.lr == pytest.approx(1 / (1 + k))
        opt.step([w], [np.array([1.0])])
    # w = 1 - (1 + 1/2 + 1/3)
    assert w[0] == pytest.approx(1 - 11 / 6, rel=1e-15)


def test_apply_accepts_plain_function():
    opt = optim.Momentum(lr=0.1)
    apply(lambda k: 0.5**k, opt, 2)
    assert opt.lr == 0.25


def test_schedules_and_line_searches_have_one_home():
    # no aliases: a schedule is found in course_lib.schedules, a line search in course_lib.linesearch
    assert not hasattr(optim, "linear") and not hasattr(optim, "exact_step_quadratic")
    assert not set(optim.__all__) & (set(schedules_module.__all__) | set(linesearch_module.__all__))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: inverse_time(0.0, 1.0), "lr0"),
        (lambda: inverse_time(0.1, -1.0), "decay"),
        (lambda: exponential(0.1, 1.5), "base"),
        (lambda: exponential(0.1, 0.0), "base"),
        (lambda: step_decay(0.1, every=0), "every"),
        (lambda: step_decay(0.1, factor=2.0), "factor"),
        (lambda: linear(0.1, -1.0, 10), "lr_final"),
        (lambda: linear(0.1, 0.01, 0), "n_epochs"),
        (lambda: constant(float("nan")), "lr"),
        (lambda: inverse_sqrt(0.1, lr_min=-1), "lr_min"),
    ],
)
def test_bad_hyperparameters(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_bad_epochs():
    s = constant(0.1)
    with pytest.raises(ValueError, match="epoch"):
        s(-1)
    with pytest.raises(TypeError, match="epoch"):
        s(1.5)
    with pytest.raises(TypeError, match="epoch"):
        s(True)
    with pytest.raises(TypeError, match="schedule"):
        apply(0.1, optim.SGD(lr=0.1), 0)
    with pytest.raises(ValueError, match=r"schedule\(3\)"):
        apply(lambda k: -1.0, optim.SGD(lr=0.1), 3)
    with pytest.raises(ValueError, match=r"schedule\(0\) must be finite; got inf"):
        apply(lambda k: float("inf"), optim.SGD(lr=0.1), 0)
    with pytest.raises(TypeError, match=r"schedule\(0\) must be a real number; got bool True"):
        apply(lambda k: True, optim.SGD(lr=0.1), 0)
    with pytest.raises(ValueError, match="epoch"):
        apply(s, optim.SGD(lr=0.1), -2)


@pytest.mark.tensorflow
def test_schedules_match_keras():
    import keras

    ks = keras.optimizers.schedules
    # Keras evaluates in float32 (its floatx); compare at float32 precision.
    pairs = [
        (inverse_time(0.1, 0.5), ks.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)),
        (exponential(0.1, 0.95), ks.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.95)),
        (linear(0.1, 1e-4, 10), ks.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=1e-4, power=1.0)),
        (step_decay(0.1, factor=0.5, every=3),
         ks.PiecewiseConstantDecay([2, 5, 8, 11], [0.1, 0.05, 0.025, 0.0125, 0.00625])),
    ]
    for ours, theirs in pairs:
        for k in range(14):
            assert ours(k) == pytest.approx(float(theirs(k)), rel=2e-7), (ours, k)


def test_linear_scaling_keeps_lr_over_batch():
    from course_lib.schedules import linear_scaling

    # Goyal et al. 2017: batch times k, learning rate times k
    assert linear_scaling(0.1, 10, 100) == pytest.approx(1.0) and linear_scaling(0.01, 10, 1) == pytest.approx(0.001)
    with pytest.raises(ValueError, match="batch"):
        linear_scaling(0.1, 0, 10)


def test_equal_ratio_spread_on_a_tiny_grid_by_hand():
    from course_lib.schedules import equal_ratio_groups, equal_ratio_spread

    # ratios: 0.1/10 = 0.01/1 = 0.01 (losses 0.1 and 1), 0.1/1 = 0.1 (loss 10) alone
    cells = [(0.1, 10, 0.1), (0.01, 1, 1.0), (0.1, 1, 10.0)]
    assert equal_ratio_groups(cells) == {0.01: [0.1, 1.0], 0.1: [10.0]}
    d = equal_ratio_spread(cells)
    # log10 losses -1, 0 in the group (mean -0.5): ss = 0.5 over 2 - 1 = 1 dof, within = sqrt(0.5)
    assert d["within"] == pytest.approx(math.sqrt(0.5))
    # all three logs -1, 0, 1: sample sd 1; the group's losses differ by a factor 10
    assert d["across"] == pytest.approx(1.0) and d["worst_ratio"] == pytest.approx(10.0)
    # 0.1 / 100 and 0.001 / 1 differ in binary but are one group
    assert len(equal_ratio_groups([(0.1, 100, 1.0), (0.001, 1, 2.0)])) == 1
    with pytest.raises(ValueError, match="at least two cells with equal lr / batch"):
        equal_ratio_spread([(0.1, 1, 1.0), (0.1, 10, 1.0)])
    with pytest.raises(ValueError, match=r"cells\[0\] loss"):
        equal_ratio_spread([(0.1, 1, -1.0)])
    with pytest.raises(TypeError, match=r"cells\[0\] must be a triple"):
        equal_ratio_spread([(0.1, 1)])
