"""The reader against thousands of damaged files: its own error or a sane run, nothing else.

Seeded mutations of recorded traces and of one made here: byte flips, deletions,
truncations, a field given the wrong type or a negative, NaN, huge or 5,000-digit
number, deep nesting, duplicated and dropped events, swapped ids. Whatever a file
holds, read_trace either refuses it with TraceFileError or gives a run whose figures
make sense (every request once with a final state, no negative duration or latency).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import schedviz
from server.protocol import RESPONSE_END, RESPONSE_START, SERVER_START, Outcome
from visualizer.model import _trace_lines
from visualizer.model.analysis import analyse
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import write_trace

DATA = Path(__file__).resolve().parents[1] / "data"
MUTATIONS_PER_FILE = 500
ODD_VALUES: list[str] = [
    "-1",
    "-1e9",
    "NaN",
    "Infinity",
    "1e308",
    "-0.0",
    str(2**63),
    str(2**64 + 1),
    "9" * 5000,
    '"12"',
    "null",
    "true",
    "[]",
    "{}",
    str(2**31),
    "0",
    "[" * 5000 + "]" * 5000,
    '{"a":' * 2000 + "1" + "}" * 2000,
]
FIELDS = ["ts", "dur", "tid", "pid", "ph", "cat", "name", "args"]
ARGS = [
    "request",
    "due_us",
    "dispatched_us",
    "cpu_us",
    "generation",
    "status",
    "outcome_code",
    "server_start_us",
    "response_start_us",
    "response_end_us",
    "name",
]


def synthesised() -> RunTrace:
    """Three requests: one on the loop, one on a worker, one failed, with a gc pause."""
    trace = RunTrace(settings=RunSettings(style="mixed", concurrency=3, requests=3, work_ms=10))
    ms = 1_000_000
    trace.sent.extend([(1, 0), (2, 1 * ms), (3, 2 * ms)])
    trace.done.extend(
        [
            (1, 0, 20 * ms, 200, int(Outcome.OK)),
            (2, 1 * ms, 30 * ms, 200, int(Outcome.OK)),
            (3, 2 * ms, 40 * ms, 0, int(Outcome.TIMEOUT)),
        ]
    )
    trace.loop.extend(
        [(1 * ms, 11 * ms, 1, 0), (12 * ms, 13 * ms, 2, 0), (14 * ms, 15 * ms, 0, 9 * ms)]
    )
    trace.worker.extend([(2, 13 * ms, 15 * ms, 25 * ms, 3 * ms, 77, 1 * ms)])
    trace.gc.extend([(5 * ms, 6 * ms, 2, 0)])
    for request, start, end in ((1, 1, 19), (2, 12, 29)):
        trace.stamp.extend(
            [
                (request, SERVER_START, start * ms),
                (request, RESPONSE_START, end * ms),
                (request, RESPONSE_END, end * ms),
            ]
        )
    trace.ended = "complete"
    return trace


def _line_mutation(rng: random.Random, lines: list[bytes]) -> list[bytes]:
    """One event line changed as JSON: a field or argument given an odd value."""
    at = rng.randrange(1, len(lines) - 1)
    text = lines[at].rstrip(b",")
    comma = lines[at][len(text) :]
    event = json.loads(text)
    odd = rng.choice(ODD_VALUES)
    if rng.random() < 0.5 and isinstance(event.get("args"), dict):
        event["args"][rng.choice(ARGS)] = "@ODD@"
    else:
        event[rng.choice(FIELDS)] = "@ODD@"
    changed = json.dumps(event, separators=(",", ":")).replace('"@ODD@"', odd)
    return [*lines[:at], changed.encode() + comma, *lines[at + 1 :]]


def _events_mutation(rng: random.Random, lines: list[bytes]) -> list[bytes]:
    """Events duplicated, dropped, moved or their request ids swapped."""
    body = list(lines[1:-1])
    last_comma = body[-1]
    body[-1] = last_comma + b","
    how = rng.randrange(4)
    a, b = rng.randrange(len(body)), rng.randrange(len(body))
    if how == 0:
        body.insert(b, body[a])
    elif how == 1:
        del body[a]
    elif how == 2:
        body[a], body[b] = body[b], body[a]
    else:
        ids = [
            json.loads(line.rstrip(b",")).get("args", {}).get("request")
            for line in (body[a], body[b])
        ]
        if all(isinstance(i, int) for i in ids):
            body[a] = body[a].replace(b'"request":%d' % ids[0], b'"request":%d' % ids[1])
            body[b] = body[b].replace(b'"request":%d' % ids[1], b'"request":%d' % ids[0])
    body[-1] = body[-1].rstrip(b",")
    return [lines[0], *body, lines[-1]]


def mutate(rng: random.Random, raw: bytes) -> bytes:
    how = rng.randrange(6)
    if how == 0:  # byte flips
        data = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if how == 1:  # a deletion
        at = rng.randrange(len(raw))
        return raw[:at] + raw[at + rng.randint(1, 200) :]
    if how == 2:  # a truncation
        return raw[: rng.randrange(len(raw))]
    lines = raw.rstrip(b"\n").split(b"\n")
    lines = _line_mutation(rng, lines) if how in (3, 4) else _events_mutation(rng, lines)
    return b"\n".join(lines) + b"\n"


def check_sane(trace: RunTrace) -> None:
    """What any run the reader accepts must be: drawable, with figures that make sense."""
    sent, done = trace.sent.rows, trace.done.rows
    assert len(np.unique(sent["request"])) == len(sent) == len(done)
    assert set(sent["request"].tolist()) == set(done["request"].tolist())
    assert (done["received"] >= done["sent"]).all() and (done["sent"] >= trace.t0).all()
    for table in ("loop", "worker", "gc"):
        rows = getattr(trace, table).rows
        assert (rows["end"] >= rows["start"]).all(), table
    result = analyse(trace)
    timeline, summary = result.timeline, result.summary
    assert (timeline.end >= timeline.start).all()
    assert summary.requests == len(sent) and summary.ok + summary.failed == len(sent)
    for value in (*summary.latency_ms.values(), summary.makespan_ms, summary.loop_busy_ms):
        assert math.isfinite(value) and value >= 0, summary
    assert result.report()


def _sources(tmp_path: Path) -> list[tuple[str, bytes]]:
    """Each recorded trace and the synthesised one, as the writer lays them out."""
    sources = []
    for path in sorted(DATA.glob("*.json"))[:3]:
        written = tmp_path / path.name
        write_trace(schedviz.read_trace(path), written)
        sources.append((path.name, written.read_bytes()))
    made = tmp_path / "made.json"
    write_trace(synthesised(), made)
    sources.append(("made", made.read_bytes()))
    return sources


def test_the_sources_read_and_are_sane(tmp_path: Path) -> None:
    for name, raw in _sources(tmp_path):
        path = tmp_path / f"again-{name}"
        path.write_bytes(raw)
        check_sane(schedviz.read_trace(path))


def test_mutated_traces_are_refused_with_the_readers_error_or_read_sanely(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    path = tmp_path / "mutant.json"
    refused = accepted = 0
    for name, raw in _sources(tmp_path):
        for number in range(MUTATIONS_PER_FILE):
            mutant = mutate(rng, raw)
            path.write_bytes(mutant)
            try:
                trace = schedviz.read_trace(path)
            except schedviz.TraceFileError as error:
                assert str(error) and "\n" not in str(error)
                refused += 1
                continue
            except Exception as error:  # the finding, with what it takes to replay it
                (tmp_path / "crash.json").write_bytes(mutant)
                raise AssertionError(f"{name} mutation {number} escaped: {error!r}") from error
            check_sane(trace)
            accepted += 1
    assert refused > 1000 and accepted > 100, (refused, accepted)


#: The tables of a RunTrace that a file fills.
TABLES = ("loop", "worker", "worker_start", "gc", "sent", "done", "stamp")


def _outcome(path: Path) -> tuple[str, Any]:
    """What reading ``path`` gives: its error's message, or every row and figure it read."""
    try:
        trace = schedviz.read_trace(path)
    except schedviz.TraceFileError as error:
        return "refused", str(error)
    tables = {table: getattr(trace, table).rows.tolist() for table in TABLES}
    return "read", (tables, trace.t0, trace.ended, trace.foreign_requests, trace.handler_ends)


