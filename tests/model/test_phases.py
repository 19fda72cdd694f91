"""Phases derived from recorded runs: complete, ordered, and true to the events."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from server.protocol import RESPONSE_END, Outcome
from visualizer.model.analysis import analyse
from visualizer.model.phases import Phase, derive_phases
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace

RECORDED = sorted((Path(__file__).parent.parent / "data").glob("*.json"))


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
def test_every_request_is_covered_from_run_start_to_receipt_without_gaps(path: Path) -> None:
    trace = read_trace(path)
    phases = derive_phases(trace)
    done = trace.done.rows
    received = dict(zip(done["request"].tolist(), done["received"].tolist(), strict=True))
    for request in trace.sent.rows["request"].tolist():
        segments = phases.of(request)
        assert segments[0][1] == trace.t0, "every request is queued from the start of the run"
        for (_, _, end), (_, start, _) in itertools.pairwise(segments):
            assert start == end, f"request {request} has a gap or an overlap at {end}"
        assert segments[-1][2] >= received[request]


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
def test_running_time_equals_the_measured_slices_and_worker_runs(path: Path) -> None:
    """A request runs while any of its loop slices or worker runs does: their union. A
    process pool starts the work while the loop slice that sent it still runs (a real
    overlap of a millisecond in the recorded cpu_process_pool run), so not their sum."""
    trace = read_trace(path)
    phases = derive_phases(trace)
    loop, worker = trace.loop.rows, trace.worker.rows
    for request in trace.sent.rows["request"].tolist():
        running = sum(e - s for p, s, e in phases.of(request) if p is Phase.RUNNING)
        mine = loop[loop["request"] == request]
        runs = worker[worker["request"] == request]
        starts = np.concatenate([mine["start"], runs["start"]])
        ends = np.concatenate([mine["end"], runs["end"]])
        assert running == _union_length(starts, ends)


def _union_length(starts: np.ndarray, ends: np.ndarray) -> int:
    total, reach = 0, None
    for start, end in sorted(zip(starts.tolist(), ends.tolist(), strict=True)):
        if reach is None or start > reach:
            total, reach = total + end - start, end
        elif end > reach:
            total, reach = total + end - reach, end
    return total


def test_async_blocking_requests_wait_while_the_loop_is_blocked(data_dir: Path) -> None:
    trace = read_trace(data_dir / "async_blocking_c5_w200.json")
    phases = derive_phases(trace)
    waits = sorted(
        sum(e - s for p, s, e in phases.of(r) if p is Phase.WAITING) / 1e6
        for r in trace.sent.rows["request"].tolist()
    )
    # Five requests, each blocking the loop ~200 ms: the k-th waits ~k x 200 ms.
    for k, wait in enumerate(waits):
        assert wait == pytest.approx(200 * k, abs=60 + 20 * k)


def test_sync_sleep_requests_beyond_the_pool_wait_for_a_worker(data_dir: Path) -> None:
    trace = read_trace(data_dir / "sync_sleep_c6_p2_w200.json")
    phases = derive_phases(trace)
    long_waits = 0
    for run in trace.worker.rows:
        dispatched, started = int(run["dispatched"]), int(run["start"])
        if started - dispatched < 50_000_000:
            continue
        long_waits += 1
        # From dispatch to the worker's start the request waits, but for the short
        # slices in which AnyIO's limiter wakes it to hand it a token.
        waited = sum(
            min(e, started) - max(s, dispatched)
            for p, s, e in phases.of(int(run["request"]))
            if p is Phase.WAITING and e > dispatched and s < started
        )
        assert waited >= 0.95 * (started - dispatched)
    assert long_waits == 4  # six requests, two workers: the four beyond the pool wait


def test_a_request_in_flight_is_drawn_up_to_now() -> None:
    trace = RunTrace(settings=RunSettings(), t0=1_000)
    trace.sent.extend([(1, 2_000)])
    phases = derive_phases(trace, now=10_000)
    # One of the first C: from the run's start the client is getting it out, not queuing it.
    assert phases.of(1) == [(Phase.SENDING, 1_000, 10_000)]


def test_a_request_the_server_never_saw_is_client_side_until_it_failed() -> None:
    trace = RunTrace(settings=RunSettings(), t0=0)
    trace.sent.extend([(1, 100)])
    trace.done.extend([(1, 100, 900, 0, int(Outcome.CONNECTION))])
    assert derive_phases(trace).of(1) == [(Phase.SENDING, 0, 900)]


def test_a_late_timer_counts_as_waiting_and_an_early_one_does_not() -> None:
    trace = RunTrace(settings=RunSettings(), t0=0)
    ms = 1_000_000
    trace.sent.extend([(1, 0)])
    trace.done.extend([(1, 0, 100 * ms, 200, 0)])
    trace.loop.extend(
        [
            (1 * ms, 2 * ms, 1, 0),  # first step
            (50 * ms, 51 * ms, 1, 40 * ms),  # timer due at 40 ms ran at 50: 10 ms late
            (60 * ms, 61 * ms, 1, 60 * ms - 1000),  # on time
        ]
    )
    trace.stamp.extend([(1, 2, 61 * ms)])
    got = [(p, s // ms, e // ms) for p, s, e in derive_phases(trace).of(1)]
    assert got == [
        (Phase.SENDING, 0, 1),
        (Phase.RUNNING, 1, 2),
        (Phase.AWAITING, 2, 40),
        (Phase.WAITING, 40, 50),
        (Phase.RUNNING, 50, 51),
        (Phase.AWAITING, 51, 60),
        (Phase.RUNNING, 60, 61),
        (Phase.RECEIVING, 61, 100),  # the response written: the client's time, not the server's
    ]


MS = 1_000_000


def _two_requests(concurrency: int) -> RunTrace:
    """Request 1 blocks the loop from 1 to 50 ms; request 2 is sent at 2 ms."""
    trace = RunTrace(settings=RunSettings(concurrency=concurrency), t0=0)
    trace.sent.extend([(1, 0), (2, 2 * MS)])
    trace.loop.extend([(1 * MS, 50 * MS, 1, 0), (50 * MS + 20_000, 51 * MS, 2, 0)])
    trace.stamp.extend([(1, 2, 50 * MS), (2, 2, 51 * MS)])
    trace.done.extend([(1, 0, 50 * MS, 200, 0), (2, 2 * MS, 80 * MS, 200, 0)])
    return trace


def test_only_requests_beyond_the_first_c_are_queued() -> None:
    alone = derive_phases(_two_requests(concurrency=2))
    # Both had a slot at the start: the 2 ms before request 2's stamp are the client's.
    assert alone.of(2)[0] == (Phase.SENDING, 0, 2 * MS)
    assert Phase.QUEUED not in [p for p, _, _ in alone.of(1) + alone.of(2)]
    one_slot = derive_phases(_two_requests(concurrency=1))
    assert one_slot.of(2)[0] == (Phase.QUEUED, 0, 2 * MS)


def test_a_request_sent_while_the_loop_is_blocked_waits_for_the_server() -> None:
    phases = derive_phases(_two_requests(concurrency=2))
    assert phases.of(2)[:3] == [
        (Phase.SENDING, 0, 2 * MS),
        (Phase.WAITING, 2 * MS, 50 * MS + 20_000),  # the loop was busy since before it was sent
        (Phase.RUNNING, 50 * MS + 20_000, 51 * MS),
    ]


def test_a_request_sent_to_an_idle_loop_is_sending_until_the_server_wakes() -> None:
    trace = RunTrace(settings=RunSettings(concurrency=1), t0=0)
    trace.sent.extend([(1, 0)])
    # The loop idles until 30 ms, reads the bytes (server I/O), then runs the request.
    trace.loop.extend([(30 * MS, 30 * MS + 50_000, 0, 0), (30 * MS + 60_000, 31 * MS, 1, 0)])
    trace.stamp.extend([(1, 2, 31 * MS)])
    trace.done.extend([(1, 0, 40 * MS, 200, 0)])
    assert derive_phases(trace).of(1) == [
        (Phase.SENDING, 0, 30 * MS),
        (Phase.WAITING, 30 * MS, 30 * MS + 60_000),
        (Phase.RUNNING, 30 * MS + 60_000, 31 * MS),
        (Phase.RECEIVING, 31 * MS, 40 * MS),
    ]


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
def test_recorded_runs_queue_no_request_of_the_first_c(path: Path) -> None:
    trace = read_trace(path)
    phases = derive_phases(trace)
    first_c = phases.request <= trace.settings.concurrency
    assert not np.any(first_c & (phases.phase == Phase.QUEUED))


def test_after_the_last_byte_a_recorded_request_is_receiving_not_waiting(data_dir: Path) -> None:
    trace = read_trace(data_dir / "async_sleep_c10_w200.json")
    phases = derive_phases(trace)
    ends = trace.stamp.rows[trace.stamp.rows["kind"] == RESPONSE_END]
    receiving = 0
    for request, end in zip(ends["request"].tolist(), ends["t"].tolist(), strict=True):
        after = [p for p, _, e in phases.of(request) if e > end]
        assert Phase.WAITING not in after
        receiving += Phase.RECEIVING in after
    # All but the two whose last slice outlasted the client's receipt.
    assert receiving == len(ends) - 2


def test_no_requests_no_phases() -> None:
    assert len(derive_phases(RunTrace(settings=RunSettings()))) == 0


def test_phases_are_sorted_by_request_then_time(data_dir: Path) -> None:
    phases = derive_phases(read_trace(data_dir / "mixed_c6_n12_w100.json"))
    key = phases.request * 10**12 + phases.start
    assert np.all(np.diff(key) > 0)


def test_back_from_a_worker_a_request_waits_while_the_loop_stays_busy() -> None:
    """Request 1's def handler ends on a worker at 10 ms while request 2 holds the loop
    until 50 ms; the loop then sits idle 0.5 ms before it runs request 1 again at 51 ms.
    Request 1 was ready and waited for the loop for those 40 ms; what is left after the
    loop went idle is awaiting (it would have run at once, had it been ready)."""
    trace = RunTrace(settings=RunSettings(concurrency=2), t0=0)
    trace.sent.extend([(1, 0), (2, 0)])
    trace.loop.extend(
        [
            (1 * MS, 2 * MS, 1, 0),  # request 1 dispatches its def handler
            (5 * MS, 50 * MS, 2, 0),  # request 2 blocks the loop
            (50 * MS + 500_000, 51 * MS, 0, 0),  # after an idle moment: the loop's own I/O
            (51 * MS, 52 * MS, 1, 0),  # request 1 again: its result taken back
        ]
    )
    trace.worker.extend([(1, 2 * MS, 2 * MS, 10 * MS, 8 * MS, 1, 0, -1, 0)])
    trace.stamp.extend([(1, RESPONSE_END, 52 * MS), (2, RESPONSE_END, 50 * MS)])
    trace.done.extend([(1, 0, 53 * MS, 200, 0), (2, 0, 51 * MS, 200, 0)])
    after_worker = [(p, s / MS, e / MS) for p, s, e in derive_phases(trace).of(1) if s >= 10 * MS]
    assert after_worker[:3] == [
        (Phase.WAITING, 10, 50),
        (Phase.AWAITING, 50, 51),
        (Phase.RUNNING, 51, 52),
    ]


def test_a_result_that_wakes_the_idle_loop_waits_behind_the_handler_run_first() -> None:
    """Two requests' dependency runs end on workers at 9.2 and 9.3 ms while the loop sits
    idle; it wakes at 9.4 ms, runs request 2's handler first, which blocks it until
    50 ms, and only then request 1's. Request 1 was ready from 9.3 ms: waiting for the
    loop, not awaiting (a real run of an unseen app drew it awaiting for 41 ms). A run
    that ends while the loop stays idle longer than a wake-up is not waiting."""
    trace = RunTrace(settings=RunSettings(concurrency=3), t0=0)
    trace.sent.extend([(1, 0), (2, 0), (3, 0)])
    trace.loop.extend(
        [
            (1 * MS, 2 * MS, 1, 0),  # requests 1 and 2 send their dependencies to workers
            (2 * MS, 3 * MS, 2, 0),
            (9_400_000, 9_500_000, 0, 0),  # the loop wakes: the results come in
            (9_500_000, 50 * MS, 2, 0),  # request 2's handler first, blocking the loop
            (50 * MS, 51 * MS, 1, 0),  # then request 1's
            (60 * MS, 61 * MS, 3, 0),  # request 3 dispatches its dependency
            (72 * MS, 73 * MS, 3, 0),  # and takes its result back, the loop idle all along
        ]
    )
    trace.worker.extend(
        [
            (2, 3 * MS, 3 * MS, 9_200_000, 0, 1, 0, -1, 0),
            (1, 2 * MS, 2 * MS, 9_300_000, 0, 2, 0, -1, 0),
            (3, 61 * MS, 61 * MS, 62 * MS, 0, 1, 0, -1, 0),
        ]
    )
    trace.stamp.extend([(r, RESPONSE_END, t * MS) for r, t in ((1, 51), (2, 50), (3, 73))])
    trace.done.extend([(r, 0, (t + 1) * MS, 200, 0) for r, t in ((1, 51), (2, 50), (3, 73))])
    phases = derive_phases(trace)
    after_worker = [(p, s / MS, e / MS) for p, s, e in phases.of(1) if s >= 9_300_000]
    assert after_worker[:2] == [(Phase.WAITING, 9.3, 50), (Phase.RUNNING, 50, 51)]
    after_worker = [(p, s / MS, e / MS) for p, s, e in phases.of(3) if s >= 62 * MS]
    assert after_worker[0] == (Phase.AWAITING, 62, 72)


def test_a_run_whose_request_does_not_resume_after_the_block_was_not_waited_for() -> None:
    """Request 1 hands a job to a pool without awaiting it (or its wait timed out) and
    sleeps; the job ends at 9.3 ms as the loop wakes for request 2's handler, which blocks
    it until 50 ms. Request 1 runs next at 80 ms, long after the loop was free: it was
    awaiting its sleep all along, not ready and waiting for the loop."""
    trace = RunTrace(settings=RunSettings(concurrency=2), t0=0)
    trace.sent.extend([(1, 0), (2, 0)])
    trace.loop.extend(
        [
            (1 * MS, 2 * MS, 1, 0),  # request 1 submits the job, then sleeps
            (2 * MS, 3 * MS, 2, 0),
            (9_400_000, 50 * MS, 2, 0),  # request 2 blocks the loop
            (80 * MS, 81 * MS, 1, 0),  # request 1 wakes from its sleep
        ]
    )
    trace.worker.extend([(1, 2 * MS, 2 * MS, 9_300_000, 0, 1, 0, -1, 0)])
    trace.stamp.extend([(1, RESPONSE_END, 81 * MS), (2, RESPONSE_END, 50 * MS)])
    trace.done.extend([(1, 0, 82 * MS, 200, 0), (2, 0, 51 * MS, 200, 0)])
    after_worker = [(p, s / MS, e / MS) for p, s, e in derive_phases(trace).of(1) if s >= 9_300_000]
    assert after_worker[:2] == [(Phase.AWAITING, 9.3, 80), (Phase.RUNNING, 80, 81)]


def test_a_trip_that_found_a_worker_free_but_started_late_did_not_wait_for_one() -> None:
    """A token was free (pool 40, one run); the thread took 3 ms to start it: handed over,
    not kept waiting. "0 requests waited for one (max 2.9 ms)" said both."""
    trace = RunTrace(settings=RunSettings(style="sync_sleep", concurrency=1, requests=1), t0=0)
    trace.sent.extend([(1, 0)])
    trace.loop.extend([(1 * MS, 2 * MS, 1, 0), (20 * MS, 21 * MS, 1, 0)])
    trace.worker.extend([(1, 2 * MS, 5 * MS, 19 * MS, 0, 1, 0, -1, 0)])
    trace.stamp.extend([(1, RESPONSE_END, 21 * MS)])
    trace.done.extend([(1, 0, 22 * MS, 200, 0)])
    summary = analyse(trace).summary
    assert (summary.pool_waited, summary.pool_wait_max_ms) == (0, 0.0)
