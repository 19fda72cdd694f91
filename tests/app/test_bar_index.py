"""BarIndex: the columns drawn are, lane by lane, the columns a bar-by-bar drawing touches.

Zoomed in or out, every column a bar touches is drawn and no other (how dark, and in
which kind when kinds share a column, is tests/app/test_column_shading.py). Grown by
appends, it draws what the index of all bars draws.
"""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from visualizer.app.timeline import _bar_index
from visualizer.app.timeline._bar_index import KINDS, BarIndex
from visualizer.app.timeline._shading import Spans, merge_rows


def random_bars(count: int, lanes: int, seed: int) -> SimpleNamespace:
    rng = np.random.default_rng(seed)
    start = rng.integers(-1_000_000, 10_000_000_000, count)
    return SimpleNamespace(
        lane=rng.integers(0, lanes, count).astype(np.int32),
        start=start,
        end=start + rng.integers(1, 50_000_000, count),
        kind=rng.integers(0, KINDS, count).astype(np.int8),
        request=rng.integers(1, 100, count),
        lanes=list(range(lanes)),
        worker_count=lanes // 2,
    )


def filled_columns(bars: SimpleNamespace, x0: float, x1: float, columns: int) -> np.ndarray:
    """The brute force: every bar rounded out to whole columns, one by one."""
    per_column = columns / (x1 - x0)
    filled = np.zeros((len(bars.lanes), KINDS, columns), bool)
    for lane, kind, start, end in zip(bars.lane, bars.kind, bars.start, bars.end, strict=True):
        left = int(np.floor((start / 1e9 - x0) * per_column))
        right = max(int(np.ceil((end / 1e9 - x0) * per_column)), left + 1)
        filled[lane, kind, max(left, 0) : max(min(right, columns), 0)] = True
    return filled


def drawn_columns(spans: Spans, lanes: int, columns: int) -> np.ndarray:
    spans = spans.as_runs()  # the grid of summed lanes too
    drawn = np.zeros((lanes, KINDS, columns), bool)
    for lane, kind, first, stop in zip(
        spans.lane, spans.kind, spans.first, spans.stop, strict=True
    ):
        drawn[lane, kind, max(first, 0) : max(min(stop, columns), 0)] = True
    return drawn


def widened(filled: np.ndarray) -> np.ndarray:
    """Every filled column and its two neighbours."""
    out = filled.copy()
    out[..., 1:] |= filled[..., :-1]
    out[..., :-1] |= filled[..., 1:]
    return out


def grown(bars: SimpleNamespace, pieces: int) -> BarIndex:
    """An index fed the bars in ``pieces`` appends, as a live run feeds it."""
    cuts = np.linspace(0, len(bars.start), pieces + 1).astype(int)
    index = BarIndex(bars, frozen=int(cuts[1]))  # type: ignore[arg-type]
    for cut in cuts[2:]:
        index.extend(bars, int(cut))  # type: ignore[arg-type]
    return index


@pytest.mark.parametrize(
    ("count", "lanes", "x0", "x1", "columns"),
    [
        (2_000, 10, 0.0, 10.0, 800),  # sparse: bars rounded and merged
        (15_000, 4, 0.0, 10.0, 300),  # dense: columns sampled
        (50_000, 10, 2.0, 2.5, 1000),  # zoomed in
        (300, 5, -1.0, 20.0, 1000),  # panned past both ends
    ],
)
@pytest.mark.parametrize("pieces", [1, 7])
def test_zoomed_in_spans_fill_exactly_the_columns_the_bars_touch(
    count: int, lanes: int, x0: float, x1: float, columns: int, pieces: int
) -> None:
    bars = random_bars(count, lanes, seed=count)
    spans = grown(bars, pieces).spans(x0, x1, columns, 0, lanes - 1)
    assert np.array_equal(
        drawn_columns(spans, lanes, columns).any(axis=1),
        filled_columns(bars, x0, x1, columns).any(axis=1),
    )
    assert len(spans.lane) <= lanes * columns + lanes * KINDS


