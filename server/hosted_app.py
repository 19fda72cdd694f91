"""HostedApp: what the server child serves, the built-in styles or the user's own app.

Either way the app is served behind the same tracing, and described the same way
to the parent (its routes, with the code of their endpoints). The styles need an
upstream process and a CPU calibration; the user's app needs neither, and gets
nothing of ours beyond the tracing: no ``gc.freeze()`` (uvicorn does not freeze
their objects in production, so the timeline must not either).
"""

from __future__ import annotations

import importlib.util
import subprocess
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp

from . import cpu
from .app import create_app
from .lifespan_watch import LifespanWatch
from .route_table import describe_routes
from .tracing import RequestStampMiddleware, RunGate, TraceRecorder
from .upstream import start_upstream_process
from .user_app import AppSpec, load_app


@dataclass
class HostedApp:
    """The ASGI app uvicorn serves, and what the parent is told about it."""

    served: ASGIApp
    lifespan: LifespanWatch
    #: Told to the parent in the hello frame.
    hello: dict[str, Any] = field(default_factory=dict)
    upstream: subprocess.Popen[bytes] | None = None

    def close(self) -> None:
        if self.upstream is not None:
            self.upstream.terminate()


def host_styles(recorder: TraceRecorder | None, gate: RunGate) -> HostedApp:
    """The built-in styles app, with its upstream; ``recorder`` None runs it untraced."""
    upstream_process, upstream_port = start_upstream_process()
    app = create_app(recorder, gate, upstream_port)
    watch = LifespanWatch(app)
    hello = {
        "upstream_port": upstream_port,
        "upstream_pid": upstream_process.pid,
        "cpu_loops_per_ms": cpu.calibrate(),
        "routes": describe_routes(app),
    }
    return HostedApp(served=watch, lifespan=watch, hello=hello, upstream=upstream_process)


def host_user_app(spec: AppSpec, recorder: TraceRecorder | None, gate: RunGate) -> HostedApp:
    """The user's app, loaded as uvicorn loads it; AppLoadError says what went wrong."""
    app = load_app(spec)
    watch = LifespanWatch(app)
    served: ASGIApp = watch
    if recorder is not None:
        served = RequestStampMiddleware(watch, recorder, gate)
    hello = {
        "app": spec.target,
        "routes": describe_routes(app),
        # uvloop's loop runs callbacks in C, where they cannot be traced: the app runs
        # on asyncio's own loop, and the run says so where uvloop would have been used.
        "uvloop_installed": importlib.util.find_spec("uvloop") is not None,
    }
    return HostedApp(served=served, lifespan=watch, hello=hello)
