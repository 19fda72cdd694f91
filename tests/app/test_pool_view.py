"""The pools in the window and in pictures: a lane group a pool, with a line where it
begins and a tab with its name and size; each pool's full periods hatched over its own
lanes only; worker runs named on their bars and in their tooltips; a wait naming the
pool it waited for; a sampled bar's line shown in the code view when clicked.

Pictures are checked where the user looks: rows of the plot area at the lane
boundaries, in the gaps between bars, across the bars (tests/_plot_area.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from _plot_area import _rgb_array, check_rendered_picture, scaled
from _pool_traces import HELD_LINE, MS, pools_trace, write_source
from _screen_checks import assert_fits, assert_plot_readable, assert_whole, grab, settle
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from pytestqt.qtbot import QtBot

from visualizer.app import palette
from visualizer.app.main_window import MainWindow
from visualizer.app.picture_export import RenderedPicture, render
from visualizer.app.timeline.bar_labels import fitting_label, label_choices
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.app.timeline.tooltip import CLICK_TO_SHOW, describe_bar
from visualizer.app.timeline.view import TimelineView
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.annotations import annotate
from visualizer.model.live_timeline import LiveTimeline
from visualizer.model.timeline import BarKind, Timeline
from visualizer.model.trace import EventTable
from visualizer.model.tracefile import read_trace, write_trace

SCREENS = {"1024x768": (1024, 768), "1280x720": (1280, 720), "1920x1080": (1920, 1080)}
#: Lanes of the trace: the loop, AnyIO's two workers, one to_thread, two processes.
ANYIO_LANES, DEFAULT_LANES, PROCESS_LANES = (1, 2), (3,), (4, 5)


@pytest.fixture
def result(tmp_path: Path) -> RunResult:
    return analyse(pools_trace(write_source(tmp_path)))


@pytest.fixture
def picture(qtbot: QtBot, result: RunResult) -> RenderedPicture:
    return render(TimelinePicture.of_run(result), 1920)


def bar_of(timeline: Timeline, lane: int, kind: BarKind, request: int) -> int:
    found = np.flatnonzero(
        (timeline.lane == lane) & (timeline.kind == kind) & (timeline.request == request)
    )
    assert len(found), f"no {kind.name} bar of request {request} on lane {lane}"
    return int(found[0])


# -- pixels ------------------------------------------------------------------------------------


def _pixels(picture: RenderedPicture) -> tuple[np.ndarray, Callable[[float, float], tuple]]:
    placement = picture.placements[0]
    return _rgb_array(picture.image), scaled(placement.to_point, picture.scale)


def _row(picture: RenderedPicture, lane_y: float, t0_ms: float, t1_ms: float) -> np.ndarray:
    """The image's pixels along ``lane_y`` (lanes) from ``t0_ms`` to ``t1_ms``."""
    rgb, to_pixel = _pixels(picture)
    left, y = to_pixel(t0_ms / 1e3, lane_y)
    right, _ = to_pixel(t1_ms / 1e3, lane_y)
    return rgb[round(y), int(np.ceil(left)) : int(right)].astype(int)


def _near(pixels: np.ndarray, colour: str, distance: int = 60) -> np.ndarray:
    rgb = np.array(palette_rgb(colour))
    return np.abs(pixels - rgb).sum(axis=-1) < distance


def palette_rgb(colour: str) -> tuple[int, int, int]:
    from PySide6.QtGui import QColor

    c = QColor(colour)
    return c.red(), c.green(), c.blue()


def _line_share(picture: RenderedPicture, boundary: int) -> float:
    """The most of any image row near lane boundary ``boundary`` that is a group line."""
    rgb, to_pixel = _pixels(picture)
    left, y = to_pixel(0.0, boundary)
    right, _ = to_pixel(0.25, boundary)
    rows = rgb[int(y) - 2 : int(y) + 3, int(left) + 2 : int(right) - 2].astype(int)
    return float(_near(rows, palette.MUTED_TEXT, 40).mean(axis=1).max())


def _hatched(picture: RenderedPicture, lane: int, t0_ms: float, t1_ms: float) -> float:
    """The share of the gap row below ``lane``'s bar that is the hatching's vermillion."""
    # In the gap under the bar (the hatch fills the gaps, not the bars).
    pixels = _row(picture, lane + 0.93, t0_ms, t1_ms)
    red, green, blue = pixels[:, 0], pixels[:, 1], pixels[:, 2]
    return float(((red > green + 50) & (red > blue + 50)).mean())


