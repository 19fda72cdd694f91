"""Annotations: what the timeline should point at, not just draw.

Two moments explain most runs. The longest loop block: while one callback holds
the event loop nobody else's code can run, so the request that held it is named.
And the pool-full periods: while every worker of the threadpool is busy, the next
``def`` request waits however idle the loop is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visualizer.model.gc_pauses import loop_slices_held
from visualizer.model.loop_blocks import telling_block
from visualizer.model.trace import RunTrace

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
    #: (start, end) in ns from the start of the run: every worker of the pool was busy.
    pool_full: list[tuple[int, int]]
    pool_size: int


def annotate(trace: RunTrace) -> Annotations:
    return Annotations(
        loop_block=longest_loop_block(trace),
        pool_full=pool_full_periods(trace),
        pool_size=trace.settings.pool,
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
    """Stretches when the worker runs in progress filled the pool, in ns from the start."""
    worker = trace.worker.rows
    pool = trace.settings.pool
    if len(worker) < pool:
        return []
    times = np.concatenate([worker["start"], worker["end"]]) - trace.t0
    steps = np.concatenate([np.ones(len(worker), np.int64), -np.ones(len(worker), np.int64)])
    order = np.lexsort((steps, times))  # at one instant an end frees its worker first
    times, busy = times[order], np.cumsum(steps[order])
    full = busy >= pool
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
