"""Autograde many submissions at once, each in its own sandbox copy of the course.

nbgrader grades one submission at a time (its issue #174, open since 2015);
running several ``nbgrader autograde`` processes on one SQLite gradebook
fails with lock errors, and every student's code runs with write access to
the gradebook and to the other students' folders.  This driver:

1. gives each submission a private course directory (the config, the
   assignment's source, this one submission; a copy of the gradebook kept
   outside that tree) and grades it there with nbgrader's own ``Autograde``,
   in one of ``workers`` long-lived worker processes (nbgrader's import alone
   takes seconds, so starting one process per submission would cost more
   than the parallelism gains).  Each worker grades with the course's
   ``TrustedExecute``: the submission's kernel runs in a bubblewrap sandbox
   with a memory limit (``course_grader.sandbox``), the hidden tests run in
   the worker.  Each submission has a wall time limit: a worker that overruns
   it is killed and replaced;
2. after each submission, kills every process started for it (kernels run in
   their own session, so they are found by a marker in their environment),
   then copies the results into the real course **one at a time**: the
   autograded notebooks, and each grade cell's automatic score, comment and
   timestamp into the real gradebook (SQLite or any ``db_url``, e.g.
   PostgreSQL).

A run that fails outright (a notebook that is not JSON, a wrong file name,
the time limit) is reported with its reason and recorded as submitted with no
automatic score; the other submissions are graded as usual.  A kernel that
dies is handled inside nbgrader by ``trusted_execute.TrustedExecute``.

    python3 course.py grade parallel-autograde 03_optimizers --workers 4 [--no-sandbox]
    python -m course_grader.parallel_autograde 03_optimizers --course grading --workers 4

Imports nbgrader when run; ``import course_lib`` does not import this module.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["Result", "DEFAULT_WORKERS", "autograde_parallel", "course_settings", "nbgrader_env", "run_nbgrader",
           "repair_metadata", "drop_foreign_metadata", "main"]


@dataclasses.dataclass
class Result:
    """What happened to one submission: graded or not (``reason``), and what was repaired (``notes``)."""

    student: str
    ok: bool
    seconds: float
    reason: str = ""
    log: str = ""
    notes: list = dataclasses.field(default_factory=list)
    timings: dict = dataclasses.field(default_factory=dict)  # kernel_start, cells, checks, merge (seconds)


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "")


def repair_metadata(submitted, release) -> int:
    """Give back nbgrader metadata that a submission lost, matching cells to the student version.

    A cell of ``release`` whose ``grade_id`` no submitted cell carries is
    matched to the most similar submitted cell of the same type that carries
    none (same first line, similar text, similar position); its metadata is
    copied over.  Returns the number of cells repaired.  Test cells that
    cannot be matched are restored by nbgrader itself (``add_missing_cells``).
    """
    from difflib import SequenceMatcher

    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in submitted.cells} - {None}
    missing = [(k, c) for k, c in enumerate(release.cells)
               if "nbgrader" in c.metadata and c.metadata["nbgrader"].get("grade_id") not in present]
    free = [i for i, c in enumerate(submitted.cells) if "nbgrader" not in c.metadata]
    n, repaired = max(len(submitted.cells), 1), 0
    for k, rc in missing:
        scored = []
        for i in free:
            sc = submitted.cells[i]
            if sc.cell_type != rc.cell_type:
                continue
            score = SequenceMatcher(None, rc.source, sc.source).ratio()
            score += 1.0 if _first_line(rc.source) == _first_line(sc.source) else 0.0
            score += 0.3 * (1 - abs(i / n - k / max(len(release.cells), 1)))
            scored.append((score, i))
        if scored:
            score, i = max(scored)
            if score >= 0.5:
                submitted.cells[i].metadata["nbgrader"] = dict(rc.metadata["nbgrader"])
                free.remove(i)
                repaired += 1
    return repaired


def _prepare(folder: Path, expected: list[str], release: Path) -> list[str]:
    """Fix what can be fixed in one submission folder before grading; return notes for the report."""
    import nbformat

    notes = []
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    missing = [e for e in expected if e not in present]
    extra = [p for p in present if p not in expected]
    if len(missing) == 1 and len(extra) == 1:
        (folder / extra[0]).rename(folder / missing[0])
        notes.append(f"graded {extra[0]} as {missing[0]} (wrong file name)")
    for name in expected:
        path, template = folder / name, release / name
        if not path.exists() or not template.exists():
            continue
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # not a notebook: nbgrader reports it
            continue
        release_nb = nbformat.read(template, as_version=4)
        dropped = drop_foreign_metadata(nb, release_nb)
        repaired = repair_metadata(nb, release_nb)
        if dropped or repaired:
            nbformat.write(nb, path)
        if dropped:
            notes.append(f"{name}: nbgrader metadata removed from {dropped} cell(s) that are not the assignment's "
                         f"(unknown or repeated ids)")
        if repaired:
            notes.append(f"{name}: nbgrader metadata of {repaired} cell(s) restored")
    return notes


def drop_foreign_metadata(submitted, release) -> int:
    """Remove the nbgrader metadata of cells that are not the assignment's; return how many.

    A cell whose ``grade_id`` the student version does not have, or the
    second of two cells with one ``grade_id``, was made or copied by the
    student; nbgrader 0.9 would stop grading the whole submission on it
    (``KeyError: 'grade_id'``).  Of repeated ids the cell most like the
    student version's keeps the metadata.  A test cell made up this way
    earns nothing: the grader runs only the gradebook's hidden tests.
    """
    from difflib import SequenceMatcher

    known = {c.metadata["nbgrader"]["grade_id"]: c for c in release.cells
             if "grade_id" in c.metadata.get("nbgrader", {})}
    by_id: dict = {}
    dropped = 0
    for cell in submitted.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id not in known:
            del cell.metadata["nbgrader"]
            dropped += 1
        else:
            by_id.setdefault(grade_id, []).append(cell)
    for grade_id, cells in by_id.items():
        if len(cells) > 1:
            keep = max(cells, key=lambda c: SequenceMatcher(None, known[grade_id].source, c.source).ratio())
            for cell in cells:
                if cell is not keep:
                    del cell.metadata["nbgrader"]
                    dropped += 1
    return dropped


def nbgrader_env(python: str | None = None, db_url: str | None = None) -> dict:
    """The environment to run nbgrader in: ``python``'s bin folder first on PATH (nbgrader runs
    ``alembic`` by name), and ``DESCENT_GRADEBOOK_URL`` set to ``db_url`` (removed when None, so the
    course's configured gradebook is used)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(python or sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("DESCENT_GRADEBOOK_URL", None)
    if db_url is not None:
        env["DESCENT_GRADEBOOK_URL"] = db_url
    return env


def run_nbgrader(course_root, *args: str, db_url: str | None = None) -> subprocess.CompletedProcess:
    """``nbgrader <args>`` in the course root ``course_root`` (the folder of nbgrader_config.py), output captured."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_root, env=nbgrader_env(db_url=db_url),
                          capture_output=True, text=True)


def course_settings(course: Path):
    """(source folder, release folder, db_url) of the course whose nbgrader_config.py is in ``course``.

    ``DESCENT_GRADEBOOK_URL``, when set, overrides the configured gradebook.
    """
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    cd = CourseDirectory(config=cfg)
    source = Path(cd.root) / cd.source_directory
    release = Path(cd.root) / cd.release_directory
    db_url = os.environ.get("DESCENT_GRADEBOOK_URL") or cd.db_url
    return source.resolve(), release.resolve(), db_url


def _sandbox(course: Path, source: Path, assignment: str, student: str, gradebook_copy: Path) -> Path:
    """A private course: config, the assignment's source, one submission; its gradebook copy lies outside it.

    The gradebook is ``<box>.db`` next to the box, not inside the course tree,
    so code that writes to ``../../../gradebook.db`` from the autograded folder
    finds nothing to damage.
    """
    box = Path(tempfile.mkdtemp(prefix=f"autograde-{student}-", dir=_SCRATCH))
    root = box / "grading"
    root.mkdir()
    shutil.copy(course / "nbgrader_config.py", root / "nbgrader_config.py")
    (box / "solutions").mkdir()
    shutil.copytree(source / assignment, box / "solutions" / assignment)
    shutil.copytree(course / "submitted" / student / assignment, root / "submitted" / student / assignment,
                    symlinks=True)  # a link is copied as a link, never followed (nothing of it reaches a kernel)
    shutil.copy(gradebook_copy, _private_db(box))
    os.chmod(_private_db(box), 0o600)  # it holds every hidden test and answer key
    return box


# the boxes and their private gradebooks are scratch: in memory where the machine has a tmpfs (no fsync per commit)
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def _private_db(box: Path) -> Path:
    return box.with_name(box.name + ".db")


MARKER = "DESCENT_SANDBOX"
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1)


def _kill_marked(box: str, exclude: int | None = None) -> int:
    """Kill every process started for ``box`` (kernels and what they spawned): they carry ``MARKER=box``.

    Kernels run in their own process session, so killing a worker's session
    does not reach them; their environment does (Linux ``/proc``).
    """
    needle = f"{MARKER}={box}".encode()
    killed = 0
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) in (os.getpid(), exclude):
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except (OSError, ValueError):
            continue
    return killed


def _reason(log: str) -> str:
    lines = log.splitlines()
    specific = [ln.strip() for ln in lines if ln.strip().startswith((
        "nbformat.reader.NotJSONError", "NotJSONError", "json.decoder.JSONDecodeError", "sqlite3.", "sqlalchemy.exc."))]
    errors = [ln.strip() for ln in lines if "ERROR" in ln]
    return (specific or errors or ["nbgrader failed"])[0]


def _serve() -> None:
    """A worker: read jobs (JSON lines) on stdin, autograde each in its sandbox in this process, answer on stdout.

    nbgrader is imported once per worker, not once per submission (its import
    alone takes seconds), which is what makes grading in parallel pay off.
    """
    import io
    import json
    import logging

    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    # nothing but answers on the pipe to the driver: what the worker, nbgrader or a kernel prints goes to stderr
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        job = json.loads(line)
        box, student, assignment = job["box"], job["student"], job["assignment"]
        os.environ[MARKER] = box  # inherited by the kernel (or its sandbox) and anything it starts
        os.environ["DESCENT_GRADEBOOK_URL"] = f"sqlite:///{job['db']}"
        buffer = io.StringIO()
        logger = logging.getLogger(f"autograde.{student}")
        logger.handlers = [logging.StreamHandler(buffer)]
        logger.setLevel(logging.INFO)
        logger.propagate = False
        root = Path(box) / "grading"
        ok = False
        try:
            cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
            cfg.CourseDirectory.assignment_id = assignment
            cfg.CourseDirectory.student_id = student
            cfg.BaseConverter.force = True
            cfg.TrustedExecute.sandbox = job["sandbox"]
            if job["memory_limit_mb"] is not None:
                cfg.TrustedExecute.memory_limit_mb = job["memory_limit_mb"]
            coursedir = CourseDirectory(config=cfg)
            Autograde(coursedir=coursedir, config=cfg, log=logger).start()
            ok = (root / "autograded" / student / assignment).is_dir()
        except NbGraderException:
            ok = False
        except Exception as exc:  # never let one submission stop the worker
            logger.error("ERROR %s: %s", type(exc).__name__, exc)
        finally:
            _kill_marked(box)
        log = buffer.getvalue()
        out.write(json.dumps({"student": student, "ok": ok, "log": log,
                              "reason": "" if ok else _reason(log)}) + "\n")
        out.flush()


class _Worker:
    """A long-lived ``--serve`` process in its own session; ``slot`` gives its kernels their own user id."""

    def __init__(self, python: str, slot: int):
        import queue
        import threading

        env = nbgrader_env(python, os.environ.get("DESCENT_GRADEBOOK_URL"))
        env.pop(MARKER, None)
        env["DESCENT_SANDBOX_SLOT"] = str(slot)
        self.proc = subprocess.Popen([python, "-m", "course_grader.parallel_autograde", "--serve"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, env=env, start_new_session=True)
        self.answers = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.answers.put(line)
        self.answers.put(None)

    def grade(self, box: Path, student: str, assignment: str, time_limit: float, sandbox: bool,
              memory_limit_mb: int | None) -> dict:
        import json
        import queue

        job = {"box": str(box), "db": str(_private_db(box)), "student": student, "assignment": assignment,
               "sandbox": sandbox, "memory_limit_mb": memory_limit_mb}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        try:
            line = self.answers.get(timeout=time_limit)
        except queue.Empty:
            self.kill(box)
            return {"ok": False, "timed_out": True, "log": "",
                    "reason": f"stopped after the time limit of {time_limit:.0f} s"}
        if line is None:  # the worker itself died
            self.kill(box)
            return {"ok": False, "log": "", "reason": "the grading process died"}
        return json.loads(line)

    def kill(self, box: Path | None = None):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if box is not None:
            _kill_marked(str(box))
        self.proc.wait()

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


def _merge(box: Path, course: Path, gb, assignment: str, student: str, ok: bool) -> None:
    """Copy one sandbox's results into the real course and its gradebook ``gb`` (an open nbgrader Gradebook)."""
    from nbgrader.api import Gradebook, MissingEntry

    src = box / "grading" / "autograded" / student / assignment
    dst = course / "autograded" / student / assignment
    if ok and src.is_dir():
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(src, dst)
    private = f"sqlite:///{_private_db(box)}"
    import warnings

    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        # nbgrader's update_or_create_submission warns about its own autoflush order; harmless here
        warnings.simplefilter("ignore", SAWarning)
        timestamp = None
        scores = {}
        if ok:
            with Gradebook(private) as pgb:
                try:
                    sub = pgb.find_submission(assignment, student)
                    timestamp = sub.timestamp
                    for nb in sub.notebooks:
                        for g in nb.grades:
                            scores[(nb.name, g.name, "grade")] = (g.auto_score, g.needs_manual_grade)
                        for c in nb.comments:
                            scores[(nb.name, c.name, "comment")] = c.auto_comment
                except MissingEntry:
                    ok = False
        try:
            gb.find_student(student)
        except MissingEntry:
            gb.add_student(student)
        sub = gb.update_or_create_submission(assignment, student, timestamp=timestamp)
        for nb in sub.notebooks:
            for g in nb.grades:
                # not graded: no automatic points (also none left from an earlier run), flagged for a look by hand
                g.auto_score, g.needs_manual_grade = scores.get((nb.name, g.name, "grade"), (None, True))
            for c in nb.comments:
                c.auto_comment = scores.get((nb.name, c.name, "comment"))
        gb.db.commit()


def autograde_parallel(course, assignment: str, workers: int = 2, time_limit: float = 600.0,
                       memory_limit_mb: int | None = 4096, students=None, python: str | None = None,
                       log=print, sandbox: bool = True) -> list[Result]:
    """Autograde every submission of ``assignment`` in ``course`` (the nbgrader root) with ``workers`` processes.

    ``sandbox=False`` (``--no-sandbox``) runs the kernels without bubblewrap
    (see grading/README.md for what that gives up).  Returns one ``Result``
    per student, in the order the runs finished.
    """
    from nbgrader.api import Gradebook

    from .sandbox import bwrap_path
    from .secret import SECRET_NAME, load_secret

    if sandbox:
        bwrap_path()  # stops here, saying how to install it

    course = Path(course).resolve()
    python = python or sys.executable
    bin_dir = str(Path(python).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):  # nbgrader runs `alembic` by name
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    source, release, db_url = course_settings(course)
    secret = os.environ.get("DESCENT_GRADER_SECRET") or str(course / SECRET_NAME)
    load_secret(secret)  # created once here, before the workers start; they find it through the environment
    os.environ["DESCENT_GRADER_SECRET"] = secret
    submitted = course / "submitted"
    all_students = sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir()) if submitted.is_dir() else []
    students = all_students if students is None else [s for s in students if s in all_students]
    with Gradebook(db_url) as gb:
        gb.find_assignment(assignment)  # fails clearly if generate_assignment has not run
    work = Path(tempfile.mkdtemp(prefix="autograde-", dir=_SCRATCH))
    template = work / "gradebook.db"
    _copy_gradebook(db_url, template, assignment)
    os.chmod(template, 0o600)
    expected = sorted(p.name for p in (source / assignment).glob("*.ipynb"))
    import queue
    import threading

    todo = queue.Queue()
    for s in students:
        todo.put(s)
    done = queue.Queue()

    def worker_loop(slot):
        worker = _Worker(python, slot)
        try:
            while True:
                try:
                    student = todo.get_nowait()
                except queue.Empty:
                    return
                box = _sandbox(course, source, assignment, student, template)
                notes = _prepare(box / "grading" / "submitted" / student / assignment, expected, release / assignment)
                start = time.perf_counter()
                try:
                    answer = worker.grade(box, student, assignment, time_limit, sandbox, memory_limit_mb)
                except Exception as exc:  # noqa: BLE001  (a broken answer must not stop the run)
                    worker.kill(box)
                    answer = {"ok": False, "log": "", "reason": f"the grading process failed: {exc}"}
                result = Result(student, answer["ok"], time.perf_counter() - start, answer.get("reason", ""),
                                answer.get("log", ""), notes)
                done.put((result, box))
                if not worker.alive:
                    worker = _Worker(python, slot)
        finally:
            worker.kill()

    threads = [threading.Thread(target=worker_loop, args=(slot,), daemon=True)
               for slot in range(max(1, min(workers, len(students))))]
    for t in threads:
        t.start()
    results = []
    with Gradebook(db_url) as gb:  # opened once: the merges, one at a time, in this thread
        while len(results) < len(students):
            result, box = done.get()
            start = time.perf_counter()
            try:
                _merge(box, course, gb, assignment, result.student, result.ok)
            except Exception as exc:  # noqa: BLE001  (one submission must not stop the others' merges)
                gb.db.rollback()
                result.ok, result.reason = False, f"its results could not be merged: {type(exc).__name__}: {exc}"
            result.timings = _timings(result.log)
            result.timings["merge"] = time.perf_counter() - start
            shutil.rmtree(box, ignore_errors=True)
            _private_db(box).unlink(missing_ok=True)
            results.append(result)
            log(f"[autograde] {result.student}: {'graded' if result.ok else 'NOT graded: ' + result.reason} "
                f"({result.seconds:.1f} s){'; ' + '; '.join(result.notes) if result.notes else ''}")
    for t in threads:
        t.join()
    shutil.rmtree(work, ignore_errors=True)
    return results


