"""Files and frames at 20,000 requests: save, open, hover and replay, old paths beside new.

One recorded async_sleep run of 20,000 requests (concurrency 200, work 20 ms; made
once with a real server if ``--trace`` names no file, and kept for the next time),
and the same run tiled in time to a million bars for the hover. Each measurement
runs twice in this one process: on the machine as it is, and with a competing CPU
load (a process spinning on the second core). The old paths are kept here as they
were (json.dump of to_chrome's dicts, json.load and a per-event loop, a scan of the
lane under the pointer, a replay frame that cuts the trace and indexes it afresh),
so each ratio is measured on one machine at one time.

    QT_QPA_PLATFORM=offscreen python bench/files_and_frames.py [--trace T] [--frames 300]

Goals (issue 10, item 13): save and open of a 20,000-request run < 0.5 s each;
hover < 2 ms at 1M bars; replay frames within 33 ms at 20,000 requests; the GUI
thread never blocked over 50 ms by an open: the worst of ``--blocks`` opens, each in a
new window (bench/gui_responsiveness.py measures a streaming run). The open is also
timed on the reader's road of dicts (each event an orjson dict), which msgspec's typed
decoding replaced.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from _competing_load import competing_load
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from server.protocol import RESPONSE_END, RESPONSE_START, SERVER_START, Outcome
from visualizer.app.launcher import freeze_start_up
from visualizer.app.main_window import MainWindow
from visualizer.app.timeline._bar_index import KINDS, BarIndex
from visualizer.app.timeline.gantt_item import prepare_index
from visualizer.app.timeline.view import HOVER_REACH_PX, TimelineView
from visualizer.model import _trace_lines
from visualizer.model.analysis import analyse
from visualizer.model.annotations import annotate
from visualizer.model.replay import cut_trace
from visualizer.model.replay_frames import ReplayFrames
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import build_timeline
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace, to_chrome, write_trace

REQUESTS = 20_000
MILLION = 1_000_000
FRAME_BUDGET_MS = 33.0
#: The replay's default speed: a frame advances this share of 33 ms of the run.
REPLAY_SPEED = 0.25
VIEW_SIZE = (1400, 900)
#: Table columns for the run times: the columns of a trace table that hold times.
TIME_COLUMNS = {
    "sent": ("sent",),
    "done": ("sent", "received"),
    "loop": ("start", "end", "due"),
    "worker": ("dispatched", "start", "end"),
    "stamp": ("t",),
}


# -- the runs ------------------------------------------------------------------------------


def recorded_run(path: Path) -> RunTrace:
    if path.exists():
        return read_trace(path)
    from visualizer.runner.headless import run_to_completion

    print(f"recording a {REQUESTS:,}-request run to {path} (once)...", flush=True)
    settings = RunSettings(style="async_sleep", concurrency=200, requests=REQUESTS, work_ms=20)
    result = run_to_completion(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_trace(result.trace, path)
    return read_trace(path)


def tiled(trace: RunTrace, copies: int) -> RunTrace:
    """``copies`` runs of ``trace`` one after the other, request ids and times shifted."""
    span = int(trace.done.rows["received"].max()) - trace.t0 + 1_000_000
    last = int(trace.sent.rows["request"].max())
    out = RunTrace(
        settings=replace(trace.settings, requests=min(last * copies, MILLION)),
        t0=trace.t0,
        versions=dict(trace.versions),
        ended=trace.ended,
    )
    for table, columns in TIME_COLUMNS.items():
        rows = getattr(trace, table).rows
        copy = np.repeat(np.arange(copies), len(rows))
        many = np.tile(rows, copies)
        for column in columns:
            present = many[column] != 0 if column == "due" else slice(None)
            many[column][present] += (copy * span)[present]
        ids = many["request"] > 0
        many["request"][ids] += (copy * last)[ids]
        getattr(out, table).extend(many)
    return out


# -- the old paths, as they were -------------------------------------------------------------


def old_save(trace: RunTrace, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(to_chrome(trace), out, separators=(",", ":"))


_STAMP_ARGS = {
    SERVER_START: "server_start_us",
    RESPONSE_START: "response_start_us",
    RESPONSE_END: "response_end_us",
}


def old_read(path: Path) -> RunTrace:
    with open(path, encoding="utf-8") as source:
        data = json.load(source)
    schedviz = data["metadata"]["schedviz"]
    trace = RunTrace(settings=RunSettings.from_dict(schedviz["settings"]))

    def ns(us: Any) -> int:
        value = float(us)
        if not math.isfinite(value):
            raise ValueError(us)
        return round(value * 1000)

    loop, worker, sent, done, stamp = [], [], [], [], []
    for event in data["traceEvents"]:
        if event.get("ph") != "X":
            continue
        cat, args = event.get("cat"), event.get("args") or {}
        start = ns(event["ts"])
        end = start + ns(event["dur"])
        request = int(args.get("request") or 0)
        if cat == "loop":
            loop.append((start, end, request, ns(args["due_us"]) if "due_us" in args else 0))
        elif cat == "worker":
            thread = int(event["tid"])
            worker.append(
                (request, ns(args["dispatched_us"]), start, end, ns(args["cpu_us"]), thread)
            )
        elif cat == "request":
            sent.append((request, start))
            outcome = Outcome(int(args.get("outcome_code", Outcome.OK)))
            done.append((request, start, end, int(args.get("status", 0)), int(outcome)))
            for kind, key in _STAMP_ARGS.items():
                if key in args:
                    stamp.append((request, kind, ns(args[key])))
    trace.loop.extend(loop)
    trace.worker.extend(worker)
    trace.sent.extend(sent)
    trace.done.extend(done)
    trace.stamp.extend(stamp)
    return trace


def old_bar_at(index: BarIndex, x: float, lane: int, tolerance: float) -> int | None:
    """The old lookup: every bar of the lane, distances to all of them."""
    best: tuple[float, float, int] | None = None
    for segment in index._all():
        exact = segment.exact
        lo, hi = np.searchsorted(exact.groups, [lane * KINDS, (lane + 1) * KINDS])
        if lo == hi:
            continue
        bars = np.arange(exact.group_first[lo], exact.group_stop[hi - 1])
        start = (exact.start(bars) + segment.origin) / 1e9
        end = (exact.end(bars) + segment.origin) / 1e9
        distance = np.maximum(np.maximum(start - x, x - end), 0.0)
        pick = np.lexsort((end - start, distance))[0]
        here = (
            float(distance[pick]),
            float(end[pick] - start[pick]),
            int(segment.model[bars[pick]]),
        )
        best = here if best is None or here < best else best
    return None if best is None or best[0] > tolerance else best[2]


# -- measurements ------------------------------------------------------------------------------


def seconds(work: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@contextmanager
def as_dicts() -> Iterator[None]:
    """The reader's road before msgspec: every measured event parsed into an orjson dict
    (the road it still takes for lines it cannot decode typed, to name what is wrong)."""
    typed = _trace_lines.decode_typed
    _trace_lines.decode_typed = lambda kind, text: None  # type: ignore[assignment]
    try:
        yield
    finally:
        _trace_lines.decode_typed = typed


def files(trace: RunTrace, folder: Path, app: QApplication, blocks: int) -> dict[str, float]:
    path, old_path = folder / "new.json", folder / "old.json"
    figures = {
        "save, old (s)": seconds(lambda: old_save(trace, old_path), 1),
        "save (s)": seconds(lambda: write_trace(trace, path)),
        "open: read, old (s)": seconds(lambda: old_read(old_path), 1),
        "open: read (s)": seconds(lambda: read_trace(path)),
    }

    def whole_open() -> None:  # what the file job does (visualizer/app/file_actions.py)
        result = analyse(read_trace(path))
        prepare_index(result.timeline)
        result.marks  # noqa: B018

    figures["open: read + analyse + index (s)"] = seconds(whole_open)
    with as_dicts():
        figures["open: read + analyse + index, as dicts (s)"] = seconds(whole_open)
    # The longest block varies from run to run (what the other core does, a collection):
    # the worst of several opens, each in a window of its own.
    taken = [gui_block(app, lambda window: window.files.open(path)) for _ in range(blocks)]
    figures["open in the window: longest GUI block (ms)"] = max(taken)
    figures |= {f"open in the window: GUI block {n} (ms)": ms for n, ms in enumerate(taken)}
    return figures


def gui_block(app: QApplication, action: Callable[[MainWindow], object]) -> float:
    """The longest gap between ticks of a 10 ms timer while ``action`` runs, less 10 ms."""
    window = MainWindow()
    window.driver.launch_server = lambda: None  # type: ignore[method-assign]
    window.resize(1280, 720)
    window.show()
    app.processEvents()
    freeze_start_up()  # as launch() does once the window is up
    ticks: list[float] = []
    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    probe.start()
    started = time.perf_counter()
    action(window)
    ended = time.perf_counter()
    probe.stop()
    window.close()
    marks = [started, *ticks, ended]
    return max((b - a) * 1e3 for a, b in itertools.pairwise(marks)) - 10


def hover(trace: RunTrace, label: str) -> dict[str, float]:
    """Mouse moves along the loop lane, the whole run in a 1400 px wide view."""
    timeline = build_timeline(trace)
    index = BarIndex(timeline)
    span_s = timeline.span / 1e9
    reach = HOVER_REACH_PX * span_s / VIEW_SIZE[0]
    xs = np.random.default_rng(1).uniform(0, span_s, 200).tolist()
    figures: dict[str, float] = {}
    for name, lookup in (("old", old_bar_at), ("new", BarIndex.bar_at)):
        times = []
        for x in xs:
            started = time.perf_counter()
            lookup(index, x, 0, reach)
            times.append((time.perf_counter() - started) * 1e3)
        suffix = ", old" if name == "old" else ""
        figures[f"hover, {label}: median{suffix} (ms)"] = statistics.median(times)
        figures[f"hover, {label}: p99{suffix} (ms)"] = float(np.percentile(times, 99))
    figures[f"hover, {label}: bars"] = len(timeline)
    return figures


def replay(trace: RunTrace, app: QApplication, frames: int) -> dict[str, float]:
    """A replay at 0.25x, whole run in view: model, index and paint of each frame.

    The new path plays ``frames`` frames in three stretches (from 10%, 50% and 90% of
    the run, each begun by a seek there); the old path is timed on frames spread
    over the whole run (each cost ~O(run so far), far too slow to play through).
    """
    result = analyse(trace)
    view = TimelineView()
    view.resize(*VIEW_SIZE)
    view.show()
    view.set_timeline(result.timeline, annotate(result.trace))
    view.show_whole_run()
    app.processEvents()
    span = result.timeline.span
    step = int(FRAME_BUDGET_MS * 1e6 * REPLAY_SPEED)
    replay_frames = ReplayFrames(result.timeline, annotate(result.trace))

    def new_frame(at: int) -> None:
        timeline, marks = replay_frames.frame(at)
        view.set_timeline(timeline, marks, span)

    def old_frame(at: int) -> None:
        cut = cut_trace(result.trace, at)
        timeline = build_timeline(cut, now=result.trace.t0 + at)
        view.set_timeline(timeline, annotate(cut), span)

    def timed(make: Callable[[int], None], at: int) -> float:
        started = time.perf_counter()
        make(at)
        view.plot.viewport().repaint()  # the paint this frame causes, now
        return (time.perf_counter() - started) * 1e3

    seeks, played = [], []
    for share in (0.1, 0.5, 0.9):
        first = int(span * share)
        seeks.append(timed(new_frame, first))
        played += [timed(new_frame, first + k * step) for k in range(1, frames // 3 + 1)]
    old = [timed(old_frame, int(span * share)) for share in np.linspace(0.05, 0.95, 10)]
    view.close()
    figures: dict[str, float] = {"replay: frames": len(played)}
    for suffix, took in (("", played), (", old", old)):
        figures[f"replay frame: median{suffix} (ms)"] = statistics.median(took)
        figures[f"replay frame: p90{suffix} (ms)"] = float(np.percentile(took, 90))
        figures[f"replay frame: max{suffix} (ms)"] = max(took)
    figures["replay frame: frames over 33 ms"] = float(np.count_nonzero(np.array(played) > 33.0))
    figures["replay seek: max (ms)"] = max(seeks)
    return figures


def peak_memory_mb(path: Path, reader: str) -> float:
    """Peak memory (MB) that reading ``path`` adds, in a fresh process of its own."""
    import subprocess

    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through exec.
    code = (
        "import sys; sys.path[:0] = sys.argv[3:]\n"
        "import files_and_frames as bench\n"
        "def peak():\n"
        "    lines = open('/proc/self/status').read().splitlines()\n"
        "    return int(next(l for l in lines if l.startswith('VmHWM')).split()[1])\n"
        "before = peak()\n"
        "getattr(bench, sys.argv[1])(bench.Path(sys.argv[2]))\n"
        "print((peak() - before) / 1024)"
    )
    here = Path(__file__).resolve().parent
    out = subprocess.run(
        [sys.executable, "-c", code, reader, str(path), str(here), str(here.parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[-1])


def million_bar_file(million: RunTrace, folder: Path) -> dict[str, float]:
    path = folder / "million.json"
    write_trace(million, path)
    return {
        "open 1M bars: read, old (s)": seconds(lambda: old_read(path), 1),
        "open 1M bars: read (s)": seconds(lambda: read_trace(path), 1),
        "open 1M bars: peak memory added, old (MB)": peak_memory_mb(path, "old_read"),
        "open 1M bars: peak memory added (MB)": peak_memory_mb(path, "read_trace"),
    }


# -- the report --------------------------------------------------------------------------------

GOALS = {
    "save (s)": ("< 0.5", "save, old (s)"),
    "open: read (s)": ("< 0.5", "open: read, old (s)"),
    "open: read + analyse + index (s)": ("< 0.5", "open: read + analyse + index, as dicts (s)"),
    "open in the window: longest GUI block (ms)": ("<= 50", None),
    "hover, 20,000 requests: median (ms)": ("", "hover, 20,000 requests: median, old (ms)"),
    "hover, 20,000 requests: p99 (ms)": ("", "hover, 20,000 requests: p99, old (ms)"),
    "hover, 1M bars: median (ms)": ("< 2", "hover, 1M bars: median, old (ms)"),
    "hover, 1M bars: p99 (ms)": ("< 2", "hover, 1M bars: p99, old (ms)"),
    "replay frame: median (ms)": ("<= 33", "replay frame: median, old (ms)"),
    "replay frame: p90 (ms)": ("<= 33", "replay frame: p90, old (ms)"),
    "replay frame: max (ms)": ("<= 33", "replay frame: max, old (ms)"),
    "replay frame: frames over 33 ms": ("0", None),
    "replay seek: max (ms)": ("", "replay frame: max, old (ms)"),
    "open 1M bars: read (s)": ("", "open 1M bars: read, old (s)"),
    "open 1M bars: peak memory added (MB)": ("", "open 1M bars: peak memory added, old (MB)"),
}


def report(results: dict[str, dict[str, float]]) -> None:
    conditions = list(results)
    head = f"{'measure':<44}{'goal':>7}"
    for condition in conditions:
        head += f" | {condition[:6] + ': old':>13}{'new':>9}{'old/new':>8}"
    print("\n" + head)
    print("-" * len(head))
    for key, (goal, old_key) in GOALS.items():
        if all(key not in results[condition] for condition in conditions):
            continue
        line = f"{key:<44}{goal:>7}"
        for condition in conditions:
            figures = results[condition]
            new = figures.get(key, float("nan"))
            old = figures.get(old_key, float("nan")) if old_key else float("nan")
            ratio = old / new if old_key and new > 0 else float("nan")
            line += f" | {_fmt(old):>13}{_fmt(new):>9}{_fmt(ratio, 'x'):>8}"
        print(line)
    for condition in conditions:
        figures = results[condition]
        blocks = [ms for key, ms in figures.items() if key.startswith("open in the window: GUI ")]
        print(
            f"\n{condition}: open in the window, longest GUI block of each of {len(blocks)} opens: "
            + ", ".join(f"{ms:.0f}" for ms in blocks)
            + " ms; old = json.load and a loop per event (read), the reader's dicts"
            " road (read + analyse + index)"
        )
        if "replay: frames" not in figures:
            continue
        print(
            f"\n{condition}: {figures['hover, 1M bars: bars']:,.0f} bars in the 1M hover run, "
            f"{figures['hover, 20,000 requests: bars']:,.0f} at 20,000 requests; "
            f"{figures['replay: frames']:.0f} replay frames played (the old path: 10 spread)"
        )


def _fmt(value: float, unit: str = "") -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.1f}{unit}" if value >= 10 else f"{value:.2f}{unit}"


def conditions(names: list[str]) -> Iterator[tuple[str, bool]]:
    for name in names:
        yield name, name == "loaded"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(tempfile.gettempdir()) / "schedviz-bench" / f"async_sleep_{REQUESTS}.json"
    parser.add_argument("--trace", type=Path, default=default)
    parser.add_argument("--frames", type=int, default=300, help="replay frames to time")
    parser.add_argument("--only", choices=("quiet", "loaded"), help="one condition only")
    parser.add_argument(
        "--files-only", action="store_true", help="save and open only: no hover, no replay"
    )
    parser.add_argument("--blocks", type=int, default=5, help="opens in the window to time")
    args = parser.parse_args()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    trace = recorded_run(args.trace)
    bars = len(build_timeline(trace))
    million = tiled(trace, math.ceil(MILLION / bars))
    print(
        f"{len(trace.sent):,} requests, {bars:,} bars ({args.trace}); "
        f"hover also at {math.ceil(MILLION / bars)} copies of it"
    )
    results: dict[str, dict[str, float]] = {}
    names = [args.only] if args.only else ["quiet", "loaded"]
    with tempfile.TemporaryDirectory() as scratch:
        for name, loaded in conditions(names):
            with competing_load(loaded) as label:
                print(f"measuring, {label}...", flush=True)
                figures = files(trace, Path(scratch), app, args.blocks)
                results[name] = figures
                if args.files_only:
                    continue
                figures |= hover(trace, "20,000 requests")
                figures |= hover(million, "1M bars")
                figures |= replay(trace, app, args.frames)
                if not loaded:  # memory does not depend on the load
                    figures |= million_bar_file(million, Path(scratch))
                results[name] = figures
    report(results)


if __name__ == "__main__":
    main()
