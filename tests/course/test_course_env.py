"""course_env: the one module naming the kit's environment variables, and everything runs through it.

The variables' names are taken from course_env itself, so that this file sets none of them.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import course_env

ROOT = Path(__file__).resolve().parents[2]
NAMES = (*course_env.BLAS_THREADS, course_env.TF_LOG_LEVEL, course_env.MPL_BACKEND, course_env.DATA_DIR)
# what is not source: documentation, recorded results, the environment and build products
SKIP_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ipynb_checkpoints", "test-artifacts", "results",
             "build", "dist"}
SHELL_FILES = {"run"}  # .ci/run
TEXT_SUFFIXES = {".sh", ".toml", ".yml", ".yaml", ".cfg", ".ini"}


def _without(env: dict, names=NAMES) -> dict:
    return {k: v for k, v in env.items() if k not in names}


# ---------------------------------------------------------------------------
# what the module gives
# ---------------------------------------------------------------------------
def test_defaults_are_the_documented_values(tmp_path):
    env = course_env.defaults(headless=True, data_dir=tmp_path)
    assert env == {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg", "COURSE_DATA_DIR": str(tmp_path)}
    # JupyterLab keeps its inline backend; a missing data folder (or none) is left out
    lab = course_env.defaults(headless=False, data_dir=tmp_path / "missing")
    assert course_env.MPL_BACKEND not in lab and course_env.DATA_DIR not in lab
    assert course_env.DATA_DIR not in course_env.defaults(headless=True, data_dir=None)


def test_the_data_folder_defaults_to_shared_data_beside_the_course():
    assert course_env.SHARED_DATA == ROOT.parent / "shared" / "data"
    env = course_env.defaults(headless=False)
    if (ROOT.parent / "shared" / "data").is_dir():
        assert env[course_env.DATA_DIR] == str(ROOT.parent / "shared" / "data")
    else:
        assert course_env.DATA_DIR not in env


def test_apply_fills_in_what_is_missing_and_keeps_the_rest(monkeypatch, tmp_path):
    mine = {course_env.BLAS_THREADS[0]: "4", "UNRELATED": "x"}
    out = course_env.apply(mine, headless=True, data_dir=tmp_path)
    assert out is mine
    assert mine[course_env.BLAS_THREADS[0]] == "4" and mine["UNRELATED"] == "x"  # yours are kept
    assert mine == {**course_env.defaults(headless=True, data_dir=tmp_path), **{course_env.BLAS_THREADS[0]: "4",
                                                                             "UNRELATED": "x"}}
    # without a mapping it is this process's environment
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    assert course_env.apply(headless=False, data_dir=None) is os.environ
    assert os.environ[course_env.BLAS_THREADS[1]] == "1" and course_env.MPL_BACKEND not in os.environ
    # the quiet TensorFlow import touches its own variable only
    env = course_env.quiet_tensorflow({})
    assert env == {course_env.TF_LOG_LEVEL: "2"}
    # an empty value counts as unset (the shell's ${VAR:-default}): `COURSE_DATA_DIR= ...` still finds the data
    empty = course_env.apply({course_env.DATA_DIR: "", course_env.TF_LOG_LEVEL: ""}, headless=False, data_dir=tmp_path)
    assert empty[course_env.DATA_DIR] == str(tmp_path) and empty[course_env.TF_LOG_LEVEL] == "2"
    assert course_env.quiet_tensorflow({course_env.TF_LOG_LEVEL: ""}) == {course_env.TF_LOG_LEVEL: "2"}


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="headless must be True or False; got 'yes'"):
        course_env.defaults(headless="yes")
    with pytest.raises(TypeError, match="data_dir must be a path or None; got int 3"):
        course_env.defaults(headless=True, data_dir=3)
    with pytest.raises(TypeError, match="environ must be a mutable mapping such as os.environ or a dict; got list"):
        course_env.apply([], headless=True)


def test_stdlib_only_and_usable_before_the_environment_exists():
    """course.py runs under the system python3 before .venv exists: course_env must need nothing else."""
    tree = ast.parse((ROOT / "course_env.py").read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported - set(sys.stdlib_module_names)
    # -S: no site-packages at all (no numpy, no course_lib), as on a fresh machine
    probe = ("import json, sys, course_env, course; "
             "print(json.dumps([sorted(m for m in ('numpy', 'course_lib') if m in sys.modules), "
             "course.environment(headless=True)]))")
    out = subprocess.run([sys.executable, "-S", "-c", probe], cwd=ROOT, env=_without(os.environ),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    heavy, env = json.loads(out.stdout)
    assert heavy == []
    assert {k: env.get(k) for k in NAMES} == {k: course_env.defaults(headless=True).get(k) for k in NAMES}


# ---------------------------------------------------------------------------
# everything uses it, nothing else names the variables
# ---------------------------------------------------------------------------
def _source_files():
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in filenames:
            path = Path(dirpath) / name
            if path.suffix in (".py", ".ipynb") or path.suffix in TEXT_SUFFIXES or name in SHELL_FILES:
                yield path


def _python_of(path: Path) -> str:
    if path.suffix != ".ipynb":
        return path.read_text()
    nb = nbformat.read(path, as_version=4)  # code cells only: markdown is documentation
    return "\n".join("\n".join(ln for ln in c.source.splitlines() if not ln.lstrip().startswith(("%", "!")))
                     for c in nb.cells if c.cell_type == "code")


def _sets(tree: ast.AST) -> list[str]:
    """Places where a variable of NAMES gets a value: ``environ[NAME] = ...``, ``.setdefault(NAME, ...)``,
    ``.setenv/.putenv(NAME, ...)``, ``{NAME: ...}`` and ``dict(..., NAME=...)``.  ``monkeypatch.setenv``
    (one test's temporary value, undone after it) is not the kit setting anything."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr in ("setdefault", "setenv", "putenv")
                    and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in NAMES
                    and not (isinstance(func.value, ast.Name) and func.value.id == "monkeypatch")):
                found.append(f"line {node.lineno}: .{func.attr}({node.args[0].value!r}, ...)")
            found += [f"line {node.lineno}: {kw.arg}=..." for kw in node.keywords if kw.arg in NAMES]
        elif isinstance(node, ast.Dict):
            found += [f"line {node.lineno}: {{{k.value!r}: ...}}" for k in node.keys
                      if isinstance(k, ast.Constant) and k.value in NAMES]
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [f"line {node.lineno}: [{t.slice.value!r}] = ..." for t in targets
                      if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and t.slice.value in NAMES]
    return found


