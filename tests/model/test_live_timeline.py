"""LiveTimeline: a recorded run fed in slices, as a live run arrives, gives the Timeline
that build_timeline gives for the same events, frame after frame and at the end."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from server.protocol import HANDLER_END, Outcome
from visualizer.model.follow import FollowedLanes
from visualizer.model.live_timeline import GrowingTimeline, LiveTimeline
from visualizer.model.timeline import BarKind, LaneKind, Timeline, build_timeline
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).parent.parent / "data"
TRACES = sorted(DATA.glob("*.json"))
#: Which column says when a row of each table became known.
ARRIVAL = {
    "sent": "sent",
    "done": "received",
    "loop": "end",
    "worker": "end",
    "stamp": "t",
    "gc": "end",
}


def with_a_failure(trace: RunTrace) -> RunTrace:
    """The trace with its third request timed out, so failure marks are drawn too."""
    done = trace.done.rows.copy()
    done["outcome"][2] = Outcome.TIMEOUT
    trace.done = type(trace.done)(trace.done.dtype)
    trace.done.extend(done)
    return trace


def frames(full: RunTrace, step_ns: int) -> Any:
    """(live trace, now) after each slice of ``step_ns`` of the run has arrived."""
    live = RunTrace(
        full.settings,
        t0=full.t0,
        labels=full.labels,
        pools=dict(full.pools),
        planned_routes=full.planned_routes,
        routes=full.routes,
        processes=full.processes,  # the session knows them from the server's hello
    )
    tables = [(getattr(full, name).rows, column) for name, column in ARRIVAL.items()]
    last = max(int(rows[column].max()) for rows, column in tables if len(rows))
    # The server names a request's route when its handler ends.
    stamps = full.stamp.rows[full.stamp.rows["kind"] == HANDLER_END]
    ended = dict(zip(stamps["request"].tolist(), stamps["t"].tolist(), strict=True))
    route_rows = full.route.rows
    route_known = np.array([ended.get(r, last) for r in route_rows["request"].tolist()], np.int64)
    for now in range(full.t0, last + 2 * step_ns, step_ns):
        for name, column in ARRIVAL.items():
            rows = getattr(full, name).rows
            getattr(live, name).extend(rows[(rows[column] > now - step_ns) & (rows[column] <= now)])
        live.route.extend(route_rows[(route_known > now - step_ns) & (route_known <= now)])
        yield live, now


def bars(timeline: Timeline) -> np.ndarray:
    """The bars as a sorted record array: the same bars in any order compare equal."""
    columns: list[np.ndarray] = [timeline.lane, timeline.start, timeline.end, timeline.kind]
    return np.sort(np.rec.fromarrays([*columns, timeline.request, timeline.cpu]))


@pytest.mark.parametrize("path", TRACES, ids=[p.stem for p in TRACES])
def test_every_frame_shows_the_bars_a_full_rebuild_shows(path: Path) -> None:
    full = with_a_failure(read_trace(path))
    live_timeline: LiveTimeline | None = None
    for live, now in frames(full, step_ns=20_000_000):
        live_timeline = live_timeline or LiveTimeline(live)
        timeline = live_timeline.update(now)
        expected = build_timeline(live, now=now)
        assert np.array_equal(bars(timeline), bars(expected))
        assert timeline.worker_count == expected.worker_count
        assert timeline.lanes[: len(expected.lanes)] == expected.lanes
        assert timeline.span == expected.span


@pytest.mark.parametrize("path", TRACES, ids=[p.stem for p in TRACES])
def test_the_final_timeline_is_exactly_build_timeline(path: Path) -> None:
    full = with_a_failure(read_trace(path))
    live_timeline: LiveTimeline | None = None
    for live, now in frames(full, step_ns=50_000_000):
        live_timeline = live_timeline or LiveTimeline(live)
        live_timeline.update(now)
    assert live_timeline is not None
    final, expected = live_timeline.finish(), build_timeline(full)
    for column in ("lane", "start", "end", "kind", "request", "cpu"):
        assert np.array_equal(getattr(final, column), getattr(expected, column)), column
    for column in ("request", "start", "end", "phase"):
        assert np.array_equal(getattr(final.phases, column), getattr(expected.phases, column))
    assert (final.lanes, final.span, final.worker_count) == (
        expected.lanes,
        expected.span,
        expected.worker_count,
    )


FROZEN = ("lane", "start", "end", "kind", "request", "cpu")


def frozen_request_bars(path: Path) -> int:
    """Replays ``path`` checking the frozen promise; returns how many request bars froze."""
    full = read_trace(path)
    previous: GrowingTimeline | None = None
    kept: list[np.ndarray] = []
    settled = 0
    live_timeline: LiveTimeline | None = None
    for live, now in frames(full, step_ns=10_000_000):
        live_timeline = live_timeline or LiveTimeline(live)
        timeline = live_timeline.update(now)
        if previous is not None and timeline.history is previous.history:
            assert timeline.frozen >= previous.frozen
            for column, before in zip(FROZEN, kept, strict=True):
                assert np.array_equal(getattr(timeline, column)[: len(before)], before)
        kept = [getattr(timeline, column)[: timeline.frozen].copy() for column in FROZEN]
        on_requests = timeline.lane[: timeline.frozen] > timeline.worker_count
        settled = max(settled, int(np.count_nonzero(on_requests)))
        previous = timeline
    return settled


@pytest.mark.parametrize("path", TRACES, ids=[p.stem for p in TRACES])
def test_frozen_bars_stay_as_they_were_while_the_history_lasts(path: Path) -> None:
    frozen_request_bars(path)


def test_requests_long_over_are_settled_and_their_phases_frozen() -> None:
    # One request after another for a second: the first ones end long before the run.
    assert frozen_request_bars(DATA / "async_blocking_c5_w200.json") > 0


def test_a_worker_that_appears_after_requests_have_lanes_starts_a_new_history() -> None:
    full = read_trace(DATA / "sync_sleep_c6_p2_w200.json")
    histories = set()
    live_timeline: LiveTimeline | None = None
    for live, now in frames(full, step_ns=5_000_000):
        live_timeline = live_timeline or LiveTimeline(live)
        timeline = live_timeline.update(now)
        histories.add(id(timeline.history))
        assert np.array_equal(bars(timeline), bars(build_timeline(live, now=now)))
    assert live_timeline is not None
    assert live_timeline.rebuilds == len(histories) - 1


@pytest.mark.parametrize("path", TRACES, ids=[p.stem for p in TRACES])
def test_server_events_that_come_before_the_clients_sent_rows_have_their_lanes(
    path: Path,
) -> None:
    """The client's 'sent' batches can come after the server's events of the same
    requests: every bar must still fall on a lane the timeline lists, and following
    the run (the view keeps 8 lanes) must not trip over it."""
    full = _with_ids_from(read_trace(path), 101)  # beyond the lanes a live view makes first
    # The sent rows arrive only with the answers: by then the server has said all.
    done = full.done.rows
    answered = dict(zip(done["request"].tolist(), done["received"].tolist(), strict=True))
    arrival = {name: getattr(full, name).rows[column] for name, column in ARRIVAL.items()}
    arrival["sent"] = np.array([answered[r] for r in full.sent.rows["request"].tolist()])
    live = RunTrace(full.settings, t0=full.t0)
    live_timeline = LiveTimeline(live)
    follower = FollowedLanes(most=8)
    last = int(full.done.rows["received"].max())
    step = 5_000_000
    for now in range(full.t0, last + 2 * step, step):
        for name, when in arrival.items():
            rows = getattr(full, name).rows
            getattr(live, name).extend(rows[(when > now - step) & (when <= now)])
        timeline = live_timeline.update(now)
        assert int(timeline.lane.max(initial=0)) < len(timeline.lanes)
        follower.update(timeline)


def _with_ids_from(trace: RunTrace, first: int) -> RunTrace:
    """The trace of a bigger run's last requests: ids from ``first``, of 2 x ``first`` planned."""
    renumbered = RunTrace(replace(trace.settings, requests=2 * first), t0=trace.t0)
    for name in ("sent", "done", "loop", "worker", "stamp"):
        rows = getattr(trace, name).rows.copy()
        ours = rows["request"] > 0
        rows["request"][ours] += first - 1
        getattr(renumbered, name).extend(rows)
    return renumbered


