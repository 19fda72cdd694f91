"""BarIndex: a Timeline's bars sorted for drawing, and the level-of-detail query.

Bars are sorted by (lane, kind, start); one (lane, kind) pair is a *group*, drawn
in one colour. For every group the index keeps the starts and the running maximum
of the ends, both sorted, so ``np.searchsorted`` finds the bars that touch any
time range. Both are folded into one key, ``group + time / scale`` with the
fraction below 1, so that one searchsorted call answers for every visible group
at once instead of one Python call per group.

:meth:`BarIndex.spans` turns the bars in view into runs of pixel columns. A group
with fewer bars in view than there are columns has its bars rounded outwards to
whole columns (so a bar narrower than a pixel still fills one) and touching ones
merged; a denser group is sampled column by column, asking for each column
whether any bar overlaps it. Either way the work per group is bounded by the
number of columns, so the cost of a frame follows the pixels on screen and not the
number of bars, and a lane with work inside a pixel column always shows it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from visualizer.model.timeline import BarKind, Timeline

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

KINDS = len(BarKind)
NS_PER_S = 1e9
#: The largest fraction a probe may have: far enough below 1 to survive adding a
#: group number of millions in float64.
_BELOW_ONE = 1.0 - 1e-6


@dataclass(frozen=True)
class Spans:
    """Runs of pixel columns ``[first, stop)`` to fill, each on one lane in one kind."""

    lane: I64
    kind: I64
    first: I64
    stop: I64


class BarIndex:
    """The bars of one Timeline, in seconds, sorted and keyed for culling."""

    def __init__(self, timeline: Timeline) -> None:
        order = np.lexsort((timeline.start, timeline.kind, timeline.lane))
        self.order: I64 = order.astype(np.int64)
        self.start: F64 = timeline.start[order] / NS_PER_S
        self.end: F64 = timeline.end[order] / NS_PER_S
        lane = timeline.lane[order].astype(np.int64)
        group = lane * KINDS + timeline.kind[order].astype(np.int64)
        self.lane_count = len(timeline.lanes)
        # Fractions of the whole span stay in [0, 1), so groups never mix in a key. A loop
        # slice can start before the run does, hence an origin below zero.
        self.origin = min(float(self.start.min()), 0.0) if len(self.start) else 0.0
        last = float(self.end.max()) if len(self.end) else 0.0
        self.scale = max(last - self.origin, 1e-9) * 1.0001
        self.reach: F64 = (
            _grouped_running_max(group, self._fraction(self.end)) * self.scale + self.origin
        )
        self.start_key: F64 = group + self._fraction(self.start)
        self.reach_key: F64 = group + self._fraction(self.reach)
        self.groups, self.group_first = np.unique(group, return_index=True)
        self.group_stop: I64 = np.append(self.group_first[1:], len(group)).astype(np.int64)
        self.lane_first: I64 = np.searchsorted(lane, np.arange(self.lane_count + 1)).astype(
            np.int64
        )

    def __len__(self) -> int:
        return len(self.order)

    def _fraction(self, t: F64 | float) -> F64:
        """Where ``t`` lies in the whole span, clipped into [0, 1) for probes outside it."""
        return np.clip((np.asarray(t, np.float64) - self.origin) / self.scale, 0.0, _BELOW_ONE)

    def spans(self, x0: float, x1: float, columns: int, lane0: int, lane1: int) -> Spans:
        """What to fill when ``columns`` pixel columns show ``[x0, x1)`` s of lanes lane0..lane1."""
        columns = max(int(columns), 1)
        low = np.searchsorted(self.groups, lane0 * KINDS)
        high = np.searchsorted(self.groups, (lane1 + 1) * KINDS)
        groups = self.groups[low:high]
        first_bar = np.clip(
            np.searchsorted(self.reach_key, groups + self._fraction(x0), side="right"),
            self.group_first[low:high],
            self.group_stop[low:high],
        )
        stop_bar = np.clip(
            np.searchsorted(self.start_key, groups + self._fraction(x1), side="left"),
            self.group_first[low:high],
            self.group_stop[low:high],
        )
        in_view = stop_bar - first_bar
        per_column = columns / (x1 - x0)
        dense = in_view > columns // 2
        sparse = ~dense & (in_view > 0)
        parts = [
            self._round_bars(groups[sparse], first_bar[sparse], stop_bar[sparse], x0, per_column),
            self._sample_columns(groups[dense], x0, per_column, columns),
        ]
        group = np.concatenate([p[0] for p in parts])
        return Spans(
            lane=group // KINDS,
            kind=group % KINDS,
            first=np.clip(np.concatenate([p[1] for p in parts]), -1, columns + 1),
            stop=np.clip(np.concatenate([p[2] for p in parts]), -1, columns + 1),
        )

    def _round_bars(
        self, groups: I64, first: I64, stop: I64, x0: float, per_column: float
    ) -> tuple[I64, I64, I64]:
        """Every bar widened to whole columns, touching ones of a group merged."""
        counts = stop - first
        total = int(counts.sum())
        if total == 0:
            return _no_spans()
        # The indices first[g]..stop[g] of every group, laid end to end.
        offsets = np.repeat(first - np.cumsum(counts) + counts, counts)
        bars = offsets + np.arange(total)
        group = np.repeat(groups, counts)
        left = np.floor((self.start[bars] - x0) * per_column).astype(np.int64)
        right = np.maximum(np.ceil((self.end[bars] - x0) * per_column).astype(np.int64), left + 1)
        # Shift each group far from the others so one running maximum serves them all.
        shift = np.repeat(np.arange(len(groups), dtype=np.int64), counts) * (
            int(right.max() - left.min()) + 2
        )
        reach = np.maximum.accumulate(right + shift)
        new = np.ones(total, bool)
        new[1:] = left[1:] + shift[1:] > reach[:-1]
        begins = np.flatnonzero(new)
        ends = np.append(begins[1:], total) - 1
        return group[begins], left[begins], reach[ends] - shift[ends]

    def _sample_columns(
        self, groups: I64, x0: float, per_column: float, columns: int
    ) -> tuple[I64, I64, I64]:
        """For each column, whether any bar of the group overlaps it; runs of those."""
        if len(groups) == 0:
            return _no_spans()
        edges = x0 + np.arange(columns + 1) / per_column
        # The last bar of each group that starts before each column's right edge...
        probe = (groups[:, None] + self._fraction(edges[1:])[None, :]).ravel()
        last = np.searchsorted(self.start_key, probe, side="left") - 1
        group_first = np.repeat(self.group_first[np.searchsorted(self.groups, groups)], columns)
        valid = last >= group_first
        # ...and whether any bar up to it reaches past the column's left edge.
        reach = self.reach[np.maximum(last, 0)]
        filled = (valid & (reach > np.tile(edges[:-1], len(groups)))).reshape(len(groups), -1)
        padded = np.zeros((len(groups), columns + 2), np.int8)
        padded[:, 1:-1] = filled
        change = np.diff(padded, axis=1)
        row_on, col_on = np.nonzero(change == 1)
        _, col_off = np.nonzero(change == -1)
        return groups[row_on], col_on.astype(np.int64), col_off.astype(np.int64)

    def bars_of_request(self, request: np.int64 | int, requests: I64) -> I64:
        """Positions in this index of every bar of ``request`` (``requests`` in model order)."""
        return np.flatnonzero(requests[self.order] == request).astype(np.int64)

    def bar_at(self, x: float, lane: int, tolerance: float) -> int | None:
        """The model index of the bar on ``lane`` under time ``x``, or the nearest within reach."""
        if not 0 <= lane < self.lane_count:
            return None
        lo, hi = int(self.lane_first[lane]), int(self.lane_first[lane + 1])
        start, end = self.start[lo:hi], self.end[lo:hi]
        distance = np.maximum(np.maximum(start - x, x - end), 0.0)
        if len(distance) == 0:
            return None
        # Prefer the shortest of the bars that contain x: a slice drawn over a phase.
        best = np.lexsort((end - start, distance))[0]
        if distance[best] > tolerance or math.isnan(distance[best]):
            return None
        return int(self.order[lo + best])


def _grouped_running_max(group: I64, fraction: F64) -> F64:
    """Running maximum of ``fraction`` (each in [0, 1)) restarting at every new group."""
    if len(group) == 0:
        return np.empty(0, np.float64)
    return np.asarray(np.maximum.accumulate(group + fraction) - group, np.float64)


def _no_spans() -> tuple[I64, I64, I64]:
    empty = np.empty(0, np.int64)
    return empty, empty, empty
