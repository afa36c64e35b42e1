"""The grading tests' fixtures: a copy of the course, and assignment 1's submissions graded once."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from pipeline_helpers import A1, ASSIGNMENTS, NB1, ROOT, cell_of, nbgrader, solved, submit


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the course with every assignment generated into notebooks/exercises."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    (root / "grading").mkdir()
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", root / "grading")
    (root / "notebooks" / "exercises").mkdir(parents=True)
    for assignment in ASSIGNMENTS:
        nbgrader(root, "generate_assignment", assignment, "--force")
    return root


@pytest.fixture(scope="module")
def graded(course, bubblewrap):
    """Autograde a set of submissions once; return {student: {grade_id: score}} and the course."""
    subs = {}
    subs["correct"] = solved(course)
    subs["untouched"] = nbformat.read(course / "notebooks" / "exercises" / A1 / NB1, as_version=4)

    nb = solved(course)  # backward difference with the sign flipped
    c = cell_of(nb, "differences")
    c.source = c.source.replace("grad[i] = (fx - f(x)) / h", "grad[i] = (f(x) - fx) / h")
    subs["wrong_sign"] = nb

    nb = solved(course)  # calls the reference for the central difference
    c = cell_of(nb, "differences")
    c.source += ("\n\nfrom course_lib.gradcheck import numerical_gradient as helper\n"
                 "def central_difference(f, x, h):\n    return helper(f, x, method='central', eps=h)\n")
    subs["uses_reference"] = nb

    nb = nbformat.read(course / "notebooks" / "exercises" / A1 / NB1, as_version=4)  # tests edited away
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "assert True"
    subs["edited_tests"] = nb

    for student, nb in subs.items():
        submit(course, student, nb)
    nbgrader(course, "autograde", A1, "--force")

    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
        for student in subs:
            nb_sub = gb.find_submission_notebook(NB1.removesuffix(".ipynb"), A1, student)
            scores[student] = {g.name: g.score for g in nb_sub.grades}
    return scores, course
