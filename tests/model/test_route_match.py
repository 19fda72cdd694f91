"""A planned request goes to the route Starlette would pick, or is refused before the run."""

from __future__ import annotations

from typing import Any

import pytest

from visualizer.model.request_plan import PlanError, PlannedRequest
from visualizer.model.route_match import check_plan, path_pattern, route_of


def route(method: str, path: str) -> dict[str, Any]:
    return {"label": f"{method} {path}", "method": method, "path": path}


ROUTES = [
    route("GET", "/items/search"),
    route("GET", "/items/{item_id:int}"),
    route("GET", "/files/{path:path}"),
    route("POST", "/orders"),
    route("GET", "/users/{user_id}"),
    route("GET", "/static/{path:path}"),
]


@pytest.mark.parametrize(
    ("template", "matches", "misses"),
    [
        ("/items/{item_id}", ["/items/1", "/items/abc"], ["/items/", "/items/1/2"]),
        ("/items/{item_id:int}", ["/items/12"], ["/items/x", "/items/-1"]),
        ("/price/{p:float}", ["/price/1.5", "/price/2"], ["/price/x"]),
        ("/files/{rest:path}", ["/files/a/b/c.txt", "/files/"], ["/file"]),
        (
            "/u/{id:uuid}",
            ["/u/123e4567-e89b-12d3-a456-426614174000"],
            ["/u/123"],
        ),
        ("/a.b/{x}", ["/a.b/1"], ["/aXb/1"]),
    ],
)
def test_path_templates_match_as_starlette_matches_them(
    template: str, matches: list[str], misses: list[str]
) -> None:
    pattern = path_pattern(template)
    for path in matches:
        assert pattern.match(path), f"{template} should match {path}"
    for path in misses:
        assert not pattern.match(path), f"{template} should not match {path}"


def test_the_first_route_in_the_app_order_wins() -> None:
    assert route_of(PlannedRequest("GET", "/items/search?q=x"), ROUTES, "shop") == (
        "GET /items/search"
    )
    assert route_of(PlannedRequest("GET", "/items/7"), ROUTES, "shop") == "GET /items/{item_id:int}"
    assert route_of(PlannedRequest("HEAD", "/users/3"), ROUTES, "shop") == "GET /users/{user_id}"


def test_a_request_no_route_takes_is_refused_with_the_nearest_route() -> None:
    with pytest.raises(PlanError) as refused:
        route_of(PlannedRequest("GET", "/itemz/7"), ROUTES, "shop.main:app")
    assert str(refused.value) == (
        "no route of shop.main:app matches GET /itemz/7; did you mean GET /items/{item_id:int}?"
    )
    with pytest.raises(PlanError, match=r"matches GET /zzzzzzzz$"):
        route_of(PlannedRequest("GET", "/zzzzzzzz"), ROUTES, "shop")
    with pytest.raises(PlanError, match="the app has no routes"):
        route_of(PlannedRequest("GET", "/"), [], "empty")


def test_a_path_that_only_another_method_takes_says_which() -> None:
    with pytest.raises(PlanError, match="/orders of shop takes POST, not GET"):
        route_of(PlannedRequest("GET", "/orders"), ROUTES, "shop")


def test_a_plan_is_checked_request_by_request() -> None:
    requests = [PlannedRequest("GET", "/items/1"), PlannedRequest("POST", "/orders")]
    assert check_plan(requests, ROUTES, "shop") == ["GET /items/{item_id:int}", "POST /orders"]
