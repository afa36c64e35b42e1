"""course_grader.sandbox: what a submission's kernel can and cannot do inside bubblewrap."""

from __future__ import annotations

import asyncio
import os
import socket
import textwrap

import pytest

from course_grader.sandbox import SandboxedKernelManager, SandboxSpec, library_view

pytestmark = pytest.mark.slow


def test_library_view_hands_over_only_the_named_modules(tmp_path):
    view = library_view(["nn"], tmp_path / "course_lib")
    from course_grader.sandbox import COURSE_LIB

    assert (view / "nn.py").read_text() == (COURSE_LIB / "nn.py").read_text()
    assert "def as_float_array" in (view / "validation.py").read_text()  # what nn imports comes along
    for stub in ("optim", "gradcheck", "random_search", "exercises/a03_optimizers", "exercises/engine",
                 "lectures/l05_momentum_adaptive", "exercises/a06_quiz"):
        text = (view / f"{stub}.py").read_text()
        assert "ReferenceUnavailable" in text and "def " + "adam_update" not in text
    ns = {"__name__": "course_lib.optim"}
    exec((view / "optim.py").read_text(), ns)
    with pytest.raises(RuntimeError, match=r"course_lib.optim.adam_update is the course's reference implementation; "
                                           r"it is not available while grading \(this assignment hands over: "
                                           r"course_lib.nn\)"):
        ns["__getattr__"]("adam_update")(1, 2)


PROBE = textwrap.dedent('''
    import os, socket, sys, resource
    facts = {}
    facts["uid"] = os.getuid()
    facts["cwd"] = os.getcwd()
    facts["sees_repo"] = os.path.exists(REPO + "/solutions") or os.path.exists(REPO + "/grading")
    facts["sees_root_home"] = os.path.exists("/root/.bash_history") or len(os.listdir("/root")) > 1
    facts["env"] = sorted(os.environ)
    facts["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=2).close(); facts["net"] = True
    except OSError:
        facts["net"] = False
    try:
        open(IPC + "/new-file", "w").write("x"); facts["ipc_writable"] = True
    except OSError:
        facts["ipc_writable"] = False
    try:
        with open("big", "wb") as fh:
            for _ in range(40):
                fh.write(b"\\0" * 2 ** 23)
        facts["scratch_full_at"] = None
    except OSError as exc:
        facts["scratch_full_at"] = os.path.getsize("big") // 2 ** 20
    os.remove("big")
    try:
        bytearray(2 * 2 ** 30); facts["allocated_2g"] = True
    except MemoryError:
        facts["allocated_2g"] = False
    facts["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    facts["caps"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
    facts["sees_submission_folder"] = os.path.exists("data.txt") or os.path.exists("link")
    for name, target in (("write_venv", sys.prefix + "/owned"),
                         ("write_usr", "/usr/owned")):
        try:
            open(target, "a").write("x"); facts[name] = True
        except OSError:
            facts[name] = False
    import course_lib.gradcheck as g
    try:
        g.numerical_gradient(lambda x: 0, [1.0])
    except Exception as exc:
        facts["reference"] = type(exc).__name__
    print("FACTS", facts)
''')


