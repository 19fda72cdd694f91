"""AnnotationLayer: the marks that explain a run, drawn over the bars of a TimelinePlot.

The longest loop block gets a bracket above the event loop lane and a label naming
the request that held the loop; each pool's full periods are hatched across that
pool's lanes. Both come from :mod:`visualizer.model.annotations`; this module only draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from visualizer.app import palette
from visualizer.app.timeline.gantt_item import BAR_HEIGHT, BAR_TOP
from visualizer.model.annotations import Annotations, pool_group_key
from visualizer.model.pool_groups import pool_groups
from visualizer.model.timeline import Timeline

#: Where the bracket runs, in lanes: just above the event loop lane (lane 0 starts at 0).
BRACKET_Y = -0.12
#: Where the label's baseline sits, in lanes: just above the bracket.
LABEL_Y = BRACKET_Y - 0.04
#: How far its end ticks reach down towards the bar.
BRACKET_TICK = 0.1
#: Drawn above the bars (z 0) so the marks are never hidden.
ANNOTATION_Z = 10


#: Pixels between the lines of the pool-full hatching.
HATCH_STEP = 8.0


def hatch_brush() -> QBrush:
    """The pool-full hatching as a brush, for the window's legend swatch."""
    return QBrush(_hatch_colour(), Qt.BrushStyle.BDiagPattern)


def _hatch_colour() -> QColor:
    colour = QColor(palette.ANNOTATION)
    colour.setAlpha(200)
    return colour


def paint_hatch(painter: QPainter, rects: list[QRectF]) -> None:
    """Hatch ``rects`` (device pixels) with "/" lines, each cut to its rectangle.

    Lines, not a pattern brush: an SVG pattern is drawn as a vermillion block by some
    renderers, and QSvgGenerator writes no clip path, so every line ends at its edge.
    """
    lines = []
    for rect in rects:
        left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
        # Lines x + y = c, c on a grid fixed to the device so neighbours line up.
        first = math.ceil((left + top) / HATCH_STEP) * HATCH_STEP
        for c in np.arange(first, right + bottom, HATCH_STEP):
            x0, x1 = max(left, c - bottom), min(right, c - top)
            if x1 > x0:
                lines.append(QLineF(x0, c - x0, x1, c - x1))
    if lines:
        painter.setPen(QPen(_hatch_colour(), 1.0))
        painter.drawLines(lines)


@dataclass(frozen=True)
class FullBand:
    """A pool's lanes (``first`` up to ``stop``) and its full stretches, in seconds."""

    first: int
    stop: int
    periods: list[tuple[float, float]]


class PoolFullShading(pg.GraphicsObject):  # type: ignore[misc]
    """Hatched rectangles over a pool's lanes while every worker of that pool is busy.

    Each pool fills at its own capacity, so each is hatched over its own lanes only:
    the loop's default executor being full says nothing about AnyIO's workers.
    """

    def __init__(self) -> None:
        super().__init__()
        self.bands: list[FullBand] = []
        self._bounds = QRectF()

    def set_bands(self, bands: list[FullBand]) -> None:
        self.prepareGeometryChange()
        self.bands = [band for band in bands if band.periods and band.stop > band.first]
        if self.bands:
            left = min(band.periods[0][0] for band in self.bands)
            right = max(band.periods[-1][1] for band in self.bands)
            top = min(band.first for band in self.bands)
            bottom = max(band.stop for band in self.bands)
            self._bounds = QRectF(left, float(top), right - left, float(bottom - top))
        else:
            self._bounds = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem | None = None,
        widget: QWidget | None = None,
    ) -> None:
        if not self.bands:
            return
        to_device = painter.transform()
        painter.save()
        # Hatch and outline in pixels: a pattern stretched into seconds would be a blur.
        painter.resetTransform()
        outline = QPen(QColor(palette.ANNOTATION), 1.5)
        for band in self.bands:
            # The hatch fills the gaps between the worker bars, not the bars: striped
            # bars would read as another phase.
            gaps = [
                (lane + edge, lane + edge + height)
                for lane in range(band.first, band.stop)
                for edge, height in (
                    (0.0, BAR_TOP),
                    (BAR_TOP + BAR_HEIGHT, 1.0 - BAR_TOP - BAR_HEIGHT),
                )
            ]
            for start, end in band.periods:
                paint_hatch(
                    painter,
                    [
                        QRectF(
                            to_device.map(QPointF(start, top)), to_device.map(QPointF(end, low))
                        ).normalized()
                        for top, low in gaps
                    ],
                )
                painter.setPen(outline)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                rect = QRectF(
                    to_device.map(QPointF(start, band.first)),
                    to_device.map(QPointF(end, band.stop)),
                )
                painter.drawRect(rect.normalized())
        painter.restore()


def full_bands(annotations: Annotations, timeline: Timeline) -> list[FullBand]:
    """Each pool's full stretches over each group of that pool's lanes: with several
    server processes, each process's pool over its own lanes alone."""
    periods = annotations.full_periods()
    bands = []
    for group in pool_groups(timeline):
        full = periods.get(pool_group_key(group.process, group.pool.id))
        if full:
            bands.append(FullBand(group.first, group.stop, [(s / 1e9, e / 1e9) for s, e in full]))
    return bands


class AnnotationLayer:
    """The annotation items of one plot; hidden until a run has something to point at."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.pool_full = PoolFullShading()
        self.bracket = pg.PlotCurveItem()
        self.label = pg.TextItem(anchor=(0.0, 1.0))
        for item in (self.pool_full, self.bracket, self.label):
            item.setZValue(ANNOTATION_Z)
            plot.addItem(item)
        self.clear()

    def clear(self) -> None:
        self.pool_full.set_bands([])
        self.bracket.setData([], [])
        self.label.setVisible(False)

    def show(self, annotations: Annotations, timeline: Timeline) -> None:
        self.pool_full.set_bands(full_bands(annotations, timeline))
        block = annotations.loop_block
        if block is None:
            self.bracket.setData([], [])
            self.label.setVisible(False)
            return
        left, right = block.start / 1e9, block.end / 1e9
        top, tip = BRACKET_Y, BRACKET_Y + BRACKET_TICK
        self.bracket.setData([left, left, right, right], [tip, top, top, tip])
        self.bracket.setPen(pg.mkPen(palette.ANNOTATION, width=2.5 * palette.FONTS.scale))
        self.label.setText(block.text, color=palette.ANNOTATION)
        font = palette.FONTS.base()
        font.setBold(True)
        self.label.setFont(font)
        # Written from the block towards the middle of the run, so it stays in the picture.
        if block.start + block.end < timeline.span:
            self.label.setAnchor((0.0, 1.0))
            self.label.setPos(left, LABEL_Y)
        else:
            self.label.setAnchor((1.0, 1.0))
            self.label.setPos(right, LABEL_Y)
        self.label.setVisible(True)
