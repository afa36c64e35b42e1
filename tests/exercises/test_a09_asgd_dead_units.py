"""The hidden tests of assignment 9: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them: a forward pass, backpropagation with masks, and
the counts as mask products.
"""

import numpy as np
import pytest

from course_lib import nn
from course_lib.exercises import a09_asgd_dead_units as checks
from course_lib.exercises.engine import GradingError, UsedReference


def forward(params, X):
    """Pre-activations z_l and activations a_l (a_0 = X) of a ReLU network with a sigmoid output."""
    zs, acts = [], [X]
    for layer in range(len(params) // 2):
        z = acts[-1] @ params[2 * layer] + params[2 * layer + 1]
        zs.append(z)
        acts.append(np.maximum(z, 0) if layer < len(params) // 2 - 1 else 1 / (1 + np.exp(-z)))
    return zs, acts


def dead_units(params, X):
    zs, _ = forward(params, X)
    return [((z <= 0).all(axis=0), (z > 0).all(axis=0)) for z in zs[:-1]]


def backward(params, X, y, slope_at_zero=0.0):
    """Per layer: the summed gradients (dW, db) and the counts, from each sample's dz and input (``slope_at_zero``:
    ReLU's g'(0), 0 as the assignment says; 1 is the mistake of writing ``z >= 0``)."""
    zs, acts = forward(params, X)
    dz = acts[-1] - y                                   # sigmoid + binary cross-entropy, per sample
    sums, counts = [None] * len(params), [None] * len(params)
    for layer in range(len(params) // 2 - 1, -1, -1):
        a_prev = acts[layer]
        sums[2 * layer], sums[2 * layer + 1] = a_prev.T @ dz, dz.sum(axis=0)
        counts[2 * layer] = (a_prev != 0).T.astype(float) @ (dz != 0).astype(float)
        counts[2 * layer + 1] = (dz != 0).sum(axis=0).astype(float)
        if layer:
            z = zs[layer - 1]
            dz = (dz @ params[2 * layer].T) * np.where(z == 0, slope_at_zero, z > 0)
    return sums, counts


def effective_counts(params, X, y, slope_at_zero=0.0):
    return backward(params, X, y, slope_at_zero)[1]


def effective_gradient(params, X, y, slope_at_zero=0.0):
    sums, counts = backward(params, X, y, slope_at_zero)
    return [np.where(c > 0, s / np.maximum(c, 1), 0.0) for s, c in zip(sums, counts)]


def asgd_step(params, X, y, lr):
    return [p - lr * g for p, g in zip(params, effective_gradient(params, X, y))]


def test_the_cases_have_dead_and_always_on_units_and_parameters_no_sample_moves():
    for params, X, y in checks._network_cases(np.random.default_rng(0)):
        first = dead_units(params, X)[0]
        assert first[0][0] and not first[1][0]             # the zero unit: z = 0, dead
        counts = effective_counts(params, X, y)
        assert np.all(counts[0][:, 0] == 0)                # nothing moves its weights
        if params[0].shape[1] > 2:
            assert first[0][1] and first[1][2]             # pushed off, pushed on


def test_by_hand():
    # one hidden unit: z = x (on for x > 0); output z2 = a, y = 0: dz2 = sigmoid(a), dz1 = sigmoid(a) * [x > 0]
    params = [np.array([[1.0]]), np.array([0.0]), np.array([[1.0]]), np.array([0.0])]
    X, y = np.array([[2.0], [-1.0]]), np.zeros((2, 1))
    (dead, on), = dead_units(params, X)
    assert not dead[0] and not on[0]
    counts = effective_counts(params, X, y)
    assert [c.tolist() for c in counts] == [[[1.0]], [1.0], [[1.0]], [2.0]]   # a = 0 for x = -1: one sample for W2
    s = 1 / (1 + np.exp(-2.0))
    grads = effective_gradient(params, X, y)
    assert np.isclose(grads[0][0, 0], 2 * s) and np.isclose(grads[2][0, 0], 2 * s)
    assert np.isclose(grads[3][0], (s + 0.5) / 2)


def test_the_reference_passes():
    assert checks.dead_units(dead_units) == 4
    assert checks.effective_counts(effective_counts) == 4
    assert checks.effective_gradient(effective_gradient) == 4
    assert checks.asgd_step(asgd_step) == 4
    for seed in (3, 2**35 + 11):
        checks.effective_gradient(effective_gradient, seed=seed)
        checks.dead_units(dead_units, seed=seed)


def test_each_mistake_is_named():
    def dead_strict(params, X):
        zs, _ = forward(params, X)
        return [((z < 0).all(axis=0), (z > 0).all(axis=0)) for z in zs[:-1]]

    def on_at_zero(params, X):
        zs, _ = forward(params, X)
        return [((z <= 0).all(axis=0), (z >= 0).all(axis=0)) for z in zs[:-1]]

    def not_dead(params, X):
        return [(d, ~d) for d, _ in dead_units(params, X)]

    def no_relu(params, X):
        out, a = [], X
        for layer in range(len(params) // 2 - 1):
            a = a @ params[2 * layer] + params[2 * layer + 1]
            out.append(((a <= 0).all(axis=0), (a > 0).all(axis=0)))
        return out

    with pytest.raises(GradingError, match="a unit with z = 0 on every sample is dead too"):
        checks.dead_units(dead_strict)
    with pytest.raises(GradingError, match="at z = 0 the ReLU is off"):
        checks.dead_units(on_at_zero)
    with pytest.raises(GradingError, match="not merely not dead"):
        checks.dead_units(not_dead)
    with pytest.raises(GradingError, match="the ReLU of the layer below"):
        checks.dead_units(no_relu)

    def counts_dz_only(params, X, y):
        counts = effective_counts(params, X, y)
        return [np.broadcast_to(counts[k + 1], c.shape).copy() if k % 2 == 0 else c for k, c in enumerate(counts)]

    with pytest.raises(GradingError, match=r"it is 0 when the input a_\{l-1\}\[n, i\] is 0"):
        checks.effective_counts(counts_dz_only)
    with pytest.raises(GradingError, match="not every sample of the batch"):
        checks.effective_counts(lambda params, X, y: [np.full(p.shape, float(len(X))) for p in params])

    def mean(params, X, y):
        return [s / len(X) for s in backward(params, X, y)[0]]

    def nan_for_none(params, X, y):
        sums, counts = backward(params, X, y)
        with np.errstate(invalid="ignore"):
            return [s / c for s, c in zip(sums, counts)]

    def dz_only(params, X, y):
        sums, _ = backward(params, X, y)
        counts = counts_dz_only(params, X, y)
        return [np.where(c > 0, s / np.maximum(c, 1), 0.0) for s, c in zip(sums, counts)]

    with pytest.raises(GradingError, match="this is the batch mean"):
        checks.effective_gradient(mean)
    with pytest.raises(GradingError, match="must be divided by each parameter's count"):
        checks.effective_gradient(lambda params, X, y: backward(params, X, y)[0])
    with pytest.raises(GradingError, match="0 / 0 gives NaN"):
        checks.effective_gradient(nan_for_none)
    with pytest.raises(GradingError, match="must leave out the samples whose input"):
        checks.effective_gradient(dz_only)

    with pytest.raises(GradingError, match="this is SGD's step with the batch mean"):
        checks.asgd_step(lambda params, X, y, lr: [p - lr * g for p, g in zip(params, mean(params, X, y))])
    with pytest.raises(GradingError, match="the sign is flipped"):
        checks.asgd_step(lambda params, X, y, lr: [p + lr * g for p, g in
                                                   zip(params, effective_gradient(params, X, y))])


def test_relus_slope_one_at_zero_is_named_in_every_gradient_question():
    # every case has a unit at exactly z = 0 on every sample; with g'(0) = 1 its delta flows back
    def counts(params, X, y):
        return effective_counts(params, X, y, slope_at_zero=1.0)

    def gradient(params, X, y):
        return effective_gradient(params, X, y, slope_at_zero=1.0)

    for params, X, y in checks._network_cases(np.random.default_rng(1)):   # the mistake changes the answer
        assert any(np.any(a != b) for a, b in zip(counts(params, X, y), effective_counts(params, X, y)))
    with pytest.raises(GradingError, match="slope at z = 0 is 0"):
        checks.effective_counts(counts)
    with pytest.raises(GradingError, match="slope at z = 0 is 0"):
        checks.effective_gradient(gradient)
    with pytest.raises(GradingError, match="slope at z = 0 is 0"):
        checks.asgd_step(lambda params, X, y, lr: [p - lr * g for p, g in zip(params, gradient(params, X, y))])


def test_calling_the_reference_is_refused():
    def with_mlp(params, X):
        net = nn.MLP([2] + [W.shape[1] for W in params[0::2]], output="sigmoid")
        for p, q in zip(net.params, params):
            p[...] = q
        return net.dead_units(X)

    with pytest.raises(UsedReference, match=r"course_lib.nn"):
        checks.dead_units(with_mlp)


def test_the_output_unit_stays_far_from_saturation():
    """|z_L| <= 8 in every case: p = sigmoid(z_L) never rounds to exactly 1 (from z_L ~ 36.7 on), so whether a
    sample's dz_L = p - y is 0 never depends on how the student computes the sigmoid (unscaled, z_L reached 52)."""
    for seed in [None, *range(60)]:
        for params, X, y in checks._network_cases(checks.case_rng(seed, 91)):
            z_out = forward(params, X)[0][-1]
            assert np.abs(z_out).max() <= checks.MAX_OUTPUT_Z * (1 + 1e-12)
            assert np.all(forward(params, X)[1][-1] < 1.0)


def test_other_correct_ways_pass_for_every_student(monkeypatch):
    """Other ways to the sigmoid (tanh, logaddexp) and per-sample backpropagation pass, for any seed."""
    def per_sample(params, X, y):
        counts, sums = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
        for i in range(len(X)):
            s, _ = backward(params, X[i:i + 1], y[i:i + 1])
            for c, t, g in zip(counts, sums, s):
                c += g != 0
                t += g
        return sums, counts

    def counts_per_sample(params, X, y):
        return per_sample(params, X, y)[1]

    def gradient_per_sample(params, X, y):
        sums, counts = per_sample(params, X, y)
        return [np.divide(s, c, out=np.zeros_like(s), where=c > 0) for s, c in zip(sums, counts)]

    for sigmoid in (lambda z: 0.5 * (1 + np.tanh(z / 2)), lambda z: np.exp(-np.logaddexp(0.0, -z))):
        def forward_with(params, X, sigmoid=sigmoid):
            zs, acts = [], [X]
            for layer in range(len(params) // 2):
                z = acts[-1] @ params[2 * layer] + params[2 * layer + 1]
                zs.append(z)
                acts.append(np.maximum(z, 0) if layer < len(params) // 2 - 1 else sigmoid(z))
            return zs, acts

        monkeypatch.setitem(globals(), "forward", forward_with)
        for seed in [None, *range(15)]:
            checks.effective_counts(counts_per_sample, seed=seed)
            checks.effective_gradient(gradient_per_sample, seed=seed)
            checks.asgd_step(asgd_step, seed=seed)
