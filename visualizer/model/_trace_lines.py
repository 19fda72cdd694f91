"""A file laid out one event a line, cut into batches of one category each by its bytes.

Parsing every event of a 20,000-request run into dicts, and sorting the dicts by
category in a Python loop, took most of a second; more than half of the events are
phases, which the reader never uses (they are derived again from the measured
events). Each line that write_trace writes begins with its kind
(``{"ph":"X","cat":"loop",``...), so numpy tells the lines apart by their first bytes,
and only the lines of measured events and lane names are parsed: a megabyte of one
category at a time, so that one parse never holds Python's lock for long. They are
decoded into typed objects (:mod:`._event_schema`); as dicts only where that refuses
them, so that the message of a refusal names the event and the field.

Lines of a kind the reader does not know are parsed and sorted like a whole file's
events. Phase lines are checked, not parsed: each must look like one JSON object on its
line (ends with a brace; braces, brackets and quotes balanced; no empty member; no
control byte). Any doubt sends the whole file to the exact, slower whole parse. A
phase line damaged in a way these checks cannot see (a digit turned into a letter)
is accepted unread: phases are never drawn from the file, only from measured events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import methodcaller
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from visualizer.model._chrome_reader import Batch
from visualizer.model._chrome_writer import HEAD as HEAD_TEXT
from visualizer.model._event_schema import KINDS, decode_typed

HEAD = HEAD_TEXT.encode()
#: Bytes of events parsed at a time: a few ms of holding Python's lock (typed), ~10 as
#: dicts. Pieces of 256 KB cost 25 ms more at 20,000 requests in calls per piece.
PIECE_BYTES = 1024 * 1024
#: How each kind of line that write_trace writes begins; the key is the Batch's.
PREFIXES = {
    "loop": b'{"ph":"X","cat":"loop",',
    "worker": b'{"ph":"X","cat":"worker",',
    "gc": b'{"ph":"X","cat":"gc",',
    "request": b'{"ph":"X","cat":"request",',
    "M": b'{"ph":"M",',
}
PHASE = b'{"ph":"X","cat":"phase",'
#: Bytes at the end of a file looked at first for the end of its events.
TAIL_BYTES = 64 * 1024
#: A file's bytes: a memoryview of them as read_trace reads them, or the bytes.
Bytes = bytes | bytearray | memoryview
#: Lines of no known kind are parsed and sorted one by one.
OTHER = "other"
#: Bytes of each line's beginning compared with the prefixes: 8-byte words, enough for all.
HEAD_BYTES = 32
assert max(len(p) for p in (*PREFIXES.values(), PHASE)) <= HEAD_BYTES


class NotInLines(Exception):
    """The file is not laid out one event a line after all: parse it whole."""


def in_lines(
    raw: Bytes, tell: Callable[[float], None]
) -> tuple[dict[str, Any], Iterator[Batch]] | None:
    """The file's top level, and batches of its events, if laid out one event a line.

    None if the file does not even start or end as write_trace's do (older files, other
    tools'). The batches raise NotInLines where a whole parse could disagree (a line
    that is not one event, a comma missing between two): the caller then parses the
    whole file, for the error a whole parse gives.
    """
    if bytes(raw[: len(HEAD)]) != HEAD:
        return None
    tail = _last(raw, b"\n],")
    if tail < len(HEAD) - 1 or b'"traceEvents"' in bytes(raw[tail:]):
        return None
    try:
        top = orjson.loads(b'{"traceEvents":[]' + raw[tail + 2 :])
    except orjson.JSONDecodeError:
        return None
    return (top, _batches(raw, tail, tell)) if isinstance(top, dict) else None


def _last(raw: Bytes, text: bytes) -> int:
    """Where ``text`` last begins in ``raw``, -1 if nowhere: looked for in the file's
    tail first (a trace's metadata is short), in a copy of the whole only if not there."""
    tail = max(len(raw) - TAIL_BYTES, 0)
    found = bytes(raw[tail:]).rfind(text)
    return tail + found if found >= 0 else bytes(raw[: tail + len(text) - 1]).rfind(text)


def _batches(raw: Bytes, tail: int, tell: Callable[[float], None]) -> Iterator[Batch]:
    if tail < len(HEAD):  # no events at all
        return
    data = np.frombuffer(raw, np.uint8)
    ends = np.flatnonzero(data[len(HEAD) : tail + 1] == ord("\n")) + len(HEAD)
    starts = np.concatenate([[len(HEAD)], ends[:-1] + 1])
    # Each line but the last ends with the comma between two events; no line is empty.
    commas = data[ends - 1] == ord(",")
    if len(ends) == 0 or (ends - starts < 2).any() or not commas[:-1].all() or commas[-1]:
        raise NotInLines
    stops = ends - commas  # each event's text, without its comma
    kinds = _kinds(data, starts, stops)
    phase = kinds == len(PREFIXES)
    _check_unparsed(data, starts[phase], stops[phase])
    sizes = stops - starts
    total, done = max(int(sizes[~phase].sum()), 1), 0
    for kind, name in enumerate([*PREFIXES, OTHER]):
        lines = np.flatnonzero(kinds == (kind if name != OTHER else len(PREFIXES) + 1))
        for piece in _pieces(lines, sizes):
            text = _array_text(raw, starts[piece], stops[piece])
            done += int(sizes[piece].sum())
            tell(done / total)
            yield _typed_batch(name, text, piece) or _batch(name, _parse(text, len(piece)), piece)


def _kinds(data: npt.NDArray[np.uint8], starts: Any, stops: Any) -> npt.NDArray[np.int64]:
    """Each line's kind: an index of PREFIXES, len(PREFIXES) for a phase, one more if none.

    Told by the whole prefix of each line. The first HEAD_BYTES of every line are
    gathered at once, as items of a view of the file whose items overlap (stride 1),
    and compared 8 bytes at a time under a mask: 8 ms at 20,000 requests, against
    23 ms for a byte-by-byte look at a few bytes, and 0.3 s for a gather of each
    line's bytes as a 2-D array (index arithmetic alone).
    """
    if len(data) < HEAD_BYTES:  # too short for one view item: lines end up "none"
        data = np.concatenate([data, np.zeros(HEAD_BYTES, np.uint8)])
    items = np.ndarray((len(data) - HEAD_BYTES + 1,), f"V{HEAD_BYTES}", data, strides=(1,))
    heads = items[np.minimum(starts, len(items) - 1)].view(np.uint64).reshape(len(starts), -1)
    kinds = np.full(len(starts), len(PREFIXES) + 1, np.int64)
    for kind, prefix in enumerate([*PREFIXES.values(), PHASE]):
        wanted, mask = _words(prefix), _words(b"\xff" * len(prefix))
        # A line longer than the prefix holds it whole: bytes of the next line cannot match.
        same = stops - starts > len(prefix)
        for word in range(-(-len(prefix) // 8)):
            same &= (heads[:, word] & mask[word]) == wanted[word]
        kinds[same] = kind
    return kinds


def _words(text: bytes) -> npt.NDArray[np.uint64]:
    """``text`` padded with zero bytes to HEAD_BYTES, as 8-byte words laid like the file's."""
    return np.frombuffer(text.ljust(HEAD_BYTES, b"\0"), np.uint64)


def _pieces(lines: npt.NDArray[np.int64], sizes: Any) -> Iterator[npt.NDArray[np.int64]]:
    """``lines`` in runs of about PIECE_BYTES of text each."""
    if len(lines) == 0:
        return
    total = np.cumsum(sizes[lines])
    cuts = np.searchsorted(total, np.arange(PIECE_BYTES, int(total[-1]), PIECE_BYTES))
    yield from (part for part in np.split(lines, np.unique(cuts)) if len(part))


def _array_text(raw: Bytes, starts: Any, stops: Any) -> bytes:
    """The events of these lines as the text of one JSON array."""
    # Lines next to each other in the file are one slice: their commas are already there.
    breaks = np.flatnonzero(starts[1:] != stops[:-1] + 2) + 1
    first = np.concatenate([[0], breaks]).tolist()
    last = np.concatenate([breaks - 1, [len(starts) - 1]]).tolist()
    text = b",".join(
        raw[begin:end]
        for begin, end in zip(starts[first].tolist(), stops[last].tolist(), strict=True)
    )
    return b"[" + text + b"]"


def _parse(text: bytes, lines: int) -> list[Any]:
    """The events of a JSON array of ``lines`` lines, one event a line, as dicts."""
    try:
        events = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise NotInLines from None
    if not isinstance(events, list) or len(events) != lines:
        raise NotInLines  # a line held more or less than one event
    return events


def _typed_batch(name: str, text: bytes, lines: npt.NDArray[np.int64]) -> Batch | None:
    """A batch of typed events of one kind, or None if they are not plainly of it."""
    events = decode_typed(name, text) if name in KINDS else None
    if events is None or len(events) != len(lines):
        return None
    batch = Batch(as_dicts=lambda: _batch(name, _parse(text, len(lines)), lines))
    batch.events[name], batch.where[name] = events, lines
    return batch


def _batch(name: str, events: list[Any], lines: npt.NDArray[np.int64]) -> Batch:
    """A batch of one kind, checked to be of it (a key given twice could say otherwise)."""
    where = lines.tolist()
    if name == OTHER:
        return Batch.of(events, where)
    category = "M" if name == "M" else "X"
    key = "ph" if name == "M" else "cat"
    # Every line begins with "{", so each event is an object: only its kind can be wrong.
    if set(map(methodcaller("get", "ph"), events)) != {category} or (
        name != "M" and set(map(methodcaller("get", key), events)) != {name}
    ):
        return Batch.of(events, where)
    batch = Batch()
    batch.events[name], batch.where[name] = events, where
    return batch


def _check_unparsed(data: npt.NDArray[np.uint8], starts: Any, stops: Any) -> None:
    """Lines read without parsing (phases) must each still look like a JSON object.

    Told by counting bytes over their whole stretch of the file at once (a sum per line
    by numpy's reduceat cost 0.7 s, a look-up of every pair of bytes 0.2 s). In objects
    of objects with no arrays, and no commas or colons inside strings, each object of
    k members has k colons and k - 1 commas: so colons = commas - line breaks + objects.
    A brace, quote, colon or comma gained or lost, a value cut out (``"dur":,``), a
    control byte: each breaks a count. Any doubt sends the file to the exact whole parse.
    """
    if len(starts) == 0:
        return
    if (data[stops - 1] != ord("}")).any():
        raise NotInLines
    text = data[int(starts[0]) : int(stops[-1])]
    # numpy compares without Python's lock held (bytes.count holds it): the GUI thread runs.
    count = {byte: np.count_nonzero(text == ord(byte)) for byte in '{}[]":,\n'}
    breaks, objects = count["\n"], count["{"]
    if (
        objects != count["}"]
        or count["["] + count["]"]
        or count['"'] % 2
        or count[":"] != count[","] - breaks + objects
        or np.count_nonzero(text < 0x20) != breaks
    ):
        raise NotInLines
