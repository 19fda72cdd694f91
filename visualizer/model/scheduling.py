"""The class's mental models of a run, as a small scheduling model: predictions, never measurements.

Before a run the class guesses its shape: "all at once", "one at a time", "in waves
of P", "taking turns on the GIL"... Each guess is a *shape* here: a rule for where
the work of a request runs, applied to every request of the run. A tiny
processor-sharing simulation turns the rule into when each request would start,
be worked on and be done, so that the guesses can be drawn side by side and later
set against what was measured.

What it models:

- C, the client's concurrency: the first C requests are sent at once, each later one
  when an earlier one is done; N requests in all.
- W, the work of one request, in seconds.
- Where the work runs, which bounds how many requests are worked on at once: nothing
  (awaited: an ``await`` frees the loop), the event loop (one at a time), AnyIO's pool
  of P worker threads, the loop's default executor of min(32, cores + 4) threads
  (``asyncio.to_thread``), or a pool of processes.
- The GIL: threads that compute share one core's worth of progress between them;
  processes share the machine's cores.
- Server processes: with ``--workers N`` each has its loop and its pool of P; the
  model counts N loops and N x P threads, as if the kernel spread the connections
  evenly (it need not: README, Sizing).
- Trips: a request that goes to the pool twice (a def endpoint and then the
  validation of its response model) waits in line for a worker each time.

What it ignores, and the measured run does not: the server's own time (reading,
routing, serialising: a few ms a request), the client's (it sends and reads at
once), the network, worker threads starting, the GIL's switch interval and its
unfair turns, other processes on the machine, and the garbage collector. It is
meant to be roughly right about the *shape*, which is what a class argues about.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from visualizer.model.settings import RunSettings

#: Runs longer than this are not predicted: the pictures show a dozen lanes, and the
#: simulation costs time in proportion to N x C.
MAX_PREDICTED_REQUESTS = 1_000
#: The second trip of "two trips" (validating a response), as a share of W.
SECOND_TRIP_SHARE = 0.02
#: Predictions whose every request ends within this share of the makespan of each
#: other are the same shape: only the first is offered.
SAME_SHAPE_SHARE = 0.05


@dataclass(frozen=True)
class Workload:
    """What a run asks of the server, in the terms the shapes use (seconds)."""

    concurrency: int
    requests: int
    work_s: float
    #: AnyIO's worker threads (P).
    pool: int
    #: The machine's cores: the process pool's and the default executor's size follow it.
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: Server processes (``--workers``): each has a loop and a pool of P of its own.
    servers: int = 1

    @property
    def threads(self) -> int:
        """AnyIO's worker threads in all: P in each server process."""
        return self.pool * self.servers

    @property
    def executor(self) -> int:
        """The loop's default executor's threads, as asyncio sizes it."""
        return min(32, self.cores + 4)

    @property
    def processes(self) -> int:
        """A process pool's processes: one a core, as ProcessPoolExecutor sizes it."""
        return self.cores

    @classmethod
    def of(cls, settings: RunSettings, cores: int | None = None) -> Workload:
        return cls(
            concurrency=settings.concurrency,
            requests=settings.requests,
            work_s=settings.work_ms / 1000,
            pool=settings.pool,
            cores=cores or os.cpu_count() or 1,
            servers=settings.workers,
        )


@dataclass(frozen=True)
class Stage:
    """One piece of a request's work: where it waits in line (None: nowhere), how long it
    takes alone, and whether it computes (and so shares the cores with others that do)."""

    line: str | None
    work_s: float
    computes: bool = False


@dataclass(frozen=True)
class Shape:
    """A mental model of a run: one rule for every request, in words and as stages."""

    key: str
    name: Callable[[Workload], str]
    says: Callable[[Workload], str]
    stages: Callable[[Workload], list[Stage]]
    #: How many requests each line lets through at once.
    lines: Callable[[Workload], dict[str, int]]
    #: The cores that computing stages share; None: each computes at full speed.
    cores: Callable[[Workload], int | None] = lambda _w: None


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