def test_only_course_env_sets_the_kits_variables():
    shell = re.compile(r"(?:^|[\s;(])(?:export\s+)?(" + "|".join(NAMES) + r")=", re.M)
    offenders = []
    for path in _source_files():
        if path in (ROOT / "course_env.py", Path(__file__)):  # the module, and the documented values above
            continue
        rel = path.relative_to(ROOT)
        if path.suffix in (".py", ".ipynb"):
            source = _python_of(path)
            if not any(name in source for name in NAMES):
                continue
            offenders += [f"{rel} {where}" for where in _sets(ast.parse(source))]
        else:
            offenders += [f"{rel}: {m.group(0).strip()}" for m in shell.finditer(path.read_text())]
    assert not offenders, "set outside course_env.py (use course_env.apply/defaults):\n" + "\n".join(offenders)


def test_the_check_above_catches_each_way_of_setting():
    name = course_env.MPL_BACKEND
    for code in (f"os.environ[{name!r}] = 'Agg'", f"os.environ.setdefault({name!r}, 'Agg')",
                 f"env = {{{name!r}: 'Agg'}}", f"env = dict(os.environ, {name}='Agg')", f"os.putenv({name!r}, 'x')"):
        assert _sets(ast.parse(code)), code
    assert not _sets(ast.parse(f"monkeypatch.setenv({name!r}, 'x')"))
    assert not _sets(ast.parse(f"os.environ.get({name!r})"))


def _calls_course_env(path: Path) -> set[str]:
    """The course_env functions ``path`` calls (after importing it)."""
    tree = ast.parse(path.read_text())
    imports = any(isinstance(n, ast.Import) and any(a.name == "course_env" for a in n.names) for n in ast.walk(tree))
    called = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
              and isinstance(n.func.value, ast.Name) and n.func.value.id == "course_env"}
    return called if imports else set()


@pytest.mark.parametrize("path, function", [
    ("course.py", "apply"), ("tests/conftest.py", "apply"), ("benchmarks/__init__.py", "apply"),
    ("experiments/__init__.py", "apply"), ("course_grader/sandbox.py", "defaults"),
    ("course_lib/keras_peer.py", "quiet_tensorflow"),
])
def test_every_launcher_takes_its_environment_from_course_env(path, function):
    assert function in _calls_course_env(ROOT / path), f"{path} does not call course_env.{function}"


@pytest.mark.parametrize("package", ["benchmarks", "experiments"])
def test_importing_the_scripts_package_sets_the_environment_before_numpy(package):
    """``python -m benchmarks.bench_x`` / ``experiments.exp_x`` run the package first: the variables are
    set (BLAS reads its thread count when numpy is first imported), and numpy is not loaded yet."""
    probe = (f"import json, os, sys, {package}; "
             f"print(json.dumps([{list(NAMES)!r}, [os.environ.get(k) for k in {list(NAMES)!r}], "
             "'numpy' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=_without(os.environ),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    names, values, numpy_loaded = json.loads(out.stdout)
    assert dict(zip(names, values)) == {k: course_env.defaults(headless=True).get(k) for k in NAMES}
    assert numpy_loaded is False


@pytest.mark.parametrize("folder, prefix", [("benchmarks", "bench_"), ("experiments", "exp_")])
def test_scripts_are_modules_of_their_package(folder, prefix):
    """Every script imports its siblings through the package and says to run it with ``-m``."""
    scripts = sorted((ROOT / folder).glob(f"{prefix}*.py"))
    assert scripts and (ROOT / folder / "__init__.py").is_file()
    siblings = {p.stem for p in (ROOT / folder).glob("*.py")}
    for path in scripts:
        tree = ast.parse(path.read_text())
        bare = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0
                and n.module in siblings]
        bare += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names if a.name in siblings]
        assert not bare, f"{path.name} imports {bare} by bare name; use from {folder}.<module> import ..."
        usage = ast.get_docstring(tree)
        assert f"python -m {folder}.{path.stem}" in usage, f"{path.name}'s docstring lacks its -m command"
        assert f"{folder}/{path.name}" not in usage


def test_no_sys_path_manipulation_anywhere():
    pattern = re.compile(r"sys\.path\.(insert|append|extend)\(|sys\.path\s*(\+=|=[^=])")
    offenders = [str(p.relative_to(ROOT)) for p in _source_files()
                 if p.suffix in (".py", ".ipynb") and p != Path(__file__) and pattern.search(_python_of(p))]
    assert not offenders, f"sys.path changed in {offenders}"


def test_the_course_sources_sit_beside_the_course_as_the_data_does():
    assert course_env.SHARED_SOURCES == ROOT.parent / "shared" / "course-sources"
    assert course_env.SHARED_SOURCES.parent == course_env.SHARED_DATA.parent
