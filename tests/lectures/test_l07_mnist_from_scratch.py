"""Lecture 7's digit grid: the images drawn, their labels, and the wrong predictions in red."""

import numpy as np

from course_lib.lectures import l07_mnist_from_scratch as lecture


def test_digits_draws_a_grid_of_eight_columns_with_labels_and_wrong_predictions_in_red():
    images = np.zeros((11, 784))
    labels = np.arange(11) % 10
    predicted = labels.copy()
    predicted[3] = 9  # one wrong
    plot = lecture.digits(images, labels, predicted, n=10, title="t")
    axes = plot.fig.get_axes()
    assert len(axes) == 16  # 10 shown in rows of 8: two rows
    assert plot.data["shown"].tolist() == list(range(10))
    assert [ax.get_title() for ax in axes[:4]] == ["0 → 0", "1 → 1", "2 → 2", "3 → 9"]
    assert axes[3].title.get_color() == "C3" and axes[2].title.get_color() == "k"
    assert all(not ax.get_images() for ax in axes[10:])  # the rest of the grid stays empty
    assert len(lecture.digits(images[:3], labels[:3]).fig.get_axes()) == 3


# ---------------------------------------------------------------------------------------------
# The results file's figures, against the file read here and source 003's Table 2
# ---------------------------------------------------------------------------------------------
import json
import math
from pathlib import Path

import pytest

import course_env

from figure_data import line_data

ROOT = Path(__file__).resolve().parents[2]
RESULTS = json.loads((ROOT / "experiments" / "results" / "source_003_mnist.json").read_text())


def _source_003_table_2():
    """Source 003's Table 2, parsed from the source's own text: {(lr, batch): (loss, accuracy, seconds)}."""
    (path,) = course_env.SHARED_SOURCES.glob("003_*.txt")
    lines = path.read_text().splitlines()
    end = next(k for k, line in enumerate(lines) if line.startswith("Table 2: Final performance metrics at epoch 10"))
    head = max(k for k in range(end) if lines[k].split("\t")[:2] == ["η", "m"])
    rows = [line.split("\t") for line in lines[head + 1:end] if line.strip()]
    return {(float(r[0]), int(r[1])): (float(r[2]), float(r[3]), int(r[4])) for r in rows}


def test_the_published_grid_is_source_003s_table_2_as_printed():
    from course_lib import schedules

    printed = _source_003_table_2()
    assert len(printed) == 9 and printed[(0.1, 1)] == (2.3026, 0.0980, 589)
    assert schedules.SOURCE_003_TABLE2 == printed                       # the one copy, against the source itself
    assert lecture.PUBLISHED_TABLE2 == {cell: (loss, acc) for cell, (loss, acc, _) in printed.items()}
    # the main runs' accuracies: run (a) is Table 2's (0.1, 10) cell; (b) and (c) are quoted in the text
    text = next(course_env.SHARED_SOURCES.glob("003_*.txt")).read_text()
    assert lecture.PUBLISHED_MAIN["a"] == printed[(0.1, 10)][1]
    assert "achieving 98.28% accuracy" in text and "an accuracy of 98.42%" in text
    assert lecture.PUBLISHED_MAIN == {"a": 0.9774, "b": 0.9828, "c": 0.9842}


def test_main_learning_curves_draw_seed_0s_training_and_test_curves_from_the_results_file():
    plot = lecture.main_learning_curves()
    loss_ax, acc_ax = plot.fig.axes[:2]
    loss_lines = {line.get_label(): line for line in loss_ax.lines}
    acc_lines = {line.get_label(): line for line in acc_ax.lines}
    runs = {"(a) SGD 0.1, batch 10": RESULTS["main"]["a"][0], "(b) decay + momentum": RESULTS["main"]["b"][0],
            "(c) Adam, batch 100": RESULTS["main"]["c"][0], "(c) Keras peer": RESULTS["keras_c"][0]}
    for label, r in runs.items():
        x, y = line_data(loss_lines[f"{label}: training, mean over the epoch (mid-epoch)"])
        np.testing.assert_allclose(x, np.arange(10) + 0.5)                 # the epoch's mean, at its middle
        np.testing.assert_allclose(y, r["train_loss_per_epoch"])
        x, y = line_data(loss_lines[f"{label}: test, after the epoch"])
        np.testing.assert_allclose(x, np.arange(1, 11))
        np.testing.assert_allclose(y, r["test_loss_per_epoch"])
        np.testing.assert_allclose(line_data(acc_lines[f"{label}: test, after the epoch"])[1],
                                   r["test_accuracy_per_epoch"])
        assert r["test_loss_per_epoch"][-1] == pytest.approx(r["test_loss"], rel=1e-5)   # epoch 10 is the final net
    # after 10 epochs every run fits its training data better than the test data: the gap the figure shows
    assert all(r["train_loss_per_epoch"][-1] < r["test_loss_per_epoch"][-1] for r in runs.values())
    # lecture 7's prose: the test loss rises again for some runs (its last value above its lowest)
    assert any(r["test_loss_per_epoch"][-1] > min(r["test_loss_per_epoch"]) for r in runs.values())


