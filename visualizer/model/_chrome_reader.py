"""The measured events of a parsed trace file, read into a RunTrace column by column.

A loop over the events doing a dozen dict lookups and conversions each cost 1.1 s
at 20,000 requests. Here each field of one category of event is gathered by one
``map`` (a C loop), checked and converted by numpy at once (:mod:`._event_fields`).
Nonsense is refused with BadEvent, naming the event and the field: a missing field, a
value of the wrong type, a time or duration that is negative or not finite, an id out
of range, a request that appears twice, a slice of a request that has no request
event, a lane with events but no name.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

from server.protocol import HANDLER_END, RESPONSE_END, RESPONSE_START, SERVER_START, Outcome
from visualizer.model._event_fields import (
    LIMIT_NS,
    MAX_REQUEST,
    BadEvent,
    Events,
    Recheck,
    TypedEvents,
)
from visualizer.model.processes import PROCESS_SHIFT, file_pid, process_of_file_pid
from visualizer.model.trace import RunTrace

I64 = npt.NDArray[np.int64]
#: Indexes in the file of a batch's events of one kind.
Where = list[int] | I64
_STAMP_ARGS = {
    SERVER_START: "server_start_us",
    RESPONSE_START: "response_start_us",
    RESPONSE_END: "response_end_us",
    HANDLER_END: "handler_end_us",
}


_paused = 0
_paused_lock = threading.Lock()
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file's events become objects.

    Parsing makes hundreds of thousands of dicts that live until their piece is read;
    they trigger full collections that walk every object of the process (40-90 ms
    each, many per file), each holding Python's lock: the GUI thread stalled. The
    dicts hold no cycles, so nothing is lost by collecting after. Nested and
    concurrent readers share one pause.
    """
    global _paused, _resume
    with _paused_lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()


#: The categories of ``X`` events schedviz reads; others (phases: derived) are skipped.
READ_CATEGORIES = ("loop", "worker", "gc", "request")
#: Lanes: process 1 is the server (lane 0 the loop, k worker k), process 2 the requests.
SERVER_PID, REQUESTS_PID = 1, 2


class Batch:
    """Events of one piece of the file, sorted by what they are, with their file indexes.

    Events are dicts, or typed objects (:mod:`._event_schema`) when ``as_dicts`` can
    read the same events again as dicts, for the message of a refusal.
    """

    def __init__(self, as_dicts: Callable[[], Batch] | None = None) -> None:
        self.events: dict[str, list[Any]] = {name: [] for name in (*READ_CATEGORIES, "M")}
        self.where: dict[str, Where] = {name: [] for name in self.events}
        self.as_dicts = as_dicts

    @classmethod
    def of(cls, events: list[Any], where: Iterable[int]) -> Batch:
        """``events`` sorted by kind; ``where`` holds their indexes in the file."""
        batch = cls()
        indexes: dict[str, list[int]] = {name: [] for name in batch.events}
        for index, event in zip(where, events, strict=True):
            if type(event) is not dict:
                raise BadEvent(f"event {index} is not an object")
            ph = event.get("ph")
            key = event.get("cat") if ph == "X" else ph
            if type(key) is str and key in batch.events:
                batch.events[key].append(event)
                indexes[key].append(index)
            elif type(ph) is not str:
                raise BadEvent(f"event {index} field 'ph' is {ph!r}, not a string")
        batch.where.update(indexes)
        return batch

    def fields(self) -> dict[str, Events]:
        """The events of each kind, ready to be checked field by field."""
        kind = Events if self.as_dicts is None else TypedEvents
        return {name: kind(name, self.events[name], self.where[name]) for name in self.events}


def read_events(trace: RunTrace, pieces: Iterable[list[Any]]) -> None:
    """Fill ``trace`` from the ``X`` events of the categories schedviz measures."""
    offset = 0

    def batches() -> Iterator[Batch]:
        nonlocal offset
        for events in pieces:
            yield Batch.of(events, range(offset, offset + len(events)))
            offset += len(events)

    read_batches(trace, batches())


