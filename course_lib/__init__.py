"""descent's reference library: gradients, optimizers and test functions in numpy.

``import course_lib`` is cheap: it imports numpy and the numpy-only modules
below, never TensorFlow or matplotlib (plots and widgets import those when
first used).

Modules
-------
gradcheck      numerical gradients (forward, backward, central) and gradient checks
optim          optimizer update rules and classes (re-exports schedules and line searches)
schedules      learning-rate schedules as functions of the epoch
linesearch     exact line search for quadratics and backtracking
functions      test objectives with value, gradient, Hessian and known minima
random_search  finite-difference random search and Augmented Random Search
nn             multilayer perceptrons: activations, losses, backprop, aSGD's effective gradient
train          the mini-batch training loop, History, early stopping
data           MNIST, Fashion-MNIST and Wine Quality loaders; circles and spirals; batches

Imported on demand (they pull in matplotlib, ipywidgets or TensorFlow):

widgets        the lectures' slider figures (``from course_lib import widgets``)
plots          the lectures' static figures, results tables, digit grids
reflect        source 001's "Reflect..." questions for self-checks and the quiz
keras_peer     the same MLP in Keras, for side-by-side comparisons
grading        compare a student's function with the reference, with teaching feedback
exercise_checks  the hidden tests of the exercises, one function per graded question
nbgrader_hooks   the course's nbgrader preprocessors (feedback without hidden tests, dead kernels)
parallel_autograde  autograding many submissions at once, each in its own sandbox
course_admin   collecting an LMS download; the per-question score report
"""

from . import data, functions, gradcheck, linesearch, nn, optim, random_search, schedules, train

__version__ = "0.1.0"

__all__ = ["data", "functions", "gradcheck", "linesearch", "nn", "optim", "random_search", "schedules", "train",
           "__version__"]
