"""The server child process, started through :mod:`server._boot`.

It binds 127.0.0.1 (a free port, or the one asked for), loads the app it hosts (the
built-in styles, or the user's own with ``--app``), installs the tracers on a plain
asyncio loop and serves the app with uvicorn. It talks to its parent through frames
on its original stdout (see :mod:`server.protocol`) and takes commands on stdin;
everything else printed goes to stderr.

It says hello once the app's lifespan has started, so the first request of a run
never meets an app still starting. If the app cannot be loaded or started, a
``failed`` frame says why, in the user's terms, and the process exits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import gc
import os
import platform
import sys
import sysconfig
from collections.abc import Callable, Coroutine
from importlib.metadata import version
from typing import Any, NoReturn, cast

import anyio.to_thread
import uvicorn

from . import protocol
from ._lifeline import leave, watch_parent
from ._limits import raise_open_file_limit
from ._listener import inherited_listener, tcp_listener
from .hosted_app import HostedApp, host_styles, host_user_app
from .protocol import FrameWriter, take_stdout_for_frames
from .tracing import (
    ExecutorTracer,
    GcTracer,
    LoopTracer,
    RunGate,
    StackSampler,
    ThreadLanes,
    ThreadpoolTracer,
    TraceRecorder,
    WorkerRunRecorder,
    current_request,
)
from .user_app import AppLoadError, AppSpec, user_traceback

#: Request id of our own control callbacks on the loop; the model leaves them out.
INTERNAL_REQUEST = -1
#: The exit status of a child whose app could not be loaded or started.
EXIT_APP_FAILED = 3


def tracing_enabled() -> bool:
    """False only for bench/overhead.py, which measures what tracing costs."""
    return os.environ.get("SCHEDVIZ_TRACE", "1") != "0"


def _versions() -> dict[str, str]:
    names = ("fastapi", "starlette", "uvicorn", "anyio", "httpx")
    return {
        "python": platform.python_version(),
        **interpreter_facts(),
        **{name: version(name) for name in names},
    }


def interpreter_facts() -> dict[str, str]:
    """Which interpreter runs the server, and whether its threads share one GIL.

    A free-threaded build (3.13t, 3.14t) may still run with the GIL on: an extension
    module that does not declare itself safe turns it back on at import, so what
    counts is ``sys._is_gil_enabled()`` once the app is loaded, not how it was built.
    """
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    gil = "disabled" if is_gil_enabled is not None and not is_gil_enabled() else "enabled"
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return {
        "interpreter": sys.executable,
        "implementation": platform.python_implementation(),
        "build": "free-threaded" if free_threaded else "default",
        "gil": gil,
    }


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="schedviz-server")
    parser.add_argument("--app", help="the user's app, module:attribute")
    parser.add_argument("--app-dir", default=".", help="where the app's module is found")
    parser.add_argument("--factory", action="store_true", help="the app is a factory")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument(
        "--fd", type=int, default=-1, help="serve the listening socket our parent handed down"
    )
    parser.add_argument(
        "--reuse-port", action="store_true", help="listen on --port beside other processes"
    )
    return parser.parse_args(argv)


class _Server(uvicorn.Server):
    """uvicorn's server, telling us when the app's lifespan has started."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            self._on_started()


def _fail(writer: FrameWriter, stage: str, message: str, traceback: str = "") -> NoReturn:
    """Tell the parent why the app cannot be served, and leave."""
    writer.write({"t": protocol.FAILED, "stage": stage, "message": message, "traceback": traceback})
    leave(EXIT_APP_FAILED)


