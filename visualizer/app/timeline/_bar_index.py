"""BarIndex: a Timeline's bars keyed for culling, with levels of detail, growing by appends.

Bars are sorted by (lane, kind, start); one (lane, kind) pair is a *group*, drawn
in one colour. Every time is an integer key ``group << shift | t`` (``t`` in ns from
the segment's origin), so one ``np.searchsorted`` answers "which bars of each
visible group touch [x0, x1)" for every group at once, with no Python loop per
group and no loss of precision.

Levels of detail, as Perfetto does it: level ``L`` holds each group's bars rounded
outwards to buckets of ``2**L`` ns and merged where they touch. A zoomed-out frame
reads the coarsest level whose bucket is no wider than a pixel column, so the
intervals it touches per group are bounded by the columns on screen, whatever the
number of bars. A level is kept only when it has at most half the intervals of the
finer one kept before it, so all levels together cost less than the bars do.
Reading a level widens a run by at most one column at each end and never loses
one; when few bars are in view (zoomed in) the exact bars are read instead.

The index grows: bars appended while a run is live become a new *segment*; small
segments are merged pairwise like a binary counter (so a frame queries about
log2(bars) of them), and never into one larger than :data:`SEGMENT_LIMIT`, which
bounds the cost of any one append.
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
#: Frames with at most this many bars in view read the exact bars, not a level.
EXACT_LIMIT = 20_000
#: An append never merges segments into one larger than this: it bounds one frame's work.
SEGMENT_LIMIT = 1 << 15


@dataclass(frozen=True)
class Spans:
    """Runs of pixel columns ``[first, stop)`` to fill, each on one lane in one kind."""

    lane: I64
    kind: I64
    first: I64
    stop: I64


class _Level:
    """Intervals sorted by (group, start), keyed ``group << shift | t`` in units of 2**unit ns.

    ``reach`` is the running maximum of the ends within a group (the exact level may
    hold overlapping bars); in a merged level it is the end itself.
    """

    def __init__(self, start_key: I64, reach_key: I64, end: I64 | None, unit: int, shift: int):
        self.start_key, self.reach_key, self._end = start_key, reach_key, end
        self.unit, self.shift = unit, shift
        group = start_key >> shift  # sorted: no need for np.unique's sort
        first = np.flatnonzero(np.diff(group, prepend=-1)) if len(group) else _none()
        self.groups: I64 = group[first]
        self.group_first: I64 = first.astype(np.int64)
        self.group_stop: I64 = np.append(first[1:], len(group)).astype(np.int64)

    def __len__(self) -> int:
        return len(self.start_key)

    def start(self, bars: I64) -> I64:
        """Starts (units from the origin) of ``bars``."""
        keys = self.start_key[bars]
        return keys & ((1 << self.shift) - 1)

    def end(self, bars: I64) -> I64:
        """Ends (units from the origin) of ``bars``."""
        if self._end is not None:
            return self._end[bars]
        return self.reach_key[bars] & ((1 << self.shift) - 1)

    def coarser(self, steps: int) -> _Level:
        """This level's intervals in buckets ``2**steps`` times wider, touching ones merged."""
        mask = (1 << self.shift) - 1
        base = self.start_key & ~mask
        lo = base + ((self.start_key & mask) >> steps)
        hi = base + -(-self.end(np.arange(len(self))) >> steps)
        return _merged(lo, np.maximum(hi, lo + 1), self.unit + steps, self.shift)

    def in_view(self, g0: int, g1: int, t0: float, t1: float) -> tuple[I64, I64, I64]:
        """Groups g0 <= g < g1 present here, and their bars that touch (t0, t1) ns."""
        low, high = np.searchsorted(self.groups, [g0, g1])
        groups = self.groups[low:high]
        top = (1 << self.shift) - 1
        u0 = min(max(math.floor(t0 / (1 << self.unit)), -1), top)
        u1 = min(max(math.ceil(t1 / (1 << self.unit)), 0), top)
        keys = groups << self.shift
        gf, gs = self.group_first[low:high], self.group_stop[low:high]
        first = np.clip(np.searchsorted(self.reach_key, keys + u0, side="right"), gf, gs)
        stop = np.clip(np.searchsorted(self.start_key, keys + u1, side="left"), gf, gs)
        return groups, first, stop


def _merged(lo: I64, hi: I64, unit: int, shift: int) -> _Level:
    """A level from keyed intervals sorted by ``lo``: touching ones of a group become one."""
    reach = np.maximum.accumulate(hi)
    new = np.ones(len(lo), bool)
    new[1:] = lo[1:] > reach[:-1]  # a new group's keys lie above every key of the last
    begins = np.flatnonzero(new)
    ends = np.append(begins[1:], len(lo)) - 1
    return _Level(lo[begins], reach[ends], None, unit, shift)


