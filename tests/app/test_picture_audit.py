"""The picture audit: the real window, as a user sees it, across what a teacher does.

Run lengths (0.2 s, 3 s, 30 s of trace, stretched from recorded runs) x what the
user does (the end of a live run, a replay midway and at its end, an opened file,
presentation mode, the dark theme) x screens (1024x768, 1280x720, 1920x1080), and
Compare in the window and in presentation mode on each screen and on a 1080p screen
at scale 2 (960x540 logical pixels). In each: the window fits the screen, every
lane the trace has is on screen with its bars (tests/_plot_area.py, which a blank
plot fails) and a whole label, and the legend, status bar and replay bar are whole.

The recorded styles rotate through the cases, so each is seen at every length.
Set SCHEDVIZ_SCREENS_DIR to keep every picture for looking at.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from _screen_checks import (
    assert_bar_labels_drawn,
    assert_fits,
    assert_plot_readable,
    assert_whole,
    grab,
    settle,
    show_pair,
    trace_file,
)
from _traces import lasting
from PySide6.QtCore import QRect
from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.model.analysis import analyse

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

_styles = itertools.cycle(STYLES)
CASES = [
    pytest.param(next(_styles), length, action, screen, id=f"{action}-{length:g}s-{screen}")
    for length in LENGTHS_S
    for action in ACTIONS
    for screen in SCREENS
]


@pytest.mark.parametrize(("style", "length_s", "action", "screen_name"), CASES)
def test_the_window_shows_the_whole_run(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    tmp_path: Path,
    screen: Callable[[int, int], QRect],
    style: str,
    length_s: float,
    action: str,
    screen_name: str,
) -> None:
    area = screen(*SCREENS[screen_name])
    window = make_window()
    if action == "presentation":
        window.set_presentation(True)
    elif action == "dark":
        window.dark_action.trigger()
    settle(qtbot, window, area)
    if action == "live end":
        window.driver.run_finished.emit(analyse(lasting(style, length_s)))
    else:
        assert window.files.open(trace_file(tmp_path, style, length_s)) is not None
    clock = window.replay.clock
    if action.startswith("replay"):
        clock.seek(clock.span // 2)
    if action == "replay end":
        clock.seek(clock.span)
    settle(qtbot, window, area)
    image = grab(window, f"audit-{action.replace(' ', '-')}-{length_s:g}s-{screen_name}")

    assert_fits(window, area)
    plot = window.timeline.plot
    assert plot.timeline is not None
    if action == "replay midway":
        assert plot.timeline.span == clock.span // 2
        assert plot.cursor.isVisible()
    else:
        assert plot.timeline.span == clock.span, "the whole run is on screen at its end"
    assert_plot_readable(image, plot, window)
    for entry in window.timeline.legend.entries:
        assert_whole(entry, "a legend entry")
    assert_whole(window.statusBar(), "the status bar")
    assert_whole(window.replay.bar, "the replay bar")


@pytest.mark.parametrize("screen_name", [*SCREENS, "960x540"])
@pytest.mark.parametrize("presentation", [False, True], ids=["window", "presentation"])
def test_compare_shows_both_runs_whole(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    screen: Callable[[int, int], QRect],
    screen_name: str,
    presentation: bool,
) -> None:
    area = screen(*SCREENS.get(screen_name, (960, 540)))
    window = make_window()
    window.set_presentation(presentation)
    settle(qtbot, window, area)
    first = analyse(lasting("async_blocking_c5_w200.json", 3.0))
    second = analyse(lasting("sync_sleep_c6_p2_w200.json", 1.8))
    show_pair(window, first, second)
    settle(qtbot, window, area)
    mode = "presentation" if presentation else "window"
    image = grab(window, f"audit-compare-{mode}-{screen_name}")

    assert_fits(window, area)
    for plot in window.comparison.plots:
        assert_plot_readable(image, plot, window)
    assert_bar_labels_drawn(image, window.comparison.plots[0], window)  # async_blocking's turns
    for entry in window.comparison.legend.entries:
        assert_whole(entry, "a legend entry")
    assert_whole(window.statusBar(), "the status bar")
