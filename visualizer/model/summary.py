"""RunSummary: the figures of a run, computed from its trace and timeline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from server.protocol import RESPONSE_END, SERVER_START, Outcome
from visualizer.model.gc_pauses import LOOP_LANE, loop_pauses, loop_slices_held
from visualizer.model.held_at import held_places
from visualizer.model.loop_blocks import blockers_like_it, telling_block
from visualizer.model.phases import Phase
from visualizer.model.process_spread import Spread, spread_of
from visualizer.model.processes import fold_one, process_of, request_processes
from visualizer.model.request_routes import names_routes, routes_of
from visualizer.model.timeline import BarKind, LaneKind, Timeline
from visualizer.model.trace import ANYIO, RunTrace
from visualizer.model.worker_runs import (
    after_response,
    pending_dispatches,
    trace_end,
    unfinished,
)


@dataclass(frozen=True)
class LoopBlock:
    """The first of the run's longest loop slices, and what it held up (see loop_blocks)."""

    request: int | None  # None when the slice ran for no request
    start_ms: float
    duration_ms: float
    #: Other requests that were waiting for at least half of the block: the orange
    #: bars drawn beside it.
    waited_behind: int
    #: Other requests that were waiting for a shorter part of it, at its start or its
    #: end (a timer that fell due while the loop was held, say).
    held_up_briefly: int = 0
    #: Requests that blocked the loop about as long (this one included), and the
    #: shortest and longest of their blocks.
    blockers: int = 1
    blockers_ms: tuple[float, float] = (0.0, 0.0)
    #: The route of the request that held the loop, where the run names routes.
    route: str = ""
    #: Where it was held: ```time.sleep(0.2)` in get_order (routes.py:42)``, if sampled.
    held_at: str = ""
    #: The run's longest block itself, what the figures give (the story tells the first
    #: block at least half as long, the one the queue waited behind: loop_blocks.py).
    longest_ms: float = 0.0
    longest_request: int | None = None

    def longest_words(self) -> str:
        """``31.9 ms, request 2``, and ``, one of 5 blocks of 30 to 32 ms`` where several
        requests blocked it about as long: the story may tell another of them (the one
        the queue waited behind), and the figures must not seem to contradict it."""
        words = f"{self.longest_ms:,.1f} ms, request {self.longest_request or '-'}"
        if self.blockers > 1:
            low, high = self.blockers_ms
            words += f", one of {self.blockers} blocks of {low:,.0f} to {high:,.0f} ms"
        return words


@dataclass(frozen=True)
class PoolUse:
    """A pool other than AnyIO's: what it is, how big, and how much the run used it."""

    name: str
    kind: str
    capacity: int
    runs: int
    lanes: int
    #: What its runs ran, most frequent first.
    funcs: list[str] = field(default_factory=list)
    #: Its runs' time on a CPU and from start to end, and the most running at once.
    cpu_ms: float = 0.0
    wall_ms: float = 0.0
    busy_peak: int = 0
    #: Runs that found every thread (or process) of it taken, and the longest of those waits.
    waited: int = 0
    wait_max_ms: float = 0.0
    #: Its runs' time waiting for a core (the kernel's count), None where unknown.
    core_wait_ms: float | None = None


@dataclass(frozen=True)
class AfterResponse:
    """Work the pools ran for requests after their response had gone: background tasks.
    No client waits for it, but it holds a worker like any other trip."""

    runs: int
    #: What they ran, most frequent first.
    funcs: list[str]
    wall_ms: float
    #: Those that found every worker of their pool taken, and the longest of those waits.
    waited: int
    wait_max_ms: float
    #: How long after the last response the last of them ended (0 if before it).
    past_last_response_ms: float


@dataclass(frozen=True)
class Trips:
    """The trips to AnyIO's pool the most common kind of request made, in order."""

    per_request: int
    funcs: list[str]
    requests: int  # how many requests made exactly these trips
    #: The route those requests went to, where the run names routes.
    route: str = ""


