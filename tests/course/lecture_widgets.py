"""Which notebook cells make a slider figure: a call ``lecture.<name>(`` of a lecture's ``WIDGETS``."""

import re

from course_lib import lectures

_CALL = re.compile(r"\blecture\.(%s)\(" % "|".join(lectures.widgets()))


def widget_call(source: str):
    """The name of the slider figure the cell's source calls, or None."""
    match = _CALL.search(source)
    return match.group(1) if match else None