class _Segment:
    """A frozen set of bars: the exact level, the coarser ones, and the model indices."""

    def __init__(self, group: I64, start: I64, end: I64, model: I64, label_groups: int) -> None:
        self.origin = int(start.min()) if len(start) else 0
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
        self.levels = [_Level(keys + rel_start, reach, rel_end, 0, self.shift)]
        if len(start) > EXACT_LIMIT:  # smaller ones are always read exactly
            self._add_levels()
        # Loop and worker bars, widest first: the candidates for a label.
        self.label_groups = label_groups
        labelled = np.flatnonzero(group < label_groups)
        duration = (rel_end - rel_start)[labelled]
        widest = np.argsort(-duration, kind="stable")
        self.labels: npt.NDArray[np.int32] = labelled[widest].astype(np.int32)
        self.minus_label_ns: npt.NDArray[np.float32] = -duration[widest].astype(np.float32)

    def _add_levels(self) -> None:
        kept = self.levels[0]
        # Buckets much finer than the mean room per bar merge next to nothing: start near it.
        room = (1 << self.shift) * len(kept.groups) / len(kept)
        candidate = kept.coarser(max(int(math.log2(max(room, 1.0))) - 2, 1))
        if len(candidate) * 2 <= len(kept):
            self.levels.append(candidate)
            kept = candidate
        while len(candidate) > len(candidate.groups) and candidate.unit < self.shift:
            candidate = candidate.coarser(1)
            if len(candidate) * 2 <= len(kept):
                self.levels.append(candidate)
                kept = candidate

    def __len__(self) -> int:
        return len(self.model)

    def level_for(self, g0: int, g1: int, t0: float, t1: float, ns_per_column: float) -> _Level:
        """The exact level if few bars are in view, else the coarsest one within a column."""
        exact = self.levels[0]
        _, first, stop = exact.in_view(g0, g1, t0, t1)
        if int((stop - first).sum()) <= EXACT_LIMIT:
            return exact
        fits = [level for level in self.levels if (1 << level.unit) <= ns_per_column]
        return fits[-1] if fits else exact

    def bars(self) -> tuple[I64, I64, I64, I64]:
        """(group, start, end, model index) of every bar, in ns: what built this segment."""
        exact, every = self.levels[0], np.arange(len(self))
        group = exact.start_key >> self.shift
        start, end = exact.start(every) + self.origin, exact.end(every) + self.origin
        return group, start, end, self.model.astype(np.int64)

    def wide_bars(self, t0: float, t1: float, min_ns: float) -> tuple[I64, I64]:
        """Positions and lengths of the labelled bars at least ``min_ns`` long in (t0, t1)."""
        exact = self.levels[0]
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
            while merge and len(self._segments) > 1:
                last, before = self._segments[-1], self._segments[-2]
                if len(before) > len(last) * 2 or len(before) + len(last) > SEGMENT_LIMIT:
                    break
                parts = [s.bars() for s in (before, last)]
                group, start, end, model = (np.concatenate([p[i] for p in parts]) for i in range(4))
                self._segments[-2:] = [_Segment(group, start, end, model, self.label_groups)]
        size = len(timeline.start)
        self._tail = self._segment(timeline, frozen, size) if size > frozen else None
        self._order = None

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
            t0, t1 = x0 * 1e9 - segment.origin, x1 * 1e9 - segment.origin
            level = segment.level_for(g0, g1, t0, t1, (t1 - t0) / columns)
            parts.append(_level_spans(level, g0, g1, t0, t1, columns))
        group = np.concatenate([p[0] for p in parts]) if parts else _none()
        first = np.concatenate([p[1] for p in parts]) if parts else _none()
        stop = np.concatenate([p[2] for p in parts]) if parts else _none()
        if len(parts) > 1:  # one group may have runs in several segments: join them
            order = np.lexsort((first, group))
            group, first, stop = _merge_runs(group[order], first[order], stop[order])
        return Spans(
            lane=group // KINDS,
            kind=group % KINDS,
            first=np.clip(first, -1, columns + 1),
            stop=np.clip(stop, -1, columns + 1),
        )

    def bars_of_request(self, request: np.int64 | int, requests: I64) -> I64:
        """Positions in :attr:`order` of every bar of ``request`` (``requests`` in model order)."""
        return np.flatnonzero(requests[self.order] == request).astype(np.int64)

    def bars_in_view(self, x0: float, x1: float, lane0: int, lane1: int) -> I64:
        """Model indices of the bars of lanes lane0..lane1 that touch ``[x0, x1)`` s."""
        found = [_none()]
        for segment in self._all():
            exact = segment.levels[0]
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
            exact = segment.levels[0]
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


