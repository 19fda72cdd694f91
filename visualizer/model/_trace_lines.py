"""A file laid out one event a line, cut into batches of one category each by its bytes.

Parsing every event of a 20,000-request run into dicts, and sorting the dicts by
category in a Python loop, took most of a second; more than half of the events are
phases, which the reader never uses (they are derived again from the measured
events). Each line that write_trace writes begins with its kind
(``{"ph":"X","cat":"loop",``...), so numpy tells the lines apart by their first bytes,
and only the lines of measured events and lane names are parsed: a quarter megabyte of
one category at a time, so that one parse never holds Python's lock for long.

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

HEAD = HEAD_TEXT.encode()
#: Bytes of events parsed at a time: ~20 ms of holding Python's lock on a slow machine.
PIECE_BYTES = 256 * 1024
#: How each kind of line that write_trace writes begins; the key is the Batch's.
PREFIXES = {
    "loop": b'{"ph":"X","cat":"loop",',
    "worker": b'{"ph":"X","cat":"worker",',
    "gc": b'{"ph":"X","cat":"gc",',
    "request": b'{"ph":"X","cat":"request",',
    "M": b'{"ph":"M",',
}
PHASE = b'{"ph":"X","cat":"phase",'
#: Lines of no known kind are parsed and sorted one by one.
OTHER = "other"
_WIDTH = max(len(p) for p in (*PREFIXES.values(), PHASE))


class NotInLines(Exception):
    """The file is not laid out one event a line after all: parse it whole."""


def in_lines(
    raw: bytes | bytearray, tell: Callable[[float], None]
) -> tuple[dict[str, Any], Iterator[Batch]] | None:
    """The file's top level, and batches of its events, if laid out one event a line.

    None if the file does not even start or end as write_trace's do (older files, other
    tools'). The batches raise NotInLines where a whole parse could disagree (a line
    that is not one event, a comma missing between two): the caller then parses the
    whole file, for the error a whole parse gives.
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
    return (top, _batches(raw, tail, tell)) if isinstance(top, dict) else None


def _batches(raw: bytes | bytearray, tail: int, tell: Callable[[float], None]) -> Iterator[Batch]:
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
            events = _parse(raw, starts[piece], stops[piece])
            done += int(sizes[piece].sum())
            tell(done / total)
            yield _batch(name, events, piece)


def _kinds(data: npt.NDArray[np.uint8], starts: Any, stops: Any) -> npt.NDArray[np.int64]:
    """Each line's kind: an index of PREFIXES, len(PREFIXES) for a phase, one more if none.

    Told by two bytes of each line, ``ph``'s value and the category's first letter:
    the parsed batches are checked for their kind afterwards (:func:`_batch`). Only a
    line taken for a phase, which is skipped unparsed, is compared with the whole of
    PHASE, byte by byte (one gather of every line's first bytes as a 2-D array cost
    0.3 s in index arithmetic alone).
    """
    last = len(data) - 1
    ph, first = data[np.minimum(starts + 7, last)], data[np.minimum(starts + 17, last)]
    long_enough = stops - starts > len(PHASE)
    kinds = np.full(len(starts), len(PREFIXES) + 1, np.int64)
    for kind, prefix in enumerate(PREFIXES.values()):
        same = (ph == prefix[7]) & long_enough
        kinds[same & (first == prefix[17]) if prefix[7] == ord("X") else same] = kind
    phase = np.flatnonzero((ph == ord("X")) & (first == PHASE[17]) & long_enough)
    for offset, byte in enumerate(PHASE):
        phase = phase[data[starts[phase] + offset] == byte]
    kinds[phase] = len(PREFIXES)
    return kinds


def _pieces(lines: npt.NDArray[np.int64], sizes: Any) -> Iterator[npt.NDArray[np.int64]]:
    """``lines`` in runs of about PIECE_BYTES of text each."""
    if len(lines) == 0:
        return
    total = np.cumsum(sizes[lines])
    cuts = np.searchsorted(total, np.arange(PIECE_BYTES, int(total[-1]), PIECE_BYTES))
    yield from (part for part in np.split(lines, np.unique(cuts)) if len(part))


def _parse(raw: bytes | bytearray, starts: Any, stops: Any) -> list[Any]:
    """The events of these lines, one JSON array parsed at once."""
    # Lines next to each other in the file are one slice: their commas are already there.
    breaks = np.flatnonzero(starts[1:] != stops[:-1] + 2) + 1
    first = np.concatenate([[0], breaks]).tolist()
    last = np.concatenate([breaks - 1, [len(starts) - 1]]).tolist()
    text = b",".join(
        raw[begin:end]
        for begin, end in zip(starts[first].tolist(), stops[last].tolist(), strict=True)
    )
    try:
        events = orjson.loads(b"[" + text + b"]")
    except orjson.JSONDecodeError:
        raise NotInLines from None
    if not isinstance(events, list) or len(events) != len(starts):
        raise NotInLines  # a line held more or less than one event
    return events


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
