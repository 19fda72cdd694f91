"""DeadlineWatchdog: one task that keeps the timeouts of every request in flight.

A timeout scope per request (what httpx does through anyio, for every read and
write) cost about 15% of the load generator's CPU at concurrency 1,000. Here a
request only writes its deadline into a dict, and one task looks at them a few
times a second: a request that overruns is ended by its transport's ``expire``,
at most one tick late (a twentieth of the timeout, between 5 and 50 ms).
"""

from __future__ import annotations

import asyncio
from time import perf_counter_ns
from typing import Protocol


class Expirable(Protocol):
    def expire(self) -> None: ...


class DeadlineWatchdog:
    """Deadlines (``perf_counter_ns`` clock) of whatever is in flight, checked every tick."""

    def __init__(self, timeout_s: float) -> None:
        self.tick_s = min(max(timeout_s / 20, 0.005), 0.05)
        self._deadlines: dict[Expirable, int] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(self, what: Expirable, deadline_ns: int) -> None:
        self._deadlines[what] = deadline_ns
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def forget(self, what: Expirable) -> None:
        self._deadlines.pop(what, None)

    def remaining_ns(self, what: Expirable) -> int:
        return self._deadlines.get(what, 0) - perf_counter_ns()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_s)
            now = perf_counter_ns()
            overdue = [what for what, deadline in self._deadlines.items() if deadline <= now]
            for what in overdue:
                del self._deadlines[what]
                what.expire()
