"""RequestPlan: what a run of the user's own app sends: one request, or a weighted mix.

Each planned request is a method, a path with its query, headers (an auth token) and
an optional JSON body, with a weight. Request ``n`` of a run goes to the entry
:func:`server.routes.weighted_order` picks, so a 9:1 mix is spread evenly through the
run. A plan is written on the command line (``--request "POST /orders" --body
'{"item": 1}'``) or kept in a small TOML file::

    [[request]]
    method = "GET"
    path = "/items/1"
    weight = 9
    headers = { authorization = "Bearer demo" }

    [[request]]
    method = "POST"
    path = "/orders"
    json = { item = 1, quantity = 2 }   # or body = '{"item": 1, "quantity": 2}'

Every refusal names the value and what is allowed; a file's names its line and key.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from server.routes import weighted_order
from visualizer.model.user_files import read_text

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_WEIGHT = 1_000
MAX_REQUESTS_IN_PLAN = 100
#: RFC 9110 token characters: what a header name may be made of.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
#: Headers the load generator sets itself, per request or per connection.
RESERVED_HEADERS = ("host", "content-length", "transfer-encoding", "connection")
_KEYS = ("method", "path", "weight", "headers", "body", "json")


class PlanError(ValueError):
    """A plan that cannot be sent; the message names the value and what is allowed."""


@dataclass(frozen=True)
class PlannedRequest:
    """One request of a plan: ``method`` and ``target`` (the path and its query)."""

    method: str = "GET"
    target: str = "/"
    headers: tuple[tuple[str, str], ...] = ()
    #: JSON text, sent with ``content-type: application/json``; None for no body.
    body: str | None = None
    weight: int = 1

    def __post_init__(self) -> None:
        check_method(self.method)
        check_target(self.target)
        for name, value in self.headers:
            check_header(name, value)
        if self.body is not None:
            check_json(self.body)
        if type(self.weight) is not int or not 1 <= self.weight <= MAX_WEIGHT:
            raise PlanError(
                f"weight {self.weight!r} of {self.label} is not allowed: "
                f"a whole number from 1 to {MAX_WEIGHT:,}"
            )

    @property
    def label(self) -> str:
        return f"{self.method} {self.target}"

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"method": self.method, "path": self.target}
        if self.weight != 1:
            entry["weight"] = self.weight
        if self.headers:
            entry["headers"] = dict(self.headers)
        if self.body is not None:
            entry["body"] = self.body
        return entry


@dataclass(frozen=True)
class RequestPlan:
    """The requests a run sends, in the mix their weights give."""

    requests: tuple[PlannedRequest, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.requests:
            raise PlanError("a plan needs at least one request")
        if len(self.requests) > MAX_REQUESTS_IN_PLAN:
            raise PlanError(
                f"a plan of {len(self.requests)} requests is too long: "
                f"at most {MAX_REQUESTS_IN_PLAN} (weights give the mix)"
            )

    @cached_property
    def order(self) -> list[int]:
        """One cycle of the mix: request n of a run is entry ``order[(n - 1) % len]``."""
        return weighted_order([request.weight for request in self.requests])

    def entry_of(self, request_id: int) -> int:
        return self.order[(request_id - 1) % len(self.order)]

    def to_dicts(self) -> list[dict[str, Any]]:
        return [request.to_dict() for request in self.requests]

    @classmethod
    def from_dicts(cls, entries: Any, where: str = "the plan") -> RequestPlan:
        """A plan from ``[{"method": ..., "path": ...}, ...]`` (a file's settings)."""
        if not isinstance(entries, list):
            raise PlanError(f"{where} is not a list of requests")
        return cls(
            tuple(_entry(entry, f"{where}, request {n}") for n, entry in enumerate(entries, 1))
        )

    def to_toml(self) -> str:
        lines = ["# A schedviz load plan: schedviz run --app module:app --plan this.toml", ""]
        for request in self.requests:
            lines += ["[[request]]", f"method = {_toml_string(request.method)}"]
            lines.append(f"path = {_toml_string(request.target)}")
            if request.weight != 1:
                lines.append(f"weight = {request.weight}")
            if request.headers:
                pairs = ", ".join(
                    f"{_toml_string(name)} = {_toml_string(value)}"
                    for name, value in request.headers
                )
                lines.append(f"headers = {{ {pairs} }}")
            if request.body is not None:
                lines.append(f"body = {_toml_string(request.body)}")
            lines.append("")
        return "\n".join(lines)

    @classmethod
    def from_toml(cls, text: str, name: str = "plan") -> RequestPlan:
        """Read a plan file's text; PlanError names the file, the line and the key."""
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise PlanError(f"{name} is not valid TOML: {error}") from None
        unknown = [key for key in document if key != "request"]
        if unknown:
            line = _line_of_key(text, unknown[0], table=None)
            raise PlanError(
                f"{name}, line {line}: key {unknown[0]!r} is not known: a plan holds "
                "[[request]] tables"
            )
        entries = document.get("request")
        if not isinstance(entries, list) or not entries:
            raise PlanError(f"{name} has no [[request]] table: a plan needs at least one request")
        requests = []
        for number, entry in enumerate(entries, 1):
            try:
                requests.append(_entry(entry, f"request {number}"))
            except _KeyError as error:
                line = _line_of_key(text, error.key, table=number)
                raise PlanError(f"{name}, line {line}: {error}") from None
            except PlanError as error:
                line = _line_of_table(text, number)
                raise PlanError(f"{name}, line {line} (request {number}): {error}") from None
        try:
            return cls(tuple(requests))
        except PlanError as error:
            raise PlanError(f"{name}: {error}") from None

    @classmethod
    def read(cls, path: str | Path) -> RequestPlan:
        path = Path(path)
        text = read_text(
            path, lambda reason: PlanError(f"plan {str(path)!r} cannot be read: {reason}")
        )
        return cls.from_toml(text, path.name)


class _KeyError(PlanError):
    """A key of a plan entry that is wrong: its line can be found."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _entry(entry: Any, where: str) -> PlannedRequest:
    if not isinstance(entry, dict):
        raise PlanError(f"{where} is not a table of method, path, ...")
    for key in entry:
        if key not in _KEYS:
            raise _KeyError(key, f"{where}: key {key!r} is not known: use {', '.join(_KEYS)}")
    if "body" in entry and "json" in entry:
        raise _KeyError("json", f"{where}: give body (JSON text) or json (a value), not both")
    values: dict[str, Any] = {}
    for key, kind in (("method", str), ("path", str), ("weight", int)):
        if key in entry:
            if type(entry[key]) is not kind:
                wanted = "text" if kind is str else "a whole number"
                raise _KeyError(key, f"{where}: {key} {entry[key]!r} is not {wanted}")
            values[key] = entry[key]
    headers = entry.get("headers", {})
    if not isinstance(headers, dict) or not all(type(v) is str for v in headers.values()):
        raise _KeyError("headers", f"{where}: headers must be a table of names and text values")
    body = entry.get("body")
    if "json" in entry:
        body = json.dumps(entry["json"], ensure_ascii=False)
    elif body is not None and type(body) is not str:
        raise _KeyError("body", f"{where}: body must be JSON text; for a value, use json = ...")
    try:
        return PlannedRequest(
            method=values.get("method", "GET").upper(),
            target=values.get("path", "/"),
            headers=tuple(headers.items()),
            body=body,
            weight=values.get("weight", 1),
        )
    except PlanError as error:
        # Each check's message begins with what it checked: that names the key.
        checked = str(error).split(maxsplit=1)[0]
        key = {"header": "headers", "body": "json" if "json" in entry else "body"}.get(
            checked, checked
        )
        if key in _KEYS:
            raise _KeyError(key, f"{where}: {error}") from None
        raise PlanError(f"{where}: {error}") from None


# -- what a plan's parts may be --------------------------------------------------------------


def check_method(method: str) -> None:
    if method not in METHODS:
        raise PlanError(f"method {method!r} is not one of {', '.join(METHODS)}")


def check_target(target: str) -> None:
    """A path on the app, with its query: starts with '/', no spaces, no scheme or host."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        raise PlanError(
            f"path {target!r} is not a path on the app: a path starts with a single '/' "
            f"(for example {_as_path(target)!r})"
        )
    if any(ch.isspace() or ord(ch) < 32 or ch == "#" for ch in target):
        raise PlanError(f"path {target!r} holds a space, a control character or '#'")


