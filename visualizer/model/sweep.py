"""Sweeps: one run per point of a grid of concurrency x pool size (x workers), and the knee.

Each point is a real run on a server of its own; its row keeps the figures a sizing
question needs (latency p50/p95, throughput) and what the run measured as the work of
one request: its time on a worker of AnyIO's pool, or holding the event loop. Little's
law (L = throughput x time in service) then says what a pool can carry: P workers, each
busy W a request, serve at most P / W requests a second, and C requests in flight
beyond P wait for a worker. That bound is a prediction from the measured W, and is
drawn and said as one; the knee itself is read from the measured throughput.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field, replace
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from visualizer.model.analysis import RunResult
from visualizer.model.settings import RANGES, RunSettings, SettingError, parse_value
from visualizer.model.trace import ANYIO

#: The most values one axis of a grid takes, and the most runs a sweep makes.
MAX_VALUES = 12
MAX_RUNS = 100
#: Requests each run sends, by default: this many waves of its concurrency, at least
#: MIN_REQUESTS, so that a run is more than its ramp-up.
WAVES = 4
MIN_REQUESTS = 20
#: Throughput within this share of a line's best is "as high as it gets": the knee is
#: the lowest concurrency that reaches it.
KNEE_SHARE = 0.9
#: A request that holds the loop at least this share of its latency at the lowest
#: concurrency is loop-bound (async_blocking, async_cpu): its server runs one at a time.
LOOP_BOUND_SHARE = 0.5
#: The axes of a grid, as the command line names them.
AXES = ("concurrency", "pool", "workers")


def parse_values(name: str, text: str) -> list[int]:
    """``"10,40,80"`` as checked whole numbers of setting ``name``; SettingError names
    the value that is wrong and what is allowed."""
    words = [word.strip() for word in text.split(",")]
    if not text.strip() or any(not word for word in words):
        raise SettingError(
            f"{name} {text!r} is not a list of numbers: give them with commas, e.g. 10,40,80"
        )
    values = [int(parse_value(name, word)) for word in words]
    if len(set(values)) > MAX_VALUES:
        raise SettingError(f"{name} {text!r} has {len(set(values))} values: at most {MAX_VALUES}")
    return sorted(set(values))


@dataclass(frozen=True)
class SweepGrid:
    """The base settings of every run, and the values each axis takes."""

    base: RunSettings
    concurrency: list[int]
    pool: list[int]
    workers: list[int] = field(default_factory=lambda: [1])
    #: Requests each run sends; 0 for WAVES x its concurrency (at least MIN_REQUESTS).
    requests: int = 0

    def __post_init__(self) -> None:
        for name in AXES:
            values = getattr(self, name)
            if not values:
                raise SettingError(f"{name}: give at least one value")
            for value in values:
                parse_value(name, str(value))  # in range, whole
        if self.size > MAX_RUNS:
            shape = " x ".join(str(len(getattr(self, axis))) for axis in AXES)
            raise SettingError(
                f"the grid has {self.size} points ({shape}): a sweep makes at most {MAX_RUNS} runs"
            )
        if self.requests and not RANGES["requests"].low <= self.requests <= RANGES["requests"].high:
            raise SettingError(f"requests {self.requests} is out of range")

    @property
    def size(self) -> int:
        return len(self.concurrency) * len(self.pool) * len(self.workers)

    def requests_for(self, concurrency: int) -> int:
        return self.requests or max(WAVES * concurrency, MIN_REQUESTS)

    def configurations(self) -> list[RunSettings]:
        """Every run of the sweep: by workers, then pool, then concurrency (a line at a time)."""
        return [
            replace(
                self.base,
                workers=workers,
                pool=pool,
                concurrency=concurrency,
                requests=self.requests_for(concurrency),
            )
            for workers, pool, concurrency in product(self.workers, self.pool, self.concurrency)
        ]


@dataclass(frozen=True)
class SweepRow:
    """The figures of one run of a sweep (times in ms, throughput in requests a second)."""

    workers: int
    pool: int
    concurrency: int
    requests: int
    ok: int
    failed: int
    makespan_ms: float
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    #: The median request's time on AnyIO's workers (0: it used none), and holding the loop.
    pool_ms: float
    loop_ms: float
    work_ms: float
    ended: str
    #: Where the run's trace was saved ("" if it was not).
    trace: str = ""

    @property
    def line(self) -> tuple[int, int]:
        """The line of the plots this point is on: (workers, pool)."""
        return (self.workers, self.pool)


CSV_COLUMNS = (
    "workers",
    "pool",
    "concurrency",
    "requests",
    "ok",
    "failed",
    "makespan_ms",
    "throughput",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "pool_ms",
    "loop_ms",
    "work_ms",
    "ended",
    "trace",
)


def row_of(result: RunResult, trace_path: str = "") -> SweepRow:
    """A run's row: its summary's figures, and its measured work per request."""
    summary, trace, settings = result.summary, result.trace, result.trace.settings
    seconds = summary.makespan_ms / 1000
    return SweepRow(
        workers=settings.workers,
        pool=settings.pool,
        concurrency=settings.concurrency,
        requests=summary.requests,
        ok=summary.ok,
        failed=summary.failed,
        makespan_ms=summary.makespan_ms,
        throughput=summary.ok / seconds if seconds > 0 else 0.0,
        p50_ms=summary.latency_ms["p50"],
        p95_ms=summary.latency_ms["p95"],
        p99_ms=summary.latency_ms["p99"],
        pool_ms=_median_per_request(trace.worker.rows, "start", "end"),
        loop_ms=_median_per_request(trace.loop.rows, "start", "end"),
        work_ms=settings.work_ms,
        ended=trace.ended,
        trace=trace_path,
    )


def _median_per_request(rows: Any, start: str, end: str) -> float:
    """The median over requests of their summed time in ``rows`` (AnyIO's pool only, for
    worker runs), in ms."""
    if "pool" in (rows.dtype.names or ()):
        rows = rows[rows["pool"] == ANYIO.id]
    rows = rows[rows["request"] > 0]
    if len(rows) == 0:
        return 0.0
    _, inverse = np.unique(rows["request"], return_inverse=True)
    each = np.bincount(inverse, weights=(rows[end] - rows[start]).astype(np.float64))
    return float(np.median(each)) / 1e6


def to_csv(rows: list[SweepRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = [getattr(row, name) for name in CSV_COLUMNS]
        writer.writerow([f"{v:.3f}" if isinstance(v, float) else v for v in values])
    return out.getvalue()


@dataclass(frozen=True)
class Knee:
    """Where one line's throughput stopped growing, and what Little's law predicted."""

    workers: int
    pool: int
    #: The lowest measured concurrency at which throughput reached KNEE_SHARE of the
    #: line's best; None where it still grew at the largest concurrency swept.
    concurrency: int | None
    best_throughput: float
    #: Little's law's bound (requests a second) from the measured work, and the
    #: concurrency at which it is reached; 0 where no pool or loop bounds the run.
    bound: float
    bound_concurrency: int
    #: "pool" (def work on AnyIO's workers), "loop" (work holding the event loop) or "".
    resource: str
    #: The measured work per request the bound is computed from (ms).
    work_ms: float
    words: str


def lines_of(rows: list[SweepRow]) -> dict[tuple[int, int], list[SweepRow]]:
    """Rows by line (workers, pool), each in order of concurrency."""
    lines: dict[tuple[int, int], list[SweepRow]] = {}
    for row in sorted(rows, key=lambda r: (r.workers, r.pool, r.concurrency)):
        lines.setdefault(row.line, []).append(row)
    return lines


def find_knee(line: list[SweepRow]) -> Knee:
    """The knee of one line (its rows in order of concurrency), explained in words."""
    first = line[0]
    workers, pool = first.workers, first.pool
    best = max(row.throughput for row in line)
    reached = [row for row in line if row.throughput >= KNEE_SHARE * best]
    knee_row = reached[0] if reached else None
    still_growing = len(line) > 1 and knee_row is line[-1]
    resource, work = _bounding_resource(line)
    if resource == "pool":
        bound, at = workers * pool / (work / 1000), workers * pool
    elif resource == "loop":
        bound, at = workers / (work / 1000), workers
    else:
        bound, at = 0.0, 0
    knee = None if still_growing or knee_row is None else knee_row.concurrency
    words = _knee_words(line, knee, best, resource, work, bound, at)
    return Knee(workers, pool, knee, best, bound, at, resource, work, words)


def _bounding_resource(line: list[SweepRow]) -> tuple[str, float]:
    """What held each request for its work, as measured at the line's lowest concurrency
    (where nothing queues): AnyIO's pool, the event loop, or neither (awaiting)."""
    calm = line[0]
    if calm.pool_ms > 0:
        return "pool", calm.pool_ms
    if calm.p50_ms > 0 and calm.loop_ms >= LOOP_BOUND_SHARE * calm.p50_ms:
        return "loop", calm.loop_ms
    return "", 0.0


