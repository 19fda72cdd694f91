"""StreamTransport: httpx's transport interface over one asyncio stream connection.

httpx's own transport goes through httpcore, h11 and anyio, and wraps every read
and write in a cancel scope for its timeouts. At concurrency 1,000 that machinery,
not the server, set the pace of a run (measured: 739 us of client CPU a request,
80% of it there). The load generator speaks a narrow dialect of HTTP/1.1 to a
server it started itself, so it needs only a request writer and a response reader,
here on plain asyncio streams. ``httpx.AsyncClient`` stays the API on top.

One transport holds one keep-alive connection and sends one request at a time, as
each of the load generator's senders does. Its deadlines are kept by a
:class:`DeadlineWatchdog` shared by every transport, not by a timer per request.

It stamps what only it can see: ``on_sent`` is called just before the request's
bytes are written, and the response's ``extensions["received_ns"]`` is taken once
its whole body has been read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import perf_counter_ns

import httpx

from visualizer.runner.deadline_watchdog import DeadlineWatchdog

#: Called with the request and the clock just before its bytes go to the socket.
OnSent = Callable[[httpx.Request, int], None]

#: Statuses whose responses never carry a body (RFC 9110), and HEAD's.
_NO_BODY_STATUS = frozenset({204, 304})


class StreamTransport(httpx.AsyncBaseTransport):
    """One HTTP/1.1 keep-alive connection; ``httpx`` errors for every failure."""

    def __init__(self, watchdog: DeadlineWatchdog, timeout_s: float, on_sent: OnSent) -> None:
        self._watchdog = watchdog
        self._timeout_ns = int(timeout_s * 1e9)
        self._on_sent = on_sent
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        #: Set by the watchdog when the request in flight ran out of time.
        self.expired = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.expired = False
        self._watchdog.watch(self, perf_counter_ns() + self._timeout_ns)
        try:
            return await self._exchange(request)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            self._close()
            if self.expired:
                raise httpx.ReadTimeout("no response within the timeout", request=request) from None
            raise httpx.ReadError(str(error) or type(error).__name__, request=request) from error
        except BaseException:
            # Cancelled, or a malformed response: the connection's state is unknown.
            self._close()
            raise
        finally:
            self._watchdog.forget(self)

    def expire(self) -> None:
        """The watchdog's verdict: end the request in flight with a timeout."""
        self.expired = True
        if self._writer is not None:
            # The pending read ends at once (end of stream) and reports the timeout.
            self._writer.transport.abort()

    async def aclose(self) -> None:
        self._close()

    async def connect(self, host: str, port: int) -> None:
        """Open the connection ahead of the first request (OSError if it cannot be)."""
        self._close()
        self._reader, self._writer = await asyncio.open_connection(host, port)

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        if self._writer is None or self._writer.is_closing():
            await self._connect(request)
        assert self._reader is not None and self._writer is not None
        body = await request.aread()
        head = _request_head(request, len(body))
        self._on_sent(request, perf_counter_ns())
        self._writer.write(head + body if body else head)
        status, reason, headers, keep_alive, length, chunked = _parse_head(
            await self._reader.readuntil(b"\r\n\r\n")
        )
        if request.method == "HEAD" or status in _NO_BODY_STATUS or 100 <= status < 200:
            content = b""
        elif chunked:
            content = await _read_chunked(self._reader)
        elif length is not None:
            content = await self._reader.readexactly(length)
        else:
            content, keep_alive = await self._reader.read(), False
        received = perf_counter_ns()
        if not keep_alive:
            self._close()
        return httpx.Response(
            status,
            headers=headers,
            stream=httpx.ByteStream(content),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": reason,
                "received_ns": received,
            },
        )

    async def _connect(self, request: httpx.Request) -> None:
        self._close()
        url = request.url
        connecting = asyncio.open_connection(url.host, url.port or 80)
        remaining_s = max(self._watchdog.remaining_ns(self), 0) / 1e9
        try:
            # The watchdog cannot abort a socket that does not exist yet.
            self._reader, self._writer = await asyncio.wait_for(connecting, remaining_s)
        except TimeoutError:
            raise httpx.ConnectTimeout(
                "no connection within the timeout", request=request
            ) from None
        except OSError as error:
            raise httpx.ConnectError(str(error), request=request) from error

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.transport.abort()
        self._reader = self._writer = None


def _request_head(request: httpx.Request, body_length: int) -> bytes:
    target = request.url.raw_path
    lines = [request.method.encode("ascii") + b" " + target + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in request.headers.raw]
    if body_length and "content-length" not in request.headers:
        lines.append(b"content-length: %d" % body_length)
    return b"\r\n".join(lines) + b"\r\n\r\n"


_Head = tuple[int, bytes, list[tuple[bytes, bytes]], bool, int | None, bool]


def _parse_head(head: bytes) -> _Head:
    """Status, reason, headers, keep-alive, content length (or None), chunked."""
    status_line, *header_lines = head[:-4].split(b"\r\n")
    version, _, rest = status_line.partition(b" ")
    code, _, reason = rest.partition(b" ")
    if not version.startswith(b"HTTP/1.") or not code.isdigit():
        raise httpx.RemoteProtocolError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    headers: list[tuple[bytes, bytes]] = []
    keep_alive, length, chunked = version == b"HTTP/1.1", None, False
    for line in header_lines:
        name, _, value = line.partition(b":")
        value = value.strip()
        headers.append((name, value))
        lowered = name.lower()
        if lowered == b"content-length":
            length = int(value)
        elif lowered == b"transfer-encoding":
            chunked = value.lower().endswith(b"chunked")
        elif lowered == b"connection":
            keep_alive = value.lower() != b"close"
    return int(code), reason, headers, keep_alive, length, chunked


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
    # Trailers, if any, end with an empty line.
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass
    return b"".join(parts)
