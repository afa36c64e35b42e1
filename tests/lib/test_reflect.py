"""course_lib.reflect: source 001's "Reflect..." questions as plain data, and what a ``Question`` answers."""

import pytest

from course_lib import reflect


def test_question_says_right_or_wrong_and_why():
    q1 = reflect.Question("2 + 2?", ["3", "4"], 1, "Two and two make four.", hints={0: "Count again."})
    assert q1.check(1) == (True, "Right. Two and two make four.")
    ok, msg = q1.check(0)
    assert not ok and "Count again." in msg and "four" in msg
    assert q1.check(None)[0] is False
    assert reflect.Question("?", ["a", "b", "c"], (0, 2), "").check(2)[0]
    with pytest.raises(ValueError, match="answer must index one of the 2 options"):
        reflect.Question("?", ["a", "b"], 2, "")


def test_importing_the_questions_does_not_import_ipywidgets():
    import subprocess
    import sys

    code = "import sys, course_lib.reflect; print('ipywidgets' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


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
