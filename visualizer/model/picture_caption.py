"""The caption under a picture: what the run sent and on what it was measured.

A comparison of one style on two servers says both: "1 server process (top) against 2
(bottom)", "python 3.11.7 (top) and 3.13.1 free-threaded, GIL disabled (bottom)".
"""

from __future__ import annotations

from visualizer.model.analysis import RunResult
from visualizer.model.request_plan import describe_plan
from visualizer.model.settings import RunSettings


def picture_caption(result: RunResult, bottom: RunResult | None = None) -> str:
    """The load, the pool and the server of ``result`` (and how ``bottom``'s differed)."""
    s = result.trace.settings
    versions = result.trace.versions
    python = _python(versions)
    if bottom is not None and python and _python(bottom.trace.versions) != python:
        python = f"{python} (top) and {_python(bottom.trace.versions).removeprefix('python ')} "
        python += "(bottom)"
    stack = ", ".join(
        [python] * bool(python)
        + [f"{name} {versions[name]}" for name in ("fastapi", "uvicorn") if name in versions]
    )
    several = s.workers > 1 or (bottom is not None and bottom.trace.settings.workers > 1)
    servers = "real uvicorn servers" if several else "a real uvicorn server"
    measured = f"Measured on {servers} ({stack})" if stack else "Measured"
    processes = _processes(s)
    if bottom is not None and bottom.trace.settings.workers != s.workers:
        processes = (
            f" in each server process; {_count(s.workers)} (top) against "
            f"{bottom.trace.settings.workers} (bottom){_sockets(bottom.trace.settings)}"
        )
    return f"{_load(result)}, pool {s.pool}{processes}.  {measured} by schedviz."


def _load(result: RunResult) -> str:
    s = result.trace.settings
    if s.app is None:
        return f"concurrency {s.concurrency}, requests {s.requests:,}, work {s.work_ms:g} ms"
    if s.plan is None:
        count = result.summary.requests
        return f"a recording of what arrived, {count:,} request{'s' * (count != 1)}"
    plan = describe_plan(s.plan.requests)
    return f"{plan}; concurrency {s.concurrency}, requests {s.requests:,}"


def _python(versions: dict[str, str]) -> str:
    """``python 3.11.7``; a free-threaded build with its GIL, the question it answers."""
    if "python" not in versions:
        return ""
    if versions.get("build") == "free-threaded":
        return f"python {versions['python']} free-threaded, GIL {versions.get('gil', 'enabled')}"
    return f"python {versions['python']}"


def _processes(s: RunSettings) -> str:
    if s.workers <= 1:
        return ""
    return f" in each of {s.workers} server processes{_sockets(s)}"


def _sockets(s: RunSettings) -> str:
    if s.workers <= 1:
        return ""
    return " (a socket each, SO_REUSEPORT)" if s.reuse_port else " (one socket)"


def _count(workers: int) -> str:
    return f"{workers} server process{'es' * (workers != 1)}"
