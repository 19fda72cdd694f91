"""The hosted app's routes, as the route picker and the code view are told them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import BaseModel, Field
from starlette.staticfiles import StaticFiles

from server.route_table import describe_routes, label_of_request


def api_key(key: Annotated[str, Query(examples=["demo-key"])] = "demo-key") -> str:
    return key


def current_user(key: Annotated[str, Depends(api_key)]) -> str:
    return "ada"


class Order(BaseModel):
    item: int = Field(examples=[7])
    quantity: int = 1

    model_config = {"json_schema_extra": {"examples": [{"item": 7, "quantity": 2}]}}


def shop(tmp: Any) -> FastAPI:
    app = FastAPI()
    items = APIRouter(prefix="/items")

    @items.get("/{item_id}")
    async def read_item(
        item_id: int, user: Annotated[str, Depends(current_user)]
    ) -> dict[str, int]:
        return {"item_id": item_id}

    app.include_router(items)

    @app.post("/orders")
    def place_order(order: Order) -> Order:
        return order

    app.mount("/static", StaticFiles(directory=str(tmp)), name="static")
    return app


def by_label(routes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {route["label"]: route for route in routes}


def test_routes_of_included_routers_and_mounts_have_their_full_paths(tmp_path: Any) -> None:
    routes = by_label(describe_routes(shop(tmp_path)))
    assert {"GET /items/{item_id}", "POST /orders", "GET /static/{path:path}"} <= set(routes)
    assert "HEAD /openapi.json" not in routes  # implied methods are not planned


def test_each_route_names_its_endpoint_and_dependencies_as_written(tmp_path: Any) -> None:
    item = by_label(describe_routes(shop(tmp_path)))["GET /items/{item_id}"]
    endpoint = item["endpoint"]
    assert endpoint["name"].endswith("read_item")
    assert endpoint["kind"] == "async def"
    assert endpoint["file"] == __file__
    assert endpoint["source"].lstrip().startswith("@items.get")
    assert "async def read_item" in endpoint["source"]
    with open(__file__) as source:
        line = source.readlines()[endpoint["line"] - 1]
    assert "@items.get" in line
    names = [dependency["name"] for dependency in item["dependencies"]]
    assert names == ["api_key", "current_user"], "depth first: what runs first comes first"
    assert all(dependency["kind"] == "def" for dependency in item["dependencies"])


def test_openapi_examples_fill_parameters_and_bodies(tmp_path: Any) -> None:
    routes = by_label(describe_routes(shop(tmp_path)))
    params = {p["name"]: p for p in routes["GET /items/{item_id}"]["params"]}
    assert params["item_id"]["in"] == "path" and params["item_id"]["required"]
    assert params["key"]["example"] == "demo-key"
    assert routes["POST /orders"]["body_example"] == {"item": 7, "quantity": 2}


def test_a_request_is_labelled_by_the_route_the_router_left_in_its_scope() -> None:
    class Route:
        path = "/items/{item_id}"

    assert label_of_request({"method": "GET", "route": Route()}) == "GET /items/{item_id}"
    mounted = {"method": "GET", "route": Route(), "root_path": "/v1"}
    assert label_of_request(mounted) == "GET /v1/items/{item_id}"
    assert label_of_request({"method": "POST"}) == "POST (no route)"


class Address(BaseModel):
    city: str
    zip_code: str = Field(examples=["75001"])


class NewOrder(BaseModel):
    item_id: int
    quantity: int = Field(ge=1, examples=[3])
    gift: bool = False
    ship_to: Address


def test_a_body_with_no_example_is_sketched_from_its_schema() -> None:
    """A model with no example got an empty body box, and every request a 422: its
    required fields are filled in, from their own examples or as blanks of their type."""
    app = FastAPI()

    @app.post("/orders")
    def place_order(order: NewOrder) -> dict[str, int]:
        return {"item_id": order.item_id}

    routes = by_label(describe_routes(app))
    assert routes["POST /orders"]["body_example"] == {
        "item_id": 0,
        "quantity": 3,
        "ship_to": {"city": "", "zip_code": "75001"},
    }