SHAPES: dict[str, Shape] = {
    shape.key: shape
    for shape in (
        Shape(
            "all_at_once",
            lambda w: "all at once",
            lambda w: "Every request is worked on as soon as it is sent; nothing waits.",
            lambda w: [Stage(None, w.work_s)],
            lambda w: {},
        ),
        Shape(
            "one_at_a_time",
            lambda w: "one at a time",
            lambda w: "The server works on one request, then the next: the others wait.",
            lambda w: [Stage("loop", w.work_s)],
            lambda w: {"loop": w.servers},
        ),
        Shape(
            "waves_of_pool",
            lambda w: f"in waves of {w.threads}",
            lambda w: (
                f"{_plural(w.threads, 'worker thread', 'worker threads')} (P) take "
                "requests; the rest wait for one to come free."
            ),
            lambda w: [Stage("pool", w.work_s)],
            lambda w: {"pool": w.threads},
        ),
        Shape(
            "waves_of_executor",
            lambda w: f"in waves of {w.executor} (the loop's executor)",
            lambda w: (
                f"The loop's own executor ({w.executor} threads: min(32, cores + 4)) "
                "takes requests, whatever P is."
            ),
            lambda w: [Stage("executor", w.work_s)],
            lambda w: {"executor": w.executor},
        ),
        Shape(
            "gil_turns",
            lambda w: "taking turns on the GIL",
            lambda w: (
                "All start on worker threads, but one thread computes at a time: "
                "everyone finishes late."
            ),
            lambda w: [Stage("pool", w.work_s, computes=True)],
            lambda w: {"pool": w.threads},
            lambda w: 1,
        ),
        Shape(
            "on_cores",
            lambda w: f"side by side on {_plural(w.cores, 'core', 'cores')}",
            lambda w: (
                "Each process has its own GIL: "
                f"{_plural(w.cores, 'core computes', 'cores compute')} at once."
            ),
            lambda w: [Stage("processes", w.work_s, computes=True)],
            lambda w: {"processes": w.processes},
            lambda w: w.cores,
        ),
        Shape(
            "two_trips",
            lambda w: f"two trips to {w.threads} workers",
            lambda w: (
                "Each request needs a worker twice (the endpoint, then more work): "
                "the second trip waits in line again."
            ),
            lambda w: [Stage("pool", w.work_s), Stage("pool", w.work_s * SECOND_TRIP_SHARE)],
            lambda w: {"pool": w.threads},
        ),
    )
}

#: The shape each built-in style takes, by where its work runs. The others have none,
#: and only the measurement says: ``mixed`` (one request blocks among awaiting ones),
#: ``sqlite_def`` (SQLite lets go of the GIL: threads share the cores, not the GIL),
#: ``streaming_sync`` and ``background_task`` (many short trips, or work after the
#: response), and a user's app.
EXPECTED: dict[str, str] = {
    "async_sleep": "all_at_once",
    "async_http": "all_at_once",
    "async_blocking": "one_at_a_time",
    "async_cpu": "one_at_a_time",
    "sync_http_in_async": "one_at_a_time",
    "sqlite_in_async": "one_at_a_time",
    "sync_sleep": "waves_of_pool",
    "async_offload": "waves_of_pool",
    "sync_http": "waves_of_pool",
    "sync_dependency": "waves_of_pool",
    "async_to_thread": "waves_of_executor",
    "sync_cpu": "gil_turns",
    "cpu_process_pool": "on_cores",
    "def_response_model": "two_trips",
}

#: The shapes offered when nobody chose them (predict mode outside a lesson): the
#: usual guesses first, then the style's own if it is not among them.
USUAL = ("all_at_once", "one_at_a_time", "waves_of_pool", "gil_turns")


@dataclass(frozen=True)
class PredictedRequest:
    """One request as a shape predicts it, seconds from the start of the run."""

    request: int
    sent: float
    #: When its work runs (or is awaited), one interval a stage.
    busy: tuple[tuple[float, float], ...]
    done: float


@dataclass(frozen=True)
class Candidate:
    """One shape worked out for one run: what the class may pick."""

    key: str
    name: str
    says: str
    requests: tuple[PredictedRequest, ...]

    @property
    def makespan_s(self) -> float:
        return max((r.done for r in self.requests), default=0.0)


class PredictionUnavailable(ValueError):
    """A run the model does not predict; the message says why."""


def predict(key: str, workload: Workload) -> Candidate:
    """The run as shape ``key`` says it goes."""
    if workload.requests > MAX_PREDICTED_REQUESTS:
        raise PredictionUnavailable(
            f"predictions are drawn for runs of up to {MAX_PREDICTED_REQUESTS:,} requests, "
            f"not {workload.requests:,}"
        )
    shape = SHAPES[key]
    requests = simulate(
        workload.requests,
        workload.concurrency,
        shape.stages(workload),
        shape.lines(workload),
        shape.cores(workload),
    )
    return Candidate(key, shape.name(workload), shape.says(workload), tuple(requests))


