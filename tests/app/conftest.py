"""Fixtures of the app's tests: offscreen Qt, settings in a temporary folder, no leftovers."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Before anything imports Qt: tests never open a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

sys.path.insert(0, str(Path(__file__).parent.parent))
from _processes import descendants, reap_children, wait_gone

from visualizer.app.main_window import MainWindow


@pytest.fixture(autouse=True)
def _no_child_process_left() -> Iterator[None]:
    """A test that leaves the server or the load generator running fails."""
    before = descendants(os.getpid())
    yield
    reap_children()
    left = wait_gone(descendants(os.getpid()) - before, timeout_s=5.0)
    assert not left, f"the test left child processes running: {sorted(left)}"


@pytest.fixture(autouse=True)
def settings_dir(tmp_path: Path) -> Path:
    """QSettings of the test go to a folder of its own, never the user's."""
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture
def make_window(qtbot: object) -> Iterator[Callable[..., MainWindow]]:
    """Open MainWindows; all are closed at the end of the test, which ends their servers."""
    windows: list[MainWindow] = []

    def make(preset: dict[str, object] | None = None, show: bool = True) -> MainWindow:
        window = MainWindow(preset=preset)
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        windows.append(window)
        if show:
            window.show()
        return window

    yield make
    for window in windows:
        window.close()
