"""Lecture 10's self-check widget: a column of questions, each checked with its feedback."""

from course_lib import reflect
from course_lib.lectures import l10_reflect as lecture


def test_self_check_grades_and_explains():
    q1 = reflect.Question("2 + 2?", ["3", "4"], 1, "Two and two make four.", hints={0: "Count again."})
    q2 = reflect.Question("Sign of the step?", ["+grad", "-grad"], 1, "Descent goes against the gradient.")
    box = lecture.self_check([q1, q2])
    assert box.check_all([1, 0]) == 1
    assert box.feedback[0].value.startswith("Right") and box.feedback[1].value.startswith("Not quite")
    assert box.questions == [q1, q2]


# ---------------------------------------------------------------------------------------------
# "Beyond the slides": every answer folded, and its numbers against an independent computation
# ---------------------------------------------------------------------------------------------
import gzip  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _answer(md):
    """The text inside a reveal (and that it is one)."""
    assert md.text.startswith("<details>\n<summary>Answer</summary>\n\n") and md.text.endswith("\n\n</details>")
    return md.text.split("</summary>\n\n", 1)[1].rsplit("\n\n</details>", 1)[0]


def test_every_answer_function_returns_a_reveal():
    for name in lecture.__all__:
        if name.startswith("answer_") and name != "answer_stuck_network":   # that one needs MNIST (below)
            _answer(getattr(lecture, name)())


def test_stable_step_is_two_over_the_curvature():
    assert _answer(lecture.answer_stable_step(4.0)).startswith("$2/f'' = 0.5$")
    assert _answer(lecture.answer_stable_step(8.0)).startswith("$2/f'' = 0.25$")


def test_central_step_answer_measures_the_errors_as_lecture_2_does():
    text = _answer(lecture.answer_central_step())
    # lecture 2's grid, written out: 91 steps from 1e-16 to 1e-1, the central quotient of exp at 1
    h = np.logspace(-16, -1, 91)
    err = np.abs((np.exp(1 + h) - np.exp(1 - h)) / (2 * h) - np.e)
    err_8 = abs((np.exp(1 + 1e-8) - np.exp(1 - 1e-8)) / 2e-8 - np.e)      # 1e-8 is on the grid (index 48)
    best = int(np.argmin(err))
    assert f"{err_8:.1e} at $h = 10^{{-8}}$ and {err[best]:.1e} at the grid's best step $h$ = {h[best]:.1e}" in text
    assert f"{err_8 / err[best]:.0f} times larger" in text and f"{err_8 / err[best]:.0f}" == "439"
    assert "= 6.1e-06 in float64" in text


def test_stable_step_answer_says_the_quadratic_model_diverges_at_once():
    text = _answer(lecture.answer_stable_step(4.0))
    # x_{k+1} - x* = (1 - eta f'') (x_k - x*): just above 2/f'' the factor is below -1, so |e| grows every step
    e, factor = [1.0], 1 - 0.51 * 4.0
    for _ in range(5):
        e.append(factor * e[-1])
    assert all(abs(b) > abs(a) and a * b < 0 for a, b in zip(e, e[1:]))
    assert "diverge at once, alternating" in text and "jump between two points, then diverge" not in text


def test_batch_variance_falls_by_the_finite_population_factor():
    text = _answer(lecture.answer_batch_variance(batch_size=16, n=256))
    # Cochran's theorem 2.2: Var(B) = S^2/B (1 - B/n); the ratio at B and 2B does not depend on S^2
    factor = (1 - 16 / 256) / 16 / ((1 - 32 / 256) / 32)           # 2 * 240/224 = 2.142857
    assert f"a factor {factor:.3f}" in text and factor > 2
    from course_lib import functions

    p = functions.logistic_clouds(256)
    G = p.sample_gradients(np.zeros(p.dim))                       # the per-sample gradients, by the library
    rng = np.random.default_rng(0)                                 # Monte Carlo over batches drawn without replacement
    mc = [np.mean([np.sum((G[rng.choice(256, b, replace=False)].mean(0) - G.mean(0)) ** 2) for _ in range(4000)])
          for b in (16, 32)]
    m = re.search(r"(\S+) → (\S+), a factor", text)
    np.testing.assert_allclose([float(m.group(1)), float(m.group(2))], mc, rtol=0.08)


