"""course_lib.keras_peer builds the same network in Keras: same outputs for the same weights."""

import numpy as np
import pytest

from course_lib import keras_peer, nn

pytestmark = pytest.mark.tensorflow


@pytest.mark.parametrize("hidden, output, bias", [("relu", "softmax", False), ("tanh", "sigmoid", True),
                                                  ("sigmoid", "identity", True)])
def test_same_outputs_as_course_lib(hidden, output, bias):
    net = nn.MLP([5, 7, 4, 3], hidden=hidden, output=output, bias=bias, seed=3)
    model = keras_peer.mlp_model(net)
    X = np.random.default_rng(0).normal(size=(11, 5))
    np.testing.assert_allclose(np.asarray(model(X)), net.forward(X), rtol=1e-12, atol=1e-14)
    assert model.layers[0].use_bias is bias


def test_import_keras_is_quiet():
    import os
    import subprocess
    import sys

    import course_env

    var = course_env.TF_LOG_LEVEL
    env = {k: v for k, v in os.environ.items() if k != var}
    code = ("import os; from course_lib import keras_peer; k = keras_peer.import_keras(); "
            f"print(k.__name__, os.environ[{var!r}])")
    loud = subprocess.run([sys.executable, "-c", "import keras"], env=env, capture_output=True, text=True)
    quiet = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    # the kit's level (course_env: warnings and errors only) is set for TensorFlow's later log lines
    assert quiet.stdout.split() == ["keras", course_env.defaults(headless=False)[var]]
    assert quiet.stderr == "", quiet.stderr
    assert loud.stderr != ""  # what the plain import prints (so the test above means something)
    # a level the user set is kept
    mine = subprocess.run([sys.executable, "-c", code], env={**env, var: "1"}, capture_output=True, text=True)
    assert mine.stdout.split() == ["keras", "1"]


def test_a_sigmoid_slope_keras_lacks_is_refused():
    net = nn.MLP([2, 3, 1], hidden="sigmoid", output="sigmoid", slope=2.0)
    with pytest.raises(ValueError, match="slope 2.0"):
        keras_peer.mlp_model(net)
