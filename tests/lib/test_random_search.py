"""Tests of course_lib.random_search: finite differences, ARS, LQR, and both training the perceptron.

Expected values come from hand derivations written out below, closed forms
(the scalar Riccati equation, the Bellman identity of the LQR value function,
the finite-horizon Riccati recursion), numpy reductions (np.mean / np.var) or
TensorFlow; statistical tests state their tolerance and how it was derived.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import random_search as rs
from course_lib.perceptron import PerceptronProblem, make_separable_data
from course_lib.random_search import (
    LQR,
    LinearPolicy,
    RunningStat,
    ars,
    ars_update,
    basic_random_search_update,
    finite_difference_search,
    finite_difference_step,
    lqr_optimal_gain,
)

SEEDS = (0, 1, 2)


# ---------------------------------------------------------------------------
# shared problems
# ---------------------------------------------------------------------------
def quadratic(H, b):
    """L(w) = 1/2 w^T H w - b^T w, gradient H w - b, minimum at H^{-1} b."""

    def loss(w):
        return float(0.5 * w @ H @ w - b @ w)

    return loss


H_Q = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
B_Q = np.array([1.0, -2.0, 0.5])

# Discretised double integrator (position, velocity; dt = 0.1), one force input.
A_DI = np.array([[1.0, 0.1], [0.0, 1.0]])
B_DI = np.array([[0.005], [0.1]])
Q_DI = np.eye(2)
R_DI = np.array([[0.1]])
# +-e1, +-e2: symmetric initial states, so a linear policy's states have mean 0.
X0_DI = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
HORIZON = 50


def finite_horizon_lower_bound(A, B, Q, R, horizon, x0):
    """Optimal cost over ALL policies (time-varying, even open-loop) on a finite horizon.

    Backward Riccati recursion with no terminal cost:
    P_H = 0, P_t = Q + A^T P A - A^T P B (R + B^T P B)^{-1} B^T P A; the cost
    from x0 is x0^T P_0 x0.  No static linear policy can beat it.
    """
    P = np.zeros_like(Q)
    for _ in range(horizon):
        P = Q + A.T @ P @ A - A.T @ P @ B @ np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A)
    return float(np.mean([x @ P @ x for x in x0]))


# ===========================================================================
# finite_difference_step
# ===========================================================================
def test_finite_difference_step_is_pure_and_returns_new_array():
    w = np.array([0.3, -0.2, 0.1])
    w_copy = w.copy()
    w_new = finite_difference_step(quadratic(H_Q, B_Q), w, 0.1, 0.01, np.random.default_rng(0))
    np.testing.assert_array_equal(w, w_copy)
    assert w_new is not w and not np.shares_memory(w_new, w)


def test_finite_difference_step_reproduced_by_hand():
    # For the quadratic L(w) = 1/2 w^T H w - b^T w the even terms cancel:
    #   L(w + d) - L(w - d) = (w^T H d - b^T d) - (-w^T H d + b^T d) = 2 (H w - b) . d
    # exactly, so the step is w - lr * 2 ((H w - b) . dW) dW with
    # dW = sigma * standard_normal(shape) from an identically seeded Generator.
    w = np.array([0.3, -0.2, 0.1])
    lr, sigma = 0.7, 0.05
    dW = sigma * np.random.default_rng(42).standard_normal(size=w.shape)
    g = H_Q @ w - B_Q
    expected = w - lr * 2.0 * (g @ dW) * dW
    got = finite_difference_step(quadratic(H_Q, B_Q), w, lr, sigma, np.random.default_rng(42))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_finite_difference_direction_has_expectation_two_sigma_squared_gradient():
    # X = (L+ - L-) dW = 2 (g . dW) dW = 2 sigma^2 (g . z) z with z ~ N(0, I).
    # E[X] = 2 sigma^2 E[z z^T] g = 2 sigma^2 g (exact for a quadratic).
    # Var(X_i) = 4 sigma^4 Var((g.z) z_i);  E[(g.z)^2 z_i^2] = |g|^2 + 2 g_i^2
    # (E z_i^4 = 3), so Var((g.z) z_i) = |g|^2 + g_i^2.
    # The mean of n samples has standard error 2 sigma^2 sqrt((|g|^2 + g_i^2) / n);
    # we allow 5 standard errors (two-sided p ~ 6e-7 per coordinate).
    w = np.array([0.3, -0.2, 0.1])
    lr, sigma, n = 0.1, 0.3, 20_000
    loss = quadratic(H_Q, B_Q)
    rng = np.random.default_rng(123)
    total = np.zeros(3)
    for _ in range(n):
        total += (w - finite_difference_step(loss, w, lr, sigma, rng)) / lr  # = (L+ - L-) dW
    mean_direction = total / n
    g = H_Q @ w - B_Q  # closed-form gradient
    expected = 2 * sigma**2 * g
    std_error = 2 * sigma**2 * np.sqrt((g @ g + g**2) / n)
    assert np.all(np.abs(mean_direction - expected) < 5 * std_error)
    # and the estimate is informative: the error is small next to the signal
    assert np.linalg.norm(mean_direction - expected) < 0.05 * np.linalg.norm(expected)


def test_finite_difference_minimises_while_the_slide_sign_ascends():
    loss = quadratic(H_Q, B_Q)
    w_star = np.linalg.solve(H_Q, B_Q)
    L_star = loss(w_star)
    w0 = np.zeros(3)
    # effective learning rate 2 * lr * sigma^2 = 2 * 10 * 0.1^2 = 0.2 < 2 / lambda_max(H)
    w, hist = finite_difference_search(loss, w0, lr=10.0, sigma=0.1, n_steps=300, rng=np.random.default_rng(5))
    assert loss(w) - L_star < 1e-3 * (loss(w0) - L_star)
    np.testing.assert_array_equal(hist["n_evaluations"][[0, -1]], [2, 600])
    np.testing.assert_array_equal(w0, np.zeros(3))
    # The slide's rule W + alpha (G_p - G_n) dW with G = losses climbs the loss (erratum in 001).
    rng = np.random.default_rng(5)
    w_slide = w0.copy()
    for _ in range(50):
        dW = 0.1 * rng.standard_normal(3)
        w_slide = w_slide + 10.0 * (loss(w_slide + dW) - loss(w_slide - dW)) * dW
    assert loss(w_slide) > loss(w0) + 1.0


def test_finite_difference_step_bad_inputs():
    loss = quadratic(H_Q, B_Q)
    w = np.zeros(3)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="lr"):
        finite_difference_step(loss, w, 0.0, 0.1, rng)
    with pytest.raises(ValueError, match="sigma"):
        finite_difference_step(loss, w, 0.1, -1.0, rng)
    # rng is an int or a Generator (validation.as_generator); anything else is named in the error
    with pytest.raises(TypeError, match=r"rng must be an int or a numpy random Generator.*RandomState"):
        finite_difference_step(loss, w, 0.1, 0.1, np.random.RandomState(0))
    with pytest.raises(TypeError, match="rng must be an int or a numpy random Generator"):
        finite_difference_step(loss, w, 0.1, 0.1, 0.5)
    with pytest.raises(ValueError, match="rng must be an int >= 0"):
        finite_difference_step(loss, w, 0.1, 0.1, -1)
    with pytest.raises(TypeError, match="w"):
        finite_difference_step(loss, np.zeros(3, dtype=int), 0.1, 0.1, rng)
    with pytest.raises(TypeError, match="loss"):
        finite_difference_step("not callable", w, 0.1, 0.1, rng)
    with pytest.raises(ValueError, match=r"loss\(w \+ dW\)"):
        finite_difference_step(lambda v: float("nan"), w, 0.1, 0.1, rng)
    with pytest.raises(ValueError, match=r"loss\(w \+ dW\) must be a scalar"):
        finite_difference_step(lambda v: v, w, 0.1, 0.1, rng)  # not a scalar
    with pytest.raises(ValueError, match="n_steps"):
        finite_difference_search(loss, w, 0.1, 0.1, 0, rng)
    with pytest.raises(TypeError, match="rng must be an int or a numpy random Generator"):
        finite_difference_search(loss, w, 0.1, 0.1, 3, "seed")


def test_finite_difference_rng_may_be_an_int_seed():
    # An int seeds a new Generator: the step equals the hand-written one with default_rng(7)
    # (the quadratic's exact difference 2 (H w - b) . dW, as in the test above) ...
    loss = quadratic(H_Q, B_Q)
    w, lr, sigma = np.array([0.3, -0.2, 0.1]), 0.7, 0.05
    dW = sigma * np.random.default_rng(7).standard_normal(size=3)
    expected = w - lr * 2.0 * ((H_Q @ w - B_Q) @ dW) * dW
    np.testing.assert_allclose(finite_difference_step(loss, w, lr, sigma, 7), expected, rtol=1e-12, atol=1e-15)
    # ... and a search seeded with an int draws its directions one after the other from ONE
    # Generator (not the same dW at every step): three steps written out by hand.
    gen = np.random.default_rng(7)
    w_ref = w.copy()
    for _ in range(3):
        dW = sigma * gen.standard_normal(size=3)
        w_ref = w_ref - lr * 2.0 * ((H_Q @ w_ref - B_Q) @ dW) * dW
    w_int, _ = finite_difference_search(loss, w, lr, sigma, 3, 7)
    np.testing.assert_allclose(w_int, w_ref, rtol=1e-12, atol=1e-15)


def test_finite_difference_search_history_holds_the_iterates_and_the_free_estimates():
    # Three steps by hand on the quadratic.  Its central difference is exact, and its even part gives
    # the estimate's bias exactly: (L(w + d) + L(w - d)) / 2 = L(w) + 1/2 d^T H d.
    loss = quadratic(H_Q, B_Q)
    w0, lr, sigma = np.array([0.3, -0.2, 0.1]), 0.7, 0.05
    gen, w = np.random.default_rng(11), w0.copy()
    iterates, estimates = [], []
    for _ in range(3):
        dW = sigma * gen.standard_normal(size=3)
        estimates.append(loss(w) + 0.5 * dW @ H_Q @ dW)  # at w_t, the weights before the step
        w = w - lr * 2.0 * ((H_Q @ w - B_Q) @ dW) * dW
        iterates.append(w)
    w_final, hist = finite_difference_search(loss, w0, lr, sigma, 3, np.random.default_rng(11))
    assert hist["w"].shape == (3, 3)
    np.testing.assert_allclose(hist["w"], iterates, rtol=1e-12, atol=1e-15)  # w_1, w_2, w_3: after each step
    np.testing.assert_array_equal(hist["w"][-1], w_final)
    np.testing.assert_allclose(hist["loss_estimate"], estimates, rtol=1e-12)
    np.testing.assert_array_equal(hist["n_evaluations"], [2, 4, 6])
    np.testing.assert_array_equal(w0, [0.3, -0.2, 0.1])


# ===========================================================================
# ars_update and basic_random_search_update
# ===========================================================================
# N = 3 directions of a 1 x 2 policy.
DELTAS = np.array([[[1.0, 0.0]], [[0.0, 1.0]], [[1.0, 1.0]]])
R_PLUS = np.array([1.0, 4.0, 0.0])
R_MINUS = np.array([3.0, 2.0, 1.0])
M_START = np.array([[0.5, -0.5]])


def test_ars_update_hand_worked_example():
    # scores max(r+, r-) = [max(1,3), max(4,2), max(0,1)] = [3, 4, 1]
    # top b = 2: direction 1 (0-based; score 4), then direction 0 (score 3); direction 2 dropped.
    # rewards used: {r+_1, r-_1, r+_0, r-_0} = {4, 2, 1, 3}, mean 2.5,
    #   deviations 1.5, -0.5, -1.5, 0.5, squares 2.25 + 0.25 + 2.25 + 0.25 = 5,
    #   population variance (ddof=0) 5/4 = 1.25, sigma_R = sqrt(1.25) = sqrt(5)/2.
    # sum (r+ - r-) delta = (4-2) [0, 1] + (1-3) [1, 0] = [-2, 2]
    # alpha / (b sigma_R) = 0.1 / (2 * sqrt(5)/2) = 0.1 / sqrt(5)
    # M = [0.5, -0.5] + 0.1/sqrt(5) * [-2, 2] = [0.5 - 0.2/sqrt(5), -0.5 + 0.2/sqrt(5)]
    s = 0.2 / np.sqrt(5.0)
    expected = np.array([[0.5 - s, -0.5 + s]])
    got = ars_update(M_START, DELTAS, R_PLUS, R_MINUS, step_size=0.1, top_b=2)
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    # with ddof=1 the sample std would be sqrt(5/3) and the result different:
    s_ddof1 = 0.1 / (2 * np.sqrt(5.0 / 3.0)) * 2
    assert abs(got[0, 0] - (0.5 - s_ddof1)) > 1e-3
    np.testing.assert_array_equal(M_START, [[0.5, -0.5]])  # pure


def test_ars_update_all_directions():
    # b = N = 3: rewards used {1,4,0,3,2,1}, mean 11/6;
    # sum of squares = 1+16+0+9+4+1 = 31, variance = 31/6 - (11/6)^2 = 186/36 - 121/36 = 65/36,
    # sigma_R = sqrt(65)/6.  sum (r+ - r-) delta = -2[1,0] + 2[0,1] - 1[1,1] = [-3, 1].
    # M = M0 + 0.1 / (3 sqrt(65)/6) * [-3, 1] = M0 + 0.2/sqrt(65) * [-3, 1]
    c = 0.2 / np.sqrt(65.0)
    expected = M_START + c * np.array([[-3.0, 1.0]])
    np.testing.assert_allclose(ars_update(M_START, DELTAS, R_PLUS, R_MINUS, 0.1, 3), expected, rtol=1e-14)


def test_ars_update_is_basic_random_search_over_the_top_b_with_rewards_divided_by_sigma_R():
    # Mania et al. 2018, Algorithm 1: ARS is basic random search restricted to the b best directions, the
    # rewards divided by their standard deviation sigma_R (np.std, ddof=0, of the 2b rewards used).
    rng = np.random.default_rng(21)
    M, deltas = rng.normal(size=(2, 3)), rng.normal(size=(7, 2, 3))
    rp, rm = rng.normal(size=7), rng.normal(size=7)
    for b in range(1, 8):
        top = sorted(range(7), key=lambda k: -max(rp[k], rm[k]))[:b]  # best first, ties by index (sorted is stable)
        sigma_R = np.std(np.concatenate([rp[top], rm[top]]))
        expected = basic_random_search_update(M, deltas[top], rp[top] / sigma_R, rm[top] / sigma_R, 0.1)
        np.testing.assert_allclose(ars_update(M, deltas, rp, rm, 0.1, b), expected, rtol=1e-12, atol=1e-15)


def test_basic_random_search_hand_worked_example():
    # M + alpha/N * sum (r+ - r-) delta = M0 + 0.1/3 * [-3, 1] = [0.4, -0.5 + 0.1/3]
    got = basic_random_search_update(M_START, DELTAS, R_PLUS, R_MINUS, 0.1)
    np.testing.assert_allclose(got, [[0.4, -0.5 + 0.1 / 3]], rtol=1e-14)


def test_ars_update_ties_and_zero_std():
    # Equal rewards everywhere: sigma_R = 0, every difference is 0 -> M unchanged (a copy).
    r = np.full(3, 2.0)
    got = ars_update(M_START, DELTAS, r, r, 0.1, 2)
    np.testing.assert_array_equal(got, M_START)
    assert got is not M_START
    # Ties in the score keep the lower index: scores [5, 5, 5], b = 1 keeps direction 0.
    # rewards used {5, 3}: sigma_R = 1, update = 0.1/(1*1) * (5 - 3) [1, 0] = [0.2, 0]
    got = ars_update(M_START, DELTAS, np.array([5.0, 5.0, 3.0]), np.array([3.0, 1.0, 5.0]), 0.1, 1)
    np.testing.assert_allclose(got, [[0.7, -0.5]], rtol=1e-14)


def test_top_directions_by_hand():
    # scores max(r+, r-) = [3, 4, 1]: best first, direction 1 then 0 then 2
    np.testing.assert_array_equal(rs.top_directions(R_PLUS, R_MINUS, 2), [1, 0])
    np.testing.assert_array_equal(rs.top_directions(R_PLUS, R_MINUS, 3), [1, 0, 2])
    # ties keep the lower index: scores [5, 5, 5]
    np.testing.assert_array_equal(rs.top_directions(np.array([5.0, 5.0, 3.0]), np.array([3.0, 1.0, 5.0]), 2), [0, 1])
    with pytest.raises(ValueError, match=r"top_b must be <= n_directions = 3; got top_b = 4"):
        rs.top_directions(R_PLUS, R_MINUS, 4)
    with pytest.raises(TypeError, match="top_b must be an integer"):
        rs.top_directions(R_PLUS, R_MINUS, 1.0)
    with pytest.raises(ValueError, match="rewards_plus and rewards_minus must be 1-D of equal length"):
        rs.top_directions(R_PLUS, R_MINUS[:2], 1)


def test_ars_update_bad_inputs():
    with pytest.raises(ValueError, match="top_b"):
        ars_update(M_START, DELTAS, R_PLUS, R_MINUS, 0.1, 4)
    with pytest.raises(ValueError, match="top_b"):
        ars_update(M_START, DELTAS, R_PLUS, R_MINUS, 0.1, 0)
    with pytest.raises(TypeError, match="top_b"):
        ars_update(M_START, DELTAS, R_PLUS, R_MINUS, 0.1, 2.0)
    with pytest.raises(ValueError, match="step_size"):
        ars_update(M_START, DELTAS, R_PLUS, R_MINUS, 0.0, 2)
    with pytest.raises(ValueError, match="deltas"):
        ars_update(M_START, DELTAS[:, :, :1], R_PLUS, R_MINUS, 0.1, 2)
    with pytest.raises(ValueError, match="rewards_plus"):
        ars_update(M_START, DELTAS, R_PLUS[:2], R_MINUS, 0.1, 2)
    with pytest.raises(ValueError, match=r"rewards_minus\[2\].*direction index 2"):
        ars_update(M_START, DELTAS, R_PLUS, np.array([3.0, 2.0, np.nan]), 0.1, 2)
    with pytest.raises(ValueError, match=r"rewards_plus\[0\]"):
        basic_random_search_update(M_START, DELTAS, np.array([np.inf, 1.0, 1.0]), R_MINUS, 0.1)
    with pytest.raises(ValueError, match="M"):
        ars_update(np.zeros(2), DELTAS, R_PLUS, R_MINUS, 0.1, 2)
    with pytest.raises(ValueError, match="step_size"):
        basic_random_search_update(M_START, DELTAS, R_PLUS, R_MINUS, -1.0)


# ===========================================================================
# RunningStat
# ===========================================================================
def test_running_stat_matches_numpy_over_all_pushed_states():
    rng = np.random.default_rng(3)
    batches = [rng.normal([1.0, -50.0, 1e-3], [2.0, 30.0, 1e-4], size=(k, 3)) for k in (1, 7, 40, 3)]
    batches.append(np.array([0.5, -10.0, 2e-3]))  # a single state of shape (n,)
    stat = RunningStat(3)
    for b in batches:
        stat.push(b)
    all_states = np.vstack([np.atleast_2d(b) for b in batches])
    assert stat.count == all_states.shape[0] == 52
    np.testing.assert_allclose(stat.mean, np.mean(all_states, axis=0), rtol=1e-12)
    np.testing.assert_allclose(stat.var, np.var(all_states, axis=0), rtol=1e-10)  # ddof=0
    np.testing.assert_allclose(stat.std, np.std(all_states, axis=0), rtol=1e-10)


def test_running_stat_initial_values_and_floor():
    stat = RunningStat(2, min_std=1e-6)
    np.testing.assert_array_equal(stat.mean, [0.0, 0.0])  # mu_0 = 0
    np.testing.assert_array_equal(stat.std, [1.0, 1.0])  # Sigma_0 = I
    stat.push(np.array([[3.0, 1.0], [3.0, 2.0], [3.0, 3.0]]))  # first coordinate constant
    np.testing.assert_allclose(stat.std, [1e-6, np.sqrt(2.0 / 3.0)])  # var of 1,2,3 is 2/3
    x = np.array([3.0, 2.0])
    np.testing.assert_allclose((x - stat.mean) / stat.std, [0.0, 0.0])  # constant coordinate -> 0


def test_running_stat_bad_inputs():
    stat = RunningStat(3)
    with pytest.raises(ValueError, match="states"):
        stat.push(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="states"):
        stat.push(np.array([[np.nan, 0.0, 0.0]]))
    with pytest.raises(TypeError, match="states"):
        stat.push(np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="n_features"):
        RunningStat(0)
    with pytest.raises(ValueError, match="min_std"):
        RunningStat(3, min_std=0.0)


def test_linear_policy_v1_v2_and_bad_inputs():
    M = np.array([[1.0, 2.0]])
    np.testing.assert_allclose(LinearPolicy(M)(np.array([3.0, 4.0])), [11.0])  # 1*3 + 2*4
    # V2: M diag(std)^-1 (x - mean) = 1*(3-1)/2 + 2*(4-2)/4 = 1 + 1 = 2
    pol = LinearPolicy(M, mean=np.array([1.0, 2.0]), std=np.array([2.0, 4.0]))
    np.testing.assert_allclose(pol(np.array([[3.0, 4.0], [1.0, 2.0]])), [[2.0], [0.0]])
    with pytest.raises(ValueError, match="mean and std"):
        LinearPolicy(M, mean=np.zeros(2))
    with pytest.raises(ValueError, match="std"):
        LinearPolicy(M, mean=np.zeros(2), std=np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="x"):
        LinearPolicy(M)(np.zeros(3))


# ===========================================================================
# ars: one iteration reproduced by hand, bookkeeping, bad inputs
# ===========================================================================
S_TOY = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]])  # fixed "states"
T_TOY = np.array([[1.0], [0.0], [-1.0]])  # target actions


def toy_reward(policy):
    """reward = -sum (policy(s) - t)^2 over three fixed states; visits the states S_TOY."""
    return -float(np.sum((policy(S_TOY) - T_TOY) ** 2)), S_TOY


def toy_reward_of(M, states):
    return -float(np.sum((states @ M.T - T_TOY) ** 2))


def test_ars_two_iterations_reproduced_by_hand_v1_and_v2():
    N, b, alpha, nu = 4, 2, 0.3, 0.2
    for version in ("v1", "v2"):
        M, hist = ars(toy_reward, (1, 2), 2, alpha, N, b, nu, version=version, seed=np.random.default_rng(9))
        # Algorithm 1, written out with an identically seeded Generator.
        rng = np.random.default_rng(9)
        M_ref = np.zeros((1, 2))
        mean, std = np.zeros(2), np.ones(2)  # mu_0 = 0, Sigma_0 = I
        sigmas = []
        for _ in range(2):
            deltas = rng.standard_normal(size=(N, 1, 2))
            states = (S_TOY - mean) / std if version == "v2" else S_TOY
            rp = np.array([toy_reward_of(M_ref + nu * d, states) for d in deltas])
            rm = np.array([toy_reward_of(M_ref - nu * d, states) for d in deltas])
            order = np.argsort(-np.maximum(rp, rm))[:b]
            sigma_R = np.std(np.concatenate([rp[order], rm[order]]))
            sigmas.append(sigma_R)
            M_ref = M_ref + alpha / (b * sigma_R) * sum((rp[k] - rm[k]) * deltas[k] for k in order)
            # every rollout visits S_TOY, so the running statistics are those of S_TOY
            mean, std = S_TOY.mean(axis=0), S_TOY.std(axis=0)
        np.testing.assert_allclose(M, M_ref, rtol=1e-12)
        np.testing.assert_allclose(hist["sigma_R"], sigmas, rtol=1e-12)  # the sigma_R the update divided by
        np.testing.assert_array_equal(hist["n_rollouts"], [8, 16])  # 2N per iteration
        np.testing.assert_array_equal(hist["n_states"], [24, 48])  # 3 states per rollout
        if version == "v2":
            np.testing.assert_allclose(hist["mean"], S_TOY.mean(axis=0))
            np.testing.assert_allclose(hist["std"], S_TOY.std(axis=0))
        else:
            assert hist["mean"] is None and hist["std"] is None


def test_ars_basic_version_and_evaluate_bookkeeping():
    N, alpha, nu = 3, 0.05, 0.1
    M, hist = ars(toy_reward, (1, 2), 1, alpha, N, None, nu, version="basic", seed=np.random.default_rng(4),
                  evaluate=True)
    rng = np.random.default_rng(4)
    deltas = rng.standard_normal(size=(N, 1, 2))
    rp = np.array([toy_reward_of(nu * d, S_TOY) for d in deltas])
    rm = np.array([toy_reward_of(-nu * d, S_TOY) for d in deltas])
    M_ref = alpha / N * sum((rp[k] - rm[k]) * deltas[k] for k in range(N))
    np.testing.assert_allclose(M, M_ref, rtol=1e-12)
    assert hist["n_eval_rollouts"] == 1 and hist["n_rollouts"][-1] == 2 * N
    np.testing.assert_allclose(hist["reward_current"], [toy_reward_of(M_ref, S_TOY)])
    np.testing.assert_allclose(hist["reward_mean"], [np.mean(np.concatenate([rp, rm]))])


def test_ars_seed_is_an_int_or_a_generator():
    # An int seeds a new Generator: the same run as with default_rng(9), and the same run every time.
    args = (toy_reward, (1, 2), 2, 0.3, 4, 2, 0.2)
    M_int, h_int = ars(*args, seed=9)
    M_gen, h_gen = ars(*args, seed=np.random.default_rng(9))
    np.testing.assert_array_equal(M_int, M_gen)
    np.testing.assert_array_equal(h_int["reward_mean"], h_gen["reward_mean"])
    np.testing.assert_array_equal(ars(*args, seed=9)[0], M_int)
    # A Generator is used as it is: it advances, so a second run from it draws other directions.
    gen = np.random.default_rng(9)
    first, second = ars(*args, seed=gen)[0], ars(*args, seed=gen)[0]
    np.testing.assert_array_equal(first, M_int)
    assert not np.array_equal(second, first)


def test_ars_validates_once_and_then_runs_the_update_rules_own_step(monkeypatch):
    # the public functions validate their arguments; ars has validated its own, so its loop calls none of them
    # (one top-b selection and one sigma_R per iteration) and validates only what reward_fn returns
    args = (toy_reward, (1, 2), 2, 0.3, 4)
    runs = {version: ars(*args, None if version == "basic" else 2, 0.2, version=version, seed=5, evaluate=True)
            for version in ("v1", "v2", "basic")}

    def refused(*a, **k):
        raise AssertionError("ars called a validating public function in its loop")

    for name in ("top_directions", "ars_update", "basic_random_search_update"):
        monkeypatch.setattr(rs, name, refused)
    monkeypatch.setattr(rs.RunningStat, "push", refused)
    monkeypatch.setattr(rs.LinearPolicy, "__init__", refused)
    for version, (M, hist) in runs.items():
        M2, hist2 = ars(*args, None if version == "basic" else 2, 0.2, version=version, seed=5, evaluate=True)
        np.testing.assert_array_equal(M2, M)
        np.testing.assert_array_equal(hist2["sigma_R"], hist["sigma_R"])
        np.testing.assert_array_equal(hist2["reward_current"], hist["reward_current"])
        assert isinstance(hist2["policy"], LinearPolicy) and not hist2["policy"].M.flags.writeable
        assert M2.flags.writeable and not np.shares_memory(M2, hist2["policy"].M)


def test_ars_v2_names_the_rollout_whose_states_are_not_finite():
    def reward_fn(policy):
        return 0.0, np.array([[1.0, np.nan]])

    with pytest.raises(ValueError, match=r"states returned by reward_fn \(iteration 0, direction index 0, sign \+\) "
                                         r"must contain only finite values"):
        ars(reward_fn, (1, 2), 1, 0.1, 2, 1, 0.1, version="v2", seed=0)
    ars(reward_fn, (1, 2), 1, 0.1, 2, 1, 0.1, version="v1", seed=0)  # V1 does not average the states


def test_ars_does_not_modify_M0():
    M0 = np.array([[0.1, -0.1]])
    ars(toy_reward, (1, 2), 2, 0.1, 2, 1, 0.1, M0=M0, seed=np.random.default_rng(0))
    np.testing.assert_array_equal(M0, [[0.1, -0.1]])


def test_ars_nonfinite_reward_names_the_direction():
    calls = []

    def reward_fn(policy):
        calls.append(1)
        # rollouts run in the order (k=0,+), (k=0,-), (k=1,+), ...; the 6th is (k=2, -)
        return (float("nan") if len(calls) == 6 else 0.0), S_TOY

    with pytest.raises(ValueError, match="direction index 2, sign -"):
        ars(reward_fn, (1, 2), 1, 0.1, 4, 2, 0.1, seed=np.random.default_rng(0))


def test_ars_bad_inputs():
    rng = np.random.default_rng(0)
    ok = dict(policy_shape=(1, 2), n_iterations=1, step_size=0.1, n_directions=4, top_b=2, noise=0.1)
    with pytest.raises(ValueError, match="top_b"):
        ars(toy_reward, **{**ok, "top_b": 5}, seed=rng)
    with pytest.raises(ValueError, match="step_size"):
        ars(toy_reward, **{**ok, "step_size": 0.0}, seed=rng)
    with pytest.raises(ValueError, match="noise"):
        ars(toy_reward, **{**ok, "noise": -0.1}, seed=rng)
    with pytest.raises(ValueError, match="version"):
        ars(toy_reward, **ok, version="v3", seed=rng)
    with pytest.raises(ValueError, match="top_b"):
        ars(toy_reward, **ok, version="basic", seed=rng)  # basic uses all directions
    with pytest.raises(ValueError, match="n_directions"):
        ars(toy_reward, **{**ok, "n_directions": 0}, seed=rng)
    with pytest.raises(ValueError, match="n_iterations"):
        ars(toy_reward, **{**ok, "n_iterations": 0}, seed=rng)
    with pytest.raises(ValueError, match="policy_shape"):
        ars(toy_reward, **{**ok, "policy_shape": (2,)}, seed=rng)
    with pytest.raises(ValueError, match="M0"):
        ars(toy_reward, **ok, M0=np.zeros((2, 2)), seed=rng)
    with pytest.raises(TypeError, match=r"seed must be an int or a numpy random Generator.*float"):
        ars(toy_reward, **ok, seed=4.2)
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        ars(toy_reward, **ok, seed=np.random.RandomState(0))
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        ars(toy_reward, **ok, seed=-1)
    with pytest.raises(TypeError, match="evaluate must be True or False; got"):
        ars(toy_reward, **ok, seed=rng, evaluate=1)
    with pytest.raises(TypeError, match="reward_fn"):
        ars(None, **ok, seed=rng)
    with pytest.raises(ValueError, match="states"):
        ars(lambda pol: (0.0, np.zeros((5, 3))), **ok, seed=rng)
    with pytest.raises(TypeError, match="pair"):
        ars(lambda pol: 0.0, **ok, seed=rng)


# ===========================================================================
# LQR and the Riccati equation
# ===========================================================================
def dare_residual(A, B, Q, R, P):
    return Q + A.T @ P @ A - A.T @ P @ B @ np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A) - P


@pytest.mark.parametrize(
    "A, B, Q, R",
    [
        (A_DI, B_DI, Q_DI, R_DI),
        # Mania et al. 2018, Section 4.3: the 3-state "slightly unstable" system
        (np.array([[1.01, 0.01, 0.0], [0.01, 1.01, 0.01], [0.0, 0.01, 1.01]]), np.eye(3), 1e-3 * np.eye(3), np.eye(3)),
    ],
)
def test_lqr_optimal_gain_solves_the_riccati_equation(A, B, Q, R):
    K, P = lqr_optimal_gain(A, B, Q, R)
    assert np.max(np.abs(dare_residual(A, B, Q, R, P))) < 1e-10 * max(1.0, np.max(np.abs(P)))
    # the returned P is one whose residual met the default tol = 1e-12 (up to this formula's round-off)
    assert np.max(np.abs(dare_residual(A, B, Q, R, P))) <= 2e-12 * max(1.0, np.max(np.abs(P)))
    np.testing.assert_allclose(K, np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A), rtol=1e-12)
    assert np.max(np.abs(np.linalg.eigvals(A - B @ K))) < 1.0  # closed loop is stable
    np.testing.assert_allclose(P, P.T)


@pytest.mark.parametrize("a, b, q, r", [(2.0, 1.0, 1.0, 1.0), (0.9, 0.5, 2.0, 0.3), (1.0, 1.0, 1.0, 1.0)])
def test_lqr_optimal_gain_scalar_closed_form(a, b, q, r):
    # Scalar DARE p = q + a^2 p - a^2 b^2 p^2 / (r + b^2 p). Multiply by (r + b^2 p):
    #   (p - q - a^2 p)(r + b^2 p) + a^2 b^2 p^2 = 0
    #   b^2 p^2 + (r - a^2 r - q b^2) p - q r = 0,
    # whose positive root is p = (-c + sqrt(c^2 + 4 b^2 q r)) / (2 b^2) with c = r(1 - a^2) - q b^2,
    # and k = a b p / (r + b^2 p).  For a=b=q=r=1: p^2 - p - 1 = 0, p = golden ratio 1.618...,
    # k = p/(1+p) = 0.618...; for a=2, b=q=r=1: p^2 - 4p - 1 = 0, p = 2 + sqrt(5), k = 2p/(1+p).
    c = r * (1 - a**2) - q * b**2
    p = (-c + np.sqrt(c**2 + 4 * b**2 * q * r)) / (2 * b**2)
    k = a * b * p / (r + b**2 * p)
    K, P = lqr_optimal_gain(np.array([[a]]), np.array([[b]]), np.array([[q]]), np.array([[r]]))
    np.testing.assert_allclose(P, [[p]], rtol=1e-10)
    np.testing.assert_allclose(K, [[k]], rtol=1e-10)
    if (a, b, q, r) == (2.0, 1.0, 1.0, 1.0):
        np.testing.assert_allclose(P, [[2 + np.sqrt(5)]], rtol=1e-10)


def test_lqr_rollout_hand_example_and_bellman_identity():
    # Scalar a=2, b=q=r=1, horizon 2, x0 = 1, policy u = -x:
    #   t=0: x=1, u=-1, cost 1 + 1 = 2; x1 = 2*1 + (-1) = 1
    #   t=1: x=1, u=-1, cost 2;            total 4, reward -4; states [1, 1]
    env = LQR(np.array([[2.0]]), np.array([[1.0]]), np.array([[1.0]]), np.array([[1.0]]), 2, np.array([[1.0]]))
    reward, states = env.rollout(LinearPolicy(np.array([[-1.0]])))
    assert reward == -4.0
    np.testing.assert_array_equal(states, [[1.0], [1.0]])
    # Under the optimal gain, V(x) = x^T P x satisfies V(x_t) = stage cost_t + V(x_{t+1}), so the
    # cost of H steps from x0 is x0^T P x0 - x_H^T P x_H with x_H = (A - BK)^H x0 (averaged over x0).
    K, P = lqr_optimal_gain(A_DI, B_DI, Q_DI, R_DI)
    env = LQR(A_DI, B_DI, Q_DI, R_DI, HORIZON, X0_DI)
    xH = X0_DI @ np.linalg.matrix_power(A_DI - B_DI @ K, HORIZON).T
    expected = np.mean([x @ P @ x - y @ P @ y for x, y in zip(X0_DI, xH)])
    reward, states = env.rollout(LinearPolicy(-K))
    np.testing.assert_allclose(-reward, expected, rtol=1e-10)
    assert states.shape == (HORIZON * 4, 2)
    np.testing.assert_array_equal(states[:4], X0_DI)


def test_lqr_bad_inputs():
    with pytest.raises(ValueError, match="A"):
        lqr_optimal_gain(np.eye(3), B_DI, Q_DI, R_DI)
    with pytest.raises(ValueError, match="R"):
        lqr_optimal_gain(A_DI, B_DI, Q_DI, np.array([[0.0]]))
    with pytest.raises(ValueError, match="Q"):
        lqr_optimal_gain(A_DI, B_DI, np.array([[1.0, 1.0], [0.0, 1.0]]), R_DI)
    with pytest.raises(ValueError, match="Q"):
        lqr_optimal_gain(A_DI, B_DI, -np.eye(2), R_DI)
    with pytest.raises(TypeError, match="A"):
        lqr_optimal_gain(np.eye(2, dtype=int), B_DI, Q_DI, R_DI)
    # unstable mode 2 that the input cannot reach: no stabilising gain exists
    with pytest.raises(RuntimeError, match="stabilisable"):
        lqr_optimal_gain(np.diag([1.0, 2.0]), np.array([[1.0], [0.0]]), np.eye(2), np.eye(1), max_iter=2000)
    with pytest.raises(ValueError, match="x0"):
        LQR(A_DI, B_DI, Q_DI, R_DI, 10, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="horizon"):
        LQR(A_DI, B_DI, Q_DI, R_DI, 0, X0_DI)
    with pytest.raises(ValueError, match="policy"):
        LQR(A_DI, B_DI, Q_DI, R_DI, 3, X0_DI).rollout(lambda X: np.zeros(4))


# ===========================================================================
# ARS on the LQR
# ===========================================================================
def test_ars_v1_and_v2_reach_the_optimal_lqr_cost():
    K, _ = lqr_optimal_gain(A_DI, B_DI, Q_DI, R_DI)
    env = LQR(A_DI, B_DI, Q_DI, R_DI, HORIZON, X0_DI)
    cost_opt = env.cost(LinearPolicy(-K))
    lower = finite_horizon_lower_bound(A_DI, B_DI, Q_DI, R_DI, HORIZON, X0_DI)
    for version in ("v1", "v2"):
        for seed in SEEDS:
            M, hist = ars(env, (1, 2), 60, 0.05, 8, 4, 0.1, version=version, seed=np.random.default_rng(seed))
            cost = env.cost(hist["policy"])
            assert cost <= 1.01 * cost_opt, (version, seed, cost, cost_opt)
            assert cost >= lower - 1e-9  # no policy beats the finite-horizon optimum
            assert hist["n_rollouts"][-1] == 60 * 2 * 8
            assert hist["n_states"][-1] == 60 * 2 * 8 * HORIZON * 4
            if version == "v1":  # V1 acts on raw states: its M approximates -K itself
                np.testing.assert_allclose(M, -K, rtol=0.05)


def test_ars_v2_learns_on_badly_scaled_states_where_v1_stalls():
    # Same system in coordinates x' = S x with S = diag(1, 0.01): the second state is 100 times
    # smaller, so the optimal gain K S^-1 has an entry ~344 that V1's unit-scale steps cannot reach.
    # The optimal cost is unchanged (same trajectories).  V2 divides by the running std instead.
    S = np.diag([1.0, 0.01])
    S_inv = np.linalg.inv(S)
    A, B, Q = S @ A_DI @ S_inv, S @ B_DI, S_inv @ Q_DI @ S_inv
    K, _ = lqr_optimal_gain(A_DI, B_DI, Q_DI, R_DI)
    env = LQR(A, B, Q, R_DI, HORIZON, X0_DI @ S.T)
    cost_opt = env.cost(LinearPolicy(-K @ S_inv))
    np.testing.assert_allclose(cost_opt, LQR(A_DI, B_DI, Q_DI, R_DI, HORIZON, X0_DI).cost(LinearPolicy(-K)), rtol=1e-9)
    for seed in SEEDS:
        _, h1 = ars(env, (1, 2), 60, 0.05, 8, 4, 0.1, version="v1", seed=np.random.default_rng(seed))
        _, h2 = ars(env, (1, 2), 60, 0.05, 8, 4, 0.1, version="v2", seed=np.random.default_rng(seed))
        cost_v1, cost_v2 = env.cost(h1["policy"]), env.cost(h2["policy"])
        assert cost_v2 <= 1.01 * cost_opt, (seed, cost_v2, cost_opt)
        assert cost_v2 < cost_v1
        assert cost_v1 > 2 * cost_opt  # V1 has not got near in the same budget


# ===========================================================================
# Random search on the perceptron (course_lib.perceptron; its own tests: tests/lib/test_perceptron.py)
# ===========================================================================
def test_finite_differences_and_ars_train_the_perceptron_and_count_evaluations():
    # d = 10 features + bias. GD with learning rate eta uses one gradient per step; the
    # finite-difference step with lr = eta / (2 sigma^2) has the same *expected* step
    # (effective learning rate 2 lr sigma^2 = eta) and uses 2 loss evaluations per step.
    # A gradient by coordinate-wise central differences would cost 2 (d + 1) = 22 evaluations.
    # Robust statement (3 seeds): to reach loss < 0.02 (100 % training accuracy),
    #   GD gradient evaluations  <  FD loss evaluations  <  (d + 1) * GD steps
    # i.e. FD costs more than GD with an analytic gradient but at most half of GD with a
    # numerical gradient.  (Observed: FD needs 0.8-1.2 times GD's number of steps.)
    d, eta, sigma, target = 10, 0.5, 0.05, 0.02
    lr = eta / (2 * sigma**2)
    for seed in SEEDS:
        X, y, _ = make_separable_data(200, np.random.default_rng(seed), n_features=d)
        prob = PerceptronProblem(X, y)
        w, gd_steps = np.zeros(d + 1), 0
        while prob.loss(w) >= target:
            w = w - eta * prob.gradient(w)
            gd_steps += 1
            assert gd_steps < 5000
        assert prob.accuracy(w) == 1.0
        rng = np.random.default_rng(100 + seed)
        w, fd_evals = np.zeros(d + 1), 0
        while prob.loss(w) >= target:  # monitoring only, not counted
            w = finite_difference_step(prob.loss, w, lr, sigma, rng)
            fd_evals += 2
            assert fd_evals < 20_000
        assert prob.accuracy(w) == 1.0
        assert gd_steps < fd_evals < (d + 1) * gd_steps, (seed, gd_steps, fd_evals)
        # ARS V1 on the same problem: the "policy" maps [x, 1] to the logit z.
        M, hist = ars(prob, (1, d + 1), 40, 0.5, 8, 4, 0.5, seed=np.random.default_rng(seed))
        assert prob.accuracy(M.ravel()) == 1.0
        assert prob.loss(M.ravel()) < target
        assert hist["n_rollouts"][-1] == 640


def test_module_exports():
    for name in rs.__all__:
        assert hasattr(rs, name)
    from course_lib import perceptron

    # the perceptron has one home, course_lib.perceptron (assignment 4 hands that module over): no alias here
    for name in ("PerceptronProblem", "make_separable_data"):
        assert name in perceptron.__all__ and hasattr(perceptron, name)
        assert name not in rs.__all__ and not hasattr(rs, name), name


# ---------------------------------------------------------------------------------------------
# lecture 6's race
# ---------------------------------------------------------------------------------------------
def test_race_gradient_descent_curves_by_hand():
    from course_lib.perceptron import make_separable_data
    from course_lib.random_search import RACE_METHODS, gradient_descent_race, race_curves, race_problem

    dim, budget = 3, 40
    X, y, _ = make_separable_data(200, 0, n_features=dim, flip=0.1)
    Xa = np.hstack([X, np.ones((200, 1))])
    J = lambda v: float(np.mean(np.logaddexp(0, Xa @ v) - y * (Xa @ v)))       # the slide's BCE, from logits
    v, exact = np.zeros(dim + 1), []
    for _ in range(budget // 2 + 1):                                          # w0 and 20 exact steps, lr 1
        exact.append(J(v))
        v = v - Xa.T @ (1 / (1 + np.exp(-(Xa @ v))) - y) / 200
    curves = gradient_descent_race(race_problem(dim, 0), budget)
    e, L = curves[RACE_METHODS[1]]
    assert e.tolist() == list(range(0, budget + 1, 2)) and np.allclose(L, exact, rtol=1e-12)
    e, L = curves[RACE_METHODS[0]]                                           # 2 (d + 1) = 8 per numerical step
    assert e.tolist() == [0, 8, 16, 24, 32, 40] and np.allclose(L, exact[:6], rtol=1e-6)
    every = race_curves(dim, 0.05, 4, budget, 0)
    assert tuple(every) == RACE_METHODS and every[RACE_METHODS[2]][0].tolist() == list(range(0, budget + 1, 2))
    assert every[RACE_METHODS[3]][0].tolist() == [0, 8, 16, 24, 32, 40]      # 2N = 8 per ARS iteration
    assert all(c[1][0] == pytest.approx(np.log(2)) for c in every.values())   # J(0) = log 2 for every method


def test_race_validates_its_arguments():
    from course_lib.random_search import race_problem, random_search_race

    with pytest.raises(ValueError, match="dim"):
        race_problem(0)
    with pytest.raises(ValueError, match="sigma"):
        random_search_race(race_problem(2), -0.1, 4, 40)
