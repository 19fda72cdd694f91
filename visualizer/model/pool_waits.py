"""PoolWaits: which pool a request's wait for a worker was for.

A request waits between handing a call to a pool (``dispatched``) and a worker of
that pool starting it. With several pools (AnyIO's, the loop's default executor, a
process pool) "waiting" alone does not say which one was full, and only AnyIO's is
sized by P. The run that followed a wait names its pool and what it ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from visualizer.model.trace import RunTrace
from visualizer.model.worker_runs import unfinished

I64 = npt.NDArray[np.int64]


def _none() -> I64:
    return np.empty(0, np.int64)


@dataclass(frozen=True)
class PoolWait:
    """One run's wait: dispatched and started (ns from the run's start), its pool, and what
    it ran (an index into the run's labels, -1 unknown)."""

    dispatched: int
    start: int
    pool: int
    func: int


@dataclass(frozen=True)
class PoolWaits:
    """Every worker run's dispatch and start, sorted by (request, start)."""

    request: I64 = field(default_factory=_none)
    dispatched: I64 = field(default_factory=_none)
    start: I64 = field(default_factory=_none)
    pool: I64 = field(default_factory=_none)
    func: I64 = field(default_factory=_none)

    @classmethod
    def of_trace(cls, trace: RunTrace) -> PoolWaits:
        # Runs that ended, and runs that started but never ended (their wait is as real).
        ended, going = trace.worker.rows, unfinished(trace)
        columns = {
            name: np.concatenate([ended[name], going[name]]).astype(np.int64)
            for name in ("request", "dispatched", "start", "pool", "func")
        }
        for name in ("dispatched", "start"):
            columns[name] = columns[name] - trace.t0
        # A run for no request waited for nobody; one of no known dispatch, for no known time.
        mine = (columns["request"] > 0) & (columns["dispatched"] >= 0)
        columns = {name: column[mine] for name, column in columns.items()}
        order = np.lexsort((columns["start"], columns["request"]))
        return cls(**{name: column[order] for name, column in columns.items()})

    def waited_for(self, request: int, start: int, end: int) -> PoolWait | None:
        """The run of ``request`` whose wait (dispatched .. start) overlaps ``start`` ..
        ``end`` (ns from the run's start) the most: the pool a waiting bar waited for."""
        low, high = np.searchsorted(self.request, [request, request + 1])
        if low == high:
            return None
        began, waited = self.dispatched[low:high], self.start[low:high]
        overlap = np.minimum(waited, end) - np.maximum(began, start)
        best = int(np.argmax(overlap))
        if overlap[best] <= 0:
            return None
        at = low + best
        return PoolWait(
            int(self.dispatched[at]), int(self.start[at]), int(self.pool[at]), int(self.func[at])
        )
