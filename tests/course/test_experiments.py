"""The experiment scripts run end to end (quick mode) and write results that hold together."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_quick(module: str, name: str, out: Path) -> tuple[dict, str]:
    """Run ``python -m experiments.<module> --quick`` from the repository root into ``out``."""
    proc = subprocess.run([sys.executable, "-m", f"experiments.{module}", "--quick", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, f"experiments.{module} --quick failed:\n{proc.stderr[-3000:]}"
    return json.loads((out / f"{name}.json").read_text()), (out / f"{name}.md").read_text()


@pytest.mark.slow
def test_source_003_quick(tmp_path):
    result, md = run_quick("exp_003_mnist_mlp", "source_003_mnist", tmp_path)
    assert set(result["main"]) == {"a", "b", "c"}
    # linear decay 0.1 -> 1e-4 over 1 epoch: epoch 0 uses 0.1
    assert result["main"]["b"][0]["lr_per_epoch"] == [0.1]
    for runs in result["main"].values():
        assert len(runs) == 1  # quick mode: one seed
        assert 0.5 < runs[0]["test_accuracy"] <= 1.0  # one epoch on 5,000 images already learns
        assert runs[0]["test_accuracy_per_epoch"][-1] == pytest.approx(runs[0]["test_accuracy"])
    # the Keras peer of run (c) starts from the same weights and sees the same data: after one
    # epoch both must have learnt about as much (different shuffles, so not equal)
    assert len(result["keras_c"]) == 1
    assert abs(result["keras_c"][0]["test_accuracy"] - result["main"]["c"][0]["test_accuracy"]) < 0.05
    assert len(result["grid"]) == 6
    assert result["test_share_of_class_0"] == pytest.approx(980 / 10000)  # ../shared/data/README.md
    assert math.isclose(result["ln10"], math.log(10))
    assert "97.74%" in md and "98.28%" in md and "98.42%" in md


@pytest.mark.slow
def test_source_004_quick(tmp_path):
    result, md = run_quick("exp_004_batch_sizes", "source_004_batch_sizes", tmp_path)
    assert {r["optimizer"] for r in result["mnist"]} == {"sgd", "adam"}
    assert all(0 <= r["test_accuracy"] <= 1 for r in result["mnist"])
    assert result["wine_n_train"] == round(4898 * 0.75)
    # the chosen seed's ReLU output is alive, so the wine model learns below the constant predictor
    best = min(r["test_loss"] for r in result["wine"])
    assert best < 1.5 * result["wine_test_variance"]
    assert "0.811" in md  # a published number is shown beside ours


@pytest.mark.slow
def test_source_000_quick(tmp_path):
    result, md = run_quick("exp_000_asgd", "source_000_asgd", tmp_path)
    assert len(result["groups"]) == 4
    for g in result["groups"].values():
        assert g["summary"]["runs"] == 3
        assert all(r["steps"] <= result["max_steps"] + 3 for r in g["runs"])
    assert {(r["optimizer"], r["lr"]) for r in result["mnist"]} == {("SGD", 0.01), ("aSGD", 0.01),
                                                                     ("SGD", 0.03), ("aSGD", 0.03)}
    for v in result["paired"].values():
        assert 0 <= v["asgd_fewer_steps"] <= v["both_reached"] <= result["seeds"]
    assert md.startswith("# Source 000 reproduced")