def _knee_words(
    line: list[SweepRow],
    knee: int | None,
    best: float,
    resource: str,
    work: float,
    bound: float,
    at: int,
) -> str:
    first = line[0]
    name = _line_name(first.workers, first.pool)
    if resource == "pool":
        per = f"{first.workers} x " if first.workers > 1 else ""
        law = (
            f"with P={first.pool} and W={work:,.0f} ms (measured on a worker) the pool "
            f"carries at most {per}{first.pool}/{work / 1000:.2f} s = {bound:,.0f} requests/s "
            f"(Little's law); beyond C={at} requests queue for a worker"
        )
    elif resource == "loop":
        law = (
            f"each request held the event loop for {work:,.0f} ms, so "
            f"{_count(first.workers, 'process', 'processes')} carry at most "
            f"{bound:,.0f} requests/s (Little's law): requests run one at a time per loop"
        )
    else:
        law = "no pool or loop held the requests for their work (they awaited it)"
    if knee is None:
        last = line[-1]
        measured = (
            f"measured: throughput still grew at C={last.concurrency} "
            f"({last.throughput:,.0f} requests/s): no knee within the grid"
        )
    else:
        at_knee = next(row for row in line if row.concurrency == knee)
        after = line[-1]
        measured = f"measured: {at_knee.throughput:,.0f} requests/s at C={knee}" + (
            f", {after.throughput:,.0f} at C={after.concurrency} while p95 latency "
            f"went from {at_knee.p95_ms:,.0f} to {after.p95_ms:,.0f} ms"
            if after.concurrency != knee
            else ""
        )
    where = (
        ""
        if knee is None
        else f"knee at C={knee}"
        + (" (the smallest C swept)" if knee == first.concurrency and len(line) > 1 else "")
    )
    return f"{name}: {where + '. ' if where else ''}{law[0].upper()}{law[1:]}; {measured}."


