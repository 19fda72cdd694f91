"""RunTrace: the raw, measured events of one run, as they arrived, in columns.

Nothing here is derived: phases, lanes and figures are computed from a RunTrace by
the other model modules. A live run and a trace file both produce one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from visualizer.model.processes import ServerProcess, fold
from visualizer.model.settings import RunSettings

#: Chunks kept apart before they are joined into one.
MAX_CHUNKS = 256

SENT_DTYPE = np.dtype([("request", "i8"), ("sent", "i8")])
DONE_DTYPE = np.dtype(
    [("request", "i8"), ("sent", "i8"), ("received", "i8"), ("status", "i4"), ("outcome", "i1")]
)
#: A loop slice; ``process`` is the server process whose loop ran it (see model.processes).
LOOP_DTYPE = np.dtype(
    [("start", "i8"), ("end", "i8"), ("request", "i8"), ("due", "i8"), ("process", "i8")]
)
WORKER_DTYPE = np.dtype(
    [
        ("request", "i8"),
        ("dispatched", "i8"),
        ("start", "i8"),
        ("end", "i8"),
        ("cpu", "i8"),
        ("thread", "i8"),
        # Time the thread was runnable but waited for a core (ns); -1 where unknown.
        ("core_wait", "i8"),
        # What it ran (an index into RunTrace.labels, -1 unknown) and in which pool.
        ("func", "i4"),
        ("pool", "i4"),
    ]
)
#: A run on a worker as it started; its end, if it came, is a row of the worker table.
WORKER_START_DTYPE = np.dtype(
    [
        ("request", "i8"),
        ("dispatched", "i8"),
        ("start", "i8"),
        ("thread", "i8"),
        ("func", "i4"),
        ("pool", "i4"),
    ]
)
STAMP_DTYPE = np.dtype([("request", "i8"), ("kind", "i1"), ("t", "i8")])
#: A pause of the garbage collector; ``lane`` 0 is the loop's thread, k worker k's.
GC_DTYPE = np.dtype([("start", "i8"), ("end", "i8"), ("generation", "i8"), ("lane", "i8")])
#: The route that served a request (an index into ``RunTrace.labels``) and the
#: status it answered (0: no response), as the server saw them when its handler ended.
ROUTE_DTYPE = np.dtype([("request", "i8"), ("label", "i4"), ("status", "i4")])
#: Where a long loop slice (lane 0) or worker run (its thread) starting at ``start`` was
#: held: its stack, its innermost frame of the user's code and that frame's line (each
#: an index into RunTrace.labels), how many samples agreed, and the user's frame a
#: library called to get there (server.protocol's ``stack``).
STACK_DTYPE = np.dtype(
    [
        ("start", "i8"),
        ("lane", "i8"),
        ("stack", "i4"),
        ("held_at", "i4"),
        ("code", "i4"),
        ("samples", "i4"),
        ("caller", "i4"),
    ]
)


@dataclass(frozen=True)
class Pool:
    """A pool that ran work for the run: AnyIO's (id 0), the loop's default executor,
    another thread pool, or a process pool (whose lanes are its processes)."""

    id: int
    kind: str  # one of server.protocol.POOL_KINDS
    name: str
    capacity: int


ANYIO = Pool(0, "anyio", "AnyIO worker threads", 40)


def sorted_rows(rows: npt.NDArray[Any], first: str) -> npt.NDArray[Any]:
    """``rows`` in the order ``np.sort(rows, order=first)`` gives: by ``first``, then the rest.

    By np.lexsort on the columns: a structured sort compares whole rows through
    Python-level machinery, 4x slower, and holds Python's lock the whole time, so a
    worker thread sorting a big run froze the GUI thread (50-120 ms at 20,000 requests).
    """
    names = list(rows.dtype.names or ())
    keys = [rows[name] for name in reversed(names) if name != first] + [rows[first]]
    return rows[np.lexsort(keys)]


class EventTable:
    """Rows appended in batches, read as one structured numpy array."""

    def __init__(self, dtype: np.dtype[Any]) -> None:
        self.dtype = dtype
        self._chunks: list[npt.NDArray[Any]] = []
        self._whole: npt.NDArray[Any] | None = None

    def extend(self, rows: Sequence[tuple[int, ...]] | npt.NDArray[Any]) -> None:
        if len(rows) == 0:
            return
        if isinstance(rows, np.ndarray):
            chunk = rows.astype(self.dtype)
        elif len(rows[0]) < len(self.dtype.names or ()):
            # Rows of an older layout, without the fields added since: those are unknown.
            chunk = _structured(np.array(rows, np.int64), self.dtype)
        else:
            chunk = np.array(rows, self.dtype)
        self._chunks.append(chunk)
        self._whole = None
        if len(self._chunks) > MAX_CHUNKS:  # joined now and then, so that since() stays cheap
            self._chunks = [np.concatenate(self._chunks)]

    @property
    def rows(self) -> npt.NDArray[Any]:
        """All rows so far; joined once, then kept until the next extend."""
        if self._whole is None:
            self._whole = np.concatenate(self._chunks) if self._chunks else np.empty(0, self.dtype)
            self._chunks = [self._whole]
        return self._whole

    def since(self, start: int) -> npt.NDArray[Any]:
        """Rows from index ``start`` on, without joining the older ones.

        A live view reads what is new every frame; joining the whole table for that
        cost O(all rows) a frame (0.6 s of 2.1 s in a 20,000-request run).
        """
        if self._whole is not None:
            return self._whole[start:]
        tail, offset = [], 0
        for chunk in self._chunks:
            if offset + len(chunk) > start:
                tail.append(chunk[max(start - offset, 0) :])
            offset += len(chunk)
        return np.concatenate(tail) if tail else np.empty(0, self.dtype)

    def __len__(self) -> int:
        return sum(len(chunk) for chunk in self._chunks)


@dataclass
class RunTrace:
    """Everything measured in one run. Times are ``perf_counter_ns`` readings.

    ``t0`` is the moment the client started the run: every request is queued then.
    A trace read from a file has ``t0 == 0`` and times relative to it.
    """

    settings: RunSettings
    t0: int = 0
    sent: EventTable = field(default_factory=lambda: EventTable(SENT_DTYPE))
    done: EventTable = field(default_factory=lambda: EventTable(DONE_DTYPE))
    loop: EventTable = field(default_factory=lambda: EventTable(LOOP_DTYPE))
    worker: EventTable = field(default_factory=lambda: EventTable(WORKER_DTYPE))
    worker_start: EventTable = field(default_factory=lambda: EventTable(WORKER_START_DTYPE))
    stamp: EventTable = field(default_factory=lambda: EventTable(STAMP_DTYPE))
    gc: EventTable = field(default_factory=lambda: EventTable(GC_DTYPE))
    route: EventTable = field(default_factory=lambda: EventTable(ROUTE_DTYPE))
    stack: EventTable = field(default_factory=lambda: EventTable(STACK_DTYPE))
    #: The server's labels: routes (``GET /items/{item_id}``), what workers ran, stacks;
    #: route, worker and stack rows index it.
    labels: list[str] = field(default_factory=list)
    #: The pools that ran work, by id (AnyIO's is 0).
    pools: dict[int, Pool] = field(default_factory=lambda: {ANYIO.id: ANYIO})
    #: Where each entry of the run's plan goes, matched before the run (own app only):
    #: a request is named by it until the server says which route served it.
    planned_routes: list[str] = field(default_factory=list)
    #: The app's routes as the server described them (see server.route_table).
    routes: list[dict[str, Any]] = field(default_factory=list)
    #: Versions of Python and the server's libraries, from the server's hello.
    versions: dict[str, str] = field(default_factory=dict)
    #: How the run ended: "complete", "stopped", or what went wrong.
    ended: str = ""
    #: Requests that reached the server during the run naming an id not of the run
    #: (another process, an earlier run): counted, never drawn as the run's.
    foreign_requests: int = 0
    #: Whether the server stamped each handler's end (HANDLER_END): then a request
    #: with no end stamp is one whose handler was still running when the trace ended.
    handler_ends: bool = False
    #: The server processes of a run of several (``--workers``), in order; empty for one.
    processes: list[ServerProcess] = field(default_factory=list)
    #: When the session asked the server for the run's last events (ns, the servers'
    #: clock; 0: not yet). The loop's own callbacks from then on answer that request,
    #: ours, not the app's: the self-pipe woken for it was drawn as server I/O after
    #: the run, and stretched a 33 ms run's axis to 56 ms.
    flush_asked: int = 0

    def add_server_events(
        self,
        loop: npt.NDArray[np.int64],
        timer: npt.NDArray[np.int64],
        worker: npt.NDArray[np.int64],
        stamp: npt.NDArray[np.int64],
        gc: npt.NDArray[np.int64] | None = None,
        worker_start: npt.NDArray[np.int64] | None = None,
        route: npt.NDArray[np.int64] | None = None,
        stack: npt.NDArray[np.int64] | None = None,
        process: int = 0,
    ) -> None:
        """Keep the server events that belong to this run: rows of ints as laid out in
        :mod:`server.protocol`, request keys already turned into this run's ids, all
        of server process ``process`` (its threads are folded in, see model.processes).

        Slices that ended before the run started are the idle server's, and slices
        of request -1 are our own control callbacks, as are the server's own after the
        flush was asked (``flush_asked``): none is part of the run.
        """
        t0 = self.t0
        slices = np.zeros(len(loop) + len(timer), LOOP_DTYPE)
        for name, column in (("start", 0), ("end", 1), ("request", 2)):
            slices[name] = np.concatenate([loop[:, column], timer[:, column]])
        slices["due"][len(loop) :] = timer[:, 3]
        slices["process"] = process
        if process:
            worker, gc, worker_start, stack = _of_process(process, worker, gc, worker_start, stack)
        ours = (
            (slices["request"] == 0)
            & (self.flush_asked > 0)
            & (slices["start"] >= self.flush_asked)
        )
        self.loop.extend(slices[(slices["end"] > t0) & (slices["request"] >= 0) & ~ours])
        in_run = (worker[:, 3] > t0) & (worker[:, 0] >= 0)
        self.worker.extend(_structured(worker[in_run], WORKER_DTYPE))
        if worker_start is not None:
            # A request's run counts even if it started before t0 (its end is what shows
            # whether it is the run's); a run for no request counts from t0.
            requested, late = worker_start[:, 0], worker_start[:, 2] > t0
            in_run = (requested > 0) | ((requested == 0) & late)
            self.worker_start.extend(_structured(worker_start[in_run], WORKER_START_DTYPE))
        in_run = (stamp[:, 2] > t0) & (stamp[:, 0] > 0)
        self.stamp.extend(_structured(stamp[in_run], STAMP_DTYPE))
        if gc is not None:
            self.gc.extend(_structured(gc[gc[:, 1] > t0], GC_DTYPE))
        if route is not None:
            self.route.extend(_structured(route[route[:, 0] > 0], ROUTE_DTYPE))
        if stack is not None:
            self.stack.extend(_structured(stack, STACK_DTYPE))


def _of_process(
    process: int, worker: Any, gc: Any, worker_start: Any, stack: Any
) -> tuple[Any, Any, Any, Any]:
    """Rows with their threads (lanes) folded into ``process``'s."""
    worker = worker.copy()
    worker[:, 5] = fold(process, worker[:, 5])
    if gc is not None:
        gc = gc.copy()
        gc[:, 3] = fold(process, gc[:, 3])
    if worker_start is not None:
        worker_start = worker_start.copy()
        worker_start[:, 3] = fold(process, worker_start[:, 3])
    if stack is not None:
        stack = stack.copy()
        stack[:, 1] = fold(process, stack[:, 1])
    return worker, gc, worker_start, stack


def _structured(rows: npt.NDArray[np.int64], dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """A 2-D int array's rows as a structured array of ``dtype``, column by field.

    Fields past the array's columns (a worker row without its core wait) are -1: unknown,
    but for a pool, which is AnyIO's (0): the only one traced before pools were, and a
    loop slice's process, the first (0): the only one before workers.
    """
    table = np.full(len(rows), -1, dtype)
    if "pool" in (dtype.names or ()):
        table["pool"] = 0
    if "process" in (dtype.names or ()):  # a loop slice of the one server process
        table["process"] = 0
    for column, name in enumerate((dtype.names or ())[: rows.shape[1]]):
        table[name] = rows[:, column]
    return table
