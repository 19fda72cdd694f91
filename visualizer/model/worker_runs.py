"""Runs on workers that have started but not ended, and handlers the client gave up on.

The server ships a worker run twice: when it starts, and when it ends (see
server.protocol). A start without its end is a run still going: live, it grows
until now; in a finished trace it was still running when the trace ended. A
request the client gave up on (timeout, stop, a broken connection) keeps its
server-side story: what the server still did for it after the client left is
*abandoned* work, measured up to the handler's real end.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from server.protocol import DISPATCHED, HANDLER_END, RESPONSE_END, SERVER_START, Outcome
from visualizer.model.trace import RunTrace

I64 = npt.NDArray[np.int64]

#: Outcomes where the client stopped listening before the server answered.
GAVE_UP = np.array([Outcome.TIMEOUT, Outcome.CANCELLED, Outcome.CONNECTION, Outcome.ERROR], np.int8)
#: "Never" as a time: later than any measured one.
NEVER = np.iinfo(np.int64).max


def unfinished(trace: RunTrace) -> npt.NDArray[Any]:
    """Worker starts (WORKER_START_DTYPE rows) whose run has not ended in ``trace``."""
    starts = trace.worker_start.rows
    if len(starts) == 0:
        return starts
    ended = trace.worker.rows
    return starts[~_pairs_in(starts["thread"], starts["start"], ended["thread"], ended["start"])]


def pending_dispatches(trace: RunTrace) -> npt.NDArray[Any]:
    """DISPATCHED stamps of requests whose function no worker has started yet."""
    stamp = trace.stamp.rows
    sent: npt.NDArray[Any] = stamp[stamp["kind"] == DISPATCHED]
    if len(sent) == 0:
        return sent
    started = [trace.worker_start.rows, trace.worker.rows]
    request = np.concatenate([rows["request"] for rows in started])
    dispatched = np.concatenate([rows["dispatched"] for rows in started])
    pending: npt.NDArray[Any] = sent[~_pairs_in(sent["request"], sent["t"], request, dispatched)]
    return pending


def handlers_going(trace: RunTrace, after_response: bool = False) -> I64:
    """Requests whose handler began and has not ended (no HANDLER_END, no response end).

    With ``after_response``, also those whose response has gone but whose app call
    has not returned: a background task runs then, or waits for a worker.

    Only where the server stamps handler ends (``trace.handler_ends``): in an older
    file a missing stamp says nothing.
    """
    if not trace.handler_ends:
        return np.empty(0, np.int64)
    stamp = trace.stamp.rows
    began = np.unique(stamp["request"][stamp["kind"] == SERVER_START])
    ending = stamp["kind"] == HANDLER_END
    if not after_response:
        ending |= stamp["kind"] == RESPONSE_END
    return np.asarray(began[~np.isin(began, stamp["request"][ending])], np.int64)


def gave_up_at(trace: RunTrace, requests: I64) -> I64:
    """For each of ``requests``, when its client gave up on it, or NEVER."""
    done = trace.done.rows
    done = done[np.isin(done["outcome"], GAVE_UP)]
    if len(done) == 0 or len(requests) == 0:
        return np.full(len(requests), NEVER, np.int64)
    order = np.argsort(done["request"], kind="stable")
    ids, received = done["request"][order], done["received"][order]
    where = np.minimum(np.searchsorted(ids, requests), len(ids) - 1)
    return np.where(ids[where] == requests, received[where], NEVER).astype(np.int64)


def after_response(trace: RunTrace, requests: I64, times: I64) -> npt.NDArray[np.bool_]:
    """For each (request, time), whether the time is later than the request's response
    end: work done for it once its response had gone (a background task) is nobody's
    wait, and no part of the request's own time."""
    stamp = trace.stamp.rows
    ends = stamp[stamp["kind"] == RESPONSE_END]
    if len(ends) == 0 or len(requests) == 0:
        return np.zeros(len(requests), bool)
    order = np.argsort(ends["request"], kind="stable")
    ids, at_time = ends["request"][order], ends["t"][order]
    at = np.minimum(np.searchsorted(ids, requests), len(ids) - 1)
    return np.asarray((ids[at] == requests) & (times > at_time[at]))


def _pairs_in(a: I64, b: I64, in_a: I64, in_b: I64) -> npt.NDArray[np.bool_]:
    """Whether each pair (a[i], b[i]) is one of the pairs (in_a[j], in_b[j])."""
    if len(in_a) == 0:
        return np.zeros(len(a), bool)
    table = np.unique(np.stack([in_a, in_b], axis=1), axis=0)
    probe = np.stack([a, b], axis=1)
    # Rows compared as one void value each: np.isin on whole pairs.
    row = np.dtype((np.void, table.dtype.itemsize * 2))
    return np.isin(
        np.ascontiguousarray(probe).view(row).ravel(), np.ascontiguousarray(table).view(row).ravel()
    )


def runs_for_file(trace: RunTrace) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """Every worker run as a worker row, by start: those still going when the trace
    ended end there, and are marked in the second array (unfinished)."""
    going = unfinished(trace)
    ended = trace.worker.rows
    rows = np.full(len(ended) + len(going), -1, ended.dtype)
    rows[: len(ended)] = ended
    for name in going.dtype.names or ():
        rows[name][len(ended) :] = going[name]
    rows["end"][len(ended) :] = trace_end(trace)
    still = np.zeros(len(rows), bool)
    still[len(ended) :] = True
    order = np.lexsort((rows["end"], rows["start"]))
    return rows[order], still[order]


def trace_end(trace: RunTrace, requests_only: bool = False) -> int:
    """The last moment anything was measured in ``trace`` (``requests_only``: for one of
    its requests; the client's receipts count whatever their id)."""
    candidates = [trace.t0]
    for table, column in (
        (trace.done, "received"),
        (trace.loop, "end"),
        (trace.worker, "end"),
        (trace.worker_start, "start"),
        (trace.stamp, "t"),  # a handler's end, after its last slice
    ):
        rows = table.rows
        if requests_only and table is not trace.done:
            rows = rows[rows["request"] > 0]
        if len(rows):
            candidates.append(int(rows[column].max()))
    return max(candidates)