def test_main_runs_draws_each_runs_mean_and_range_of_test_accuracy_per_epoch():
    plot = lecture.main_runs()
    lines = {line.get_label(): line for line in plot.fig.axes[0].lines}
    for key, label in (("a", "(a) SGD 0.1, batch 10"), ("b", "(b) decay + momentum"), ("c", "(c) Adam, batch 100")):
        acc = np.array([r["test_accuracy_per_epoch"] for r in RESULTS["main"][key]])
        x, y = line_data(lines[f"{label} ({len(acc)} seeds)"])
        np.testing.assert_allclose(x, np.arange(1, 11))
        np.testing.assert_allclose(y, 100 * acc.mean(axis=0))
        assert acc[:, -1].tolist() == [r["test_accuracy"] for r in RESULTS["main"][key]]  # epoch 10 is the final one
    keras = np.array([r["test_accuracy_per_epoch"] for r in RESULTS["keras_c"]])
    np.testing.assert_allclose(line_data(lines["(c) Keras peer (3 seeds)"])[1], 100 * keras.mean(axis=0))
    # the largest move of one seed between consecutive epochs, from epoch 5 on, written out
    late = max(abs(run[k + 1] - run[k]) for runs in [*(RESULTS["main"][k] for k in "abc"), RESULTS["keras_c"]]
               for r in runs for run in [r["test_accuracy_per_epoch"]] for k in range(4, 9))
    assert plot.data["late_move"] == pytest.approx(late)
    assert f"by up to {100 * late:.2f} points" in plot.fig.axes[0].get_title()


def test_linear_scaling_puts_every_cell_at_lr_over_batch_with_the_spreads_by_hand():
    plot = lecture.linear_scaling()
    d = plot.data
    grid = RESULTS["grid"]
    assert d["epochs"] == RESULTS["grid_epochs"] == 3
    assert d["collapsed"] == [(0.1, 1)]
    assert [(lr, b) for lr, b, _, _ in d["reproduced"]] == [(r["lr"], r["batch_size"]) for r in grid]
    # the drawn loss points: every reproduced cell at x = lr / batch (shifted by 0.93 for legibility)
    ax = plot.fig.axes[0]
    drawn = {}
    for line in ax.lines:
        x, y = line_data(line)
        drawn[line.get_label()] = sorted(zip(np.round(x, 12), y))
    for b in (1, 10, 100):
        expect = sorted((round(r["lr"] / b * 0.93, 12), r["train_loss_last_epoch"]) for r in grid if r["batch_size"] == b)
        np.testing.assert_allclose(drawn[f"ours, 3 epochs, batch {b}"], expect, rtol=1e-12)
        pub = sorted((round(lr / b * 1.07, 12), lecture.PUBLISHED_TABLE2[(lr, b)][0]) for lr in (0.1, 0.01, 0.001))
        np.testing.assert_allclose(drawn[f"published, 10 epochs, batch {b}"], pub, rtol=1e-12)
    # by hand, published: groups 0.01 {0.0253, 0.0253}, 0.001 {0.0161, 0.0167, 0.0166}, 1e-4 {0.1591, 0.1603}
    groups = [[0.0253, 0.0253], [0.0161, 0.0167, 0.0166], [0.1591, 0.1603]]
    ss = sum(sum((math.log10(v) - np.mean(np.log10(g))) ** 2 for v in g) for g in groups)
    within = math.sqrt(ss / (7 - 3))
    cells = [v for g in groups for v in g] + [0.4820]
    sp = d["spread_published"]
    assert sp["within"] == pytest.approx(within) and sp["across"] == pytest.approx(np.std(np.log10(cells), ddof=1))
    assert sp["worst_ratio"] == pytest.approx(0.0167 / 0.0161)
    assert sp["within"] < 0.02 * sp["across"]       # the pattern: equal ratio, nearly equal loss
    so = d["spread_reproduced"]
    assert so["within"] < 0.05 * so["across"]


def test_linear_scaling_summary_states_the_spreads_recomputed_from_the_results_file():
    text = lecture.linear_scaling_summary().text
    # by hand from the json: the reproduced grid without the collapsed cell, grouped by lr / batch
    live = [(r["lr"], r["batch_size"], r["train_loss_last_epoch"]) for r in RESULTS["grid"] if not r["collapsed"]]
    groups = {}
    for lr, b, loss in live:
        groups.setdefault(round(lr / b, 12), []).append(math.log10(loss))
    multi = [g for g in groups.values() if len(g) > 1]
    within = math.sqrt(sum(sum((v - sum(g) / len(g)) ** 2 for v in g) for g in multi) / (sum(map(len, multi)) - len(multi)))
    logs = [math.log10(loss) for _, _, loss in live]
    mean = sum(logs) / len(logs)
    across = math.sqrt(sum((v - mean) ** 2 for v in logs) / (len(logs) - 1))
    worst = max(10 ** (max(g) - min(g)) for g in multi)
    assert f"{within:.3f} (ours), **across** all cells" in text and f"and {across:.3f}: within" in text
    assert f"and {worst:.3f} (ours)." in text and f"{within / across:.1%} (ours)" in text
    assert "| 0.001 | (0.1, 100) · (0.01, 10) · (0.001, 1) | 0.0161 · 0.0167 · 0.0166 |" in text
    assert "| 0.1 | (0.1, 1) | 2.3026 |" in text


def test_collapse_answer_evaluates_a_dead_bias_free_network():
    rng = np.random.default_rng(0)
    X, y = rng.random((5, 784)), np.array([0, 3, 0, 7, 1])
    text = lecture.collapse_answer(X, y).text
    # by hand: logits all 0 -> softmax 1/10 -> loss ln 10; argmax of equal logits is class 0 -> share of zeros
    assert text.startswith("<details>") and f"{math.log(10):.4f}" == "2.3026" and "$\\ln 10$ = 2.3026" in text
    assert "2 of 5 = 40.00%" in text and "no biases" in text
