"""`import course_lib` stays light: numpy only, never TensorFlow or matplotlib.

The time it takes is measured by ``python -m benchmarks.bench_import``, not asserted here.
"""

import json
import subprocess
import sys

HEAVY = ("tensorflow", "keras", "matplotlib", "ipywidgets", "scipy", "torch")


def test_import_course_lib_does_not_import_heavy_packages():
    code = (
        "import sys, json; import course_lib, course_lib.optim, course_lib.gradcheck, "
        "course_lib.functions, course_lib.random_search, course_lib.schedules, course_lib.linesearch, "
        "course_lib.data, course_lib.perceptron, course_lib.keras_peer; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_public_modules_are_documented():
    import course_lib

    for name in course_lib.__all__:
        if name.startswith("__"):
            continue
        module = getattr(course_lib, name)
        assert module.__doc__ and len(module.__doc__.strip()) > 40, f"course_lib.{name} lacks a module docstring"
        for public in getattr(module, "__all__", []):
            obj = getattr(module, public)
            if callable(obj):
                assert obj.__doc__, f"course_lib.{name}.{public} has no docstring"
