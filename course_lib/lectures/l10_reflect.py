"""Lecture 10, reflect: source 001's questions as self-checking widgets (the questions
themselves are plain data in ``course_lib.reflect``), and the answers to the lecture's
"Beyond the slides" questions, each computed by the library and folded behind a reveal.
"""

from __future__ import annotations

import ipywidgets as _w
import numpy as np

from .. import data, functions, gradcheck, linesearch, momentum_theory, nn, optim
from ..train import symmetry_runs
from ..validation import as_int, as_positive
from . import figures
from .l02_numerical_gradients import FD_FUNCTIONS as _FD_FUNCTIONS, STEPS as _STEPS
from .l07_mnist_from_scratch import collapse_answer

__all__ = ["self_check", "answer_stable_step", "answer_central_step", "answer_batch_variance",
           "answer_momentum_forms", "answer_stuck_network", "answer_equal_weights",
           "answer_vanishing_gradients", "answer_overfitting", "answer_batch_norm", "answer_momentum_beta"]
WIDGETS = ()  # the slider figures, in the notebook's order


def self_check(questions) -> _w.VBox:
    """A column of ``reflect.Question``s, each with its options, a Check button and feedback.

    Returns an ``ipywidgets.VBox``; ``box.check_all(choices)`` grades a list of
    option indices without a browser and returns the number right.
    """
    blocks, radios, feedback = [], [], []
    for k, q in enumerate(questions, 1):
        radio = _w.RadioButtons(options=[(o, i) for i, o in enumerate(q.options)], value=None,
                               layout=_w.Layout(width="auto"))
        out = _w.HTML()
        button = _w.Button(description="Check", button_style="info")

        def on_click(_, q=q, radio=radio, out=out):
            ok, msg = q.check(radio.value)
            colour = "#1a7f37" if ok else "#b42318"
            out.value = f"<span style='color:{colour}'><b>{'✔' if ok else '✘'}</b> {msg}</span>"

        button.on_click(on_click)
        blocks.append(_w.VBox([_w.HTML(f"<b>{k}.</b> {q.text}"), radio, button, out]))
        radios.append(radio)
        feedback.append(out)
    box = _w.VBox(blocks)

    def check_all(choices) -> int:
        right = 0
        for q, radio, out, c in zip(questions, radios, feedback, choices):
            radio.value = c
            ok, msg = q.check(c)
            out.value = msg
            right += ok
        return right

    box.check_all = check_all
    box.questions = list(questions)
    box.feedback = feedback
    return box


# ---------------------------------------------------------------------------------------------
# "Beyond the slides": each answer computed by the library, shown folded
# ---------------------------------------------------------------------------------------------
def answer_stable_step(curvature: float = 4.0) -> figures.Markdown:
    """Lecture 1: the largest stable learning rate near a minimum, ``linesearch.largest_stable_step``."""
    lr = linesearch.largest_stable_step(curvature)
    return figures.reveal(
        f"$2/f'' = {lr:g}$ (lecture 1). Near the minimum $x_{{k+1}} - x^* \\approx (1 - \\eta f'')(x_k - x^*)$, "
        f"which shrinks only while $|1 - \\eta f''| < 1$, i.e. for $0 < \\eta < 2/f''$. Just above it the factor "
        f"$1 - \\eta f''$ is below $-1$: in this quadratic model the iterates diverge at once, alternating "
        f"sides of $x^*$ with growing amplitude. (On lecture 1's sextic the run just above the limit settles "
        f"into a two-cycle instead: the higher-order terms the quadratic model leaves out catch it.)")


