"""`python3 course.py lab` really serves JupyterLab on the course notebooks."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from _net import free_port

ROOT = Path(__file__).resolve().parents[2]



def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
def test_course_lab_serves_jupyterlab(tmp_path):
    port, token = free_port(), "descent-test-token"
    cmd = [
        sys.executable, str(ROOT / "course.py"), "lab", "--no-browser", f"--port={port}",
        "--ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.runtime_dir={tmp_path}",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, status, lab_page = time.monotonic() + 90, None, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as r:
                    status = json.load(r)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5) as r:
                    lab_page = r.read().decode()
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=5) as r:
                    contents = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        assert proc.poll() is None, f"JupyterLab exited early:\n{proc.stdout.read()}"
        assert status is not None and "started" in status, "JupyterLab did not answer within 90 s"
        assert "JupyterLab" in lab_page
        # the file browser is rooted at notebooks/
        listed = {item["name"] for item in contents["content"]}
        assert listed == {p.name for p in (ROOT / "notebooks").iterdir() if not p.name.startswith(".")}

        # Stopping the command stops the server (course.py must not leave an orphan behind).
        proc.terminate()
        proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _answers(port):
            time.sleep(0.5)
        assert not _answers(port), "JupyterLab still serves after `course.py lab` was terminated"
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
