"""The words under the mouse: what one bar of a Timeline is, with its exact times.

A worker run says what it ran and in which pool; a wait for a worker, which pool it
waited for; a sampled slice or run, the line that held it and its stack. Those come
from the run's marks (Annotations), which a live run has not got yet.
"""

from __future__ import annotations

from visualizer.app import palette
from visualizer.model.annotations import Annotations
from visualizer.model.held_at import HeldAt
from visualizer.model.held_source import short_frame
from visualizer.model.pool_groups import pool_of, pool_title
from visualizer.model.timeline import BarKind, LaneKind, Timeline

#: Frames of a stack the tooltip lists, innermost first; the code view shows them all.
STACK_FRAMES_SHOWN = 6
#: What a click on a sampled bar does, said in its tooltip.
CLICK_TO_SHOW = "click: show this line in the Code tab"


def describe_bar(timeline: Timeline, bar: int, marks: Annotations | None = None) -> str:
    """Lane, phase, request and exact times of bar ``bar``; CPU time for a worker's bar;
    what a worker ran, what a wait waited for and where a bar was held, where known."""
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
    lines = [headline]
    if lane.kind is LaneKind.WORKER:
        ran = func_name(timeline, bar)
        pool = pool_title(pool_of(timeline, lane.pool))
        lines.append(f"ran {ran} · {pool}" if ran else pool)
    lines += [
        f"from {format_ns(start)} to {format_ns(end)} ({format_ns(end - start)})",
        palette.BAR_MEANINGS[kind],
    ]
    cpu = int(timeline.cpu[bar])
    if lane.kind is LaneKind.WORKER and cpu >= 0:
        lines.extend(_wall_time_split(timeline, bar, cpu))
    if marks is not None:
        if lane.kind is LaneKind.REQUEST and kind is BarKind.WAITING:
            lines.extend(_pool_waited_for(timeline, marks, request, start, end))
        held = marks.held.at(timeline, bar)
        if held is not None:
            lines.extend(held_lines(held))
    return "\n".join(lines)


def func_name(timeline: Timeline, bar: int) -> str:
    """What worker run ``bar`` ran (``get_db (enter)``), "" where the Timeline does not say."""
    if len(timeline.func) != len(timeline.lane):
        return ""  # a Timeline made before runs were named
    func = int(timeline.func[bar])
    return timeline.labels[func] if 0 <= func < len(timeline.labels) else ""


def held_lines(held: HeldAt) -> list[str]:
    """Where a bar was held, the first frames of its stack, and what a click does."""
    samples = f"{held.samples} sample{'s' if held.samples != 1 else ''}"
    if held.where:
        lines = [f"held at {held.short()}, {samples}"]
    else:
        lines = [f"{samples}, in library code only (no line of yours on the stack)"]
    if held.stack:
        lines.append("stack, innermost first:")
        lines += [f"  {short_frame(frame)}" for frame in held.stack[:STACK_FRAMES_SHOWN]]
        more = len(held.stack) - STACK_FRAMES_SHOWN
        if more > 0:
            lines.append(f"  … {more} more (the Code tab shows them all)")
    if held.where:
        lines.append(CLICK_TO_SHOW)
    return lines


def _pool_waited_for(
    timeline: Timeline, marks: Annotations, request: int, start: int, end: int
) -> list[str]:
    wait = marks.waits.waited_for(request, start, end)
    if wait is None:
        return []
    pool = pool_of(timeline, wait.pool)
    one = {"process": "a process", "anyio": "a worker"}.get(pool.kind, "a thread")
    func = timeline.labels[wait.func] if 0 <= wait.func < len(timeline.labels) else "its call"
    return [
        f"waited for {one} of the {pool_title(pool)}",
        f"to run {func}: handed over at {format_ns(wait.dispatched)}, "
        f"started at {format_ns(wait.start)}",
    ]


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
