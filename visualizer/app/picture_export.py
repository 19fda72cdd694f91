"""Export a TimelinePicture: PNG at a chosen width, SVG, or the clipboard.

A PNG is painted at its final pixel size: the layout keeps its logical width and
the image's device pixel ratio scales the painter, so a 3840-pixel picture has
3840 pixels of detail, not a 1600-pixel one blown up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from visualizer.app.timeline.picture import (
    LAYOUT_WIDTH,
    PanelPlacement,
    PicturePainter,
    TimelinePicture,
)
from visualizer.app.timeline.pool_group_items import GroupTab

#: Widths a picture may have, in pixels: from a thumbnail to 8K.
MIN_WIDTH, MAX_WIDTH = 320, 7680
DEFAULT_WIDTH = 1920


@dataclass(frozen=True)
class RenderedPicture:
    """A picture painted into an image, and where its panels landed in it."""

    image: QImage
    placements: list[PanelPlacement]
    #: Image pixels per layout pixel of the placements.
    scale: float
    #: Each panel's pool name tabs as painted: words over lanes, where no bar is.
    tabs: list[list[GroupTab]] = field(default_factory=list)


def render_image(picture: TimelinePicture, width: int = DEFAULT_WIDTH) -> QImage:
    """The picture, ``width`` pixels wide, as tall as its content needs."""
    return render(picture, width).image


def render(picture: TimelinePicture, width: int = DEFAULT_WIDTH) -> RenderedPicture:
    """The picture painted ``width`` pixels wide, with the placement of its panels."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(f"width {width} is out of range: allowed {MIN_WIDTH} to {MAX_WIDTH}")
    # Narrow pictures get a narrower layout rather than unreadably small text.
    layout_width = min(LAYOUT_WIDTH, max(width, 960))
    painter_plan = PicturePainter(picture, layout_width)
    try:
        ratio = width / layout_width
        height = round(painter_plan.height * ratio)
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        painter = QPainter(image)
        try:
            painter_plan.paint(painter)
        finally:
            painter.end()
        tabs = [list(plot.pool_groups.tabs) for plot in painter_plan.plots]
        return RenderedPicture(image, painter_plan.placements, ratio, tabs)
    finally:
        painter_plan.close()


def save_png(picture: TimelinePicture, path: str | Path, width: int = DEFAULT_WIDTH) -> None:
    image = render_image(picture, width)
    # PySide6 takes the format as str; its stubs say bytes.
    saved = image.save(str(path), "PNG")  # type: ignore[call-overload]
    if not saved:
        raise OSError(f"cannot write {path}")


def save_svg(picture: TimelinePicture, path: str | Path, width: int = LAYOUT_WIDTH) -> None:
    """A vector picture; ``width`` is the size it asks to be shown at."""
    plan = PicturePainter(picture, LAYOUT_WIDTH)
    try:
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        # Fonts are sized in points: the SVG must count pixels per inch as the layout did.
        generator.setResolution(QImage(1, 1, QImage.Format.Format_RGB32).logicalDpiX())
        generator.setTitle(picture.title)
        generator.setDescription(picture.caption)
        generator.setViewBox(QRect(0, 0, plan.width, plan.height))
        generator.setSize(QSize(width, round(plan.height * width / plan.width)))
        painter = QPainter(generator)
        try:
            plan.paint(painter)
        finally:
            painter.end()
    finally:
        plan.close()
    if not Path(path).is_file():
        raise OSError(f"cannot write {path}")
    svg = Path(path).read_text(encoding="utf-8")
    Path(path).write_text(with_generic_fonts(svg), encoding="utf-8")


#: Families every SVG text may fall back to, ending in the generic one CSS always has.
SANS_FALLBACK = "'DejaVu Sans', Arial, Helvetica, sans-serif"
MONO_FALLBACK = "'DejaVu Sans Mono', Menlo, Consolas, monospace"
_FONT_FAMILY = re.compile(r'font-family="([^"]*)"')


def with_generic_fonts(svg: str) -> str:
    """``svg`` with each font-family followed by fallbacks that end in a generic family.

    QSvgGenerator writes the one family Qt resolved ("Sans Serif" on Linux), which no
    browser knows: Chromium then drew every word in serif, resvg drew none at all.
    """

    def fallback(match: re.Match[str]) -> str:
        family = match.group(1).strip().strip("'")
        mono = "mono" in family.lower() or "courier" in family.lower()
        return f"font-family=\"'{family}', {MONO_FALLBACK if mono else SANS_FALLBACK}\""

    return _FONT_FAMILY.sub(fallback, svg)


def copy_to_clipboard(picture: TimelinePicture, width: int = DEFAULT_WIDTH) -> None:
    QGuiApplication.clipboard().setImage(render_image(picture, width))