def read_batches(trace: RunTrace, batches: Iterable[Batch]) -> None:
    """Fill ``trace`` from batches of sorted events, checking every field it uses."""
    tables: dict[str, list[npt.NDArray[Any]]] = {
        name: []
        for name in (
            "loop",
            "worker",
            "worker_start",
            "gc",
            "sent",
            "done",
            "stamp",
            "route",
            "stack",
        )
    }
    lanes: list[I64] = []
    named: list[I64] = []
    for batch in batches:
        try:
            parts, batch_lanes, batch_named = _read_batch(trace, batch)
        except Recheck:
            assert batch.as_dicts is not None
            parts, batch_lanes, batch_named = _read_batch(trace, batch.as_dicts())
        for name, part in parts.items():
            tables[name].append(part)
        lanes += batch_lanes
        named.append(batch_named)
    joined = {
        name: np.concatenate(parts) if parts else getattr(trace, name).rows[:0]
        for name, parts in tables.items()
    }
    _check_whole(joined, lanes, named)
    for name, rows in joined.items():
        getattr(trace, name).extend(rows)


def _read_batch(
    trace: RunTrace, batch: Batch
) -> tuple[dict[str, npt.NDArray[Any]], list[I64], I64]:
    """The rows of each table that one batch gives, the lanes it uses and those it names."""
    at = batch.fields()
    loop, loop_lanes = _read_loop(trace, at["loop"])
    worker, going, worker_lanes, runs = _read_worker(trace, at["worker"])
    gc_rows, gc_lanes = _read_gc(trace, at["gc"])
    sent, done, stamp, route = _read_requests(trace, at["request"])
    rows = {
        "loop": loop,
        "worker": worker,
        "worker_start": going,
        "gc": gc_rows,
        "sent": sent,
        "done": done,
        "stamp": stamp,
        "route": route,
        "stack": np.concatenate(
            [
                _read_held(trace, at["loop"], loop["start"], loop["process"] << PROCESS_SHIFT),
                _read_held(trace, at["worker"], runs["start"], runs["thread"]),
            ]
        ),
    }
    lanes = [loop_lanes, worker_lanes, gc_lanes, _lane(REQUESTS_PID, sent["request"])]
    return rows, lanes, _read_names(at["M"])


def _check_whole(joined: dict[str, npt.NDArray[Any]], lanes: list[I64], named: list[I64]) -> None:
    """What only the whole file can tell: each request once, each id known, lanes named."""
    requests = joined["sent"]["request"]
    unique, counts = np.unique(requests, return_counts=True)
    if (counts > 1).any():
        raise BadEvent(f"request {int(unique[counts > 1][0])} appears more than once")
    for table in ("loop", "worker", "worker_start"):
        ids = joined[table]["request"]
        unknown = (ids != 0) & ~np.isin(ids, unique)
        if unknown.any():
            raise BadEvent(
                f"a {table} event names request {int(ids[unknown][0])}, which has no request event"
            )
    used = np.unique(np.concatenate(lanes)) if lanes else np.zeros(0, np.int64)
    unnamed = ~np.isin(used, np.concatenate(named) if named else np.zeros(0, np.int64))
    if unnamed.any():
        pid, tid = divmod(int(used[unnamed][0]), 2**32)
        raise BadEvent(f"lane (pid {pid}, tid {tid}) has events but no thread_name event")


def _lane(pid: int | I64, tid: I64) -> I64:
    return np.int64(pid) * 2**32 + tid


def _read_names(events: Events) -> I64:
    """The lanes that ``thread_name`` metadata events name; every M event checked."""
    kinds = events.values("name", (str,))
    pid = events.ints("pid", 0, MAX_REQUEST)
    tid = events.ints("tid", 0, MAX_REQUEST)
    events.values("args.name", (str,))  # a lane's name is text
    is_thread = np.array([kind == "thread_name" for kind in kinds], bool)
    lanes: I64 = pid[is_thread] * 2**32 + tid[is_thread]
    return lanes


def _times(events: Events, signed: bool = True) -> tuple[I64, I64]:
    """Start and end of each slice. A server slice may have begun before the run did
    (it is kept for the part after); nothing lasts less than nothing."""
    start, _ = events.ns("ts", signed=signed)
    duration, _ = events.ns("dur")
    end = start + duration
    if len(end) and not (end < LIMIT_NS).all():
        events.fail(int(np.argmax(end >= LIMIT_NS)), "dur", "ends beyond any run")
    return start, end


