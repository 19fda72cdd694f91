"""Timeline: lanes in the design's order, and failures drawn in the failed colour."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
from _traces import repeated

from server.protocol import Outcome
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import FAILED_MARK_NS, BarKind, LaneKind, build_timeline
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace


def test_lanes_are_loop_then_workers_in_first_use_then_requests(data_dir: Path) -> None:
    timeline = build_timeline(read_trace(data_dir / "sync_sleep_c6_p2_w200.json"))
    assert [lane.label for lane in timeline.lanes] == [
        "event loop",
        "worker 1",
        "worker 2",
        *(f"request {i}" for i in range(1, 7)),
    ]
    assert [lane.kind for lane in timeline.lanes[:3]] == [
        LaneKind.LOOP,
        LaneKind.WORKER,
        LaneKind.WORKER,
    ]


def test_lanes_add_nothing_for_the_cyclic_collector_to_walk() -> None:
    """A 20,000-request run has 20,000 lanes: as objects the collector tracks, each open
    of such a file set off a full collection of the whole process (70-100 ms holding
    Python's lock, the window frozen)."""
    trace = repeated("async_sleep_c10_w200.json", 200)
    gc.collect()
    before = len(gc.get_objects())
    timeline = build_timeline(trace)
    gc.collect()
    assert len(timeline.lanes) > 2_000
    assert len(gc.get_objects()) - before < 100


def test_a_failed_request_ends_in_the_failed_colour_at_its_receipt() -> None:
    ms = 1_000_000
    trace = RunTrace(settings=RunSettings(), t0=0)
    trace.sent.extend([(1, 1 * ms), (2, 1 * ms)])
    trace.done.extend(
        [(1, 1 * ms, 50 * ms, 200, int(Outcome.OK)), (2, 1 * ms, 40 * ms, 0, int(Outcome.TIMEOUT))]
    )
    timeline = build_timeline(trace)
    failed = timeline.kind == BarKind.FAILED
    assert timeline.request[failed].tolist() == [2]
    assert timeline.end[failed].tolist() == [40 * ms]
    assert timeline.start[failed].tolist() == [40 * ms - FAILED_MARK_NS]
    assert timeline.lane[failed].tolist() == [timeline.lane_of_request(2)]
    assert not np.any(timeline.kind[timeline.request == 1] == BarKind.FAILED)
