"""PromptBar: what the class is asked, or told, above the timeline.

A lesson's step or predict mode says it here, in the largest type of the window:
the question before a run, what the measurement said about the prediction after
it, then the takeaway. A muted line above names where we are ("async or def? ·
step 2 of 5"). Hidden when there is nothing to say.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from visualizer.app import palette

#: The body's type, times the heading font: the question is the biggest text on screen.
BODY_SCALE = 1.1


class PromptBar(QWidget):
    """A heading line, the words of the moment, and a smaller line under them."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = QLabel()
        self.body = QLabel()
        self.detail = QLabel()
        for label in (self.heading, self.body, self.detail):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addWidget(self.heading)
        layout.addWidget(self.body)
        layout.addWidget(self.detail)
        self._big = True
        self.restyle()
        self.hide()

    def say(self, heading: str, body: str, detail: str = "", big: bool = True) -> None:
        """``big``: the body in the largest type (a question, a takeaway); else in the
        body's weight at the size of text (a sentence about a measurement, which must
        leave the timeline its room on a 768-line projector)."""
        self._big = big
        self._set_body_font()
        self.heading.setText(heading)
        self.body.setText(body)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.heading.setVisible(bool(heading))
        self.show()

    def clear(self) -> None:
        self.say("", "")
        self.hide()

    def restyle(self) -> None:
        """Pick up the theme and font scale (presentation mode)."""
        self.heading.setFont(palette.FONTS.base())
        self._set_body_font()
        self.detail.setFont(palette.FONTS.base())
        for label, colour in (
            (self.heading, palette.MUTED_TEXT),
            (self.body, palette.TEXT),
            (self.detail, palette.TEXT),
        ):
            label.setStyleSheet(f"color: {colour};")

    def _set_body_font(self) -> None:
        points = palette.FONTS.heading_pt * BODY_SCALE if self._big else palette.FONTS.base_pt
        self.body.setFont(palette.FONTS.font(points, bold=True))
