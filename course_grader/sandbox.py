"""A real sandbox for each submission's kernel: bubblewrap, an unprivileged user, limits, no network.

``SandboxedKernelManager`` is a jupyter_client kernel manager whose kernel
command runs inside ``bwrap`` (Debian's ``bubblewrap``):

* **namespaces**: new PID, network, IPC, UTS and cgroup namespaces (and a
  user namespace when the grader is not root).  No network at all (only a
  loopback that is down).
  Everything the submission starts dies with the kernel: bwrap's PID 1 is the
  namespace's init, and when the kernel is shut down or killed the whole
  namespace goes, double forks, new sessions and empty environments included
  (``--die-with-parent``);
* **filesystem**: a new root holding only the system (``/usr``, ``/etc`` ...),
  the Python installation and the course's virtual environment, read-only;
  ``course_lib`` as the assignment sees it (see :func:`library_view`), the
  data sets, read-only; a private, size-limited scratch folder (a tmpfs) as
  the working directory and home, empty (nothing of the submission's folder
  is mounted: a link there could point anywhere); a private ``/tmp``.  Not
  there: ``solutions/``, the gradebook, the instructor's secret, the course
  folder, other students' folders;
* **user and limits**: when the grader runs as root, the kernel runs as an
  unprivileged user of its own (``setpriv``, no capabilities, no new
  privileges); ``prlimit`` sets its address space (``RLIMIT_AS``), the number
  of processes (``RLIMIT_NPROC``: a fork bomb stops there), the size of any
  file it writes and no core dumps; the environment is cleared
  (``--clearenv``) and set afresh.

The kernel talks to the grader over Unix sockets (jupyter_client's ``ipc``
transport) in a folder of the sandbox's own, which is closed to the kernel's
user once the kernel is up (:meth:`SandboxedKernelManager.seal`).  The kernel
starts with ``python -P`` (its working folder is not on the import path), and
its uid is claimed with an flock, so no two live sandboxes share one.

``library_view(hand_over, dest)`` writes the ``course_lib`` the kernel
imports: the modules the assignment hands over (and what they import), and in
place of every other module a stub whose every attribute, when called, raises
``ReferenceUnavailable``.  The reference implementations are not in the
sandbox at all, so no trick in the kernel (aliases, ``importlib``, ``exec``,
patched ``sys``) can reach them.
"""

from __future__ import annotations

import ast
import dataclasses
import fcntl
import os
import shutil
import stat
import sys
import sysconfig
import tempfile
from pathlib import Path

import course_env
from jupyter_client.manager import AsyncKernelManager

__all__ = ["SandboxSpec", "SandboxUnavailable", "SandboxedKernelManager", "bwrap_path", "library_view",
           "INSTALL_HINT"]

INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install "
                "bubblewrap), or grade without a sandbox, accepting the risk, with --no-sandbox "
                "(see grading/README.md, 'What a submission can and cannot do')")
COURSE_LIB = Path(__file__).resolve().parent.parent / "course_lib"
HOME = "/home/student"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot start here."""


def bwrap_path() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(f"autograding runs every kernel in a bubblewrap sandbox, and bwrap is not "
                                 f"installed: {INSTALL_HINT}")
    return path


@dataclasses.dataclass
class SandboxSpec:
    """What one submission's kernel gets."""

    hand_over: tuple = ()                 # course_lib modules the assignment hands over (e.g. ("nn", "data"))
    memory_bytes: int | None = 4 * 2 ** 30
    max_processes: int = 64
    scratch_bytes: int = 256 * 2 ** 20
    max_file_bytes: int = 256 * 2 ** 20
    uid: int = 0                          # the unprivileged user the kernel runs as (when the grader is root)
    data_dir: str | None = None           # the data sets, read-only (COURSE_DATA_DIR)
    isolate: bool = True                  # False (--no-sandbox): only the limits, the kernel sees what the grader sees


