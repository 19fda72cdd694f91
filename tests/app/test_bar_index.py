"""BarIndex: what is drawn equals, column by column, what a bar-by-bar drawing would fill."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from visualizer.app._bar_index import KINDS, BarIndex


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


@pytest.mark.parametrize(
    ("count", "lanes", "x0", "x1", "columns"),
    [
        (2_000, 10, 0.0, 10.0, 800),  # sparse: bars rounded and merged
        (100_000, 12, 0.0, 10.0, 500),  # dense: columns sampled
        (50_000, 10, 2.0, 2.5, 1000),  # zoomed in
        (300, 5, -1.0, 20.0, 1000),  # panned past both ends
    ],
)
def test_spans_fill_exactly_the_columns_the_bars_touch(
    count: int, lanes: int, x0: float, x1: float, columns: int
) -> None:
    bars = random_bars(count, lanes, seed=count)
    spans = BarIndex(bars).spans(x0, x1, columns, 0, lanes - 1)  # type: ignore[arg-type]
    drawn = np.zeros((lanes, KINDS, columns), bool)
    for lane, kind, first, stop in zip(
        spans.lane, spans.kind, spans.first, spans.stop, strict=True
    ):
        drawn[lane, kind, max(first, 0) : max(min(stop, columns), 0)] = True
    assert np.array_equal(drawn, filled_columns(bars, x0, x1, columns))
    assert len(spans.lane) <= lanes * KINDS * columns // 2 + lanes * KINDS


def test_a_million_bars_cost_spans_bounded_by_the_pixels() -> None:
    bars = random_bars(1_000_000, 20, seed=1)
    spans = BarIndex(bars).spans(0.0, 10.0, 1000, 0, 19)  # type: ignore[arg-type]
    # Zoomed out, every lane and kind is one solid run: 120 rectangles, not a million.
    assert len(spans.lane) <= 20 * KINDS * 2


def test_bar_at_finds_the_bar_under_the_pointer_or_none() -> None:
    bars = random_bars(1_000, 3, seed=7)
    index = BarIndex(bars)  # type: ignore[arg-type]
    bar = 10
    middle = (bars.start[bar] + bars.end[bar]) / 2e9
    found = index.bar_at(middle, int(bars.lane[bar]), tolerance=0.0)
    assert found is not None
    assert bars.start[found] <= middle * 1e9 <= bars.end[found]
    assert index.bar_at(middle, 99, tolerance=1.0) is None
