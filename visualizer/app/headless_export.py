"""Pictures of a finished run without a window: ``schedviz run --png/--svg``.

Qt still draws them, so a QApplication is needed; with no display to talk to it
uses the offscreen platform, which paints into memory just as well.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from visualizer.app.picture_export import save_png, save_svg
from visualizer.app.qt_platform import use_offscreen_without_display
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.model.analysis import RunResult


def write_pictures(
    result: RunResult, png: str | Path | None, svg: str | Path | None, width: int
) -> None:
    """Write the run's picture as PNG (``width`` pixels) and/or SVG."""
    ensure_application()
    picture = TimelinePicture.of_run(result)
    if png:
        save_png(picture, png, width)
    if svg:
        save_svg(picture, svg, width)


def ensure_application() -> QApplication:
    """The QApplication that painting needs; offscreen where there is no display."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    use_offscreen_without_display()
    return QApplication(sys.argv[:1])
