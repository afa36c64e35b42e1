"""Goh (2017)'s momentum analysis: every closed form against optim's own recursion and a hand derivation.

The recursions here are run with ``optim.momentum_update`` / ``optim.Momentum`` (the kit's rule) or
written out by hand in Distill's form; the closed forms come from ``course_lib.momentum_theory``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from course_lib import functions, optim
from course_lib import momentum_theory as mt


def rotated_quadratic(lambdas, seed=0, with_b=True):
    """0.5 w'Aw - b'w with A = Q diag(lambdas) Q', Q a random rotation, b random (so w* != 0)."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(len(lambdas), len(lambdas))))
    A = (Q * np.asarray(lambdas, float)) @ Q.T
    A = 0.5 * (A + A.T)
    b = rng.normal(size=len(lambdas)) if with_b else None
    return functions.quadratic_from_matrix(A, b)


def distill_by_hand(A, b, w0, alpha, beta, steps):
    """Goh 2017's momentum written out: z = beta z + grad f(w), w = w - alpha z, z_0 = 0.  Returns (w path, z path)."""
    w, z = np.array(w0, float), np.zeros(len(w0))
    ws, zs = [w.copy()], [z.copy()]
    for _ in range(steps):
        z = beta * z + (A @ w - b)
        w = w - alpha * z
        ws.append(w.copy())
        zs.append(z.copy())
    return np.array(ws), np.array(zs)


# ---------------------------------------------------------------------------------------------
# the mapping: Distill's form is optim's classical momentum
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.7351])
def test_distill_form_is_optims_classical_rule_bit_for_bit_when_alpha_is_a_power_of_two(beta):
    f = rotated_quadratic([0.5, 3.0, 17.0])
    w0, alpha, steps = np.array([1.5, -2.0, 0.25]), 2.0 ** -5, 80
    by_hand, z_hand = distill_by_hand(f.A, f.b, w0, alpha, beta, steps)
    np.testing.assert_array_equal(mt.heavy_ball_path(f, w0, alpha, beta, steps), by_hand)
    # the pure rule itself, with the velocity the mapping names: v = -alpha z
    kwargs = mt.distill_to_classical(alpha, beta)
    assert kwargs == {"lr": alpha, "beta": beta, "variant": "classical"}
    w, v = w0.copy(), mt.classical_velocity(np.zeros(3), alpha)
    for k in range(steps):
        w, v = optim.momentum_update(w, f.A @ w - f.b, v, **kwargs)
        np.testing.assert_array_equal(w, by_hand[k + 1])
        np.testing.assert_array_equal(v, mt.classical_velocity(z_hand[k + 1], alpha))


def test_distill_form_matches_optim_to_rounding_for_any_alpha_and_the_ema_form_after_rescaling():
    f = rotated_quadratic([0.5, 3.0, 17.0], seed=3)
    w0, alpha, beta, steps = np.array([1.0, 2.0, -1.0]), 0.0123, 0.85, 200
    by_hand, _ = distill_by_hand(f.A, f.b, w0, alpha, beta, steps)
    scale = np.abs(by_hand).max()
    np.testing.assert_allclose(mt.heavy_ball_path(f, w0, alpha, beta, steps), by_hand, rtol=0, atol=1e-13 * scale)
    # EMA form: z = v_e / (1 - beta), lr_e = alpha / (1 - beta)
    ema = optim.trajectory(optim.Momentum(alpha / (1 - beta), beta=beta, variant="ema"), f.grad, w0, steps)
    np.testing.assert_allclose(ema, by_hand, rtol=0, atol=1e-12 * scale)


# ---------------------------------------------------------------------------------------------
# the error along each eigenvector
# ---------------------------------------------------------------------------------------------
def test_gradient_descent_error_along_each_eigenvector_is_the_closed_form():
    lambdas = [0.2, 1.0, 4.0, 9.0]
    f = rotated_quadratic(lambdas, seed=1)
    w0, alpha, steps = np.array([1.0, -1.0, 2.0, 0.5]), 0.19, 60
    lam, Q, X = mt.eigenvector_errors(f, mt.heavy_ball_path(f, w0, alpha, 0.0, steps))
    np.testing.assert_allclose(lam, lambdas, rtol=1e-12)
    np.testing.assert_allclose(Q.T @ f.A @ Q, np.diag(lambdas), atol=1e-12)
    x0 = Q.T @ (w0 - np.linalg.solve(f.A, f.b))
    by_hand = np.array([[(1 - alpha * li) ** k * x0[i] for i, li in enumerate(lambdas)] for k in range(steps + 1)])
    np.testing.assert_allclose(X, by_hand, rtol=0, atol=1e-12)
    np.testing.assert_allclose(mt.gd_errors(lambdas, alpha, x0, steps), by_hand, rtol=1e-12, atol=1e-300)


