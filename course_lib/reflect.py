"""Source 001's "Reflect..." questions, with explanations, for lecture 10's self-checks.

``QUESTIONS`` is a list of ``Question`` in the slides' order (slides
42-44).  Where the slides' answer key is arguable, the kit accepts every
defensible option and says why:

* "What is Gradient Descent used for?" -- the key says only B (regression);
  training an image classifier (D) is gradient descent just as much.
* "In Gradient Descent, what does the 'gradient' represent?" -- the key says
  B (the rate of change); A (the direction of steepest ascent) is the other
  half of the same fact and is accepted too.
* "Which technique is often used to mitigate ... oscillations around the
  minimum?" -- the key says D (momentum); A (decaying the learning rate) is
  the other standard remedy (the same slides recommend it on slide 40).

Plain data: importing this module imports nothing beyond the standard library
(lecture 10 shows the questions with ``course_lib.lectures.l10_reflect.self_check``).
"""

from __future__ import annotations

import numbers

__all__ = ["Question", "QUESTIONS", "SLIDE_KEY"]


class Question:
    """A multiple-choice question that says right or wrong, and why.

    Parameters
    ----------
    text : str
    options : list of str
    answer : int or collection of int
        Index (or indices, when more than one option is right) of the right option(s).
    why : str
        The explanation shown after any check.
    hints : dict of int -> str, optional
        What to say for particular wrong options.
    """

    def __init__(self, text: str, options, answer, why: str, hints: dict | None = None):
        self.text, self.options = text, list(options)
        answers = (answer,) if isinstance(answer, numbers.Integral) else tuple(answer)
        if not answers or any(not isinstance(a, numbers.Integral) or not 0 <= a < len(self.options)
                              for a in answers):
            raise ValueError(f"answer must index one of the {len(self.options)} options (or be a collection "
                             f"of such indices); got {answer!r}")
        self.answers = frozenset(int(a) for a in answers)
        self.why, self.hints = why, dict(hints or {})

    @property
    def answer(self) -> int:
        """The first right option (the only one for most questions)."""
        return min(self.answers)

    def check(self, choice) -> tuple[bool, str]:
        """(right?, feedback) for the option index ``choice`` (None: nothing chosen)."""
        if choice is None:
            return False, "Choose an option first."
        if choice in self.answers:
            return True, f"Right. {self.why}"
        hint = self.hints.get(choice, "")
        return False, f"Not quite. {hint + ' ' if hint else ''}{self.why}"