def _timings(log: str) -> dict:
    """Where one submission's time went, summed over its notebooks (TrustedExecute's log lines)."""
    import json

    from .trusted_execute import TIMINGS

    total: dict = {}
    for line in log.splitlines():  # a submission can put text into the log (file names): parse, never trust
        if line.startswith(TIMINGS + " {"):
            try:
                for k, v in json.loads(line[len(TIMINGS):]).items():
                    if k in ("kernel_start", "cells", "checks", "execute"):
                        total[k] = total.get(k, 0.0) + float(v)
            except (ValueError, TypeError, AttributeError):
                continue
    return total


def _copy_gradebook(db_url: str, target: Path, assignment: str) -> None:
    """A private SQLite gradebook holding the course's assignments (the sandboxes start from it)."""
    if db_url.startswith("sqlite:///"):
        shutil.copy(db_url[len("sqlite:///"):].split("?")[0], target)
        return
    # another database (PostgreSQL): rebuild the assignment's definition in a fresh SQLite file
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as src, Gradebook(f"sqlite:///{target}") as dst:
        a = src.find_assignment(assignment)
        dst.update_or_create_assignment(a.name, duedate=a.duedate)
        for nb in a.notebooks:
            dst.update_or_create_notebook(nb.name, a.name)
            for cell in nb.grade_cells:
                dst.update_or_create_grade_cell(cell.name, nb.name, a.name, max_score=cell.max_score,
                                                cell_type=cell.cell_type)
            for cell in nb.solution_cells:
                dst.update_or_create_solution_cell(cell.name, nb.name, a.name)
            for cell in nb.task_cells:
                dst.update_or_create_task_cell(cell.name, nb.name, a.name, max_score=cell.max_score,
                                               cell_type=cell.cell_type)
            for cell in nb.source_cells:
                dst.update_or_create_source_cell(cell.name, nb.name, a.name, source=cell.source,
                                                 cell_type=cell.cell_type, locked=cell.locked,
                                                 checksum=cell.checksum)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        _serve()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--course", default=".", help="the nbgrader course root (default: here)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help="worker processes (default: twice the cores, as each waits on its kernel half the time)")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per submission")
    parser.add_argument("--memory-limit-mb", type=int, default=4096, help="address space of a submission's kernel")
    parser.add_argument("--student", action="append", help="only these students (repeatable)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run the kernels without bubblewrap (see grading/README.md for what that gives up)")
    args = parser.parse_args(argv)
    from .sandbox import SandboxUnavailable

    try:
        results = autograde_parallel(args.course, args.assignment, args.workers, args.time_limit,
                                     args.memory_limit_mb, args.student, sandbox=not args.no_sandbox)
    except SandboxUnavailable as exc:
        print(f"[autograde] {exc}", file=sys.stderr)
        return 2
    bad = [r for r in results if not r.ok]
    print(f"[autograde] {len(results) - len(bad)} of {len(results)} submissions graded"
          + (f"; not graded: {', '.join(r.student + ' (' + r.reason + ')' for r in bad)}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
