"""Checks of what a screen shows, shared by the screen tests and the picture audit.

A screen is pretended by the ``screen`` fixture (tests/app/conftest.py): the offscreen
platform has one made-up 800 px screen, so the window's idea of its screen's area is
replaced, and presentation mode's full screen is given that area.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from _plot_area import check_window_plot, scaled, window_mapping
from _traces import lasting
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.model.analysis import RunResult
from visualizer.model.annotations import annotate
from visualizer.model.tracefile import write_trace


def trace_file(tmp_path: Path, name: str, seconds: float = 3.0) -> Path:
    """A recorded trace stretched to ``seconds``, saved where File > Open can read it."""
    path = tmp_path / f"{seconds:g}s-{name}"
    write_trace(lasting(name, seconds), path)
    return path


def settle(qtbot: QtBot, window: MainWindow, area: QRect) -> None:
    """Let layouts, the deferred top-room refit and the full-screen request take effect."""
    if window.presentation.active:
        # Offscreen, full screen means the made-up 800 px screen: use the pretend one.
        window.setGeometry(area)
        qtbot.waitUntil(lambda: window.size() == area.size() or too_big(window, area), timeout=2000)
    # Deferred work (a refit after a resize, the lane axis fitting its labels) lands in
    # later turns of the event loop, later still on a busy machine: wait until a turn
    # changes nothing anyone can see.
    seen: list[object] = [None]

    def still() -> bool:
        now = _layout(window)
        same, seen[0] = now == seen[0], now
        if not same:
            qtbot.wait(50)
        return same

    qtbot.waitUntil(still, timeout=5000)


def _layout(window: QWidget) -> list[object]:
    """Where every visible widget is, and what each timeline plot shows."""
    state: list[object] = []
    for widget in [window, *window.findChildren(QWidget)]:
        if widget.isVisible():
            state.append(widget.geometry().getRect())
    for plot in window.findChildren(TimelinePlot):
        state.append(plot.getViewBox().viewRange())
    return state


def too_big(window: MainWindow, area: QRect) -> bool:
    hint = window.minimumSizeHint()
    return hint.width() > area.width() or hint.height() > area.height()


def grab(window: MainWindow, name: str) -> QImage:
    image = window.grab().toImage()
    if folder := os.environ.get("SCHEDVIZ_SCREENS_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        image.save(str(Path(folder) / f"{name}.png"))
    return image


def _drawn_lane_labels(plot: TimelinePlot) -> list[tuple[QRectF, str]]:
    """The labels the lane axis paints now, with their rectangles, as pyqtgraph lays them out."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = plot.axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if specs is None:
        return []
    return [(rect, text) for rect, _flags, text in specs[2]]


def assert_fits(window: MainWindow, area: QRect) -> None:
    hint = window.minimumSizeHint()
    assert hint.width() <= area.width() and hint.height() <= area.height(), (
        f"the window needs {hint.width()}x{hint.height()}, the screen has "
        f"{area.width()}x{area.height()}"
    )
    frame = window.frameGeometry()
    assert frame.width() <= area.width() and frame.height() <= area.height(), (
        f"the window is {frame.width()}x{frame.height()} on a {area.width()}x{area.height()} screen"
    )


def assert_whole(widget: QWidget, what: str) -> None:
    """``widget`` is shown, and none of it is cut off by its parents or the window."""
    assert widget.isVisible(), f"{what} is hidden"
    region = widget.visibleRegion().boundingRect()
    assert region == widget.rect(), f"{what} shows {region} of {widget.rect()}"


def assert_plot_readable(image: QImage, plot: TimelinePlot, window: MainWindow) -> None:
    """Every lane on screen with its bars, and every lane with a whole label."""
    timeline = plot.timeline
    assert timeline is not None
    lanes = len(timeline.lanes)
    check = check_window_plot(image, plot, window)
    check.assert_ok(min_lanes=lanes)
    assert check.thin_lanes == 0
    labels = _drawn_lane_labels(plot)
    texts = [text for _, text in labels]
    assert texts == [lane.label for lane in timeline.lanes], f"labels drawn: {texts}"
    bounds = plot.axis.boundingRect()
    for rect, text in labels:
        assert bounds.contains(rect), f"label {text!r} at {rect} is cut by the axis {bounds}"
    marks = plot.marks.label
    if marks.isVisible():
        shown = plot.view.sceneBoundingRect()
        # The text's own box: the item adds an empty margin around its document.
        margin = marks.textItem.document().documentMargin()
        text = marks.sceneBoundingRect().adjusted(margin, margin, -margin, -margin)
        assert shown.contains(text), f"the loop-block label {text} is cut by the plot {shown}"


def show_pair(window: MainWindow, first: RunResult, second: RunResult) -> None:
    """What the window does when a comparison ends, without running one."""
    comparison = window.comparison
    comparison.start((first.trace.settings.style, second.trace.settings.style))
    window.pages.setCurrentWidget(comparison)
    for slot, result in enumerate((first, second)):
        comparison.set_timeline(slot, result.timeline, annotate(result.trace))
        comparison.set_result(slot, result)
    window.pair = (first, second)


def assert_bar_labels_drawn(image: QImage, plot: TimelinePlot, window: MainWindow) -> None:
    """The loop lane's wide bars carry their "request n": white text in the bar's middle."""
    timeline = plot.timeline
    assert timeline is not None
    to_pixel = scaled(window_mapping(plot, window), image.devicePixelRatio())
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    on_loop = (timeline.lane == 0) & (timeline.request > 0)
    widest = int(np.argmax(np.where(on_loop, timeline.end - timeline.start, -1)))
    left, middle = to_pixel(timeline.start[widest] / 1e9, 0.5)
    right, _ = to_pixel(timeline.end[widest] / 1e9, 0.5)
    whites = 0
    for y in range(int(middle) - 4, int(middle) + 5):
        for x in range(int(left) + 2, int(right) - 2):
            if QColor(rgb.pixel(x, y)).lightness() > 235:
                whites += 1
    assert whites > 10, f"no label on the widest loop bar of request {timeline.request[widest]}"