def _level_spans(
    level: _Level, g0: int, g1: int, t0: float, t1: float, columns: int
) -> tuple[I64, I64, I64]:
    groups, first, stop = level.in_view(g0, g1, t0, t1)
    in_view = stop - first
    dense = in_view > columns // 2
    sparse = ~dense & (in_view > 0)
    per_column = columns / (t1 - t0)
    parts = [
        _round_bars(level, groups[sparse], first[sparse], stop[sparse], t0, per_column),
        _sample_columns(level, groups[dense], t0, per_column, columns),
    ]
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def _round_bars(
    level: _Level, groups: I64, first: I64, stop: I64, t0: float, per_column: float
) -> tuple[I64, I64, I64]:
    """Every bar widened to whole columns, touching ones of a group merged."""
    bars = _ranges(first, stop)
    if len(bars) == 0:
        return _none(), _none(), _none()
    group = level.start_key[bars] >> level.shift
    scale = float(1 << level.unit)
    start = level.start(bars) * scale
    left = np.floor((start - t0) * per_column).astype(np.int64)
    right = np.ceil((level.end(bars) * scale - t0) * per_column).astype(np.int64)
    return _merge_runs(group, left, np.maximum(right, left + 1))


def _sample_columns(
    level: _Level, groups: I64, t0: float, per_column: float, columns: int
) -> tuple[I64, I64, I64]:
    """For each column, whether any bar of the group overlaps it; runs of those."""
    if len(groups) == 0:
        return _none(), _none(), _none()
    scale = float(1 << level.unit)
    edges = t0 + np.arange(columns + 1) / per_column
    # The last bar of each group that starts before each column's right edge...
    units = np.clip(np.ceil(edges[1:] / scale), 0, (1 << level.shift) - 1).astype(np.int64)
    keys = groups << level.shift
    last = np.searchsorted(level.start_key, (keys[:, None] + units[None, :]).ravel(), "left") - 1
    first = np.repeat(level.group_first[np.searchsorted(level.groups, groups)], columns)
    # ...and whether any bar up to it reaches past the column's left edge.
    reach = (level.reach_key[np.maximum(last, 0)] - np.repeat(keys, columns)) * scale
    filled = ((last >= first) & (reach > np.tile(edges[:-1], len(groups)))).reshape(len(groups), -1)
    padded = np.zeros((len(groups), columns + 2), np.int8)
    padded[:, 1:-1] = filled
    change = np.diff(padded, axis=1)
    row_on, col_on = np.nonzero(change == 1)
    _, col_off = np.nonzero(change == -1)
    return groups[row_on], col_on.astype(np.int64), col_off.astype(np.int64)


def _merge_runs(group: I64, first: I64, stop: I64) -> tuple[I64, I64, I64]:
    """Runs sorted by (group, first), overlapping or touching ones of a group joined."""
    if len(group) == 0:
        return group, first, stop
    # Shift each group far from the others so one running maximum serves them all.
    offset = int(stop.max() - first.min()) + 2
    shift = (group - group[0]) * offset
    reach = np.maximum.accumulate(stop + shift)
    new = np.ones(len(group), bool)
    new[1:] = first[1:] + shift[1:] > reach[:-1]
    begins = np.flatnonzero(new)
    ends = np.append(begins[1:], len(group)) - 1
    return group[begins], first[begins], reach[ends] - shift[ends]


def merge_rows(spans: Spans, lane0: int, lanes_per_row: float) -> Spans:
    """Spans of lanes thinner than a pixel row, joined per row: ``lane`` becomes the row."""
    row = np.floor((spans.lane - lane0) / lanes_per_row).astype(np.int64)
    key = row * KINDS + spans.kind
    # One int64 sort key, (row, kind) above the column (first >= -1, below 2**24).
    order = np.argsort((key << 24) + spans.first + 1, kind="stable")
    key, first, stop = _merge_runs(key[order], spans.first[order], spans.stop[order])
    return Spans(lane=key // KINDS, kind=key % KINDS, first=first, stop=stop)


def _ranges(first: I64, stop: I64) -> I64:
    """The indices first[i]..stop[i] of every i, laid end to end."""
    counts = np.maximum(stop - first, 0)
    total = int(counts.sum())
    offsets = np.repeat(first - np.cumsum(counts) + counts, counts)
    return (offsets + np.arange(total)).astype(np.int64)


def _none() -> I64:
    return np.empty(0, np.int64)
