"""The code behind a route of the user's app, as the code view shows it.

Each function FastAPI runs for the route (the endpoint, then every dependency it
runs first) is shown as written in the user's file, headed by a comment line with
``file:line`` and its kind: whether it is ``def`` or ``async def`` decides where it
runs, which is what the timeline is about. The sentence above the code says where,
as FastAPI decides it: not a measurement, a rule of the framework.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from visualizer.model.request_routes import routes_of
from visualizer.model.trace import RunTrace
from visualizer.model.user_files import relative_to_app

#: An opened run's code view shows at most this many of the routes its requests took.
MAX_ROUTES_SHOWN = 4


@dataclass(frozen=True)
class RouteCode:
    """What the code view shows: one plain sentence, and the code with its headings."""

    expect: str
    source: str


def route_code(route: Mapping[str, Any], app_dir: str = "") -> RouteCode:
    """The endpoint of ``route`` and each of its dependencies, files relative to ``app_dir``."""
    return RouteCode(_expectation(route), _sections(route, app_dir))


def routes_code(routes: Sequence[Mapping[str, Any]], app_dir: str = "") -> RouteCode:
    """Several routes (a plan's mix, an opened run's), one after the other."""
    if len(routes) == 1:
        return route_code(routes[0], app_dir)
    if not routes:
        return RouteCode("No route of the app is known for this run.", "")
    expect = " ".join(f"{route['label']}: {_where(route)}." for route in routes)
    source = "\n\n".join(
        f"# ── {route['label']} ──\n{_sections(route, app_dir)}" for route in routes
    )
    return RouteCode(expect, source)


def routes_of_run(trace: RunTrace) -> list[dict[str, Any]]:
    """The routes a run of the user's app went to (from the run's own route table): the
    planned ones in the plan's order, then those that served requests, most used first."""
    by_label = {str(route.get("label")): route for route in trace.routes}
    served = routes_of(trace, trace.done.rows["request"].tolist()).values()
    labels = list(dict.fromkeys(trace.planned_routes))
    labels += [label for label, _ in Counter(served).most_common() if label not in labels]
    return [by_label[label] for label in labels if label in by_label][:MAX_ROUTES_SHOWN]


def _expectation(route: Mapping[str, Any]) -> str:
    endpoint = route.get("endpoint") or {}
    if not endpoint:
        return f"{route['label']} is served by a mounted app whose code is not described."
    sentence = f"{route['label']} runs {endpoint.get('name', '')}, {_where(route)}"
    if "async" in str(endpoint.get("kind", "")):
        sentence += ": a blocking call in it freezes every request."
    else:
        sentence += ": the loop stays free; the pool's size caps how many run at once."
    dependencies = route.get("dependencies") or []
    if dependencies:
        count = len(dependencies)
        sentence += (
            f" {count} dependenc{'y runs' if count == 1 else 'ies run'} before it "
            "(below): def ones on a worker, async def ones on the loop."
        )
    return sentence


def _where(route: Mapping[str, Any]) -> str:
    kind = str((route.get("endpoint") or {}).get("kind", ""))
    if "async" in kind:
        return f"an {kind}, on the event loop"
    if kind:
        return f"a {kind}, on a threadpool worker"
    return "a mounted app"


def _sections(route: Mapping[str, Any], app_dir: str) -> str:
    endpoint = route.get("endpoint")
    if not endpoint:
        return f"# {route['label']}: a mounted app (its code is not described)"
    parts = [_section(endpoint, app_dir, "")]
    parts += [_section(d, app_dir, "dependency ") for d in route.get("dependencies") or ()]
    return "\n\n".join(parts)


def _section(code: Mapping[str, Any], app_dir: str, role: str) -> str:
    name = f"{role}{code.get('kind', 'def')} {code.get('name', '')}"
    if not code.get("file"):
        return f"# {name} (its source cannot be read)"
    heading = f"# {relative_to_app(str(code['file']), app_dir)}:{code.get('line', 0)} · {name}"
    source = str(code.get("source", "")).rstrip("\n")
    return f"{heading}\n{source}" if source else heading
