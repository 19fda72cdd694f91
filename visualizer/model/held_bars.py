"""HeldBars: where each sampled bar of a run's timeline was held, found from the bar.

The server names a sampled slice by its lane and start as it saw them: lane 0 and
the slice's start for the loop, the worker's thread (a process's pid) and the run's
start for a worker run (see held_at). A bar knows its lane in the timeline and its
start from the run's start, so a worker run is found by its pool and start: the
same key in every Timeline of the run (finished, followed live, a replay's frame),
whatever its bar's index there. Two runs of one pool starting in the same
nanosecond are the only ones it could confuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from visualizer.model.gc_pauses import LOOP_LANE
from visualizer.model.held_at import HeldAt, held_places
from visualizer.model.timeline import BarKind, LaneKind, Timeline
from visualizer.model.trace import RunTrace

#: Bars that are a slice's or a run's own time: a collector's pause or a failure mark
#: starting at the same moment is not.
_HELD_KINDS = frozenset({BarKind.RUNNING, BarKind.SERVER, BarKind.ABANDONED, BarKind.UNFINISHED})


@dataclass(frozen=True)
class HeldBars:
    """HeldAt of loop slices by start, and of worker runs by (pool, start); ns from t0."""

    loop: dict[int, HeldAt] = field(default_factory=dict)
    workers: dict[tuple[int, int], HeldAt] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.loop) + len(self.workers)

    @classmethod
    def of_trace(cls, trace: RunTrace) -> HeldBars:
        places = held_places(trace)
        if not places:
            return cls()
        t0 = trace.t0
        # Ended runs, and runs that started and never ended (sampled all the same).
        tables = (trace.worker.rows, trace.worker_start.rows)
        thread, start, pool = (
            np.concatenate([table[name] for table in tables]).tolist()
            for name in ("thread", "start", "pool")
        )
        pool_of = dict(zip(zip(thread, start, strict=True), pool, strict=True))
        loop, workers = {}, {}
        for (lane, began), held in places.items():
            if lane == LOOP_LANE:
                loop[began - t0] = held
            elif (lane, began) in pool_of:
                workers[(pool_of[(lane, began)], began - t0)] = held
        return cls(loop, workers)

    def at(self, timeline: Timeline, bar: int) -> HeldAt | None:
        """Where bar ``bar`` of ``timeline`` was held, if it was sampled."""
        if not self or int(timeline.kind[bar]) not in _HELD_KINDS:
            return None
        lane = timeline.lanes[int(timeline.lane[bar])]
        start = int(timeline.start[bar])
        if lane.kind is LaneKind.LOOP:
            return self.loop.get(start)
        if lane.kind is LaneKind.WORKER:
            return self.workers.get((lane.pool, start))
        return None