def _server_pids(trace: RunTrace, events: Events) -> tuple[I64, I64]:
    """Each event's ``pid`` and its server process: pid 1, or one pid per process of a
    run of several (see model.processes)."""
    count = max(len(trace.processes), 1)
    pid = events.ints("pid", SERVER_PID, file_pid(count - 1))
    if len(pid) and (pid == REQUESTS_PID).any():
        events.fail(int(np.argmax(pid == REQUESTS_PID)), "pid", "is the requests' process")
    return pid, process_of_file_pid(pid)


def _read_loop(trace: RunTrace, events: Events) -> tuple[npt.NDArray[Any], I64]:
    start, end = _times(events)
    rows = np.zeros(len(events), trace.loop.dtype)
    rows["start"], rows["end"] = start, end
    rows["request"] = events.ints("args.request", 1, MAX_REQUEST, optional=True)
    rows["due"] = events.ns("args.due_us", optional=True, signed=True)[0]
    tid = events.ints("tid", 0, 0)  # each process's loop has one lane
    pid, rows["process"] = _server_pids(trace, events)
    return rows, _lane(pid, tid)


def _read_worker(
    trace: RunTrace, events: Events
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], I64, npt.NDArray[Any]]:
    """Worker runs that ended, the starts of those still going when the trace ended
    (``args.unfinished``: their end in the file is the trace's, not theirs), lanes, and
    every run in the file's order."""
    start, end = _times(events)
    rows = np.zeros(len(events), trace.worker.dtype)
    rows["request"] = events.ints("args.request", 1, MAX_REQUEST, optional=True)
    rows["start"], rows["end"] = start, end
    rows["dispatched"] = events.ns("args.dispatched_us", signed=True)[0]
    cpu, measured = events.ns("args.cpu_us", optional=True)
    rows["cpu"] = np.where(measured, cpu, -1)
    # A lane of the file is one worker thread: the lane number stands for the thread,
    # with its server process folded in (model.processes).
    tid = events.ints("tid", 1, MAX_REQUEST)
    pid, process = _server_pids(trace, events)
    rows["thread"] = tid | (process << PROCESS_SHIFT)
    core_wait, known = events.ns("args.core_wait_us", optional=True)
    rows["core_wait"] = np.where(known, core_wait, -1)
    rows["func"] = _labelled(trace, events.values("args.func", (str,), optional=True))
    # Files written before pools were traced name none: their runs were all AnyIO's.
    rows["pool"] = events.ints("args.pool_id", 0, MAX_REQUEST, optional=True)
    unknown = ~np.isin(rows["pool"], list(trace.pools))
    if unknown.any():
        events.fail(int(np.argmax(unknown)), "args.pool_id", "names no pool of the metadata")
    unfinished = events.values("args.unfinished", (bool,), optional=True)
    still = np.array([flag is True for flag in unfinished], bool)
    if (~measured & ~still).any():  # only a run still going has no CPU time yet
        events.fail(int(np.argmax(~measured & ~still)), "args.cpu_us", "is missing")
    going = np.zeros(int(still.sum()), trace.worker_start.dtype)
    for name in going.dtype.names or ():
        going[name] = rows[name][still]
    return rows[~still], going, _lane(pid, tid), rows


def _labelled(trace: RunTrace, texts: list[Any]) -> npt.NDArray[np.int32]:
    """Each text as an index into the trace's labels (added where new); -1 for none."""
    labels = trace.labels
    index = {label: at for at, label in enumerate(labels)}
    numbers = [-1 if text is None else index.setdefault(text, len(index)) for text in texts]
    labels.extend(list(index)[len(labels) :])
    return np.array(numbers, np.int32)


