"""LiveResourceLanes: where a live run's loops and workers go, process by process.

A run of several server processes (``--workers N``) has a loop in each, and workers
in each: the live view lays them out as the finished Timeline does (each process's
loop, then its workers), so that a loop never shares a lane with another process's
and a worker lane sits under the loop of its process. Within a process, workers come
in order of first use (the finished Timeline groups them by pool).

A worker seen for the first time takes the lane after its process's last one, which
moves every lane below it: the caller starts a new history then (LiveTimeline).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from visualizer.model import pools
from visualizer.model.gc_pauses import LOOP_LANE
from visualizer.model.processes import local_thread, process_label, process_of
from visualizer.model.timeline import Lane, LaneKind
from visualizer.model.trace import RunTrace


class LiveResourceLanes:
    """The resource lanes of a live run: per process, its loop and then its workers."""

    def __init__(self, processes: int) -> None:
        self.processes = max(processes, 1)
        #: Worker threads (folded with their process) in order of first use.
        self.threads: list[int] = []
        self.pools: dict[int, int] = {}  # thread -> its pool
        self._loop_lanes: list[int] = []
        self._thread_lanes: dict[int, int] = {}
        self._lay_out()

    @property
    def resources(self) -> int:
        """How many lanes the loops and workers take: the first request lane's number."""
        return len(self._loop_lanes) + len(self._thread_lanes)

    def is_new(self, threads: Iterable[int], processes: Iterable[int]) -> bool:
        """Whether any of ``threads`` or ``processes`` has no lane yet."""
        return any(t not in self._thread_lanes for t in threads) or any(
            p >= self.processes for p in processes
        )

    def would_move(self, threads: Iterable[int], processes: Iterable[int]) -> bool:
        """Whether adding ``threads`` (and loops of ``processes``) moves a lane laid out."""
        trial = LiveResourceLanes(self.processes)
        trial.add(self.threads, [self.pools[t] for t in self.threads])
        new = [t for t in threads if t not in self._thread_lanes]
        trial.add(new, [0] * len(new), processes)
        moved_loop = trial._loop_lanes[: len(self._loop_lanes)] != self._loop_lanes
        return moved_loop or any(
            trial._thread_lanes[t] != lane for t, lane in self._thread_lanes.items()
        )

    def add(
        self, threads: Iterable[int], thread_pools: Iterable[int], processes: Iterable[int] = ()
    ) -> None:
        """Lanes for workers first seen now (and for processes whose loop ran now)."""
        grown = False
        for thread, pool in zip(threads, thread_pools, strict=True):
            if thread not in self.pools:
                self.threads.append(thread)
                self.pools[thread] = pool
                self.processes = max(self.processes, int(process_of(thread)) + 1)
                grown = True
        for process in processes:
            if process >= self.processes:
                self.processes, grown = process + 1, True
        if grown:
            self._lay_out()

    def _lay_out(self) -> None:
        self._loop_lanes, self._thread_lanes = [], {}
        lane = 0
        for process in range(self.processes):
            self._loop_lanes.append(lane)
            lane += 1
            for thread in self.threads:
                if process_of(thread) == process:
                    self._thread_lanes[thread] = lane
                    lane += 1

    # -- lanes of events -----------------------------------------------------------------

    def loop_lane(self, process: npt.NDArray[Any]) -> npt.NDArray[np.int32]:
        """The lane of each loop slice, by its process."""
        return np.asarray(self._loop_lanes, np.int32)[np.asarray(process, np.int64)]

    def worker_lane(self, thread: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
        """The lane of each worker run, by its thread (every one has a lane: see add)."""
        return np.array([self._thread_lanes[t] for t in thread.tolist()], np.int32)

    def pause_lane(self, key: int) -> int:
        """The lane of a collector pause on thread ``key``; -1 if that thread has none yet."""
        process = int(process_of(key))
        if local_thread(key) == LOOP_LANE:
            return self._loop_lanes[process] if process < self.processes else -1
        return self._thread_lanes.get(key, -1)

    # -- the lanes themselves -------------------------------------------------------------

    def lanes(self, trace: RunTrace) -> list[Lane]:
        """The loop and worker lanes, each named as the finished Timeline names them."""
        keys = [
            int(pools.worker_keys(np.array([self.pools[t]]), np.array([t]))[0])
            for t in self.threads
        ]
        labels = dict(zip(self.threads, pools.lane_labels(keys, trace.pools), strict=True))
        lanes: list[Lane] = []
        for process in range(self.processes):
            heading = process_label(process, self.processes, 0)  # as build_timeline names it
            lanes.append(
                Lane(LaneKind.LOOP, f"{heading}: event loop" if heading else "event loop", process)
            )
            for thread in self.threads:
                if process_of(thread) == process:
                    lane = self._thread_lanes[thread]
                    lanes.append(
                        Lane(LaneKind.WORKER, labels[thread], lane, self.pools[thread], thread)
                    )
        return lanes
