"""Adversarial submissions: nothing a student submits may break grading or lose a grade.

Every case is built here from assignment 1, graded by the parallel driver
(``course_grader.parallel_autograde``) in a temporary copy of the course, and its
expected automatic score is asserted (6 points are autograded; the written
answer is graded by hand).  Afterwards the grades are exported to CSV (one row
per student, nothing lost) and the whole run is repeated: same grades.

Assignments 7-10 are graded too, each with its solution, its untouched
notebook, a submission that calls the reference in one question, and one
whose every answer did no work (``NO_WORK``), with their exact scores.
"""

from __future__ import annotations

import csv
import hashlib
import os
import socket
import threading

import nbformat
import pytest

from pipeline_helpers import A1, AUTOGRADED, NB1, cell_of, nbgrader, solved, submit

pytestmark = pytest.mark.slow


def _untouched(course):
    return nbformat.read(course / "notebooks" / "exercises" / A1 / NB1, as_version=4)


def _append(nb, grade_id, code):
    cell = cell_of(nb, grade_id)
    cell.source += "\n" + code + "\n"
    return nb


def _prepend(nb, grade_id, code):
    cell = cell_of(nb, grade_id)
    cell.source = code + "\n" + cell.source
    return nb


def _submissions(course):
    """student -> (notebook or raw text, file name, expected automatic score, what the output must say)."""
    s = {}
    s["correct"] = (solved(course), NB1, 6, None)
    s["untouched"] = (_untouched(course), NB1, 0, "NotImplementedError")
    nb = solved(course)
    c = cell_of(nb, "differences")
    c.source = c.source.replace("grad[i] = (fx - f(x)) / h", "grad[i] = (f(x) - fx) / h")
    s["wrong"] = (nb, NB1, 5, "Likely mistake: the sign is flipped")
    s["raises"] = (_prepend(solved(course), "relative_error", "raise ValueError('oops')"), NB1, 4, "oops")
    s["infinite_loop"] = (_append(solved(course), "relative_error", "while True:\n    pass"), NB1, 6,
                          "Timeout")
    s["kernel_exits"] = (_append(solved(course), "relative_error", "import os\nos._exit(3)"), NB1, 3,
                         "the kernel died while running this cell")
    s["segfault"] = (_append(solved(course), "relative_error", "import ctypes\nctypes.string_at(0)"), NB1, 3,
                     "the kernel died while running this cell")
    s["memory_hog"] = (_prepend(solved(course), "relative_error", "hog = bytearray(64 * 2**30)"), NB1, 4,
                       "MemoryError")
    nb = solved(course)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "assert True"
    s["tests_edited"] = (nb, NB1, 6, None)
    nb = _untouched(course)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "assert True"
    s["tests_edited_untouched"] = (nb, NB1, 0, None)
    nb = solved(course)
    nb.cells = [c for c in nb.cells if not (c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code")]
    s["tests_deleted"] = (nb, NB1, 6, None)
    nb = solved(course)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    s["metadata_stripped"] = (nb, NB1, 6, None)
    s["not_json"] = ("{ this is not a notebook", NB1, 0, None)
    s["wrong_name"] = (solved(course), "my_homework.ipynb", 6, None)  # graded under its right name, and reported
    nb = solved(course)
    c = cell_of(nb, "differences")
    c.source += ("\n\nfrom course_lib.gradcheck import numerical_gradient as helper\n"
                 "def central_difference(f, x, h):\n    return helper(f, x, method='central', eps=h)\n")
    # 3, not 4 as when the reference ran in the kernel: it is not in the sandbox, so question 4's cell, which runs
    # this central_difference to choose best_step, raises as well and best_step is never set
    s["uses_reference"] = (nb, NB1, 3, "calls the reference implementation")
    s["huge_output"] = (_append(solved(course), "relative_error", "for i in range(200000):\n    print(i)"),
                        NB1, 6, None)
    attack = ("import os, glob\n"
              "for path in ['../../../gradebook.db', '../../../../grading/gradebook.db']:\n"
              "    try:\n        open(path, 'w').write('owned')\n    except OSError:\n        pass\n"
              "for other in glob.glob('../../../submitted/*/01_numerical_gradients/*.ipynb') + "
              "glob.glob('../../*/01_numerical_gradients/*.ipynb'):\n"
              "    try:\n        open(other, 'w').write('owned')\n    except OSError:\n        pass\n")
    s["attacker"] = (_append(solved(course), "relative_error", attack), NB1, 6, None)
    # (a lecture's widget from course_lib is not in the grading sandbox: course_lib is the reference there)
    widget = ("import ipywidgets\nimport matplotlib.pyplot as plt\n"
              "plt.plot([1, 2, 3]); plt.show()\nw = ipywidgets.IntSlider(value=3, description='k')\nw")
    s["widgets_and_plots"] = (_append(solved(course), "relative_error", widget), NB1, 6, None)
    for name, code in _attacks(course).items():
        nb = _prepend(_untouched(course), "differences", code)
        if name in ANSWERING:  # its answers also after every solution cell's stubs, which would replace them
            _everywhere(nb, code.split("import glob\n")[0])
        s[name] = (nb, NB1, 0, None)
    # a file whose name puts a fake timings line into the grader's log (nbgrader logs the files it copies)
    s["attack_log_injection"] = (_untouched(course), NB1, 0, None)
    # lines of 4 MB each: cut in bytes as they arrive, the answers still graded
    s["huge_lines"] = (_append(solved(course), "relative_error", "for i in range(10):\n    print('x' * 4_000_000)"),
                       NB1, 6, None)
    # an answer far larger than a reply may be: refused, that question only
    s["huge_answer"] = (_append(solved(course), "best_step", "best_step = np.zeros(10_000_000)"), NB1, 5,
                        "larger than")
    # every call slow: the cell's hidden tests share one time limit (8 s here), the other questions are graded
    nb = solved(course)
    c = cell_of(nb, "differences")
    c.source = c.source.replace("def forward_difference(f, x, h):\n", "def forward_difference(f, x, h):\n"
                                "    __import__('time').sleep(1.5)\n", 1)
    s["slow_calls"] = (nb, NB1, 5, "TimeoutError")
    # test cells of its own making, with "hidden tests" that pass: the grader runs only the gradebook's
    for name, grade_id in (("attack_fake_test_cell", "test_forward"), ("attack_bonus_test_cell", "test_bonus")):
        nb = _untouched(course)
        fake = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS\nassert True")
        fake.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": 100,
                                     "schema_version": 3, "solution": False, "task": False}
        nb.cells.insert(2, fake)
        s[name] = (nb, NB1, 0, None)
    return s


OUTLIVE = "descent-outlive-marker"


def _attacks(course) -> dict:
    """Submissions that did no work and try to get points anyway (or to reach outside their sandbox)."""
    real = course.resolve()
    a = {}
    # replace the checks, numpy's comparisons and the visible tests' helpers with stubs that pass
    a["attack_patch_checks"] = (
        "import numpy as np, builtins, sys\n"
        "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: np.array(True)\n"
        "np.array_equal = lambda *a, **k: True\nbuiltins.isinstance = lambda *a: True\n"
        "try:\n    import course_lib.exercises.a01_numerical_gradients as ec\n"
        "    for name in dir(ec):\n        setattr(ec, name, lambda *a, **k: 1)\nexcept Exception:\n    pass\n"
        "sys.modules['course_lib.exercises.a01_numerical_gradients'] = type(sys)('fake')\n"
        "forward_difference = backward_difference = central_difference = lambda f, x, h: x * 0\n"
        "relative_error = lambda a, b: 0.0\ncheck_gradient = lambda f, g, x: 0.0\nbest_step = 1e-8\n")
    # the reference, with the detector switched off, through every door there is
    a["attack_reference"] = (
        "import sys, importlib\nsys.setprofile = lambda *a: None\nsys.settrace = lambda *a: None\n"
        "ns = {}\nexec('from course_lib.gradcheck import numerical_gradient as ng, relative_error as re', ns)\n"
        "gc = importlib.import_module('course_lib.gradcheck')\n"
        "def forward_difference(f, x, h): return ns['ng'](f, x, method='forward', eps=h)\n"
        "def backward_difference(f, x, h): return __import__('course_lib.gradcheck').gradcheck.numerical_gradient("
        "f, x, method='backward', eps=h)\n"
        "def central_difference(f, x, h): return gc.numerical_gradient(f, x, method='central', eps=h)\n"
        "def relative_error(a, b): return ns['re'](a, b)\n"
        "def check_gradient(f, g, x): return gc.relative_error(g(x), gc.numerical_gradient(f, x, 'central', 1e-5))\n"
        "import glob\nfor path in glob.glob('/**/gradcheck.py', recursive=True):\n"
        "    src = open(path).read()\n    if 'def numerical_gradient' in src:\n        print('READ:', path)\n")
    # objects that lie about equality, comparisons and their value
    a["attack_lying_objects"] = (
        "import numpy as np\n"
        "class Liar(float):\n    def __eq__(self, other): return True\n    def __ne__(self, other): return False\n"
        "    def __lt__(self, other): return True\n    def __le__(self, other): return True\n"
        "    def __gt__(self, other): return True\n    def __ge__(self, other): return True\n"
        "    def __float__(self): return 1.0\n    def __array__(self, *a, **k): return np.zeros(2)\n"
        "    __hash__ = float.__hash__\n"
        "class LiarArray(np.ndarray):\n    def __eq__(self, other): return np.ones(np.shape(other), bool)\n"
        "    def __array__(self, *a, **k): return np.zeros(self.shape)\n"
        "def forward_difference(f, x, h): return np.zeros(np.shape(x)).view(LiarArray)\n"
        "backward_difference = central_difference = forward_difference\n"
        "def relative_error(a, b): return Liar(1.0)\ncheck_gradient = lambda f, g, x: Liar(1.0)\n"
        "best_step = Liar(1.0)\n")
    # IPython: swallow every exception, hide every traceback
    a["attack_ipython"] = (
        "ip = get_ipython()\nip.set_custom_exc((BaseException,), lambda *a, **k: None)\n"
        "ip.showtraceback = lambda *a, **k: None\nip.showsyntaxerror = lambda *a, **k: None\n"
        "import sys\nsys.excepthook = lambda *a: None\nsys.stderr = open('/dev/null', 'w')\n")
    # answers precomputed for the visible tests' inputs (the grader draws its own)
    a["attack_precomputed"] = (
        "import numpy as np\n"
        "def forward_difference(f, x, h):\n"
        "    return np.array([2.1, 3.0]) if np.shape(x) == (2,) else np.zeros(np.shape(x))\n"
        "def backward_difference(f, x, h):\n"
        "    return np.array([1.9, 3.0]) if np.shape(x) == (2,) else np.zeros(np.shape(x))\n"
        "def central_difference(f, x, h):\n"
        "    if np.shape(x) == (2,): return np.array([2.0, 3.0])\n"
        "    return np.array([1.0]) if np.shape(x) == (1,) else np.zeros(np.shape(x))\n"
        "def relative_error(a, b):\n    return 0.0 if not np.any(a) and not np.any(b) else 0.2 / 4.2\n"
        "def check_gradient(f, g, x):\n    return 0.0 if g(x)[0] == 3 * x[0] ** 2 else 1.0\n")
    # reach the solutions, the gradebook, the secret and other students: by path and through parent processes
    targets = ["key.txt", real / "solutions" / "01_numerical_gradients" / NB1, real / "grading" / "gradebook.db",
               real / "grading" / "grader_secret.key", real / "grading" / "submitted" / "correct" / A1 / NB1]
    a["attack_read_and_write"] = (
        "import os, glob\n"
        f"targets = {[str(t) for t in targets]!r}\n"
        "for pid in [os.getppid(), 1] + [int(p) for p in os.listdir('/proc') if p.isdigit()]:\n"
        "    for link in ('cwd', 'root'):\n"
        "        try:\n            base = os.readlink(f'/proc/{pid}/{link}')\n"
        "            targets += glob.glob(base + '/*.ipynb') + glob.glob(base + '/*/*/*.ipynb')[:20]\n"
        "        except OSError:\n            pass\n"
        "for t in targets:\n    try:\n        open(t, 'rb').read(1)\n        print('READ:', t)\n"
        "    except OSError:\n        pass\n"
        "    try:\n        if t != 'key.txt':  # (a new key.txt would only be a file of its own scratch)\n"
        "            open(t, 'ab').write(b'owned')\n            print('WROTE:', t)\n    except OSError:\n        pass\n"
        f"for d in ['/tmp', '/', os.path.expanduser('~'), os.path.dirname(os.environ.get('JPY_PARENT', '/')), {str(real)!r}]:\n"
        "    try:\n        open(os.path.join(d, 'owned-by-a-submission'), 'w').write('x')\n"
        "    except OSError:\n        pass\n"
        "import sys\nipc = os.path.dirname(sys.argv[sys.argv.index('-f') + 1])  # the kernel's own socket folder\n"
        "for t in [os.path.join(ipc, 'owned'), os.path.join(ipc, 'kernel.json')]:\n"
        "    try:\n        open(t, 'a').write('owned')\n        print('WROTE:', t)\n    except OSError:\n        pass\n"
        "print('ENV:', sorted(os.environ))\n")
    # the network: a server the test runs on loopback, and the outside
    a["attack_network"] = (
        "import socket\n"
        "for host, port in [('127.0.0.1', PORT), ('localhost', PORT), ('1.1.1.1', 53), ('pypi.org', 443)]:\n"
        "    try:\n        socket.create_connection((host, port), timeout=2).close()\n        print('CONNECTED:', host)\n"
        "    except OSError:\n        pass\n")
    # processes that outlive the kernel: a new session, an empty environment, a double fork
    a["attack_outlive"] = (
        "import os, subprocess, sys\n"
        f"cmd = [sys.executable, '-c', 'import time; time.sleep(600)', {OUTLIVE!r}]\n"
        "subprocess.Popen(cmd, start_new_session=True, env={}, stdin=subprocess.DEVNULL,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.execve(cmd[0], cmd, {})\n"
        "    os._exit(0)\n")
    # recognising the grader's inputs by their names and constants instead of computing
    a["attack_recognise_inputs"] = (
        "def check_gradient(f, grad, x):\n"
        "    code = grad.__code__\n"
        "    off = '%' in code.co_filename or 'off' in code.co_filename or any(\n"
        "        isinstance(c, float) and c not in (2.0,) for c in code.co_consts)\n"
        "    return 0.01 / 2.01 if off else 0.0\n")
    # a fork bomb, kept from the kernel itself
    a["attack_fork_bomb"] = (
        "import os, time\n"
        "if os.fork() == 0:\n    while True:\n        try:\n            os.fork()\n"
        "        except OSError:\n            time.sleep(0.05)\n")
    return a


# the attacks that define the assignment's functions (the others attack the grader, the sandbox or the machine)
ANSWERING = ("attack_recognise_inputs", "attack_patch_checks", "attack_reference", "attack_lying_objects",
             "attack_precomputed")
ATTACKS = ["attack_recognise_inputs", "attack_log_injection", "attack_patch_checks", "attack_reference", "attack_lying_objects", "attack_ipython", "attack_precomputed",
           "attack_read_and_write", "attack_network", "attack_outlive", "attack_fork_bomb", "attack_fake_test_cell",
           "attack_bonus_test_cell"]


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Listener:
    """A TCP server on loopback that counts the connections it gets (none may come from a sandbox)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.port, self.connections, self.stop = self.sock.getsockname()[1], 0, False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue


def _outliving_processes() -> list:
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and OUTLIVE.encode() in open(f"/proc/{entry}/cmdline", "rb").read():
                found.append(int(entry))
        except OSError:
            continue
    return found


def _tree_digest(folder):
    return {str(p.relative_to(folder)): _digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def adversarial(course, bubblewrap):
    # a short cell time limit for the infinite loop; the course's own is 60 s
    cfg = course / "grading" / "nbgrader_config.py"
    cfg.write_text(cfg.read_text() + "\nc.TrustedExecute.timeout = 8\n")
    listener = _Listener()
    subs = _submissions(course)
    nb = subs["attack_network"][0]
    cell_of(nb, "differences").source = cell_of(nb, "differences").source.replace("PORT", str(listener.port))
    for student, (nb, name, _, _) in subs.items():
        if isinstance(nb, str):
            folder = course / "grading" / "submitted" / student / A1
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(nb)
        else:
            submit(course, student, nb, A1, name)
    sub = course / "grading" / "submitted"
    (sub / "attack_log_injection" / A1 / "\n[descent-timings] {not json").write_text("x")
    # a link to the solutions, put in a submission folder by hand (or by an archive): never followed into a kernel
    (sub / "attack_read_and_write" / A1 / "key.txt").symlink_to(course.resolve() / "solutions" / A1 / NB1)
    submitted_before = {p: _digest(p) for p in (course / "grading" / "submitted").rglob("*.ipynb")}
    from course_grader.secret import load_secret

    secret = load_secret(course / "grading" / "grader_secret.key")
    solutions_before = _tree_digest(course / "solutions")

    from course_grader.parallel_autograde import autograde_parallel
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
    outside = {"connections": listener.connections, "outliving": _outliving_processes(),
               "solutions_changed": _tree_digest(course / "solutions") != solutions_before,
               "secret_changed": load_secret(course / "grading" / "grader_secret.key") != secret}
    second = run()
    listener.stop = True
    return subs, first, second, submitted_before, submitted_after, course, outside


def _auto(scores):
    return sum(scores[k] for k in AUTOGRADED)


@pytest.mark.parametrize("student", sorted([
    "correct", "untouched", "wrong", "raises", "infinite_loop", "kernel_exits", "segfault", "memory_hog",
    "tests_edited", "tests_edited_untouched", "tests_deleted", "metadata_stripped", "not_json", "wrong_name",
    "uses_reference", "huge_output", "attacker", "widgets_and_plots", "huge_lines", "huge_answer", "slow_calls",
    *ATTACKS]))
def test_each_submission_gets_its_expected_grade(adversarial, student):
    subs, (results, scores), _, _, _, course, _ = adversarial
    expected, says = subs[student][2], subs[student][3]
    assert _auto(scores[student]) == expected, (student, scores[student], results[student].reason)
    if says:
        nb = nbformat.read(course / "grading" / "autograded" / student / A1 / NB1, as_version=4)
        text = "\n".join(str(o.get("evalue", "")) + str(o.get("ename", "")) + "".join(o.get("traceback", []))
                         for cell in nb.cells for o in cell.get("outputs", []))
        assert says in text, (student, says)


def test_failures_and_repairs_are_reported(adversarial):
    _, (results, _), *_ = adversarial
    not_graded = {s: r.reason for s, r in results.items() if not r.ok}
    assert set(not_graded) == {"not_json"}, not_graded
    assert "JSON" in not_graded["not_json"] or "json" in not_graded["not_json"]
    assert results["wrong_name"].notes == ["graded my_homework.ipynb as numerical_gradients.ipynb (wrong file name)"]
    assert "nbgrader metadata of" in results["metadata_stripped"].notes[0]
    for fake in ("attack_fake_test_cell", "attack_bonus_test_cell"):
        assert results[fake].notes == ["numerical_gradients.ipynb: nbgrader metadata removed from 1 cell(s) that are "
                                       "not the assignment's (unknown or repeated ids)"]
    assert all(not r.notes for s, r in results.items()
               if s not in ("wrong_name", "metadata_stripped", "attack_fake_test_cell", "attack_bonus_test_cell"))


def test_widgets_and_plots_in_a_submission_do_not_break_grading(adversarial):
    _, (results, scores), *_, course, _ = adversarial
    assert results["widgets_and_plots"].ok and _auto(scores["widgets_and_plots"]) == 6
    nb = nbformat.read(course / "grading" / "autograded" / "widgets_and_plots" / A1 / NB1, as_version=4)
    cell = cell_of(nb, "relative_error")
    assert not [o for o in cell.outputs if o.output_type == "error"]  # the plot and the widget ran
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)


def test_huge_output_is_cut(adversarial):
    *_, course, _ = adversarial
    path = course / "grading" / "autograded" / "huge_output" / A1 / NB1
    assert path.stat().st_size < 200_000
    path = course / "grading" / "autograded" / "huge_lines" / A1 / NB1
    assert path.stat().st_size < 3 * 2 ** 20 and "[output cut by the grader:" in path.read_text()


def test_nothing_outside_a_submission_changes(adversarial):
    _, (_, scores), _, before, after, course, outside = adversarial
    assert before == after, "a submission changed another submission's files"
    assert _auto(scores["correct"]) == 6  # the gradebook was not overwritten ('owned')
    assert not list(course.rglob("owned*"))
    assert not [p for p in ("/tmp", "/", os.path.expanduser("~")) if os.path.exists(os.path.join(p, "owned-by-a-submission"))]
    assert not outside["solutions_changed"] and not outside["secret_changed"]


def _printed(course, student):
    nb = nbformat.read(course / "grading" / "autograded" / student / A1 / NB1, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream")


def test_a_sandboxed_submission_reads_nothing_of_the_course(adversarial):
    *_, course, _ = adversarial
    printed = _printed(course, "attack_read_and_write")
    assert "ENV:" in printed  # the attack ran
    assert "READ:" not in printed and "WROTE:" not in printed, printed
    assert "DESCENT" not in printed.split("ENV:")[1]  # no grader variable (gradebook URL, secret path) reaches it
    assert "READ:" not in _printed(course, "attack_reference")  # no copy of the reference anywhere in the sandbox


def test_a_sandboxed_submission_has_no_network(adversarial):
    *_, course, outside = adversarial
    assert outside["connections"] == 0
    assert "CONNECTED" not in _printed(course, "attack_network")


def test_nothing_a_submission_starts_outlives_its_kernel(adversarial):
    *_, outside = adversarial
    assert outside["outliving"] == []


def test_regrading_gives_the_same_grades(adversarial):
    _, (_, first), (_, second), *_ = adversarial
    assert first == second


def test_export_has_one_row_per_student(adversarial):
    subs, *_, course, _ = adversarial
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r["assignment"] == A1]
    assert sorted(r["student_id"] for r in rows) == sorted(subs)
    by_student = {r["student_id"]: float(r["raw_score"]) for r in rows}
    assert by_student["correct"] == 6 and by_student["untouched"] == 0


# --------------------------------------------------------------------------
# Assignments 7-10: the solution, the untouched notebook, the reference called, and answers that did no work
# --------------------------------------------------------------------------
# assignment -> (notebook, automatic points, the solution cell that calls the reference, that code, the points left)
NEW = {
    "07_gradient_descent": ("gradient_descent.ipynb", 8, "backtracking",
                            "from course_lib.linesearch import backtracking_step as helper\n"
                            "def backtracking_step(f, x, g, beta=0.5, c=0.5):\n"
                            "    return helper(f, x, g, beta=beta, c=c)\n", 5),  # and Question 5 calls it: 8 - 2 - 1
    "08_minibatch_schedules": ("minibatch_schedules.ipynb", 8, "step_decay",
                               "from course_lib.schedules import step_decay as helper\n"
                               "def step_decay(lr0, factor, every, epoch):\n"
                               "    return helper(lr0, factor, every)(epoch)\n", 7),
    "09_asgd_dead_units": ("asgd_dead_units.ipynb", 6, "dead",
                           "from course_lib import nn\n"
                           "def dead_units(params, X):\n"
                           "    net = nn.MLP([params[0].shape[0]] + [W.shape[1] for W in params[0::2]], hidden='relu',\n"
                           "                 output='sigmoid', loss='binary_cross_entropy')\n"
                           "    for p, q in zip(net.params, params):\n        p[...] = q\n"
                           "    return [(u.dead, u.always_on) for u in net.dead_units(X)]\n", 4),
    "10_practical_issues": ("practical_issues.ipynb", 8, "he",
                            "from course_lib.nn import he_normal as helper\n"
                            "def he_normal(n_in, n_out, rng):\n    return helper(n_in, n_out, rng)\n", 7),
}

# Answers that did no work, each written to pass that question's VISIBLE tests where it can (the hidden checks
# draw other inputs): the visible inputs recognised, the structure of the grader's cases guessed (assignment 9's
# zeroed, pushed-off and pushed-on units), a generic answer of the right shape, or the right statistics from an
# rng of its own (assignment 10's dropout mask and He weights). Each defines every function of its assignment and
# is put at the end of every solution cell, so that it replaces the stubs before every test.
NO_WORK = {
    "07_gradient_descent": (
        "import numpy as np\n"
        "def gradient_descent(grad, x0, lr, n_steps):\n"
        "    x0 = np.asarray(x0, dtype=float)\n"
        "    if x0.tolist() == [1.0] and lr == 0.25:\n        return np.array([[1.0], [0.5], [0.25]])\n"
        "    if x0.tolist() == [1.0, 0.1]:\n        return np.array([[1.0, 0.1], [0.5, -0.4]])\n"
        "    return np.tile(x0, (n_steps + 1, 1))\n"
        "def largest_stable_step(A):\n    return 2.0 / np.max(np.diag(A))  # right for diagonal matrices only\n"
        "def steepest_descent_exact(A, b, x0, n_steps):\n"
        "    xs = np.linalg.solve(A, b)  # straight to the minimiser after the visible example's first step\n"
        "    return np.vstack([x0, [0.0, 0.5]] + [xs] * (n_steps - 1))\n"
        "def backtracking_step(f, x, g, beta=0.5, c=0.5):\n    return min(beta, 0.5)\n"
        "def gradient_descent_backtracking(f, grad, x0, n_steps, beta=0.5, c=0.5):\n"
        "    return np.vstack([x0] + [np.zeros_like(x0)] * n_steps)\n"),
    "08_minibatch_schedules": (
        "import numpy as np\n"
        "def epoch_batches(n, batch_size, rng):  # in order: the rng is not used\n"
        "    return [np.arange(n)[s:s + batch_size] for s in range(0, n, batch_size)]\n"
        "def minibatch_gradient(X, y, lam, w, idx):  # the data term's gradient at w = 0, wherever w is\n"
        "    return -0.5 * (y[idx] @ X[idx]) / len(idx) + 2 * lam * w\n"
        "def minibatch_sgd(X, y, lam, w0, lr, batch_size, epochs, rng):\n"
        "    return np.tile(w0, (1 + epochs * -(-len(X) // batch_size), 1))\n"
        "def running_loss(losses, lam):\n"
        "    losses = np.asarray(losses, dtype=float)\n"
        "    return losses[0] * (1 - lam) ** np.arange(len(losses)) if losses[-1] == 0 else losses\n"
        "def step_decay(lr0, factor, every, epoch):\n    return lr0 * factor ** (epoch // 2)\n"
        "def step_learning_rates(lr0, decay, n, batch_size, epochs):\n"
        "    return np.repeat(lr0 / (1 + decay * np.arange(epochs)), 3)\n"),
    "09_asgd_dead_units": (
        "import numpy as np\n"
        "def dead_units(params, X):  # from the biases alone: pushed off is dead, pushed far on is always on\n"
        "    return [(b < 0, b > 4) for b in params[1:-2:2]]\n"
        "def effective_counts(params, X, y):\n    return [np.full(np.shape(p), float(len(X))) for p in params]\n"
        "def effective_gradient(params, X, y):\n    return [np.zeros(np.shape(p)) for p in params]\n"
        "def asgd_step(params, X, y, lr):\n    return [np.array(p, dtype=float) for p in params]\n"),
    "10_practical_issues": (
        "import numpy as np\n"
        "def dropout_forward(a, rate, rng):  # the right distribution, from an rng of its own\n"
        "    mask = (np.random.default_rng(7).random(np.shape(a)) >= rate) / (1 - rate)\n"
        "    return a * mask, mask\n"
        "def dropout_backward(grad_out, mask):\n    return np.where(mask > 0, 2.0 * grad_out, 0.0)\n"
        "def batchnorm_forward(z, gamma, beta, eps=1e-3):  # eps left out\n"
        "    return gamma * (z - z.mean(axis=0)) / z.std(axis=0) + beta\n"
        "def batchnorm_backward(grad_out, z, gamma, eps=1e-3):\n"
        "    z_hat = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + eps)\n"
        "    return grad_out * gamma / np.sqrt(z.var(axis=0) + eps), (grad_out * z_hat).sum(axis=0), grad_out.sum(axis=0)\n"
        "def sgd_step_l2(W, grad, lr, lam):  # the visible test has grad = 0\n    return W * (1 - 2 * lr * lam)\n"
        "def he_normal(n_in, n_out, rng):  # the right standard deviation, from an rng of its own\n"
        "    return np.random.default_rng(12345).normal(0.0, np.sqrt(2 / n_in), (n_in, n_out))\n"),
}

NEW_STUDENTS = ("correct", "untouched", "uses_reference", "attack_no_work")


def _everywhere(nb, code):
    """``code`` at the end of every solution cell (a cell's own stubs would otherwise replace its functions)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source += "\n" + code + "\n"
    return nb


def _new_submissions(course, assignment):
    """student -> (notebook, expected automatic score, what the output must say) for one of assignments 7-10."""
    name, points, cell, uses_reference, left = NEW[assignment]
    untouched = lambda: nbformat.read(course / "notebooks" / "exercises" / assignment / name, as_version=4)  # noqa: E731
    solution = solved(course, assignment, name)
    return {"correct": (solution, points, None),
            "untouched": (untouched(), 0, "NotImplementedError"),
            "uses_reference": (_append(solved(course, assignment, name), cell, uses_reference), left,
                               "calls the reference implementation"),
            "attack_no_work": (_everywhere(untouched(), NO_WORK[assignment]), 0, None)}


@pytest.fixture(scope="module")
def adversarial_new(course, bubblewrap):
    """Each of assignments 7-10 graded with the submissions of ``_new_submissions``, under the 8 s cell limit."""
    cfg = course / "grading" / "nbgrader_config.py"
    if "c.TrustedExecute.timeout = 8" not in cfg.read_text():
        cfg.write_text(cfg.read_text() + "\nc.TrustedExecute.timeout = 8\n")
    from course_grader.parallel_autograde import autograde_parallel
    from nbgrader.api import Gradebook

    out = {}
    for assignment, (name, *_) in NEW.items():
        subs = _new_submissions(course, assignment)
        for student, (nb, _, _) in subs.items():
            submit(course, student, nb, assignment, name)
        results = {r.student: r for r in autograde_parallel(course / "grading", assignment, workers=2, time_limit=240,
                                                             memory_limit_mb=3072, students=list(subs),
                                                             log=lambda msg: None)}
        with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
            for student, (_, expected, says) in subs.items():
                grades = gb.find_submission_notebook(name.removesuffix(".ipynb"), assignment, student).grades
                scores = {g.name: g.score for g in grades if g.cell.cell_type == "code"}
                nb = nbformat.read(course / "grading" / "autograded" / student / assignment / name, as_version=4)
                text = "\n".join(str(o.get("evalue", "")) + str(o.get("ename", "")) + "".join(o.get("traceback", []))
                                 for c in nb.cells for o in c.get("outputs", []))
                out[(assignment, student)] = (scores, expected, says, text, results[student])
    return out


@pytest.mark.parametrize("assignment,student", [(a, s) for a in NEW for s in NEW_STUDENTS])
def test_each_new_assignment_submission_gets_its_expected_grade(adversarial_new, assignment, student):
    scores, expected, says, text, result = adversarial_new[(assignment, student)]
    assert result.ok, result.reason
    assert sum(scores.values()) == expected, (assignment, student, scores, result.timings)
    if says:
        assert says in text, (assignment, student, says)
    if student == "attack_no_work":  # its answers were graded (failed by the hidden checks), not the stubs
        assert "not implemented yet" not in text and "NotImplementedError" not in text, (assignment, text[:2000])


def test_the_attacks_answers_reach_the_checks(adversarial):
    """An attack's own functions are graded, not the stubs of the solution cells after it (0 points for nothing)."""
    *_, course, _ = adversarial
    for student in ANSWERING:
        nb = nbformat.read(course / "grading" / "autograded" / student / A1 / NB1, as_version=4)
        text = "".join(str(o.get("evalue", "")) for o in cell_of(nb, "test_check_gradient").outputs)
        assert text and "not implemented yet" not in text, (student, text)
