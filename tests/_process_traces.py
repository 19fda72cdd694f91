"""Recorded-like runs of several server processes (--workers), made without a server."""

from __future__ import annotations

import numpy as np

from visualizer.model.processes import ServerProcess
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace

MS = 1_000_000
T0 = 10_000 * MS


def add_request(
    trace: RunTrace,
    request: int,
    process: int,
    loop_ms: tuple[float, float],
    run_ms: tuple[float, float, float, int] | None = None,
    done_ms: float | None = None,
) -> None:
    """Request ``request`` served by server ``process``: a loop slice (start, end ms);
    a worker run (dispatched, start, end ms, thread), if any; its response at
    ``done_ms`` (the run's or the slice's end and 1 ms)."""
    first, last = (T0 + round(t * MS) for t in loop_ms)
    loop = np.array([[first, last, request]], np.int64)
    worker = np.empty((0, 9), np.int64)
    end = last
    if run_ms is not None:
        dispatched, start, stop, thread = run_ms
        d, s, e = (T0 + round(t * MS) for t in (dispatched, start, stop))
        worker = np.array([[request, d, s, e, MS, thread, -1, -1, 0]], np.int64)
        end = e
    answered = T0 + round(done_ms * MS) if done_ms is not None else end + MS
    trace.add_server_events(
        loop=loop,
        timer=np.empty((0, 4), np.int64),
        worker=worker,
        stamp=np.array(
            [[request, 0, first - MS // 4], [request, 2, answered], [request, 3, answered]]
        ),
        process=process,
    )
    trace.sent.extend([(request, T0 + MS // 2)])
    trace.done.extend([(request, T0 + MS // 2, answered + MS // 4, 200, 0)])


def two_process_run() -> RunTrace:
    """Four sync_sleep requests, P = 2: 1-3 on server 0 (both its workers busy from 2 to
    102 ms, so request 3 waits until 105 ms), 4 on server 1 (one worker: never full)."""
    settings = RunSettings(style="sync_sleep", concurrency=4, requests=4, pool=2, workers=2)
    trace = RunTrace(settings=settings, t0=T0, handler_ends=True, versions={"python": "3.11.7"})
    trace.processes = [ServerProcess(0, 4711, 3, 3), ServerProcess(1, 4712, 1, 1)]
    trace.sent.extend([(r, T0 + MS) for r in (1, 2, 3, 4)])
    # Request 3 is dispatched at 5 ms, while both of process 0's workers are busy.
    runs = ((1, 0, 1, 2, 2), (2, 0, 2, 2, 2), (3, 0, 1, 105, 5), (4, 1, 1, 2, 2))
    for r, process, thread, start, dispatched in runs:
        begin = T0 + start * MS
        loop = np.array([[begin - MS // 2, begin - MS // 4, r]], np.int64)
        sent = T0 + dispatched * MS - MS // 4
        worker = np.array([[r, sent, begin, begin + 100 * MS, MS, thread, -1, -1, 0]])
        trace.add_server_events(
            loop=loop,
            timer=np.empty((0, 4), np.int64),
            worker=worker,
            stamp=np.array(
                [[r, 0, begin - MS], [r, 2, begin + 101 * MS], [r, 3, begin + 101 * MS]]
            ),
            gc=np.array([[begin + MS, begin + 2 * MS, 0, 0]], np.int64),
            process=process,
        )
    trace.done.extend(
        [(r, T0 + MS, T0 + (210 if r == 3 else 110) * MS, 200, 0) for r in (1, 2, 3, 4)]
    )
    trace.ended = "complete"
    return trace


def block_beside_a_full_pool() -> RunTrace:
    """Server 0's loop held 100 ms by request 1 (10 to 110 ms) while, in server 1, request
    3 waited for the one worker of its pool (P = 1) that request 2 held: request 3 did
    not wait behind server 0's block."""
    settings = RunSettings(style="mixed", concurrency=3, requests=3, pool=1, workers=2)
    trace = RunTrace(settings=settings, t0=T0, handler_ends=True)
    trace.processes = [ServerProcess(0, 4711, 1, 1), ServerProcess(1, 4712, 2, 2)]
    add_request(trace, 1, 0, (10, 110))
    add_request(trace, 2, 1, (5, 6), (6, 6.5, 106, 1))
    add_request(trace, 3, 1, (7, 8), (8, 106.5, 206, 1))
    trace.ended = "complete"
    return trace