@pytest.mark.parametrize(
    ("count", "lanes", "x0", "x1", "columns", "pieces"),
    [
        (200_000, 12, 0.0, 10.0, 500, 1),
        (200_000, 12, 1.0, 9.3, 1234, 1),
        (100_000, 3, 0.0, 10.0, 2000, 5),
    ],
)
def test_zoomed_out_spans_lose_no_bar_and_draw_no_column_without_one(
    count: int, lanes: int, x0: float, x1: float, columns: int, pieces: int
) -> None:
    bars = random_bars(count, lanes, seed=count)
    # Sparse bars with gaps wider than a column, so widening would show.
    bars.end = bars.start + (bars.end - bars.start) // 50
    spans = grown(bars, pieces).spans(x0, x1, columns, 0, lanes - 1)
    drawn = drawn_columns(spans, lanes, columns).any(axis=1)
    assert np.array_equal(drawn, filled_columns(bars, x0, x1, columns).any(axis=1))


def test_a_million_bars_cost_spans_bounded_by_the_pixels() -> None:
    bars = random_bars(1_000_000, 20, seed=1)
    spans = BarIndex(bars).spans(0.0, 10.0, 1000, 0, 19)  # type: ignore[arg-type]
    # Zoomed out, at most a rectangle a lane and column: not a million.
    assert len(spans.lane) <= 20 * 1000


def test_lanes_thinner_than_a_pixel_row_are_joined_per_row_losing_nothing() -> None:
    bars = random_bars(3_000, 40, seed=3)
    spans = BarIndex(bars).spans(0.0, 10.0, 200, 0, 39)  # type: ignore[arg-type]
    rows = merge_rows(spans, 0, 4.0)  # 4 lanes a row: 10 rows
    per_lane = drawn_columns(spans, 40, 200)
    per_row = drawn_columns(rows, 10, 200)
    assert np.array_equal(per_row, per_lane.reshape(10, 4, KINDS, 200).any(axis=1))
    assert len(rows.lane) <= len(spans.as_runs().lane)


@pytest.mark.parametrize("pieces", [1, 9])
def test_bar_at_finds_the_bar_under_the_pointer_or_none(pieces: int) -> None:
    bars = random_bars(1_000, 3, seed=7)
    index = grown(bars, pieces)
    for bar in (10, 500, 999):
        middle = (bars.start[bar] + bars.end[bar]) / 2e9
        found = index.bar_at(middle, int(bars.lane[bar]), tolerance=0.0)
        assert found is not None
        assert bars.lane[found] == bars.lane[bar]
        assert bars.start[found] <= middle * 1e9 <= bars.end[found]
    assert index.bar_at(middle, 99, tolerance=1.0) is None


def test_a_grown_index_holds_every_bar_once_in_order_and_finds_a_request() -> None:
    bars = random_bars(5_000, 6, seed=11)
    index = grown(bars, 13)
    assert len(index) == 5_000
    assert sorted(index.order.tolist()) == list(range(5_000))
    mine = index.order[index.bars_of_request(42, bars.request)]
    assert sorted(mine.tolist()) == np.flatnonzero(bars.request == 42).tolist()


def test_wide_bars_are_the_loop_and_worker_bars_long_enough_widest_first() -> None:
    bars = random_bars(20_000, 8, seed=5)  # lanes 0..4 are the loop and the workers
    index = grown(bars, 4)
    found = index.wide_bars(2.0, 6.0, 30_000_000, 10_000)
    length = bars.end - bars.start
    expected = np.flatnonzero(
        (bars.lane <= 4) & (length >= 30_000_000) & (bars.end > 2e9) & (bars.start < 6e9)
    )
    assert sorted(found.tolist()) == expected.tolist()
    assert np.all(np.diff(length[found]) <= 0)


def nearest_by_scan(bars: SimpleNamespace, x: float, lane: int) -> tuple[float, float] | None:
    """The brute force: (distance, duration) in s of the best bar on ``lane`` for ``x``."""
    on_lane = np.flatnonzero(bars.lane == lane)
    if len(on_lane) == 0:
        return None
    start, end = bars.start[on_lane] / 1e9, bars.end[on_lane] / 1e9
    distance = np.maximum(np.maximum(start - x, x - end), 0.0)
    pick = np.lexsort((end - start, distance))[0]
    return float(distance[pick]), float(end[pick] - start[pick])


