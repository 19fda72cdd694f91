"""ShadeImage: the partly busy columns of a frame, painted as one image.

Zoomed out nearly every pixel column of a busy lane has its own shade, tens of
thousands of one-column rectangles: QPainter fills those at about half a
microsecond each, too slow for a frame. So the shaded runs are written into an
image of one pixel a column, with :data:`SUB_ROWS` rows a lane (the outer ones left
clear: the gap between lanes; fewer where a lane has fewer pixels), and the image is
drawn once over the plot, unsmoothed. Solid runs stay rectangles.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from visualizer.app.timeline._shading import KINDS, LEVELS, Spans
from visualizer.model.timeline import BarKind

#: Rows of the image a lane: with bars from 0.14 to 0.86 of a lane, 1 clear, 5 bar, 1 clear.
SUB_ROWS = 7

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
#: Every pixel is opaque or clear, so premultiplied is the same ARGB, and Qt draws it as is.
OPAQUE_OR_CLEAR = QImage.Format.Format_ARGB32_Premultiplied


def shade_table(colours: dict[BarKind, QColor], behind: tuple[QColor, QColor]) -> U32:
    """ARGB of (kind, level, backdrop): ``level / LEVELS`` of the kind's ink over the backdrop.

    Level 0 is clear. ``table.reshape(-1, 2)`` is indexed by shade key, and by -1 for
    nothing: a last, clear row follows the kinds.
    """
    table = np.zeros((KINDS + 1, LEVELS + 1, 2), np.uint32)
    for kind, colour in colours.items():
        for band, paper in enumerate(behind):
            for level in range(1, LEVELS + 1):
                share = level / LEVELS
                mixed = QColor.fromRgbF(
                    share * colour.redF() + (1 - share) * paper.redF(),
                    share * colour.greenF() + (1 - share) * paper.greenF(),
                    share * colour.blueF() + (1 - share) * paper.blueF(),
                )
                table[kind, level, band] = mixed.rgba()
    return table


def paint_grid(
    painter: QPainter,
    rows: I64,
    argb: U32,
    cell: tuple[float, float, float, float],
    bar: tuple[float, float],
    row_px: float,
) -> None:
    """Draw rows of pixels (row ``rows[i]`` is ``argb[i]``, a column a pixel) as one image."""
    if len(rows) == 0:
        return
    pixels = np.zeros((int(rows.max()) + 1, argb.shape[1]), np.uint32)
    pixels[rows] = argb
    _draw(painter, pixels, cell, bar, row_px)


def _draw(
    painter: QPainter,
    pixels: U32,
    cell: tuple[float, float, float, float],
    bar: tuple[float, float],
    row_px: float,
) -> None:
    """``pixels`` (a row a lane, a column a pixel) drawn as bars of ``bar`` in each row."""
    rows, columns = pixels.shape
    # Sub-rows enough to place the bar in its row, never more than the row has pixels.
    sub_rows = min(SUB_ROWS, max(1, round(row_px)))
    top = min(round(bar[0] * sub_rows), sub_rows - 1)
    bottom = max(round((bar[0] + bar[1]) * sub_rows), top + 1)
    image_rows = np.zeros((rows, sub_rows, columns), np.uint32)
    image_rows[:, top:bottom, :] = pixels[:, None, :]
    # The image reads the array's memory, which lives until this function returns.
    image = QImage(image_rows.data, columns, rows * sub_rows, columns * 4, OPAQUE_OR_CLEAR)
    x, y, width, height = cell
    painter.drawImage(QRectF(x, y, width * columns, height * rows), image)


def paint_shades(
    painter: QPainter,
    spans: Spans,
    colours: U32,
    cell: tuple[float, float, float, float],
    bar: tuple[float, float],
    row_px: float,
    overlapping: bool,
) -> None:
    """Draw ``spans`` (lanes counted from 0: rows) as one image.

    ``cell`` is (x, y) of column 0 of row 0 and the width and height of one column and
    row; ``bar`` the top and height of the bar in a row, as shares of the row;
    ``colours`` the ARGB of each span; ``row_px`` how many pixels high a row is;
    ``overlapping`` whether runs of a row may overlap (lanes merged into rows).
    """
    if len(spans.lane) == 0:
        return
    rows = int(spans.lane.max()) + 1
    columns = int(spans.stop.max())
    pixels = np.zeros((rows, columns), np.uint32)
    first = np.maximum(spans.first, 0)
    counts = np.maximum(spans.stop - first, 0)
    start = spans.lane * columns + first
    if overlapping:  # lighter shades first, so where merged rows overlap the darker one stays
        order = np.argsort(spans.kind * (LEVELS + 1) + spans.level, kind="stable")
        counts, start, colours = counts[order], start[order], colours[order]
    at = np.repeat(start - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    pixels.reshape(-1)[at] = np.repeat(colours, counts)
    _draw(painter, pixels, cell, bar, row_px)
