"""Legend: a swatch and a word for every colour of the timeline and every mark on it.

The entries flow onto a second row when the window is narrow (a 1024 px projector
in presentation mode): one long row would set the window's minimum width.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QSizePolicy, QWidget

from visualizer.app import palette
from visualizer.app.timeline._flow_layout import FlowLayout
from visualizer.app.timeline.annotation_items import hatch_brush


class Legend(QWidget):
    """A swatch and a word for every colour and mark, with what it means as a tooltip."""

    def __init__(self) -> None:
        super().__init__()
        row = FlowLayout(self)
        row.setContentsMargins(8, 4, 8, 0)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        #: Each swatch with its word, kept together when the row wraps.
        self.entries: list[QWidget] = []
        for kind in palette.LEGEND_ORDER:
            swatch = QLabel()
            swatch.setPixmap(_swatch(QBrush(palette.colour(kind))))
            word, meaning = palette.legend_entry(kind)
            self._add(row, swatch, word, meaning)
        pool = QLabel()
        pool.setPixmap(_swatch(hatch_brush(), outline=True))
        self._add(row, pool, palette.POOL_FULL_NAME, palette.POOL_FULL_MEANING)

    def _add(self, row: FlowLayout, swatch: QLabel, word: str, meaning: str) -> None:
        name = QLabel(word)
        name.setFont(palette.FONTS.base())
        entry = QWidget()
        entry.setToolTip(meaning)
        pair = QHBoxLayout(entry)
        pair.setContentsMargins(0, 0, 0, 0)
        pair.setSpacing(5)
        pair.addWidget(swatch)
        pair.addWidget(name)
        row.addWidget(entry)
        self.entries.append(entry)


def _swatch(brush: QBrush, outline: bool = False) -> QPixmap:
    scale = palette.FONTS.scale
    pixmap = QPixmap(round(28 * scale), round(14 * scale))
    pixmap.fill(QColor(palette.BACKGROUND))
    painter = QPainter(pixmap)
    painter.setPen(QColor(palette.ANNOTATION) if outline else Qt.PenStyle.NoPen)
    painter.setBrush(brush)
    painter.drawRect(pixmap.rect().adjusted(0, 0, -1, -1))
    painter.end()
    return pixmap


def renewed(layout: QLayout, old: Legend) -> Legend:
    """A new Legend in ``old``'s place: a theme or font change rebuilds the swatches."""
    new = Legend()
    layout.replaceWidget(old, new)
    # Hidden now: deleteLater waits for the event loop, and the old one would show till then.
    old.hide()
    old.deleteLater()
    return new
