"""Adversarial submissions: nothing a student submits may break grading or lose a grade.

Every case is built here from assignment 1, graded by the parallel driver
(``course_lib.parallel_autograde``) in a temporary copy of the course, and its
expected automatic score is asserted (6 points are autograded; the written
answer is graded by hand).  Afterwards the grades are exported to CSV (one row
per student, nothing lost) and the whole run is repeated: same grades.
"""

from __future__ import annotations

import csv
import hashlib

import nbformat
import pytest

from test_grading_pipeline import A1, NB1, AUTOGRADED, _cell, _solved, _submit, course, nbgrader  # noqa: F401

pytestmark = pytest.mark.slow


def _untouched(course):
    return nbformat.read(course / "notebooks" / "exercises" / A1 / NB1, as_version=4)


def _append(nb, grade_id, code):
    cell = _cell(nb, grade_id)
    cell.source += "\n" + code + "\n"
    return nb


def _prepend(nb, grade_id, code):
    cell = _cell(nb, grade_id)
    cell.source = code + "\n" + cell.source
    return nb


def _submissions(course):
    """student -> (notebook or raw text, file name, expected automatic score, what the output must say)."""
    s = {}
    s["correct"] = (_solved(course), NB1, 6, None)
    s["untouched"] = (_untouched(course), NB1, 0, "NotImplementedError")
    nb = _solved(course)
    c = _cell(nb, "differences")
    c.source = c.source.replace("grad[i] = (fx - f(x)) / h", "grad[i] = (f(x) - fx) / h")
    s["wrong"] = (nb, NB1, 5, "Likely mistake: the sign is flipped")
    s["raises"] = (_prepend(_solved(course), "relative_error", "raise ValueError('oops')"), NB1, 4, "oops")
    s["infinite_loop"] = (_append(_solved(course), "relative_error", "while True:\n    pass"), NB1, 6,
                          "Timeout")
    s["kernel_exits"] = (_append(_solved(course), "relative_error", "import os\nos._exit(3)"), NB1, 3,
                         "the kernel died while running this cell")
    s["segfault"] = (_append(_solved(course), "relative_error", "import ctypes\nctypes.string_at(0)"), NB1, 3,
                     "the kernel died while running this cell")
    s["memory_hog"] = (_prepend(_solved(course), "relative_error", "hog = bytearray(64 * 2**30)"), NB1, 4,
                       "MemoryError")
    nb = _solved(course)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "assert True"
    s["tests_edited"] = (nb, NB1, 6, None)
    nb = _untouched(course)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "assert True"
    s["tests_edited_untouched"] = (nb, NB1, 0, None)
    nb = _solved(course)
    nb.cells = [c for c in nb.cells if not (c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code")]
    s["tests_deleted"] = (nb, NB1, 6, None)
    nb = _solved(course)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    s["metadata_stripped"] = (nb, NB1, 6, None)
    s["not_json"] = ("{ this is not a notebook", NB1, 0, None)
    s["wrong_name"] = (_solved(course), "my_homework.ipynb", 6, None)  # graded under its right name, and reported
    nb = _solved(course)
    c = _cell(nb, "differences")
    c.source += ("\n\nfrom course_lib.gradcheck import numerical_gradient as helper\n"
                 "def central_difference(f, x, h):\n    return helper(f, x, method='central', eps=h)\n")
    s["uses_reference"] = (nb, NB1, 4, "calls the reference implementation")
    s["huge_output"] = (_append(_solved(course), "relative_error", "for i in range(200000):\n    print(i)"),
                        NB1, 6, None)
    attack = ("import os, glob\n"
              "for path in ['../../../gradebook.db', '../../../../grading/gradebook.db']:\n"
              "    try:\n        open(path, 'w').write('owned')\n    except OSError:\n        pass\n"
              "for other in glob.glob('../../../submitted/*/01_numerical_gradients/*.ipynb') + "
              "glob.glob('../../*/01_numerical_gradients/*.ipynb'):\n"
              "    try:\n        open(other, 'w').write('owned')\n    except OSError:\n        pass\n")
    s["attacker"] = (_append(_solved(course), "relative_error", attack), NB1, 6, None)
    widget = ("from course_lib import widgets\nimport matplotlib.pyplot as plt\n"
              "plt.plot([1, 2, 3]); plt.show()\nw = widgets.sextic_descent()\nw")
    s["widgets_and_plots"] = (_append(_solved(course), "relative_error", widget), NB1, 6, None)
    return s


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def adversarial(course):
    # a short cell time limit for the infinite loop; the course's own is 60 s
    cfg = course / "grading" / "nbgrader_config.py"
    cfg.write_text(cfg.read_text() + "\nc.SurviveDeadKernel.timeout = 8\n")
    subs = _submissions(course)
    for student, (nb, name, _, _) in subs.items():
        if isinstance(nb, str):
            folder = course / "grading" / "submitted" / student / A1
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(nb)
        else:
            _submit(course, student, nb, A1, name)
    submitted_before = {p: _digest(p) for p in (course / "grading" / "submitted").rglob("*.ipynb")}

    from course_lib.parallel_autograde import autograde_parallel
    from nbgrader.api import Gradebook

    def run():
        results = autograde_parallel(course / "grading", A1, workers=2, time_limit=240, memory_limit_mb=3072,
                                     students=list(subs), log=lambda msg: None)
        with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
            scores = {st: {g.name: g.score for g in gb.find_submission_notebook("numerical_gradients", A1, st).grades}
                      for st in subs}
        return {r.student: r for r in results}, scores

    first = run()
    submitted_after = {p: _digest(p) for p in (course / "grading" / "submitted").rglob("*.ipynb")}
    second = run()
    return subs, first, second, submitted_before, submitted_after, course


def _auto(scores):
    return sum(scores[k] for k in AUTOGRADED)


@pytest.mark.parametrize("student", sorted([
    "correct", "untouched", "wrong", "raises", "infinite_loop", "kernel_exits", "segfault", "memory_hog",
    "tests_edited", "tests_edited_untouched", "tests_deleted", "metadata_stripped", "not_json", "wrong_name",
    "uses_reference", "huge_output", "attacker", "widgets_and_plots"]))
def test_each_submission_gets_its_expected_grade(adversarial, student):
    subs, (results, scores), _, _, _, course = adversarial
    expected, says = subs[student][2], subs[student][3]
    assert _auto(scores[student]) == expected, (student, scores[student], results[student].reason)
    if says:
        nb = nbformat.read(course / "grading" / "autograded" / student / A1 / NB1, as_version=4)
        text = "\n".join(str(o.get("evalue", "")) + str(o.get("ename", "")) + "".join(o.get("traceback", []))
                         for cell in nb.cells for o in cell.get("outputs", []))
        assert says in text, (student, says)


def test_failures_and_repairs_are_reported(adversarial):
    _, (results, _), _, _, _, _ = adversarial
    not_graded = {s: r.reason for s, r in results.items() if not r.ok}
    assert set(not_graded) == {"not_json"}, not_graded
    assert "JSON" in not_graded["not_json"] or "json" in not_graded["not_json"]
    assert results["wrong_name"].notes == ["graded my_homework.ipynb as numerical_gradients.ipynb (wrong file name)"]
    assert "nbgrader metadata of" in results["metadata_stripped"].notes[0]
    assert all(not r.notes for s, r in results.items() if s not in ("wrong_name", "metadata_stripped"))


def test_widgets_and_plots_in_a_submission_do_not_break_grading(adversarial):
    _, (results, scores), *_, course = adversarial
    assert results["widgets_and_plots"].ok and _auto(scores["widgets_and_plots"]) == 6
    nb = nbformat.read(course / "grading" / "autograded" / "widgets_and_plots" / A1 / NB1, as_version=4)
    cell = _cell(nb, "relative_error")
    assert not [o for o in cell.outputs if o.output_type == "error"]  # the plot and the widget ran
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)


def test_huge_output_is_cut(adversarial):
    *_, course = adversarial
    path = course / "grading" / "autograded" / "huge_output" / A1 / NB1
    assert path.stat().st_size < 200_000


def test_nothing_outside_a_submission_changes(adversarial):
    _, (_, scores), _, before, after, course = adversarial
    assert before == after, "a submission changed another submission's files"
    assert _auto(scores["correct"]) == 6  # the gradebook was not overwritten ('owned')
    assert not list(course.rglob("owned"))


def test_regrading_gives_the_same_grades(adversarial):
    _, (_, first), (_, second), *_ = adversarial
    assert first == second


def test_export_has_one_row_per_student(adversarial):
    subs, *_, course = adversarial
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r["assignment"] == A1]
    assert sorted(r["student_id"] for r in rows) == sorted(subs)
    by_student = {r["student_id"]: float(r["raw_score"]) for r in rows}
    assert by_student["correct"] == 6 and by_student["untouched"] == 0
