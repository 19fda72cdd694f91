"""Zoomed out, each pixel column is as dark as the share of its time that is busy.

Qt-free: BarIndex.spans against a brute force that sums, column by column and bar
by bar, the nanoseconds each lane is busy.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from visualizer.app.timeline._bar_index import KINDS, BarIndex
from visualizer.app.timeline._shading import LEVELS, Spans
from visualizer.model.timeline import BarKind

#: The most a drawn shade may differ from the true busy share, in share points.
TOLERANCE = 0.05


def lanes_of_slices(lanes: int, per_lane: int, seed: int, busy: float) -> SimpleNamespace:
    """Bars that do not overlap within a lane, as a run's are: slices and gaps at random."""
    rng = np.random.default_rng(seed)
    lane, start, end, kind = [], [], [], []
    for number in range(lanes):
        length = rng.exponential(200_000 * busy, per_lane).astype(np.int64) + 1
        gap = rng.exponential(200_000 * (1 - busy), per_lane).astype(np.int64) + 1
        begin = np.cumsum(length + gap) - length
        lane.append(np.full(per_lane, number, np.int32))
        start.append(begin)
        end.append(begin + length)
        kind.append(rng.choice([BarKind.RUNNING, BarKind.SERVER, BarKind.WAITING], per_lane))
    return SimpleNamespace(
        lane=np.concatenate(lane),
        start=np.concatenate(start),
        end=np.concatenate(end),
        kind=np.concatenate(kind).astype(np.int8),
        request=np.ones(lanes * per_lane, np.int64),
        lanes=list(range(lanes)),
        worker_count=0,
    )


def busy_shares(bars: SimpleNamespace, x0: float, x1: float, columns: int) -> np.ndarray:
    """The brute force: (lane, kind, column) busy share, bar by bar, overlaps clipped."""
    width = (x1 - x0) * 1e9 / columns
    shares = np.zeros((len(bars.lanes), KINDS, columns))
    edges = x0 * 1e9 + np.arange(columns + 1) * width
    for lane, kind, start, end in zip(bars.lane, bars.kind, bars.start, bars.end, strict=True):
        overlap = np.minimum(edges[1:], end) - np.maximum(edges[:-1], start)
        shares[lane, kind] += np.maximum(overlap, 0) / width
    return shares


def drawn_shades(spans: Spans, lanes: int, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """(lane, column) shade in 0..1 and the kind drawn there (-1: nothing)."""
    spans = spans.as_runs()  # the grid of summed lanes too
    shade = np.zeros((lanes, columns))
    kind = np.full((lanes, columns), -1)
    for lane, k, first, stop, level in zip(
        spans.lane, spans.kind, spans.first, spans.stop, spans.level, strict=True
    ):
        cols = slice(max(first, 0), max(min(stop, columns), 0))
        assert np.all(kind[lane, cols] == -1), "two runs drawn over one column of a lane"
        shade[lane, cols] = level / LEVELS
        kind[lane, cols] = k
    return shade, kind


@pytest.mark.parametrize(
    ("busy", "per_lane", "x0", "x1", "columns", "pieces", "lanes"),
    [
        (0.5, 20_000, 0.0, 4.0, 800, 1, 4),  # many slices a column: running sums
        (0.15, 20_000, 0.0, 4.0, 800, 6, 4),  # a mostly idle lane, grown by appends
        (0.5, 300, 0.0, 0.06, 900, 1, 4),  # few slices in view: cut bar by bar
        (0.7, 5_000, 0.3, 0.9, 1000, 3, 4),  # zoomed in part way, both paths
        # More lanes than one grid holds (GRID_CELLS): shared columns summed by a sort.
        (0.5, 150, 0.0, 0.012, 800, 2, 120),
    ],
)
def test_each_column_is_as_dark_as_its_busy_share(
    busy: float, per_lane: int, x0: float, x1: float, columns: int, pieces: int, lanes: int
) -> None:
    bars = lanes_of_slices(lanes, per_lane, seed=per_lane, busy=busy)
    cuts = np.linspace(0, len(bars.start), pieces + 1).astype(int)
    order = np.argsort(bars.start, kind="stable")  # a live run appends in time order
    for name in ("lane", "start", "end", "kind"):
        setattr(bars, name, getattr(bars, name)[order])
    index = BarIndex(bars, frozen=int(cuts[1]))  # type: ignore[arg-type]
    for cut in cuts[2:]:
        index.extend(bars, int(cut))  # type: ignore[arg-type]
    truth = busy_shares(bars, x0, x1, columns)
    shade, kind = drawn_shades(index.spans(x0, x1, columns, 0, lanes - 1), lanes, columns)
    total = np.minimum(truth.sum(axis=1), 1.0)
    assert np.abs(shade - total).max() <= TOLERANCE
    assert np.array_equal(kind >= 0, total > 0)
    # The kind drawn holds the most time of its column.
    held = np.take_along_axis(truth, np.maximum(kind, 0)[:, None, :], axis=1)[:, 0, :]
    assert np.all(held[kind >= 0] >= truth.max(axis=1)[kind >= 0] - 1e-9)
    # A lane half busy looks about half dark on average, not solid.
    mean_truth = total.mean()
    assert abs(shade.mean() - mean_truth) <= 0.02


def test_a_solid_bar_is_one_solid_run_and_a_failed_mark_stays_solid() -> None:
    bars = SimpleNamespace(
        lane=np.array([0, 1], np.int32),
        start=np.array([1_000_000_000, 5_000_000_000]),
        end=np.array([3_000_000_000, 5_000_001_000]),  # a failed mark of 1 µs
        kind=np.array([BarKind.RUNNING, BarKind.FAILED], np.int8),
        request=np.array([1, 1]),
        lanes=[0, 1],
        worker_count=0,
    )
    spans = BarIndex(bars).spans(0.0, 10.0, 1000, 0, 1)  # type: ignore[arg-type]
    solid = (spans.lane == 0) & (spans.level == LEVELS)
    assert spans.first[solid].tolist() == [100] and spans.stop[solid].tolist() == [300]
    mark = spans.lane == 1
    assert spans.kind[mark].tolist() == [BarKind.FAILED] and spans.level[mark].tolist() == [LEVELS]


def test_lanes_of_a_few_bars_each_are_cut_bar_by_bar_not_summed_in_a_grid() -> None:
    # A live view: 40 lanes, most a request with a handful of phases in view.
    bars = lanes_of_slices(40, 4, seed=7, busy=0.5)
    x1 = float(bars.end.max()) / 1e9
    spans = BarIndex(bars).spans(0.0, x1, 1400, 0, 39)  # type: ignore[arg-type]
    assert len(spans.grid_lanes) == 0
    shade, kind = drawn_shades(spans, 40, 1400)
    total = np.minimum(busy_shares(bars, 0.0, x1, 1400).sum(axis=1), 1.0)
    assert np.abs(shade - total).max() <= TOLERANCE
    assert np.array_equal(kind >= 0, total > 0)
