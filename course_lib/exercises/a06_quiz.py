"""The graded quiz's questions (assignment 6), written from the course sources; no answer key here.

The answer key lives only in the instructor's source assignment
(``solutions/06_quiz``, its hidden tests), which the grader evaluates in its
own process; this module, which every student has, holds the questions and
their options only.  Lecture 10 self-checks other questions (source 001's
"Reflect...", ``course_lib.reflect``).

The options are shown in an order of the student's own: ``ask(number,
student_id)`` prints question ``number`` with its options permuted by
``permutation(student_id, number)`` (a hash of both, so the same student sees
the same order every time) and labelled A, B, C, D; ``option_index`` maps a
student's letter back to the option's place in ``QUESTIONS``.  The grader maps
the letter with the ``STUDENT_ID`` the notebook used, so a mistyped id only
changes the order, never the grade.

Imported here: the standard library, the checks' engine (``GradingError``) and
``course_lib.validation`` (``as_int``).
"""

from __future__ import annotations

import hashlib
import random
from typing import NamedTuple

from ..validation import as_int
from .engine import GradingError

__all__ = ["Question", "QUESTIONS", "LETTERS", "permutation", "ask", "option_index", "quiz_answer"]

LETTERS = "ABCD"


class Question(NamedTuple):
    text: str
    options: tuple
    source: str


QUESTIONS = [
    Question(
        text='Source 003 checks its gradients with eps = 1e-8 for forward, backward and central differences alike. In float64 that step suits one-sided differences. Why is it far too small for central differences?',
        options=(
            '1e-8 is below float64 machine epsilon, so w + 1e-8 rounds back to w and the difference is exactly 0',
            'Central differences are only first-order accurate, so they need a larger step to average out their error',
            'Central error is O(h^2), so trading it against round-off ~ε_mach/h puts the best h near ε_mach^(1/3) ≈ 1e-5',
            'Central differences evaluate f twice, so round-off doubles and the step must be doubled to 2e-8',
        ),
        source='003 (section 2.2, numerical differentiation; README errata for 003)',
    ),
    Question(
        text='Source 000, Theorem 3: f is α-strongly convex and β-smooth and GD uses step 1/β. The proof gives f(x_t) − f* ≤ (1 − α/β)^t (f(x_0) − f*). If κ = β/α grows from 10 to 1000, the iterations the bound needs for a fixed accuracy:',
        options=(
            'grow about 100-fold: (1 − 1/κ)^t ≈ exp(−t/κ), so the count scales like κ',
            'shrink about 100-fold: the bound exp(−tβ/α) decays faster as κ grows',
            'grow about 10-fold: the count scales like √κ',
            'stay the same: the step 1/β already adapts to the curvature',
        ),
        source='000 (section 4, Theorem 3 and its proof, eq. 14; README errata: printed bound exp(−tβ/α))',
    ),
    Question(
        text="Source 004's sextic has minima at x ≈ 2.10 (f'' ≈ 1.19) and x ≈ 20.52 (f'' ≈ 1.68). With the constant step λ = 1.5 in x ← x − λ f'(x), which minimum is stable (iterates started close to it converge to it)?",
        options=(
            'only x ≈ 20.52',
            'only x ≈ 2.10',
            'both, since λ = 1.5 is smaller than 2',
            "neither, since λ = 1.5 is larger than 1/f'' at both minima",
        ),
        source='004 (section 2.1.1, Figure 1: the sextic with small and large learning rates)',
    ),
    Question(
        text='Adam (001 slide 38, 003 section 4.2, 004 Algorithm 8) starts from m_0 = v_0 = 0 and uses m̂_t = m_t/(1 − β1^t), v̂_t = v_t/(1 − β2^t). What does this bias correction correct?',
        options=(
            'Nothing is biased: it deliberately makes the first steps larger so Adam can leap over local minima',
            'The bias that ε adds to the denominator √v̂_t + ε',
            'The bias of a mini-batch gradient as an estimate of the full-batch gradient',
            'Starting at 0 shrinks early averages: for a constant gradient g, m_t = (1 − β1^t)g, so m̂_t = g',
        ),
        source='001 (slide 38, Adam algorithm); 003 (section 4.2); 004 (section 4.1.2, Algorithm 8)',
    ),
    Question(
        text="001 writes momentum as v ← βv + (1−β)g, w ← w − αv; 003 as v ← μv − ηg, w ← w + v. Both start with v = 0. For β = 0.9 and α = 0.1, which (μ, η) makes 003's form give exactly the same iterates?",
        options=(
            'μ = 0.9, η = 0.1',
            'μ = 0.9, η = 0.01',
            'μ = 0.1, η = 0.01',
            'μ = 0.9, η = 1.0',
        ),
        source='001 (slides 26 and 28, EMA momentum); 003 (section 3.3.1, classical momentum); README errata',
    ),
    Question(
        text="Source 000's aSGD: in a batch of m = 64, exactly 16 samples give a nonzero gradient for a weight into a ReLU unit (the other 48 leave it off). The 16 sum to S, so SGD uses S/64. aSGD's mean effective gradient is:",
        options=(
            'S/64, the same as SGD: the zero gradients are genuine samples of the expected gradient',
            'S, the plain sum: aSGD adds the contributions instead of averaging them',
            '0: the unit is a dummy node, so aSGD freezes its incoming weights',
            "S/16, four times SGD's: it averages only over the samples that actually contribute",
        ),
        source='000 (sections 6.2.2 dummy node, 6.3 sample-based adaptive batch size, 7.1.1 mean effective gradient)',
    ),
    Question(
        text='Per-sample gradients are independent with variance σ² per coordinate. Raising the mini-batch size from B = 10 to B = 1000 changes the standard deviation of the mini-batch mean gradient by a factor of:',
        options=(
            '1/10',
            '1/100',
            '1/√10',
            '1: averaging changes only the expected value, not the noise',
        ),
        source='003 (section 3.1.1, larger batches reduce gradient variance); 004 (section 4.1.1); closed form',
    ),
    Question(
        text='ARS (001 slides 49-54; Mania, Guy & Recht 2018, cited there) evaluates r± = r(M ± νδ_k) for N random directions and updates M ← M + α/(b·σ_R)·Σ(r+ − r−)δ_k over b of them. What do top-b and σ_R do?',
        options=(
            'Keep the b directions with smallest max(r+, r−) to avoid overshooting; σ_R is the exploration noise ν',
            'Keep the b directions with largest max(r+, r−); σ_R is the running std of the states, normalising inputs',
            'Keep the b directions with largest max(r+, r−); σ_R is the std of those 2b rewards, removing reward scale',
            'Keep b random directions to cut the cost per step; σ_R is a decay factor that shrinks the step size α',
        ),
        source='001 (slides 49-54, Augmented Random Search and the method of finite differences; ARS as in the cited paper)',
    ),
    Question(
        text="003's Table 2: with lr 0.1 and batch 1 the MLP (ReLU hidden layers, no bias terms) ends at loss 2.3026 and test accuracy 0.0980, and never recovers. What explains both numbers?",
        options=(
            "The network collapsed onto the most frequent training digit, so accuracy is that digit's test share",
            'The weights still oscillate; at epoch 10 they happened to sit at a chance-level point of the loss',
            'Softmax overflowed to inf, the loss was clipped at ln 10, and NaN outputs were scored as wrong',
            'One hidden layer is all dead: logits are all 0, loss = ln 10, argmax ties pick class 0 (980 of 10,000)',
        ),
        source='003 (section 3.1.1 and Table 2; also Tables 3-5 for batch 1 at lr 0.1)',
    ),
    Question(
        text="004's backprop example: x = 2, y = 0.25, z¹ = x·w¹, z² = g(z¹)·w², ŷ = g(z²), sigmoid g, loss (ŷ − y)², w¹ = 0.75, w² = 0.5. Which expression gives ∂J/∂w¹ ≈ 0.0251?",
        options=(
            "2(ŷ − y)·g'(z²)·g(z¹)",
            "2(ŷ − y)·g'(z²)·w²·g'(z¹)·x",
            "2(ŷ − y)·g'(z²)·w²·g(z¹)·x",
            "2(ŷ − y)·g'(z¹)·w²·x",
        ),
        source='004 (section 2.3.2, Example 3, equations Ex.1 and Ex.2)',
    ),
]


