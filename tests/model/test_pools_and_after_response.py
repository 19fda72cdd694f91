"""The figures and words of the styles that teach hidden trips and other pools, from small
traces made by hand (each row one the server would ship): work after the response, a
process pool, a comb of trips, a pool of one."""

from __future__ import annotations

import numpy as np

from server.protocol import (
    DISPATCHED,
    HANDLER_END,
    RESPONSE_END,
    RESPONSE_START,
    SERVER_START,
    Outcome,
)
from visualizer.model.analysis import analyse
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import BarKind
from visualizer.model.trace import Pool, RunTrace

MS = 1_000_000
OK = int(Outcome.OK)


def _answered(
    trace: RunTrace, request: int, start: int, end: int, received: int, answer: int = 0
) -> None:
    """A request its handler began on the loop from ``start`` to ``end`` and answered at
    ``answer`` (at ``end`` if not given)."""
    answer = answer or end
    trace.sent.extend([(request, 1 * MS)])
    trace.loop.extend([(start, end, request, 0)])
    trace.stamp.extend(
        [
            (request, SERVER_START, start),
            (request, RESPONSE_START, answer),
            (request, RESPONSE_END, answer),
        ]
    )
    trace.done.extend([(request, 1 * MS, received, 200, OK)])


def background_tasks() -> RunTrace:
    """Two async def requests answered at 3 and 4 ms, each leaving a 100 ms background
    task for a pool of 1: request 2's waits for request 1's to end."""
    settings = RunSettings(style="background_task", concurrency=2, requests=2, work_ms=100, pool=1)
    trace = RunTrace(settings, t0=0, handler_ends=True, labels=["background: send_receipt"])
    _answered(trace, 1, 2 * MS, 3 * MS, received=3 * MS + MS // 2)
    _answered(trace, 2, 3 * MS, 4 * MS, received=4 * MS + MS // 2)
    trace.stamp.extend([(1, DISPATCHED, 3 * MS + 100), (2, DISPATCHED, 4 * MS + 100)])
    # (request, dispatched, start, end, cpu, thread, core_wait, func, pool)
    trace.worker.extend(
        [
            (1, 3 * MS + 100, 3 * MS + 200, 103 * MS, 0, 7, 0, 0, 0),
            (2, 4 * MS + 100, 103 * MS + 100, 203 * MS, 0, 7, 0, 0, 0),
        ]
    )
    trace.stamp.extend([(1, HANDLER_END, 103 * MS + 50), (2, HANDLER_END, 203 * MS + 50)])
    return trace


def test_work_after_the_response_is_the_workers_time_not_the_requests() -> None:
    result = analyse(background_tasks())
    phases = result.timeline.phases
    for request, received in ((1, 3.5 * MS), (2, 4.5 * MS)):
        assert max(end for _, _, end in phases.of(request)) <= received
    # The workers' lane still shows both runs, one after the other.
    timeline = result.timeline
    on_worker = (timeline.lane >= 1) & (timeline.lane <= timeline.worker_count)
    runs = on_worker & (timeline.kind == BarKind.RUNNING)
    assert sorted(timeline.request[runs].tolist()) == [1, 2]


def test_work_after_the_response_is_counted_and_said_apart() -> None:
    result = analyse(background_tasks())
    s = result.summary
    assert s.pool_waited == 0, "no request waited: both had their answer"
    after = s.after_response
    assert after is not None
    assert (after.runs, after.funcs, after.waited) == (2, ["background: send_receipt"], 1)
    assert 98 <= after.wait_max_ms <= 100
    assert 198 <= after.past_last_response_ms <= 199
    assert 199 <= after.wall_ms <= 200
    story = "\n".join(result.story)
    assert (
        "After their responses had gone, 2 runs (background: send_receipt) took 200 ms on "
        "workers: no client waited for them, and the server was busy 198 ms past the last "
        "response." in story
    )
    assert "1 of them waited for a worker first, up to 99 ms" in story
    assert (
        "\nafter response      2 runs, 200.0 ms on workers, 1 waited for one (max 99.0 ms)\n"
        in (result.report())
    )
    assert "waited for a worker, up to" not in story.replace("worker first, up to", "")


def test_a_run_without_work_after_the_response_says_nothing_of_it() -> None:
    trace = background_tasks()
    trace.worker.rows["dispatched"] = 2 * MS  # as if the handler had sent them
    trace.stamp.rows["t"][trace.stamp.rows["kind"] == DISPATCHED] = 2 * MS
    result = analyse(trace)
    assert result.summary.after_response is None
    assert not any("After their responses" in line for line in result.story)


def process_pool(at_once: bool = True) -> RunTrace:
    """Three cpu_process_pool requests, a pool of 2 processes: 2 compute side by side,
    the third waits for one of them (or, not ``at_once``, each runs alone)."""
    settings = RunSettings(style="cpu_process_pool", concurrency=3, requests=3, work_ms=100)
    trace = RunTrace(settings, t0=0, handler_ends=True, labels=["burn_cpu"])
    trace.pools[1] = Pool(1, "process", "a process pool", 2)
    gap = 0 if at_once else 110 * MS
    for request in (1, 2, 3):
        _answered(trace, request, 2 * MS, 3 * MS, received=330 * MS, answer=329 * MS)
    # (request, dispatched, start, end, cpu, thread (the pid), core_wait, func, pool)
    trace.worker.extend(
        [
            (1, 3 * MS, 4 * MS, 104 * MS, 98 * MS, 501, -1, 0, 1),
            (2, 3 * MS + 100, 4 * MS + gap, 104 * MS + gap, 99 * MS, 502, -1, 0, 1),
            (3, 3 * MS + 200, 105 * MS + 2 * gap, 205 * MS + 2 * gap, 97 * MS, 501, -1, 0, 1),
        ]
    )
    return trace


def test_a_process_pool_computes_side_by_side_and_says_so() -> None:
    result = analyse(process_pool())
    (pool,) = result.summary.other_pools
    assert (pool.kind, pool.runs, pool.lanes, pool.busy_peak, pool.waited) == (
        "process",
        3,
        2,
        2,
        1,
    )
    assert np.isclose(pool.cpu_ms, 294) and np.isclose(pool.wall_ms, 300)
    assert result.summary.workers_used == 0, "AnyIO's pool was not used"
    story = "\n".join(result.story)
    assert (
        "Its processes got 294 ms of CPU in 300 ms of running (98%), up to 2 at once: "
        "each has a GIL of its own, so they computed side by side." in story
    )
    assert "1 call found all its processes taken and waited for one, up to 102 ms." in story
    assert "\nprocess pool        3 calls on 2 of 2; CPU 294.0 ms of 300.0 ms wall\n" in (
        result.report()
    )


def test_a_process_pool_short_of_cores_waited_for_a_core_not_for_each_other() -> None:
    trace = process_pool()
    runs = trace.worker.rows
    runs["cpu"] = 50 * MS  # of 100 ms each: another process held a core meanwhile
    runs["core_wait"] = 48 * MS
    story = "\n".join(analyse(trace).story)
    assert (
        "Its processes got 150 ms of CPU in 300 ms of running (50%), up to 2 at once; they "
        "waited 144 ms for a core, which other processes held: each has a GIL of its own, "
        "so none waited for another." in story
    )
    runs["core_wait"] = 10 * MS  # and now neither cores nor a GIL explain the rest
    story = "\n".join(analyse(trace).story)
    assert "up to 2 at once." in story and "GIL" not in story


def test_a_process_pool_running_one_at_a_time_claims_no_parallelism() -> None:
    result = analyse(process_pool(at_once=False))
    story = "\n".join(result.story)
    assert "up to 1 at once." in story
    assert "side by side" not in story


def test_a_comb_of_trips_names_the_repeat_once_with_its_count() -> None:
    settings = RunSettings(style="streaming_sync", concurrency=1, requests=1, work_ms=50, pool=1)
    trace = RunTrace(settings, t0=0, handler_ends=True, labels=["next chunk of report_rows"])
    _answered(trace, 1, 2 * MS, 3 * MS, received=70 * MS, answer=69 * MS)
    trace.worker.extend(
        [(1, t * MS, t * MS + 10, (t + 10) * MS, 0, 7, 0, 0, 0) for t in range(3, 63, 10)]
    )
    result = analyse(trace)
    (trips,) = result.summary.trips
    assert trips.per_request == 6
    said = "Each request made 6 trips to the threadpool (next chunk of report_rows \u00d7 6)"
    assert any(said in line for line in result.story)


def test_a_pool_of_one_is_its_only_worker() -> None:
    settings = RunSettings(style="sync_sleep", concurrency=2, requests=2, work_ms=100, pool=1)
    trace = RunTrace(settings, t0=0, handler_ends=True, labels=["sync_sleep"])
    for request in (1, 2):
        _answered(trace, request, 1 * MS, 2 * MS, received=205 * MS, answer=203 * MS)
    trace.worker.extend(
        [
            (1, 2 * MS, 2 * MS, 102 * MS, 0, 7, 0, 0, 0),
            (2, 2 * MS + 100, 102 * MS, 202 * MS, 0, 7, 0, 0, 0),
        ]
    )
    story = analyse(trace).story
    assert any(
        line.startswith("The only worker of the pool of 1 was busy: 1 request waited")
        for line in story
    )
