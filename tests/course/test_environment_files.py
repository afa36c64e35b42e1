"""environment.yml (conda) and pyproject.toml (pip) must ask for the same packages; pyproject installs every
package and module of the kit."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]

# Same library, different distribution names: pip's CPU-only wheel of TensorFlow
# is called tensorflow-cpu, conda-forge's package is tensorflow; pip's self-contained
# psycopg2-binary wheel is conda-forge's psycopg2.
ALIASES = {"tensorflow-cpu": "tensorflow", "psycopg2-binary": "psycopg2"}


def _canonical(name: str) -> str:
    name = re.sub(r"[-_.]+", "-", name).lower()
    return ALIASES.get(name, name)


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = {}
    for line in project["dependencies"] + project["optional-dependencies"]["course"]:
        req = Requirement(line)
        name, spec = _canonical(req.name), str(req.specifier)
        # tensorflow appears twice, under complementary platform markers; both
        # lines must ask for the same versions.
        assert reqs.get(name, spec) == spec, f"{name}: {reqs[name]} vs {spec} in pyproject.toml"
        reqs[name] = spec
    return reqs


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    reqs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: section installs course_lib itself
            assert dep == {"pip": ["--editable ."]}, f"unexpected pip section {dep}"
            continue
        req = Requirement(dep.replace(" ", ""))
        if req.name in ("python", "pip"):
            continue
        reqs[_canonical(req.name)] = str(req.specifier)
    return reqs


def test_environment_yml_and_pyproject_list_the_same_packages():
    pip_side, conda_side = pyproject_requirements(), environment_requirements()
    assert set(pip_side) == set(conda_side), (
        f"only in pyproject: {sorted(set(pip_side) - set(conda_side))}; "
        f"only in environment.yml: {sorted(set(conda_side) - set(pip_side))}"
    )
    for name in pip_side:
        assert pip_side[name] == conda_side[name], f"{name}: pyproject {pip_side[name]} vs environment.yml {conda_side[name]}"


def test_python_version_floor_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pythons = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert pythons == ["python" + project["requires-python"]]


def test_installed_environment_satisfies_pyproject():
    """The running environment really has what pyproject asks for."""
    from importlib.metadata import PackageNotFoundError, version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"] + project["optional-dependencies"]["course"]:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            raise AssertionError(f"{req.name} is required by pyproject.toml but not installed") from None
        assert req.specifier.contains(installed, prereleases=True), f"{req.name} {installed} does not satisfy {req.specifier}"


def test_pyproject_installs_every_package_and_course_env():
    """A regular (not editable) install copies only the packages named in pyproject: all of them must be there,
    and course_env (the kit's environment variables, imported by course_grader and keras_peer)."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {".".join(p.parent.relative_to(ROOT).parts) for top in ("course_lib", "course_grader")
                for p in (ROOT / top).rglob("__init__.py")}
    assert set(setuptools["packages"]) == packages
    assert setuptools["py-modules"] == ["course_env"]


def test_course_py_rejects_unknown_command():
    out = subprocess.run([sys.executable, str(ROOT / "course.py"), "teach"], capture_output=True, text=True)
    assert out.returncode != 0
    assert "lab, test, bench" in out.stderr and "'teach'" in out.stderr


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    commands = [ln for ln in first_block.splitlines()[1:] if ln.strip() and not ln.lstrip().startswith("#")]
    assert [c.split("#")[0].strip() for c in commands] == ["python3 course.py lab", "python3 course.py test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 course.py test" in ci
