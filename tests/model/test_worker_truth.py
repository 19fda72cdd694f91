"""Worker truth: runs drawn from their start, handlers the client gave up on drawn as
abandoned until they really ended, and workers' wall time split three ways.

The traces here are small and made by hand, each row one the server would ship, so
that every expected bar can be read off the rows.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from server.protocol import (
    HANDLER_END,
    RESPONSE_END,
    RESPONSE_START,
    SERVER_START,
    Outcome,
)
from tests._worker_traces import MS, THREAD, timed_out_def_requests
from visualizer.model.analysis import analyse
from visualizer.model.csv_export import requests_csv
from visualizer.model.live_timeline import LiveTimeline
from visualizer.model.phases import Phase
from visualizer.model.replay import timeline_at
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import BarKind, Timeline, build_timeline
from visualizer.model.trace import EventTable, RunTrace
from visualizer.model.tracefile import read_trace, to_chrome, write_trace


def bars_on(timeline: Timeline, lane: int) -> list[tuple[BarKind, int, int, int]]:
    """(kind, start ms, end ms, request) of the bars of one lane, by start."""
    mine = np.flatnonzero(timeline.lane == lane)
    rows = [
        (
            BarKind(int(timeline.kind[i])),
            int(timeline.start[i]) // MS,
            int(timeline.end[i]) // MS,
            int(timeline.request[i]),
        )
        for i in mine
    ]
    return sorted(rows, key=lambda row: (row[1], row[2]))


def arrived_by(full: RunTrace, now: int) -> RunTrace:
    """What a live run knows at ``now``: every row of ``full`` measured by then."""
    live = RunTrace(full.settings, t0=full.t0, handler_ends=True)
    for name, column in (
        ("sent", "sent"),
        ("done", "received"),
        ("loop", "end"),
        ("worker", "end"),
        ("worker_start", "start"),
        ("stamp", "t"),
    ):
        rows = getattr(full, name).rows
        getattr(live, name).extend(rows[rows[column] <= now])
    return live


def test_a_worker_run_is_drawn_growing_from_its_start_before_it_ends() -> None:
    full = timed_out_def_requests()
    live = RunTrace(full.settings, t0=0, handler_ends=True)
    timeline = LiveTimeline(live)

    def feed(now: int) -> Timeline:
        known = arrived_by(full, now)
        for name in ("sent", "done", "loop", "worker", "worker_start", "stamp"):
            table, mine = getattr(known, name), getattr(live, name)
            mine.extend(table.rows[len(mine) :])
        return timeline.update(now)

    at_one_second = feed(1000 * MS)
    assert at_one_second.worker_count == 1
    # Running while its client waited, abandoned after the client gave up at 501 ms.
    assert bars_on(at_one_second, 1) == [
        (BarKind.RUNNING, 5, 501, 1),
        (BarKind.ABANDONED, 501, 1000, 1),
    ]
    at_three_seconds = feed(3000 * MS)
    assert bars_on(at_three_seconds, 1) == [
        (BarKind.RUNNING, 5, 501, 1),
        (BarKind.ABANDONED, 501, 2000, 1),  # where it really ended
        (BarKind.ABANDONED, 2001, 3000, 2),  # the next one, growing
    ]


def test_a_handler_the_client_gave_up_on_is_abandoned_until_it_really_ended() -> None:
    result = analyse(timed_out_def_requests())
    timeline = result.timeline
    assert bars_on(timeline, 1) == [
        (BarKind.RUNNING, 5, 501, 1),
        (BarKind.ABANDONED, 501, 2000, 1),
        (BarKind.ABANDONED, 2001, 4000, 2),
    ]
    # The request lanes: waiting for the worker while the client waited, then abandoned
    # from the client's timeout to the handler's end.
    assert timeline.phases.of(2)[-1] == (Phase.ABANDONED, 501 * MS, 4001 * MS)
    assert (Phase.WAITING, 4 * MS, 501 * MS) in timeline.phases.of(2)
    assert timeline.phases.of(1)[-1] == (Phase.ABANDONED, 501 * MS, 2001 * MS)
    summary = result.summary
    assert (summary.workers_used, summary.pool_waited, summary.abandoned) == (1, 1, 2)
    assert summary.makespan_ms == 4001
    assert (
        "The client gave up on 2 requests, but the server went on with them for 5.00 s in "
        "all, and kept 1 worker of the pool of 1 busy: drawn as abandoned." in result.story
    )


def test_a_run_that_never_ended_is_drawn_unfinished_to_the_end_of_the_trace() -> None:
    result = analyse(timed_out_def_requests(handlers_end=False))
    assert bars_on(result.timeline, 1)[-1] == (BarKind.UNFINISHED, 2001, 3001, 2)
    assert result.timeline.phases.of(2)[-1] == (Phase.ABANDONED, 501 * MS, 3001 * MS)
    assert result.summary.unfinished == 1
    assert any("1 handler was still running when the trace ended" in s for s in result.story)


def test_a_run_that_never_ended_is_running_while_its_client_waited_then_unfinished() -> None:
    trace = timed_out_def_requests(handlers_end=False)
    # Only request 1, on the worker from 5 ms, and never heard of again.
    trace.worker = EventTable(trace.worker.dtype)
    trace.worker_start = EventTable(trace.worker_start.dtype)
    trace.worker_start.extend([(1, 3 * MS, 5 * MS, THREAD)])
    stamps = trace.stamp.rows
    trace.stamp = EventTable(stamps.dtype)
    trace.stamp.extend(stamps[stamps["kind"] != HANDLER_END])
    assert bars_on(build_timeline(trace), 1) == [
        (BarKind.RUNNING, 5, 501, 1),
        (BarKind.UNFINISHED, 501, 3001, 1),
    ]


def test_abandoned_and_unfinished_runs_survive_the_trace_file(tmp_path: Path) -> None:
    trace = timed_out_def_requests(handlers_end=False)
    trace.worker.rows["core_wait"][0] = 3 * MS
    path = tmp_path / "timeout.json"
    write_trace(trace, path)
    events = to_chrome(trace)["traceEvents"]
    phases = {e["name"] for e in events if e.get("cat") == "phase"}
    assert "abandoned" in phases
    workers = [e for e in events if e.get("cat") == "worker"]
    assert workers[0]["args"]["core_wait_us"] == 3000
    assert workers[1]["args"]["unfinished"] is True
    # The fast writer means what the readable one says, event by event.
    assert json.loads(path.read_text(encoding="utf-8")) == to_chrome(trace)
    back = read_trace(path)
    assert back.handler_ends
    assert back.worker.rows["core_wait"].tolist() == [3 * MS]
    again, before = build_timeline(back), build_timeline(trace)
    assert bars_on(again, 1) == bars_on(before, 1)
    assert again.phases.of(2) == before.phases.of(2)


def test_a_timed_out_async_request_is_awaiting_while_its_handler_is_suspended() -> None:
    settings = RunSettings(style="async_sleep", concurrency=1, requests=1, work_ms=2000)
    full = RunTrace(settings, t0=0, handler_ends=True)
    full.sent.extend([(1, 1 * MS)])
    full.done.extend([(1, 1 * MS, 501 * MS, 0, int(Outcome.TIMEOUT))])
    full.loop.extend([(2 * MS, 3 * MS, 1, 0), (2001 * MS, 2002 * MS, 1, 2000 * MS)])
    full.stamp.extend(
        [
            (1, SERVER_START, 2 * MS),
            (1, RESPONSE_START, 2002 * MS),
            (1, RESPONSE_END, 2002 * MS),
            (1, HANDLER_END, 2002 * MS),
        ]
    )
    assert build_timeline(full).phases.of(1) == [
        (Phase.SENDING, 0, 2 * MS),  # the first of C: the client's time, the loop idle
        (Phase.RUNNING, 2 * MS, 3 * MS),
        (Phase.AWAITING, 3 * MS, 501 * MS),
        (Phase.ABANDONED, 501 * MS, 2002 * MS),
    ]
    # Live, at 400 ms: only the first slice is known; the handler has not ended.
    live = build_timeline(arrived_by(full, 400 * MS), now=400 * MS)
    assert live.phases.of(1)[-1] == (Phase.AWAITING, 3 * MS, 400 * MS)


def cpu_bound_runs(core_wait_ms: float, overlapping: bool) -> RunTrace:
    """Two 100 ms sync_cpu runs with 30 ms of CPU each, one after the other or together."""
    settings = RunSettings(style="sync_cpu", concurrency=2, requests=2, work_ms=100, pool=2)
    trace = RunTrace(settings, t0=0, handler_ends=True)
    second = 1 if overlapping else 101
    trace.sent.extend([(1, 0), (2, 0)])
    trace.done.extend([(1, 0, 102 * MS, 200, 0), (2, 0, (second + 101) * MS, 200, 0)])
    wait = int(core_wait_ms * MS)
    trace.worker.extend(
        [
            (1, 0, 1 * MS, 101 * MS, 30 * MS, 1, wait),
            (2, 0, second * MS, (second + 100) * MS, 30 * MS, 2 if overlapping else 1, wait),
        ]
    )
    return trace


def test_worker_time_splits_into_cpu_core_wait_and_the_rest() -> None:
    summary = analyse(cpu_bound_runs(core_wait_ms=60, overlapping=False)).summary
    assert summary.worker_wall_ms == 200
    assert (summary.worker_cpu_ms, summary.worker_core_wait_ms) == (60, 120)
    assert summary.worker_other_ms == 20
    assert summary.to_json()["worker_other_ms"] == 20
    split = "CPU 60.0 ms, waiting for a core 120.0 ms, other (GIL or I/O) 20.0 ms"
    assert summary.worker_time_split() == split


def test_a_core_wait_that_dominates_is_blamed_on_other_processes_not_the_gil() -> None:
    story = analyse(cpu_bound_runs(core_wait_ms=60, overlapping=True)).story
    line = next(s for s in story if s.startswith("Workers ran"))
    assert "they waited 120 ms for a core, which other processes or threads held" in line
    assert "took turns" not in line


def test_one_worker_at_a_time_is_never_said_to_take_turns_for_the_gil() -> None:
    story = analyse(cpu_bound_runs(core_wait_ms=5, overlapping=False)).story
    line = next(s for s in story if s.startswith("Workers ran"))
    assert "with one worker at a time, so no other worker competed for the GIL" in line
    assert "(CPU 60 ms, waiting for a core 10 ms, other 130 ms)" in line


def test_the_gil_is_blamed_when_the_rest_dominates_with_workers_busy_together() -> None:
    story = analyse(cpu_bound_runs(core_wait_ms=5, overlapping=True)).story
    line = next(s for s in story if s.startswith("Workers ran"))
    assert "they took turns holding the GIL" in line


def test_replay_shows_a_run_that_never_ended_growing_like_the_live_view() -> None:
    trace = timed_out_def_requests(handlers_end=False)
    halfway = timeline_at(trace, 2500 * MS)
    assert bars_on(halfway, 1)[-1] == (BarKind.ABANDONED, 2001, 2500, 2)
    assert halfway.phases.of(1)[-1] == (Phase.ABANDONED, 501 * MS, 2001 * MS)


def test_the_csv_gives_each_request_its_time_abandoned() -> None:
    trace = timed_out_def_requests()
    rows = list(csv.DictReader(io.StringIO(requests_csv(trace, build_timeline(trace)))))
    assert [float(row["abandoned_ms"]) for row in rows] == [1500.0, 3500.0]


def test_the_servers_own_callbacks_after_the_flush_was_asked_are_not_the_runs() -> None:
    """The flush wakes the server's loop through its self-pipe, a callback of nobody's
    request: drawn as server I/O after the run, it stretched a 33 ms run's axis to 56 ms.
    A request's slice after the flush (a handler still going) is the run's."""
    trace = RunTrace(settings=RunSettings(style="async_sleep", concurrency=1, requests=1), t0=1)
    trace.flush_asked = 40 * MS
    loop = np.array(
        [[2 * MS, 3 * MS, 0], [30 * MS, 31 * MS, 1], [41 * MS, 42 * MS, 0], [43 * MS, 44 * MS, 1]],
        np.int64,
    )
    no_timers, no_rows = np.empty((0, 4), np.int64), np.empty((0, 3), np.int64)
    trace.add_server_events(loop, no_timers, np.empty((0, 6), np.int64), no_rows)
    kept = trace.loop.rows
    assert list(zip(kept["start"] // MS, kept["request"], strict=True)) == [
        (2, 0),
        (30, 1),
        (43, 1),
    ]
