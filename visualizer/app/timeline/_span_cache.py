"""SpanCache: what a frame fills, kept for the next paint or taken from the finished run.

Zoomed out, most of a paint is summing every bar's share of every pixel column
(:meth:`BarIndex.spans`): ~45 ms a replay frame at 20,000 requests with the whole
run in view, against a 33 ms budget. Two kinds of paint repeat that work:

- a repaint with nothing new (a highlight, the replay cursor, an expose): the same
  Timeline in the same view fills the same columns, so the last answer serves;
- a replay frame (:class:`~visualizer.model.replay_frames.ReplayFrame`): every column
  that ends before the frame's ``agrees_before`` is filled as the finished run fills
  it. Those columns come from the finished run's answer for this view, summed once;
  only the columns from there on are summed from the frame's own bars.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from visualizer.app.timeline._bar_index import BarIndex
from visualizer.app.timeline._shading import Spans, merge_rows
from visualizer.model.replay_frames import ReplayFrame
from visualizer.model.timeline import Timeline


@dataclass(frozen=True)
class ColumnView:
    """``columns`` pixel columns showing ``[x0, x1)`` s of lanes ``lane0..lane1``.

    ``row_height`` above 1 joins that many lanes (thinner than a pixel) into a row: the
    Spans' ``lane`` is then the row from ``lane0``.
    """

    x0: float
    x1: float
    columns: int
    lane0: int
    lane1: int
    row_height: float = 1.0

    def spans(self, index: BarIndex) -> Spans:
        spans = index.spans(self.x0, self.x1, self.columns, self.lane0, self.lane1)
        if self.row_height > 1.0:
            spans = merge_rows(spans, self.lane0, self.row_height)
        return spans


class SpanCache:
    """The Spans of the last frame and of the finished run, for one GanttItem."""

    def __init__(self) -> None:
        self._last: tuple[Timeline, BarIndex, ColumnView, Spans] | None = None
        self._finished: tuple[BarIndex, ColumnView, Spans] | None = None
        #: Columns summed from bars so far: what the cache saves shows up here.
        self.columns_summed = 0

    def spans(
        self, timeline: Timeline, index: BarIndex, view: ColumnView, finished: BarIndex | None
    ) -> Spans:
        """What to fill for ``timeline`` (indexed by ``index``) in ``view``.

        ``finished`` is the index of the run ``timeline`` is a replay frame of, if any.
        """
        last = self._last
        if last is not None and last[0] is timeline and last[1] is index and last[2] == view:
            return last[3]
        cut = _cut_column(timeline, view) if finished is not None else 0
        if cut > 0 and finished is not None:
            head = self._finished_spans(finished, view)
            tail_view = ColumnView(
                view.x0 + cut * (view.x1 - view.x0) / view.columns,
                view.x1,
                view.columns - cut,
                view.lane0,
                view.lane1,
                view.row_height,
            )
            tail = self._summed(index, tail_view) if cut < view.columns else _no_spans()
            spans = joined(head, tail, cut, view.columns)
        else:
            spans = self._summed(index, view)
        self._last = (timeline, index, view, spans)
        return spans

    def _finished_spans(self, finished: BarIndex, view: ColumnView) -> Spans:
        if self._finished is None or self._finished[0] is not finished or self._finished[1] != view:
            self._finished = (finished, view, self._summed(finished, view))
        return self._finished[2]

    def _summed(self, index: BarIndex, view: ColumnView) -> Spans:
        self.columns_summed += view.columns
        return view.spans(index)


def _cut_column(timeline: Timeline, view: ColumnView) -> int:
    """How many columns from the left end before the replay frame parts from its run."""
    if not isinstance(timeline, ReplayFrame) or timeline.run is None:
        return 0
    width = (view.x1 - view.x0) / view.columns
    column = (timeline.agrees_before / 1e9 - view.x0) / width
    if not math.isfinite(column):
        return 0
    return min(max(math.floor(column), 0), view.columns)


def joined(head: Spans, tail: Spans, cut: int, columns: int) -> Spans:
    """``head``'s columns before ``cut``, and ``tail``'s (whose column 0 is ``cut``) after."""
    runs = head.first < cut
    # A tail run begun off its left edge (column -1) begins at the cut, not over the head.
    tail_first = np.maximum(tail.first, 0) + cut
    tail_stop = np.minimum(tail.stop + cut, columns + 1)
    tail_runs = tail_stop > tail_first
    lanes = np.union1d(head.grid_lanes, tail.grid_lanes).astype(np.int64)
    grid = np.full((len(lanes), columns), -1, np.int64)
    if len(head.grid_lanes):
        grid[np.searchsorted(lanes, head.grid_lanes), :cut] = head.grid[:, :cut]
    if len(tail.grid_lanes):
        grid[np.searchsorted(lanes, tail.grid_lanes), cut:] = tail.grid
    return Spans(
        lane=np.concatenate([head.lane[runs], tail.lane[tail_runs]]),
        kind=np.concatenate([head.kind[runs], tail.kind[tail_runs]]),
        first=np.concatenate([head.first[runs], tail_first[tail_runs]]),
        stop=np.concatenate([np.minimum(head.stop[runs], cut), tail_stop[tail_runs]]),
        level=np.concatenate([head.level[runs], tail.level[tail_runs]]),
        grid_lanes=lanes,
        grid=grid,
    )


def _no_spans() -> Spans:
    none = np.empty(0, np.int64)
    return Spans(none, none, none, none, none)
