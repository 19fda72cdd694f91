"""Small traces made by hand for the tests of worker truth, each row one the server
would ship, so that every expected bar can be read off the rows."""

from __future__ import annotations

from server.protocol import DISPATCHED, HANDLER_END, SERVER_START, Outcome
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace

MS = 1_000_000
THREAD = 7  # the worker thread's number, as the server ships it


def timed_out_def_requests(handlers_end: bool = True) -> RunTrace:
    """Two ``def`` requests, a pool of 1, work 2 s, client timeout 0.5 s.

    The client gives up on both at 501 ms. Request 1 runs on the worker from 5 ms to
    2000 ms; request 2 waits for the worker, then runs from 2001 ms to 4000 ms, or,
    without ``handlers_end``, is still running when the trace ends at 3001 ms.
    """
    settings = RunSettings(
        style="sync_sleep", concurrency=2, requests=2, work_ms=2000, pool=1, timeout_s=0.5
    )
    trace = RunTrace(settings, t0=0, handler_ends=True)
    trace.sent.extend([(1, 1 * MS), (2, 1 * MS)])
    timeout = int(Outcome.TIMEOUT)
    trace.done.extend([(1, 1 * MS, 501 * MS, 0, timeout), (2, 1 * MS, 501 * MS, 0, timeout)])
    trace.loop.extend([(2 * MS, 3 * MS, 1, 0), (3 * MS, 4 * MS, 2, 0)])
    stamps = [(1, SERVER_START, 2 * MS), (2, SERVER_START, 3 * MS)]
    stamps += [(1, DISPATCHED, 3 * MS), (2, DISPATCHED, 4 * MS), (1, HANDLER_END, 2001 * MS)]
    trace.worker_start.extend([(1, 3 * MS, 5 * MS, THREAD), (2, 4 * MS, 2001 * MS, THREAD)])
    runs = [(1, 3 * MS, 5 * MS, 2000 * MS, 1 * MS, THREAD, 0)]
    if handlers_end:
        runs.append((2, 4 * MS, 2001 * MS, 4000 * MS, 1 * MS, THREAD, 0))
        stamps.append((2, HANDLER_END, 4001 * MS))
    else:
        trace.loop.extend([(3000 * MS, 3001 * MS, 0, 0)])  # the server's last word
    trace.worker.extend(runs)
    trace.stamp.extend(stamps)
    return trace
