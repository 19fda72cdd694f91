"""Every run has its own identity: nothing of another run or another process is credited
to it (DESIGN.md, Processes and Request identity)."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from _sessions import finish

from server.protocol import KEY_BITS, NO_REQUEST, RESPONSE_END, SERVER_START, request_key
from server.tracing import RunGate
from visualizer.model.analysis import analyse
from visualizer.model.settings import RunSettings
from visualizer.runner.session import RunState, Session, _credited


def test_the_gate_takes_only_ids_of_the_run_in_progress() -> None:
    gate = RunGate()
    gate.open(run=3, requests=10)
    key = gate.key_of([(b"x-request-id", b"7"), (b"x-schedviz-run", b"3")])
    assert key == request_key(3, 7) == 3 << KEY_BITS | 7
    strays = [
        [(b"x-request-id", b"7")],  # no run: curl, a browser, a test client
        [(b"x-request-id", b"7"), (b"x-schedviz-run", b"2")],  # an earlier run
        [(b"x-request-id", b"11"), (b"x-schedviz-run", b"3")],  # beyond the run
        [(b"x-request-id", b"0"), (b"x-schedviz-run", b"3")],
        [(b"x-request-id", b"99999999999999999999"), (b"x-schedviz-run", b"3")],
        [(b"x-request-id", b"-1"), (b"x-schedviz-run", b"3")],
    ]
    assert [gate.key_of(headers) for headers in strays] == [NO_REQUEST] * len(strays)
    assert gate.foreign == len(strays)
    assert gate.key_of([(b"accept", b"*/*")]) == NO_REQUEST  # names no run: not counted
    assert gate.foreign == len(strays)
    gate.open(run=4, requests=1)
    assert gate.foreign == 0


def test_events_of_another_run_are_never_credited_to_this_one() -> None:
    loop = np.array([[10, 20, request_key(2, 5)], [30, 40, request_key(1, 5)], [50, 60, -1]])
    credited = _credited(loop, 2, run=2, others=NO_REQUEST)
    assert credited[:, 2].tolist() == [5, NO_REQUEST, -1]  # the loop was busy all the same
    worker = np.array(
        [[request_key(2, 1), 0, 1, 2, 1, 1, 0], [request_key(1, 1), 0, 1, 2, 1, 2, 0]]
    )
    assert _credited(worker, 0, run=2, others=None)[:, 0].tolist() == [1]


@pytest.mark.live
def test_handlers_an_earlier_run_abandoned_are_not_the_next_runs_workers(
    session: Session,
) -> None:
    """A timed-out sync_sleep run, stopped while it waits for its abandoned handlers,
    leaves them running on workers; they end during the next run, an async_sleep one,
    which uses no worker at all."""
    abandoned = RunSettings(
        style="sync_sleep", concurrency=3, requests=3, work_ms=1500, pool=3, timeout_s=0.3
    )
    first = session.start_run(abandoned)
    while first.state is not RunState.DRAINING:
        session.pump(0.1)
    session.stop_run()  # do not wait for the handlers the client gave up on
    finish(session, first)
    assert analyse(first.trace).summary.failed == 3  # timeouts
    assert analyse(first.trace).summary.unfinished == 3
    # Long enough that the abandoned handlers (1.5 s) end while it runs.
    settings = RunSettings(style="async_sleep", concurrency=3, requests=3, work_ms=1500)
    second = analyse(finish(session, session.start_run(settings)).trace)
    assert second.summary.ok == 3
    assert len(second.trace.worker) == 0
    assert second.summary.workers_used == 0
    assert not any("worker" in line for line in second.story)


@pytest.mark.live
def test_requests_from_elsewhere_during_a_run_are_counted_not_drawn(session: Session) -> None:
    settings = RunSettings(style="async_sleep", concurrency=2, requests=2, work_ms=400)
    run = session.start_run(settings)
    while not run.trace.t0:
        session.pump(0.05)
    url = f"http://127.0.0.1:{session.hello['port']}/async_sleep?work_ms=1"
    for headers in ({"x-request-id": "1"}, {"x-request-id": "2", "x-schedviz-run": "999"}):
        assert httpx.get(url, headers=headers, timeout=10).status_code == 200
    finish(session, run)
    assert run.trace.foreign_requests == 2
    story = analyse(run.trace).story
    assert any(line.startswith("2 requests from elsewhere reached the server") for line in story)
    stamps = run.trace.stamp.rows
    for kind in (SERVER_START, RESPONSE_END):
        assert sorted(stamps[stamps["kind"] == kind]["request"].tolist()) == [1, 2]


@pytest.mark.live
def test_request_1_does_not_carry_fastapis_first_call_of_the_route(session: Session) -> None:
    """The warm-up calls each route of the run once, untraced, before the run starts."""
    settings = RunSettings(style="sync_sleep", concurrency=1, requests=6, work_ms=1)
    loop = finish(session, session.start_run(settings)).trace.loop.rows
    loop = loop[loop["request"] > 0]
    busy = {
        request: int((loop["end"] - loop["start"])[loop["request"] == request].sum())
        for request in range(1, 7)
    }
    others = sorted(busy[request] for request in range(2, 7))
    assert busy[1] <= 3 * others[len(others) // 2] + 1_000_000, busy
