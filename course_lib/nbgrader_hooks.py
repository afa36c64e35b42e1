"""nbgrader preprocessors of the descent course (used by grading/nbgrader_config.py).

``HideHiddenTests`` runs in ``nbgrader generate_feedback``: nbgrader 0.9
puts the autograded notebook, hidden tests and their tracebacks included, into
the feedback a student receives.  This preprocessor removes the hidden
region from every test cell's source and shortens every error in a test cell
to its last line (``AssertionError: <the feedback message>``), so the student
reads what went wrong without the hidden code or traceback lines that quote it.

Imports nbgrader; ``import course_lib`` does not import this module.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader import utils

__all__ = ["HideHiddenTests", "hide_hidden_tests"]

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", flags=re.S | re.M)
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
