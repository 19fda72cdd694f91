"""The endpoint styles: each one a small handler, shown in the app exactly as written here.

Every handler takes ``work_ms``, the work W of one request. Above each handler, the
sentence the app shows beside its code: what a run of it draws on the timeline.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

from .cpu import burn_cpu
from .routes import MIXED, STYLE_NAMES
from .upstream import upstream

Handler = TypeVar("Handler", bound=Callable[..., Any])


@dataclass(frozen=True)
class Style:
    """One endpoint style: its handlers and what a run of it shows."""

    name: str
    handlers: tuple[Callable[..., Any], ...]
    expect: str

    @property
    def source(self) -> str:
        """The code of the style's handlers, as written in this file."""
        return "\n\n".join(_source_of(handler) for handler in self.handlers)


CATALOGUE: dict[str, Style] = {}


def style(expect: str) -> Callable[[Handler], Handler]:
    """Put the handler below in the catalogue, under its own name."""

    def register(handler: Handler) -> Handler:
        CATALOGUE[handler.__name__] = Style(handler.__name__, (handler,), expect)
        return handler

    return register


@style("All requests overlap: the makespan is about W and the loop stays free.")
async def async_sleep(work_ms: float) -> dict[str, float]:
    await asyncio.sleep(work_ms / 1000)  # the loop is free while we wait
    return {"work_ms": work_ms}


@style("Requests run on threadpool workers in waves of the pool size; the rest wait for one.")
def sync_sleep(work_ms: float) -> dict[str, float]:
    time.sleep(work_ms / 1000)  # runs on a threadpool worker, the loop stays free
    return {"work_ms": work_ms}


@style("time.sleep freezes the event loop: requests run one by one, the makespan is C x W.")
async def async_blocking(work_ms: float) -> dict[str, float]:
    time.sleep(work_ms / 1000)  # blocks the event loop: nobody else runs
    return {"work_ms": work_ms}


@style("CPU work freezes the event loop: requests run one after another.")
async def async_cpu(work_ms: float) -> dict[str, int]:
    return {"checksum": burn_cpu(work_ms)}  # CPU work on the loop: nobody else runs


@style("On workers, but the GIL lets one compute at a time: bars stretch, CPU time << wall time.")
def sync_cpu(work_ms: float) -> dict[str, int]:
    return {"checksum": burn_cpu(work_ms)}  # on a worker, but holding the GIL


@style("The fix: run_in_threadpool moves the blocking call to a worker; the loop stays free.")
async def async_offload(work_ms: float) -> dict[str, float]:
    await run_in_threadpool(time.sleep, work_ms / 1000)  # the fix: blocking call off the loop
    return {"work_ms": work_ms}


@style("An async HTTP client awaits a slow upstream: requests overlap, with real sockets.")
async def async_http(work_ms: float) -> Any:
    response = await upstream.async_client.get(upstream.url(work_ms))
    return response.json()


@style("A sync HTTP client inside async def freezes the loop while it waits for the upstream.")
async def sync_http_in_async(work_ms: float) -> Any:
    response = upstream.sync_client.get(upstream.url(work_ms))  # a sync client blocks the loop
    return response.json()


@style("A sync HTTP client in a def endpoint waits on a worker; the loop stays free.")
def sync_http(work_ms: float) -> Any:
    response = upstream.sync_client.get(upstream.url(work_ms))  # fine on a worker
    return response.json()


async def raises(work_ms: float) -> None:
    """Not a style: where ``fail_every`` sends requests, to show a failure on the timeline.

    It raises HTTPException, which FastAPI turns into a 500. A bare exception would
    give a 500 too, but uvicorn then closes the keep-alive connection, and the next
    request already on its way over it fails as well, which is true but muddles
    the picture of one failing handler.
    """
    await asyncio.sleep(work_ms / 1000)
    raise HTTPException(status_code=500, detail="this handler raises on purpose (fail_every)")


CATALOGUE[MIXED] = Style(
    MIXED,
    (async_sleep, async_blocking),
    "One async_blocking request among async_sleep ones: one bad endpoint freezes everyone.",
)
assert tuple(CATALOGUE) == STYLE_NAMES, "server.routes.STYLE_NAMES must list the catalogue"


def _source_of(handler: Callable[..., Any]) -> str:
    lines = inspect.getsource(handler).splitlines()
    return "\n".join(line for line in lines if not line.startswith("@style(")) + "\n"