def test_typed_decoding_refuses_and_reads_exactly_as_dicts_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The typed road (msgspec) is only faster: every mutant gives the run or the message
    that the road of dicts gives, so nothing it lets through would have been refused."""
    rng = random.Random(20261206)
    path = tmp_path / "mutant.json"
    typed = _trace_lines.decode_typed
    outcomes = {"refused": 0, "read": 0}
    for name, raw in _sources(tmp_path):
        for number in range(MUTATIONS_PER_FILE):
            path.write_bytes(mutate(rng, raw))
            fast = _outcome(path)
            monkeypatch.setattr(_trace_lines, "decode_typed", lambda kind, text: None)
            exact = _outcome(path)
            monkeypatch.setattr(_trace_lines, "decode_typed", typed)
            assert fast == exact, f"{name} mutation {number}"
            outcomes[fast[0]] += 1
    assert outcomes["refused"] > 1000 and outcomes["read"] > 100, outcomes


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda e: e.update(dur=-610_000.0), "'dur' is -610000.0"),
        (lambda e: e.update(ts=float("nan")), "not valid JSON"),
        (lambda e: e["args"].update(request=2**40), "'args.request' is 1099511627776"),
        (lambda e: e["args"].update(request="1"), "'args.request' is '1', not a whole number"),
        (lambda e: e["args"].update(status=True), "'args.status' is True"),
        (lambda e: e.pop("ts"), "'ts' is missing"),
    ],
    ids=["negative-duration", "nan", "id-out-of-range", "id-as-text", "bool-status", "no-ts"],
)
@pytest.mark.nonsense_files
def test_nonsense_is_refused_naming_the_event_and_the_field(
    tmp_path: Path, change: Callable[[dict[str, Any]], object], named: str
) -> None:
    made = tmp_path / "made.json"
    write_trace(synthesised(), made)
    lines = made.read_bytes().split(b"\n")
    at = next(i for i, line in enumerate(lines) if b'"cat":"request"' in line)
    event = json.loads(lines[at].rstrip(b","))
    change(event)
    lines[at] = json.dumps(event, separators=(",", ":")).encode() + b","
    made.write_bytes(b"\n".join(lines))
    with pytest.raises(schedviz.TraceFileError, match=named.replace("(", r"\(")) as caught:
        schedviz.read_trace(made)
    if "JSON" not in named:
        assert f"event {at - 1} (request)" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9" * 5000, "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
        # orjson reads integers beyond 64 bits as floats: refused where an id belongs.
        (str(2**64 + 1), r"event 0 \(loop\) field 'args.request' is 1.8446744073709552e\+19"),
    ],
    ids=["digits", "deep", "u64"],
)
def test_huge_integers_and_deep_nesting_are_the_readers_error(
    tmp_path: Path, value: str, message: str
) -> None:
    path = tmp_path / "odd.json"
    event = f'{{"ph":"X","cat":"loop","tid":0,"ts":1,"dur":1,"args":{{"request":{value}}}}}'
    path.write_text(f'{{"traceEvents":[{event}],"metadata":{{"schedviz":{{}}}}}}')
    with pytest.raises(schedviz.TraceFileError, match=message):
        schedviz.read_trace(path)
