"""The phases of every request, derived from measured events in one vectorised sweep.

Each request's life is covered by intervals of known meaning, each with a priority:

    queued    t0 .. sent, for a request beyond the first C                  6
    running   its loop slices and its worker runs                           5
    sending   t0 .. sent for one of the first C; sent .. first server       4
              activity (all of sent .. receipt if the server never had it)
    receiving response end .. receipt                                       3
    waiting   dispatched .. worker start; a timer due .. its slice start;   2
              a worker run's end .. the loop's next slice of the request,
              the loop busy all along;
              last server activity .. receipt when no response end is known
    awaiting  first server activity .. last (the baseline)                  1
    abandoned the client gave up .. the handler's end (see worker_runs)     7

What the server does for a request once its response has gone (a background task:
the loop slices that send it to a worker, its wait and its run) is no part of the
request's time: no client waits for it. It is drawn on the lanes of the loop and the
workers that ran it, and the request's own lane ends with its response.

Sending and receiving are the client's time, not the server's: the load generator
stamps ``sent`` before httpx has written a byte, and ``received`` when its own loop
gets round to reading the response, which at high concurrency is hundreds of ms
after the server wrote it. Queued is only the time a request waits for one of the
client's C slots: the first C have a slot at t0, and the gap until their ``sent``
stamp is the client starting C tasks one after the other, not a slot being busy. A
later request takes its id (ids are handed out in order as slots free up) the
moment a slot frees, so its ``sent`` is that moment.

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
    after_response,
    gave_up_at,
    handlers_going,
    pending_dispatches,
    trace_end,
    unfinished,
)

#: A timer that ran later than this after it was due counts as waiting for the loop.
#: Below it the lateness is the loop's own bookkeeping, and would only add specks.
LATE_TIMER_NS = 1_000_000

#: A gap between two loop slices longer than this is the loop idle in ``select``; shorter
#: ones are its own bookkeeping between callbacks (a few µs, tens when it polls).
IDLE_GAP_NS = 200_000

#: A worker's result reaches an idle loop through its self-pipe: the loop wakes within
#: this (tens of µs quiet, up to a millisecond with both cores busy). A busy stretch that
#: begins this soon after a run's end is the loop taking in that result, among others.
WAKE_NS = 1_000_000

#: After a busy stretch, a ready request runs within this: the loop first takes in the
#: I/O that came meanwhile, and may wait for the GIL from a worker for up to the
#: interpreter's switch interval (5 ms).
RESUME_NS = 5_000_000

I64 = npt.NDArray[np.int64]


class Phase(enum.IntEnum):
    """The phase vocabulary of the design; the value is the drawing order too."""

    QUEUED = 0
    WAITING = 1
    RUNNING = 2
    AWAITING = 3
    # After the bar kinds 4-6 of visualizer.model.timeline, which must stay 0..N-1.
    SENDING = 7
    RECEIVING = 8
    #: After the client gave up (timeout, stop): its handler still ran, for nobody.
    ABANDONED = 9


#: Client-side phases: time the server does not hold the request.
CLIENT_SIDE = (Phase.QUEUED, Phase.SENDING, Phase.RECEIVING)

_PRIORITY = {
    Phase.AWAITING: 1,
    Phase.WAITING: 2,
    Phase.RECEIVING: 3,
    Phase.SENDING: 4,
    Phase.RUNNING: 5,
    Phase.QUEUED: 6,
    Phase.ABANDONED: 7,
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


def derive_phases(
    trace: RunTrace, now: int | None = None, loop_activity: npt.NDArray[Any] | None = None
) -> PhaseSegments:
    """Phases of every request sent so far; open intervals of a live run end at ``now``.

    ``loop_activity``: the loop slices that tell when the loop sat idle, if ``trace``
    holds only some requests' slices (the live timeline's open requests); all of
    ``trace``'s by default.
    """
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

    loop = _before_response(trace, trace.loop.rows, "start")
    worker = _before_response(trace, trace.worker.rows, "dispatched")
    stamp = _before_response(trace, trace.stamp.rows, "t")
    going = _before_response(trace, unfinished(trace), "dispatched")  # not ended yet
    pending = _before_response(trace, pending_dispatches(trace), "t")  # no worker yet

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
    answered = response_end >= 0
    unknown_tail = served & ~answered
    unserved_to = np.where(served, first, received)
    activity = trace.loop.rows if loop_activity is None else loop_activity
    # Sent, but the loop busy since before the bytes can have come: the server's wait.
    arrived = np.where(
        served,
        np.clip(
            _loop_busy_since(activity, first),
            sent_at,
            first,
        ),
        received,
    )
    # Ids are handed out in order as slots free up: ids 1..C had a slot at t0.
    waited_for_slot = requests > trace.settings.concurrency
    start = np.full(len(requests), trace.t0)
    if trace.settings.passive:
        # No client of ours: what came before the server had the request is unknown,
        # not queued or sending. Each request's life begins where the server saw it.
        waited_for_slot[:] = False
        start = sent_at

    late = loop[(loop["due"] > 0) & (loop["start"] - loop["due"] > LATE_TIMER_NS)]
    back_from_worker = _back_from_worker(loop, worker, activity)
    # After the client gave up, whatever the server still did for it is abandoned.
    gave_up = gave_up_at(trace, requests)
    left = gave_up < last
    pieces = [
        (requests[waited_for_slot], start[waited_for_slot], sent_at[waited_for_slot], Phase.QUEUED),
        (
            requests[~waited_for_slot],
            start[~waited_for_slot],
            sent_at[~waited_for_slot],
            Phase.SENDING,
        ),
        (requests, sent_at, arrived, Phase.SENDING),
        (requests, arrived, unserved_to, Phase.WAITING),
        (requests[served], first[served], last[served], Phase.AWAITING),
        (requests[answered], response_end[answered], received[answered], Phase.RECEIVING),
        (requests[unknown_tail], last[unknown_tail], received[unknown_tail], Phase.WAITING),
        (worker["request"], worker["dispatched"], worker["start"], Phase.WAITING),
        (late["request"], late["due"], late["start"], Phase.WAITING),
        (*back_from_worker, Phase.WAITING),
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
    for level in sorted(_PRIORITY.values()):
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
    phase_of = np.zeros(len(_PRIORITY) + 1, np.int8)
    for phase, level in _PRIORITY.items():
        phase_of[level] = phase
    return PhaseSegments(
        request=seg_req[starts],
        start=seg_start[starts],
        end=seg_end[ends_at],
        phase=phase_of[seg_top[starts]],
    )


def _before_response(trace: RunTrace, rows: npt.NDArray[Any], time: str) -> npt.NDArray[Any]:
    """The rows of the run's requests that began before their request's response had gone."""
    rows = rows[rows["request"] > 0]
    return rows[~after_response(trace, rows["request"], rows[time])]


def _back_from_worker(loop: Any, worker: Any, activity: Any) -> tuple[I64, I64, I64]:
    """(request, its worker run's end, when it stopped waiting) for runs whose request the
    loop picked up again more than LATE_TIMER_NS later, while busy with others.

    A worker's result comes back through the loop: until the loop runs the request
    again it is ready and waits for the loop (a blocking handler holds it), not
    suspended at an await with the loop free for others. It waits while the loop's
    busy stretch around the run's end lasts (or until the request runs, if sooner);
    once the loop sits idle it could have run it, so what is left is awaiting: the
    request was waiting for something else by then. The idle moment matters: after a
    40 ms block, the loop took 0.5 ms of its own before running the request, and
    requiring it busy all along left the whole 40 ms drawn as awaiting. A run that ends
    while the loop sits idle wakes it: the stretch that begins within WAKE_NS is the
    one the result waits through. Two dependency runs ending in one idle moment woke
    the loop together, the other request's handler ran first and blocked 41 ms, and
    without this the ready request was drawn awaiting behind it.
    """
    empty = np.empty(0, np.int64)
    if len(loop) == 0 or len(worker) == 0:
        return empty, empty, empty
    request = np.concatenate([loop["request"], worker["request"]])
    t = np.concatenate([loop["start"], worker["end"]])
    is_slice = np.concatenate([np.ones(len(loop), bool), np.zeros(len(worker), bool)])
    # By request, then time; a run's end before a slice that starts at the same moment.
    order = np.lexsort((is_slice, t, request))
    request, t, is_slice = request[order], t[order], is_slice[order]
    # For every position, the first slice at or after it (len(t) where none is).
    slice_at = np.where(is_slice, np.arange(len(t)), len(t))
    next_slice = np.minimum.accumulate(slice_at[::-1])[::-1]
    ends = np.flatnonzero(~is_slice)
    resumes = next_slice[ends]
    found = resumes < len(t)
    found[found] = request[resumes[found]] == request[ends[found]]
    ends, resumes = ends[found], resumes[found]
    end, resumed = t[ends], t[resumes]
    until = _loop_busy_until(activity, end, wake_ns=WAKE_NS)
    # A request made ready by the run is run as soon as the loop is free: one resumed
    # well after that was not waiting on this result (a job it never awaited, a wait that
    # timed out) but awaiting something else, all along.
    ready = resumed <= until + RESUME_NS
    waited_to = np.where(ready, np.minimum(resumed, until), end)
    late = waited_to - end > LATE_TIMER_NS
    return request[ends][late], end[late], waited_to[late]


def _loop_busy_since(slices: Any, times: I64) -> I64:
    """For each time, when the loop last sat idle before it: the start of its busy stretch.

    An idle loop waits in ``select`` and reads a request's bytes the moment they come,
    so bytes that reached the server while it sat idle were read then: they came after
    the last idle gap before the server's first activity of the request. From there on
    the loop was busy, and the request waited for it (all of async_blocking's queue).
    A time outside any busy stretch is its own start.
    """
    if len(slices) == 0 or len(times) == 0:
        return times.copy()
    # A new stretch where a slice starts more than IDLE_GAP_NS after all before it ended.
    stretch_start, stretch_end = _busy_stretches(slices)
    at = np.searchsorted(stretch_start, times, side="right") - 1
    inside = (at >= 0) & (stretch_end[np.maximum(at, 0)] + IDLE_GAP_NS >= times)
    return np.where(inside, stretch_start[np.maximum(at, 0)], times).astype(np.int64)


def _loop_busy_until(slices: Any, times: I64, wake_ns: int = 0) -> I64:
    """For each time, when the loop next sat idle: the end of the busy stretch holding it,
    or of the one beginning within ``wake_ns`` after it (the time itself where the loop
    was idle then and after)."""
    if len(slices) == 0 or len(times) == 0:
        return times.copy()
    start, stretch_end = _busy_stretches(slices)
    at = np.searchsorted(start, times, side="right") - 1
    inside = (at >= 0) & (stretch_end[np.maximum(at, 0)] >= times)
    # Idle then: the next stretch, if it begins soon enough to be the loop waking for it.
    woken = ~inside & (at + 1 < len(start))
    woken[woken] = start[at[woken] + 1] - times[woken] <= wake_ns
    at = np.where(woken, at + 1, at)
    return np.where(inside | woken, stretch_end[np.maximum(at, 0)], times).astype(np.int64)


def _busy_stretches(slices: Any) -> tuple[I64, I64]:
    """The loop's busy stretches, (starts, ends): slices with no idle gap between them."""
    order = np.argsort(slices["start"], kind="stable")
    start, end = slices["start"][order], np.maximum.accumulate(slices["end"][order])
    new = np.ones(len(start), bool)
    new[1:] = start[1:] - end[:-1] > IDLE_GAP_NS
    ends = end[np.append(np.flatnonzero(new)[1:], len(start)) - 1]
    return start[new], ends


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
