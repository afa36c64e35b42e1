"""Feedback without the hidden tests (used by grading/nbgrader_config.py); ``fill_in_solutions``.

``HideHiddenTests`` runs in ``nbgrader generate_feedback``: nbgrader 0.9
puts the autograded notebook, hidden tests and their tracebacks included, into
the feedback a student receives.  This preprocessor removes the hidden
region from every test cell's source and shortens every error in a test cell
to its last line (``AssertionError: <the feedback message>``), so the student
reads what went wrong without the hidden code or traceback lines that quote it.
"""

from __future__ import annotations

import re

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from .trusted_execute import HIDDEN

__all__ = ["HideHiddenTests", "hide_hidden_tests", "fill_in_solutions"]

PLACEHOLDER = "# (hidden tests ran here)\n"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def hide_hidden_tests(cell) -> None:
    """Strip the hidden tests from a test cell's source and reduce its errors to one line each."""
    cell.source = HIDDEN.sub(PLACEHOLDER, cell.source)
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            evalue = ANSI.sub("", str(out.get("evalue", "")))
            out["traceback"] = [f"{out.get('ename', 'Error')}: {evalue}"]
        elif out.get("output_type") == "stream" and "HIDDEN TESTS" in out.get("text", ""):
            out["text"] = ""


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback without hidden tests: see the module docstring."""

    def preprocess_cell(self, cell, resources, cell_index):
        if utils.is_grade(cell) and cell.cell_type == "code":
            hide_hidden_tests(cell)
        return cell, resources


def fill_in_solutions(student_version, source):
    """The student version answered with the source's solutions (a submission that must get full marks).

    Every solution cell of ``student_version`` (nbformat notebooks) gets the
    source cell of the same ``grade_id`` with the ``### BEGIN/END SOLUTION``
    lines removed; written-answer cells get a short answer.  Used by the
    tests and the grading benchmark, and handy to check a new assignment.
    """
    import copy

    nb = copy.deepcopy(student_version)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in source.cells if "nbgrader" in c.metadata}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        if cell.cell_type == "code":
            cell.source = SOLUTION_MARKERS.sub("", by_id[meta["grade_id"]].source)
        else:
            cell.source = "A written answer."
    return nb


SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", flags=re.M)
