"""Lecture 6, random search: the method of finite differences and ARS against gradient
descent, counted in loss evaluations.

Every run is the library's (``random_search.race_curves``, ``gradient_descent_race`` and
``random_search_race``: ``optim.trajectory`` with an exact or a ``gradcheck.numerical_gradient``,
``finite_difference_search``, ``ars``) on ``random_search.race_problem``, and
every loss drawn is ``PerceptronProblem``'s J(w) at a method's iterates: ``loss``
at gradient descent's path and at the finite-difference search's ``history["w"]``,
minus the ``rollout`` reward of ARS's current policy.  Those evaluations are for the
picture and not counted; this module counts the methods' own and draws the curves.
"""

from __future__ import annotations

import numpy as np

from .. import random_search as _rs
from ..validation import as_int
from .figures import Markdown, figure as _figure
from .interactive import Interactive, float_slider, int_slider

__all__ = ["random_search_race", "race_table"]
WIDGETS = ("random_search_race",)  # the slider figures, in the notebook's order


N_POINTS = 200  # of the random-search problem
NAMES = _rs.RACE_METHODS
"""The race's methods, in the legend's order (``random_search.RACE_METHODS``)."""


def random_search_race(dim: int = 10, sigma: float = 0.05, n_directions: int = 8, budget: int = 600,
                       seed: int = 0) -> Interactive:
    """Gradient descent against derivative-free search, counted in loss evaluations.

    The slide's sigmoid perceptron (logistic loss) on 200 points with
    ``dim`` features (plus a bias), linearly separable but for 10% flipped
    labels, so the loss has a finite minimum.  Each method gets ``budget`` loss
    evaluations:

    * gradient descent with a central-difference gradient: 2 (dim + 1) evaluations per step;
    * gradient descent with the exact gradient (backprop), drawn with one
      step per 2 evaluations (one product forward, one backward: a single layer needs no input gradient);
    * the method of finite differences (source 001, sign corrected): 2 per step;
    * ARS V1 with N directions: 2N per iteration (rewards = -loss, all N used).

    Learning rates: 1 for gradient descent; lr / (2 sigma^2) for the
    finite-difference method, whose step then equals gradient descent's in
    expectation (E[(L+ - L-) dW] ~ 2 sigma^2 grad L) but carries noise that
    grows with the dimension; step size lr sigma for ARS, whose update is
    divided by the rewards' standard deviation and so has a roughly fixed
    length (about 2 lr sigma along -grad L / |grad L|).

    ``seed`` (an int) fixes the data and its flipped labels (seed), the
    finite-difference directions (seed + 1) and ARS's (seed + 2); every slider
    move redraws from them.  Every curve is the true training loss J(w) at the
    method's iterates (for the finite-difference method not its free estimate
    (L+ + L-) / 2, which is biased by O(sigma^2) and one step late), computed
    for the picture and not counted as evaluations.

    State: ``curves`` (dict name -> (evaluations, loss)), ``final`` (dict).
    """
    seed = as_int("seed", seed, minimum=0)

    fig, (ax,) = _figure(9, 4.2)
    names = NAMES
    styles = ("C0", "C0", "C1", "C2")
    lines = {n: ax.semilogy([], [], ls, color=c, lw=1.6, label=n)[0]
             for n, c, ls in zip(names, styles, ("-", ":", "-", "-"))}
    ax.set(xlabel="loss evaluations", ylabel="training loss J(w)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right", fontsize=8)

    def draw(dim, sigma, n_directions, budget):
        problem = _rs.race_problem(dim, seed, N_POINTS)
        if memo.get("gd_key") != (dim, budget):  # the gradient-descent runs do not depend on sigma or N
            memo["gd_key"], memo["gd"] = (dim, budget), _rs.gradient_descent_race(problem, budget)
        curves = {**memo["gd"], **_rs.random_search_race(problem, sigma, n_directions, budget, seed)}
        for n, (e, L) in curves.items():
            lines[n].set_data(e, L)
        ax.set_xlim(0, budget)
        allL = np.concatenate([c[1] for c in curves.values()])
        ax.set_ylim(10.0 ** np.floor(np.log10(max(allL.min() * 0.8, 1e-4))), 10.0 ** np.ceil(np.log10(allL.max())))
        final = {n: float(c[1][-1]) for n, c in curves.items()}
        ax.set_title(f"{dim} features + bias, {budget} evaluations each, σ = {sigma:.3g}, N = {n_directions}")
        return {"curves": curves, "final": final}

    memo = {}

    controls = {
        "dim": int_slider("features d", dim, 1, 50, continuous=False),
        "sigma": float_slider("σ (perturbation)", sigma, 1e-3, 0.5, 0.05, log=True),
        "n_directions": int_slider("ARS directions N", n_directions, 1, 32),
        "budget": int_slider("evaluations", budget, 200, 2000, 100, continuous=False),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [*lines.values(), ax.get_legend(), ax.title])


def race_table(dims=(2, 10, 50), sigma: float = 0.05, n_directions: int = 8, budget: int = 600,
               seed: int = 0) -> Markdown:
    """The race's numbers at a few dimensions: each method's steps in the budget and its final loss J(w).

    The same runs as ``random_search_race`` (same data, directions and
    learning rates); the loss at the start, J(0) = log 2, is the same for all.
    """
    seed = as_int("seed", seed, minimum=0)
    budget = as_int("budget", budget, minimum=2)
    rows = ["| features d | " + " | ".join(NAMES) + " |", "|---|" + "---|" * len(NAMES)]
    for dim in dims:
        dim = as_int("dims", dim, minimum=1)
        curves = _rs.race_curves(dim, sigma, n_directions, budget, seed, N_POINTS)
        cells = [f"{len(curves[n][0]) - 1} steps: {curves[n][1][-1]:.3f}" for n in NAMES]
        rows.append(f"| {dim} | " + " | ".join(cells) + " |")
    return Markdown(f"Loss J(w) after {budget} evaluations (J = {np.log(2):.3f} at the start, w = 0; "
                    f"σ = {sigma:g}, N = {n_directions}):\n\n" + "\n".join(rows))