def answer_central_step(x: float = 1.0) -> figures.Markdown:
    """Lecture 2: source 003's step 1e-8 against the best central step, measured as lecture 2 measures it.

    The same computation as lecture 2's figure and its printed ratio
    (``gradcheck.difference_quotients`` on lecture 2's grid of steps, exp at
    ``x``): the central error at h = 1e-8 against the smallest error on the
    grid, at the grid's best step.
    """
    x = as_positive("x", x)
    function = "exp"
    f, df = _FD_FUNCTIONS[function][:2]
    measured = gradcheck.quotient_errors(f, float(df(x)), x, _STEPS, "float64")
    errors, best_h = measured.errors["central"], measured.best_h["central"]
    best, at_1e8 = float(np.nanmin(errors)), float(np.interp(-8, np.log10(_STEPS), errors))
    eps = np.finfo(np.float64).eps
    return figures.reveal(
        f"Round-off: $f(x \\pm h)$ carry errors of about $\\varepsilon|f(x)|$, and dividing their difference "
        f"by $2h$ makes that error $\\approx \\varepsilon|f|/h$, which grows as $h$ shrinks (lecture 2). The "
        f"best central step is about $\\sqrt[3]{{\\varepsilon}}$ = {np.cbrt(eps):.1e} in float64. Measured as "
        f"in lecture 2 ({function} at $x = {x:g}$, lecture 2's grid of steps): the central error is "
        f"{at_1e8:.1e} at $h = 10^{{-8}}$ and {best:.1e} at the grid's best step $h$ = {best_h:.1e}: "
        f"{at_1e8 / best:.0f} times larger.")


def answer_batch_variance(batch_size: int = 16, n: int = 256) -> figures.Markdown:
    """Lecture 4: the mini-batch gradient's variance at B and 2B on lecture 4's logistic regression."""
    batch_size = as_int("batch_size", batch_size, minimum=1)
    problem = functions.logistic_clouds(n)
    w = np.zeros(problem.dim)
    v1 = problem.minibatch_gradient_variance(w, batch_size)
    v2 = problem.minibatch_gradient_variance(w, 2 * batch_size)
    return figures.reveal(
        f"By about 2, slightly more: drawn without replacement from $n$ samples the variance is "
        f"$\\frac{{S^2}}{{B}}\\,(1 - B/n)$ (lecture 4), so doubling $B$ divides it by "
        f"$2\\,\\frac{{1 - B/n}}{{1 - 2B/n}}$. On lecture 4's {n} samples, from $B = {batch_size}$ to "
        f"${2 * batch_size}$: {v1:.4g} → {v2:.4g}, a factor {v1 / v2:.3f}.")


def answer_momentum_forms(lr: float = 0.01, beta: float = 0.9, steps: int = 200) -> figures.Markdown:
    """Lecture 5: the steady step of both momentum forms on a constant gradient, ``optim.momentum_update``."""
    lr, steps = as_positive("lr", lr), as_int("steps", steps, minimum=1)
    g = np.ones(1)
    size = {}
    for variant in ("classical", "ema"):
        w, v = np.zeros(1), np.zeros(1)
        for _ in range(steps):
            w_new, v = optim.momentum_update(w, g, v, lr, beta, variant)
            step, w = float(abs(w_new - w)[0]), w_new
        size[variant] = step
    return figures.reveal(
        f"{size['classical'] / size['ema']:.1f} times smaller (lecture 5). On a steady gradient $g$ the "
        f"classical (Keras) velocity settles at $\\eta g/(1-\\beta)$, the EMA form's step at $\\eta g$: after "
        f"{steps} steps with $g = 1$ the steps are {size['classical']:.4g} and {size['ema']:.4g}. To match "
        f"Keras, the slides' learning rate must be $\\eta/(1-\\beta)$.")


def answer_stuck_network() -> figures.Markdown:
    """Lectures 7 and 8: an MNIST network whose hidden layer died: lecture 7's ``collapse_answer``.

    The report's bias-free network (``bias=False``: with a trainable output
    bias a dead network learns the class frequencies instead, and the loss
    and accuracy are no longer ln 10 and the share of zeros), evaluated
    with ``MLP.evaluate`` on the test set; one computation for both lectures.
    """
    _, (X_img, y) = data.load_mnist()
    return collapse_answer(data.flatten_images(X_img), y)


