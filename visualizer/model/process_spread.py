"""How a run's load spread over its server processes (``--workers N``), in figures and words.

A worker process serves the connections it accepted, and a client keeps its connection
for request after request: so the kernel's choice of process for each new connection
decides the spread. With one listening socket shared by all workers (uvicorn's way)
it goes to whichever loop accepts first, and one worker may take nearly all of them;
with a socket per worker on one port (SO_REUSEPORT) the kernel spreads them by a hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from visualizer.model.processes import process_label, request_processes
from visualizer.model.trace import RunTrace


@dataclass(frozen=True)
class ProcessShare:
    """One server process's part of the run: the requests its loop ran (from the trace),
    and the client connections it accepted (its own count; -1 where unknown)."""

    index: int
    pid: int
    requests: int
    connections: int
    #: Its own AnyIO pool (P tokens in each process): the workers it used, the requests
    #: that found all of its tokens taken, and the longest wait for one.
    workers_used: int = 0
    pool_waited: int = 0
    pool_wait_max_ms: float = 0.0

    @property
    def name(self) -> str:
        return process_label(self.index, 2, self.pid)


@dataclass(frozen=True)
class Spread:
    shares: list[ProcessShare]
    #: Each process listened with a socket of its own (SO_REUSEPORT), not one shared.
    reuse_port: bool

    @property
    def requests(self) -> int:
        return sum(share.requests for share in self.shares)

    @property
    def connections(self) -> int:
        """Connections in all, or -1 where a process did not count its own."""
        if any(share.connections < 0 for share in self.shares):
            return -1
        return sum(share.connections for share in self.shares)

    @property
    def pool_waited(self) -> bool:
        return any(share.pool_waited for share in self.shares)

    def workers_used(self) -> str:
        """``2 and 1``: the workers each process's pool used."""
        return _and(f"{share.workers_used:,}" for share in self.shares)

    @property
    def busiest(self) -> ProcessShare:
        return max(self.shares, key=lambda share: (share.requests, -share.index))

    def sentences(self) -> list[str]:
        """What the spread was, and why, for the run's story."""
        count = len(self.shares)
        requests = _and(f"{share.requests:,}" for share in self.shares)
        head = (
            f"{count} server processes shared the port; they ran {requests} of the "
            f"{self.requests:,} requests"
        )
        connections = self.connections
        if connections > 0:
            each = _and(f"{share.connections:,}" for share in self.shares)
            head += f" and accepted {each} of the {connections:,} connections"
        lines = [head + "."]
        busiest = self.busiest
        even = self.requests / count if count else 0
        if self.requests and busiest.requests >= 1.5 * even:
            share = busiest.requests / self.requests
            how = (
                "a socket per worker (SO_REUSEPORT) spreads connections by a hash, "
                "so few connections can still fall unevenly"
                if self.reuse_port
                else "one listening socket shared by every worker, as uvicorn --workers "
                "shares it, hands each new connection to whichever worker accepts first, "
                "and a client keeps its connection; --reuse-port gives each worker a "
                "socket of its own"
            )
            lines.append(f"{busiest.name.capitalize()} ran {share:.0%} of the requests: {how}.")
        return lines


def _and(items: Iterable[str]) -> str:
    """``1, 2 and 3``."""
    words = list(items)
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def spread_of(trace: RunTrace) -> Spread | None:
    """The run's spread over its server processes; None for a run of one."""
    loop = trace.loop.rows
    count = max(len(trace.processes), int(loop["process"].max()) + 1 if len(loop) else 1)
    if count <= 1:
        return None
    requests = np.unique(trace.sent.rows["request"])
    ran = request_processes(loop, requests)
    # A request none of whose slices is known (it failed before the server had it) is
    # nobody's, not the first process's.
    has_slices = np.isin(requests, loop["request"][loop["request"] > 0])
    counts = np.bincount(ran[has_slices], minlength=count)
    known = {process.index: process for process in trace.processes}
    shares = [
        ProcessShare(
            index,
            known[index].pid if index in known else 0,
            int(counts[index]),
            known[index].connections if index in known else -1,
        )
        for index in range(count)
    ]
    return Spread(shares, trace.settings.reuse_port)
