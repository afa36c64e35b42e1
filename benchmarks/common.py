"""What every benchmark records beside its numbers: where, when and with which BLAS settings.

Benchmarks here measure ratios against a peer in the same run (never absolute
timings asserted in tests) and write their results to ``benchmarks/results/``.
The experiments (``experiments.shared``) record their runs with the same
functions.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
from pathlib import Path

import course_env

RESULTS = Path(__file__).resolve().parent / "results"
# recorded, not set: the kit's thread counts (course_env) and OpenBLAS' choice of CPU kernels
BLAS_ENV_VARS = (*course_env.BLAS_THREADS, "OPENBLAS_CORETYPE")


def environment_info() -> dict:
    """Machine, Python, numpy and BLAS facts for a results file."""
    import numpy as np

    info = {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "env": {var: os.environ.get(var) for var in BLAS_ENV_VARS},
    }
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: pool.get(k) for k in ("user_api", "internal_api", "version", "num_threads", "architecture")}
            for pool in threadpool_info()
        ]
    except ImportError:  # threadpoolctl is in the course environment; keep working without it
        info["threadpools"] = "threadpoolctl not installed"
    return info


def environment_markdown(info: dict) -> str:
    pools = info["threadpools"]
    if isinstance(pools, list):
        pools = "; ".join(
            f"{p['internal_api']} {p['version']} ({p['architecture']}, {p['num_threads']} threads)" for p in pools
        )
    env = ", ".join(f"{k}={v}" for k, v in info["env"].items())
    return (
        f"- date (UTC): {info['date_utc']}\n"
        f"- Python {info['python']}, numpy {info['numpy']}, {info['platform']}, {info['cpu_count']} CPUs\n"
        f"- BLAS: {pools}\n"
        f"- environment: {env}\n"
    )


def write_results(name: str, data: dict, markdown: str, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Write ``<name>.json`` and ``<name>.md`` to ``out_dir`` (default benchmarks/results)."""
    out = Path(out_dir) if out_dir is not None else RESULTS
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{name}.json", out / f"{name}.md"
    json_path.write_text(json.dumps(data, indent=2, default=float) + "\n")
    md_path.write_text(markdown)
    return json_path, md_path


def finish(name: str, result: dict, parts: list, out_dir: Path | None = None) -> str:
    """Join a results page from ``parts`` plus the environment, write it with ``result``, print it."""
    md = "\n".join([*parts, environment_markdown(result["environment"])])
    write_results(name, result, md, out_dir)
    print(md)
    return md
