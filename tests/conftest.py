"""Shared pytest set-up: quiet TensorFlow, headless matplotlib, one BLAS thread."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


@pytest.fixture
def keras():
    """Keras with floatx float64 (restored afterwards), for float64 comparisons.

    Keras keeps its learning rate in a variable of dtype floatx; float32 would
    round it (see tests/test_optim_keras.py).
    """
    import keras as keras_module
    import tensorflow  # noqa: F401  (the Keras backend)

    old = keras_module.config.floatx()
    keras_module.config.set_floatx("float64")
    try:
        yield keras_module
    finally:
        keras_module.config.set_floatx(old)