@dataclass(frozen=True)
class RunSummary:
    planned: int
    requests: int  # sent
    ok: int
    failed: int
    cancelled: int
    failures: dict[str, int]
    makespan_ms: float  # from the start to the last receipt or the last handler, if later
    latency_ms: dict[str, float]
    longest_loop_block: LoopBlock | None
    loop_busy_ms: float  # time the loop spent running handlers, not server I/O
    workers_used: int
    pool_size: int
    #: Requests that found every worker of the pool taken before their response went
    #: (what waited after it, a background task, is in ``after_response``).
    pool_waited: int
    pool_wait_max_ms: float
    worker_wall_ms: float
    worker_cpu_ms: float
    peak_in_server: int  # the most requests the server had between start and response end
    ended: str
    settings: dict[str, Any] = field(default_factory=dict)
    #: Requests from elsewhere that reached the server during the run (not drawn).
    foreign_requests: int = 0
    #: Pauses of the garbage collector in any thread, their time on the loop's thread,
    #: and the longest; never counted as a request's time.
    gc_pauses: int = 0
    gc_loop_ms: float = 0.0
    gc_longest_ms: float = 0.0
    #: Worker wall time spent runnable but waiting for a core (the kernel's schedstat),
    #: over the runs where the OS gives it; None where it gives it for none.
    worker_core_wait_ms: float | None = None
    #: The most worker runs going at once: one alone has nobody to share the GIL with.
    workers_busy_peak: int = 0
    #: Requests the client gave up on whose handler ran on after that, and for how long
    #: in all; handlers still running when the trace ended.
    abandoned: int = 0
    abandoned_ms: float = 0.0
    unfinished: int = 0
    #: Failures by route and reason ({"GET /items/{item_id}": {"HTTP 404": 3}}), where
    #: the run names routes (the user's app, mixed).
    failures_by_route: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Requests sent to each route, where the run names routes.
    requests_by_route: dict[str, int] = field(default_factory=dict)
    #: A passive run: what only a client knows (queueing, sending, reading) is unknown.
    passive: bool = False
    #: The pools other than AnyIO's that ran work for requests.
    other_pools: list[PoolUse] = field(default_factory=list)
    #: Each shape of more than one threadpool trip a request made (most requests first).
    trips: list[Trips] = field(default_factory=list)
    #: uvloop is installed where the app ran: it was not used (it cannot be traced).
    uvloop_installed: bool = False
    #: Work run for requests after their response had gone, if any.
    after_response: AfterResponse | None = None
    #: How the load spread over the server processes (``--workers``); None for one.
    spread: Spread | None = None
    #: The Python that ran the server: "Python 3.13.0", "Python 3.13.1, GIL disabled".
    interpreter: str = ""

    @property
    def worker_other_ms(self) -> float:
        """Worker wall time neither on a CPU nor waiting for a core: the GIL or I/O."""
        return max(self.worker_wall_ms - self.worker_cpu_ms - (self.worker_core_wait_ms or 0), 0)

    def workers_of_pool(self, short: bool = False) -> str:
        """``3 of a pool of 40``; with several server processes, each one's of its own
        pool: ``2 and 1 of a pool of 2 in each process``. ``short``: ``3 of 40``."""
        pool = f"{self.pool_size}" if short else f"a pool of {self.pool_size}"
        if self.spread is None:
            return f"{self.workers_used} of {pool}"
        return f"{self.spread.workers_used()} of {pool} in each process"

    def worker_time_split(self) -> str:
        """Workers' wall time split three ways, or two where the OS gives no core wait."""
        core = self.worker_core_wait_ms
        waited = f"waiting for a core {core:,.1f} ms" if core is not None else "core wait unknown"
        other = f"other (GIL or I/O) {self.worker_other_ms:,.1f} ms"
        return f"CPU {self.worker_cpu_ms:,.1f} ms, {waited}, {other}"

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object of the design, with the rest of the figures after it."""
        block = self.longest_loop_block
        data: dict[str, Any] = {
            "requests": self.requests,
            "ok": self.ok,
            "failed": self.failed,
            "makespan_ms": round(self.makespan_ms, 3),
            "latency_ms": {k: round(v, 3) for k, v in self.latency_ms.items()},
            "longest_loop_block_ms": round(block.longest_ms, 3) if block else 0.0,
            "longest_loop_block_request": block.longest_request if block else None,
            "workers_used": self.workers_used,
            "settings": self.settings,
        }
        rest = asdict(self)
        for key in ("requests", "ok", "failed", "makespan_ms", "latency_ms", "settings"):
            rest.pop(key)
        rest.pop("longest_loop_block")
        rest.update(
            cancelled=self.cancelled,
            loop_busy_ms=round(self.loop_busy_ms, 3),
            worker_wall_ms=round(self.worker_wall_ms, 3),
            worker_cpu_ms=round(self.worker_cpu_ms, 3),
            pool_wait_max_ms=round(self.pool_wait_max_ms, 3),
            worker_other_ms=round(self.worker_other_ms, 3),
            longest_loop_block_waited_behind=block.waited_behind if block else 0,
        )
        data.update(rest)
        return data


def summarize(trace: RunTrace, timeline: Timeline) -> RunSummary:
    done = trace.done.rows
    outcomes = done["outcome"]
    latency = (done["received"] - done["sent"]) / 1e6
    percentiles = {}
    if len(latency):
        p50, p95, p99 = np.percentile(latency, [50, 95, 99])
        percentiles = {"p50": p50, "p95": p95, "p99": p99, "max": float(latency.max())}
    else:
        percentiles = dict.fromkeys(("p50", "p95", "p99", "max"), 0.0)
    failures = _failure_reasons(done)
    # When the last request was done with: its receipt, or later, the end of a handler
    # still running for a request whose client had given up (a timeout).
    end_of_trace = trace_end(trace, requests_only=True)
    makespan = (end_of_trace - trace.t0) / 1e6

    every_run = trace.worker.rows
    every_run = every_run[every_run["request"] > 0]
    # AnyIO's pool is the one P sizes: its figures are its runs' alone.
    worker = every_run[every_run["pool"] == ANYIO.id]
    pool = _pool_runs(trace, worker, end_of_trace)
    # A trip after the response (a background task) holds a token, but its request no
    # longer waits for it: it counts for the pool being full, not as the request waiting.
    before_response = ~after_response(trace, pool["request"], pool["dispatched"])
    # Each server process has a pool of P of its own: whether it was full is asked of
    # its runs alone: those of requests its loop ran (a request that never reached a
    # worker has no thread to tell its process by).
    run_process = request_processes(trace.loop.rows, pool["request"])
    full = np.zeros(len(pool), bool)
    for one in np.unique(run_process).tolist():
        mine = run_process == one
        full[mine] = _found_pool_full(pool[mine], trace.settings.pool)
    waited_requests = np.unique(pool["request"][full & before_response])
    # The longest wait for a worker is one of those: a trip that found a token free but
    # took 3 ms to start was handed over, not kept waiting ("0 waited (max 2.9 ms)").
    waits = (pool["start"] - pool["dispatched"])[full & before_response]
    on_lane = (timeline.kind == BarKind.ABANDONED) & (timeline.lane > timeline.worker_count)
    abandoned = timeline.request[on_lane]
    loop, held = loop_slices_held(trace)
    handler_held = held[loop["request"] > 0]
    pauses = trace.gc.rows
    on_loop = loop_pauses(trace)
    named = names_routes(trace)
    routes = routes_of(trace, done["request"].tolist()) if named else {}
    return RunSummary(
        planned=trace.settings.requests,
        requests=len(trace.sent),
        ok=int(np.count_nonzero(outcomes == Outcome.OK)),
        failed=int(np.count_nonzero(outcomes != Outcome.OK)),
        cancelled=int(np.count_nonzero(outcomes == Outcome.CANCELLED)),
        failures=failures,
        makespan_ms=makespan,
        latency_ms={k: float(v) for k, v in percentiles.items()},
        longest_loop_block=_longest_block(trace, loop, held, timeline, named),
        loop_busy_ms=float(handler_held.sum()) / 1e6,
        workers_used=timeline.pool_lanes.get(ANYIO.id, (0, 0))[1],
        pool_size=trace.settings.pool,
        pool_waited=len(waited_requests),
        pool_wait_max_ms=float(waits.max()) / 1e6 if len(waits) else 0.0,
        worker_wall_ms=float((worker["end"] - worker["start"]).sum()) / 1e6,
        worker_cpu_ms=float(worker["cpu"].sum()) / 1e6,
        peak_in_server=_peak_in_server(trace),
        ended=trace.ended,
        settings=trace.settings.to_dict(),
        foreign_requests=trace.foreign_requests,
        gc_pauses=len(pauses),
        gc_loop_ms=float((on_loop["end"] - on_loop["start"]).sum()) / 1e6,
        gc_longest_ms=float((pauses["end"] - pauses["start"]).max()) / 1e6 if len(pauses) else 0.0,
        worker_core_wait_ms=_core_wait_ms(worker),
        workers_busy_peak=_most_at_once(pool["start"], pool["end"]),
        abandoned=len(np.unique(abandoned)),
        abandoned_ms=float((timeline.end[on_lane] - timeline.start[on_lane]).sum()) / 1e6,
        unfinished=int(np.count_nonzero(timeline.kind == BarKind.UNFINISHED)),
        failures_by_route=_failures_by_route(done, routes),
        requests_by_route=_count_values(routes.values()),
        passive=trace.settings.passive,
        other_pools=_other_pools(trace, every_run, timeline),
        trips=_trips(trace, every_run),
        uvloop_installed="uvloop" in trace.versions.get("loop", ""),
        after_response=_work_after_response(trace, every_run),
        spread=_with_pools(spread_of(trace), pool, run_process, full, timeline),
        interpreter=interpreter_of(trace.versions),
    )


def interpreter_of(versions: dict[str, str]) -> str:
    """The server's Python in a few words, with its GIL where a free-threaded build ran
    it; "" for a trace that does not say."""
    version = versions.get("python", "")
    if not version:
        return ""
    free = versions.get("build") == "free-threaded"
    gil = (
        f", GIL {versions.get('gil', 'enabled')}"
        if free or versions.get("gil") == "disabled"
        else ""
    )
    return f"Python {version}{' free-threaded' if free else ''}{gil}"


def _with_pools(
    spread: Spread | None,
    pool: np.ndarray,
    run_process: np.ndarray,
    full: np.ndarray,
    timeline: Timeline,
) -> Spread | None:
    """The spread with each process's own AnyIO pool figures: workers, waits, longest wait."""
    if spread is None:
        return None
    lanes = [
        process_of(lane.thread)
        for lane in timeline.lanes[1 : 1 + timeline.worker_count]
        if lane.kind is LaneKind.WORKER and lane.pool == ANYIO.id
    ]
    shares = []
    for share in spread.shares:
        mine = run_process == share.index
        waits = (pool["start"] - pool["dispatched"])[mine & full]
        shares.append(
            replace(
                share,
                workers_used=lanes.count(share.index),
                pool_waited=len(np.unique(pool["request"][mine & full])),
                pool_wait_max_ms=float(waits.max()) / 1e6 if len(waits) else 0.0,
            )
        )
    return replace(spread, shares=shares)


