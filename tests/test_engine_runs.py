"""Real runs against a real server prove the design's table, with margins for a busy machine.

One server serves every run of this module, as in the app. Margins are wide on
purpose: these tests check what happens (serial or overlapping, which lane, how
many waves), not how fast; speed belongs in bench/.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from _sessions import run_to_end, started_session

from server.protocol import NO_REQUEST, Outcome
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.phases import Phase
from visualizer.model.settings import RunSettings
from visualizer.runner.session import Session

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    with started_session() as session:
        yield session


def run(session: Session, **settings: object) -> RunResult:
    return analyse(run_to_end(session, **settings))


def handler_slices(result: RunResult) -> np.ndarray:
    loop = result.trace.loop.rows
    return np.sort(loop[loop["request"] != NO_REQUEST], order="start")


def test_async_blocking_runs_requests_one_by_one_on_the_frozen_loop(session: Session) -> None:
    result = run(session, style="async_blocking", concurrency=5, requests=5, work_ms=200)
    s = result.summary
    assert 950 <= s.makespan_ms <= 2500
    blocks = handler_slices(result)
    blocks = blocks[blocks["end"] - blocks["start"] >= 180_000_000]
    assert sorted(blocks["request"].tolist()) == [1, 2, 3, 4, 5]
    assert np.all(blocks["start"][1:] >= blocks["end"][:-1]), "the blocks follow one another"
    assert s.workers_used == 0


def test_sync_sleep_uses_exactly_the_pool_in_three_waves(session: Session) -> None:
    result = run(session, style="sync_sleep", concurrency=6, requests=6, work_ms=200, pool=2)
    s = result.summary
    worker = np.sort(result.trace.worker.rows, order="start")
    assert s.workers_used == 2
    assert s.pool_waited == 4
    # Three waves: starts fall into three groups about W apart.
    starts_ms = (worker["start"] - worker["start"][0]) / 1e6
    waves = np.round(starts_ms / 200).astype(int).tolist()
    assert waves == [0, 0, 1, 1, 2, 2]
    assert 550 <= s.makespan_ms <= 1800
    assert s.longest_loop_block is not None and s.longest_loop_block.longest_ms < 60


def test_async_sleep_requests_overlap_and_the_loop_stays_free(session: Session) -> None:
    result = run(session, style="async_sleep", concurrency=10, requests=10, work_ms=200)
    s = result.summary
    assert s.peak_in_server == 10
    assert s.makespan_ms < 700  # serial would be 2,000 ms
    assert s.loop_busy_ms < 0.25 * s.makespan_ms


def test_async_offload_moves_the_blocking_call_off_the_loop(session: Session) -> None:
    result = run(session, style="async_offload", concurrency=6, requests=6, work_ms=200, pool=40)
    s = result.summary
    assert s.workers_used == 6
    assert s.longest_loop_block is not None and s.longest_loop_block.longest_ms < 60
    assert s.makespan_ms < 800  # serial would be 1,200 ms


def test_sync_cpu_shows_worker_cpu_time_well_below_wall_time(session: Session) -> None:
    result = run(session, style="sync_cpu", concurrency=4, requests=4, work_ms=150, pool=4)
    s = result.summary
    assert s.workers_used == 4
    assert s.worker_cpu_ms < 0.7 * s.worker_wall_ms


def test_async_cpu_freezes_the_loop(session: Session) -> None:
    result = run(session, style="async_cpu", concurrency=3, requests=3, work_ms=150)
    blocks = handler_slices(result)
    # Three callbacks, one a request, each holding the loop for most of W. The work is a
    # loop count calibrated at start-up, when this 2-core machine's clock may run slower
    # than later: measured 95-107 ms for W = 150 in CI, so the margin is 60 ms.
    assert np.count_nonzero(blocks["end"] - blocks["start"] >= 60_000_000) == 3


def test_async_http_overlaps_with_real_sockets(session: Session) -> None:
    result = run(session, style="async_http", concurrency=6, requests=6, work_ms=200)
    s = result.summary
    assert s.ok == 6 and s.peak_in_server == 6
    assert s.makespan_ms < 700
    assert s.longest_loop_block is not None and s.longest_loop_block.longest_ms < 60


def test_a_sync_client_inside_async_def_freezes_the_loop(session: Session) -> None:
    result = run(session, style="sync_http_in_async", concurrency=4, requests=4, work_ms=150)
    blocks = handler_slices(result)
    assert np.count_nonzero(blocks["end"] - blocks["start"] >= 130_000_000) == 4
    assert result.summary.makespan_ms >= 580


def test_sync_http_waits_on_workers_and_leaves_the_loop_free(session: Session) -> None:
    result = run(session, style="sync_http", concurrency=4, requests=4, work_ms=150, pool=40)
    s = result.summary
    assert s.workers_used == 4 and s.ok == 4
    assert s.longest_loop_block is not None and s.longest_loop_block.longest_ms < 60
    assert s.worker_cpu_ms < 0.3 * s.worker_wall_ms


def test_mixed_one_blocking_request_makes_the_sleepers_wait(session: Session) -> None:
    result = run(session, style="mixed", concurrency=6, requests=6, work_ms=200)
    block = result.summary.longest_loop_block
    assert block is not None and block.request == 3 and block.duration_ms >= 190
    assert block.waited_behind >= 3
    # The sleepers sent after the blocking one sat in the socket until it let go.
    phases = result.timeline.phases
    for request in (4, 5, 6):
        waited = max(e - s for p, s, e in phases.of(request) if p is Phase.WAITING)
        assert waited > 150_000_000, f"request {request} waited only {waited / 1e6:.0f} ms"


def test_two_thousand_requests_at_concurrency_200_are_each_accounted_for_once(
    session: Session,
) -> None:
    result = run(session, style="async_sleep", concurrency=200, requests=2000, work_ms=20)
    trace = result.trace
    sent = trace.sent.rows["request"]
    done = trace.done.rows["request"]
    assert sorted(sent.tolist()) == list(range(1, 2001))
    assert sorted(done.tolist()) == list(range(1, 2001))
    assert result.summary.ok == 2000
    assert result.summary.peak_in_server >= 150


def test_stopping_a_run_cancels_what_is_in_flight_and_loses_nothing(session: Session) -> None:
    live = session.start_run(
        RunSettings(style="async_sleep", concurrency=4, requests=1000, work_ms=300)
    )
    while live.sent_count < 4:
        session.pump(0.05)
    session.stop_run()
    while not live.finished:
        session.pump(0.1)
    trace = live.trace
    assert trace.ended == "stopped"
    sent = sorted(trace.sent.rows["request"].tolist())
    assert 4 <= len(sent) < 1000
    assert sorted(trace.done.rows["request"].tolist()) == sent
    outcomes = set(trace.done.rows["outcome"].tolist())
    assert Outcome.CANCELLED in outcomes
