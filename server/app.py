"""The observed FastAPI app: one route per endpoint style, behind the stamping middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

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
        yield
        await upstream.aclose()

    app = FastAPI(title="schedviz observed server", lifespan=lifespan, openapi_url=None)
    for name in ROUTED_STYLES:
        (handler,) = CATALOGUE[name].handlers
        # No response model: FastAPI would validate the return of a def endpoint in a
        # second threadpool trip, and the timeline would show that, not the style.
        app.add_api_route(f"/{name}", handler, methods=["GET"], name=name, response_model=None)
    app.add_api_route(RAISES_PATH, raises, methods=["GET"], response_model=None)
    if recorder is not None:
        app.add_middleware(RequestStampMiddleware, recorder=recorder, gate=gate)
    return app
