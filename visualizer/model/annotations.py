"""Annotations: what the timeline should point at, not just draw.

Two moments explain most runs. The longest loop block: while one callback holds
the event loop nobody else's code can run, so the request that held it is named.
And the pool-full periods: while every worker of the threadpool is busy, the next
``def`` request waits however idle the loop is. Every pool fills at its own
capacity: AnyIO's at P, the loop's default executor at its thread count, a process
pool at its process count; each is marked over its own lanes.

With the marks go the notes a bar's tooltip reads: where each sampled bar was held
(held_bars) and which pool each wait was for (pool_waits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from visualizer.model import pools
from visualizer.model.gc_pauses import loop_slices_held
from visualizer.model.held_bars import HeldBars
from visualizer.model.loop_blocks import telling_block
from visualizer.model.pool_waits import PoolWaits
from visualizer.model.processes import fold_one, process_of
from visualizer.model.trace import ANYIO, RunTrace

#: A loop block shorter than this is ordinary loop work, not worth pointing at.
NOTABLE_BLOCK_NS = 10_000_000


@dataclass(frozen=True)
class LoopBlockMark:
    """The longest loop slice: where it is (ns from the start of the run) and whose it was."""

    start: int
    end: int
    request: int | None
    #: How long the callback held the loop: the slice less any collector pause in it.
    held: int

    @property
    def text(self) -> str:
        ms = self.held / 1e6
        who = f"request {self.request}" if self.request else "the server"
        return f"{who} blocked the loop {ms:,.0f} ms"


@dataclass(frozen=True)
class Annotations:
    """The marks of one run (or of a replay's cut of it)."""

    loop_block: LoopBlockMark | None
    #: (start, end) in ns from the start of the run: every worker of AnyIO's pool was busy
    #: (of the first server process, where there are several).
    pool_full: list[tuple[int, int]]
    pool_size: int
    #: The same for every pool that filled, by pool id (AnyIO's is ``pool_full``); with
    #: several server processes, by each process's pool (:func:`pool_group_key`).
    pools_full: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    #: Where each sampled loop slice and worker run was held, and which pool each wait
    #: for a worker was for: notes the tooltips look bars up in, not marks. A replay's
    #: frames keep the whole run's (a bar is found by its start, cut or not), so they
    #: take no part in comparing marks.
    held: HeldBars = field(default_factory=HeldBars, compare=False)
    waits: PoolWaits = field(default_factory=PoolWaits, compare=False)

    def full_periods(self) -> dict[int, list[tuple[int, int]]]:
        """Every pool's full stretches; marks made without them have AnyIO's alone."""
        if self.pools_full:
            return self.pools_full
        return {ANYIO.id: self.pool_full} if self.pool_full else {}


def annotate(trace: RunTrace) -> Annotations:
    every_pool = pools_full_periods(trace)
    return Annotations(
        loop_block=longest_loop_block(trace),
        pool_full=every_pool.get(ANYIO.id, []),
        pool_size=trace.settings.pool,
        pools_full=every_pool,
        held=HeldBars.of_trace(trace),
        waits=PoolWaits.of_trace(trace),
    )


def longest_loop_block(trace: RunTrace) -> LoopBlockMark | None:
    """The first of the longest loop slices (see loop_blocks), if long enough to matter."""
    loop, held = loop_slices_held(trace)
    index = telling_block(loop["start"], held)
    if index is None or held[index] < NOTABLE_BLOCK_NS:
        return None
    longest = loop[index]
    start, end = int(longest["start"]) - trace.t0, int(longest["end"]) - trace.t0
    request = int(longest["request"])
    return LoopBlockMark(start, end, request if request > 0 else None, int(held[index]))


def pool_full_periods(trace: RunTrace) -> list[tuple[int, int]]:
    """Stretches when the runs in progress filled AnyIO's pool (P), in ns from the start."""
    return pools_full_periods(trace).get(ANYIO.id, [])


def pools_full_periods(trace: RunTrace) -> dict[int, list[tuple[int, int]]]:
    """Each pool's stretches with as many runs in progress as it has workers, by pool id.

    With several server processes (``--workers``) each has its own pools, each filling
    at its own capacity: the key is the pool id folded with its process
    (:func:`pool_group_key`), which for a lone server is the pool id itself.

    A pool of unknown size (capacity 0) is never full; neither is one with fewer runs
    than workers in the whole run.
    """
    worker = trace.worker.rows
    run_process = process_of(worker["thread"])
    periods = {}
    # AnyIO's pool is there even in a trace that names no pool: it is the one P sizes.
    every = {ANYIO.id: ANYIO, **trace.pools}
    for process in np.unique(np.append(run_process, 0)).tolist():
        for pool in pools.sized(every, trace.settings.pool).values():
            runs = worker[(worker["pool"] == pool.id) & (run_process == process)]
            if pool.capacity > 0 and len(runs) >= pool.capacity:
                full = _full_periods(runs, pool.capacity, trace.t0)
                if full:
                    periods[pool_group_key(process, pool.id)] = full
    return periods


def pool_group_key(process: int, pool: int) -> int:
    """The key of one server process's pool in :attr:`Annotations.pools_full`."""
    return fold_one(process, pool)


def _full_periods(worker: npt.NDArray[Any], capacity: int, t0: int) -> list[tuple[int, int]]:
    """Stretches when at least ``capacity`` of the runs ``worker`` were in progress."""
    times = np.concatenate([worker["start"], worker["end"]]) - t0
    steps = np.concatenate([np.ones(len(worker), np.int64), -np.ones(len(worker), np.int64)])
    order = np.lexsort((steps, times))  # at one instant an end frees its worker first
    times, busy = times[order], np.cumsum(steps[order])
    full = busy >= capacity
    periods = []
    for index in np.flatnonzero(full[:-1]).tolist():
        if times[index + 1] > times[index]:
            periods.append((int(times[index]), int(times[index + 1])))
    return _merge_touching(periods)


def _merge_touching(periods: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in periods:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