def _other_pools(trace: RunTrace, runs: np.ndarray, timeline: Timeline) -> list[PoolUse]:
    """Each pool but AnyIO's that ran work for the run's requests."""
    used = []
    for pool in sorted(trace.pools.values(), key=lambda pool: pool.id):
        mine = runs[runs["pool"] == pool.id]
        if pool.id == ANYIO.id or len(mine) == 0:
            continue
        full = _found_pool_full(mine, pool.capacity) if pool.capacity else np.zeros(len(mine), bool)
        waits = (mine["start"] - mine["dispatched"])[full]
        used.append(
            PoolUse(
                name=pool.name,
                kind=pool.kind,
                capacity=pool.capacity,
                runs=len(mine),
                lanes=timeline.pool_lanes.get(pool.id, (0, 0))[1],
                funcs=_commonest(_func_names(trace, mine)),
                cpu_ms=float(mine["cpu"].sum()) / 1e6,
                wall_ms=float((mine["end"] - mine["start"]).sum()) / 1e6,
                busy_peak=_most_at_once(mine["start"], mine["end"]),
                waited=int(np.count_nonzero(full)),
                wait_max_ms=float(waits.max()) / 1e6 if len(waits) else 0.0,
                core_wait_ms=_core_wait_ms(mine),
            )
        )
    return used


