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


def test_source_004s_wine_split_is_the_librarys_one_implementation():
    """The experiment and lecture 4 split the wines with ``data.thesis_wine_split`` (tested against the
    thesis' slices in tests/lib/test_data.py), not with a copy of their own."""
    from course_lib import data
    from experiments import exp_004_batch_sizes

    assert exp_004_batch_sizes.thesis_wine_split is data.thesis_wine_split
    assert "def thesis_wine_split" not in (ROOT / "experiments" / "exp_004_batch_sizes.py").read_text()
    lecture_4 = (ROOT / "notebooks" / "04_stochastic_minibatch_batch.ipynb").read_text()
    assert "data.thesis_wine_split(X, y)" in lecture_4 and "train_test_split" not in lecture_4


def test_keras_early_stopping_rule_stops_where_keras_does():
    """Our rule against Keras' own ``EarlyStopping`` (min_delta 1e-4, patience 3), driven epoch by epoch."""
    import types

    from course_lib import keras_peer
    from experiments.exp_004_batch_sizes import keras_early_stopping

    keras = keras_peer.import_keras()

    def keras_stop(values, monitor):
        cb = keras.callbacks.EarlyStopping(monitor=monitor, min_delta=1e-4, patience=3,
                                           mode="min" if monitor == "loss" else "max")
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        cb.set_model(model)
        model.stop_training = False
        cb.on_train_begin()
        for epoch, value in enumerate(values):
            cb.on_epoch_end(epoch, {monitor: value})
            if model.stop_training:
                return epoch
        return None

    def our_stop(values, monitor):
        cb = keras_early_stopping(monitor, 1e-4, 3)
        for epoch in range(len(values)):
            if cb(epoch, types.SimpleNamespace(**{monitor: values[:epoch + 1]}), None):
                return epoch
        return None

    loss = [1.0, 0.5, 0.49995, 0.4, 0.39999, 0.39998, 0.39997, 0.1]      # 0.49995: not better by 1e-4
    acc = [0.5, 0.9, 0.90005, 0.95, 0.95001, 0.94, 0.9500999, 0.99]
    never = [1.0, 0.9, 0.8, 0.7999, 0.79, 0.78]
    # by hand: the best is beaten by more than 1e-4 at epochs 1 and 3; epochs 4, 5, 6 are not: stop at 6
    assert keras_stop(loss, "loss") == our_stop(loss, "loss") == 6
    assert keras_stop(acc, "accuracy") == our_stop(acc, "accuracy") == 6
    assert keras_stop(never, "loss") is None and our_stop(never, "loss") is None


def test_source_003_uses_the_one_copy_of_the_published_numbers():
    """exp_003 compares with ``schedules.SOURCE_003_MAIN`` / ``SOURCE_003_TABLE2`` (tested against the report's
    text in tests/lectures/test_l07_mnist_from_scratch.py), not with a copy of its own."""
    from course_lib import schedules
    from experiments import exp_003_mnist_mlp

    assert exp_003_mnist_mlp.SOURCE_003_MAIN is schedules.SOURCE_003_MAIN
    assert exp_003_mnist_mlp.SOURCE_003_TABLE2 is schedules.SOURCE_003_TABLE2
    text = (ROOT / "experiments" / "exp_003_mnist_mlp.py").read_text()
    assert "PUBLISHED_MAIN =" not in text and "PUBLISHED_TABLE2 =" not in text