def test_momentum_forms_differ_by_one_over_one_minus_beta():
    text = _answer(lecture.answer_momentum_forms(lr=0.01, beta=0.9))
    # by hand: the classical velocity's fixed point v = beta v - lr g is -lr g / (1 - beta) = -0.1 for g = 1
    assert text.startswith(f"{1 / (1 - 0.9):.1f} times smaller") and "the steps are 0.1 and 0.01" in text


def test_stuck_network_answer_counts_the_zeros_of_the_raw_test_labels():
    data_dir = os.environ.get("COURSE_DATA_DIR")
    path = Path(data_dir or "") / "mnist" / "t10k-labels-idx1-ubyte.gz"
    assert data_dir and path.exists(), "the course's MNIST copy (COURSE_DATA_DIR) is needed"
    labels = np.frombuffer(gzip.decompress(path.read_bytes())[8:], dtype=np.uint8)   # IDX: 8 header bytes
    text = _answer(lecture.answer_stuck_network())
    zeros = int(np.sum(labels == 0))
    assert f"{zeros:,} of {len(labels):,} = {zeros / len(labels):.2%}" in text
    assert zeros == 980 and len(labels) == 10_000         # the question's 9.80%
    assert f"$\\ln 10$ = {np.log(10):.4f}" in text and "no biases" in text
    # one computation: lecture 7's answer on the same test set is the same text
    from course_lib import data
    from course_lib.lectures import l07_mnist_from_scratch as l07

    _, (X_img, y) = data.load_mnist()
    assert l07.collapse_answer(data.flatten_images(X_img), y).text == lecture.answer_stuck_network().text


def test_equal_weights_stay_equal_and_zero_weights_learn_nothing():
    text = _answer(lecture.answer_equal_weights())
    assert "first layer — it is a" in text and "has 1 distinct unit of 16" in text and "random start it has 16" in text
    assert "the largest hidden weight is 0." in text
    # by hand: 784-16-10 from zeros, sigmoid hidden, softmax output, SGD on lecture 9's images; the 16
    # columns of W1 receive identical gradients at every step, so they stay identical
    from course_lib.train import mnist_subsets

    X, y, _, _ = mnist_subsets(256, 1, 0, np.float64)
    W1, W2 = np.zeros((784, 16)), np.zeros((16, 10))
    b1, b2 = np.zeros(16), np.zeros(10)
    Y = np.eye(10)[y]
    for _ in range(3):                                            # three full-batch steps suffice to show it
        a = 1 / (1 + np.exp(-(X @ W1 + b1)))
        z = a @ W2 + b2
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        d2 = (p - Y) / len(y)
        d1 = (d2 @ W2.T) * a * (1 - a)
        W2, b2, W1, b1 = W2 - 0.5 * a.T @ d2, b2 - 0.5 * d2.sum(0), W1 - 0.5 * X.T @ d1, b1 - 0.5 * d1.sum(0)
    assert np.abs(W1).max() > 0 and np.all(W1 == W1[:, :1])       # moved, and every column still the same


def _sigmoid_net_gradient_ratio(layers, width):
    """Backprop written out for lecture 10's deep sigmoid network (same weights as the library's, same data)."""
    from course_lib import nn
    from course_lib.data import make_circles

    X, y = make_circles(128, seed=0)
    net = nn.MLP([2, *[width] * layers, 1], hidden="sigmoid", output="sigmoid", seed=0)
    Ws, bs = net.params[::2], net.params[1::2]
    acts = [X]
    for W, b in zip(Ws, bs):
        acts.append(1 / (1 + np.exp(-(acts[-1] @ W + b))))
    delta = (acts[-1] - y[:, None]) / len(X)                        # sigmoid + BCE, mean: a - y
    norms = []
    for k in range(len(Ws) - 1, -1, -1):
        norms.append(np.linalg.norm(acts[k].T @ delta))
        if k:
            delta = (delta @ Ws[k].T) * acts[k] * (1 - acts[k])
    norms = norms[::-1]
    return norms[0] / norms[-1]                                     # first layer over the output layer, as lecture 9


