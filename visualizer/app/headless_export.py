"""Pictures of a finished run without a window: ``schedviz run --png/--svg``.

Qt still draws them, so a QApplication is needed; with no display to talk to it
uses the offscreen platform, which paints into memory just as well.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from visualizer.app.picture_export import save_png, save_svg
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.model.analysis import RunResult


def write_pictures(
    result: RunResult, png: str | Path | None, svg: str | Path | None, width: int
) -> None:
    """Write the run's picture as PNG (``width`` pixels) and/or SVG."""
    _ensure_application()
    picture = TimelinePicture.of_run(result)
    if png:
        save_png(picture, png, width)
    if svg:
        save_svg(picture, svg, width)


def _ensure_application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if (
        sys.platform.startswith("linux")
        and not has_display
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return QApplication(sys.argv[:1])
