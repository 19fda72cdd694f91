"""SessionDriver: the GUI thread's side of a Session, on one QTimer.

The Session's reader threads only fill a queue; this timer drains it with
``Session.pump`` every frame (for a bounded time), so every signal below is emitted on the GUI
thread and no Qt object ever crosses a thread. While a run is live the timer also
hands the views the Timeline up to "now", so bars grow smoothly between events;
views get at most one Timeline a frame, never one per event. That Timeline comes
from a LiveTimeline, which reads only the events that arrived since the last frame:
rebuilding it from the whole trace cost O(all events) a frame, ~150 ms at 20,000
requests, and froze the window. For the same reason the finished run is analysed,
and its final Timeline indexed for drawing (~150 ms together at 20,000 requests), on
a worker thread that the timer polls: the result still reaches the views from this
thread, and only then.
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from visualizer.app.timeline.gantt_item import prepare_index
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.live_timeline import LiveTimeline
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.runner.session import SERVER_START_TIMEOUT_S, LiveRun, ServerError, Session

#: 30 frames a second while live; the same timer notices a server that dies when idle.
#: Counted from the end of a frame's work, not its start: a frame that takes longer than
#: this (a loaded machine) is painted, and the user's clicks are handled, before the next
#: one starts, instead of frames running back to back (a 137 ms freeze measured so).
FRAME_MS = 33
#: A frame handles the children's messages for at most this long; the rest wait for the
#: next frame. Draining a burst at once held one frame up to 104 ms on a loaded machine.
PUMP_BUDGET_S = 0.015


class SessionDriver(QObject):
    """Owns the Session: starts the server, runs scenarios, tells the views what happened."""

    #: "starting", "running", "stopped" or what went wrong (Session.server_state).
    server_state_changed = Signal(str)
    run_started = Signal(object)  # LiveRun
    #: A Timeline of the run so far; emitted at most once a frame.
    timeline_changed = Signal(object)
    #: The run's final RunResult: trace, timeline, summary and story.
    run_finished = Signal(object)

    def __init__(self, session: Session | None = None) -> None:
        super().__init__()
        self.session = session or Session()
        self.run: LiveRun | None = None
        self.result: RunResult | None = None
        self.live_timeline: LiveTimeline | None = None
        self._analyser: ThreadPoolExecutor | None = None
        self._analysis: tuple[LiveRun, Future[RunResult]] | None = None
        self.start_timeout_s = SERVER_START_TIMEOUT_S
        self._launched_at = 0.0
        self._last_state = ""
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._frame)
        self._ticking = False

    @property
    def server_state(self) -> str:
        return self.session.server_state

    @property
    def live(self) -> bool:
        return self.run is not None and not self.run.finished

    @property
    def elapsed_s(self) -> float:
        """Time since the live or last run started, by the same clock as its trace."""
        if self.run is None or not self.run.trace.t0:
            return 0.0
        if self.result is not None:
            return self.result.timeline.span / 1e9
        return (time.perf_counter_ns() - self.run.trace.t0) / 1e9

    # -- start / run / stop ---------------------------------------------------------------

    def launch_server(self) -> None:
        """Start (or restart) the server; its hello arrives on a later frame."""
        self.stop_run()
        self.session.launch_server()
        self._launched_at = time.monotonic()
        self._ticking = True
        self._timer.start()
        self._report_state()

    def restart_as(self, setup: ServerSetup) -> bool:
        """Make the server run as ``setup`` says (processes, interpreter): restart it if it
        does not already; True if it restarts (its hello arrives on a later frame)."""
        if setup == self.session.setup:
            return False
        self.session.setup = setup
        self.launch_server()
        return True

    def start_run(self, settings: RunSettings) -> LiveRun:
        """Start a run now; raises ServerError if the server is not running."""
        self.run = self.session.start_run(settings)
        self.result = None
        self.live_timeline = LiveTimeline(self.run.trace)
        self.run_started.emit(self.run)
        return self.run

    def stop_run(self) -> None:
        if self.live:
            self.session.stop_run()

    def close(self) -> None:
        """End the run and both children; the driver is done after this."""
        self._ticking = False
        self._timer.stop()
        self.session.close()
        if self._analyser is not None:
            self._analyser.shutdown(wait=True)
            self._analyser = None

    # -- one frame ----------------------------------------------------------------------------

    def _frame(self) -> None:
        try:
            self.tick()
        finally:
            if self._ticking:
                self._timer.start()  # FRAME_MS after this frame's work, see FRAME_MS

    def tick(self) -> None:
        self.session.pump(0, PUMP_BUDGET_S)
        if self.session.server is not None and not self.session.hello:
            self._check_start_deadline()
        self._report_state()
        run = self.run
        if run is None or self.result is not None:
            return
        if run.finished:
            self._finish(run)
        elif run.trace.t0 and self.live_timeline is not None:  # the client said when it started
            self.timeline_changed.emit(self.live_timeline.update(time.perf_counter_ns()))

    def _finish(self, run: LiveRun) -> None:
        """Analyse the finished run off this thread; hand the result on when it is ready."""
        if self._analysis is None or self._analysis[0] is not run:
            if self._analyser is None:
                self._analyser = ThreadPoolExecutor(1, thread_name_prefix="schedviz-analysis")
            self._analysis = (run, self._analyser.submit(_analyse_and_index, run.trace))
        future = self._analysis[1]
        if not future.done():
            return
        self._analysis = None
        self.result = future.result()
        self.timeline_changed.emit(self.result.timeline)
        self.run_finished.emit(self.result)

    def _check_start_deadline(self) -> None:
        if self.session.server_error:
            return
        if time.monotonic() - self._launched_at > self.start_timeout_s:
            with contextlib.suppress(ServerError):  # the reason is in server_state now
                self.session.fail_server_start(self.start_timeout_s)

    def _report_state(self) -> None:
        state = self.session.server_state
        if state != self._last_state:
            self._last_state = state
            self.server_state_changed.emit(state)


def _analyse_and_index(trace: RunTrace) -> RunResult:
    """The run's figures and final Timeline, indexed for drawing: one worker-thread job."""
    result = analyse(trace)
    prepare_index(result.timeline)
    return result
