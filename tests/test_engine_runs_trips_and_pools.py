"""Real runs prove the rows of the styles that teach hidden trips, other pools and sync
drivers, with margins for a busy 2-core machine (see test_engine_runs.py).

They assert what the timeline and the summary show: what each worker run ran, the
pool it ran on, the trips per request, the loop's longest block and the line that
held it. One server serves every run of this module, as in the app.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator

import numpy as np
import pytest
from _sessions import run_to_end, started_session

from server import styles
from server.protocol import NO_REQUEST, RESPONSE_END
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.trace import ANYIO
from visualizer.runner.session import Session

pytestmark = pytest.mark.live

MS = 1_000_000


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    with started_session() as session:
        yield session


def run(session: Session, **settings: object) -> RunResult:
    result = analyse(run_to_end(session, **settings))
    assert result.summary.ok == result.summary.requests
    return result


def runs_of(result: RunResult) -> np.ndarray:
    """The run's worker runs for its requests, in the order they were dispatched."""
    rows = result.trace.worker.rows
    return np.sort(rows[rows["request"] > 0], order="dispatched")


def funcs(result: RunResult, runs: np.ndarray) -> list[str]:
    return [result.trace.labels[f] for f in runs["func"].tolist()]


def handler_slices(result: RunResult) -> np.ndarray:
    loop = result.trace.loop.rows
    return np.sort(loop[loop["request"] != NO_REQUEST], order="start")


def loop_stays_free(result: RunResult) -> bool:
    block = result.summary.longest_loop_block
    return block is not None and block.longest_ms < 60


def lane_labels(result: RunResult, pool: int) -> list[str]:
    first, count = result.timeline.pool_lanes[pool]
    return [lane.label for lane in result.timeline.lanes[first : first + count]]


def cpu_per_wall_second(runs: np.ndarray) -> float:
    """CPU time of the runs per second of the time some of them ran: above 1, more than
    one core computed at once."""
    order = np.argsort(runs["start"])
    start, end = runs["start"][order], np.maximum.accumulate(runs["end"][order])
    gaps = np.maximum(start[1:] - end[:-1], 0).sum()
    return float(runs["cpu"].sum()) / float(end[-1] - start[0] - gaps)


def test_def_response_model_makes_two_trips_per_request(session: Session) -> None:
    result = run(
        session, style="def_response_model", concurrency=4, requests=4, work_ms=100, pool=1
    )
    s = result.summary
    (trips,) = s.trips
    assert (trips.per_request, trips.requests) == (2, 4)
    assert trips.funcs == ["def_response_model", "response validation"]
    runs = runs_of(result)
    assert set(runs["pool"].tolist()) == {ANYIO.id} and s.workers_used == 1
    endpoints = runs[np.array(funcs(result, runs)) == "def_response_model"]
    validations = runs[np.array(funcs(result, runs)) == "response validation"]
    # Each trip queues for the one token: every validation came after all four endpoints
    # had queued, so it ran after the last of them.
    assert validations["start"].min() >= endpoints["end"].max()
    assert s.pool_waited == 4
    assert loop_stays_free(result)


def test_sync_dependency_runs_on_a_worker_and_the_endpoint_on_the_loop(
    session: Session,
) -> None:
    result = run(session, style="sync_dependency", concurrency=4, requests=4, work_ms=150, pool=2)
    s = result.summary
    runs = runs_of(result)
    assert funcs(result, runs) == ["current_user"] * 4
    # One trip each, but not the endpoint's: the story names it (it did not, before).
    assert [(t.per_request, t.funcs, t.requests) for t in s.trips] == [(1, ["current_user"], 4)]
    assert (
        "Each request made a trip to the threadpool (current_user), besides its endpoint"
        in " ".join(result.story)
    )
    # An async def endpoint, and yet its requests wait for the pool: two waves of two.
    assert s.workers_used == 2 and s.pool_waited == 2
    starts_ms = (np.sort(runs["start"]) - runs["start"].min()) / MS
    assert np.round(starts_ms / 150).astype(int).tolist() == [0, 0, 1, 1]
    # The endpoint ran on the loop once its dependency was done.
    slices = handler_slices(result)
    for run_ in runs:
        after = slices[(slices["request"] == run_["request"]) & (slices["start"] >= run_["end"])]
        assert len(after) > 0, f"request {run_['request']} never came back to the loop"
    assert loop_stays_free(result)


def test_background_task_runs_after_the_response_and_holds_a_worker(session: Session) -> None:
    for _ in range(2):  # the second run of a server finishes before any event is shipped
        result = run(
            session, style="background_task", concurrency=4, requests=8, work_ms=100, pool=2
        )
        runs = runs_of(result)
        assert funcs(result, runs) == ["background: send_receipt"] * 8
        stamp = result.trace.stamp.rows
        response_end = dict(
            zip(
                stamp["request"][stamp["kind"] == RESPONSE_END].tolist(),
                stamp["t"][stamp["kind"] == RESPONSE_END].tolist(),
                strict=True,
            )
        )
        done = result.trace.done.rows
        received = dict(zip(done["request"].tolist(), done["received"].tolist(), strict=True))
        for run_ in runs:
            request = int(run_["request"])
            assert run_["dispatched"] > response_end[request], "dispatched after the response"
            assert received[request] < run_["end"], "the client had its answer first"
        s = result.summary
        assert s.pool_waited == 0, "no request waited: the tasks did"
        after = s.after_response
        assert after is not None and after.runs == 8
        # Two workers for eight tasks of W: the last ends about 3 W after the last answer.
        assert after.waited >= 4 and after.past_last_response_ms >= 250
        assert any(
            line.startswith("After their responses had gone, 8 runs") for line in result.story
        )
        # The request's lane ends with its response, long before its task does.
        for run_ in runs:
            phases = result.timeline.phases.of(int(run_["request"]))
            assert max(end for _, _, end in phases) < run_["end"] - 50 * MS


