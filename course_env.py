"""The process environment the kit sets for its own runs: the one place its variables are set.

Every run the kit starts takes its variables from here: ``course.py`` (lab,
test, bench, experiments, grade), the test suite (``tests/conftest.py``), the
benchmarks and the experiments (importing the ``benchmarks`` or
``experiments`` package applies them, before any numpy import), the grading
sandbox's kernels (``course_grader.sandbox``) and ``course_lib.keras_peer``'s
quiet TensorFlow import.  ``apply`` only fills in what is missing: a value
you set yourself is kept (``OPENBLAS_NUM_THREADS=2 python3 course.py bench``
measures two threads).

The variables
-------------
``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` = 1
    One BLAS thread, whichever BLAS numpy links (OpenBLAS, an OpenMP build,
    Intel MKL).  The course's matrices are small (a 784-300-100-100-10
    network, batches of 10 to 1000) and the course machine has 2 cores:
    there, multi-threaded OpenBLAS was measured 2-22x slower than one thread
    (thread start-up and contention dominate), and the parallel autograder
    runs 2 workers per core, each with its own kernel, which would otherwise
    fight over the same cores.  BLAS reads these once, when numpy is first
    imported, so they are set before that; ``benchmarks.bench_train`` raises
    the count with threadpoolctl where it measures more threads.
``TF_CPP_MIN_LOG_LEVEL`` = 2
    TensorFlow's C++ layer logs warnings and errors only, not its
    informational start-up lines (oneDNN, CPU features).  TensorFlow is the
    independent oracle of the tests and the peer in the benchmarks, the
    experiments and lecture 7; it reads the variable when it is imported.
``MPLBACKEND`` = Agg, in headless runs only
    matplotlib draws into memory, without a display: the tests, benchmarks,
    experiments and the grading kernels.  Never for ``course.py lab`` (nor
    ``grade``, whose kernels' figures go into the feedback): ipykernel
    chooses the inline backend only when ``MPLBACKEND`` is unset, so Agg
    would hide every figure in JupyterLab.
``COURSE_DATA_DIR`` = the folder ``shared/data`` beside the course, when it exists
    Where ``course_lib.data``'s loaders look first for MNIST, Fashion-MNIST
    and Wine Quality: the course's own copy of the data sets.  When that
    folder does not exist the variable stays unset, and the loaders go on to
    the Keras cache and a download (and then say where to put the files).

Only the standard library is used, and nothing of ``course_lib``:
``course.py`` imports this module from its own folder under the system
``python3``, before the virtual environment (and numpy) exists.  The
course's installation (``pyproject.toml``) installs it as a top-level
module, so every Python of the course's environment finds it too.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

__all__ = ["BLAS_THREADS", "TF_LOG_LEVEL", "MPL_BACKEND", "DATA_DIR", "SHARED_DATA", "SHARED_SOURCES",
           "defaults", "apply", "quiet_tensorflow"]

ROOT = Path(__file__).resolve().parent
SHARED_DATA = ROOT.parent / "shared" / "data"
SHARED_SOURCES = ROOT.parent / "shared" / "course-sources"  # the course sources, beside the course as the data

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
TF_LOG_LEVEL = "TF_CPP_MIN_LOG_LEVEL"
MPL_BACKEND = "MPLBACKEND"
DATA_DIR = "COURSE_DATA_DIR"


def defaults(*, headless: bool, data_dir: str | os.PathLike | None = SHARED_DATA) -> dict[str, str]:
    """The kit's variables and their values (see the module docstring).

    ``headless`` adds ``MPLBACKEND=Agg``.  ``data_dir`` becomes
    ``COURSE_DATA_DIR`` when it is an existing folder (default: the course's
    ``../shared/data``); ``None`` or a missing folder leaves it out.
    """
    if not isinstance(headless, bool):
        raise TypeError(f"headless must be True or False; got {headless!r}")
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be a path or None; got {type(data_dir).__name__} {data_dir!r}")
    env = {var: "1" for var in BLAS_THREADS}
    env[TF_LOG_LEVEL] = "2"
    if headless:
        env[MPL_BACKEND] = "Agg"
    if data_dir is not None and os.path.isdir(data_dir):
        env[DATA_DIR] = os.fspath(data_dir)
    return env


def apply(environ: MutableMapping[str, str] | None = None, *, headless: bool,
          data_dir: str | os.PathLike | None = SHARED_DATA) -> MutableMapping[str, str]:
    """Set every variable of ``defaults(...)`` that ``environ`` lacks; return ``environ``.

    ``environ`` defaults to ``os.environ`` (this process and its children);
    pass a dict to build a child's environment.  Values already there are
    kept; an empty value counts as unset (as the shell's ``${VAR:-default}``),
    so ``COURSE_DATA_DIR= python3 course.py test`` still finds the data.
    """
    if environ is None:
        environ = os.environ
    if not isinstance(environ, MutableMapping):
        raise TypeError(f"environ must be a mutable mapping such as os.environ or a dict; "
                        f"got {type(environ).__name__}")
    for var, value in defaults(headless=headless, data_dir=data_dir).items():
        if not environ.get(var):
            environ[var] = value
    return environ


def quiet_tensorflow(environ: MutableMapping[str, str] | None = None) -> MutableMapping[str, str]:
    """Only ``TF_CPP_MIN_LOG_LEVEL``, for a process that imports TensorFlow after numpy is loaded.

    Setting the BLAS threads there would be too late to matter (and would
    mislead what the process records), so nothing else is touched.
    """
    if environ is None:
        environ = os.environ
    if not environ.get(TF_LOG_LEVEL):
        environ[TF_LOG_LEVEL] = defaults(headless=False, data_dir=None)[TF_LOG_LEVEL]
    return environ
