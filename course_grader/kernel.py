"""The grader's handle on a student's kernel: call its functions with inputs the grader chose, read its values.

Every request runs ``plain.KERNEL_SOURCE`` in the kernel (installed there
once per kernel, as a module of its own; a student who replaces it only
garbles their own answers) and reads back one line of JSON, which ``plain.loads`` decodes strictly into fresh numbers,
strings and arrays.  What the kernel answers is the student's answer: it can
be wrong, late, huge or malformed, and each of those only fails the check that
asked (``KernelError``); nothing it sends is executed or unpickled here.

* :class:`Kernel` sends requests through a running nbclient client (the one
  nbgrader's ``Execute`` uses for the notebook), with a time limit per request
  that interrupts the kernel, as a cell's would.
* :class:`RemoteFunction` is a student's function seen from the grader: calling
  it calls the function in the kernel.  ``with_adapter(source)`` wraps the call
  in code that runs kernel-side (to build an object the function needs there).
* :class:`RemoteObject` is any other object: its attributes are fetched as
  plain data (``net.params``, ``net.sizes``).
* :class:`KernelNamespace` is the mapping the hidden tests run in: a name the
  test does not define itself is looked up in the kernel and becomes a
  ``RemoteFunction``, a plain value or a ``RemoteObject``.
"""

from __future__ import annotations

import builtins
import json
import secrets
import time

from . import plain

__all__ = ["Kernel", "KernelError", "KernelTimeout", "RemoteFunction", "RemoteObject", "KernelNamespace"]


class KernelError(Exception):
    """The student's code raised (or did not answer) in the kernel; ``ename`` is the exception's name there."""

    def __init__(self, ename: str, message: str, where: str = ""):
        super().__init__(f"{ename}: {message}" if message else ename)
        self.ename = ename
        self.message = message
        self.where = where  # the innermost function of the notebook's own code in the traceback


class KernelTimeout(KernelError):
    """No answer within the time limit; the kernel was interrupted."""


class Kernel:
    """Requests to the kernel behind an nbclient ``NotebookClient`` (``client.kc``, ``client.km``)."""

    def __init__(self, client, timeout: float = 60.0):
        self.client = client
        self.timeout = float(timeout)
        self.seconds = 0.0  # time spent waiting for the kernel (the time a check's requests took)
        self.installed = False
        self.deadline = None  # time.monotonic() by which every request must be answered (one cell's budget)

    def budget(self, seconds: float) -> None:
        """From now on, all requests together get ``seconds`` (a cell's hidden tests share one time limit)."""
        self.deadline = time.monotonic() + float(seconds)

    def request(self, **req):
        from nbclient.util import run_sync

        start = time.perf_counter()
        try:
            return run_sync(self._request)(req)
        finally:
            self.seconds += time.perf_counter() - start

    async def _request(self, req: dict):
        from nbclient.exceptions import DeadKernelError

        token = "DESCENT-REPLY-" + secrets.token_hex(8)
        if not self.installed:  # the kernel's half, once per kernel, in a module of its own (not the user's names)
            setup = (f"import sys as _s, types as _t; _m = _t.ModuleType('_descent_grader'); "
                     f"_m.__dict__['__builtins__'] = __builtins__; exec({plain.KERNEL_SOURCE!r}, _m.__dict__); "
                     f"_s.modules['_descent_grader'] = _m; del _s, _t, _m\n")
            self.installed = True
        else:
            setup = ""
        code = f"{setup}__import__('_descent_grader')._main({token!r}, {json.dumps(req)!r})\n"
        kc, km = self.client.kc, self.client.km
        msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False)
        text: list[str] = []
        size, oversize = 0, False
        deadline = time.monotonic() + self.timeout
        if self.deadline is not None:
            deadline = min(deadline, self.deadline)
        interrupted = False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if interrupted:
                    raise DeadKernelError("the kernel does not answer, even after an interrupt")
                await km.interrupt_kernel()
                interrupted = True
                deadline = time.monotonic() + 10.0
                continue
            try:
                msg = await kc.get_iopub_msg(timeout=min(remaining, 1.0))
            except Exception:  # queue.Empty: no message within a second; is the kernel still there?
                if not await km.is_alive():
                    raise DeadKernelError("the kernel died") from None
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout" and not oversize:
                chunk = content.get("text", "")
                size += len(chunk)
                if size > plain.MAX_REPLY_BYTES + 4096:  # read on to the end, keep nothing more
                    oversize, text = True, []
                else:
                    text.append(chunk)
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        if interrupted:
            raise KernelTimeout("TimeoutError", "no answer within the time limit (the kernel was interrupted)")
        if oversize:
            raise KernelError("NotPlainData", f"the answer is larger than {plain.MAX_REPLY_BYTES // 2 ** 20} MiB")
        reply = None
        for line in "".join(text).splitlines():
            if line.startswith(token + " "):
                reply = line[len(token) + 1:]
        if reply is None:
            raise KernelError("NoAnswer", "the kernel sent no answer (was sys.stdout replaced?)")
        try:
            answer = plain.loads_reply(reply)
        except plain.NotPlainData as exc:
            raise KernelError("NotPlainData", str(exc)) from None
        if "error" in answer:
            return _raise(answer)
        return answer["ok"]

    # the requests
    def lookup(self, name: str):
        """What ``name`` is in the kernel: ``["data", value]``, ``"function"``, ``"object:<type>"`` or ``"missing"``."""
        return self.request(op="lookup", name=name)

    def get(self, name: str, *attrs: str):
        return self.request(op="get", name=name, attrs=list(attrs))

    def call(self, name: str, args: tuple, kwargs: dict, adapter: str | None = None):
        return self.request(op="call", name=name, args=plain.encode(tuple(args)), kwargs=plain.encode(dict(kwargs)),
                            adapter=adapter)


