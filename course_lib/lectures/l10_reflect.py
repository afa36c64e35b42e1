"""Lecture 10, reflect: source 001's questions as self-checking widgets (the questions
themselves are plain data in ``course_lib.reflect``).
"""

from __future__ import annotations

import ipywidgets as _w

__all__ = ["self_check"]
WIDGETS = ()  # the slider figures, in the notebook's order


def self_check(questions) -> _w.VBox:
    """A column of ``reflect.Question``s, each with its options, a Check button and feedback.

    Returns an ``ipywidgets.VBox``; ``box.check_all(choices)`` grades a list of
    option indices without a browser and returns the number right.
    """
    blocks, radios, feedback = [], [], []
    for k, q in enumerate(questions, 1):
        radio = _w.RadioButtons(options=[(o, i) for i, o in enumerate(q.options)], value=None,
                               layout=_w.Layout(width="auto"))
        out = _w.HTML()
        button = _w.Button(description="Check", button_style="info")

        def on_click(_, q=q, radio=radio, out=out):
            ok, msg = q.check(radio.value)
            colour = "#1a7f37" if ok else "#b42318"
            out.value = f"<span style='color:{colour}'><b>{'✔' if ok else '✘'}</b> {msg}</span>"

        button.on_click(on_click)
        blocks.append(_w.VBox([_w.HTML(f"<b>{k}.</b> {q.text}"), radio, button, out]))
        radios.append(radio)
        feedback.append(out)
    box = _w.VBox(blocks)

    def check_all(choices) -> int:
        right = 0
        for q, radio, out, c in zip(questions, radios, feedback, choices):
            radio.value = c
            ok, msg = q.check(c)
            out.value = msg
            right += ok
        return right

    box.check_all = check_all
    box.questions = list(questions)
    box.feedback = feedback
    return box
