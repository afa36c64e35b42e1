"""nbgrader preprocessors of the descent course (used by grading/nbgrader_config.py).

``SurviveDeadKernel`` runs in ``nbgrader autograde`` instead of nbgrader's
``Execute``: when a submission kills its kernel (``os._exit``, a segfault,
running out of memory), nbgrader 0.9 aborts that student's grading and records
nothing.  Here the cell that killed the kernel gets an error output that says
so, the cells after it are marked as not run, and grading continues: the
submission keeps the points of the tests that ran before the crash.

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

from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor

__all__ = ["HideHiddenTests", "hide_hidden_tests", "SurviveDeadKernel", "fill_in_solutions"]

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


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class SurviveDeadKernel(Execute):
    """nbgrader's ``Execute``, but a dead kernel ends the run instead of the student's grading."""

    def preprocess(self, nb, resources=None, km=None):
        self._died_at = None
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError:
            # raised again when the kernel's context closes: the cells are already marked
            if self._died_at is None:
                raise
            return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if self._died_at is not None:
            if cell.cell_type == "code":
                cell.outputs = [_error("KernelDied", f"not run: the kernel died in cell {self._died_at}")]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._died_at = index
            cell.outputs.append(_error(
                "KernelDied", "the kernel died while running this cell (os._exit, a crash, or running out "
                              "of memory); the cells below were not run"))
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
