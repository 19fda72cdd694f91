"""The styles by name, and the path each request of a run goes to.

No web stack here: the load generator and the model need the names and the paths,
not FastAPI. The handlers themselves are in :mod:`server.styles`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class StyleGroup:
    """Styles that teach one lesson, in the order a class meets them."""

    title: str
    lesson: str
    styles: tuple[str, ...]


#: The styles by lesson, in the order the picker and ``schedviz styles`` show them. Each
#: group goes from the style that shows the rule to the ones that break it or fix it.
STYLE_GROUPS: Final = (
    StyleGroup(
        "The event loop",
        "async def runs on the loop: awaiting frees it, a blocking call freezes it",
        (
            "async_sleep",
            "async_blocking",
            "mixed",
            "async_http",
            "sync_http_in_async",
            "sqlite_in_async",
        ),
    ),
    StyleGroup(
        "The threadpool",
        "def endpoints and offloaded calls wait on worker threads; the loop stays free",
        ("sync_sleep", "async_offload", "sync_http", "sqlite_def", "async_to_thread"),
    ),
    StyleGroup(
        "CPU work",
        "the GIL lets one thread compute at a time; processes compute side by side",
        ("async_cpu", "sync_cpu", "cpu_process_pool"),
    ),
    StyleGroup(
        "Hidden trips",
        "FastAPI sends more than def endpoints to the threadpool; each trip waits for a worker",
        ("def_response_model", "sync_dependency", "streaming_sync", "background_task"),
    ),
)

#: The endpoint styles, in the order the app lists them.
STYLE_NAMES: Final = tuple(name for group in STYLE_GROUPS for name in group.styles)

#: The style the client composes from two others; every other style is a route.
MIXED: Final = "mixed"
ROUTED_STYLES: Final = tuple(name for name in STYLE_NAMES if name != MIXED)
#: The styles whose handlers call the slow upstream: a socket to it per request.
UPSTREAM_STYLES: Final = ("async_http", "sync_http_in_async", "sync_http")
#: Where ``fail_every`` sends a request: a handler that raises.
RAISES_PATH: Final = "/raises"


def route_for(
    style: str, request_id: int, concurrency: int, requests: int, fail_every: int = 0
) -> str:
    """The path a request of a run goes to: ``/{style}``, for ``mixed`` one of its parts,
    and ``/raises`` for every ``fail_every``-th request.

    In a mixed run the one blocking request is in the middle of the first wave, so
    some requests started before it and are caught mid-await, and some come after.
    """
    if fail_every and request_id % fail_every == 0:
        return RAISES_PATH
    if style != MIXED:
        return f"/{style}"
    guilty = max(1, (min(concurrency, requests) + 1) // 2)
    return "/async_blocking" if request_id == guilty else "/async_sleep"


def weighted_order(weights: Sequence[int]) -> list[int]:
    """One cycle of a weighted mix: entry ``i`` appears ``weights[i]`` times, spread out
    evenly (smooth weighted round robin, as nginx balances), so a 9:1 mix sends the
    rare request every tenth time instead of ten of them at the end. Request ``n`` of
    a run (from 1) goes to entry ``order[(n - 1) % len(order)]``.
    """
    common = math.gcd(*weights)
    weights = [weight // common for weight in weights]
    total = sum(weights)
    current = [0] * len(weights)
    order = []
    for _ in range(total):
        current = [c + w for c, w in zip(current, weights, strict=True)]
        chosen = max(range(len(weights)), key=lambda i: (current[i], -i))
        current[chosen] -= total
        order.append(chosen)
    return order