def test_momentum_matrix_is_one_step_of_optims_rule_by_hand():
    # one step of the 1-D problem f(w) = lam/2 w^2 from (z, w) = (1, 0) and (0, 1) gives R's columns
    lam, alpha, beta = 2.5, 0.3, 0.6
    R = mt.momentum_matrix(lam, alpha, beta)
    cols = []
    for z, w in ((1.0, 0.0), (0.0, 1.0)):
        v = mt.classical_velocity(np.array([z]), alpha)
        w_new, v_new = optim.momentum_update(np.array([w]), np.array([lam * w]), v,
                                             **mt.distill_to_classical(alpha, beta))
        cols.append([-v_new[0] / alpha, w_new[0]])          # z_new = -v_new / alpha
    np.testing.assert_allclose(R, np.array(cols).T, rtol=1e-15)
    np.testing.assert_array_equal(R, [[0.6, 2.5], [-0.3 * 0.6, 1 - 0.3 * 2.5]])


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9])
def test_momentum_error_along_each_eigenvector_is_the_power_of_r(beta):
    lambdas = [0.1, 1.0, 10.0]
    f = rotated_quadratic(lambdas, seed=2)
    w0, alpha, steps = np.array([2.0, -1.0, 0.5]), 0.15, 150
    lam, Q, X = mt.eigenvector_errors(f, mt.heavy_ball_path(f, w0, alpha, beta, steps))
    closed = mt.momentum_errors(lam, alpha, beta, X[0], steps)
    np.testing.assert_allclose(closed, X, rtol=0, atol=1e-11 * np.abs(X).max())
    for i, li in enumerate(lam):        # R^k by numpy's matrix power, applied to (y0, x0) = (0, x0)
        R = mt.momentum_matrix(li, alpha, beta)
        powers = np.array([np.linalg.matrix_power(R, k)[1, 1] * X[0, i] for k in range(steps + 1)])
        np.testing.assert_allclose(closed[:, i], powers, rtol=0, atol=1e-12 * np.abs(X).max())


CASES = [(0.3, 0.5), (0.01, 0.9), (3.5, 0.9), (1.0, 0.0), (0.5, 0.0), (1.9, 0.0), (3.9, 0.99), (0.002, 0.3),
         (3.9, 0.5), (4.5, 0.9), (1.5, 0.2)]  # (alpha lambda, beta) across the regions, lambda = 1


@pytest.mark.parametrize("h, beta", CASES)
def test_matrix_power_closed_form_against_numpy_and_goh_s_eigen_form(h, beta):
    R = mt.momentum_matrix(1.0, h, beta)
    k = np.arange(80)
    P = mt.momentum_matrix_power(1.0, h, beta, k)
    ref = np.array([np.linalg.matrix_power(R, int(i)) for i in k])
    np.testing.assert_allclose(P, ref, rtol=0, atol=1e-12 * max(1.0, np.abs(ref).max()))
    s1, s2 = mt.momentum_eigenvalues(1.0, h, beta)
    if abs(s1 - s2) > 1e-3:   # the eigenvalue form (Sylvester): (s1^k (R - s2 I) - s2^k (R - s1 I)) / (s1 - s2)
        goh = np.array([(s1 ** i * (R - s2 * np.eye(2)) - s2 ** i * (R - s1 * np.eye(2))) / (s1 - s2) for i in k])
        np.testing.assert_allclose(goh.imag, 0, atol=1e-12 * max(1.0, np.abs(ref).max()))
        np.testing.assert_allclose(goh.real, ref, rtol=0, atol=1e-11 * max(1.0, np.abs(ref).max()))
    assert P.shape == (80, 2, 2) and mt.momentum_matrix_power(1.0, h, beta, 5).shape == (2, 2)


