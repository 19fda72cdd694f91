"""Legend: a swatch and a word for every colour of the timeline and every mark on it.

The entries flow onto a second row when the window is narrow (a 1024 px projector
in presentation mode): one long row would set the window's minimum width.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QSizePolicy, QWidget

from visualizer.app import palette
from visualizer.app.timeline._flow_layout import FlowLayout
from visualizer.app.timeline.annotation_items import hatch_brush
from visualizer.model.timeline import BarKind, Timeline


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
        self._all: list[QWidget] = []
        self._occasional: dict[BarKind, QWidget] = {}
        for kind in palette.LEGEND_ORDER:
            swatch = QLabel()
            swatch.setPixmap(_swatch(QBrush(palette.colour(kind))))
            word, meaning = palette.legend_entry(kind)
            entry = self._add(row, swatch, word, meaning)
            if kind in palette.LEGEND_WHEN_DRAWN:
                entry.setVisible(False)
                self._occasional[kind] = entry
        pool = QLabel()
        pool.setPixmap(_swatch(hatch_brush(), outline=True))
        self._add(row, pool, palette.POOL_FULL_NAME, palette.POOL_FULL_MEANING)

    @property
    def entries(self) -> list[QWidget]:
        """The entries shown (not hidden ones), in their order."""
        return [entry for entry in self._all if not entry.isHidden()]

    def show_kinds_of(self, timelines: Iterable[Timeline | None]) -> None:
        """Name the occasional kinds (abandoned, still running) the ``timelines`` draw."""
        self.show_kinds(occasional_kinds_drawn(timelines))

    def show_kinds(self, kinds: set[BarKind]) -> None:
        """Name exactly these of the occasional kinds."""
        for kind, entry in self._occasional.items():
            if entry.isHidden() == (kind in kinds):
                entry.setVisible(kind in kinds)
                self.updateGeometry()

    def shown_kinds(self) -> set[BarKind]:
        return {kind for kind, entry in self._occasional.items() if not entry.isHidden()}

    def _add(self, row: FlowLayout, swatch: QLabel, word: str, meaning: str) -> QWidget:
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
        self._all.append(entry)
        return entry


def occasional_kinds_drawn(timelines: Iterable[Timeline | None]) -> set[BarKind]:
    """Which of the kinds a legend names only when drawn (abandoned, ...) ``timelines`` draw."""
    lowest = min(int(kind) for kind in palette.LEGEND_WHEN_DRAWN)
    drawn: set[int] = set()
    for t in timelines:
        # A max first: it is one fast pass, and most timelines have none of these.
        if t is not None and len(t.kind) and int(t.kind.max()) >= lowest:
            drawn.update(np.unique(t.kind[t.kind >= lowest]).tolist())
    return {kind for kind in palette.LEGEND_WHEN_DRAWN if int(kind) in drawn}


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
    new.show_kinds(old.shown_kinds())
    layout.replaceWidget(old, new)
    # Hidden now: deleteLater waits for the event loop, and the old one would show till then.
    old.hide()
    old.deleteLater()
    return new