# -- pictures ------------------------------------------------------------------------------------


def test_the_picture_of_every_pool_is_drawn_in_every_lane(
    picture: RenderedPicture, result: RunResult
) -> None:
    (check,) = check_rendered_picture(picture, [result.timeline])
    check.assert_ok(min_lanes=len(result.timeline.lanes))


def test_a_line_above_each_pool_and_none_inside_one(picture: RenderedPicture) -> None:
    # Above AnyIO's workers (under the loop), above the default executor, above the processes.
    for boundary in (1, 3, 4):
        assert _line_share(picture, boundary) > 0.9, f"no group line at lane {boundary}"
    # Between two workers of one pool: no line, whatever the hatching crosses there.
    for boundary in (2, 5):
        assert _line_share(picture, boundary) < 0.1, f"a group line inside a pool at {boundary}"


def test_each_pool_is_named_with_its_size_where_its_lanes_have_room(
    picture: RenderedPicture, result: RunResult
) -> None:
    timeline = result.timeline
    (tabs,) = picture.tabs
    assert [tab.text for tab in tabs] == [
        "AnyIO pool, P = 2",
        "asyncio default executor, 2 threads",
        "process pool, 2 processes",
    ]
    groups = (ANYIO_LANES, DEFAULT_LANES, PROCESS_LANES)
    rgb, to_pixel = _pixels(picture)
    for tab, lanes in zip(tabs, groups, strict=True):
        assert tab.lane in lanes, f"{tab.text} on lane {tab.lane}, not its pool's {lanes}"
        mine = timeline.lane == tab.lane
        hidden = (timeline.start[mine] / 1e9 < tab.end) & (timeline.end[mine] / 1e9 > tab.start)
        assert not hidden.any(), f"{tab.text} hides a bar of lane {tab.lane}"
        # Its words are painted: dark text on the tab, along the lane's middle.
        left, y = to_pixel(tab.start, tab.lane + 0.5)
        right, _ = to_pixel(tab.end, tab.lane + 0.5)
        rows = rgb[int(y) - 3 : int(y) + 4, int(left) : int(right)].astype(int)
        assert _near(rows, palette.TEXT, 150).sum() > 30, f"no words on the tab {tab.text}"


def test_each_pool_is_hatched_while_full_over_its_own_lanes_only(
    picture: RenderedPicture,
) -> None:
    # AnyIO's pool is full 10-110 ms, the processes 50-130 ms, the default executor never.
    for lane in ANYIO_LANES:
        assert _hatched(picture, lane, 20, 100) > 0.05, f"AnyIO's lane {lane} not hatched"
        assert _hatched(picture, lane, 120, 240) == 0, f"AnyIO's lane {lane} hatched when not full"
    for lane in PROCESS_LANES:
        assert _hatched(picture, lane, 60, 120) > 0.05, f"process lane {lane} not hatched"
        assert _hatched(picture, lane, 12, 45) == 0, f"process lane {lane} hatched with AnyIO's"
    for lane in DEFAULT_LANES:
        assert _hatched(picture, lane, 0, 250) == 0, "the default executor is never full"


def test_wide_worker_bars_carry_their_request_and_what_they_ran(
    picture: RenderedPicture, result: RunResult
) -> None:
    timeline = result.timeline
    bar = bar_of(timeline, 1, BarKind.RUNNING, 1)  # get_db (enter), 50 ms wide
    rgb, to_pixel = _pixels(picture)
    left, top = to_pixel(timeline.start[bar] / 1e9, 1.3)
    right, bottom = to_pixel(timeline.end[bar] / 1e9, 1.7)
    inside = rgb[int(top) : int(bottom), int(left) + 3 : int(right) - 3].astype(int)
    columns = np.flatnonzero(_near(inside, "#FFFFFF", 90).any(axis=0))
    assert len(columns), "no words on the bar"
    # "1 · get_db (enter)" is many times wider than the "1" that would be alone.
    assert columns[-1] - columns[0] > 6 * picture.scale * 14, "only the number on the bar"


#: Picture widths at which the recorded process-pool run lost its underscores before.
WIDTHS = (1200, 1400, 1600)


