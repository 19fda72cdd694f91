"""The measured events of a trace file decoded straight into typed objects, by msgspec.

orjson makes a dict of every event, and the reader then looks each field up in it:
0.20 s for the 100,000 loop slices of a 20,000-request run, decoded and read. msgspec
decodes each line into a slotted object and checks each field's JSON type on the way
(a number where a number belongs, no bool or text for it, an object for ``args``):
0.07 s for the same slices, 0.03 s of it the decoding (0.11 s for orjson's dicts).

This is only a faster road to the same answer, for events laid out as write_trace
writes them: each field it writes, of the JSON type it writes, and no other. The types
of the fields the reader uses are those :mod:`._chrome_reader` asks
:class:`._event_fields.Events` for; their ranges are still checked there, by numpy.
Anything msgspec refuses, and any text that is not plain ASCII (msgspec does not check
UTF-8 as orjson does), returns None: the caller then reads those lines as dicts, the
exact and slower way, whose message names the event and the field. A field added to
the writer must be added here, or its files go the slower way (tests/model/
test_tracefile.py fails); tests/model/test_reader_fuzz.py holds the two roads to the
same outcome on thousands of damaged files.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec


class _Typed(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    """Untracked by the cyclic collector (these hold no cycles, and hundreds of thousands
    of tracked objects would each be walked by every collection). Every field written
    is named, none skipped: msgspec skips a value it is not asked for without orjson's
    limits (a 5,000-digit number, nesting beyond 1,024), so such a line goes the exact way.
    """


class LoopArgs(_Typed):
    request: int | None = None
    due_us: float | None = None
    stack: list[str] | None = None
    held_at: str | None = None
    code: str | None = None
    samples: int | None = None
    caller: str | None = None


class LoopEvent(_Typed):
    ph: Literal["X"]
    cat: Literal["loop"]
    name: str
    pid: int
    tid: int
    ts: float
    dur: float
    args: LoopArgs


class WorkerArgs(_Typed):
    dispatched_us: float
    request: int | None = None
    cpu_us: float | None = None
    core_wait_us: float | None = None
    unfinished: bool | None = None
    func: str | None = None
    pool: str | None = None
    pool_id: int | None = None
    stack: list[str] | None = None
    held_at: str | None = None
    code: str | None = None
    samples: int | None = None
    caller: str | None = None


class WorkerEvent(_Typed):
    ph: Literal["X"]
    cat: Literal["worker"]
    name: str
    pid: int
    tid: int
    ts: float
    dur: float
    args: WorkerArgs


class GcArgs(_Typed):
    generation: int


class GcEvent(_Typed):
    ph: Literal["X"]
    cat: Literal["gc"]
    name: str
    pid: int
    tid: int
    ts: float
    dur: float
    args: GcArgs


class RequestArgs(_Typed):
    request: int
    style: str | None = None
    route: str | None = None
    status: int | None = None
    outcome: str | None = None
    outcome_code: int | None = None
    sent_us: float | None = None
    received_us: float | None = None
    server_start_us: float | None = None
    response_start_us: float | None = None
    response_end_us: float | None = None
    handler_end_us: float | None = None


class RequestEvent(_Typed):
    ph: Literal["X"]
    cat: Literal["request"]
    name: str
    pid: int
    tid: int
    ts: float
    dur: float
    args: RequestArgs


class NameArgs(_Typed):
    name: str


class NameEvent(_Typed):
    """A metadata event: ``process_name`` or ``thread_name`` of a lane."""

    ph: Literal["M"]
    name: str
    pid: int
    tid: int
    args: NameArgs


#: One decoder per kind of line that write_trace writes (the keys of a Batch's events).
_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    "loop": msgspec.json.Decoder(list[LoopEvent]),
    "worker": msgspec.json.Decoder(list[WorkerEvent]),
    "gc": msgspec.json.Decoder(list[GcEvent]),
    "request": msgspec.json.Decoder(list[RequestEvent]),
    "M": msgspec.json.Decoder(list[NameEvent]),
}
KINDS = frozenset(_DECODERS)


def decode_typed(kind: str, text: bytes) -> list[Any] | None:
    """The events of ``text`` (a JSON array of events of ``kind``), or None if in doubt."""
    if not text.isascii():
        return None
    try:
        events: list[Any] = _DECODERS[kind].decode(text)
    except (msgspec.MsgspecError, RecursionError):
        return None
    return events
