"""ThreadpoolTracer: every sync function FastAPI sends to a worker thread.

FastAPI and Starlette send a ``def`` endpoint, a sync dependency and
``run_in_threadpool`` through ``anyio.to_thread.run_sync``, looked up on the module
at call time, so replacing the module attribute sees them all. For each run it
records when the loop dispatched it, when a worker started and ended it, which
worker, the worker's CPU time and its time waiting for a core (see run_queue):
what is left of its wall time it waited for the GIL or for I/O. The start is
recorded as it happens, so a run is known while it runs, and also when it never
ends before the trace does.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter_ns, thread_time_ns
from typing import Any

import anyio.to_thread

from ..protocol import DISPATCHED
from .context import current_request
from .recorder import TraceRecorder
from .run_queue import RunQueueClock
from .thread_lanes import ThreadLanes


class ThreadpoolTracer:
    """Wraps ``anyio.to_thread.run_sync`` while installed."""

    def __init__(self, recorder: TraceRecorder, lanes: ThreadLanes) -> None:
        self._recorder = recorder
        self._lanes = lanes
        self._original: Callable[..., Any] | None = None

    def install(self) -> None:
        if self._original is not None:
            raise RuntimeError("ThreadpoolTracer is already installed")
        original = self._original = anyio.to_thread.run_sync
        record = self._recorder.worker.extend
        record_start = self._recorder.worker_start.extend
        stamp = self._recorder.stamp.extend
        worker_lane = self._lanes.worker
        core_waited = RunQueueClock().waited_ns

        async def traced_run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            dispatched = perf_counter_ns()
            request = current_request.get()
            if request > 0:  # so a request waiting for a worker is known to wait, live
                stamp((request, DISPATCHED, dispatched))

            def run_on_worker(*worker_args: Any) -> Any:
                # The lane first: a collection during the run is drawn on it.
                lane = worker_lane()
                waited_before = core_waited()
                start, cpu_start = perf_counter_ns(), thread_time_ns()
                record_start((request, dispatched, start, lane))
                try:
                    return func(*worker_args)
                finally:
                    cpu = thread_time_ns() - cpu_start
                    end = perf_counter_ns()
                    waited_after = core_waited()
                    known = waited_before >= 0 and waited_after >= 0
                    core_wait = waited_after - waited_before if known else -1
                    record((request, dispatched, start, end, cpu, lane, core_wait))

            return await original(run_on_worker, *args, **kwargs)

        anyio.to_thread.run_sync = traced_run_sync  # type: ignore[assignment]

    def uninstall(self) -> None:
        if self._original is not None:
            anyio.to_thread.run_sync = self._original  # type: ignore[assignment]
            self._original = None
