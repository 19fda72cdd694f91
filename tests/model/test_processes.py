"""Runs of several server processes (--workers) without a server: each process's loop
and workers on lanes of their own, in the file under a pid of its own, and the spread."""

from __future__ import annotations

from pathlib import Path

from _process_traces import MS, block_beside_a_full_pool, two_process_run

from visualizer.model.analysis import analyse
from visualizer.model.annotations import pool_group_key, pools_full_periods
from visualizer.model.pool_groups import pool_groups
from visualizer.model.timeline import LaneKind
from visualizer.model.trace import ANYIO
from visualizer.model.tracefile import read_trace, to_chrome, write_trace


def test_each_process_has_its_loop_lane_and_its_workers_under_it() -> None:
    timeline = analyse(two_process_run()).timeline
    resources = timeline.lanes[: timeline.worker_count + 1]
    assert [(lane.kind, lane.label) for lane in resources] == [
        (LaneKind.LOOP, "server 1: event loop"),
        (LaneKind.WORKER, "worker 1"),
        (LaneKind.WORKER, "worker 2"),
        (LaneKind.LOOP, "server 2: event loop"),
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
    assert "Server 1 (pid 4711) ran 75% of the requests" in story
    # Request 3 waited for process 0's two workers; process 1's idle one was no use to it.
    assert result.summary.pool_waited == 1


def test_the_file_gives_each_process_a_pid_and_reads_back_the_same(tmp_path: Path) -> None:
    trace = two_process_run()
    path = tmp_path / "two.json"
    write_trace(trace, path)
    events = to_chrome(trace)["traceEvents"]
    names = {e["pid"]: e["args"]["name"] for e in events if e.get("name") == "process_name"}
    assert names == {
        1: "server 1 (pid 4711)",
        2: "requests",
        3: "server 2 (pid 4712)",
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


def test_each_process_pool_is_told_apart_in_the_story_and_the_figures() -> None:
    """Server 1's two workers were both busy and request 3 waited; server 2's pool was not
    full. Not "All 3 workers of the pool of 2": 3 is the workers of both processes."""
    result = analyse(two_process_run())
    story = "\n".join(result.story)
    assert (
        "Each server process has a pool of 2 of its own: all 2 workers of server 1 (pid 4711) "
        "were busy and 1 request waited for one, up to 100 ms; server 2 (pid 4712) used 1 "
        "worker and no request waited for one." in story
    )
    assert "All 3 workers" not in story
    assert result.summary.workers_of_pool() == "2 and 1 of a pool of 2 in each process"
    spread = result.summary.spread
    assert spread is not None
    assert [(s.workers_used, s.pool_waited) for s in spread.shares] == [(2, 1), (1, 0)]


def test_each_process_pool_is_marked_full_at_its_own_capacity_alone() -> None:
    """Three runs at once over both processes fill no pool of 2 but server 1's."""
    trace = two_process_run()
    assert pools_full_periods(trace) == {pool_group_key(0, ANYIO.id): [(2 * MS, 102 * MS)]}
    timeline = analyse(trace).timeline
    groups = pool_groups(timeline)
    assert [(g.first, g.count, g.process, g.title) for g in groups] == [
        (1, 2, 0, "AnyIO pool, P = 2"),
        (4, 1, 1, "AnyIO pool, P = 2"),
    ]


def test_a_loop_block_holds_up_only_the_requests_of_its_own_process() -> None:
    """Request 3 waited through server 1's block, for a worker of server 2: not behind it."""
    result = analyse(block_beside_a_full_pool())
    block = result.summary.longest_loop_block
    assert block is not None and block.request == 1
    assert (block.waited_behind, block.held_up_briefly) == (0, 0)
    assert "0 requests waited behind it" in result.story[0]