def test_an_underscore_in_a_bars_name_is_drawn(qtbot: QtBot, data_dir: Path) -> None:
    """A line of words taller than its bar, centred, hung below it, where the pool-full
    hatching is painted over: a run of few lanes lost its descenders, and every function
    name its underscores ("burn cpu" for burn_cpu)."""
    trace = read_trace(data_dir / "cpu_process_pool_c4_w150.json")  # 7 lanes, all hatched

    def white_on_first_run(name: str, width: int) -> int:
        trace.labels[:] = [name]
        worker = trace.worker.rows.copy()
        worker["func"] = 0
        trace.worker = EventTable(worker.dtype)
        trace.worker.extend(worker)
        shown = analyse(trace)
        timeline = shown.timeline
        bar = int(np.flatnonzero(timeline.lane == 1)[0])
        drawn = render(TimelinePicture.of_run(shown), width)
        rgb, to_pixel = _pixels(drawn)
        left, top = to_pixel(timeline.start[bar] / 1e9, 1 + 0.14)
        right, bottom = to_pixel(timeline.end[bar] / 1e9, 1 + 0.86)
        pixels = rgb[int(top) : int(bottom) + 1, int(left) + 3 : int(right) - 3].astype(int)
        return int(_near(pixels, "#FFFFFF", 90).sum())

    # Underscores alone against spaces alone: the words add nothing but the underscores.
    for width in WIDTHS:
        lines, blanks = white_on_first_run("_" * 8, width), white_on_first_run(" " * 8, width)
        assert lines > blanks + 8, f"no underscore drawn at {width} px ({lines} vs {blanks})"


def test_the_name_gives_way_to_the_number_where_it_does_not_fit(result: RunResult) -> None:
    timeline = result.timeline
    worker = bar_of(timeline, 1, BarKind.RUNNING, 1)
    loop = bar_of(timeline, 0, BarKind.RUNNING, 8)
    assert label_choices(timeline, worker) == ("1 · get_db (enter)", "1")
    assert label_choices(timeline, loop) == ("request 8", "8")
    advance = lambda text: 7.0 * len(text)  # noqa: E731 - seven pixels a character
    assert fitting_label(("1 · get_db (enter)", "1"), 200, advance) == "1 · get_db (enter)"
    assert fitting_label(("1 · get_db (enter)", "1"), 40, advance) == "1"
    assert fitting_label(("1 · get_db (enter)", "1"), 10, advance) == ""
    # A live Timeline names its runs too, also those still going.
    live = LiveTimeline(result.trace).update(400 * MS)
    on_worker = int(np.flatnonzero((live.lane == 1) & (live.request == 1))[0])
    assert label_choices(live, on_worker) == ("1 · get_db (enter)", "1")
    # One that does not (a Timeline made before runs were named) says whose they are.
    unnamed = replace(live, func=live.func[:0])
    assert label_choices(unnamed, on_worker) == ("request 1", "1")


# -- tooltips ------------------------------------------------------------------------------------


def test_tooltips_name_what_ran_where_a_wait_waited_and_where_a_bar_was_held(
    result: RunResult,
) -> None:
    timeline, marks = result.timeline, annotate(result.trace)

    def say(lane: int, kind: BarKind, request: int) -> str:
        return describe_bar(timeline, bar_of(timeline, lane, kind, request), marks)

    worker = say(1, BarKind.RUNNING, 1).splitlines()
    assert worker[:2] == ["worker 1: running request 1", "ran get_db (enter) · AnyIO pool, P = 2"]
    assert "ran sleep · asyncio default executor, 2 threads" in say(3, BarKind.RUNNING, 5)
    assert "ran crunch · process pool, 2 processes" in say(4, BarKind.RUNNING, 6)
    waiting = say(timeline.lane_of_request(3), BarKind.WAITING, 3)
    assert "waited for a worker of the AnyIO pool, P = 2" in waiting
    assert "to run items: handed over at 12.000 ms, started at 60.000 ms" in waiting
    held = say(0, BarKind.RUNNING, 8).splitlines()
    assert "held at `time.sleep(0.1)` in block (api.py:11), 3 samples" in held
    stack = held.index("stack, innermost first:")
    assert held[stack + 1].endswith(f"/api.py:{HELD_LINE} in block")  # innermost first
    assert held[stack + 2] == "  fastapi/routing.py:381 in run"
    assert held[-1] == CLICK_TO_SHOW
    # Worker 1's run for request 1 was sampled too; worker 2's was not.
    assert "held at `time.sleep(0.05)` in get_db" in say(1, BarKind.RUNNING, 1)
    assert "held at" not in say(2, BarKind.RUNNING, 2)
    # Without the run's marks (a live run) a bar says what the Timeline knows.
    assert "held at" not in describe_bar(timeline, bar_of(timeline, 0, BarKind.RUNNING, 8))


