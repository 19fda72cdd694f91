"""Tracing of the observed server: loop slices, threadpool runs and request stamps."""

from .context import current_request
from .gc_pauses import GcTracer
from .loop import LoopTracer
from .middleware import RequestStampMiddleware
from .recorder import TraceRecorder
from .run_gate import RunGate
from .thread_lanes import ThreadLanes
from .threadpool import ThreadpoolTracer

__all__ = [
    "GcTracer",
    "LoopTracer",
    "RequestStampMiddleware",
    "RunGate",
    "ThreadLanes",
    "ThreadpoolTracer",
    "TraceRecorder",
    "current_request",
]