def candidates(
    settings: RunSettings, keys: Sequence[str] | None = None, cores: int | None = None
) -> list[Candidate]:
    """The shapes ``keys`` (default: the usual guesses and the style's own) for this run,
    at most four, each a different shape."""
    workload = Workload.of(settings, cores)
    if keys is None:
        own = EXPECTED.get(settings.style)
        keys = list(USUAL)
        if own is not None and own not in keys:
            keys.append(own)
    chosen: list[Candidate] = []
    for key in keys:
        candidate = predict(key, workload)
        if not any(same_shape(candidate, other) for other in chosen):
            chosen.append(candidate)
    own = EXPECTED.get(settings.style)
    if len(chosen) > 4:
        # Keep the style's own shape among the four, in place of the last usual one.
        keep = [c for c in chosen if c.key == own]
        chosen = [c for c in chosen if c.key != own][: 4 - len(keep)] + keep
    return chosen


def same_shape(a: Candidate, b: Candidate) -> bool:
    """Whether two predictions would look alike: every request done at about the same time."""
    scale = max(a.makespan_s, b.makespan_s, 1e-9)
    ends_a = sorted(r.done for r in a.requests)
    ends_b = sorted(r.done for r in b.requests)
    return all(abs(x - y) <= SAME_SHAPE_SHARE * scale for x, y in zip(ends_a, ends_b, strict=True))


def expected_key(
    settings: RunSettings, offered: Sequence[Candidate], cores: int | None = None
) -> str | None:
    """The offered candidate that the style's own shape is, or looks the same as (with
    P >= C, "in waves of P" is "all at once"); None for a style with no shape of its own."""
    own = EXPECTED.get(settings.style)
    if own is None or not offered:
        return None
    if any(candidate.key == own for candidate in offered):
        return own
    mine = predict(own, Workload.of(settings, cores))
    return next((c.key for c in offered if same_shape(mine, c)), None)


def simulate(
    requests: int,
    concurrency: int,
    stages: Sequence[Stage],
    lines: dict[str, int],
    cores: int | None,
) -> list[PredictedRequest]:
    """When each request is sent, worked on and done, under processor sharing.

    The first ``concurrency`` requests are sent at 0, each later one when one is done.
    A stage waits (first come, first served) for a place in its line; once in, it
    progresses at full speed, or, if it computes and ``cores`` is given, at
    ``cores / computing`` of it when more stages compute than there are cores.
    """
    now = 0.0
    sent: dict[int, float] = {}
    busy: dict[int, list[tuple[float, float]]] = {}
    done: dict[int, float] = {}
    stage_of: dict[int, int] = {}
    waiting: dict[str, list[tuple[float, int, int]]] = {line: [] for line in lines}
    taken: dict[str, int] = dict.fromkeys(lines, 0)
    #: request -> (work left, started at) of its running stage.
    running: dict[int, tuple[float, float]] = {}
    order = 0
    next_request = 1

    def arrive(request: int) -> None:
        nonlocal order
        stage = stages[stage_of[request]]
        if stage.line is None:
            running[request] = (stage.work_s, now)
        else:
            heapq.heappush(waiting[stage.line], (now, order, request))
            order += 1

    def send() -> None:
        nonlocal next_request
        request = next_request
        next_request += 1
        sent[request], busy[request], stage_of[request] = now, [], 0
        arrive(request)

    for _ in range(min(concurrency, requests)):
        send()
    while running or any(waiting.values()):
        for line, queue in waiting.items():
            while queue and taken[line] < lines[line]:
                _, _, request = heapq.heappop(queue)
                taken[line] += 1
                running[request] = (stages[stage_of[request]].work_s, now)
        computing = sum(1 for r in running if stages[stage_of[r]].computes)
        share = 1.0 if cores is None or computing <= cores else cores / computing
        rates = {r: share if stages[stage_of[r]].computes else 1.0 for r in running}
        step = min(left / rates[r] for r, (left, _) in running.items())
        now += step
        finished = []
        for request, (left, since) in list(running.items()):
            remaining = left - step * rates[request]
            if remaining <= 1e-12:
                finished.append((request, since))
            else:
                running[request] = (remaining, since)
        for request, since in finished:
            del running[request]
            stage = stages[stage_of[request]]
            busy[request].append((since, now))
            if stage.line is not None:
                taken[stage.line] -= 1
            stage_of[request] += 1
            if stage_of[request] < len(stages):
                arrive(request)
            else:
                done[request] = now
                if next_request <= requests:
                    send()
    return [PredictedRequest(r, sent[r], tuple(busy[r]), done[r]) for r in range(1, requests + 1)]


def seconds_text(seconds: float) -> str:
    """A time as the comparison sentences say it: ``0.20 s``, ``1.02 s``, ``12.4 s``."""
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:,.1f} s"
