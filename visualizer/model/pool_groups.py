"""PoolGroup: the worker lanes of one pool, as a reader should see them: together,
under the pool's name and how many it runs at once.

A FastAPI app can run work in several pools at once (AnyIO's for ``def`` endpoints,
the loop's default executor for ``asyncio.to_thread``, a process pool), and only one
of them is bounded by P. A lane "worker 3" beside "to_thread 1" says little until the
groups are named: "AnyIO pool, P = 40" against "asyncio default executor, 6 threads".
"""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.model.processes import process_of
from visualizer.model.timeline import LaneKind, Timeline
from visualizer.model.trace import ANYIO, Pool


@dataclass(frozen=True)
class PoolGroup:
    """Lanes ``first`` .. ``first + count - 1`` of a Timeline: the workers of ``pool``
    in server ``process`` (0 unless the run had several, ``--workers``)."""

    pool: Pool
    first: int
    count: int
    process: int = 0

    @property
    def stop(self) -> int:
        """The lane after the group's last."""
        return self.first + self.count

    @property
    def title(self) -> str:
        return pool_title(self.pool)

    @property
    def titles(self) -> tuple[str, ...]:
        """The title and shorter ones, longest first, for places of less room."""
        shorter = (pool_short_title(self.pool), pool_size(self.pool))
        return tuple(dict.fromkeys(t for t in (self.title, *shorter) if t))


def pool_groups(timeline: Timeline) -> list[PoolGroup]:
    """The runs of neighbouring worker lanes of one pool, top to bottom.

    Read from the lanes, not from ``Timeline.pool_lanes``: a live Timeline has none,
    and lays its worker lanes out in order of first use, so one pool may come back
    further down: that is a group of its own, under the same title. Each server process
    has pools of its own: its lanes are groups of their own.
    """
    groups: list[PoolGroup] = []
    for number, lane in enumerate(timeline.lanes[1 : 1 + timeline.worker_count], start=1):
        if lane.kind is not LaneKind.WORKER:
            continue
        process = int(process_of(lane.thread))
        last = groups[-1] if groups else None
        if (
            last is not None
            and (last.pool.id, last.process) == (lane.pool, process)
            and last.stop == number
        ):
            groups[-1] = PoolGroup(last.pool, last.first, last.count + 1, process)
        else:
            groups.append(PoolGroup(pool_of(timeline, lane.pool), number, 1, process))
    return groups


def pool_name(pool: Pool) -> str:
    """The pool as a FastAPI developer knows it: "AnyIO pool", "process pool"."""
    if pool.kind == "anyio":
        return "AnyIO pool"
    if pool.kind == "asyncio-default":
        return "asyncio default executor"
    if pool.kind == "process":
        return "process pool"
    # The server names other thread pools "a thread pool (prefix)".
    return pool.name.removeprefix("a ") if pool.name else "thread pool"


def pool_size(pool: Pool) -> str:
    """How many runs ``pool`` takes at once, in its own words; "" where unknown."""
    if pool.capacity <= 0:
        return ""
    if pool.kind == "anyio":
        return f"P = {pool.capacity}"
    many = pool.capacity != 1
    if pool.kind == "process":
        return f"{pool.capacity} process{'es' if many else ''}"
    return f"{pool.capacity} thread{'s' if many else ''}"


def pool_title(pool: Pool) -> str:
    """ "AnyIO pool, P = 40", "asyncio default executor, 6 threads", "process pool, 2 processes"."""
    size = pool_size(pool)
    return f"{pool_name(pool)}, {size}" if size else pool_name(pool)


def pool_short_title(pool: Pool) -> str:
    """The title for a cramped place: "AnyIO, P = 40", "asyncio, 6 threads", "2 processes"."""
    size = pool_size(pool)
    word = {"anyio": "AnyIO", "asyncio-default": "asyncio"}.get(pool.kind, "")
    if word and size:
        return f"{word}, {size}"
    return size or pool_name(pool)


def pool_of(timeline: Timeline, pool: int) -> Pool:
    """The pool of a lane; one the Timeline was not told of has no known size."""
    known = timeline.pools.get(pool)
    if known is not None:
        return known
    return Pool(pool, ANYIO.kind if pool == ANYIO.id else "thread", "", 0)
