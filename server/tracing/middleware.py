"""RequestStampMiddleware: names the request and stamps its life on the server.

A pure ASGI middleware, not ``BaseHTTPMiddleware``: that one runs the app in a task
of its own, which would add loop slices that are ours, not the app's.
"""

from __future__ import annotations

from time import perf_counter_ns

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import protocol
from ..route_table import label_of_request
from .context import current_request
from .recorder import TraceRecorder
from .run_gate import RunGate


class RequestStampMiddleware:
    def __init__(self, app: ASGIApp, recorder: TraceRecorder, gate: RunGate) -> None:
        self.app = app
        self._stamp = recorder.stamp.extend
        self._route = recorder.route.extend
        self._label = recorder.label
        self._gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_http = scope["type"] == "http"
        request = self._gate.key_of(scope["headers"]) if is_http else protocol.NO_REQUEST
        if request == protocol.NO_REQUEST:
            await self.app(scope, receive, send)
            return
        self._gate.served_on(scope.get("client"))
        stamp = self._stamp
        stamp((request, protocol.SERVER_START, perf_counter_ns()))
        current_request.set(request)
        status = 0

        async def stamped_send(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "http.response.start":
                status = int(message.get("status", 0))
                stamp((request, protocol.RESPONSE_START, perf_counter_ns()))
            await send(message)
            if kind == "http.response.body" and not message.get("more_body", False):
                stamp((request, protocol.RESPONSE_END, perf_counter_ns()))

        try:
            await self.app(scope, receive, stamped_send)
        finally:
            # Also when the client left long ago: its handler ran until now.
            stamp((request, protocol.HANDLER_END, perf_counter_ns()))
            # The router left the route it chose in the scope: what served the request.
            self._route((request, self._label(label_of_request(scope)), status))
