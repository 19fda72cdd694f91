"""Fixtures of the app's tests: settings in a temporary folder, windows that close.

tests/conftest.py sets the offscreen platform and fails a test that leaves a process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings

from visualizer.app import main_window as main_window_module
from visualizer.app import palette
from visualizer.app import presentation as presentation_module
from visualizer.app.main_window import MainWindow
from visualizer.app.presentation import use_theme


@pytest.fixture(autouse=True)
def settings_dir(tmp_path: Path) -> Path:
    """QSettings of the test go to a folder of its own, never the user's."""
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture(autouse=True)
def _default_theme_after() -> Iterator[None]:
    """Theme and font scale are process-wide: every test leaves the defaults behind."""
    yield
    use_theme(False)
    palette.FONTS.scale = 1.0


@pytest.fixture
def make_window(
    qtbot: object, request: pytest.FixtureRequest
) -> Iterator[Callable[..., MainWindow]]:
    """Open MainWindows; all are closed at the end of the test, which ends their servers.

    Only a test marked ``live`` gets a server: the others look at opened files,
    examples and pictures, and must not wait for one.
    """
    windows: list[MainWindow] = []
    live = request.node.get_closest_marker("live") is not None

    def make(preset: dict[str, object] | None = None, show: bool = True) -> MainWindow:
        window = MainWindow(preset=preset)
        if not live:
            window.driver.launch_server = lambda: None  # type: ignore[method-assign]
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        windows.append(window)
        if show:
            window.show()
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def screen(monkeypatch: pytest.MonkeyPatch) -> Callable[[int, int], QRect]:
    """Pretend the window's screen is ``width`` x ``height`` (the offscreen one is 800 px)."""

    def use(width: int, height: int) -> QRect:
        area = QRect(0, 0, width, height)
        monkeypatch.setattr(main_window_module, "available_area", lambda _window: area)
        monkeypatch.setattr(presentation_module, "screen_area", lambda _window: area)
        return area

    return use
