"""ThreadLanes: which lane of the timeline a thread is, as the tracers record it.

The event loop's thread is lane 0; threadpool workers are numbered from 1 in the
order they first run something; any other thread (ours, a library's) is -1. A
thread-local keeps the number, because thread idents are reused once a thread ends.
"""

from __future__ import annotations

import itertools
import threading

LOOP_LANE = 0
OTHER_LANE = -1


class ThreadLanes:
    def __init__(self) -> None:
        self._local = threading.local()
        self._numbers = itertools.count(1)

    def mark_loop_thread(self) -> None:
        """Call on the thread that will run the event loop."""
        self._local.lane = LOOP_LANE

    def worker(self) -> int:
        """The calling worker thread's number, given on its first call."""
        lane = getattr(self._local, "lane", None)
        if lane is None:
            lane = self._local.lane = next(self._numbers)
        return int(lane)

    def current(self) -> int:
        """The calling thread's lane, without giving it one."""
        return int(getattr(self._local, "lane", OTHER_LANE))
