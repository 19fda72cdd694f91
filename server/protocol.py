"""The wire protocol between schedviz's processes: typed frames, and how they travel.

Both sides import this module (the server child, the load generator and the app),
so it imports nothing but the standard library: no FastAPI, no Qt.

Frames go from a child to its parent on the child's original stdout: a 4-byte
length, then the frame, a dict, marshalled. marshal is the fastest encoder in the
standard library for flat lists of ints (several times faster than json), which
matters because the server's shipper runs in the observed process and every
millisecond it holds the GIL is stolen from the handlers. The server may run on
another interpreter than the app (``--python``), so frames are written in marshal's
version 4, which every Python since 3.4 reads and writes alike for the dicts, lists,
ints and strings of a frame (3.14 writes version 5 by default). Commands go the
other way, one JSON object a line on the child's stdin.

Every timestamp is an integer from ``time.perf_counter_ns()``. On Linux, macOS and
Windows that clock is system-wide monotonic, so stamps taken in the server, the
load generator and the app share one axis without any clock alignment.
"""

from __future__ import annotations

import marshal
import os
import struct
import sys
import threading
from collections.abc import Iterator, Sequence
from enum import IntEnum
from typing import Any, BinaryIO, Final, Literal, TypedDict

#: Request id of a loop slice that ran for no request: server I/O, timers, ours.
NO_REQUEST: Final = 0
#: The id of AnyIO's worker pool (def endpoints, sync dependencies, run_in_threadpool);
#: the server gives other pools ids from 1 as it first sees them.
ANYIO_POOL: Final = 0
#: Kinds of pool, as a pool's description names them.
POOL_KINDS: Final = ("anyio", "asyncio-default", "thread", "process")

# -- events -------------------------------------------------------------------------------
#
# Events travel as flat lists of ints, one list per kind in an EventsFrame: each event
# is the fields of its layout laid end to end, ``WIDTH[kind]`` ints per event.
# Recording one is a single ``list.extend`` that leaves no GC-tracked object behind,
# and a flat list of ints marshals fast. Readers regroup them with :func:`rows`.
#   loop:   (start_ns, end_ns, request_id)           a callback the event loop ran
#   timer:  (start_ns, end_ns, request_id, due_ns)   a timer callback, with when it was due
#   worker: (request_id, dispatched_ns, start_ns, end_ns, cpu_ns, lane, core_wait_ns,
#            func, pool)
#           a run on a worker, when it ended; core_wait_ns is the time the thread was
#           runnable but waited for a core (the kernel's schedstat), -1 where unknown;
#           func is the label of what it ran (``get_db (enter)``), pool the pool's id
#           (0: AnyIO's; the others are described by an EventsFrame's ``pools``); the
#           lane of a process pool's run is the worker process's pid
#   wstart: (request_id, dispatched_ns, start_ns, lane, func, pool)
#           a run on a worker, when it starts: the live view draws it growing, and a
#           run that never ends (its client gave up, the trace ended) is still known
#   stack:  (start_ns, lane, stack, held_at, code, samples, caller)
#           where a slice of the loop (lane 0) or a run on a worker (its lane) that ran
#           past the sampling threshold was held: labels of its stack (frames innermost
#           first, one a line), of its innermost frame of the user's code, and of that
#           frame's line of code; ``samples`` is how many samples agreed; ``caller``
#           the label of the user's frame a library called to get there (the endpoint
#           of a slow helper), "" when that is the held frame itself
#   stamp:  (request_id, stamp_kind, t_ns)
#   gc:     (start_ns, end_ns, generation, lane)      a pause of the garbage collector;
#           lane 0 is the event loop's thread, k a worker's, -1 another thread
#   route:  (request_id, label, status)   when a request's handler ended: the route that
#           served it, an index into the labels the server has shipped (EventsFrame
#           ``labels``, in order), and the status it answered (0: none)

#: Ints per event of each kind, in an EventsFrame's flat lists.
WIDTH: Final = {
    "loop": 3,
    "timer": 4,
    "worker": 9,
    "wstart": 6,
    "stamp": 3,
    "gc": 4,
    "route": 3,
    "stack": 7,
}

