"""Candidate cards: the predicted shapes of a run, drawn so that nobody takes them for measured.

One card a candidate, stacked on one shared time axis so their lengths compare at
a glance: its letter, its name and predicted makespan on the left, a small Gantt
chart of its requests on the right. Predictions are never drawn as the timeline
draws measured bars: no phase colours, only grey outlines with grey hatching, a
dotted line for a request waiting, and "PREDICTION" on every card. Painted with a
QPainter into any rectangle, so the window's panel and a lesson's question slide
show the same cards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from visualizer.app import palette
from visualizer.model.prediction import LETTERS
from visualizer.model.scheduling import Candidate, seconds_text

#: What every card says, in its corner: nothing on it was measured.
PREDICTION_TAG = "PREDICTION"
#: Pixels between the lines of a predicted bar's hatching.
HATCH_STEP = 6.0
#: Rows thinner than this (pixels) are filled flat: hatching would not show.
FLAT_ROW_PX = 5.0
#: The left column's share of the width, within these pixel bounds (times the font scale).
LABEL_SHARE, LABEL_MIN_PX, LABEL_MAX_PX = 0.3, 170.0, 420.0


def ink() -> QColor:
    """The grey of predictions: the theme's muted text, never a phase colour."""
    return QColor(palette.MUTED_TEXT)


@dataclass
class CardsLayout:
    """Where the cards landed: for the mouse (dragging the makespan) and for tests."""

    cards: list[QRectF] = field(default_factory=list)
    charts: list[QRectF] = field(default_factory=list)
    left: float = 0.0
    right: float = 1.0
    span_s: float = 1.0

    def x_of(self, seconds: float) -> float:
        return self.left + seconds / self.span_s * (self.right - self.left)

    def seconds_at(self, x: float) -> float:
        share = (x - self.left) / max(self.right - self.left, 1.0)
        return max(0.0, min(1.0, share)) * self.span_s


@dataclass(frozen=True)
class CardFonts:
    letter: QFont
    name: QFont
    text: QFont
    small: QFont

    @classmethod
    def now(cls) -> CardFonts:
        """The palette's fonts at its scale as it is now (presentation mode, a slide)."""
        small = palette.FONTS.font(palette.FONTS.base_pt * 0.8, bold=True)
        small.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 115)
        return cls(
            letter=palette.FONTS.font(palette.FONTS.heading_pt * 1.6, bold=True),
            name=palette.FONTS.heading(),
            text=palette.FONTS.base(),
            small=small,
        )


def paint_cards(
    painter: QPainter,
    rect: QRectF,
    candidates: Sequence[Candidate],
    fonts: CardFonts,
    votes: dict[str, int] | None = None,
    chosen: int | None = None,
    guess_s: float | None = None,
) -> CardsLayout:
    """Paint ``candidates`` into ``rect``; ``chosen`` is outlined, ``guess_s`` is a makespan
    the class dragged to (a dashed line across every card)."""
    votes = votes or {}
    layout = CardsLayout()
    if not candidates:
        return layout
    text_h = QFontMetricsF(fonts.text).height()
    axis_h = text_h * 2.0
    gap = max(6.0, text_h * 0.4)
    count = len(candidates)
    card_h = (rect.height() - axis_h - gap * (count - 1)) / count
    scale = palette.FONTS.scale
    label_w = min(max(rect.width() * LABEL_SHARE, LABEL_MIN_PX * scale), LABEL_MAX_PX * scale)
    layout.left = rect.left() + label_w + gap
    layout.right = rect.right() - gap
    longest = max(c.makespan_s for c in candidates)
    layout.span_s = _nice_span(max(longest, guess_s or 0.0) * 1.04)
    for index, candidate in enumerate(candidates):
        top = rect.top() + index * (card_h + gap)
        card = QRectF(rect.left(), top, rect.width(), card_h)
        chart = QRectF(layout.left, top + gap / 2, layout.right - layout.left, card_h - gap)
        layout.cards.append(card)
        layout.charts.append(chart)
        letter = LETTERS[index]
        _paint_frame(painter, card, chosen == index)
        _paint_label(painter, card, label_w, letter, candidate, votes.get(letter, 0), fonts)
        _paint_chart(painter, chart, candidate, layout)
        _paint_tag(painter, QRectF(card.left(), top, label_w, card_h), fonts.small)
    axis_top = rect.top() + count * card_h + (count - 1) * gap
    _paint_axis(painter, layout, axis_top, fonts.text)
    if guess_s is not None:
        _paint_guess(painter, layout, rect.top(), axis_top, guess_s, fonts.text)
    return layout


