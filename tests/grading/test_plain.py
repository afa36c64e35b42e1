"""course_grader.plain: only plain data crosses from a student's kernel into the grader."""

from __future__ import annotations

import json

import numpy as np
import pytest

from course_grader import plain


def _kernel_side():
    """The kernel's half of the codec, run here as the kernel runs it (in a private namespace)."""
    ns = {"__builtins__": __builtins__}
    exec(plain.KERNEL_SOURCE, ns)
    return ns


def test_values_round_trip_exactly():
    k = _kernel_side()
    values = [None, True, 3, -2.5, float("nan"), float("inf"), "text", [1, 2.0], (1, (2, "x")), {"a": [1]},
              np.arange(6, dtype=np.int32).reshape(2, 3), np.float32(1.5), np.array([1e-300, -0.0, np.nan]),
              np.zeros((0, 4)), np.array(True), np.array([1 + 2j])]
    for v in values:
        back = plain.loads(json.dumps(k["_enc"](v)))
        if isinstance(v, np.ndarray):
            assert back.dtype == v.dtype and back.shape == v.shape
            assert np.array_equal(back, v, equal_nan=True)
        elif isinstance(v, float) and v != v:
            assert back != back
        else:
            assert back == v and type(back) is type(v if not isinstance(v, np.generic) else v.item())


def test_grader_inputs_are_rebuilt_in_the_kernel():
    from course_lib.exercises.engine import portable

    k = _kernel_side()
    rng = np.random.default_rng(7)
    f = portable("lambda x: float(np.sum(x ** 2))", "sum of squares")
    rebuilt = k["_dec"](json.loads(json.dumps(plain.encode((rng, f, np.ones(3))))))
    assert rebuilt[0].normal() == np.random.default_rng(7).normal()  # the same draws
    assert rebuilt[1](np.array([1.0, 2.0])) == 5.0
    with pytest.raises(ValueError, match="cannot send a object"):
        plain.encode(object())


def test_objects_that_lie_reach_the_grader_as_the_numbers_they_produce():
    k = _kernel_side()

    class Liar(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    class LiarArray(np.ndarray):
        def __eq__(self, other):
            return np.ones(np.shape(other), bool)

    got = plain.loads(json.dumps(k["_enc"]((Liar(1.0), np.zeros(2).view(LiarArray)))))
    assert type(got[0]) is float and got[0] == 1.0 and not got[0] == 2.0
    assert type(got[1]) is np.ndarray and not np.array_equal(got[1], [5.0, 5.0])
    with pytest.raises(TypeError, match="returned a function"):
        k["_enc"](lambda: 0)


@pytest.mark.parametrize("reply, says", [
    ('{"__nd__": "|O", "shape": [1], "b64": ""}', "not a number type"),
    ('{"__nd__": "<f8", "shape": [3], "b64": "AAAA"}', "does not match"),
    ('{"__nd__": "<f8", "shape": [-1], "b64": ""}', "malformed array shape"),
    ('{"__rng__": "PCG64", "state": {}}', "unexpected object"),
    ('{"__fn__": "lambda: 0", "name": "f"}', "unexpected object"),
    ('{"__float__": "1e999"}', "not a float"),
    ('{"__dict__": [[1, 2]]}', "malformed dict"),
    ('NaN', "NaN"),
    ('[' * 50 + ']' * 50, "nested too deeply"),
])
def test_anything_else_is_refused(reply, says):
    with pytest.raises(plain.NotPlainData, match=says):
        plain.loads(reply)


def test_a_huge_reply_is_refused_unread():
    with pytest.raises(plain.NotPlainData, match="larger than"):
        plain.loads(" " * (plain.MAX_REPLY_BYTES + 1))
