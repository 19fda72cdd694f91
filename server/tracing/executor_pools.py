"""ExecutorTracer: the pools that are not AnyIO's, on the same time axis.

``asyncio.to_thread`` and ``loop.run_in_executor(None, ...)`` run on the loop's
default executor, a ``ThreadPoolExecutor`` of min(32, cores + 4) threads that nothing
in FastAPI configures and nothing in AnyIO's limiter bounds; libraries and apps make
their own. All of them go through ``ThreadPoolExecutor.submit``, so wrapping that
one method sees every trip, with the request whose context submitted it.

A ``ProcessPoolExecutor``'s work runs in other processes: each trip is timed there
(``perf_counter_ns`` is system-wide monotonic, so its stamps share our axis) by a
small module-level function that returns the timings with the result; the future the
caller gets is resolved with the result alone. Its start is known only when it ends:
a process pool's run is drawn once it is over, on the lane of its process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
from collections.abc import Callable
from time import perf_counter_ns, thread_time_ns
from typing import Any

from .._boot import expose_privately_named
from .._lifeline import at_leave
from .call_names import describe_call
from .context import current_request
from .recorder import TraceRecorder
from .run_queue import UNKNOWN, waited_ns_now
from .threadpool import WorkerRunRecorder

_Submit = Callable[..., concurrent.futures.Future[Any]]


class ExecutorTracer:
    """Wraps ``ThreadPoolExecutor.submit`` and ``ProcessPoolExecutor.submit`` while installed."""

    def __init__(
        self, recorder: TraceRecorder, runs: WorkerRunRecorder, loop: asyncio.AbstractEventLoop
    ) -> None:
        self._recorder = recorder
        self._runs = runs
        self._loop = loop
        self._originals: tuple[_Submit, _Submit] | None = None

    def install(self) -> None:
        if self._originals is not None:
            raise RuntimeError("ExecutorTracer is already installed")
        thread_submit = concurrent.futures.ThreadPoolExecutor.submit
        process_submit = concurrent.futures.ProcessPoolExecutor.submit
        self._originals = (thread_submit, process_submit)
        recorder, wrap, loop = self._recorder, self._runs.wrap, self._loop

        def traced_thread_submit(
            executor: concurrent.futures.ThreadPoolExecutor,
            fn: Callable[..., Any],
            /,
            *args: Any,
            **kwargs: Any,
        ) -> concurrent.futures.Future[Any]:
            dispatched = perf_counter_ns()
            default = executor is getattr(loop, "_default_executor", None)
            pool = recorder.pool(
                executor,
                "asyncio-default" if default else "thread",
                "the loop's default executor" if default else _thread_pool_name(executor),
                int(getattr(executor, "_max_workers", 0)),
            )
            label = recorder.label(describe_call(fn, args))
            run = wrap(fn, current_request.get(), dispatched, label, pool)
            return thread_submit(executor, run, *args, **kwargs)

        def traced_process_submit(
            executor: concurrent.futures.ProcessPoolExecutor,
            fn: Callable[..., Any],
            /,
            *args: Any,
            **kwargs: Any,
        ) -> concurrent.futures.Future[Any]:
            dispatched = perf_counter_ns()
            request = current_request.get()
            capacity = int(getattr(executor, "_max_workers", 0))
            pool = recorder.pool(executor, "process", "a process pool", capacity)
            label = recorder.label(describe_call(fn, args))
            if _spawns(executor):
                _expose_once()
            inner = process_submit(executor, timed_call, fn, *args, **kwargs)
            outer = _Forwarding(inner)

            def done(future: concurrent.futures.Future[Any]) -> None:
                if outer.done():
                    return
                if future.cancelled():
                    outer.cancel()
                    return
                error = future.exception()
                if error is not None:  # the pool broke: the call never came back timed
                    outer.set_exception(error)
                    return
                ok, value, start, end, cpu, core_wait, pid = future.result()
                row = (request, dispatched, start, end, cpu, pid, core_wait, label, pool)
                recorder.worker.extend(row)
                if ok:
                    outer.set_result(value)
                else:
                    outer.set_exception(value)

            inner.add_done_callback(done)
            return outer

        concurrent.futures.ThreadPoolExecutor.submit = traced_thread_submit  # type: ignore[method-assign,assignment]
        concurrent.futures.ProcessPoolExecutor.submit = traced_process_submit  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        if self._originals is not None:
            thread_submit, process_submit = self._originals
            concurrent.futures.ThreadPoolExecutor.submit = thread_submit  # type: ignore[method-assign]
            concurrent.futures.ProcessPoolExecutor.submit = process_submit  # type: ignore[method-assign]
            self._originals = None


def _spawns(executor: concurrent.futures.ProcessPoolExecutor) -> bool:
    """Whether the pool starts its workers afresh (spawn, forkserver) rather than forking
    this process: then they find :func:`timed_call` by its module's name."""
    context = getattr(executor, "_mp_context", None)
    method = context.get_start_method() if context is not None else None
    return method not in (None, "fork")


_exposed: list[bool] = []


def _expose_once() -> None:
    """Make our package importable by name for spawned workers, once, and undone when
    the server leaves."""
    if _exposed:
        return
    _exposed.append(True)
    folder = expose_privately_named()
    if folder is not None:
        at_leave(lambda: shutil.rmtree(folder, ignore_errors=True))


def timed_call(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """Run ``fn`` in a pool's process: (ok, result or exception, start, end, cpu, time
    waiting for a core or -1, pid). A process shares no GIL: what its wall time has
    beyond its CPU time is I/O, or other processes holding the cores."""
    waited_before = waited_ns_now()
    start, cpu_start = perf_counter_ns(), thread_time_ns()
    try:
        value, ok = fn(*args, **kwargs), True
    except Exception as error:
        value, ok = error, False
    end, cpu = perf_counter_ns(), thread_time_ns() - cpu_start
    waited_after = waited_ns_now()
    known = waited_before != UNKNOWN and waited_after != UNKNOWN
    core_wait = waited_after - waited_before if known else UNKNOWN
    return ok, value, start, end, cpu, core_wait, os.getpid()


class _Forwarding(concurrent.futures.Future[Any]):
    """The future handed back for a process pool's trip: cancelling it cancels the trip."""

    def __init__(self, inner: concurrent.futures.Future[Any]) -> None:
        super().__init__()
        self._inner = inner

    def cancel(self) -> bool:
        # A trip already running in its process cannot be stopped: neither is this.
        return self._inner.cancel() and super().cancel()


def _thread_pool_name(executor: concurrent.futures.ThreadPoolExecutor) -> str:
    prefix = getattr(executor, "_thread_name_prefix", "") or ""
    named = prefix and not prefix.startswith("ThreadPoolExecutor")
    return f"a thread pool ({prefix})" if named else "a thread pool"
