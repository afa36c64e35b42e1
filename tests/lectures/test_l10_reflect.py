"""Lecture 10's self-check widget: a column of questions, each checked with its feedback."""

from course_lib import reflect
from course_lib.lectures import l10_reflect as lecture


def test_self_check_grades_and_explains():
    q1 = reflect.Question("2 + 2?", ["3", "4"], 1, "Two and two make four.", hints={0: "Count again."})
    q2 = reflect.Question("Sign of the step?", ["+grad", "-grad"], 1, "Descent goes against the gradient.")
    box = lecture.self_check([q1, q2])
    assert box.check_all([1, 0]) == 1
    assert box.feedback[0].value.startswith("Right") and box.feedback[1].value.startswith("Not quite")
    assert box.questions == [q1, q2]