def _raise(answer: dict):
    ename, message = answer.get("error"), answer.get("message", "")
    raise KernelError(str(ename)[:100], str(message)[:2000], str(answer.get("where", ""))[:100])


class RemoteFunction:
    """A function defined in the student's kernel, called from the grader with plain-data arguments."""

    runs_in_kernel = True

    def __init__(self, kernel: Kernel, name: str, adapter: str | None = None):
        self.kernel, self.__name__, self.adapter = kernel, name, adapter

    def __call__(self, *args, **kwargs):
        return self.kernel.call(self.__name__, args, kwargs, self.adapter)

    def with_adapter(self, source: str) -> "RemoteFunction":
        """The same function, called through ``adapter(fn, *args)`` defined by ``source`` and run kernel-side."""
        return RemoteFunction(self.kernel, self.__name__, source)

    def __repr__(self):
        return f"<your function {self.__name__}, run in your kernel>"


class RemoteObject:
    """An object in the kernel that is neither a function nor plain data; its attributes are fetched as data."""

    def __init__(self, kernel: Kernel, name: str, type_name: str):
        self._kernel, self._name, self._type = kernel, name, type_name

    def __getattr__(self, attr: str):
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self._kernel.get(self._name, attr)

    def __repr__(self):
        return f"<your {self._type} {self._name}, in your kernel>"


class KernelNamespace(dict):
    """The local namespace of the hidden tests: what they assign stays here; other names come from the kernel.

    Builtins and the names in ``reserved`` (the grader's own globals, e.g.
    ``grader``) are never looked up in the kernel: ``float`` is the grader's
    ``float`` and ``grader.seed`` the grader's seed, whatever the notebook
    defines.  A name the kernel does not define raises ``NameError`` like an
    undefined name in the notebook would.
    """

    def __init__(self, kernel: Kernel, reserved=()):
        super().__init__()
        self.kernel = kernel
        self.reserved = reserved

    def __missing__(self, name: str):
        if name in self.reserved or hasattr(builtins, name):
            raise KeyError(name)
        kind = self.kernel.lookup(name)
        if kind == "missing":
            raise NameError(f"name {name!r} is not defined in your notebook")
        if kind == "function":
            value = RemoteFunction(self.kernel, name)
        elif isinstance(kind, list) and len(kind) == 2 and kind[0] == "data":
            value = kind[1]
        elif isinstance(kind, str) and kind.startswith("object:"):
            value = RemoteObject(self.kernel, name, kind[len("object:"):])
        else:
            raise KernelError("NotPlainData", f"unexpected answer about {name!r}")
        self[name] = value
        return value