# Stamp kinds, taken by the ASGI middleware.
SERVER_START: Final = 0  # the app got the request (headers parsed)
RESPONSE_START: Final = 1  # the app sent the status line and headers
RESPONSE_END: Final = 2  # the app sent the last byte of the body
#: The app returned: the handler is over, also when nobody was left to read its answer.
HANDLER_END: Final = 3
#: The loop sent the request's sync function to the threadpool (it may wait for a worker).
DISPATCHED: Final = 4


def rows(flat: Sequence[int], width: int) -> Iterator[tuple[Any, ...]]:
    """The events of one flat list of an EventsFrame, as tuples of ``width`` ints."""
    fields = iter(flat)
    return zip(*[fields] * width, strict=True)


# -- frames of the server -----------------------------------------------------------------

HELLO: Final = "hello"
EVENTS: Final = "events"
ACK: Final = "ack"
#: The app could not be loaded or started; the server exits after this frame.
FAILED: Final = "failed"


class HelloFrame(TypedDict):
    """The server is up, its app's lifespan started: where it listens, what it runs on,
    and the routes of the app it serves."""

    t: Literal["hello"]
    port: int
    #: The styles' upstream (0 when the user's app is hosted).
    upstream_port: int
    upstream_pid: int
    pid: int
    cpu_loops_per_ms: float
    #: Objects of start-up moved out of the collector's sight (gc.freeze()).
    gc_frozen: int
    versions: dict[str, str]
    #: The user's app (``module:attribute``), or "" for the built-in styles.
    app: str
    #: One object per route and method (see server.route_table.describe_routes).
    routes: list[dict[str, Any]]
    #: uvloop is installed where the app runs (and was not used: it cannot be traced).
    uvloop_installed: bool


class FailedFrame(TypedDict):
    """The app could not be served: ``stage`` is where it failed ("module", "attribute",
    "import", "factory", "not asgi", "lifespan", "port", ...); ``traceback`` is the
    user's code's own, or empty."""

    t: Literal["failed"]
    stage: str
    message: str
    traceback: str


class EventsFrame(TypedDict):
    """A batch of events. Every slice that ended before ``watermark`` has been shipped
    in this frame or an earlier one."""

    t: Literal["events"]
    watermark: int
    loop: list[int]
    timer: list[int]
    worker: list[int]
    wstart: list[int]
    stamp: list[int]
    gc: list[int]
    route: list[int]
    stack: list[int]
    #: Labels first seen since the last frame (routes, functions, stacks); an event's
    #: label is an index into every label shipped so far, in order.
    labels: list[str]
    #: Pools first seen since the last frame: [id, kind, name, capacity] each, kind one
    #: of "anyio", "asyncio-default", "thread", "process".
    pools: list[list[Any]]


class AckFrame(TypedDict, total=False):
    """The reply to a command: which one, and what it reports."""

    t: Literal["ack"]
    cmd: str
    run: int
    foreign: int
    numbered: int
    #: (flush) Requests of the run this process served, and the client connections
    #: they came on: how the kernel spread the load over several server processes.
    served: int
    connections: int


# -- commands to the server ---------------------------------------------------------------

#: {"cmd": "run", "run": K, "requests": N, "pool": P, "passive": bool}: run K of N
#: requests begins, on a threadpool of P. A passive run numbers the requests that name
#: no run itself, up to N. Acknowledged with {"t": "ack", "cmd": "run", "run": K}.
CMD_RUN: Final = "run"
#: {"cmd": "flush"}: ship everything the loop has done so far. Acknowledged with
#: {"t": "ack", "cmd": "flush", "foreign": n, "numbered": m}: requests that carried an
#: id not of the run, and (passive) the requests the server numbered.
CMD_FLUSH: Final = "flush"

# -- which run a request belongs to -------------------------------------------------------
#
# The load generator names each request with two headers: its id in the run (1..N) and
# the run's number. The server records a request's events under one int key, the run in
# the high bits: a handler of an earlier run that is still going (its client gave up)
# keeps its own run's key, and is never credited to request i of a later run.

REQUEST_ID_HEADER: Final = b"x-request-id"
RUN_HEADER: Final = b"x-schedviz-run"
#: Bits of a key that hold the request id; the run's number is above them.
KEY_BITS: Final = 32
REQUEST_MASK: Final = (1 << KEY_BITS) - 1


