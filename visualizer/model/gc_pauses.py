"""Garbage-collector pauses, apart from the loop slices they happened inside.

A collection runs inside whatever callback allocated at that moment, so the loop
slice that contains it is as long as the handler's work and the collection together.
Blaming the whole slice on its request would be false ("request 1168 blocked the loop
205 ms" when 190 ms of it was a gen-2 collection). So what a slice *held* the loop
for, in the story and the marks, is its length less the pauses on the loop's thread
inside it; the timeline draws the slice whole and the pause over it, in the
collector's colour (DESIGN.md, Instrumentation).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from visualizer.model.processes import local_thread, process_of
from visualizer.model.trace import RunTrace, sorted_rows

#: The lane value of a pause on the event loop's thread (server.tracing.thread_lanes).
LOOP_LANE = 0


def loop_pauses(trace: RunTrace) -> npt.NDArray[Any]:
    """The collector's pauses on the event loop's thread (of any server process), in
    start order."""
    pauses = trace.gc.rows
    return sorted_rows(pauses[local_thread(pauses["lane"]) == LOOP_LANE], "start")


def loop_slices_held(trace: RunTrace) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """The loop slices in start order, and how long each held the loop for its callback:
    its length less the collector's pauses on the loop's thread inside it."""
    slices = sorted_rows(trace.loop.rows, "start")
    held = (slices["end"] - slices["start"]).astype(np.int64)
    pauses = loop_pauses(trace)
    if len(pauses) and len(slices):
        # Each server process has a loop of its own: a pause is inside a slice of its own.
        for process in np.unique(process_of(pauses["lane"])).tolist():
            mine = np.flatnonzero(slices["process"] == process)
            _subtract_pauses(held, mine, slices, pauses[process_of(pauses["lane"]) == process])
    return slices, held


def _subtract_pauses(
    held: npt.NDArray[np.int64],
    mine: npt.NDArray[np.int64],
    slices: npt.NDArray[Any],
    pauses: npt.NDArray[Any],
) -> None:
    """Take from ``held[mine]`` the pauses inside those slices (one process's)."""
    if len(mine) == 0:
        return
    starts, ends = slices["start"][mine], slices["end"][mine]
    # One loop's slices never overlap one another: a pause lies in at most one of them.
    holder = np.searchsorted(starts, pauses["start"], side="right") - 1
    inside = (holder >= 0) & (pauses["end"] <= ends[np.maximum(holder, 0)])
    np.subtract.at(
        held, mine[holder[inside]], (pauses["end"] - pauses["start"])[inside].astype(np.int64)
    )
