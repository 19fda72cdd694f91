"""The server child process, started through :mod:`server._boot`.

It binds 127.0.0.1 on a free port, starts the upstream, installs the tracers on a
plain asyncio loop and serves the app with uvicorn. It talks to its parent through
frames on its original stdout (see :mod:`server.protocol`) and takes commands on
stdin; everything else printed goes to stderr.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import os
import platform
from collections.abc import Coroutine
from importlib.metadata import version
from typing import Any

import anyio.to_thread
import uvicorn

from . import cpu, protocol
from ._lifeline import watch_parent
from ._limits import raise_open_file_limit
from ._listener import tcp_listener
from .app import create_app
from .protocol import take_stdout_for_frames
from .tracing import (
    GcTracer,
    LoopTracer,
    RunGate,
    ThreadLanes,
    ThreadpoolTracer,
    TraceRecorder,
    current_request,
)
from .upstream import start_upstream_process

#: Request id of our own control callbacks on the loop; the model leaves them out.
INTERNAL_REQUEST = -1


def tracing_enabled() -> bool:
    """False only for bench/overhead.py, which measures what tracing costs."""
    return os.environ.get("SCHEDVIZ_TRACE", "1") != "0"


def _versions() -> dict[str, str]:
    names = ("fastapi", "starlette", "uvicorn", "anyio", "httpx")
    return {"python": platform.python_version(), **{name: version(name) for name in names}}


def main() -> None:
    writer = take_stdout_for_frames()
    raise_open_file_limit()
    upstream_process, upstream_port = start_upstream_process()
    loops_per_ms = cpu.calibrate()

    sock = tcp_listener()
    port = sock.getsockname()[1]

    recorder = TraceRecorder(ship=writer.write)
    gate = RunGate()
    config = uvicorn.Config(
        create_app(recorder if tracing_enabled() else None, gate, upstream_port),
        log_level="warning",
        access_log=False,
        timeout_keep_alive=120,
        backlog=4096,
    )
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    internal = contextvars.copy_context()
    internal.run(current_request.set, INTERNAL_REQUEST)

    def on_loop(coroutine: Coroutine[Any, Any, None]) -> None:
        loop.call_soon_threadsafe(lambda: loop.create_task(coroutine, context=internal.copy()))

    async def begin_run(run: int, requests: int, pool: int) -> None:
        # On the loop, between two requests: no request sees half a change.
        anyio.to_thread.current_default_thread_limiter().total_tokens = pool
        gate.open(run, requests)
        writer.write({"t": "ack", "cmd": protocol.CMD_RUN, "run": run})

    async def flush() -> None:
        # Runs on the loop, so every slice before this one has been recorded.
        foreign = gate.foreign
        recorder.flush(
            then=lambda: writer.write({"t": "ack", "cmd": protocol.CMD_FLUSH, "foreign": foreign})
        )

    def on_command(command: dict[str, Any]) -> None:
        if command.get("cmd") == protocol.CMD_RUN:
            on_loop(begin_run(int(command["run"]), int(command["requests"]), int(command["pool"])))
        elif command.get("cmd") == protocol.CMD_FLUSH:
            on_loop(flush())

    def on_parent_gone() -> None:
        server.should_exit = True

    if tracing_enabled():
        lanes = ThreadLanes()
        lanes.mark_loop_thread()  # this thread runs the loop
        LoopTracer(recorder).install(loop)
        ThreadpoolTracer(recorder, lanes).install()
        GcTracer(recorder, lanes).install()
    # What start-up allocated (FastAPI's routes, pydantic's models) is there for good:
    # collect it once and move it out of the collector's sight, as production servers
    # do, so that gen-2 collections during a run walk only what the requests made.
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    recorder.start()
    writer.write(
        {
            "t": "hello",
            "port": port,
            "upstream_port": upstream_port,
            "upstream_pid": upstream_process.pid,
            "pid": os.getpid(),
            "cpu_loops_per_ms": loops_per_ms,
            "gc_frozen": frozen,
            "versions": _versions(),
        }
    )
    watch_parent(on_command, on_parent_gone)
    try:
        loop.run_until_complete(server.serve(sockets=[sock]))
    finally:
        recorder.stop()
        upstream_process.terminate()
        # The lifeline thread may be inside a read of stdin: a normal interpreter
        # shutdown would abort on its lock. Everything is shipped; leave now.
        os._exit(0)
