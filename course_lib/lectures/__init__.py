"""The lectures' figures: one module per lecture notebook, in notebook order.

=================================  ==========================================================
``l01_gradient_descent``           the sextic's learning-rate slider, the linear rate, exact line search
``l02_numerical_gradients``        difference quotients and their error against the step
``l03_perceptron_to_backprop``     the sigmoid's slope, an MLP's decision boundary epoch by epoch
``l04_stochastic_minibatch_batch`` mini-batch paths, gradient noise, the running loss, schedules
``l05_momentum_adaptive``          the optimizer race, momentum's two forms
``l06_random_search``              random search and ARS against gradient descent
``l07_mnist_from_scratch``         a grid of digits with their labels and predictions
``l08_asgd_dead_units``            aSGD against SGD, seed by seed
``l10_reflect``                    self-checking questions
``interactive``                    ``Interactive``: a figure, its sliders and the redraw between them
``figures``                        static figures (``Plot``), ``Markdown``, the PNG encoder
=================================  ==========================================================

A lecture module holds UI only: every number its figures show is computed by a
public function of ``course_lib``.  ``import course_lib`` does not import this
package (it needs ipywidgets and matplotlib).
"""

LECTURES = ("l01_gradient_descent", "l02_numerical_gradients", "l03_perceptron_to_backprop",
            "l04_stochastic_minibatch_batch", "l05_momentum_adaptive", "l06_random_search", "l07_mnist_from_scratch",
            "l08_asgd_dead_units", "l10_reflect")


def widgets() -> dict:
    """Every lecture's slider figures, name -> function, in notebook order (each module's ``WIDGETS``)."""
    import importlib

    found = {}
    for name in LECTURES:
        module = importlib.import_module(f"{__name__}.{name}")
        found.update((w, getattr(module, w)) for w in module.WIDGETS)
    return found
