"""A live frame's work runs in steps, one turn of the event loop each.

On a loaded 2-core machine the GUI thread gets half a core or less: a frame done at
once (the children's messages, the live model, the hand-over to the views and their
paint, ~20 ms of work) held the window 40 to 60 ms. In steps, what falls due in
between (the user's input, timers) is handled between them.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from server import protocol
from visualizer.app import session_driver as session_driver_module
from visualizer.app.session_driver import PUMP_TURNS, SessionDriver
from visualizer.model.live_timeline import GrowingTimeline, LiveTimeline
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace
from visualizer.runner.session import SERVER, LiveRun, RunState, Session

DATA = Path(__file__).parent.parent / "data"
TRACE = DATA / "async_sleep_c10_w200.json"


class RecordedSession(Session):
    """A session without children whose runs are a recorded trace, all of it arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.handled: list[int] = []

    def launch_server(self) -> None:
        pass

    def start_run(self, settings: object = None) -> LiveRun:
        trace = read_trace(TRACE)
        trace.t0 = 1  # a file's clock starts at 0; a live run's start is known once not 0
        self.run = LiveRun(trace=trace, state=RunState.RUNNING)
        return self.run

    def pump(self, timeout_s: float = 0.0, budget_s: float | None = None) -> int:
        self.handled.append(super().pump(timeout_s, budget_s))
        return self.handled[-1]


class SlowLiveTimeline(LiveTimeline):
    """A live model that takes 30 ms a frame, and notes when each update ended."""

    def __init__(self, trace: RunTrace) -> None:
        super().__init__(trace)
        self.updated: list[float] = []

    def update(self, now: int) -> GrowingTimeline:
        time.sleep(0.03)
        timeline = super().update(now)
        self.updated.append(time.perf_counter())
        return timeline


@pytest.fixture
def driver() -> Iterator[SessionDriver]:
    driver = SessionDriver(RecordedSession())
    yield driver
    driver.close()


def test_a_timer_due_while_the_model_updates_fires_before_the_views_get_the_frame(
    qtbot: QtBot, driver: SessionDriver
) -> None:
    handed: list[float] = []
    driver.timeline_changed.connect(lambda _: handed.append(time.perf_counter()))
    ticks: list[float] = []
    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    probe.start()
    driver.launch_server()  # starts the frames
    run = driver.start_run(None)  # type: ignore[arg-type]
    live = driver.live_timeline = SlowLiveTimeline(run.trace)
    qtbot.waitUntil(lambda: len(handed) >= 3, timeout=5000)
    probe.stop()
    for updated, hand_over in zip(live.updated, handed, strict=False):
        assert any(updated < tick < hand_over for tick in ticks), "no turn between the steps"


def test_a_frame_of_a_run_replaced_between_its_steps_is_not_shown(
    qtbot: QtBot, driver: SessionDriver
) -> None:
    handed: list[object] = []
    driver.timeline_changed.connect(handed.append)
    driver.launch_server()
    driver.start_run(None)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: len(handed) >= 1, timeout=5000)
    first = driver.live_timeline
    # Each model update is followed, a turn later, by its hand-over: replace the run
    # right after an update, before its frame is handed on.
    shown_after: list[object] = []
    replaced: list[LiveTimeline | None] = []

    def new_run_after(update: object) -> object:
        def wrapped(now: int) -> GrowingTimeline:
            timeline = update(now)  # type: ignore[operator]
            if not replaced:
                replaced.append(driver.live_timeline)
                driver.start_run(None)  # type: ignore[arg-type]
                driver.timeline_changed.connect(shown_after.append)
            return timeline

        return wrapped

    assert first is not None
    first.update = new_run_after(first.update)  # type: ignore[method-assign]
    qtbot.waitUntil(lambda: len(shown_after) >= 2, timeout=5000)
    assert replaced == [first]
    old = [t for t in shown_after if getattr(t, "history", None) is first.history]
    assert not old, "a frame of the replaced run was shown after the new run began"


def test_a_backlog_of_messages_is_taken_a_few_turns_a_frame_and_the_frame_still_draws(
    qtbot: QtBot, driver: SessionDriver
) -> None:
    session = driver.session
    assert isinstance(session, RecordedSession)
    ticks = iter(range(1_000_000))
    session.clock = lambda: next(ticks) / 1000  # a millisecond a message
    handed: list[int] = []
    driver.timeline_changed.connect(lambda _: handed.append(len(session.handled)))
    driver.launch_server()
    driver.start_run(None)  # type: ignore[arg-type]
    for number in range(200):
        session.inbox.put((SERVER, {"t": protocol.HELLO, "number": number}))
    qtbot.waitUntil(lambda: len(handed) >= 2, timeout=5000)
    assert handed[0] == PUMP_TURNS  # the frame drew after PUMP_TURNS turns of messages
    assert max(session.handled) < 10  # each turn within its budget
    assert sum(session.handled) < 200  # the rest wait for later frames, in order
    qtbot.waitUntil(lambda: session.hello.get("number") == 199, timeout=5000)


def test_the_collector_leaves_what_was_there_alone_while_a_run_streams(
    qtbot: QtBot, driver: SessionDriver
) -> None:
    assert gc.get_freeze_count() == 0
    driver.launch_server()
    run = driver.start_run(None)  # type: ignore[arg-type]
    assert gc.get_freeze_count() > 0
    run.state = RunState.FINISHED
    qtbot.waitUntil(lambda: driver.result is not None, timeout=10_000)
    assert gc.get_freeze_count() == 0  # what the run left unreachable is collected again


def test_a_driver_closed_during_a_run_gives_the_collector_everything_back(
    driver: SessionDriver,
) -> None:
    driver.start_run(None)  # type: ignore[arg-type]
    assert gc.get_freeze_count() > 0
    driver.close()
    assert gc.get_freeze_count() == 0


def test_an_analysis_that_fails_still_gives_the_collector_everything_back(
    qtbot: QtBot, driver: SessionDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(trace: object) -> object:
        raise ValueError("a bug of ours in the analysis")

    monkeypatch.setattr(session_driver_module, "_analyse_and_index", broken)
    driver.launch_server()
    run = driver.start_run(None)  # type: ignore[arg-type]
    assert gc.get_freeze_count() > 0
    with qtbot.capture_exceptions() as raised:
        run.state = RunState.FINISHED
        qtbot.waitUntil(lambda: bool(raised), timeout=10_000)
    assert "a bug of ours" in str(raised[0][1])
    assert gc.get_freeze_count() == 0
