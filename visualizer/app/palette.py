"""The visual language in one place: Okabe-Ito colours per bar kind, and font sizes.

Okabe and Ito chose these eight colours so that viewers with any common colour
vision deficiency can still tell them apart; the light theme is the default
because projectors wash dark ones out. Font sizes live here, as points multiplied
by one scale, so that presentation mode can enlarge every label at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont

from visualizer.model.timeline import BarKind

#: Bar fill per kind. The request phases first, then what only resource lanes show.
BAR_COLOURS: dict[BarKind, str] = {
    BarKind.RUNNING: "#0072B2",  # blue
    BarKind.AWAITING: "#56B4E9",  # sky blue
    BarKind.WAITING: "#E69F00",  # orange
    BarKind.QUEUED: "#CC79A7",  # reddish purple
    BarKind.SERVER: "#999999",  # grey
    BarKind.FAILED: "#D55E00",  # vermillion
}

#: The words the legend and tooltips use for each kind.
BAR_NAMES: dict[BarKind, str] = {
    BarKind.RUNNING: "running",
    BarKind.AWAITING: "awaiting",
    BarKind.WAITING: "waiting",
    BarKind.QUEUED: "queued",
    BarKind.SERVER: "server I/O on the loop",
    BarKind.FAILED: "failed",
}

#: One line for the legend's tooltips: what the phase means (DESIGN.md).
BAR_MEANINGS: dict[BarKind, str] = {
    BarKind.RUNNING: "its code runs, on the event loop or on a worker",
    BarKind.AWAITING: "suspended at an await: the loop is free for others",
    BarKind.WAITING: "sent, but nothing runs it yet: the loop is busy or every worker is taken",
    BarKind.QUEUED: "the client holds it: all concurrency slots are in use",
    BarKind.SERVER: "the loop runs sockets, timers or uvicorn itself, for no request",
    BarKind.FAILED: "the request ended with an error, a timeout or a cancel",
}

#: Legend order: what the eye should find first.
LEGEND_ORDER = (
    BarKind.RUNNING,
    BarKind.AWAITING,
    BarKind.WAITING,
    BarKind.QUEUED,
    BarKind.SERVER,
    BarKind.FAILED,
)

BACKGROUND = "#FFFFFF"
TEXT = "#1A1A1A"
#: Behind the resource lanes, to set them apart from the request lanes below.
RESOURCE_BAND = "#F2F2F2"
GRID_LINE = "#BBBBBB"
#: The outline around every slice of the request the user clicked.
HIGHLIGHT = "#000000"
ERROR_BACKGROUND = "#FBE3D6"


def colour(kind: BarKind) -> QColor:
    return QColor(BAR_COLOURS[kind])


@dataclass
class FontSizes:
    """Point sizes of every text the app draws, times ``scale`` (presentation mode)."""

    scale: float = 1.0
    base_pt: float = 10.5
    axis_pt: float = 10.5
    heading_pt: float = 12.0
    code_pt: float = 10.0

    def font(self, points: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPointSizeF(points * self.scale)
        font.setBold(bold)
        return font

    def base(self) -> QFont:
        return self.font(self.base_pt)

    def axis(self) -> QFont:
        return self.font(self.axis_pt)

    def heading(self) -> QFont:
        return self.font(self.heading_pt, bold=True)

    def code(self) -> QFont:
        font = self.font(self.code_pt)
        font.setFamilies(["DejaVu Sans Mono", "Menlo", "Consolas", "monospace"])
        font.setStyleHint(QFont.StyleHint.Monospace)
        return font


#: The sizes the whole app reads; presentation mode changes ``scale``.
FONTS = FontSizes()
