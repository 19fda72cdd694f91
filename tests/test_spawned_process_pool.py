"""A user's process pool whose workers are spawned, not forked: they find our timing
wrapper by its module's name, their runs are traced, and nothing of ours is left."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

APP = """\
import asyncio, multiprocessing
from concurrent.futures import ProcessPoolExecutor
from fastapi import FastAPI

app = FastAPI()
POOL = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))


def crunch(n: int) -> int:
    return sum(i * i for i in range(n))


@app.get("/crunch")
async def route() -> dict[str, int]:
    return {"x": await asyncio.get_running_loop().run_in_executor(POOL, crunch, 100_000)}
"""


def _left_behind() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "schedviz-importable-*")))


@pytest.mark.live
def test_a_spawned_process_pool_is_traced_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "spawned.py").write_text(textwrap.dedent(APP))
    before = _left_behind()
    done = subprocess.run(
        [sys.executable, "-m", "visualizer", "run", "--app", "spawned:app", "--app-dir",
         str(tmp_path), "--request", "/crunch", "--requests", "4", "--concurrency", "2",
         "--json"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["ok"] == 4
    (pool,) = summary["other_pools"]
    assert (pool["kind"], pool["runs"]) == ("process", 4)
    assert _left_behind() <= before, "the folder that let spawned workers import us remains"
