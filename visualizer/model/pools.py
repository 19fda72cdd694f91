"""Lanes of every pool: AnyIO's workers, the loop's default executor, other thread pools
and process pools, each a group of lanes with names a reader knows.

A run on a worker is keyed by its pool and its thread (for a process pool, the
worker process's pid), so threads of two pools never share a lane. Groups come in
the order a FastAPI developer meets them: AnyIO's pool (``def`` endpoints), then the
others in the order the server first saw them; within a group, lanes come in the
order their workers were first used.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from visualizer.model.processes import PROCESS_SHIFT, local_thread, process_of
from visualizer.model.trace import ANYIO, Pool

I64 = npt.NDArray[np.int64]

#: A pool's id in the high bits of a worker's key, its thread (or pid) in the low ones.
_POOL_SHIFT = 40


def worker_keys(pool: npt.NDArray[Any], thread: npt.NDArray[Any]) -> I64:
    """One key per (pool, thread) pair."""
    return (pool.astype(np.int64) << _POOL_SHIFT) | thread.astype(np.int64)


def pool_of_key(key: int) -> int:
    return key >> _POOL_SHIFT


def thread_of_key(key: int) -> int:
    return key & ((1 << _POOL_SHIFT) - 1)


def grouped(keys_in_first_use: list[int]) -> list[int]:
    """Worker keys grouped by server process, then by pool (AnyIO's first, then by id),
    each group in first use."""
    return sorted(keys_in_first_use, key=lambda key: (process_of_key(key), pool_of_key(key)))


def process_of_key(key: int) -> int:
    """The server process of a worker lane's key (see model.processes)."""
    return int(process_of(thread_of_key(key)))


def lane_labels(keys: list[int], pools: dict[int, Pool]) -> list[str]:
    """Each worker lane's label: "worker 3", "to_thread 2", "thread 1", "process 4711";
    numbered within its server process."""
    counts: dict[tuple[int, int], int] = {}
    labels = []
    for key in keys:
        pool = pools.get(pool_of_key(key), ANYIO)
        group = (process_of_key(key), pool.id)
        counts[group] = counts.get(group, 0) + 1
        labels.append(lane_label(pool, counts[group], int(local_thread(thread_of_key(key)))))
    return labels


def lane_label(pool: Pool, number: int, thread: int) -> str:
    if pool.kind == "process":
        return f"process {thread}"
    if pool.kind == "asyncio-default":
        return f"to_thread {number}"
    if pool.kind == "thread":
        return f"thread {number}"
    return f"worker {number}"


def pool_lane_ranges(keys: list[int], lanes: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """Each pool's lanes among the worker lanes (numbered from 1, or ``lanes``): (first
    lane, count). With several server processes a pool has lanes in each process's
    group: the first of them, and how many in all."""
    ranges: dict[int, tuple[int, int]] = {}
    numbers = lanes if lanes is not None else range(1, len(keys) + 1)
    for lane, key in zip(numbers, keys, strict=True):
        pool = pool_of_key(key)
        first, count = ranges.get(pool, (lane, 0))
        ranges[pool] = (first, count + 1)
    return ranges


def capacity(pool: Pool, anyio_tokens: int) -> int:
    """How many runs the pool takes at once: AnyIO's is the run's P, the others their own."""
    return anyio_tokens if pool.id == ANYIO.id else pool.capacity


def sized(pools: dict[int, Pool], anyio_tokens: int) -> dict[int, Pool]:
    """The pools with the capacity each had in the run: the server describes AnyIO's
    with AnyIO's default of 40 tokens, but the run limited it to P."""
    return {
        id_: replace(pool, capacity=capacity(pool, anyio_tokens)) for id_, pool in pools.items()
    }


def file_lanes(
    pool: npt.NDArray[Any], thread: npt.NDArray[Any], pools: dict[int, Pool]
) -> tuple[I64, list[tuple[int, str]]]:
    """How a trace file lays out worker runs (in the order given): each run's ``tid``,
    and each worker lane's (tid, name), grouped by pool as the timeline groups them.

    A thread pool's lane is its number among its server process's worker lanes (1, 2,
    ...); a process pool's is the process's pid, which a reader of the file also sees
    in Perfetto. The tid keeps the server process in its high bits (model.processes):
    the writer files each lane under its process.
    """
    keys = worker_keys(pool, thread)
    unique, first_use = np.unique(keys, return_index=True)
    order = grouped(unique[np.argsort(first_use)].tolist())
    labels = lane_labels(order, pools)
    tids = []
    numbers: dict[int, int] = {}
    for key in order:
        process = process_of_key(key)
        numbers[process] = numbers.get(process, 0) + 1
        if pools.get(pool_of_key(key), ANYIO).kind == "process":
            tids.append(thread_of_key(key))
        else:
            tids.append(process << PROCESS_SHIFT | numbers[process])
    tid_of = dict(zip(order, tids, strict=True))
    return (
        np.array([tid_of[key] for key in keys.tolist()], np.int64),
        list(zip(tids, labels, strict=True)),
    )