def answer_equal_weights() -> figures.Markdown:
    """Initialisation: a network started from zeros keeps all units equal (``train.symmetry_runs``).

    The runs of lecture 9 (784-16-10, sigmoid hidden units, SGD on MNIST
    images), counted with ``nn.distinct_columns``; the tanh network from
    zeros (``init="zeros"``) shows that its hidden weights get no gradient.
    """
    runs = symmetry_runs()
    (net0, h0), (net1, _) = runs["zeros"], runs["glorot_uniform"]
    W0 = net0.weights[0]
    tanh = symmetry_runs(inits=("zeros",), hidden="tanh")["zeros"][0]
    hidden_max = max(float(np.abs(W).max()) for W in tanh.weights[:-1])
    return figures.reveal(
        f"They stay equal: every unit of a layer computes the same function and receives the same gradient, "
        f"so no step can tell them apart. Lecture 9's 784-{W0.shape[1]}-10 sigmoid network trained for "
        f"{h0.epochs} epochs from all weights 0 has {nn.distinct_columns(W0)} distinct "
        f"unit{'s' if nn.distinct_columns(W0) != 1 else ''} of {W0.shape[1]} in its first layer — it is a "
        f"784-1-10 network; from Glorot's random start it has {nn.distinct_columns(net1.weights[0])}. With tanh "
        f"units the zero start is worse still: every hidden output is $\\tanh 0 = 0$, so no hidden weight gets "
        f"a gradient, and after the same training the largest hidden weight is {hidden_max:g}. A random start "
        f"breaks the symmetry, and its scale (Glorot: variance $2/(n_{{in}} + n_{{out}})$, He for ReLU: "
        f"$2/n_{{in}}$) keeps the activations and gradients from shrinking or growing layer by layer.")


def answer_vanishing_gradients(layers: int = 10, width: int = 16) -> figures.Markdown:
    """Vanishing gradients: the sigmoid's slope bound against ``MLP.gradient_norms`` of a deep network.

    Lecture 9's convention: the first layer's weight gradient over the
    output layer's.  Between them backpropagation passes through every one
    of the ``layers`` hidden layers' slopes, so the slopes contribute at
    most (1/4)^layers.
    """
    layers = as_int("layers", layers, minimum=2)
    bound = float(nn.sigmoid_derivative(0.0)) ** layers
    X, y = data.make_circles(128, seed=0)
    ratio = {}
    for hidden in ("sigmoid", "relu"):
        net = nn.MLP([2, *[width] * layers, 1], hidden=hidden, output="sigmoid",
                     init="glorot_uniform" if hidden == "sigmoid" else "he_normal", seed=0)
        norms = net.gradient_norms(X, y)
        ratio[hidden] = float(norms[0] / norms[-1])    # first layer's weights against the output layer's
    return figures.reveal(
        f"The sigmoid's slope is at most $g'(0) = 1/4$ (source 004: $a/4$ for slope $a$), and backprop "
        f"multiplies one such factor per hidden layer. From the output layer's weights down to the first "
        f"layer's it passes through all {layers} sigmoid layers, so the slopes contribute at most "
        f"$(1/4)^{{{layers}}}$ = {bound:.1e}; the weights can only partly make up for it. Measured at the "
        f"start on circles (as in lecture 9: the first layer's gradient over the output layer's), a "
        f"2-{width}×{layers}-1 network's first-layer weight gradient has {ratio['sigmoid']:.1e} times the "
        f"norm of its output layer's with sigmoid units (Glorot start), {ratio['relu']:.2g} times with ReLU "
        f"units (He start): ReLU's slope is 1 where it is on.")


