"""Lecture 4, stochastic, mini-batch and batch descent: logistic regression (source 000)
with a batch-size slider, the mini-batch gradient's noise, source 002's running loss
estimate, the learning-rate schedules.

The computations are the library's: the problem is ``functions.logistic_clouds``, its
per-sample and mini-batch gradients are methods of ``functions.LogisticRegression``, the
paths come from ``train.minibatch_sgd`` and the running estimate from
``train.running_loss_estimate``; this module draws them.  Section 4.5, source 004's wine regression, trains ``nn.MLP`` with
``train.train``; ``figures.learning_curves`` (re-exported here) draws any run's ``History`` (lecture 7
draws its MNIST runs with it too) and ``wine_features`` tabulates the data before and after scaling (``data.Standardizer``,
``data.l2_normalize``).
"""

from __future__ import annotations

import ipywidgets as _w
import numpy as np

from collections.abc import Mapping

from .. import nn, optim, schedules
from ..data import Standardizer, feature_scales, row_norm_share
from ..functions import logistic_clouds
from ..train import batches_per_epoch, minibatch_sgd, running_loss_estimate, train
from ..validation import as_generator
from .figures import Markdown, Plot, figure as _figure, learning_curves, reveal
from .interactive import Interactive, float_slider, int_slider

__all__ = ["minibatch_descent", "gradient_noise", "running_loss", "schedule_explorer", "noise_ball_answer",
           "wine_features", "wine_regression", "learning_curves", "wine_steps_answer"]
WIDGETS = ("minibatch_descent", "gradient_noise", "running_loss", "schedule_explorer")  # the slider figures, in the notebook's order


BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)

def _batch_slider(value: int):
    """The batch sizes of lecture 4 (powers of two up to the 256 samples) on one slider."""
    return _w.SelectionSlider(options=list(BATCH_SIZES), value=value, description="batch size",
                              continuous_update=True, style={"description_width": "initial"},
                              layout=_w.Layout(width="32%"))


def minibatch_descent(batch_size: int = 16, lr: float = 0.5, epochs: int = 5, seed=0) -> Interactive:
    """Stochastic, mini-batch and batch gradient descent on regularised logistic regression.

    Left: contours of F(w) over the two weights, the path of mini-batch SGD
    with the chosen batch size, and batch gradient descent for the same
    number of epochs (one step per epoch).  Right: F(w) - F* against the
    epoch (fractional: step / steps per epoch) on a log scale.  Small batches
    take many cheap, noisy steps per epoch; the full batch takes one exact
    step.  With a constant learning rate SGD does not converge: it ends in a
    noise ball around w* whose size grows with lr and shrinks with the batch.

    State: ``path``, ``gap`` (per step), ``batch_gap`` (full-batch GD per epoch),
    ``steps_per_epoch``.
    """
    F = logistic_clouds(seed=seed)
    w_star, f_star = F.minima[0], F.fmin
    w0 = np.array([-2.0, 2.5])
    fig, (ax, ax_gap) = _figure(10.5, 4.4, ncols=2)
    g1 = np.linspace(-2.5, 3.0, 121)
    g2 = np.linspace(-2.0, 3.0, 121)
    W1, W2 = np.meshgrid(g1, g2)
    Z = F(np.stack([W1, W2])) - f_star
    ax.contour(W1, W2, Z, levels=np.geomspace(1e-3, Z.max(), 14), colors="0.78", linewidths=0.7)
    (sgd_line,) = ax.plot([], [], "-", color="C1", lw=0.8, alpha=0.9, label="mini-batch SGD")
    (gd_line,) = ax.plot([], [], "o-", color="C0", ms=4, lw=1.5, label="batch GD (1 step/epoch)")
    (star,) = ax.plot(*w_star, "*", color="k", ms=11, label="w*")
    ax.plot(*w0, "s", color="k", ms=6)
    ax.set(xlabel="$w_1$", ylabel="$w_2$", xlim=(g1[0], g1[-1]), ylim=(g2[0], g2[-1]))
    ax.legend(loc="lower right", fontsize=8)
    (sgd_gap,) = ax_gap.semilogy([], [], "-", color="C1", lw=0.8, label="mini-batch SGD")
    (gd_gap,) = ax_gap.semilogy([], [], "o-", color="C0", ms=4, label="batch GD")
    ax_gap.set(xlabel="epoch", ylabel="$F(w) - F^*$", ylim=(1e-6, 10))
    ax_gap.grid(alpha=0.3, which="both")
    ax_gap.legend(loc="upper right", fontsize=8)

    def draw(batch_size, lr, epochs):
        path = minibatch_sgd(F, w0, lr, batch_size, epochs, seed=seed).path
        full = minibatch_sgd(F, w0, lr, F.n, epochs, seed=seed).path
        steps_per_epoch = batches_per_epoch(F.n, batch_size)
        gap = F(path.T) - f_star
        full_gap = F(full.T) - f_star
        sgd_line.set_data(path[:, 0], path[:, 1])
        gd_line.set_data(full[:, 0], full[:, 1])
        sgd_gap.set_data(np.arange(len(gap)) / steps_per_epoch, np.maximum(gap, 1e-300))
        gd_gap.set_data(np.arange(len(full_gap)), np.maximum(full_gap, 1e-300))
        ax_gap.set_xlim(0, epochs)
        tail = gap[-steps_per_epoch:]
        ax.set_title(f"batch {batch_size}: {steps_per_epoch} steps per epoch, lr {lr:.3g}")
        ax_gap.set_title(f"F − F* in the last epoch: SGD {np.mean(tail):.1e} (mean), GD {full_gap[-1]:.1e}")
        return {"path": path, "gap": gap, "batch_path": full, "batch_gap": full_gap,
                "steps_per_epoch": steps_per_epoch}
    controls = {
        "batch_size": _batch_slider(batch_size),
        "lr": float_slider("learning rate", lr, 0.01, 5.0, 0.05, log=True),
        "epochs": int_slider("epochs", epochs, 1, 20),
    }
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [sgd_line, gd_line, star, sgd_gap, gd_gap, ax.get_legend(),
                                        ax_gap.get_legend(), ax.title, ax_gap.title],
                       caption=f"{F.n} samples, 2 weights, λ = {F.lam}. One epoch = one pass over the data.")