# -- the window ------------------------------------------------------------------------------------


def _point(view: TimelineView, timeline: Timeline, bar: int) -> QPoint:
    middle = (timeline.start[bar] + timeline.end[bar]) / 2e9
    scene = view.view.mapViewToScene(QPointF(middle, timeline.lane[bar] + 0.5))
    return view.plot.mapFromScene(scene)


def _open(
    make_window: Callable[..., MainWindow], qtbot: QtBot, result: RunResult, folder: Path
) -> MainWindow:
    """The window with ``result``'s run opened from a file, as File > Open does it."""
    window = make_window()
    window.resize(1280, 720)
    path = folder / "pools.json"
    write_trace(result.trace, path)
    assert window.files.open(path) is not None
    qtbot.wait(50)
    return window


def test_clicking_the_bar_that_held_the_loop_shows_its_line_in_the_code_view(
    make_window: Callable[..., MainWindow], qtbot: QtBot, result: RunResult, tmp_path: Path
) -> None:
    window = _open(make_window, qtbot, result, tmp_path)
    view, code = window.timeline, window.controls.code_view
    timeline = view.timeline
    assert timeline is not None
    window.summary_dock.raise_()  # folded under the summary: the click brings the code up
    bar = bar_of(timeline, 0, BarKind.RUNNING, 8)
    with qtbot.waitSignal(view.held_clicked):
        qtbot.mouseClick(
            view.plot.viewport(), Qt.MouseButton.LeftButton, pos=_point(view, timeline, bar)
        )
    assert code.expect.text().startswith("<b>Held here:</b> `time.sleep(0.1)` in block")
    lines = code.code.toPlainText().splitlines()
    assert lines[0].startswith("# /") and lines[0].endswith("/api.py:9 · async def block")
    assert lines[code.marked_line] == "    time.sleep(0.1)"
    assert "# ── stack, innermost first ──" in lines
    (mark,) = code.code.extraSelections()
    assert mark.cursor.block().blockNumber() == code.marked_line
    assert window.controls.tabs.currentWidget() is code
    qtbot.waitUntil(lambda: not code.visibleRegion().isEmpty())
    # Scrolled to: the marked line is inside the code's viewport.
    assert code.code.viewport().rect().contains(code.code.cursorRect().center())
    # The click still highlights the request, as any click on a bar does.
    assert view.item.highlighted == 8


