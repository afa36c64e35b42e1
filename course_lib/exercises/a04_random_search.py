"""Assignment 4, random search: the checks of the finite-difference step, random search,
the ARS update, and the perceptron's weights found by random search.

Each check runs the student's function against the ``course_lib`` reference on
seeded random inputs through ``engine.check_function`` and names the likely
mistake (see ``course_lib.exercises``).  Each wrong variant is built from
``course_lib.random_search``'s own functions, so only the wrong piece is
written here.
"""

from __future__ import annotations

import numpy as np

from .. import random_search as _rs
from ..perceptron import PerceptronProblem, make_separable_data
from . import engine
from .engine import GradingError, case_rng, portable, reached

_quadratic_loss = portable("lambda w: float(np.sum((w - 0.5) ** 2) + 0.1 * np.sum(w ** 4))", "a quartic bowl")


def finite_difference_step(student, seed=None) -> int:
    """``finite_difference_step(loss, w, lr, sigma, rng)``: dW = sigma * rng.standard_normal(w.shape), w - lr (L+ - L-) dW."""
    rng = case_rng(seed, 0)
    cases = []
    for shape, lr, sigma in (((3,), 0.5, 0.1), ((2, 2), 0.1, 0.01), ((5,), 1.0, 0.5)):
        cases.append(((_quadratic_loss, rng.normal(size=shape), lr, sigma,
                       np.random.default_rng(int(rng.integers(2 ** 32)))), {}))

    def slide_sign(loss, w, lr, sigma, rng):
        # the reference moves w - lr (L+ - L-) dW; the slide's sign takes the same step the other way
        return 2 * w - _rs.finite_difference_step(loss, w, lr, sigma, rng)

    return engine.check_function(student, _rs.finite_difference_step, cases, name="finite_difference_step",
                                  rtol=1e-9, atol=1e-12, variants={
        "the sign is the slide's: with losses (not rewards) W + lr (L+ - L-) dW climbs the loss; use W - ...":
            slide_sign})


def random_search(student, seed=None) -> int:
    """``random_search(loss, w0, lr, sigma, n_steps, rng)``: ``n_steps`` finite-difference steps; the final w."""
    def reference(loss, w0, lr, sigma, n_steps, rng):
        return _rs.finite_difference_search(loss, w0, lr, sigma, n_steps, rng)[0]

    rng = case_rng(seed, 3)
    cases = [((_quadratic_loss, np.zeros(4), 0.5, 0.05, 50, np.random.default_rng(int(rng.integers(2 ** 32)))), {}),
             ((_quadratic_loss, rng.normal(size=2), 1.0, 0.1, 1, np.random.default_rng(int(rng.integers(2 ** 32)))),
              {})]
    return engine.check_function(student, reference, cases, name="random_search", rtol=1e-8, atol=1e-12)


def ars_update(student, seed=None) -> int:
    """``ars_update(M, deltas, r_plus, r_minus, step_size, top_b)``: ARS V1 (Mania et al. 2018, Algorithm 1)."""
    rng = case_rng(seed, 17)
    cases = []
    for p, n, N, b in ((1, 3, 8, 4), (2, 4, 6, 6), (1, 5, 10, 1)):
        cases.append(((rng.normal(size=(p, n)), rng.normal(size=(N, p, n)), rng.normal(size=N), rng.normal(size=N),
                       0.02, b), {}))

    def no_sigma(M, deltas, rp, rm, step, b):
        # the top b directions as the reference picks them, averaged without dividing by sigma_R:
        # basic random search over those b
        idx = _rs.top_directions(rp, rm, b)
        return _rs.basic_random_search_update(M, deltas[idx], rp[idx], rm[idx], step)

    def all_directions(M, deltas, rp, rm, step, b):
        return _rs.ars_update(M, deltas, rp, rm, step, len(rp))  # b = N: every direction, divided by N

    return engine.check_function(student, _rs.ars_update, cases, name="ars_update", rtol=1e-9, atol=1e-12,
                                  variants={
        "the update must be divided by sigma_R, the standard deviation of the 2b rewards used": no_sigma,
        "only the top b directions (by max(r+, r-)) enter the sum, and the divisor is b": all_directions})


def perceptron_weights(w, threshold: float = 0.9) -> int:
    """Assignment 4: the weights found by random search classify the exercise's separable data.

    The data are the exercise's own (``make_separable_data(200, seed=0)``,
    regenerated here): the notebook fixes them, so nothing is drawn from a seed.
    """
    X, y, _ = make_separable_data(200, 0, n_features=2)
    try:
        w = np.asarray(w, dtype=np.float64)
    except (TypeError, ValueError):
        raise GradingError(f"w must be an array of 3 numbers; got {type(w).__name__}") from None
    if w.shape != (3,) or not np.all(np.isfinite(w)):
        raise GradingError(f"w must be 3 finite numbers (two weights, then the bias); got shape {w.shape}")
    return reached(PerceptronProblem(X, y).accuracy(w), threshold, "the perceptron's training accuracy",
                    "Check the sign of your finite-difference step and the number of steps.")
