"""One CSV row a request: when it was sent and answered, and how long it spent in each phase.

For a spreadsheet or pandas: times in milliseconds from the start of the run, an
empty cell where a request has no answer (still in flight when the run ended).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from visualizer.model.phases import Phase
from visualizer.model.timeline import Timeline, request_rows
from visualizer.model.trace import RunTrace

PHASE_COLUMNS = (
    Phase.QUEUED,
    Phase.WAITING,
    Phase.RUNNING,
    Phase.AWAITING,
    Phase.SENDING,
    Phase.RECEIVING,
    Phase.ABANDONED,
)
HEADER = (
    "request",
    "sent_ms",
    "received_ms",
    "status",
    "outcome",
    *(f"{phase.name.lower()}_ms" for phase in PHASE_COLUMNS),
)


def requests_csv(trace: RunTrace, timeline: Timeline) -> str:
    """The CSV text: a header, then one row a request in id order."""
    phases = timeline.phases
    durations = phases.end - phases.start
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in request_rows(trace):
        lo, hi = np.searchsorted(phases.request, [row.request, row.request + 1])
        kinds, spent = phases.phase[lo:hi], durations[lo:hi]
        per_phase = [_ms(int(spent[kinds == phase].sum())) for phase in PHASE_COLUMNS]
        writer.writerow(
            [
                row.request,
                _ms(row.sent),
                _ms(row.received) if row.received >= 0 else "",
                row.status or "",
                row.outcome.label if row.outcome is not None else "in flight",
                *per_phase,
            ]
        )
    return out.getvalue()


def write_requests_csv(trace: RunTrace, timeline: Timeline, path: str | Path) -> None:
    Path(path).write_text(requests_csv(trace, timeline), encoding="utf-8")


def _ms(ns: int) -> str:
    return f"{ns / 1e6:.3f}"
