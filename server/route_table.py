"""The routes of the hosted app, as the window's route picker and code view need them.

For each route and method: its label (``GET /items/{item_id}``), the endpoint and
every dependency it runs, each with its file, line and source as written, and the
parameters with the examples the app's own OpenAPI schema gives. Nothing here runs
the user's code: it reads the router, ``inspect`` and ``app.openapi()``.

FastAPI 0.165 keeps an included router whole (``_IncludedRouter``) instead of
copying its routes into the app's; ``fastapi.routing.iter_route_contexts`` is how
its own OpenAPI generator walks them, so it is used where it exists, and a plain
walk of ``app.routes`` where it does not (older FastAPI, Starlette alone).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

#: A source longer than this many lines is cut (a code view, not an editor).
MAX_SOURCE_LINES = 120
#: Routes described at most; an app with more is described in part (and says so).
MAX_ROUTES = 500
#: Methods a route answers that nobody plans a load of.
_IMPLIED_METHODS = {"HEAD", "OPTIONS"}


def route_label(method: str, path: str) -> str:
    """How a route is named everywhere in schedviz: ``GET /items/{item_id}``."""
    return f"{method} {path}"


def label_of_request(scope: Mapping[str, Any]) -> str:
    """The label of the route that served a finished request (the router left it in
    the scope), or ``METHOD (no route)``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    method = scope.get("method", "GET")
    if not isinstance(path, str):
        return route_label(method, "(no route)")
    return route_label(method, scope.get("root_path", "") + path)


def describe_routes(app: Any) -> list[dict[str, Any]]:
    """One entry per route and planned method, in the order the app declares them."""
    operations = _openapi_operations(app)
    described: list[dict[str, Any]] = []
    for path, route in _walk(getattr(app, "routes", ()), prefix=""):
        methods = sorted(getattr(route, "methods", None) or {"GET"})
        planned = [m for m in methods if m not in _IMPLIED_METHODS] or methods[:1]
        endpoint = getattr(route, "endpoint", None)
        dependencies = list(_dependencies(route))
        for method in planned:
            operation = operations.get((path, method.lower()), {})
            described.append(
                {
                    "label": route_label(method, path),
                    "method": method,
                    "path": path,
                    "name": str(getattr(route, "name", "") or ""),
                    "endpoint": _code(endpoint) if endpoint is not None else None,
                    "dependencies": [_code(call) for call in dependencies],
                    "params": _parameters(operation),
                    "body_example": _body_example(operation, operations.get("#schemas", {})),
                }
            )
            if len(described) >= MAX_ROUTES:
                return described
    return described


