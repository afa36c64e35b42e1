"""Parallel autograding into a PostgreSQL gradebook (nbgrader's ``db_url``), against a real server.

The test starts its own PostgreSQL server from Debian's postgresql package
(``/usr/lib/postgresql/<version>/bin``; ``.ci/run`` installs it) in a
temporary data directory on a free port, and stops it afterwards.  Without
the package the test is skipped locally and fails in CI (``DESCENT_CI=1``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from _net import free_port

from pipeline_helpers import A1, AUTOGRADED, NB1, ROOT, cell_of, solved, submit

pytestmark = pytest.mark.slow


def _pg_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None



@pytest.fixture(scope="module")
def postgres():
    bin_dir = _pg_bin()
    if bin_dir is None:
        msg = "Debian's postgresql package is not installed (apt-get install postgresql; .ci/run does this in CI)"
        if os.environ.get("DESCENT_CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    import tempfile

    # not under pytest's own temporary root, whose mode 700 keeps the postgres user out
    base = Path(tempfile.mkdtemp(prefix="descent-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    as_postgres = []
    if os.geteuid() == 0:  # the server refuses to run as root: use the package's postgres user
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def run(*cmd):
        return subprocess.run([*as_postgres, *cmd], check=True, capture_output=True, text=True)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "start",
        "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1")
    try:
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "gradebook")
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _nbgrader(course: Path, db_url: str, *args: str) -> None:
    from course_grader.parallel_autograde import run_nbgrader

    proc = run_nbgrader(course / "grading", *args, db_url=db_url)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_parallel_autograding_into_postgresql(postgres, tmp_path, monkeypatch, bubblewrap):
    course = tmp_path
    shutil.copytree(ROOT / "solutions" / A1, course / "solutions" / A1)
    (course / "grading").mkdir()
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", course / "grading")
    (course / "notebooks" / "exercises").mkdir(parents=True)
    _nbgrader(course, postgres, "generate_assignment", A1, "--force")

    untouched = nbformat.read(course / "notebooks" / "exercises" / A1 / NB1, as_version=4)
    wrong = solved(course)
    c = cell_of(wrong, "differences")
    c.source = c.source.replace("grad[i] = (fx - f(x)) / h", "grad[i] = (f(x) - fx) / h")
    subs = {"ana": (solved(course), 6), "ben": (untouched, 0), "cai": (wrong, 5), "dia": (solved(course), 6)}
    for student, (nb, _) in subs.items():
        submit(course, student, nb)

    monkeypatch.setenv("DESCENT_GRADEBOOK_URL", postgres)
    from course_grader.parallel_autograde import autograde_parallel
    from nbgrader.api import Gradebook

    results = autograde_parallel(course / "grading", A1, workers=2, log=lambda msg: None)
    assert all(r.ok for r in results), [(r.student, r.reason) for r in results]
    with Gradebook(postgres) as gb:
        got = {st: sum(g.score for g in gb.find_submission_notebook("numerical_gradients", A1, st).grades
                       if g.name in AUTOGRADED) for st in subs}
    assert got == {st: points for st, (_, points) in subs.items()}
    assert not (course / "grading" / "gradebook.db").exists()  # everything went to PostgreSQL
