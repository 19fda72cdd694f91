"""Replay: a finished run cut at a moment, as the live view would have shown it then.

A live run only ever shows what has happened so far: loop slices and worker runs
that have begun, requests that have been sent, answers that have arrived. Cutting
a recorded trace at ``t`` keeps exactly that, clipped to ``t``, so a replay grows
the way the run did, and the cut at the end of the run is the run itself.
"""

from __future__ import annotations

import numpy as np

from server.protocol import HANDLER_END
from visualizer.model.timeline import Timeline, build_timeline
from visualizer.model.trace import RunTrace


def run_span(trace: RunTrace) -> int:
    """Where a replay ends: the span of the finished run's timeline, in ns from its start."""
    return build_timeline(trace).span


def cut_trace(trace: RunTrace, at: int) -> RunTrace:
    """What was known ``at`` ns after the start of the run.

    Events that began by then, their ends clipped to it; requests sent by then,
    done only if their answer had arrived.
    """
    moment = trace.t0 + at
    cut = RunTrace(
        settings=trace.settings,
        t0=trace.t0,
        versions=trace.versions,
        labels=trace.labels,
        pools=trace.pools,
        planned_routes=trace.planned_routes,
        routes=trace.routes,
        # Each server process's lanes are named by its pid from the first frame on.
        processes=trace.processes,
    )
    cut.ended = trace.ended
    cut.foreign_requests = trace.foreign_requests
    cut.handler_ends = trace.handler_ends

    loop = trace.loop.rows
    loop = loop[loop["start"] <= moment].copy()
    loop["end"] = np.minimum(loop["end"], moment)
    cut.loop.extend(loop)
    pauses = trace.gc.rows
    pauses = pauses[pauses["start"] <= moment].copy()
    pauses["end"] = np.minimum(pauses["end"], moment)
    cut.gc.extend(pauses)

    # A worker run begins when the loop hands it over: from then on it waits for a worker.
    worker = trace.worker.rows
    worker = worker[worker["dispatched"] <= moment].copy()
    worker["start"] = np.minimum(worker["start"], moment)
    worker["end"] = np.minimum(worker["end"], moment)
    cut.worker.extend(worker)
    # Runs the trace never saw end (still running when it ended) are known by their start.
    starts = trace.worker_start.rows
    cut.worker_start.extend(starts[starts["start"] <= moment])

    sent = trace.sent.rows
    cut.sent.extend(sent[sent["sent"] <= moment])
    done = trace.done.rows
    cut.done.extend(done[done["received"] <= moment])
    stamp = trace.stamp.rows
    cut.stamp.extend(stamp[stamp["t"] <= moment])
    # The server names the route that served a request when its handler ends; until
    # then the request's lane is named by the plan (request_routes).
    ended = stamp[(stamp["kind"] == HANDLER_END) & (stamp["t"] <= moment)]["request"]
    if not trace.handler_ends:  # an older file: the answer's arrival stands for the end
        ended = done[done["received"] <= moment]["request"]
    route = trace.route.rows
    cut.route.extend(route[np.isin(route["request"], ended)])
    return cut


def timeline_at(trace: RunTrace, at: int) -> Timeline:
    """The Timeline a live view showed ``at`` ns into the run."""
    return build_timeline(cut_trace(trace, at), now=trace.t0 + at)