def _read_held(
    trace: RunTrace, events: Events, starts: I64, lanes: npt.NDArray[Any]
) -> npt.NDArray[Any]:
    """Where each sampled slice was held (``args.stack``, ``held_at``, ``code``,
    ``samples``, ``caller``), as stack rows keyed by the slice's lane and start."""
    stacks = events.values("args.stack", (list,), optional=True)
    given = np.array([stack is not None for stack in stacks], bool)
    for at in np.flatnonzero(given).tolist():
        if not all(type(frame) is str for frame in stacks[at]):
            events.fail(at, "args.stack", "is not a list of text")
    held_at = events.values("args.held_at", (str,), optional=True)
    code = events.values("args.code", (str,), optional=True)
    caller = events.values("args.caller", (str,), optional=True)
    samples = events.ints("args.samples", 1, MAX_REQUEST, optional=True)
    rows = np.zeros(int(given.sum()), trace.stack.dtype)
    rows["start"], rows["lane"] = starts[given], lanes[given]
    rows["stack"] = _labelled(trace, ["\n".join(stacks[at]) for at in np.flatnonzero(given)])
    rows["held_at"] = _labelled(trace, [held_at[at] or "" for at in np.flatnonzero(given)])
    rows["code"] = _labelled(trace, [code[at] or "" for at in np.flatnonzero(given)])
    rows["samples"] = np.maximum(samples[given], 1)
    rows["caller"] = _labelled(trace, [caller[at] or "" for at in np.flatnonzero(given)])
    return rows


def _read_gc(trace: RunTrace, events: Events) -> tuple[npt.NDArray[Any], I64]:
    start, end = _times(events)
    rows = np.zeros(len(events), trace.gc.dtype)
    rows["start"], rows["end"] = start, end
    rows["generation"] = events.ints("args.generation", 0, 2)
    # As for workers: the file's lane stands for the thread (0, the event loop's).
    tid = events.ints("tid", 0, MAX_REQUEST)
    pid, process = _server_pids(trace, events)
    rows["lane"] = tid | (process << PROCESS_SHIFT)
    return rows, _lane(pid, tid)


def _read_requests(
    trace: RunTrace, events: Events
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    start, end = _times(events, signed=False)  # every request is sent after the run began
    request = events.ints("args.request", 1, MAX_REQUEST)
    tid = events.ints("tid", 1, MAX_REQUEST)
    if len(tid) and (tid != request).any():
        events.fail(int(np.argmax(tid != request)), "tid", "is not the request's lane")
    codes = events.ints("args.outcome_code", 0, int(max(Outcome)), optional=True)
    # Files since the request event spans all its phases carry the client's own stamps.
    sent_at, has_sent = events.ns("args.sent_us", optional=True)
    received_at, has_received = events.ns("args.received_us", optional=True)
    start = np.where(has_sent, sent_at, start)
    end = np.where(has_received, received_at, end)
    if (end < start).any():
        events.fail(int(np.argmax(end < start)), "args.received_us", "is before its sent_us")
    sent = np.zeros(len(events), trace.sent.dtype)
    sent["request"], sent["sent"] = request, start
    done = np.zeros(len(events), trace.done.dtype)
    done["request"], done["sent"], done["received"] = request, start, end
    done["status"] = events.ints("args.status", 0, 999, optional=True)
    done["outcome"] = codes
    stamps = []
    for kind, key in _STAMP_ARGS.items():
        t, given = events.ns(f"args.{key}", optional=True, signed=True)
        rows = np.zeros(int(given.sum()), trace.stamp.dtype)
        rows["request"], rows["kind"], rows["t"] = request[given], kind, t[given]
        stamps.append(rows)
    # Request by request, as they were written: each request's stamps in kind order.
    stamp = np.concatenate(stamps)
    route_rows = _routes_served(trace, request, done["status"], events)
    return sent, done, stamp[np.argsort(stamp["request"], kind="stable")], route_rows


def _routes_served(
    trace: RunTrace, request: I64, status: npt.NDArray[Any], events: Events
) -> npt.NDArray[Any]:
    """The route each request named (``args.route``), as route rows indexing the
    trace's labels; requests that name none have no row."""
    names = events.values("args.route", (str,), optional=True)
    labels = trace.labels
    index = {label: at for at, label in enumerate(labels)}
    given = np.array([name is not None for name in names], bool)
    rows = np.zeros(int(given.sum()), trace.route.dtype)
    rows["request"], rows["status"] = request[given], status[given]
    rows["label"] = [index.setdefault(name, len(index)) for name in names if name is not None]
    labels.extend(list(index)[len(labels) :])
    return rows