def _module_file(name: str) -> Path | None:
    """The file of the course_lib module ``name`` (dotted, relative to course_lib: ``"nn"``, ``"exercises.a06_quiz"``)."""
    path = COURSE_LIB.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(name: str) -> set:
    """The course_lib modules the module ``name`` imports (relative or absolute), as dotted names."""
    package = name.split(".")[:-1]
    if _module_file(name).name == "__init__.py":
        package = name.split(".")
    found = set()
    for node in ast.walk(ast.parse(_module_file(name).read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
            elif (node.module or "").split(".")[0] == "course_lib":
                base = []
            else:
                continue
            module = [p for p in (node.module or "").split(".") if p]
            if not node.level:
                module = module[1:]
            found.add(".".join(base + module))
            found.update(".".join(base + module + [a.name]) for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".", 1)[1] for a in node.names if a.name.startswith("course_lib."))
    return {n for n in found if n and _module_file(n) is not None}


def _closure(hand_over) -> set:
    todo, seen = list(hand_over), set()
    while todo:
        name = todo.pop()
        if name in seen or _module_file(name) is None:
            continue
        seen.add(name)
        todo.extend(_imports(name))
    return seen


STUB = '''"""course_lib.{name} is not available while grading: the grader runs your notebook without the course's reference library.

Modules this assignment hands over: {handed}.
"""


class ReferenceUnavailable(RuntimeError):
    """A call into the course's reference library while grading."""


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)

    def reference(*args, **kwargs):
        raise ReferenceUnavailable(
            f"course_lib.{name}.{{name}} is the course's reference implementation; it is not available while "
            f"grading (this assignment hands over: {handed}). Compute the answer yourself.")

    reference.__name__ = name
    return reference
'''

INIT = '''"""course_lib as this assignment's grader sees it: only the modules it hands over ({handed})."""

import importlib as _importlib

__version__ = {version!r}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return _importlib.import_module(__name__ + "." + name)
    except ModuleNotFoundError:
        raise AttributeError(name) from None
'''


def library_view(hand_over, dest: Path) -> Path:
    """Write the ``course_lib`` a sandboxed kernel imports into ``dest`` (see the module docstring).

    ``hand_over`` names modules relative to ``course_lib`` (``"nn"``,
    ``"exercises.a06_quiz"``); packages are written as lazy ``__init__`` files.
    """
    import course_lib

    dest = Path(dest)
    real = _closure(hand_over)
    handed = ", ".join(f"course_lib.{m}" for m in sorted(hand_over)) or "none"
    for path in sorted(COURSE_LIB.rglob("*.py")):
        relative = path.relative_to(COURSE_LIB)
        name = ".".join(relative.with_suffix("").parts)
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.name == "__init__.py":
            target.write_text(INIT.format(handed=handed, version=course_lib.__version__))
        elif name in real:
            shutil.copy(path, target)
        else:
            target.write_text(STUB.format(name=name, handed=handed))
    return dest


def _with_parents(args: list[str]) -> list[str]:
    """``args`` with ``--perms 0755 --dir`` for every folder a mount needs above it (bwrap makes them 0700)."""
    out, made = [], {"/"}
    i = 0
    while i < len(args):
        op = args[i]
        if op in ("--ro-bind", "--bind", "--symlink", "--tmpfs", "--proc", "--dev"):
            dest = args[i + 1] if op in ("--tmpfs", "--proc", "--dev") else args[i + 2]
            parent = os.path.dirname(dest.rstrip("/"))
            chain = []
            while parent not in made:
                chain.append(parent)
                parent = os.path.dirname(parent)
            for d in reversed(chain):
                out += ["--perms", "0755", "--dir", d]
                made.add(d)
            made.add(dest.rstrip("/"))
        width = {"--ro-bind": 3, "--bind": 3, "--symlink": 3, "--chmod": 3, "--tmpfs": 2, "--proc": 2, "--dev": 2,
                 "--size": 2, "--perms": 2}.get(op, 1)
        if op == "--size":  # belongs to the --tmpfs after it: keep them together
            nxt = _with_parents(args[i + 2:i + 4])
            out += nxt[:-2] + args[i:i + 2] + nxt[-2:]
            made.add(args[i + 3].rstrip("/"))
            i += 4
            continue
        out += args[i:i + width]
        i += width
    return out


def _system_binds() -> list[str]:
    args = []
    for d in ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.lexists(d):
            if os.path.islink(d):
                args += ["--symlink", os.readlink(d), d]
            else:
                args += ["--ro-bind", d, d]
    return args


def _python_binds() -> list[str]:
    """The Python installation and the virtual environment, wherever they are (under /tmp too: bound after it)."""
    args = []
    prefixes = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, sysconfig.get_paths()["stdlib"])}
    for p in sorted(prefixes):
        if not any(p == d or p.startswith(d + "/") for d in ("/usr", "/etc", "/bin", "/lib", "/lib64")):
            args += ["--ro-bind", p, p]
    return args


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs in a bubblewrap sandbox (see the module docstring).

    With ``spec.isolate`` False (``--no-sandbox``) the kernel runs as the grader's user, where nbgrader
    would run it, under the same ``prlimit`` limits and nothing else.
    """

    def __init__(self, spec: SandboxSpec | None = None, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec or SandboxSpec()
        self.box = Path(tempfile.mkdtemp(prefix="descent-sandbox-"))
        self.ipc_dir = self.box / "ipc"
        self.ipc_dir.mkdir()
        self.transport = "ipc"
        self.ip = str(self.ipc_dir / "k")
        self.connection_file = str(self.ipc_dir / "kernel.json")
        self.library = library_view(self.spec.hand_over, self.box / "course_lib") if self.spec.isolate else None
        self.workdir: str | None = None
        self.as_root = hasattr(os, "geteuid") and os.geteuid() == 0 and self.spec.isolate  # drop to a uid of its own
        self._uid_lock = None
        if self.as_root:
            self.spec.uid, self._uid_lock = _claim_uid(self.spec.uid)
            os.chown(self.ipc_dir, self.spec.uid, self.spec.uid)
        os.chmod(self.box, 0o755)

    async def _async_start_kernel(self, **kw):
        # a signal would reach bwrap, not the kernel inside: interrupt with a control message (ipykernel >= 6)
        self.kernel_spec.interrupt_mode = "message"
        self.workdir = kw.get("cwd")
        if self.spec.isolate:
            kw["cwd"] = str(self.box)
        return await super()._async_start_kernel(**kw)

    start_kernel = _async_start_kernel

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.as_root:
            os.chown(self.connection_file, self.spec.uid, self.spec.uid)

    def seal(self) -> None:
        """Close the socket folder to the kernel's user (its sockets stay usable): it can create no files there.

        Nothing is followed: whatever in the folder is not a socket (a link, a folder, a file the kernel
        made, its connection file once read) is removed first.
        """
        os.chown(self.ipc_dir, 0, 0, follow_symlinks=False) if self.as_root else None
        os.chmod(self.ipc_dir, 0o711)
        for entry in os.scandir(self.ipc_dir):
            if not stat.S_ISSOCK(entry.stat(follow_symlinks=False).st_mode):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if cmd[1:2] == ["-m"]:  # -P: the working folder is not put first on the import path
            cmd.insert(1, "-P")
        return self.sandbox_prefix() + cmd

    def sandbox_prefix(self) -> list[str]:
        spec = self.spec
        if not spec.isolate:
            return self._limits(spec.max_processes + _processes_of(os.getuid()))
        # as root, no user namespace: the kernel then drops to an unprivileged user of its own (setpriv below);
        # otherwise bwrap's user namespace keeps the caller's user
        unshare = (["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
                   if self.as_root else ["--unshare-all"])
        # the fresh mounts first, then what is bound into them (the course may live under /tmp)
        args = [bwrap_path(), "--die-with-parent", "--new-session", *unshare,
                *_system_binds(),
                "--proc", "/proc", "--dev", "/dev",
                "--size", str(64 * 2 ** 20), "--tmpfs", "/tmp", "--chmod", "1777", "/tmp",
                "--size", str(spec.scratch_bytes), "--tmpfs", HOME, "--chmod", "1777", HOME,
                *_python_binds(),
                "--ro-bind", str(self.library), str(COURSE_LIB),
                "--bind", str(self.ipc_dir), str(self.ipc_dir)]
        if spec.data_dir and os.path.isdir(spec.data_dir):
            args += ["--ro-bind", spec.data_dir, spec.data_dir]
        keras_cache = os.path.expanduser("~/.keras/datasets")  # the loaders' second place to look
        if os.path.isdir(keras_cache):
            args += ["--ro-bind", keras_cache, f"{HOME}/.keras/datasets"]
        env = {"HOME": HOME, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
               "MPLCONFIGDIR": f"{HOME}/.config/matplotlib", "IPYTHONDIR": f"{HOME}/.ipython",
               "JUPYTER_RUNTIME_DIR": f"{HOME}/.jupyter-runtime", "PYTHONDONTWRITEBYTECODE": "1",
               # the kit's own: one BLAS thread, Agg, quiet TensorFlow, the data folder bound above
               **course_env.defaults(headless=True, data_dir=spec.data_dir)}
        args = args[:1] + _with_parents(args[1:])
        args += ["--clearenv", "--chdir", HOME]
        for k, v in env.items():
            args += ["--setenv", k, v]
        args.append("--")
        if self.as_root:
            args += ["/usr/bin/setpriv", f"--reuid={spec.uid}", f"--regid={spec.uid}", "--clear-groups",
                     "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
            nproc = spec.max_processes
        else:  # RLIMIT_NPROC counts every process of this user: leave room for the ones already running
            nproc = spec.max_processes + _processes_of(os.getuid())
        return args + self._limits(nproc)

    def _limits(self, nproc: int) -> list[str]:
        limits = [f"--nproc={nproc}", f"--fsize={self.spec.max_file_bytes}", "--core=0"]
        if self.spec.memory_bytes:
            limits.append(f"--as={self.spec.memory_bytes}")
        return ["/usr/bin/prlimit", *limits, "--"]

    def cleanup_box(self) -> None:
        shutil.rmtree(self.box, ignore_errors=True)
        if self._uid_lock is not None:
            self._uid_lock.close()
            self._uid_lock = None


UID_LOCKS = Path("/run/lock/descent-sandbox-uids") if os.path.isdir("/run/lock") else Path("/tmp/descent-sandbox-uids")


def _claim_uid(first: int, count: int = 1000):
    """An unused kernel uid (from ``first`` on) and the lock that holds it: no two live sandboxes share one.

    RLIMIT_NPROC counts per user, so two kernels with one uid would share one process budget (and one
    student's fork bomb would starve the other).  The lock is an flock on a file per uid, released when
    the sandbox is cleaned up or its grader dies.
    """
    UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
    for k in range(count):
        uid = 200000 + (first - 200000 + k) % count
        fh = open(UID_LOCKS / str(uid), "w")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return uid, fh
        except OSError:
            fh.close()
    raise SandboxUnavailable(f"all {count} sandbox user ids from {first} on are in use")


def _processes_of(uid: int) -> int:
    n = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                n += 1
        except OSError:
            continue
    return n
