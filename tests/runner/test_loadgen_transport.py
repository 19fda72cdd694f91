"""The load generator on its own transport: outcomes and stamps as the trace needs them.

Each test runs the real LoadGenerator (httpx.AsyncClient over StreamTransport, the
deadline watchdog) in this process against a small asyncio server that answers as
the test tells it to: no child process, so no ``live`` mark.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from time import perf_counter_ns
from typing import Any

import httpx
import pytest

from server.protocol import Outcome
from visualizer.runner.deadline_watchdog import DeadlineWatchdog
from visualizer.runner.loadgen import LoadGenerator
from visualizer.runner.loadplan import LoadPlan
from visualizer.runner.stream_transport import StreamTransport

#: Answers one request of the run (the head as read) on the server side.
Answer = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]

OK_RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok"


class Recorded:
    def __init__(self) -> None:
        self.frames: list[Any] = []
        #: perf_counter_ns() when the server had a run request's whole head.
        self.head_read_at: dict[int, int] = {}
        #: perf_counter_ns() just after the server wrote a run request's last byte.
        self.last_byte_at: dict[int, int] = {}

    def rows(self, kind: str) -> list[tuple[int, ...]]:
        return [tuple(row) for f in self.frames if f["t"] == kind for row in f["rows"]]

    def sent(self) -> dict[int, int]:
        """Request id -> its sent stamp, from the sent rows."""
        return {request: stamp for request, stamp in self.rows("sent")}


def run_load(
    answer: Answer,
    requests: int = 3,
    concurrency: int = 1,
    timeout_s: float = 5.0,
    stop_after_s: float | None = None,
    port: int | None = None,
) -> Recorded:
    recorded = Recorded()
    connections: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                request = _request_id(head)
                if request == 0:  # warm-up: not part of the run
                    writer.write(OK_RESPONSE)
                    continue
                recorded.head_read_at[request] = perf_counter_ns()
                await answer(head, writer)
                await writer.drain()
                recorded.last_byte_at[request] = perf_counter_ns()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        plan = LoadPlan(
            port=port or server.sockets[0].getsockname()[1],
            run=7,
            style="async_sleep",
            concurrency=concurrency,
            requests=requests,
            work_ms=50,
            timeout_s=timeout_s,
        )
        stop = asyncio.Event()
        if stop_after_s is not None:
            asyncio.get_running_loop().call_later(stop_after_s, stop.set)
        async with server:
            await LoadGenerator(plan, recorded.frames.append).run(stop)
            for writer in connections:  # handlers still asleep hold theirs open
                writer.transport.abort()
            await asyncio.sleep(0)

    asyncio.run(main())
    return recorded


def _request_id(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.lower() == b"x-request-id":
            return int(value)
    return 0


def outcomes(recorded: Recorded) -> list[tuple[int, Outcome]]:
    return sorted((row[0], Outcome(row[4])) for row in recorded.rows("done"))


async def answer_ok(head: bytes, writer: asyncio.StreamWriter) -> None:
    writer.write(OK_RESPONSE)


def test_every_request_is_sent_once_with_its_identity_and_ends_ok() -> None:
    heads: list[bytes] = []

    async def answer(head: bytes, writer: asyncio.StreamWriter) -> None:
        heads.append(head)
        writer.write(OK_RESPONSE)

    recorded = run_load(answer, requests=5, concurrency=2)
    assert outcomes(recorded) == [(i, Outcome.OK) for i in range(1, 6)]
    assert sorted(row[0] for row in recorded.rows("sent")) == [1, 2, 3, 4, 5]
    assert {row[3] for row in recorded.rows("done")} == {200}
    for head in heads:
        assert head.startswith(b"GET /async_sleep?work_ms=50 HTTP/1.1\r\n")
        assert b"\r\nx-schedviz-run: 7\r\n" in head
        assert b"\r\nhost: 127.0.0.1:" in head.lower()


def test_sent_is_stamped_before_the_server_reads_and_received_after_the_last_byte() -> None:
    async def answer_in_two_parts(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nab")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"cd")

    recorded = run_load(answer_in_two_parts)
    sent = recorded.sent()
    for request, sent_in_done, received, status, outcome in recorded.rows("done"):
        assert (status, outcome) == (200, Outcome.OK)
        assert sent_in_done == sent[request]
        assert sent[request] <= recorded.head_read_at[request]
        # Received only once the whole body is in: after the second part was written.
        assert received >= recorded.last_byte_at[request] - 1_000_000  # 1 ms: the write's own stamp
        assert received - sent[request] >= 50_000_000


def test_a_chunked_body_and_a_closed_connection_are_read_to_the_end() -> None:
    async def answer_chunked_then_close(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            b"2\r\nok\r\n3;ext=1\r\n!!!\r\n0\r\n\r\n"
        )
        await writer.drain()
        writer.close()

    recorded = run_load(answer_chunked_then_close, requests=3)
    # The transport opened a new connection after each "connection: close".
    assert outcomes(recorded) == [(i, Outcome.OK) for i in (1, 2, 3)]


def test_a_status_of_400_or_more_is_an_http_error_with_its_status() -> None:
    async def answer_500(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n")

    recorded = run_load(answer_500, requests=2)
    assert outcomes(recorded) == [(1, Outcome.HTTP_ERROR), (2, Outcome.HTTP_ERROR)]
    assert {row[3] for row in recorded.rows("done")} == {500}


def test_a_server_that_never_answers_ends_each_request_as_a_timeout() -> None:
    async def never(head: bytes, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3600)

    recorded = run_load(never, requests=2, concurrency=2, timeout_s=0.2)
    assert outcomes(recorded) == [(1, Outcome.TIMEOUT), (2, Outcome.TIMEOUT)]
    for request, sent, received, status, _ in recorded.rows("done"):
        # Not before the timeout, and at most one watchdog tick (plus a loaded machine) after.
        assert 0.2 <= (received - sent) / 1e9 < 2.0, request
        assert status == 0


def test_a_connection_reset_mid_response_is_a_connection_failure() -> None:
    async def hang_up(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part")
        await writer.drain()
        writer.transport.abort()

    recorded = run_load(hang_up, requests=2)
    assert outcomes(recorded) == [(1, Outcome.CONNECTION), (2, Outcome.CONNECTION)]


def test_a_refused_connection_is_a_connection_failure_and_still_counts_as_sent() -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    recorded = run_load(answer_ok, requests=3, port=closed_port)
    assert outcomes(recorded) == [(i, Outcome.CONNECTION) for i in (1, 2, 3)]
    sent = recorded.sent()
    assert sorted(sent) == [1, 2, 3]
    for request, sent_in_done, received, *_ in recorded.rows("done"):
        assert sent_in_done == sent[request] <= received


def test_stopping_mid_run_ends_requests_in_flight_as_cancelled() -> None:
    async def slow(head: bytes, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3600)

    recorded = run_load(slow, requests=10, concurrency=2, stop_after_s=0.2)
    assert outcomes(recorded) == [(1, Outcome.CANCELLED), (2, Outcome.CANCELLED)]
    assert sorted(row[0] for row in recorded.rows("sent")) == [1, 2]


def test_the_watchdog_expires_only_what_is_overdue() -> None:
    expired: list[str] = []

    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

        def expire(self) -> None:
            expired.append(self.name)

    async def main() -> None:
        watchdog = DeadlineWatchdog(timeout_s=0.1)
        now = perf_counter_ns()
        late, on_time, forgotten = Named("late"), Named("on time"), Named("forgotten")
        watchdog.watch(late, now + 20_000_000)
        watchdog.watch(on_time, now + 60_000_000_000)
        watchdog.watch(forgotten, now + 20_000_000)
        watchdog.forget(forgotten)
        await asyncio.sleep(0.2)
        await watchdog.close()

    asyncio.run(main())
    assert expired == ["late"]


def test_a_malformed_status_line_is_a_protocol_error() -> None:
    async def main() -> None:
        async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"SMTP ready\r\n\r\n")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(garbage, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        watchdog = DeadlineWatchdog(timeout_s=5)
        transport = StreamTransport(watchdog, 5, lambda request, ns: None)
        async with server, httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get(f"http://127.0.0.1:{port}/")
        await watchdog.close()

    asyncio.run(main())
