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
import functools
import gc
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from visualizer.app.timeline.gantt_item import prepare_index
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.live_timeline import GrowingTimeline, LiveTimeline
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.runner.session import SERVER_START_TIMEOUT_S, LiveRun, ServerError, Session

#: 30 frames a second while live; the same timer notices a server that dies when idle.
#: Counted from the end of a frame's work, not its start: a frame that takes longer than
#: this (a loaded machine) is painted, and the user's clicks are handled, before the next
#: one starts, instead of frames running back to back (a 137 ms freeze measured so).
FRAME_MS = 33
#: One turn of the event loop handles the children's messages for at most this long; the
#: rest wait for the next turn. Draining a burst at once held one frame up to 104 ms on a
#: loaded machine.
PUMP_BUDGET_S = 0.005
#: A frame takes at most this many turns of messages before it draws what it has: a
#: backlog is drained over a few frames rather than postponing the picture.
PUMP_TURNS = 4


class _Step(Protocol):
    """One step of a frame: it returns the frame's next step, or None at its end."""

    def __call__(self) -> _Step | None: ...


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
        self._next_step: _Step | None = None

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
        _warm_up_numpy()
        self._launched_at = time.monotonic()
        self._ticking = True
        self._next_step = None
        self._timer.start(FRAME_MS)
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
        # The collector's full pass walks every object: the window's ~110,000 took 48 to
        # 118 ms, once a run, whenever it fell. What exists now is not garbage of the run:
        # it is left out of those passes until the run's result is shown.
        gc.freeze()
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
        gc.unfreeze()
        if self._analyser is not None:
            self._analyser.shutdown(wait=True)
            self._analyser = None

    # -- one frame ----------------------------------------------------------------------------

    def _frame(self) -> None:
        """One step of a frame; the next step runs in a later turn of the event loop.

        A frame is its steps, one turn each: the children's messages, the live model
        taking in the new events, the model drawing the open requests, the hand-over to
        the views (and Qt's paint of it). The user's input and timers are handled between
        them: on a loaded 2-core machine the GUI thread gets half a core or less, and the
        frame done at once, ~20 ms of work, held the window 40-60 ms.
        """
        step, self._next_step = self._next_step, None
        try:
            self._next_step = (step or self._take_messages)()
        finally:
            if self._ticking:
                # At once for the next step (Qt still runs what is due first); FRAME_MS
                # after the end of the last one for the next frame (see FRAME_MS).
                self._timer.start(FRAME_MS if self._next_step is None else 0)

    def tick(self) -> None:
        """One whole frame at once, its steps back to back."""
        step: _Step | None = self._take_messages
        while step is not None:
            step = step()

    def _take_messages(self, turn: int = 1) -> _Step | None:
        self.session.pump(0, PUMP_BUDGET_S)
        if self.session.has_messages and turn < PUMP_TURNS:
            return functools.partial(self._take_messages, turn + 1)
        if self.session.server is not None and not self.session.hello:
            self._check_start_deadline()
        self._report_state()
        run = self.run
        if run is None or self.result is not None:
            return None
        if run.finished:
            self._finish(run)
        elif run.trace.t0 and self.live_timeline is not None:  # the client said when it started
            return functools.partial(self._absorb, self.live_timeline)
        return None

    def _absorb(self, live: LiveTimeline) -> _Step | None:
        """The model takes in the new events (the open requests are drawn next step)."""
        if live is not self.live_timeline or not self.live:
            return None  # a new run began, or this one ended, since the frame's first step
        live.absorb()
        return functools.partial(self._update_model, live)

    def _update_model(self, live: LiveTimeline) -> _Step | None:
        if live is not self.live_timeline or not self.live:
            return None
        timeline = live.update(time.perf_counter_ns())
        return functools.partial(self._hand_over, live, timeline)

    def _hand_over(self, live: LiveTimeline, timeline: GrowingTimeline) -> _Step | None:
        if live is self.live_timeline and self.live:
            self.timeline_changed.emit(timeline)
        return None

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
        try:
            self.result = future.result()
            self.timeline_changed.emit(self.result.timeline)
            self.run_finished.emit(self.result)
        finally:
            gc.unfreeze()  # what the run left unreachable is collected again, come what may

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


def _warm_up_numpy() -> None:
    """Make numpy's first np.unique now, while the server starts, not in the first live frame.

    Its first call sets itself up: 7 to 11 ms here, which made the first frame of the
    first run 12 ms of model work instead of 6 (19 ms measured in the window).
    """
    np.unique(np.zeros(2, np.int64))


def _analyse_and_index(trace: RunTrace) -> RunResult:
    """The run's figures and final Timeline, indexed for drawing: one worker-thread job."""
    result = analyse(trace)
    prepare_index(result.timeline)
    return result
