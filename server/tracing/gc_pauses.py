"""GcTracer: every pause of the garbage collector, on the lane of the thread that ran it.

A collection runs in whichever thread's allocation set it off, and while it runs no
other Python code does: on the event loop's thread it freezes the loop. Recorded as
its own event, it is drawn as garbage collection and never blamed on the request
whose callback happened to allocate at that moment (at concurrency 1,000 most loop
slices over 20 ms were generation-2 collections).
"""

from __future__ import annotations

import gc
from time import perf_counter_ns
from typing import Any

from .recorder import TraceRecorder
from .thread_lanes import ThreadLanes


class GcTracer:
    """Adds a callback to ``gc.callbacks`` while installed."""

    def __init__(self, recorder: TraceRecorder, lanes: ThreadLanes) -> None:
        self._recorder = recorder
        self._lanes = lanes
        self._callback: Any = None

    def install(self) -> None:
        record = self._recorder.gc.extend
        lane = self._lanes.current
        # Collections never overlap (they hold the GIL), so one slot holds the start.
        started = [0]

        def on_collection(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started[0] = perf_counter_ns()
            else:
                record((started[0], perf_counter_ns(), info.get("generation", -1), lane()))

        self._callback = on_collection
        gc.callbacks.append(on_collection)

    def uninstall(self) -> None:
        if self._callback is not None:
            gc.callbacks.remove(self._callback)
            self._callback = None
