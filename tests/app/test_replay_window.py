"""A replay in the window: the plot area at t shows the bars begun before t, cut at t, and a
frame costs what ended since the last one, not a fresh index of the whole run."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _plot_area import check_plot_area, scaled, window_mapping

from visualizer.app.main_window import MainWindow
from visualizer.app.timeline import gantt_item
from visualizer.model.timeline import BarKind, Timeline

DATA = Path(__file__).resolve().parents[1] / "data"


def cut_at(final: Timeline, at: int) -> Timeline:
    """The spec: bars begun before ``at``, their ends cut there; failure marks once over."""
    keep = np.where(final.kind == BarKind.FAILED, final.end < at, final.start < at)
    return dataclasses.replace(
        final,
        lane=final.lane[keep],
        start=final.start[keep],
        end=np.minimum(final.end[keep], at),
        kind=final.kind[keep],
        request=final.request[keep],
        cpu=final.cpu[keep],
        span=at,
    )


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720), (1920, 1080)])
def test_the_plot_area_at_a_replay_moment_shows_the_run_as_it_stood_then(
    make_window: Callable[..., MainWindow], size: tuple[int, int]
) -> None:
    window = make_window()
    window.resize(*size)
    result = window.files.open(DATA / "mixed_c6_n12_w100.json")
    assert result is not None
    window.timeline.show_whole_run()
    clock = window.replay.clock
    for share in (0.3, 0.55, 0.8):
        at = int(clock.span * share)
        clock.seek(at)
        expected = cut_at(result.timeline, at)
        assert len(expected) < len(result.timeline)
        image = window.grab().toImage()
        mapping = scaled(window_mapping(window.timeline.plot, window), image.devicePixelRatio())
        check = check_plot_area(image, expected, mapping, window.timeline.view.viewRange())
        check.assert_ok(min_lanes=8)


def test_playing_forwards_indexes_only_new_bars_and_the_end_reuses_the_runs_index(
    make_window: Callable[..., MainWindow], qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(show=False)
    result = window.files.open(DATA / "mixed_c6_n12_w100.json")
    assert result is not None
    built: list[threading.Thread] = []

    class CountedIndex(gantt_item.BarIndex):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(threading.current_thread())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(gantt_item, "BarIndex", CountedIndex)
    clock = window.replay.clock
    for step in range(1, 20):  # forwards, frame after frame
        clock.seek(clock.span * step // 20)
    assert len(built) == 1  # the first frame; the later ones add to its index
    clock.seek(clock.span)
    assert window.timeline.timeline is result.timeline
    assert len(built) == 1  # the run's own index, kept from before the replay


def test_the_lane_axis_names_the_lanes_of_the_run_shown_after_a_replay(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window(show=False)
    first = window.files.open(DATA / "mixed_c6_n12_w100.json")
    assert first is not None
    window.replay.clock.seek(window.replay.clock.span // 2)
    assert window.timeline.axis.labels == [lane.label for lane in first.timeline.lanes]
    second = window.files.open(DATA / "sync_sleep_c6_p2_w200.json")
    assert second is not None
    assert window.timeline.axis.labels == [lane.label for lane in second.timeline.lanes]
    assert "worker 2" in window.timeline.axis.labels
