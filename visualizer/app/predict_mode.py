"""PredictMode: ask the class for the shape of a run before it is made, and tell them after.

Asking shows the candidate shapes (a PredictionPanel page of the window) and the
question in the PromptBar; taking the pick leaves it pending while the run is made;
revealing outlines the pick over the measured run and says in one sentence where
they differ, with the reason the measured figures give. A lesson asks and reveals
through the same calls; outside one, Run > Predict First makes every Run ask first
(the first Run shows the shapes, the second runs).

The pick belongs to the window, never to the run: a saved trace holds none, and a
picture shows it only as dashed outlines that it names as a prediction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QStackedWidget, QWidget

from visualizer.app.prediction_panel import PredictionPanel
from visualizer.app.prompt_bar import PromptBar
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.model.analysis import RunResult
from visualizer.model.prediction import LETTERS, Prediction, because, closest, verdict
from visualizer.model.scheduling import Candidate, PredictionUnavailable, candidates
from visualizer.model.settings import RunSettings

HOW_TO_ANSWER = (
    "Count the hands for each with the keys A to D, or drag the time the run will take; "
    "then Run (Ctrl+R)."
)
HEADING = "Predict first: the shapes below are predictions of a model, not measurements"


class PredictMode:
    """Asks before a run, remembers the pick while it runs, and shows it against the result."""

    def __init__(self, pages: QStackedWidget, prompt: PromptBar) -> None:
        self.pages = pages
        self.prompt = prompt
        self.panel = PredictionPanel()
        pages.addWidget(self.panel)
        #: Run > Predict First: every Run asks first.
        self.enabled = False
        #: The candidates asked about, while the panel shows them.
        self.asked: list[Candidate] = []
        self._page_before: QWidget | None = None
        #: The pick of the run now being made and the candidates it was picked from,
        #: kept until its result is in.
        self.pending: Prediction | None = None
        self.offered: list[Candidate] = []
        #: The run and the pick outlined over it now.
        self.shown: tuple[RunResult, Prediction] | None = None

    @property
    def asking(self) -> bool:
        return self.pages.currentWidget() is self.panel

    def before_run(self, settings: RunSettings, say: Callable[[str, int], None]) -> bool:
        """Run was pressed: True if it only asked the class (Predict First's first Run);
        else the pick, if any, is taken for the run about to start."""
        if self.enabled and not self.asking:
            reason = self.ask_about(settings)
            if reason is None:
                return True
            say(f"No prediction: {reason}", 5000)
        self.take()
        return False

    def question_for(self, settings: RunSettings) -> str:
        """Predict mode's own question, for a run of a built-in style."""
        return (
            f"{settings.style}: {settings.concurrency} requests at once "
            f"({settings.requests} in all), each doing {settings.work_ms:g} ms of work, "
            f"a threadpool of {settings.pool}. Which shape will the run take?"
        )

    def ask_about(self, settings: RunSettings) -> str | None:
        """Ask about a run of a style with the usual candidates; the reason if it cannot be."""
        if settings.app is not None:
            return "predictions are drawn for the built-in styles, not for your app"
        try:
            offered = candidates(settings)
        except PredictionUnavailable as error:
            return str(error)
        self.ask(offered, HEADING, self.question_for(settings), HOW_TO_ANSWER)
        return None

    def ask(self, offered: Sequence[Candidate], heading: str, question: str, how: str) -> None:
        """Show ``offered`` and the question; the hands are counted from zero."""
        self.forget_shown()
        self.asked = list(offered)
        self.panel.show_candidates(self.asked)
        if not self.asking:
            self._page_before = self.pages.currentWidget()
        self.pages.setCurrentWidget(self.panel)
        # The keys A to D are the class's hands: a field of the Run panel that had the
        # focus would take them as text.
        self.panel.setFocus()
        self.prompt.say(heading, question, how)

    def take(self) -> Prediction | None:
        """The class's pick, now that the run starts (None: nobody picked)."""
        self.pending = self.panel.prediction() if self.asked else None
        self.offered = self.asked
        self.close_panel()
        return self.pending

    @property
    def waiting_for_result(self) -> bool:
        """Whether a run was asked about and its result is still to be revealed."""
        return bool(self.offered)

    def close_panel(self) -> None:
        """Back to the page that was shown before asking."""
        if self.asking and self._page_before is not None:
            self.pages.setCurrentWidget(self._page_before)
        self.asked = []

    def reveal(
        self, result: RunResult, plot: TimelinePlot, heading: str, subject: str = "It"
    ) -> str:
        """Outline the pending pick over ``result`` on ``plot`` and say how it went."""
        prediction, self.pending = self.pending, None
        offered, self.offered = self.offered, []
        plot.set_prediction(prediction)
        plot.show_whole()  # the run and, near enough, the makespan predicted
        words = revealed_words(prediction, result, offered, subject)
        self.shown = (result, prediction) if prediction is not None else None
        self.prompt.say(heading, words, big=False)
        return words

    def prediction_of(self, result: RunResult | None) -> Prediction | None:
        """The pick outlined over ``result``, if it is the run shown with one."""
        if self.shown is not None and result is self.shown[0]:
            return self.shown[1]
        return None

    def picture_of(self, runs: Sequence[RunResult]) -> TimelinePicture:
        """The picture of a run, or a pair, with the pick where one is outlined over it."""
        if len(runs) == 2:
            slot = 0 if self.prediction_of(runs[0]) is not None else 1
            return TimelinePicture.of_comparison(
                runs[0], runs[1], self.prediction_of(runs[slot]), slot
            )
        return TimelinePicture.of_run(runs[0], self.prediction_of(runs[0]))

    def forget_shown(self) -> None:
        self.shown = None


def revealed_words(
    prediction: Prediction | None,
    result: RunResult,
    offered: Sequence[Candidate],
    subject: str = "It",
) -> str:
    """The sentence after a run: the pick against the measurement, and the nearest shape."""
    parts = []
    nearest = offered[closest(offered, result)] if offered else None
    if prediction is not None:
        parts.append(verdict(prediction, result, subject, nearest))
    else:
        took = result.summary.makespan_ms / 1000
        parts.append(f"{subject} took {took:.2f} s: {because(result)}.")
    if nearest is not None:
        letter = LETTERS[list(offered).index(nearest)]
        parts.append(f"The measured run is closest to {letter}, {nearest.name}.")
    return " ".join(parts)
