"""The load generator: keeps C requests in flight with httpx until N are done.

It runs as a child process of its own (see :mod:`visualizer.runner.children`), never in
the server's interpreter and never on the GUI thread, so its work neither competes
with the handlers being observed nor with the window drawing them.

Protocol: the first stdin line is the plan as JSON; a later line ``stop`` cancels
the run, and end-of-file (the parent has gone) does too. Frames go to stdout:
``start`` (t0), ``sent`` batches, ``done`` batches, then ``finished``.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import itertools
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter_ns
from typing import Any

import httpx

from server import protocol
from server._limits import raise_open_file_limit
from server.protocol import Outcome, take_stdout_for_frames
from server.routes import route_for
from visualizer.runner.deadline_watchdog import DeadlineWatchdog
from visualizer.runner.loadplan import LoadPlan
from visualizer.runner.stream_transport import StreamTransport

#: How often batches of records are written to the parent.
EMIT_INTERVAL_S = 0.02

Emit = Callable[[protocol.ClientFrame], None]


class _NoCookies(http.cookiejar.CookieJar):
    """A jar that keeps nothing: every request of a run is independent of the others.

    httpx reads every response's headers for cookies through ``http.cookiejar``;
    that was 8% of the load generator's CPU (profiled at concurrency 200), spent on a
    server that sets none.
    """

    def extract_cookies(self, response: Any, request: Any) -> None:
        pass


class LoadGenerator:
    """Sends the plan's requests, stamping each one's send and receipt."""

    def __init__(self, plan: LoadPlan, emit: Emit) -> None:
        self.plan = plan
        self._emit = emit
        self._sent: list[tuple[int, int]] = []
        self._done: list[tuple[int, int, int, int, int]] = []
        self._ids = itertools.count(1)
        self.sent_count = 0
        self._watchdog = DeadlineWatchdog(plan.timeout_s)
        base = f"http://127.0.0.1:{plan.port}"
        # Parsed once per route: httpx parses a URL given as a string on every request,
        # in pure Python, and at concurrency 1,000 that alone was ~100 us a request.
        if plan.planned:
            self._planned = [_Planned.of(entry, base) for entry in plan.planned]
        else:
            params = {"work_ms": f"{plan.work_ms:g}"}
            self._urls = {path: httpx.URL(base + path, params=params) for path in self._routes()}

    async def run(self, stop: asyncio.Event) -> int:
        """Run until every request is done or ``stop`` is set; return how many were sent."""
        plan = self.plan
        connections = [self._client() for _ in range(min(plan.concurrency, plan.requests))]
        clients = [client for client, _ in connections]
        try:
            await asyncio.gather(
                *(
                    self._warm_up(client, transport, first=i == 0)
                    for i, (client, transport) in enumerate(connections)
                )
            )
            self._emit({"t": "start", "t0": perf_counter_ns()})
            emitter = asyncio.create_task(self._emit_periodically())
            senders = [asyncio.create_task(self._send_until_done(client)) for client in clients]
            stopper: asyncio.Future[Any] = asyncio.create_task(stop.wait())
            all_sent: asyncio.Future[Any] = asyncio.gather(*senders)
            await asyncio.wait([stopper, all_sent], return_when=asyncio.FIRST_COMPLETED)
            for task in [*senders, stopper]:
                task.cancel()
            await asyncio.gather(*senders, stopper, return_exceptions=True)
            emitter.cancel()
            await asyncio.gather(emitter, return_exceptions=True)
        finally:
            await asyncio.gather(*(client.aclose() for client in clients))
            await self._watchdog.close()
        self._emit_pending()
        return self.sent_count

    def _client(self) -> tuple[httpx.AsyncClient, StreamTransport]:
        """A client with one connection of its own, for one sender, as C browsers would.

        Its transport (see :mod:`visualizer.runner.stream_transport`) keeps the
        timeout, for connecting and for the whole exchange, and stamps the send.
        """
        transport = StreamTransport(self._watchdog, self.plan.timeout_s, self._record_sent)
        # Nothing in the environment (proxies, netrc) applies to our own server.
        client = httpx.AsyncClient(transport=transport, trust_env=False, cookies=_NoCookies())
        return client, transport

    async def _warm_up(
        self, client: httpx.AsyncClient, transport: StreamTransport, first: bool
    ) -> None:
        """Untraced requests before the run, which names none of them.

        Every connection makes one (its handshake, and httpx's and uvicorn's lazy
        set-up, about 20 ms, would otherwise hold back the first wave and show up as
        its wait). The first connection also calls each route of the run once with
        no work: FastAPI's first call of a route costs 2-13 ms of loop time
        (``inspect`` on the endpoint), which request 1 would otherwise carry.

        The user's app gets no request it did not plan (a POST would make an order):
        each connection is only opened. Its first call of a route is its own cost.
        """
        if self.plan.planned:
            with contextlib.suppress(OSError):  # met again, and recorded, by the run
                await transport.connect("127.0.0.1", self.plan.port)
            return
        base = f"http://127.0.0.1:{self.plan.port}"
        paths = self._routes() if first else ["/schedviz-warm-up"]
        # A failure here is met again, and recorded, by the run itself.
        with contextlib.suppress(httpx.HTTPError):
            for path in paths:
                await client.get(base + path, params={"work_ms": "0"}, extensions={"request": 0})

    def _routes(self) -> list[str]:
        """Every path the run's requests go to."""
        p = self.plan
        ids = {*range(1, min(p.requests, p.concurrency + 1) + 1)}
        if 0 < p.fail_every <= p.requests:
            ids.add(p.fail_every)
        return sorted({route_for(p.style, i, p.concurrency, p.requests, p.fail_every) for i in ids})

    async def _send_until_done(self, client: httpx.AsyncClient) -> None:
        s = self.plan
        run = str(s.run)
        while (request := next(self._ids)) <= s.requests:
            message = self._request(client, request, run)
            self.sent_count += 1
            status, outcome = 0, Outcome.OK
            try:
                response = await client.send(message)
                status = response.status_code
                outcome = Outcome.OK if status < 400 else Outcome.HTTP_ERROR
            except asyncio.CancelledError:
                sent = self._sent_stamp(message)
                self._done.append((request, sent, perf_counter_ns(), 0, int(Outcome.CANCELLED)))
                raise
            except httpx.TimeoutException:
                outcome = Outcome.TIMEOUT
            except httpx.TransportError:
                outcome = Outcome.CONNECTION
            except Exception:
                outcome = Outcome.ERROR
            sent = self._sent_stamp(message)
            received = response.extensions["received_ns"] if status else perf_counter_ns()
            self._done.append((request, sent, received, status, int(outcome)))

    def _request(self, client: httpx.AsyncClient, request: int, run: str) -> httpx.Request:
        """Request ``request`` of the run: the style's route, or the plan's entry for it."""
        s = self.plan
        names = {"x-request-id": str(request), "x-schedviz-run": run}
        extensions = {"request": request}
        if not s.planned:
            url = self._urls[route_for(s.style, request, s.concurrency, s.requests, s.fail_every)]
            return client.build_request("GET", url, headers=names, extensions=extensions)
        entry = self._planned[s.order[(request - 1) % len(s.order)]]
        return client.build_request(
            entry.method,
            entry.url,
            headers=[*entry.headers, *names.items()],
            content=entry.body,
            extensions=extensions,
        )

    def _record_sent(self, message: httpx.Request, sent: int) -> None:
        """Called by the transport just before the request's bytes are written."""
        message.extensions["sent_ns"] = sent
        if request := message.extensions["request"]:  # warm-up requests are 0: not in the run
            self._sent.append((request, sent))

    def _sent_stamp(self, message: httpx.Request) -> int:
        """When the request was sent; now, for one that ended before its bytes were written.

        Every request of the run has a sent row, also one that never reached the server.
        """
        sent: int | None = message.extensions.get("sent_ns")
        if sent is None:
            sent = perf_counter_ns()
            self._record_sent(message, sent)
        return sent

    async def _emit_periodically(self) -> None:
        while True:
            await asyncio.sleep(EMIT_INTERVAL_S)
            self._emit_pending()

    def _emit_pending(self) -> None:
        if self._sent:
            count = len(self._sent)
            self._emit({"t": "sent", "rows": self._sent[:count]})
            del self._sent[:count]
        if self._done:
            count = len(self._done)
            self._emit({"t": "done", "rows": self._done[:count]})
            del self._done[:count]


