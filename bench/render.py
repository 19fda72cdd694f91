"""What a frame of the timeline costs: GanttItem against pyqtgraph's BarGraphItem.

A synthetic run of 10k, 100k and 1M bars over 41 lanes (the event loop and 40
workers; loop slices of requests and of server I/O, worker runs) is drawn
offscreen in a 1200x800 plot by each item in turn, in this one run, so drift of
the machine hits both alike. For each: a full repaint of the whole run, a repaint
zoomed to 1 s, and appending 1% more bars then repainting; the medians, the
ratios, and memory per bar (model + renderer, by tracemalloc). Then zoomed out with
every lane in view: 41 and 201 lanes, bars of every kind at random over 50 and 200
lanes (the worst case), and 20,000 request lanes (lanes thinner than a pixel row).

BarGraphItem (one brush per bar) is measured up to 100k bars; at 1M it would take
minutes per configuration, so it is skipped there, as the output says.

    QT_QPA_PLATFORM=offscreen python bench/render.py [--repeats 15] [--sizes 10000,...]

Goals: 1M bars full repaint <= 16 ms median, flat from 100k to 1M; >= 20x faster than
BarGraphItem at 100k; append without full rebuilds; <= 100 bytes a bar.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from visualizer.app import palette
from visualizer.app.timeline.gantt_item import BAR_HEIGHT, BAR_TOP, GanttItem
from visualizer.model.live_timeline import GrowingTimeline
from visualizer.model.phases import PhaseSegments
from visualizer.model.timeline import BarKind, Lane, LaneKind, Timeline

WIDTH, HEIGHT = 1200, 800
BARGRAPH_LIMIT = 100_000


def synthetic(bars: int, workers: int = 40, seed: int = 0) -> Timeline:
    """A run at a fixed pace, so more bars make a longer run, as they do in life.

    40% of the bars are loop slices (request code ~60 µs, server I/O ~20 µs, gaps
    ~40 µs), the rest worker runs of ~2 ms with gaps of ~0.7 ms.
    """
    rng = np.random.default_rng(seed)
    loop_n = int(bars * 0.4)
    per_worker = (bars - loop_n) // workers
    loop_n = bars - per_worker * workers
    serving = rng.random(loop_n) < 0.7
    loop_len = np.where(serving, rng.exponential(60_000, loop_n), rng.exponential(20_000, loop_n))
    loop_len = loop_len.astype(np.int64) + 1_000
    gaps = rng.exponential(40_000, loop_n).astype(np.int64)
    loop_start = np.cumsum(loop_len + gaps) - loop_len - gaps
    runs = rng.exponential(2_000_000, (workers, per_worker)).astype(np.int64) + 10_000
    idle = rng.exponential(700_000, (workers, per_worker)).astype(np.int64)
    run_start = np.cumsum(runs + idle, axis=1) - runs - idle
    lane = np.concatenate(
        [
            np.zeros(loop_n, np.int32),
            np.repeat(np.arange(1, workers + 1, dtype=np.int32), per_worker),
        ]
    )
    start = np.concatenate([loop_start, run_start.ravel()])
    end = np.concatenate([loop_start + loop_len, (run_start + runs).ravel()])
    kind = np.concatenate(
        [
            np.where(serving, BarKind.RUNNING, BarKind.SERVER).astype(np.int8),
            np.full(per_worker * workers, BarKind.RUNNING, np.int8),
        ]
    )
    request = np.where(kind == BarKind.SERVER, 0, rng.integers(1, 20_000, bars))
    cpu = np.where(lane > 0, (end - start) // 2, -1)
    order = np.argsort(start, kind="stable")  # as a live run delivers them: in time order
    lanes = [Lane(LaneKind.LOOP, "event loop", 0)]
    lanes += [Lane(LaneKind.WORKER, f"worker {n}", n) for n in range(1, workers + 1)]
    empty = np.empty(0, np.int64)
    return Timeline(
        lanes=lanes,
        lane=lane[order],
        start=start[order],
        end=end[order],
        kind=kind[order],
        request=request[order],
        cpu=cpu[order],
        phases=PhaseSegments(empty, empty, empty, np.empty(0, np.int8)),
        span=int(end.max()),
        worker_count=workers,
    )


def growing(timeline: Timeline, size: int, history: object) -> GrowingTimeline:
    """The first ``size`` bars of ``timeline``, all frozen: what a live frame hands over."""
    return GrowingTimeline(
        lanes=timeline.lanes,
        lane=timeline.lane[:size],
        start=timeline.start[:size],
        end=timeline.end[:size],
        kind=timeline.kind[:size],
        request=timeline.request[:size],
        cpu=timeline.cpu[:size],
        phases=timeline.phases,
        span=int(timeline.end[:size].max()),
        worker_count=timeline.worker_count,
        frozen=size,
        history=history,
    )


class Stage:
    """One PlotWidget, offscreen, the size of a laptop's plot area."""

    def __init__(self) -> None:
        self.plot = pg.PlotWidget(background=palette.BACKGROUND)
        self.plot.resize(WIDTH, HEIGHT)
        self.view = self.plot.getViewBox()
        self.view.invertY(True)
        self.view.disableAutoRange()
        self.plot.show()
        QApplication.processEvents()

    def show(self, x0: float, x1: float, lanes: int) -> None:
        self.view.setRange(xRange=(x0, x1), yRange=(0, lanes), padding=0)

    def repaint_ms(self) -> float:
        """One full repaint of the plot into an image, in ms."""
        QApplication.processEvents()  # layout and range changes, outside the timing
        started = time.perf_counter()
        self.plot.grab()
        return (time.perf_counter() - started) * 1e3