def answer_overfitting(optimizer: str = "aSGD", lr: float = 0.01) -> figures.Markdown:
    """Overfitting: a run of ``experiments/exp_000_asgd.py`` on MNIST (seed 0), its training and test losses per epoch."""
    runs = figures.results("source_000_asgd")["mnist"]
    (run,) = [r for r in runs if r["optimizer"] == optimizer and r["lr"] == lr and r.get("seed", 0) == 0]
    test, training = np.asarray(run["test_loss"]), np.asarray(run["train_loss"])
    best = int(np.argmin(test))
    return figures.reveal(
        f"Overfitting: the network learns its training set's particulars. In lecture 8's MNIST run "
        f"({optimizer}, lr {lr:g}, from `experiments/results/source_000_asgd.json`) the test loss is lowest "
        f"after epoch {best + 1} ({test[best]:.4f}) and is {test[-1]:.4f} after epoch {len(test)}, while "
        f"the training loss keeps falling, from {training[best]:.4f} to {training[-1]:.4f}. Remedies: "
        f"early stopping (keep the weights of the best validation epoch; `train(..., early_stopping=...)`), "
        f"L2 regularisation (weight decay), dropout, and more data.")


def answer_batch_norm(units: int = 3, batch: int = 64) -> figures.Markdown:
    """Batch normalisation: ``nn.batchnorm_forward`` removes a bias added before it."""
    rng = np.random.default_rng(0)
    z = rng.normal(2.0, 5.0, size=(batch, units))
    gamma, beta = np.ones(units), np.zeros(units)
    out, _ = nn.batchnorm_forward(z, gamma, beta)
    shifted, _ = nn.batchnorm_forward(z + 7.0, gamma, beta)
    return figures.reveal(
        f"Per unit, over the batch, it subtracts the mean and divides by the standard deviation, then scales "
        f"and shifts by the learned $\\gamma, \\beta$ (Ioffe & Szegedy 2015). Whatever the layers below do, "
        f"the pre-activations keep a steady scale, which allows larger learning rates and makes the start "
        f"matter less; at test time the running averages of the mean and variance stand in for the batch's. "
        f"A bias before it is wasted: adding 7 to every pre-activation of a batch of {batch} changes the "
        f"output by at most {np.abs(shifted - out).max():.1e} (means {np.abs(out.mean(axis=0)).max():.0e}, "
        f"standard deviations {out.std(axis=0).min():.4f}–{out.std(axis=0).max():.4f}); $\\beta$ is the bias.")


def answer_momentum_beta(kappa: float = 100.0, tol: float = 1e-6, max_steps: int = 5000) -> figures.Markdown:
    """Momentum's optimal beta on a quadratic of condition number kappa, both runs by the kit's own rule.

    ``momentum_theory.optimal_momentum`` (Polyak 1964; Goh 2017) against
    ``optimal_gd``, each run with ``momentum_theory.measured_iterations`` from
    ``(1, 1)``, as lecture 5 counts them.
    """
    kappa = as_positive("kappa", kappa)
    q = functions.quadratic(condition_number=kappa, dim=2)
    gd_tuning = momentum_theory.optimal_gd(q.strong_convexity, q.smoothness)
    best = momentum_theory.optimal_momentum(q.strong_convexity, q.smoothness)
    x0 = np.ones(2)
    gd = momentum_theory.measured_iterations(q, x0, gd_tuning.alpha, 0.0, tol, max_steps)
    mom = momentum_theory.measured_iterations(q, x0, best.alpha, best.beta, tol, max_steps)
    if gd is None or mom is None:
        raise ValueError(f"max_steps must let both runs reach tol {tol:g}; got {max_steps} (kappa {kappa:g})")
    return figures.reveal(
        f"For $\\kappa = {kappa:g}$: $\\beta^* = ((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1))^2$ = {best.beta:.4f}, with "
        f"learning rate $4/(\\sqrt L + \\sqrt\\mu)^2$. The error then shrinks by about "
        f"$\\sqrt{{\\beta^*}}$ = {best.rate:.4f} per step, against $(\\kappa - 1)/(\\kappa + 1)$ = "
        f"{gd_tuning.rate:.4f} for gradient descent at its best step $2/(L + \\mu)$. Run by the "
        f"kit's own update rules from $(1, 1)$, the error stays below {tol:g} of its start from step {mom} "
        f"on with momentum and from step {gd} without: {gd / mom:.1f} times fewer, of the order of "
        f"$\\sqrt\\kappa$ = {np.sqrt(kappa):g} (lecture 5).")