def _as_path(target: str) -> str:
    """``/api/items/1`` for ``api/items/1``, ``//api/items/1`` or ``http://host/api/items/1``."""
    if isinstance(target, str) and "://" in target:
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    return "/" + str(target).lstrip("/")


def check_header(name: str, value: str) -> None:
    if not _HEADER_NAME.match(name):
        raise PlanError(f"header name {name!r} is not a valid HTTP header name")
    if name.lower() in RESERVED_HEADERS or name.lower().startswith("x-schedviz"):
        raise PlanError(f"header {name!r} is set by schedviz itself and cannot be planned")
    if any((ord(ch) < 32 and ch != "\t") or ord(ch) == 127 for ch in value):
        raise PlanError(f"header {name!r} has a value with a control character")


def check_json(body: str) -> None:
    try:
        json.loads(body)
    except json.JSONDecodeError as error:
        where = f"(line {error.lineno}, column {error.colno})"
        raise PlanError(f"body {_short(body)} is not JSON: {error.msg} {where}") from None


# -- the command line's words ---------------------------------------------------------------


def parse_request(text: str) -> tuple[str, str]:
    """``"POST /orders?x=1"`` (or ``"/items/1"``, a GET) as its method and target."""
    words = text.split()
    if len(words) == 1 and words[0].startswith("/"):
        words = ["GET", words[0]]
    if len(words) != 2:
        raise PlanError(
            f"request {text!r} is not 'METHOD /path?query' (for example 'GET /items/1')"
        )
    method, target = words[0].upper(), words[1]
    check_method(method)
    check_target(target)
    return method, target


