"""Plain data across the trust boundary: what the grader sends into the kernel, and what it accepts back.

The grader never unpickles or executes anything the student's kernel sends.
A reply is JSON whose objects are decoded here, strictly, into fresh Python
and numpy values: ``None``, ``bool``, ``int``, ``float`` (NaN and infinities
included), ``str``, lists, tuples, dicts with string keys, and numpy arrays of
a numeric or boolean dtype (the raw bytes, checked against dtype and shape).
Anything else is refused with :class:`NotPlainData`.  An object in the kernel
whose ``__eq__``, ``__float__`` or ``__array__`` lies is turned into plain data
*in the kernel* (by the student's own objects, so it is whatever they say it
is), and what reaches the grader is only numbers.

Grader to kernel, :func:`encode` also carries the inputs a check needs that
are not plain data, in a form the kernel rebuilds:

* a ``numpy.random.Generator`` as its bit generator's state (the kernel gets
  a generator that draws the same numbers);
* a :class:`course_lib.exercises.engine.Portable` function as its source text, which
  the kernel evaluates with ``np`` in scope (a test function ``f`` handed to
  a student's ``central_difference``).

``KERNEL_SOURCE`` is the code the kernel runs to decode a request, call the
student's function and encode the answer; a student who replaces it only
garbles their own answers.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np

__all__ = ["NotPlainData", "encode", "decode", "KERNEL_SOURCE", "MAX_REPLY_BYTES"]

MAX_REPLY_BYTES = 64 * 2 ** 20          # a reply larger than this is refused, not parsed
MAX_DEPTH = 20
_DTYPES = {np.dtype(t).str: np.dtype(t) for t in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128")}
_DTYPES.update({np.dtype(t).newbyteorder(">").str: np.dtype(t).newbyteorder(">") for t in (
    "int16", "int32", "int64", "uint16", "uint32", "uint64", "float16", "float32", "float64", "complex64",
    "complex128")})


class NotPlainData(ValueError):
    """A reply from the kernel that is not plain data (or is malformed)."""


def _float(x: float):
    return x if math.isfinite(x) else {"__float__": repr(x)}


def encode(value, depth: int = 0):
    """JSON-ready form of a grader-side value (arrays, numbers, strings, containers, generators, portables)."""
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply to send to the kernel")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _float(float(value))
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        arr = np.array(value, order="C", copy=True)  # (ascontiguousarray would make 0-d arrays 1-d)
        if arr.dtype.str not in _DTYPES:
            raise ValueError(f"cannot send an array of dtype {arr.dtype} to the kernel")
        return {"__nd__": arr.dtype.str, "shape": list(arr.shape), "b64": base64.b64encode(arr.tobytes()).decode()}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[str(k), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, np.random.Generator):
        bg = value.bit_generator
        return {"__rng__": type(bg).__name__, "state": bg.state}
    source = getattr(value, "kernel_source", None)
    if isinstance(source, str):
        return {"__fn__": source, "name": getattr(value, "__name__", "f")}
    raise ValueError(f"cannot send a {type(value).__name__} to the kernel")


def decode(obj, depth: int = 0):
    """The plain value a kernel's JSON reply stands for; :class:`NotPlainData` for anything else."""
    if depth > MAX_DEPTH:
        raise NotPlainData("the reply is nested too deeply")
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    if isinstance(obj, list):
        return [decode(v, depth + 1) for v in obj]
    if not isinstance(obj, dict):
        raise NotPlainData(f"unexpected {type(obj).__name__} in the reply")
    keys = set(obj)
    if keys == {"__float__"}:
        text = obj["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise NotPlainData(f"not a float: {text!r}")
        return float(text)
    if keys == {"__tuple__"} and isinstance(obj["__tuple__"], list):
        return tuple(decode(v, depth + 1) for v in obj["__tuple__"])
    if keys == {"__dict__"} and isinstance(obj["__dict__"], list):
        out = {}
        for pair in obj["__dict__"]:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise NotPlainData("malformed dict in the reply")
            out[pair[0]] = decode(pair[1], depth + 1)
        return out
    if keys == {"__nd__", "shape", "b64"}:
        dtype = _DTYPES.get(obj["__nd__"]) if isinstance(obj["__nd__"], str) else None
        shape = obj["shape"]
        if dtype is None:
            raise NotPlainData(f"array dtype {obj['__nd__']!r} is not a number type")
        if not (isinstance(shape, list) and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                for s in shape) and len(shape) <= 32):
            raise NotPlainData(f"malformed array shape {shape!r}")
        try:
            raw = base64.b64decode(obj["b64"], validate=True)
        except (TypeError, ValueError):
            raise NotPlainData("malformed array data") from None
        if len(raw) != math.prod(shape) * dtype.itemsize:
            raise NotPlainData("array data does not match its shape and dtype")
        return np.frombuffer(raw, dtype=dtype).reshape(tuple(shape)).astype(dtype.newbyteorder("="), copy=True)
    raise NotPlainData(f"unexpected object with keys {sorted(keys)[:5]} in the reply")


