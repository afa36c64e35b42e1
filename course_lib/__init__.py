"""descent's reference library: gradients, optimizers and test functions in numpy.

``import course_lib`` is cheap: it imports numpy and the numpy-only modules
below, never TensorFlow or matplotlib (the lectures import those when
first used).

Modules
-------
gradcheck      numerical gradients (forward, backward, central) and gradient checks
optim          optimizer update rules, classes and their registry OPTIMIZERS
momentum_theory  Goh (2017)'s momentum on a quadratic: error per eigenvector, (alpha, beta) phase diagram,
               optimal tuning
schedules      learning-rate schedules as functions of the epoch
linesearch     exact line search for quadratics and backtracking
functions      test objectives with value, gradient, Hessian and known minima
random_search  finite-difference random search and Augmented Random Search
perceptron     the slides' sigmoid perceptron and its separable data
nn             multilayer perceptrons: activations, losses, backprop, aSGD's effective gradient
train          the mini-batch training loop, History, early stopping
batched        many networks of one architecture trained at once, each exactly as train trains it alone
data           MNIST, Fashion-MNIST and Wine Quality loaders; circles and spirals; splits, standardising

validation     the validation of arguments every public function makes at its boundary

Imported on demand (they pull in matplotlib, ipywidgets or TensorFlow, or are
for one audience):

lectures       the lectures' figures, one module per lecture (``course_lib.lectures.l01_gradient_descent`` ...)
exercises      the assignments' open checks, one module per assignment, and their engine ``check_function``;
               the grader (the separate package ``course_grader``) runs the same checks on its own inputs
reflect        source 001's "Reflect..." questions (plain data) for lecture 10's self-checks
keras_peer     the same MLP in Keras, for side-by-side comparisons
"""

from . import (batched, data, functions, gradcheck, linesearch, momentum_theory, nn, optim, perceptron,
               random_search, schedules, train)

__version__ = "0.1.0"

__all__ = ["batched", "data", "functions", "gradcheck", "linesearch", "momentum_theory", "nn", "optim", "perceptron",
           "random_search", "schedules", "train", "__version__"]
