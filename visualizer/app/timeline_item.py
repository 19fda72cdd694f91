"""GanttItem: every bar of a Timeline drawn by one pyqtgraph GraphicsObject.

x is seconds since the run started, y is the lane number (lane ``k`` fills
``[k, k + 1)``, the view flips y so lane 0 is on top). One item rather than one
QGraphicsItem per bar: the scene stays small, and each frame asks the BarIndex
only for the runs of pixel columns that are on screen, then fills them with one
``drawRects`` call per colour.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from visualizer.app import palette
from visualizer.app._bar_index import BarIndex
from visualizer.model.timeline import BarKind, Timeline

#: Bars fill the middle of their lane, leaving a gap between rows.
BAR_TOP = 0.14
BAR_HEIGHT = 0.72

#: A bar on the loop or a worker this wide (pixels) gets an edge and its request's number.
LABEL_MIN_PX = 26
#: More labels than this in view would be noise; the widest ones get them.
MAX_LABELS = 400

#: Colours drawn later win a pixel column that holds two kinds: request work over
#: server I/O on the loop, failure marks over everything.
DRAW_ORDER = (
    BarKind.SERVER,
    BarKind.QUEUED,
    BarKind.AWAITING,
    BarKind.WAITING,
    BarKind.RUNNING,
    BarKind.FAILED,
)


class GanttItem(pg.GraphicsObject):  # type: ignore[misc]
    """The bars of one Timeline, in seconds by lanes, with one request highlighted."""

    def __init__(self) -> None:
        super().__init__()
        self.timeline: Timeline | None = None
        self.index: BarIndex | None = None
        self.highlighted: int | None = None
        self._highlight_bars = np.empty(0, np.int64)
        self._bounds = QRectF()
        # pyqtgraph's wrapper of QPainter::drawRects over a numpy buffer: one call per
        # colour without building a Python list of QRectF.
        self._rects = pg.Qt.internals.PrimitiveArray(QRectF, 4)
        self._brushes = {kind: QBrush(palette.colour(kind)) for kind in BarKind}
        self._highlight_pen = QPen(QColor(palette.HIGHLIGHT), 2.0)
        self._highlight_pen.setCosmetic(True)
        self._separator_pen = QPen(QColor(palette.GRID_LINE), 1.0)
        self._separator_pen.setCosmetic(True)
        self._edge_pen = QPen(QColor(palette.BACKGROUND), 1.0)
        self._edge_pen.setCosmetic(True)
        # Resource-lane bars of a request, widest first, for labelling.
        self._labelled = np.empty(0, np.int64)
        self._labelled_ns = np.empty(0, np.int64)

    # -- the model ----------------------------------------------------------------

    def set_timeline(self, timeline: Timeline) -> None:
        """Show ``timeline``; cheap to call on every frame of a live run."""
        self.timeline = timeline
        self.index = BarIndex(timeline)
        resource = np.flatnonzero((timeline.lane <= timeline.worker_count) & (timeline.request > 0))
        durations = timeline.end[resource] - timeline.start[resource]
        widest_first = np.argsort(-durations, kind="stable")
        self._labelled = resource[widest_first]
        self._labelled_ns = durations[widest_first]
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
        spans = index.spans(x0, x1, columns, lane0, lane1)
        column_width = (x1 - x0) / columns
        painter.setPen(Qt.PenStyle.NoPen)
        for kind in DRAW_ORDER:
            mine = spans.kind == kind
            count = int(np.count_nonzero(mine))
            if count == 0:
                continue
            self._rects.resize(count)
            rects = self._rects.ndarray()
            rects[:, 0] = x0 + spans.first[mine] * column_width
            rects[:, 1] = spans.lane[mine] + BAR_TOP
            rects[:, 2] = (spans.stop[mine] - spans.first[mine]) * column_width
            rects[:, 3] = BAR_HEIGHT
            painter.setBrush(self._brushes[kind])
            painter.drawRects(*self._rects.drawargs())
        self._paint_highlight(painter, index, x0, x1, column_width)
        self._paint_request_labels(painter, timeline, x0, x1, per_second)

    def _paint_resource_band(
        self, painter: QPainter, timeline: Timeline, x0: float, x1: float
    ) -> None:
        """A pale band behind the loop and the workers, a line where the requests begin."""
        resources = 1 + timeline.worker_count
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.RESOURCE_BAND))
        painter.drawRect(QRectF(x0, 0.0, x1 - x0, resources))
        painter.setPen(self._separator_pen)
        painter.drawLine(pg.QtCore.QPointF(x0, resources), pg.QtCore.QPointF(x1, resources))

    def _paint_request_labels(
        self, painter: QPainter, timeline: Timeline, x0: float, x1: float, per_second: float
    ) -> None:
        """Edge and number on each wide bar of the loop and the workers.

        Back-to-back slices of one colour, five blocking requests on the loop, say,
        would otherwise read as one long bar; the numbers say whose turn it was.
        """
        min_ns = LABEL_MIN_PX / per_second * 1e9
        wide = int(np.searchsorted(-self._labelled_ns, -min_ns, side="right"))
        bars = self._labelled[:wide]
        start_s, end_s = timeline.start[bars] / 1e9, timeline.end[bars] / 1e9
        bars = bars[(end_s > x0) & (start_s < x1)][:MAX_LABELS]
        if len(bars) == 0:
            return
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()  # text drawn in pixels, not stretched into seconds
        painter.setFont(palette.FONTS.axis())
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
            text = f"request {timeline.request[bar]}"
            if metrics.horizontalAdvance(text) + 8 > rect.width():
                text = f"{timeline.request[bar]}"
            if metrics.horizontalAdvance(text) + 4 <= rect.width():
                painter.setPen(QColor(palette.BACKGROUND))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _paint_highlight(
        self, painter: QPainter, index: BarIndex, x0: float, x1: float, column_width: float
    ) -> None:
        bars = self._highlight_bars
        if len(bars) == 0:
            return
        start, end = index.start[bars], index.end[bars]
        shown = (end >= x0) & (start <= x1)
        assert self.timeline is not None
        lane = self.timeline.lane[index.order[bars[shown]]]
        left = start[shown]
        # A slice narrower than a pixel still gets an outline one pixel wide.
        width = np.maximum(end[shown] - left, column_width)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(self._highlight_pen)
        count = len(left)
        self._rects.resize(count)
        rects = self._rects.ndarray()
        rects[:, 0] = left
        rects[:, 1] = lane + BAR_TOP
        rects[:, 2] = width
        rects[:, 3] = BAR_HEIGHT
        if count:
            painter.drawRects(*self._rects.drawargs())
