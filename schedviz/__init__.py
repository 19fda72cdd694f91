"""schedviz's public Python interface: read a saved run.

``schedviz.read_trace(path)`` reads a trace file that schedviz wrote (Chrome Trace
Event Format, so Perfetto opens it too) into a RunTrace: the measured events of the
run in numpy columns. Every file it cannot use, however it is broken (truncated, not
JSON, nonsense such as a negative duration or an id out of range), raises
TraceFileError, a ValueError whose message names what is wrong; nothing else escapes.
"""

from __future__ import annotations

from visualizer.model.tracefile import TraceFileError, read_trace

__all__ = ["TraceFileError", "read_trace"]
