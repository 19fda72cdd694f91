"""ThreadpoolTracer: every sync function FastAPI sends to AnyIO's worker threads.

FastAPI and Starlette send a ``def`` endpoint, a sync dependency (a ``yield`` one
twice: its enter and its exit), the response validation of a ``def`` endpoint, each
chunk of a sync iterator, file I/O, a sync background task and ``run_in_threadpool``
through ``anyio.to_thread.run_sync``, looked up on the module at call time, so
replacing the module attribute sees them all. For each trip it records what ran
(:mod:`.call_names`), when the loop dispatched it, when a worker started and ended
it, which worker, the worker's CPU time and its time waiting for a core (see
run_queue): what is left of its wall time it waited for the GIL or for I/O. The
start is recorded as it happens, so a run is known while it runs, and also when it
never ends before the trace does.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from time import perf_counter_ns, thread_time_ns
from typing import Any

import anyio.to_thread

from ..protocol import ANYIO_POOL, DISPATCHED
from .call_names import describe_call, from_background
from .context import current_request
from .recorder import TraceRecorder
from .run_queue import RunQueueClock
from .stack_sampler import StackSampler
from .thread_lanes import ThreadLanes

Record = Callable[[tuple[int, ...]], None]


class WorkerRunRecorder:
    """Wraps a function to run on a worker so that its run is recorded: shared by the
    tracers of every thread pool (AnyIO's, the loop's default executor, the others)."""

    def __init__(self, recorder: TraceRecorder, lanes: ThreadLanes, sampler: StackSampler) -> None:
        self._record = recorder.worker.extend
        self._record_start = recorder.worker_start.extend
        self._worker_lane = lanes.worker
        self._core_waited = RunQueueClock().waited_ns
        self._going = sampler.worker_runs

    def wrap(
        self, func: Callable[..., Any], request: int, dispatched: int, label: int, pool: int
    ) -> Callable[..., Any]:
        record, record_start = self._record, self._record_start
        worker_lane, core_waited, going = self._worker_lane, self._core_waited, self._going

        def run_on_worker(*args: Any, **kwargs: Any) -> Any:
            # The lane first: a collection during the run is drawn on it.
            lane = worker_lane()
            ident = threading.get_ident()
            waited_before = core_waited()
            start, cpu_start = perf_counter_ns(), thread_time_ns()
            record_start((request, dispatched, start, lane, label, pool))
            going[ident] = (start, lane)
            try:
                return func(*args, **kwargs)
            finally:
                cpu = thread_time_ns() - cpu_start
                end = perf_counter_ns()
                going.pop(ident, None)
                waited_after = core_waited()
                known = waited_before >= 0 and waited_after >= 0
                core_wait = waited_after - waited_before if known else -1
                record((request, dispatched, start, end, cpu, lane, core_wait, label, pool))

        return run_on_worker


class ThreadpoolTracer:
    """Wraps ``anyio.to_thread.run_sync`` while installed."""

    def __init__(self, recorder: TraceRecorder, runs: WorkerRunRecorder) -> None:
        self._recorder = recorder
        self._runs = runs
        self._original: Callable[..., Any] | None = None

    def install(self) -> None:
        if self._original is not None:
            raise RuntimeError("ThreadpoolTracer is already installed")
        original = self._original = anyio.to_thread.run_sync
        stamp = self._recorder.stamp.extend
        label = self._recorder.label
        wrap = self._runs.wrap

        async def traced_run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            dispatched = perf_counter_ns()
            request = current_request.get()
            if request > 0:  # so a request waiting for a worker is known to wait, live
                stamp((request, DISPATCHED, dispatched))
            name = describe_call(func, args)
            if from_background(sys._getframe(1)):
                name = f"background: {name}"
            run = wrap(func, request, dispatched, label(name), ANYIO_POOL)
            return await original(run, *args, **kwargs)

        anyio.to_thread.run_sync = traced_run_sync  # type: ignore[assignment]

    def uninstall(self) -> None:
        if self._original is not None:
            anyio.to_thread.run_sync = self._original  # type: ignore[assignment]
            self._original = None
