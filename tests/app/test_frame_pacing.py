"""Frames are paced from the end of one frame's work, not from its start.

On a loaded machine a live frame took 46 ms and its paint 38 ms; a repeating 33 ms
timer then started the next frame at once, and the window froze 137 ms at a time.
"""

from __future__ import annotations

import time

from pytestqt.qtbot import QtBot

from visualizer.app.session_driver import FRAME_MS, SessionDriver
from visualizer.runner.session import Session


class SlowSession(Session):
    """A session with no children whose every frame of work takes 50 ms."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[tuple[float, float]] = []

    def launch_server(self) -> None:
        pass

    def pump(self, timeout_s: float = 0.0, budget_s: float | None = None) -> int:
        started = time.perf_counter()
        time.sleep(0.05)
        self.frames.append((started, time.perf_counter()))
        return 0


def test_a_slow_frame_leaves_the_event_loop_a_frame_of_time_before_the_next(
    qtbot: QtBot,
) -> None:
    session = SlowSession()
    driver = SessionDriver(session)
    driver.launch_server()
    try:
        qtbot.waitUntil(lambda: len(session.frames) >= 5, timeout=5000)
    finally:
        driver.close()
    rests = [b[0] - a[1] for a, b in zip(session.frames, session.frames[1:], strict=False)]
    # A coarse Qt timer may fire up to 5% early.
    assert min(rests) >= 0.9 * FRAME_MS / 1000, rests
