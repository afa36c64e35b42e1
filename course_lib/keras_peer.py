"""The same network in Keras: for lectures and experiments that set course_lib beside TensorFlow.

``import course_lib`` never imports TensorFlow; this module imports it only
when one of its functions is called.

    from course_lib import keras_peer, nn
    net = nn.MLP([784, 300, 100, 100, 10], bias=False, seed=0, dtype=np.float32)
    model = keras_peer.mlp_model(net)        # same layers, activations and current weights
"""

from __future__ import annotations

import os
import sys

__all__ = ["import_keras", "mlp_model", "KERAS_ACTIVATIONS"]

KERAS_ACTIVATIONS = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "identity": "linear",
                     "softmax": "softmax"}


def import_keras():
    """``import keras`` (TensorFlow backend) without TensorFlow's start-up chatter on stderr.

    TensorFlow's C++ layer prints informational lines (oneDNN, CPU
    features) straight to file descriptor 2 before its logging is set up;
    they are hidden here by pointing fd 2 at /dev/null during the import.
    Its later log lines are limited to warnings and errors by the kit's
    ``TF_CPP_MIN_LOG_LEVEL`` (``course_env.quiet_tensorflow``; a level you
    set yourself is kept).  Import errors still raise as usual.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"]
    import course_env  # the kit's environment variables (standard library only)

    course_env.quiet_tensorflow()
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            import keras
            import tensorflow  # noqa: F401  (the backend, loaded now rather than at first use)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    return keras


def mlp_model(net):
    """A ``keras.Sequential`` with ``net``'s layer sizes, activations, bias setting and current weights.

    Dense layers take ``W`` of shape (inputs, outputs) and ``b`` of shape
    (outputs,), the layout of ``course_lib.nn.MLP.params``, so the weights
    are copied as they are.  The model is not compiled.
    """
    keras = import_keras()
    hidden, output = net.hidden, net.output
    for name in (hidden, output):
        if name not in KERAS_ACTIVATIONS:
            raise ValueError(f"activation {name!r} has no Keras equivalent here; "
                             f"expected one of {sorted(KERAS_ACTIVATIONS)}")
    slope = getattr(net, "slope", 1.0)
    if slope != 1.0 and "sigmoid" in (hidden, output):
        raise ValueError(f"net uses a sigmoid of slope {slope}; Keras' sigmoid has slope 1 "
                         f"(build the MLP with slope=1.0 to compare)")
    sizes = net.sizes
    layers = [keras.Input((sizes[0],), dtype=str(net.dtype))]
    for k, width in enumerate(sizes[1:]):
        act = output if k == len(sizes) - 2 else hidden
        layers.append(keras.layers.Dense(width, activation=KERAS_ACTIVATIONS[act], use_bias=net.bias,
                                         dtype=str(net.dtype)))
    model = keras.Sequential(layers)
    model.set_weights([p.copy() for p in net.params])
    return model
