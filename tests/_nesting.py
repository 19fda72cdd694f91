"""A strict check of a written trace file, as Perfetto reads it.

Perfetto drops ``X`` events that overlap partially on one (pid, tid), so a file
schedviz writes must nest: on each lane, sorted by start, every event lies inside
the innermost one still open, or starts at or after its end. Times are checked as
written (integer microseconds and their decimals); no ``ts`` is negative, and the
JSON is strict (no NaN or Infinity, which ``json`` writes and Perfetto refuses).
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def nesting_problems(path: Path) -> list[str]:
    """What is wrong with the file at ``path``, one line a problem (empty: nothing)."""
    # Decimal keeps the written digits: a float sum could hide or invent a µs overlap.
    data = json.loads(
        path.read_text(encoding="utf-8"),
        parse_float=Decimal,
        parse_constant=_refuse_constant,
    )
    lanes: dict[tuple[Any, Any], list[tuple[Decimal, Decimal, str]]] = defaultdict(list)
    problems = []
    for event in data["traceEvents"]:
        if event.get("ph") != "X":
            continue
        ts, dur = Decimal(event["ts"]), Decimal(event["dur"])
        label = f"{event.get('cat')}:{event.get('name')} at {ts}"
        if ts < 0:
            problems.append(f"negative ts: {label}")
        if dur < 0:
            problems.append(f"negative dur: {label}")
        lanes[event["pid"], event["tid"]].append((ts, ts + dur, label))
    for lane, events in lanes.items():
        # Longer first at one start: the parent opens before its child.
        events.sort(key=lambda e: (e[0], -e[1]))
        open_ends: list[tuple[Decimal, str]] = []
        for start, end, label in events:
            while open_ends and open_ends[-1][0] <= start:
                open_ends.pop()
            if open_ends and end > open_ends[-1][0]:
                outer_end, outer = open_ends[-1]
                problems.append(
                    f"lane {lane}: {label} ends {end - outer_end} µs after {outer} ends"
                )
                continue
            open_ends.append((end, label))
    return problems
