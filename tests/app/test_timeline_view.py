"""The timeline of a recorded run: tooltips, click to highlight, zoom and follow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot

from visualizer.app.timeline.view import TimelineView
from visualizer.model.timeline import BarKind, Timeline, build_timeline
from visualizer.model.tracefile import read_trace


@pytest.fixture
def view(qtbot: QtBot, data_dir: Path) -> Iterator[TimelineView]:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(1200, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_timeline(build_timeline(read_trace(data_dir / "sync_sleep_c6_p2_w200.json")))
    yield view
    view.close()


def bar_of(timeline: Timeline, lane: int, kind: BarKind) -> int:
    """The longest bar of ``kind`` on ``lane``: easy to point at."""
    bars = np.flatnonzero((timeline.lane == lane) & (timeline.kind == kind))
    return int(bars[np.argmax(timeline.end[bars] - timeline.start[bars])])


def viewport_point(view: TimelineView, timeline: Timeline, bar: int) -> QPoint:
    """Where the middle of ``bar`` is, in the plot's viewport pixels."""
    middle = (timeline.start[bar] + timeline.end[bar]) / 2e9
    scene = view.view.mapViewToScene(QPointF(middle, timeline.lane[bar] + 0.5))
    return view.plot.mapFromScene(scene)


def test_tooltip_names_the_request_and_its_phase(view: TimelineView) -> None:
    timeline = view.timeline
    assert timeline is not None
    lane = timeline.lane_of_request(5)
    bar = bar_of(timeline, lane, BarKind.WAITING)
    middle = (timeline.start[bar] + timeline.end[bar]) / 2e9
    text = view.describe_at(middle, lane + 0.5)
    assert text.startswith("request 5: waiting")
    assert "ms" in text


def test_hovering_a_worker_bar_shows_its_request_and_cpu_time(
    qtbot: QtBot, view: TimelineView
) -> None:
    timeline = view.timeline
    assert timeline is not None
    bar = bar_of(timeline, 1, BarKind.RUNNING)
    qtbot.mouseMove(view.plot.viewport(), viewport_point(view, timeline, bar))
    qtbot.waitUntil(lambda: bool(view.hover_text))
    assert view.hover_text.startswith(f"worker 1: running request {timeline.request[bar]}")
    assert "worker CPU time" in view.hover_text


def test_clicking_a_worker_bar_highlights_every_slice_of_its_request(
    qtbot: QtBot, view: TimelineView
) -> None:
    timeline = view.timeline
    assert timeline is not None
    bar = bar_of(timeline, 2, BarKind.RUNNING)
    request = int(timeline.request[bar])
    with qtbot.waitSignal(view.request_clicked) as clicked:
        qtbot.mouseClick(
            view.plot.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(view, timeline, bar)
        )
    assert clicked.args == [request]
    highlighted = view.item.index.order[view.item._highlight_bars]  # type: ignore[union-attr]
    assert sorted(highlighted) == sorted(np.flatnonzero(timeline.request == request))
    lanes = set(timeline.lane[highlighted].tolist())
    assert {0, 2, timeline.lane_of_request(request)} <= lanes  # loop, worker and its own lane
    before = view.grab().toImage()
    view.highlight(None)
    assert view.grab().toImage() != before  # the outline was drawn, and is gone


def test_zooming_stops_following_and_follow_now_resumes(view: TimelineView) -> None:
    assert view.following
    (x0, x1), _ = view.view.viewRange()
    view.zoom_in()
    (z0, z1), _ = view.view.viewRange()
    assert not view.following
    assert z1 - z0 == pytest.approx((x1 - x0) / 1.5)
    view.pan_left()
    assert view.view.viewRange()[0][0] < z0
    view.follow_now()
    assert view.following
    assert view.view.viewRange()[0][1] == pytest.approx(x1)


def test_no_unexplained_auto_range_button_in_the_plot(view: TimelineView) -> None:
    """pyqtgraph's "A" button appeared in the corner on hover; Whole Run does its job."""
    plot_item = view.plot.getPlotItem()
    plot_item.mouseHovering = True  # as a hover sets it
    plot_item.updateButtons()
    assert not plot_item.autoBtn.isVisible()
