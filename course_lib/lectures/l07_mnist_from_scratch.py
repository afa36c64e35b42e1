"""Lecture 7, MNIST from scratch: the digits a network gets right and wrong."""

from __future__ import annotations

import numpy as np

from .figures import Plot, figure

__all__ = ["digits"]
WIDGETS = ()  # the slider figures, in the notebook's order


def digits(images, labels, predicted=None, n: int = 16, title: str = "") -> Plot:
    """A grid of 28x28 images with their labels (and the prediction, in red when wrong).

    ``images`` of shape (k, 28, 28) or (k, 784); shows the first ``n``.
    data: ``shown`` (the indices drawn).
    """
    images = np.asarray(images)
    k = min(n, len(images))
    cols = min(8, k) if k else 1
    rows = max(1, -(-k // cols))  # ceiling division
    fig, axes = figure(1.25 * cols, 1.45 * rows + (0.3 if title else 0), ncols=cols, nrows=rows)
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= k:
            continue
        ax.imshow(images[i].reshape(28, 28), cmap="gray_r")
        if predicted is None:
            ax.set_title(f"{labels[i]}", fontsize=10)
        else:
            wrong = predicted[i] != labels[i]
            ax.set_title(f"{labels[i]} → {predicted[i]}", fontsize=10, color="C3" if wrong else "k")
    if title:
        fig.suptitle(title)
    return Plot(fig, {"shown": np.arange(k)})
