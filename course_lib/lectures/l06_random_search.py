"""Lecture 6, random search: the method of finite differences and ARS against gradient
descent, counted in loss evaluations.

Every run is a library call (``optim.trajectory`` with an exact or a
``gradcheck.numerical_gradient``, ``random_search.finite_difference_search``,
``random_search.ars``) on ``perceptron.make_separable_data(..., flip=0.1)``, and
every loss drawn is ``PerceptronProblem``'s J(w) at a method's iterates: ``loss``
at gradient descent's path and at the finite-difference search's ``history["w"]``,
minus the ``rollout`` reward of ARS's current policy.  Those evaluations are for the
picture and not counted; this module counts the methods' own and draws the curves.
"""

from __future__ import annotations

import numpy as np

from .. import optim
from ..gradcheck import numerical_gradient
from ..perceptron import PerceptronProblem, make_separable_data
from ..random_search import ars, finite_difference_search
from ..validation import as_int
from .figures import figure as _figure
from .interactive import Interactive, float_slider, int_slider

__all__ = ["random_search_race"]
WIDGETS = ("random_search_race",)  # the slider figures, in the notebook's order


N_POINTS = 200  # of the random-search problem


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
    names = ("GD, central-difference gradient", "GD, exact gradient (backprop)",
             "finite differences (001)", "ARS V1")
    styles = ("C0", "C0", "C1", "C2")
    lines = {n: ax.semilogy([], [], ls, color=c, lw=1.6, label=n)[0]
             for n, c, ls in zip(names, styles, ("-", ":", "-", "-"))}
    ax.set(xlabel="loss evaluations", ylabel="training loss J(w)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right", fontsize=8)

    def draw(dim, sigma, n_directions, budget):
        X, y, _ = make_separable_data(N_POINTS, seed, n_features=dim, flip=0.1)  # flipped labels: a finite minimum
        P = PerceptronProblem(X, y)
        w0 = np.zeros(dim + 1)
        lr = 1.0
        curves = {}
        if memo.get("gd_key") == (dim, budget):  # the gradient-descent runs do not depend on sigma or N
            curves[names[0]], curves[names[1]] = memo["gd"]
        else:
            curves.update(gd_curves(P, w0, lr, dim, budget))
            memo["gd_key"], memo["gd"] = (dim, budget), (curves[names[0]], curves[names[1]])
        curves.update(random_curves(P, w0, lr, dim, sigma, n_directions, budget))
        for n, (e, L) in curves.items():
            lines[n].set_data(e, L)
        ax.set_xlim(0, budget)
        allL = np.concatenate([c[1] for c in curves.values()])
        ax.set_ylim(10.0 ** np.floor(np.log10(max(allL.min() * 0.8, 1e-4))), 10.0 ** np.ceil(np.log10(allL.max())))
        final = {n: float(c[1][-1]) for n, c in curves.items()}
        ax.set_title(f"{dim} features + bias, {budget} evaluations each, σ = {sigma:.3g}, N = {n_directions}")
        return {"curves": curves, "final": final}

    memo = {}

    def gd_curves(P, w0, lr, dim, budget):
        curves = {}
        # GD with a numerical gradient: 2(d + 1) evaluations per step
        per_step = 2 * (dim + 1)
        steps = max(budget // per_step, 1)
        path = optim.trajectory(optim.SGD(lr), lambda w: numerical_gradient(P.loss, w, method="central", eps=1e-5),
                                w0, steps)
        curves[names[0]] = (np.arange(steps + 1) * per_step, np.array([P.loss(w) for w in path]))
        # GD with the exact gradient, one step per 2 evaluations
        path = optim.trajectory(optim.SGD(lr), P.gradient, w0, budget // 2)
        curves[names[1]] = (np.arange(len(path)) * 2, np.array([P.loss(w) for w in path]))
        return curves

    def random_curves(P, w0, lr, dim, sigma, n_directions, budget):
        curves = {}
        # the method of finite differences, 2 evaluations per step; J at w0 and after every step
        _, hist = finite_difference_search(P.loss, w0, lr / (2 * sigma ** 2), sigma, budget // 2, seed + 1)
        curves[names[2]] = (np.concatenate([[0], hist["n_evaluations"]]),
                            np.array([P.loss(w) for w in (w0, *hist["w"])]))
        # ARS V1, 2N rollouts per iteration, reward = -loss
        iters = max(budget // (2 * n_directions), 1)
        _, h = ars(P.rollout, (1, dim + 1), iters, step_size=lr * sigma, n_directions=n_directions,
                   top_b=n_directions, noise=sigma, version="v1", seed=seed + 2,
                   evaluate=True)
        curves[names[3]] = (np.concatenate([[0], h["n_rollouts"]]),
                            np.concatenate([[P.loss(w0)], -h["reward_current"]]))
        return curves

    controls = {
        "dim": int_slider("features d", dim, 1, 50, continuous=False),
        "sigma": float_slider("σ (perturbation)", sigma, 1e-3, 0.5, 0.05, log=True),
        "n_directions": int_slider("ARS directions N", n_directions, 1, 32),
        "budget": int_slider("evaluations", budget, 200, 2000, 100, continuous=False),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [*lines.values(), ax.get_legend(), ax.title])
