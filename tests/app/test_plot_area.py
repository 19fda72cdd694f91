"""Picture tests look at the plot area, and a blank plot fails them.

Each picture the user sees (the window, an exported PNG, a comparison, the
presentation and dark screens) is checked lane by lane against its trace with
tests/_plot_area.py; then the Gantt item's paint is made a no-op and the same
checks must report a blank plot. A checker that passed then would pass any
broken picture, as the old colour-anywhere checks did.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _plot_area import PlotCheck, check_rendered_picture, check_window_plot
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.app.picture_export import render
from visualizer.app.timeline.gantt_item import GanttItem
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).resolve().parents[1] / "data"
TRACES = sorted(path.name for path in DATA.glob("*.json"))


@pytest.fixture
def blank_paint(monkeypatch: pytest.MonkeyPatch) -> None:
    """The defect that once went unnoticed: the Gantt item paints nothing."""
    monkeypatch.setattr(GanttItem, "paint", lambda self, *args: None)


def _result(name: str) -> RunResult:
    return analyse(read_trace(DATA / name))


def _window_picture(window: MainWindow, qtbot: QtBot) -> QImage:
    qtbot.wait(50)  # let the layout settle and the plot repaint
    return window.grab().toImage()


def _open_in_window(
    make_window: Callable[..., MainWindow], qtbot: QtBot, name: str
) -> tuple[MainWindow, PlotCheck]:
    window = make_window()
    window.resize(1280, 720)
    assert window.files.open(DATA / name) is not None
    image = _window_picture(window, qtbot)
    return window, check_window_plot(image, window.timeline.plot, window)


@pytest.mark.parametrize("name", TRACES)
def test_an_opened_trace_is_drawn_in_every_lane(
    make_window: Callable[..., MainWindow], qtbot: QtBot, name: str
) -> None:
    window, check = _open_in_window(make_window, qtbot, name)
    assert window.timeline.timeline is not None
    check.assert_ok(min_lanes=3)


@pytest.mark.parametrize("name", TRACES)
def test_an_exported_png_is_drawn_in_every_lane(qtbot: QtBot, name: str) -> None:
    result = _result(name)
    (check,) = check_rendered_picture(
        render(TimelinePicture.of_run(result), 1920), [result.timeline]
    )
    check.assert_ok(min_lanes=3)


def test_a_comparison_picture_draws_both_panels(qtbot: QtBot) -> None:
    first, second = _result("async_blocking_c5_w200.json"), _result("async_sleep_c10_w200.json")
    rendered = render(TimelinePicture.of_comparison(first, second), 1920)
    for check in check_rendered_picture(rendered, [first.timeline, second.timeline]):
        check.assert_ok(min_lanes=3)


def test_presentation_and_dark_screens_are_drawn(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window, _ = _open_in_window(make_window, qtbot, "mixed_c6_n12_w100.json")
    window.dark_action.trigger()
    window.timeline.show_whole_run()
    image = _window_picture(window, qtbot)
    check_window_plot(image, window.timeline.plot, window).assert_ok(min_lanes=3)
    window.presentation_action.trigger()
    window.timeline.show_whole_run()
    image = _window_picture(window, qtbot)
    check_window_plot(image, window.timeline.plot, window).assert_ok(min_lanes=3)


# -- the checks catch a blank plot ------------------------------------------------------


def test_a_blank_plot_fails_the_window_check(
    make_window: Callable[..., MainWindow], qtbot: QtBot, blank_paint: None
) -> None:
    _, check = _open_in_window(make_window, qtbot, "async_blocking_c5_w200.json")
    assert check.blank, check.problems
    with pytest.raises(AssertionError, match="no bar painted"):
        check.assert_ok()


def test_a_blank_plot_fails_the_export_check(qtbot: QtBot, blank_paint: None) -> None:
    result = _result("sync_sleep_c6_p2_w200.json")
    (check,) = check_rendered_picture(
        render(TimelinePicture.of_run(result), 1920), [result.timeline]
    )
    assert check.blank, check.problems


def test_bars_in_the_wrong_lane_fail_the_check(
    make_window: Callable[..., MainWindow], qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A picture that is not blank but wrong: every bar drawn one lane lower."""
    original = GanttItem.paint

    def shifted(self: GanttItem, painter: object, *args: object) -> None:
        painter.translate(0, 1)  # type: ignore[attr-defined]
        original(self, painter, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(GanttItem, "paint", shifted)
    _, check = _open_in_window(make_window, qtbot, "async_blocking_c5_w200.json")
    assert check.problems
