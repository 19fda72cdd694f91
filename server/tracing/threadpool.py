"""ThreadpoolTracer: every sync function FastAPI sends to a worker thread.

FastAPI and Starlette send a ``def`` endpoint, a sync dependency and
``run_in_threadpool`` through ``anyio.to_thread.run_sync``, looked up on the module
at call time, so replacing the module attribute sees them all. For each run it
records when the loop dispatched it, when a worker started and ended it, which
worker, and the worker's CPU time: a worker whose CPU time is far below its wall
time was waiting, for the GIL or for I/O.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from time import perf_counter_ns, thread_time_ns
from typing import Any

import anyio.to_thread

from .context import current_request
from .recorder import TraceRecorder


class ThreadpoolTracer:
    """Wraps ``anyio.to_thread.run_sync`` while installed."""

    def __init__(self, recorder: TraceRecorder) -> None:
        self._recorder = recorder
        self._original: Callable[..., Any] | None = None
        # Worker threads get a key in order of first use; a thread-local keeps it,
        # because thread idents are reused once a thread has ended.
        self._keys = itertools.count(1)
        self._local = threading.local()

    def install(self) -> None:
        if self._original is not None:
            raise RuntimeError("ThreadpoolTracer is already installed")
        original = self._original = anyio.to_thread.run_sync
        record = self._recorder.worker.extend
        local, keys = self._local, self._keys

        async def traced_run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            dispatched = perf_counter_ns()
            request = current_request.get()

            def run_on_worker(*worker_args: Any) -> Any:
                start, cpu_start = perf_counter_ns(), thread_time_ns()
                try:
                    return func(*worker_args)
                finally:
                    cpu = thread_time_ns() - cpu_start
                    key = getattr(local, "key", 0) or _assign(local, keys)
                    record((request, dispatched, start, perf_counter_ns(), cpu, key))

            return await original(run_on_worker, *args, **kwargs)

        anyio.to_thread.run_sync = traced_run_sync  # type: ignore[assignment]

    def uninstall(self) -> None:
        if self._original is not None:
            anyio.to_thread.run_sync = self._original  # type: ignore[assignment]
            self._original = None


def _assign(local: threading.local, keys: itertools.count[int]) -> int:
    local.key = next(keys)
    return int(local.key)
