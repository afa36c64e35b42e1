"""Autograding 100 submissions of assignment 3: plain nbgrader (one at a time) vs the parallel driver.

Both grade the same synthetic submissions in one run, each in its own copy of
the course: most are right, the others carry one classic mistake (Adam
without bias correction, eps inside the square root, the EMA form of momentum
for the classical one, an untouched notebook).  Reported: wall time of each,
the speed-up, and whether the two gradebooks agree submission by submission.

    python3 course.py bench
    .venv/bin/python benchmarks/bench_autograde.py [--submissions 100] [--workers N] [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import environment_info, finish  # noqa: E402

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
    from course_grader.parallel_autograde import autograde_parallel

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--quick", action="store_true", help="4 submissions (smoke test)")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    args = parser.parse_args(argv)
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
    result = {"environment": environment_info(), "submissions": n, "workers": args.workers,
              "serial_nbgrader_s": serial_s, "parallel_driver_s": parallel_s, "speedup": serial_s / parallel_s,
              "per_submission_serial_s": serial_s / n, "not_graded": [r.student for r in results if not r.ok],
              "grades_disagree": disagree, "scores_by_kind": {k: sorted(v) for k, v in by_kind.items()}}
    rows = "\n".join(f"| {k} | {', '.join(f'{x:g}' for x in sorted(v))} |" for k, v in sorted(by_kind.items()))
    finish("autograde", result, [
        f"# Autograding {n} submissions of assignment 3\n",
        "Plain `nbgrader autograde` (one submission at a time) against `course_grader.parallel_autograde` "
        f"with {args.workers} workers, same submissions, one run, separate course copies.\n",
        "| | wall time (s) | per submission (s) |", "|---|---|---|",
        f"| nbgrader, serial | {serial_s:.1f} | {serial_s / n:.2f} |",
        f"| parallel driver, {args.workers} workers | {parallel_s:.1f} | {parallel_s / n:.2f} |", "",
        f"Speed-up: **{serial_s / parallel_s:.2f}x**. Submissions graded differently by the two: "
        f"{len(disagree)}{' (' + ', '.join(disagree) + ')' if disagree else ''}; not graded by the driver: "
        f"{len(result['not_graded'])}.\n",
        "Scores by kind of submission (of 10 automatic points):\n", "| kind | scores |", "|---|---|", rows, "",
    ], args.out)
    return result


if __name__ == "__main__":
    main()
