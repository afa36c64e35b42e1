"""Benchmark scripts run end to end (quick mode) and write well-formed results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.common import environment_info, finish

ROOT = Path(__file__).resolve().parents[2]


def run_quick(name: str, out: Path) -> tuple[dict, str]:
    """Run ``python -m benchmarks.bench_<name> --quick`` from the repository root into ``out``;
    return its JSON and Markdown results."""
    proc = subprocess.run([sys.executable, "-m", f"benchmarks.bench_{name}", "--quick", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, f"benchmarks.bench_{name} --quick failed:\n{proc.stderr[-3000:]}"
    return json.loads((out / f"{name}.json").read_text()), (out / f"{name}.md").read_text()


def test_finish_writes_the_numbers_and_the_page_ending_with_the_environment(tmp_path, capsys):
    env = environment_info()
    result = {"environment": env, "ratio": np.float32(0.25), "rows": [{"batch_size": 10}]}
    out = tmp_path / "made" / "here"  # made if missing
    md = finish("demo", result, ["# Demo\n", "| a |", "|---|", ""], out)
    assert json.loads((out / "demo.json").read_text()) == {"environment": json.loads(json.dumps(env)),
                                                           "ratio": 0.25, "rows": [{"batch_size": 10}]}
    page = (out / "demo.md").read_text()
    assert page == md
    # the parts one per line, then the environment's lines
    assert page.startswith(f"# Demo\n\n| a |\n|---|\n\n- date (UTC): {env['date_utc']}\n- Python {env['python']}, ")
    assert page.endswith(f"- environment: {', '.join(f'{k}={v}' for k, v in env['env'].items())}\n")
    assert capsys.readouterr().out == page + "\n"


def test_every_benchmark_writes_its_results_with_finish():
    """One writer of results files (benchmarks.common.finish), so every results file has one format."""
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    assert scripts
    for path in scripts:
        text = path.read_text()
        assert "finish(" in text, f"{path.name} does not write its results with benchmarks.common.finish"
        assert "json.dump" not in text and "write_text(" not in text, f"{path.name} writes a results file itself"


@pytest.mark.slow
def test_import_benchmark_quick(tmp_path):
    result, md = run_quick("import", tmp_path)
    assert result["heavy_modules_imported"] is False
    assert result["import_course_lib_median_s"] > 0 and result["import_numpy_median_s"] > 0
    assert "OPENBLAS_NUM_THREADS" in result["environment"]["env"]
    assert md.startswith("# `import course_lib` time")


@pytest.mark.slow
def test_gradcheck_benchmark_quick(tmp_path):
    result, md = run_quick("gradcheck", tmp_path)
    assert result["n_params"] == 276710
    assert result["batched"]["passed"] and result["sampled"]["passed"] and result["directional"]["passed"]
    assert result["batched"]["agreement_with_loop"] < 1e-5
    assert result["loop"]["seconds_all_params_extrapolated"] > 0 and result["batched"]["seconds_all_params"] > 0
    assert md.startswith("# Gradient checks")


@pytest.mark.slow
@pytest.mark.tensorflow
def test_train_benchmark_quick(tmp_path):
    result, md = run_quick("train", tmp_path)
    assert [r["batch_size"] for r in result["rows"]] == [100, 1000]
    for row in result["rows"]:
        assert row["keras"]["seconds"] > 0 and row["course_lib"]["1"]["seconds"] > 0
        # one epoch from the same weights: both sides learn about as much
        assert abs(row["keras"]["accuracy"] - row["course_lib"]["1"]["accuracy"]) < 0.1
    assert result["memory"]["extra_copies_of_data"] < 1.0
    assert md.startswith("# One training epoch")


@pytest.mark.slow
def test_batched_benchmark_quick(tmp_path):
    result, md = run_quick("batched", tmp_path)
    study = result["study"]
    assert study["same_runs_as_the_loop"] is True                  # the batched seeds are the loop's runs
    assert study["loop_network_steps"] > 0 and study["batched_network_steps"] > study["loop_network_steps"]
    assert study["ratio"] == pytest.approx(study["loop_us_per_step"] / study["batched_us_per_step"])
    assert [r["K"] for r in result["by_K"]] == [10, 30] and [r["width"] for r in result["by_width"]] == [10, 20]
    assert all(0 < r["fraction_of_peak"] < 1 for r in result["by_K"] + result["by_width"])
    assert md.startswith("# Many networks at once")


def test_readme_states_the_batched_benchmarks_numbers():
    """The README's row for the batched trainer is benchmarks/results/batched.json's full run."""
    result = json.loads((ROOT / "benchmarks" / "results" / "batched.json").read_text())
    assert result["quick"] is False
    (row,) = [ln for ln in (ROOT / "README.md").read_text().splitlines() if ln.startswith("| source 000's circles study")]
    r = result["study"]
    assert (f"loop {r['loop_us_per_step']:.1f} us per network step ({r['loop_seeds']} seeds, half timed before the "
            f"batched run and half after: {r['loop_us_per_step_before']:.1f} and {r['loop_us_per_step_after']:.1f} us)") in row
    assert f"batched {r['batched_us_per_step']:.2f} us ({r['seeds']:,} seeds, the same runs bit for bit)" in row
    assert r["same_runs_as_the_loop"] is True
    verdict = "met" if r["ratio"] >= result["target"] else "not met"
    assert f"**{r['ratio']:.1f}x faster — the target of {result['target']:.0f}x is {verdict}**" in row
    assert f"{100 * r['fraction_of_peak']:.1f}% of the float32 matmul peak" in row
    for run in result["by_K"]:
        assert f"{run['ratio']:.1f}x at {run['K']:,}" in row
    for run in result["by_width"]:
        assert f"{run['ratio']:.1f}x at {run['width']}" in row
    loops = [x["loop_us_per_step"] for x in result["by_K"] + result["by_width"] if x["width"] == 10]
    assert f"ranges over {min(loops):.0f}–{max(loops):.0f} us" in row


@pytest.mark.slow
def test_widgets_benchmark_quick(tmp_path):
    result, md = run_quick("widgets", tmp_path)
    names = [r["widget"] for r in result["rows"]]
    assert names == ["sextic_descent", "optimizer_race", "sigmoid_slope"]
    for row in result["rows"]:
        assert row["median_move_ms"] > 0 and row["full_redraw_peer_ms"] > 0
        assert set(row["per_control_median_ms"]) and row["moves"] > len(row["per_control_median_ms"])
    assert md.startswith("# Slider moves")


@pytest.mark.slow
def test_notebooks_benchmark_quick(tmp_path):
    result, md = run_quick("notebooks", tmp_path)
    assert [r["notebook"] for r in result["rows"]] == ["10_reflect.ipynb"]
    assert result["empty_notebook_s"] > 0 and result["rows"][0]["seconds"] > 0
    assert md.startswith("# Lecture notebooks run headless")


@pytest.mark.slow
def test_autograde_benchmark_quick(tmp_path, bubblewrap):
    result, md = run_quick("autograde", tmp_path)
    assert result["submissions"] == 4 and result["serial_nbgrader_s"] > 0 and result["parallel_driver_s"] > 0
    assert result["grades_disagree"] == [] and result["not_graded"] == []  # both grade alike
    where = result["where_time_goes_s"]
    assert all(v >= 0 for v in where.values()) and where["kernel start (in the sandbox)"] > 0
    assert result["scores_by_kind"] == {"correct": [10]}  # the first four submissions are right
    assert md.startswith("# Autograding 4 submissions")