def gradient_noise(batch_size: int = 8, draws: int = 400, seed=0) -> Interactive:
    """The mini-batch gradient as a random estimate of the full gradient.

    At a fixed w, ``draws`` batches (each sampled without replacement) give
    ``draws`` gradient estimates, drawn as points around the full gradient.
    Their mean is the full gradient (unbiased); their total variance is

        E|g_B - g|^2 = (S^2 / B) (1 - B/n),  S^2 summed over the coordinates,

    with S^2 the per-sample gradients' variance (denominator n - 1): it
    falls like 1/B and is 0 for the full batch.

    State: ``estimates``, ``full_gradient``, ``variance`` (measured, total),
    ``predicted_variance``.
    """
    F = logistic_clouds(seed=seed)
    w0 = np.array([-1.0, 1.5])
    g_full = F.grad(w0)
    single = F.minibatch_gradient_variance(w0, 1)  # the variance of one sample's gradient: the top of the plot
    rng = as_generator("seed", seed)  # one stream: every slider move draws new batches
    fig, (ax, ax_v) = _figure(10, 4.2, ncols=2)
    (pts,) = ax.plot([], [], ".", color="C1", ms=3, alpha=0.5, label="mini-batch gradients")
    (full_pt,) = ax.plot(*g_full, "*", color="k", ms=12, label="full gradient")
    (mean_pt,) = ax.plot([], [], "x", color="C3", ms=10, mew=2, label="mean of the estimates")
    span = 3.5 * F.sample_gradients(w0).std(axis=0)  # about the spread of single-sample estimates
    ax.set(xlabel=r"$\partial F/\partial w_1$", ylabel=r"$\partial F/\partial w_2$",
           xlim=(g_full[0] - span[0], g_full[0] + span[0]), ylim=(g_full[1] - span[1], g_full[1] + span[1]))
    ax.legend(loc="upper right", fontsize=8)
    B_all = np.array([b for b in BATCH_SIZES if b < F.n])
    ax_v.loglog(B_all, [F.minibatch_gradient_variance(w0, int(B)) for B in B_all], "-", color="C0",
                label="(S²/B)(1 − B/n)")
    ax_v.set_ylim(single / F.n * 0.3, single * 3)
    (measured,) = ax_v.loglog([], [], "o", color="C1", ms=8, label="measured")
    ax_v.set(xlabel="batch size B", ylabel="E|g_B − g|²", title="variance of the estimate")
    ax_v.grid(alpha=0.3, which="both")
    ax_v.legend(fontsize=8)

    def draw(batch_size):
        est = F.minibatch_gradients(w0, batch_size, draws, seed=rng)
        pts.set_data(est[:, 0], est[:, 1])
        mean_pt.set_data([est[:, 0].mean()], [est[:, 1].mean()])
        var = float(np.mean(np.sum((est - g_full) ** 2, axis=1)))  # the drawn points' spread, as measured
        predicted = F.minibatch_gradient_variance(w0, batch_size)
        measured.set_data([batch_size], [var] if var > 0 else [])
        ax.set_title(f"B = {batch_size}: variance {var:.2e} (predicted {predicted:.2e})")
        return {"estimates": est, "full_gradient": g_full, "variance": var, "predicted_variance": predicted}
    controls = {"batch_size": _batch_slider(batch_size)}
    return Interactive(fig, controls, draw,
                       dynamic=lambda: [pts, full_pt, mean_pt, measured, ax.get_legend(), ax.title])


