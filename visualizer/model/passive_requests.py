"""PassiveRequests: a passive run's requests, known from the server alone.

With no client of ours, nobody stamps when a request was sent or read: each request
begins where the server's app got it (the server numbers them as they come) and ends
where its response ended, with the status the server answered. What only a client
could know (queueing, sending, reading) is left unknown, never invented.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy.typing as npt

from server.protocol import HANDLER_END, RESPONSE_END, SERVER_START, Outcome
from visualizer.model.trace import RunTrace


class PassiveRequests:
    """Fills a passive run's sent and done rows from the server's stamps and routes."""

    def __init__(self, trace: RunTrace) -> None:
        self.trace = trace
        self._started: dict[int, int] = {}
        self._response_end: dict[int, int] = {}
        self._handler_end: dict[int, int] = {}
        self.sent = 0
        self.done = 0

    def add(self, stamps: npt.NDArray[Any], routes: npt.NDArray[Any]) -> tuple[int, int]:
        """Take a frame's stamp rows and route rows (credited to the run); return the
        requests seen and ended so far."""
        t0, sent = self.trace.t0, []
        for request, kind, t in stamps.tolist():
            if t <= t0:
                continue
            if kind == SERVER_START:
                self._started[request] = t
                sent.append((request, t))
            elif kind == RESPONSE_END:
                self._response_end[request] = t
            elif kind == HANDLER_END:
                self._handler_end[request] = t
        self.trace.sent.extend(sent)
        done = []
        for request, _, status in routes.tolist():
            started = self._started.get(request)
            if started is None:
                continue
            ended = self._response_end.get(request, self._handler_end.get(request, started))
            done.append((request, started, ended, status, int(_outcome(status))))
        self.trace.done.extend(done)
        self.sent += len(sent)
        self.done += len(done)
        return self.sent, self.done

    def close(self, numbered: int) -> None:
        """The recording is over: the run's settings say how many requests it held."""
        self.trace.settings = replace(self.trace.settings, requests=max(1, numbered, self.sent))


def _outcome(status: int) -> Outcome:
    if status == 0:
        return Outcome.ERROR  # the handler ended without an answer: it raised
    return Outcome.OK if status < 400 else Outcome.HTTP_ERROR
