"""TimelinePlot: the Gantt chart of one run, its lane axis, its annotations and a replay cursor.

One widget that both the window's views and the exported pictures use, so a slide
shows exactly what the window shows. It draws what it is given; moving around in
it (following, zooming) is the business of the view that holds it.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics, QResizeEvent

from visualizer.app import palette
from visualizer.app.timeline.annotation_items import LABEL_Y, AnnotationLayer
from visualizer.app.timeline.gantt_item import GanttItem
from visualizer.app.timeline.pool_group_items import F64, PoolGroupLayer
from visualizer.app.timeline.prediction_ghost import PredictionGhost
from visualizer.model.annotations import Annotations
from visualizer.model.prediction import Prediction
from visualizer.model.timeline import Lane, Timeline

#: Room above the event loop lane for the loop-block label, in lines of its font.
TOP_ROOM_LINES = 1.5
#: The lane axis takes at most this share of the plot's width: a long route name
#: (``request 12 · POST /api/v1/orders/{order_id}/items``) is shortened in the middle.
AXIS_SHARE = 0.3
#: ...but never less than this, in pixels: "request 12 · GET /i…" is still a name.
AXIS_MIN_PX = 110
#: A prediction's makespan widens the view up to this many times the run's span.
GHOST_REACH = 3.0


class LaneAxis(pg.AxisItem):  # type: ignore[misc]
    """The left axis: one label per lane, thinned out when lanes are too close to read."""

    def __init__(self) -> None:
        super().__init__("left")
        self.labels: list[str] = []
        #: The width the labels need in today's font, and the most they may take.
        self.wanted_width = 0
        self.width_cap = 1 << 20
        #: The font the labels are drawn in: the axis font, or smaller where lanes are
        #: shorter than its line (a comparison on a small screen).
        self.label_font = palette.FONTS.axis()

    def fit_label_font(self, lane_px: float) -> None:
        """Labels as large as the axis font, but no taller than a lane, down to a floor."""
        font = palette.fitted(palette.FONTS.axis(), lane_px)
        if font != self.label_font:
            self.label_font = font
            self.setTickFont(font)

    def set_labels(self, labels: list[str]) -> None:
        if labels != self.labels:
            self.labels = labels
            self.fit_width()

    def fit_width(self) -> None:
        """Wide enough for the longest label in today's font: the axis does not grow by itself."""
        metrics = QFontMetrics(palette.FONTS.axis())
        # Measuring 20,000 lane labels took up to 106 ms of a live frame; the widest
        # are among the longest strings, so measure only those.
        candidates = heapq.nlargest(16, self.labels, key=len)
        longest = max((metrics.horizontalAdvance(text) for text in candidates), default=0)
        self.wanted_width = min(longest + 14, self.width_cap)
        self.setWidth(self.wanted_width)
        self.picture = None
        self.update()

    def cap_width(self, plot_px: float) -> None:
        """Keep the axis to its share of a plot ``plot_px`` wide; labels are elided to fit."""
        cap = max(AXIS_MIN_PX, int(plot_px * AXIS_SHARE))
        # Labels that fit under both caps keep the width they have (a comparison sets
        # both its plots' axes to the wider of the two).
        binding = self.wanted_width >= min(cap, self.width_cap)
        self.width_cap = cap
        if binding:
            self.fit_width()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        # The view is flipped (lane 0 on top), so the axis may hand the range reversed.
        minVal, maxVal = sorted((minVal, maxVal))
        if not self.labels or maxVal <= minVal:
            return []
        row_px = size / (maxVal - minVal)
        # A label needs the height of a line of its font; a lane that tall gets one.
        text_px = QFontMetrics(self.label_font).height()
        step = max(1, math.ceil(text_px / max(row_px, 1e-9)))
        first = max(0, math.floor(minVal))
        last = min(len(self.labels) - 1, math.ceil(maxVal))
        lanes = [n for n in range(first, last + 1) if n % step == 0 or n == 0]
        return [(1.0, [n + 0.5 for n in lanes])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        labels = [self._label(math.floor(v)) for v in values]
        if self.wanted_width < self.width_cap:
            return labels  # every label fits whole
        metrics = QFontMetrics(self.label_font)
        room = self.wanted_width - 14
        # One way of shortening for every lane in view: "request 4 · POST /orders"
        # beside "5 · GET /items/{id}" read as two kinds of lane.
        step = max((_shortening(text, metrics, room) for text in labels), default=0)
        shared = _shared_path(labels)
        return [_shortened(text, metrics, room, step, shared) for text in labels]

    def _label(self, lane: int) -> str:
        return self.labels[lane] if 0 <= lane < len(self.labels) else ""


#: The ways a lane label is shortened, mildest first (see _shortened).
_FULL, _PATH_CUT, _WORD_DROPPED, _CUT = range(4)


def _request_route(text: str) -> tuple[str, str, str] | None:
    """(head, method, path) of a request lane's ``request 12 · GET /items/{id}``; None
    for a lane with no route."""
    head, separator, route = text.partition(" · ")
    method, space, path = route.partition(" ")
    return (head, method, path) if separator and space else None


def _shortening(text: str, metrics: QFontMetrics, room: int) -> int:
    """The mildest way of shortening a request lane's ``text`` that leaves it readable
    in ``room`` px."""
    if metrics.horizontalAdvance(text) <= room:
        return _FULL
    parts = _request_route(text)
    if parts is None:
        return _FULL  # no route: cut in its middle, whatever the request lanes need
    head, method, _path = parts
    number = head.removeprefix("request ")
    for step, prefix, least in (
        (_PATH_CUT, f"{head} · {method} ", "…/items/{id}"),  # the path still says something
        (_WORD_DROPPED, f"{number} · {method} ", "…/{x}"),
    ):
        if room - metrics.horizontalAdvance(prefix) >= metrics.horizontalAdvance(least):
            return step
    return _CUT


def _shared_path(labels: list[str]) -> str:
    """The leading path segments every route in view shares (``/api/``), when the view
    has routes of more than one path; "" otherwise."""
    paths = {parts[2] for text in labels if (parts := _request_route(text))}
    if len(paths) < 2:
        return ""
    shared: list[str] = []
    for segments in zip(*(path.split("/") for path in paths), strict=False):
        if len(set(segments)) > 1:
            break
        shared.append(segments[0])
    return "/".join(shared) + "/" if len(shared) > 1 else ""


def _shortened(text: str, metrics: QFontMetrics, room: int, step: int, shared: str = "") -> str:
    """``text`` in ``room`` pixels, shortened at least as far as ``step`` says. A request
    lane's route loses the start of its path first, then the word "request"
    (``12 · GET …/{item_id}``): the request's number, the method and the end of the
    path tell lanes apart. Cutting the middle of the whole label left
    ``request 1…{item_id}`` for requests 10 to 19 alike. Where the routes in view share
    their first segments (``shared``), those go instead and the rest is kept from its
    start, where the paths differ: ``GET …/items/{item_id}`` and ``GET
    …/sync-items/{item_id}`` both read ``GET …ems/{item_id}`` cut from the left."""
    parts = _request_route(text)
    if parts is None:
        return metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, room)
    head, method, path = parts
    number = head.removeprefix("request ")
    if step == _FULL:
        return text
    if step == _CUT:
        route = f"{method} {path}"
        return metrics.elidedText(f"{number} · {route}", Qt.TextElideMode.ElideRight, room)
    prefix = f"{head} · {method} " if step == _PATH_CUT else f"{number} · {method} "
    left = room - metrics.horizontalAdvance(prefix)
    if shared and path.startswith(shared) and len(path) > len(shared):
        rest = "…/" + path[len(shared) :]
        return prefix + metrics.elidedText(rest, Qt.TextElideMode.ElideRight, left)
    return prefix + metrics.elidedText(path, Qt.TextElideMode.ElideLeft, left)


