"""Interpreters of other versions to run the server on, where this machine has them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def interpreter(version: str, free_threaded: bool = False) -> str | None:
    """A Python of ``version`` that has the server's packages: CI's venv, or one named by
    SCHEDVIZ_TEST_PYTHON_<3_13>; None if this machine has none."""
    tag = version.replace(".", "_") + ("t" if free_threaded else "")
    candidates = [
        os.environ.get(f"SCHEDVIZ_TEST_PYTHON_{tag}", ""),
        str(ROOT / f".ci/venv-{version}{'t' if free_threaded else ''}/bin/python"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            probe = subprocess.run(
                [candidate, "-c", "import fastapi, uvicorn, anyio, httpx"], capture_output=True
            )
            if probe.returncode == 0:
                return candidate
    return None


def other_interpreter() -> str | None:
    """A Python of another supported version than the one running the tests, with the
    server's packages: a comparison of two interpreters needs two versions."""
    running = "{}.{}".format(*sys.version_info[:2])
    for version in ("3.13", "3.12", "3.11"):
        if version != running and (python := interpreter(version)):
            return python
    return None
