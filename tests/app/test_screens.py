"""The window on the screens a teacher meets: 1024x768 projectors, 720p, 1080p, 2x scaling.

Each screen is a window with an opened 3 s run, sized as the screen's available
area says, in normal and presentation mode, light and dark, and Compare in
presentation mode. What is checked is what the room sees: the window fits the
screen, every lane of every plot shows its bars (tests/_plot_area.py), every lane
has its label and no label is cut, every legend entry is on screen, and the
loop-block label is whole.

Set SCHEDVIZ_SCREENS_DIR to keep the PNGs of the screens for looking at.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _plot_area import check_window_plot
from _traces import lasting
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QWheelEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from visualizer.app import main_window as main_window_module
from visualizer.app import palette
from visualizer.app import presentation as presentation_module
from visualizer.app.main_window import MainWindow
from visualizer.app.presentation import use_theme
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.annotations import annotate
from visualizer.model.tracefile import write_trace

SCREENS = [(1024, 768), (1280, 720), (1920, 1080)]
#: The run on screen: 13 lanes, a long loop block, requests queued and waiting.
TRACE = "mixed_c6_n12_w100.json"
#: Compare's pair: the loop frozen against workers in waves (6 and 9 lanes).
PAIR = ("async_blocking_c5_w200.json", "sync_sleep_c6_p2_w200.json")


@pytest.fixture(autouse=True)
def _light_theme_after() -> Iterator[None]:
    """Theme and font scale are process-wide: every test leaves the defaults behind."""
    yield
    use_theme(False)
    palette.FONTS.scale = 1.0


@pytest.fixture
def screen(monkeypatch: pytest.MonkeyPatch) -> Callable[[int, int], QRect]:
    """Pretend the window's screen is ``width`` x ``height`` (the offscreen one is 800 px)."""

    def use(width: int, height: int) -> QRect:
        area = QRect(0, 0, width, height)
        monkeypatch.setattr(main_window_module, "available_area", lambda _window: area)
        monkeypatch.setattr(presentation_module, "screen_area", lambda _window: area)
        return area

    return use


def _trace_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    write_trace(lasting(name, 3.0), path)
    return path


def _settle(qtbot: QtBot, window: MainWindow, area: QRect) -> None:
    """Let layouts, the deferred top-room refit and the full-screen request take effect."""
    if window.presentation.active:
        # Offscreen, full screen means the made-up 800 px screen: use the pretend one.
        window.setGeometry(area)
        qtbot.waitUntil(
            lambda: window.size() == area.size() or _too_big(window, area), timeout=2000
        )
    qtbot.wait(50)


def _too_big(window: MainWindow, area: QRect) -> bool:
    hint = window.minimumSizeHint()
    return hint.width() > area.width() or hint.height() > area.height()


