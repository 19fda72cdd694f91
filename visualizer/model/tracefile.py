"""The trace file: Chrome Trace Event Format, object form, so a run opens in Perfetto too.

``{"traceEvents": [...], "metadata": {"schedviz": {...}}}``. Times are microseconds
from the start of the run, written with three decimals so nanoseconds survive a
round trip. The measured events (loop slices, worker runs, requests with their
server stamps) are enough to rebuild the run; the phase events are derived and
written for other viewers, and ignored on reading.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from server.protocol import (
    HANDLER_END,
    POOL_KINDS,
    RESPONSE_END,
    RESPONSE_START,
    SERVER_START,
    Outcome,
)
from visualizer.model import pools
from visualizer.model._chrome_reader import Batch, collector_paused, read_batches, read_events
from visualizer.model._chrome_writer import chrome_text, file_origin, request_spans
from visualizer.model._event_fields import MAX_REQUEST, BadEvent
from visualizer.model._trace_lines import NotInLines, in_lines
from visualizer.model.gc_pauses import LOOP_LANE
from visualizer.model.held_at import HeldAt, held_places
from visualizer.model.phases import Phase, derive_phases
from visualizer.model.processes import (
    MAX_PROCESSES,
    ServerProcess,
    file_pid,
    fold_one,
    local_thread,
    process_names,
    process_of,
)
from visualizer.model.request_routes import routes_of
from visualizer.model.settings import RunSettings, SettingError
from visualizer.model.trace import ANYIO, Pool, RunTrace
from visualizer.model.worker_runs import runs_for_file

FORMAT_VERSION = 1
SERVER_PID, REQUESTS_PID = 1, 2
#: Larger files are refused before reading: a real run of a million requests is ~1 GB.
MAX_FILE_BYTES = 2 * 1024**3
#: Told the share of a long job done so far, 0..1.
Progress = Callable[[float], None]
_STAMP_ARGS = {
    SERVER_START: "server_start_us",
    RESPONSE_START: "response_start_us",
    RESPONSE_END: "response_end_us",
    HANDLER_END: "handler_end_us",
}


class TraceFileError(ValueError):
    """A file that is not a schedviz trace; the message says what is wrong with it."""


def write_trace(trace: RunTrace, path: str | Path) -> None:
    """Write ``trace`` as a Chrome trace file: the events of :func:`to_chrome`, one a line."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for piece in chrome_text(trace, _metadata(trace)):
            out.write(piece)


