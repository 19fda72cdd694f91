"""Runs of 0.2 s, 3 s and 30 s look right wherever the window shows them.

Nanoseconds do not fit Qt's 32-bit int: a run past 2.147 s once ended blank (up to
4.29 s) or cut at a wrapped time with a false label (longer). Each screen a run
reaches is checked in the plot area, lane by lane: the end of a live run, a
replay midway and at its end, and a file just opened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _plot_area import PlotCheck, check_window_plot
from _traces import lasting
from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.model.replay import timeline_at
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import write_trace
from visualizer.runner.session import LiveRun, RunState

SECONDS = [0.2, 3.0, 30.0]
TRACE = "mixed_c6_n12_w100.json"


def _saved(tmp_path: Path, seconds: float, name: str = TRACE) -> Path:
    path = tmp_path / f"run_{seconds:g}s.json"
    write_trace(lasting(name, seconds), path)
    return path


def _plot_check(window: MainWindow, qtbot: QtBot) -> PlotCheck:
    qtbot.wait(50)  # the layout settles and the plot repaints
    return check_window_plot(window.grab().toImage(), window.timeline.plot, window)


def _live_like_run(window: MainWindow, qtbot: QtBot, trace: RunTrace) -> None:
    """The driver's side of a live run of ``trace``, frame by frame, without a server."""
    driver = window.driver
    run = LiveRun(trace=trace, state=RunState.RUNNING)
    driver.run, driver.result = run, None
    driver.run_started.emit(run)
    span = int(trace.done.rows["received"].max()) - trace.t0
    for share in (0.25, 0.5, 0.75):
        driver.timeline_changed.emit(timeline_at(trace, int(span * share)))
    run.state = RunState.FINISHED

    def finished() -> bool:
        driver.tick()  # its timer does this every frame; the test has no server to time
        return window.result is not None

    qtbot.waitUntil(finished, timeout=10_000)


@pytest.mark.parametrize("seconds", SECONDS)
def test_an_opened_run_is_drawn_whatever_its_length(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path, seconds: float
) -> None:
    window = make_window()
    result = window.files.open(_saved(tmp_path, seconds))
    assert result is not None
    shown = window.timeline.timeline
    assert shown is not None and shown.span == result.timeline.span
    assert len(shown) == len(result.timeline)
    _plot_check(window, qtbot).assert_ok(min_lanes=8)


@pytest.mark.parametrize("seconds", SECONDS)
def test_the_end_of_a_live_run_is_drawn_whatever_its_length(
    make_window: Callable[..., MainWindow], qtbot: QtBot, seconds: float
) -> None:
    window = make_window()
    _live_like_run(window, qtbot, lasting(TRACE, seconds))
    assert window.result is not None
    assert window.timeline.timeline is window.result.timeline
    window.timeline.show_whole_run()
    _plot_check(window, qtbot).assert_ok(min_lanes=8)


@pytest.mark.parametrize("seconds", SECONDS)
def test_a_replay_shows_every_lane_midway_and_at_its_end(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path, seconds: float
) -> None:
    window = make_window()
    result = window.files.open(_saved(tmp_path, seconds))
    assert result is not None
    clock = window.replay.clock
    assert clock.span == result.timeline.span
    window.replay_action.trigger()  # Ctrl+P: from the start, the view on the whole run
    assert clock.playing
    clock.pause()
    clock.seek(clock.span // 2)
    midway = window.timeline.timeline
    assert midway is not None and midway.span == clock.span // 2
    assert len(midway.lanes) > 1 + midway.worker_count  # requests are on their lanes
    (_, _), (top, bottom) = window.timeline.view.viewRange()
    # The view holds every lane of the finished run, not the one lane there was at 0 s.
    assert top <= 0 and bottom >= len(result.timeline.lanes) - 0.5
    _plot_check(window, qtbot).assert_ok(min_lanes=6)

    clock.seek(clock.span)
    assert window.timeline.timeline is result.timeline
    (_, _), (top, bottom) = window.timeline.view.viewRange()
    assert top <= 0 and bottom >= len(result.timeline.lanes) - 0.5
    _plot_check(window, qtbot).assert_ok(min_lanes=8)
