"""Ctrl+C in the terminal closes the window as Quit does: settings kept, server gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _processes import descendants, wait_gone

pytestmark = pytest.mark.live


def test_ctrl_c_closes_the_app_saving_settings_and_ending_the_server(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    app = subprocess.Popen(
        [sys.executable, "-m", "visualizer", "--concurrency", "7"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (children := descendants(app.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert children, "the app never started its server"
        app.send_signal(signal.SIGINT)
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert wait_gone(children, timeout_s=3.0) == set()
    settings = (tmp_path / "schedviz" / "schedviz.ini").read_text()
    assert "concurrency=7" in settings
