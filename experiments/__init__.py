"""The experiments of the course sources, reproduced; run as modules from the repository root.

    python3 course.py experiments [003|004|000] [--quick]     # results to experiments/results/
    .venv/bin/python -m experiments.exp_003_mnist_mlp --quick

Importing this package sets the kit's headless environment first
(``course_env.apply``: one BLAS thread, matplotlib's Agg backend, quiet
TensorFlow, the course's data folder; a value already set is kept), so every
experiment gets it before it imports numpy.
"""

import course_env

course_env.apply(headless=True)
