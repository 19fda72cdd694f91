"""RunResult: a finished run with everything derived from it, and how it reads as a report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from visualizer.model.annotations import Annotations, annotate
from visualizer.model.narrative import narrate
from visualizer.model.pool_groups import pool_name
from visualizer.model.request_plan import describe_plan
from visualizer.model.summary import AfterResponse, PoolUse, RunSummary, summarize
from visualizer.model.timeline import Timeline, build_timeline
from visualizer.model.trace import Pool, RunTrace


@dataclass(frozen=True)
class RunResult:
    trace: RunTrace
    timeline: Timeline
    summary: RunSummary
    story: list[str]

    @cached_property
    def marks(self) -> Annotations:
        """What the timeline marks (the longest loop block, the pool full): found once,
        by whoever asks first; a file's are found on the thread that opened it (25 ms of
        the GUI thread at 20,000 requests otherwise)."""
        return annotate(self.trace)

    def report(self) -> str:
        """The human summary: settings, figures, and what happened."""
        s, settings = self.summary, self.trace.settings
        block = s.longest_loop_block
        lat = s.latency_ms
        if settings.app is None:
            rows = [
                ("style", settings.style),
                (
                    "settings",
                    f"concurrency {settings.concurrency}, requests {settings.requests:,}, "
                    f"work {settings.work_ms:g} ms, pool {settings.pool}",
                ),
            ]
        else:
            plan = settings.plan
            rows = [
                ("app", settings.app.target),
                (
                    "plan",
                    describe_plan(plan.requests) if plan is not None else "passive: what arrived",
                ),
                (
                    "settings",
                    f"concurrency {settings.concurrency}, requests {settings.requests:,}, "
                    f"pool {settings.pool}"
                    if plan is not None
                    else f"pool {settings.pool}",
                ),
            ]
        rows += [
            (
                "requests",
                f"{s.requests:,} {'arrived' if s.passive else 'sent'}, {s.ok:,} ok, "
                f"{s.failed:,} failed",
            ),
            *[
                (f"  {route}", f"{n:,} request{'s' if n != 1 else ''}")
                for route, n in s.requests_by_route.items()
            ],
            ("makespan", f"{s.makespan_ms:,.1f} ms"),
            (
                "latency",
                f"p50 {lat['p50']:,.1f} ms, p95 {lat['p95']:,.1f} ms, "
                f"p99 {lat['p99']:,.1f} ms, max {lat['max']:,.1f} ms",
            ),
            (
                "longest loop block",
                block.longest_words()
                + (
                    f" ({block.route})"
                    if block.route and block.longest_request == block.request
                    else ""
                )
                if block
                else "-",
            ),
            ("loop busy", f"{s.loop_busy_ms:,.1f} ms running handlers"),
            (
                "workers used",
                s.workers_of_pool(short=True) + f"; {s.pool_waited} requests waited "
                f"for one (max {s.pool_wait_max_ms:,.1f} ms)",
            ),
            ("worker CPU", f"{s.worker_cpu_ms:,.1f} ms of {s.worker_wall_ms:,.1f} ms wall"),
            ("worker time", s.worker_time_split()),
            # The pools P does not bound, and the work no client waited for.
            *[(_pool_name(use), _pool_figures(use)) for use in s.other_pools],
            *([("after response", _after_figures(s.after_response))] if s.after_response else []),
            ("ended", self.trace.ended),
        ]
        width = max(len(k) for k, _ in rows)
        table = "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
        return table + "\n\n" + "\n".join(self.story)


def _pool_name(use: PoolUse) -> str:
    return pool_name(Pool(-1, use.kind, use.name, use.capacity))


def _pool_figures(use: PoolUse) -> str:
    """``4 calls on 2 of 2; CPU 602.1 ms of 610.5 ms wall, 3.0 ms waiting for a core``."""
    of = f" of {use.capacity}" if use.capacity > 0 else ""
    core = f", {use.core_wait_ms:,.1f} ms waiting for a core" if use.core_wait_ms else ""
    return (
        f"{use.runs:,} calls on {use.lanes}{of}; CPU {use.cpu_ms:,.1f} ms of "
        f"{use.wall_ms:,.1f} ms wall{core}"
    )


def _after_figures(after: AfterResponse) -> str:
    return (
        f"{after.runs:,} runs, {after.wall_ms:,.1f} ms on workers, {after.waited:,} waited for "
        f"one (max {after.wait_max_ms:,.1f} ms)"
    )


def analyse(trace: RunTrace) -> RunResult:
    timeline = build_timeline(trace)
    summary = summarize(trace, timeline)
    return RunResult(trace=trace, timeline=timeline, summary=summary, story=narrate(summary))
