"""Trace files of real runs, in several styles and with a timeout, open whole in Perfetto,
and a real run at C = 200 draws the client's time as the client's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from _nesting import nesting_problems

from server.protocol import SERVER_START, Outcome
from visualizer.model.phases import Phase, derive_phases
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace, write_trace
from visualizer.runner.session import Session

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    session = Session()
    session.start_server()
    yield session
    session.close()


def run(session: Session, **settings: object) -> RunTrace:
    live = session.start_run(RunSettings(**settings))  # type: ignore[arg-type]
    while not live.finished:
        session.pump(0.1)
    return live.trace


RUNS = {
    "async_sleep": {"style": "async_sleep", "concurrency": 20, "requests": 40, "work_ms": 50},
    "async_blocking": {"style": "async_blocking", "concurrency": 4, "requests": 4, "work_ms": 50},
    "sync_cpu": {"style": "sync_cpu", "concurrency": 4, "requests": 8, "work_ms": 30, "pool": 2},
    "mixed": {"style": "mixed", "concurrency": 6, "requests": 12, "work_ms": 50},
    # The client gives up at 0.3 s; the handlers keep their workers for 1 s.
    "timeout": {
        "style": "sync_sleep",
        "concurrency": 3,
        "requests": 3,
        "work_ms": 1000,
        "pool": 3,
        "timeout_s": 0.3,
    },
}


@pytest.mark.parametrize("name", RUNS)
def test_a_real_run_written_opens_whole_in_perfetto(
    session: Session, tmp_path: Path, name: str
) -> None:
    trace = run(session, **RUNS[name])
    path = tmp_path / f"{name}.json"
    write_trace(trace, path)
    assert nesting_problems(path) == []
    back = read_trace(path)
    assert back.sent.rows["request"].tolist() == trace.sent.rows["request"].tolist()
    if name == "timeout":
        assert set(back.done.rows["outcome"].tolist()) == {int(Outcome.TIMEOUT)}


def test_at_concurrency_200_the_client_side_time_is_not_drawn_as_the_server_s(
    session: Session,
) -> None:
    trace = run(session, style="async_sleep", concurrency=200, requests=200, work_ms=50)
    phases = derive_phases(trace)
    assert not np.any(phases.phase == Phase.QUEUED), "200 slots for 200 requests: none queued"
    stamps = trace.stamp.rows[trace.stamp.rows["kind"] == SERVER_START]
    sent = dict(trace.sent.rows.tolist())
    client_before_server = []
    for request, got in zip(stamps["request"].tolist(), stamps["t"].tolist(), strict=True):
        before = [(p, max(s, sent[request]), min(e, got)) for p, s, e in phases.of(request)]
        before = [(p, s, e) for p, s, e in before if e > s]
        # Before the server's app got it, a request is the client's or waits for the loop.
        assert {p for p, _, _ in before} <= {Phase.SENDING, Phase.WAITING, Phase.RUNNING}
        client = sum(e - s for p, s, e in before if p is Phase.SENDING)
        client_before_server.append(client / max(got - sent[request], 1))
    assert len(client_before_server) == 200
    # The server's loop is idle most of that time: most of it is the client's.
    assert float(np.median(client_before_server)) > 0.5