def test_a_live_run_of_two_server_processes_has_a_loop_lane_for_each() -> None:
    """Each process's loop on its own lane, its workers under it, from the first frame."""
    full = read_trace(DATA / "sync_sleep_workers2_c10_p4_w100.json")
    live_timeline: LiveTimeline | None = None
    for live, now in frames(full, step_ns=50_000_000):
        live_timeline = live_timeline or LiveTimeline(live)
        timeline = live_timeline.update(now)
        loops = [n for n, lane in enumerate(timeline.lanes) if lane.kind is LaneKind.LOOP]
        assert [timeline.lanes[n].label for n in loops] == [
            "server 1: event loop",
            "server 2: event loop",
        ]
    assert live_timeline is not None
    timeline = live_timeline.update(full.t0 + 10**10)
    # Every slice of each process's loop on that loop's lane, none on the other's.
    for process, loop_lane in enumerate(loops):
        mine = full.loop.rows[full.loop.rows["process"] == process]
        drawn = (timeline.lane == loop_lane) & (timeline.kind != BarKind.GC)
        assert np.count_nonzero(drawn) == len(mine) > 0


@pytest.mark.parametrize("path", TRACES, ids=[p.stem for p in TRACES])
def test_events_absorbed_a_step_before_are_drawn_as_one_update_draws_them(path: Path) -> None:
    """The GUI takes in a frame's events and draws its open requests in two steps."""
    full = with_a_failure(read_trace(path))
    whole: LiveTimeline | None = None
    split: LiveTimeline | None = None
    for live, now in frames(full, step_ns=20_000_000):
        whole = whole or LiveTimeline(live)
        split = split or LiveTimeline(live)
        expected = whole.update(now)
        split.absorb()
        split.absorb()  # nothing new: nothing changes
        timeline = split.update(now)
        assert np.array_equal(bars(timeline), bars(expected))
        assert timeline.frozen == expected.frozen
        assert (timeline.lanes, timeline.span) == (expected.lanes, expected.span)


def test_a_collector_pause_that_arrives_alone_is_drawn_in_that_frame() -> None:
    """A frame may bring the server's collector pauses and nothing else: they are drawn
    then, not only once some other row comes."""
    full = read_trace(DATA / "async_sleep_c10_w200.json")
    live = next(trace for trace, _ in frames(full, step_ns=10**10))  # everything at once
    gc_rows = live.gc.rows.copy()
    live.gc = type(live.gc)(live.gc.dtype)
    live_timeline = LiveTimeline(live)
    now = full.t0 + 10**10
    before = int(np.count_nonzero(live_timeline.update(now).kind == BarKind.GC))
    pause = np.zeros(1, gc_rows.dtype)
    pause["start"], pause["end"] = full.t0 + 5_000_000, full.t0 + 7_000_000
    live.gc.extend(pause)
    live_timeline.absorb()
    after = live_timeline.update(now)
    assert int(np.count_nonzero(after.kind == BarKind.GC)) == before + 1
