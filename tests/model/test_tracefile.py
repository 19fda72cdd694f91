"""The trace file: Chrome Trace Event Format that round-trips, and clear errors for bad files."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _worker_traces import MS, THREAD, timed_out_def_requests

from server.protocol import Outcome
from visualizer.model import _trace_lines
from visualizer.model.timeline import build_timeline
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import (
    READ_SHARE,
    TraceFileError,
    read_trace,
    to_chrome,
    write_trace,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def test_saving_and_opening_gives_the_same_timeline(data_dir: Path, tmp_path: Path) -> None:
    original = read_trace(data_dir / "mixed_c6_n12_w100.json")
    write_trace(original, tmp_path / "again.json")
    again = read_trace(tmp_path / "again.json")
    a, b = build_timeline(original), build_timeline(again)
    assert a.lanes == b.lanes
    for column in ("lane", "start", "end", "kind", "request", "cpu"):
        assert np.array_equal(getattr(a, column), getattr(b, column)), column
    assert again.settings == original.settings


def test_the_file_names_every_lane_for_perfetto(data_dir: Path) -> None:
    data = to_chrome(read_trace(data_dir / "sync_sleep_c6_p2_w200.json"))
    names = {
        e["args"]["name"]
        for e in data["traceEvents"]
        if e["ph"] == "M" and e["name"] == "thread_name"
    }
    assert {"event loop", "worker 1", "worker 2"} <= names
    assert {f"request {i}" for i in range(1, 7)} <= names
    categories = {e.get("cat") for e in data["traceEvents"] if e["ph"] == "X"}
    assert categories == {"loop", "worker", "phase", "request"}
    requests = [e for e in data["traceEvents"] if e.get("cat") == "request"]
    assert sorted(e["args"]["request"] for e in requests) == list(range(1, 7))
    assert all(e["args"]["style"] == "sync_sleep" and e["args"]["status"] == 200 for e in requests)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"traceEvents": [', "not valid JSON"),
        ("[1, 2, 3]", "no traceEvents list"),
        ('{"traceEvents": []}', "not one schedviz wrote"),
        (
            '{"traceEvents": [], "metadata": {"schedviz": {"settings": {"concurrency": 0}}}}',
            "concurrency 0 is out of range",
        ),
        (
            '{"traceEvents": [{"ph": "X", "cat": "loop", "ts": "soon", "dur": 1}],'
            ' "metadata": {"schedviz": {}}}',
            "cannot read",
        ),
    ],
    ids=["truncated", "other-shape", "foreign-trace", "bad-settings", "bad-event"],
)
def test_a_file_that_is_not_a_trace_gets_a_clear_message(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(TraceFileError, match=message):
        read_trace(path)


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "picture.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(TraceFileError, match="not a text file"):
        read_trace(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TraceFileError, match="cannot read"):
        read_trace(tmp_path / "nowhere.json")


def test_recorded_files_are_plain_json_objects(data_dir: Path) -> None:
    data = json.loads((data_dir / "async_sleep_c10_w200.json").read_text())
    assert data["metadata"]["schedviz"]["format"] == 1
    assert data["metadata"]["schedviz"]["versions"]["python"]


def _with_everything(trace: RunTrace) -> RunTrace:
    """``trace`` plus a failed request, a late timer and a server slice: every optional field."""
    richer = RunTrace(settings=trace.settings, t0=trace.t0, versions=dict(trace.versions))
    richer.ended = trace.ended
    for table in ("sent", "loop", "worker", "stamp"):
        getattr(richer, table).extend(getattr(trace, table).rows)
    done = trace.done.rows.copy()
    done["outcome"][0], done["status"][0] = int(Outcome.TIMEOUT), 0
    richer.done.extend(done)
    loop = trace.loop.rows[:2].copy()
    loop["due"][0] = loop["start"][0] - 3_000_000
    loop["request"][1] = 0
    richer.loop.extend(loop)
    return richer


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.json")))
def test_the_written_file_holds_exactly_the_events_of_to_chrome(name: str, tmp_path: Path) -> None:
    """The fast writer means what the readable one says, event by event, in order."""
    trace = _with_everything(read_trace(DATA / name))
    write_trace(trace, tmp_path / "out.json")
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert written == to_chrome(trace)


def test_saving_and_opening_keeps_every_measured_row(tmp_path: Path) -> None:
    original = _with_everything(read_trace(DATA / "sync_sleep_c6_p2_w200.json"))
    write_trace(original, tmp_path / "again.json")
    again = read_trace(tmp_path / "again.json")
    for table in ("sent", "done", "loop", "stamp"):
        assert np.array_equal(
            np.sort(getattr(again, table).rows), np.sort(getattr(original, table).rows)
        ), table
    # Worker threads come back as their lane numbers, in order of first use.
    worker = np.sort(original.worker.rows, order="start")
    back = np.sort(again.worker.rows, order="start")
    for column in ("request", "dispatched", "start", "end", "cpu"):
        assert np.array_equal(back[column], worker[column]), column


@pytest.mark.parametrize(
    "event",
    [
        '{"ph": "X", "cat": "loop", "ts": 1e300, "dur": 1, "args": {}}',
        '{"ph": "X", "cat": "loop", "ts": null, "dur": 1, "args": {}}',
        '{"ph": "X", "cat": "worker", "ts": 1, "dur": 1, "tid": 1, "args": {"cpu_us": 1}}',
        '{"ph": "X", "cat": "request", "ts": 1, "dur": 1, "args": {"outcome_code": 77}}',
        '"not an event"',
    ],
    ids=["huge-time", "null-time", "no-dispatch", "bad-outcome", "not-an-object"],
)
def test_an_event_with_nonsense_is_refused_with_the_file_error(tmp_path: Path, event: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(f'{{"traceEvents": [{event}], "metadata": {{"schedviz": {{}}}}}}')
    with pytest.raises(TraceFileError, match="cannot read"):
        read_trace(path)


def test_reading_reports_progress_up_to_the_whole_and_stops_when_told(tmp_path: Path) -> None:
    shares: list[float] = []
    read_trace(DATA / "mixed_c6_n12_w100.json", shares.append)
    assert shares == sorted(shares) and shares[-1] == 1.0 and len(shares) >= 3

    def stop(share: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read_trace(DATA / "mixed_c6_n12_w100.json", stop)


def test_a_file_read_in_many_pieces_reads_as_one_parse_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pieces of a few events each: the same trace, and progress through the parse."""
    original = _with_everything(read_trace(DATA / "mixed_c6_n12_w100.json"))
    path = tmp_path / "pieces.json"
    write_trace(original, path)
    whole = read_trace(path)
    monkeypatch.setattr(_trace_lines, "PIECE_BYTES", 300)
    shares: list[float] = []
    pieces = read_trace(path, shares.append)
    for table in ("sent", "done", "loop", "worker", "stamp"):
        assert np.array_equal(getattr(pieces, table).rows, getattr(whole, table).rows), table
    parsing = [s for s in shares if READ_SHARE < s < 1.0]
    assert len(parsing) >= 20 and parsing == sorted(parsing)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ((b"},\n{", b"}\n{"), "not valid JSON"),  # a comma missing between two events
        ((b'"dur":', b'"dur":,'), "not valid JSON"),
        ((b"\n],", b"\n]]"), "not valid JSON"),
    ],
    ids=["no-comma", "broken-event", "broken-end"],
)
def test_a_damaged_file_in_lines_is_refused_as_a_whole_parse_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: tuple[bytes, bytes], message: str
) -> None:
    path = tmp_path / "damaged.json"
    write_trace(read_trace(DATA / "mixed_c6_n12_w100.json"), path)
    text = path.read_bytes()
    middle = text.index(damage[0], len(text) // 2)
    path.write_bytes(text[:middle] + text[middle:].replace(damage[0], damage[1], 1))
    monkeypatch.setattr(_trace_lines, "PIECE_BYTES", 300)
    with pytest.raises(TraceFileError, match=message):
        read_trace(path)


def test_a_comma_missing_at_any_line_end_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wherever the pieces fall, two events with no comma between them are not JSON."""
    path = tmp_path / "no-comma.json"
    write_trace(read_trace(DATA / "async_blocking_c5_w200.json"), path)
    text = path.read_bytes()
    monkeypatch.setattr(_trace_lines, "PIECE_BYTES", 300)
    line_ends = [i for i in range(len(text) - 2) if text[i : i + 2] == b",\n"]
    assert len(line_ends) > 50
    for at in line_ends:
        path.write_bytes(text[:at] + text[at + 1 :])
        with pytest.raises(TraceFileError, match="not valid JSON"):
            read_trace(path)


def test_a_written_trace_is_read_without_a_dict_per_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every event write_trace writes is decoded straight into a typed object; dicts,
    5x slower, are made only for lines that are not as written (to name what is wrong)."""
    path = tmp_path / "run.json"
    trace = timed_out_def_requests(handlers_end=False)  # one run still going at the end
    trace.gc.extend([(10 * MS, 11 * MS, 2, THREAD)])
    write_trace(trace, path)
    monkeypatch.setattr(_trace_lines, "PIECE_BYTES", 300)
    as_dicts: list[int] = []
    parse = _trace_lines._parse

    def counted(text: bytes, lines: int) -> list[Any]:
        as_dicts.append(lines)
        return parse(text, lines)

    monkeypatch.setattr(_trace_lines, "_parse", counted)
    typed = read_trace(path)
    assert as_dicts == []
    typed_road = _trace_lines.decode_typed
    monkeypatch.setattr(_trace_lines, "decode_typed", lambda kind, text: None)
    dicts = read_trace(path)
    for table in ("loop", "worker", "worker_start", "gc", "sent", "done", "stamp"):
        rows = getattr(typed, table).rows
        assert len(rows) and np.array_equal(rows, getattr(dicts, table).rows), table
    monkeypatch.setattr(_trace_lines, "decode_typed", typed_road)
    # A value of the wrong type (msgspec refuses it), and one out of range (numpy does):
    # each message names the event and the field as the road of dicts words it.
    for wrong, message in ((b'"soon"', "'dur' is 'soon', not a number"), (b"-1", "'dur' is -1,")):
        as_dicts.clear()
        damaged = tmp_path / "damaged.trace"  # not a .json: not checked as a sound file
        damaged.write_bytes(path.read_bytes().replace(b'"dur":', b'"dur":' + wrong + b',"x":', 1))
        with pytest.raises(TraceFileError, match=rf"event 4 \(loop\) field {message}"):
            read_trace(damaged)
        assert as_dicts, "a refusal's message comes from the road of dicts"


def test_the_collector_rests_while_events_are_read_and_works_again_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full collections mid-read stalled every other thread; none may be lost for good."""
    path = tmp_path / "run.json"
    write_trace(read_trace(DATA / "mixed_c6_n12_w100.json"), path)
    monkeypatch.setattr(_trace_lines, "PIECE_BYTES", 300)
    during: list[bool] = []
    read_trace(path, lambda share: during.append(gc.isenabled()) if share > READ_SHARE else None)
    assert during and not any(during[:-1])
    assert gc.isenabled()
    path.write_bytes(path.read_bytes().replace(b'"dur":', b'"dur":"soon",', 1))
    with pytest.raises(TraceFileError):
        read_trace(path)
    assert gc.isenabled()
