"""Where the tracers put their events, and the thread that ships them out.

Recording must cost almost nothing on the observed event loop: one list extend
with two clock reads. Shipping (encoding and writing) happens on a thread of its
own, never on the loop, so observing does not show up as loop slices.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from .. import protocol
from ..protocol import ANYIO_POOL

Ship = Callable[[protocol.EventsFrame], None]


#: How often the shipper wakes. Every wake takes the GIL from the loop (after up
#: to ``sys.getswitchinterval()``, 5 ms), a forced switch away from the handlers;
#: 50 ms wakes 20 times a second instead of 50 and still delivers events within
#: about two frames of the live timeline, which redraws at ~30 fps.
SHIP_INTERVAL_S = 0.05


class TraceRecorder:
    """Flat, append-only event lists, cut and shipped in batches every ``interval_s``.

    Each event is ``protocol.WIDTH[kind]`` ints laid end to end (see
    :mod:`server.protocol`). The hot paths bind ``recorder.loop.extend`` once and keep
    it, and call it with a fresh tuple: ``list.extend`` copies the ints and the
    tuple goes straight back to the free list, so no GC-tracked object outlives the
    call (a list of tuples would add one per event for the collector to walk).

    The lists are never replaced, only cut from the front. ``extend`` of a tuple,
    ``lst[:n]`` and ``del lst[:n]`` each hold the GIL throughout, so a cut always
    falls between whole events, and extends only ever go to the end, so nothing is
    lost between the copy and the cut.
    """

    def __init__(self, ship: Ship, interval_s: float = SHIP_INTERVAL_S) -> None:
        self.loop: list[int] = []
        self.timer: list[int] = []
        self.worker: list[int] = []
        self.worker_start: list[int] = []
        self.stamp: list[int] = []
        self.gc: list[int] = []
        self.route: list[int] = []
        self.stack: list[int] = []
        #: Labels (routes, functions, stacks) seen so far, by index; each is shipped once.
        self._label_index: dict[str, int] = {}
        self._new_labels: list[str] = []
        #: Pools seen so far, by their executor; each is described once.
        self._pool_ids: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._pool_count = 1  # AnyIO's is 0
        self._new_pools: list[list[Any]] = [[ANYIO_POOL, "anyio", "AnyIO worker threads", 40]]
        self._labels_lock = threading.Lock()
        self._ship = ship
        self._interval_s = interval_s
        self._wake = threading.Event()
        self._stopping = False
        self._flush_waiters: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="schedviz-shipper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def label(self, text: str) -> int:
        """The index of a label, given on first sight (from any thread); the shipper
        cuts the new ones from the front, as it does the events."""
        index = self._label_index.get(text)
        if index is None:
            with self._labels_lock:
                index = self._label_index.get(text)
                if index is None:
                    index = self._label_index[text] = len(self._label_index)
                    self._new_labels.append(text)
        return index

    def pool(self, executor: Any, kind: str, name: str, capacity: int) -> int:
        """The id of ``executor``'s pool, described to the parent on first sight."""
        pool = self._pool_ids.get(executor)
        if pool is None:
            with self._labels_lock:
                pool = self._pool_ids.get(executor)
                if pool is None:
                    pool = self._pool_ids[executor] = self._pool_count
                    self._pool_count += 1
                    self._new_pools.append([pool, kind, name, capacity])
        return pool

    def stop(self) -> None:
        """Ship what is left and end the shipper thread."""
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=2)

    def flush(self, then: Callable[[], None]) -> None:
        """Ship everything recorded so far now, then call ``then`` on the shipper thread."""
        with self._lock:
            self._flush_waiters.append(then)
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval_s)
            self._wake.clear()
            with self._lock:
                waiters, self._flush_waiters = self._flush_waiters, []
            self._ship_batch()
            for then in waiters:
                then()
            if self._stopping:
                return

    def _ship_batch(self) -> None:
        watermark = time.perf_counter_ns()
        batches: list[Any] = []
        # Routes before stamps, so a handler's end is shipped with its route or before;
        # ends before starts (a run whose end is shipped has had its start shipped too);
        # labels and pools last, so every event shipped has its labels shipped too.
        kinds = (self.route, self.stack, self.loop, self.timer, self.worker)
        described = (self._new_labels, self._new_pools)
        for pending in (*kinds, self.worker_start, self.stamp, self.gc, *described):
            count = len(pending)
            batches.append(pending[:count])
            del pending[:count]
        if any(batches):
            route, stack, loop, timer, worker, wstart, stamp, gc, labels, pools = batches
            self._ship(
                {
                    "t": "events",
                    "watermark": watermark,
                    "loop": loop,
                    "timer": timer,
                    "worker": worker,
                    "wstart": wstart,
                    "stamp": stamp,
                    "gc": gc,
                    "route": route,
                    "stack": stack,
                    "labels": labels,
                    "pools": pools,
                }
            )