def _question(number, student_id) -> Question:
    """Question ``number`` (an int from 1, not a bool), once ``student_id`` is set; TypeError or ValueError if not."""
    number = as_int("number", number)
    if not 1 <= number <= len(QUESTIONS):
        raise ValueError(f"number must be a question number from 1 to {len(QUESTIONS)}; got {number!r}")
    if not isinstance(student_id, str) or not student_id.strip():
        raise ValueError(f"set STUDENT_ID to your student id (a non-empty string) first: it decides the order of "
                         f"the options you see; got {student_id!r}")
    return QUESTIONS[number - 1]


def permutation(student_id: str, number: int) -> list:
    """The order in which ``student_id`` sees the options of question ``number``: shown[i] = options[perm[i]]."""
    q = _question(number, student_id)
    digest = hashlib.sha256(f"descent-quiz/{student_id.strip()}/{number}".encode()).digest()
    perm = list(range(len(q.options)))
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(perm)
    return perm


def ask(number: int, student_id: str) -> None:
    """Print question ``number`` with its options in ``student_id``'s order, labelled A-D."""
    q = _question(number, student_id)
    print(f"Question {number}. {q.text}\n")
    for letter, k in zip(LETTERS, permutation(student_id, number)):
        print(f"  {letter}. {q.options[k]}")


def option_index(number: int, letter, student_id: str) -> int:
    """The place in ``QUESTIONS[number - 1].options`` of the option ``student_id`` saw as ``letter``."""
    q = _question(number, student_id)
    letters = LETTERS[:len(q.options)]
    if not isinstance(letter, str) or letter.strip().upper() not in letters:
        raise ValueError(f"q{number} must be one of the letters {', '.join(letters)}; got {letter!r}")
    return permutation(student_id, number)[letters.index(letter.strip().upper())]


def quiz_answer(number: int, answer, student_id, key: int, why: str = "") -> int:
    """Question ``number`` of this module answered with the letter ``answer`` in ``student_id``'s order.

    ``key`` (the place of the right option in ``QUESTIONS``) and ``why``
    come from the hidden tests of ``solutions/06_quiz``, on the instructor's
    side only.
    """
    try:
        index = option_index(number, answer, student_id)
    except (TypeError, ValueError) as exc:  # a bad number, letter or id: the message says which
        raise GradingError(str(exc)) from None
    if index != key:
        raise GradingError(f"q{number}: the answer is \"{QUESTIONS[number - 1].options[key]}\". {why}")
    return 1
