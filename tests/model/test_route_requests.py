"""A request planned from a route of the user's app and the fields of the window's form;
the code a route runs, as the code view shows it. Qt-free."""

from __future__ import annotations

from pathlib import Path

import pytest
from _own_app import ROUTES

from visualizer.model.request_plan import PlanError
from visualizer.model.route_code import route_code, routes_code, routes_of_run
from visualizer.model.route_requests import (
    body_text,
    fill_path,
    parameter_fields,
    picker_label,
    picker_order,
    planned_request,
)
from visualizer.model.tracefile import read_trace

ITEMS, ME, ORDERS, DOCS = ROUTES
APP_TRACE = Path(__file__).parents[1] / "data" / "apps" / "shop_api_c3_n9.json"


def test_each_parameter_gets_a_field_with_the_apps_example() -> None:
    fields = parameter_fields(ITEMS)
    assert [(f.name, f.where, f.required, f.example) for f in fields] == [
        ("item_id", "path", True, ""),
        ("q", "query", False, "shoes"),
    ]


def test_a_path_parameter_the_schema_does_not_list_still_gets_its_field() -> None:
    route = {"label": "GET /files/{name:path}", "method": "GET", "path": "/files/{name:path}"}
    assert [(f.name, f.where) for f in parameter_fields(route)] == [("name", "path")]


def test_the_request_fills_the_path_quoted_and_encodes_the_query() -> None:
    values = {("path", "item_id"): "7 b/c", ("query", "q"): "red shoes"}
    request = planned_request(ITEMS, values, headers="Authorization: Bearer x\n\n", weight=3)
    assert request.target == "/items/7%20b%2Fc?q=red+shoes"
    assert request.headers == (("Authorization", "Bearer x"),)
    assert request.weight == 3
    assert request.body is None


def test_a_path_convertor_keeps_its_slashes() -> None:
    assert fill_path("/files/{name:path}", {"name": "a/b c"}) == "/files/a/b%20c"


@pytest.mark.parametrize(
    ("values", "headers", "body", "says"),
    [
        ({}, "", "", "path parameter item_id needs a value"),
        ({("path", "item_id"): "1"}, "no colon here", "", "is not 'Name: value'"),
        ({("path", "item_id"): "1"}, "Host: x", "", "set by schedviz itself"),
        ({("path", "item_id"): "1"}, "", "{item: 1", "is not JSON"),
    ],
)
def test_what_the_form_cannot_send_is_refused_naming_it(
    values: dict[tuple[str, str], str], headers: str, body: str, says: str
) -> None:
    with pytest.raises(PlanError, match=says):
        planned_request(ITEMS, values, headers=headers, body=body)


def test_the_body_editor_starts_with_the_routes_example() -> None:
    assert body_text(ORDERS) == '{\n  "item": 7,\n  "quantity": 2\n}'
    assert body_text(ITEMS) == ""


def test_the_picker_lists_the_apps_own_routes_first_with_their_functions() -> None:
    order = picker_order([DOCS, ITEMS, ME])
    assert order == [1, 2, 0]
    assert picker_label(ITEMS) == "GET /items/{item_id} · read_item"


def test_the_code_of_a_route_is_headed_by_file_line_and_kind_each() -> None:
    code = route_code(ME, app_dir="/project")
    assert code.source.splitlines()[0] == "# shop_api.py:30 · def read_me"
    assert "# shop_api.py:9 · dependency def current_user" in code.source
    assert "def current_user(token" in code.source
    assert "on a threadpool worker" in code.expect
    assert "1 dependency runs before it" in code.expect
    blocking = route_code(ITEMS, app_dir="/elsewhere")
    assert blocking.source.startswith("# /project/shop_api.py:24 · async def read_item")
    assert "on the event loop: a blocking call in it freezes every request" in blocking.expect


def test_a_function_whose_source_cannot_be_read_is_named() -> None:
    assert route_code(DOCS).source == "# async def swagger_ui_html (its source cannot be read)"


def test_an_opened_run_shows_the_routes_its_requests_took_planned_first() -> None:
    trace = read_trace(APP_TRACE)
    routes = routes_of_run(trace)
    assert [route["label"] for route in routes] == [
        "GET /items/{item_id}",
        "GET /users/me",
        "POST /orders",
    ]
    code = routes_code(routes, trace.settings.app.app_dir if trace.settings.app else "")
    assert "# ── POST /orders ──" in code.source
    assert "# shop_api.py:22 · async def read_item" in code.source
