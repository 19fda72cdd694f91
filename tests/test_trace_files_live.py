"""Trace files of real runs, in several styles and with a timeout, open whole in Perfetto,
and a real run at C = 200 draws the client's time as the client's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from _nesting import nesting_problems
from _sessions import started_session

from server.protocol import SERVER_START, Outcome
from visualizer.model.phases import IDLE_GAP_NS, Phase, derive_phases
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace, write_trace
from visualizer.runner.session import Session

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    with started_session() as session:
        yield session


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
    """Before the server's app has a request, "waiting" is drawn only while its loop was
    really busy; a stretch of idle loop then was the client's time (sending)."""
    trace = run(session, style="async_sleep", concurrency=200, requests=200, work_ms=50)
    phases = derive_phases(trace)
    assert not np.any(phases.phase == Phase.QUEUED), "200 slots for 200 requests: none queued"
    loop = np.sort(trace.loop.rows, order="start")
    stamps = trace.stamp.rows[trace.stamp.rows["kind"] == SERVER_START]
    sent = dict(trace.sent.rows.tolist())
    sending = 0
    for request, got in zip(stamps["request"].tolist(), stamps["t"].tolist(), strict=True):
        for phase, start, end in phases.of(request):
            start, end = max(start, sent[request]), min(end, got)
            if end <= start:
                continue
            assert phase in {Phase.SENDING, Phase.WAITING, Phase.RUNNING}
            sending += phase is Phase.SENDING
            if phase is Phase.WAITING:
                assert _longest_idle(loop, start, end) <= IDLE_GAP_NS, (request, start, end)
    assert sending > 0, "some of the 200 were sent while the loop sat idle"


def _longest_idle(loop: np.ndarray, start: int, end: int) -> int:
    """The longest stretch of [start, end) that no loop slice covers."""
    inside = loop[(loop["end"] > start) & (loop["start"] < end)]
    edges = [start, *np.maximum.accumulate(inside["end"]).tolist()]
    gaps = [s - e for s, e in zip([*inside["start"].tolist(), end], edges, strict=True)]
    return max(gaps, default=end - start)
