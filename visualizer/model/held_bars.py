"""HeldBars: where each sampled bar of a run's timeline was held, found from the bar.

The server names a sampled slice by its lane and start as it saw them: lane 0 and
the slice's start for the loop, the worker's thread and the run's start for a worker
run (see held_at). A bar's lane knows its thread, and its start is the same from the
run's start in every Timeline of the run (finished, followed live, a replay's frame),
whatever its bar's index there: that is the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from visualizer.model.gc_pauses import LOOP_LANE
from visualizer.model.held_at import HeldAt, held_places
from visualizer.model.timeline import BarKind, LaneKind, Timeline
from visualizer.model.trace import RunTrace

#: Bars that are a slice's or a run's own time: a collector's pause or a failure mark
#: starting at the same moment is not.
_HELD_KINDS = frozenset({BarKind.RUNNING, BarKind.SERVER, BarKind.ABANDONED, BarKind.UNFINISHED})


@dataclass(frozen=True)
class HeldBars:
    """HeldAt of loop slices and worker runs by (thread, start): the loop's thread is
    LOOP_LANE, starts are ns from the run's start."""

    places: dict[tuple[int, int], HeldAt] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.places)

    @classmethod
    def of_trace(cls, trace: RunTrace) -> HeldBars:
        t0 = trace.t0
        return cls({(lane, start - t0): held for (lane, start), held in held_places(trace).items()})

    def at(self, timeline: Timeline, bar: int) -> HeldAt | None:
        """Where bar ``bar`` of ``timeline`` was held, if it was sampled."""
        if not self.places or int(timeline.kind[bar]) not in _HELD_KINDS:
            return None
        lane = timeline.lanes[int(timeline.lane[bar])]
        if lane.kind is LaneKind.LOOP:
            thread = LOOP_LANE
        elif lane.kind is LaneKind.WORKER:
            thread = lane.thread
        else:
            return None
        return self.places.get((thread, int(timeline.start[bar])))
