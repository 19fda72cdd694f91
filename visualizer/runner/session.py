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
from visualizer.model.passive_requests import PassiveRequests
from visualizer.model.processes import ServerProcess
from visualizer.model.route_match import check_plan
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import RANGES, AppTarget, RunSettings
from visualizer.model.trace import ANYIO, Pool, RunTrace
from visualizer.model.worker_runs import handlers_going, unfinished
from visualizer.runner.children import ChildProcess, load_generator_command
from visualizer.runner.interpreters import InterpreterError, check_interpreter
from visualizer.runner.loadplan import LoadPlan
from visualizer.runner.server_group import ServerGroup

SERVER, CLIENT, SERVER_EXIT, CLIENT_EXIT = "server", "client", "server exit", "client exit"

#: How long the server may take to say hello: it starts the upstream and calibrates,
#: or imports the user's app and runs its lifespan (which may load a model, say).
SERVER_START_TIMEOUT_S = 30.0
APP_START_TIMEOUT_S = 120.0
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


class AppFailure(ServerError):
    """The user's app could not be loaded or started: ``stage`` says where (see
    server.protocol.FailedFrame), ``user_traceback`` is their code's traceback."""

    def __init__(self, stage: str, message: str, user_traceback: str = "") -> None:
        super().__init__(message)
        self.stage = stage
        self.message = message
        self.user_traceback = user_traceback

    @property
    def is_bad_input(self) -> bool:
        """The app named cannot be found or is not an app (as against code that raised)."""
        return self.stage in ("spec", "app dir", "module", "attribute", "not asgi", "port")


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
    DRAINING = "waiting for handlers still running (given up on, or background tasks)"
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
    #: A passive run's requests, as the server sees them arrive and end.
    passive: PassiveRequests | None = None

    @property
    def finished(self) -> bool:
        return self.state is RunState.FINISHED

    @property
    def in_flight(self) -> int:
        return self.sent_count - self.done_count


