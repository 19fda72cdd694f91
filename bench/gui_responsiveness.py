"""Does the window stay responsive while a big run streams in?

A real server and client, started by the app's SessionDriver, run 20,000 requests
(async_sleep, concurrency 200, work 20 ms) while an offscreen TimelineView shows
the live Timeline. A separate 10 ms QTimer notes when it fires: the longest gap
between two of its ticks is the longest time the Qt event loop was blocked. The
run is made twice in this one process, side by side: with the incremental
LiveTimeline the app uses, and with the Timeline rebuilt from the whole trace
every frame (the old path), so the ratio is measured on one machine at one time.

    QT_QPA_PLATFORM=offscreen python bench/gui_responsiveness.py [--requests 20000]

Goal: the event loop never blocked more than 50 ms while the run streams in, also
with a competing CPU load (``--conditions quiet,loaded``, the default: the app's path
runs once as the machine is and once beside a process spinning on the second core;
the old path runs on the quiet machine only).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyqtgraph as pg
from _competing_load import competing_load
from _machine_share import cpu_account
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from visualizer.app.session_driver import SessionDriver
from visualizer.app.timeline import gantt_item, plot
from visualizer.app.timeline.view import TimelineView
from visualizer.model import live_timeline
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import build_timeline
from visualizer.runner.session import Session

PROBE_MS = 10
BLOCK_GOAL_MS = 50.0


#: Time spent in each watched part during the current frame, for the slowest frames' story:
#: (wall, CPU of this thread) ms; the rest of the wall time it waited (for a core, mostly).
PARTS: dict[str, tuple[float, float]] = {}
#: (start, end, what) of every watched call and collector pause: what filled the longest gap.
JOURNAL: list[tuple[float, float, str]] = []


class Watch:
    """Durations of calls to one method, patched on its class for the watch's lifetime."""

    def __init__(self, owner: type, name: str) -> None:
        self.owner, self.name = owner, name
        self.original: Callable[..., Any] = getattr(owner, name)
        self.ms: list[float] = []
        self.label = f"{owner.__name__}.{name}"
        watch = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            started, cpu0 = time.perf_counter(), time.thread_time()
            try:
                return watch.original(*args, **kwargs)
            finally:
                ended, cpu1 = time.perf_counter(), time.thread_time()
                took = (ended - started) * 1e3
                JOURNAL.append((started, ended, watch.label))
                watch.ms.append(took)
                wall, cpu = PARTS.get(watch.label, (0.0, 0.0))
                PARTS[watch.label] = (wall + took, cpu + (cpu1 - cpu0) * 1e3)

        setattr(owner, name, timed)

    def close(self) -> None:
        setattr(self.owner, self.name, self.original)


def rebuild_every_frame(self: live_timeline.LiveTimeline, now: int) -> Any:
    """The old live path: the whole Timeline from the whole trace, every frame."""
    return build_timeline(self.trace, now=now)


