"""From a route of the user's app and the values a user typed, a planned request.

The window's route picker shows one field per path, query and header parameter of
the chosen route, filled with the example the app's OpenAPI schema gives; this
module turns those texts into a :class:`PlannedRequest` (the path filled in and
quoted as a client would, the query encoded), or a PlanError that names the field.
It knows routes only as ``server.route_table`` describes them: plain dicts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from visualizer.model.request_plan import PlanError, PlannedRequest, parse_header

#: ``{name}`` or ``{name:convertor}`` in a route's path template.
_PARAMETER = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")
#: Routes FastAPI adds to every app for its documentation: listed last in the picker.
FRAMEWORK_PATHS = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
#: Methods whose requests usually carry a body.
BODY_METHODS = ("POST", "PUT", "PATCH")


@dataclass(frozen=True)
class ParameterField:
    """One field of the request form: a parameter of the route and where it goes."""

    name: str
    #: "path", "query" or "header".
    where: str
    required: bool
    #: The app's example (or default) as text; "" where it gives none.
    example: str


def parameter_fields(route: Mapping[str, Any]) -> list[ParameterField]:
    """The route's path parameters in the order of its path, then its query and header
    parameters in the order of its schema. A path parameter the schema does not list
    (a Starlette route, a mount) still gets its field, from the path template."""
    described = {
        (str(p.get("in")), str(p.get("name"))): p
        for p in route.get("params") or ()
        if isinstance(p, Mapping)
    }
    fields = [
        ParameterField(
            name, "path", True, example_text(described.get(("path", name), {}).get("example"))
        )
        for name in path_parameters(str(route.get("path", "")))
    ]
    for (where, name), parameter in described.items():
        if where in ("query", "header"):
            fields.append(
                ParameterField(
                    name,
                    where,
                    bool(parameter.get("required", False)),
                    example_text(parameter.get("example")),
                )
            )
    return fields


def path_parameters(template: str) -> list[str]:
    return [match.group(1) for match in _PARAMETER.finditer(template)]


def example_text(value: Any) -> str:
    """An example as a user would type it: ``true`` for True, JSON for a list."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def body_text(route: Mapping[str, Any]) -> str:
    """The route's JSON body example, indented for the editor; "" where it gives none."""
    example = route.get("body_example")
    return "" if example is None else json.dumps(example, indent=2, ensure_ascii=False)


def fill_path(template: str, values: Mapping[str, str]) -> str:
    """The path with each parameter replaced by its value, quoted as a client would (a
    ``:path`` parameter keeps its slashes); PlanError names an empty one."""
    path, position = "", 0
    for parameter in _PARAMETER.finditer(template):
        name, convertor = parameter.group(1), parameter.group(2)
        value = values.get(name, "").strip()
        if not value:
            raise PlanError(f"path parameter {name} needs a value (it is part of {template})")
        path += template[position : parameter.start()]
        path += quote(value, safe="/" if convertor == "path" else "")
        position = parameter.end()
    return path + template[position:]


def planned_request(
    route: Mapping[str, Any],
    values: Mapping[tuple[str, str], str],
    headers: str = "",
    body: str = "",
    weight: int = 1,
) -> PlannedRequest:
    """The request the form describes: ``values`` by (where, name); ``headers`` one
    ``Name: value`` a line; ``body`` JSON text or blank. PlanError says what is wrong."""
    fields = parameter_fields(route)
    path = fill_path(
        str(route["path"]),
        {f.name: values.get(("path", f.name), "") for f in fields if f.where == "path"},
    )
    query = []
    header_pairs = []
    for entry in fields:
        value = values.get((entry.where, entry.name), "").strip()
        if not value and entry.required and entry.where != "path":
            raise PlanError(f"{entry.where} parameter {entry.name} is required by {route['label']}")
        if value and entry.where == "query":
            query.append((entry.name, value))
        elif value and entry.where == "header":
            header_pairs.append(parse_header(f"{entry.name}: {value}"))
    header_pairs += [parse_header(line) for line in headers.splitlines() if line.strip()]
    target = path + ("?" + urlencode(query) if query else "")
    return PlannedRequest(
        method=str(route["method"]),
        target=target,
        headers=tuple(header_pairs),
        body=body.strip() or None,
        weight=weight,
    )


def is_framework_route(route: Mapping[str, Any]) -> bool:
    """FastAPI's own documentation routes: real, but rarely what a load is about."""
    return route.get("path") in FRAMEWORK_PATHS


def picker_order(routes: Sequence[Mapping[str, Any]]) -> list[int]:
    """Indexes of ``routes`` in the order a picker lists them: the app's own first, as
    declared, then FastAPI's documentation routes."""
    own = [i for i, route in enumerate(routes) if not is_framework_route(route)]
    return own + [i for i, route in enumerate(routes) if is_framework_route(route)]


def picker_label(route: Mapping[str, Any]) -> str:
    """``GET /items/{item_id} · read_item``: the route and the function that serves it."""
    endpoint = route.get("endpoint") or {}
    name = str(endpoint.get("name") or route.get("name") or "")
    return f"{route['label']} · {name}" if name else str(route["label"])
