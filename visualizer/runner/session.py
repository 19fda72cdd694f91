"""Session: owns the server process across runs, and drives one LiveRun at a time.

Reader threads only put ``(source, frame)`` pairs on one queue; everything else,
the run's state machine and the trace it fills, happens on the thread that calls
:meth:`Session.pump`: the GUI thread on a timer, or the command line's main thread.
No lock is needed anywhere, and the model never sees a second thread.
"""

from __future__ import annotations

import enum
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from server import protocol
from server._limits import open_files_allowed, open_files_needed
from server.protocol import Outcome
from server.routes import UPSTREAM_STYLES
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.model.worker_runs import handlers_going, unfinished
from visualizer.runner.children import ChildProcess, load_generator_command, server_command
from visualizer.runner.loadplan import LoadPlan

SERVER, CLIENT, SERVER_EXIT, CLIENT_EXIT = "server", "client", "server exit", "client exit"

#: How long the server may take to say hello: it starts the upstream and calibrates.
SERVER_START_TIMEOUT_S = 30.0
#: How long the end of a run waits for the server's last events. A loop frozen by a
#: long blocking handler answers only when it is done; the run must not hang on it.
FLUSH_TIMEOUT_S = 5.0
#: After the client is done, handlers it gave up on may still run (a timeout does not
#: stop a ``def`` handler). The run waits for them while they make progress: up to the
#: run's work time and this margin since a handler last started or ended.
DRAIN_MARGIN_S = 1.0
#: And never longer than this in all: a handler that never ends is drawn unfinished.
DRAIN_LIMIT_S = 120.0


class ServerError(RuntimeError):
    """The server could not start, or died; the message ends with its last log lines."""


class LimitError(RuntimeError):
    """The machine cannot carry the run; the message says which limit and how to lift it."""


def check_open_file_limit(settings: RunSettings) -> None:
    """Refuse a concurrency that the open-file limit would break halfway through the run."""
    calls_upstream = settings.style in UPSTREAM_STYLES
    needed = open_files_needed(settings.concurrency, calls_upstream)
    allowed = open_files_allowed()
    if allowed is not None and needed > allowed:
        raise LimitError(
            f"concurrency {settings.concurrency:,} needs about {needed:,} open files in the "
            f"server, but this system allows at most {allowed:,} per process: raise the hard "
            "limit (ulimit -Hn, or /etc/security/limits.conf) or lower the concurrency"
        )


class RunState(enum.Enum):
    CONFIGURING = "configuring the server"
    RUNNING = "running"
    STOPPING = "stopping"
    DRAINING = "waiting for handlers the client gave up on"
    FLUSHING = "collecting the last events"
    FINISHED = "finished"


@dataclass
class LiveRun:
    """One run in progress: its trace grows as frames arrive."""

    trace: RunTrace
    #: The run's number on this server: its events carry it (see server.protocol).
    number: int = 0
    state: RunState = RunState.CONFIGURING
    client: ChildProcess | None = None
    stop_requested: bool = False
    #: Server frames that arrived before the client said when the run started.
    early_frames: list[dict[str, Any]] = field(default_factory=list)
    sent_count: int = 0
    done_count: int = 0
    #: When the run asked the server for its last events (time.monotonic()).
    flush_asked_at: float = 0.0
    #: While draining: when it began, handlers still running, and when that last changed.
    drain_began_at: float = 0.0
    draining: int = 0
    drain_progress_at: float = 0.0

    @property
    def finished(self) -> bool:
        return self.state is RunState.FINISHED

    @property
    def in_flight(self) -> int:
        return self.sent_count - self.done_count


