"""Column shades: how dark each pixel column of a lane is, and in which kind's colour.

Zoomed out, a pixel column is as dark as the share of its time that is busy
(DESIGN.md, Visual language): a loop busy half the time must not look solid. The
BarIndex hands over, per (lane, kind), the columns it fills whole and the busy share
of every other column it touches; this module sums them per lane and column and
turns them into runs of one kind and one shade, the rectangles the GanttItem fills.

A column shared by two kinds is painted in the kind that holds most of its time, as
dark as all of them together: the darkness says how busy the lane is, which is what
the picture must not lie about, and one rectangle a column keeps painting batched.
Lanes with many bars in view are summed in a (lane, kind, column) grid; the few
columns of the other lanes by one sort.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from visualizer.model.timeline import BarKind

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

KINDS = len(BarKind)
#: A frame sums every lane in view in one (lane, kind, column) grid when it has at most
#: this many cells; beyond (thousands of request lanes) only lanes with many bars.
GRID_CELLS = 1 << 19
#: ...and only when the lanes with few bars cut more than one piece per this many cells:
#: a sort of a few pieces is cheaper than a grid. A live view of 40 lanes, most with a
#: handful of phases, took 2.1 ms in the grid and 0.6 ms sorted.
CELLS_PER_PIECE = 8
#: Shades of a partly busy column: its busy share rounded to 1/LEVELS (2 points), and a
#: column with any bar at all at least 1/LEVELS dark, so a short slice never vanishes.
LEVELS = 24


@dataclass(frozen=True)
class Spans:
    """Runs of pixel columns ``[first, stop)`` to fill, each on one lane in one kind,
    and the lanes summed column by column in a grid.

    ``level / LEVELS`` is the share of the run's time that is busy: how dark to fill it.
    ``grid[row, column]`` is the shade key ``kind * (LEVELS + 1) + level`` of column
    ``column`` of lane ``grid_lanes[row]``, -1 where nothing is drawn; the runs hold
    no column of a grid lane that the grid holds.
    """

    lane: I64
    kind: I64
    first: I64
    stop: I64
    level: I64
    grid_lanes: I64 = field(default_factory=lambda: _none())
    grid: I64 = field(default_factory=lambda: np.empty((0, 0), np.int64))

    def as_runs(self) -> Spans:
        """The same columns as runs only: the grid's rows cut where their shade changes."""
        key, first, stop = _grid_runs(self.grid_lanes, self.grid)
        group = key // (LEVELS + 1)
        return Spans(
            lane=np.concatenate([self.lane, group // KINDS]),
            kind=np.concatenate([self.kind, group % KINDS]),
            first=np.concatenate([self.first, first]),
            stop=np.concatenate([self.stop, stop]),
            level=np.concatenate([self.level, key % (LEVELS + 1)]),
        )


@dataclass(frozen=True)
class ColumnShares:
    """What one part of the index says about the columns in view.

    ``whole``: runs (group, first, stop) that groups fill entirely. ``grid``: busy
    shares of every column for groups with many bars in view, one row per group.
    ``pieces``: (group, column, share) of the other columns touched.
    """

    whole: tuple[I64, I64, I64]
    grid_groups: I64
    grid: F64
    pieces: tuple[I64, I64, F64]


def shaded_spans(parts: list[ColumnShares], columns: int, lane0: int, lane1: int) -> Spans:
    """Runs per lane, kind and shade, from the shares of every part of the index."""
    cells = (lane1 - lane0 + 1) * KINDS * columns
    pieces = sum(len(p.pieces[0]) for p in parts)
    if cells <= GRID_CELLS and pieces * CELLS_PER_PIECE > cells:
        grid_lanes = np.arange(lane0, lane1 + 1, dtype=np.int64)
    else:
        grid_groups = np.concatenate([_none(), *(p.grid_groups for p in parts)])
        grid_lanes = np.unique(grid_groups // KINDS)
    grid = np.zeros((len(grid_lanes), KINDS, columns))
    rest: list[tuple[I64, I64, F64]] = []
    for part in parts:
        rows = np.searchsorted(grid_lanes, part.grid_groups // KINDS)
        grid[rows, part.grid_groups % KINDS] += part.grid  # a group appears once a part
        group, column, share = part.pieces
        row = np.searchsorted(grid_lanes, group // KINDS)
        in_grid = np.zeros(len(group), bool)
        if len(grid_lanes):
            in_grid = grid_lanes[np.minimum(row, len(grid_lanes) - 1)] == group // KINDS
        cell = (row[in_grid] * KINDS + group[in_grid] % KINDS) * columns + column[in_grid]
        np.add.at(grid.reshape(-1), cell, share[in_grid])
        rest.append((group[~in_grid], column[~in_grid], share[~in_grid]))
    runs = [
        _piece_runs(rest, columns),
        *((g * (LEVELS + 1) + LEVELS, f, s) for g, f, s in (p.whole for p in parts)),
    ]
    key = np.concatenate([r[0] for r in runs])
    first = np.concatenate([r[1] for r in runs])
    stop = np.concatenate([r[2] for r in runs])
    order = np.lexsort((first, key))  # runs from bars or from several parts may touch
    key, first, stop = merge_runs(key[order], first[order], stop[order])
    group = key // (LEVELS + 1)
    return Spans(
        lane=group // KINDS,
        kind=group % KINDS,
        first=np.clip(first, -1, columns + 1),
        stop=np.clip(stop, -1, columns + 1),
        level=key % (LEVELS + 1),
        grid_lanes=grid_lanes,
        grid=_grid_shades(grid),
    )


def _shade(total: F64) -> I64:
    """The shade of busy shares: at least the lightest, so no bar vanishes."""
    shade: I64 = np.clip(np.rint(np.minimum(total, 1.0) * LEVELS), 1, LEVELS).astype(np.int64)
    return shade


def _grid_shades(grid: F64) -> I64:
    """Per lane and column: the dominant kind's shade key for the lane's total, or -1."""
    total = grid.sum(axis=1)
    # The first kind holding the most (argmax over the middle axis is several times slower).
    most, dominant = grid[:, 0, :].copy(), np.zeros(total.shape, np.int64)
    for kind in range(1, KINDS):
        more = grid[:, kind, :] > most
        most = np.where(more, grid[:, kind, :], most)
        dominant[more] = kind
    key: I64 = np.where(total > 0, dominant * (LEVELS + 1) + _shade(total), -1)
    return key


def _grid_runs(lanes: I64, shades: I64) -> tuple[I64, I64, I64]:
    """Runs of (lane, kind, shade) keys along each lane of a grid of shade keys."""
    if len(lanes) == 0:
        return _none(), _none(), _none()
    key = np.where(shades >= 0, lanes[:, None] * KINDS * (LEVELS + 1) + shades, -1)
    padded = np.full((len(lanes), key.shape[1] + 2), -1, np.int64)
    padded[:, 1:-1] = key
    row, edge = np.nonzero(padded[:, 1:] != padded[:, :-1])
    # Edges come in order along each row: each run starts at one and stops at the next.
    keys = padded[row, edge + 1]
    starts = keys >= 0
    stops = np.append(edge[1:], 0)
    return keys[starts], edge[starts].astype(np.int64), stops[starts].astype(np.int64)


def _piece_runs(pieces: list[tuple[I64, I64, F64]], columns: int) -> tuple[I64, I64, I64]:
    """One-column runs of (lane, dominant kind, shade) keys for the scattered pieces."""
    group = np.concatenate([_none(), *(p[0] for p in pieces)])
    column = np.concatenate([_none(), *(p[1] for p in pieces)])
    share = np.concatenate([np.empty(0), *(p[2] for p in pieces)])
    if len(group) == 0:
        return _none(), _none(), _none()
    # One sort by (lane, column, kind); then sums over the stretches of equal keys.
    key = ((group // KINDS) * (columns + 1) + column) * KINDS + group % KINDS
    order = np.argsort(key)
    key, share = key[order], share[order]
    same = np.flatnonzero(np.diff(key, prepend=-1))  # one (cell, kind): bars of several parts
    key, per_kind = key[same], np.add.reduceat(share, same)
    cell = key // KINDS
    starts = np.flatnonzero(np.diff(cell, prepend=-1))
    total = np.add.reduceat(per_kind, starts)
    # The kind holding most of a column's time paints it (the first of equals).
    most = np.maximum.reduceat(per_kind, starts)
    holds = np.flatnonzero(per_kind == np.repeat(most, np.diff(np.append(starts, len(cell)))))
    dominant = holds[np.flatnonzero(np.diff(cell[holds], prepend=-1))]
    cells = cell[starts]
    lane, first = cells // (columns + 1), cells % (columns + 1)
    runs = (lane * KINDS + key[dominant] % KINDS) * (LEVELS + 1) + _shade(total)
    return runs, first, first + 1


def merge_runs(group: I64, first: I64, stop: I64) -> tuple[I64, I64, I64]:
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
    """Spans of lanes thinner than a pixel row, joined per row: ``lane`` becomes the row.

    Runs of one kind and shade join; where shades of a row overlap, the painter draws
    the darker one last.
    """
    spans = spans.as_runs()
    row = np.floor((spans.lane - lane0) / lanes_per_row).astype(np.int64)
    key = (row * KINDS + spans.kind) * (LEVELS + 1) + spans.level
    # One int64 sort key, (row, kind, shade) above the column (first >= -1, below 2**24).
    order = np.argsort((key << 24) + spans.first + 1, kind="stable")
    key, first, stop = merge_runs(key[order], spans.first[order], spans.stop[order])
    group = key // (LEVELS + 1)
    return Spans(
        lane=group // KINDS, kind=group % KINDS, first=first, stop=stop, level=key % (LEVELS + 1)
    )


def _none() -> I64:
    return np.empty(0, np.int64)
