"""The kit's benchmarks, run as modules from the repository root.

    python3 course.py bench                               # all of them, results to benchmarks/results/
    .venv/bin/python -m benchmarks.bench_train --quick    # one of them

Importing this package sets the kit's headless environment first
(``course_env.apply``: one BLAS thread, matplotlib's Agg backend, quiet
TensorFlow, the course's data folder; a value already set is kept), so every
benchmark gets it before it imports numpy.
"""

import course_env

course_env.apply(headless=True)
