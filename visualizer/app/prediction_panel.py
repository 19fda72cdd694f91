"""PredictionPanel: the candidate shapes of the next run, for the class to pick from.

A show of hands, counted with the keys A to D (each press is a hand; Backspace
takes the last one back), or a makespan dragged with the mouse on the shared time
axis. The pick is the candidate with the most hands (the latest pressed on a tie),
or the makespan dragged to, whichever came last.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from visualizer.app import palette
from visualizer.app.timeline.candidate_cards import CardFonts, CardsLayout, paint_cards
from visualizer.model.prediction import LETTERS, Prediction
from visualizer.model.scheduling import Candidate

MARGIN = 8


class PredictionPanel(QWidget):
    """The candidates of one run, the hands counted for each, and the pick."""

    #: Emitted when a hand is counted or the makespan is dragged.
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.candidates: list[Candidate] = []
        self.votes: dict[str, int] = {}
        #: Letters in the order their hands were counted: Backspace takes back the last.
        self._counted: list[str] = []
        self.guess_s: float | None = None
        #: Whether the pick is the dragged makespan (True) or the hands (False).
        self._guessed_last = False
        self.layout_now = CardsLayout()
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def show_candidates(self, candidates: Sequence[Candidate]) -> None:
        """New candidates: no hands yet, no guess."""
        self.candidates = list(candidates)[: len(LETTERS)]
        self.votes, self._counted = {}, []
        self.guess_s, self._guessed_last = None, False
        self.update()
        self.changed.emit()

    # -- what the class says ------------------------------------------------------------------

    def vote(self, letter: str) -> None:
        """One more hand for ``letter`` (A to D), if there is such a candidate."""
        if LETTERS.index(letter) >= len(self.candidates):
            return
        self.votes[letter] = self.votes.get(letter, 0) + 1
        self._counted.append(letter)
        self._guessed_last = False
        self.update()
        self.changed.emit()

    def take_back(self) -> None:
        """The last hand counted was a mistake."""
        if not self._counted:
            return
        letter = self._counted.pop()
        self.votes[letter] -= 1
        if not self.votes[letter]:
            del self.votes[letter]
        self.update()
        self.changed.emit()

    def set_guess(self, seconds: float | None) -> None:
        self.guess_s = seconds
        self._guessed_last = seconds is not None
        self.update()
        self.changed.emit()

    @property
    def chosen(self) -> int | None:
        """The index of the candidate with the most hands (the latest counted on a tie)."""
        if not self.votes or self._guessed_last:
            return None
        most = max(self.votes.values())
        latest = next(
            letter for letter in reversed(self._counted) if self.votes.get(letter) == most
        )
        return LETTERS.index(latest)

    def prediction(self) -> Prediction | None:
        """What the class predicted, or None if nobody said."""
        if self._guessed_last and self.guess_s is not None:
            return Prediction(self.guess_s, votes=dict(self.votes))
        index = self.chosen
        if index is None:
            return None
        candidate = self.candidates[index]
        return Prediction(candidate.makespan_s, candidate, LETTERS[index], dict(self.votes))

    # -- drawing and the mouse --------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), QColor(palette.BACKGROUND))
        area = QRectF(self.rect()).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        self.layout_now = paint_cards(
            painter,
            area,
            self.candidates,
            CardFonts.now(),
            self.votes,
            self.chosen,
            self.guess_s,
        )
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._drag(event)

    def _drag(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self.candidates and x >= self.layout_now.left:
            self.set_guess(self.layout_now.seconds_at(x))