def request_key(run: int, request: int) -> int:
    """The key under which the server records the events of ``request`` of ``run``."""
    return run << KEY_BITS | request


# -- frames of the load generator ---------------------------------------------------------

START: Final = "start"
SENT: Final = "sent"
DONE: Final = "done"
FINISHED: Final = "finished"
#: The line on the load generator's stdin that cancels its run.
STOP_LINE: Final = b"stop"


class StartFrame(TypedDict):
    """The run starts now: ``t0`` is the zero of its time axis."""

    t: Literal["start"]
    t0: int


class SentFrame(TypedDict):
    """Requests that were sent: ``(request_id, sent_ns)`` each."""

    t: Literal["sent"]
    rows: list[tuple[int, int]]


class Outcome(IntEnum):
    """The final state of a request, as the client saw it: the last field of a done row."""

    OK = 0
    HTTP_ERROR = 1  # the server answered with a status of 400 or more
    TIMEOUT = 2
    CONNECTION = 3  # refused or reset
    CANCELLED = 4  # the run was stopped while it was in flight
    ERROR = 5  # anything else the client raised

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.OK: "ok",
    Outcome.HTTP_ERROR: "HTTP error",
    Outcome.TIMEOUT: "timeout",
    Outcome.CONNECTION: "connection failed",
    Outcome.CANCELLED: "cancelled",
    Outcome.ERROR: "error",
}


class DoneFrame(TypedDict):
    """Requests that ended: ``(request_id, sent_ns, received_ns, status, outcome)`` each."""

    t: Literal["done"]
    rows: list[tuple[int, int, int, int, int]]


class FinishedFrame(TypedDict):
    """The load generator is done and about to exit."""

    t: Literal["finished"]
    sent: int
    stopped: bool


ServerFrame = HelloFrame | EventsFrame | AckFrame | FailedFrame
ClientFrame = StartFrame | SentFrame | DoneFrame | FinishedFrame
Frame = ServerFrame | ClientFrame

# -- framing ------------------------------------------------------------------------------

_HEADER = struct.Struct("<I")
#: The marshal format frames are written in, whatever Python writes them (see above).
MARSHAL_VERSION: Final = 4
#: A frame larger than this is a corrupt stream, not a real batch.
MAX_FRAME_BYTES = 512 * 1024 * 1024


class CorruptStream(ValueError):
    """The bytes from a child are not frames: it printed to its frame channel, or died."""


def take_stdout_for_frames() -> FrameWriter:
    """Keep the real stdout for frames, and point fd 1 at stderr for everyone else.

    A library that prints (uvicorn's access log, a stray print) would otherwise
    corrupt the frame stream.
    """
    channel = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return FrameWriter(channel)


class FrameWriter:
    """Writes frames to a file descriptor; safe to call from several threads."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()

    def write(self, frame: Frame) -> None:
        payload = marshal.dumps(dict(frame), MARSHAL_VERSION)
        data = _HEADER.pack(len(payload)) + payload
        with self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]


class FrameReader:
    """Splits a byte stream into frames, keeping the bytes of a frame not yet complete."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        """The frames completed by ``data``; raises CorruptStream on bytes that are not."""
        self._buffer += data
        frames: list[Any] = []
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            if size > MAX_FRAME_BYTES:
                raise CorruptStream(f"corrupt trace stream: frame of {size} bytes")
            end = _HEADER.size + size
            if len(self._buffer) < end:
                break
            try:
                frame = marshal.loads(bytes(self._buffer[_HEADER.size : end]))
            except (ValueError, EOFError, TypeError) as error:
                raise CorruptStream(f"corrupt trace stream: {error}") from None
            if not isinstance(frame, dict) or not isinstance(frame.get("t"), str):
                raise CorruptStream(f"corrupt trace stream: a frame of type {type(frame)}")
            frames.append(frame)
            del self._buffer[:end]
        return frames


def read_frames(stream: BinaryIO) -> Iterator[Any]:
    """Yield the frames of a stream until it ends (the child exited or closed it)."""
    reader = FrameReader()
    while chunk := stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16):
        yield from reader.feed(chunk)
