"""Shared pytest set-up: the kit's headless environment (course_env), Keras in float64, bubblewrap."""

import os

import pytest

import course_env

course_env.apply(headless=True)  # before any test module imports numpy: one BLAS thread, Agg, quiet TF, the data


@pytest.fixture
def keras():
    """Keras with floatx float64 (restored afterwards), for float64 comparisons.

    Keras keeps its learning rate in a variable of dtype floatx; float32 would
    round it (see tests/lib/test_optim_keras.py).
    """
    import keras as keras_module
    import tensorflow  # noqa: F401  (the Keras backend)

    old = keras_module.config.floatx()
    keras_module.config.set_floatx("float64")
    try:
        yield keras_module
    finally:
        keras_module.config.set_floatx(old)


def require_bubblewrap():
    """Autograding runs every kernel in bubblewrap: skip without it on a developer's machine, fail in CI."""
    import shutil

    if shutil.which("bwrap") is None:
        msg = ("Debian's bubblewrap package is not installed (apt-get install bubblewrap; .ci/run does this in CI): "
               "autograding runs every kernel in its sandbox")
        if os.environ.get("DESCENT_CI"):
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="session")
def bubblewrap():
    require_bubblewrap()
