"""Lecture 7's digit grid, the main runs' curves from source_003_mnist.json, and source 003's tables
(curves, linear scaling) from a source_003_tables.json written by the tests in the experiment's format."""

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
RESULTS = json.loads((ROOT / "experiments" / "results" / "source_003_mnist.json").read_text())  # the main runs


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


# ---------------------------------------------------------------------------------------------
# Source 003's tables (experiments/exp_003_tables.py's json), from a small file written here
# ---------------------------------------------------------------------------------------------
def _spread(values):
    v = [x for x in values if x is not None]
    return {"mean": sum(v) / len(v), "min": min(v), "max": max(v), "n": len(v)}


def _tables_file(folder):
    """A small ``source_003_tables.json`` in the experiment's format: Table 2 (all 9 cells; 2 seeds at batch 10
    and 100, 1 at batch 1, whose lr 0.1 run collapsed), one decayed Table 3 cell, and an Adam cell whose seed 1
    diverged after 2 of its 3 curve points.  Returns the parsed content."""
    losses = {(0.1, 1): [2.302585], (0.01, 1): [0.0300], (0.001, 1): [0.0180],
              (0.1, 10): [0.0200, 0.0220], (0.01, 10): [0.0190, 0.0170], (0.001, 10): [0.150, 0.170],
              (0.1, 100): [0.0175, 0.0185], (0.01, 100): [0.160, 0.140], (0.001, 100): [0.500, 0.450]}
    jobs, cells = [], []
    for batch in (1, 10, 100):
        runs = []
        for lr in (0.1, 0.01, 0.001):
            for seed, loss in enumerate(losses[(lr, batch)]):
                acc = 0.098 if (lr, batch) == (0.1, 1) else 1 - loss - 0.001 * seed
                runs.append({"lr": lr, "seed": seed, "batch_size": batch, "train_loss_last_epoch": loss,
                             "test_accuracy": acc, "collapsed": (lr, batch) == (0.1, 1),
                             "curve_samples": [600, 1200, 1800],
                             "curve_test_accuracy": [0.5 + 0.1 * seed + lr, 0.7 + 0.05 * seed, acc]})
        jobs.append({"table": "2", "batch_size": batch, "runs": runs})
    jobs.append({"table": "3", "batch_size": 10, "runs": [
        {"lr": 0.1, "seed": s, "batch_size": 10, "train_loss_last_epoch": 0.002, "test_accuracy": 0.98 + 0.001 * s,
         "collapsed": False, "curve_samples": [600, 1200, 1800], "curve_test_accuracy": [0.9, 0.95 + 0.01 * s, 0.98]}
        for s in (0, 1)]})
    jobs.append({"table": "adam", "batch_size": 100, "runs": [
        {"lr": 0.01, "seed": 0, "batch_size": 100, "train_loss_last_epoch": 0.08, "test_accuracy": 0.97,
         "collapsed": False, "curve_samples": [600, 1200, 1800], "curve_test_accuracy": [0.8, 0.9, 0.97]},
        {"lr": 0.01, "seed": 1, "batch_size": 100, "train_loss_last_epoch": None, "test_accuracy": 0.1,
         "collapsed": False, "curve_samples": [600, 1200], "curve_test_accuracy": [0.6, 0.1]}]})
    for job in jobs:
        for lr in dict.fromkeys(r["lr"] for r in job["runs"]):
            runs = [r for r in job["runs"] if r["lr"] == lr]
            table, batch = job["table"], job["batch_size"]
            pub = ({"loss": lecture.PUBLISHED_TABLE2[(lr, batch)][0], "accuracy": lecture.PUBLISHED_TABLE2[(lr, batch)][1]}
                   if table == "2" else {"loss": 0.078, "accuracy": 0.9738} if table == "adam" else None)
            cells.append({"table": table, "lr": lr, "batch_size": batch, "decayed": table == "3",
                          "seeds": [r["seed"] for r in runs], "published": pub,
                          "train_loss_last_epoch": _spread(r["train_loss_last_epoch"] for r in runs),
                          "test_accuracy": _spread(r["test_accuracy"] for r in runs),
                          "collapsed": sum(r["collapsed"] for r in runs)})
    content = {"epochs": 3, "n_train": 600, "curve_every": 600, "cells": cells, "jobs": jobs}
    (Path(folder) / "source_003_tables.json").write_text(json.dumps(content))
    return content


