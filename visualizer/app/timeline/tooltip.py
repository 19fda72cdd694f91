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
    elif kind is BarKind.ABANDONED:
        headline = f"{lane.label}: running request {request}, abandoned by its client"
    elif kind is BarKind.UNFINISHED:
        headline = f"{lane.label}: running request {request}, still running at the end"
    else:
        headline = f"{lane.label}: running request {request}"
    lines = [
        headline,
        f"from {format_ns(start)} to {format_ns(end)} ({format_ns(end - start)})",
        palette.BAR_MEANINGS[kind],
    ]
    cpu = int(timeline.cpu[bar])
    if lane.kind is LaneKind.WORKER and cpu >= 0:
        lines.extend(_wall_time_split(timeline, bar, cpu))
    return "\n".join(lines)


def _wall_time_split(timeline: Timeline, bar: int, cpu: int) -> list[str]:
    """Where a worker run's wall time went: CPU, waiting for a core, the rest.

    The run's CPU time and core wait belong to the whole run, which an abandoned
    piece is only a part of: the shares are of the whole run's wall time.
    """
    same_run = (timeline.lane == timeline.lane[bar]) & (timeline.cpu == cpu)
    same_run &= timeline.request == timeline.request[bar]
    wall = int(timeline.end[same_run].max() - timeline.start[same_run].min())
    share = cpu / wall if wall > 0 else 0.0
    lines = [f"worker CPU time {format_ns(cpu)} ({share:.0%} of its wall time)"]
    core_wait = int(timeline.core_wait[bar]) if len(timeline.core_wait) > bar else -1
    if core_wait >= 0 and wall > 0:
        rest = max(wall - cpu - core_wait, 0)
        lines.append(
            f"waiting for a core {format_ns(core_wait)} ({core_wait / wall:.0%}), "
            f"other (GIL or I/O) {format_ns(rest)} ({rest / wall:.0%})"
        )
    return lines


def format_ns(ns: int) -> str:
    """A time in the unit a reader expects: µs below a millisecond, ms below 10 s."""
    if abs(ns) < 1_000_000:
        return f"{ns / 1e3:.1f} µs"
    if abs(ns) < 10_000_000_000:
        return f"{ns / 1e6:,.3f} ms"
    return f"{ns / 1e9:,.4f} s"
