"""The hidden tests: correct student code passes, each classic mistake fails and is named.

The student functions here are written out by hand (not taken from course_lib),
as a student would write them.
"""

import pytest

from course_lib.exercises import a05_training_project as checks
from course_lib.exercises.engine import GradingError


def test_training_project_checks():
    def epoch(net, X, y, lr, bs, order, reduction="mean"):
        losses = []
        for start in range(0, len(order), bs):
            idx = order[start:start + bs]
            loss, grads = net.loss_and_grads(X[idx], y[idx], reduction=reduction)
            for p, g in zip(net.params, grads):
                p[...] = p - lr * g
            losses.append(loss)
        return sum(losses) / len(losses)

    assert checks.sgd_epoch(epoch) == 4
    with pytest.raises(GradingError, match="the last, smaller batch is skipped"):
        checks.sgd_epoch(lambda net, X, y, lr, bs, order: epoch(net, X, y, lr, bs, order[:len(order) - len(order) % bs]))
    with pytest.raises(GradingError, match="the batch's MEAN gradient; this looks like the sum over the batch"):
        checks.sgd_epoch(lambda net, X, y, lr, bs, order: epoch(net, X, y, lr, bs, order, reduction="sum"))
    from course_lib import nn

    untrained = nn.MLP([784, 16, 10], seed=0)
    with pytest.raises(GradingError, match=r"the test accuracy is \d+\.\d%; at least 95% is expected"):
        checks.project_result(untrained, 50)
    with pytest.raises(GradingError, match="took 200 s"):
        checks.project_result(untrained, 200)


def test_project_accuracy_is_measured_on_pixels_scaled_to_0_1():
    """A one-layer network that says 0 when the image's pixels, scaled to [0, 1], sum past a threshold
    and 1 otherwise: its accuracy, worked out here from the raw images, is what the check measures."""
    import numpy as np

    from course_lib import data, nn

    _, (X_img, y) = data.load_mnist()
    ink = X_img.reshape(len(X_img), -1).sum(axis=1, dtype=np.int64)  # sum of the raw pixels, 0..255 each
    cut = int(np.median(ink)) + 0.5  # between two integer sums: no image lies on it
    expected = float(np.mean(np.where(ink > cut, 0, 1) == y))
    net = nn.MLP([784, 10], seed=0)
    W, b = net.params
    W[...] = 0.0
    W[:, 0] = 1.0           # logit 0: sum of the scaled pixels = ink / 255
    b[...] = -1e3
    b[0], b[1] = 0.0, cut / 255  # logit 1: the threshold, in the same scale
    assert checks.project_result(net, 50, accuracy=expected) == 1
    with pytest.raises(GradingError, match=rf"the test accuracy is {100 * expected:.1f}%; at least 100%"):
        checks.project_result(net, 50, accuracy=1.0)