def median_of(repeats: int, action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(repeats))


def gantt_case(stage: Stage, timeline: Timeline, repeats: int) -> dict[str, float]:
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    model = synthetic(len(timeline), seed=1)  # a fresh copy, so the model is counted too
    size = int(len(model) / 1.01)
    item = GanttItem()
    history = object()
    started = time.perf_counter()
    item.set_timeline(growing(model, size, history))
    build = (time.perf_counter() - started) * 1e3
    held = tracemalloc.get_traced_memory()[0] - base
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    stage.plot.addItem(item)
    span = model.end[:size].max() / 1e9
    lanes = len(model.lanes)
    stage.show(0, span, lanes)
    stage.repaint_ms()  # warm up
    full = median_of(repeats, stage.repaint_ms)
    stage.show(span / 2 - 0.5, span / 2 + 0.5, lanes)
    zoomed = median_of(repeats, stage.repaint_ms)
    stage.show(0, span, lanes)
    append = []
    step = (len(model) - size) // repeats or 1
    for n in range(repeats):
        grown = growing(model, min(size + step * (n + 1), len(model)), history)
        started = time.perf_counter()
        item.set_timeline(grown)
        stage.plot.grab()
        append.append((time.perf_counter() - started) * 1e3)
    stage.plot.removeItem(item)
    return {
        "build": build,
        "full": full,
        "zoomed": zoomed,
        "append": statistics.median(append),
        "bytes": held / size,
        "peak": peak / size,
    }


def bargraph_case(stage: Stage, timeline: Timeline, repeats: int) -> dict[str, float]:
    colours = {kind: pg.mkBrush(palette.colour(kind)) for kind in BarKind}

    def options(size: int) -> dict[str, object]:
        return {
            "x0": timeline.start[:size] / 1e9,
            "x1": timeline.end[:size] / 1e9,
            "y0": timeline.lane[:size] + BAR_TOP,
            "height": BAR_HEIGHT,
            "brushes": [colours[BarKind(k)] for k in timeline.kind[:size].tolist()],
            "pen": None,
        }

    size = int(len(timeline) / 1.01)
    started = time.perf_counter()
    item = pg.BarGraphItem(**options(size))
    stage.plot.addItem(item)
    span = timeline.end[:size].max() / 1e9
    lanes = len(timeline.lanes)
    stage.show(0, span, lanes)
    stage.repaint_ms()  # its first paint draws every bar into a QPicture
    build = (time.perf_counter() - started) * 1e3
    full = median_of(repeats, stage.repaint_ms)
    stage.show(span / 2 - 0.5, span / 2 + 0.5, lanes)
    zoomed = median_of(repeats, stage.repaint_ms)
    stage.show(0, span, lanes)
    append = []
    step = (len(timeline) - size) // 3 or 1
    for n in range(3):  # each one redraws every bar: three are plenty
        opts = options(min(size + step * (n + 1), len(timeline)))
        started = time.perf_counter()
        item.setOpts(**opts)
        stage.plot.grab()
        append.append((time.perf_counter() - started) * 1e3)
    stage.plot.removeItem(item)
    return {"build": build, "full": full, "zoomed": zoomed, "append": statistics.median(append)}


def wide_case(stage: Stage, timeline: Timeline, repeats: int) -> float:
    """Full repaint of ``timeline`` zoomed out, every lane in view."""
    item = GanttItem()
    item.set_timeline(timeline)
    stage.plot.addItem(item)
    stage.show(0, timeline.span / 1e9, len(timeline.lanes))
    stage.repaint_ms()
    result = median_of(repeats, stage.repaint_ms)
    stage.plot.removeItem(item)
    return result


