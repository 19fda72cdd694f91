"""``schedviz --run --screenshot out.png --quit``: a real window, a real run, a PNG."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from _plot_area import check_window_plot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from visualizer.app.launcher import ScriptedRun
from visualizer.app.main_window import DEFAULT_SIZE, MainWindow

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]


def test_screenshot_command_writes_a_png_of_the_whole_window(tmp_path: Path) -> None:
    """As the README says: without a display, and without the user choosing a platform."""
    out = tmp_path / "window.png"
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    command = [sys.executable, "-m", "visualizer", "--style", "async_blocking"]
    command += ["--concurrency", "3", "--requests", "3", "--work-ms", "50"]
    command += ["--run", "--screenshot", str(out), "--quit"]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()
    image = QImage(str(out))
    assert not image.isNull()
    # What is in the plot is checked in-process below, where the plot's place is known.
    assert (image.width(), image.height()) == DEFAULT_SIZE


def _scripted_screenshot(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    out: Path,
    preset: dict[str, object],
    timeout_ms: int,
) -> tuple[MainWindow, QImage]:
    """What --run --screenshot does, in this process: the window and the picture it saved."""
    window = make_window(preset)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    script = ScriptedRun(window, str(out), quit_after=False, app=app)
    qtbot.waitUntil(out.exists, timeout=timeout_ms)
    assert script.exit_code == 0
    return window, QImage(str(out))


def test_the_scripted_screenshot_shows_every_lane_of_the_run(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    """The path --run --screenshot takes, in this process: the plot checked lane by lane."""
    preset = {"style": "async_blocking", "concurrency": 3, "requests": 3, "work_ms": 50}
    out = tmp_path / "window.png"
    window, image = _scripted_screenshot(make_window, qtbot, out, preset, timeout_ms=60_000)
    check_window_plot(image, window.timeline.plot, window).assert_ok(min_lanes=4)


def test_the_screenshot_of_a_run_longer_than_2_2_s_shows_the_whole_run(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    """Nanoseconds past 2.147 s overflowed Qt's int: the picture of such a run was blank."""
    preset = {"style": "async_blocking", "concurrency": 4, "requests": 4, "work_ms": 600}
    out = tmp_path / "window.png"
    window, image = _scripted_screenshot(make_window, qtbot, out, preset, timeout_ms=90_000)
    assert window.result is not None and window.result.timeline.span > 2.2e9
    assert window.timeline.timeline is window.result.timeline
    check_window_plot(image, window.timeline.plot, window).assert_ok(min_lanes=5)
