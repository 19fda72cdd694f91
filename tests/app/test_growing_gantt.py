"""GanttItem fed a live run frame by frame: it indexes only new bars, and draws what a
fresh index of the same Timeline draws."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from visualizer.app.timeline import gantt_item
from visualizer.app.timeline._bar_index import BarIndex
from visualizer.app.timeline._shading import Spans
from visualizer.app.timeline.gantt_item import GanttItem, prepare_index
from visualizer.model.analysis import analyse
from visualizer.model.live_timeline import LiveTimeline
from visualizer.model.timeline import build_timeline
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).parent.parent / "data"
ARRIVAL = {"sent": "sent", "done": "received", "loop": "end", "worker": "end", "stamp": "t"}


def as_set(spans: Spans) -> set[tuple[int, int, int, int]]:
    spans = spans.as_runs()  # the grid of summed lanes too
    columns = (spans.lane.tolist(), spans.kind.tolist(), spans.first.tolist(), spans.stop.tolist())
    return set(zip(*columns, strict=True))


def test_a_live_run_is_indexed_by_appends_and_drawn_as_a_fresh_index_draws(
    qtbot: QtBot,
) -> None:
    full = read_trace(DATA / "mixed_c6_n12_w100.json")
    live = RunTrace(full.settings, t0=full.t0)
    builder = LiveTimeline(live)
    item = GanttItem()
    item.set_highlight(3)
    indexes = set()
    step = 20_000_000
    end = int(full.done.rows["received"].max()) + step
    for now in range(full.t0, end, step):
        for name, column in ARRIVAL.items():
            rows = getattr(full, name).rows
            getattr(live, name).extend(rows[(rows[column] > now - step) & (rows[column] <= now)])
        timeline = builder.update(now)
        item.set_timeline(timeline)
        assert item.index is not None
        indexes.add(id(item.index))
        lanes = len(timeline.lanes) - 1
        span = max(timeline.span / 1e9, 1e-3)
        fresh = BarIndex(timeline)
        assert as_set(item.index.spans(0.0, span, 700, 0, lanes)) == as_set(
            fresh.spans(0.0, span, 700, 0, lanes)
        )
        highlighted = item.index.order[item._highlight_bars]
        assert sorted(highlighted.tolist()) == np.flatnonzero(timeline.request == 3).tolist()
    assert len(indexes) == builder.rebuilds + 1  # one index per history, grown in between


def test_an_index_prepared_on_another_thread_is_adopted_not_rebuilt(qtbot: QtBot) -> None:
    timeline = build_timeline(read_trace(DATA / "sync_sleep_c6_p2_w200.json"))
    with ThreadPoolExecutor(1) as pool:
        pool.submit(prepare_index, timeline).result()
    item = GanttItem()
    item.set_timeline(timeline)
    adopted = item.index
    assert adopted is not None
    span = timeline.span / 1e9
    lanes = len(timeline.lanes) - 1
    assert as_set(adopted.spans(0.0, span, 500, 0, lanes)) == as_set(
        BarIndex(timeline).spans(0.0, span, 500, 0, lanes)
    )
    other = GanttItem()
    other.set_timeline(timeline)  # a second view indexes it itself
    assert other.index is not adopted


def test_a_finished_run_is_indexed_once_off_the_gui_thread(
    make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver hands the final Timeline on twice (last frame, then result): one index."""
    window = make_window(show=False)
    result = analyse(read_trace(DATA / "mixed_c6_n12_w100.json"))
    with ThreadPoolExecutor(1) as pool:
        pool.submit(prepare_index, result.timeline).result()
    built: list[object] = []

    class CountedIndex(gantt_item.BarIndex):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(threading.current_thread())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(gantt_item, "BarIndex", CountedIndex)
    window.driver.timeline_changed.emit(result.timeline)
    window.driver.run_finished.emit(result)
    assert window.timeline.item.timeline is result.timeline
    assert built == []
