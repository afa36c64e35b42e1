"""course_grader.trusted_execute: where a test cell's points come from."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output
from nbgrader.utils import determine_grade

from course_grader.trusted_execute import TrustedExecute, split_hidden

ROOT = Path(__file__).resolve().parents[2]


def _test_cell(source="assert ok"):
    meta = {"nbgrader": {"grade": True, "grade_id": "test_q", "locked": True, "points": 2, "schema_version": 3,
                         "solution": False, "task": False}}
    return new_code_cell(source=source, metadata=meta)


def _executor(verdict, kernel_outputs):
    """A TrustedExecute whose grader verdict and kernel outputs are given (no kernel is started)."""
    te = TrustedExecute()
    te._hidden = {"test_q": "check(f)\n"} if verdict is not None else {}
    te._run_hidden = lambda code, grade_id: verdict

    def in_kernel(cell, resources, index):
        cell.outputs = [nbformat.from_dict(o) for o in kernel_outputs]
        return cell, resources

    te._in_kernel = in_kernel
    return te


FAIL = [nbformat.from_dict({"output_type": "error", "ename": "AssertionError", "evalue": "wrong", "traceback": []})]
SAYS_FULL_MARKS = [new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]


@pytest.mark.parametrize("verdict, kernel, points", [
    ([], [], 2),                                  # the grader's check passed, the visible tests too
    (FAIL, [], 0),                                # the grader's check failed
    (FAIL, SAYS_FULL_MARKS, 0),                   # the kernel claims partial credit of 2: the verdict comes first
    ([], [new_output("stream", name="stderr", text="x")], 0),  # the kernel can lower the score
    (None, SAYS_FULL_MARKS, 0),                   # no hidden test in the gradebook: the kernel's word is not enough
])
def test_the_graders_verdict_decides_and_the_kernel_can_only_lower_it(verdict, kernel, points):
    cell = _test_cell("### BEGIN HIDDEN TESTS\ncheck(f)\n### END HIDDEN TESTS\nassert ok\n")
    cell, _ = _executor(verdict, kernel)._grade(cell, {}, 0)
    assert determine_grade(cell)[0] == points
    assert "BEGIN HIDDEN TESTS" in cell.source  # the autograded notebook keeps the source (feedback hides it)
    if verdict is None:
        assert cell.outputs[0].ename == "NotGraded"


def test_split_hidden():
    hidden, visible = split_hidden("a = 1\n### BEGIN HIDDEN TESTS\nx(1)\n### END HIDDEN TESTS\nb = 2\n"
                                   "### BEGIN HIDDEN TESTS\ny(2)\n### END HIDDEN TESTS\n")
    assert hidden == "x(1)\ny(2)\n" and visible == "a = 1\nb = 2\n"


def _test_cells():
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and cell.cell_type == "code":
                yield path.parent.name, meta["grade_id"], cell.source


@pytest.mark.parametrize("assignment, grade_id, source", list(_test_cells()), ids=lambda v: str(v)[:30])
def test_every_autograded_cell_is_decided_by_the_grader_on_secret_inputs(assignment, grade_id, source):
    import inspect

    import importlib

    hidden, _ = split_hidden(source)
    module = importlib.import_module("course_lib.exercises." + re.search(r"from course_lib\.exercises import (\w+) as checks", hidden)[1])
    calls = re.findall(r"\bchecks\.(\w+)\(", hidden)
    assert calls, f"{assignment}/{grade_id}: no hidden check, so the kernel alone would decide its points"
    drawing = [n for n in calls if "seed" in inspect.signature(getattr(module, n)).parameters]
    # a check that draws inputs draws them from the instructor's secret
    assert hidden.count("seed=grader.seed") == len(drawing), f"{assignment}/{grade_id}: a check without the secret seed"


def test_without_bubblewrap_autograding_stops_and_says_how_to_install_it(monkeypatch, tmp_path):
    from course_grader import sandbox
    from course_grader.parallel_autograde import autograde_parallel

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxUnavailable, match=r"apt-get install bubblewrap.*--no-sandbox"):
        autograde_parallel(tmp_path, "01_numerical_gradients")
    te = TrustedExecute()
    with pytest.raises(sandbox.SandboxUnavailable, match="bwrap is not installed"):
        te.preprocess(nbformat.v4.new_notebook(), {"nbgrader": {"student": "s", "assignment": "a", "notebook": "n",
                                                                "db_url": f"sqlite:///{tmp_path / 'gb.db'}"}})


def test_each_student_and_question_draws_its_own_inputs_and_the_same_on_every_regrade(tmp_path):
    from course_grader.secret import load_secret, seed

    secret = load_secret(tmp_path / "grader_secret.key")
    assert (tmp_path / "grader_secret.key").stat().st_mode & 0o777 == 0o600
    assert load_secret(tmp_path / "grader_secret.key") == secret  # made once, then read
    seeds = {seed(secret, "a1", "nb", q, s) for q in ("test_forward", "test_central") for s in ("alice", "bob")}
    assert len(seeds) == 4 and all(x > 2 ** 32 for x in seeds)  # never one of the practice seeds (0..27)
    assert seed(secret, "a1", "nb", "test_forward", "alice") == seed(load_secret(tmp_path / "grader_secret.key"),
                                                                     "a1", "nb", "test_forward", "alice")
    other = load_secret(tmp_path / "other.key")
    assert seed(other, "a1", "nb", "test_forward", "alice") != seed(secret, "a1", "nb", "test_forward", "alice")