class Session:
    """Start the server once, then run scenarios against it one after another.

    The server hosts the built-in styles, or the user's ``app`` (on ``port``, 0 for a
    free one), in one process or several on one socket, on an interpreter (``setup``);
    set them before :meth:`launch_server`.
    """

    def __init__(
        self, app: AppTarget | None = None, port: int = 0, setup: ServerSetup | None = None
    ) -> None:
        self.inbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.app = app
        self.port = port
        self.setup = setup or ServerSetup()
        self.server: ServerGroup | None = None
        #: Why the interpreter asked for cannot run the server; None if it can.
        self.bad_interpreter: InterpreterError | None = None
        self.hello: dict[str, Any] = {}
        self.server_error: str = ""
        #: Why the user's app could not be served, in their terms; None if it was.
        self.app_failure: AppFailure | None = None
        #: Every label the server has named so far (routes, functions, stacks) and every
        #: pool it has described; its events index them.
        self.labels: list[str] = []
        self.pools: dict[int, Pool] = {ANYIO.id: ANYIO}
        self.run: LiveRun | None = None
        self._runs = 0
        #: What pump's budget is measured by (a test may step it by hand).
        self.clock: Callable[[], float] = time.perf_counter

    # -- the server -----------------------------------------------------------------

    @property
    def server_running(self) -> bool:
        return bool(self.hello) and not self.server_error

    @property
    def start_timeout_s(self) -> float:
        return SERVER_START_TIMEOUT_S if self.app is None else APP_START_TIMEOUT_S

    @property
    def routes(self) -> list[dict[str, Any]]:
        """The routes of the app the server hosts (server.route_table)."""
        return list(self.hello.get("routes", []))

    def launch_server(self) -> None:
        """Start the server process and return at once; its hello arrives through pump()."""
        self.close()
        self.hello, self.server_error, self.app_failure = {}, "", None
        self.labels, self.pools, self.bad_interpreter = [], {ANYIO.id: ANYIO}, None
        try:
            if self.setup.python:
                check_interpreter(self.setup.python)
            self.server = ServerGroup(
                self.app,
                self.port,
                self.setup,
                on_frame=lambda frame: self.inbox.put((SERVER, frame)),
                on_exit=lambda code: self.inbox.put((SERVER_EXIT, code)),
            )
        except InterpreterError as error:
            self.bad_interpreter, self.server_error = error, str(error)
            return
        except OSError as error:  # the workers' socket: the port is taken, say
            self.server_error = f"the server could not listen on port {self.port}: {error}"
            return
        self.server.start()

    def start_server(self, timeout_s: float | None = None) -> dict[str, Any]:
        """Start the server process and wait for its hello; raise ServerError if it fails
        (AppFailure if the user's app could not be loaded or started)."""
        timeout_s = timeout_s or self.start_timeout_s
        self.launch_server()
        deadline = time.monotonic() + timeout_s
        while not self.hello and not self.server_error:
            if time.monotonic() > deadline:
                self.fail_server_start(timeout_s)
            self.pump(0.1)
        if self.app_failure is not None:
            raise self.app_failure
        if self.bad_interpreter is not None:
            raise self.bad_interpreter
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
        """Begin a run; ServerError if the server cannot take it, PlanError (a ValueError)
        if a planned request goes to no route of the app."""
        if not self.server_running or self.server is None:
            raise ServerError(self.server_error or "the server is not running")
        if self.run is not None and not self.run.finished:
            raise RuntimeError("a run is already in progress")
        if (settings.app and settings.app.target) != (self.app and self.app.target):
            hosted = self.app.target if self.app is not None else "the built-in styles"
            raise ServerError(f"the server hosts {hosted}, not {settings.subject}")
        if ServerSetup.of(settings) != self.setup:
            raise ServerError(
                f"the server runs {self.setup.describe()}, not "
                f"{ServerSetup.of(settings).describe()}: restart it"
            )
        check_open_file_limit(settings)
        planned = []
        if settings.plan is not None:
            planned = check_plan(settings.plan.requests, self.routes, settings.subject)
        trace = RunTrace(
            settings=settings,
            versions=self._versions(),
            handler_ends=True,
            labels=self.labels,
            pools=self.pools,
            planned_routes=planned,
            routes=self.routes,
            # Known from the hello, so a live view names each process's lanes by its pid;
            # what each served comes with the flush.
            processes=[
                ServerProcess(int(p.get("index", i)), int(p.get("pid", 0)))
                for i, p in enumerate(self.hello.get("processes", ()))
            ],
        )
        self._runs += 1
        self.run = LiveRun(trace=trace, number=self._runs)
        if settings.passive:
            # Whatever arrives from now on is the run's: its clock starts before the
            # server numbers the first request.
            trace.t0 = time.perf_counter_ns()
            self.run.passive = PassiveRequests(trace)
        self.server.send(
            {
                "cmd": protocol.CMD_RUN,
                "run": self.run.number,
                # A passive run numbers what arrives, up to the most a run may hold.
                "requests": int(RANGES["requests"].high) if settings.passive else settings.requests,
                "pool": settings.pool,
                "passive": settings.passive,
                "stack_ms": settings.stack_ms,
            }
        )
        return self.run

    def _versions(self) -> dict[str, str]:
        versions = dict(self.hello.get("versions", {}))
        if self.hello.get("uvloop_installed"):
            versions["loop"] = "asyncio (uvloop is installed: not used, it cannot be traced)"
        return versions

    def stop_run(self) -> None:
        """Cancel the run: requests in flight end as cancelled, unsent ones are never sent."""
        run = self.run
        if run is None or run.finished:
            return
        run.stop_requested = True
        if run.state is RunState.DRAINING or (run.passive and run.state is RunState.RUNNING):
            self._flush(run)  # stop waiting for handlers, or stop recording what arrives
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
        running = handlers_running(run.trace) if news else run.draining
        if running == 0 or self._done_waiting(run, running):
            self._flush(run)

    def _still_at_it(self, run: LiveRun) -> bool:
        """Whether a flushed run's handlers are still running, and worth waiting for.

        Work the client never waits for, after the last response (a background task),
        may not have been shipped when the flush was asked: what the flush brought says.
        """
        if run.stop_requested or run.state is not RunState.FLUSHING:
            return False
        running = handlers_running(run.trace)
        return running > 0 and not self._done_waiting(run, running)

    def _done_waiting(self, run: LiveRun, running: int) -> bool:
        """Whether the ``running`` handlers stopped making progress, or took too long."""
        now = time.monotonic()
        if running != run.draining:
            run.draining, run.drain_progress_at = running, now
        settings = run.trace.settings
        # The user's handlers take what they take: as long as the client would wait.
        work_s = settings.work_ms / 1000 if settings.app is None else settings.timeout_s
        patience = work_s + DRAIN_MARGIN_S
        stalled = now - run.drain_progress_at > patience
        return stalled or now - run.drain_began_at > DRAIN_LIMIT_S

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
        if source == SERVER and self.server is not None:
            # Several server processes answer as one (visualizer.runner.server_group).
            payload = self.server.merge(payload)
            if payload is None:
                return
        if source == SERVER and payload.get("t") == protocol.HELLO:
            self.hello = payload
            return
        if source == SERVER and payload.get("t") == protocol.EVENTS:
            # Labels and pools are numbered for the server's whole life, runs or not.
            self.labels.extend(payload.get("labels", ()))
            for pool, kind, name, capacity in payload.get("pools", ()):
                self.pools[int(pool)] = Pool(int(pool), str(kind), str(name), int(capacity))
        if source == SERVER and payload.get("t") == protocol.FAILED:
            self.app_failure = AppFailure(
                str(payload.get("stage", "")),
                str(payload.get("message", "")),
                str(payload.get("traceback", "")),
            )
            self.server_error = self.app_failure.message
            return
        if source == SERVER_EXIT:
            if self.app_failure is None:
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
                self._add_events(run, frame)
            else:
                run.early_frames.append(frame)
        elif kind == protocol.ACK and frame.get("cmd") == protocol.CMD_RUN:
            ready = frame.get("run") == run.number and run.state is RunState.CONFIGURING
            if ready and run.passive is not None and not run.stop_requested:
                self._start_recording(run)
            elif ready and not run.stop_requested:
                self._start_client(run)
        elif kind == protocol.ACK and frame.get("cmd") == protocol.CMD_FLUSH:
            run.trace.foreign_requests = int(frame.get("foreign", 0))
            run.trace.processes = list(frame.get("processes", ()))
            if run.passive is not None:
                run.passive.close(int(frame.get("numbered", 0)))
            elif self._still_at_it(run):
                run.state = RunState.DRAINING
                return
            self._finish(run, run.trace.ended or ("stopped" if run.stop_requested else "complete"))

    def _add_events(self, run: LiveRun, frame: dict[str, Any]) -> None:
        new = _add_events(run.trace, frame, run.number)
        if run.passive is not None:
            run.sent_count, run.done_count = run.passive.add(new["stamp"], new["route"])

    def _start_recording(self, run: LiveRun) -> None:
        """A passive run: no client; it records what arrives until it is stopped."""
        run.state = RunState.RUNNING

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
                self._add_events(run, early)
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
        run.trace.flush_asked = time.perf_counter_ns()  # the servers' clock (see RunTrace)
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


