"""The phases of every request, derived from measured events in one vectorised sweep.

Each request's life is covered by intervals of known meaning, each with a priority:

    queued    (client t0 .. sent)                                       4
    running   its loop slices and its worker runs                       3
    waiting   sent .. first slice; dispatched .. worker start;          2
              a timer due .. its slice start; response end .. receipt
    awaiting  first slice .. last server activity (the baseline)        1
    abandoned the client gave up .. the handler's end (see worker_runs)  5

Where intervals overlap the higher priority wins: a loop slice that dispatches to a
worker is running until it ends, then the request waits for the worker. The sweep
sorts all interval edges by (request, time); per priority a running sum of +1/-1
says whether that priority covers the stretch after each edge. Because every
interval opens and closes within its request, one global cumulative sum serves all
requests at once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from server.protocol import RESPONSE_END
from visualizer.model.trace import RunTrace
from visualizer.model.worker_runs import (
    gave_up_at,
    handlers_going,
    pending_dispatches,
    trace_end,
    unfinished,
)

#: A timer that ran later than this after it was due counts as waiting for the loop.
#: Below it the lateness is the loop's own bookkeeping, and would only add specks.
LATE_TIMER_NS = 1_000_000

I64 = npt.NDArray[np.int64]


class Phase(enum.IntEnum):
    """The phase vocabulary of the design; the value is the drawing order too."""

    QUEUED = 0
    WAITING = 1
    RUNNING = 2
    AWAITING = 3
    #: After the client gave up (timeout, stop): its handler still ran, for nobody.
    #: 7: after the kinds only resource lanes show (timeline.BarKind).
    ABANDONED = 7


_PRIORITY = {
    Phase.AWAITING: 1,
    Phase.WAITING: 2,
    Phase.RUNNING: 3,
    Phase.QUEUED: 4,
    Phase.ABANDONED: 5,
}


@dataclass(frozen=True)
class PhaseSegments:
    """Columns of (request, start, end, phase), sorted by request then start."""

    request: I64
    start: I64
    end: I64
    phase: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.request)

    def of(self, request: int) -> list[tuple[Phase, int, int]]:
        """The phases of one request, in order (for tooltips and tests)."""
        lo, hi = np.searchsorted(self.request, [request, request + 1])
        return [
            (Phase(int(p)), int(s), int(e))
            for p, s, e in zip(self.phase[lo:hi], self.start[lo:hi], self.end[lo:hi], strict=True)
        ]


def derive_phases(trace: RunTrace, now: int | None = None) -> PhaseSegments:
    """Phases of every request sent so far; open intervals of a live run end at ``now``."""
    sent = trace.sent.rows
    if len(sent) == 0:
        return _empty()
    now = now if now is not None else trace_end(trace)
    requests = sent["request"]
    order = np.argsort(requests)
    requests, sent_at = requests[order], sent["sent"][order]

    received = np.full(len(requests), now, np.int64)
    done = trace.done.rows
    if len(done):
        received[np.searchsorted(requests, done["request"])] = done["received"]

    loop = trace.loop.rows
    loop = loop[loop["request"] > 0]
    worker = trace.worker.rows
    worker = worker[worker["request"] > 0]
    stamp = trace.stamp.rows
    going = unfinished(trace)  # runs on a worker not ended yet
    going = going[going["request"] > 0]
    pending = pending_dispatches(trace)  # sent to the pool, no worker yet

    # First and last server activity of each request, from its slices and stamps.
    first = np.full(len(requests), np.iinfo(np.int64).max, np.int64)
    last = np.full(len(requests), np.iinfo(np.int64).min, np.int64)
    for req, begin, end in (
        (loop["request"], loop["start"], loop["end"]),
        (worker["request"], worker["dispatched"], worker["end"]),
        (stamp["request"], stamp["t"], stamp["t"]),
        (going["request"], going["dispatched"], np.full(len(going), now)),
        (pending["request"], pending["t"], np.full(len(pending), now)),
    ):
        index = _index_of(requests, req)
        keep = index >= 0
        np.minimum.at(first, index[keep], begin[keep])
        np.maximum.at(last, index[keep], end[keep])
    # A handler that has not ended is in progress until now (the trace's end).
    in_progress = _index_of(requests, handlers_going(trace))
    last[in_progress[in_progress >= 0]] = now
    served = first <= last
    response_end = np.full(len(requests), -1, np.int64)
    ends = stamp[stamp["kind"] == RESPONSE_END]
    index = _index_of(requests, ends["request"])
    response_end[index[index >= 0]] = ends["t"][index >= 0]
    tail_from = np.where(response_end >= 0, response_end, np.where(served, last, sent_at))
    unserved_to = np.where(served, first, received)

    late = loop[(loop["due"] > 0) & (loop["start"] - loop["due"] > LATE_TIMER_NS)]
    # After the client gave up, whatever the server still did for it is abandoned.
    gave_up = gave_up_at(trace, requests)
    left = gave_up < last
    pieces = [
        (requests, np.full(len(requests), trace.t0), sent_at, Phase.QUEUED),
        (requests, sent_at, unserved_to, Phase.WAITING),
        (requests[served], first[served], last[served], Phase.AWAITING),
        (requests, tail_from, received, Phase.WAITING),
        (worker["request"], worker["dispatched"], worker["start"], Phase.WAITING),
        (late["request"], late["due"], late["start"], Phase.WAITING),
        (loop["request"], loop["start"], loop["end"], Phase.RUNNING),
        (worker["request"], worker["start"], worker["end"], Phase.RUNNING),
        (pending["request"], pending["t"], np.full(len(pending), now), Phase.WAITING),
        (going["request"], going["dispatched"], going["start"], Phase.WAITING),
        (going["request"], going["start"], np.full(len(going), now), Phase.RUNNING),
        (requests[left], gave_up[left], last[left], Phase.ABANDONED),
    ]
    return _sweep(pieces, limit=now)


def _sweep(pieces: list[tuple[Any, Any, Any, Phase]], limit: int) -> PhaseSegments:
    req = np.concatenate([np.asarray(p[0], np.int64) for p in pieces])
    start = np.concatenate([np.asarray(p[1], np.int64) for p in pieces])
    end = np.minimum(np.concatenate([np.asarray(p[2], np.int64) for p in pieces]), limit)
    prio = np.concatenate([np.full(len(p[0]), _PRIORITY[p[3]], np.int8) for p in pieces])
    keep = end > start
    req, start, end, prio = req[keep], start[keep], end[keep], prio[keep]
    if len(req) == 0:
        return _empty()

    edge_req = np.concatenate([req, req])
    edge_t = np.concatenate([start, end])
    edge_prio = np.concatenate([prio, prio])
    delta = np.concatenate([np.ones(len(req), np.int64), -np.ones(len(req), np.int64)])
    order = np.lexsort((edge_t, edge_req))
    edge_req, edge_t, edge_prio, delta = (a[order] for a in (edge_req, edge_t, edge_prio, delta))

    # After each edge, the highest priority still covering the stretch that follows.
    top = np.zeros(len(edge_t), np.int8)
    for level in (1, 2, 3, 4, 5):
        covered = np.cumsum(np.where(edge_prio == level, delta, 0)) > 0
        top[covered] = level

    seg_req, seg_start = edge_req[:-1], edge_t[:-1]
    seg_end, seg_top = edge_t[1:], top[:-1]
    real = (edge_req[1:] == seg_req) & (seg_end > seg_start) & (seg_top > 0)
    seg_req, seg_start, seg_end, seg_top = (a[real] for a in (seg_req, seg_start, seg_end, seg_top))

    # Merge neighbours of one request and one phase that touch.
    new = np.ones(len(seg_req), bool)
    new[1:] = (
        (seg_req[1:] != seg_req[:-1])
        | (seg_top[1:] != seg_top[:-1])
        | (seg_start[1:] != seg_end[:-1])
    )
    starts = np.flatnonzero(new)
    ends_at = np.append(starts[1:], len(seg_req)) - 1
    phase_of = np.array(
        [0, Phase.AWAITING, Phase.WAITING, Phase.RUNNING, Phase.QUEUED, Phase.ABANDONED], np.int8
    )
    return PhaseSegments(
        request=seg_req[starts],
        start=seg_start[starts],
        end=seg_end[ends_at],
        phase=phase_of[seg_top[starts]],
    )


def _index_of(sorted_ids: I64, ids: I64) -> I64:
    """Positions of ``ids`` in ``sorted_ids``, -1 where absent."""
    if len(sorted_ids) == 0 or len(ids) == 0:
        return np.full(len(ids), -1, np.int64)
    pos = np.searchsorted(sorted_ids, ids)
    pos = np.minimum(pos, len(sorted_ids) - 1)
    return np.where(sorted_ids[pos] == ids, pos, -1).astype(np.int64)


def _empty() -> PhaseSegments:
    empty = np.empty(0, np.int64)
    return PhaseSegments(empty, empty, empty, np.empty(0, np.int8))