def test_a_file_that_is_not_on_this_machine_is_said_so_with_the_line_the_server_read(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    window = _open(make_window, qtbot, analyse(pools_trace("/nowhere/api.py")), tmp_path)
    view, code = window.timeline, window.controls.code_view
    timeline = view.timeline
    assert timeline is not None
    bar = bar_of(timeline, 1, BarKind.RUNNING, 1)
    with qtbot.waitSignal(view.held_clicked):
        qtbot.mouseClick(
            view.plot.viewport(), Qt.MouseButton.LeftButton, pos=_point(view, timeline, bar)
        )
    assert "/nowhere/api.py is not readable on this machine" in code.expect.text()
    lines = code.code.toPlainText().splitlines()
    assert lines[0] == "# /nowhere/api.py:5 · in get_db"
    assert lines[code.marked_line] == "time.sleep(0.05)"


def test_clicking_a_bar_nobody_sampled_leaves_the_code_as_it_was(
    make_window: Callable[..., MainWindow], qtbot: QtBot, result: RunResult, tmp_path: Path
) -> None:
    window = _open(make_window, qtbot, result, tmp_path)
    view, code = window.timeline, window.controls.code_view
    timeline = view.timeline
    assert timeline is not None
    before = code.code.toPlainText()
    bar = bar_of(timeline, 2, BarKind.RUNNING, 2)
    with qtbot.waitSignal(view.request_clicked):
        qtbot.mouseClick(
            view.plot.viewport(), Qt.MouseButton.LeftButton, pos=_point(view, timeline, bar)
        )
    assert code.code.toPlainText() == before
    assert code.marked_line == -1


@pytest.mark.parametrize("screen_name", SCREENS)
@pytest.mark.parametrize("mode", ["window", "presentation", "dark"])
def test_the_groups_legend_and_summary_stay_readable(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    screen: Callable[[int, int], QRect],
    result: RunResult,
    tmp_path: Path,
    screen_name: str,
    mode: str,
) -> None:
    area = screen(*SCREENS[screen_name])
    window = make_window()
    if mode == "presentation":
        window.set_presentation(True)
    elif mode == "dark":
        window.dark_action.trigger()
    settle(qtbot, window, area)
    write_trace(result.trace, tmp_path / "pools.json")
    assert window.files.open(tmp_path / "pools.json") is not None
    settle(qtbot, window, area)
    image = grab(window, f"pools-{mode}-{screen_name}")

    assert_fits(window, area)
    plot = window.timeline.plot
    assert_plot_readable(image, plot, window)
    tabs = plot.pool_groups.tabs
    assert len(tabs) == 3, "a pool without its name"
    for tab, lanes in zip(tabs, (ANYIO_LANES, DEFAULT_LANES, PROCESS_LANES), strict=True):
        assert tab.lane in lanes, f"{tab.text} on lane {tab.lane}, not its pool's"
    for entry in window.timeline.legend.entries:
        assert_whole(entry, "a legend entry")
    if mode != "presentation":
        summary = window.summary
        if not summary.isVisible():
            window.summary_dock.raise_()
            qtbot.waitUntil(summary.isVisible)
        # Words wrap in the panel: nothing is cut at its right edge, nothing scrolls sideways.
        assert summary.widget().width() <= summary.viewport().width()
        assert "default executor" in summary.story.text()
        figures = summary.figures.text()
        assert "1 call on 1 of its 2 threads" in _figure_row(figures, "asyncio default executor")
        assert "2 calls on 2 of its 2 processes" in _figure_row(figures, "process pool")


def _figure_row(figures: str, key: str) -> str:
    """The row of the figures table (rich text) headed ``key``."""
    (row,) = [row for row in figures.split("<tr>") if f">{key}</td>" in row]
    return row


def test_a_comparison_of_runs_with_other_pools_has_a_row_for_each(result: RunResult) -> None:
    from visualizer.app.summary_panel import SummaryPanel

    full = analyse(pools_trace())
    # A run that used AnyIO's pool alone, beside one that used three.
    plain = replace(full, summary=replace(full.summary, other_pools=[]))
    panel = SummaryPanel()
    panel.show_results([result, plain])
    default = _figure_row(panel.figures.text(), "asyncio default executor")
    assert "1 call on 1 of its 2 threads" in default and default.count(">-<") == 1
    panel.close()


def test_a_tab_with_no_room_anywhere_is_not_drawn_over_a_run() -> None:
    """A pool's name never hides a measured run: where no free stretch of its lanes
    fits even its shortest title, it is left out (a recorded shop run had a tiny
    dependency run under the tab, and the plot check found that run unpainted)."""
    from PySide6.QtGui import QFont, QFontMetricsF

    from visualizer.app.timeline import pool_group_items as items
    from visualizer.model.pool_groups import PoolGroup
    from visualizer.model.trace import ANYIO

    starts, ends = np.array([0.01, 0.07, 0.13]), np.array([0.05, 0.11, 0.23])
    free = items.free_stretches(starts, ends, 0.0, 0.28)
    assert free == [(0.0, 0.01), (0.05, 0.07), (0.11, 0.13), (0.23, 0.28)]
    assert items._room({4: free}, 0.0, 0.06) is None
    layer = items.PoolGroupLayer(lambda lane, x0, x1: (starts, ends))
    metrics = QFontMetricsF(QFont())
    group = PoolGroup(ANYIO, 4, 1)
    # 1,000 px a second: the shortest title is tens of pixels, wider than 0.05 s.
    assert layer._place(group, 0.0, 0.28, metrics, 1_000.0) is None
    # With the room, the same tab is placed, and in a free stretch.
    placed = layer._place(group, 0.0, 0.28, metrics, 100_000.0)
    assert placed is not None and placed[1] == 4
