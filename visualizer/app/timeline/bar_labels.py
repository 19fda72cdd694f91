"""What a wide bar of the loop or a worker says on it, longest first.

A loop slice says whose turn it was ("request 5"). A worker run says what it ran
and for whom ("3 · get_db (enter)"): a request that goes to the pool five times
shows five bars, and their names tell the dependency from the endpoint from the
response validation. Where the name does not fit, the number alone still does.
"""

from __future__ import annotations

from collections.abc import Callable

from visualizer.app.timeline.tooltip import func_name
from visualizer.model.timeline import LaneKind, Timeline

#: Pixels left free about a label that is not the bar's last resort, and about one that is.
ROOM_PX, LAST_ROOM_PX = 8, 4


def label_choices(timeline: Timeline, bar: int) -> tuple[str, ...]:
    """The texts bar ``bar`` may carry, the one to use first first; none for no request's."""
    request = int(timeline.request[bar])
    lane = timeline.lanes[int(timeline.lane[bar])]
    name = func_name(timeline, bar) if lane.kind is LaneKind.WORKER else ""
    if name and request > 0:
        return (f"{request} · {name}", f"{request}")
    if name:
        return (name,)  # a run for no request: a startup task, a pool's own work
    if request > 0:
        return (f"request {request}", f"{request}")
    return ()


def fitting_label(choices: tuple[str, ...], width: float, advance: Callable[[str], float]) -> str:
    """The first of ``choices`` that fits ``width`` pixels, "" if none does."""
    for number, text in enumerate(choices, start=1):
        room = LAST_ROOM_PX if number == len(choices) else ROOM_PX
        if advance(text) + room <= width:
            return text
    return ""
