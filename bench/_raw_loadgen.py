"""A minimal load generator on raw asyncio streams: the yardstick for bench/load.py.

It speaks the load generator's protocol (plan on stdin; start, sent, done and
finished frames on stdout) and keeps what the real one keeps (one connection per
sender, one warm-up per connection and per route, the run-identity headers, the
same stamps) but writes each request as fixed bytes and reads the response with
``readuntil``/``readexactly``: no HTTP library, no timeouts, no error handling
beyond "it failed". What it achieves is what a client that costs almost nothing
gets from the server; bench/load.py runs the real one beside it.

Started by bench/load.py in place of ``visualizer.runner.loadgen``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from time import perf_counter_ns
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server._limits import raise_open_file_limit
from server.protocol import Outcome, take_stdout_for_frames
from server.routes import route_for
from visualizer.runner.loadgen import LoadGenerator
from visualizer.runner.loadplan import LoadPlan


class RawLoadGenerator(LoadGenerator):
    async def run(self, stop: asyncio.Event) -> int:
        plan = self.plan
        connections = [
            await asyncio.open_connection("127.0.0.1", plan.port)
            for _ in range(min(plan.concurrency, plan.requests))
        ]
        await asyncio.gather(
            *(self._warm(r, w, first=i == 0) for i, (r, w) in enumerate(connections))
        )
        self._emit({"t": "start", "t0": perf_counter_ns()})
        emitter = asyncio.create_task(self._emit_periodically())
        await asyncio.gather(*(self._send_raw(r, w) for r, w in connections))
        emitter.cancel()
        for _, writer in connections:
            writer.close()
        self._emit_pending()
        return self.sent_count

    def _head(self, path: str, request: int, work_ms: str) -> bytes:
        return (
            f"GET {path}?work_ms={work_ms} HTTP/1.1\r\nhost: 127.0.0.1:{self.plan.port}\r\n"
            f"x-request-id: {request}\r\nx-schedviz-run: {self.plan.run}\r\n\r\n"
        ).encode()

    async def _warm(self, reader: Any, writer: Any, first: bool) -> None:
        for path in self._routes() if first else ["/schedviz-warm-up"]:
            writer.write(self._head(path, 0, "0").replace(b"x-request-id: 0\r\n", b""))
            await _read_response(reader)

    async def _send_raw(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        p = self.plan
        work_ms = f"{p.work_ms:g}"
        while (request := next(self._ids)) <= p.requests:
            path = route_for(p.style, request, p.concurrency, p.requests, p.fail_every)
            head = self._head(path, request, work_ms)
            self.sent_count += 1
            sent = perf_counter_ns()
            self._sent.append((request, sent))
            writer.write(head)
            try:
                status = await _read_response(reader)
                outcome = Outcome.OK if status < 400 else Outcome.HTTP_ERROR
            except (OSError, asyncio.IncompleteReadError):
                status, outcome = 0, Outcome.CONNECTION
            self._done.append((request, sent, perf_counter_ns(), status, int(outcome)))


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    await reader.readexactly(length)
    return int(head[9:12])


def main() -> None:
    writer = take_stdout_for_frames()
    raise_open_file_limit()
    plan = LoadPlan.from_json(sys.stdin.buffer.readline())
    generator = RawLoadGenerator(plan, writer.write)
    sent = asyncio.run(generator.run(asyncio.Event()))
    writer.write({"t": "finished", "sent": sent, "stopped": False})
    os._exit(0)


if __name__ == "__main__":
    main()
