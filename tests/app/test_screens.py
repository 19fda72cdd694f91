"""The window on the screens a teacher meets: what the picture audit does not cover.

A 1080p screen at scale 2, a remembered size larger than the screen, a few tall
lanes under the loop-block label, and the mouse wheel. The screens across run
lengths and what a user does are in test_picture_audit.py; the checks are in
_screen_checks.py. Set SCHEDVIZ_SCREENS_DIR to keep the PNGs for looking at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _plot_area import check_window_plot
from _screen_checks import assert_fits, assert_plot_readable, grab, settle, trace_file
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.app.screen_fit import FOLD_BELOW_PX

SCREENS = [(1024, 768), (1280, 720), (1920, 1080)]
#: The run on screen: 13 lanes, a long loop block, requests queued and waiting.
TRACE = "mixed_c6_n12_w100.json"
#: Compare's pair: the loop frozen against workers in waves (6 and 9 lanes).
PAIR = ("async_blocking_c5_w200.json", "sync_sleep_c6_p2_w200.json")


def _open_window(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    area: QRect,
    presentation: bool,
    dark: bool,
) -> MainWindow:
    window = make_window()
    if dark:
        window.dark_action.trigger()
    if presentation:
        window.set_presentation(True)
    settle(qtbot, window, area)
    return window


def test_a_screen_scaled_twice_gets_a_window_that_fits_it(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    tmp_path: Path,
    screen: Callable[[int, int], QRect],
) -> None:
    """QT_SCALE_FACTOR=2 on a 1080p screen leaves 960x540 logical pixels."""
    area = screen(960, 540)
    window = make_window()
    assert window.size().width() <= 960 and window.size().height() <= 540
    assert window.files.open(trace_file(tmp_path, TRACE)) is not None
    qtbot.waitUntil(lambda: window.timeline.plot.view.height() > 0, timeout=2000)
    qtbot.wait(50)
    image = grab(window, "960x540-normal")
    assert_fits(window, area)
    check_window_plot(image, window.timeline.plot, window).assert_ok(min_lanes=13)


def test_a_remembered_size_larger_than_the_screen_shrinks_to_it(
    make_window: Callable[..., MainWindow], screen: Callable[[int, int], QRect]
) -> None:
    big = make_window(show=False)
    big.resize(1900, 1060)
    big.store.save_window(big.saveGeometry(), big.saveState())
    big.store.sync()
    screen(1024, 768)
    window = make_window(show=False)
    assert window.width() <= 1024 and window.height() <= 768


def test_few_lanes_leave_the_loop_block_label_whole(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    tmp_path: Path,
    screen: Callable[[int, int], QRect],
) -> None:
    """Six tall lanes: the bracket's share of a lane is more pixels than a line of text."""
    area = screen(1024, 768)
    window = _open_window(make_window, qtbot, area, presentation=False, dark=False)
    assert window.files.open(trace_file(tmp_path, PAIR[0])) is not None
    settle(qtbot, window, area)
    image = grab(window, "1024x768-six-lanes")
    plot = window.timeline.plot
    assert plot.marks.label.isVisible()
    assert_plot_readable(image, plot, window)


def test_the_mouse_wheel_zooms_time_and_leaves_the_lanes_alone(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window()
    assert window.files.open(trace_file(tmp_path, TRACE)) is not None
    plot = window.timeline.plot
    (x0, x1), lanes_before = plot.view.viewRange()
    middle = plot.viewport().rect().center()
    wheel = QWheelEvent(
        QPointF(middle),
        QPointF(plot.viewport().mapToGlobal(middle)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    plot.wheelEvent(wheel)
    (after0, after1), lanes_after = plot.view.viewRange()
    assert after1 - after0 < (x1 - x0) * 0.95, "the wheel did not zoom time"
    assert lanes_after == pytest.approx(lanes_before), "the wheel zoomed the lanes too"


@pytest.mark.parametrize("mode", ["normal", "presentation", "after presentation"])
@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_a_layout_remembered_on_a_wide_screen_fits_the_projector(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    tmp_path: Path,
    screen: Callable[[int, int], QRect],
    width: int,
    height: int,
    mode: str,
) -> None:
    """The last session ran on a 1080p monitor, this one on the classroom's projector.

    The remembered layout had the summary beside the timeline: restored as it was, the
    two dock columns and the timeline between them made the window 1139 px wide on a
    1024 px screen under a real X server. It must fold as a fresh layout would.
    """
    wide_area = screen(1920, 1080)
    wide = make_window()
    settle(qtbot, wide, wide_area)
    assert not wide.tabifiedDockWidgets(wide.controls_dock), "1080p shows the docks apart"
    wide.close()  # remembers the layout, as quitting does

    area = screen(width, height)
    window = _open_window(make_window, qtbot, area, presentation=mode != "normal", dark=False)
    assert window.files.open(trace_file(tmp_path, TRACE)) is not None
    if mode == "after presentation":
        window.set_presentation(False)
    settle(qtbot, window, area)
    image = grab(window, f"{width}x{height}-remembered-{mode.replace(' ', '-')}")
    if mode == "after presentation":
        # Offscreen, showNormal() after full screen adds a made-up frame (1028x772 for any
        # layout; under Xvfb the window is 1024x768): what the layout needs is the truth.
        hint = window.minimumSizeHint()
        assert hint.width() <= width and hint.height() <= height, f"the window needs {hint}"
    else:
        assert_fits(window, area)
    if not window.presentation.active and width < FOLD_BELOW_PX:
        assert window.tabifiedDockWidgets(window.controls_dock) == [window.summary_dock], (
            "the summary is not a tab under the run settings on a narrow screen"
        )
    assert_plot_readable(image, window.timeline.plot, window)


def test_presentation_mode_takes_a_screen_smaller_than_the_normal_window(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    tmp_path: Path,
    screen: Callable[[int, int], QRect],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 1024x768 projector at QT_SCALE_FACTOR=2 is 512x384 logical pixels.

    The normal window cannot fit it (its Run panel alone is 320 px wide), but presentation
    mode hides the docks and can. Without a window manager (Xvfb, a kiosk) full screen is
    only a request, so the size presentation mode takes is what the room sees: under Xvfb
    it stayed 852x482, held by the minimum size of the docks it had just hidden.
    """
    area = screen(512, 384)
    window = make_window()
    assert window.files.open(trace_file(tmp_path, TRACE)) is not None
    settle(qtbot, window, area)
    assert window.minimumSizeHint().width() > area.width(), "the normal window fits: no test"
    taken: list[tuple[int, int]] = []
    set_geometry = window.setGeometry

    def record(*args: object) -> None:
        set_geometry(*args)  # type: ignore[arg-type]
        taken.append(window.size().toTuple())

    # Offscreen, showFullScreen() then takes the made-up 800 px screen: record what the
    # window took before that, as a bare X server leaves it.
    monkeypatch.setattr(window, "setGeometry", record)
    window.set_presentation(True)
    assert taken and taken[0] == area.size().toTuple(), f"presentation mode took {taken}"
