"""The trace file's bytes, written column by column instead of event by event.

:func:`visualizer.model.tracefile.to_chrome` builds one Python dict per event and
``json.dump`` encodes them in pure Python: 5.2 s for a 20,000-request run (462,000
events). Here every number column is encoded at once by orjson (numpy arrays in C),
split into its items, and laid between the constant parts of each event's text with
slice assignments; a ``join`` per 20,000 events makes the file. The events, their order and their
values are the ones ``to_chrome`` makes (tests/model/test_tracefile.py compares them).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from server.protocol import HANDLER_END, RESPONSE_END, RESPONSE_START, SERVER_START, Outcome
from visualizer.model import pools
from visualizer.model.gc_pauses import LOOP_LANE
from visualizer.model.held_at import HeldAt, held_places
from visualizer.model.phases import Phase, PhaseSegments, derive_phases
from visualizer.model.processes import (
    PROCESS_SHIFT,
    file_pids,
    fold_one,
    local_thread,
    process_names,
    process_of,
)
from visualizer.model.request_routes import routes_of
from visualizer.model.trace import RunTrace, sorted_rows
from visualizer.model.worker_runs import runs_for_file

SERVER_PID, REQUESTS_PID = 1, 2
#: Stamp kinds and the request argument each is written as.
STAMP_ARGS = {
    SERVER_START: "server_start_us",
    RESPONSE_START: "response_start_us",
    RESPONSE_END: "response_end_us",
    HANDLER_END: "handler_end_us",
}
#: The file's first line; the events follow, one a line.
HEAD = '{"traceEvents":[\n'
#: Events made (and so written) at a time.
EVENTS_PER_PIECE = 20_000
#: A piece of an event's text: one constant for every event, or one item per event.
Piece = str | list[str]


def chrome_text(trace: RunTrace, metadata: dict[str, Any]) -> Iterator[str]:
    """The whole file, in pieces of at most :data:`EVENTS_PER_PIECE` events, one event a line.

    ``{"traceEvents":[`` and a newline, each event on its own line, then
    ``],"displayTimeUnit":"ms","metadata":...}``. JSON strings cannot hold a raw
    newline, so a reader may cut the events at line ends and parse them piece by
    piece (visualizer.model._chrome_reader.parse_in_pieces). Made piece by piece,
    too: a thread writing a file holds Python's lock for one piece at a time, so the
    GUI thread is never kept waiting for the whole.
    """
    loop = sorted_rows(trace.loop.rows, "start")
    origin = file_origin(trace)
    phases = derive_phases(trace)
    # Runs still going when the trace ended are written to its end, marked unfinished.
    worker, unfinished = runs_for_file(trace)
    # Worker lanes grouped by pool, each group in the order the run first used them.
    tid, named = pools.file_lanes(worker["pool"], worker["thread"], trace.pools)
    # A pause is drawn on a worker thread's lane; a process pool's runs are elsewhere.
    threads = [pool.id for pool in trace.pools.values() if pool.kind != "process"]
    in_threads = np.isin(worker["pool"], threads)
    # Each server process's loop is tid 0 of its own pid (see model.processes).
    servers = process_names(trace.processes)
    lane_of_thread = {
        **{fold_one(process, LOOP_LANE): fold_one(process, 0) for process in range(len(servers))},
        **dict(zip(worker["thread"][in_threads].tolist(), tid[in_threads].tolist(), strict=True)),
    }
    places = held_places(trace)
    named_lanes = np.array([lane for lane, _ in named], np.int64)
    pieces = itertools.chain(
        *(_meta("process_name", pid, "0", [_text(name)[1:-1]]) for pid, name in servers[:1]),
        _meta("process_name", REQUESTS_PID, "0", ["requests"]),
        *(_meta("process_name", pid, "0", [_text(name)[1:-1]]) for pid, name in servers[1:]),
        *(_meta("thread_name", pid, "0", ["event loop"]) for pid, _ in servers),
        _meta(
            "thread_name",
            _numbers(file_pids(process_of(named_lanes))),
            _numbers(local_thread(named_lanes)),
            [_text(name)[1:-1] for _, name in named],
        ),
        _loop_events(loop, origin, places),
        _worker_events(trace, worker, tid, unfinished, origin, places),
        _gc_events(trace, lane_of_thread, origin),
        _request_events(trace, phases, origin),
        _phase_events(phases, origin),
    )
    yield HEAD
    held = ""
    for piece in pieces:
        if piece:
            yield held
            held = piece
    # The last event takes no comma after it.
    yield held.removesuffix(",\n") + ("\n" if held else "")
    tail = orjson.dumps({"schedviz": metadata}).decode()
    yield '],"displayTimeUnit":"ms","metadata":' + tail + "}\n"


def file_origin(trace: RunTrace) -> int:
    """The time written as 0: the run's start, or the start of anything recorded before it.

    A loop slice, a worker run or a pause that began before the client started the run
    (the idle server's, kept because it ended inside the run) would otherwise have a
    negative ``ts``, which Perfetto does not take. The run's start is then written in
    the metadata as ``run_start_us``.
    """
    earliest = [trace.t0]
    for rows, columns in (
        (trace.loop.rows, ("start",)),
        (trace.worker.rows, ("dispatched", "start")),
        (trace.gc.rows, ("start",)),
        (trace.sent.rows, ("sent",)),
    ):
        earliest += [int(rows[column].min()) for column in columns if len(rows)]
    due = trace.loop.rows["due"]
    if np.any(due != 0):
        earliest.append(int(due[due != 0].min()))
    return min(earliest)


def request_spans(trace: RunTrace, phases: PhaseSegments) -> tuple[Any, Any, Any]:
    """Each request sent (in id order), and the span its request event covers.

    The client's view (sent .. received) does not hold all of a request's phases: it
    is queued or sending from the run's start, and the server may still be running it
    after the client read the response or gave up. Perfetto drops events that overlap
    their request's event partially, so the event spans all of them; the client's
    stamps are written as ``sent_us`` and ``received_us``.
    """
    sent = sorted_rows(trace.sent.rows, "request")
    done = trace.done.rows
    done = done[np.argsort(done["request"], kind="stable")]
    # The last final state of a request wins, as a dict keyed by request would have it.
    at = np.searchsorted(done["request"], sent["request"], side="right") - 1
    if np.any(at < 0) or not np.array_equal(done["request"][at], sent["request"]):
        raise ValueError("a request sent has no final state")
    done = done[at]
    begin = np.minimum(sent["sent"], done["received"]).astype(np.int64)
    end = done["received"].astype(np.int64).copy()
    if len(phases):
        index = np.searchsorted(sent["request"], phases.request)
        np.minimum.at(begin, index, phases.start)
        np.maximum.at(end, index, phases.end)
    return done, begin, end


def _loop_events(
    loop: npt.NDArray[Any], origin: int, held: dict[tuple[int, int], HeldAt]
) -> Iterator[str]:
    request = _numbers(loop["request"])
    due = _optional(',"due_us":', _micros(loop["due"], origin), loop["due"] != 0)
    where = _held_args(held, loop["process"] << PROCESS_SHIFT, loop["start"])
    return _events(
        len(loop),
        ['{"ph":"X","cat":"loop","name":', _names(request, loop["request"] > 0)],
        [',"pid":', _pids(loop["process"])],
        [',"tid":0,"ts":', _numbers(_micros(loop["start"], origin))],
        [',"dur":', _numbers((loop["end"] - loop["start"]) / 1000)],
        [',"args":{"request":', _nullable(request, loop["request"] > 0), due, where, "}},\n"],
    )


def _worker_events(
    trace: RunTrace,
    worker: npt.NDArray[Any],
    lane: npt.NDArray[Any],
    unfinished: npt.NDArray[np.bool_],
    origin: int,
    held: dict[tuple[int, int], HeldAt],
) -> Iterator[str]:
    request = _numbers(worker["request"])
    core_wait = _optional(',"core_wait_us":', worker["core_wait"] / 1000, worker["core_wait"] >= 0)
    still = [',"unfinished":true' if flag else "" for flag in unfinished.tolist()]
    labels = trace.labels
    func = [
        ',"func":' + _text(labels[f]) if 0 <= f < len(labels) else ""
        for f in worker["func"].tolist()
    ]
    kinds = {pool.id: _text(pool.kind) for pool in trace.pools.values()}
    pool = [
        ',"pool":' + kinds.get(p, '"anyio"') + ',"pool_id":' + str(p)
        for p in worker["pool"].tolist()
    ]
    return _events(
        len(worker),
        ['{"ph":"X","cat":"worker","name":', _names(request, worker["request"] > 0)],
        [',"pid":', _pids(process_of(lane)), ',"tid":', _numbers(local_thread(lane))],
        [',"ts":', _numbers(_micros(worker["start"], origin))],
        [',"dur":', _numbers((worker["end"] - worker["start"]) / 1000)],
        [',"args":{"request":', _nullable(request, worker["request"] > 0)],
        # A run still going has spent CPU nobody measured yet: unknown, not -1 ns.
        [',"cpu_us":', _nullable(_numbers(worker["cpu"] / 1000), ~unfinished)],
        [',"dispatched_us":', _numbers(_micros(worker["dispatched"], origin))],
        [core_wait, still, func, pool],
        [_held_args(held, worker["thread"], worker["start"]), "}},\n"],
    )


def _held_args(
    held: dict[tuple[int, int], HeldAt], lane: npt.NDArray[Any], start: npt.NDArray[Any]
) -> list[str]:
    """Where each slice was held, as arguments, for the slices the server sampled."""
    if not held:
        return [""] * len(start)
    return [
        _held_text(held[key]) if (key := (lane_, start_)) in held else ""
        for lane_, start_ in zip(lane.tolist(), start.tolist(), strict=True)
    ]


def _held_text(place: HeldAt) -> str:
    return (
        ',"stack":'
        + orjson.dumps(list(place.stack)).decode()
        + ',"held_at":'
        + _text(place.where)
        + ',"code":'
        + _text(place.code)
        + ',"samples":'
        + str(place.samples)
        + (',"caller":' + _text(place.caller) if place.caller else "")
    )


def _text(value: str) -> str:
    """A JSON string."""
    return orjson.dumps(value).decode()


def _gc_events(trace: RunTrace, lane_of_thread: dict[int, int], origin: int) -> Iterator[str]:
    """The collector's pauses on the loop's and the run's workers' lanes."""
    pauses = sorted_rows(trace.gc.rows, "start")
    tid = np.array([lane_of_thread.get(key, -1) for key in pauses["lane"].tolist()], np.int64)
    pauses, tid = pauses[tid >= 0], tid[tid >= 0]
    return _events(
        len(pauses),
        ['{"ph":"X","cat":"gc","name":"garbage collection","pid":', _pids(process_of(tid))],
        [',"tid":', _numbers(local_thread(tid))],
        [',"ts":', _numbers(_micros(pauses["start"], origin))],
        [',"dur":', _numbers((pauses["end"] - pauses["start"]) / 1000)],
        [',"args":{"generation":', _numbers(pauses["generation"]), "}},\n"],
    )


def _request_events(trace: RunTrace, phases: PhaseSegments, origin: int) -> Iterator[str]:
    sent = sorted_rows(trace.sent.rows, "request")
    done, begin, end = request_spans(trace, phases)
    ids = _numbers(sent["request"])
    labels = [orjson.dumps(o.label).decode() for o in Outcome]
    stamps = _stamps(trace, sent["request"], origin)
    return _events(
        len(sent),
        ['{"ph":"M","name":"thread_name","pid":2,"tid":', ids],
        [',"args":{"name":"request ', ids, '"}},\n'],
        ['{"ph":"X","cat":"request","name":"request ', ids],
        ['","pid":2,"tid":', ids],
        [',"ts":', _numbers(_micros(begin, origin))],
        [',"dur":', _numbers((end - begin) / 1000)],
        [',"args":{"request":', ids, ',"style":' + orjson.dumps(trace.settings.subject).decode()],
        [',"route":', _route_names(trace, sent["request"])],
        [',"status":', _numbers(done["status"].astype(np.int64))],
        [',"outcome":', [labels[code] for code in done["outcome"].tolist()]],
        [',"outcome_code":', _numbers(done["outcome"].astype(np.int64))],
        [',"sent_us":', _numbers(_micros(sent["sent"], origin))],
        [',"received_us":', _numbers(_micros(done["received"], origin)), *stamps, "}},\n"],
    )


def _route_names(trace: RunTrace, requests: npt.NDArray[np.int64]) -> list[str]:
    """Each request's route as JSON (``"GET /items/{item_id}"``), null where unknown."""
    routes = routes_of(trace, requests.tolist())
    return [orjson.dumps(routes[r]).decode() if routes[r] else "null" for r in requests.tolist()]


def _stamps(trace: RunTrace, requests: npt.NDArray[np.int64], origin: int) -> list[Piece]:
    """The server's stamps of each request as optional arguments, the last of a kind winning."""
    rows = trace.stamp.rows
    pieces: list[Piece] = []
    for kind, key in STAMP_ARGS.items():
        mine = rows[rows["kind"] == kind]
        value = np.zeros(len(requests), np.int64)
        present = np.zeros(len(requests), bool)
        at = np.searchsorted(requests, mine["request"])
        known = at < len(requests)
        known[known] = requests[at[known]] == mine["request"][known]
        value[at[known]] = mine["t"][known]  # in row order: a later stamp overwrites
        present[at[known]] = True
        pieces.append(_optional(',"' + key + '":', _micros(value, origin), present))
    return pieces


def _phase_events(phases: PhaseSegments, origin: int) -> Iterator[str]:
    names = {int(phase): '"' + phase.name.lower() + '"' for phase in Phase}
    request = _numbers(phases.request)
    return _events(
        len(phases),
        ['{"ph":"X","cat":"phase","name":', [names[p] for p in phases.phase.tolist()]],
        [',"pid":2,"tid":', request],
        [',"ts":', _numbers(_micros(phases.start, origin))],
        [',"dur":', _numbers((phases.end - phases.start) / 1000)],
        [',"args":{"request":', request, "}},\n"],
    )


# -- pieces ------------------------------------------------------------------------------------


def _events(count: int, *groups: list[Piece]) -> Iterator[str]:
    """``count`` events, each the pieces of ``groups`` in order and a line end, in pieces."""
    pieces = [piece for group in groups for piece in group]
    width = len(pieces)
    for lo in range(0, count, EVENTS_PER_PIECE):
        hi = min(lo + EVENTS_PER_PIECE, count)
        parts: list[str] = [""] * ((hi - lo) * width)
        for i, piece in enumerate(pieces):
            parts[i::width] = [piece] * (hi - lo) if isinstance(piece, str) else piece[lo:hi]
        yield "".join(parts)


def _meta(kind: str, pid: int | list[str], tid: Piece, names: list[str]) -> Iterator[str]:
    head = '{"ph":"M","name":"' + kind + '","pid":'
    pids = str(pid) if isinstance(pid, int) else pid
    return _events(len(names), [head, pids, ',"tid":', tid, ',"args":{"name":"', names, '"}},\n'])


def _pids(processes: npt.NDArray[Any]) -> list[str]:
    """The file pid of each event's server process."""
    return _numbers(file_pids(processes.astype(np.int64)))


def _micros(ns: npt.NDArray[np.int64], t0: int) -> npt.NDArray[np.float64]:
    # (ns - t0) / 1000 is already the double nearest the value to three decimals, so it
    # is what ``round(..., 3)`` in to_chrome gives.
    return (ns.astype(np.int64) - t0) / 1000


def _numbers(values: npt.NDArray[Any]) -> list[str]:
    """Each value as JSON: orjson encodes a numpy array in C, ``split`` cuts it up.

    Text, not bytes: ``str.join`` of millions of pieces is several times faster than
    ``bytes.join``, which asks each piece for a buffer.
    """
    if len(values) == 0:
        return []
    kind = np.float64 if values.dtype.kind == "f" else np.int64
    text = orjson.dumps(np.ascontiguousarray(values, kind), option=orjson.OPT_SERIALIZE_NUMPY)
    return text[1:-1].decode().split(",")


def _names(request: list[str], has_request: npt.NDArray[np.bool_]) -> list[str]:
    return [
        '"request ' + r + '"' if own else '"server"'
        for r, own in zip(request, has_request.tolist(), strict=True)
    ]


def _nullable(values: list[str], present: npt.NDArray[np.bool_]) -> list[str]:
    return [v if own else "null" for v, own in zip(values, present.tolist(), strict=True)]


def _optional(prefix: str, values: npt.NDArray[Any], present: npt.NDArray[np.bool_]) -> list[str]:
    """``prefix`` and the value where present, nothing where not."""
    return [
        prefix + v if own else "" for v, own in zip(_numbers(values), present.tolist(), strict=True)
    ]
