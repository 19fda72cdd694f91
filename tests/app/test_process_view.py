"""Runs of several server processes (--workers) in pictures: each process's loop and its
pools on lanes of their own, each pool hatched while full over its own process's lanes
alone, at its own capacity; a pool tab a group of each process.

Pictures are checked where the user looks: lane by lane (tests/_plot_area.py), and in
the gaps between bars, where the hatching goes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from _plot_area import _rgb_array, check_rendered_picture, scaled
from _process_traces import two_process_run
from pytestqt.qtbot import QtBot

from visualizer.app.picture_export import RenderedPicture, render
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).parent.parent / "data"

#: Lanes of two_process_run: server 1's loop and two workers, server 2's loop and worker.
LOOP_1, WORKERS_1, LOOP_2, WORKERS_2 = 0, (1, 2), 3, (4,)


@pytest.fixture
def result() -> RunResult:
    return analyse(two_process_run())


@pytest.fixture
def picture(qtbot: QtBot, result: RunResult) -> RenderedPicture:
    return render(TimelinePicture.of_run(result), 1600)


def _pixels(picture: RenderedPicture) -> tuple[np.ndarray, Callable[[float, float], tuple]]:
    placement = picture.placements[0]
    return _rgb_array(picture.image), scaled(placement.to_point, picture.scale)


def _hatched(picture: RenderedPicture, lane: int, t0_ms: float, t1_ms: float) -> float:
    """The share of the gap row below ``lane``'s bar that is the hatching's vermillion."""
    rgb, to_pixel = _pixels(picture)
    left, y = to_pixel(t0_ms / 1e3, lane + 0.93)
    right, _ = to_pixel(t1_ms / 1e3, lane + 0.93)
    pixels = rgb[round(y), int(np.ceil(left)) : int(right)].astype(int)
    # Warm: the vermillion lines, antialiased over the lane's grey (no bar is orange here).
    red, blue = pixels[:, 0], pixels[:, 2]
    return float((red > blue + 50).mean())


def test_every_lane_of_both_processes_is_drawn(picture: RenderedPicture, result: RunResult) -> None:
    (check,) = check_rendered_picture(picture, [result.timeline])
    check.assert_ok(min_lanes=len(result.timeline.lanes))


def test_a_pool_is_hatched_while_its_own_process_filled_it_and_nowhere_else(
    picture: RenderedPicture,
) -> None:
    """Server 1's two workers were both busy 2-102 ms: its pool of 2 was full. Server 2 had
    one run then; counted together the three runs would 'fill' a pool of 2 everywhere."""
    for lane in WORKERS_1:
        assert _hatched(picture, lane, 10, 95) > 0.05, f"server 1's worker lane {lane} not hatched"
        assert _hatched(picture, lane, 110, 200) == 0, f"lane {lane} hatched when not full"
    for lane in (*WORKERS_2, LOOP_1, LOOP_2):
        assert _hatched(picture, lane, 0, 210) == 0, f"lane {lane} hatched with server 1's pool"


def test_each_process_pools_are_a_group_of_their_own(result: RunResult) -> None:
    picture = TimelinePicture.of_run(result)
    rendered = render(picture, 1600)
    tabs = [(tab.text, tab.lane) for tab in rendered.tabs[0]]
    # Each group names its pool on one of its own lanes, never on a loop's.
    assert {lane for _, lane in tabs} <= {*WORKERS_1, *WORKERS_2}
    assert len(tabs) == 2


def test_a_comparison_with_one_process_against_two_lines_up_its_time_axes(
    qtbot: QtBot, result: RunResult
) -> None:
    """The lower panel's "server 2: event loop" is longer than any label above it: both
    panels' time axes still start at one x, so an instant is one x in both."""
    one = analyse(read_trace(DATA / "sync_sleep_c6_p2_w200.json"))
    rendered = render(TimelinePicture.of_comparison(one, result), 1920)
    top, bottom = (placement.data for placement in rendered.placements)
    assert top.left() == bottom.left() and top.right() == bottom.right()
    assert (
        "1 server process (top) against 2 (bottom)"
        in TimelinePicture.of_comparison(one, result).caption
    )
