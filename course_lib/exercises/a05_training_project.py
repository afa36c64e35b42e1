"""Assignment 5, the training project: the check of one SGD epoch, and the trained
network's MNIST test accuracy and training time.

Each check runs the student's function against the ``course_lib`` reference on
seeded random inputs through ``engine.check_function`` and names the likely
mistake (see ``course_lib.exercises``).
"""

from __future__ import annotations

import numpy as np

from .. import optim
from ..data import flatten_images, load_mnist
from ..train import batches_of
from . import engine
from .engine import GradingError, case_rng, network_from, reached


# builds the network next to the student's function (in their kernel, when graded) and returns plain data
_EPOCH_ADAPTER = """
def adapter(fn, X, y, lr, bs, order, seed):
    from course_lib import nn
    net = nn.MLP([3, 5, 3], seed=seed)
    loss = fn(net, X.copy(), y.copy(), lr, bs, order.copy())
    return (np.asarray(loss, dtype=float), *[p.copy() for p in net.params])
"""


def sgd_epoch(student, seed=None) -> int:
    """``sgd_epoch(net, X, y, lr, batch_size, order)``: one epoch of mini-batch SGD over ``order``, in place.

    Batches are consecutive slices of ``order`` (the last may be smaller); each
    step is ``p -= lr * g`` for every parameter with the batch's mean gradient
    (``net.loss_and_grads``).  Returns the mean of the batch losses.
    """
    rng = case_rng(seed, 27)
    cases = []
    for n, bs in ((20, 5), (23, 8), (7, 7), (9, 1)):
        X, y = rng.normal(size=(n, 3)), rng.integers(0, 3, size=n)
        cases.append((X, y, 0.1, bs, rng.permutation(n), int(rng.integers(1000))))

    def reference_epoch(net, X, y, lr, bs, order, reduction="mean"):
        sgd = optim.SGD(lr)
        losses = []
        for idx in batches_of(order, bs):  # the batching rule of course_lib.train
            loss, grads = net.loss_and_grads(X[idx], y[idx], reduction=reduction)
            sgd.step(net.params, grads)    # p - lr g, in place
            losses.append(loss)
        return float(np.mean(losses))

    def summed_epoch(net, X, y, lr, bs, order):
        return reference_epoch(net, X, y, lr, bs, order, reduction="sum")

    def drops_last(net, X, y, lr, bs, order):
        full = len(order) - len(order) % bs
        return reference_epoch(net, X, y, lr, bs, order[:full]) if full else float("nan")

    def wrap(fn):
        return engine.adapt(fn, _EPOCH_ADAPTER)

    return engine.check_function(wrap(student), wrap(reference_epoch), [(c, {}) for c in cases], name="sgd_epoch",
                                  rtol=1e-9, atol=1e-12, allow=("course_lib.nn.loss_and_grads",), variants={
        "each step uses the batch's MEAN gradient; this looks like the sum over the batch": wrap(summed_epoch),
        "the last, smaller batch is skipped; every sample must be used once per epoch": wrap(drops_last)})


def project_result(net, seconds, accuracy: float = 0.95, time_limit: float = 120.0) -> int:
    """The network reaches ``accuracy`` on MNIST's 10,000 test images, trained within ``time_limit`` seconds.

    The test accuracy is computed here, from the network's parameters, on the
    test images scaled to [0, 1] (``data.flatten_images``).  ``seconds`` is a
    number or a function giving it, read after the network is fetched: the
    grader passes its own clock of the kernel's time (the cells before the
    test, loading and training included, and the fetching itself, so a network
    that trains while it is read is timed too).
    """
    model = network_from(net)
    try:
        sec = float(seconds() if callable(seconds) else seconds)
    except (TypeError, ValueError):
        raise GradingError("seconds must be a number") from None
    if not 0 < sec <= time_limit:
        raise GradingError(f"training took {sec:.0f} s; the project asks for at most {time_limit:.0f} s.")
    _, (X_img, y_test) = load_mnist()
    X_test = flatten_images(X_img, dtype=np.float64)
    return reached(model.accuracy(X_test, y_test), accuracy, "the test accuracy",
                    "Try more epochs or training images, or a larger learning rate.")
