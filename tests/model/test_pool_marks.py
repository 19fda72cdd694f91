"""Every pool as the views see it: its lane group and title, its own full periods, which
pool a wait was for, and where a sampled bar was held, found from any frame of the run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from _pool_traces import DB_LINE, DEFAULT, HELD_LINE, MS, PROCESSES, pools_trace, write_source

from visualizer.model.analysis import analyse
from visualizer.model.annotations import (
    Annotations,
    annotate,
    pool_full_periods,
    pools_full_periods,
)
from visualizer.model.held_at import HeldAt
from visualizer.model.held_source import MAX_LINES, held_source, short_frame
from visualizer.model.live_timeline import LiveTimeline
from visualizer.model.pool_groups import pool_groups, pool_title
from visualizer.model.replay_frames import ReplayFrames
from visualizer.model.timeline import BarKind, LaneKind, Timeline
from visualizer.model.trace import ANYIO, Pool
from visualizer.model.tracefile import read_trace, write_trace


def _bar(timeline: Timeline, label: str, kind: BarKind, request: int) -> int:
    lane = [ln.label for ln in timeline.lanes].index(label)
    found = np.flatnonzero(
        (timeline.lane == lane) & (timeline.kind == kind) & (timeline.request == request)
    )
    assert len(found), f"no {kind.name} bar of request {request} on {label}"
    return int(found[0])


def test_each_pool_fills_at_its_own_capacity() -> None:
    trace = pools_trace()
    assert pools_full_periods(trace) == {
        ANYIO.id: [(10 * MS, 110 * MS)],
        PROCESSES.id: [(50 * MS, 130 * MS)],
    }
    # AnyIO's alone, at P, as before pools were traced: the default executor's run and
    # the processes' are not AnyIO's workers.
    assert pool_full_periods(trace) == [(10 * MS, 110 * MS)]
    marks = annotate(trace)
    assert marks.pool_full == [(10 * MS, 110 * MS)]
    assert marks.full_periods() == pools_full_periods(trace)


def test_anyio_fills_at_the_runs_p_and_the_others_at_their_own_size() -> None:
    trace = pools_trace()
    trace.settings = replace(trace.settings, pool=3)
    # Two at once never fill three tokens; the processes fill their own two all the same.
    assert pools_full_periods(trace) == {PROCESSES.id: [(50 * MS, 130 * MS)]}
    assert annotate(trace).pool_full == []


def test_marks_made_without_pools_are_anyios() -> None:
    marks = replace(annotate(pools_trace()), pools_full={})
    assert marks.full_periods() == {ANYIO.id: [(10 * MS, 110 * MS)]}


def test_lane_groups_are_named_with_their_capacity() -> None:
    timeline = analyse(pools_trace()).timeline
    groups = pool_groups(timeline)
    assert [(g.title, g.first, g.count) for g in groups] == [
        ("AnyIO pool, P = 2", 1, 2),
        ("asyncio default executor, 2 threads", 3, 1),
        ("process pool, 2 processes", 4, 2),
    ]
    assert groups[1].titles == (
        "asyncio default executor, 2 threads",
        "asyncio, 2 threads",
        "2 threads",
    )


def test_titles_of_every_kind_of_pool() -> None:
    assert pool_title(Pool(0, "anyio", "AnyIO worker threads", 40)) == "AnyIO pool, P = 40"
    assert pool_title(Pool(3, "thread", "a thread pool (io)", 1)) == "thread pool (io), 1 thread"
    assert pool_title(Pool(4, "process", "a process pool", 1)) == "process pool, 1 process"
    assert pool_title(Pool(5, "thread", "", 0)) == "thread pool"


def test_a_live_timeline_groups_its_lanes_as_they_came() -> None:
    trace = pools_trace()
    live = LiveTimeline(trace).update(400 * MS)
    # Live: lanes in first use, still a group a pool, P as the run's, runs named.
    names = {live.labels[f] for f in live.func[live.func >= 0].tolist()}
    assert names == {"get_db (enter)", "items", "sleep", "crunch"}
    groups = pool_groups(live)
    assert {g.pool.id for g in groups} == {ANYIO.id, DEFAULT.id, PROCESSES.id}
    assert groups[0].title == "AnyIO pool, P = 2"
    assert sum(g.count for g in groups) == live.worker_count


def test_a_wait_names_the_pool_and_the_run_it_waited_for() -> None:
    trace = pools_trace()
    timeline = analyse(trace).timeline
    waits = annotate(trace).waits
    bar = _bar(timeline, "request 3", BarKind.WAITING, 3)
    wait = waits.waited_for(3, int(timeline.start[bar]), int(timeline.end[bar]))
    assert wait is not None
    assert (wait.dispatched, wait.start, wait.pool) == (12 * MS, 60 * MS, ANYIO.id)
    assert timeline.labels[wait.func] == "items"
    # Before its run was handed over, request 3 waited for no pool.
    assert waits.waited_for(3, 0, 10 * MS) is None
    assert waits.waited_for(99, 0, 10**12) is None


def test_held_bars_are_found_in_the_finished_run_and_in_a_replay_frame() -> None:
    trace = pools_trace()
    timeline = analyse(trace).timeline
    held = annotate(trace).held
    block = _bar(timeline, "event loop", BarKind.RUNNING, 8)
    place = held.at(timeline, block)
    assert place is not None
    assert (place.line, place.function, place.code, place.samples) == (
        HELD_LINE,
        "block",
        "time.sleep(0.1)",
        3,
    )
    db = held.at(timeline, _bar(timeline, "worker 1", BarKind.RUNNING, 1))
    assert db is not None and db.line == DB_LINE and db.samples == 2
    # Unsampled: request 2's run on worker 2, at the same start as request 1's.
    assert held.at(timeline, _bar(timeline, "worker 2", BarKind.RUNNING, 2)) is None
    frame, marks = ReplayFrames(timeline, annotate(trace)).frame(200 * MS)
    cut = _bar(frame, "event loop", BarKind.RUNNING, 8)
    assert frame.end[cut] == 200 * MS
    assert marks.held.at(frame, cut) == place
    # The frame names what workers ran, as the run does.
    assert frame.labels[frame.func[_bar(frame, "worker 1", BarKind.RUNNING, 3)]] == "items"
    # And its pools' full periods are cut where the frame is.
    frame, marks = ReplayFrames(timeline, annotate(trace)).frame(80 * MS)
    assert marks.pools_full == {ANYIO.id: [(10 * MS, 80 * MS)], PROCESSES.id: [(50 * MS, 80 * MS)]}


def test_held_source_is_the_function_around_the_line(tmp_path: Path) -> None:
    path = write_source(tmp_path)
    held = HeldAt(f"{path}:{HELD_LINE} in block", "time.sleep(0.1)", (), 3)
    source = held_source(held, str(tmp_path))
    assert source.note == ""
    assert source.heading == "# api.py:9 · async def block"
    assert source.text.splitlines()[source.marked_line] == "    time.sleep(0.1)"
    assert source.source.splitlines()[0] == "async def block():"


def test_held_source_of_a_built_in_style_is_its_handler() -> None:
    import server.styles

    path = server.styles.__file__
    lines = Path(path).read_text().splitlines()
    start = next(n for n, text in enumerate(lines, 1) if "def async_blocking(" in text)
    line = next(n for n in range(start, len(lines)) if "time.sleep(" in lines[n - 1])
    source = held_source(HeldAt(f"{path}:{line} in async_blocking", "time.sleep(...)", (), 2))
    assert source.note == ""
    # From its decorator, the style's teaching sentence, on.
    assert source.heading.endswith(f"styles.py:{start - 1} · async def async_blocking")
    assert "time.sleep(" in source.text.splitlines()[source.marked_line]


def test_held_source_of_a_file_not_on_this_machine_says_so() -> None:
    held = HeldAt("/elsewhere/shop/api.py:42 in get_order", "time.sleep(0.2)", (), 1)
    source = held_source(held)
    assert "/elsewhere/shop/api.py is not readable on this machine" in source.note
    # The line the server read is still shown, and marked.
    assert source.text.splitlines()[source.marked_line] == "time.sleep(0.2)"
    assert source.heading == "# /elsewhere/shop/api.py:42 · in get_order"


def test_held_source_of_a_changed_file_or_a_long_function(tmp_path: Path) -> None:
    path = tmp_path / "long.py"
    path.write_text("def long():\n" + "".join(f"    x = {n}\n" for n in range(200)))
    source = held_source(HeldAt(f"{path}:150 in long", "x = 148", (), 1))
    assert len(source.source.splitlines()) == MAX_LINES
    assert source.text.splitlines()[source.marked_line] == "    x = 148"
    changed = held_source(HeldAt(f"{path}:900 in long", "x = 1", (), 1))
    assert "changed since" in changed.note
    module = tmp_path / "flat.py"
    module.write_text("import time\n\ntime.sleep(1)\n")
    flat = held_source(HeldAt(f"{module}:3 in <module>", "time.sleep(1)", (), 1))
    assert flat.text.splitlines()[flat.marked_line] == "time.sleep(1)"
    assert flat.heading.endswith("· in <module>")


def test_short_frames_keep_the_folder_that_says_whose_file_it_is() -> None:
    frame = "/venv/lib/site-packages/starlette/routing.py:73 in app"
    assert short_frame(frame) == "starlette/routing.py:73 in app"
    assert short_frame("<frozen runpy>:88 in _run_code") == "<frozen runpy>:88 in _run_code"


def test_a_trace_file_keeps_the_groups_the_marks_and_the_held_bars(tmp_path: Path) -> None:
    trace = pools_trace(write_source(tmp_path))
    write_trace(trace, tmp_path / "pools.json")
    back = read_trace(tmp_path / "pools.json")
    before, after = analyse(trace).timeline, analyse(back).timeline
    assert [g.title for g in pool_groups(after)] == [g.title for g in pool_groups(before)]
    marks, read = annotate(trace), annotate(back)
    assert read.pools_full == marks.pools_full

    def notes(timeline: Timeline, found: Annotations) -> list[tuple[str, int, str]]:
        return sorted(
            (timeline.lanes[timeline.lane[bar]].label, int(timeline.start[bar]), held.where)
            for bar in range(len(timeline))
            if (held := found.held.at(timeline, bar)) is not None
        )

    assert notes(after, read) == notes(before, marks) != []
    bar = _bar(after, "request 3", BarKind.WAITING, 3)
    wait = read.waits.waited_for(3, int(after.start[bar]), int(after.end[bar]))
    assert wait is not None and after.labels[wait.func] == "items" and wait.pool == ANYIO.id


def test_worker_lanes_know_their_pool() -> None:
    timeline = analyse(pools_trace()).timeline
    workers = [ln for ln in timeline.lanes if ln.kind is LaneKind.WORKER]
    assert [ln.pool for ln in workers] == [0, 0, 1, 2, 2]
    assert timeline.pools[ANYIO.id].capacity == 2  # the run's P, not AnyIO's default
