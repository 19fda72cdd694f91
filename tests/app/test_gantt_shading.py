"""What the plot area shows zoomed out: a half-busy lane half dark, a busy one solid.

A synthetic run drawn in a TimelinePlot and grabbed: the event loop busy 50% of the
time in slices far narrower than a pixel, a worker busy the whole time, a request
that failed (a mark of a millisecond). Each lane's row of pixels is measured as the
share of the way from its background to its bar colour.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from _plot_area import _rgb, _rgb_array, check_window_plot, window_mapping
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from visualizer.app import palette
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.model.phases import PhaseSegments
from visualizer.model.timeline import BarKind, Lane, LaneKind, Timeline

SECOND = 1_000_000_000
SLICE = 20_000  # 20 µs on, 20 µs off: 25,000 slices a second, ~25 a pixel column
FAILED_AT = SECOND // 2


def half_busy_run() -> Timeline:
    loop_start = np.arange(0, SECOND, 2 * SLICE, dtype=np.int64)
    start = np.concatenate([loop_start, [0, FAILED_AT]])
    end = np.concatenate([loop_start + SLICE, [SECOND, FAILED_AT + 1_000_000]])
    slices = len(loop_start)
    kind = np.concatenate(
        [np.full(slices, BarKind.RUNNING), [BarKind.RUNNING, BarKind.FAILED]]
    ).astype(np.int8)
    empty = np.empty(0, np.int64)
    return Timeline(
        lanes=[
            Lane(LaneKind.LOOP, "event loop", 0),
            Lane(LaneKind.WORKER, "worker 1", 1),
            Lane(LaneKind.REQUEST, "request 1", 1),
        ],
        lane=np.concatenate([np.zeros(slices), [1, 2]]).astype(np.int32),
        start=start,
        end=end,
        kind=kind,
        request=np.concatenate([np.ones(slices, np.int64), [2, 1]]),
        cpu=np.full(slices + 2, -1, np.int64),
        phases=PhaseSegments(empty, empty, empty, np.empty(0, np.int8)),
        span=SECOND,
        worker_count=1,
    )


@pytest.fixture
def plot(qtbot: QtBot) -> Iterator[TimelinePlot]:
    widget = TimelinePlot()
    qtbot.addWidget(widget)
    widget.resize(1000, 320)
    widget.show()
    widget.set_timeline(half_busy_run())
    widget.show_whole()
    qtbot.waitExposed(widget)
    yield widget


def grab(plot: TimelinePlot, qtbot: QtBot) -> QImage:
    qtbot.wait(50)  # let the plot repaint at its final range
    return plot.grab().toImage()


def lane_row(image: QImage, plot: TimelinePlot, lane: int, x0: float, x1: float) -> np.ndarray:
    """RGB of the pixels across the middle of ``lane`` from x0 to x1 seconds."""
    to_pixel = window_mapping(plot, plot)
    scale = image.devicePixelRatio()
    left, middle = to_pixel(x0, lane + 0.5)
    right, _ = to_pixel(x1, lane + 0.5)
    rgb = _rgb_array(image)
    return rgb[int(middle * scale), int(left * scale) : int(right * scale)].astype(float)


def ink(row: np.ndarray, background: str, bar: str) -> np.ndarray:
    """Per pixel, how far from the background towards the bar colour: 0 empty, 1 solid."""
    bg, fg = np.array(_rgb(background), float), np.array(_rgb(bar), float)
    return ((row - bg) @ (fg - bg)) / ((fg - bg) @ (fg - bg))


def test_a_half_busy_loop_looks_half_dark_and_a_busy_worker_solid(
    plot: TimelinePlot, qtbot: QtBot
) -> None:
    image = grab(plot, qtbot)
    blue = palette.BAR_COLOURS[BarKind.RUNNING]
    loop = ink(lane_row(image, plot, 0, 0.05, 0.45), palette.RESOURCE_BAND, blue)
    worker = ink(lane_row(image, plot, 1, 0.05, 0.95), palette.RESOURCE_BAND, blue)
    assert len(loop) > 300
    assert 0.4 <= loop.mean() <= 0.6, f"a loop busy 50% is drawn {loop.mean():.0%} dark"
    # Solid but for its label ("request 2", white on the bar).
    assert np.median(worker) >= 0.98 and np.mean(worker >= 0.9) >= 0.9
    check_window_plot(image, plot, plot).assert_ok(min_lanes=1)


def test_a_failed_mark_of_a_millisecond_is_a_few_pixels_wide(
    plot: TimelinePlot, qtbot: QtBot
) -> None:
    image = grab(plot, qtbot)
    around = lane_row(image, plot, 2, FAILED_AT / SECOND - 0.02, FAILED_AT / SECOND + 0.02)
    vermillion = ink(around, palette.BACKGROUND, palette.BAR_COLOURS[BarKind.FAILED])
    assert int(np.count_nonzero(vermillion > 0.8)) >= 3