def to_chrome(trace: RunTrace) -> dict[str, Any]:
    """The file's content as Python objects, one dict per event: what the file means."""
    origin = file_origin(trace)

    def us(ns: int) -> float:
        return round((ns - origin) / 1000, 3)

    servers = process_names(trace.processes)
    events: list[dict[str, Any]] = [
        _meta("process_name", servers[0][0], 0, servers[0][1]),
        _meta("process_name", REQUESTS_PID, 0, "requests"),
        *(_meta("process_name", pid, 0, name) for pid, name in servers[1:]),
        *(_meta("thread_name", pid, 0, "event loop") for pid, _ in servers),
    ]
    worker, unfinished = runs_for_file(trace)
    tids, named = pools.file_lanes(worker["pool"], worker["thread"], trace.pools)
    events += [
        _meta("thread_name", file_pid(process_of(tid)), local_thread(tid), name)
        for tid, name in named
    ]
    held = held_places(trace)
    for start, end, request, due, process in np.sort(trace.loop.rows, order="start").tolist():
        args: dict[str, Any] = {"request": request or None}
        if due:
            args["due_us"] = us(due)
        args.update(_held_args(held.get((fold_one(process, LOOP_LANE), start))))
        name = f"request {request}" if request else "server"
        pid = file_pid(process)
        events.append(_slice("loop", name, pid, 0, us(start), (end - start) / 1000, args))
    labels = trace.labels
    for run, still, tid in zip(worker.tolist(), unfinished.tolist(), tids.tolist(), strict=True):
        request, dispatched, start, end, cpu, thread, core_wait, func, pool = run
        # A run still going has spent CPU nobody measured yet: unknown, not -1 ns.
        args = {
            "request": request or None,
            "cpu_us": None if still else cpu / 1000,
            "dispatched_us": us(dispatched),
        }
        if core_wait >= 0:
            args["core_wait_us"] = core_wait / 1000
        if still:
            args["unfinished"] = True
        if 0 <= func < len(labels):
            args["func"] = labels[func]
        args["pool"] = trace.pools[pool].kind if pool in trace.pools else "anyio"
        args["pool_id"] = pool
        args.update(_held_args(held.get((thread, start))))
        name = f"request {request}" if request else "server"
        pid, tid = file_pid(process_of(tid)), local_thread(tid)
        events.append(_slice("worker", name, pid, tid, us(start), (end - start) / 1000, args))

    process_pools = [pool.id for pool in trace.pools.values() if pool.kind == "process"]
    threads = ~np.isin(worker["pool"], process_pools)
    lane_of = dict(zip(worker["thread"][threads].tolist(), tids[threads].tolist(), strict=True))
    for start, end, generation, thread in np.sort(trace.gc.rows, order="start").tolist():
        on_loop = local_thread(thread) == LOOP_LANE
        lane = fold_one(process_of(thread), 0) if on_loop else lane_of.get(thread)
        if lane is not None:
            events.append(
                _slice(
                    "gc",
                    "garbage collection",
                    file_pid(process_of(lane)),
                    local_thread(lane),
                    us(start),
                    (end - start) / 1000,
                    {"generation": generation},
                )
            )

    stamps: dict[int, dict[str, float]] = {}
    for request, kind, t in trace.stamp.rows.tolist():
        if kind in _STAMP_ARGS:  # a dispatch is in its worker run's dispatched_us
            stamps.setdefault(request, {})[_STAMP_ARGS[kind]] = us(t)
    done = {row[0]: row for row in trace.done.rows.tolist()}
    style = trace.settings.subject
    routes = routes_of(trace, trace.sent.rows["request"].tolist())
    phases = derive_phases(trace)
    _, begins, ends = request_spans(trace, phases)
    for (request, sent), begin, end in zip(
        sorted(trace.sent.rows.tolist()), begins.tolist(), ends.tolist(), strict=True
    ):
        events.append(_meta("thread_name", REQUESTS_PID, request, f"request {request}"))
        _, _, received, status, outcome = done[request]
        args = {
            "request": request,
            "style": style,
            "route": routes[request] or None,
            "status": status,
            "outcome": Outcome(outcome).label,
            "outcome_code": outcome,
            "sent_us": us(sent),
            "received_us": us(received),
            **stamps.get(request, {}),
        }
        events.append(
            _slice(
                "request",
                f"request {request}",
                REQUESTS_PID,
                request,
                us(begin),
                (end - begin) / 1000,
                args,
            )
        )
    for request, start, end, phase in zip(
        phases.request.tolist(),
        phases.start.tolist(),
        phases.end.tolist(),
        phases.phase.tolist(),
        strict=True,
    ):
        name = Phase(phase).name.lower()
        events.append(
            _slice(
                "phase",
                name,
                REQUESTS_PID,
                request,
                us(start),
                (end - start) / 1000,
                {"request": request},
            )
        )
    metadata = _metadata(trace)
    return {"traceEvents": events, "displayTimeUnit": "ms", "metadata": {"schedviz": metadata}}


def _metadata(trace: RunTrace) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "settings": trace.settings.to_dict(),
        "versions": trace.versions,
        "ended": trace.ended,
        "requests_sent": len(trace.sent),
        "foreign_requests": trace.foreign_requests,
        # Where the client started the run, if something recorded began before it.
        "run_start_us": (trace.t0 - file_origin(trace)) / 1000,
        # Each handler's end was stamped: a request without one was still running.
        "handler_ends": trace.handler_ends,
        # The app's routes, with the code of their endpoints as it was when it ran, and
        # where each entry of the plan was matched to.
        "routes": trace.routes,
        "planned_routes": trace.planned_routes,
        # Every pool that ran work: a worker event's pool_id names one.
        "pools": [
            {"id": pool.id, "kind": pool.kind, "name": pool.name, "capacity": pool.capacity}
            for pool in trace.pools.values()
        ],
        # The server processes of a run of several (--workers): a lane's pid names one.
        **({"processes": [p.to_dict() for p in trace.processes]} if trace.processes else {}),
    }


def _held_args(place: HeldAt | None) -> dict[str, Any]:
    """Where a sampled slice was held, as a loop or worker event's arguments."""
    if place is None:
        return {}
    return {
        "stack": list(place.stack),
        "held_at": place.where,
        "code": place.code,
        "samples": place.samples,
        **({"caller": place.caller} if place.caller else {}),
    }


