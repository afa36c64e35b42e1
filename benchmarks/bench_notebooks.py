"""How long do the lecture notebooks take to run headless? Target: all nine within 6 minutes.

Each lecture runs top to bottom in a fresh kernel with nbclient, as the test
``tests/course/test_notebooks.py`` runs it.  Peer, in the same run: a notebook with
one empty cell (kernel start-up and shutdown), so the table separates the
lectures' own work from the fixed cost of a kernel.

    python3 course.py bench
    .venv/bin/python -m benchmarks.bench_notebooks [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.common import environment_info, finish

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 360.0


def run(nb, cwd: Path) -> float:
    from nbclient import NotebookClient

    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - start


def main(argv=None) -> dict:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the empty notebook and lecture 10 (smoke test)")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    args = parser.parse_args(argv)
    lectures = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.quick:
        lectures = [p for p in lectures if p.name.startswith("10")]
    empty = nbformat.v4.new_notebook()
    empty.cells.append(nbformat.v4.new_code_cell("pass"))
    empty.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    kernel_s = min(run(empty, ROOT / "notebooks") for _ in range(2))
    rows = []
    for path in lectures:
        seconds = run(nbformat.read(path, as_version=4), path.parent)
        rows.append({"notebook": path.name, "seconds": seconds, "ratio_to_empty": seconds / kernel_s})
    total = sum(r["seconds"] for r in rows)
    result = {"environment": environment_info(), "budget_s": BUDGET_S, "empty_notebook_s": kernel_s,
              "rows": rows, "total_s": total, "within_budget": total < BUDGET_S}
    lines = ["| notebook | seconds | × empty notebook |", "|---|---|---|"]
    lines += [f"| {r['notebook']} | {r['seconds']:.1f} | {r['ratio_to_empty']:.1f} |" for r in rows]
    finish("notebooks", result, [
        "# Lecture notebooks run headless (nbclient)\n",
        f"Peer: an empty notebook takes {kernel_s:.1f} s (kernel start and stop). Budget for all lectures: "
        f"{BUDGET_S:.0f} s.\n",
        *lines, "",
        f"Total: **{total:.0f} s** ({'within' if total < BUDGET_S else 'OVER'} the budget).\n",
    ], args.out)
    return result


if __name__ == "__main__":
    main()