def test_table_curves_draw_each_cells_mean_and_range_over_the_seeds_against_the_samples_seen(tmp_path):
    _tables_file(tmp_path)
    plot = lecture.table_curves(folder=tmp_path)
    panels = plot.data["panels"]
    assert list(panels) == ["2", "3", "4", "5", "adam"] and panels["4"] == panels["5"] == {}
    assert list(panels["2"]) == [f"lr {lr:g}, batch {b}" for b in (1, 10, 100) for lr in (0.1, 0.01, 0.001)]
    assert list(panels["3"]) == ["lr 0.1 → 1e-4, batch 10"]
    # by hand: Table 2's lr 0.01, batch 10 cell has two seeds, curves [0.51, 0.7, 0.981] and [0.61, 0.75, 0.982]
    cell = panels["2"]["lr 0.01, batch 10"]
    assert cell["seeds"] == 2 and cell["published"] == 0.9769
    np.testing.assert_allclose(cell["samples"], [600, 1200, 1800])
    np.testing.assert_allclose(cell["mean"], [0.56, 0.725, 0.9815])
    np.testing.assert_allclose(cell["min"], [0.51, 0.7, 0.981])
    np.testing.assert_allclose(cell["max"], [0.61, 0.75, 0.982])
    # the diverged Adam seed ends after two points: the last point is the other seed's alone
    adam = panels["adam"]["lr 0.01, batch 100"]
    np.testing.assert_allclose(adam["mean"], [0.7, 0.5, 0.97])
    np.testing.assert_allclose(adam["min"], [0.6, 0.1, 0.97])
    # drawn: the mean in percent, in both rows (the lower one from ZOOM_FROM, or from 0 when the run is shorter)
    top, zoom = plot.fig.axes[0], plot.fig.axes[5]
    lines = {line.get_label(): line for line in top.lines}
    x, y = line_data(lines["lr 0.01, batch 10 (2 seeds)"])
    np.testing.assert_allclose(x, [600, 1200, 1800])
    np.testing.assert_allclose(y, 100 * cell["mean"])
    assert "lr 0.1, batch 1 (1 seed)" in lines
    assert zoom.get_xlim()[0] == 0 and zoom.get_ylim() == (90, 100) and lecture.ZOOM_FROM == 30000
    # the published epoch-10 accuracy: a star at the last sample (epochs x images) for each cell that has one
    stars = [line_data(line) for line in top.lines if line.get_marker() == "*"]
    assert sorted(float(y[0]) for _, y in stars) == sorted(100 * lecture.PUBLISHED_TABLE2[c][1]
                                                         for c in lecture.PUBLISHED_TABLE2)
    assert {float(x[0]) for x, _ in stars} == {3 * 600}


def test_linear_scaling_puts_every_cell_at_lr_over_batch_with_the_spreads_by_hand(tmp_path):
    _tables_file(tmp_path)
    plot = lecture.linear_scaling(folder=tmp_path)
    d = plot.data
    assert d["epochs"] == 3 and d["collapsed"] == [(0.1, 1)] and d["left_out"] == [(0.1, 1)]
    assert d["seeds"][(0.1, 10)] == 2 and d["seeds"][(0.01, 1)] == 1
    assert d["loss_range"][(0.01, 100)] == (0.140, 0.160)
    # the drawn loss points: every cell's seed mean at x = lr / batch (shifted by 0.93 for legibility)
    drawn = {line.get_label(): sorted(zip(np.round(line_data(line)[0], 12), line_data(line)[1]))
             for line in plot.fig.axes[0].lines}
    means = {(0.1, 1): 2.302585, (0.01, 1): 0.03, (0.001, 1): 0.018, (0.1, 10): 0.021, (0.01, 10): 0.018,
             (0.001, 10): 0.16, (0.1, 100): 0.018, (0.01, 100): 0.15, (0.001, 100): 0.475}
    for b, n in ((1, 1), (10, 2), (100, 2)):
        expect = sorted((round(lr / b * 0.93, 12), means[(lr, b)]) for lr in (0.1, 0.01, 0.001))
        np.testing.assert_allclose(drawn[f"ours, 3 epochs, batch {b} (mean of {n})"], expect, rtol=1e-12)
        pub = sorted((round(lr / b * 1.07, 12), lecture.PUBLISHED_TABLE2[(lr, b)][0]) for lr in (0.1, 0.01, 0.001))
        np.testing.assert_allclose(drawn[f"published, 10 epochs, batch {b}"], pub, rtol=1e-12)
    # the min-max bars over the seeds
    segs = sorted(tuple(map(tuple, np.round(s, 12))) for c in plot.fig.axes[0].collections for s in c.get_segments())
    assert ((round(0.01 / 100 * 0.93, 12), 0.14), (round(0.01 / 100 * 0.93, 12), 0.16)) in segs
    # by hand, published: groups 0.01 {0.0253, 0.0253}, 0.001 {0.0161, 0.0167, 0.0166}, 1e-4 {0.1591, 0.1603}
    groups = [[0.0253, 0.0253], [0.0161, 0.0167, 0.0166], [0.1591, 0.1603]]
    ss = sum(sum((math.log10(v) - np.mean(np.log10(g))) ** 2 for v in g) for g in groups)
    sp = d["spread_published"]
    assert sp["within"] == pytest.approx(math.sqrt(ss / (7 - 3)))
    assert sp["across"] == pytest.approx(np.std(np.log10([v for g in groups for v in g] + [0.4820]), ddof=1))
    assert sp["worst_ratio"] == pytest.approx(0.0167 / 0.0161)
    assert sp["within"] < 0.02 * sp["across"]       # the pattern: equal ratio, nearly equal loss
    # ours, by hand: groups 0.01 {0.021, 0.03}, 0.001 {0.018, 0.018, 0.018}, 1e-4 {0.15, 0.16}; 1e-5 {0.475}
    ours = [[0.021, 0.03], [0.018, 0.018, 0.018], [0.15, 0.16]]
    ss = sum(sum((math.log10(v) - np.mean(np.log10(g))) ** 2 for v in g) for g in ours)
    so = d["spread_reproduced"]
    assert so["within"] == pytest.approx(math.sqrt(ss / (7 - 3))) and so["worst_ratio"] == pytest.approx(0.03 / 0.021)


