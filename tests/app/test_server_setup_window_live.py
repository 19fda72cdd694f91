"""The window on real servers of two setups: a comparison of 1 process against 2 (and of
two interpreters, where a 3.13 with the server's packages is here) restarts the server
between its runs and draws each process's loop on a lane of its own, live and at the
end; a Run of another setup afterwards restarts it again instead of being refused."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace

import pytest
from _interpreters import other_interpreter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.model.server_setup import ServerSetup
from visualizer.model.timeline import LaneKind, Timeline

pytestmark = pytest.mark.live

MakeWindow = Callable[..., MainWindow]
SERVER_TIMEOUT_MS = 60_000
PAIR_TIMEOUT_MS = 120_000


def _loops(timeline: Timeline) -> list[str]:
    return [lane.label for lane in timeline.lanes if lane.kind is LaneKind.LOOP]


def test_1_process_against_2_restarts_the_server_and_each_loop_has_its_lane(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window(
        {"style": "sync_sleep", "concurrency": 4, "requests": 8, "work_ms": 60.0, "pool": 2}
    )
    qtbot.waitUntil(window.run_action.isEnabled, timeout=SERVER_TIMEOUT_MS)
    live_loops: list[list[str]] = []
    window.compare_runner.timeline_changed.connect(
        lambda slot, timeline: live_loops.append(_loops(timeline)) if slot == 1 else None
    )
    settings = window.controls.settings()
    pair = (settings, replace(settings, workers=2, reuse_port=True))
    with qtbot.waitSignal(window.compare_runner.finished, timeout=PAIR_TIMEOUT_MS) as done:
        window.start_pair(pair)
    first, second = done.args
    assert _loops(first.timeline) == ["event loop"]
    assert _loops(second.timeline) == ["server 1: event loop", "server 2: event loop"]
    assert len(second.trace.processes) == 2
    assert live_loops and all(loops == _loops(second.timeline) for loops in live_loops)
    headings = [heading.text() for heading in window.comparison.headings]
    assert headings[0].startswith("sync_sleep, 1 server process: finished in")
    assert headings[1].startswith("sync_sleep, 2 server processes: finished in")
    assert window.driver.session.setup == ServerSetup(workers=2, reuse_port=True)

    # Back to one process: Run restarts the server as it needs, and runs.
    window.controls.setup_line.linkActivated.emit("reset")
    with qtbot.waitSignal(window.run_done, timeout=PAIR_TIMEOUT_MS) as run:
        qtbot.mouseClick(window.controls.run_button, Qt.MouseButton.LeftButton)
    assert run.args[0].trace.settings.workers == 1
    assert _loops(run.args[0].timeline) == ["event loop"]


def test_two_interpreters_side_by_side(qtbot: QtBot, make_window: MakeWindow) -> None:
    python = other_interpreter()
    if python is None:
        pytest.skip("no other Python with the server's packages (CI makes .ci/venv-3.1x)")
    window = make_window(
        {"style": "sync_cpu", "concurrency": 2, "requests": 2, "work_ms": 60.0, "pool": 2}
    )
    qtbot.waitUntil(window.run_action.isEnabled, timeout=SERVER_TIMEOUT_MS)
    settings = window.controls.settings()
    with qtbot.waitSignal(window.compare_runner.finished, timeout=PAIR_TIMEOUT_MS) as done:
        window.start_pair((settings, replace(settings, python=python)))
    first, second = done.args
    assert second.trace.versions["python"] != first.trace.versions["python"]
    assert first.trace.versions["python"] == ".".join(map(str, sys.version_info[:3]))
    headings = [heading.text() for heading in window.comparison.headings]
    assert headings[0].startswith(f"sync_cpu on Python {first.trace.versions['python']}")
    assert headings[1].startswith(f"sync_cpu on Python {second.trace.versions['python']}")
