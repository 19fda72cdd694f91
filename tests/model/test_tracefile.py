"""The trace file: Chrome Trace Event Format that round-trips, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from visualizer.model.timeline import build_timeline
from visualizer.model.tracefile import TraceFileError, read_trace, to_chrome, write_trace


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
