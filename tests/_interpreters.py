"""Interpreters of other versions to run the server on, where this machine has them."""

from __future__ import annotations

import os
import subprocess
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
