"""RequestStampMiddleware: names the request and stamps its life on the server.

A pure ASGI middleware, not ``BaseHTTPMiddleware``: that one runs the app in a task
of its own, which would add loop slices that are ours, not the app's.
"""

from __future__ import annotations

from time import perf_counter_ns

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import protocol
from .context import current_request
from .recorder import TraceRecorder

REQUEST_ID_HEADER = b"x-request-id"


class RequestStampMiddleware:
    def __init__(self, app: ASGIApp, recorder: TraceRecorder) -> None:
        self.app = app
        self._stamp = recorder.stamp.extend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = _request_id(scope) if scope["type"] == "http" else protocol.NO_REQUEST
        if request == protocol.NO_REQUEST:
            await self.app(scope, receive, send)
            return
        stamp = self._stamp
        stamp((request, protocol.SERVER_START, perf_counter_ns()))
        current_request.set(request)

        async def stamped_send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                stamp((request, protocol.RESPONSE_START, perf_counter_ns()))
            await send(message)
            if kind == "http.response.body" and not message.get("more_body", False):
                stamp((request, protocol.RESPONSE_END, perf_counter_ns()))

        await self.app(scope, receive, stamped_send)


#: Request ids are positive and fit in 31 bits (runs have at most 1,000,000 requests);
#: anything else a stray client sends is not a request of ours.
MAX_REQUEST_ID = 2**31 - 1


def _request_id(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            if value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_REQUEST_ID:
                return int(value)
            return protocol.NO_REQUEST
    return protocol.NO_REQUEST
