"""The trace event schema shared by the server, the load generator and the visualizer.

Every timestamp is an integer from ``time.perf_counter_ns()``. On Linux, macOS and
Windows that clock is system-wide monotonic, so stamps taken in the server, the
load generator and the app share one axis without any clock alignment.

Events travel as flat lists of ints, in frames (see :mod:`server.channel`): each
event is the fields of its layout below laid end to end, ``WIDTH[kind]`` ints per
event. Recording one is a single ``list.extend`` that leaves no GC-tracked object
behind, and a flat list of ints marshals fast in the shipper. Readers regroup them
with :func:`rows`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

#: Request id of a loop slice that ran for no request: server I/O, timers, ours.
NO_REQUEST: Final = 0

# Frame types (the value of a frame's "t" key).
HELLO: Final = "hello"  # port, upstream_port, pid, upstream_pid, versions
EVENTS: Final = "events"  # watermark, loop, timer, worker, stamp
ACK: Final = "ack"  # reply to a command: cmd, and what it reports

# Event layouts, one flat list per kind inside an EVENTS frame.
#   loop:   (start_ns, end_ns, request_id)           a callback the event loop ran
#   timer:  (start_ns, end_ns, request_id, due_ns)   a timer callback, with when it was due
#   worker: (request_id, dispatched_ns, start_ns, end_ns, cpu_ns, thread_key)
#   stamp:  (request_id, stamp_kind, t_ns)
# The watermark is a clock reading taken before the lists were cut: every slice that
# ended before it has been shipped in this frame or an earlier one.

#: Ints per event of each kind, in an EVENTS frame's flat lists.
WIDTH: Final = {"loop": 3, "timer": 4, "worker": 6, "stamp": 3}


def rows(flat: Sequence[int], width: int) -> Iterator[tuple[Any, ...]]:
    """The events of one flat list of an EVENTS frame, as tuples of ``width`` ints."""
    fields = iter(flat)
    return zip(*[fields] * width, strict=True)


# Stamp kinds, taken by the ASGI middleware.
SERVER_START: Final = 0  # the app got the request (headers parsed)
RESPONSE_START: Final = 1  # the app sent the status line and headers
RESPONSE_END: Final = 2  # the app sent the last byte of the body

# Commands the parent writes to the server's stdin, one JSON object a line.
CMD_POOL: Final = "pool"  # {"cmd": "pool", "size": P}: set the threadpool size
CMD_FLUSH: Final = "flush"  # {"cmd": "flush"}: ship everything the loop has done so far

#: The endpoint styles, in the order the app lists them. Their handlers and what
#: each shows are in :mod:`server.styles`; the names live here so that readers of
#: traces need not import the server's web stack.
STYLE_NAMES: Final = (
    "async_sleep",
    "sync_sleep",
    "async_blocking",
    "async_cpu",
    "sync_cpu",
    "async_offload",
    "async_http",
    "sync_http_in_async",
    "sync_http",
    "mixed",
)