def knees(rows: list[SweepRow]) -> list[Knee]:
    return [find_knee(line) for line in lines_of(rows).values()]


def sweep_story(rows: list[SweepRow]) -> list[str]:
    """Each line's knee in words, then the grid's best point."""
    if not rows:
        return ["No run of the sweep finished."]
    lines = [knee.words for knee in knees(rows)]
    best = max(rows, key=lambda row: (row.throughput, -row.p95_ms))
    lines.append(
        f"Most throughput: {best.throughput:,.0f} requests/s at C={best.concurrency}, "
        f"{_line_name(best.workers, best.pool)} (p95 {best.p95_ms:,.0f} ms)."
    )
    failed = sum(row.failed for row in rows)
    if failed:
        lines.append(f"{failed:,} requests failed across the sweep (see the CSV's rows).")
    return lines


def _line_name(workers: int, pool: int) -> str:
    return f"P={pool}" + (f", {workers} workers" if workers > 1 else "")


def line_label(workers: int, pool: int, several_workers: bool) -> str:
    """A line's name in a legend: ``P = 40`` or ``P = 40, 2 workers``."""
    return f"P = {pool}" + (f", {_count(workers, 'worker', 'workers')}" if several_workers else "")


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def eta_s(done_s: list[float], done_requests: list[int], left_requests: list[int]) -> float:
    """Seconds left: what the runs so far took (their servers' starts included) per
    request sent, times the requests of the runs left; NaN before the first run ends."""
    if not done_s:
        return math.nan
    per_request = sum(done_s) / max(sum(done_requests), 1)
    return per_request * sum(left_requests)


def sweep_title(grid: SweepGrid) -> str:
    """The picture's title: what ran, its work and interpreter."""
    base = grid.base
    work = f", W = {base.work_ms:g} ms" if base.app is None else ""
    where = f", Python {Path(base.python).name}" if base.python else ""
    return f"{base.subject}{work}{where}: latency and throughput against concurrency"