@dataclass(frozen=True)
class _Planned:
    """One entry of the user's plan, parsed once."""

    method: str
    url: httpx.URL
    headers: list[tuple[str, str]]
    body: bytes | None

    @classmethod
    def of(cls, entry: dict[str, Any], base: str) -> _Planned:
        headers = [(str(name), str(value)) for name, value in entry["headers"]]
        body = entry.get("body")
        if body is not None and not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("content-type", "application/json"))
        return cls(
            method=entry["method"],
            url=httpx.URL(base + entry["target"]),
            headers=headers,
            body=body.encode() if body is not None else None,
        )


#: The load generator yields a core to the window and the server when they want one:
#: on 2 cores, with the client, the server and the window all busy, the window waited
#: 103 ms for a core in its longest freeze. Time the client loses so is drawn as the
#: client's (sending, receiving), never as the server's.
NICENESS = 5


def main() -> None:
    writer = take_stdout_for_frames()
    raise_open_file_limit()
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no nice on Windows
        os.nice(NICENESS)
    plan = LoadPlan.from_json(sys.stdin.buffer.readline())
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def watch_parent() -> None:
        # "stop" or end-of-file (the parent has gone) both end the run.
        for line in sys.stdin.buffer:
            if line.strip() == protocol.STOP_LINE:
                break
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_parent, name="schedviz-loadgen-stdin", daemon=True).start()
    generator = LoadGenerator(plan, writer.write)
    sent = loop.run_until_complete(generator.run(stop))
    writer.write({"t": "finished", "sent": sent, "stopped": stop.is_set()})
    # Not a normal exit: the stdin thread may hold stdin's lock, and interpreter
    # shutdown would then abort ("could not acquire lock ... at interpreter shutdown").
    os._exit(0)


if __name__ == "__main__":
    main()
