"""The endpoint styles: each one a small handler, shown in the app exactly as written here.

Every handler takes ``work_ms``, the work W of one request (or its dependency does).
Above each handler, the sentence the app shows beside its code: what a run of it
draws on the timeline, as measured. What a handler uses that FastAPI runs too (its
dependency, response model, generator, background task) is shown above it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import BackgroundTasks, Depends, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from .cpu import burn_cpu
from .database import REPORT, database
from .process_pool import processes
from .routes import MIXED, STYLE_NAMES
from .upstream import upstream

Handler = TypeVar("Handler", bound=Callable[..., Any])


@dataclass(frozen=True)
class Style:
    """One endpoint style: its handlers and what a run of it shows."""

    name: str
    handlers: tuple[Callable[..., Any], ...]
    expect: str
    #: What the handler uses that FastAPI runs too, shown above it.
    beside: tuple[Any, ...] = ()
    #: Registered with the response model of its return annotation; the others with none.
    response_model: bool = False

    @property
    def source(self) -> str:
        """The code of the style's handlers, as written in this file."""
        return "\n\n".join(_source_of(code) for code in (*self.beside, *self.handlers))


CATALOGUE: dict[str, Style] = {}


def style(
    expect: str, *, beside: tuple[Any, ...] = (), response_model: bool = False
) -> Callable[[Handler], Handler]:
    """Put the handler below in the catalogue, under its own name."""

    def register(handler: Handler) -> Handler:
        name = handler.__name__
        CATALOGUE[name] = Style(name, (handler,), expect, beside, response_model)
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


@style("time.sleep freezes the event loop: requests run one by one, the makespan is about N x W.")
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


@style("A sync database driver in async def freezes the loop for each query: one by one.")
async def sqlite_in_async(work_ms: float) -> dict[str, float]:
    with database.connection() as db:
        cursor = db.execute(REPORT, (database.lookups(work_ms),))  # the loop waits for the query
        (total,) = cursor.fetchone()
    return {"total": total}


@style(
    "A sync database driver in a def endpoint queries on a worker, the loop free; SQLite "
    "lets go of the GIL, so the queries wait for a core, not for one another."
)
def sqlite_def(work_ms: float) -> dict[str, float]:
    with database.connection() as db:
        cursor = db.execute(REPORT, (database.lookups(work_ms),))  # a worker waits for the query
        (total,) = cursor.fetchone()
    return {"total": total}


@style(
    "asyncio.to_thread runs on the loop's default executor, not AnyIO's pool: "
    "the threadpool size P does not bound it."
)
async def async_to_thread(work_ms: float) -> dict[str, float]:
    await asyncio.to_thread(time.sleep, work_ms / 1000)  # the loop's own pool, not AnyIO's
    return {"work_ms": work_ms}


@style(
    "The fix for CPU work: a process pool, one process per core, each with a GIL of its "
    "own: requests compute side by side, CPU time close to wall time."
)
async def cpu_process_pool(work_ms: float) -> dict[str, int]:
    loop = asyncio.get_running_loop()
    checksum = await loop.run_in_executor(processes.executor, burn_cpu, work_ms)  # another process
    return {"checksum": checksum}


class Receipt(BaseModel):
    work_ms: float
    status: str


@style(
    "A def endpoint with a response model makes two trips to the threadpool: the endpoint, "
    "then the validation of what it returned; each waits for a free worker.",
    beside=(Receipt,),
    response_model=True,
)
def def_response_model(work_ms: float) -> Receipt:
    time.sleep(work_ms / 1000)  # trip 1: the endpoint, on a worker
    return Receipt(work_ms=work_ms, status="paid")  # trip 2: FastAPI validates it on a worker


def current_user(work_ms: float) -> str:
    time.sleep(work_ms / 1000)  # a sync lookup: FastAPI runs this dependency on a worker
    return "ada"


@style(
    "A def dependency runs on a threadpool worker, then the async def endpoint on the loop: "
    "an async endpoint that still waits for the pool.",
    beside=(current_user,),
)
async def sync_dependency(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
    return {"user": user}  # the endpoint itself runs on the loop


def report_rows(work_ms: float) -> Iterator[bytes]:
    for row in range(5):
        time.sleep(work_ms / 5 / 1000)  # each chunk is one trip to a worker
        yield b"row %d\n" % row


@style(
    "A sync generator streamed: each chunk is a trip to the threadpool, and one more "
    "finds the end: a comb of runs, each waiting for a free worker.",
    beside=(report_rows,),
)
async def streaming_sync(work_ms: float) -> StreamingResponse:
    return StreamingResponse(report_rows(work_ms), media_type="text/plain")


def send_receipt(work_ms: float) -> None:
    time.sleep(work_ms / 1000)  # after the response has gone, on a worker


@style(
    "A sync background task runs on a worker after the response has gone: the client has "
    "its answer, and the task holds a worker that other trips wait for.",
    beside=(send_receipt,),
)
async def background_task(work_ms: float, tasks: BackgroundTasks) -> dict[str, float]:
    tasks.add_task(send_receipt, work_ms)  # runs once the response is sent
    return {"work_ms": work_ms}


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
assert sorted(CATALOGUE) == sorted(STYLE_NAMES), "server.routes lists each style once"


def _source_of(code: Any) -> str:
    """Its code as written, from its ``def`` or ``class`` on (without ``@style``)."""
    lines = inspect.getsource(code).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(_HEADS))
    return "\n".join(lines[start:]) + "\n"


_HEADS = ("def ", "async def ", "class ")