class Session:
    """Start the server once, then run scenarios against it one after another."""

    def __init__(self) -> None:
        self.inbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.server: ChildProcess | None = None
        self.hello: dict[str, Any] = {}
        self.server_error: str = ""
        self.run: LiveRun | None = None
        self._runs = 0
        #: What pump's budget is measured by (a test may step it by hand).
        self.clock: Callable[[], float] = time.perf_counter

    # -- the server -----------------------------------------------------------------

    @property
    def server_running(self) -> bool:
        return bool(self.hello) and not self.server_error

    def launch_server(self) -> None:
        """Start the server process and return at once; its hello arrives through pump()."""
        self.close()
        self.hello, self.server_error = {}, ""
        self.server = self._child("server", server_command(), SERVER, SERVER_EXIT)
        self.server.start()

    def start_server(self, timeout_s: float = SERVER_START_TIMEOUT_S) -> dict[str, Any]:
        """Start the server process and wait for its hello; raise ServerError if it fails."""
        self.launch_server()
        deadline = time.monotonic() + timeout_s
        while not self.hello and not self.server_error:
            if time.monotonic() > deadline:
                self.fail_server_start(timeout_s)
            self.pump(0.1)
        if self.server_error:
            raise ServerError(self.server_error)
        return self.hello

    def fail_server_start(self, timeout_s: float) -> None:
        """Give up on a server that has not said hello; raise ServerError."""
        error = self._server_failure(f"did not start within {timeout_s:g} s")
        # close() also drops the exit notice of the server it stops, which would
        # otherwise replace this message with "exited with status 0".
        self.close()
        self.server_error = error
        raise ServerError(error)

    @property
    def server_state(self) -> str:
        """ "starting", "running", "stopped", or what went wrong, for the status bar."""
        if self.server_error:
            return self.server_error
        if self.hello:
            return "running"
        return "starting" if self.server is not None else "stopped"

    def close(self) -> None:
        """Stop any run and end both children."""
        if self.run is not None and self.run.client is not None:
            self.run.client.stop()
        if self.server is not None:
            self.server.stop()
            self.server = None
        self.hello = {}
        # What the old children said last (their exit, above all) must not reach the next.
        while not self.inbox.empty():
            self.inbox.get_nowait()

    # -- runs -----------------------------------------------------------------------

    def start_run(self, settings: RunSettings) -> LiveRun:
        if not self.server_running or self.server is None:
            raise ServerError(self.server_error or "the server is not running")
        if self.run is not None and not self.run.finished:
            raise RuntimeError("a run is already in progress")
        check_open_file_limit(settings)
        trace = RunTrace(
            settings=settings, versions=dict(self.hello.get("versions", {})), handler_ends=True
        )
        self._runs += 1
        self.run = LiveRun(trace=trace, number=self._runs)
        self.server.send(
            {
                "cmd": protocol.CMD_RUN,
                "run": self.run.number,
                "requests": settings.requests,
                "pool": settings.pool,
            }
        )
        return self.run

    def stop_run(self) -> None:
        """Cancel the run: requests in flight end as cancelled, unsent ones are never sent."""
        run = self.run
        if run is None or run.finished:
            return
        run.stop_requested = True
        if run.state is RunState.DRAINING:
            self._flush(run)  # stop waiting for the handlers the client gave up on
        elif run.client is not None:
            run.client.send("stop")
            run.state = RunState.STOPPING
        else:
            self._finish(run, "stopped before any request was sent")

    @property
    def has_messages(self) -> bool:
        """Whether the children said something that :meth:`pump` has not handled yet."""
        return not self.inbox.empty()

    def pump(self, timeout_s: float = 0.0, budget_s: float | None = None) -> int:
        """Handle what the children sent; wait up to ``timeout_s`` for the first of it.

        With ``budget_s``, stop taking messages once that long has gone (at least one
        is handled): the rest stays queued, in order, for the next call. The GUI pumps
        once a frame, and a burst (a loaded machine, a server's backlog) must not hold
        one frame for 100 ms. Returns how many messages were handled.
        """
        handled = 0
        try:
            item = self.inbox.get(timeout=timeout_s) if timeout_s > 0 else self.inbox.get_nowait()
            started = self.clock()  # the budget is for handling, not for the wait
            while True:
                self._handle(*item)
                handled += 1
                if budget_s is not None and self.clock() - started >= budget_s:
                    break
                item = self.inbox.get_nowait()
        except queue.Empty:
            pass
        self._drain(news=handled > 0)
        self._give_up_on_a_late_flush()
        return handled

    def _drain(self, news: bool = True) -> None:
        """Flush once no handler of the run is running, or they stopped making progress.

        Which handlers run is counted again only when something arrived (``news``): the
        count reads the whole trace, 3 ms at 20,000 requests, and the GUI pumps several
        times a frame.
        """
        run = self.run
        if run is None or run.state is not RunState.DRAINING:
            return
        now = time.monotonic()
        running = handlers_running(run.trace) if news else run.draining
        if running != run.draining:
            run.draining, run.drain_progress_at = running, now
        patience = run.trace.settings.work_ms / 1000 + DRAIN_MARGIN_S
        stalled = now - run.drain_progress_at > patience
        if running == 0 or stalled or now - run.drain_began_at > DRAIN_LIMIT_S:
            self._flush(run)

    def _give_up_on_a_late_flush(self) -> None:
        run = self.run
        if run is None or run.state is not RunState.FLUSHING:
            return
        if time.monotonic() - run.flush_asked_at > FLUSH_TIMEOUT_S:
            outcome = "stopped" if run.stop_requested else "complete"
            self._finish(
                run,
                run.trace.ended
                or f"{outcome}, but the server was still busy after {FLUSH_TIMEOUT_S:g} s: "
                "its last events may be missing",
            )

    def _handle(self, source: str, payload: Any) -> None:
        run = self.run
        if source == SERVER and payload.get("t") == protocol.HELLO:
            self.hello = payload
            return
        if source == SERVER_EXIT:
            self.server_error = self._server_failure(f"exited with status {payload}")
            if run is not None and not run.finished:
                run.trace.ended = "the server died: " + self.server_error
                if run.client is not None:
                    run.client.send("stop")
                    run.state = RunState.STOPPING
                else:
                    self._finish(run, run.trace.ended)
            return
        if run is None or run.finished:
            return
        if source == SERVER:
            self._handle_server(run, payload)
        elif source == CLIENT:
            self._handle_client(run, payload)
        elif source == CLIENT_EXIT and run.state not in (RunState.FLUSHING, RunState.DRAINING):
            # After its "finished" frame the client is meant to exit; before it, not.
            log = "\n".join(run.client.log) if run.client else ""
            early = "the load generator exited early" + (f"; its last words:\n{log}" if log else "")
            self._finish(run, run.trace.ended or early)

    def _handle_server(self, run: LiveRun, frame: dict[str, Any]) -> None:
        kind = frame.get("t")
        if kind == protocol.EVENTS:
            if run.trace.t0:
                _add_events(run.trace, frame, run.number)
            else:
                run.early_frames.append(frame)
        elif kind == protocol.ACK and frame.get("cmd") == protocol.CMD_RUN:
            ready = frame.get("run") == run.number and run.state is RunState.CONFIGURING
            if ready and not run.stop_requested:
                self._start_client(run)
        elif kind == protocol.ACK and frame.get("cmd") == protocol.CMD_FLUSH:
            run.trace.foreign_requests = int(frame.get("foreign", 0))
            self._finish(run, run.trace.ended or ("stopped" if run.stop_requested else "complete"))

    def _start_client(self, run: LiveRun) -> None:
        plan = LoadPlan.for_run(int(self.hello["port"]), run.number, run.trace.settings)
        run.client = self._child("loadgen", load_generator_command(), CLIENT, CLIENT_EXIT)
        run.client.start()
        run.client.send(plan.to_json())
        run.state = RunState.RUNNING

    def _handle_client(self, run: LiveRun, frame: dict[str, Any]) -> None:
        kind = frame.get("t")
        trace = run.trace
        if kind == protocol.START:
            trace.t0 = int(frame["t0"])
            for early in run.early_frames:
                _add_events(trace, early, run.number)
            run.early_frames.clear()
        elif kind == protocol.SENT:
            trace.sent.extend(frame["rows"])
            run.sent_count += len(frame["rows"])
        elif kind == protocol.DONE:
            trace.done.extend(frame["rows"])
            run.done_count += len(frame["rows"])
        elif kind == protocol.FINISHED:
            if not self.server_running or self.server is None:
                self._finish(run, trace.ended or "the server is gone")
            elif run.stop_requested:
                self._flush(run)  # the user wants it over: what is known is drawn
            else:
                # Handlers the client gave up on are recorded until they really end.
                run.state = RunState.DRAINING
                run.drain_began_at = run.drain_progress_at = time.monotonic()
                run.draining = handlers_running(trace)
                self._drain(news=False)  # just counted

    def _flush(self, run: LiveRun) -> None:
        """Ask the server for everything it did for the run; the run ends on its answer."""
        if self.server is None:
            self._finish(run, run.trace.ended or "the server is gone")
            return
        # Everything the loop did for the run must reach us before it ends.
        run.state = RunState.FLUSHING
        run.flush_asked_at = time.monotonic()
        self.server.send({"cmd": protocol.CMD_FLUSH})

    def _finish(self, run: LiveRun, ended: str) -> None:
        if run.finished:
            return
        run.trace.ended = ended
        _account_for_every_request(run.trace)
        run.state = RunState.FINISHED
        if run.client is not None:
            run.client.stop()

    def _child(self, name: str, command: list[str], source: str, exit_source: str) -> ChildProcess:
        """A child whose frames and exit reach pump() through the inbox, tagged with its source."""
        return ChildProcess(
            name,
            command,
            on_frame=lambda frame: self.inbox.put((source, frame)),
            on_exit=lambda code: self.inbox.put((exit_source, code)),
        )

    def _server_failure(self, what: str) -> str:
        log = "\n".join(self.server.log) if self.server else ""
        return f"the server {what}" + (f"; its last words:\n{log}" if log else "")