def _add_events(
    trace: RunTrace, frame: dict[str, Any], run: int
) -> dict[str, np.ndarray[Any, Any]]:
    """Add a frame's events to ``trace``, the events of request i of run ``run`` as
    request i; a handler of another run is never credited to one of this run. Returns
    the frame's stamp and route rows so credited."""

    def rows(kind: str) -> np.ndarray[Any, Any]:
        return np.asarray(frame.get(kind, ()), np.int64).reshape(-1, protocol.WIDTH[kind])

    # The loop was busy all the same: another run's slice stays, as no request's work.
    credited = {
        "stamp": _credited(rows("stamp"), 0, run, others=None),
        "route": _credited(rows("route"), 0, run, others=None),
    }
    trace.add_server_events(
        process=int(frame.get("process", 0)),
        loop=_credited(rows("loop"), 2, run, others=protocol.NO_REQUEST),
        timer=_credited(rows("timer"), 2, run, others=protocol.NO_REQUEST),
        worker=_credited(rows("worker"), 0, run, others=None),
        stamp=credited["stamp"],
        gc=rows("gc"),
        worker_start=_credited(rows("wstart"), 0, run, others=None),
        route=credited["route"],
        stack=rows("stack"),
    )
    return credited


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
    events have told): not ended (a background task runs after the response), or on
    a worker that has not returned."""
    on_workers = unfinished(trace)["request"]
    going = handlers_going(trace, after_response=True)
    return len(np.union1d(going, on_workers[on_workers > 0]))


def _account_for_every_request(trace: RunTrace) -> None:
    """A request that was sent but never reported done ends as an error, never lost; in
    a passive run, as cancelled: the recording stopped while the server had it.

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
    rows["outcome"] = int(Outcome.CANCELLED if trace.settings.passive else Outcome.ERROR)
    trace.done.extend(rows)
