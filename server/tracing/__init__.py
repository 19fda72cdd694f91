"""Tracing of the observed server: loop slices, threadpool runs and request stamps."""

from .context import current_request
from .loop import LoopTracer
from .middleware import RequestStampMiddleware
from .recorder import TraceRecorder
from .run_gate import RunGate
from .threadpool import ThreadpoolTracer

__all__ = [
    "LoopTracer",
    "RequestStampMiddleware",
    "RunGate",
    "ThreadpoolTracer",
    "TraceRecorder",
    "current_request",
]
