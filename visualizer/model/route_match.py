"""Which of the app's routes a planned request goes to, as Starlette's router decides.

A route's path template (``/items/{item_id:int}``) becomes the pattern Starlette
compiles from it; the routes are tried in the app's order, the first whose path and
method match wins, and a path that matches only with another method is the 405 it
would be. A request that no route takes is refused before the run, with the nearest
route's name as a suggestion: a run of 404s teaches nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

from visualizer.model.request_plan import PlanError, PlannedRequest

#: Starlette's path convertors, as regular expressions.
_CONVERTORS = {
    "str": "[^/]+",
    "path": ".*",
    "int": "[0-9]+",
    "float": r"[0-9]+(?:\.[0-9]+)?",
    "uuid": "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
}
_PARAMETER = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")


def path_pattern(template: str) -> re.Pattern[str]:
    """The regular expression Starlette matches a path template with."""
    pattern, position = "^", 0
    for parameter in _PARAMETER.finditer(template):
        pattern += re.escape(template[position : parameter.start()])
        pattern += f"(?:{_CONVERTORS.get(parameter.group(2) or 'str', '[^/]+')})"
        position = parameter.end()
    return re.compile(pattern + re.escape(template[position:]) + "$")


def route_of(request: PlannedRequest, routes: Sequence[dict[str, Any]], app: str) -> str:
    """The label of the route that will serve ``request``; PlanError if none will."""
    others: list[str] = []
    for route in routes:
        if path_pattern(route["path"]).match(request.path):
            if route["method"] == request.method or (
                request.method == "HEAD" and route["method"] == "GET"
            ):
                return str(route["label"])
            others.append(route["method"])
    if others:
        raise PlanError(
            f"{request.label}: {request.path} of {app} takes {' or '.join(sorted(set(others)))}, "
            f"not {request.method}"
        )
    raise PlanError(f"no route of {app} matches {request.label}{_suggestion(request, routes)}")


def _suggestion(request: PlannedRequest, routes: Sequence[dict[str, Any]]) -> str:
    """'; did you mean GET /items/{item_id}?' for the closest route, if one is close."""
    if not routes:
        return ": the app has no routes"
    # Compare with each parameter read as a sample value, so /items/1 is near /items/{id}.
    samples = {_PARAMETER.sub("1", route["path"]): route for route in routes}
    near = difflib.get_close_matches(request.path, list(samples), n=1, cutoff=0.6)
    if not near:
        return ""
    return f"; did you mean {samples[near[0]]['label']}?"


def check_plan(
    requests: Sequence[PlannedRequest], routes: Sequence[dict[str, Any]], app: str
) -> list[str]:
    """The route label of each planned request, or PlanError for the first that has none."""
    return [route_of(request, routes, app) for request in requests]