def test_vanishing_gradients_answer_against_backprop_by_hand():
    text = _answer(lecture.answer_vanishing_gradients(layers=10, width=16))
    # between the output layer's weights and the first layer's, delta passes all 10 hidden layers' slopes
    assert f"$(1/4)^{{10}}$ = {0.25 ** 10:.1e}" in text
    ratio = _sigmoid_net_gradient_ratio(10, 16)
    assert f"has {ratio:.1e} times the norm of its output layer's" in text and ratio < 0.25 ** 10


def test_overfitting_answer_reads_the_experiments_results():
    runs = json.loads((ROOT / "experiments/results/source_000_asgd.json").read_text())["mnist"]
    (run,) = [r for r in runs if r["optimizer"] == "aSGD" and r["lr"] == 0.01 and r.get("seed", 0) == 0]
    test = run["test_loss"]
    best = min(range(len(test)), key=test.__getitem__)
    text = _answer(lecture.answer_overfitting("aSGD", 0.01))
    assert f"lowest after epoch {best + 1} ({test[best]:.4f}) and is {test[-1]:.4f} after epoch {len(test)}" in text
    assert test[-1] > test[best] and run["train_loss"][-1] < run["train_loss"][best]


def test_batch_norm_answer_shows_the_bias_cancelled():
    text = _answer(lecture.answer_batch_norm())
    m = re.search(r"changes the output by at most (\S+) \(means (\S+), standard deviations (\S+)–(\S+)\)", text)
    assert float(m.group(1)) < 1e-12 and float(m.group(2)) < 1e-12
    # Ioffe & Szegedy's Algorithm 1 with gamma = 1, beta = 0: unit standard deviation up to eps = 1e-3
    z = np.random.default_rng(0).normal(2.0, 5.0, size=(64, 3))
    by_hand = (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-3)
    assert m.group(3) == f"{by_hand.std(0).min():.4f}" and m.group(4) == f"{by_hand.std(0).max():.4f}"


def _heavy_ball_steps(kappa, lr, beta, tol=1e-6, steps=5000):
    """The step from which |x - x*| <= tol |x0 - x*| holds for good on 0.5 (x1^2 + kappa x2^2), written out
    (Polyak 1964)."""
    lam = np.array([1.0, kappa])
    x_prev = x = np.ones(2)
    above = 0
    for k in range(1, steps + 1):
        x, x_prev = x - lr * lam * x + beta * (x - x_prev), x
        if np.linalg.norm(x) > tol * np.sqrt(2):
            above = k
    return above + 1


def test_momentum_beta_answer_against_the_closed_forms():
    text = _answer(lecture.answer_momentum_beta(kappa=100.0))
    beta = (9 / 11) ** 2                                            # ((sqrt 100 - 1) / (sqrt 100 + 1))^2
    assert f"= {beta:.4f}, with" in text and f"= {9 / 11:.4f} per step" in text and f"= {99 / 101:.4f} for" in text
    mom = _heavy_ball_steps(100.0, 4 / (1 + 10) ** 2, beta)
    gd = _heavy_ball_steps(100.0, 2 / 101, 0.0)
    assert f"from step {mom} on with momentum and from step {gd} without: {gd / mom:.1f} times fewer" in text
    # the rates the closed forms give: about log(tol) / log(rate) steps (momentum's double root adds a few)
    assert gd == pytest.approx(np.log(1e-6) / np.log(99 / 101), abs=2)
    assert np.log(1e-6) / np.log(9 / 11) < mom < 1.5 * np.log(1e-6) / np.log(9 / 11)
