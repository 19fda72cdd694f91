"""TimelineView: the Gantt chart, its lane labels and legend, and how the user moves in it.

The view receives Timelines (live or final) and never asks for them. While a run
is live it follows "now"; the first pan or zoom by the user stops that, and
:meth:`TimelineView.follow_now` resumes it.
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolTip, QVBoxLayout, QWidget

from visualizer.app import palette
from visualizer.app.bar_tooltip import describe_bar
from visualizer.app.timeline_item import GanttItem
from visualizer.model.timeline import Timeline

#: While following, the view shows at most this much of the end of a run.
FOLLOW_WINDOW_S = 20.0
#: While following, at most this many lanes from the top are shown.
FOLLOW_LANES = 40
#: How near (in pixels) the mouse must be to a bar for its tooltip.
HOVER_REACH_PX = 3.0
ZOOM_STEP = 1.5
PAN_STEP = 0.25


class LaneAxis(pg.AxisItem):  # type: ignore[misc]
    """The left axis: one label per lane, thinned out when lanes are too close to read."""

    def __init__(self) -> None:
        super().__init__("left")
        self.labels: list[str] = []

    def set_labels(self, labels: list[str]) -> None:
        if labels != self.labels:
            self.labels = labels
            # Wide enough for the longest label: the axis does not grow by itself.
            metrics = QFontMetrics(palette.FONTS.axis())
            longest = max((metrics.horizontalAdvance(text) for text in labels), default=0)
            self.setWidth(longest + 14)
            self.picture = None
            self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        # The view is flipped (lane 0 on top), so the axis may hand the range reversed.
        minVal, maxVal = sorted((minVal, maxVal))
        if not self.labels or maxVal <= minVal:
            return []
        row_px = size / (maxVal - minVal)
        text_px = palette.FONTS.axis().pointSizeF() * 1.8
        step = max(1, math.ceil(text_px / max(row_px, 1e-9)))
        first = max(0, math.floor(minVal))
        last = min(len(self.labels) - 1, math.ceil(maxVal))
        lanes = [n for n in range(first, last + 1) if n % step == 0 or n == 0]
        return [(1.0, [n + 0.5 for n in lanes])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self._label(math.floor(v)) for v in values]

    def _label(self, lane: int) -> str:
        return self.labels[lane] if 0 <= lane < len(self.labels) else ""


class Legend(QWidget):
    """A swatch and a word for every colour, with what it means as a tooltip."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 0)
        row.setSpacing(16)
        for kind in palette.LEGEND_ORDER:
            swatch = QLabel()
            swatch.setFixedSize(28, 14)
            swatch.setStyleSheet(f"background: {palette.BAR_COLOURS[kind]}; border: none;")
            name = QLabel(palette.BAR_NAMES[kind])
            name.setFont(palette.FONTS.base())
            for widget in (swatch, name):
                widget.setToolTip(f"{palette.BAR_NAMES[kind]}: {palette.BAR_MEANINGS[kind]}")
            pair = QHBoxLayout()
            pair.setSpacing(5)
            pair.addWidget(swatch)
            pair.addWidget(name)
            row.addLayout(pair)
        row.addStretch(1)


class TimelineView(QWidget):
    """Lanes of the event loop and workers above, one lane a request below, one time axis."""

    #: The request the user clicked, or None when a click found no request.
    request_clicked = Signal(object)
    #: Whether the view follows "now"; False after the user panned or zoomed.
    following_changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.timeline: Timeline | None = None
        self.following = True
        self.hover_text = ""
        self.axis = LaneAxis()
        self.plot = pg.PlotWidget(background=palette.BACKGROUND, axisItems={"left": self.axis})
        self.view: pg.ViewBox = self.plot.getViewBox()
        self.view.invertY(True)
        self.view.setMenuEnabled(False)
        self.view.disableAutoRange()
        self.item = GanttItem()
        self.plot.addItem(self.item)
        self.placeholder = pg.TextItem(
            "Choose a style and press Run (Ctrl+R)", color=palette.TEXT, anchor=(0.5, 0.5)
        )
        self.placeholder.setFont(palette.FONTS.heading())
        self.plot.addItem(self.placeholder)
        self.placeholder.setPos(0.5, 0.5)
        self.view.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self._style_axes()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(Legend())
        layout.addWidget(self.plot, 1)
        self.view.sigRangeChangedManually.connect(lambda *_: self.set_following(False))
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    def _style_axes(self) -> None:
        pen = pg.mkPen(QColor(palette.TEXT))
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pen)
            axis.setTextPen(pen)
            axis.setTickFont(palette.FONTS.axis())
            axis.label.setFont(palette.FONTS.axis())
        self.plot.getAxis("left").setStyle(tickLength=0)
        self.plot.getAxis("bottom").setLabel("time since the run started", units="s")
        self.plot.getAxis("bottom").enableAutoSIPrefix(True)
        self.plot.getAxis("bottom").setStyle(maxTickLevel=1)

    # -- the model ------------------------------------------------------------------

    def set_timeline(self, timeline: Timeline) -> None:
        """Show ``timeline``; while following, move the view to its end."""
        first = self.timeline is None
        self.timeline = timeline
        self.placeholder.setVisible(False)
        self.item.set_timeline(timeline)
        self.axis.set_labels([lane.label for lane in timeline.lanes])
        self._set_limits(timeline)
        if self.following or first:
            self._show_now()

    def clear(self) -> None:
        """Forget the last run's picture and follow the next one."""
        self.item.set_highlight(None)
        self.set_following(True)

    def _set_limits(self, timeline: Timeline) -> None:
        span_s = max(timeline.span / 1e9, 1e-3)
        lanes = max(len(timeline.lanes), 1)
        self.view.setLimits(
            xMin=-0.05 * span_s, xMax=span_s * 1.5, yMin=-0.5, yMax=lanes + 0.5, minXRange=1e-6
        )

    # -- moving around ------------------------------------------------------------------

    def set_following(self, following: bool) -> None:
        if following != self.following:
            self.following = following
            self.following_changed.emit(following)
        if following and self.timeline is not None:
            self._show_now()

    def follow_now(self) -> None:
        self.set_following(True)

    def show_whole_run(self) -> None:
        """Every lane and the whole time span; stops following."""
        self.set_following(False)
        if self.timeline is not None:
            span_s = max(self.timeline.span / 1e9, 1e-3)
            self.view.setRange(
                xRange=(0, span_s * 1.02), yRange=(0, len(self.timeline.lanes)), padding=0
            )

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
        self.view.setRange(
            xRange=(max(0.0, end - FOLLOW_WINDOW_S), end), yRange=(0, max(lanes, 1)), padding=0
        )

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
        return describe_bar(self.timeline, bar)

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
