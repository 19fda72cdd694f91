"""GanttItem: every bar of a Timeline drawn by one pyqtgraph GraphicsObject.

x is seconds since the run started, y is the lane number (lane ``k`` fills
``[k, k + 1)``, the view flips y so lane 0 is on top). One item rather than one
QGraphicsItem per bar: the scene stays small, and each frame asks the BarIndex
only for the runs of pixel columns that are on screen, then fills them with one
``drawRects`` call per colour and shade: a column partly busy is filled with the bar
colour that much opaque, so zoomed out a half-busy loop looks half dark, not solid.
Lanes thinner than a pixel row are joined per row.

A live run's Timelines grow: when one continues the last (a
:class:`~visualizer.model.live_timeline.GrowingTimeline` of the same history) only
its new bars are indexed, so a frame's cost does not grow with the run.
"""

from __future__ import annotations

import weakref

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from visualizer.app import palette
from visualizer.app.timeline._bar_index import BarIndex
from visualizer.app.timeline._shade_image import paint_grid, paint_shades, shade_table
from visualizer.app.timeline._shading import LEVELS, Spans
from visualizer.app.timeline._span_cache import ColumnView, SpanCache
from visualizer.app.timeline.bar_labels import fitting_label, label_choices
from visualizer.model.live_timeline import GrowingTimeline
from visualizer.model.replay_frames import ReplayFrame
from visualizer.model.timeline import BarKind, Timeline

#: Bars fill the middle of their lane, leaving a gap between rows.
BAR_TOP = 0.14
BAR_HEIGHT = 0.72

#: A bar on the loop or a worker this wide (pixels) gets an edge and its request's number.
LABEL_MIN_PX = 26
#: Labels sit on running bars (Okabe-Ito blue) in either theme: white reads on it.
LABEL_TEXT = QColor("#FFFFFF")
#: Except on the one light bar that carries labels: a run still going at the trace's end.
LABEL_TEXT_ON_LIGHT = QColor("#1A1A1A")
#: More labels than this in view would be noise; the widest ones get them.
MAX_LABELS = 400

#: A failed mark lasts a millisecond or two: this wide (pixels) at least, at any zoom.
FAILED_MIN_PX = 4

#: Colours drawn later win a pixel column that holds two kinds: request work over
#: server I/O on the loop, a collector's pause over the worker run it interrupted,
#: failure marks over everything.
DRAW_ORDER = (
    BarKind.SERVER,
    BarKind.QUEUED,
    BarKind.SENDING,
    BarKind.RECEIVING,
    BarKind.AWAITING,
    BarKind.WAITING,
    BarKind.RUNNING,
    BarKind.ABANDONED,
    BarKind.UNFINISHED,
    BarKind.GC,
    BarKind.FAILED,
)


#: Indexes built ahead by :func:`prepare_index`, by id of their Timeline.
_PREPARED: dict[int, BarIndex] = {}


def prepare_index(timeline: Timeline) -> None:
    """Index ``timeline`` now, on any thread, for the GanttItem that will be shown it.

    A finished run's Timeline is new (its bars in another order than the live ones),
    so indexing it is a sort of every bar: done with the run's analysis, off the GUI
    thread, ``set_timeline`` only adopts the index. Touches no Qt object.
    """
    key = id(timeline)
    _PREPARED[key] = BarIndex(timeline)
    weakref.finalize(timeline, _PREPARED.pop, key, None)  # ids are reused once it is gone


