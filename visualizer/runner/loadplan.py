"""LoadPlan: what the load generator is told to do, as one line of JSON on its stdin.

Plain fields only: the load generator imports this module, and it must start fast
(no numpy, no model, no web stack).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visualizer.model.settings import RunSettings


@dataclass(frozen=True)
class LoadPlan:
    """Where to send, which style, and how much: a run's settings as the client needs them."""

    port: int
    #: The run's number on the server: sent with every request (see server.protocol).
    run: int
    style: str
    concurrency: int
    requests: int
    work_ms: float
    timeout_s: float
    fail_every: int = 0

    @classmethod
    def for_run(cls, port: int, run: int, settings: RunSettings) -> LoadPlan:
        return cls(
            port=port,
            run=run,
            style=settings.style,
            concurrency=settings.concurrency,
            requests=settings.requests,
            work_ms=settings.work_ms,
            timeout_s=settings.timeout_s,
            fail_every=settings.fail_every,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> LoadPlan:
        return cls(**json.loads(text))