def _work_after_response(trace: RunTrace, runs: np.ndarray) -> AfterResponse | None:
    """The runs, on any pool, dispatched once their request's response had gone."""
    late = after_response(trace, runs["request"], runs["dispatched"])
    if not late.any():
        return None
    waited, wait_max = 0, 0
    for pool in np.unique(runs["pool"][late]).tolist():
        mine = runs["pool"] == pool
        capacity = trace.settings.pool if pool == ANYIO.id else trace.pools[pool].capacity
        full = np.zeros(len(runs), bool)
        full[mine] = _found_pool_full(runs[mine], capacity) if capacity else False
        full &= late
        waited += int(np.count_nonzero(full))
        if full.any():
            wait_max = max(wait_max, int((runs["start"] - runs["dispatched"])[full].max()))
    after = runs[late]
    received = trace.done.rows["received"]
    last_response = int(received.max()) if len(received) else trace.t0
    return AfterResponse(
        runs=len(after),
        funcs=_commonest(_func_names(trace, after)),
        wall_ms=float((after["end"] - after["start"]).sum()) / 1e6,
        waited=waited,
        wait_max_ms=wait_max / 1e6,
        past_last_response_ms=max(int(after["end"].max()) - last_response, 0) / 1e6,
    )


def _core_wait_ms(runs: np.ndarray) -> float | None:
    known = runs[runs["core_wait"] >= 0]
    return float(known["core_wait"].sum()) / 1e6 if len(known) else None


