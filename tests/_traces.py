"""Recorded traces, and longer ones made from them for the tests of long runs.

A live run of 30 s would make the suite slow; a recorded run stretched in time
keeps every measured shape (who waited behind whom) at the length the test needs.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).parent / "data"

#: The time columns of each table of a RunTrace (``due`` is 0 where there is none).
TIME_COLUMNS = {
    "sent": ("sent",),
    "done": ("sent", "received"),
    "loop": ("start", "end", "due"),
    "worker": ("dispatched", "start", "end", "cpu"),
    "stamp": ("t",),
}


def recorded(name: str) -> RunTrace:
    """A trace of tests/data, by file name."""
    return read_trace(DATA / name)


def stretched(trace: RunTrace, factor: float) -> RunTrace:
    """The same run with every duration ``factor`` times as long."""
    longer = RunTrace(
        settings=replace(trace.settings, work_ms=min(trace.settings.work_ms * factor, 60_000)),
        t0=trace.t0,
        versions=dict(trace.versions),
        ended=trace.ended,
    )
    for table, columns in TIME_COLUMNS.items():
        rows = getattr(trace, table).rows.copy()
        for column in columns:
            values = rows[column]
            present = values != 0 if column == "due" else np.ones(len(values), bool)
            origin = 0 if column == "cpu" else trace.t0
            values[present] = origin + ((values[present] - origin) * factor).astype(np.int64)
        getattr(longer, table).extend(rows)
    return longer


def lasting(name: str, seconds: float) -> RunTrace:
    """A recorded trace stretched so that its last request ends after ``seconds``."""
    trace = recorded(name)
    span = int(trace.done.rows["received"].max()) - trace.t0
    return stretched(trace, seconds * 1e9 / span)


def repeated(name: str, times: int) -> RunTrace:
    """A recorded run played ``times`` times back to back, as one run of more requests.

    Request ids go on counting (the k-th copy's request 1 is ``k * N + 1``), so a run
    of 5 requests makes one of 60 with the same shapes in every slice of time.
    """
    trace = recorded(name)
    requests = int(trace.sent.rows["request"].max())
    span = int(trace.done.rows["received"].max()) - trace.t0
    longer = RunTrace(
        settings=replace(trace.settings, requests=requests * times),
        t0=trace.t0,
        versions=dict(trace.versions),
        ended=trace.ended,
    )
    for copy in range(times):
        for table, columns in TIME_COLUMNS.items():
            rows = getattr(trace, table).rows.copy()
            for column in columns:
                if column == "cpu":
                    continue
                present = rows[column] != 0 if column == "due" else np.ones(len(rows), bool)
                rows[column][present] += copy * span
            named = rows["request"] > 0
            rows["request"][named] += copy * requests
            getattr(longer, table).extend(rows)
    return longer
