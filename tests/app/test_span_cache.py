"""SpanCache: a replay frame fills the columns a fresh sum of its own bars fills, while
summing only the columns after the cut; a repaint with nothing new sums nothing."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from _traces import repeated
from PySide6.QtGui import QImage, QPainter
from pytestqt.qtbot import QtBot

from visualizer.app.timeline._bar_index import BarIndex
from visualizer.app.timeline._shading import Spans
from visualizer.app.timeline._span_cache import ColumnView, SpanCache
from visualizer.app.timeline.view import TimelineView
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.annotations import annotate
from visualizer.model.replay_frames import ReplayFrames
from visualizer.model.timeline import BarKind, Timeline


def filled(spans: Spans, columns: int) -> set[tuple[int, int, int, int]]:
    """Every (lane or row, kind, shade, column) the spans fill, runs cut into columns."""
    runs = spans.as_runs()
    out = set()
    for lane, kind, level, first, stop in zip(
        runs.lane.tolist(),
        runs.kind.tolist(),
        runs.level.tolist(),
        runs.first.tolist(),
        runs.stop.tolist(),
        strict=True,
    ):
        out |= {(lane, kind, level, c) for c in range(max(first, 0), min(stop, columns))}
    return out


def with_failure_across(timeline: Timeline, at: int, lane: int) -> Timeline:
    """``timeline`` with a failure mark on ``lane`` that begins before ``at`` and ends after."""

    def add(column: str, value: int) -> Any:
        old = getattr(timeline, column)
        return np.append(old, np.array([value], old.dtype))

    return dataclasses.replace(
        timeline,
        lane=add("lane", lane),
        start=add("start", at - 30_000_000),
        end=add("end", at + 30_000_000),
        kind=add("kind", BarKind.FAILED),
        request=add("request", 0),
        cpu=add("cpu", 0),
    )


@pytest.fixture(scope="module")
def result() -> RunResult:
    return analyse(repeated("mixed_c6_n12_w100.json", 6))


@pytest.fixture(scope="module")
def run(result: RunResult) -> Timeline:
    return result.timeline


def frames_of(timeline: Timeline, result: RunResult) -> ReplayFrames:
    return ReplayFrames(timeline, annotate(result.trace))


@pytest.mark.parametrize("row_height", [1.0, 3.5])
@pytest.mark.parametrize("failure", [False, True])
def test_a_replay_frame_fills_what_a_fresh_sum_of_its_bars_fills(
    run: Timeline, result: RunResult, row_height: float, failure: bool
) -> None:
    lanes, columns = len(run.lanes) - 1, 700
    finished = with_failure_across(run, int(run.span * 0.6), lanes) if failure else run
    finished_index = BarIndex(finished)
    frames = frames_of(finished, result)
    cache = SpanCache()
    view = ColumnView(0.0, finished.span / 1e9 * 1.02, columns, 0, lanes, row_height)
    summed: list[int] = []
    for share in (0.2, 0.45, 0.6, 0.61, 0.9):
        frame, _ = frames.frame(int(finished.span * share))
        before = cache.columns_summed
        drawn = cache.spans(frame, BarIndex(frame), view, finished_index)
        summed.append(cache.columns_summed - before)
        assert filled(drawn, columns) == filled(view.spans(BarIndex(frame)), columns)
    # The finished run's columns are summed once; each later frame sums only the
    # columns from its cut on, fewer as the replay moves right.
    assert summed[0] > columns
    assert all(0 < later < columns for later in summed[1:])
    assert summed[-1] < summed[1]


def test_a_failure_mark_not_over_moves_the_cut_back_to_its_start(
    run: Timeline, result: RunResult
) -> None:
    at = int(run.span * 0.6)
    finished = with_failure_across(run, at, len(run.lanes) - 1)
    frame, _ = frames_of(finished, result).frame(at)
    assert frame.run is finished
    assert frame.agrees_before == at - 30_000_000
    assert frames_of(run, result).frame(at)[0].agrees_before == at


def test_a_repaint_with_nothing_new_sums_no_column(qtbot: QtBot, run: Timeline) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.set_timeline(run)
    view.show_whole_run()
    image = QImage(900, 600, QImage.Format.Format_ARGB32)

    def paint() -> None:
        painter = QPainter(image)
        view.plot.render(painter)
        painter.end()

    paint()
    cache = view.item.span_cache
    summed = cache.columns_summed
    assert summed > 0
    view.item.set_highlight(3)  # a repaint: the same bars in the same view
    paint()
    assert cache.columns_summed == summed
    view.zoom_in()
    paint()
    assert cache.columns_summed > summed