def test_streaming_sync_is_a_comb_of_trips(session: Session) -> None:
    result = run(session, style="streaming_sync", concurrency=2, requests=2, work_ms=100, pool=1)
    (trips,) = result.summary.trips
    assert (trips.per_request, trips.requests) == (6, 2)
    assert trips.funcs == ["next chunk of report_rows"] * 6
    runs = runs_of(result)
    for request in (1, 2):
        mine = np.sort(runs[runs["request"] == request], order="start")
        took = (mine["end"] - mine["start"]) / MS
        # Five chunks of W/5, then one more trip that only finds the end.
        assert took[:5].min() >= 15 and took[5] < 10
    # One worker, two requests: their trips take turns, neither runs all of its own first.
    first = runs[runs["request"] == 1]
    second = runs[runs["request"] == 2]
    assert second["start"].min() < first["end"].max() and first["start"].min() < second["end"].max()
    assert loop_stays_free(result)


def test_async_to_thread_uses_the_other_pool_which_p_does_not_bound(session: Session) -> None:
    result = run(session, style="async_to_thread", concurrency=4, requests=4, work_ms=150, pool=1)
    s = result.summary
    assert s.workers_used == 0, "AnyIO's pool is untouched"
    (pool,) = s.other_pools
    assert (pool.kind, pool.runs, pool.funcs) == ("asyncio-default", 4, ["sleep"])
    # P = 1, yet all four ran at once, each on a thread of the loop's default executor.
    assert pool.busy_peak == 4 and pool.lanes == 4
    (pool_id,) = set(runs_of(result)["pool"].tolist())
    assert lane_labels(result, pool_id) == [
        "to_thread 1",
        "to_thread 2",
        "to_thread 3",
        "to_thread 4",
    ]
    assert s.makespan_ms < 450  # one by one would be 600 ms
    assert loop_stays_free(result)


def test_cpu_process_pool_computes_in_parallel_unlike_sync_cpu(session: Session) -> None:
    threads = run(session, style="sync_cpu", concurrency=4, requests=4, work_ms=150, pool=4)
    processes = run(
        session, style="cpu_process_pool", concurrency=4, requests=4, work_ms=150, pool=4
    )
    s = processes.summary
    assert s.workers_used == 0
    (pool,) = s.other_pools
    cores = os.cpu_count() or 1
    assert (pool.kind, pool.capacity, pool.runs, pool.funcs) == ("process", cores, 4, ["burn_cpu"])
    runs = runs_of(processes)
    pids = sorted(set(runs["thread"].tolist()))
    assert len(pids) == min(cores, 4) and pool.busy_peak == min(cores, 4)
    (pool_id,) = set(runs["pool"].tolist())
    assert sorted(lane_labels(processes, pool_id)) == sorted(f"process {pid}" for pid in pids)
    assert loop_stays_free(processes)
    # A process shares no GIL: its wall time is CPU time, or waiting for a core while
    # other processes held them. sync_cpu's threads waited for one another's GIL.
    wall = runs["end"] - runs["start"]
    core_wait = np.maximum(runs["core_wait"], 0)
    assert np.all(runs["cpu"] + core_wait >= 0.8 * wall)
    t = threads.summary
    assert t.worker_cpu_ms + (t.worker_core_wait_ms or 0) < 0.7 * t.worker_wall_ms
    # Where the cores were free for them (the kernel says how long the runs waited for
    # one), the processes computed side by side, and finished well before the threads.
    if runs["core_wait"].min() >= 0 and core_wait.sum() < 0.2 * wall.sum():
        assert cpu_per_wall_second(runs) >= 1.4
        assert cpu_per_wall_second(runs_of(threads)) < 1.1
        assert s.makespan_ms < 0.8 * t.makespan_ms


def test_sqlite_in_async_freezes_the_loop_at_the_execute_line(session: Session) -> None:
    result = run(session, style="sqlite_in_async", concurrency=4, requests=4, work_ms=150)
    s = result.summary
    blocks = handler_slices(result)
    # The query's length is a number of lookups calibrated at start-up, when a busy
    # sibling core may have made them slower than later: as async_cpu, a 60 ms margin.
    blocks = blocks[blocks["end"] - blocks["start"] >= 60 * MS]
    assert sorted(blocks["request"].tolist()) == [1, 2, 3, 4]
    assert np.all(blocks["start"][1:] >= blocks["end"][:-1]), "the queries follow one another"
    assert s.workers_used == 0 and s.other_pools == []
    lines, first = inspect.getsourcelines(styles.sqlite_in_async)
    (at,) = [first + i for i, line in enumerate(lines) if "db.execute(" in line]
    block = s.longest_loop_block
    assert block is not None and "db.execute(REPORT" in block.held_at
    assert f"in sqlite_in_async (styles.py:{at})" in block.held_at


def test_sqlite_def_queries_on_workers_side_by_side(session: Session) -> None:
    result = run(session, style="sqlite_def", concurrency=4, requests=4, work_ms=150, pool=4)
    s = result.summary
    runs = runs_of(result)
    assert funcs(result, runs) == ["sqlite_def"] * 4 and s.workers_used == 4
    assert s.workers_busy_peak == 4
    assert loop_stays_free(result)
    # SQLite computes with the GIL let go: what a query's wall time has beyond its CPU
    # time, it waited for a core (4 workers, 2 cores), not for the other workers' GIL.
    if s.worker_core_wait_ms is not None:
        assert s.worker_cpu_ms + s.worker_core_wait_ms >= 0.8 * s.worker_wall_ms