class GanttItem(pg.GraphicsObject):  # type: ignore[misc]
    """The bars of one Timeline, in seconds by lanes, with one request highlighted."""

    def __init__(self) -> None:
        super().__init__()
        self.timeline: Timeline | None = None
        self.index: BarIndex | None = None
        #: The last finished (not growing) Timeline shown, and its index: a replay of it
        #: shows growing cuts, and returns to it at its end.
        self._finished: tuple[Timeline, BarIndex] | None = None
        #: The columns last filled, and the finished run's for a replay of it.
        self.span_cache = SpanCache()
        self.highlighted: int | None = None
        self._highlight_bars = np.empty(0, np.int64)
        self._bounds = QRectF()
        # pyqtgraph's wrapper of QPainter::drawRects over a numpy buffer: one call per
        # colour without building a Python list of QRectF.
        self._rects = pg.Qt.internals.PrimitiveArray(QRectF, 4)
        self._brushes = {kind: QBrush(palette.colour(kind)) for kind in BarKind}
        # Shades mixed with what lies behind the bars: the background or the resource band.
        self._shades = shade_table(
            {kind: palette.colour(kind) for kind in BarKind},
            (QColor(palette.BACKGROUND), QColor(palette.RESOURCE_BAND)),
        )
        self._highlight_pen = QPen(QColor(palette.HIGHLIGHT), palette.HIGHLIGHT_PX)
        self._highlight_pen.setCosmetic(True)
        # A halo of the background under the outline: it reads on a dark bar and a light one.
        self._halo_pen = QPen(QColor(palette.BACKGROUND), palette.HIGHLIGHT_HALO_PX)
        self._halo_pen.setCosmetic(True)
        self._separator_pen = QPen(QColor(palette.GRID_LINE), 1.0)
        self._separator_pen.setCosmetic(True)
        self._edge_pen = QPen(QColor(palette.BACKGROUND), 1.0)
        self._edge_pen.setCosmetic(True)

    # -- the model ----------------------------------------------------------------

    def set_timeline(self, timeline: Timeline) -> None:
        """Show ``timeline``; cheap to call on every frame of a live run."""
        previous, self.timeline = self.timeline, timeline
        prepared = _PREPARED.pop(id(timeline), None)
        if prepared is not None:
            self.index = prepared
        elif timeline is previous and self.index is not None:
            # The same Timeline again (a finished run is handed on as the last frame,
            # then as the result): its index stands; indexing it again took ~150 ms.
            pass
        elif self._finished is not None and self._finished[0] is timeline:
            self.index = self._finished[1]  # back from a replay to the run it replayed
        elif self.index is not None and _continues(timeline, previous, self.index.frozen):
            assert isinstance(timeline, GrowingTimeline)
            self.index.extend(timeline, timeline.frozen)
        else:
            frozen = timeline.frozen if isinstance(timeline, GrowingTimeline) else None
            self.index = BarIndex(timeline, frozen)
        if not isinstance(timeline, GrowingTimeline) and self.index is not None:
            self._finished = (timeline, self.index)
        bounds = QRectF(0.0, 0.0, max(timeline.span / 1e9, 1e-3), max(len(timeline.lanes), 1))
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds
        self._select_highlight()
        self.update()

    def set_highlight(self, request: int | None) -> None:
        """Outline every slice of ``request`` in every lane (None: no highlight)."""
        self.highlighted = request
        self._select_highlight()
        self.update()

    def _select_highlight(self) -> None:
        if self.highlighted is None or self.timeline is None or self.index is None:
            self._highlight_bars = np.empty(0, np.int64)
        else:
            self._highlight_bars = self.index.bars_of_request(
                self.highlighted, self.timeline.request
            )

    # -- QGraphicsItem --------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem | None = None,
        widget: QWidget | None = None,
    ) -> None:
        timeline, index = self.timeline, self.index
        view = self.viewRect()
        if timeline is None or index is None or view is None or view.width() <= 0:
            return
        # Pixels per second in device-independent pixels: the same on a HiDPI screen.
        per_second = abs(painter.transform().m11())
        columns = int(np.ceil(view.width() * per_second))
        if columns <= 0:
            return
        x0, x1 = view.left(), view.right()
        lane0 = max(int(np.floor(view.top())), 0)
        lane1 = min(int(np.ceil(view.bottom())), len(timeline.lanes) - 1)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self._paint_resource_band(painter, timeline, x0, x1)
        rows_per_lane = abs(painter.transform().m22())  # pixels a lane
        # Lanes thinner than a pixel: one rectangle per pixel row, not one per lane.
        row_height = 1.0 / max(rows_per_lane, 1e-12) if rows_per_lane < 1.0 else 1.0
        view_columns = ColumnView(x0, x1, columns, lane0, lane1, row_height)
        spans = self.span_cache.spans(timeline, index, view_columns, self._replayed(timeline))
        column_width = (x1 - x0) / columns
        painter.setPen(Qt.PenStyle.NoPen)
        self._paint_spans(painter, spans, view_columns, rows_per_lane, timeline.worker_count + 1)
        self._paint_highlight(painter, timeline, index, x0, x1, column_width)
        self._paint_request_labels(painter, timeline, index, x0, x1, per_second)

    def _replayed(self, timeline: Timeline) -> BarIndex | None:
        """The finished run's index when ``timeline`` is a replay frame of that run."""
        finished = self._finished
        if isinstance(timeline, ReplayFrame) and finished and timeline.run is finished[0]:
            return finished[1]
        return None

    def _paint_spans(
        self,
        painter: QPainter,
        spans: Spans,
        view: ColumnView,
        rows_per_lane: float,
        resources: int,
    ) -> None:
        """Fill ``spans``: runs by lane, or by pixel row where ``view`` joins lanes into rows."""
        top, height, row_height = BAR_TOP, BAR_HEIGHT, view.row_height
        x0, lane0 = view.x0, view.lane0
        column_width = (view.x1 - view.x0) / view.columns
        if row_height > 1.0:
            row = spans.lane
            top, height = 0.0, row_height
        else:
            row = spans.lane - lane0
        lane = lane0 + row * row_height
        cell = (x0, float(lane0), column_width, row_height)
        bar = (top / row_height, height / row_height)
        row_px = row_height * rows_per_lane
        if len(spans.grid_lanes):
            band = (spans.grid_lanes < resources).astype(np.int64)
            argb = self._shades.reshape(-1, 2)[spans.grid, band[:, None]]
            paint_grid(painter, spans.grid_lanes - lane0, argb, cell, bar, row_px)
        shaded = spans.level < LEVELS
        if np.any(shaded):
            kinds, levels = spans.kind[shaded], spans.level[shaded]
            colours = self._shades[kinds, levels, (lane[shaded] < resources).astype(np.int64)]
            paint_shades(
                painter,
                Spans(row[shaded], kinds, spans.first[shaded], spans.stop[shaded], levels),
                colours,
                cell,
                bar,
                row_px,
                overlapping=row_height > 1.0,
            )
        first, stop = _widen_marks(spans)
        for kind in DRAW_ORDER:
            mine = (spans.kind == kind) & ~shaded
            count = int(np.count_nonzero(mine))
            if count == 0:
                continue
            self._rects.resize(count)
            rects = self._rects.ndarray()
            rects[:, 0] = x0 + first[mine] * column_width
            rects[:, 1] = lane[mine] + top
            rects[:, 2] = (stop[mine] - first[mine]) * column_width
            rects[:, 3] = height
            painter.setBrush(self._brushes[kind])
            painter.drawRects(*self._rects.drawargs())

    def _paint_resource_band(
        self, painter: QPainter, timeline: Timeline, x0: float, x1: float
    ) -> None:
        """A pale band behind the loop and the workers, a line where the requests begin."""
        resources = 1 + timeline.worker_count
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.RESOURCE_BAND))
        painter.drawRect(QRectF(x0, 0.0, x1 - x0, resources))
        # The line in pixels, not seconds by lanes: an SVG renderer without
        # vector-effect (librsvg) would draw a cosmetic pen a whole lane thick.
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setPen(self._separator_pen)
        painter.drawLine(
            to_device.map(pg.QtCore.QPointF(x0, resources)),
            to_device.map(pg.QtCore.QPointF(x1, resources)),
        )
        painter.restore()

    def _paint_request_labels(
        self,
        painter: QPainter,
        timeline: Timeline,
        index: BarIndex,
        x0: float,
        x1: float,
        per_second: float,
    ) -> None:
        """Edge and words on each wide bar of the loop and the workers (bar_labels).

        Back-to-back slices of one colour, five blocking requests on the loop, say,
        would otherwise read as one long bar; the numbers say whose turn it was, and
        on a worker the name says which of a request's trips it was.
        """
        bars = index.wide_bars(x0, x1, LABEL_MIN_PX / per_second * 1e9, MAX_LABELS * 2)
        worded = timeline.request[bars] > 0
        if len(timeline.func) == len(timeline.lane):
            worded |= timeline.func[bars] >= 0  # a named run for no request still says its name
        bars = bars[worded][:MAX_LABELS]
        if len(bars) == 0:
            return
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()  # text drawn in pixels, not stretched into seconds
        # As tall as the bar allows: presentation fonts on short lanes would not fit.
        bar_px = BAR_HEIGHT * abs(to_device.m22())
        painter.setFont(palette.fitted(palette.FONTS.axis(), bar_px + 2))
        metrics = painter.fontMetrics()
        for bar in bars.tolist():
            lane = int(timeline.lane[bar])
            top_left = to_device.map(pg.QtCore.QPointF(timeline.start[bar] / 1e9, lane + BAR_TOP))
            bottom_right = to_device.map(
                pg.QtCore.QPointF(timeline.end[bar] / 1e9, lane + BAR_TOP + BAR_HEIGHT)
            )
            rect = QRectF(top_left, bottom_right).normalized()
            painter.setPen(self._edge_pen)
            painter.drawLine(rect.topLeft(), rect.bottomLeft())
            text = fitting_label(
                label_choices(timeline, bar), rect.width(), metrics.horizontalAdvance
            )
            # A row shorter than the text would print it over its neighbours' rows.
            if text and metrics.height() <= rect.height() + 2:
                light = timeline.kind[bar] == BarKind.UNFINISHED
                painter.setPen(LABEL_TEXT_ON_LIGHT if light else LABEL_TEXT)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _paint_highlight(
        self,
        painter: QPainter,
        timeline: Timeline,
        index: BarIndex,
        x0: float,
        x1: float,
        column_width: float,
    ) -> None:
        bars = index.order[self._highlight_bars]
        if len(bars) == 0:
            return
        start, end = timeline.start[bars] / 1e9, timeline.end[bars] / 1e9
        shown = (end >= x0) & (start <= x1)
        lane = timeline.lane[bars[shown]]
        left = start[shown]
        # A slice narrower than a pixel still gets an outline one pixel wide.
        width = np.maximum(end[shown] - left, column_width)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        count = len(left)
        self._rects.resize(count)
        rects = self._rects.ndarray()
        rects[:, 0] = left
        rects[:, 1] = lane + BAR_TOP
        rects[:, 2] = width
        rects[:, 3] = BAR_HEIGHT
        if count:
            for pen in (self._halo_pen, self._highlight_pen):
                painter.setPen(pen)
                painter.drawRects(*self._rects.drawargs())


def _widen_marks(spans: Spans) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Run edges in columns, failed marks widened about their middle to FAILED_MIN_PX."""
    first, stop = spans.first.astype(np.float64), spans.stop.astype(np.float64)
    narrow = (spans.kind == BarKind.FAILED) & (stop - first < FAILED_MIN_PX)
    middle = (first[narrow] + stop[narrow]) / 2
    first[narrow], stop[narrow] = middle - FAILED_MIN_PX / 2, middle + FAILED_MIN_PX / 2
    return first, stop


def _continues(timeline: Timeline, previous: Timeline | None, frozen: int) -> bool:
    """Whether ``timeline`` keeps the first ``frozen`` bars of ``previous`` as they were."""
    return (
        isinstance(timeline, GrowingTimeline)
        and isinstance(previous, GrowingTimeline)
        and timeline.history is previous.history
        and timeline.frozen >= frozen
    )