class TimeWheelViewBox(pg.ViewBox):  # type: ignore[misc]
    """A view whose mouse wheel zooms time only: lanes keep their height under the wheel.

    Zooming both made the lane labels thin out and the bars grow flat on every
    turn of the wheel. The lane axis itself still zooms lanes (pyqtgraph passes
    ``axis=1`` from there), and dragging still pans both ways.
    """

    def wheelEvent(self, ev: Any, axis: int | None = None) -> None:
        super().wheelEvent(ev, axis=0 if axis is None else axis)


class TimelinePlot(pg.PlotWidget):  # type: ignore[misc]
    """Lanes of the event loop and workers above, one lane a request below, time across."""

    def __init__(self) -> None:
        self.axis = LaneAxis()
        super().__init__(
            background=palette.BACKGROUND,
            axisItems={"left": self.axis},
            viewBox=TimeWheelViewBox(),
        )
        self.timeline: Timeline | None = None
        self.view: pg.ViewBox = self.getViewBox()
        self.view.invertY(True)
        self.view.setMenuEnabled(False)
        self.view.disableAutoRange()
        # pyqtgraph's "A" (auto-range) button showed in the corner on hover, unexplained:
        # View > Whole Run does that, with a name and a shortcut.
        self.getPlotItem().hideButtons()
        self.view.sigYRangeChanged.connect(lambda *_: self._fit_label_font())
        self.item = GanttItem()
        self.addItem(self.item)
        self.marks = AnnotationLayer(self.getPlotItem())
        self.pool_groups = PoolGroupLayer(self._lane_bars)
        self.addItem(self.pool_groups)
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.cursor.setZValue(20)
        self.cursor.setVisible(False)
        self.addItem(self.cursor)
        #: The class's prediction, outlined over the run (predict mode); never measured.
        self.ghost = PredictionGhost()
        self.ghost.avoid = self._block_label_at
        self.addItem(self.ghost)
        self._annotations: Annotations | None = None
        #: (ns, lanes) the view may show: the timeline's, or more for a replay's growing cut.
        self.extent = (0, 1)
        self._lanes: list[Lane] | None = None
        self.style_for_theme()

    def style_for_theme(self) -> None:
        """Colours and fonts from the palette as it is now (theme or presentation changed)."""
        self.setBackground(palette.BACKGROUND)
        pen = pg.mkPen(QColor(palette.TEXT))
        for name in ("left", "bottom"):
            axis = self.getAxis(name)
            axis.setPen(pen)
            axis.setTextPen(pen)
            axis.setTickFont(palette.FONTS.axis())
            axis.label.setFont(palette.FONTS.axis())
        self.axis.label_font = palette.FONTS.axis()
        self.axis.setStyle(tickLength=0)
        self.axis.fit_width()
        bottom = self.getAxis("bottom")
        bottom.setLabel("time since the run started", units="s", color=palette.TEXT)
        bottom.enableAutoSIPrefix(True)
        bottom.setStyle(maxTickLevel=1)
        # The font height decides how tall the axis must be to hold its label.
        bottom.setHeight(int(palette.FONTS.axis().pointSizeF() * 4.2))
        self.cursor.setPen(pg.mkPen(palette.TEXT, width=2))
        # GanttItem reads its pens when it is made: a new one picks up the theme.
        highlighted = self.item.highlighted
        self.removeItem(self.item)
        self.item = GanttItem()
        self.addItem(self.item)
        self.item.set_highlight(highlighted)
        if self.timeline is not None:
            self.item.set_timeline(self.timeline)
        if self._annotations is not None and self.timeline is not None:
            self.marks.show(self._annotations, self.timeline)
        QTimer.singleShot(0, self._refit_top_room)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.axis.cap_width(self.width())  # pyqtgraph calls this with no event, too
        super().resizeEvent(event)
        # The room above the loop is a number of pixels; in lanes it changes with the
        # height. After the layout has settled, so that the view's height is the new one.
        QTimer.singleShot(0, self._refit_top_room)

    def _refit_top_room(self) -> None:
        """Keep a view that shows the top lane showing the label room above it."""
        (x0, x1), (y0, y1) = self.view.viewRange()
        if self.timeline is not None and y0 <= 0:
            self.show_span(x0, x1, max(round(y1), 1))
        self._fit_label_font()

    def _fit_label_font(self) -> None:
        _, (y0, y1) = self.view.viewRange()
        height = self.view.boundingRect().height()
        if height > 0 and y1 > y0:
            self.axis.fit_label_font(height / (y1 - y0))

    # -- the model -----------------------------------------------------------------------

    def set_timeline(
        self, timeline: Timeline, limit_span: int | None = None, limit_lanes: int | None = None
    ) -> None:
        """Show ``timeline``; ``limit_span`` (ns) and ``limit_lanes`` keep room for a longer
        run on the same axes: a replay's cut at 0 s has one lane, the run it grows into many.
        """
        self.timeline = timeline
        self.item.set_timeline(timeline)
        self.pool_groups.set_timeline(timeline)
        if timeline.lanes is not self._lanes:  # replay frames share their run's lanes
            self._lanes = timeline.lanes
            self.axis.set_labels([lane.label for lane in timeline.lanes])
        self.extent = (
            max(timeline.span, limit_span or 0),
            max(len(timeline.lanes), limit_lanes or 0, 1),
        )
        self._set_limits()

    def _set_limits(self) -> None:
        span_s = max(self.extent[0] / 1e9, 1e-3)
        lanes = self.extent[1]
        self.view.setLimits(
            xMin=-0.05 * span_s,
            xMax=span_s * 1.5,
            yMin=-lanes,
            yMax=lanes + 0.5,
            minXRange=1e-6,
        )

    def forget_timeline(self) -> None:
        """Draw nothing, with no lane labels and no limits: the next run brings its own."""
        # A GanttItem that never had a timeline paints nothing, not even the loop's band.
        self.removeItem(self.item)
        self.item = GanttItem()
        self.addItem(self.item)
        self.timeline = None
        self.ghost.set_prediction(None, None)
        self.pool_groups.set_timeline(None)
        self.extent = (0, 1)
        self.axis.set_labels([])
        self.view.setLimits(xMin=None, xMax=None, yMin=None, yMax=None)

    def _lane_bars(self, lane: int, x0: float, x1: float) -> tuple[F64, F64]:
        """Starts and ends (s) of the bars of ``lane`` between ``x0`` and ``x1`` seconds."""
        index, shown = self.item.index, self.item.timeline
        if index is None or shown is None:
            return np.empty(0), np.empty(0)
        bars = index.bars_in_view(x0, x1, lane, lane)
        return shown.start[bars] / 1e9, shown.end[bars] / 1e9

    @property
    def annotations(self) -> Annotations | None:
        """The marks shown with the timeline, and the notes its tooltips read."""
        return self._annotations

    def set_annotations(self, annotations: Annotations | None) -> None:
        self._annotations = annotations
        if annotations is None or self.timeline is None:
            self.marks.clear()
        else:
            self.marks.show(annotations, self.timeline)

    def _block_label_at(self) -> QRectF | None:
        label = self.marks.label
        return label.sceneBoundingRect() if label.isVisible() else None

    def set_prediction(self, prediction: Prediction | None) -> None:
        """Outline ``prediction`` over the run shown (None: no prediction). Its makespan
        joins the time the view may show, up to GHOST_REACH times the run's own: a guess
        of 10 s for a run of 0.2 s is told in words, not by squeezing the run to a sliver."""
        self.ghost.set_prediction(prediction, self.timeline)
        if prediction is not None and self.timeline is not None:
            reach = min(prediction.makespan_s * 1e9 * 1.02, GHOST_REACH * self.extent[0])
            if reach > self.extent[0]:
                self.extent = (int(reach), self.extent[1])
                self._set_limits()

    def set_cursor(self, at_s: float | None) -> None:
        """The replay's "now" line, or none."""
        self.cursor.setVisible(at_s is not None)
        if at_s is not None:
            self.cursor.setValue(at_s)

    def show_span(self, x0: float, x1: float, lanes: int) -> None:
        """Seconds ``x0`` to ``x1`` and the first ``lanes`` lanes, with room for the labels."""
        lanes = max(lanes, 1)
        self.view.setRange(xRange=(x0, x1), yRange=(-self.top_room(lanes), lanes), padding=0)
        # Move the items now: pyqtgraph would do it while painting, and the items it moves
        # then ask for a second paint, a second full paint of every live frame.
        self.view.updateMatrix()

    def top_room(self, lanes: int) -> float:
        """Lanes of room above the event loop for the loop-block label and its bracket.

        The bracket sits a share of a lane above the loop (``-LABEL_Y``), the label a
        line of text above that: with few, tall lanes the share alone is more pixels
        than a line, so both count. Solved for the room r in lanes, where a lane is
        height / (lanes + r) pixels: r = (-LABEL_Y * height + text * lanes) / (height - text).
        """
        text_px = QFontMetrics(palette.FONTS.base()).height() * TOP_ROOM_LINES
        height_px = self.view.boundingRect().height() or float(self.height())
        return (-LABEL_Y * height_px + text_px * lanes) / max(height_px - text_px, text_px)

    def show_whole(self, span_ns: int | None = None) -> None:
        """The whole run (or ``span_ns`` of time) and every lane it has or will have."""
        if self.timeline is None:
            return
        span_s = max((span_ns or self.extent[0]) / 1e9, 1e-3)
        self.show_span(0.0, span_s * 1.02, self.extent[1])
