"""The words under the mouse: what one bar of a Timeline is, with its exact times."""

from __future__ import annotations

from visualizer.app import palette
from visualizer.model.timeline import BarKind, LaneKind, Timeline


def describe_bar(timeline: Timeline, bar: int) -> str:
    """Lane, phase, request and exact times of bar ``bar``; CPU time for a worker's bar."""
    lane = timeline.lanes[int(timeline.lane[bar])]
    kind = BarKind(int(timeline.kind[bar]))
    request = int(timeline.request[bar])
    start, end = int(timeline.start[bar]), int(timeline.end[bar])
    if lane.kind is LaneKind.REQUEST:
        headline = f"request {request}: {palette.BAR_NAMES[kind]}"
    elif kind is BarKind.SERVER:
        headline = f"{lane.label}: server I/O, no request"
    elif kind is BarKind.GC:
        headline = f"{lane.label}: garbage collection"
    else:
        headline = f"{lane.label}: running request {request}"
    lines = [
        headline,
        f"from {format_ns(start)} to {format_ns(end)} ({format_ns(end - start)})",
        palette.BAR_MEANINGS[kind],
    ]
    cpu = int(timeline.cpu[bar])
    if lane.kind is LaneKind.WORKER and cpu >= 0:
        share = cpu / (end - start) if end > start else 0.0
        lines.append(f"worker CPU time {format_ns(cpu)} ({share:.0%} of its wall time)")
    return "\n".join(lines)


def format_ns(ns: int) -> str:
    """A time in the unit a reader expects: µs below a millisecond, ms below 10 s."""
    if abs(ns) < 1_000_000:
        return f"{ns / 1e3:.1f} µs"
    if abs(ns) < 10_000_000_000:
        return f"{ns / 1e6:,.3f} ms"
    return f"{ns / 1e9:,.4f} s"