def read_trace(path: str | Path, progress: Progress | None = None) -> RunTrace:
    """Read a trace file written by :func:`write_trace`; raise TraceFileError if it is not one.

    ``progress`` hears the share done (0..1) now and then; if it raises, reading stops
    and the exception reaches the caller (that is how a reading is cancelled).
    """
    path = Path(path)
    tell = progress or _silent
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TraceFileError(
                f"{path.name} is {size / 1024**3:.1f} GB: trace files up to "
                f"{MAX_FILE_BYTES / 1024**3:.0f} GB can be opened"
            )
        raw = _read_bytes(path, size, tell)
        laid_out = in_lines(raw, lambda share: tell(READ_SHARE + share * EVENTS_PART))
        if laid_out is not None:
            with contextlib.suppress(NotInLines), collector_paused():
                trace = _from_parts(laid_out[0], laid_out[1], path.name)
                tell(1.0)
                return trace
        str(raw, "utf-8")  # any other layout: parsed whole, after a check
        with collector_paused():
            data = orjson.loads(raw)
        del raw
    except OSError as error:
        raise TraceFileError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise TraceFileError(f"{path.name} is not a text file, so not a trace") from None
    except orjson.JSONDecodeError as error:
        raise TraceFileError(
            f"{path.name} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from None
    tell(READ_SHARE + EVENTS_PART / 2)
    trace = from_chrome(data, name=path.name)
    tell(1.0)
    return trace


#: Share of the work of reading a file that reading its bytes is; the events are the rest.
READ_SHARE = 0.3
EVENTS_PART = 1.0 - READ_SHARE
#: Bytes read between two progress reports.
CHUNK_BYTES = 4 * 1024**2


def _read_bytes(path: Path, size: int, tell: Progress) -> memoryview:
    """The file's bytes, read in chunks into one buffer (a join would copy them all again).

    The buffer is numpy's: pages the kernel zeroes as the reads first fill them, while
    Python's lock is free (6 ms for 40 MB). A bytearray of the size is zeroed first, in
    C but holding the lock: 23 ms, the longest the file job ever kept the GUI thread
    waiting for it.
    """
    view = np.zeros(size, np.uint8).data
    done = 0
    with open(path, "rb") as source:
        while done < size and (got := source.readinto(view[done : done + CHUNK_BYTES])):
            done += got
            tell(READ_SHARE * done / max(size, 1))
    return view[:done]  # the file shrank since stat()


def _silent(share: float) -> None:
    pass


def from_chrome(data: Any, name: str = "the trace") -> RunTrace:
    if not isinstance(data, dict) or not isinstance(data.get("traceEvents"), list):
        raise TraceFileError(f"{name} is JSON but not a trace: it has no traceEvents list")
    return _from_parts(data, None, name)


def _from_parts(top: dict[str, Any], batches: Iterable[Batch] | None, name: str) -> RunTrace:
    """A RunTrace from the file's top level and its events: given in batches, or (None)
    the top level's traceEvents list."""
    meta = top.get("metadata", {})
    schedviz = meta.get("schedviz") if isinstance(meta, dict) else None
    if not isinstance(schedviz, dict):
        raise TraceFileError(
            f"{name} is a trace, but not one schedviz wrote (no schedviz metadata)"
        )
    trace = RunTrace(settings=_settings(schedviz, name), versions=_versions(schedviz, name))
    ended, foreign = schedviz.get("ended", ""), schedviz.get("foreign_requests", 0)
    if type(ended) is not str:
        raise TraceFileError(f"{name} has metadata 'ended' of {_short(ended)}, not text")
    if type(foreign) is not int or not 0 <= foreign <= MAX_REQUEST:
        raise TraceFileError(f"{name} has metadata 'foreign_requests' of {_short(foreign)}")
    trace.ended, trace.foreign_requests = ended, foreign
    trace.t0 = _run_start(schedviz.get("run_start_us", 0), name)
    trace.handler_ends = schedviz.get("handler_ends", False) is True
    trace.routes, trace.planned_routes = _routes(schedviz, trace.settings, name)
    trace.pools = _pools(schedviz.get("pools", []), name)
    trace.processes = _processes(schedviz.get("processes", []), name)
    try:
        if batches is None:
            read_events(trace, [top["traceEvents"]])
        else:
            read_batches(trace, batches)
    except (BadEvent, AttributeError, KeyError, TypeError, ValueError, OverflowError) as error:
        raise TraceFileError(f"{name} has an event schedviz cannot read: {error}") from None
    return trace


def _run_start(micros: Any, name: str) -> int:
    """The run's start in the file's time (ns): 0 unless events began before it."""
    if type(micros) not in (int, float) or not 0 <= micros < 2.0**52:
        raise TraceFileError(f"{name} has metadata 'run_start_us' of {_short(micros)}")
    return round(float(micros) * 1000)


def _settings(schedviz: dict[str, Any], name: str) -> RunSettings:
    form = schedviz.get("format", FORMAT_VERSION)
    if form != FORMAT_VERSION or type(form) is not int:
        raise TraceFileError(
            f"{name} is of format {_short(form)}: this schedviz reads format {FORMAT_VERSION}"
        )
    settings = schedviz.get("settings", {})
    if not isinstance(settings, dict):
        raise TraceFileError(f"{name} has settings of {_short(settings)}, not an object")
    try:
        return RunSettings.from_dict(settings)
    except (SettingError, TypeError, ValueError) as error:
        raise TraceFileError(f"{name} has settings schedviz cannot use: {error}") from None


def _routes(
    schedviz: dict[str, Any], settings: RunSettings, name: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The app's route table (kept as given: shown, never computed with) and the
    route of each plan entry, one per entry."""
    routes, planned = schedviz.get("routes", []), schedviz.get("planned_routes", [])
    if not isinstance(routes, list) or not all(
        isinstance(route, dict) and type(route.get("label")) is str for route in routes
    ):
        raise TraceFileError(f"{name} has metadata 'routes' of {_short(routes)}")
    entries = len(settings.plan.requests) if settings.plan is not None else 0
    if not isinstance(planned, list) or not all(type(label) is str for label in planned):
        raise TraceFileError(f"{name} has metadata 'planned_routes' of {_short(planned)}")
    if planned and len(planned) != entries:
        raise TraceFileError(
            f"{name} names routes for {len(planned)} planned requests, but its plan has {entries}"
        )
    return routes, planned


def _pools(described: Any, name: str) -> dict[int, Pool]:
    """The pools of the metadata, by id; AnyIO's always (files before pools name none)."""
    pools = {ANYIO.id: ANYIO}
    if not isinstance(described, list):
        raise TraceFileError(f"{name} has metadata 'pools' of {_short(described)}, not a list")
    for pool in described:
        fields = (pool.get(key) if isinstance(pool, dict) else None for key in _POOL_KEYS)
        pool_id, kind, label, capacity = fields
        if (
            type(pool_id) is not int
            or not 0 <= pool_id <= MAX_REQUEST
            or kind not in POOL_KINDS
            or type(label) is not str
            or type(capacity) is not int
            or not 0 <= capacity <= MAX_REQUEST
        ):
            raise TraceFileError(f"{name} has a pool of {_short(pool)} in its metadata")
        pools[pool_id] = Pool(pool_id, kind, label, capacity)
    return pools


_POOL_KEYS = ("id", "kind", "name", "capacity")


def _processes(described: Any, name: str) -> list[ServerProcess]:
    """The server processes of a run of several; none for a run of one."""
    if not isinstance(described, list) or len(described) > MAX_PROCESSES:
        raise TraceFileError(f"{name} has metadata 'processes' of {_short(described)}")
    try:
        return [ServerProcess.from_dict(data, index) for index, data in enumerate(described)]
    except ValueError:
        raise TraceFileError(f"{name} has metadata 'processes' of {_short(described)}") from None


def _versions(schedviz: dict[str, Any], name: str) -> dict[str, str]:
    versions = schedviz.get("versions", {})
    if not isinstance(versions, dict) or not all(type(v) is str for v in versions.values()):
        raise TraceFileError(f"{name} has versions of {_short(versions)}, not names of versions")
    return dict(versions)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _meta(kind: str, pid: int, tid: int, name: str) -> dict[str, Any]:
    return {"ph": "M", "name": kind, "pid": pid, "tid": tid, "args": {"name": name}}


def _slice(
    cat: str, name: str, pid: int, tid: int, ts: float, dur: float, args: dict[str, Any]
) -> dict[str, Any]:
    return {
        "ph": "X",
        "cat": cat,
        "name": name,
        "pid": pid,
        "tid": tid,
        "ts": ts,
        "dur": dur,
        "args": args,
    }