def _questions():
    return [
        Question(
            "What is Gradient Descent used for?",
            ["Clustering", "Regression", "Dimensionality reduction", "Image classification"],
            (1, 3),
            "Gradient descent minimises a differentiable loss, so it fits regression models and trains "
            "classifiers alike (the slides' key names only regression). Clustering with k-means and PCA "
            "have their own algorithms.",
            hints={0: "k-means alternates assignments and means; no gradient step.",
                   2: "PCA is solved by an eigen- or singular-value decomposition."},
        ),
        Question(
            "Which of the following best describes Gradient Descent?",
            ["An optimization algorithm used to minimize a function by iteratively moving in the direction "
             "of steepest descent", "An algorithm for finding the maximum of a function",
             "A clustering algorithm based on distance between data points",
             "A classification algorithm for non-linearly separable data"],
            0,
            "It repeats w <- w - lr * grad f(w): each step moves against the gradient, the direction of "
            "steepest descent. (Moving along +grad, gradient ascent, would find a maximum.)",
        ),
        Question(
            "In Gradient Descent, what does the \"gradient\" represent?",
            ["The direction of steepest ascent of the function", "The rate of change of the function at a point",
             "The distance between data points", "The probability of occurrence of a data point"],
            (0, 1),
            "The gradient is the vector of partial derivatives: its direction is that of steepest ascent and "
            "its length the rate of change in that direction. The slides' key says B; A is the same fact "
            "seen from the other side, which is why descent steps along -grad.",
        ),
        Question(
            "What is the role of the learning rate in Gradient Descent?",
            ["It determines the number of iterations", "It specifies the initial position of the algorithm",
             "It controls the size of the steps taken during optimization", "It sets the threshold for convergence"],
            2,
            "The step is lr times the gradient. Too small crawls; above 2 / (largest curvature) the iterates "
            "overshoot and diverge (lecture 1).",
        ),
        Question(
            "Which variant of Gradient Descent updates the parameters after evaluating the gradient over the "
            "entire dataset?",
            ["Stochastic Gradient Descent (SGD)", "Mini-batch Gradient Descent", "Batch Gradient Descent",
             "Momentum-based Gradient Descent"],
            2,
            "Batch gradient descent uses all samples per step (one step per epoch); SGD uses one sample, "
            "mini-batch a few. Momentum is about how steps are combined, not how many samples they use.",
        ),
        Question(
            "Which statement best describes the trade-offs between different variants of Gradient Descent?",
            ["Batch Gradient Descent is faster than Stochastic Gradient Descent",
             "Stochastic Gradient Descent guarantees convergence to the global minimum",
             "Mini-batch Gradient Descent balances the efficiency of batch GD and the stochastic nature of SGD",
             "Momentum-based Gradient Descent is less prone to getting stuck in local minima"],
            2,
            "A mini-batch gradient is a cheaper, noisier estimate of the full one (its variance falls like "
            "1/B, lecture 4), and batches use vectorised hardware well. Nothing guarantees a global minimum "
            "for a non-convex loss.",
            hints={0: "Per step it is exact, but each step costs a full pass over the data.",
                   3: "Momentum can roll through small bumps, but that is not a trade-off between the variants "
                      "and carries no guarantee."},
        ),
        Question(
            "What is a potential issue with a high learning rate in Gradient Descent?",
            ["Slow convergence", "Overshooting the minimum", "Premature convergence to a local minimum",
             "Increased computational complexity"],
            1,
            "With lr > 2 / f''(x*) each step jumps past the minimum by more than it started from: the "
            "iterates oscillate and grow (or settle into a cycle, lecture 1). Slow convergence is the "
            "problem of a small learning rate.",
        ),
        Question(
            "Which of the following statements is true regarding the convergence of Gradient Descent?",
            ["Gradient Descent always converges to the global minimum",
             "Gradient Descent may converge to a local minimum depending on the initialization and learning rate",
             "Gradient Descent always converges, regardless of the function being optimized",
             "Gradient Descent converges faster with a smaller number of iterations"],
            1,
            "On the sextic of lecture 1, starting left of the hump ends in the local minimum at x = 2.10, "
            "right of it in the global one at x = 20.52; too large a step does not converge at all.",
        ),
        Question(
            "Which technique is often used to mitigate the issue of oscillations around the minimum in "
            "Gradient Descent?",
            ["Decreasing the learning rate over time", "Increasing the learning rate over time",
             "Using a larger batch size", "Adding momentum to the updates"],
            (0, 3),
            "Momentum averages successive gradients, so the components that flip sign across a ravine cancel "
            "while the consistent ones add up (lecture 5); the slides' key says D. Decaying the learning "
            "rate (slide 40) also damps the oscillation of SGD around the minimum.",
            hints={2: "A larger batch reduces the noise of SGD, not the zig-zag of a ravine, which happens "
                      "with the exact gradient too."},
        ),
        Question(
            "Which of the following is NOT a common variant of Gradient Descent?",
            ["Adagrad", "K-means", "RMSprop", "Adam"],
            1,
            "AdaGrad, RMSProp and Adam scale each coordinate's gradient step (lecture 5); k-means is a "
            "clustering algorithm.",
        ),
    ]


QUESTIONS = _questions()

SLIDE_KEY = (1, 0, 1, 2, 2, 2, 1, 1, 3, 1)
"""The answer key as printed on source 001's slides (0-based option index per question)."""
