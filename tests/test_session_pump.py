"""Session.pump with a budget: a frame handles what fits, the rest waits in order."""

from __future__ import annotations

import time

import numpy as np
import pytest

from server import protocol
from server.protocol import Outcome
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.runner import session as session_module
from visualizer.runner.session import SERVER, LiveRun, RunState, Session


class SteppedClock:
    """A clock that moves on a millisecond each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


def hello(number: int) -> tuple[str, dict[str, object]]:
    return SERVER, {"t": protocol.HELLO, "number": number}


def test_a_budget_leaves_the_rest_for_the_next_pump_and_loses_nothing() -> None:
    session = Session()
    session.clock = SteppedClock()
    for number in range(10):
        session.inbox.put(hello(number))
    handled = [session.pump(0, budget_s=0.0035)]
    assert session.hello["number"] == handled[0] - 1  # in order, and no further
    assert 0 < handled[0] < 10
    while sum(handled) < 10:
        handled.append(session.pump(0, budget_s=0.0035))
        assert handled[-1] > 0  # every pump gets on
    assert session.hello["number"] == 9
    assert session.inbox.empty()
    assert session.pump(0, budget_s=0.0035) == 0


def test_without_a_budget_a_pump_takes_everything() -> None:
    session = Session()
    session.clock = SteppedClock()
    for number in range(10):
        session.inbox.put(hello(number))
    assert session.pump(0) == 10
    assert session.hello["number"] == 9


def test_a_budget_smaller_than_one_message_still_handles_one() -> None:
    session = Session()
    session.clock = SteppedClock()
    for number in range(3):
        session.inbox.put(hello(number))
    assert [session.pump(0, budget_s=0.0) for _ in range(4)] == [1, 1, 1, 0]


def test_while_draining_the_handlers_are_counted_again_only_when_something_arrived(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The count reads the whole trace (3 ms at 20,000 requests); the GUI pumps often."""
    counted: list[int] = []

    def count(trace: RunTrace) -> int:
        counted.append(1)
        return 1  # a handler the client gave up on is still running

    monkeypatch.setattr(session_module, "handlers_running", count)
    session = Session()
    run = session.run = LiveRun(trace=RunTrace(RunSettings()), state=RunState.DRAINING)
    run.drain_began_at = run.drain_progress_at = time.monotonic()
    run.draining = 1
    for _ in range(5):
        session.pump(0, budget_s=0.005)
    assert counted == []  # nothing arrived: nothing new to count
    session.inbox.put(hello(1))
    session.pump(0, budget_s=0.005)
    assert counted == [1]
    assert run.state is RunState.DRAINING  # still waiting for that handler


def test_a_request_never_reported_done_ends_as_an_error_at_the_runs_end() -> None:
    """Every request sent appears once with a final state, also when the client went
    silent (a cancelled run, a client that died)."""
    session = Session()
    trace = RunTrace(RunSettings(), t0=1_000)
    trace.sent.extend([(1, 1_100), (2, 1_200), (3, 9_000), (4, 1_300)])
    trace.done.extend([(1, 1_100, 5_000, 200, int(Outcome.OK)), (4, 1_300, 4_000, 200, 0)])
    run = session.run = LiveRun(trace=trace, state=RunState.FLUSHING)
    session._finish(run, "stopped")
    done = trace.done.rows
    assert sorted(done["request"].tolist()) == [1, 2, 3, 4]
    lost = done[np.isin(done["request"], [2, 3])]
    assert lost["outcome"].tolist() == [int(Outcome.ERROR)] * 2
    assert lost["sent"].tolist() == [1_200, 9_000]
    # They end when the run's last known moment was: here the last one sent.
    assert lost["received"].tolist() == [9_000, 9_000]
    assert run.finished
