"""Timeline: lanes and bars, ready to draw, derived from a RunTrace.

Resource lanes come first: the event loop, then one lane per threadpool worker,
numbered in the order the run first used them. Then one lane per request, in id
order, showing its phases. Bars are columns of numpy arrays (lane, start, end,
kind, request), times in nanoseconds from the start of the run, so a million bars
cost tens of megabytes, not gigabytes of Python objects.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from server.protocol import Outcome
from visualizer.model import pools
from visualizer.model.gc_pauses import LOOP_LANE
from visualizer.model.phases import Phase, PhaseSegments, derive_phases
from visualizer.model.processes import fold_one, process_label
from visualizer.model.request_routes import request_lane_labels
from visualizer.model.trace import ANYIO, Pool, RunTrace, sorted_rows
from visualizer.model.worker_runs import gave_up_at, trace_end, unfinished

I64 = npt.NDArray[np.int64]


class BarKind(enum.IntEnum):
    """What a bar shows, and so its colour. The request phases come first."""

    QUEUED = Phase.QUEUED
    WAITING = Phase.WAITING
    RUNNING = Phase.RUNNING
    AWAITING = Phase.AWAITING
    SERVER = 4  # a loop slice that ran for no request: sockets, timers, uvicorn itself
    FAILED = 5  # the end of a request that failed
    GC = 6  # a pause of the garbage collector, on the lane of the thread that ran it
    SENDING = Phase.SENDING  # client-side: sent, not yet read by the server's app
    RECEIVING = Phase.RECEIVING  # client-side: the response written, not yet read by the client
    ABANDONED = Phase.ABANDONED  # work the server still did after the client gave up
    UNFINISHED = 10  # a worker run still going when the trace ended: its end is unknown


class LaneKind(enum.Enum):
    LOOP = "loop"
    WORKER = "worker"
    REQUEST = "request"


class Lane(msgspec.Struct, frozen=True, gc=False):
    """One row of the timeline.

    A run of 20,000 requests has 20,000 lanes: as objects the cyclic collector tracks
    they made each open of such a file push it into a full collection of the whole
    process (70-100 ms holding Python's lock: the window froze). These it never
    tracks (they hold no cycles), and they are made 4x faster than a frozen dataclass.
    """

    kind: LaneKind
    label: str
    #: The request id of a request lane, the worker number of a worker lane, the server
    #: process (0 unless there are several) of a loop lane.
    key: int
    #: The pool of a worker lane (AnyIO's is 0).
    pool: int = 0
    #: The thread of a worker lane as the server numbered it (a process pool's: the pid);
    #: what the server's samples of a worker run name it by.
    thread: int = 0


@dataclass(frozen=True)
class RequestRow:
    """One request as the client saw it, times from the start of the run."""

    request: int
    sent: int
    received: int  # -1 while in flight
    status: int
    outcome: Outcome | None  # None while in flight

    @property
    def latency(self) -> int:
        return self.received - self.sent if self.received >= 0 else -1


@dataclass(frozen=True)
class Timeline:
    lanes: list[Lane]
    lane: npt.NDArray[np.int32]
    start: I64
    end: I64
    kind: npt.NDArray[np.int8]
    request: I64
    #: Worker CPU time of each bar (ns), -1 where it does not apply.
    cpu: I64
    phases: PhaseSegments
    #: The end of the drawn time span: the last receipt, or "now" while live.
    span: int
    worker_count: int
    #: A worker run's time waiting for a core (ns), -1 where unknown or not a worker's.
    core_wait: I64 = field(default_factory=lambda: np.empty(0, np.int64))
    #: What a worker run ran (an index into ``labels``), -1 where it does not apply.
    func: I64 = field(default_factory=lambda: np.empty(0, np.int64))
    #: The server's labels, which ``func`` indexes.
    labels: list[str] = field(default_factory=list)
    #: The pools that ran work, with the capacity each had in the run (AnyIO's is the
    #: run's P), and each one's worker lanes: (first lane, count).
    pools: dict[int, Pool] = field(default_factory=dict)
    pool_lanes: dict[int, tuple[int, int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.lane)

    def lane_of_request(self, request: int) -> int:
        return 1 + self.worker_count + self._request_index(request)

    def _request_index(self, request: int) -> int:
        first = self.worker_count + 1
        return int(np.searchsorted([ln.key for ln in self.lanes[first:]], request))


def build_timeline(trace: RunTrace, now: int | None = None) -> Timeline:
    """Every measured event of ``trace`` as a bar on its lane."""
    t0 = trace.t0
    # A collector's pause is drawn over the slice it happened in (GC after RUNNING).
    loop = sorted_rows(trace.loop.rows, "start")
    phases = derive_phases(trace, now)
    end_of_trace = now if now is not None else trace_end(trace)
    # A run still going is drawn growing to now while live; once the trace has ended,
    # to its end, as unfinished.
    going = BarKind.RUNNING if now is not None else BarKind.UNFINISHED
    runs = worker_bars(trace, trace.worker.rows, unfinished(trace), end_of_trace, going)
    order = np.lexsort((runs["end"], runs["start"]))
    runs = {name: column[order] for name, column in runs.items()}

    run_keys = pools.worker_keys(runs["pool"], runs["thread"])
    keys, first_use = np.unique(run_keys, return_index=True)
    # Lane order: grouped by server process (its loop first), then by pool, each
    # group in order of first use in the run.
    worker_keys = pools.grouped(keys[np.argsort(first_use)].tolist())
    layout = process_lanes(trace, loop, worker_keys)
    worker_lane = np.empty(len(run_keys), np.int32)
    for number, key in zip(layout.worker_lanes, worker_keys, strict=True):
        worker_lane[run_keys == key] = number

    requests = np.unique(trace.sent.rows["request"])
    first_request_lane = layout.resources
    phase_lane = (first_request_lane + np.searchsorted(requests, phases.request)).astype(np.int32)

    failed = _failed_marks(trace)
    failed_lane = (first_request_lane + np.searchsorted(requests, failed[0])).astype(np.int32)

    # A pause on the loop's thread goes on the loop's lane, one on worker k's on its
    # lane if the run used that worker; pauses in other threads are not drawn.
    pauses = trace.gc.rows
    lane_of_thread = {
        pools.thread_of_key(key): number
        for number, key in zip(layout.worker_lanes, worker_keys, strict=True)
        if trace.pools.get(pools.pool_of_key(key), ANYIO).kind != "process"
    }
    for process, number in enumerate(layout.loop_lanes):
        lane_of_thread[int(fold_one(process, LOOP_LANE))] = number
    gc_lane = np.array([lane_of_thread.get(int(k), -1) for k in pauses["lane"]], np.int32)
    pauses, gc_lane = pauses[gc_lane >= 0], gc_lane[gc_lane >= 0]

    loop_lane = np.asarray(layout.loop_lanes, np.int32)[loop["process"]]
    lane = np.concatenate([loop_lane, worker_lane, phase_lane, failed_lane, gc_lane])
    start = (
        np.concatenate([loop["start"], runs["start"], phases.start, failed[1], pauses["start"]])
        - t0
    )
    end = np.concatenate([loop["end"], runs["end"], phases.end, failed[2], pauses["end"]]) - t0
    kind = np.concatenate(
        [
            np.where(loop["request"] > 0, BarKind.RUNNING, BarKind.SERVER).astype(np.int8),
            runs["kind"],
            phases.phase.astype(np.int8),
            np.full(len(failed[0]), BarKind.FAILED, np.int8),
            np.full(len(pauses), BarKind.GC, np.int8),
        ]
    )
    request = np.concatenate(
        [loop["request"], runs["request"], phases.request, failed[0], np.zeros(len(pauses))]
    ).astype(np.int64)
    others = np.full(len(phases) + len(failed[0]) + len(pauses), -1, np.int64)
    no_loop = np.full(len(loop), -1, np.int64)
    lanes = resource_lanes(trace, layout, worker_keys)
    # Python ints (tolist), not numpy scalars: 20,000 int() calls cost 15 ms.
    ids = requests.tolist()
    lanes += [
        Lane(LaneKind.REQUEST, label, r)
        for r, label in zip(ids, request_lane_labels(trace, ids), strict=True)
    ]
    span = int(end.max()) if len(end) else 0
    if now is not None:
        span = max(span, now - t0)
    return Timeline(
        lanes=lanes,
        lane=lane,
        start=start,
        end=end,
        kind=kind,
        request=request,
        cpu=np.concatenate([no_loop, runs["cpu"], others]),
        phases=phases,
        span=span,
        worker_count=layout.resources - 1,
        core_wait=np.concatenate([no_loop, runs["core_wait"], others]),
        func=np.concatenate([no_loop, runs["func"], others]),
        labels=trace.labels,
        pools=pools.sized(trace.pools, trace.settings.pool),
        pool_lanes=pools.pool_lane_ranges(worker_keys, layout.worker_lanes),
    )


@dataclass(frozen=True)
class ProcessLanes:
    """Where each server process's lanes go: its loop's lane, then its workers' lanes."""

    loop_lanes: list[int]
    #: The lane of each worker key, in the order given.
    worker_lanes: list[int]

    @property
    def resources(self) -> int:
        """How many lanes the loops and workers take: the first request's lane."""
        return len(self.loop_lanes) + len(self.worker_lanes)


def process_lanes(trace: RunTrace, loop: npt.NDArray[Any], worker_keys: list[int]) -> ProcessLanes:
    """Each process's loop lane followed by its worker lanes (keys grouped by process).

    One process: the loop on lane 0 and the workers on 1..n, as ever.
    """
    # A run of N processes has N loops from the start, before each has run anything.
    seen = [len(trace.processes), trace.settings.workers, 1]
    if len(loop):
        seen.append(int(loop["process"].max()) + 1)
    if worker_keys:
        seen.append(pools.process_of_key(worker_keys[-1]) + 1)
    loop_lanes: list[int] = []
    worker_lanes: list[int] = []
    lane = 0
    keys = iter(worker_keys)
    key = next(keys, None)
    for process in range(max(seen)):
        loop_lanes.append(lane)
        lane += 1
        while key is not None and pools.process_of_key(key) == process:
            worker_lanes.append(lane)
            lane += 1
            key = next(keys, None)
    return ProcessLanes(loop_lanes, worker_lanes)


def resource_lanes(trace: RunTrace, layout: ProcessLanes, worker_keys: list[int]) -> list[Lane]:
    """The loop and worker lanes in ``layout``'s order; with several server processes
    each loop is named by its process (its workers follow it)."""
    lanes: list[Lane] = []
    count = len(layout.loop_lanes)
    labels = pools.lane_labels(worker_keys, trace.pools)
    for process in range(count):
        # "server 2", without its pid: the label column has no room for more on a
        # projector (the story and the trace file name each process's pid).
        heading = process_label(process, count, 0)
        loop_label = f"{heading}: event loop" if heading else "event loop"
        lanes.append(Lane(LaneKind.LOOP, loop_label, process))
        for number, key, label in zip(layout.worker_lanes, worker_keys, labels, strict=True):
            if pools.process_of_key(key) == process:
                lanes.append(
                    Lane(
                        LaneKind.WORKER,
                        label,
                        number,
                        pools.pool_of_key(key),
                        pools.thread_of_key(key),
                    )
                )
    return lanes


def worker_bars(
    trace: RunTrace,
    ended: npt.NDArray[Any],
    going: npt.NDArray[Any],
    now: int,
    going_kind: BarKind,
) -> dict[str, npt.NDArray[Any]]:
    """Bars of worker runs, by thread: ``ended`` ones as measured, ``going`` ones (starts
    without an end) up to ``now``. The part of a run after its client gave up is
    abandoned; of a going run, that part (or the whole run if its client never gave up)
    is ``going_kind``: running while live, unfinished once the trace has ended.

    Columns: thread, start, end, kind, request, cpu, core_wait, pool, func; times as measured.
    """
    count = len(ended) + len(going)
    none = np.full(len(going), -1, np.int64)
    thread = np.concatenate([ended["thread"], going["thread"]]).astype(np.int64)
    start = np.concatenate([ended["start"], going["start"]]).astype(np.int64)
    end = np.concatenate([ended["end"], np.full(len(going), now, np.int64)])
    request = np.concatenate([ended["request"], going["request"]]).astype(np.int64)
    is_going = np.arange(count) >= len(ended)
    cpu = np.concatenate([ended["cpu"], none]).astype(np.int64)
    core_wait = np.concatenate([ended["core_wait"], none]).astype(np.int64)
    pool = np.concatenate([ended["pool"], going["pool"]]).astype(np.int64)
    func = np.concatenate([ended["func"], going["func"]]).astype(np.int64)
    left = np.clip(gave_up_at(trace, request), start, end)
    late = (request > 0) & (left < end)
    kind = np.where(is_going & ~late, going_kind, BarKind.RUNNING).astype(np.int8)
    still = going_kind if going_kind != BarKind.RUNNING else BarKind.ABANDONED
    late_kind = np.where(is_going, still, BarKind.ABANDONED).astype(np.int8)
    # The abandoned piece of each such run; the run itself is cut where the client left.
    piece = {
        "thread": thread[late],
        "start": left[late],
        "end": end[late],
        "kind": late_kind[late],
        "request": request[late],
        "cpu": cpu[late],
        "core_wait": core_wait[late],
        "pool": pool[late],
        "func": func[late],
    }
    end = np.where(late, left, end)
    runs = {
        "thread": thread,
        "start": start,
        "end": end,
        "kind": kind,
        "request": request,
        "cpu": cpu,
        "core_wait": core_wait,
        "pool": pool,
        "func": func,
    }
    whole = {name: np.concatenate([column, piece[name]]) for name, column in runs.items()}
    real = whole["end"] > whole["start"]
    return {name: column[real] for name, column in whole.items()}


def request_rows(trace: RunTrace) -> list[RequestRow]:
    """Every request sent, with its final state where it has one."""
    t0 = trace.t0
    done = {int(row["request"]): row for row in trace.done.rows}
    rows = []
    for request, sent in sorted(trace.sent.rows.tolist()):
        row = done.get(request)
        if row is None:
            rows.append(RequestRow(request, sent - t0, -1, 0, None))
        else:
            outcome = Outcome(int(row["outcome"]))
            rows.append(
                RequestRow(
                    request, sent - t0, int(row["received"]) - t0, int(row["status"]), outcome
                )
            )
    return rows


#: How wide the failure mark at the end of a failed request is.
FAILED_MARK_NS = 2_000_000


def _failed_marks(trace: RunTrace) -> tuple[I64, I64, I64]:
    """A short bar in the failed colour ending where the client gave up or got the error."""
    done = trace.done.rows
    failed = done[done["outcome"] != Outcome.OK]
    end = failed["received"].astype(np.int64)
    start = np.maximum(end - FAILED_MARK_NS, failed["sent"])
    return failed["request"].astype(np.int64), start, end
