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