@pytest.mark.parametrize(("count", "lanes"), [(20_000, 5), (600, 30)], ids=["dense", "sparse"])
@pytest.mark.parametrize("pieces", [1, 7])
def test_bar_at_answers_as_a_scan_of_the_whole_lane_would(
    count: int, lanes: int, pieces: int
) -> None:
    """Random pointers and reaches, from touching a bar to far off: the same bar as a scan."""
    bars = random_bars(count, lanes, seed=21)
    index = grown(bars, pieces)
    rng = np.random.default_rng(5)
    for x, lane, tolerance in zip(
        rng.uniform(-0.5, 10.5, 400),
        rng.integers(0, lanes + 1, 400),
        rng.choice([0.0, 1e-7, 1e-3, 0.05, 2.0], 400),
        strict=True,
    ):
        found = index.bar_at(float(x), int(lane), float(tolerance))
        best = nearest_by_scan(bars, float(x), int(lane))
        if best is None or best[0] > tolerance:
            assert found is None
            continue
        assert found is not None and bars.lane[found] == lane
        start, end = bars.start[found] / 1e9, bars.end[found] / 1e9
        assert (max(start - x, x - end, 0.0), end - start) == best


@pytest.mark.parametrize(("x0", "x1"), [(8.0, 9.0), (0.5, 1.5), (9.99, 30.0)])
def test_segments_appended_in_time_order_draw_a_window_of_them_as_one_index_does(
    x0: float, x1: float
) -> None:
    # A live run appends in time order: most segments lie wholly before or after a
    # window of the view, and are skipped.
    bars = random_bars(20_000, 6, seed=11)
    order = np.argsort(bars.start, kind="stable")
    for name in ("lane", "start", "end", "kind", "request"):
        setattr(bars, name, getattr(bars, name)[order])
    spans = grown(bars, 9).spans(x0, x1, 700, 0, 5)
    whole = BarIndex(bars).spans(x0, x1, 700, 0, 5)  # type: ignore[arg-type]
    assert np.array_equal(drawn_columns(spans, 6, 700), drawn_columns(whole, 6, 700))
    assert np.array_equal(
        drawn_columns(spans, 6, 700).any(axis=1), filled_columns(bars, x0, x1, 700).any(axis=1)
    )


def test_no_append_sorts_more_than_the_merge_limit_and_the_segments_stay_few(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A carry through every size at once sorted ~60,000 bars in one frame (9 ms);
    merges past the limit wait for the next append, and the index stays logarithmic."""
    built: list[int] = []

    class CountedSegment(_bar_index._Segment):
        def __init__(self, group: np.ndarray, *rest: Any) -> None:
            built.append(len(group))
            super().__init__(group, *rest)

    monkeypatch.setattr(_bar_index, "_Segment", CountedSegment)
    bars = random_bars(300_000, 6, seed=3)
    order = np.argsort(bars.start, kind="stable")
    for name in ("lane", "start", "end", "kind", "request"):
        setattr(bars, name, getattr(bars, name)[order])
    # Frames freeze 500 to 3,000 bars each, as a live run does.
    cuts = np.cumsum(np.random.default_rng(1).integers(500, 3_000, 300))
    cuts = np.append(cuts[cuts < 300_000], 300_000)
    index = BarIndex(bars, frozen=int(cuts[0]))  # type: ignore[arg-type]
    sorted_at_most = 0
    for before, cut in itertools.pairwise(cuts.tolist()):
        so_far = SimpleNamespace(**vars(bars))
        for name in ("lane", "start", "end", "kind", "request"):
            setattr(so_far, name, getattr(bars, name)[:cut])
        built.clear()
        index.extend(so_far, cut)  # type: ignore[arg-type]
        appended, *merged = built  # the new bars, then the merges they set off
        assert appended == cut - before
        sorted_at_most = max(sorted_at_most, sum(merged))
    assert 0.75 * _bar_index.MERGE_LIMIT < sorted_at_most <= _bar_index.MERGE_LIMIT
    segments = len(index._segments)
    assert segments <= 300_000 // _bar_index.SEGMENT_LIMIT + 2 * math.log2(300_000 / 500)
    assert sorted(index.order.tolist()) == list(range(300_000))
    # Zoomed in, where every bar is drawn as it is: the columns one index of all bars draws.
    whole = BarIndex(bars)  # type: ignore[arg-type]
    assert np.array_equal(
        drawn_columns(index.spans(5.0, 5.05, 700, 0, 5), 6, 700),
        drawn_columns(whole.spans(5.0, 5.05, 700, 0, 5), 6, 700),
    )
