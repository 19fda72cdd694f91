"""RunGate: which requests belong to the run in progress, and how many came from elsewhere.

Any local process can talk to the server: a browser, curl, a stray script, or a
handler of an earlier run whose client gave up long ago. Only a request whose headers
name the run in progress and an id within it is that run's; the others are counted,
never trusted (DESIGN.md, Request identity).

A passive run has no load generator: it traces whatever arrives (a browser, curl,
the user's own tests). There a request that names no run is the run's, numbered by
the server in the order the requests arrive.
"""

from __future__ import annotations

from ..protocol import NO_REQUEST, REQUEST_ID_HEADER, RUN_HEADER, request_key

#: An id or run number longer than this is not one of ours (runs have at most 1,000,000
#: requests), and parsing it would cost more than it is worth.
MAX_DIGITS = 10


class RunGate:
    """Set by the ``run`` command; consulted by the middleware for every request."""

    def __init__(self) -> None:
        self.run = 0
        self.requests = 0
        #: Requests since the run began that named an id, but not one of this run.
        self.foreign = 0
        self.passive = False
        #: In a passive run, the requests numbered so far.
        self.numbered = 0
        #: Requests of the run this process served, and the client connections (address,
        #: port) they came on: with several server processes, how the kernel spread them.
        self.served = 0
        self.clients: set[object] = set()

    def open(self, run: int, requests: int, passive: bool = False) -> None:
        self.run, self.requests, self.foreign = run, requests, 0
        self.passive, self.numbered = passive, 0
        self.served, self.clients = 0, set()

    def served_on(self, client: object) -> None:
        """A request of the run came in on the connection from ``client`` (host, port)."""
        self.served += 1
        self.clients.add(client)

    def key_of(self, headers: list[tuple[bytes, bytes]]) -> int:
        """The key to record a request under: its run and id, or NO_REQUEST."""
        request = run = None
        for name, value in headers:
            if name == REQUEST_ID_HEADER:
                request = _number(value)
            elif name == RUN_HEADER:
                run = _number(value)
        if request is None and run is None:
            if self.passive and self.run and self.numbered < self.requests:
                self.numbered += 1
                return request_key(self.run, self.numbered)
            return NO_REQUEST  # traffic that names no run at all: not counted as foreign
        if run == self.run and request is not None and 1 <= request <= self.requests:
            return request_key(run, request)
        self.foreign += 1
        return NO_REQUEST


def _number(value: bytes) -> int | None:
    if value.isdigit() and len(value) <= MAX_DIGITS:
        return int(value)
    return None
