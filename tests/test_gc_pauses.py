"""Garbage-collector pauses are their own slices, never blamed on a request."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest

from server.tracing import GcTracer, ThreadLanes, TraceRecorder
from visualizer.model.analysis import analyse
from visualizer.model.gc_pauses import loop_slices_held
from visualizer.model.replay import cut_trace
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import BarKind
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace, to_chrome, write_trace
from visualizer.runner.session import Session

MS = 1_000_000


def test_the_tracer_records_each_collection_on_the_lane_of_its_thread() -> None:
    recorder = TraceRecorder(ship=lambda frame: None)
    lanes = ThreadLanes()
    lanes.mark_loop_thread()
    tracer = GcTracer(recorder, lanes)
    tracer.install()
    try:
        gc.collect()
    finally:
        tracer.uninstall()
    start, end, generation, lane = recorder.gc[-4:]
    assert 0 < start <= end and generation == 2 and lane == 0


def _trace_with_a_collection_inside_a_slice() -> RunTrace:
    """Request 7's callback ran 100 ms, 80 of them a gen-2 collection on the loop."""
    trace = RunTrace(settings=RunSettings(style="async_sleep", concurrency=1, requests=1))
    trace.t0 = 1
    trace.sent.extend([(7, 1)])
    trace.done.extend([(7, 1, 200 * MS, 200, 0)])
    loop = np.array([[1 * MS, 101 * MS, 7], [150 * MS, 152 * MS, 7]], np.int64)
    no_timers, no_rows = np.empty((0, 4), np.int64), np.empty((0, 3), np.int64)
    gc_rows = np.array([[11 * MS, 91 * MS, 2, 0]], np.int64)
    trace.add_server_events(loop, no_timers, np.empty((0, 6), np.int64), no_rows, gc_rows)
    return trace


def test_a_slice_holds_the_loop_for_its_length_less_the_collection_inside_it() -> None:
    slices, held = loop_slices_held(_trace_with_a_collection_inside_a_slice())
    # Drawn whole; counted as 20 ms, not 100 (and a tiny gen-0 pause in a long
    # blocking slice does not cut the block it is in into two shorter ones).
    assert (slices["end"] - slices["start"]).tolist() == [100 * MS, 2 * MS]
    assert held.tolist() == [20 * MS, 2 * MS]


def test_the_story_blames_the_collector_not_the_request() -> None:
    result = analyse(_trace_with_a_collection_inside_a_slice())
    block = result.summary.longest_loop_block
    assert block is not None and block.duration_ms == pytest.approx(20, abs=0.01)
    assert not any("blocked the event loop for 100 ms" in line for line in result.story)
    assert any(
        line.startswith("The garbage collector paused the server 1 time") for line in result.story
    )
    timeline = result.timeline
    gc_bars = np.flatnonzero(timeline.kind == BarKind.GC)
    assert len(gc_bars) == 1 and timeline.lane[gc_bars[0]] == 0  # on the event loop's lane
    assert timeline.request[gc_bars[0]] == 0


@pytest.mark.live
def test_the_built_in_server_freezes_its_start_up_garbage(session: Session) -> None:
    assert session.hello["gc_frozen"] > 10_000  # FastAPI, pydantic, uvicorn: out of sight


def test_pauses_and_foreign_requests_survive_the_trace_file(tmp_path: Path) -> None:
    trace = _trace_with_a_collection_inside_a_slice()
    trace.foreign_requests = 3
    write_trace(trace, tmp_path / "t.json")
    again = read_trace(tmp_path / "t.json")
    assert again.foreign_requests == 3
    # The file counts from the start of the run (t0 = 1 ns here).
    assert again.gc.rows[["start", "end", "generation", "lane"]].tolist() == [
        (11 * MS - 1, 91 * MS - 1, 2, 0)
    ]
    assert to_chrome(again) == to_chrome(trace)


def test_a_replay_cut_keeps_the_pause_it_is_inside_of() -> None:
    cut = cut_trace(_trace_with_a_collection_inside_a_slice(), 50 * MS)
    assert cut.gc.rows[["start", "end"]].tolist() == [(11 * MS, cut.t0 + 50 * MS)]
