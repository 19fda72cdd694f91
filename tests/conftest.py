"""Shared fixtures. Every test must leave no child process behind."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must never try to open a display in tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

sys.path.insert(0, str(Path(__file__).parent))
from _processes import descendants, reap_children, wait_gone

from visualizer.runner.children import ChildProcess
from visualizer.runner.session import Session

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _no_process_left_behind() -> Iterator[None]:
    before = descendants(os.getpid())
    yield
    reap_children()
    left = wait_gone(descendants(os.getpid()) - before, timeout_s=5.0)
    assert not left, f"the test left child processes running: {sorted(left)}"


@pytest.fixture(autouse=True)
def _only_live_tests_start_processes(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pytest -m "not live"`` promises seconds and no server: a test that starts one
    without the ``live`` mark fails here, not by being slow."""
    if request.node.get_closest_marker("live") is not None:
        return

    def refuse(child: ChildProcess) -> None:
        raise AssertionError(f"the {child.name} process was started by a test not marked live")

    monkeypatch.setattr(ChildProcess, "start", refuse)


@pytest.fixture
def session() -> Iterator[Session]:
    """A real server for one test (the test must be marked live)."""
    session = Session()
    session.start_server()
    yield session
    session.close()


@pytest.fixture
def data_dir() -> Path:
    return DATA
