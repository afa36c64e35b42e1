"""The lectures' figures: one module per lecture notebook, in notebook order.

=================================  ==========================================================
``l01_gradient_descent``           the sextic's learning-rate slider, source 000's convexity and rates, line searches
``l02_numerical_gradients``        difference quotients and their error against the step
``l03_perceptron_to_backprop``     the sigmoid's slope, an MLP's decision boundary epoch by epoch
``l04_stochastic_minibatch_batch`` mini-batch paths, gradient noise, the running loss, schedules, wine, learning curves
``l05_momentum_adaptive``          momentum's two forms, Goh's eigenvector errors and phase diagram, the race
``l06_random_search``              random search and ARS against gradient descent
``l07_mnist_from_scratch``         digits, learning curves, the runs per epoch, Table 2's linear scaling
``l08_asgd_dead_units``            aSGD against SGD, seed by seed, with learning curves
``l09_practical_issues``           initialisation, vanishing gradients, L2, dropout, early stopping, batch norm
``l10_reflect``                    self-checking questions
``interactive``                    ``Interactive``: a figure, its sliders and the redraw between them
``figures``                        static figures (``Plot``), ``Markdown``, ``reveal``, the PNG encoder
=================================  ==========================================================

A lecture module holds UI only: every number its figures show is computed by a
public function of ``course_lib``.  ``import course_lib`` does not import this
package (it needs ipywidgets and matplotlib).
"""

LECTURES = ("l01_gradient_descent", "l02_numerical_gradients", "l03_perceptron_to_backprop",
            "l04_stochastic_minibatch_batch", "l05_momentum_adaptive", "l06_random_search", "l07_mnist_from_scratch",
            "l08_asgd_dead_units", "l09_practical_issues", "l10_reflect")


def widgets() -> dict:
    """Every lecture's slider figures, name -> function, in notebook order (each module's ``WIDGETS``)."""
    import importlib

    found = {}
    for name in LECTURES:
        module = importlib.import_module(f"{__name__}.{name}")
        found.update((w, getattr(module, w)) for w in module.WIDGETS)
    return found
