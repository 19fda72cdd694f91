"""ComparisonRunner: two runs on the same server, one after the other, through the SessionDriver.

One after the other, never at once: two runs sharing the server's loop and CPU
would each show the other's load.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from visualizer.app.session_driver import SessionDriver
from visualizer.model.analysis import RunResult
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import Timeline
from visualizer.runner.session import LimitError, ServerError


class ComparisonRunner(QObject):
    """Runs ``settings`` with each of two styles; says which run each signal belongs to."""

    #: (slot, Timeline) while a run of the pair is live; slot 0 is the first style.
    timeline_changed = Signal(int, object)
    #: (slot, RunResult) when one run of the pair ends.
    run_finished = Signal(int, object)
    #: Both RunResults, or the reason the pair could not finish.
    finished = Signal(object, object)
    failed = Signal(str)

    def __init__(self, driver: SessionDriver) -> None:
        super().__init__()
        self.driver = driver
        self.pending: list[RunSettings] = []
        self.results: list[RunResult] = []
        self.active = False
        driver.timeline_changed.connect(self._on_timeline)
        driver.run_finished.connect(self._on_run_finished)

    def start(self, settings: RunSettings, styles: tuple[str, str]) -> None:
        self.start_runs([replace(settings, style=style) for style in styles])

    def start_runs(self, runs: Sequence[RunSettings]) -> None:
        """Two runs of any settings (a lesson's comparison), the first on top."""
        self.pending = list(runs)
        self.results = []
        self.active = True
        self._next()

    def cancel(self) -> None:
        self.pending = []
        self.active = False
        self.driver.stop_run()

    def _next(self) -> None:
        if not self.active:
            return
        if not self.pending:
            self.active = False
            self.finished.emit(self.results[0], self.results[1])
            return
        try:
            self.driver.start_run(self.pending.pop(0))
        except (ServerError, LimitError) as error:
            self.active = False
            self.failed.emit(str(error).splitlines()[0])

    def _on_timeline(self, timeline: Timeline) -> None:
        if self.active:
            self.timeline_changed.emit(len(self.results), timeline)

    def _on_run_finished(self, result: RunResult) -> None:
        if not self.active:
            return
        self.results.append(result)
        self.run_finished.emit(len(self.results) - 1, result)
        if result.trace.ended != "complete":
            self.pending = []  # stopped or failed: the pair is over
            self.active = False
            return
        # After the driver has finished its own bookkeeping of this run.
        QTimer.singleShot(0, self._next)
