"""The graded quiz: its key lives only in solutions/, and its numeric keys are right by computation."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib.exercises import a06_quiz as quiz
from course_lib.exercises.engine import GradingError

ROOT = Path(__file__).resolve().parents[2]


def _keys() -> dict:
    """number -> the keyed option's index, read from the instructor's hidden tests."""
    keys = {}
    for cell in nbformat.read(ROOT / "solutions" / "06_quiz" / "quiz.ipynb", as_version=4).cells:
        m = re.search(r"quiz_answer\((\d+), q\d+, STUDENT_ID, key=(\d+)", cell.source)
        if m:
            keys[int(m[1])] = int(m[2])
    return keys


def test_every_question_has_one_key_in_the_hidden_tests_and_none_in_course_lib():
    keys = _keys()
    assert sorted(keys) == list(range(1, len(quiz.QUESTIONS) + 1)) and len(quiz.QUESTIONS) == 10
    assert "key" not in quiz.Question._fields and all(len(q.options) == 4 for q in quiz.QUESTIONS)
    student = nbformat.read(ROOT / "notebooks" / "exercises" / "06_quiz" / "quiz.ipynb", as_version=4)
    assert "key=" not in "\n".join(c.source for c in student.cells)


def test_not_the_questions_lecture_9_self_checks():
    from course_lib.reflect import QUESTIONS as REFLECT

    assert not {q.text for q in quiz.QUESTIONS} & {q.text for q in REFLECT}


def _keyed(number):
    return quiz.QUESTIONS[number - 1].options[_keys()[number]]


def test_q3_the_stable_minimum_of_the_sextic_at_lr_1_5():
    from course_lib.functions import sextic

    f = sextic()
    stable = []
    for x_star in f.minima.ravel():
        curvature = float(f.hessian(np.array([x_star]))[0, 0])
        x = np.array([x_star + 1e-3])
        for _ in range(200):
            x = x - 1.5 * f.grad(x)
        stable.append((round(float(x_star), 2), abs(float(x[0]) - x_star) < 1e-6, curvature))
    assert [s[:2] for s in stable] == [(2.10, True), (20.52, False)], stable
    assert _keyed(3) == "only x ≈ 2.10"


def test_q5_ema_momentum_equals_classical_with_the_rescaled_learning_rate():
    from course_lib.optim import momentum_update

    A = np.diag([1.0, 10.0])
    w_ema = w_cl = np.array([1.0, -2.0])
    v_ema = v_cl = np.zeros(2)
    for _ in range(50):
        w_ema, v_ema = momentum_update(w_ema, A @ w_ema, v_ema, 0.1, 0.9, variant="ema")
        w_cl, v_cl = momentum_update(w_cl, A @ w_cl, v_cl, 0.01, 0.9, variant="classical")
    np.testing.assert_allclose(w_ema, w_cl, rtol=1e-12, atol=1e-15)
    assert _keyed(5) == "μ = 0.9, η = 0.01"


def test_q7_the_minibatch_mean_standard_deviation_scales_like_one_over_root_b():
    rng = np.random.default_rng(0)
    stds = [rng.normal(size=(4000, b)).mean(axis=1).std() for b in (10, 1000)]
    assert stds[1] / stds[0] == pytest.approx(np.sqrt(10 / 1000), rel=0.05)
    assert _keyed(7) == "1/10"


def test_q10_the_thesis_worked_example_by_central_differences():
    from course_lib.nn import sigmoid, sigmoid_derivative

    x, y, w1, w2 = 2.0, 0.25, 0.75, 0.5

    def loss(w1):
        return float((sigmoid(w2 * sigmoid(w1 * x)) - y) ** 2)

    numeric = (loss(w1 + 1e-6) - loss(w1 - 1e-6)) / 2e-6
    z1 = x * w1
    z2 = sigmoid(z1) * w2
    chain = 2 * (sigmoid(z2) - y) * sigmoid_derivative(z2) * w2 * sigmoid_derivative(z1) * x
    assert round(numeric, 4) == 0.0251 and chain == pytest.approx(numeric, rel=1e-8)
    assert _keyed(10) == "2(ŷ − y)·g'(z²)·w²·g'(z¹)·x"


def test_quiz_answers_are_letters_in_the_students_own_order():
    for number in range(1, len(quiz.QUESTIONS) + 1):
        perm = quiz.permutation("s123", number)
        assert sorted(perm) == [0, 1, 2, 3]
        right = quiz.LETTERS[perm.index(2)]  # the letter s123 sees for option 2
        assert quiz.quiz_answer(number, right, "s123", key=2) == 1
        assert quiz.quiz_answer(number, " " + right.lower() + " ", "s123", key=2) == 1  # case and spaces do not matter
        wrong = next(L for L in quiz.LETTERS if L != right)
        with pytest.raises(GradingError, match=f"q{number}: the answer is"):
            quiz.quiz_answer(number, wrong, "s123", key=2, why="because")
    orders = {tuple(quiz.permutation(f"student{i}", 1)) for i in range(40)}
    assert len(orders) > 10  # shuffled per student
    with pytest.raises(GradingError, match="q2 must be one of the letters A, B, C, D; got 'E'"):
        quiz.quiz_answer(2, "E", "s123", key=0)
    with pytest.raises(GradingError, match="set STUDENT_ID"):
        quiz.quiz_answer(2, "A", "", key=0)


def test_a_question_number_is_an_int_not_a_bool():
    # True == 1 in Python: the number is checked as validation.as_int checks it, and grading says so
    with pytest.raises(GradingError, match="number must be an integer; got bool True"):
        quiz.quiz_answer(True, "A", "s123", key=0)
    with pytest.raises(GradingError, match="number must be a question number from 1 to 10; got 11"):
        quiz.quiz_answer(11, "A", "s123", key=0)
    with pytest.raises(GradingError, match="number must be a question number from 1 to 10; got 0"):
        quiz.quiz_answer(0, "A", "s123", key=0)
    with pytest.raises(TypeError, match="number must be an integer; got float 2.0"):
        quiz.ask(2.0, "s123")
    assert quiz.permutation("s123", np.int64(4)) == quiz.permutation("s123", 4)  # a numpy int is an int
    right = quiz.LETTERS[quiz.permutation("s123", 4).index(1)]
    assert quiz.quiz_answer(np.int64(4), right, "s123", key=1) == 1