def test_linear_scaling_leaves_out_the_published_collapse_even_where_ours_did_not_collapse(tmp_path):
    content = _tables_file(tmp_path)
    for cell in content["cells"]:
        cell["collapsed"] = 0
    (tmp_path / "source_003_tables.json").write_text(json.dumps(content))
    d = lecture.linear_scaling(folder=tmp_path).data
    assert d["collapsed"] == [] and d["left_out"] == [(0.1, 1)]   # the published loss is ln 10 to 4 decimals
    assert 2.3026 not in [v for g in d["spread_published"]["groups"].values() for v in g]


def test_linear_scaling_summary_states_the_spreads_and_the_seeds_spread_recomputed_from_the_file(tmp_path):
    _tables_file(tmp_path)
    text = lecture.linear_scaling_summary(folder=tmp_path).text
    # by hand: the seed means without the collapsed cell, grouped by lr / batch
    live = {(0.01, 1): 0.03, (0.001, 1): 0.018, (0.1, 10): 0.021, (0.01, 10): 0.018, (0.001, 10): 0.16,
            (0.1, 100): 0.018, (0.01, 100): 0.15, (0.001, 100): 0.475}
    groups = {}
    for (lr, b), loss in live.items():
        groups.setdefault(round(lr / b, 12), []).append(math.log10(loss))
    multi = [g for g in groups.values() if len(g) > 1]
    within = math.sqrt(sum(sum((v - sum(g) / len(g)) ** 2 for v in g) for g in multi) / (sum(map(len, multi)) - len(multi)))
    logs = list(map(math.log10, live.values()))
    mean = sum(logs) / len(logs)
    across = math.sqrt(sum((v - mean) ** 2 for v in logs) / (len(logs) - 1))
    assert f"{within:.3f} (ours), **across** all cells" in text and f"and {across:.3f}: within" in text
    assert f"and {0.03 / 0.021:.3f} (ours)." in text and f"{within / across:.1%} (ours)" in text
    assert "| 0.001 | (0.1, 100) · (0.01, 10) · (0.001, 1) | 0.0161 · 0.0167 · 0.0166 | 0.0180 · 0.0180 · 0.0180 |" in text
    assert "| 0.1 | (0.1, 1) | 2.3026 | 2.3026 |" in text and "ours: loss (3 ep., seed mean)" in text
    # the seeds' spread: the largest max / min of one cell over its seeds (batch 1 has one seed): 0.16 / 0.14
    # (against 0.022 / 0.02, 0.019 / 0.017, 0.17 / 0.15, 0.0185 / 0.0175, 0.5 / 0.45)
    assert f"varies by at most a factor {0.16 / 0.14:.3f} (lr 0.01, batch 100, 2 seeds)" in text


def test_collapse_answer_evaluates_a_dead_bias_free_network():
    rng = np.random.default_rng(0)
    X, y = rng.random((5, 784)), np.array([0, 3, 0, 7, 1])
    text = lecture.collapse_answer(X, y).text
    # by hand: logits all 0 -> softmax 1/10 -> loss ln 10; argmax of equal logits is class 0 -> share of zeros
    assert text.startswith("<details>") and f"{math.log(10):.4f}" == "2.3026" and "$\\ln 10$ = 2.3026" in text
    assert "2 of 5 = 40.00%" in text and "no biases" in text
