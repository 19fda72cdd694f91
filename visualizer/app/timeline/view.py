"""TimelineView: the Gantt chart and its legend, and how the user moves in it.

The view receives Timelines (live or final) and never asks for them. While a run
is live it follows "now"; the first pan or zoom by the user stops that, and
:meth:`TimelineView.follow_now` resumes it.
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from visualizer.app import palette
from visualizer.app.timeline.gantt_item import GanttItem
from visualizer.app.timeline.legend import Legend, renewed
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.app.timeline.tooltip import describe_bar
from visualizer.model.annotations import Annotations
from visualizer.model.follow import FollowedLanes
from visualizer.model.held_at import HeldAt
from visualizer.model.live_timeline import GrowingTimeline
from visualizer.model.timeline import Timeline

#: While following, the view shows at most this much of the end of a run.
FOLLOW_WINDOW_S = 20.0
#: While following a live run, at most this many lanes are shown: the loop, the
#: workers and the requests that matter now (see visualizer.model.follow).
FOLLOW_LANES = 40
#: How near (in pixels) the mouse must be to a bar for its tooltip.
HOVER_REACH_PX = 3.0
ZOOM_STEP = 1.5
#: What the plot says before the first run.
IDLE_TEXT = "Choose a style and press Run (Ctrl+R)"
#: The same, while the server hosts the user's app.
APP_IDLE_TEXT = "Add requests to the plan and press Run (Ctrl+R),\nor Record (Ctrl+R) what arrives"
PAN_STEP = 0.25


class TimelineView(QWidget):
    """Lanes of the event loop and workers above, one lane a request below, one time axis."""

    #: The request the user clicked, or None when a click found no request.
    request_clicked = Signal(object)
    #: Whether the view follows "now"; False after the user panned or zoomed.
    following_changed = Signal(bool)
    #: The HeldAt of a sampled loop slice or worker run the user clicked.
    held_clicked = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.following = True
        self.hover_text = ""
        #: The Timeline last given; while following a live run the plot may show fewer lanes.
        self._given: Timeline | None = None
        self._follower = FollowedLanes(FOLLOW_LANES)
        self.plot = TimelinePlot()
        self.view: pg.ViewBox = self.plot.view
        self.axis = self.plot.axis
        self.placeholder = pg.TextItem(IDLE_TEXT, color=palette.TEXT, anchor=(0.5, 0.5))
        self.placeholder.setFont(palette.FONTS.heading())
        self.plot.addItem(self.placeholder)
        self.placeholder.setPos(0.5, 0.5)
        self.view.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.legend = Legend()
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        self.view.sigRangeChangedManually.connect(lambda *_: self.set_following(False))
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    @property
    def timeline(self) -> Timeline | None:
        return self.plot.timeline

    @property
    def item(self) -> GanttItem:
        return self.plot.item

    def restyle(self) -> None:
        """Pick up a new theme or font scale (presentation mode)."""
        self.legend = renewed(self._layout, self.legend)
        self.placeholder.setColor(palette.TEXT)
        self.placeholder.setFont(palette.FONTS.heading())
        self.plot.style_for_theme()

    # -- the model ------------------------------------------------------------------

    def set_timeline(
        self,
        timeline: Timeline,
        annotations: Annotations | None = None,
        limit_span: int | None = None,
        limit_lanes: int | None = None,
    ) -> None:
        """Show ``timeline`` (and its marks); while following, move the view to its end.

        ``limit_span`` (ns) and ``limit_lanes`` keep the whole of a longer run reachable:
        a replay shows a growing cut of a run on the axes of the finished run.
        """
        first = self.timeline is None
        self.placeholder.setVisible(False)
        self._given = timeline
        self.plot.set_timeline(self._followed(timeline), limit_span, limit_lanes)
        self.plot.set_annotations(annotations)
        self.legend.show_kinds_of([timeline])
        if self.following or first:
            self._show_now()

    def clear(self, message: str = IDLE_TEXT) -> None:
        """Forget the last run's picture at once, say ``message`` instead, follow the next run.

        A run's first events come ~0.2 to 2 s after Run (the load generator starts);
        the last run's picture left up until then looked like the new run's.
        """
        self.item.set_highlight(None)
        self.plot.set_annotations(None)
        self.plot.set_cursor(None)
        self.plot.forget_timeline()
        self._given = None
        self._follower = FollowedLanes(FOLLOW_LANES)
        self.legend.show_kinds(set())
        self.placeholder.setText(message)
        self.placeholder.setVisible(True)
        self.view.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.set_following(True)

    # -- moving around ------------------------------------------------------------------

    def set_following(self, following: bool) -> None:
        if following != self.following:
            self.following = following
            self.following_changed.emit(following)
            if not following:
                self._show_every_lane()
        if following and self.timeline is not None:
            self._show_now()

    def _followed(self, timeline: Timeline) -> Timeline:
        """While a live run is followed, only the lanes that matter now (model.follow)."""
        if self.following and isinstance(timeline, GrowingTimeline):
            return self._follower.update(timeline)
        return timeline

    def _show_every_lane(self) -> None:
        """Following ends: every lane is back, and the requests in view stay where they were."""
        shown, whole = self.timeline, self._given
        if shown is None or whole is None or shown is whole:
            return
        (x0, x1), (y0, y1) = self.view.viewRange()
        anchor = max(math.ceil(y0), shown.worker_count + 1)
        shift = 0
        if anchor < len(shown.lanes):
            shift = whole.lane_of_request(shown.lanes[anchor].key) - anchor
        self.plot.set_timeline(whole)
        self.view.setRange(xRange=(x0, x1), yRange=(y0 + shift, y1 + shift), padding=0)

    def follow_now(self) -> None:
        self.set_following(True)

    def show_whole_run(self, span_ns: int | None = None) -> None:
        """Every lane and the whole time span (or ``span_ns``); stops following."""
        self.set_following(False)
        self.plot.show_whole(span_ns)

    def zoom(self, factor: float) -> None:
        """Zoom the time axis by ``factor`` (above 1 zooms in) around the centre of the view."""
        self.set_following(False)
        (x0, x1), _ = self.view.viewRange()
        middle, half = (x0 + x1) / 2, (x1 - x0) / 2 / factor
        self.view.setXRange(middle - half, middle + half, padding=0)

    def zoom_in(self) -> None:
        self.zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom(1 / ZOOM_STEP)

    def pan(self, fraction: float) -> None:
        """Move the time axis by ``fraction`` of its width (negative: towards the start)."""
        self.set_following(False)
        (x0, x1), _ = self.view.viewRange()
        step = (x1 - x0) * fraction
        self.view.setXRange(x0 + step, x1 + step, padding=0)

    def pan_left(self) -> None:
        self.pan(-PAN_STEP)

    def pan_right(self) -> None:
        self.pan(PAN_STEP)

    def _show_now(self) -> None:
        assert self.timeline is not None
        span_s = max(self.timeline.span / 1e9, 1e-3)
        end = span_s * 1.02
        lanes = min(len(self.timeline.lanes), FOLLOW_LANES)
        self.plot.show_span(max(0.0, end - FOLLOW_WINDOW_S), end, lanes)

    # -- pointing ---------------------------------------------------------------------------

    def bar_at(self, x: float, y: float) -> int | None:
        """The bar under view coordinates (seconds, lanes), within a few pixels."""
        index = self.item.index
        if index is None:
            return None
        pixel = self.view.viewPixelSize()[0]
        return index.bar_at(x, math.floor(y), HOVER_REACH_PX * pixel)

    def describe_at(self, x: float, y: float) -> str:
        """The tooltip text for view coordinates, empty where there is no bar."""
        bar = self.bar_at(x, y)
        if bar is None or self.timeline is None:
            return ""
        return describe_bar(self.timeline, bar, self.plot.annotations)

    def highlight(self, request: int | None) -> None:
        self.item.set_highlight(request)
        self.request_clicked.emit(request)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if not self.view.sceneBoundingRect().contains(scene_pos):
            return
        point = self.view.mapSceneToView(scene_pos)
        self.hover_text = self.describe_at(point.x(), point.y())
        global_pos = self.plot.mapToGlobal(self.plot.mapFromScene(scene_pos))
        if self.hover_text:
            QToolTip.showText(global_pos, self.hover_text, self.plot)
        else:
            QToolTip.hideText()

    def _on_mouse_clicked(self, event: Any) -> None:
        if self.timeline is None:
            return
        point = self.view.mapSceneToView(event.scenePos())
        bar = self.bar_at(point.x(), point.y())
        request = int(self.timeline.request[bar]) if bar is not None else 0
        self.highlight(request if request > 0 else None)
        held = self.held_at(bar) if bar is not None else None
        if held is not None and held.where:
            self.held_clicked.emit(held)

    def held_at(self, bar: int) -> HeldAt | None:
        """Where bar ``bar`` of the shown timeline was held, if it was sampled."""
        marks = self.plot.annotations
        if marks is None or self.timeline is None:
            return None
        return marks.held.at(self.timeline, bar)
