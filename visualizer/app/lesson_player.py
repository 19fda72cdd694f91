"""LessonPlayer: a lesson given in the window, one beat at a time, from a presenter's clicker.

Each step has three beats: the question (its candidate shapes; hands counted with
A to D), the run (made live, or its recording replayed as it grew), and the reveal
(the takeaway). Page Down or the right arrow goes on a beat, Page Up or the left
arrow goes back one: a clicker sends nothing else, and nothing else is needed from
the first question to the end of the lesson.

A step is run live when the server runs, unless Lessons > Use Recorded Runs says
otherwise; a step whose run cannot be made live (the server is not up, a run is
refused) plays its recording instead, and says so. What was measured for a step is
kept, so going back shows it again without running it again.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from visualizer.model.analysis import RunResult, analyse
from visualizer.model.lesson import Lesson, LessonStep
from visualizer.model.prediction import Prediction
from visualizer.model.scheduling import Candidate, PredictionUnavailable
from visualizer.model.tracefile import TraceFileError, read_trace

if TYPE_CHECKING:
    from visualizer.app.main_window import MainWindow

#: Settings a recording must share with its step's run to stand in for it.
SAME_RUN = ("style", "concurrency", "requests", "work_ms", "pool")
ASK_HOW = "Count the hands with the keys A to D (or drag the time), then Page Down: the run."


class Beat(enum.IntEnum):
    QUESTION = 0
    RUN = 1
    REVEAL = 2


class LessonPlayer(QObject):
    """Walks one window through a lesson's steps and beats."""

    #: The lesson started, ended or moved on a beat: the window updates its actions.
    moved = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.lesson: Lesson | None = None
        self.step = 0
        self.beat = Beat.QUESTION
        #: Lessons > Use Recorded Runs: play recordings even where the server could run.
        self.use_recordings = False
        #: What each step measured, whether it was a recording, and the class's pick.
        self.results: dict[int, list[RunResult]] = {}
        self.was_recorded: dict[int, bool] = {}
        self.predictions: dict[int, Prediction | None] = {}
        self.offered: dict[int, list[Candidate]] = {}
        #: A live run or a replay of the current step is going.
        self.running = False
        self._replaying = False
        self.ended = False
        window.run_done.connect(self._on_live_run)
        window.compare_runner.finished.connect(lambda a, b: self._on_live_pair([a, b]))
        window.compare_runner.failed.connect(self._on_live_failure)
        window.run_refused.connect(self._on_live_failure)
        window.replay.clock.playing_changed.connect(self._on_replay_playing)

    @property
    def active(self) -> bool:
        return self.lesson is not None

    @property
    def current(self) -> LessonStep:
        assert self.lesson is not None
        return self.lesson.steps[self.step]

    # -- start, step, end ----------------------------------------------------------------------

    def start(self, lesson: Lesson) -> None:
        """Give ``lesson`` from its first question, in presentation mode."""
        if self.window.driver.live:
            self.window.stop_run()
        self.window.replay.clock.pause()  # a replay of the lesson before, if one was going
        self.lesson = lesson
        self.step, self.ended = 0, False
        self.running = self._replaying = False
        self.results.clear()
        self.was_recorded.clear()
        self.predictions.clear()
        self.offered.clear()
        self.window.set_presentation(True)
        self._ask()

    def end(self) -> None:
        """Lessons > End Lesson: back to the window as it was, the last run still shown."""
        if self.lesson is None:
            return
        self.lesson = None
        self.running = self._replaying = False
        self.window.predict.close_panel()
        self.window.prompt.clear()
        self.moved.emit()

    def next(self) -> None:
        """Page Down: on a beat."""
        if self.lesson is None:
            return
        if self.beat == Beat.QUESTION:
            self._run()
        elif self.beat == Beat.RUN:
            if self.running:
                self._hurry()
            elif self.step in self.results:
                self._reveal()
            else:
                self._run()  # it failed: try again
        elif self.step + 1 < len(self.lesson.steps):
            self.step += 1
            self._ask()
        else:
            self._the_end()

    def previous(self) -> None:
        """Page Up: back a beat (not while a live run is going: Esc stops it)."""
        if self.lesson is None or (self.running and not self._replaying):
            return
        if self._replaying:
            self.window.replay.clock.pause()
            self.running = self._replaying = False
        if self.ended:
            self.ended = False
            self._show_measured()
            self._reveal()
        elif self.beat == Beat.REVEAL:
            self._show_measured()
        elif self.beat == Beat.RUN:
            self._ask()
        elif self.step > 0:
            self.step -= 1
            self._show_measured()
            self._reveal()

    # -- the beats -----------------------------------------------------------------------------

    def _heading(self, what: str = "") -> str:
        assert self.lesson is not None
        step = self.current
        head = (
            f"{self.lesson.title} · step {self.step + 1} of {len(self.lesson.steps)}: {step.title}"
        )
        return f"{head} · {what}" if what else head

    def _ask(self) -> None:
        step = self.current
        try:
            offered = step.candidates()
        except PredictionUnavailable:
            offered = []
        self.offered[self.step] = offered
        self.beat = Beat.QUESTION
        self.window.predict.ask(offered, self._heading("predict"), step.question, ASK_HOW)
        self.moved.emit()

    def _run(self) -> None:
        step = self.current
        self.predictions[self.step] = self.window.predict.take()
        self.beat = Beat.RUN
        self.results.pop(self.step, None)
        hosted = self.window.hosting.target.app
        elsewhere = [run.subject for run in step.runs if run.app != hosted]
        server_up = self.window.driver.session.server_running and not elsewhere
        if step.recorded and (self.use_recordings or not server_up):
            why = ""
            if not self.use_recordings:
                why = (
                    f"the server does not host {elsewhere[0]}, so "
                    if elsewhere
                    else "the server is not running, so "
                )
            self._play_recording(f"{why}a run recorded earlier, replayed as it grew")
        elif elsewhere:
            where = "your app" if hosted is not None else "the built-in styles"
            self._cannot(
                f"it runs {elsewhere[0]}, and the server hosts {where} (File > Open App… or "
                "Built-in Styles switches; schedviz lesson FILE --record records it)"
            )
        else:
            self._run_live()
        self.moved.emit()

    def _run_live(self) -> None:
        step = self.current
        self.running = True
        self._say_running("measured live, now")
        if step.is_comparison:
            self.window.compare(list(step.runs))
        elif not self.window.run_settings(step.runs[0]):
            return  # refused: _on_live_failure has said why, or played the recording

    def _play_recording(self, what: str) -> None:
        step = self.current
        try:
            results = [analyse(read_trace(path)) for path in step.traces if path is not None]
        except TraceFileError as error:
            self._cannot(f"its recording cannot be read: {error}")
            return
        wrong = _not_the_run(step, results)
        if wrong:
            self._cannot(wrong)
            return
        self.window.show_results(results, "Recorded run")
        self.results[self.step] = results
        self.was_recorded[self.step] = True
        self.running = self._replaying = True
        self._say_running(what)
        clock = self.window.replay.clock
        clock.seek(0)
        clock.play()

    def _say_running(self, what: str) -> None:
        pick = self.predictions.get(self.step)
        said = f"Your pick: {pick.label}." if pick is not None else "Nobody picked a shape."
        self.window.prompt.say(self._heading(what), self.current.question, said)

    def _hurry(self) -> None:
        """Page Down while a recording replays: show all of it now."""
        if self._replaying:
            clock = self.window.replay.clock
            clock.pause()
            clock.seek(clock.span)
            self._arrived()

    def _on_replay_playing(self, playing: bool) -> None:
        clock = self.window.replay.clock
        if self._replaying and not playing and clock.position >= clock.span:
            self._arrived()

    def _on_live_run(self, result: RunResult) -> None:
        # A comparison's runs are told by the compare runner, as a pair.
        if self.lesson is not None and not self.current.is_comparison:
            self._on_live_pair([result])

    def _on_live_pair(self, results: list[RunResult]) -> None:
        if self.lesson is None or not self.running or self._replaying:
            return
        ended = [r.trace.ended for r in results if r.trace.ended != "complete"]
        if ended:
            self._on_live_failure(f"the run ended {ended[0]}")
            return
        self.results[self.step] = results
        self.was_recorded[self.step] = False
        self._arrived()

    def _on_live_failure(self, reason: str) -> None:
        if self.lesson is None or not self.running or self._replaying:
            return
        self.running = False
        if self.current.recorded:
            self._play_recording(f"the live run failed ({reason}), so a recorded one")
        else:
            self._cannot(reason)

    def _cannot(self, reason: str) -> None:
        self.running = self._replaying = False
        self.window.prompt.say(
            self._heading("no run"),
            f"This step's run could not be shown: {reason}.",
            "Page Down tries again; Lessons > Use Recorded Runs plays the recordings.",
        )
        self.moved.emit()

    def _arrived(self) -> None:
        self.running = self._replaying = False
        self._show_measured(again=False)

    def _show_measured(self, again: bool = True) -> None:
        """The step's measured run with the pick outlined over it, and how the pick did."""
        step = self.current
        results = self.results.get(self.step)
        if not results:
            self._ask()
            return
        if again:
            self.window.show_results(results, f"Step {self.step + 1}")
        plot = (
            self.window.comparison.plots[step.predicts]
            if step.is_comparison
            else self.window.timeline.plot
        )
        predict = self.window.predict
        predict.pending = self.predictions.get(self.step)
        predict.offered = self.offered.get(self.step, [])
        recorded = self.was_recorded.get(self.step, False)
        what = "a recorded run (measured earlier)" if recorded else "measured live"
        subject = step.predicted.subject if step.is_comparison else "It"
        predict.reveal(results[step.predicts], plot, self._heading(what), subject)
        self.beat = Beat.RUN
        self.moved.emit()

    def _reveal(self) -> None:
        said = self.window.prompt.body.text()
        self.window.prompt.say(self._heading("takeaway"), self.current.takeaway, said)
        self.beat = Beat.REVEAL
        self.moved.emit()

    def _the_end(self) -> None:
        assert self.lesson is not None
        self.ended = True
        self.window.prompt.say(
            f"{self.lesson.title} · the end",
            f"That was “{self.lesson.title}”, {len(self.lesson.steps)} steps.",
            "Page Up goes back; Esc leaves presentation mode; Lessons > End Lesson.",
        )
        self.moved.emit()


def _names(step: LessonStep) -> list[str]:
    return [run.subject for run in step.runs]


def _not_the_run(step: LessonStep, results: list[RunResult]) -> str:
    """Why recordings cannot stand in for the step's runs ("" if they can)."""
    for path, run, result in zip(step.traces, step.runs, results, strict=True):
        recorded = result.trace.settings
        for name in SAME_RUN:
            if getattr(recorded, name) != getattr(run, name):
                where = Path(path).name if path is not None else "its recording"
                return (
                    f"{where} is a run with {name} {getattr(recorded, name)!r}, "
                    f"the step asks for {getattr(run, name)!r}"
                )
    return ""
