"""The client gives up, the server does not: a real run where every request times out
while its ``def`` handler keeps a worker busy (issue 11, item 2)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from tests._plot_area import check_window_plot, scaled, window_mapping
from visualizer.app import palette
from visualizer.app.main_window import MainWindow
from visualizer.model.timeline import BarKind

pytestmark = pytest.mark.live

MakeWindow = Callable[..., MainWindow]
SERVER_TIMEOUT_MS = 60_000
RUN_TIMEOUT_MS = 60_000
#: sync_sleep, 5 at once, 10 in all, 2 s each on a pool of 5; the client waits 0.5 s.
TIMEOUT_CASE = {
    "style": "sync_sleep",
    "concurrency": 5,
    "requests": 10,
    "work_ms": 2000.0,
    "pool": 5,
    "timeout_s": 0.5,
}
#: A pixel this close (sum of RGB differences) to the abandoned colour shows it.
COLOUR_DISTANCE = 40


def test_handlers_the_client_gave_up_on_keep_the_pool_busy_on_screen(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window(TIMEOUT_CASE)
    window.resize(1024, 768)
    qtbot.waitUntil(window.run_action.isEnabled, timeout=SERVER_TIMEOUT_MS)
    seen_growing: list[bool] = []

    def a_worker_run_shows_before_any_ended() -> bool:
        run, shown = window.driver.run, window.timeline.timeline
        if run is None or shown is None:
            return False
        lanes = shown.lane[: len(shown)]
        on_workers = (lanes >= 1) & (lanes <= shown.worker_count)
        seen_growing.append(bool(on_workers.any()) and len(run.trace.worker) == 0)
        return seen_growing[-1]

    with qtbot.waitSignal(window.run_done, timeout=RUN_TIMEOUT_MS) as done:
        qtbot.mouseClick(window.controls.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(a_worker_run_shows_before_any_ended, timeout=RUN_TIMEOUT_MS)
        # The client is done at about 1 s; the handlers run until about 4 s.
        qtbot.waitUntil(
            lambda: "handlers still running" in window.status.progress_label.text(),
            timeout=RUN_TIMEOUT_MS,
        )
    result = done.args[0]
    summary = result.summary
    assert summary.failures == {"timeout": 10}
    assert (summary.workers_used, summary.pool_size, summary.pool_waited) == (5, 5, 5)
    assert summary.abandoned == 10
    story = window.summary.story.text()
    assert "The client gave up on 10 requests" in story
    assert "kept 5 workers of the pool of 5 busy" in story

    timeline = window.timeline.timeline
    assert timeline is result.timeline
    image = window.grab().toImage()
    check_window_plot(image, window.timeline.plot, window).assert_ok(min_lanes=12)
    # After the client's end, each worker lane is painted abandoned where the trace says.
    client_end = int(result.trace.done.rows["received"].max()) - result.trace.t0
    to_pixel = scaled(window_mapping(window.timeline.plot, window), image.devicePixelRatio())
    target = np.array(QColor(palette.BAR_COLOURS[BarKind.ABANDONED]).getRgb()[:3], float)
    for lane in range(1, 6):
        mine = (timeline.lane == lane) & (timeline.kind == BarKind.ABANDONED)
        late = mine & (timeline.end > client_end + 200_000_000)
        assert late.any(), f"worker {lane} has no abandoned run after the client's end"
        first = int(np.flatnonzero(late)[0])
        begin = max(int(timeline.start[first]), client_end) / 1e9
        finish = int(timeline.end[first]) / 1e9
        shares = []
        for seconds in np.linspace(begin + 0.05, finish - 0.05, 20):
            x, y = to_pixel(float(seconds), lane + 0.3)
            pixel = np.array(QColor(image.pixel(int(x), int(y))).getRgb()[:3], float)
            shares.append(np.abs(pixel - target).sum() <= COLOUR_DISTANCE)
        assert np.mean(shares) >= 0.9, f"worker {lane}: abandoned in {np.mean(shares):.0%}"
