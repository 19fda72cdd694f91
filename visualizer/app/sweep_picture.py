"""SweepPicture: a sweep's latency and throughput against concurrency, one line per pool
size, the knees marked; painted by one QPainter for the window and for ``--png`` alike.

Left, latency: p95 as a solid line, p50 dashed. Right, throughput, with Little's law's
bound for each line as a dotted level, labelled a prediction (it is computed from the
measured work, not measured itself). Each knee is a dashed vertical in its line's
colour. The story in words is under the plots. Points are where a click opens a run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from visualizer.app import palette
from visualizer.model.sweep import Knee, SweepRow, knees, line_label, lines_of, sweep_story

#: Okabe-Ito colours for the lines, in order: blue, orange, bluish green, reddish
#: purple, vermillion, sky blue, yellow (distinct for common colour-vision deficiencies).
LINE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
POINT_RADIUS = 4.5


@dataclass
class SweepPicture:
    """What the picture shows: the rows so far and their words."""

    title: str
    rows: list[SweepRow] = field(default_factory=list)
    #: Filled by paint(): each point's place, for clicks.
    points: list[tuple[QPointF, SweepRow]] = field(default_factory=list)

    @property
    def knees(self) -> list[Knee]:
        return knees(self.rows)

    def story(self) -> list[str]:
        return sweep_story(self.rows)

    def row_at(self, at: QPointF, reach: float = 9.0) -> SweepRow | None:
        """The run whose point is nearest ``at``, within ``reach`` pixels."""
        best, distance = None, reach
        for point, row in self.points:
            d = math.hypot(point.x() - at.x(), point.y() - at.y())
            if d <= distance:
                best, distance = row, d
        return best

    # -- painting -------------------------------------------------------------------------

    def paint(self, painter: QPainter, area: QRectF, scale: float = 1.0) -> None:
        """Draw the whole picture into ``area`` (pixels)."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(area, QColor(palette.THEME.background))
        self.points = []
        text = QColor(palette.THEME.text)
        title_font = _font(15 * scale, bold=True)
        body = _font(11 * scale)
        small = _font(9.5 * scale)
        margin = 14 * scale
        painter.setPen(text)
        painter.setFont(title_font)
        top = area.top() + margin
        title_height = painter.fontMetrics().height()
        painter.drawText(
            QRectF(area.left() + margin, top, area.width() - 2 * margin, title_height),
            Qt.AlignmentFlag.AlignLeft,
            self.title,
        )
        top += title_height + 6 * scale
        story_height = self._story_height(painter, body, area.width() - 2 * margin)
        legend_height = 2 * _line_height(painter, small) + 14 * scale
        plots = QRectF(
            area.left() + margin,
            top + legend_height,
            area.width() - 2 * margin,
            area.bottom() - margin - story_height - 8 * scale - top - legend_height,
        )
        self._paint_legend(painter, QRectF(plots.left(), top, plots.width(), legend_height), small)
        gap = 30 * scale
        half = (plots.width() - gap) / 2
        left = QRectF(plots.left(), plots.top(), half, plots.height())
        right = QRectF(plots.left() + half + gap, plots.top(), half, plots.height())
        self._paint_panel(painter, left, "latency (ms)", small, scale, latency=True)
        self._paint_panel(painter, right, "throughput (requests/s)", small, scale, latency=False)
        self._paint_story(
            painter,
            QRectF(area.left() + margin, plots.bottom() + 8 * scale, plots.width(), story_height),
            body,
        )
        painter.restore()

    def _story_height(self, painter: QPainter, font: QFont, width: float) -> float:
        painter.setFont(font)
        metrics = painter.fontMetrics()
        total = 0.0
        for line in self.story():
            bounds = metrics.boundingRect(
                QRectF(0, 0, width, 10_000).toRect(), int(Qt.TextFlag.TextWordWrap), line
            )
            total += bounds.height() + 3
        return total

    def _paint_story(self, painter: QPainter, area: QRectF, font: QFont) -> None:
        painter.setFont(font)
        painter.setPen(QColor(palette.THEME.text))
        metrics = painter.fontMetrics()
        y = area.top()
        for line in self.story():
            bounds = metrics.boundingRect(
                QRectF(0, 0, area.width(), 10_000).toRect(), int(Qt.TextFlag.TextWordWrap), line
            )
            painter.drawText(
                QRectF(area.left(), y, area.width(), bounds.height()),
                int(Qt.TextFlag.TextWordWrap),
                line,
            )
            y += bounds.height() + 3

    def _paint_legend(self, painter: QPainter, area: QRectF, font: QFont) -> None:
        painter.setFont(font)
        metrics = painter.fontMetrics()
        several = len({row.workers for row in self.rows}) > 1
        x, y = area.left(), area.top()
        height = metrics.height()
        for colour, (workers, pool) in zip(_colours(), lines_of(self.rows), strict=False):
            painter.setPen(QPen(QColor(colour), 3))
            painter.drawLine(QPointF(x, y + height / 2), QPointF(x + 22, y + height / 2))
            painter.setPen(QColor(palette.THEME.text))
            label = line_label(workers, pool, several)
            painter.drawText(QPointF(x + 27, y + metrics.ascent()), label)
            x += 27 + metrics.horizontalAdvance(label) + 18
        y += height + 2
        x = area.left()
        for style, label in (
            (Qt.PenStyle.SolidLine, "p95 latency, throughput"),
            (Qt.PenStyle.DashLine, "p50 latency"),
            (Qt.PenStyle.DotLine, "Little's law bound (predicted from the measured work)"),
            (Qt.PenStyle.DashDotLine, "knee (measured)"),
        ):
            painter.setPen(QPen(QColor(palette.THEME.muted_text), 2, style))
            painter.drawLine(QPointF(x, y + height / 2), QPointF(x + 22, y + height / 2))
            painter.setPen(QColor(palette.THEME.text))
            painter.drawText(QPointF(x + 27, y + metrics.ascent()), label)
            x += 27 + metrics.horizontalAdvance(label) + 18

    def _paint_panel(
        self,
        painter: QPainter,
        area: QRectF,
        label: str,
        font: QFont,
        scale: float,
        latency: bool,
    ) -> None:
        painter.setFont(font)
        metrics = painter.fontMetrics()
        axis_left = metrics.horizontalAdvance("00,000") + 10 * scale
        plot = QRectF(
            area.left() + axis_left,
            area.top() + metrics.height() + 4,
            area.width() - axis_left - 6 * scale,
            area.height() - 2 * metrics.height() - 14 * scale,
        )
        knee_list = self.knees
        values = [
            v
            for row in self.rows
            for v in ((row.p95_ms, row.p50_ms) if latency else (row.throughput,))
        ]
        if not latency:
            values += [knee.bound for knee in knee_list if knee.bound > 0]
        top_value = _nice_top(max(values, default=1.0))
        concurrencies = sorted({row.concurrency for row in self.rows}) or [1]
        x_of = _x_scale(concurrencies, plot)

        def y_of(value: float) -> float:
            return plot.bottom() - plot.height() * value / top_value

        grid = QColor(palette.THEME.grid_line)
        muted = QColor(palette.THEME.muted_text)
        text = QColor(palette.THEME.text)
        painter.setPen(text)
        painter.drawText(QPointF(area.left(), area.top() + metrics.ascent()), label)
        for tick in [0.0, *_ticks(top_value)]:
            y = y_of(tick)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            tick_text = f"{tick:,.0f}"
            painter.drawText(
                QPointF(
                    plot.left() - 6 - metrics.horizontalAdvance(tick_text),
                    y + metrics.ascent() / 2 - 1,
                ),
                tick_text,
            )
        for c in concurrencies:
            x = x_of(c)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(muted)
            tick_text = str(c)
            painter.drawText(
                QPointF(
                    x - metrics.horizontalAdvance(tick_text) / 2, plot.bottom() + metrics.height()
                ),
                tick_text,
            )
        painter.setPen(text)
        caption = "concurrency C"
        painter.drawText(
            QPointF(
                plot.right() - metrics.horizontalAdvance(caption),
                plot.bottom() + 2 * metrics.height(),
            ),
            caption,
        )
        painter.setPen(QPen(text, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())

        lines = list(zip(_colours(), lines_of(self.rows).values(), knee_list, strict=False))
        # Bounds and knees first, every line's: no mark is drawn over another line's point.
        for colour, _, knee in lines:
            pen_colour = QColor(colour)
            if not latency and knee.bound > 0 and knee.bound <= top_value:
                y = y_of(knee.bound)
                painter.setPen(QPen(pen_colour, 1.5 * scale, Qt.PenStyle.DotLine))
                painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
                painter.setPen(pen_colour)
                note = f"{knee.bound:,.0f}/s predicted"
                painter.drawText(
                    QPointF(plot.right() - metrics.horizontalAdvance(note) - 2, y - 3), note
                )
            if knee.concurrency is not None:
                x = x_of(knee.concurrency)
                painter.setPen(QPen(pen_colour, 1.5 * scale, Qt.PenStyle.DashDotLine))
                painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
                if latency:
                    note = f"knee C={knee.concurrency}"
                    painter.setPen(pen_colour)
                    painter.drawText(QPointF(x + 4, plot.top() + metrics.ascent()), note)
        for colour, line, _ in lines:
            pen_colour = QColor(colour)
            series = [(row, row.p95_ms if latency else row.throughput) for row in line]
            self._paint_series(
                painter, series, x_of, y_of, pen_colour, Qt.PenStyle.SolidLine, scale
            )
            if latency:
                dashed = [(row, row.p50_ms) for row in line]
                self._paint_series(
                    painter,
                    dashed,
                    x_of,
                    y_of,
                    pen_colour,
                    Qt.PenStyle.DashLine,
                    scale,
                    points=False,
                )

    def _paint_series(
        self,
        painter: QPainter,
        series: list[tuple[SweepRow, float]],
        x_of: Callable[[float], float],
        y_of: Callable[[float], float],
        colour: QColor,
        style: Qt.PenStyle,
        scale: float,
        points: bool = True,
    ) -> None:
        places = [(row, QPointF(x_of(row.concurrency), y_of(value))) for row, value in series]
        painter.setPen(QPen(colour, 2.5 * scale, style))
        for (_, a), (_, b) in pairwise(places):
            painter.drawLine(a, b)
        if not points:
            return
        painter.setPen(QPen(QColor(palette.THEME.background), 1.5))
        painter.setBrush(colour)
        for row, place in places:
            painter.drawEllipse(place, POINT_RADIUS * scale, POINT_RADIUS * scale)
            self.points.append((place, row))
        painter.setBrush(Qt.BrushStyle.NoBrush)


def _colours() -> list[str]:
    return list(LINE_COLOURS) * 4


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont(palette.FONTS.base())
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _line_height(painter: QPainter, font: QFont) -> float:
    painter.setFont(font)
    return float(painter.fontMetrics().height())


def _nice_top(value: float) -> float:
    """The axis's top: the next of 1, 2, 2.5, 5 x 10^k above ``value`` x 1.05."""
    value = max(value * 1.05, 1e-9)
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _ticks(top: float) -> list[float]:
    return [top * i / 5 for i in range(1, 6)]


def _x_scale(values: list[int], plot: QRectF) -> Callable[[float], float]:
    """Concurrency to x: logarithmic where the values span more than 8x, else linear,
    from the smallest swept to the largest, inset so points at the ends show whole."""
    low, high = min(values), max(values)
    inset = 16.0
    span = plot.width() - 2 * inset
    if high == low:
        middle = float(plot.left() + plot.width() / 2)
        return lambda c: middle
    logarithmic = high / max(low, 1) > 8

    def x_of(c: float) -> float:
        if logarithmic:
            share = (math.log(c) - math.log(low)) / (math.log(high) - math.log(low))
        else:
            share = (c - low) / (high - low)
        return float(plot.left() + inset + share * span)

    return x_of


def render_sweep(picture: SweepPicture, width: int) -> QImage:
    """The picture as an image ``width`` pixels wide (and 0.62 of that high)."""
    height = round(width * 0.62)
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(palette.THEME.background))
    painter = QPainter(image)
    try:
        picture.paint(painter, QRectF(0, 0, width, height), scale=width / 1400)
    finally:
        painter.end()
    return image


def save_sweep_png(picture: SweepPicture, path: str | Path, width: int = 1600) -> None:
    image = render_sweep(picture, width)
    if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"cannot write {path}")
