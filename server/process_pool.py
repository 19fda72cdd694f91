"""The process pool of the cpu_process_pool style: one worker process per core.

The styles app makes it when it starts and shuts it down when it stops (its lifespan),
as an app would. Its processes are started then too, not on the first request: a
fork of the server takes milliseconds of the loop, a spawned interpreter far more,
and a run's first requests would carry that as work of their own.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field

from . import cpu

#: How often a pool's process checks that the server is still there.
_PARENT_CHECK_S = 0.5


@dataclass
class CpuProcesses:
    """The pool the cpu_process_pool handler sends its work to."""

    executor: ProcessPoolExecutor = field(init=False)

    def open(self) -> None:
        cores = os.cpu_count() or 1
        self.executor = ProcessPoolExecutor(
            max_workers=cores, initializer=_start_worker, initargs=(cpu.loops_per_ms(),)
        )
        # One call each: a pool that forks starts all its processes on the first, one
        # that spawns starts one for each call that finds none idle.
        wait([self.executor.submit(os.getpid) for _ in range(cores)])

    def close(self) -> None:
        # A process may still be computing for a request whose client gave up: the
        # server's exit ends it (server._lifeline.leave), without holding the loop here.
        self.executor.shutdown(wait=False, cancel_futures=True)


def _start_worker(loops_per_ms: float) -> None:
    """In each of the pool's processes, before its first call."""
    cpu.use_calibration(loops_per_ms)
    # A server killed outright never ends its pool, and the workers would wait for work
    # forever (each holds the work queue's pipe open, so none ever sees its end).
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_S)
    os._exit(0)


#: The handler's view of the pool; the styles app opens it at start-up.
processes = CpuProcesses()