def _nice_span(seconds: float) -> float:
    """A round end for the axis: 0.25, 0.5, 1, 2.5, 5... times a power of ten."""
    seconds = max(seconds, 1e-3)
    power = 10.0 ** math.floor(math.log10(seconds))
    for step in (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if step * power >= seconds:
            return step * power
    return 10 * power


def _paint_frame(painter: QPainter, card: QRectF, chosen: bool) -> None:
    pen = QPen(QColor(palette.TEXT) if chosen else ink(), 3.0 if chosen else 1.0)
    if not chosen:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(card.adjusted(1, 1, -1, -1), 6, 6)


def _paint_label(
    painter: QPainter,
    card: QRectF,
    width: float,
    letter: str,
    candidate: Candidate,
    votes: int,
    fonts: CardFonts,
) -> None:
    pad = QFontMetricsF(fonts.text).height() * 0.4
    letter_w = QFontMetricsF(fonts.letter).horizontalAdvance("W") * 1.2
    painter.setPen(QColor(palette.TEXT))
    painter.setFont(fonts.letter)
    painter.drawText(
        QRectF(card.left() + pad, card.top(), letter_w, card.height()),
        Qt.AlignmentFlag.AlignCenter,
        letter,
    )
    text_left = card.left() + pad + letter_w
    lines = [
        (fonts.name, candidate.name, palette.TEXT),
        (fonts.text, f"about {seconds_text(candidate.makespan_s)}", palette.MUTED_TEXT),
    ]
    if votes:
        lines.append((fonts.text, f"{votes} {'hand' if votes == 1 else 'hands'}", palette.TEXT))
    room = QRectF(text_left, card.top() + pad, width - (text_left - card.left()), card.height())
    heights = [
        QFontMetricsF(font).boundingRect(room, _WRAP, text).height() for font, text, _ in lines
    ]
    y = card.top() + max(pad, (card.height() - sum(heights)) / 2)
    for (font, text, colour), height in zip(lines, heights, strict=True):
        if y + height > card.bottom():
            break  # a short card keeps the name and drops what does not fit
        painter.setFont(font)
        painter.setPen(QColor(colour))
        painter.drawText(QRectF(text_left, y, room.width(), height), _WRAP, text)
        y += height


_WRAP = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap


def _paint_chart(
    painter: QPainter, chart: QRectF, candidate: Candidate, layout: CardsLayout
) -> None:
    """One row a request: hatched grey outlines where it is worked on, dots where it waits."""
    rows = len(candidate.requests)
    row_h = chart.height() / max(rows, 1)
    flat = row_h < FLAT_ROW_PX
    grey = ink()
    wait_pen = QPen(grey, 1.0, Qt.PenStyle.DotLine)
    outline = QPen(grey, 1.0)
    pale = QColor(grey)
    pale.setAlpha(110)
    boxes: list[QRectF] = []
    waits: list[QLineF] = []
    for row, request in enumerate(candidate.requests):
        top = chart.top() + row * row_h
        bar = QRectF(0, top + (0 if flat else row_h * 0.15), 0, row_h if flat else row_h * 0.7)
        middle = top + row_h / 2
        last = request.sent
        for start, end in request.busy:
            if start > last:
                waits.append(QLineF(layout.x_of(last), middle, layout.x_of(start), middle))
            x0, x1 = layout.x_of(start), layout.x_of(end)
            boxes.append(QRectF(x0, bar.top(), max(x1 - x0, 1.0), bar.height()))
            last = end
    painter.save()
    painter.setClipRect(chart)
    if not flat:
        painter.setPen(wait_pen)
        painter.drawLines(waits)
    if flat:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pale)
        painter.drawRects(boxes)
    else:
        _hatch(painter, boxes, pale)
        painter.setPen(outline)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRects(boxes)
    # Its makespan, a short tick under the chart.
    x = layout.x_of(candidate.makespan_s)
    painter.setPen(QPen(QColor(palette.TEXT), 2.0))
    painter.drawLine(QLineF(x, chart.top(), x, chart.bottom()))
    painter.restore()