def main() -> None:
    options = _options(sys.argv[1:])
    writer = take_stdout_for_frames()
    raise_open_file_limit()
    traced = tracing_enabled()
    recorder = TraceRecorder(ship=writer.write)
    sampler = StackSampler(recorder)
    gate = RunGate()
    try:
        if options.fd >= 0:
            sock = inherited_listener(options.fd)
        else:
            sock = tcp_listener(options.port, reuse_port=options.reuse_port)
    except OSError as error:
        _fail(writer, "port", f"port {options.port} on 127.0.0.1: {error.strerror or error}")
    hosted: HostedApp
    if options.app:
        spec = AppSpec(options.app, options.app_dir, options.factory)
        try:
            hosted = host_user_app(spec, recorder if traced else None, gate)
        except AppLoadError as error:
            _fail(writer, error.stage, error.message, error.user_traceback)
    else:
        hosted = host_styles(recorder if traced else None, gate)

    config = uvicorn.Config(
        hosted.served,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=120,
        backlog=4096,
    )
    # asyncio's own loop, whatever the user's code set as the policy (uvloop's, say):
    # its callbacks are the ones the loop tracer can see.
    loop = asyncio.SelectorEventLoop()
    internal = contextvars.copy_context()
    internal.run(current_request.set, INTERNAL_REQUEST)

    def on_loop(coroutine: Coroutine[Any, Any, None]) -> None:
        # The callback that makes the task is ours too: in the command thread's context
        # it was recorded as the server's own I/O on the loop (after the last response,
        # for a run's flush; RunTrace.flush_asked leaves out what the flush wakes).
        context = internal.copy()
        loop.call_soon_threadsafe(
            lambda: loop.create_task(coroutine, context=context.copy()), context=context
        )

    async def begin_run(run: int, command: dict[str, Any]) -> None:
        # On the loop, between two requests: no request sees half a change.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = int(command["pool"])
        gate.open(run, int(command["requests"]), bool(command.get("passive", False)))
        sampler.threshold_ns = int(float(command.get("stack_ms", 10)) * 1e6)
        writer.write({"t": "ack", "cmd": protocol.CMD_RUN, "run": run})

    async def flush() -> None:
        # Runs on the loop, so every slice before this one has been recorded.
        ack: protocol.AckFrame = {
            "t": "ack",
            "cmd": protocol.CMD_FLUSH,
            "foreign": gate.foreign,
            "numbered": gate.numbered,
            "served": gate.served,
            "connections": len(gate.clients),
        }
        recorder.flush(then=lambda: writer.write(ack))

    def on_command(command: dict[str, Any]) -> None:
        if command.get("cmd") == protocol.CMD_RUN:
            on_loop(begin_run(int(command["run"]), command))
        elif command.get("cmd") == protocol.CMD_FLUSH:
            on_loop(flush())

    def say_hello() -> None:
        hello = {
            "t": "hello",
            "port": sock.getsockname()[1],
            "pid": os.getpid(),
            "gc_frozen": gc.get_freeze_count(),
            "versions": _versions(),
            "upstream_port": 0,
            "upstream_pid": 0,
            "cpu_loops_per_ms": 0.0,
            "app": "",
            "routes": [],
            "uvloop_installed": False,
            **hosted.hello,
        }
        writer.write(cast(protocol.HelloFrame, hello))

    server = _Server(config, on_started=say_hello)

    def on_parent_gone() -> None:
        server.should_exit = True

    if traced:
        lanes = ThreadLanes()
        lanes.mark_loop_thread()  # this thread runs the loop
        sampler.watch_loop_thread()
        runs = WorkerRunRecorder(recorder, lanes, sampler)
        LoopTracer(recorder, sampler).install(loop)
        ThreadpoolTracer(recorder, runs).install()
        ExecutorTracer(recorder, runs, loop).install()
        GcTracer(recorder, lanes).install()
        sampler.start()
    if not options.app:
        # What start-up allocated (FastAPI's routes, pydantic's models) is there for good:
        # collect it once and move it out of the collector's sight, as production servers
        # do, so that gen-2 collections during a run walk only what the requests made.
        # The user's app is left as uvicorn leaves it.
        gc.collect()
        gc.freeze()
    recorder.start()
    watch_parent(on_command, on_parent_gone)
    try:
        # uvicorn leaves with sys.exit when the app's lifespan fails: told below.
        with contextlib.suppress(SystemExit):
            loop.run_until_complete(server.serve(sockets=[sock]))
        if hosted.lifespan.startup_failed:
            failure = hosted.lifespan.startup_error
            message = "the app's lifespan failed at startup"
            details = user_traceback(failure) if failure is not None else ""
            if failure is not None:
                message += f": {type(failure).__name__}: {str(failure).strip()}".rstrip(": ")
            recorder.stop()
            _fail(writer, "lifespan", message, details)
    finally:
        sampler.stop()
        recorder.stop()
        hosted.close()
        # Everything is shipped; a handler stuck on a worker thread must not hold us.
        leave()
