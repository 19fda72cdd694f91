"""Every trace schedviz ships or writes opens in Perfetto whole: strict JSON, no
negative ``ts``, ``X`` events on one lane that nest (tests/_nesting.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _nesting import nesting_problems

from server.protocol import Outcome
from visualizer.model.phases import derive_phases
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace, write_trace

ROOT = Path(__file__).parent.parent.parent
SHIPPED = sorted((ROOT / "visualizer" / "examples").glob("*.json")) + sorted(
    (ROOT / "tests" / "data").glob("*.json")
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_trace_nests(path: Path) -> None:
    assert nesting_problems(path) == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_trace_written_again_nests_and_reads_back(path: Path, tmp_path: Path) -> None:
    trace = read_trace(path)
    write_trace(trace, tmp_path / "again.json")
    assert nesting_problems(tmp_path / "again.json") == []
    again = read_trace(tmp_path / "again.json")
    assert again.sent.rows.tolist() == trace.sent.rows.tolist()
    assert again.done.rows.tolist() == trace.done.rows.tolist()
    # The client-side phases are written for Perfetto, and the same ones come back.
    events = json.loads((tmp_path / "again.json").read_text())["traceEvents"]
    written = {e["name"] for e in events if e.get("cat") == "phase"}
    assert "sending" in written
    before, after = derive_phases(trace), derive_phases(again)
    assert after.phase.tolist() == before.phase.tolist()
    assert (after.end - after.start).tolist() == (before.end - before.start).tolist()


def test_a_handler_running_after_a_timeout_and_a_slice_before_the_run_nest(
    tmp_path: Path,
) -> None:
    ms = 1_000_000
    trace = RunTrace(settings=RunSettings(concurrency=1), t0=100 * ms)
    trace.sent.extend([(1, 101 * ms)])
    # The client gave up at 200 ms; the handler ran on the loop until 700 ms.
    trace.done.extend([(1, 101 * ms, 200 * ms, 0, int(Outcome.TIMEOUT))])
    trace.loop.extend([(95 * ms, 102 * ms, 0, 0), (102 * ms, 700 * ms, 1, 0)])
    path = tmp_path / "timeout.json"
    write_trace(trace, path)
    assert nesting_problems(path) == []
    back = read_trace(path)
    # The idle slice began 5 ms before the run: the run starts 5 ms into the file.
    assert back.t0 == 5 * ms
    assert back.sent.rows["sent"].tolist() == [6 * ms]
    assert back.done.rows["received"].tolist() == [105 * ms]
