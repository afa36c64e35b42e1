"""The instructor's secret, and the per-student seeds drawn from it.

The hidden checks draw their inputs from ``seed(secret, student, assignment,
notebook, cell)``: different for every student and question, unknown to the
students (the secret never enters a sandbox, and is not in git), and the same
on every regrade.  The secret is 32 random bytes in a file of the course root
(``grading/grader_secret.key`` by default, git-ignored), created on first use
with permissions 0600.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

__all__ = ["load_secret", "seed", "SECRET_NAME"]

SECRET_NAME = "grader_secret.key"


def load_secret(path) -> bytes:
    """The secret in ``path``; a new one is written there (mode 0600) when the file does not exist."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    text = path.read_text().strip()
    if len(text) < 32:
        raise ValueError(f"the grader secret {path} is too short ({len(text)} characters); delete it to make a new one "
                         f"(every student's hidden inputs change with it)")
    return text.encode()


def seed(secret: bytes, *parts: str) -> int:
    """A 63-bit seed from HMAC-SHA256(secret, parts joined by '/')."""
    digest = hmac.new(secret, "/".join(parts).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1
