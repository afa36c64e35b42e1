"""How the lecture tests read a figure.

Each widget's update path (``Interactive.update``) is called as a slider move
would call it; the tests read the data of the figure's lines and its titles and
compare them with closed forms or recursions written out in the test.
"""

import numpy as np


def line_data(line):
    """The x and y data of a matplotlib line, as float arrays."""
    x, y = line.get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
