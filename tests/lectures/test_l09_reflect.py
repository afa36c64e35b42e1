"""Lecture 9's slider figures: what they draw, checked against independent computations.

Each widget's update path (``Interactive.update``) is called as a slider
move would call it; the tests read the data of the figure's lines and its
titles and compare them with closed forms or recursions written out here.
"""

import pytest

from course_lib import reflect
from course_lib.lectures import l09_reflect as lecture


def test_quiz_grades_and_explains():
    q1 = reflect.Question("2 + 2?", ["3", "4"], 1, "Two and two make four.", hints={0: "Count again."})
    q2 = reflect.Question("Sign of the step?", ["+grad", "-grad"], 1, "Descent goes against the gradient.")
    assert q1.check(1) == (True, "Right. Two and two make four.")
    ok, msg = q1.check(0)
    assert not ok and "Count again." in msg and "four" in msg
    assert q1.check(None)[0] is False
    box = lecture.self_check([q1, q2])
    assert box.check_all([1, 0]) == 1
    assert box.feedback[0].value.startswith("Right") and box.feedback[1].value.startswith("Not quite")
    assert reflect.Question("?", ["a", "b", "c"], (0, 2), "").check(2)[0]
    with pytest.raises(ValueError, match="answer must index one of the 2 options"):
        reflect.Question("?", ["a", "b"], 2, "")


def test_reflect_questions_accept_the_slides_key_and_explain():

    assert len(reflect.QUESTIONS) == len(reflect.SLIDE_KEY) == 10
    for q, key in zip(reflect.QUESTIONS, reflect.SLIDE_KEY):
        ok, msg = q.check(key)
        assert ok and len(msg) > 40, q.text
        wrong = [i for i in range(len(q.options)) if i not in q.answers]
        assert wrong and not q.check(wrong[0])[0]
    # where the slides' key is arguable, the other defensible option is accepted too
    extra = {q.text[:30]: sorted(q.answers) for q in reflect.QUESTIONS if len(q.answers) > 1}
    assert extra == {"What is Gradient Descent used ": [1, 3],
                     "In Gradient Descent, what does": [0, 1],
                     "Which technique is often used ": [0, 3]}
