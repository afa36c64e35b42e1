"""The autograding preprocessor: the notebook runs in a sandboxed kernel, the hidden tests run in the grader.

``TrustedExecute`` replaces nbgrader's ``Execute`` in ``nbgrader autograde``
(``grading/nbgrader_config.py``) and so in the parallel driver too.  For each
cell of the submission:

* an ordinary cell runs in the student's kernel, as in nbgrader; the kernel
  runs in a bubblewrap sandbox (``course_grader.sandbox``), unless the
  instructor asked for ``--no-sandbox``;
* an autograded test cell is split.  Its hidden tests are taken from the
  gradebook (what ``generate_assignment`` recorded from ``solutions/``), never
  from the submission, and run **here**, in the grader's process, in a
  namespace where the names the notebook defines are proxies into the kernel
  (``course_grader.kernel``): the check calls the student's function there
  with inputs it draws from the instructor's secret and the student's id, gets
  plain data back and decides.  Then the cell's visible tests run in the
  kernel, as the student saw them.  The grader's verdict is put *first* among
  the cell's outputs, so nbgrader scores the cell from it: an error there is
  0 points whatever the kernel printed after it; what the kernel printed or
  raised can only lower the score (an error or stderr output fails the cell).
  A test cell with no hidden tests in the gradebook fails: nothing the kernel
  alone says earns points.

A kernel that dies (``os._exit``, a segfault, the memory limit) or stops
answering (a broken ``builtins``) ends the run, not the student's grading:
the cell gets an error saying so, the cells after it are marked as not run,
and the points earned before are kept.

The hidden tests see ``grader`` (a :class:`GraderTools`): ``grader.seed``
(this student's and this cell's seed), ``grader.kernel_seconds`` (the kernel's
time on the cells before this one and on the grader's requests, measured
here) and the kernel handle.  A cell's hidden tests share one time limit (the
cell timeout) however many requests they make, and a cell's output is cut
beyond ``max_cell_output_bytes`` as it arrives.
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import os
import re
import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, Enum, Integer, Unicode

from .kernel import Kernel, KernelError, KernelNamespace
from .sandbox import SandboxedKernelManager, SandboxSpec, bwrap_path
from .secret import SECRET_NAME, load_secret, seed

__all__ = ["TrustedExecute", "GraderTools", "split_hidden", "TIMINGS"]

TIMINGS = "[descent-timings]"  # the log line with where one notebook's grading time went (seconds)

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*\n?", flags=re.S | re.M)


def split_hidden(source: str) -> tuple[str, str]:
    """(the hidden tests' code, the visible rest) of a test cell's source."""
    hidden = "".join(m.group(1) for m in HIDDEN.finditer(source))
    return hidden, HIDDEN.sub("", source)


@dataclasses.dataclass
class GraderTools:
    """What the hidden tests of one cell get besides the student's names."""

    seed: int
    kernel: Kernel
    cells_seconds: float
    student: str

    @property
    def kernel_seconds(self) -> float:
        """The kernel's time so far, measured here: the cells before this one, and every request of the grader."""
        return self.cells_seconds + self.kernel.seconds


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class TrustedExecute(Execute):
    """nbgrader's ``Execute`` with the hidden tests run outside the student's kernel (see the module docstring)."""

    sandbox = Bool(True, help="Run every kernel in a bubblewrap sandbox (False: --no-sandbox, see the README)"
                   ).tag(config=True)
    hand_over = Dict(help="assignment -> the course_lib modules its kernel may import while grading").tag(config=True)
    memory_limit_mb = Integer(4096, help="address space of the kernel and each process it starts").tag(config=True)
    max_processes = Integer(64, help="processes the submission may run at once").tag(config=True)
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate",
                           help="nothing is saved from a graded kernel: killing it with its sandbox is faster"
                           ).tag(config=True)
    max_cell_output_bytes = Integer(2 * 2 ** 20, help="output kept per cell; the rest is cut").tag(config=True)
    max_notebook_output_bytes = Integer(16 * 2 ** 20, help="output kept per notebook").tag(config=True)
    secret_file = Unicode("", help=f"the instructor's secret (default: $DESCENT_GRADER_SECRET, else {SECRET_NAME} "
                                   f"in the course root)").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._reset()

    def _reset(self):
        """The state of one notebook's run."""
        self._died_at = None
        self._kernel_seconds = 0.0
        self._sandbox_km = None
        self._kernel = None
        self._output_bytes: dict = {}
        self._notebook_bytes = 0
        self.timings = {"kernel_start": 0.0, "cells": 0.0, "checks": 0.0}

    def preprocess(self, nb, resources=None, km=None):
        if self.sandbox:
            bwrap_path()  # stops here, with how to install it, when bubblewrap is missing
        info = resources["nbgrader"]
        self._student, self._assignment, self._notebook = info["student"], info["assignment"], info["notebook"]
        self._hidden = _trusted_hidden_tests(info["db_url"], self._assignment, self._notebook)
        self._secret = load_secret(self.secret_file or os.environ.get("DESCENT_GRADER_SECRET") or SECRET_NAME)
        self._reset()
        start = time.perf_counter()
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError:
            if self._died_at is None:  # raised again when the kernel's context closes: cells already marked
                raise
            return nb, resources
        finally:
            if self._sandbox_km is not None:
                self._sandbox_km.cleanup_box()
            self.timings["execute"] = time.perf_counter() - start  # all of the above, and the kernel's shutdown
            self.log.info("%s %s", TIMINGS, json.dumps(self.timings))

    # the kernel: in the sandbox ------------------------------------------------
    def create_kernel_manager(self):
        if not self.kernel_name:
            self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        slot = int(os.environ.get("DESCENT_SANDBOX_SLOT", os.getpid() % 10000))
        spec = SandboxSpec(hand_over=tuple(self.hand_over.get(self._assignment, ())),
                           memory_bytes=self.memory_limit_mb * 2 ** 20 if self.memory_limit_mb else None,
                           max_processes=self.max_processes, uid=200000 + slot,
                           data_dir=os.environ.get("COURSE_DATA_DIR"))
        spec.isolate = self.sandbox  # --no-sandbox: the limits only, no bubblewrap
        self.km = self._sandbox_km = SandboxedKernelManager(spec, kernel_name=self.kernel_name, config=self.config)
        return self.km

    async def async_start_new_kernel(self, **kwargs):
        start = time.perf_counter()
        await super().async_start_new_kernel(**kwargs)
        self.timings["kernel_start"] += time.perf_counter() - start

    async def async_start_new_kernel_client(self):
        start = time.perf_counter()
        kc = await super().async_start_new_kernel_client()
        if self._sandbox_km is not None:
            self._sandbox_km.seal()
        self.timings["kernel_start"] += time.perf_counter() - start
        return kc

    # nbclient's setup_kernel calls these sync wrappers, made from the base class's coroutines: rebind them
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    # the cells -----------------------------------------------------------------
    def preprocess_cell(self, cell, resources, index):
        if self._died_at is not None:
            if cell.cell_type == "code":
                cell.outputs = [_error("KernelDied", f"not run: the kernel died in cell {self._died_at}")]
            return cell, resources
        try:
            if utils.is_grade(cell) and cell.cell_type == "code":
                return self._grade(cell, resources, index)
            return self._in_kernel(cell, resources, index)
        except (DeadKernelError, CellTimeoutError) as exc:
            self._died_at = index
            what = ("stopped answering while running this cell" if isinstance(exc, CellTimeoutError) else
                    "died while running this cell (os._exit, a crash, or running out of memory)")
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("ename") != "KernelDied"]
            cell.outputs.append(_error("KernelDied", f"the kernel {what}; the cells below were not run"))
            return cell, resources

    def _in_kernel(self, cell, resources, index):
        start = time.perf_counter()
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            self._kernel_seconds += time.perf_counter() - start
            self.timings["cells"] = self._kernel_seconds

    def _grade(self, cell, resources, index):
        full = cell.source
        _, visible = split_hidden(full)
        hidden = self._hidden.get(cell.metadata["nbgrader"]["grade_id"])
        if not hidden:
            verdict = [_error("NotGraded", "this test cell has no hidden test in the gradebook, and the kernel's "
                                           "word alone earns no points (regenerate the assignment)")]
        else:
            start = time.perf_counter()
            verdict = self._run_hidden(hidden, cell.metadata["nbgrader"]["grade_id"])
            self.timings["checks"] += time.perf_counter() - start
        cell.outputs = []
        if visible.strip():
            cell.source = visible
            try:
                cell, resources = self._in_kernel(cell, resources, index)
            finally:
                cell.source = full
        cell.outputs = verdict + list(cell.outputs)
        return cell, resources

    def _run_hidden(self, code: str, grade_id: str) -> list:
        """Run one cell's hidden tests here; [] if they pass, else the error output to put first in the cell."""
        if self._kernel is None:
            self._kernel = Kernel(self, timeout=self.timeout or 60)
        kernel = self._kernel
        kernel.budget(self.timeout or 60)  # one time limit for the cell's hidden tests, whatever they ask
        tools = GraderTools(seed=seed(self._secret, self._assignment, self._notebook, grade_id, self._student),
                            kernel=kernel, cells_seconds=self._kernel_seconds, student=self._student)
        scope = {"__builtins__": builtins, "__name__": "hidden_tests", "grader": tools}
        names = KernelNamespace(kernel, reserved=scope)
        try:
            exec(compile(code, f"<hidden tests of {grade_id}>", "exec"), scope, names)
        except DeadKernelError:
            raise
        except AssertionError as exc:
            return [_error("AssertionError", _short(str(exc)))]
        except KernelError as exc:
            return [_error(exc.ename, _short(f"your notebook raised {exc}"))]
        except Exception as exc:  # NameError for an undefined name, or a check that could not run
            return [_error(type(exc).__name__, _short(str(exc)))]
        return []

    # outputs: bounded in bytes as they arrive (LimitOutput counts lines, afterwards) ------------
    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return out
        used = self._output_bytes.get(cell_index, 0) + _size(out)
        self._output_bytes[cell_index] = used
        self._notebook_bytes += _size(out)
        if used > self.max_cell_output_bytes or self._notebook_bytes > self.max_notebook_output_bytes:
            if outs and outs[-1] is out:
                outs.pop()
            if not any(o.get("name") == "stdout" and CUT in o.get("text", "") for o in outs):
                outs.append(NotebookNode(output_type="stream", name="stdout",
                                         text=f"\n{CUT} more than {self.max_cell_output_bytes // 2 ** 20} MiB in a "
                                              f"cell or {self.max_notebook_output_bytes // 2 ** 20} MiB in the "
                                              f"notebook]\n"))
            return None
        return out


CUT = "[output cut by the grader:"


def _size(out) -> int:
    if out.get("output_type") == "stream":
        return len(out.get("text", ""))
    return sum(len(str(v)) for v in out.get("data", {}).values()) + len(str(out.get("traceback", "")))


def _short(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else text[:limit] + f" ... ({len(text) - limit} more characters)"


def _trusted_hidden_tests(db_url: str, assignment: str, notebook: str) -> dict:
    """grade_id -> the hidden tests' code of each test cell, as the gradebook recorded it from the source."""
    from nbgrader.api import Gradebook, MissingEntry

    hidden = {}
    with Gradebook(db_url) as gb:
        try:
            nb = gb.find_notebook(notebook, assignment)
        except MissingEntry:
            return hidden
        for cell in nb.source_cells:
            code, _ = split_hidden(cell.source or "")
            if code.strip():
                hidden[cell.name] = code
    return hidden
