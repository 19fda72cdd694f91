"""LiveTimeline: a live run's Timeline, built frame by frame from what arrived since the last.

Rebuilding the whole Timeline each frame costs O(all events): sorts, every
request's phases, a Lane object per request. Here a frame only reads the rows
appended to the trace since the previous frame:

- loop slices, worker runs and failure marks never change once measured: their
  bars are appended to growing columns and *frozen*; a worker run that has started
  but not ended is drawn growing to now, as a provisional bar;
- a request's phases change until it is over, so they are recomputed each frame,
  with ``derive_phases`` on a small sub-trace of the *open* requests only, and
  drawn after the frozen bars as provisional ones;
- a request is *settled* once the client has its response and the server's events
  are later than that receipt by :data:`SETTLE_NS`: its phases are final, and are
  frozen too.

Resource lanes come first: the loop and the workers of each server process
(live_lanes). Request lanes are numbered ``resources + request - 1`` (ids count from 1, and the
client sends them all). Lanes are added ahead of the highest id sent, doubling up to
the planned count, so the list of lanes (and the labels a view measures for it)
changes a few times a run rather than every frame. Anything that would renumber
lanes or change a frozen bar (a new worker thread once requests have lanes, an
event for a settled request) starts a new *history*: the columns are rebuilt once
and the views index them afresh. :meth:`LiveTimeline.finish` returns exactly
``build_timeline(trace)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict, cast

import numpy as np
import numpy.typing as npt

from server.protocol import HANDLER_END, SERVER_START, Outcome
from visualizer.model import pools
from visualizer.model.live_lanes import LiveResourceLanes
from visualizer.model.phases import IDLE_GAP_NS, PhaseSegments, derive_phases
from visualizer.model.request_routes import planned_lane_label
from visualizer.model.timeline import (
    FAILED_MARK_NS,
    BarKind,
    Lane,
    LaneKind,
    Timeline,
    build_timeline,
    worker_bars,
)
from visualizer.model.trace import RunTrace
from visualizer.model.worker_runs import unfinished

I64 = npt.NDArray[np.int64]

#: A done request's phases are final once the server's clock is this far past its receipt.
SETTLE_NS = 500_000_000
#: Bars to reserve room for, per planned request: 14 in an async_sleep run.
BARS_PER_REQUEST = 16
#: Request lanes made ahead of need each frame: enough for 30,000 requests a second.
LANES_MADE_PER_FRAME = 1_000
#: Bars of the columns: (name, dtype).
_COLUMNS = (
    ("lane", np.int32),
    ("start", np.int64),
    ("end", np.int64),
    ("kind", np.int8),
    ("request", np.int64),
    ("cpu", np.int64),
    # What a worker run ran (an index into the run's labels), -1 for any other bar: a
    # run growing live is named on its bar as the finished run's is.
    ("func", np.int64),
)


class Columns(TypedDict):
    """A Timeline's bar columns, as BarColumns holds them."""

    lane: npt.NDArray[np.int32]
    start: I64
    end: I64
    kind: npt.NDArray[np.int8]
    request: I64
    cpu: I64
    func: I64


@dataclass(frozen=True)
class GrowingTimeline(Timeline):
    """A live run's Timeline. Its first ``frozen`` bars stay as they are in every later
    GrowingTimeline of the same ``history``, so a view may index only the new ones.

    The bars after ``frozen`` are provisional and share memory with the next frame:
    read them before the next update. ``phases`` is empty while live.
    """

    frozen: int = 0
    history: object = None


class BarColumns:
    """Bar columns that grow by doubling, so an append costs what it appends."""

    def __init__(self, expected: int) -> None:
        self.size = 0
        # Sized for the run up front: np.empty only reserves address space, the pages are
        # taken as bars arrive, and a doubling late in a big run (a copy of every column,
        # tens of ms) is avoided.
        self.data: dict[str, npt.NDArray[Any]] = {
            name: np.empty(max(expected, 1024), dtype) for name, dtype in _COLUMNS
        }

    def put(self, at: int, bars: dict[str, Any]) -> int:
        """Write ``bars`` from row ``at``; returns the row after them."""
        count = len(bars["start"])
        need = at + count
        if need > len(self.data["start"]):
            grown = max(need, 2 * len(self.data["start"]))
            for name, old in self.data.items():
                new = np.empty(grown, old.dtype)
                new[:at] = old[:at]
                self.data[name] = new
        for name, _ in _COLUMNS:
            self.data[name][at:need] = bars[name]
        return need

    def first(self, size: int) -> Columns:
        """The first ``size`` bars, as a Timeline's columns (views, not copies)."""
        return cast(Columns, {name: column[:size] for name, column in self.data.items()})


