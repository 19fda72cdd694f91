"""ComparisonRunner: two runs, one after the other, through the SessionDriver.

One after the other, never at once: two runs sharing the server's loop and CPU
would each show the other's load. Two runs of one style on two servers (1 process
against N, one interpreter against another) each get a server run as they need: the
session's server restarts between them when their setups differ, and the second run
starts once it is up.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from visualizer.app.session_driver import SessionDriver
from visualizer.model.analysis import RunResult
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import Timeline
from visualizer.runner.session import LimitError, ServerError


class ComparisonRunner(QObject):
    """Runs a pair of settings; says which run each signal belongs to."""

    #: (slot, Timeline) while a run of the pair is live; slot 0 is the first.
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
        #: The run waiting for the server to restart as it needs.
        self.waiting: RunSettings | None = None
        driver.timeline_changed.connect(self._on_timeline)
        driver.run_finished.connect(self._on_run_finished)
        driver.server_state_changed.connect(self._on_server_state)

    def start(self, pair: tuple[RunSettings, RunSettings]) -> None:
        self.pending = list(pair)
        self.results = []
        self.active = True
        self._next()

    def cancel(self) -> None:
        self.pending = []
        self.waiting = None
        self.active = False
        self.driver.stop_run()

    def _next(self) -> None:
        if not self.active:
            return
        if not self.pending:
            self.active = False
            self.finished.emit(self.results[0], self.results[1])
            return
        settings = self.pending.pop(0)
        if self.driver.restart_as(ServerSetup.of(settings)):
            self.waiting = settings  # started once the server says it runs
            return
        self._start(settings)

    def _start(self, settings: RunSettings) -> None:
        try:
            self.driver.start_run(settings)
        except (ServerError, LimitError) as error:
            self._fail(str(error).splitlines()[0])

    def _fail(self, reason: str) -> None:
        self.pending, self.waiting = [], None
        self.active = False
        self.failed.emit(reason)

    def _on_server_state(self, state: str) -> None:
        if self.waiting is None or not self.active or state in ("starting", "stopped"):
            return
        settings, self.waiting = self.waiting, None
        if state == "running":
            self._start(settings)
        else:  # the restarted server failed: another interpreter lacks a package, say
            self._fail(state.splitlines()[0])

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