def one_run(app: QApplication, settings: RunSettings, incremental: bool) -> dict[str, Any]:
    # The variants first, so that the watches below time them.
    update = live_timeline.LiveTimeline.update
    if not incremental:
        live_timeline.LiveTimeline.update = rebuild_every_frame  # type: ignore[method-assign]
    # Patched before the view exists: PySide binds a Python override of paint() when the
    # item is made.
    parts = [
        Watch(owner, name)
        for owner, name in (
            (Session, "pump"),
            (SessionDriver, "_absorb"),
            (SessionDriver, "_update_model"),
            (SessionDriver, "_hand_over"),
            (live_timeline.LiveTimeline, "absorb"),
            (live_timeline.LiveTimeline, "update"),
            (TimelineView, "set_timeline"),
            (gantt_item.GanttItem, "set_timeline"),
            (plot.LaneAxis, "fit_width"),
        )
    ]
    slowest: list[tuple[float, dict[str, tuple[float, float]]]] = []
    frames = Watch(SessionDriver, "_frame")
    tick = frames.original

    def attributed_tick(driver: SessionDriver) -> None:
        PARTS.clear()
        started = time.perf_counter()
        tick(driver)
        slowest.append(((time.perf_counter() - started) * 1e3, dict(PARTS)))

    frames.original = attributed_tick
    paints = Watch(gantt_item.GanttItem, "paint")
    # The whole viewport's paint (axes, grid, items), not only the Gantt item's.
    viewport_paints = Watch(pg.GraphicsView, "paintEvent")
    JOURNAL.clear()
    collecting: list[float] = []

    def note_collection(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting.append(time.perf_counter())
        elif collecting:
            JOURNAL.append((collecting.pop(), time.perf_counter(), f"gc gen {info['generation']}"))

    gc.callbacks.append(note_collection)
    view = TimelineView()
    view.resize(1400, 900)
    view.show()
    driver = SessionDriver()
    driver.timeline_changed.connect(view.set_timeline)
    try:
        driver.launch_server()
        deadline = time.monotonic() + 30
        while not driver.session.server_running and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        ticks: list[float] = []
        # The kernel's account of the GUI thread at each tick: CPU used, time runnable
        # but waiting for a core (the server and the client share the machine's cores).
        accounts: list[tuple[int, int]] = []
        probe = QTimer()
        probe.setInterval(PROBE_MS)

        def note_tick() -> None:
            ticks.append(time.perf_counter())
            accounts.append(_schedstat())

        probe.timeout.connect(note_tick)
        frames.ms.clear()
        paints.ms.clear()
        finished: list[float] = []
        driver.run_finished.connect(lambda _: finished.append(time.perf_counter()))
        started = time.perf_counter()
        account = cpu_account()
        probe.start()
        driver.start_run(settings)
        while not finished and time.perf_counter() - started < 600:
            app.processEvents()
            time.sleep(0.001)  # what an idle event loop does between events
        ours_s, others_s = cpu_account().since(account)
        # A few more frames after the end: the final Timeline's first paints.
        until = time.perf_counter() + 0.5
        while time.perf_counter() < until:
            app.processEvents()
            time.sleep(0.001)
        probe.stop()
        gaps = [(b - a) * 1e3 for a, b in itertools.pairwise(ticks)]
        end = finished[0] if finished else ticks[-1]
        at = max(
            (i for i in range(1, len(ticks)) if ticks[i] <= end - 0.2),
            key=lambda i: ticks[i] - ticks[i - 1],
            default=0,
        )
        longest = (ticks[at - 1], ticks[at]) if at else (0.0, 0.0)
        cpu_ns, queued_ns = (
            (accounts[at][0] - accounts[at - 1][0], accounts[at][1] - accounts[at - 1][1])
            if at
            else (0, 0)
        )
        streaming = [g for g, t in zip(gaps, ticks[1:], strict=False) if t <= end - 0.2]
        live = driver.live_timeline
        pauses = [
            (b - a) * 1e3
            for a, b, what in JOURNAL
            if what.startswith("gc") and started <= a and b <= end - 0.2
        ]
        return {
            "cpu_ours_s": ours_s,
            "cpu_others_s": others_s,
            "gc_ms": pauses,
            "seconds": (finished[0] if finished else time.perf_counter()) - started,
            "bars": len(driver.result.timeline) if driver.result else 0,
            "gap_max": max(gaps, default=0.0),
            "gap_streaming": max(streaming, default=0.0),
            "gap_p99": _percentile(gaps, 99),
            "frames": frames.ms,
            "paints": paints.ms,
            "slowest": sorted(slowest, key=lambda pair: -pair[0])[:3],
            "rebuilds": live.rebuilds if live is not None and incremental else None,
            "longest_cpu_ms": cpu_ns / 1e6,
            "longest_queued_ms": queued_ns / 1e6,
            "in_longest": [
                (a - longest[0], b - a, what)
                for a, b, what in sorted(JOURNAL)
                if b > longest[0] and a < longest[1] and b - a > 0.002
            ],
        }
    finally:
        gc.callbacks.remove(note_collection)
        for watch in (frames, paints, viewport_paints, *parts):
            watch.close()
        live_timeline.LiveTimeline.update = update  # type: ignore[method-assign]
        driver.close()
        view.close()


def _schedstat() -> tuple[int, int]:
    """This thread's CPU time and run-queue wait so far, in ns (no wait where not Linux).

    The CPU time from the thread's clock: schedstat's own figure for a running thread
    is brought up to date only at the scheduler's tick (4 ms steps here).
    """
    cpu = time.thread_time_ns()
    try:
        with open("/proc/thread-self/schedstat", "rb") as stats:
            _, queued, _ = stats.read().split()
    except OSError:
        return cpu, 0
    return cpu, int(queued)


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def describe(name: str, result: dict[str, Any]) -> None:
    frames, paints = result["frames"], result["paints"]
    print(f"\n{name}: {result['seconds']:.1f} s, {result['bars']:,} bars at the end")
    print(
        f"  longest event-loop block (gap between {PROBE_MS} ms ticks, less {PROBE_MS} ms): "
        f"{result['gap_streaming'] - PROBE_MS:.1f} ms while streaming, "
        f"{result['gap_max'] - PROBE_MS:.1f} ms including the run's end; p99 gap "
        f"{result['gap_p99']:.1f} ms"
    )
    for label, values in (("frame step (timer)", frames), ("paint (GanttItem)", paints)):
        if values:
            print(
                f"  {label:<20} n={len(values):>5}  median {statistics.median(values):6.1f}  "
                f"p90 {_percentile(values, 90):6.1f}  p99 {_percentile(values, 99):6.1f}  "
                f"max {max(values):6.1f} ms"
            )
    for took, spent in result["slowest"]:
        story = ", ".join(f"{k} {wall:.1f} ({cpu:.1f} CPU)" for k, (wall, cpu) in spent.items())
        print(f"  a slow frame step, {took:.1f} ms: {story}")
    if result["in_longest"]:
        print(
            f"  the GUI thread in the longest gap, by the kernel (/proc/thread-self/schedstat): "
            f"CPU {result['longest_cpu_ms']:.1f} ms, waiting for a core "
            f"{result['longest_queued_ms']:.1f} ms"
        )
        print("  in the longest gap while streaming (calls over 2 ms; ms from its start):")
        for offset, took, what in result["in_longest"]:
            print(f"    at {offset * 1e3:6.1f}  {took * 1e3:6.1f} ms  {what}")
    pauses = result["gc_ms"]
    print(
        f"  garbage collection on the GUI thread while streaming: {len(pauses)} pauses, "
        f"{sum(pauses):.0f} ms in all, longest {max(pauses, default=0.0):.1f} ms"
    )
    print(
        f"  CPU during the run: {result['cpu_ours_s']:.1f} s by this bench and its children "
        f"(server, client, competing load), {result['cpu_others_s']:.1f} s by other processes "
        f"({result['cpu_others_s'] / max(result['seconds'], 1e-9):.0%} of a core)"
    )
    if result["rebuilds"] is not None:
        print(f"  live timeline rebuilt from scratch {result['rebuilds']} times")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--work-ms", type=float, default=20.0)
    parser.add_argument("--style", default="async_sleep")
    parser.add_argument("--no-baseline", action="store_true", help="skip the old path")
    parser.add_argument(
        "--conditions",
        default="quiet,loaded",
        help="quiet, loaded (a process spinning on the second core), or both: quiet,loaded",
    )
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    settings = RunSettings(
        style=args.style,
        concurrency=args.concurrency,
        requests=args.requests,
        work_ms=args.work_ms,
    )
    print(
        f"{settings.style}, {settings.requests:,} requests, concurrency {settings.concurrency}, "
        f"work {settings.work_ms:g} ms; goal: no block over {BLOCK_GOAL_MS:.0f} ms"
    )
    verdicts = []
    for condition in args.conditions.split(","):
        # The same run beside a process spinning on the second core: a busy laptop.
        with competing_load(condition == "loaded") as label:
            ours = one_run(app, settings, incremental=True)
            describe(f"incremental LiveTimeline (the app), {label}", ours)
            if not args.no_baseline and condition == "quiet":
                old = one_run(app, settings, incremental=False)
                describe(f"whole Timeline rebuilt every frame (old path), {label}", old)
                ratio = (old["gap_streaming"] - PROBE_MS) / max(
                    ours["gap_streaming"] - PROBE_MS, 1e-3
                )
                print(f"\nlongest block while streaming, old / new: {ratio:.1f}x")
        block = ours["gap_streaming"] - PROBE_MS
        verdict = "met" if block <= BLOCK_GOAL_MS else "missed"
        others = ours["cpu_others_s"] / max(ours["seconds"], 1e-9)
        verdicts.append(
            f"  {label}: {block:.1f} ms, {verdict} "
            f"(other processes took {others:.0%} of a core meanwhile)"
        )
    print(f"\ngoal (<= {BLOCK_GOAL_MS:.0f} ms while streaming):")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
