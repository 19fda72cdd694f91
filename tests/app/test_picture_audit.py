"""The picture audit: the real window, as a user sees it, across what a teacher does.

Run lengths (0.2 s, 3 s, 30 s of trace, stretched from recorded runs) x what the
user does (the end of a live run, a replay midway and at its end, an opened file,
Compare, presentation mode, the dark theme) x screens (1024x768, 1280x720,
1920x1080, and a 1080p screen at scale 2, i.e. 960x540 logical pixels). In each:
the window fits the screen, every lane the trace has is on screen with its bars
(tests/_plot_area.py, which a blank plot fails), and the lane labels are all there.

The styles rotate through the cases, so each recorded style is seen at each length.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _plot_area import PlotCheck, check_window_plot
from _traces import lasting
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from visualizer.app import palette
from visualizer.app.main_window import MainWindow
from visualizer.app.presentation import use_theme
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.tracefile import write_trace

STYLES = (
    "async_blocking_c5_w200.json",
    "sync_sleep_c6_p2_w200.json",
    "mixed_c6_n12_w100.json",
    "async_sleep_c10_w200.json",
    "sync_cpu_c4_p4_w100.json",
)
LENGTHS_S = (0.2, 3.0, 30.0)
SCREENS = {"1024x768": (1024, 768), "1280x720": (1280, 720), "1920x1080": (1920, 1080)}
ACTIONS = ("live end", "replay midway", "replay end", "opened file", "presentation", "dark")

_style = itertools.cycle(STYLES)
CASES = [
    pytest.param(next(_style), length, action, screen, id=f"{action}-{length:g}s-{screen}")
    for length in LENGTHS_S
    for action in ACTIONS
    for screen in SCREENS
]


@pytest.fixture(autouse=True)
def _defaults_after() -> Iterator[None]:
    yield
    use_theme(False)
    palette.FONTS.scale = 1.0


def _on_screen(window: MainWindow, qtbot: QtBot, size: tuple[int, int]) -> QImage:
    """The window as it is shown on a screen of ``size``: the grab a user would see."""
    window.resize(*size)
    qtbot.wait(60)
    return window.grab().toImage()


def _assert_fits(window: MainWindow, size: tuple[int, int]) -> None:
    width, height = size
    assert window.width() <= width and window.height() <= height, (
        f"the window is {window.width()}x{window.height()} on a {width}x{height} screen"
    )


def _assert_plot_shows_the_run(image: QImage, plot: TimelinePlot, window: MainWindow) -> PlotCheck:
    assert plot.timeline is not None
    check = check_window_plot(image, plot, window)
    check.assert_ok(min_lanes=min(3, len(plot.timeline.lanes)))
    assert check.thin_lanes == 0, f"{check.thin_lanes} lanes too thin to read"
    assert check.lanes_checked == len(plot.timeline.lanes), (
        f"{check.lanes_checked} of {len(plot.timeline.lanes)} lanes on screen"
    )
    return check


def _assert_every_lane_is_labelled(plot: TimelinePlot) -> None:
    assert plot.timeline is not None
    _, (y0, y1) = plot.view.viewRange()
    height = plot.view.sceneBoundingRect().height()
    ticks = plot.axis.tickValues(y0, y1, height)
    shown = {int(value) for _, values in ticks for value in values}
    assert shown == set(range(len(plot.timeline.lanes))), "some lane labels are dropped"


def _saved(result_trace: object, tmp_path: Path) -> Path:
    path = tmp_path / "run.json"
    write_trace(result_trace, path)  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize(("style", "length_s", "action", "screen"), CASES)
def test_the_window_shows_the_whole_run(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    tmp_path: Path,
    style: str,
    length_s: float,
    action: str,
    screen: str,
) -> None:
    size = SCREENS[screen]
    trace = lasting(style, length_s)
    window = make_window()
    window.resize(*size)
    if action == "live end":
        window.driver.run_finished.emit(analyse(trace))
    else:
        assert window.files.open(_saved(trace, tmp_path)) is not None
    if action == "presentation":
        window.set_presentation(True)
    elif action == "dark":
        window.dark_action.trigger()
    clock = window.replay.clock
    if action == "replay midway":
        clock.seek(clock.span // 2)
    elif action == "replay end":
        clock.seek(clock.span // 2)
        clock.seek(clock.span)
    window.timeline.show_whole_run()
    image = _on_screen(window, qtbot, size)
    _assert_fits(window, size)
    plot = window.timeline.plot
    if action == "replay midway":
        shown = plot.timeline
        assert shown is not None and shown.span == clock.span // 2
    _assert_plot_shows_the_run(image, plot, window)
    _assert_every_lane_is_labelled(plot)


def _compare(window: MainWindow, first: RunResult, second: RunResult) -> None:
    """What the window does when Compare has run both: the runner's signals, no server."""
    styles = (first.trace.settings.style, second.trace.settings.style)
    window.comparison.start(styles)
    window.pages.setCurrentWidget(window.comparison)
    runner = window.compare_runner
    runner.run_finished.emit(0, first)
    runner.run_finished.emit(1, second)
    runner.finished.emit(first, second)


@pytest.mark.parametrize("screen", [*SCREENS, "960x540"])
@pytest.mark.parametrize("presentation", [False, True], ids=["window", "presentation"])
def test_compare_shows_both_runs(
    make_window: Callable[..., MainWindow], qtbot: QtBot, screen: str, presentation: bool
) -> None:
    size = SCREENS.get(screen, (960, 540))
    first = analyse(lasting("async_blocking_c5_w200.json", 1.0))
    second = analyse(lasting("sync_sleep_c6_p2_w200.json", 0.6))
    window = make_window()
    window.resize(*size)
    _compare(window, first, second)
    window.set_presentation(presentation)
    image = _on_screen(window, qtbot, size)
    _assert_fits(window, size)
    for plot in window.comparison.plots:
        _assert_plot_shows_the_run(image, plot, window)
        _assert_every_lane_is_labelled(plot)


def test_a_scale_2_screen_fits_in_both_modes(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    """A 1080p screen at QT_SCALE_FACTOR=2 has 960x540 logical pixels."""
    size = (960, 540)
    window = make_window()
    assert window.files.open(_saved(lasting("mixed_c6_n12_w100.json", 3.0), tmp_path))
    for presentation in (False, True):
        window.set_presentation(presentation)
        window.timeline.show_whole_run()
        image = _on_screen(window, qtbot, size)
        _assert_fits(window, size)
        _assert_plot_shows_the_run(image, window.timeline.plot, window)
