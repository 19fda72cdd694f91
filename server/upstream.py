"""The slow upstream service that the HTTP styles call, and the clients that call it.

It answers ``GET /delay?ms=W`` after W milliseconds. It runs in a process of its
own, started by the server: if it ran on the observed loop its work would show up
on the timeline, and if it ran in a thread of the server it would compete with the
handlers for the GIL.

The server starts it through :mod:`server._boot`: it prints its port on one line
and exits when its stdin closes (its parent, the server, has gone).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.types import Receive, Scope, Send

from ._boot import command
from ._lifeline import watch_parent
from ._listener import tcp_listener

# Enough connections for the largest concurrency a run allows.
_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
_TIMEOUT = httpx.Timeout(120.0)


async def delay_app(scope: Scope, receive: Receive, send: Send) -> None:
    """ASGI app of the upstream: sleep for ``ms`` from the query string, then answer."""
    if scope["type"] != "http":
        return
    query = dict(
        part.split("=", 1) for part in scope["query_string"].decode().split("&") if "=" in part
    )
    try:
        ms = min(max(float(query.get("ms", "0")), 0.0), 60_000.0)
    except ValueError:
        ms = 0.0
    await asyncio.sleep(ms / 1000)
    body = b'{"upstream_ms": %g}' % ms
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@dataclass
class Upstream:
    """Where the upstream listens, and one async and one sync client for the handlers."""

    port: int = 0
    async_client: httpx.AsyncClient = field(init=False)
    sync_client: httpx.Client = field(init=False)

    def url(self, work_ms: float) -> str:
        return f"http://127.0.0.1:{self.port}/delay?ms={work_ms:g}"

    def open(self, port: int) -> None:
        self.port = port
        self.async_client = httpx.AsyncClient(limits=_LIMITS, timeout=_TIMEOUT)
        self.sync_client = httpx.Client(limits=_LIMITS, timeout=_TIMEOUT)

    async def aclose(self) -> None:
        if self.port:
            await self.async_client.aclose()
            self.sync_client.close()


#: The handlers' view of the upstream; the server opens it at start-up.
upstream = Upstream()


def start_upstream_process() -> tuple[subprocess.Popen[bytes], int]:
    """Start the upstream in its own process; return it and the port it listens on."""
    process = subprocess.Popen(
        command("upstream", isolated=True),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.strip().isdigit():
        process.kill()
        raise RuntimeError(f"the upstream service did not start (it said {line!r})")
    return process, int(line)


def main() -> None:
    sock = tcp_listener()
    config = uvicorn.Config(delay_app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)

    def stop() -> None:
        server.should_exit = True

    # It takes no commands; its stdin's end (the server has gone) ends it, as for the server.
    watch_parent(on_command=lambda command: None, on_parent_gone=stop)
    print(sock.getsockname()[1], flush=True)
    server.run(sockets=[sock])
    os._exit(0)  # the stdin thread may hold stdin's lock; see server/__main__.py