def _commonest(names: list[str]) -> list[str]:
    return [name for name, _ in Counter(names).most_common()]


def _trips(trace: RunTrace, runs: np.ndarray) -> list[Trips]:
    """The shapes of the trips to AnyIO's pool that requests made, more than one or one
    that is not the endpoint itself (at most three, the commonest first): each trip
    waits for a token of its own when the pool is busy."""
    anyio = runs[runs["pool"] == ANYIO.id]
    anyio = anyio[np.lexsort((anyio["dispatched"], anyio["request"]))]
    names = _func_names(trace, anyio)
    by_request: dict[int, list[str]] = {}
    for request, name in zip(anyio["request"].tolist(), names, strict=True):
        by_request.setdefault(request, []).append(name)
    shapes: dict[tuple[str, ...], list[int]] = {}
    for request, funcs in by_request.items():
        shapes.setdefault(tuple(funcs), []).append(request)
    named = names_routes(trace)
    endpoints = {str(r.get("label")): (r.get("endpoint") or {}).get("name") for r in trace.routes}
    many = []
    for shape, requests in shapes.items():
        route = Counter(routes_of(trace, requests).values()).most_common(1)[0][0] if named else ""
        # One trip is news only if it is not the endpoint itself (a def endpoint's own
        # run): an async def's def dependency, a background task, what it offloaded.
        # "?": a trace from before runs were named, where nothing is known of the trip.
        endpoint = endpoints.get(route) if named else trace.settings.style
        if len(shape) > 1 or (endpoint is not None and shape[0] not in (endpoint, "?")):
            many.append(Trips(len(shape), list(shape), len(requests), route))
    many.sort(key=lambda trips: (-trips.requests, -trips.per_request))
    return many[:3]


def _func_names(trace: RunTrace, runs: np.ndarray) -> list[str]:
    labels = trace.labels
    return [labels[f] if 0 <= f < len(labels) else "?" for f in runs["func"].tolist()]


def _pool_runs(trace: RunTrace, worker: np.ndarray, end_of_trace: int) -> np.ndarray:
    """Every run the pool took on for a request, with its dispatch, start and end: runs
    still going when the trace ended end there, and requests that never got a worker
    start (and end) there too: they waited for one until the end."""
    going = unfinished(trace)
    going = going[going["request"] > 0]
    pending = pending_dispatches(trace)
    dtype = np.dtype([(n, "i8") for n in ("request", "dispatched", "start", "end")])
    runs = np.zeros(len(worker) + len(going) + len(pending), dtype)
    a, b = len(worker), len(worker) + len(going)
    for name in ("request", "dispatched", "start", "end"):
        runs[name][:a] = worker[name]
    for name in ("request", "dispatched", "start"):
        runs[name][a:b] = going[name]
    runs["end"][a:] = end_of_trace
    runs["request"][b:], runs["dispatched"][b:] = pending["request"], pending["t"]
    runs["start"][b:] = end_of_trace
    return runs


def _most_at_once(start: np.ndarray, end: np.ndarray) -> int:
    """The most intervals [start, end) open at one time."""
    if len(start) == 0:
        return 0
    times = np.concatenate([start, end])
    steps = np.concatenate([np.ones(len(start), np.int64), -np.ones(len(end), np.int64)])
    order = np.lexsort((steps, times))  # at equal times count the end first
    return int(np.cumsum(steps[order]).max())


