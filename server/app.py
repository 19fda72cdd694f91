"""The observed FastAPI app: one route per endpoint style, behind the stamping middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.datastructures import Default

from .database import database
from .process_pool import processes
from .routes import RAISES_PATH, ROUTED_STYLES
from .styles import CATALOGUE, raises
from .tracing import RequestStampMiddleware, RunGate, TraceRecorder
from .upstream import upstream


def create_app(recorder: TraceRecorder | None, gate: RunGate, upstream_port: int) -> FastAPI:
    """The app; with no recorder it runs untraced (for measuring what tracing costs)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The async client must be made on the loop that will use it.
        upstream.open(upstream_port)
        database.open()
        processes.open()
        try:
            yield
        finally:
            processes.close()
            database.close()
            await upstream.aclose()

    app = FastAPI(title="schedviz observed server", lifespan=lifespan, openapi_url=None)
    for name in ROUTED_STYLES:
        style = CATALOGUE[name]
        (handler,) = style.handlers
        # No response model but where the style is about one: FastAPI would validate the
        # return of a def endpoint in a second threadpool trip, and the timeline would
        # show that, not the style. Default(None) is add_api_route's own default: the
        # model of the return annotation.
        model = Default(None) if style.response_model else None
        app.add_api_route(f"/{name}", handler, methods=["GET"], name=name, response_model=model)
    app.add_api_route(RAISES_PATH, raises, methods=["GET"], response_model=None)
    if recorder is not None:
        app.add_middleware(RequestStampMiddleware, recorder=recorder, gate=gate)
    return app
