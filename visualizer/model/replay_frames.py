"""ReplayFrames: a finished run's Timeline as it stood at any moment, cheap enough for 30 fps.

A replay frame used to cut the trace at ``t`` and rebuild a Timeline from the cut:
phases, lanes, sorts of every event, and then a fresh drawing index of every bar,
41 to 229 ms a frame at 20,000 requests against a 33 ms budget. Here the finished
Timeline is cut instead. A frame at ``t`` holds every bar that began before ``t``,
its end cut at ``t`` (a failure mark only once the failure happened): the run as it
stood then, drawn with the phases the whole run measured.

Bars are kept in order of their end. The bars that ended before ``t`` are a prefix
of that order and never change while the replay plays forward, so each frame is a
:class:`GrowingTimeline` whose frozen bars are that prefix: a view indexes only the
bars that ended since the last frame, as it does for a live run. The bars still
running at ``t`` follow the prefix, cut. Seeking back starts a new history.

Each frame is a :class:`ReplayFrame`: it names the run it cuts and the moment before
which it holds exactly what the run holds, so a view may draw that part as it drew
the finished run and compute only the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from visualizer.model.annotations import NOTABLE_BLOCK_NS, Annotations, LoopBlockMark
from visualizer.model.live_timeline import GrowingTimeline
from visualizer.model.loop_blocks import telling_block
from visualizer.model.phases import PhaseSegments
from visualizer.model.timeline import BarKind, Timeline

_COLUMNS = ("lane", "start", "end", "kind", "request", "cpu")
#: Columns a Timeline may lack (a live run's): carried where the run has them.
_OPTIONAL_COLUMNS = ("func",)


@dataclass(frozen=True)
class ReplayFrame(GrowingTimeline):
    """A finished run ``run`` as it stood at ``span`` ns.

    Before ``agrees_before`` ns it holds the same busy time as ``run`` on every lane
    (bars begun later touch only later times; cut ends only later times); a failure
    mark begun before the cut but not yet over is the one exception, and moves
    ``agrees_before`` back to its start.
    """

    run: Timeline | None = None
    agrees_before: int = 0


class ReplayFrames:
    """Frames of one finished run; the bars after ``frozen`` are valid until the next frame."""

    def __init__(self, timeline: Timeline, annotations: Annotations) -> None:
        self.timeline = timeline
        self._annotations = annotations
        order = np.argsort(timeline.end, kind="stable")
        # What a worker ran names its bars in every frame, as in the finished run.
        self._columns = _COLUMNS + tuple(
            name for name in _OPTIONAL_COLUMNS if len(getattr(timeline, name)) == len(timeline)
        )
        self._by_end = {name: getattr(timeline, name)[order] for name in self._columns}
        #: The frame's columns: the by-end bars, with the running ones written after
        #: the frozen prefix (and put back from _by_end before the next frame).
        self._shown = {name: column.copy() for name, column in self._by_end.items()}
        self._dirty = (0, 0)
        self._at = -1
        self._history = object()
        on_loop = timeline.lane == 0
        loop = on_loop & (timeline.kind != BarKind.GC)
        self._loop = {name: getattr(timeline, name)[loop] for name in ("start", "end", "request")}
        self._pauses = (timeline.start[on_loop & ~loop], timeline.end[on_loop & ~loop])
        self._held = _held(self._loop, *self._pauses)
        self._loop_by_start = np.argsort(self._loop["start"], kind="stable")
        self._loop_starts = self._loop["start"][self._loop_by_start]
        empty = np.empty(0, np.int64)
        self._no_phases = PhaseSegments(empty, empty, empty, np.empty(0, np.int8))

    def frame(self, at: int) -> tuple[ReplayFrame, Annotations]:
        """The run ``at`` ns after its start, and its marks as they stood then."""
        if at < self._at:
            self._history = object()  # the frozen prefix shrinks: views index afresh
        self._at = at
        shown, by_end = self._shown, self._by_end
        lo, hi = self._dirty
        for name in self._columns:
            shown[name][lo:hi] = by_end[name][lo:hi]
        frozen = int(np.searchsorted(by_end["end"], at, side="left"))
        later = slice(frozen, None)
        begun = by_end["start"][later] < at
        failed = by_end["kind"][later] == BarKind.FAILED
        running = np.flatnonzero(begun & ~failed)
        # A failure mark not over yet is left out of the frame, though the run has it.
        unfinished_marks = by_end["start"][later][begun & failed]
        agrees_before = min(at, int(unfinished_marks.min(initial=at)))
        size = frozen + len(running)
        for name in self._columns:
            shown[name][frozen:size] = by_end[name][later][running]
        shown["end"][frozen:size] = at
        self._dirty = (frozen, size)
        timeline = self.timeline
        frame = ReplayFrame(
            lanes=timeline.lanes,
            phases=self._no_phases,
            span=at,
            worker_count=timeline.worker_count,
            frozen=frozen,
            history=self._history,
            labels=timeline.labels,
            pools=timeline.pools,
            pool_lanes=timeline.pool_lanes,
            run=timeline,
            agrees_before=agrees_before,
            **{name: shown[name][:size] for name in self._columns},
        )
        return frame, self._marks(at)

    def _marks(self, at: int) -> Annotations:
        """The longest loop block begun by ``at`` (cut there), the pool-full stretches up to it."""
        begun = self._loop_by_start[: int(np.searchsorted(self._loop_starts, at, side="left"))]
        block = None
        if len(begun):
            # The block the finished run's mark names, as it stood at ``at``: the same
            # choice (loop_blocks) over the slices begun by then, cut there.
            start = self._loop["start"][begun]
            length = np.minimum(self._loop["end"][begun], at) - start
            held = self._held[begun].copy()
            # The slice going on at ``at`` (slices never overlap: one at most) has held
            # the loop since its start, less the collector's pauses in it so far.
            going = np.flatnonzero(self._loop["end"][begun] > at)
            pause_starts, pause_ends = self._pauses
            for index in going.tolist():
                paused = np.minimum(pause_ends, at) - np.maximum(pause_starts, start[index])
                held[index] = length[index] - int(paused[paused > 0].sum())
            longest = telling_block(start, held)
            if longest is not None and held[longest] >= NOTABLE_BLOCK_NS:
                request = int(self._loop["request"][begun[longest]])
                block = LoopBlockMark(
                    int(start[longest]),
                    int(start[longest] + length[longest]),
                    request or None,
                    int(held[longest]),
                )
        marks = self._annotations
        return replace(
            marks,
            loop_block=block,
            pool_full=_cut(marks.pool_full, at),
            pools_full={
                pool: cut
                for pool, periods in marks.pools_full.items()
                if (cut := _cut(periods, at))
            },
        )


def _cut(periods: list[tuple[int, int]], at: int) -> list[tuple[int, int]]:
    """The stretches begun before ``at``, ended there at the latest."""
    return [(start, min(end, at)) for start, end in periods if start < at]


def _held(
    loop: dict[str, np.ndarray], pause_starts: np.ndarray, pause_ends: np.ndarray
) -> np.ndarray:
    """How long each loop slice held the loop: its length less the pauses inside it."""
    held: np.ndarray = (loop["end"] - loop["start"]).astype(np.int64)
    if len(pause_starts) and len(held):
        order = np.argsort(loop["start"], kind="stable")
        holder = np.searchsorted(loop["start"][order], pause_starts, side="right") - 1
        inside = (holder >= 0) & (pause_ends <= loop["end"][order][np.maximum(holder, 0)])
        np.subtract.at(held, order[holder[inside]], (pause_ends - pause_starts)[inside])
    return held