def random_bars(count: int, lanes: int, seed: int = 5) -> Timeline:
    """The worst case: bars of every kind at random over 10 s, so no lane is ever solid."""
    rng = np.random.default_rng(seed)
    start = rng.integers(0, 10_000_000_000, count)
    empty = np.empty(0, np.int64)
    return Timeline(
        lanes=[Lane(LaneKind.WORKER, f"lane {n}", n) for n in range(lanes)],
        lane=rng.integers(0, lanes, count).astype(np.int32),
        start=start,
        end=start + rng.integers(1, 50_000_000 * lanes // count + 2, count),
        kind=rng.integers(0, len(BarKind), count).astype(np.int8),
        request=rng.integers(1, 20_000, count),
        cpu=np.full(count, -1, np.int64),
        phases=PhaseSegments(empty, empty, empty, np.empty(0, np.int8)),
        span=10_000_000_000,
        worker_count=lanes - 1,
    )


def request_lanes(timeline: Timeline, requests: int) -> Timeline:
    """``timeline`` with its bars spread over ``requests`` more lanes below the workers."""
    lane = timeline.lane.copy()
    phase = timeline.kind == BarKind.SERVER  # server I/O slices become request phases here
    rng = np.random.default_rng(3)
    lane[phase] = timeline.worker_count + 1 + rng.integers(0, requests, int(phase.sum()))
    lanes = timeline.lanes + [
        Lane(LaneKind.REQUEST, f"request {r}", r) for r in range(1, requests + 1)
    ]
    kind = np.where(phase, BarKind.AWAITING, timeline.kind).astype(np.int8)
    return Timeline(
        lanes=lanes,
        lane=lane,
        start=timeline.start,
        end=timeline.end,
        kind=kind,
        request=timeline.request,
        cpu=timeline.cpu,
        phases=timeline.phases,
        span=timeline.span,
        worker_count=timeline.worker_count,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    stage = Stage()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"offscreen {WIDTH}x{HEIGHT}, medians of {args.repeats}, times in ms\n")
    header = (
        f"{'bars':>9} {'item':<12} {'build':>8} {'full':>8} {'zoom 1s':>8} "
        f"{'+1%':>8} {'B/bar':>6} {'peak B/bar':>10}"
    )
    print(header)
    results: dict[int, tuple[dict[str, float], dict[str, float] | None]] = {}
    for bars in sizes:
        timeline = synthetic(bars)
        ours = gantt_case(stage, timeline, args.repeats)
        theirs = bargraph_case(stage, timeline, 5) if bars <= BARGRAPH_LIMIT else None
        results[bars] = (ours, theirs)
        print(
            f"{bars:>9,} {'GanttItem':<12} {ours['build']:>8.1f} {ours['full']:>8.1f} "
            f"{ours['zoomed']:>8.1f} {ours['append']:>8.1f} {ours['bytes']:>6.0f} "
            f"{ours['peak']:>10.0f}"
        )
        if theirs is None:
            print(f"{bars:>9,} {'BarGraph':<12} skipped above {BARGRAPH_LIMIT:,} bars (minutes)")
        else:
            print(
                f"{bars:>9,} {'BarGraph':<12} {theirs['build']:>8.1f} {theirs['full']:>8.1f} "
                f"{theirs['zoomed']:>8.1f} {theirs['append']:>8.1f}"
            )
            ratios = [theirs[k] / ours[k] for k in ("build", "full", "zoomed", "append")]
            print(f"{'':>9} {'ratio':<12} " + " ".join(f"{r:>7.1f}x" for r in ratios))
        sys.stdout.flush()
    if 100_000 in results and 1_000_000 in results:
        flat = results[1_000_000][0]["full"] / results[100_000][0]["full"]
        print(f"\nfull repaint, 1M / 100k bars: {flat:.2f}x (flat is 1)")
    print("\nzoomed out, every lane in view (GanttItem):")
    for lanes in (41, 201):
        wide = synthetic(max(sizes), workers=lanes - 1, seed=2)
        cost = wide_case(stage, wide, args.repeats)
        print(f"  {max(sizes):>9,} bars, {lanes:>5} lanes: {cost:6.1f}")
    for lanes in (50, 200):
        noise = random_bars(max(sizes), lanes)
        cost = wide_case(stage, noise, args.repeats)
        print(f"  {max(sizes):>9,} bars, {lanes:>5} lanes: {cost:6.1f}  (random, 6 kinds a lane)")
    many = request_lanes(synthetic(max(sizes), seed=4), 20_000)
    print(
        f"  {max(sizes):>9,} bars, {len(many.lanes):>5} lanes: "
        f"{wide_case(stage, many, args.repeats):6.1f}  (20,000 request lanes)"
    )
    del app


if __name__ == "__main__":
    main()
