#!/usr/bin/env python3
"""descent's one entry point: set up the environment, start the course, run the tests.

    python3 course.py lab      # create .venv if needed, then start JupyterLab on notebooks/
    python3 course.py test     # create .venv if needed, then run the whole test suite
    python3 course.py bench    # run the benchmarks, results to benchmarks/results/
    python3 course.py experiments [003|004|000] [--quick]
                               # reproduce the course sources' experiments, results to experiments/results/
    python3 course.py grade ...  # nbgrader in the course root grading/ (e.g. grade generate_assignment NAME;
                               # grade parallel-autograde NAME --workers 4)

Only the Python standard library is used here, so this works on a fresh clone
where nothing but ``python3`` (3.10 or newer, with its ``venv`` module) exists.
The environment lives in ``.venv/`` at the repository root and is reinstalled
whenever ``pyproject.toml`` changes (a hash of it is kept in ``.venv``).

Extra arguments go to the underlying tool: ``python3 course.py test -k adam``
passes ``-k adam`` to pytest; ``python3 course.py lab --port 8899`` passes
``--port 8899`` to JupyterLab. ``python3 course.py test --fast`` leaves out the
tests marked ``slow`` (notebooks, grading pipeline, browser).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

import course_env  # beside this file: the kit's environment variables, standard library only

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".descent-installed"
MIN_PYTHON = (3, 10)

USAGE = __doc__.split("\n\n")[1]


def say(msg: str) -> None:
    print(f"[course] {msg}", flush=True)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def wanted_stamp() -> str:
    """What the installed environment must correspond to: the pyproject and the Python."""
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def ensure_environment() -> Path:
    """Create ``.venv`` and install the course into it, unless it is already up to date."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(
            f"descent needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; "
            f"this is {sys.version.split()[0]} ({sys.executable})."
        )
    py = venv_python()
    if py.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted_stamp():
        return py
    if not py.exists():
        say(f"creating the environment in {VENV.relative_to(ROOT)}/ (first run only)")
        try:
            venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
        except Exception as exc:  # ensurepip missing on some Linux distributions
            sys.exit(
                f"could not create the virtual environment in {VENV}: {exc}\n"
                "On Debian/Ubuntu install the venv module first: sudo apt install python3-venv"
            )
    say("installing course_lib and the course environment (JupyterLab, nbgrader, TensorFlow, pytest);"
        " the first time this downloads about 1 GB and takes a few minutes")
    pip = [str(py), "-m", "pip", "--disable-pip-version-check"]
    run(pip + ["install", "--quiet", "--upgrade", "pip", "setuptools", "wheel"])
    run(pip + ["install", "--quiet", "--editable", f"{ROOT}[course]"])
    STAMP.write_text(wanted_stamp() + "\n")
    say("environment ready")
    return py


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
    result = subprocess.run(cmd, cwd=cwd, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def hand_over(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> None:
    """Become ``cmd`` (exec on POSIX), so that Ctrl-C and SIGTERM reach it directly.

    Running it as a child instead would leave JupyterLab running when this
    process is stopped.
    """
    if os.name == "posix":
        os.chdir(cwd)
        sys.stdout.flush()
        os.execve(cmd[0], cmd, env)
    run(cmd, env=env, cwd=cwd)


def environment(*, headless: bool) -> dict[str, str]:
    """This process's environment with the kit's variables added where missing (``course_env``).

    ``headless`` (tests, benchmarks, experiments) adds matplotlib's Agg
    backend; JupyterLab and nbgrader keep the inline backend, so figures show.
    """
    return course_env.apply(dict(os.environ), headless=headless)


def cmd_lab(args: list[str]) -> None:
    py = ensure_environment()
    say("starting JupyterLab on notebooks/ (stop it with Ctrl-C)")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        args = ["--allow-root", *args]  # containers and CI machines often run as root
    hand_over([str(py), "-m", "jupyterlab", f"--notebook-dir={ROOT / 'notebooks'}", *args],
              environment(headless=False))


def cmd_test(args: list[str]) -> None:
    py = ensure_environment()
    if "--fast" in args:
        args = [a for a in args if a != "--fast"] + ["-m", "not slow"]
    hand_over([str(py), "-m", "pytest", *args], environment(headless=True))


def cmd_bench(args: list[str]) -> None:
    py = ensure_environment()
    env = environment(headless=True)
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    if not scripts:
        sys.exit("no benchmarks/bench_*.py scripts found")
    for script in scripts:
        say(f"running python -m benchmarks.{script.stem}")
        run([str(py), "-m", f"benchmarks.{script.stem}", *args], env=env)
    say("results written to benchmarks/results/")


def last_full_run_seconds(script: Path) -> float | None:
    """The wall time of ``script``'s last full (not ``--quick``) run, from its results file; None if unknown.

    The script names its results file in a module constant ``RESULTS_NAME``
    (read here without importing it: this file runs before the environment
    exists); the file ``experiments/results/<RESULTS_NAME>.json`` records
    ``quick`` and ``wall_seconds``.
    """
    import ast
    import json

    try:
        tree = ast.parse(script.read_text())
    except (OSError, SyntaxError):
        return None
    name = next((node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "RESULTS_NAME" for t in node.targets)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)), None)
    path = script.parent / "results" / f"{name}.json"
    if name is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    seconds = data.get("wall_seconds")
    return None if data.get("quick") or not isinstance(seconds, (int, float)) else float(seconds)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def cmd_experiments(args: list[str]) -> None:
    """Run the experiment scripts one after another, with the time each took last time and the time left."""
    import time

    py = ensure_environment()
    env = environment(headless=True)
    names = [a for a in args if not a.startswith("-")]
    flags = [a for a in args if a.startswith("-")]
    scripts = sorted((ROOT / "experiments").glob("exp_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    if not scripts:
        sys.exit(f"no experiments/exp_*.py script matches {names}")
    quick = "--quick" in flags
    last = {s: None if quick else last_full_run_seconds(s) for s in scripts}
    for k, script in enumerate(scripts, 1):
        left = [last[s] for s in scripts[k - 1:]]
        estimate = ("" if quick else f"; its last full run took {_minutes(last[script])}" if last[script]
                    else "; no full run on record")
        if not quick and all(t is not None for t in left):
            estimate += f", about {_minutes(sum(left))} left in all"
        say(f"study {k} of {len(scripts)}: python -m experiments.{script.stem}{estimate}")
        t0 = time.perf_counter()
        run([str(py), "-m", f"experiments.{script.stem}", *flags], env=env)
        say(f"{script.stem} done in {_minutes(time.perf_counter() - t0)}")
    say("results written to experiments/results/")


def cmd_grade(args: list[str]) -> None:
    """Run nbgrader in the course root grading/, with the environment's tools on PATH.

    Autograding runs every kernel in a bubblewrap sandbox and the hidden tests in
    the grader (course_grader.trusted_execute); ``--no-sandbox`` after ``grade
    autograde`` or ``grade parallel-autograde`` runs the kernels unsandboxed.
    ``grade parallel-autograde ASSIGNMENT [--workers N]`` runs the course's parallel
    driver (course_grader.parallel_autograde) instead of nbgrader's one-at-a-time autograde;
    ``grade collect-zip ASSIGNMENT FILE.zip`` files an LMS download into submitted/, and
    ``grade report ASSIGNMENT`` draws the score histograms (course_grader.course_admin).
    """
    py = ensure_environment()
    env = environment(headless=False)
    env["PATH"] = f"{py.parent}{os.pathsep}{env.get('PATH', '')}"  # nbgrader calls `alembic` by name
    if args[:1] == ["autograde"] and "--no-sandbox" in args:  # nbgrader's own autograde, kernels unsandboxed
        args = [a for a in args if a != "--no-sandbox"] + ["--TrustedExecute.sandbox=False"]
    if args[:1] == ["parallel-autograde"]:
        hand_over([str(py), "-m", "course_grader.parallel_autograde", *args[1:]], env, cwd=ROOT / "grading")
        return
    if args[:1] in (["collect-zip"], ["report"]):
        hand_over([str(py), "-m", "course_grader.course_admin", *args], env, cwd=ROOT / "grading")
        return
    hand_over([str(py), "-m", "nbgrader", *args], env, cwd=ROOT / "grading")


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "bench": cmd_bench, "experiments": cmd_experiments,
            "grade": cmd_grade}


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in COMMANDS:
        given = repr(argv[0]) if argv else "nothing"
        sys.exit(f"usage:\n{USAGE}\n\ncourse.py needs one of {', '.join(COMMANDS)}; got {given}")
    COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