def _walk(routes: Iterable[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    """(full path, route) for every route that serves requests, through mounted apps."""
    for route in _contexts(routes):
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            continue
        inner = getattr(route, "routes", None)
        if getattr(route, "methods", None) is not None:
            yield prefix + path, route
        elif inner:
            yield from _walk(inner, prefix + path)  # a Mount: its app's routes, prefixed
        elif hasattr(route, "app"):
            # A mounted app with no routes to read (StaticFiles, another ASGI app): it
            # answers everything under its prefix.
            yield prefix + path + "/{path:path}", route


def _contexts(routes: Iterable[Any]) -> list[Any]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(routes)
    return list(iter_route_contexts(list(routes)))


def _dependencies(route: Any) -> Iterator[Callable[..., Any]]:
    """Every callable FastAPI runs before the endpoint, depth first, each once."""
    seen: set[int] = set()

    def visit(dependant: Any) -> Iterator[Callable[..., Any]]:
        for child in getattr(dependant, "dependencies", ()) or ():
            yield from visit(child)
            call = getattr(child, "call", None)
            if call is not None and id(call) not in seen:
                seen.add(id(call))
                yield call

    try:
        dependant = getattr(route, "dependant", None)
    except Exception:  # a route object of a version we do not know
        return
    if dependant is not None:
        yield from visit(dependant)


def _code(call: Callable[..., Any]) -> dict[str, Any]:
    """Where ``call`` is written and what it says; a class dependency is its __call__ or
    __init__, and what cannot be read (a builtin) is named only."""
    target = call
    if inspect.isclass(call):
        target = call.__init__ if "__init__" in vars(call) else call
    elif not (inspect.isfunction(call) or inspect.ismethod(call)) and callable(call):
        target = type(call).__call__
    target = inspect.unwrap(target)
    name = getattr(call, "__qualname__", None) or type(call).__qualname__
    entry: dict[str, Any] = {
        "name": name,
        "kind": _kind(target),
        "file": "",
        "line": 0,
        "source": "",
    }
    try:
        lines, first = inspect.getsourcelines(target)
        entry["file"] = inspect.getsourcefile(target) or ""
    except (OSError, TypeError):
        return entry
    entry["line"] = first
    cut = lines[:MAX_SOURCE_LINES]
    entry["source"] = "".join(cut) + ("    ...\n" if len(lines) > len(cut) else "")
    return entry


def _kind(function: Any) -> str:
    if inspect.iscoroutinefunction(function):
        return "async def"
    if inspect.isasyncgenfunction(function):
        return "async def (yield)"
    if inspect.isgeneratorfunction(function):
        return "def (yield)"
    return "def"


def _openapi_operations(app: Any) -> dict[Any, Any]:
    """(path, method) -> the OpenAPI operation, from the app's own schema if it has one;
    the schema's components under "#schemas"."""
    openapi = getattr(app, "openapi", None)
    if not callable(openapi):
        return {}
    try:
        schema = openapi()
    except Exception:  # an app whose schema cannot be made still runs
        return {}
    operations: dict[Any, Any] = {
        (path, method): operation
        for path, item in (schema.get("paths") or {}).items()
        for method, operation in (item or {}).items()
        if isinstance(operation, dict)
    }
    operations["#schemas"] = (schema.get("components") or {}).get("schemas") or {}
    return operations


def _parameters(operation: dict[str, Any]) -> list[dict[str, Any]]:
    """Path, query and header parameters, with the example the app gives for each."""
    described = []
    for parameter in operation.get("parameters") or ():
        if not isinstance(parameter, dict) or parameter.get("in") not in (
            "path",
            "query",
            "header",
        ):
            continue
        described.append(
            {
                "name": str(parameter.get("name", "")),
                "in": parameter["in"],
                "required": bool(parameter.get("required", False)),
                "example": _example(parameter, parameter.get("schema") or {}),
            }
        )
    return described


def _body_example(operation: dict[str, Any], schemas: dict[str, Any]) -> Any:
    media = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json")
    if not isinstance(media, dict):
        return None
    schema = _resolved(media.get("schema") or {}, schemas)
    example = _example(media, schema)
    return example if example is not None else _skeleton(schema, schemas)


def _resolved(schema: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    """``schema``, or the component its ``$ref`` names."""
    if not isinstance(schema, dict):
        return {}
    reference = schema.get("$ref", "")
    if isinstance(reference, str) and reference.startswith("#/components/schemas/"):
        found = schemas.get(reference.rsplit("/", 1)[1], {})
        return found if isinstance(found, dict) else {}
    return schema


#: A field's value in a body made from the schema alone, by its JSON type.
_BLANKS: dict[str, Any] = {
    "integer": 0,
    "number": 0,
    "string": "",
    "boolean": False,
    "array": [],
}


def _skeleton(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """A JSON object of the body's required fields (all of them, if none is required),
    each its example or default where the app gives one, else a blank of its type:
    ``{"item_id": 0, "quantity": 0}``. The user sees the shape to fill in, rather than
    an empty box whose every request FastAPI answers 422. None for no object."""
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties or depth > 3:
        return None
    required = [name for name in schema.get("required", []) if name in properties]
    body = {}
    for name in required or list(properties):
        field = _resolved(properties[name], schemas)
        value = _example({}, field)
        if value is None:
            nested = _skeleton(field, schemas, depth + 1)
            value = nested if nested is not None else _BLANKS.get(str(field.get("type")))
        body[name] = value
    return body


def _example(holder: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The first example the app gives: on the holder, then on its schema, then a default."""
    for source in (holder, schema):
        if "example" in source:
            return source["example"]
        examples = source.get("examples")
        if isinstance(examples, dict) and examples:
            first = next(iter(examples.values()))
            return first.get("value") if isinstance(first, dict) else first
        if isinstance(examples, list) and examples:
            return examples[0]
    return schema.get("default")