def test_source_003_render_only_rewrites_the_page_from_the_json_without_training(tmp_path):
    """``--render-only`` writes the .md from the .json in ``--out``: the committed page is that rendering, and
    the collapse's explanation has a heading of its own (lecture 7 shows the Table 2 section without it)."""
    results = ROOT / "experiments" / "results"
    json_text = (results / "source_003_mnist.json").read_text()
    (tmp_path / "source_003_mnist.json").write_text(json_text)
    proc = subprocess.run([sys.executable, "-m", "experiments.exp_003_mnist_mlp", "--render-only", "--out",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    md = (tmp_path / "source_003_mnist.md").read_text()
    assert md == (results / "source_003_mnist.md").read_text()
    assert json.loads((tmp_path / "source_003_mnist.json").read_text()) == json.loads(json_text)
    table_2 = md[md.index("\n## Table 2"):]
    table_2 = table_2[:table_2.index("\n## ", 3)]
    assert "ln 10" not in table_2 and "\n## The collapse at lr 0.1, batch 1\n" in md


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
    from course_lib import data

    (_, y_img), _ = data.load_mnist()
    assert result["train_share_of_class_0"] == pytest.approx(np.mean(y_img[:5000] == 0))  # quick: 5,000 images
    for runs in result["main"].values():  # the trained network's loss on the training set, after training
        assert 0 < runs[0]["train_loss_after"] < runs[0]["test_loss"] + 0.5
    assert math.isclose(result["ln10"], math.log(10))
    assert "97.74%" in md and "98.28%" in md and "98.42%" in md
    # the learning curves: one entry per epoch, the last epoch's entries the run's own last-epoch numbers
    for runs in [*result["main"].values(), result["keras_c"]]:
        r = runs[0]
        for key in ("train_loss_per_epoch", "train_accuracy_per_epoch", "test_loss_per_epoch"):
            assert len(r[key]) == 1, key
        assert r["train_loss_per_epoch"][-1] == pytest.approx(r["train_loss_last_epoch"])
        assert r["test_loss_per_epoch"][-1] == pytest.approx(r["test_loss"], rel=1e-5)
    a = result["main"]["a"][0]
    assert a["steps_per_epoch"] == 500 and len(a["step_loss_per_100_steps"]) == 5   # 5,000 images, batch 10
    # the epoch's mean batch loss is the mean of its five 100-step blocks' means
    assert np.mean(a["step_loss_per_100_steps"]) == pytest.approx(a["train_loss_per_epoch"][0], rel=1e-6)
    assert all(len(cell["test_loss_per_epoch"]) == 1 for cell in result["grid"])


def test_block_means_average_consecutive_blocks_and_drop_a_short_tail():
    from experiments.exp_003_mnist_mlp import block_means

    assert block_means([1, 2, 3, 4, 5, 6, 7], 3) == [2.0, 5.0]   # (1+2+3)/3, (4+5+6)/3; 7 is left out
    assert block_means([1.0, 2.0], 3) == []


@pytest.mark.slow
def test_source_004_quick(tmp_path):
    result, md = run_quick("exp_004_batch_sizes", "source_004_batch_sizes", tmp_path)
    assert {r["optimizer"] for r in result["mnist"]} == {"sgd", "adam"}
    assert all(0 <= r["test_accuracy"] <= 1 for r in result["mnist"])
    assert (result["wine_n_train"], result["wine_n_test"]) == (int(4898 * 0.75), 4898 - int(4898 * 0.75))
    from course_lib import data

    _, y, _ = data.load_wine_quality("white")
    assert result["wine_train_variance"] == pytest.approx(np.var(y[:3673]))
    assert result["wine_test_mse_of_train_mean"] == pytest.approx(np.mean((y[3673:] - y[:3673].mean()) ** 2))
    # the chosen seed's ReLU output is alive, so the wine model learns below the constant predictor
    best = min(r["test_loss"] for r in result["wine"])
    assert best < 1.5 * result["wine_test_mse_of_train_mean"]
    for r in result["figure_16_17"]:  # RMSEs, as the thesis' mse(..., squared=False) prints
        assert 1 <= r["epochs"] <= r["max_epochs"] and r["train_rmse"] > 0 and r["test_rmse"] > 0
    assert 1 <= result["figure_13_14"]["epochs"] <= result["figure_13_14"]["max_epochs"]
    assert [r["batch_size"] for r in result["mnist_long"]] == [6000, 6000]  # quick: the full batch, 2 epochs
    assert "0.811" in md and "0.880" in md and "97.39%" in md  # published numbers are shown beside ours


@pytest.mark.slow
def test_source_000_quick(tmp_path):
    result, md = run_quick("exp_000_asgd", "source_000_asgd", tmp_path)
    assert len(result["groups"]) == 4
    for g in result["groups"].values():
        assert g["summary"]["runs"] == 3 and len(g["runs"]["steps"]) == 3
        assert all(s <= result["max_steps"] + 3 for s in g["runs"]["steps"])
        assert len(g["dead_per_layer"]) == 5 and abs(sum(g["dead_per_layer"]) - g["summary"]["mean_dead"]) < 1e-9
    # the paper's four learning rates, each optimizer, every seed
    assert {(r["optimizer"], r["lr"], r["seed"]) for r in result["mnist"]} == {
        (o, lr, 0) for o in ("SGD", "aSGD") for lr in (0.005, 0.01, 0.03, 0.1)}
    assert len(result["mnist_summary"]) == 8 and all(row["seeds"] == 1 for row in result["mnist_summary"])
    for v in result["paired"].values():
        assert 0 <= v["asgd_fewer_steps"] <= v["both_reached"] <= result["seeds"]
    assert md.startswith("# Source 000 reproduced") and "prints no number for this study" in md
    assert result["wall_seconds"] > 0 and set(result["seconds"]) == {"synthetic_circles", "synthetic_spirals",
                                                                    "mnist_mean", "mnist_effective"}


def _thesis_captions() -> tuple[dict, dict]:
    """Figures 18 and 19's settings, parsed from the thesis' captions as printed."""
    import re

    import course_env

    (path,) = sorted(course_env.SHARED_SOURCES.glob("004_*.txt"))
    text = path.read_text()
    m18 = re.search(r"Figure 18: Gradient Descent with Momentum Term \(\$\\alpha = (\S+), \\lambda = (\S+)\$\)", text)
    m19 = re.search(r"Figure 19: ADAM \(\$\\lambda = (\S+)\$, \$\\beta_1 = (\S+)\$, \$\\beta_2 = (\S+)\$ and "
                    r"\$\\epsilon = 10\^\{(-?\d+)\}\$\)", text)
    assert m18 and m19
    return ({"alpha": float(m18[1]), "lr": float(m18[2])},
            {"lr": float(m19[1]), "beta1": float(m19[2]), "beta2": float(m19[3]), "eps": 10.0 ** int(m19[4])})


# source 004's sextic, its derivative differentiated by hand (n c_n x^(n-1) of the printed coefficients)
SEXTIC_DERIVATIVE = (0.000102, -0.005665, 0.116964, -1.10073, 4.46823, -5.51002)


def _sextic_slope(x: float) -> float:
    out = 0.0
    for c in SEXTIC_DERIVATIVE:  # Horner
        out = out * x + c
    return out


def test_source_004_sextic_iterates_are_the_printed_update_rules_by_hand():
    """The committed Figure 18 and 19 runs, step by step from the thesis' rules, with f' derived by hand."""
    r = json.loads((ROOT / "experiments" / "results" / "source_004_sextic.json").read_text())
    fig18, fig19 = _thesis_captions()
    assert r["thesis"] == {"figure_18": fig18, "figure_19": fig19}
    # f'(23) in exact decimals: 656.506986 - 1585.299265 + 1423.100988 - 582.28617 + 102.76929 - 5.51002 = 9.281809
    assert _sextic_slope(23.0) == pytest.approx(9.281809, abs=1e-9)
    x0, lr = r["choices"]["x0_right"], fig18["lr"]
    for run, alpha in (("fig18_printed", fig18["alpha"]), ("fig18_reading", 0.4), ("fig18_gd", 0.0)):
        # Delta W^(1) = -lambda f'(x0); Delta W^(2) = alpha Delta W^(1) - lambda f'(x1); x_k = x_(k-1) + Delta W^(k)
        d1 = -lr * _sextic_slope(x0)
        x1 = x0 + d1
        x2 = x1 + alpha * d1 - lr * _sextic_slope(x1)
        np.testing.assert_allclose(r["runs"][run]["iterates"][:3], [x0, x1, x2], rtol=1e-12)
    assert r["runs"]["fig18_printed"]["iterates"][1] == pytest.approx(23 - 0.9281809, abs=1e-9)
    assert r["runs"]["fig18_printed"]["diverged"] and abs(r["runs"]["fig18_printed"]["iterates"][-1]) > 1e10
    # Adam (Algorithm 8) from x0: m_1 = (1 - b1) g1, v_1 = (1 - b2) g1^2, so m_hat = g1, v_hat = g1^2 and
    # x1 = x0 - lambda g1 / (|g1| + eps); then m_2 = b1 m_1 + (1 - b1) g2, v_2 = b2 v_1 + (1 - b2) g2^2
    lam, b1, b2, eps = fig19["lr"], fig19["beta1"], fig19["beta2"], fig19["eps"]
    x0 = r["choices"]["x0_left"]
    g1 = _sextic_slope(x0)
    x1 = x0 - lam * g1 / (abs(g1) + eps)
    g2 = _sextic_slope(x1)
    m2, v2 = b1 * (1 - b1) * g1 + (1 - b1) * g2, b2 * (1 - b2) * g1 ** 2 + (1 - b2) * g2 ** 2
    x2 = x1 - lam * (m2 / (1 - b1 ** 2)) / (math.sqrt(v2 / (1 - b2 ** 2)) + eps)
    np.testing.assert_allclose(r["runs"]["fig19_adam"]["iterates"][:3], [x0, x1, x2], rtol=1e-12)
    assert r["adam_first_step"]["corrected"] == pytest.approx(lam * abs(g1) / (abs(g1) + eps), rel=1e-12)
    # without the bias correction the first step would be lambda (1 - b1) |g1| / (sqrt(1 - b2) |g1| + eps)
    assert r["adam_first_step"]["uncorrected"] == pytest.approx(lam * (1 - b1) / math.sqrt(1 - b2), rel=1e-7)


@pytest.mark.slow
def test_source_004_sextic_quick(tmp_path):
    result, md = run_quick("exp_004_sextic", "source_004_sextic", tmp_path)
    fig18, fig19 = _thesis_captions()
    assert result["thesis"] == {"figure_18": fig18, "figure_19": fig19}
    runs = result["runs"]
    # the printed alpha = 40 diverges from every start of the plotted range; alpha in [0, 1) converges
    assert runs["fig18_printed"]["diverged"] and all(r["printed_momentum_diverged"] for r in result["starts"])
    assert len(result["starts"]) == 49 and [r["x0"] for r in result["starts"]][::48] == [0.0, 24.0]
    minima = result["sextic"]["minima"]
    for k in ("fig18_gd", "fig18_reading", "fig18_usual"):
        assert not runs[k]["diverged"] and runs[k]["minimum"] == max(minima)
    # the reading alpha = 0.4 is faster than gradient descent at the same lambda, the usual 0.9 slower
    assert runs["fig18_reading"]["reached_at"] < runs["fig18_gd"]["reached_at"] < runs["fig18_usual"]["reached_at"]
    # Adam from the left ends in the global minimum, gradient descent in the local one
    assert runs["fig19_adam"]["which"] == "global" and runs["fig19_gd"]["which"] == "local"
    sweep = {(r["x0"], r["alpha"]): r for r in result["alpha_sweep"]}
    assert sweep[(23.0, 40.0)]["diverged"] and sweep[(23.0, 2.0)]["diverged"] and not sweep[(23.0, 0.5)]["diverged"]
    assert result["seconds"] < 60
    for verdict in ("| not reproduced |", "| reproduced with alpha = 0.4", "| not reproduced (the opposite) |"):
        assert verdict in md
    assert md.startswith("# Source 004 reproduced: Figures 18 and 19") and "QUICK RUN" in md


def _readme_section(title: str) -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index(f"## {title}"):]
    return section[:section.index("\n## ", 3)]


def test_readme_states_what_the_results_files_hold():
    """The README's experiment numbers are the results files' (no drift between prose and runs)."""
    text = _readme_section("Experiments: the course sources reproduced")
    r3 = json.loads((ROOT / "experiments" / "results" / "source_003_mnist.json").read_text())
    for k, label in (("a", "(a) SGD"), ("b", "(b) linear decay"), ("c", "(c) Adam")):
        (row,) = [ln for ln in text.splitlines() if ln.startswith(f"| {label}")]
        s = r3["main_summary"][k]["test_accuracy"]
        expected = [f"{100 * r3['main'][k][0]['test_accuracy']:.2f}%",
                    f"{100 * s['mean']:.2f}% ({100 * s['min']:.2f}–{100 * s['max']:.2f}%)"]
        if k == "c":
            ks = r3["keras_c_summary"]
            expected.append(f"{100 * ks['mean']:.2f}% ({100 * ks['min']:.2f}–{100 * ks['max']:.2f}%)")
        assert all(e in row for e in expected), (row, expected)
    assert f"last epoch at {r3['main']['b'][0]['lr_per_epoch'][-1]:.4g}" in text
    assert f"{r3['train_share_of_class_0']:.2%}" == "9.87%" and "the training set's is\n9.87%" in text

    r4 = json.loads((ROOT / "experiments" / "results" / "source_004_batch_sizes.json").read_text())
    assert (r4["wine_n_train"], r4["wine_n_test"]) == (3673, 1225) and "first 3673 wines train, the last 1225" in text
    gaps = [abs(r["train_loss"] - r["published"]) for r in r4["wine"]]
    assert len(gaps) == 16 and max(gaps) <= 0.016 and "within 0.016 of the published one in all 16 rows" in text
    long = r4["mnist_long"]
    close = [r for r in long if abs(r["train_loss"] - r["published"][0]) <= 0.005
             and abs(r["train_accuracy"] - r["published"][1]) <= 0.0014]
    assert (len(close), len(long)) == (7, 8) and "seven of the eight rows" in text
    (far,) = [r for r in long if r not in close]
    assert (far["optimizer"], far["batch_size"]) == ("sgd", 60000)
    assert f"({far['train_loss']:.3f} / {100 * far['train_accuracy']:.2f}% vs 0.71 / 84.05%)" in text
    f13 = r4["figure_13_14"]
    assert f"after\n{f13['epochs']} epochs" in text and f"{100 * f13['test_accuracy']:.2f}% test" in text
    f16 = r4["figure_16_17"]
    epochs = sorted(r["epochs"] for r in f16)
    assert f"gives here {epochs[0]}–{epochs[-1]} epochs" in text
    assert f"{np.sqrt(r4['wine_train_variance']):.3f} and {np.sqrt(r4['wine_test_mse_of_train_mean']):.3f}" in text
