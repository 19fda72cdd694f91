"""Tracing of the observed server: loop slices, threadpool runs and request stamps."""

from .context import current_request
from .executor_pools import ExecutorTracer
from .gc_pauses import GcTracer
from .loop import LoopTracer
from .middleware import RequestStampMiddleware
from .recorder import TraceRecorder
from .run_gate import RunGate
from .stack_sampler import StackSampler
from .thread_lanes import ThreadLanes
from .threadpool import ThreadpoolTracer, WorkerRunRecorder

__all__ = [
    "ExecutorTracer",
    "GcTracer",
    "LoopTracer",
    "RequestStampMiddleware",
    "RunGate",
    "StackSampler",
    "ThreadLanes",
    "ThreadpoolTracer",
    "TraceRecorder",
    "WorkerRunRecorder",
    "current_request",
]
