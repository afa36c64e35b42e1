"""What the grading tests share: a course copy's nbgrader, assignment 1's submissions, its points.

The fixtures built from these (``course``, ``graded``) are in ``conftest.py``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and not p.name.startswith("."))
A1 = "01_numerical_gradients"
NB1 = "numerical_gradients.ipynb"


AUTOGRADED = {"test_forward": 1, "test_backward": 1, "test_central": 1, "test_relative_error": 1,
              "test_check_gradient": 1, "test_best_step": 1}


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    from course_grader.parallel_autograde import run_nbgrader

    proc = run_nbgrader(course / "grading", *args)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def cells(path: Path):
    return nbformat.read(path, as_version=4).cells


def solved(course: Path, assignment: str = "01_numerical_gradients", name: str = "numerical_gradients.ipynb"):
    """The student version with every solution cell answered as in the source."""
    from course_grader.hide_hidden_tests import fill_in_solutions

    return fill_in_solutions(nbformat.read(course / "notebooks" / "exercises" / assignment / name, as_version=4),
                             nbformat.read(ROOT / "solutions" / assignment / name, as_version=4))


def cell_of(nb, grade_id):
    """The cell of ``nb`` whose nbgrader grade id is ``grade_id``."""
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def submit(course: Path, student: str, nb, assignment: str = "01_numerical_gradients",
            name: str = "numerical_gradients.ipynb") -> None:
    folder = course / "grading" / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
