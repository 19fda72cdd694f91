"""The measured events of a parsed trace file, read into a RunTrace column by column.

A loop over the events doing a dozen dict lookups and conversions each cost 1.1 s
at 20,000 requests. Here each field of one category of event is gathered by one
``map`` of an ``itemgetter`` (a C loop) and converted by numpy at once. What is
refused is what the per-event reader refused: a missing field (KeyError), a value
that is not a number (TypeError, ValueError), a time that is not finite, a request
that appears twice.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter, methodcaller
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from server.protocol import HANDLER_END, RESPONSE_END, RESPONSE_START, SERVER_START, Outcome
from visualizer.model._chrome_writer import HEAD as HEAD_TEXT
from visualizer.model.trace import RunTrace

I64 = npt.NDArray[np.int64]
HEAD = HEAD_TEXT.encode()
#: Bytes of events parsed at a time: ~20 ms of holding Python's lock on a slow machine.
PIECE_BYTES = 256 * 1024
#: Times beyond this many ns (146 years) are nonsense, and would not fit an int64.
LIMIT_NS = 2.0**62
_STAMP_ARGS = {
    SERVER_START: "server_start_us",
    RESPONSE_START: "response_start_us",
    RESPONSE_END: "response_end_us",
    HANDLER_END: "handler_end_us",
}
_OUTCOMES = np.array([int(outcome) for outcome in Outcome])


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


class NotInLines(Exception):
    """The file is not laid out one event a line after all: parse it whole."""


def in_lines(
    raw: bytes | bytearray, tell: Callable[[float], None]
) -> tuple[dict[str, Any], Iterator[list[Any]]] | None:
    """The file's top level, and its events piece by piece, if laid out one event a line.

    One ``orjson.loads`` of a whole file holds Python's lock for as long as it parses,
    and its million dicts, all alive at once, make each collection of the garbage
    collector walk them all (pauses of 100-300 ms): a thread reading a file froze the
    GUI thread. JSON strings cannot hold a raw newline, so the events can be cut at
    line ends and parsed a quarter megabyte at a time, each piece read into columns and
    dropped before the next. The pieces raise NotInLines where a whole parse could
    disagree (a piece that does not parse, a comma missing between two): the caller
    then parses the whole file, for the error a whole parse gives. None if the file
    does not even start or end as write_trace's do (older files, other tools').
    """
    if not raw.startswith(HEAD):
        return None
    tail = raw.rfind(b"\n],")
    if tail < len(HEAD) - 1 or b'"traceEvents"' in raw[tail:]:
        return None
    try:
        top = orjson.loads(b'{"traceEvents":[]' + raw[tail + 2 :])
    except orjson.JSONDecodeError:
        return None
    return (top, _pieces(raw, tail, tell)) if isinstance(top, dict) else None


def _pieces(
    raw: bytes | bytearray, tail: int, tell: Callable[[float], None]
) -> Iterator[list[Any]]:
    at = len(HEAD)
    while at < tail:
        end = raw.find(b"\n", min(at + PIECE_BYTES, tail))
        end = tail if end < 0 or end > tail else end
        piece = raw[at:end]
        if end < tail:  # a comma after each piece but the last
            if not piece.endswith(b","):
                raise NotInLines
            piece = piece[:-1]
        try:
            events = orjson.loads(b"[" + piece + b"]")
        except orjson.JSONDecodeError:
            raise NotInLines from None
        at = end + 1
        tell(at / len(raw))
        yield events


def read_events(trace: RunTrace, pieces: Iterable[list[Any]]) -> None:
    """Fill ``trace`` from the ``X`` events of the categories schedviz measures."""
    tables: dict[str, list[npt.NDArray[Any]]] = {
        name: [] for name in ("loop", "worker", "worker_start", "gc", "sent", "done", "stamp")
    }
    for events in pieces:
        by_category: dict[str, list[dict[str, Any]]] = {
            "loop": [],
            "worker": [],
            "gc": [],
            "request": [],
        }
        for event in events:
            if event.get("ph") == "X":
                found = by_category.get(event.get("cat"))
                if found is not None:
                    found.append(event)
        tables["loop"].append(_read_loop(trace, by_category["loop"]))
        ended, going = _read_worker(trace, by_category["worker"])
        tables["worker"].append(ended)
        tables["worker_start"].append(going)
        tables["gc"].append(_read_gc(trace, by_category["gc"]))
        sent, done, stamp = _read_requests(trace, by_category["request"])
        tables["sent"].append(sent)
        tables["done"].append(done)
        tables["stamp"].append(stamp)
    joined = {
        name: np.concatenate(parts) if parts else getattr(trace, name).rows[:0]
        for name, parts in tables.items()
    }
    if len(np.unique(joined["sent"]["request"])) != len(joined["sent"]):
        raise ValueError("a request appears more than once")
    for name, rows in joined.items():
        getattr(trace, name).extend(rows)


def _read_loop(trace: RunTrace, events: list[dict[str, Any]]) -> npt.NDArray[Any]:
    start, end, args = _times(events)
    rows = np.zeros(len(events), trace.loop.dtype)
    rows["start"], rows["end"], rows["request"] = start, end, _requests(args)
    due = list(map(methodcaller("get", "due_us"), args))
    has_due = np.array([value is not None for value in due], bool)
    rows["due"][has_due] = _ns([value for value in due if value is not None])
    return rows


def _read_worker(
    trace: RunTrace, events: list[dict[str, Any]]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Worker runs that ended, and the starts of those still going when the trace ended
    (``args.unfinished``: their end in the file is the trace's, not theirs)."""
    start, end, args = _times(events)
    rows = np.zeros(len(events), trace.worker.dtype)
    rows["request"], rows["start"], rows["end"] = _requests(args), start, end
    rows["dispatched"] = _ns(list(map(itemgetter("dispatched_us"), args)))
    rows["cpu"] = _ns(list(map(itemgetter("cpu_us"), args)))
    # A lane of the file is one worker thread: the lane number stands for the thread.
    rows["thread"] = _ints(list(map(itemgetter("tid"), events)))
    core_wait = list(map(methodcaller("get", "core_wait_us"), args))
    known = np.array([value is not None for value in core_wait], bool)
    rows["core_wait"] = -1
    rows["core_wait"][known] = _ns([value for value in core_wait if value is not None])
    still = np.array([arg.get("unfinished") is True for arg in args], bool)
    going = np.zeros(int(still.sum()), trace.worker_start.dtype)
    for name in going.dtype.names or ():
        going[name] = rows[name][still]
    return rows[~still], going


