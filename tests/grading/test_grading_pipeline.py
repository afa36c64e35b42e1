"""nbgrader on the course's assignments: the student versions, and autograding real submissions.

Each test works on a temporary copy of the course (grading/ config, solutions/,
notebooks/exercises/), so nothing is written into the repository.
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from pipeline_helpers import A1, ASSIGNMENTS, AUTOGRADED, NB1, ROOT, cell_of, cells, nbgrader, solved, submit

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_versions_are_what_nbgrader_generates(course, assignment):
    committed = sorted((ROOT / "notebooks" / "exercises" / assignment).glob("*.ipynb"))
    generated = sorted((course / "notebooks" / "exercises" / assignment).glob("*.ipynb"))
    assert [p.name for p in committed] == [p.name for p in generated] and committed
    for c, g in zip(committed, generated):
        assert json.loads(c.read_text()) == json.loads(g.read_text()), (
            f"notebooks/exercises/{assignment}/{c.name} differs from `nbgrader generate_assignment`: "
            f"regenerate it (see grading/README.md)")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_solution_or_hidden_test_leaks_into_the_student_version(assignment):
    for path in (ROOT / "notebooks" / "exercises" / assignment).glob("*.ipynb"):
        source_path = ROOT / "solutions" / assignment / path.name
        student = "\n".join(c.source for c in cells(path))
        code = "\n".join(c.source for c in cells(path) if c.cell_type == "code")  # instructions may quote a line
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "grader.seed"):
            assert marker not in student, f"{path.name}: {marker!r} leaked into the student version"
        for cell in cells(source_path):  # no line of a solution region survives
            if "### BEGIN SOLUTION" in cell.source:
                body = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
                for line in body.strip().splitlines():
                    if len(line.strip()) > 12:
                        assert line not in code, f"{path.name}: solution line {line.strip()!r} leaked"


# --------------------------------------------------------------------------
# Autograding submissions of assignment 1
# --------------------------------------------------------------------------

def _autograded_total(scores):
    return sum(scores[k] for k in AUTOGRADED)


def test_a_correct_submission_gets_full_marks(graded):
    scores, _ = graded
    assert {k: scores["correct"][k] for k in AUTOGRADED} == AUTOGRADED


def test_an_untouched_submission_gets_zero(graded):
    scores, _ = graded
    assert _autograded_total(scores["untouched"]) == 0


def _output_text(course, student, grade_id):
    nb = nbformat.read(course / "grading" / "autograded" / student / A1 / NB1, as_version=4)
    outs = cell_of(nb, grade_id).outputs
    return "\n".join("\n".join(o.get("traceback", [])) + o.get("evalue", "") + o.get("text", "") for o in outs)


def test_a_wrong_answer_loses_only_its_question_and_the_mistake_is_named(graded):
    scores, course = graded
    s = scores["wrong_sign"]
    assert s["test_backward"] == 0 and _autograded_total(s) == 5
    text = _output_text(course, "wrong_sign", "test_backward")
    assert "first mismatch" in text and "Likely mistake: the sign is flipped" in text


def test_calling_the_reference_gets_no_credit_and_says_why(graded):
    scores, course = graded
    s = scores["uses_reference"]
    # central_difference calls course_lib; check_gradient, which was to use the student's own
    # central_difference, reaches the reference through it and is refused too, naming where
    # (and the cell of question 4, which runs central_difference to choose best_step, raises too: the
    # reference is not in the grading sandbox, so best_step is never set)
    assert s["test_central"] == 0 and s["test_check_gradient"] == 0 and s["test_best_step"] == 0
    assert _autograded_total(s) == 3
    assert "calls the reference implementation" in _output_text(course, "uses_reference", "test_central")
    assert "from your central_difference" in _output_text(course, "uses_reference", "test_check_gradient")


def test_edited_test_cells_are_restored_before_grading(graded):
    scores, _ = graded
    assert _autograded_total(scores["edited_tests"]) == 0


def test_feedback_teaches_without_revealing_hidden_tests(graded):
    _, course = graded
    nbgrader(course, "generate_feedback", A1, "--force")
    html = (course / "grading" / "feedback" / "wrong_sign" / A1 / "numerical_gradients.html").read_text()
    assert "Likely mistake: the sign is flipped" in html       # the teaching message is there
    for secret in ("grader.seed", "BEGIN HIDDEN TESTS", "check_function", "engine.py"):
        assert secret not in html, f"the feedback reveals {secret!r}"
    assert "hidden tests ran here" in html


# --------------------------------------------------------------------------
# Autograding submissions of assignment 3
# --------------------------------------------------------------------------
A3, NB3 = "03_optimizers", "optimizers.ipynb"
A3_POINTS = {"test_momentum_classical": 1, "test_momentum_ema": 1, "test_nesterov": 1, "test_adagrad": 1,
             "test_rmsprop": 1, "test_adam": 2, "test_rprop": 1, "test_schedules": 1, "test_train": 1}


@pytest.fixture(scope="module")
def graded3(course, bubblewrap):
    subs = {"correct": solved(course, A3, NB3),
            "untouched": nbformat.read(course / "notebooks" / "exercises" / A3 / NB3, as_version=4)}
    nb = solved(course, A3, NB3)  # Adam without the bias correction
    c = cell_of(nb, "adam")
    c.source = c.source.replace("m_new / (1 - beta1 ** t)", "m_new").replace("v_new / (1 - beta2 ** t)", "v_new")
    subs["adam_no_bias"] = nb
    for student, nb in subs.items():
        submit(course, student, nb, A3, NB3)
    nbgrader(course, "autograde", A3, "--force")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
        scores = {st: {g.name: g.score for g in gb.find_submission_notebook("optimizers", A3, st).grades}
                  for st in subs}
    return scores, course


def test_assignment_3_full_marks_zero_and_a_named_mistake(graded3):
    scores, course = graded3
    assert {k: scores["correct"][k] for k in A3_POINTS} == A3_POINTS
    assert sum(scores["untouched"][k] for k in A3_POINTS) == 0
    s = scores["adam_no_bias"]
    assert s["test_adam"] == 0 and all(s[k] == v for k, v in A3_POINTS.items() if k not in ("test_adam", "test_train"))
    nb = nbformat.read(course / "grading" / "autograded" / "adam_no_bias" / A3 / NB3, as_version=4)
    text = "".join(o.get("evalue", "") for o in cell_of(nb, "test_adam").outputs)
    assert "Likely mistake: the bias correction is missing" in text


# --------------------------------------------------------------------------
# Every assignment: the solutions get every automatic point, the untouched notebooks none
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def graded_all(course, bubblewrap):
    from course_grader.hide_hidden_tests import fill_in_solutions
    from course_grader.parallel_autograde import autograde_parallel
    from nbgrader.api import Gradebook

    out = {}
    for assignment in ASSIGNMENTS:
        for path in sorted((course / "notebooks" / "exercises" / assignment).glob("*.ipynb")):
            student_version = nbformat.read(path, as_version=4)
            solved = fill_in_solutions(student_version, nbformat.read(ROOT / "solutions" / assignment / path.name,
                                                                      as_version=4))
            submit(course, "all_solved", solved, assignment, path.name)
            submit(course, "all_untouched", student_version, assignment, path.name)
        results = autograde_parallel(course / "grading", assignment, workers=2,
                                     students=["all_solved", "all_untouched"], log=lambda msg: None)
        assert all(r.ok for r in results), [(r.student, r.reason) for r in results]
        with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
            for student in ("all_solved", "all_untouched"):
                sub = gb.find_submission(assignment, student)
                auto = [(g.score, g.max_score) for nb in sub.notebooks for g in nb.grades
                        if g.cell.cell_type == "code"]
                out[(assignment, student)] = auto
    return out


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_assignment_solution_gets_full_marks_and_untouched_zero(graded_all, assignment):
    solved, untouched = graded_all[(assignment, "all_solved")], graded_all[(assignment, "all_untouched")]
    assert solved and all(score == max_score for score, max_score in solved), solved
    assert all(score == 0 for score, _ in untouched), untouched


def test_without_the_sandbox_the_grades_are_the_same(graded):
    """--no-sandbox gives up the isolation (grading/README.md), not the grader-side checks."""
    scores, course = graded
    from course_grader.parallel_autograde import autograde_parallel
    from nbgrader.api import Gradebook

    results = autograde_parallel(course / "grading", A1, workers=2, students=["correct", "wrong_sign"],
                                 log=lambda msg: None, sandbox=False)
    assert all(r.ok for r in results)
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
        for student in ("correct", "wrong_sign"):
            nb_sub = gb.find_submission_notebook(NB1.removesuffix(".ipynb"), A1, student)
            assert {g.name: g.score for g in nb_sub.grades} == scores[student]


def test_course_py_grade_runs_nbgrader_in_the_course_root():
    """`python3 course.py grade generate_assignment …` regenerates the committed student version unchanged."""
    target = ROOT / "notebooks" / "exercises" / "01_numerical_gradients" / "numerical_gradients.ipynb"
    before = target.read_bytes()
    proc = subprocess.run([sys.executable, str(ROOT / "course.py"), "grade", "generate_assignment",
                           "01_numerical_gradients", "--force"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert json.loads(target.read_text()) == json.loads(before)
