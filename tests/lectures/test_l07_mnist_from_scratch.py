"""Lecture 7's digit grid: the images drawn, their labels, and the wrong predictions in red."""

import numpy as np

from course_lib.lectures import l07_mnist_from_scratch as lecture


def test_digits_draws_a_grid_of_eight_columns_with_labels_and_wrong_predictions_in_red():
    images = np.zeros((11, 784))
    labels = np.arange(11) % 10
    predicted = labels.copy()
    predicted[3] = 9  # one wrong
    plot = lecture.digits(images, labels, predicted, n=10, title="t")
    axes = plot.fig.get_axes()
    assert len(axes) == 16  # 10 shown in rows of 8: two rows
    assert plot.data["shown"].tolist() == list(range(10))
    assert [ax.get_title() for ax in axes[:4]] == ["0 → 0", "1 → 1", "2 → 2", "3 → 9"]
    assert axes[3].title.get_color() == "C3" and axes[2].title.get_color() == "k"
    assert all(not ax.get_images() for ax in axes[10:])  # the rest of the grid stays empty
    assert len(lecture.digits(images[:3], labels[:3]).fig.get_axes()) == 3
