"""Garbage-collector pauses, apart from the loop slices they happened inside.

A collection runs inside whatever callback allocated at that moment, so the loop
slice that contains it is as long as the handler's work and the collection together.
Blaming the whole slice on its request would be false ("request 1168 blocked the loop
205 ms" when 190 ms of it was a gen-2 collection). Here the pauses on the loop's
thread are cut out of the slices: what is left is the request's, the pause is the
collector's (DESIGN.md, Instrumentation).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from visualizer.model.trace import LOOP_DTYPE, RunTrace

#: The lane value of a pause on the event loop's thread (server.tracing.thread_lanes).
LOOP_LANE = 0


def loop_pauses(trace: RunTrace) -> npt.NDArray[Any]:
    """The collector's pauses on the event loop's thread, in start order."""
    pauses = trace.gc.rows
    return np.sort(pauses[pauses["lane"] == LOOP_LANE], order="start")


def loop_slices_without_gc(trace: RunTrace) -> npt.NDArray[Any]:
    """The loop slices, in start order, with the loop's collector pauses cut out of them."""
    slices = np.sort(trace.loop.rows, order="start")
    pauses = loop_pauses(trace)
    if len(pauses) == 0 or len(slices) == 0:
        return slices
    # Slices never overlap one another: each pause lies in at most one of them.
    holder = np.searchsorted(slices["start"], pauses["start"], side="right") - 1
    inside = (holder >= 0) & (pauses["end"] <= slices["end"][np.maximum(holder, 0)])
    pieces: list[npt.NDArray[Any]] = []
    cut = np.zeros(len(slices), bool)
    for index in np.unique(holder[inside]).tolist():
        cut[index] = True
        pieces.append(_cut(slices[index], pauses[inside & (holder == index)]))
    whole = slices[~cut]
    return np.sort(np.concatenate([whole, *pieces]), order="start") if pieces else whole


def _cut(piece: Any, pauses: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """One slice with ``pauses`` (inside it, in order) taken out: the parts between."""
    bounds = [int(piece["start"])]
    for start, end in zip(pauses["start"].tolist(), pauses["end"].tolist(), strict=True):
        bounds += [start, end]
    bounds.append(int(piece["end"]))
    parts = np.zeros(len(bounds) // 2, LOOP_DTYPE)
    parts["start"], parts["end"] = bounds[0::2], bounds[1::2]
    parts["request"], parts["due"] = piece["request"], piece["due"]
    return parts[parts["end"] > parts["start"]]
