"""Checks for the autograded exercises: compare a student's function with the reference, and teach.

The hidden tests of ``solutions/`` call ``check_function``: it runs the
student's function and the ``course_lib`` reference on many seeded inputs and,
at the first mismatch, raises an ``AssertionError`` whose message is the
feedback a student reads:

* which input, the first mismatching element, expected against got;
* the likely mistake, found by comparing the student's output with known
  wrong variants (no bias correction, the sign flipped, eps inside the square
  root, the batch mean replaced by a sum, ...);
* if the student's function raised, the exception and the input;
* if the student's function called ``course_lib`` (the reference) instead of
  computing the answer, no credit, and why.

The same checks run in two places, with the same feedback:

* **for practice**, in the student's own kernel: ``a03_optimizers.adam(adam)``
  with the practice inputs (fixed seeds).  A profile hook watches for calls
  into any ``course_lib`` module other than this one while the student's
  function runs (an alias or ``from course_lib.optim import adam_update as
  my_adam`` is caught as well as a direct call).  The student can switch that
  off in their own kernel; it is there to teach, not to grade;
* **for grades**, in the grader's process (``course_grader``): the student's
  function is a proxy that runs it in the sandboxed kernel, the inputs are
  drawn from the instructor's secret (``seed=``), and the reference modules are
  simply not in the kernel's sandbox: a call into one raises
  ``ReferenceUnavailable`` there, which gets the same "no credit" feedback.

Inputs that are not plain data travel to the kernel in a form it rebuilds: a
``numpy.random.Generator`` as its state, a test function as a
:class:`Portable` (its source, evaluated with ``np`` in scope), and code that
must run next to the student's function (to build a network it trains) as an
adapter (:func:`adapt`).

Imported here: numpy, the standard library, ``course_lib.nn`` (to rebuild a
network) and ``course_lib.validation``.
"""

from __future__ import annotations

import copy
import os
import sys
from typing import Callable, Iterable

import numpy as np

from .. import nn
from ..validation import as_bool, as_generator, as_int

__all__ = ["GradingError", "UsedReference", "check_function", "first_mismatch", "calls_into_course_lib", "Portable",
           "portable", "adapt", "case_rng", "network_from", "reached"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # course_lib
_THIS_FILE = os.path.abspath(__file__)


class GradingError(AssertionError):
    """A failed check; its message is the student's feedback."""


class UsedReference(GradingError):
    """The student's function called course_lib instead of computing the answer itself."""


class Portable:
    """A function given by its source (a ``lambda`` expression using ``np``), callable here and rebuildable in a kernel.

    >>> f = portable("lambda x: float(np.sum(x ** 2))", "sum of squares")
    >>> f(np.array([1.0, 2.0]))
    5.0
    """

    def __init__(self, source: str, name: str):
        self.kernel_source = source
        self.__name__ = name
        self._fn = eval(compile(source, f"<{name}>", "eval"), {"np": np})

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)

    def __repr__(self):
        return f"<test function {self.__name__}: {self.kernel_source}>"


def portable(source: str, name: str) -> Portable:
    return Portable(source, name)


def adapt(student: Callable, source: str) -> Callable:
    """``adapter(student, *args)``, with ``adapter`` defined by ``source``; run next to the student's function.

    In the grader the student's function lives in the kernel, so the adapter
    runs there too (``student.with_adapter``); in practice both run here.
    The reference is adapted the same way, so both see the same set-up.
    """
    if hasattr(student, "with_adapter"):
        return student.with_adapter(source)
    scope = {"np": np}
    # compiled as part of course_lib, so that what the adapter itself calls there is not the student's call
    exec(compile(source, os.path.join(_PACKAGE_DIR, "<adapter>"), "exec"), scope)
    adapter = scope["adapter"]

    def adapted(*args, **kwargs):
        return adapter(student, *args, **kwargs)

    adapted.__name__ = getattr(student, "__name__", "your function")
    adapted.adapter_code = adapter.__code__
    return adapted


def case_rng(seed, practice: int) -> np.random.Generator:
    """The random Generator a check draws its inputs from: of the grader's ``seed`` when given, else of ``practice``.

    ``seed`` is the kit's one idiom (``validation.as_generator``): an int
    (the grader passes one per student and question) or a Generator (used as
    it is).  ``None`` means practice: the check's own fixed seed, so the
    practice inputs are the same every time, for every student.
    """
    return as_generator("seed", practice if seed is None else seed)


def _inside(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE_DIR + os.sep) and path != _THIS_FILE


def _codes_of(values) -> set:
    """Code objects of the Python functions among ``values`` (the grader's own inputs, e.g. a test f)."""
    return {v.__code__ for v in values if callable(v) and hasattr(v, "__code__")}