def _read_gc(trace: RunTrace, events: list[dict[str, Any]]) -> npt.NDArray[Any]:
    start, end, args = _times(events)
    rows = np.zeros(len(events), trace.gc.dtype)
    rows["start"], rows["end"] = start, end
    rows["generation"] = _ints(list(map(itemgetter("generation"), args)))
    # As for workers: the file's lane stands for the thread (0, the event loop's).
    rows["lane"] = _ints(list(map(itemgetter("tid"), events)))
    return rows


def _read_requests(
    trace: RunTrace, events: list[dict[str, Any]]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    start, end, args = _times(events)
    request = _requests(args)
    outcome = _ints([arg.get("outcome_code", Outcome.OK) for arg in args])
    if not np.isin(outcome, _OUTCOMES).all():
        raise ValueError(f"{outcome[~np.isin(outcome, _OUTCOMES)][0]} is not a valid Outcome")
    # Files since the request event spans all its phases carry the client's stamps.
    if args and "sent_us" in args[0]:
        start = _ns(list(map(itemgetter("sent_us"), args)))
        end = _ns(list(map(itemgetter("received_us"), args)))
    sent = np.zeros(len(events), trace.sent.dtype)
    sent["request"], sent["sent"] = request, start
    done = np.zeros(len(events), trace.done.dtype)
    done["request"], done["sent"], done["received"] = request, start, end
    done["status"] = _ints(list(map(methodcaller("get", "status", 0), args)))
    done["outcome"] = outcome
    stamps = []
    for kind, key in _STAMP_ARGS.items():
        value = list(map(methodcaller("get", key), args))
        has = np.array([v is not None for v in value], bool)
        rows = np.zeros(int(has.sum()), trace.stamp.dtype)
        rows["request"], rows["kind"] = request[has], kind
        rows["t"] = _ns([v for v in value if v is not None])
        stamps.append(rows)
    # Request by request, as they were written: each request's stamps in kind order.
    stamp = np.concatenate(stamps)
    return sent, done, stamp[np.argsort(stamp["request"], kind="stable")]


def _times(events: list[dict[str, Any]]) -> tuple[I64, I64, list[dict[str, Any]]]:
    start = _ns(list(map(itemgetter("ts"), events)))
    end = start + _ns(list(map(itemgetter("dur"), events)))
    args = [event.get("args") or {} for event in events]
    return start, end, args


def _requests(args: list[dict[str, Any]]) -> I64:
    return _ints([arg.get("request") or 0 for arg in args])


def _ns(micros: list[Any]) -> I64:
    """Microseconds (numbers) as whole nanoseconds, rounded half to even like ``round``."""
    values = np.array(micros, np.float64) * 1000 if micros else np.zeros(0)
    if values.ndim != 1:
        raise ValueError("a time is not a number")
    bad = ~(np.abs(values) < LIMIT_NS)  # NaN fails this too
    if bad.any():
        raise ValueError(f"time {micros[int(np.flatnonzero(bad)[0])]!r} is not a finite number")
    return np.rint(values).astype(np.int64)


def _ints(values: list[Any]) -> I64:
    numbers = np.array(values, np.float64) if values else np.zeros(0)
    if numbers.ndim != 1 or not (np.abs(numbers) < LIMIT_NS).all():
        raise ValueError("an id or code is not a number")
    return numbers.astype(np.int64)
