"""Runs of several server processes (--workers) without a server: each process's loop
and workers on lanes of their own, in the file under a pid of its own, and the spread."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from visualizer.model.analysis import analyse
from visualizer.model.processes import ServerProcess
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import LaneKind
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace, to_chrome, write_trace

MS = 1_000_000
T0 = 10_000 * MS


def two_process_run() -> RunTrace:
    """Four sync_sleep requests: 1-3 on process 0 (2 workers), 4 on process 1 (1 worker)."""
    settings = RunSettings(style="sync_sleep", concurrency=4, requests=4, pool=2, workers=2)
    trace = RunTrace(settings=settings, t0=T0, handler_ends=True)
    trace.processes = [ServerProcess(0, 4711, 3, 3), ServerProcess(1, 4712, 1, 1)]
    trace.sent.extend([(r, T0 + MS) for r in (1, 2, 3, 4)])
    # Request 3 is dispatched at 5 ms, while both of process 0's workers are busy.
    runs = ((1, 0, 1, 2, 2), (2, 0, 2, 2, 2), (3, 0, 1, 105, 5), (4, 1, 1, 2, 2))
    for r, process, thread, start, dispatched in runs:
        begin = T0 + start * MS
        loop = np.array([[begin - MS // 2, begin - MS // 4, r]], np.int64)
        sent = T0 + dispatched * MS - MS // 4
        worker = np.array([[r, sent, begin, begin + 100 * MS, MS, thread, -1, -1, 0]])
        trace.add_server_events(
            loop=loop,
            timer=np.empty((0, 4), np.int64),
            worker=worker,
            stamp=np.array(
                [[r, 0, begin - MS], [r, 2, begin + 101 * MS], [r, 3, begin + 101 * MS]]
            ),
            gc=np.array([[begin + MS, begin + 2 * MS, 0, 0]], np.int64),
            process=process,
        )
    trace.done.extend(
        [(r, T0 + MS, T0 + (210 if r == 3 else 110) * MS, 200, 0) for r in (1, 2, 3, 4)]
    )
    trace.ended = "complete"
    return trace


def test_each_process_has_its_loop_lane_and_its_workers_under_it() -> None:
    timeline = analyse(two_process_run()).timeline
    resources = timeline.lanes[: timeline.worker_count + 1]
    assert [(lane.kind, lane.label) for lane in resources] == [
        (LaneKind.LOOP, "worker 1 (pid 4711): event loop"),
        (LaneKind.WORKER, "worker 1"),
        (LaneKind.WORKER, "worker 2"),
        (LaneKind.LOOP, "worker 2 (pid 4712): event loop"),
        (LaneKind.WORKER, "worker 1"),
    ]
    mine = timeline.request > 0  # not the collector's pauses
    on = {lane: set(timeline.request[mine & (timeline.lane == lane)].tolist()) for lane in range(5)}
    assert on[0] == {1, 2, 3} and on[3] == {4}  # each loop ran its own requests
    assert on[1] == {1, 3} and on[2] == {2} and on[4] == {4}
    assert timeline.lane_of_request(1) == 5


def test_the_story_says_how_the_load_spread_and_the_pool_is_per_process() -> None:
    result = analyse(two_process_run())
    story = "\n".join(result.story)
    assert "2 server processes shared the port; they ran 3 and 1 of the 4 requests" in story
    assert "accepted 3 and 1 of the 4 connections" in story
    assert "Worker 1 (pid 4711) ran 75% of the requests" in story
    # Request 3 waited for process 0's two workers; process 1's idle one was no use to it.
    assert result.summary.pool_waited == 1


def test_the_file_gives_each_process_a_pid_and_reads_back_the_same(tmp_path: Path) -> None:
    trace = two_process_run()
    path = tmp_path / "two.json"
    write_trace(trace, path)
    events = to_chrome(trace)["traceEvents"]
    names = {e["pid"]: e["args"]["name"] for e in events if e.get("name") == "process_name"}
    assert names == {
        1: "server worker 1 (pid 4711)",
        2: "requests",
        3: "server worker 2 (pid 4712)",
    }
    loops = {(e["pid"], e["tid"]) for e in events if e.get("cat") == "loop"}
    assert loops == {(1, 0), (3, 0)}
    back = read_trace(path)
    assert back.processes == trace.processes
    again = analyse(back).timeline
    assert [lane.label for lane in again.lanes] == [
        lane.label for lane in analyse(trace).timeline.lanes
    ]
    assert sorted(back.loop.rows["process"].tolist()) == [0, 0, 0, 1]
