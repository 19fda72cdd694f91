"""The visual language in one place: Okabe-Ito colours per bar kind, and font sizes.

Okabe and Ito chose these eight colours so that viewers with any common colour
vision deficiency can still tell them apart; the light theme is the default
because projectors wash dark ones out. Font sizes live here, as points multiplied
by one scale, so that presentation mode can enlarge every label at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QFontMetrics

from visualizer.model.timeline import BarKind

#: Bar fill per kind. The request phases first, then what only resource lanes show.
#: Awaiting is Okabe-Ito sky blue lightened (45% over white): plain sky blue has the
#: luminance of orange (contrast 1.02), so waiting and awaiting were one grey in print.
#: Light also says what awaiting is: the request holds nothing, the loop is free.
#: Client-side time has one look: queued's reddish purple (the client holds it, as it
#: holds a queued one) lightened, 60% over white, a colour no server lane uses, and
#: lighter than waiting and darker than awaiting in grey. Sending and receiving share
#: it (one legend entry, so the legend stays two rows on a projector): a request's
#: first and last stretches, where it is, tells them apart, the tooltip names them.
BAR_COLOURS: dict[BarKind, str] = {
    BarKind.RUNNING: "#0072B2",  # blue
    BarKind.AWAITING: "#B3DDF5",  # sky blue #56B4E9, light
    BarKind.WAITING: "#E69F00",  # orange
    BarKind.QUEUED: "#CC79A7",  # reddish purple
    BarKind.SERVER: "#999999",  # grey
    BarKind.FAILED: "#D55E00",  # vermillion
    BarKind.GC: "#009E73",  # bluish green
    BarKind.SENDING: "#E0AFCA",  # reddish purple #CC79A7, light
    BarKind.RECEIVING: "#E0AFCA",  # as sending
    # Work for nobody: Okabe-Ito black, lightened, darker than any other bar in print.
    BarKind.ABANDONED: "#3D3D3D",
    # Okabe-Ito yellow: an end that was never measured stands out from every measured bar.
    BarKind.UNFINISHED: "#F0E442",
}

#: The words the legend and tooltips use for each kind.
BAR_NAMES: dict[BarKind, str] = {
    BarKind.RUNNING: "running",
    BarKind.AWAITING: "awaiting",
    BarKind.WAITING: "waiting",
    BarKind.QUEUED: "queued",
    BarKind.SERVER: "server I/O on the loop",
    BarKind.FAILED: "failed",
    BarKind.GC: "garbage collection",
    BarKind.SENDING: "sending",
    BarKind.RECEIVING: "receiving",
    BarKind.ABANDONED: "abandoned",
    BarKind.UNFINISHED: "still running",
}

#: The legend's words where they differ from BAR_NAMES: one entry for one colour.
LEGEND_NAMES: dict[BarKind, str] = {BarKind.SENDING: "client side"}

#: One line for the legend's tooltips: what the phase means (DESIGN.md).
BAR_MEANINGS: dict[BarKind, str] = {
    BarKind.RUNNING: "its code runs, on the event loop or on a worker",
    BarKind.AWAITING: "suspended at an await: the loop is free for others",
    BarKind.WAITING: "the server has it but nothing runs it: the loop is busy or every worker "
    "is taken",
    BarKind.QUEUED: "the client holds it: all concurrency slots are in use",
    BarKind.SENDING: "client-side time: the client is sending it or its bytes are in flight; "
    "the server's app has not got it yet",
    BarKind.RECEIVING: "client-side time: the server has written the response; the client "
    "has not read it yet (its own loop is busy, or the bytes are in flight)",
    BarKind.SERVER: "the loop runs sockets, timers or uvicorn itself, for no request",
    BarKind.FAILED: "the request ended with an error, a timeout or a cancel",
    BarKind.GC: "the garbage collector paused this thread: no request's doing",
    BarKind.ABANDONED: "the client gave up (timeout, stop), but its handler still ran until here",
    BarKind.UNFINISHED: "the handler was still running when the trace ended: its end is unknown",
}


def legend_entry(kind: BarKind) -> tuple[str, str]:
    """The legend's word for ``kind``'s colour, and its tooltip: what each phase of it means."""
    shared = [other for other, name in BAR_COLOURS.items() if name == BAR_COLOURS[kind]]
    meaning = "\n".join(f"{BAR_NAMES[k]}: {BAR_MEANINGS[k]}" for k in shared)
    return LEGEND_NAMES.get(kind, BAR_NAMES[kind]), meaning


#: The legend's word for the hatching over the worker lanes, and what it means.
POOL_FULL_NAME = "pool full"
POOL_FULL_MEANING = (
    "every worker of a pool is busy (hatched over that pool's lanes only): the next call "
    "sent to it, a def endpoint's for AnyIO's pool, must wait"
)

#: Legend order: what the eye should find first.
#: Kinds the legend names only while a timeline shows them: most runs have none, and
#: on a 1024 px projector two idle entries are a third legend row taken from the lanes.
LEGEND_WHEN_DRAWN = frozenset({BarKind.ABANDONED, BarKind.UNFINISHED})

LEGEND_ORDER = (
    BarKind.RUNNING,
    BarKind.AWAITING,
    BarKind.WAITING,
    BarKind.QUEUED,
    BarKind.SENDING,  # its entry stands for receiving too (LEGEND_NAMES)
    BarKind.SERVER,
    BarKind.GC,
    BarKind.FAILED,
    BarKind.ABANDONED,
    BarKind.UNFINISHED,
)

#: Width (pixels) of the outline of the clicked request, and of the halo under it.
HIGHLIGHT_PX, HIGHLIGHT_HALO_PX = 3.0, 7.0

#: Marks drawn over the bars (the longest loop block, the pool-full hatching).
ANNOTATION = "#D55E00"  # vermillion: the Okabe-Ito colour that says "trouble"


@dataclass(frozen=True)
class Theme:
    """The colours around the bars; the bars keep their Okabe-Ito colours in every theme."""

    name: str
    background: str
    text: str
    #: Behind the resource lanes, to set them apart from the request lanes below.
    resource_band: str
    grid_line: str
    #: The outline around every slice of the request the user clicked (drawn on a halo
    #: of the background colour, so it stands out on bars of any colour).
    highlight: str
    muted_text: str


#: High contrast on a projector: white paper, near-black ink.
LIGHT = Theme("light", "#FFFFFF", "#1A1A1A", "#F2F2F2", "#BBBBBB", "#000000", "#555555")
DARK = Theme("dark", "#16181D", "#F0F0F0", "#262A31", "#5A5F68", "#FFFFFF", "#B8BCC4")

BACKGROUND = LIGHT.background
TEXT = LIGHT.text
RESOURCE_BAND = LIGHT.resource_band
GRID_LINE = LIGHT.grid_line
HIGHLIGHT = LIGHT.highlight
MUTED_TEXT = LIGHT.muted_text
ERROR_BACKGROUND = "#FBE3D6"
THEME = LIGHT


def apply_theme(theme: Theme) -> None:
    """Make ``theme`` the colours every view reads from now on (views rebuild to pick it up)."""
    global BACKGROUND, TEXT, RESOURCE_BAND, GRID_LINE, HIGHLIGHT, MUTED_TEXT, THEME
    THEME = theme
    BACKGROUND, TEXT, MUTED_TEXT = theme.background, theme.text, theme.muted_text
    RESOURCE_BAND, GRID_LINE, HIGHLIGHT = theme.resource_band, theme.grid_line, theme.highlight


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

#: Font scale of presentation mode: labels that read from the back of a classroom.
PRESENTATION_SCALE = 1.8


@contextmanager
def font_scale(scale: float) -> Iterator[None]:
    """Every font read inside the block is ``scale`` times its size (export uses its own)."""
    before = FONTS.scale
    FONTS.scale = scale
    try:
        yield
    finally:
        FONTS.scale = before


#: Text shrunk to fit a short lane or bar goes no smaller than this: still readable close up.
SMALLEST_FITTED_PT = 7.5


def fitted(font: QFont, height_px: float) -> QFont:
    """``font``, or a smaller copy whose line is no taller than ``height_px``.

    Line heights are whole pixels and not quite proportional to the point size, so
    the size steps down until it fits, never below :data:`SMALLEST_FITTED_PT`.
    """
    font = QFont(font)
    while QFontMetrics(font).height() > height_px and font.pointSizeF() > SMALLEST_FITTED_PT:
        font.setPointSizeF(max(SMALLEST_FITTED_PT, font.pointSizeF() - 0.25))
    return font
