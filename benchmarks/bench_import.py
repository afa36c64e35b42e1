"""How long does `import course_lib` take, against `import numpy` (its only import)?

Each import runs in a fresh interpreter, many times; the medians are compared.
Target (issue 2): well under 0.5 s, and no TensorFlow or matplotlib imported.

    python3 course.py bench            # all benchmarks
    .venv/bin/python -m benchmarks.bench_import [--repeats N] [--out DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.common import environment_info, finish

PROBE = (
    "import sys, time; t0 = time.perf_counter(); import {module}; t1 = time.perf_counter(); "
    "print(t1 - t0, int(any(m in sys.modules for m in ('tensorflow', 'matplotlib'))))"
)


def time_import(module: str, repeats: int) -> tuple[list[float], bool]:
    times, heavy = [], False
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], capture_output=True, text=True, check=True)
        seconds, heavy_flag = out.stdout.split()
        times.append(float(seconds))
        heavy |= heavy_flag == "1"
    return times, heavy


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 repeats (smoke test)")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else args.repeats

    numpy_times, _ = time_import("numpy", repeats)
    lib_times, heavy = time_import("course_lib", repeats)
    result = {
        "environment": environment_info(),
        "repeats": repeats,
        "import_numpy_median_s": statistics.median(numpy_times),
        "import_course_lib_median_s": statistics.median(lib_times),
        "import_course_lib_max_s": max(lib_times),
        "ratio_course_lib_to_numpy": statistics.median(lib_times) / statistics.median(numpy_times),
        "heavy_modules_imported": heavy,
        "target_s": 0.5,
    }
    md = (
        "# `import course_lib` time\n\n"
        f"Fresh interpreter each time, {repeats} repeats, medians.\n\n"
        "| import | median (s) |\n|---|---|\n"
        f"| numpy (peer) | {result['import_numpy_median_s']:.4f} |\n"
        f"| course_lib | {result['import_course_lib_median_s']:.4f} |\n\n"
        f"course_lib / numpy: {result['ratio_course_lib_to_numpy']:.2f}x; "
        f"slowest course_lib import {result['import_course_lib_max_s']:.4f} s (target: well under 0.5 s); "
        f"TensorFlow or matplotlib imported: {'YES' if heavy else 'no'}.\n"
    )
    finish("import", result, [md], args.out)
    return result


if __name__ == "__main__":
    main()
