"""PredictionGhost: the class's prediction, left as dashed outlines over the measured run.

The chosen shape's busy stretches are outlined, never filled, on the lanes of the
requests they predict, and a dashed line marks the predicted makespan with the
words "predicted". Outlines only: the measured bars stay visible through them, and
nothing of the prediction could be read as measured (its grey is no phase colour).
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from visualizer.app import palette
from visualizer.app.timeline.gantt_item import BAR_HEIGHT, BAR_TOP
from visualizer.model.prediction import Prediction
from visualizer.model.scheduling import seconds_text
from visualizer.model.timeline import LaneKind, Timeline

#: Above the bars and below the annotations' labels.
GHOST_Z = 8
#: Stretches whose ends differ by less than this share of the makespan are drawn as one.
SAME_SHARE = 0.01


class PredictionGhost(pg.GraphicsObject):  # type: ignore[misc]
    """Dashed outlines of a prediction on a TimelinePlot (x in seconds, y in lanes)."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(GHOST_Z)
        self.prediction: Prediction | None = None
        #: (x0, x1, first lane, last lane) of each outlined stretch: requests on
        #: neighbouring lanes predicted alike share one outline (a wave of 40 is one box,
        #: not 40 that would cover the measured bars in dashes on a projector).
        self.boxes: list[tuple[float, float, int, int]] = []
        self.lanes = 1
        self._bounds = QRectF()
        #: Where another label is (scene coordinates), for this one to keep clear of.
        self.avoid: Callable[[], QRectF | None] | None = None

    def set_prediction(self, prediction: Prediction | None, timeline: Timeline | None) -> None:
        self.prepareGeometryChange()
        self.prediction = prediction
        self.boxes = []
        self.lanes = len(timeline.lanes) if timeline is not None else 1
        if prediction is not None and prediction.candidate is not None and timeline is not None:
            lane_of = {
                lane.key: number
                for number, lane in enumerate(timeline.lanes)
                if lane.kind == LaneKind.REQUEST
            }
            stretches = [
                (a, b, lane)
                for request in prediction.candidate.requests
                if (lane := lane_of.get(request.request)) is not None
                for a, b in request.busy
            ]
            self.boxes = merged(stretches, SAME_SHARE * prediction.makespan_s)
        end = prediction.makespan_s if prediction is not None else 0.0
        right = max([end, *(box[1] for box in self.boxes)])
        self._bounds = QRectF(0, -1, max(right, 1e-6), self.lanes + 1)
        self.update()

    def _taken(self, transform: QTransform) -> QRectF | None:
        """Where the plot's loop-block label is, in the painter's device pixels."""
        label = self.avoid() if self.avoid is not None else None
        if label is None:
            return None
        mapped: QRectF = transform.mapRect(self.mapRectFromScene(label))
        return mapped

    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.prediction is None:
            return
        painter.save()
        # Pens in device pixels whatever the zoom: draw in device coordinates.
        transform = painter.transform()
        painter.resetTransform()
        grey = QColor(palette.TEXT)
        pen = QPen(grey, 1.6, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rects = [
            transform.mapRect(QRectF(x0, first + BAR_TOP, x1 - x0, last - first + BAR_HEIGHT))
            for x0, x1, first, last in self.boxes
        ]
        painter.drawRects(rects)
        end = self.prediction.makespan_s
        top, bottom = transform.map(QPointF(end, 0)), transform.map(QPointF(end, self.lanes))
        text = f"predicted {seconds_text(end)}"
        view = self.getViewBox()
        (x0, x1), _ = view.viewRange() if view else ((0.0, end), None)
        left_edge, right = transform.map(QPointF(x0, 0)).x(), transform.map(QPointF(x1, 0)).x()
        if bottom.x() > right:  # beyond the view (GHOST_REACH): say where, at its edge
            text += " \N{RIGHTWARDS ARROW}"
            bottom = QPointF(right, bottom.y())
        else:
            painter.setPen(QPen(grey, 2.0, Qt.PenStyle.DashLine))
            painter.drawLine(QLineF(top, bottom))
        font = palette.FONTS.base()
        metrics = QFontMetricsF(font)
        width = metrics.horizontalAdvance(text) + 8
        # Above the event loop's lane, in the room kept there for labels (over the lanes
        # it would hide the bars of the last requests): left of the line, or right of it,
        # or past the loop block's label; nowhere if all are taken (the words say it).
        taken = self._taken(transform)
        y = top.y() - metrics.height() - 2
        away = f"\N{LEFTWARDS ARROW} {text}"  # past the loop block's label, pointing back
        places = [(bottom.x() - width - 4, text), (bottom.x() + 4, text)]
        if taken is not None and taken.right() + 12 > bottom.x():
            places.append((taken.right() + 12, away))
        for left, text in places:
            width = metrics.horizontalAdvance(text) + 8
            left = min(max(left, left_edge), right - width - 2)
            box = QRectF(left, y, width, metrics.height())
            if taken is None or not box.intersects(taken):
                painter.setPen(QPen(grey, 1.0))
                painter.setBrush(QColor(palette.BACKGROUND))
                painter.drawRect(box)
                painter.setFont(font)
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
                break
        painter.restore()


def merged(
    stretches: list[tuple[float, float, int]], tolerance: float
) -> list[tuple[float, float, int, int]]:
    """``(x0, x1, lane)`` stretches joined into ``(x0, x1, first lane, last lane)`` boxes
    where they sit on neighbouring lanes with the same ends (within ``tolerance``)."""
    boxes: list[tuple[float, float, int, int]] = []
    ending: dict[int, list[int]] = {}  # lane -> the boxes whose last lane it is
    for x0, x1, lane in sorted(stretches, key=lambda s: (s[2], s[0])):
        above = ending.get(lane - 1, [])
        match = next(
            (
                i
                for i in above
                if abs(boxes[i][0] - x0) <= tolerance and abs(boxes[i][1] - x1) <= tolerance
            ),
            None,
        )
        if match is None:
            match = len(boxes)
            boxes.append((x0, x1, lane, lane))
        else:
            above.remove(match)
            a, b, first, _ = boxes[match]
            boxes[match] = (a, b, first, lane)
        ending.setdefault(lane, []).append(match)
    return boxes