def _add_events(trace: RunTrace, frame: dict[str, Any], run: int) -> None:
    """Add a frame's events to ``trace``, the events of request i of run ``run`` as
    request i; a handler of another run is never credited to one of this run."""

    def rows(kind: str) -> np.ndarray[Any, Any]:
        return np.asarray(frame.get(kind, ()), np.int64).reshape(-1, protocol.WIDTH[kind])

    # The loop was busy all the same: another run's slice stays, as no request's work.
    trace.add_server_events(
        loop=_credited(rows("loop"), 2, run, others=protocol.NO_REQUEST),
        timer=_credited(rows("timer"), 2, run, others=protocol.NO_REQUEST),
        worker=_credited(rows("worker"), 0, run, others=None),
        stamp=_credited(rows("stamp"), 0, run, others=None),
        gc=rows("gc"),
        worker_start=_credited(rows("wstart"), 0, run, others=None),
    )


def _credited(
    rows: np.ndarray[Any, Any], column: int, run: int, others: int | None
) -> np.ndarray[Any, Any]:
    """``rows`` with their keys turned into request ids of ``run``; rows of another run
    get the key ``others``, or are left out where ``others`` is None."""
    keys = rows[:, column]
    keyed = keys > 0
    mine = keyed & ((keys >> protocol.KEY_BITS) == run)
    credited: np.ndarray[Any, Any] = rows.copy()
    credited[mine, column] = keys[mine] & protocol.REQUEST_MASK
    other = keyed & ~mine
    if others is None:
        kept: np.ndarray[Any, Any] = credited[~other]
        return kept
    credited[other, column] = others
    return credited


def handlers_running(trace: RunTrace) -> int:
    """Handlers of the run's requests that the server is still running (as far as its
    events have told): not ended, or on a worker that has not returned."""
    on_workers = unfinished(trace)["request"]
    return len(np.union1d(handlers_going(trace), on_workers[on_workers > 0]))


def _account_for_every_request(trace: RunTrace) -> None:
    """A request that was sent but never reported done ends as an error, never lost.

    In columns: a row at a time in Python took 7-12 ms of the GUI thread at the end of
    a 20,000-request run.
    """
    sent, done = trace.sent.rows, trace.done.rows
    missing = sent[~np.isin(sent["request"], done["request"])]
    if len(missing) == 0:
        return
    received = done["received"]
    end = max(trace.t0, int(missing["sent"].max()), int(received.max()) if len(received) else 0)
    rows = np.zeros(len(missing), done.dtype)
    rows["request"], rows["sent"], rows["received"] = missing["request"], missing["sent"], end
    rows["outcome"] = int(Outcome.ERROR)
    trace.done.extend(rows)
