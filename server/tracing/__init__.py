"""Tracing of the observed server: loop slices, threadpool runs and request stamps."""

from server.tracing.context import current_request
from server.tracing.loop import LoopTracer
from server.tracing.middleware import RequestStampMiddleware
from server.tracing.recorder import TraceRecorder
from server.tracing.threadpool import ThreadpoolTracer

__all__ = [
    "LoopTracer",
    "RequestStampMiddleware",
    "ThreadpoolTracer",
    "TraceRecorder",
    "current_request",
]