def _grab(window: MainWindow, name: str) -> QImage:
    image = window.grab().toImage()
    if folder := os.environ.get("SCHEDVIZ_SCREENS_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        image.save(str(Path(folder) / f"{name}.png"))
    return image


def _drawn_lane_labels(plot: TimelinePlot) -> list[tuple[QRectF, str]]:
    """The labels the lane axis paints now, with their rectangles, as pyqtgraph lays them out."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = plot.axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if specs is None:
        return []
    return [(rect, text) for rect, _flags, text in specs[2]]


def assert_fits(window: MainWindow, area: QRect) -> None:
    hint = window.minimumSizeHint()
    assert hint.width() <= area.width() and hint.height() <= area.height(), (
        f"the window needs {hint.width()}x{hint.height()}, the screen has "
        f"{area.width()}x{area.height()}"
    )
    frame = window.frameGeometry()
    assert frame.width() <= area.width() and frame.height() <= area.height(), (
        f"the window is {frame.width()}x{frame.height()} on a {area.width()}x{area.height()} screen"
    )


def assert_whole(widget: QWidget, what: str) -> None:
    """``widget`` is shown, and none of it is cut off by its parents or the window."""
    assert widget.isVisible(), f"{what} is hidden"
    region = widget.visibleRegion().boundingRect()
    assert region == widget.rect(), f"{what} shows {region} of {widget.rect()}"


def assert_plot_readable(image: QImage, plot: TimelinePlot, window: MainWindow) -> None:
    """Every lane on screen with its bars, and every lane with a whole label."""
    timeline = plot.timeline
    assert timeline is not None
    lanes = len(timeline.lanes)
    check = check_window_plot(image, plot, window)
    check.assert_ok(min_lanes=lanes)
    assert check.thin_lanes == 0
    labels = _drawn_lane_labels(plot)
    texts = [text for _, text in labels]
    assert texts == [lane.label for lane in timeline.lanes], f"labels drawn: {texts}"
    bounds = plot.axis.boundingRect()
    for rect, text in labels:
        assert bounds.contains(rect), f"label {text!r} at {rect} is cut by the axis {bounds}"
    marks = plot.marks.label
    if marks.isVisible():
        shown = plot.view.sceneBoundingRect()
        # The text's own box: the item adds an empty margin around its document.
        margin = marks.textItem.document().documentMargin()
        text = marks.sceneBoundingRect().adjusted(margin, margin, -margin, -margin)
        assert shown.contains(text), f"the loop-block label {text} is cut by the plot {shown}"


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
    _settle(qtbot, window, area)
    return window


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_an_opened_run_is_whole_and_readable_on_the_screen(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    tmp_path: Path,
    screen: Callable[[int, int], QRect],
    size: tuple[int, int],
    presentation: bool,
    dark: bool,
) -> None:
    area = screen(*size)
    window = _open_window(make_window, qtbot, area, presentation, dark)
    assert window.files.open(_trace_file(tmp_path, TRACE)) is not None
    _settle(qtbot, window, area)
    mode = "presentation" if presentation else "normal"
    image = _grab(window, f"{size[0]}x{size[1]}-{mode}-{'dark' if dark else 'light'}")

    assert_fits(window, area)
    assert_plot_readable(image, window.timeline.plot, window)
    for entry in window.timeline.legend.entries:
        assert_whole(entry, "a legend entry")
    assert_whole(window.statusBar(), "the status bar")
    assert_whole(window.replay.bar, "the replay bar")


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_compare_in_presentation_mode_shows_every_lane_of_both_runs(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    screen: Callable[[int, int], QRect],
    size: tuple[int, int],
) -> None:
    area = screen(*size)
    window = _open_window(make_window, qtbot, area, presentation=True, dark=False)
    first, second = (analyse(lasting(name, 3.0)) for name in PAIR)
    _show_pair(window, first, second)
    _settle(qtbot, window, area)
    image = _grab(window, f"{size[0]}x{size[1]}-compare-presentation")

    assert_fits(window, area)
    for plot in window.comparison.plots:
        assert_plot_readable(image, plot, window)
    for entry in window.comparison.legend.entries:
        assert_whole(entry, "a legend entry")
    assert_whole(window.statusBar(), "the status bar")


def _show_pair(window: MainWindow, first: RunResult, second: RunResult) -> None:
    """What the window does when a comparison ends, without running one."""
    comparison = window.comparison
    comparison.start((first.trace.settings.style, second.trace.settings.style))
    window.pages.setCurrentWidget(comparison)
    for slot, result in enumerate((first, second)):
        comparison.set_timeline(slot, result.timeline, annotate(result.trace))
        comparison.set_result(slot, result)
    window.pair = (first, second)


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
    assert window.files.open(_trace_file(tmp_path, TRACE)) is not None
    qtbot.waitUntil(lambda: window.timeline.plot.view.height() > 0, timeout=2000)
    qtbot.wait(50)
    image = _grab(window, "960x540-normal")
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
    assert window.files.open(_trace_file(tmp_path, PAIR[0])) is not None
    _settle(qtbot, window, area)
    image = _grab(window, "1024x768-six-lanes")
    plot = window.timeline.plot
    assert plot.marks.label.isVisible()
    assert_plot_readable(image, plot, window)


def test_the_mouse_wheel_zooms_time_and_leaves_the_lanes_alone(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window()
    assert window.files.open(_trace_file(tmp_path, TRACE)) is not None
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
