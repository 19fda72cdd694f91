"""ErrorLabel: a refusal said in place, next to the fields it is about; hidden when all is well.

The banner's colours (a light vermillion ground, dark text, a vermillion border) in
either theme: the text stays readable on a dark panel and on a projector.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from visualizer.app import palette
from visualizer.model.timeline import BarKind

#: Dark text on the light error ground, whatever the theme.
_INK = "#1A1A1A"


class ErrorLabel(QLabel):
    """Word-wrapped, selectable (to copy the message), and hidden while empty."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("errorLabel")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet(
            f"#errorLabel {{ background: {palette.ERROR_BACKGROUND}; color: {_INK}; "
            f"border: 1px solid {palette.BAR_COLOURS[BarKind.FAILED]}; padding: 4px; }}"
        )
        self.hide()

    def show_error(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_error(self) -> None:
        self.show_error("")