class LiveTimeline:
    """Turns a growing RunTrace into a GrowingTimeline each frame; see the module doc."""

    def __init__(self, trace: RunTrace) -> None:
        self.trace = trace
        #: How many times the columns were rebuilt (new histories after the first).
        self.rebuilds = -1
        self._made: list[Lane] = []
        self._shown = 0
        self._restart()

    def _restart(self) -> None:
        self.rebuilds += 1
        self.history = object()
        self._bars = BarColumns(self.trace.settings.requests * BARS_PER_REQUEST)
        self._read = dict.fromkeys(("sent", "done", "loop", "worker", "worker_start", "stamp"), 0)
        #: Each process's loop and workers (one process unless ``--workers``).
        self._resources = LiveResourceLanes(self.trace.settings.workers)
        self._max_request = 0
        self._settled: set[int] = set()
        self._open = {name: getattr(self.trace, name).rows[:0] for name in self._read}
        #: Every loop slice (any request's, the server's own) an open request may need to
        #: tell when the loop last sat idle before the server read it (phases.py).
        self._loop_activity = self.trace.loop.rows[:0]
        self._server_now = 0
        self._span_seen = 0
        self._frozen_end = 0  # the latest end of a frozen bar: the span without an O(n) max
        self._going = self.trace.worker_start.rows[:0]  # runs started, not ended
        self._gc_read = 0
        #: Collector pauses on a thread that has no lane yet (no run of it has come).
        self._gc_waiting = self.trace.gc.rows[:0]

    # -- one frame --------------------------------------------------------------------

    def update(self, now: int) -> GrowingTimeline:
        """The Timeline so far, open intervals ending at ``now`` (perf_counter ns)."""
        self.absorb()
        frozen = self._bars.size
        size = self._bars.put(frozen, self._phase_bars(self._open, now))
        size = self._bars.put(size, self._growing_runs(now))
        return self._timeline(frozen, size, now)

    def absorb(self) -> None:
        """Take in the rows that arrived since the last call: freeze what is final.

        :meth:`update` does this first; a caller may do it apart, a step before, so
        that neither half holds its thread as long as both (the GUI's live frame).
        """
        new = {name: getattr(self.trace, name).since(self._read[name]) for name in self._read}
        pauses = self.trace.gc.since(self._gc_read)
        if not any(len(rows) for rows in new.values()) and len(pauses) == 0:
            return  # what settles and what is forgotten moves only with new rows
        if not self._fits(new):
            self._restart()
            new = {name: getattr(self.trace, name).rows for name in self._read}
            pauses = self.trace.gc.rows
        for name, rows in new.items():
            self._read[name] += len(rows)
        self._gc_read += len(pauses)
        self._freeze_events(new)
        self._freeze_pauses(pauses)
        self._gather_open(new)
        self._loop_activity = np.concatenate([self._loop_activity, new["loop"]])
        self._settle()
        self._forget_old_loop_activity()

    def _fits(self, new: dict[str, Any]) -> bool:
        """Whether the new rows can be appended without renumbering or unfreezing bars."""
        threads = np.unique(
            np.concatenate([new["worker"]["thread"], new["worker_start"]["thread"]])
        ).tolist()
        processes = np.unique(new["loop"]["process"]).tolist()
        if self._resources.is_new(threads, processes) and (
            # A new worker lane moves every request lane down, and with several server
            # processes the lanes of the processes after its own.
            self._max_request > 0 or self._resources.would_move(threads, processes)
        ):
            return False
        touched = np.concatenate(
            [new[name]["request"] for name in ("loop", "worker", "worker_start", "stamp")]
        )
        return not any(int(r) in self._settled for r in np.unique(touched).tolist())

    def _freeze_events(self, new: dict[str, Any]) -> None:
        loop, worker, done = new["loop"], new["worker"], new["done"]
        # A worker's lane is made when its first run starts, not when that run ends.
        starts = new["worker_start"]
        # Lanes in order of first use, as build_timeline numbers them: a process pool's
        # run is known only once it ends, so its rows come in the order of their ends.
        began = np.concatenate([starts["start"], worker["start"]])
        order = np.argsort(began, kind="stable")
        self._resources.add(
            np.concatenate([starts["thread"], worker["thread"]])[order].tolist(),
            np.concatenate([starts["pool"], worker["pool"]])[order].tolist(),
            np.unique(loop["process"]).tolist(),
        )
        # The server's events of a request can arrive before the client's word that it
        # was sent (the two ship on their own clocks): its lane must exist all the same.
        seen = [
            new[name]["request"] for name in ("sent", "loop", "worker", "worker_start", "stamp")
        ]
        highest = max((int(ids.max()) for ids in seen if len(ids)), default=0)
        self._max_request = max(self._max_request, highest)
        if len(loop):
            self._server_now = max(self._server_now, int(loop["end"].max()))
        # Ended runs, cut where their client gave up, if it has by now.
        runs = worker_bars(self.trace, worker, worker[:0], 0, BarKind.RUNNING)
        failed = done[done["outcome"] != Outcome.OK]
        fail_end = failed["received"].astype(np.int64)
        t0 = self.trace.t0
        bars = {
            "lane": np.concatenate(
                [
                    self._resources.loop_lane(loop["process"]),
                    self._resources.worker_lane(runs["thread"]),
                    self._request_lane(failed["request"]),
                ]
            ),
            "start": np.concatenate(
                [
                    loop["start"],
                    runs["start"],
                    np.maximum(fail_end - FAILED_MARK_NS, failed["sent"]),
                ]
            )
            - t0,
            "end": np.concatenate([loop["end"], runs["end"], fail_end]) - t0,
            "kind": np.concatenate(
                [
                    np.where(loop["request"] > 0, BarKind.RUNNING, BarKind.SERVER),
                    runs["kind"],
                    np.full(len(failed), BarKind.FAILED),
                ]
            ),
            "request": np.concatenate([loop["request"], runs["request"], failed["request"]]),
            "cpu": np.concatenate([np.full(len(loop), -1), runs["cpu"], np.full(len(failed), -1)]),
            "func": np.concatenate(
                [np.full(len(loop), -1), runs["func"], np.full(len(failed), -1)]
            ),
        }
        self._bars.size = self._bars.put(self._bars.size, bars)

    def _freeze_pauses(self, pauses: npt.NDArray[Any]) -> None:
        """The collector's pauses, on the loop's lane or their worker's, as build_timeline
        draws them; one on a thread with no lane yet waits until a run of it comes."""
        pauses = np.concatenate([self._gc_waiting, pauses])
        keys = pauses["lane"].tolist()
        lane = np.array([self._resources.pause_lane(key) for key in keys], np.int32)
        self._gc_waiting = pauses[lane < 0]
        placed, lane = pauses[lane >= 0], lane[lane >= 0]
        if len(placed) == 0:
            return
        bars = {
            "lane": lane,
            "start": placed["start"] - self.trace.t0,
            "end": placed["end"] - self.trace.t0,
            "kind": np.full(len(placed), BarKind.GC),
            "request": np.zeros(len(placed), np.int64),
            "cpu": np.full(len(placed), -1),
            "func": np.full(len(placed), -1),
        }
        self._bars.size = self._bars.put(self._bars.size, bars)

    def _growing_runs(self, now: int) -> dict[str, Any]:
        """Worker runs that started and have not ended, drawn from their start to now."""
        sub = RunTrace(self.trace.settings, t0=self.trace.t0)
        sub.worker_start.extend(self._going)
        sub.done.extend(self._open["done"])
        bars = worker_bars(sub, sub.worker.rows, self._going, now, BarKind.RUNNING)
        return {
            "lane": self._resources.worker_lane(bars["thread"]),
            "start": bars["start"] - self.trace.t0,
            "end": bars["end"] - self.trace.t0,
            "kind": bars["kind"],
            "request": bars["request"],
            "cpu": bars["cpu"],
            "func": bars["func"],
        }

    def _gather_open(self, new: dict[str, Any]) -> None:
        # Starts of runs of any request (also of none) until their end arrives.
        going = RunTrace(self.trace.settings)
        going.worker_start.extend(np.concatenate([self._going, new["worker_start"]]))
        going.worker.extend(new["worker"])
        self._going = unfinished(going)
        for name, rows in new.items():
            rows = rows[rows["request"] > 0]
            if len(rows):
                self._open[name] = np.concatenate([self._open[name], rows])

    def _settle(self) -> None:
        """Freeze the phases of requests that are over, and forget their rows."""
        done = self._open["done"]
        ready = done["request"][done["received"] <= self._server_now - SETTLE_NS]
        # A handler still running after its client gave up keeps its request open.
        ready = ready[~np.isin(ready, self._busy())]
        if len(ready) == 0:
            return
        settling = {
            name: rows[np.isin(rows["request"], ready)] for name, rows in self._open.items()
        }
        self._open = {
            name: rows[~np.isin(rows["request"], ready)] for name, rows in self._open.items()
        }
        # No clipping: a settled request's phases end before anything later in the run.
        self._bars.size = self._bars.put(
            self._bars.size, self._phase_bars(settling, np.iinfo(np.int64).max // 2)
        )
        self._settled.update(ready.tolist())

    def _forget_old_loop_activity(self) -> None:
        """Keep the slices that end after the earliest open request was sent, and the last.

        Also the last :data:`SETTLE_NS` of the server's: the client's ``sent`` rows come
        in batches, after server events of the same moment may have arrived.
        """
        sent = self._open["sent"]["sent"]
        since = self._server_now - SETTLE_NS
        if len(sent):
            since = min(since, int(sent.min()) - IDLE_GAP_NS)
        ends = self._loop_activity["end"]
        keep = ends >= since
        if len(ends):
            keep[-1] = True
        self._loop_activity = self._loop_activity[keep]

    def _busy(self) -> npt.NDArray[np.int64]:
        """Open requests whose handler is still running: on a worker, or not yet ended."""
        stamp = self._open["stamp"]
        began = stamp["request"][stamp["kind"] == SERVER_START]
        ended = stamp["request"][stamp["kind"] == HANDLER_END]
        going = began[~np.isin(began, ended)] if self.trace.handler_ends else began[:0]
        return np.concatenate([going, self._going["request"]]).astype(np.int64)

    def _phase_bars(self, tables: dict[str, Any], now: int) -> dict[str, Any]:
        sub = RunTrace(self.trace.settings, t0=self.trace.t0, handler_ends=self.trace.handler_ends)
        for name, rows in tables.items():
            getattr(sub, name).extend(rows)
        phases = derive_phases(sub, now, loop_activity=self._loop_activity)
        return {
            "lane": self._request_lane(phases.request),
            "start": phases.start - self.trace.t0,
            "end": phases.end - self.trace.t0,
            "kind": phases.phase,
            "request": phases.request,
            "cpu": np.full(len(phases), -1),
            "func": np.full(len(phases), -1),
        }

    def _request_lane(self, request: I64) -> npt.NDArray[np.int32]:
        return (self._resources.resources - 1 + request).astype(np.int32)

    def _timeline(self, frozen: int, size: int, now: int) -> GrowingTimeline:
        data = self._bars.data
        workers = self._resources.resources - 1
        # While live, worker lanes come in order of first use within their process; the
        # final timeline groups them by pool. Each is named by its pool from the start.
        lanes = self._resources.lanes(self.trace)
        lanes += self._request_lanes()
        self._frozen_end = max(self._frozen_end, _latest(data["end"][self._span_seen : frozen]))
        self._span_seen = frozen
        span = max(self._frozen_end, _latest(data["end"][frozen:size]))
        empty = np.empty(0, np.int64)
        return GrowingTimeline(
            lanes=lanes,
            phases=PhaseSegments(empty, empty, empty, np.empty(0, np.int8)),
            span=max(span, now - self.trace.t0),
            worker_count=workers,
            frozen=frozen,
            history=self.history,
            labels=self.trace.labels,
            pools=pools.sized(self.trace.pools, self.trace.settings.pool),
            **self._bars.first(size),
        )

    def _request_lanes(self) -> list[Lane]:
        """Lanes of requests 1..n, n the highest id sent, grown by doubling up to the plan
        (a recording's: up to the highest id that arrived).

        The Lane objects are made a slice a frame ahead of need (thousands at once take
        tens of ms), and shown in doubling steps (each step makes a view re-measure its
        labels).
        """
        # A recording plans nothing: its lanes are the requests that arrived.
        expected = 0 if self.trace.settings.passive else self.trace.settings.requests
        planned = max(expected, self._max_request)
        ahead = min(len(self._made) + LANES_MADE_PER_FRAME, planned)
        for request in range(len(self._made) + 1, max(ahead, self._max_request) + 1):
            label = planned_lane_label(self.trace, request)
            self._made.append(Lane(LaneKind.REQUEST, label, request))
        if self._max_request > self._shown:
            self._shown = min(max(2 * self._shown, self._max_request, 64), planned)
        return self._made[: self._shown]

    # -- the end ------------------------------------------------------------------------

    def finish(self) -> Timeline:
        """The run's final Timeline: exactly what ``build_timeline(trace)`` returns."""
        return build_timeline(self.trace)


def _latest(ends: npt.NDArray[Any]) -> int:
    return int(ends.max()) if len(ends) else 0
