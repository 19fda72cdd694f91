"""LoadPlan: what the load generator is told to do, as one line of JSON on its stdin.

Plain fields only: the load generator imports this module, and it must start fast
(no numpy, no model, no web stack).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visualizer.model.settings import RunSettings


@dataclass(frozen=True)
class LoadPlan:
    """Where to send, which style or which planned requests, and how much: a run's
    settings as the client needs them."""

    port: int
    #: The run's number on the server: sent with every request (see server.protocol).
    run: int
    style: str
    concurrency: int
    requests: int
    work_ms: float
    timeout_s: float
    fail_every: int = 0
    #: The user's app: each planned request as {"method", "target", "headers": [[name,
    #: value], ...], "body": JSON text or None}; empty for a style run.
    planned: list[dict[str, Any]] = field(default_factory=list)
    #: One cycle of the weighted mix: request n goes to ``planned[order[(n-1) % len]]``.
    order: list[int] = field(default_factory=list)

    @classmethod
    def for_run(cls, port: int, run: int, settings: RunSettings) -> LoadPlan:
        plan = settings.plan
        planned = [
            {
                "method": request.method,
                "target": request.target,
                "headers": [list(header) for header in request.headers],
                "body": request.body,
            }
            for request in (plan.requests if plan is not None else ())
        ]
        return cls(
            port=port,
            run=run,
            style=settings.style,
            concurrency=settings.concurrency,
            requests=settings.requests,
            work_ms=settings.work_ms,
            timeout_s=settings.timeout_s,
            fail_every=settings.fail_every,
            planned=planned,
            order=plan.order if plan is not None else [],
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> LoadPlan:
        return cls(**json.loads(text))
