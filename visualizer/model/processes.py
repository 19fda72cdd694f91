"""Server processes: with ``--workers N`` the run has N event loops and N sets of pools.

Each process numbers its own worker threads (1, 2, ...), its pools and its labels, so
its events are credited to it as they arrive: a loop slice carries its process in the
loop table's ``process`` column, and a worker's (or a pause's, or a sample's) thread
carries it in the bits above :data:`PROCESS_SHIFT`. Process 0's threads are numbered
as they always were, so a run of one process is exactly what it was before workers.

A process pool's worker is named by its pid, which fits below the shift: a pid is at
most 2**22 on Linux.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: A worker thread's process (0, 1, ...) above these bits, its own number below them.
PROCESS_SHIFT = 32
THREAD_MASK = (1 << PROCESS_SHIFT) - 1
#: The most server processes a run may have (the thread keys hold up to 255).
MAX_PROCESSES = 64


def fold(process: int, thread: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Threads of ``process`` as the trace keeps them; a negative one (no thread) stays."""
    if process == 0:
        return thread
    folded: npt.NDArray[np.int64] = np.where(
        thread >= 0, thread | np.int64(process << PROCESS_SHIFT), thread
    )
    return folded


def fold_one(process: int, thread: int) -> int:
    """One thread of ``process`` as the trace keeps it."""
    return thread | process << PROCESS_SHIFT if thread >= 0 else thread


def process_of(thread: Any) -> Any:
    """The process of a thread as the trace keeps it (an int or an array of them)."""
    return thread >> PROCESS_SHIFT


def local_thread(thread: Any) -> Any:
    """The thread's number within its process, as the server numbered it."""
    return thread & THREAD_MASK


@dataclass(frozen=True)
class ServerProcess:
    """One server process of the run: its pid, and how much of the run it took.

    ``served`` and ``connections`` are what the process counted itself (requests of the
    run, and the client connections they came on); -1 where it did not say.
    """

    index: int
    pid: int
    served: int = -1
    connections: int = -1

    def to_dict(self) -> dict[str, int]:
        return {
            "index": self.index,
            "pid": self.pid,
            "served": self.served,
            "connections": self.connections,
        }

    @classmethod
    def from_dict(cls, data: Any, index: int) -> ServerProcess:
        """A process from a trace file's metadata; ValueError if it is not one."""
        if not isinstance(data, dict):
            raise ValueError(f"process {index} is {data!r}, not an object")
        values = [data.get(key, -1) for key in ("pid", "served", "connections")]
        if data.get("index", index) != index or any(
            type(value) is not int or not -1 <= value < 2**31 for value in values
        ):
            raise ValueError(f"process {index} is {data!r}")
        return cls(index, *values)


def process_label(index: int, count: int, pid: int) -> str:
    """The heading of a process's lanes: ``server 2 (pid 4711)``; "" for a lone server.

    "server", not uvicorn's "worker": the lanes under it are its pool's workers
    ("worker 1"), and a reader must not take one for the other.
    """
    if count <= 1:
        return ""
    return f"server {index + 1}" + (f" (pid {pid})" if pid > 0 else "")


def requests_by_process(loop: npt.NDArray[Any], count: int) -> list[int]:
    """How many of the run's requests each process ran, from its loop slices: a request
    arrives on one connection, which one process accepted."""
    mine = loop[loop["request"] > 0]
    pairs = np.unique(np.stack([mine["request"], mine["process"]]), axis=1)
    counts = np.bincount(pairs[1], minlength=count) if pairs.size else np.zeros(count, int)
    return [int(n) for n in counts[:count]]


#: In a trace file, process 0 is pid 1 and the requests are pid 2 (as before workers);
#: server process k > 0 is pid 2 + k.
FIRST_SERVER_PID, REQUESTS_PID = 1, 2


def file_pid(process: int) -> int:
    """The ``pid`` of server process ``process``'s lanes in a trace file."""
    return FIRST_SERVER_PID if process == 0 else REQUESTS_PID + process


def file_pids(processes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    pids: npt.NDArray[np.int64] = np.where(
        processes == 0, FIRST_SERVER_PID, REQUESTS_PID + processes
    )
    return pids


def process_of_file_pid(pid: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Each server lane's process from its file pid (:func:`file_pid`'s inverse)."""
    process: npt.NDArray[np.int64] = np.where(pid == FIRST_SERVER_PID, 0, pid - REQUESTS_PID)
    return process


def process_names(processes: list[ServerProcess]) -> list[tuple[int, str]]:
    """The file's (pid, process_name) of each server process: "server" for a lone one,
    ``server 2 (pid 4711)`` for one of several."""
    if len(processes) <= 1:
        return [(FIRST_SERVER_PID, "server")]
    return [(file_pid(p.index), process_label(p.index, len(processes), p.pid)) for p in processes]


def request_processes(loop: npt.NDArray[Any], requests: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """The server process that ran each of ``requests`` (by its loop slices); 0 where
    none of its slices is known."""
    if len(loop) == 0 or not loop["process"].any():  # one process: no search needed
        return np.zeros(len(requests), np.int64)
    mine = loop[loop["request"] > 0]
    order = np.argsort(mine["request"], kind="stable")
    ids, processes = mine["request"][order], mine["process"][order]
    at = np.clip(np.searchsorted(ids, requests), 0, max(len(ids) - 1, 0))
    found = (at < len(ids)) & (ids[at] == requests) if len(ids) else np.zeros(len(requests), bool)
    known: npt.NDArray[np.int64] = np.where(found, processes[at] if len(ids) else 0, 0)
    return known.astype(np.int64)
