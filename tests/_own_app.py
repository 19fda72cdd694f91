"""A small FastAPI app of a user, written where a test wants it: the window's own-app tests.

- ``GET /items/{item_id}``: an ``async def`` that blocks the loop (``time.sleep``),
  with a query parameter that has an OpenAPI example;
- ``GET /users/me``: a ``def`` endpoint with a sync dependency (both on workers);
- ``POST /orders``: an ``async def`` that takes a JSON body with an example.

``LIFESPAN_FAILS`` is the same app whose lifespan raises at startup, as a database
that is down would.
"""

from __future__ import annotations

from pathlib import Path

from visualizer.model.settings import AppTarget

MODULE = "shop_api"

APP_SOURCE = """
import time

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel

app = FastAPI()


def current_user(token: str = "demo") -> str:
    time.sleep(0.005)  # a sync dependency: on a worker too
    return token


class Order(BaseModel):
    item: int
    quantity: int = 1

    model_config = {"json_schema_extra": {"examples": [{"item": 7, "quantity": 2}]}}


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: str = Query("", examples=["shoes"])):
    time.sleep(0.04)  # blocks the event loop
    return {"item": item_id, "q": q}


@app.get("/users/me")
def read_me(user: str = Depends(current_user)):
    time.sleep(0.04)  # on a threadpool worker
    return {"user": user}


@app.post("/orders")
async def create_order(order: Order):
    return order
"""

LIFESPAN_FAILS = """
from contextlib import asynccontextmanager

from fastapi import FastAPI


def connect_database():
    raise ConnectionError("database at localhost:5432 refused the connection")


@asynccontextmanager
async def lifespan(app):
    connect_database()
    yield


app = FastAPI(lifespan=lifespan)
"""

#: The routes as server.route_table describes them (what the hello carries), for the
#: tests that need no server; ``write_app`` fills in the file.
ROUTES: list[dict[str, object]] = [
    {
        "label": "GET /items/{item_id}",
        "method": "GET",
        "path": "/items/{item_id}",
        "name": "read_item",
        "endpoint": {
            "name": "read_item",
            "kind": "async def",
            "file": "/project/shop_api.py",
            "line": 24,
            "source": '@app.get("/items/{item_id}")\nasync def read_item(item_id: int):\n'
            "    time.sleep(0.04)  # blocks the event loop\n",
        },
        "dependencies": [],
        "params": [
            {"name": "item_id", "in": "path", "required": True, "example": None},
            {"name": "q", "in": "query", "required": False, "example": "shoes"},
        ],
        "body_example": None,
    },
    {
        "label": "GET /users/me",
        "method": "GET",
        "path": "/users/me",
        "name": "read_me",
        "endpoint": {
            "name": "read_me",
            "kind": "def",
            "file": "/project/shop_api.py",
            "line": 30,
            "source": '@app.get("/users/me")\ndef read_me(user: str = Depends(current_user)):\n',
        },
        "dependencies": [
            {
                "name": "current_user",
                "kind": "def",
                "file": "/project/shop_api.py",
                "line": 9,
                "source": 'def current_user(token: str = "demo") -> str:\n    return token\n',
            }
        ],
        "params": [{"name": "token", "in": "query", "required": False, "example": "demo"}],
        "body_example": None,
    },
    {
        "label": "POST /orders",
        "method": "POST",
        "path": "/orders",
        "name": "create_order",
        "endpoint": {
            "name": "create_order",
            "kind": "async def",
            "file": "/project/shop_api.py",
            "line": 35,
            "source": '@app.post("/orders")\nasync def create_order(order: Order):\n',
        },
        "dependencies": [],
        "params": [],
        "body_example": {"item": 7, "quantity": 2},
    },
    {
        "label": "GET /docs",
        "method": "GET",
        "path": "/docs",
        "name": "swagger_ui_html",
        "endpoint": {"name": "swagger_ui_html", "kind": "async def", "file": "", "line": 0},
        "dependencies": [],
        "params": [],
        "body_example": None,
    },
]


def write_app(folder: Path, source: str = APP_SOURCE) -> AppTarget:
    """The app's module in ``folder``; the AppTarget that names it."""
    (folder / f"{MODULE}.py").write_text(source, encoding="utf-8")
    return AppTarget(f"{MODULE}:app", str(folder.resolve()))
