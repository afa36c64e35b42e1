"""The tree says who each part is for: a lecture's code is in the module named after it, an
assignment's checks in the module named after it, and tests/ mirrors course_lib/."""

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "course_lib"
LECTURE_NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[:2].isdigit())
SHARED_LECTURE_MODULES = {"interactive", "figures"}


def modules(folder: Path) -> set:
    return {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}


def test_one_lecture_module_per_lecture_notebook_and_back():
    expected = {f"l{name}" for name in LECTURE_NOTEBOOKS}
    assert modules(LIB / "lectures") - SHARED_LECTURE_MODULES == expected
    from course_lib import lectures

    assert list(lectures.LECTURES) == sorted(expected)


def test_one_exercise_module_per_assignment_and_back():
    assert modules(LIB / "exercises") - {"engine"} == {f"a{name}" for name in ASSIGNMENTS}


@pytest.mark.parametrize("name", LECTURE_NOTEBOOKS)
def test_a_lecture_notebook_calls_its_own_lecture_module_only(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    used = set(re.findall(r"course_lib\.lectures import ([\w, ]+)", code))
    imported = {part.split(" as ")[0].strip() for line in used for part in line.split(",")}
    assert imported - SHARED_LECTURE_MODULES <= {f"l{name}"}, f"{name} imports {sorted(imported)}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_an_assignments_hidden_tests_call_its_own_checks_only(assignment):
    source = "\n".join(c.source for p in (ROOT / "solutions" / assignment).glob("*.ipynb")
                       for c in nbformat.read(p, as_version=4).cells)
    imported = set(re.findall(r"course_lib\.exercises(?: import |\.)(\w+)", source))
    assert imported == {f"a{assignment}"}, f"{assignment} imports {sorted(imported)}"


def test_a_lecture_module_holds_ui_only():
    """No lecture module defines a function that a test or a notebook calls for a number: every
    public function of a lecture module returns something to display (an ``Interactive``, a ``Plot``,
    ``Markdown`` or a box of widgets)."""
    for path in sorted((LIB / "lectures").glob("l[0-9][0-9]_*.py")):
        tree = ast.parse(path.read_text())
        public = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
        for fn in public:
            returns = ast.unparse(fn.returns) if fn.returns else ""
            assert returns.strip("'\"") in ("Interactive", "Plot", "Markdown", "figures.Markdown", "_w.VBox"), (
                f"{path.name}: {fn.name} returns {returns or 'an unannotated value'}; computation belongs in the library")


def test_tests_mirror_the_package():
    """Each module of course_lib, course_lib.lectures and course_lib.exercises has a test file of its name.

    (tests/grading, for course_grader, is organised by what a grade must withstand: the pipeline,
    the sandbox, the adversarial submissions.)"""
    pairs = [(LIB, ROOT / "tests" / "lib"), (LIB / "lectures", ROOT / "tests" / "lectures"),
             (LIB / "exercises", ROOT / "tests" / "exercises")]
    missing = []
    for package, tests in pairs:
        have = {p.stem.removeprefix("test_") for p in tests.glob("test_*.py")}
        missing += [f"{package.name}/{m}.py" for m in sorted(modules(package) - have)]
    assert not missing, f"no test file named after: {missing}"


def test_no_path_hacks_in_the_tree():
    offenders = [str(p.relative_to(ROOT)) for folder in ("course_lib", "course_grader", "tests", "benchmarks",
                                                          "experiments")
                 for p in (ROOT / folder).rglob("*.py")
                 if "sys.path.insert" in p.read_text() and p != Path(__file__)]
    offenders += ["course.py"] if "sys.path.insert" in (ROOT / "course.py").read_text() else []
    assert not offenders, f"sys.path.insert in {offenders}"


def test_one_ceiling_division():
    """train.batches_per_epoch's docstring: every ceiling division is written ``-(-a // b)``, never ``math.ceil(a / b)``."""
    calls = []
    for folder in ("course_lib", "course_grader", "benchmarks", "experiments"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "ceil"
                        and node.args and isinstance(node.args[0], ast.BinOp) and isinstance(node.args[0].op, ast.Div)):
                    calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not calls, f"ceil(a / b) in {calls}"