def calls_into_course_lib(fn: Callable, *args, _allow=(), **kwargs):
    """Run ``fn(*args, **kwargs)``; return ``(result, names)`` with the course_lib functions it called.

    ``_allow``: ``module.function`` names the exercise lets the student call
    (e.g. ``course_lib.nn.loss_and_grads`` in a training-loop exercise).

    ``names`` lists ``module.function`` for every call made from outside
    ``course_lib`` into one of its modules (this grading module excluded)
    while ``fn`` ran, directly or through any alias; the helpers those call
    are not listed, nor are the functions passed to ``fn`` as arguments
    (a test function ``f`` handed to a student's ``central_difference`` may
    be defined in ``course_lib``).  Exceptions from ``fn`` propagate.
    """
    called: list[str] = []
    fn_code = getattr(fn, "__code__", None)
    allowed = _codes_of([*args, *kwargs.values()]) | ({fn_code} if fn_code is not None else set())
    if hasattr(fn, "adapter_code"):  # an adapted student function (see adapt): the adapter is the grader's code
        allowed.add(fn.adapter_code)
    previous = sys.getprofile()

    def hook(frame, event, arg):
        if event == "call" and frame.f_code not in allowed and _inside(frame.f_code.co_filename):
            caller = frame.f_back
            if caller is None or not _inside(caller.f_code.co_filename):  # entered from outside: the call made
                name = f"{frame.f_globals.get('__name__', '?')}.{frame.f_code.co_name}"
                if name in _allow:  # what the exercise tells the student to use
                    return
                if caller is not None and caller.f_code is not fn_code:
                    name += f", from your {caller.f_code.co_name}"
                if name not in called:
                    called.append(name)
        if previous is not None:
            previous(frame, event, arg)

    sys.setprofile(hook)
    try:
        result = fn(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return result, called


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def first_mismatch(expected, got, rtol: float, atol: float, equal_nan: bool = False):
    """None if ``got`` matches ``expected`` (each output of a tuple, elementwise), else a description.

    ``equal_nan=True`` lets NaN match NaN (used to recognise a wrong variant that produces NaN
    where the student's function does; a NaN never matches the reference).
    """
    expected, got = _as_tuple(expected), _as_tuple(got)
    if len(expected) != len(got):
        return f"your function returned {len(got)} value(s); expected {len(expected)}"
    for k, (e, g) in enumerate(zip(expected, got)):
        which = f"output {k}: " if len(expected) > 1 else ""
        e = np.asarray(e, dtype=float)
        try:
            g = np.asarray(g, dtype=float)
        except (TypeError, ValueError):
            return f"{which}expected an array of numbers, got {type(got[k]).__name__}"
        if e.shape != g.shape:
            return f"{which}expected shape {e.shape}, got shape {g.shape}"
        bad = ~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
        if np.any(bad):
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            where = f" at index {idx}" if e.ndim else ""
            n_bad = int(bad.sum())
            return (f"{which}first mismatch{where}: expected {e[idx]:.10g}, got {g[idx]:.10g} "
                    f"({n_bad} of {e.size} element{'s' if e.size != 1 else ''} differ; "
                    f"tolerance rtol={rtol:g}, atol={atol:g})")
    return None


def _copy(value):
    """A private copy of an input: arrays, and random generators (each function draws the same numbers)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.random.Generator):
        return copy.deepcopy(value)
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _describe_inputs(args: tuple, kwargs: dict) -> str:
    def short(v):
        if isinstance(v, np.ndarray):
            if v.size <= 6:
                return np.array2string(v, precision=6, separator=", ")
            return f"array of shape {v.shape}"
        if callable(v):
            return getattr(v, "__name__", "a function")
        return repr(v)

    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def check_function(student: Callable, reference: Callable, cases: Iterable, name: str = "",
                   rtol: float = 1e-7, atol: float = 1e-10, variants: dict | None = None,
                   copy_inputs: bool = True, allow=()) -> int:
    """Compare ``student`` with ``reference`` on every case; raise ``GradingError`` with feedback at the first miss.

    Parameters
    ----------
    student, reference : callables
        Called with the same arguments.  Both may return one array-like or a
        tuple of them (all outputs are compared).
    cases : iterable of (args, kwargs) pairs, or of tuples of args
    name : str
        The function's name as the exercise calls it (for the messages).
    rtol, atol : float
        ``numpy.isclose`` tolerances, stated in the message when a check fails.
    variants : dict of str -> callable, optional
        Known wrong versions (same signature), keyed by the sentence that names
        the mistake, e.g. ``{"the bias correction is missing": adam_no_bias}``.
        When the student's output on the failing case matches one of them,
        its sentence is added to the feedback.
    copy_inputs : bool, default True
        Give each function its own copy of array inputs and random
        generators, so an in-place update by the student cannot change the
        reference's inputs (or hide its own mistake), and both draw the same
        random numbers.
    allow : tuple of str
        ``course_lib`` functions (``module.function``) the student may call.

    Returns
    -------
    int
        The number of cases checked (all passed).
    """
    name = name or getattr(student, "__name__", "your function")
    if not callable(student):
        raise GradingError(f"{name} must be a function; got {type(student).__name__}")
    n = 0
    for case in cases:
        args, kwargs = case if (isinstance(case, tuple) and len(case) == 2 and isinstance(case[1], dict)) \
            else (tuple(case), {})
        args = tuple(args)

        def fresh():
            if not copy_inputs:
                return args, kwargs
            return tuple(_copy(a) for a in args), {k: _copy(v) for k, v in kwargs.items()}

        a, k = fresh()
        expected = reference(*a, **k)
        a, k = fresh()
        shown = _describe_inputs(args, kwargs)
        try:
            if getattr(student, "runs_in_kernel", False):  # graded: the reference is not in the kernel's sandbox
                got, used = student(*a, **k), []
            else:
                got, used = calls_into_course_lib(student, *a, _allow=tuple(allow), **k)
        except NotImplementedError:
            raise GradingError(f"{name} is not implemented yet (it raises NotImplementedError).") from None
        except Exception as exc:  # the student's code failed: say where, not the grader's internals
            ename = getattr(exc, "ename", type(exc).__name__)
            if ename == "NotImplementedError":
                raise GradingError(f"{name} is not implemented yet (it raises NotImplementedError).") from None
            if ename == "ReferenceUnavailable":  # graded: the kernel called a stub of the reference
                used = str(getattr(exc, "message", exc)).split(" ", 1)[0]
                where = getattr(exc, "where", "")
                if where and where != name:
                    used += f", from your {where}"
                raise UsedReference(
                    f"{name} calls the reference implementation ({used}) instead of computing the answer itself; "
                    f"this question gets no credit. Write the formula out with numpy.") from None
            message = getattr(exc, "message", exc)
            raise GradingError(f"{name}{shown} raised {ename}: {message}") from None
        if used:
            raise UsedReference(
                f"{name} calls the reference implementation ({', '.join(sorted(set(used)))}) instead of "
                f"computing the answer itself; this question gets no credit. Write the formula out with numpy.")
        problem = first_mismatch(expected, got, rtol, atol)
        if problem is not None:
            hint = ""
            for sentence, variant in (variants or {}).items():
                a, k = fresh()
                try:
                    with np.errstate(all="ignore"):
                        same = first_mismatch(variant(*a, **k), got, rtol, atol, equal_nan=True) is None
                    if same:
                        hint = f" Likely mistake: {sentence}."
                        break
                except Exception:  # a variant may not apply to this input
                    continue
            raise GradingError(f"{name}{shown}: {problem}.{hint}")
        n += 1
    if n == 0:
        raise ValueError("check_function needs at least one case")
    return n


MAX_LAYERS, MAX_WIDTH, MAX_PARAMETERS = 8, 4096, 5_000_000  # a network the grader is willing to rebuild


def network_from(net):
    """A fresh ``nn.MLP`` with the architecture and parameters of ``net``, to evaluate here.

    ``net`` is a ``course_lib.nn.MLP`` (practice) or the student's network seen
    from the grader, whose attributes arrive as plain data; either way the
    accuracy is computed by this code, on data it loads itself.
    """
    try:
        sizes = [as_int(f"sizes[{i}]", n, minimum=1) for i, n in enumerate(net.sizes)]
        bias = as_bool("bias", net.bias)
        params = [np.asarray(p, dtype=np.float64) for p in net.params]
        n_params = nn.count_parameters(sizes, bias)  # before anything is allocated
        if not 2 <= len(sizes) <= MAX_LAYERS + 1 or max(sizes) > MAX_WIDTH or n_params > MAX_PARAMETERS:
            raise ValueError(f"sizes {sizes[:12]} are beyond what is checked here (at most {MAX_LAYERS} layers of "
                             f"{MAX_WIDTH} units, {MAX_PARAMETERS:,} parameters)")
        # the constructor validates the rest (activations, loss, slope) and says what it expected
        model = nn.MLP(sizes, hidden=net.hidden, output=net.output, loss=net.loss_name, bias=bias, slope=net.slope)
    except Exception as exc:  # noqa: BLE001  (whatever the student's object is, say what is expected)
        raise GradingError(f"could not read the network (keep it a course_lib.nn.MLP): {str(exc)[:500]}") from None
    if [p.shape for p in params] != [p.shape for p in model.params]:
        raise GradingError(f"the network's parameters have shapes {[p.shape for p in params]}; its sizes "
                           f"{list(model.sizes)} need {[p.shape for p in model.params]}")
    if not all(np.all(np.isfinite(p)) for p in params):
        raise GradingError("the network's parameters are not all finite (the training diverged)")
    for p, q in zip(model.params, params):
        p[...] = q
    return model


def reached(acc: float, threshold: float, what: str, hint: str) -> int:
    """1 if the accuracy ``acc`` measured here reaches ``threshold``; else a ``GradingError`` saying both, and ``hint``."""
    if not acc >= threshold:
        raise GradingError(f"{what} is {acc:.1%}; at least {threshold:.0%} is expected. {hint}")
    return 1