def parse_header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise PlanError(f"header {text!r} is not 'Name: value'")
    name, value = name.strip(), value.strip()
    check_header(name, value)
    return name, value


def parse_body(text: str) -> str:
    """JSON text, or ``@file`` for the file's text; checked to be JSON."""
    if text.startswith("@"):
        name = text[1:]
        text = read_text(
            name, lambda reason: PlanError(f"body file {name!r} cannot be read: {reason}")
        )
    check_json(text)
    return text


def plan_from_words(words: Sequence[tuple[str, str]]) -> RequestPlan | None:
    """A plan from the command line's options in the order given: ``request`` starts an
    entry; ``weight``, ``header`` and ``body`` belong to the request before them, and
    headers given before any request apply to every one. None if no request is given."""
    common: list[tuple[str, str]] = []
    entries: list[dict[str, Any]] = []
    for option, value in words:
        if option == "request":
            method, target = parse_request(value)
            entries.append({"method": method, "target": target, "headers": list(common)})
        elif option == "header":
            (entries[-1]["headers"] if entries else common).append(parse_header(value))
        elif not entries:
            raise PlanError(f"--{option} {value!r} comes before any --request it could belong to")
        elif option == "weight":
            entries[-1]["weight"] = _weight(value)
        elif option == "body":
            entries[-1]["body"] = parse_body(value)
    if not entries:
        return None
    return RequestPlan(
        tuple(
            PlannedRequest(
                method=e["method"],
                target=e["target"],
                headers=tuple(e["headers"]),
                body=e.get("body"),
                weight=e.get("weight", 1),
            )
            for e in entries
        )
    )


def _weight(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise PlanError(
            f"weight {text!r} is not a whole number: allowed 1 to {MAX_WEIGHT:,}"
        ) from None
    if not 1 <= value <= MAX_WEIGHT:
        raise PlanError(f"weight {value} is out of range: allowed 1 to {MAX_WEIGHT:,}")
    return value


# -- TOML, written and found again -----------------------------------------------------------


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but TOML also escapes DEL."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _line_of_table(text: str, number: int) -> int:
    """The line of the ``number``-th ``[[request]]`` header (from 1), or 1."""
    seen = 0
    for index, line in enumerate(text.splitlines(), 1):
        if re.match(r"^\s*\[\[\s*request\s*\]\]", line):
            seen += 1
            if seen == number:
                return index
    return 1


def _line_of_key(text: str, key: str, table: int | None) -> int:
    """The line where ``key`` is set, in the ``table``-th [[request]] (None: the top)."""
    lines = text.splitlines()
    start = _line_of_table(text, table) if table else 1
    pattern = re.compile(rf"^\s*(\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*[=.]")
    for index in range(start - 1, len(lines)):
        if index >= start and re.match(r"^\s*\[", lines[index]):
            break
        if pattern.match(lines[index]) or (table is None and f"[{key}" in lines[index]):
            return index + 1
    return start


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def describe_plan(requests: Iterable[PlannedRequest]) -> str:
    """``GET /items/1 (x9), POST /orders``: a plan in one line."""
    return ", ".join(
        request.label + (f" (x{request.weight})" if request.weight != 1 else "")
        for request in requests
    )
