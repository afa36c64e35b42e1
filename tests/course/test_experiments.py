"""The experiment scripts run end to end (quick mode) and write results that hold together."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_quick(module: str, name: str, out: Path) -> tuple[dict, str]:
    """Run ``python -m experiments.<module> --quick`` from the repository root into ``out``."""
    proc = subprocess.run([sys.executable, "-m", f"experiments.{module}", "--quick", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, f"experiments.{module} --quick failed:\n{proc.stderr[-3000:]}"
    return json.loads((out / f"{name}.json").read_text()), (out / f"{name}.md").read_text()


def test_every_experiment_writes_its_results_with_the_benchmarks_finish():
    """One writer of results files for benchmarks and experiments alike (benchmarks.common.finish)."""
    scripts = sorted((ROOT / "experiments").glob("exp_*.py"))
    assert scripts
    for path in sorted((ROOT / "experiments").glob("*.py")):
        text = path.read_text()
        assert "json.dump" not in text and "write_text(" not in text, f"{path.name} writes a results file itself"
        if path in scripts:
            assert "from benchmarks.common import" in text and "finish(" in text, path.name


def test_mnist_rows_are_the_librarys_flattened_images():
    from course_lib import data
    from experiments.shared import mnist_flat

    (X, y), (Xt, yt) = mnist_flat(n_train=100)
    (X_img, y_img), (Xt_img, _) = data.load_mnist()
    assert X.shape == (100, 784) and X.dtype == np.float32 and Xt.shape == (10000, 784)
    assert y.dtype == yt.dtype == np.int64 and y.tolist() == y_img[:100].tolist()
    assert X[3, 28 * 14 + 12] == np.float32(int(X_img[3, 14, 12]) / 255)  # pixel (14, 12) of image 3
    np.testing.assert_array_equal(Xt, data.flatten_images(Xt_img))
    # source 004: tf.keras.utils.normalize(x, axis=1) of the (n, 28, 28) images: every image column that
    # is not all black gets L2 norm 1, and the directions are the raw pixels'
    (Xn, _), _ = mnist_flat(n_train=5, scale="keras_normalize")
    cols = Xn.reshape(5, 28, 28)
    norms = np.sqrt((cols.astype(np.float64) ** 2).sum(axis=1))
    raw = X_img[:5].astype(np.float64)
    np.testing.assert_allclose(norms, np.where(raw.sum(axis=1) > 0, 1.0, 0.0), rtol=1e-6)
    j = int(np.argmax(raw[0].sum(axis=0)))  # the inkiest column of image 0
    np.testing.assert_allclose(cols[0, :, j], raw[0, :, j] / np.linalg.norm(raw[0, :, j]), rtol=1e-6)


def test_source_004_uses_the_optimizers_with_keras_defaults():
    """Keras 3's documented defaults: ``SGD(learning_rate=0.01)``; ``Adam(learning_rate=0.001, beta_1=0.9,
    beta_2=0.999, epsilon=1e-07)``, its epsilon added to sqrt(v) after the bias correction of the step
    size (the "eps hat" form)."""
    from course_lib import optim
    from experiments.exp_004_batch_sizes import make_optimizer

    sgd, adam = make_optimizer("sgd"), make_optimizer("adam")
    assert type(sgd) is optim.SGD and sgd.lr == 0.01
    assert type(adam) is optim.Adam
    assert (adam.lr, adam.beta1, adam.beta2, adam.eps, adam.amsgrad, adam.eps_hat) == (0.001, 0.9, 0.999, 1e-7,
                                                                                        False, True)


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