def test_matrix_power_at_the_double_root_is_goh_s_limit():
    # at beta = (1 - sqrt h)^2 the eigenvalue sigma = 1 - sqrt h is double: R^k = sigma^k (k R / sigma - (k - 1) I)
    h = 0.36
    beta = (1 - 0.6) ** 2
    sigma = 0.4
    R = mt.momentum_matrix(1.0, h, beta)
    for k in (0, 1, 2, 7, 40, 200):
        expected = sigma ** k * (k * R / sigma - (k - 1) * np.eye(2))
        np.testing.assert_allclose(mt.momentum_matrix_power(1.0, h, beta, k), expected, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("h, beta", CASES)
def test_eigenvalues_are_the_roots_of_the_characteristic_polynomial(h, beta):
    # by hand: det(R - s I) = (beta - s)(1 - h - s) + h beta = s^2 - (1 + beta - h) s + beta  (lambda = 1, alpha = h)
    sig = mt.momentum_eigenvalues(1.0, h, beta)
    t = 1 + beta - h
    np.testing.assert_allclose(sorted(sig, key=lambda s: (s.real, s.imag)),
                               sorted(np.roots([1.0, -t, beta]).astype(complex), key=lambda s: (s.real, s.imag)),
                               atol=1e-7)                         # np.roots loses half the digits at a double root
    np.testing.assert_allclose([sig.sum(), sig.prod()], [t, beta], atol=1e-14)   # Vieta
    np.testing.assert_allclose(sorted(np.abs(sig)), sorted(np.abs(np.linalg.eigvals(mt.momentum_matrix(1.0, h, beta)))),
                               rtol=1e-7, atol=1e-15)
    assert abs(sig[0]) >= abs(sig[1])
    rate = mt.momentum_rate(1.0, h, beta)
    assert rate == pytest.approx(max(abs(sig)), rel=1e-12, abs=1e-15)
    if beta == 0:
        assert rate == pytest.approx(abs(1 - h), abs=1e-15)
    if t * t < 4 * beta:
        assert rate == pytest.approx(np.sqrt(beta), rel=1e-14)


def test_rate_depends_on_alpha_lambda_only_and_the_unvalidated_grid_is_the_same_function():
    assert mt.momentum_rate(4.0, 0.1, 0.5) == mt.momentum_rate(1.0, 0.4, 0.5) == mt.momentum_rate(0.5, 0.8, 0.5)
    H, B = np.meshgrid(np.linspace(0.01, 4.5, 37), np.linspace(0.0, 0.98, 23))
    grid = mt.momentum_rate_unvalidated(H, B)
    assert grid.shape == H.shape
    for h, b, r in zip(H.ravel()[::17], B.ravel()[::17], grid.ravel()[::17]):
        assert r == mt.momentum_rate(1.0, float(h), float(b))
        R = mt.momentum_matrix(1.0, float(h), float(b))
        assert r == pytest.approx(np.abs(np.linalg.eigvals(R)).max(), rel=1e-6)


def empirical_rate(h, beta, steps=2000):
    """(|state_K| / |state_K/2|)^(2/K) of optim's momentum on f(w) = w^2 / 2 (lambda = 1, alpha = h).

    K is cut so that the state stays far above underflow (about rate^K >= 1e-200)."""
    f = functions.quadratic_from_matrix([[1.0]])
    steps = min(steps, int(-200 / np.log10(mt.momentum_rate(1.0, h, beta))))
    path = mt.heavy_ball_path(f, np.array([1.0]), h, beta, steps)
    # the state (z, w): z_k = (w_(k-1) - w_k) / alpha
    z = np.concatenate([[0.0], -np.diff(path[:, 0]) / h])
    norm = np.hypot(z, path[:, 0])
    return (norm[-1] / norm[steps // 2]) ** (2 / steps)


@pytest.mark.parametrize("h, beta", [(0.3, 0.5), (0.05, 0.2), (1.9, 0.3), (3.5, 0.9), (0.5, 0.0), (1.5, 0.0)])
def test_rate_is_what_optims_recursion_shows(h, beta):
    assert empirical_rate(h, beta) == pytest.approx(mt.momentum_rate(1.0, h, beta), rel=3e-3)


def test_convergence_rate_is_the_slowest_eigenvector_and_matches_a_run():
    lambdas = [1.0, 7.0, 30.0]
    assert mt.convergence_rate(lambdas, 0.05) == pytest.approx(max(abs(1 - 0.05 * l) for l in lambdas), abs=1e-15)
    assert mt.convergence_rate(lambdas, 0.05, 0.5) == max(mt.momentum_rate(l, 0.05, 0.5) for l in lambdas)
    f = rotated_quadratic(lambdas, seed=5)
    path = mt.heavy_ball_path(f, np.array([1.0, 1.0, 1.0]), 0.05, 0.5, 200)   # rate^200 ~ 1e-11: above rounding
    err = np.linalg.norm(path - f.minima[0], axis=1)
    assert (err[200] / err[100]) ** (1 / 100) == pytest.approx(mt.convergence_rate(lambdas, 0.05, 0.5), rel=5e-3)


# ---------------------------------------------------------------------------------------------
# the phase diagram
# ---------------------------------------------------------------------------------------------
def test_stable_region_against_simulation_on_a_grid():
    # alpha lambda = h for every eigenvalue of f(w) = 1/2 sum_j h_j w_j^2 run with alpha = 1: one run of optim's
    # rule per beta simulates a whole row of the (alpha lambda, beta) grid
    h = np.linspace(0.05, 4.3, 60)
    checked = 0
    for beta in np.linspace(0.0, 0.95, 20):
        w, v, escaped = np.ones_like(h), np.zeros_like(h), np.zeros(h.shape, bool)
        for _ in range(3000):
            w, v = optim.momentum_update(w, h * w, v, lr=1.0, beta=beta)
            escaped |= np.abs(w) > 1e6
            w, v = np.where(escaped, 0.0, w), np.where(escaped, 0.0, v)   # parked at 0 once it left: no overflow
        decided = np.abs(h - (2 + 2 * beta)) >= 0.03        # too close to the edge to decide in 3000 steps
        converged, diverged = ~escaped & (np.abs(w) < 1e-3), escaped
        assert np.all((converged != diverged)[decided]), beta
        for hj, c in zip(h[decided], converged[decided]):
            assert mt.in_stable_region(float(hj), float(beta)) == c, (hj, beta)
            assert (mt.momentum_rate_unvalidated(hj, beta) < 1) == c, (hj, beta)
            checked += 1
    assert checked > 1100
    # the edge itself and outside the beta range
    assert not mt.in_stable_region(2.0, 0.0) and mt.in_stable_region(1.999, 0.0)
    assert not mt.in_stable_region(3.8, 0.9) and mt.in_stable_region(3.79, 0.9)
    assert not mt.in_stable_region(0.0, 0.5) and not mt.in_stable_region(-0.1, 0.5)
    assert not mt.in_stable_region(1.0, 1.0) and not mt.in_stable_region(1.0, -0.1)
    assert mt.momentum_rate(1.0, 2.0 + 2 * 0.6, 0.6) == pytest.approx(1.0, abs=1e-15)      # rate 1 on the edge
    assert mt.largest_stable_step(50.0) == 2 / 50 and mt.largest_stable_step(50.0, 0.9) == pytest.approx(3.8 / 50)


def test_smallest_stable_beta_is_the_edge_of_the_stable_region():
    # by hand: alpha lambda < 2 + 2 beta  <=>  beta > alpha lambda / 2 - 1
    assert mt.smallest_stable_beta(3.0) == 0.5 and mt.smallest_stable_beta(1.0) == 0.0
    for h in (2.5, 3.0, 3.9):
        b = mt.smallest_stable_beta(h)
        assert mt.in_stable_region(h, b + 1e-6) and not mt.in_stable_region(h, b - 1e-6)
        assert mt.momentum_rate(1.0, h, b) == pytest.approx(1.0, abs=1e-12)


def test_start_from_eigenvector_errors_has_the_errors_asked_for():
    f = rotated_quadratic([0.5, 2.0, 8.0], seed=4)
    x0 = np.array([1.0, -2.0, 0.5])
    w0 = mt.start_from_eigenvector_errors(f, x0)
    _, Q, X = mt.eigenvector_errors(f, w0[None])
    np.testing.assert_allclose(X[0], x0, atol=1e-13)
    # the error's norm is |x0| (Q is orthogonal), measured from the minimiser A^{-1} b
    assert np.linalg.norm(w0 - np.linalg.solve(f.A, f.b)) == pytest.approx(np.linalg.norm(x0))
    np.testing.assert_allclose(mt.eigenvector_errors(f, mt.start_from_eigenvector_errors(f, 1.0)[None])[2], 1.0)


def sign_pattern(h, beta, steps=400):
    """How the 1-D error of optim's momentum changes sign over the last half of a run: 'constant', 'alternating'
    or 'mixed'."""
    f = functions.quadratic_from_matrix([[1.0]])
    path = mt.heavy_ball_path(f, np.array([1.0]), h, beta, steps, stop_beyond=1e200)
    s = np.sign(path[len(path) // 2:, 0])
    flips = s[1:] != s[:-1]
    return "constant" if not flips.any() else "alternating" if flips.all() else "mixed"


@pytest.mark.parametrize("h, beta, region, pattern", [
    (0.05, 0.3, "monotone", "constant"), (0.5, 0.0, "monotone", "constant"), (0.2, 0.5, "ripples", "mixed"),
    (1.0, 0.5, "ripples", "mixed"), (2.6, 0.5, "ripples", "mixed"), (2.95, 0.5, "oscillation", "alternating"),
    (1.5, 0.0, "oscillation", "alternating"), (3.1, 0.5, "divergence", "alternating"),
    (2.5, 0.0, "divergence", "alternating"),
])
def test_phase_regions_show_the_behaviour_they_are_named_after(h, beta, region, pattern):
    assert mt.phase_region(h, beta) == region
    assert sign_pattern(h, beta) == pattern
    assert (region == "divergence") == (mt.momentum_rate(1.0, h, beta) >= 1)


def test_ripple_band_is_where_the_discriminant_is_negative():
    for beta in (0.0, 0.25, 0.5, 0.81, 0.99):
        lo, hi = mt.ripple_band(beta)
        assert lo == pytest.approx((1 - np.sqrt(beta)) ** 2) and hi == pytest.approx((1 + np.sqrt(beta)) ** 2)
        for h in (lo, hi):             # by hand: (1 + beta - h)^2 - 4 beta = 0 at both edges
            assert (1 + beta - h) ** 2 - 4 * beta == pytest.approx(0, abs=1e-12)
        assert hi < 2 + 2 * beta or beta == 0 and hi == 1 < 2
        if beta > 0:
            mid = 0.5 * (lo + hi)
            assert np.iscomplex(mt.momentum_eigenvalues(1.0, mid, beta)).all()
            assert mt.phase_region(mid, beta) == "ripples"
    assert mt.phase_region(0.25, 0.25) == "monotone" and mt.phase_region(2.25, 0.25) == "oscillation"


@pytest.mark.parametrize("h", [0.1, 0.5, 1.0, 2.0, 3.5])
def test_critical_damping_is_the_fastest_beta_by_brute_force(h):
    betas = np.linspace(0.0, 0.999, 20001)
    rates = mt.momentum_rate_unvalidated(h, betas)
    beta, rate = mt.critical_damping(h)
    assert beta == pytest.approx(betas[np.argmin(rates)], abs=2e-4)
    assert rate == pytest.approx(rates.min(), abs=1e-4) and rate == pytest.approx(abs(1 - np.sqrt(h)))
    assert mt.momentum_rate(1.0, h, beta) == pytest.approx(rate, abs=1e-7)


# ---------------------------------------------------------------------------------------------
# optimal parameters and the speed-up
# ---------------------------------------------------------------------------------------------
def test_optimal_parameters_by_hand_for_kappa_100():
    # lambda in [1, 100]: GD alpha = 2/101, rate 99/101; momentum alpha = (2/11)^2, beta = (9/11)^2, rate 9/11
    gd, mom = mt.optimal_gd(1.0, 100.0), mt.optimal_momentum(1.0, 100.0)
    assert gd == pytest.approx((2 / 101, 0.0, 99 / 101), rel=1e-15)
    assert Fraction(mom.alpha).limit_denominator(1000) == Fraction(4, 121)
    assert Fraction(mom.beta).limit_denominator(1000) == Fraction(81, 121)
    assert mom.rate == pytest.approx(9 / 11, rel=1e-15)
    # scaling the spectrum scales alpha by 1/c and leaves beta and the rates
    scaled = mt.optimal_momentum(0.01, 1.0)
    assert scaled.alpha == pytest.approx(100 * mom.alpha) and scaled.beta == pytest.approx(mom.beta)


def test_optimal_gd_step_is_the_brute_force_minimum_and_both_extremes_share_its_rate():
    lo, hi = 2.0, 50.0
    gd = mt.optimal_gd(lo, hi)
    alphas = np.linspace(1e-4, 2 / hi, 40001)
    rates = np.maximum(mt.momentum_rate_unvalidated(alphas * lo, 0.0), mt.momentum_rate_unvalidated(alphas * hi, 0.0))
    assert gd.alpha == pytest.approx(alphas[int(np.argmin(rates))], abs=2e-6)
    assert gd.rate == pytest.approx(rates.min(), abs=1e-4) and gd.rate <= rates.min()
    assert gd.rate == pytest.approx(mt.convergence_rate([lo, hi], gd.alpha), rel=1e-14)
    assert abs(1 - gd.alpha * lo) == pytest.approx(gd.rate) == pytest.approx(abs(1 - gd.alpha * hi))


def test_optimal_momentum_is_the_brute_force_minimum_over_alpha_and_beta():
    lo, hi = 1.0, 100.0
    mom = mt.optimal_momentum(lo, hi)
    A, B = np.meshgrid(np.linspace(0.02, 0.04, 401), np.linspace(0.5, 0.8, 301))
    worst = np.maximum(mt.momentum_rate_unvalidated(A * lo, B), mt.momentum_rate_unvalidated(A * hi, B))
    i = np.unravel_index(np.argmin(worst), worst.shape)
    assert A[i] == pytest.approx(mom.alpha, rel=1e-2) and B[i] == pytest.approx(mom.beta, rel=1e-2)
    assert mom.rate - 1e-6 <= worst.min() <= mom.rate + 2e-3
    # every eigenvalue between the extremes is in the ripples: rate sqrt(beta*) for all of them
    lams = np.linspace(lo, hi, 50)
    np.testing.assert_allclose([mt.momentum_rate(l, mom.alpha, mom.beta) for l in lams], mom.rate, rtol=1e-7)
    assert mt.convergence_rate(lams, mom.alpha, mom.beta) == pytest.approx(mom.rate, rel=1e-7)


def test_optimal_rates_are_what_optims_recursion_measures():
    f = rotated_quadratic([1.0, 10.0, 100.0], seed=7, with_b=False)   # w* = 0: no rounding floor on the error
    w0 = np.array([1.0, 1.0, 1.0])
    for tuning, steps in ((mt.optimal_gd(1.0, 100.0), 3000), (mt.optimal_momentum(1.0, 100.0), 1000)):
        path = mt.heavy_ball_path(f, w0, tuning.alpha, tuning.beta, steps)
        err = np.linalg.norm(path - f.minima[0], axis=1)
        # momentum's double root makes the error ~ k rate^k: over [K/2, K] that adds 2^(2/K) - 1 ~ 1.4e-3
        assert (err[-1] / err[steps // 2]) ** (2 / steps) == pytest.approx(tuning.rate, rel=2e-3)


def test_speedup_tends_to_sqrt_kappa_by_the_series():
    # log((k-1)/(k+1)) = -2/k - 2/(3k^3) - ..., log((s-1)/(s+1)) = -2/s - 2/(3 s^3) - ... with s = sqrt k:
    # speed-up = sqrt(k) (1 + 1/(3k) + O(1/k^2))
    for kappa in (100.0, 1e4, 1e6):
        assert mt.momentum_speedup(kappa) / np.sqrt(kappa) == pytest.approx(1 + 1 / (3 * kappa), rel=5 / kappa ** 2)
    gd, mom = mt.optimal_gd(1, 100).rate, mt.optimal_momentum(1, 100).rate
    ratio = mt.iterations_for_rate(gd, 1e-6) / mt.iterations_for_rate(mom, 1e-6)
    assert ratio == pytest.approx(mt.momentum_speedup(100.0), rel=1e-14)
    assert mt.iterations_for_rate(0.5, 2.0 ** -10) == pytest.approx(10.0)


def test_measured_iterations_counts_a_run_of_optims_rule():
    f = functions.quadratic_from_matrix(np.diag([1.0, 4.0]), [1.0, 2.0])
    wstar = np.array([1.0, 0.5])
    # one eigenvector excited, GD: error exactly (1 - alpha)^k, so the count is ceil(log tol / log(1 - alpha))
    for alpha, tol in ((0.1, 1e-3), (0.3, 1e-6), (0.05, 0.5)):
        k = mt.measured_iterations(f, wstar + [1.0, 0.0], alpha, 0.0, tol, max_steps=1000)
        assert k == int(np.ceil(np.log(tol) / np.log(1 - alpha) - 1e-9))
    # momentum's error is not monotone: the count is the first k after which it stays below
    f1 = functions.quadratic_from_matrix([[1.0]])
    k = mt.measured_iterations(f1, [1.0], 0.9, 0.81, 1e-2, max_steps=1000)
    path = mt.heavy_ball_path(f1, [1.0], 0.9, 0.81, k + 500)
    assert np.all(np.abs(path[k:, 0]) <= 1e-2) and abs(path[k - 1, 0]) > 1e-2
    assert mt.measured_iterations(f, wstar + 1, 0.6, 0.0, 1e-6, max_steps=1000) is None  # 0.6 * 4 > 2: diverges
    assert mt.measured_iterations(f, wstar + 1, 0.001, 0.0, 1e-6, max_steps=50) is None  # too few steps


# ---------------------------------------------------------------------------------------------
# validation at the boundary
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: mt.distill_to_classical(0.0, 0.5), "alpha must be > 0"),
    (lambda: mt.distill_to_classical(0.1, 1.0), r"beta must lie in \[0.0, 1.0\)"),
    (lambda: mt.momentum_matrix(-1.0, 0.1, 0.5), "lam must be > 0"),
    (lambda: mt.momentum_matrix(1.0, 0.1, -0.5), "beta must lie"),
    (lambda: mt.momentum_matrix_power(1.0, 0.1, 0.5, -1), "k must be an integer"),
    (lambda: mt.momentum_matrix_power(1.0, 0.1, 0.5, 1.5), "k must be an integer"),
    (lambda: mt.momentum_eigenvalues(1.0, float("nan"), 0.5), "alpha must be finite"),
    (lambda: mt.momentum_rate(1.0, 0.1, 1.5), "beta must lie"),
    (lambda: mt.convergence_rate([], 0.1), "lambdas must be a non-empty"),
    (lambda: mt.convergence_rate([1.0, -2.0], 0.1), "lambdas must all be > 0"),
    (lambda: mt.gd_errors([1.0], 0.1, [1.0], -1), "steps must be an integer >= 0"),
    (lambda: mt.momentum_errors([1.0], 0.1, 0.5, [1.0, 2.0], 3), r"x0 must be a number or one value per eigenvalue"),
    (lambda: mt.gd_errors([1.0, 2.0], 0.1, [1.0, 2.0, 3.0], 3), r"x0 must be a number or one value per eigenvalue"),
    (lambda: mt.start_from_eigenvector_errors(functions.quadratic(), [1.0, 2.0, 3.0]), "x0 must be a number"),
    (lambda: mt.start_from_eigenvector_errors(np.eye(2), 1.0), "f must be a functions.Quadratic"),
    (lambda: mt.smallest_stable_beta(4.0), "alpha_lambda must be < 4"),
    (lambda: mt.smallest_stable_beta(-1.0), "alpha_lambda must be > 0"),
    (lambda: mt.in_stable_region("1", 0.5), "alpha_lambda must be a real number"),
    (lambda: mt.largest_stable_step(0.0), "lam must be > 0"),
    (lambda: mt.phase_region(0.0, 0.5), "alpha_lambda must be > 0"),
    (lambda: mt.ripple_band(1.0), "beta must lie"),
    (lambda: mt.critical_damping(4.0), r"alpha_lambda must lie in \(0.0, 4.0\)"),
    (lambda: mt.optimal_gd(2.0, 1.0), "lambda_min must be <= lambda_max"),
    (lambda: mt.optimal_momentum(0.0, 1.0), "lambda_min must be > 0"),
    (lambda: mt.iterations_for_rate(1.0, 1e-3), r"rate must lie in \(0.0, 1.0\)"),
    (lambda: mt.iterations_for_rate(0.5, 0.0), r"tol must lie in \(0.0, 1.0\)"),
    (lambda: mt.momentum_speedup(1.0), "kappa must be > 1"),
    (lambda: mt.heavy_ball_path(np.eye(2), [1.0, 1.0], 0.1, 0.5, 3), "f must be a functions.Quadratic"),
    (lambda: mt.eigenvector_errors(functions.quadratic(), np.zeros((3, 3))), r"path must have shape \(steps \+ 1, 2\)"),
    (lambda: mt.measured_iterations(functions.quadratic(), [1.0, 1.0], 0.1, 0.5, 1.0), "tol must lie"),
    (lambda: mt.measured_iterations(functions.quadratic(), [0.0, 0.0], 0.1, 0.5, 0.1), "w0 must differ"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