def _parse(text: str):
    """JSON text from the kernel, size-checked first; NaN/Infinity literals and malformed text refused."""
    if len(text) > MAX_REPLY_BYTES:
        raise NotPlainData(f"the reply is larger than {MAX_REPLY_BYTES // 2 ** 20} MiB")
    try:
        return json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(NotPlainData(c)))
    except json.JSONDecodeError as exc:
        raise NotPlainData(f"the reply is not JSON ({exc.msg})") from None


def loads(text: str):
    """Decode one reply (a JSON text) from the kernel."""
    return decode(_parse(text))


def loads_reply(text: str) -> dict:
    """One answer line of the kernel: ``{"ok": <decoded value>}`` or ``{"error", "message", "where"}`` (strings)."""
    obj = _parse(text)
    if isinstance(obj, dict) and set(obj) == {"ok"}:
        return {"ok": decode(obj["ok"])}
    if isinstance(obj, dict) and "error" in obj and set(obj) <= {"error", "message", "where"}:
        return {k: str(v)[:2000] for k, v in obj.items()}
    raise NotPlainData("malformed answer")


def dumps(value) -> str:
    return json.dumps(encode(value), allow_nan=False)


# The kernel's half: decode a request, run it in the student's namespace, print the encoded answer.
# It runs in a private dict; nothing it defines is left in the student's namespace.
KERNEL_SOURCE = r'''
import base64 as _b64, json as _json, math as _math, sys as _sys
import numpy as np

def _dec(o):
    if isinstance(o, list):
        return [_dec(v) for v in o]
    if not isinstance(o, dict):
        return o
    if "__float__" in o:
        return float(o["__float__"])
    if "__tuple__" in o:
        return tuple(_dec(v) for v in o["__tuple__"])
    if "__dict__" in o:
        return {k: _dec(v) for k, v in o["__dict__"]}
    if "__nd__" in o:
        return np.frombuffer(_b64.b64decode(o["b64"]), dtype=np.dtype(o["__nd__"])).reshape(tuple(o["shape"])).copy()
    if "__rng__" in o:
        bg = getattr(np.random, o["__rng__"])()
        bg.state = o["state"]
        return np.random.Generator(bg)
    if "__fn__" in o:
        fn = eval(compile(o["__fn__"], "<" + o["name"] + ">", "eval"), {"np": np, "__builtins__": __builtins__})
        return fn
    raise ValueError("unknown request object")

def _enc(v, depth=0):
    if depth > 20:
        raise TypeError("the value is nested too deeply")
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if _math.isfinite(v) else {"__float__": repr(v)}
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, tuple):
        return {"__tuple__": [_enc(x, depth + 1) for x in v]}
    if isinstance(v, list):
        return [_enc(x, depth + 1) for x in v]
    if isinstance(v, dict):
        return {"__dict__": [[str(k), _enc(x, depth + 1)] for k, x in v.items()]}
    if callable(v) and not isinstance(v, np.ndarray):
        raise TypeError("returned a function (" + type(v).__name__ + "), not a value")
    a = np.asarray(v)
    if a.dtype == object:
        a = np.asarray(v, dtype=float)
    if a.dtype.kind not in "biufc":
        raise TypeError("returned " + type(v).__name__ + " of dtype " + str(a.dtype) + ", not numbers")
    a = np.array(a, order="C", copy=True)
    return {"__nd__": a.dtype.str, "shape": list(a.shape), "b64": _b64.b64encode(a.tobytes()).decode()}

def _lookup(ns, name):
    # one answer about a name: its value when it is plain data (encoded once), else what it is
    if name not in ns:
        return "missing"
    v = ns[name]
    if callable(v):
        return "function"
    try:
        return ["data", _enc(v)]
    except Exception:
        return "object:" + type(v).__name__

def _main(token, request):
    from IPython import get_ipython
    out = _sys.stdout
    req = _json.loads(request)
    ns = get_ipython().user_ns
    try:
        name = req["name"]
        if req["op"] == "lookup":
            reply = {"ok": _lookup(ns, name)}
        elif req["op"] == "get":
            value = ns[name]
            for attr in req.get("attrs", ()):
                value = getattr(value, attr)
            answer = value
        else:
            fn = ns[name]
            args = _dec(req["args"])
            kwargs = _dec(req["kwargs"])
            if req.get("adapter"):
                scope = {"np": np, "__builtins__": __builtins__}
                exec(compile(req["adapter"], "<adapter>", "exec"), scope)
                answer = scope["adapter"](fn, *args, **kwargs)
            else:
                answer = fn(*args, **kwargs)
        if req["op"] != "lookup":
            reply = {"ok": _enc(answer)}
    except BaseException as exc:
        import traceback as _tb
        mine = [f.name for f in _tb.extract_tb(exc.__traceback__)
                if f.filename != "<string>" and "course_lib" not in f.filename]
        reply = {"error": type(exc).__name__, "message": str(exc)[:2000], "where": mine[-1] if mine else ""}
    out.write("\n" + token + " " + _json.dumps(reply, allow_nan=False) + "\n")
    out.flush()
'''
