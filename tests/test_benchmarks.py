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
