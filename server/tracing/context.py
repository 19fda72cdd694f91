"""The request a piece of server code runs for, as a context variable.

The ASGI middleware sets it in the request's task; asyncio copies a task's context
into every callback it schedules, and AnyIO copies it into the worker thread, so
each loop slice and each threadpool run can be attributed to its request.
"""

from __future__ import annotations

from contextvars import ContextVar

from ..protocol import NO_REQUEST

current_request: ContextVar[int] = ContextVar("schedviz_request", default=NO_REQUEST)
