"""LoopTracer: one loop slice for every callback the asyncio event loop runs.

asyncio runs every callback, a task step as much as a socket read, through
``Handle._run``. Wrapping that one method sees everything the loop does, which is
why the server must run ``loop="asyncio"``: uvloop's handles are C and cannot be
wrapped.

A slice is attributed by reading the request id from the handle's context *after*
the callback ran: the first step of a request's task is the one that sets it.
"""

from __future__ import annotations

import asyncio
import asyncio.events
from collections.abc import Callable
from time import perf_counter_ns
from typing import Any

from .context import current_request
from .recorder import TraceRecorder
from .stack_sampler import StackSampler

_Run = Callable[[asyncio.Handle], None]


class LoopTracer:
    """Patches ``Handle._run`` and ``TimerHandle._run`` while installed, for one loop."""

    def __init__(self, recorder: TraceRecorder, sampler: StackSampler) -> None:
        self._recorder = recorder
        self._sampler = sampler
        self._original_handle_run: _Run | None = None
        self._original_timer_run: _Run | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._original_handle_run is not None:
            raise RuntimeError("LoopTracer is already installed")
        handle_run: _Run = asyncio.events.Handle._run
        timer_run: _Run = asyncio.events.TimerHandle._run
        self._original_handle_run, self._original_timer_run = handle_run, timer_run
        # extend() with a fresh tuple: the tuple goes straight back to the free list,
        # so recording adds no GC-tracked object per slice (see TraceRecorder).
        record_slice = self._recorder.loop.extend
        record_timer = self._recorder.timer.extend
        request_var = current_request
        # loop.time() is time.monotonic(); perf_counter_ns() may run on another
        # clock, so convert a timer's due time by the offset between the two.
        offset_ns = perf_counter_ns() - int(loop.time() * 1e9)
        # Where the stack sampler sees when the running slice began (0: none running).
        # Another loop in another thread (a user's) runs handles too: theirs are not ours.
        running = self._sampler.loop_slice

        def traced_run(handle: Any) -> None:
            start = perf_counter_ns()
            ours = handle._loop is loop
            if ours:
                running[0] = start
            try:
                handle_run(handle)
            finally:
                running[0] = 0
            if ours:
                record_slice((start, perf_counter_ns(), handle._context.get(request_var, 0)))

        def traced_timer_run(handle: Any) -> None:
            start = perf_counter_ns()
            ours = handle._loop is loop
            if ours:
                running[0] = start
            try:
                timer_run(handle)
            finally:
                running[0] = 0
            if ours:
                end = perf_counter_ns()
                try:
                    due = int(handle._when * 1e9) + offset_ns
                except (ValueError, OverflowError):
                    # A timer due at nan or inf (asyncio.sleep(float("nan")) from a
                    # query string): the wrapper must never raise into the loop.
                    due = 0
                record_timer((start, end, handle._context.get(request_var, 0), due))

        asyncio.events.Handle._run = traced_run  # type: ignore[method-assign,assignment]
        asyncio.events.TimerHandle._run = traced_timer_run  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        if self._original_handle_run is None or self._original_timer_run is None:
            return
        asyncio.events.Handle._run = self._original_handle_run  # type: ignore[method-assign,assignment]
        asyncio.events.TimerHandle._run = self._original_timer_run  # type: ignore[method-assign,assignment]
        self._original_handle_run = self._original_timer_run = None
