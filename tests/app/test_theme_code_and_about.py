"""The dark theme, the code pane and the About box, as the user sees them."""

from __future__ import annotations

import platform
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph
import pytest
from PySide6.QtCore import qVersion
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from server.styles import CATALOGUE
from visualizer.app import palette
from visualizer.app.about import about_text, schedviz_version
from visualizer.app.main_window import MainWindow
from visualizer.model.analysis import analyse
from visualizer.model.tracefile import read_trace


def _pixels(widget: QWidget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    stride = image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, stride * image.height())
    rows = rows.reshape(image.height(), stride)[:, : image.width() * 3]
    return rows.reshape(image.height(), image.width(), 3).astype(int).copy()


def _ink_contrast(widget: QWidget) -> int:
    """How far the text's ink is from the background, inside the button's frame."""
    whole = _pixels(widget)
    height, width = whole.shape[:2]
    # The middle, where the text is: the frame's bevel would decide the contrast otherwise.
    pixels = whole[height // 4 : height * 3 // 4, width // 6 : width * 5 // 6].reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    return int(np.abs(pixels - background).sum(axis=1).max())


def test_the_code_pane_is_dark_in_the_dark_theme(make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    window.controls.show_code()
    window.dark_action.trigger()
    viewport = window.controls.code_view.code.viewport()
    pixels = _pixels(viewport)
    commonest = np.median(pixels.reshape(-1, 3), axis=0)
    assert commonest.sum() < 3 * 80, f"the code pane's background is {commonest}"
    window.dark_action.trigger()
    assert np.median(_pixels(viewport).reshape(-1, 3), axis=0).sum() > 3 * 200


def test_the_figures_names_are_legible_in_either_theme(
    make_window: Callable[..., MainWindow],
) -> None:
    """A fixed #555 for the figures' names was dark grey on near-black in the dark theme,
    also for a run shown before the switch."""
    window = make_window()
    result = analyse(read_trace(Path(__file__).parents[1] / "data" / "async_blocking_c5_w200.json"))
    window.summary.show_result(result)
    window.dark_action.trigger()
    assert f"color: {palette.DARK.muted_text}" in window.summary.figures.text()
    window.dark_action.trigger()
    assert f"color: {palette.LIGHT.muted_text}" in window.summary.figures.text()


def test_a_disabled_button_looks_disabled_in_the_dark_theme(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = make_window()
    window.dark_action.trigger()
    button = window.controls.run_button
    # The application's palette reaches its widgets through posted events.
    qtbot.waitUntil(lambda: button.palette().window().color().lightness() < 100)
    button.setEnabled(True)
    enabled = _ink_contrast(button)
    button.setEnabled(False)
    disabled = _ink_contrast(button)
    assert disabled < 0.7 * enabled, f"text contrast {disabled} disabled, {enabled} enabled"


def test_the_expect_line_keeps_its_less_than_signs(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window(show=False)
    view = window.controls.code_view
    view.show_style("sync_cpu")
    shown = QTextDocument()
    shown.setHtml(view.expect.text())
    assert "CPU time << wall time" in CATALOGUE["sync_cpu"].expect
    assert "CPU time << wall time" in shown.toPlainText()


@pytest.mark.parametrize("style", sorted(CATALOGUE))
def test_every_line_of_code_is_whole_in_a_narrow_pane(
    make_window: Callable[..., MainWindow], style: str
) -> None:
    """A line too long for the pane wraps, deeper than its start, instead of being cut."""
    window = make_window()
    window.resize(1024, 768)
    view = window.controls.code_view
    view.show_style(style)
    code = view.code
    assert code.horizontalScrollBar().maximum() == 0, "the pane scrolls sideways"
    width = code.viewport().width()
    document = code.document()
    block = document.firstBlock()
    while block.isValid():
        layout = block.layout()
        first_x = layout.lineAt(0).x()
        for n in range(layout.lineCount()):
            line = layout.lineAt(n)
            assert line.x() + line.naturalTextWidth() <= width + 1, f"{block.text()!r} is cut"
            if n > 0:
                assert line.x() > first_x, f"{block.text()!r} wraps back to its own start"
        block = block.next()
    assert document.toPlainText() == CATALOGUE[style].source.rstrip("\n")


def test_the_about_box_says_which_schedviz_on_what() -> None:
    text = QTextDocument()
    text.setHtml(about_text())
    words = text.toPlainText()
    assert schedviz_version().startswith("0.") and schedviz_version() in words
    for needed in (
        f"Python {platform.python_version()}",
        f"Qt {qVersion()}",
        f"pyqtgraph {pyqtgraph.__version__}",
        "event loop",
        "threadpool",
        "never from a simulation",
    ):
        assert needed in words