def _hatch(painter: QPainter, rects: list[QRectF], colour: QColor) -> None:
    """ "\\" lines across each rectangle: the hatching that says "not measured"."""
    lines = []
    for rect in rects:
        left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
        first = math.floor((left - bottom) / HATCH_STEP) * HATCH_STEP
        c = first
        while c < right - top:
            # Lines x - y = c, clipped to the rectangle.
            x0, x1 = max(left, c + top), min(right, c + bottom)
            if x1 > x0:
                lines.append(QLineF(x0, x0 - c, x1, x1 - c))
            c += HATCH_STEP
    painter.setPen(QPen(colour, 1.0))
    painter.drawLines(lines)


def _paint_tag(painter: QPainter, label: QRectF, font: QFont) -> None:
    """ "PREDICTION" in the label column's top corner, clear of the bars."""
    metrics = QFontMetricsF(font)
    pad = metrics.height() * 0.3
    box = QRectF(label.left() + pad * 2, label.top() + pad, label.width(), metrics.height())
    painter.setFont(font)
    painter.setPen(ink())
    painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, PREDICTION_TAG)


def _paint_axis(painter: QPainter, layout: CardsLayout, top: float, font: QFont) -> None:
    metrics = QFontMetricsF(font)
    painter.setFont(font)
    painter.setPen(QPen(QColor(palette.TEXT), 1.0))
    painter.drawLine(QLineF(layout.left, top + 2, layout.right, top + 2))
    step = _nice_span(layout.span_s / 5)
    ticks = round(layout.span_s / step)
    for n in range(ticks + 1):
        seconds = n * step
        x = layout.x_of(seconds)
        painter.drawLine(QLineF(x, top + 2, x, top + 6))
        text = f"{seconds:g} s"
        w = metrics.horizontalAdvance(text)
        painter.drawText(
            QPointF(min(max(x - w / 2, layout.left), layout.right - w), top + 6 + metrics.ascent()),
            text,
        )
    label = "predicted time since the run started"
    painter.setPen(ink())
    painter.drawText(
        QPointF(layout.left, top + 6 + metrics.height() + metrics.ascent() * 0.9), label
    )


def _paint_guess(
    painter: QPainter, layout: CardsLayout, top: float, bottom: float, guess_s: float, font: QFont
) -> None:
    x = layout.x_of(guess_s)
    pen = QPen(QColor(palette.TEXT), 2.5, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawLine(QLineF(x, top, x, bottom))
    text = f"your guess: {seconds_text(guess_s)}"
    metrics = QFontMetricsF(font)
    w = metrics.horizontalAdvance(text) + 12
    left = x + 6 if x + 6 + w <= layout.right else x - 6 - w
    box = QRectF(left, top + 2, w, metrics.height() + 4)
    painter.setBrush(QColor(palette.BACKGROUND))
    painter.setPen(QPen(QColor(palette.TEXT), 1.0))
    painter.drawRect(box)
    painter.setFont(font)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
