"""Autograding 100 submissions of assignment 3: plain nbgrader (one at a time) vs the sandboxed parallel driver.

Both grade the same synthetic submissions in one run, each in its own copy of
the course, with the course's configuration: every kernel in its bubblewrap
sandbox, the hidden tests in the grader (``course_grader.trusted_execute``).
Most submissions are right, the others carry one classic mistake (Adam
without bias correction, eps inside the square root, the EMA form of momentum
for the classical one, an untouched notebook).  Reported: wall time of each,
the speed-up (target: at least 2x on 2 cores), whether the two gradebooks
agree submission by submission, and where a submission's time goes in the
driver (kernel start, cells in the kernel, the grader's checks, the rest of
nbgrader's work, the merge into the course's gradebook).

    python3 course.py bench
    .venv/bin/python -m benchmarks.bench_autograde [--submissions 100] [--workers N] [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.common import environment_info, finish

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT, NOTEBOOK = "03_optimizers", "optimizers.ipynb"
MISTAKES = {  # grade_id of the solution cell -> (text to replace, replacement)
    "adam without bias correction": ("adam", "m_new / (1 - beta1 ** t)", "m_new"),
    "eps inside the square root": ("adagrad_rmsprop", "(np.sqrt(s_new) + eps)", "np.sqrt(s_new + eps)"),
    "EMA momentum for the classical": ("momentum_classical", "v_new = beta * v - lr * g",
                                       "v_new = beta * v + (1 - beta) * g"),
}


def make_course(root: Path) -> Path:
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    (root / "grading").mkdir(parents=True)
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", root / "grading")
    shutil.copytree(ROOT / "notebooks" / "exercises" / ASSIGNMENT, root / "notebooks" / "exercises" / ASSIGNMENT)
    nbgrader(root, "db", "assignment", "add", ASSIGNMENT)
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    return root / "grading"


def nbgrader(root: Path, *args: str) -> None:
    from course_grader.parallel_autograde import run_nbgrader

    run_nbgrader(root / "grading", *args).check_returncode()


def submissions(n: int) -> dict:
    import nbformat

    from course_grader.hide_hidden_tests import fill_in_solutions

    student_version = nbformat.read(ROOT / "notebooks" / "exercises" / ASSIGNMENT / NOTEBOOK, as_version=4)
    solved = fill_in_solutions(student_version, nbformat.read(ROOT / "solutions" / ASSIGNMENT / NOTEBOOK,
                                                              as_version=4))
    kinds = ["correct"] * 6 + list(MISTAKES) + ["untouched"]
    subs = {}
    for i in range(n):
        kind = kinds[i % len(kinds)]
        if kind == "untouched":
            nb = student_version
        else:
            nb = nbformat.from_dict(solved)
            if kind in MISTAKES:
                grade_id, old, new = MISTAKES[kind]
                cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
                assert old in cell.source, (kind, old)
                cell.source = cell.source.replace(old, new)
        subs[f"s{i:03d}"] = (kind, nb)
    return subs


def write_submissions(course: Path, subs: dict) -> None:
    import nbformat

    for student, (_, nb) in subs.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NOTEBOOK)


def scores(course: Path) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(ASSIGNMENT)}


def main(argv=None) -> dict:
    from course_grader.parallel_autograde import DEFAULT_WORKERS, autograde_parallel

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None, help="default: the driver's own default")
    parser.add_argument("--quick", action="store_true", help="4 submissions (smoke test)")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    args = parser.parse_args(argv)
    args.workers = args.workers or DEFAULT_WORKERS
    n = 4 if args.quick else args.submissions
    subs = submissions(n)
    work = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    try:
        serial_course = make_course(work / "serial")
        parallel_course = make_course(work / "parallel")
        write_submissions(serial_course, subs)
        write_submissions(parallel_course, subs)

        start = time.perf_counter()
        nbgrader(work / "serial", "autograde", ASSIGNMENT, "--force")
        serial_s = time.perf_counter() - start

        start = time.perf_counter()
        results = autograde_parallel(parallel_course, ASSIGNMENT, workers=args.workers, log=lambda msg: None)
        parallel_s = time.perf_counter() - start

        serial_scores, parallel_scores = scores(serial_course), scores(parallel_course)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    disagree = sorted(s for s in subs if serial_scores.get(s) != parallel_scores.get(s))
    by_kind = {}
    for s, (kind, _) in subs.items():
        by_kind.setdefault(kind, set()).add(parallel_scores.get(s))
    parts = ("kernel_start", "cells", "checks", "execute", "merge")
    spent = {k: sum(r.timings.get(k, 0.0) for r in results) / n for k in parts}
    per_sub = sum(r.seconds for r in results) / n
    where = {"kernel start (in the sandbox)": spent["kernel_start"], "cells, in the kernel": spent["cells"],
             "hidden tests, in the grader (with their calls into the kernel)": spent["checks"],
             "kernel shutdown and the rest of the execution": spent["execute"] - spent["kernel_start"]
             - spent["cells"] - spent["checks"],
             "the rest of nbgrader's autograde (copies, gradebook, other preprocessors)": per_sub - spent["execute"],
             "merge into the course's gradebook (driver's main thread, overlaps the workers)": spent["merge"]}
    result = {"environment": environment_info(), "submissions": n, "workers": args.workers,
              "where_time_goes_s": where, "per_submission_in_a_worker_s": per_sub,
              "serial_nbgrader_s": serial_s, "parallel_driver_s": parallel_s, "speedup": serial_s / parallel_s,
              "per_submission_serial_s": serial_s / n, "not_graded": [r.student for r in results if not r.ok],
              "grades_disagree": disagree, "scores_by_kind": {k: sorted(v) for k, v in by_kind.items()}}
    rows = "\n".join(f"| {k} | {', '.join(f'{x:g}' for x in sorted(v))} |" for k, v in sorted(by_kind.items()))
    finish("autograde", result, [
        f"# Autograding {n} submissions of assignment 3\n",
        "Plain `nbgrader autograde` (one submission at a time) against `course_grader.parallel_autograde` "
        f"with {args.workers} workers, same submissions, one run, separate course copies; both with the course's "
        "configuration (every kernel sandboxed in bubblewrap, the hidden tests in the grader).\n",
        "| | wall time (s) | per submission (s) |", "|---|---|---|",
        f"| nbgrader, serial | {serial_s:.1f} | {serial_s / n:.2f} |",
        f"| parallel driver, {args.workers} workers | {parallel_s:.1f} | {parallel_s / n:.2f} |", "",
        f"Speed-up: **{serial_s / parallel_s:.2f}x** (target: at least 2x on 2 cores; "
        f"{os.cpu_count()} cores here). Submissions graded differently by the two: "
        f"{len(disagree)}{' (' + ', '.join(disagree) + ')' if disagree else ''}; not graded by the driver: "
        f"{len(result['not_graded'])}.\n",
        "Scores by kind of submission (of 10 automatic points):\n", "| kind | scores |", "|---|---|", rows, "",
        f"Where one submission's time goes in the driver (mean over the {n}; a worker spends "
        f"{per_sub:.2f} s on each, and runs while the others do):\n", "| step | seconds |", "|---|---|",
        *[f"| {k} | {v:.3f} |" for k, v in where.items()], "",
    ], args.out)
    return result


if __name__ == "__main__":
    main()
