"""``schedviz --run --screenshot out.png --quit``: a real window, a real run, a PNG."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from visualizer.app.main_window import DEFAULT_SIZE

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]


def test_screenshot_command_writes_a_png_of_the_whole_window(tmp_path: Path) -> None:
    out = tmp_path / "window.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    command = [sys.executable, "-m", "visualizer", "--style", "async_blocking"]
    command += ["--concurrency", "3", "--requests", "3", "--work-ms", "50"]
    command += ["--run", "--screenshot", str(out), "--quit"]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == DEFAULT_SIZE
    # Somewhere in the picture there is the blue of a running bar.
    assert image.pixelColor(0, 0).isValid()
    blue = {image.pixel(x, y) & 0xFFFFFF for x in range(0, 1600, 4) for y in range(0, 900, 4)}
    assert 0x0072B2 in blue
