"""The window drives real runs of a real server and draws what they did."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from visualizer.app import main_window
from visualizer.app.main_window import MainWindow
from visualizer.model.timeline import LaneKind
from visualizer.runner import session as session_module

pytestmark = pytest.mark.live

MakeWindow = Callable[..., MainWindow]

#: A busy 2-core machine starts a server in seconds, and runs a few requests in a few more.
SERVER_TIMEOUT_MS = 60_000
RUN_TIMEOUT_MS = 60_000


def wait_for_server(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(window.run_action.isEnabled, timeout=SERVER_TIMEOUT_MS)
    assert window.status.server_label.text().startswith("Server: running")


def test_run_button_runs_async_blocking_one_lane_per_request(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window(
        {"style": "async_blocking", "concurrency": 3, "requests": 3, "work_ms": 50.0}
    )
    wait_for_server(qtbot, window)
    with qtbot.waitSignal(window.run_done, timeout=RUN_TIMEOUT_MS) as done:
        qtbot.mouseClick(window.controls.run_button, Qt.MouseButton.LeftButton)
    result = done.args[0]
    timeline = window.timeline.timeline
    assert timeline is result.timeline
    kinds = [lane.kind for lane in timeline.lanes]
    assert kinds == [LaneKind.LOOP] + [LaneKind.REQUEST] * 3
    assert window.timeline.axis.labels == ["event loop", "request 1", "request 2", "request 3"]
    assert result.trace.ended == "complete"
    assert "3 of 3 done, 0 in flight" in window.status.progress_label.text()
    assert "blocked the event loop" in window.summary.story.text()
    assert window.controls.style_box.isEnabled()


def test_keyboard_runs_sync_sleep_on_two_workers(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    controls = window.controls
    controls.style_box.setCurrentText("sync_sleep")
    for name, value in (("concurrency", 4), ("requests", 4), ("pool", 2), ("work_ms", 50)):
        controls.fields[name].setValue(value)
    wait_for_server(qtbot, window)
    with qtbot.waitSignal(window.run_done, timeout=RUN_TIMEOUT_MS) as done:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    result = done.args[0]
    assert result.trace.settings.style == "sync_sleep"
    assert result.timeline.worker_count == 2
    assert [lane.label for lane in result.timeline.lanes[:3]] == [
        "event loop",
        "worker 1",
        "worker 2",
    ]
    assert len(result.timeline.lanes) == 1 + 2 + 4
    assert "waited for a worker" in window.summary.story.text()


def test_escape_stops_a_long_run(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window(
        {"style": "async_sleep", "concurrency": 2, "requests": 1000, "work_ms": 200.0}
    )
    wait_for_server(qtbot, window)
    window.run_action.trigger()
    qtbot.waitUntil(
        lambda: window.driver.run is not None and window.driver.run.done_count > 0,
        timeout=RUN_TIMEOUT_MS,
    )
    assert not window.controls.style_box.isEnabled()
    assert window.timeline.timeline is not None  # drawn while live
    with qtbot.waitSignal(window.run_done, timeout=RUN_TIMEOUT_MS) as done:
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert done.args[0].trace.ended == "stopped"
    assert done.args[0].summary.requests < 1000


def test_a_server_that_dies_is_reported_and_restarted(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    wait_for_server(qtbot, window)
    server = window.driver.session.server
    assert server is not None and server.pid is not None
    os.kill(server.pid, signal.SIGKILL)
    qtbot.waitUntil(
        lambda: "failed" in window.status.server_label.text(), timeout=SERVER_TIMEOUT_MS
    )
    assert "exited with status" in window.status.server_label.text()
    assert window.banner.isVisible()
    assert not window.run_action.isEnabled()
    qtbot.mouseClick(window.banner.restart, Qt.MouseButton.LeftButton)
    wait_for_server(qtbot, window)
    assert not window.banner.isVisible()


def test_a_server_that_never_says_hello_is_reported(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window(show=False)
    window.driver.start_timeout_s = 0.0
    window.show()
    qtbot.waitUntil(window.banner.isVisible, timeout=SERVER_TIMEOUT_MS)
    assert "did not start within" in window.banner.message.text()
    assert "did not start within" in window.status.server_label.text()


def test_a_concurrency_the_open_file_limit_cannot_carry_is_refused_in_a_dialog(
    qtbot: QtBot, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "open_files_allowed", lambda: 256)
    shown: list[str] = []
    monkeypatch.setattr(
        main_window.QMessageBox, "warning", lambda parent, title, text: shown.append(text)
    )
    window = make_window({"style": "async_sleep", "concurrency": 1000, "requests": 1000})
    wait_for_server(qtbot, window)
    window.run_action.trigger()
    assert len(shown) == 1
    assert "concurrency 1,000 needs about 1,024 open files" in shown[0]
    assert "allows at most 256" in shown[0]
    assert not window.driver.live