def _failure_reasons(done: np.ndarray) -> dict[str, int]:
    """How many requests failed for each reason: "HTTP 500", "timeout", ..."""
    return _count_values(_reasons(done[done["outcome"] != Outcome.OK]))


def _reasons(failed: np.ndarray) -> list[str]:
    return [
        f"HTTP {status}" if outcome == Outcome.HTTP_ERROR else Outcome(outcome).label
        for status, outcome in zip(
            failed["status"].tolist(), failed["outcome"].tolist(), strict=True
        )
    ]


def _failures_by_route(done: np.ndarray, routes: dict[int, str]) -> dict[str, dict[str, int]]:
    """Each route's failures by reason, for the runs that name routes."""
    if not routes:
        return {}
    failed = done[done["outcome"] != Outcome.OK]
    by_route: dict[str, list[str]] = {}
    for request, reason in zip(failed["request"].tolist(), _reasons(failed), strict=True):
        by_route.setdefault(routes.get(request, "") or "unknown route", []).append(reason)
    return {route: _count_values(reasons) for route, reasons in sorted(by_route.items())}


def _count_values(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        if value:
            counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def _longest_block(
    trace: RunTrace,
    loop: np.ndarray[Any, Any],
    held: np.ndarray[Any, Any],
    timeline: Timeline,
    named: bool,
) -> LoopBlock | None:
    index = telling_block(loop["start"], held)
    if index is None:
        return None
    block = loop[index]
    start, end, guilty = int(block["start"]), int(block["end"]), int(block["request"])
    lane = fold_one(int(block["process"]), LOOP_LANE)  # the loop of its server process
    phases = timeline.phases
    waiting = (
        (phases.phase == Phase.WAITING)
        & (phases.start < end)
        & (phases.end > start)
        & (phases.request != guilty)
    )
    # A loop holds up only the requests of its own server process: another process's
    # loop runs on, and its requests wait for their own reasons.
    process = int(block["process"])
    waiting &= request_processes(trace.loop.rows, phases.request) == process
    overlap = np.minimum(phases.end[waiting], end) - np.maximum(phases.start[waiting], start)
    requests = phases.request[waiting]
    # A request may wait in several pieces; what counts is its time waiting in all.
    waiters, inverse = np.unique(requests, return_inverse=True)
    waited = np.bincount(inverse, weights=overlap, minlength=len(waiters))
    behind = int(np.count_nonzero(waited >= 0.5 * (end - start)))
    blockers, shortest, longest = blockers_like_it(loop["request"], held, index)
    at_most = int(np.argmax(held))
    most_request = int(loop["request"][at_most])
    return LoopBlock(
        request=guilty if guilty > 0 else None,
        start_ms=(start - trace.t0) / 1e6,
        duration_ms=float(held[index]) / 1e6,
        waited_behind=behind,
        held_up_briefly=len(waiters) - behind,
        blockers=max(blockers, 1),
        blockers_ms=(shortest / 1e6, longest / 1e6),
        longest_ms=float(held[at_most]) / 1e6,
        longest_request=most_request if most_request > 0 else None,
        route=routes_of(trace, [guilty])[guilty] if named and guilty > 0 else "",
        held_at=place.short() if (place := held_places(trace).get((lane, start))) else "",
    )


def _peak_in_server(trace: RunTrace) -> int:
    """Most requests at once between the app getting them and sending their last byte."""
    stamp = trace.stamp.rows
    begins = stamp[stamp["kind"] == SERVER_START]["t"]
    ends = stamp[stamp["kind"] == RESPONSE_END]["t"]
    return _most_at_once(begins, ends)


def _found_pool_full(worker: np.ndarray, pool: int) -> np.ndarray:
    """For each worker run, whether every token of the pool was taken when it was dispatched.

    A run holds a token of AnyIO's limiter from its dispatch (give or take one loop
    turn) to its end, so the runs in the pool at time d are those dispatched before
    d that have not ended by d. Starting a worker thread takes a few milliseconds
    too, so a wait alone does not say the pool was full; this count does.
    """
    dispatched = worker["dispatched"]
    before = np.searchsorted(np.sort(dispatched), dispatched, side="left")
    ended = np.searchsorted(np.sort(worker["end"]), dispatched, side="right")
    return np.asarray((before - ended) >= pool)
