"""Benchmark scripts run end to end (quick mode) and write well-formed results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_import_benchmark_quick(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_import.py"), "--quick", "--out", str(tmp_path)],
        check=True, capture_output=True, text=True,
    )
    result = json.loads((tmp_path / "import.json").read_text())
    assert result["heavy_modules_imported"] is False
    assert result["import_course_lib_median_s"] > 0 and result["import_numpy_median_s"] > 0
    assert "OPENBLAS_NUM_THREADS" in result["environment"]["env"]
    assert (tmp_path / "import.md").read_text().startswith("# `import course_lib` time")


@pytest.mark.slow
def test_gradcheck_benchmark_quick(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_gradcheck.py"), "--quick", "--out", str(tmp_path)],
        check=True, capture_output=True, text=True,
    )
    result = json.loads((tmp_path / "gradcheck.json").read_text())
    assert result["n_params"] == 276710
    assert result["batched"]["passed"] and result["sampled"]["passed"] and result["directional"]["passed"]
    assert result["batched"]["agreement_with_loop"] < 1e-5
    assert result["loop"]["seconds_all_params_extrapolated"] > 0 and result["batched"]["seconds_all_params"] > 0
    assert (tmp_path / "gradcheck.md").read_text().startswith("# Gradient checks")
