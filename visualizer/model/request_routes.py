"""Which route each request of a run went to, and how its lane is named.

Before a run, each request's route is known from the plan: the built-in styles'
``route_for``, or the route each entry of the user's plan was matched to. The server
says which route really served a request when its handler ends, and that wins.
Request lanes of the user's app carry their route; those of a style run do not (the
style names them all, and the lane axis keeps its width for the plot).
"""

from __future__ import annotations

from collections.abc import Iterable

from server.routes import route_for
from visualizer.model.trace import RunTrace


def planned_route(trace: RunTrace, request: int) -> str:
    """The route ``request`` was meant for ("" where the plan does not say: passive)."""
    s = trace.settings
    if s.app is None:
        return "GET " + route_for(s.style, request, s.concurrency, s.requests, s.fail_every)
    if s.plan is not None and trace.planned_routes:
        return trace.planned_routes[s.plan.entry_of(request)]
    return ""


def names_routes(trace: RunTrace) -> bool:
    """Whether request lanes, failures and blocks are named by route: the user's app's."""
    return trace.settings.app is not None


def routes_of(trace: RunTrace, requests: Iterable[int]) -> dict[int, str]:
    """The route of each of ``requests``: the server's word where it has spoken."""
    served = dict(
        zip(trace.route.rows["request"].tolist(), trace.route.rows["label"].tolist(), strict=True)
    )
    labels = trace.labels
    routes = {}
    for request in map(int, requests):
        label = served.get(request, -1)
        routes[request] = (
            labels[label] if 0 <= label < len(labels) else planned_route(trace, request)
        )
    return routes


def request_lane_label(request: int, route: str, with_route: bool) -> str:
    return f"request {request} · {route}" if with_route and route else f"request {request}"


def request_lane_labels(trace: RunTrace, requests: Iterable[int]) -> list[str]:
    """The label of each request's lane, in the order given, as a finished run has it."""
    ids = [int(request) for request in requests]
    if not names_routes(trace):
        return [f"request {request}" for request in ids]
    routes = routes_of(trace, ids)
    return [request_lane_label(request, routes[request], True) for request in ids]


def planned_lane_label(trace: RunTrace, request: int) -> str:
    """The label of a request's lane while its run is live: from the plan."""
    if not names_routes(trace):
        return f"request {request}"
    return request_lane_label(request, planned_route(trace, request), True)
