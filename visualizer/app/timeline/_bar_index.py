"""BarIndex: a Timeline's bars keyed for culling and shaded by how busy each column is.

Bars are sorted by (lane, kind, start); one (lane, kind) pair is a *group*, drawn
in one colour. Every time is an integer key ``group << shift | t`` (``t`` in ns from
the segment's origin), so one ``np.searchsorted`` answers "which bars of each
visible group touch [x0, x1)" for every group at once, with no Python loop per
group and no loss of precision.

Zoomed out, a pixel column is as dark as the share of its time that is busy, so a
frame asks, per group and column, for the busy nanoseconds in it. A running sum of
the bars' durations answers that for a group in one search per column edge,
whatever the number of bars; groups with few bars in view are cut at the column
edges bar by bar instead. :mod:`._shading` turns the shares into shaded runs.

The index grows: bars appended while a run is live become a new *segment*; small
segments are merged pairwise like a binary counter (so a frame queries about
log2(bars) of them), and never into one larger than :data:`SEGMENT_LIMIT`, which
bounds the cost of any one append.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from visualizer.app.timeline._shading import ColumnShares, Spans, shaded_spans
from visualizer.model.timeline import BarKind, Timeline

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

KINDS = len(BarKind)
#: An append never merges segments into one larger than this.
SEGMENT_LIMIT = 1 << 15
#: Nor more bars than this in all (one merge of the largest size): it bounds one frame's work.
MERGE_LIMIT = SEGMENT_LIMIT


class _Level:
    """Bars sorted by (group, start), keyed ``group << shift | t`` in ns.

    ``reach`` is the running maximum of the ends within a group (bars may overlap);
    ``busy_before[i]`` the summed durations of the bars before ``i``.
    """

    def __init__(self, start_key: I64, reach_key: I64, end: I64, shift: int):
        self.start_key, self.reach_key, self._end = start_key, reach_key, end
        self.shift = shift
        duration = end - (start_key & ((1 << shift) - 1))
        self.busy_before: I64 = np.cumsum(duration) - duration
        group = start_key >> shift  # sorted: no need for np.unique's sort
        first = np.flatnonzero(np.diff(group, prepend=-1)) if len(group) else _none()
        self.groups: I64 = group[first]
        self.group_first: I64 = first.astype(np.int64)
        self.group_stop: I64 = np.append(first[1:], len(group)).astype(np.int64)

    def __len__(self) -> int:
        return len(self.start_key)

    def start(self, bars: I64) -> I64:
        """Starts (ns from the origin) of ``bars``."""
        keys = self.start_key[bars]
        return keys & ((1 << self.shift) - 1)

    def end(self, bars: I64) -> I64:
        """Ends (ns from the origin) of ``bars``."""
        return self._end[bars]

    def in_view(self, g0: int, g1: int, t0: float, t1: float) -> tuple[I64, I64, I64]:
        """Groups g0 <= g < g1 present here, and their bars that touch (t0, t1) ns."""
        low, high = np.searchsorted(self.groups, [g0, g1])
        groups = self.groups[low:high]
        top = (1 << self.shift) - 1
        u0 = min(max(math.floor(t0), -1), top)
        u1 = min(max(math.ceil(t1), 0), top)
        keys = groups << self.shift
        gf, gs = self.group_first[low:high], self.group_stop[low:high]
        first = np.clip(np.searchsorted(self.reach_key, keys + u0, side="right"), gf, gs)
        stop = np.clip(np.searchsorted(self.start_key, keys + u1, side="left"), gf, gs)
        return groups, first, stop


class _Segment:
    """A frozen set of bars: the exact level, the coarser ones, and the model indices."""

    def __init__(self, group: I64, start: I64, end: I64, model: I64, label_groups: int) -> None:
        self.origin = int(start.min()) if len(start) else 0
        #: The latest end (ns), so a view that begins after it skips this segment.
        self.end_max = int(end.max()) if len(end) else 0
        span = int(end.max()) - self.origin + 2 if len(end) else 2
        top_group = int(group.max()) + 1 if len(group) else 1
        self.shift = span.bit_length()
        if self.shift + top_group.bit_length() > 62:
            raise OverflowError("too many lanes for so long a run")  # 2**62 ns is 146 years
        # Stable sort (timsort) finds sorted runs: two joined segments sort in linear time.
        order = np.argsort((group << self.shift) + (start - self.origin), kind="stable")
        group, start, end = group[order], start[order], end[order]
        self.model: npt.NDArray[np.int32] = model[order].astype(np.int32)
        rel_start, rel_end = start - self.origin, np.maximum(end, start) - self.origin
        keys = group << self.shift
        reach = np.maximum.accumulate(keys + rel_end)
        self.exact = _Level(keys + rel_start, reach, rel_end, self.shift)
        # Loop and worker bars, widest first: the candidates for a label.
        self.label_groups = label_groups
        labelled = np.flatnonzero(group < label_groups)
        duration = (rel_end - rel_start)[labelled]
        widest = np.argsort(-duration, kind="stable")
        self.labels: npt.NDArray[np.int32] = labelled[widest].astype(np.int32)
        self.minus_label_ns: npt.NDArray[np.float32] = -duration[widest].astype(np.float32)

    def __len__(self) -> int:
        return len(self.model)

    def bars(self) -> tuple[I64, I64, I64, I64]:
        """(group, start, end, model index) of every bar, in ns: what built this segment."""
        exact, every = self.exact, np.arange(len(self))
        group = exact.start_key >> self.shift
        start, end = exact.start(every) + self.origin, exact.end(every) + self.origin
        return group, start, end, self.model.astype(np.int64)

    def wide_bars(self, t0: float, t1: float, min_ns: float) -> tuple[I64, I64]:
        """Positions and lengths of the labelled bars at least ``min_ns`` long in (t0, t1)."""
        exact = self.exact
        # A float64 probe would make numpy convert the whole float32 array: O(bars) a frame.
        wide = int(np.searchsorted(self.minus_label_ns, np.float32(-min_ns), side="right"))
        _, first, stop = exact.in_view(0, self.label_groups, t0, t1)
        # Zoomed out few bars are wide, zoomed in few are in view: read the shorter list.
        if wide <= int((stop - first).sum()):
            bars = self.labels[:wide].astype(np.int64)
        else:
            bars = _ranges(first, stop)
        start, end = exact.start(bars), exact.end(bars)
        keep = (end > t0) & (start < t1) & (end - start >= min_ns)
        return bars[keep], (end - start)[keep]


class BarIndex:
    """The bars of a Timeline, keyed for culling; grows as a live Timeline does.

    ``BarIndex(timeline)`` indexes every bar. :meth:`extend` takes a later Timeline
    whose first :attr:`frozen` bars are unchanged, freezes the bars up to
    ``frozen`` and indexes the rest (a live run's provisional bars) on the side.
    """

    def __init__(self, timeline: Timeline, frozen: int | None = None) -> None:
        self.lane_count = 0
        self.frozen = 0
        self.label_groups = (timeline.worker_count + 1) * KINDS
        self._segments: list[_Segment] = []
        self._tail: _Segment | None = None
        self._order: I64 | None = None
        self.extend(timeline, len(timeline.start) if frozen is None else frozen, merge=False)

    def __len__(self) -> int:
        return sum(len(s) for s in self._all())

    def _all(self) -> list[_Segment]:
        return self._segments + ([self._tail] if self._tail is not None else [])

    def extend(self, timeline: Timeline, frozen: int, merge: bool = True) -> None:
        """Index bars ``[self.frozen, frozen)`` for good and ``[frozen, len)`` until next time."""
        self.lane_count = len(timeline.lanes)
        if frozen > self.frozen:
            self._segments.append(self._segment(timeline, self.frozen, frozen))
            self.frozen = frozen
            if merge:
                self._merge()
        size = len(timeline.start)
        self._tail = self._segment(timeline, frozen, size) if size > frozen else None
        self._order = None

    def _merge(self) -> None:
        """Merge neighbours of like size, newest first, up to :data:`MERGE_LIMIT` bars a call.

        Like a binary counter, so a frame queries about log2(bars) segments. A carry
        through several sizes at once (1k + 1k, 2k + 2k, ... 16k + 16k) re-sorted up to
        ~50,000 bars in one live frame; past the limit the rest waits for the next append.
        """
        budget = MERGE_LIMIT
        at = len(self._segments) - 1
        while at >= 1:
            before, last = self._segments[at - 1], self._segments[at]
            size = len(before) + len(last)
            if len(before) > len(last) * 2 or size > SEGMENT_LIMIT:
                at -= 1  # an older pair may still be due, left over from an earlier call
                continue
            if size > budget:
                return
            budget -= size
            parts = [s.bars() for s in (before, last)]
            group, start, end, model = (np.concatenate([p[i] for p in parts]) for i in range(4))
            self._segments[at - 1 : at + 1] = [
                _Segment(group, start, end, model, self.label_groups)
            ]
            at = min(at, len(self._segments) - 1)

    def _segment(self, timeline: Timeline, lo: int, hi: int) -> _Segment:
        group = timeline.lane[lo:hi].astype(np.int64) * KINDS + timeline.kind[lo:hi]
        model = np.arange(lo, hi, dtype=np.int64)
        return _Segment(group, timeline.start[lo:hi], timeline.end[lo:hi], model, self.label_groups)

    @property
    def order(self) -> I64:
        """Model index of each position in the index (segments, then the tail)."""
        if self._order is None:
            parts = [s.model for s in self._all()]
            self._order = np.concatenate(parts).astype(np.int64) if parts else _none()
        return self._order

    def spans(self, x0: float, x1: float, columns: int, lane0: int, lane1: int) -> Spans:
        """What to fill when ``columns`` pixel columns show ``[x0, x1)`` s of lanes lane0..lane1."""
        columns = max(int(columns), 1)
        g0, g1 = lane0 * KINDS, (lane1 + 1) * KINDS
        parts = []
        for segment in self._all():
            if segment.end_max < x0 * 1e9 or segment.origin > x1 * 1e9:
                # Wholly before or after the view: a replay's or a live run's older
                # segments, when only the last columns are summed.
                continue
            t0, t1 = x0 * 1e9 - segment.origin, x1 * 1e9 - segment.origin
            parts.append(_column_shares(segment.exact, g0, g1, t0, t1, columns))
        return shaded_spans(parts, columns, lane0, lane1)

    def bars_of_request(self, request: np.int64 | int, requests: I64) -> I64:
        """Positions in :attr:`order` of every bar of ``request`` (``requests`` in model order)."""
        return np.flatnonzero(requests[self.order] == request).astype(np.int64)

    def bars_in_view(self, x0: float, x1: float, lane0: int, lane1: int) -> I64:
        """Model indices of the bars of lanes lane0..lane1 that touch ``[x0, x1)`` s."""
        found = [_none()]
        for segment in self._all():
            exact = segment.exact
            t0, t1 = x0 * 1e9 - segment.origin, x1 * 1e9 - segment.origin
            _, first, stop = exact.in_view(lane0 * KINDS, (lane1 + 1) * KINDS, t0, t1)
            found.append(segment.model[_ranges(first, stop)].astype(np.int64))
        return np.concatenate(found)

    def wide_bars(self, x0: float, x1: float, min_ns: float, limit: int) -> I64:
        """Model indices of loop and worker bars >= ``min_ns`` in ``[x0, x1)`` s, widest first."""
        found, length = [_none()], [_none()]
        for segment in self._all():
            t0, t1 = x0 * 1e9 - segment.origin, x1 * 1e9 - segment.origin
            bars, ns = segment.wide_bars(t0, t1, min_ns)
            found.append(segment.model[bars].astype(np.int64))
            length.append(ns)
        widest = np.argsort(-np.concatenate(length), kind="stable")[:limit]
        return np.concatenate(found)[widest]

    def bar_at(self, x: float, lane: int, tolerance: float) -> int | None:
        """The model index of the bar on ``lane`` under time ``x``, or the nearest within reach.

        Only the bars within ``tolerance`` of ``x`` are looked at, found by the same
        binary search that culls a frame: a scan of the whole lane cost 25 ms a mouse
        move on the loop lane of a 20,000-request run, and 94 ms at a million bars.
        """
        if not 0 <= lane < self.lane_count or not math.isfinite(x):
            return None
        reach_ns = min(max(tolerance, 0.0), 2.0**40) * 1e9 if tolerance == tolerance else 0.0
        best: tuple[float, float, int] | None = None
        for segment in self._all():
            exact = segment.exact
            t = x * 1e9 - segment.origin
            # in_view finds bars touching an open interval: widened by 1 ns, a closed one.
            _, first, stop = exact.in_view(
                lane * KINDS, (lane + 1) * KINDS, t - reach_ns - 1, t + reach_ns + 1
            )
            bars = _ranges(first, stop)
            if len(bars) == 0:
                continue
            start = (exact.start(bars) + segment.origin) / 1e9
            end = (exact.end(bars) + segment.origin) / 1e9
            distance = np.maximum(np.maximum(start - x, x - end), 0.0)
            # Prefer the shortest of the bars that contain x: a slice drawn over a phase.
            pick = np.lexsort((end - start, distance))[0]
            here = (
                float(distance[pick]),
                float(end[pick] - start[pick]),
                int(segment.model[bars[pick]]),
            )
            best = here if best is None or here < best else best
        if best is None or best[0] > tolerance or math.isnan(best[0]):
            return None
        return best[2]


def _column_shares(
    level: _Level, g0: int, g1: int, t0: float, t1: float, columns: int
) -> ColumnShares:
    """Runs of columns a group fills whole, and each other column's busy share per group."""
    groups, first, stop = level.in_view(g0, g1, t0, t1)
    in_view = stop - first
    # Failed marks are drawn solid, never as a share: they are always cut bar by bar.
    dense = (in_view > columns // 2) & (groups % KINDS != BarKind.FAILED)
    sparse = ~dense & (in_view > 0)
    per_column = columns / (t1 - t0)
    whole, cut = _cut_bars(level, first[sparse], stop[sparse], t0, per_column, columns)
    grid = _summed_columns(level, groups[dense], t0, per_column, columns)
    return ColumnShares(whole, groups[dense], grid, cut)


def _cut_bars(
    level: _Level, first: I64, stop: I64, t0: float, per_column: float, columns: int
) -> tuple[tuple[I64, I64, I64], tuple[I64, I64, F64]]:
    """Each bar cut at the column edges: the columns it fills whole, and its share of the
    columns it fills in part (at most one at each end)."""
    bars = _ranges(first, stop)
    group = level.start_key[bars] >> level.shift
    left = (level.start(bars) - t0) * per_column
    right = np.maximum((level.end(bars) - t0) * per_column, left)
    inner_left, inner_right = np.ceil(left), np.floor(right)
    mark = group % KINDS == BarKind.FAILED
    one_column = (inner_right < inner_left) & ~mark
    # A mark fills every column it touches, however little of it.
    mark_left = np.floor(left[mark])
    mark_right = np.maximum(np.ceil(right[mark]), mark_left + 1)
    runs = (inner_right > inner_left) & ~mark
    whole = (
        np.concatenate([group[runs], group[mark]]),
        _column(np.concatenate([inner_left[runs], mark_left]), columns),
        _column(np.concatenate([inner_right[runs], mark_right]), columns),
    )
    spans_two = ~one_column & ~mark
    head = spans_two & (inner_left > left)
    tail = spans_two & (right > inner_right)
    share_group = np.concatenate([group[one_column], group[head], group[tail]])
    share_column = np.concatenate(
        [np.floor(left[one_column]), np.floor(left[head]), inner_right[tail]]
    )
    share = np.concatenate(
        [
            (right - left)[one_column],
            (inner_left - left)[head],
            (right - inner_right)[tail],
        ]
    )
    shown = (share_column >= 0) & (share_column < columns) & (share > 0)
    return whole, (share_group[shown], share_column[shown].astype(np.int64), share[shown])


def _summed_columns(level: _Level, groups: I64, t0: float, per_column: float, columns: int) -> F64:
    """Each column's busy share (a row a group) for groups with many bars in view."""
    if len(groups) == 0:
        return np.zeros((0, columns))
    edges = t0 + np.arange(columns + 1) / per_column
    top = (1 << level.shift) - 1
    ns = np.clip(np.floor(edges), -1, top).astype(np.int64)
    keys = groups << level.shift
    # The last bar of the group that starts at or before each edge...
    last = np.searchsorted(level.start_key, keys[:, None] + ns[None, :], "right") - 1
    first = level.group_first[np.searchsorted(level.groups, groups)][:, None]
    bar = np.maximum(last, 0)
    start = level.start(bar)
    # ...gives the busy time before the edge: every earlier bar, and its part of this one.
    inside = np.clip(edges[None, :] - start, 0, level.end(bar) - start)
    busy = np.where(last >= first, level.busy_before[bar] - level.busy_before[first] + inside, 0)
    return np.diff(busy, axis=1) * per_column


def _column(position: F64, columns: int) -> I64:
    """Column numbers, kept near the view: a bar far off screen must not overflow int64."""
    return np.clip(position, -2, columns + 2).astype(np.int64)


def _ranges(first: I64, stop: I64) -> I64:
    """The indices first[i]..stop[i] of every i, laid end to end."""
    counts = np.maximum(stop - first, 0)
    total = int(counts.sum())
    offsets = np.repeat(first - np.cumsum(counts) + counts, counts)
    return (offsets + np.arange(total)).astype(np.int64)


def _none() -> I64:
    return np.empty(0, np.int64)
