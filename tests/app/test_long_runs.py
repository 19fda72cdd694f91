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
from _plot_area import PlotCheck, ToPixel, check_plot_area, check_window_plot, window_mapping
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


def _frozen(to_pixel: ToPixel) -> ToPixel:
    """The mapping as it is now (window_mapping follows the view as it moves)."""
    (ax, ay), (bx, by) = to_pixel(0.0, 0.0), to_pixel(1.0, 1.0)
    return lambda seconds, lane: (ax + seconds * (bx - ax), ay + lane * (by - ay))


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


def test_run_clears_the_last_picture_at_once_and_says_what_it_waits_for(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window()
    result = window.files.open(_saved(tmp_path, 3.0))
    assert result is not None
    before = _plot_check(window, qtbot)
    before.assert_ok(min_lanes=8)
    old_range = window.timeline.view.viewRange()
    mapping = _frozen(window_mapping(window.timeline.plot, window))

    # Run pressed: the driver says the run started; its first events are a while away.
    run = LiveRun(trace=RunTrace(settings=result.trace.settings))
    window.driver.run = run
    window.driver.run_started.emit(run)
    qtbot.wait(50)
    image = window.grab().toImage()
    # Where the last run's bars were, nothing of them is left.
    after = check_plot_area(image, result.timeline, mapping, old_range)
    failed = [p for p in after.problems if "bar" in p and "painted" in p and "no bar" not in p]
    blank_lanes = [p for p in after.problems if p.endswith("no bar painted")]
    assert len(blank_lanes) + len(failed) == after.lanes_with_bars >= 8
    assert len(blank_lanes) >= after.lanes_with_bars - 2  # the message may cross a lane
    placeholder = window.timeline.placeholder
    assert placeholder.isVisible()
    assert "Starting a run of mixed" in placeholder.toPlainText()
    assert "starting the load generator" in window.status.progress_label.text()
    assert window.replay.bar.time_label.text() == ""  # no time of the last run on show

    # The first events arrive: the message goes, the new run is drawn.
    trace = lasting(TRACE, 0.2)
    window.driver.run = LiveRun(trace=trace, state=RunState.RUNNING)
    window.driver.timeline_changed.emit(timeline_at(trace, 100_000_000))
    assert not placeholder.isVisible()