def _run_in_sandbox(code: str, spec: SandboxSpec, cwd) -> str:
    async def main():
        km = SandboxedKernelManager(spec, kernel_name="python3")
        await km.start_kernel(cwd=str(cwd))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            km.seal()
            msg_id = kc.execute(code.replace("IPC", repr(str(km.ipc_dir))))
            out = []
            while True:
                msg = await kc.get_iopub_msg(timeout=60)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    out.append("ERROR " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return "".join(out)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            km.cleanup_box()
    return asyncio.run(main())


def test_a_sandboxed_kernel_is_confined(bubblewrap, tmp_path):
    import ast
    from pathlib import Path

    repo = str(Path(__file__).resolve().parents[2])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    (tmp_path / "data.txt").write_text("the submission's own file")
    (tmp_path / "link").symlink_to(Path(repo) / "solutions")
    code = PROBE.replace("REPO", repr(repo)).replace("PORT", str(port))
    spec = SandboxSpec(memory_bytes=1536 * 2 ** 20, max_processes=32, scratch_bytes=64 * 2 ** 20, uid=200099)
    out = _run_in_sandbox(code, spec, tmp_path)
    facts = ast.literal_eval(out.split("FACTS", 1)[1].strip())
    if os.geteuid() == 0:
        assert facts["uid"] == 200099  # not root
    assert facts["cwd"] == "/home/student"
    assert not facts["sees_repo"] and not facts["sees_root_home"]
    assert not [v for v in facts["env"] if v.startswith("DESCENT")] and "PATH" in facts["env"]
    assert facts["pids"][0] == 1 and len(facts["pids"]) < 10  # its own PID namespace
    assert facts["net"] is False
    assert facts["ipc_writable"] is False
    assert facts["scratch_full_at"] is not None and facts["scratch_full_at"] <= 64
    assert facts["allocated_2g"] is False
    assert facts["nproc"] == 32
    assert facts["reference"] == "ReferenceUnavailable"
    if os.geteuid() == 0:
        assert int(facts["caps"], 16) == 0  # no capabilities
    assert not facts["sees_submission_folder"]  # nothing of the folder is mounted: a link there could point anywhere
    assert not facts["write_venv"] and not facts["write_usr"]
    listener.settimeout(0.1)
    with pytest.raises(socket.timeout):
        listener.accept()


def test_without_the_sandbox_the_limits_still_apply(tmp_path):
    """--no-sandbox gives up the isolation, not the memory and process limits (grading/README.md)."""
    code = ("import resource, os\n"
            "print('LIMITS', resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_NPROC)[0],"
            " os.getcwd())\n")
    spec = SandboxSpec(memory_bytes=1536 * 2 ** 20, max_processes=32, isolate=False)
    out = _run_in_sandbox(code, spec, tmp_path)
    memory, nproc, cwd = out.split("LIMITS", 1)[1].split()
    assert int(memory) == 1536 * 2 ** 20 and 32 < int(nproc) and cwd == str(tmp_path)


def test_nothing_is_bound_under_a_fresh_mount_before_it_is_made(monkeypatch):
    """A bind placed before the tmpfs that covers it would vanish (a course cloned under /tmp lost its venv)."""
    import sys

    from course_grader import sandbox

    monkeypatch.setattr(sys, "prefix", "/tmp/a-clone/.venv")  # a course cloned under /tmp
    monkeypatch.setattr(sandbox, "COURSE_LIB", sandbox.Path("/tmp/a-clone/course_lib"))
    km = SandboxedKernelManager(SandboxSpec(), kernel_name="python3")
    try:
        args = km.sandbox_prefix()
    finally:
        km.cleanup_box()
    mounts = []  # (position, destination) of fresh mounts and of binds
    for i, a in enumerate(args):
        if a in ("--tmpfs", "--proc", "--dev"):
            mounts.append((i, "fresh", args[i + 1]))
        elif a in ("--ro-bind", "--bind"):
            mounts.append((i, "bind", args[i + 2]))
    for i, kind, dest in mounts:
        if kind == "fresh":
            early = [d for j, k, d in mounts if k == "bind" and j < i and (d + "/").startswith(dest.rstrip("/") + "/")]
            assert not early, f"{early} bound before {dest} is mounted over them"


# The reference implementations each assignment's checks compare with (read off the assignments by hand):
# none of them may reach that assignment's grading kernel, however the modules it hands over import each other.
REFERENCES = {
    "01_numerical_gradients": {"gradcheck"},
    "02_backprop": {"nn"},
    "03_optimizers": {"optim", "schedules"},
    "04_random_search": {"random_search"},
    "05_training_project": {"train", "optim"},
    "06_quiz": set(),
    "07_gradient_descent": {"optim", "linesearch", "functions"},
    "08_minibatch_schedules": {"train", "functions", "schedules", "optim"},
    "09_asgd_dead_units": {"nn", "train", "optim"},
    "10_practical_issues": {"nn", "optim"},
}


def test_no_assignment_hands_over_its_own_reference(tmp_path):
    from pathlib import Path

    from traitlets.config.loader import PyFileConfigLoader

    grading = Path(__file__).resolve().parents[2] / "grading"
    hand_over = dict(PyFileConfigLoader("nbgrader_config.py", path=str(grading)).load_config().TrustedExecute.hand_over)
    assert set(hand_over) <= set(REFERENCES)
    for assignment, references in REFERENCES.items():
        view = library_view(hand_over.get(assignment, []), tmp_path / assignment / "course_lib")
        handed = sorted(name for name in references if "ReferenceUnavailable" not in (view / f"{name}.py").read_text())
        assert not handed, f"{assignment}'s grading kernel gets {handed}, its own reference"
