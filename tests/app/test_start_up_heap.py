"""launch(): what start-up made is out of the cyclic collector's sight once the window runs.

A full collection walked every object of the process, ~110,000 after start-up: 70-90
ms holding Python's lock, the window frozen whatever thread set it off (the goal: the
GUI thread never blocked over 50 ms, while a file opens or a run streams in).
"""

from __future__ import annotations

import gc
import signal

import pytest
from PySide6.QtWidgets import QApplication

from visualizer.app.launcher import EXIT_OK, launch
from visualizer.app.main_window import MainWindow
from visualizer.app.session_driver import SessionDriver


def test_a_full_collection_in_the_launched_window_walks_only_what_came_after_start_up(
    monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    app = qapp
    walked: list[int] = []

    def run_briefly() -> int:
        walked.append(len(gc.get_objects()))  # what a full collection would walk now
        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.close()
        return 0

    monkeypatch.setattr(SessionDriver, "launch_server", lambda self: None)
    monkeypatch.setattr(app, "exec", run_briefly)
    monkeypatch.setattr(app, "setFont", lambda font: None)  # the suite keeps its font
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # and pytest its Ctrl+C
    assert len(gc.get_objects()) > 50_000
    try:
        assert launch({}) == EXIT_OK
    finally:
        gc.unfreeze()  # the rest of the suite collects as before
    assert walked and walked[0] < 5_000, walked
