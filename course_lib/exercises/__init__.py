"""The exercises' checks, open to students for practice: one module per assignment, in assignment order.

=============================  ==============================================================
``a01_numerical_gradients``    forward, backward and central differences, relative error, a gradient check
``a02_backprop``               activations, a dense layer's backward pass, softmax cross-entropy, an MLP
``a03_optimizers``             momentum (both forms), Nesterov, AdaGrad, RMSProp, Adam, Rprop, schedules
``a04_random_search``          the finite-difference step, random search, ARS, the perceptron's weights
``a05_training_project``       one SGD epoch; the trained network's accuracy and time
``a06_quiz``                   the graded quiz's questions (no answer key) and the check of an answer
``a07_gradient_descent``       a gradient-descent path, the largest stable step, exact and backtracking line search
``a08_minibatch_schedules``    an epoch's batches, the mini-batch gradient, mini-batch SGD, running loss, schedules
``a09_asgd_dead_units``        dead and always-on units, aSGD's counts and mean effective gradient, an aSGD step
``a10_practical_issues``       inverted dropout, batch normalisation, the L2 step, He initialisation
``engine``                     ``check_function``: a student's function against the reference
=============================  ==============================================================

Each check runs the student's function against the ``course_lib`` reference on
seeded random inputs (several shapes and scales, and the edge cases that catch
the usual mistakes) through ``engine.check_function``, which raises an
``AssertionError`` with the feedback the student reads.  Reference and wrong
variants are written next to each other, so the likely mistakes are named
("you divided by h instead of 2h").

A student calls a check in their own kernel to practise::

    from course_lib.exercises import a01_numerical_gradients as checks
    checks.central_difference(central_difference)

which draws the practice inputs (fixed seeds).  The grader calls the *same*
check in its own process (``course_grader``), with the student's function a
proxy into the sandboxed kernel and ``seed=`` drawn from the instructor's
secret and the student's id (the hidden tests of ``solutions/``): other inputs,
the same feedback.  Checks of a trained network take the network's parameters
(fetched as arrays) and evaluate them on data of their own.

``import course_lib`` does not import this package; its modules import numpy, the standard
library and the course_lib modules they check against or validate with (never ipywidgets,
matplotlib or TensorFlow).
"""
