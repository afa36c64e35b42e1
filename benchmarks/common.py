"""The results files of the benchmarks and the experiments, and what every run records beside its numbers.

Benchmarks here measure ratios against a peer in the same run (never absolute
timings asserted in tests) and write their results to ``benchmarks/results/``;
the experiments write theirs to ``experiments/results/``.  Both write them with
``finish`` -- ``<name>.json`` (the numbers, with ``environment_info()``: where,
when and with which BLAS settings) and ``<name>.md`` (the page, ending with the
same environment) -- so the two folders hold files of one format.
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


def dumps(result, indent: int = 2) -> str:
    """``result`` as indented JSON, with every list of plain numbers or strings on one line.

    ``json.dumps(..., indent=2)`` writes one line per number: the 10,000 seeds
    of a study's column would take 10,000 lines.  numpy scalars are written as
    floats.
    """
    def scalar(v):
        return v is None or isinstance(v, (bool, int, float, str)) or hasattr(v, "item")

    def write(obj, level):
        pad, inner = " " * (indent * level), " " * (indent * (level + 1))
        if isinstance(obj, dict):
            if not obj:
                return "{}"
            items = [f"{inner}{json.dumps(str(k))}: {write(v, level + 1)}" for k, v in obj.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(obj, (list, tuple)):
            if all(scalar(v) for v in obj):
                return json.dumps(list(obj), default=float)
            return "[\n" + ",\n".join(inner + write(v, level + 1) for v in obj) + "\n" + pad + "]"
        return json.dumps(obj, default=float)

    return write(result, 0)


def _record_line(record: dict) -> str:
    """One record of a log: a line of JSON (numpy scalars as floats)."""
    return json.dumps(record, default=float) + "\n"


def append_record(path: Path, record: dict) -> None:
    """Append ``record`` to ``path`` as one line of JSON, written out at once (a log that survives a crash)."""
    with open(path, "a") as f:
        f.write(_record_line(record))
        f.flush()


def write_records(path: Path, records: list) -> None:
    """``path`` holding exactly ``records``, one line of JSON each (``append_record`` adds to it)."""
    Path(path).write_text("".join(map(_record_line, records)))


def read_records(path: Path) -> list:
    """The records ``append_record`` wrote to ``path`` ([] when there is none); a last line cut off by a crash is
    left out."""
    if not Path(path).exists():
        return []
    records = []
    for line in Path(path).read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return records


def finish(name: str, result: dict, parts: list, out_dir: Path | None = None) -> str:
    """Write a run's results, ``<name>.json`` and ``<name>.md``, into ``out_dir``; print the page; return it.

    ``result`` (holding ``"environment": environment_info()``) becomes the JSON
    file (``dumps``: indented, lists of numbers on one line, numpy scalars as
    floats).  The page is ``parts`` joined by
    newlines, then ``environment_markdown(result["environment"])``.  ``out_dir``
    defaults to ``benchmarks/results``; it is made if missing.
    """
    md = "\n".join([*parts, environment_markdown(result["environment"])])
    out = Path(out_dir) if out_dir is not None else RESULTS
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(dumps(result) + "\n")
    (out / f"{name}.md").write_text(md)
    print(md)
    return md


class PartLog:
    """The finished parts of a long run, kept in ``<out>/<name>.parts.jsonl`` as they finish, for ``--resume``.

    ``run`` identifies the run (its sizes and seeds): a part is taken back only
    from a log of the same run, by its ``key`` (its kind and arguments).
    Without ``resume`` the log starts empty.  One JSON line per part
    (``benchmarks.common.append_record``), so a crash loses only the parts
    still training.
    """

    def __init__(self, out: Path, name: str, run: dict, resume: bool):
        self.path = Path(out) / f"{name}.parts.jsonl"
        self.run = json.loads(json.dumps(run, default=str))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        kept = [r for r in read_records(self.path) if r.get("run") == self.run] if resume else []
        self.done = {r["key"]: r["result"] for r in kept}
        write_records(self.path, kept)

    @staticmethod
    def key(kind: str, kwargs: dict) -> str:
        """A part's identity: its kind and arguments (without ``progress``, which changes no number)."""
        return json.dumps([kind, {k: v for k, v in sorted(kwargs.items()) if k != "progress"}], default=str)

    def add(self, key: str, result: dict) -> None:
        """Part ``key`` finished with ``result``: one more line of the log."""
        self.done[key] = result
        append_record(self.path, {"run": self.run, "key": key, "result": result})
