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


@pytest.fixture(autouse=True)
def _written_traces_nest(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[None]:
    """Every trace file a test writes under its temporary directories opens in Perfetto."""
    if request.node.get_closest_marker("nonsense_files"):
        yield
        return
    from _nesting import nesting_problems

    from visualizer.model._chrome_writer import HEAD

    base = tmp_path_factory.getbasetemp()
    before = {p: p.stat().st_mtime_ns for p in base.rglob("*.json")}
    yield
    for path in base.rglob("*.json"):
        if before.get(path) == path.stat().st_mtime_ns:
            continue
        raw = path.read_bytes()
        # Only files laid out as write_trace writes them, whole: tests of the reader
        # write damaged and nonsensical files on purpose.
        if not raw.startswith(HEAD.encode()) or b'\n],"displayTimeUnit"' not in raw[-4096:]:
            continue
        try:
            problems = nesting_problems(path)
        except ValueError:  # damaged on purpose: the reader's tests refuse it
            continue
        assert problems == [], f"{path.name} would not open whole in Perfetto: {problems[:3]}"