def running_loss(lam: float = 0.05, lr: float = 0.1, steps: int = 600, seed=0) -> Interactive:
    """Source 002's running loss estimate during SGD with batch size 1.

    Each step sees one sample i and its loss L_i (noisy); the running
    estimate Q := lam L_i + (1 - lam) Q follows the trend at no extra cost
    (an exponentially weighted average over about 1/lam steps).  The true
    loss F(w_k) over all samples (expensive: a full pass) is drawn for
    comparison.  Q starts at the first sample's loss.

    State: ``sample_loss``, ``Q``, ``true_loss`` (per step).
    """
    F = logistic_clouds(seed=seed)
    run = minibatch_sgd(F, np.array([-2.0, 2.5]), lr, 1, -(-steps // F.n), seed=seed, max_steps=steps)  # epochs enough for the steps
    sample_loss = run.batch_loss              # L_i of the step's sample, at w_k before the step
    true_loss = F(run.path[:-1].T)            # F(w_k) over all samples (the expensive full pass)

    fig, (ax,) = _figure(9, 4.0)
    ax.plot(np.arange(steps), sample_loss, ".", color="0.6", ms=2.5, label="$L_i$ of the step's sample")
    ax.plot(np.arange(steps), true_loss, "-", color="C0", lw=1.5, label="true loss F(w) (full pass)")
    (q_line,) = ax.plot([], [], "-", color="C1", lw=2, label="running estimate Q")
    ax.set(xlabel="step (one sample each)", ylabel="loss", yscale="log", xlim=(0, steps))
    ax.legend(loc="upper right", fontsize=8)

    def draw(lam):
        Q = running_loss_estimate(sample_loss, lam)
        q_line.set_data(np.arange(steps), Q)
        err = np.abs(Q[steps // 2:] - true_loss[steps // 2:]) / true_loss[steps // 2:]
        ax.set_title(f"λ = {lam:.3g} (averages about {1 / lam:.0f} steps): "
                     f"Q within {np.median(err):.0%} of F (median, second half)")
        return {"sample_loss": sample_loss, "Q": Q, "true_loss": true_loss}

    controls = {"lam": float_slider("λ", lam, 0.001, 1.0, 0.05, log=True)}
    return Interactive(fig, controls, draw, dynamic=lambda: [q_line, ax.get_legend(), ax.title])


def schedule_explorer(lr0: float = 0.1, decay: float = 0.1, base: float = 0.95, every: int = 10,
                      lr_final: float = 1e-4, epochs: int = 100) -> Interactive:
    """The learning-rate schedules of sources 001 and 003, with their parameters on sliders.

    inverse time lr0 / (1 + decay k); exponential lr0 base^k; inverse square
    root lr0 / sqrt(1 + k) (001's k/sqrt(epoch) shifted by one: it is
    infinite at epoch 0 as printed); step decay lr0 0.5^floor(k / every);
    linear lr0 -> lr_final over the run (003).  Log scale.

    State: ``curves`` (dict name -> lr per epoch), ``epochs``.
    """

    fig, (ax,) = _figure(9, 4.0)
    names = ("inverse time", "exponential", "inverse sqrt", "step decay", "linear (003)")
    lines = {n: ax.semilogy([], [], "-", lw=1.8, label=n)[0] for n in names}
    ax.set(xlabel="epoch k", ylabel="learning rate")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="lower left", fontsize=8)

    def draw(lr0, decay, base, every, lr_final, epochs):
        k = np.arange(epochs + 1)
        curves = {
            "inverse time": schedules.inverse_time(lr0, decay)(k),
            "exponential": schedules.exponential(lr0, base)(k),
            "inverse sqrt": schedules.inverse_sqrt(lr0)(k),
            "step decay": schedules.step_decay(lr0, 0.5, every)(k),
            "linear (003)": schedules.linear(lr0, min(lr_final, lr0), epochs)(k),
        }
        for n, c in curves.items():
            lines[n].set_data(k, c)
            lines[n].set_label(f"{n}: {c[-1]:.1e} at the end")
        ax.legend(loc="lower left", fontsize=8)
        ax.set_xlim(0, epochs)
        low = min(c.min() for c in curves.values())
        ax.set_ylim(10.0 ** np.floor(np.log10(low * 0.5)), 10.0 ** np.ceil(np.log10(lr0 * 1.5)))  # whole decades
        ax.set_title(f"lr0 = {lr0:.3g}, {epochs} epochs")
        return {"curves": curves, "epochs": epochs}

    controls = {
        "lr0": float_slider("lr0", lr0, 1e-3, 1.0, 0.05, log=True),
        "decay": float_slider("decay (inverse time)", decay, 0.001, 1.0, 0.05, log=True),
        "base": float_slider("base (exponential)", base, 0.8, 0.999, 0.001, readout_format=".3f"),
        "every": int_slider("every (step decay)", every, 1, 50),
        "lr_final": float_slider("lr_final (linear)", lr_final, 1e-5, 0.1, 0.1, log=True),
        "epochs": int_slider("epochs", epochs, 10, 300, 10),
    }
    return Interactive(fig, controls, draw, dynamic=lambda: [*lines.values(), ax.get_legend(), ax.title])


def wine_features(X, y, names) -> Markdown:
    """Source 004's Wine Quality table, feature by feature: raw, standardised, row-normalised.

    For each of the 11 features: its mean, standard deviation, minimum and
    maximum; its standard deviation after ``Standardizer`` (1 for every
    feature: each column centred and divided by its own spread) and after
    source 004's ``normalize(x, axis=1)`` (``data.l2_normalize``: each *row*
    divided by its norm, which leaves the columns on scales that differ by
    orders of magnitude); last the target, the quality score.  Under the table:
    the share of each row's squared norm held by the two columns largest in
    mean square, the share of rows where it exceeds 90% and its median.
    The numbers are ``data.feature_scales`` and ``data.row_norm_share``.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    sc = feature_scales(X)
    lines = ["| column | mean | std | min | max | std after `Standardizer` | std after `normalize(axis=1)` |",
             "|---|---|---|---|---|---|---|"]
    for j, name in enumerate(names):
        lines.append(f"| {name} | {sc['mean'][j]:.4g} | {sc['std'][j]:.3g} | {sc['min'][j]:.4g} | "
                     f"{sc['max'][j]:.4g} | {sc['std_standardized'][j]:.3g} | {sc['std_row_normalized'][j]:.2g} |")
    lines.append(f"| **quality** (target) | {y.mean():.4g} | {y.std():.3g} | {y.min():.4g} | {y.max():.4g} | "
                 "(not scaled) | (not scaled) |")
    big, share = row_norm_share(X, 2)               # the two columns largest in the mean square
    lines += ["", f"Under `normalize(axis=1)`, the two largest columns, {names[big[0]]} and {names[big[1]]}, hold "
                  f"more than 90% of the squared norm of {np.mean(share > 0.9):.1%} of the rows "
                  f"(median share {np.median(share):.1%})."]
    return Markdown("\n".join(lines))


def wine_regression(X_train, y_train, X_test, y_test, batch_sizes=(1, 8, 64, None), epochs: int = 5,
                    lr: float = 0.001, seed: int = 0) -> Plot:
    """Section 4.5's runs: source 004's wine network trained live at several batch sizes, drawn as learning curves.

    The features standardised with the training wines' statistics
    (``data.Standardizer``); for each batch size (``None``: the whole
    training set) an ``nn.MLP([d, 128, 1])`` (ReLU, identity output, MSE,
    the same initial weights) trained with ``train.train`` and plain
    ``optim.SGD(lr)``, the test wines as validation data.  The reference
    line is the test MSE of predicting the training wines' mean quality
    (``nn.mean_squared_error``).  Drawn by ``figures.learning_curves``.

    data: the learning curves' (``curves``, ``steps_per_epoch``), and
    ``runs`` (label -> ``History``), ``baseline`` (the mean's test MSE),
    ``epochs``, ``lr``, ``summary`` (one line per run and the baseline's).
    """
    scaler = Standardizer().fit(X_train)
    Z_train, Z_test = scaler.transform(X_train), scaler.transform(X_test)
    y_train, y_test = np.asarray(y_train, dtype=float), np.asarray(y_test, dtype=float)
    baseline = float(nn.mean_squared_error(np.full((len(y_test), 1), y_train.mean()), y_test[:, None]))
    runs, lines = {}, []
    for B in batch_sizes:
        B = len(Z_train) if B is None else B
        net = nn.MLP([Z_train.shape[1], 128, 1], hidden="relu", output="identity", loss="mse", seed=seed)
        runs[f"batch {B}"] = h = train(net, Z_train, y_train, optim.SGD(lr), B, epochs,
                                       validation=(Z_test, y_test), progress=False)
        lines.append(f"batch {B:>4}: {h.steps:>6,} steps, test MSE {h.val_loss[-1]:.3f} after {epochs} epochs "
                     f"({h.wall_time:.1f} s)")
    lines.append(f"predicting the training mean for every test wine: test MSE {baseline:.3f}")
    plot = learning_curves(runs, title=f"wine quality: SGD, lr {lr:g}", baseline=("predicting the mean", baseline))
    plot.data.update({"runs": runs, "baseline": baseline, "epochs": epochs, "lr": lr, "summary": "\n".join(lines)})
    return plot


def noise_ball_answer(batch_size: int = 1, lrs=(0.5, 0.05), epochs: int = 10, seed=0) -> Markdown:
    """The answer to 4.1's question, computed: a smaller constant learning rate at batch size 1.

    For each learning rate, ``train.minibatch_sgd`` on the lecture's problem
    from 4.1's start: the mean of F - F* over the steps of the first epoch
    and over those of the last (the noise ball).
    """
    F = logistic_clouds(seed=seed)
    w0 = np.array([-2.0, 2.5])
    spe = batches_per_epoch(F.n, batch_size)
    rows = []
    for lr in lrs:
        gap = F(minibatch_sgd(F, w0, lr, batch_size, epochs, seed=seed).path.T) - F.fmin
        rows.append(f"| {lr:g} | {np.mean(gap[1:spe + 1]):.2e} | {np.mean(gap[-spe:]):.2e} |")
    return reveal("\n".join([
        f"Batch size {batch_size}, {epochs} epochs of {spe} steps, from the same start and the same batches:", "",
        "| learning rate | F − F* in the first epoch (mean) | F − F* in the last epoch (mean) |", "|---|---|---|", *rows, "",
        "The smaller rate ends in a smaller noise ball (the last column) but gets less far in the first "
        "epoch (the middle one). A decaying schedule takes the large steps first and the small ones last: "
        "in `course_lib.train`, `schedule=schedules.linear(0.5, 0.01, epochs)`."]))


def wine_steps_answer(runs) -> Markdown:
    """The answer to 4.5's question (why the full batch barely moves), from the runs' own records.

    ``runs`` maps a label to a ``train.History``: the optimizer steps each run
    took (``History.steps``) and its last training and validation loss.
    """
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError(f"runs must be a non-empty dict of label -> History; got {runs!r}")
    rows = [f"| {label} | {h.steps_per_epoch:,} | {h.steps:,} | {h.loss[-1]:.3f} | {h.val_loss[-1]:.3f} |"
            for label, h in runs.items()]
    return reveal("\n".join([
        "Count the steps. An epoch is one pass over the data, but the weights move once per *batch*:", "",
        "| run | steps per epoch | steps in all | training MSE (last epoch) | test MSE (last epoch) |",
        "|---|---|---|---|---|", *rows, "",
        "With the same learning rate, the full batch takes one exact step per epoch, the smallest batch "
        "thousands of noisy ones. Per epoch the small batch does as much arithmetic but far more learning; "
        "the full batch would need a much larger learning rate, or many more epochs."]))
