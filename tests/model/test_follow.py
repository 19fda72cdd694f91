"""lanes_that_matter: the lanes a followed live run shows when it has too many."""

from __future__ import annotations

import numpy as np
from _traces import recorded, repeated

from visualizer.model.follow import FollowedLanes, lanes_that_matter
from visualizer.model.live_timeline import GrowingTimeline, LiveTimeline
from visualizer.model.replay import timeline_at
from visualizer.model.timeline import Timeline, build_timeline
from visualizer.model.trace import RunTrace

#: When each table's rows reach the GUI.
ARRIVAL = {"sent": "sent", "done": "received", "loop": "end", "worker": "end", "stamp": "t"}


def test_a_timeline_that_fits_is_shown_as_it_is() -> None:
    timeline = build_timeline(recorded("mixed_c6_n12_w100.json"))
    assert lanes_that_matter(timeline, 40) is timeline


def test_the_resource_lanes_and_the_latest_requests_are_kept_with_all_their_bars() -> None:
    trace = repeated("sync_sleep_c6_p2_w200.json", 10)
    span = int(trace.done.rows["received"].max()) - trace.t0
    whole = timeline_at(trace, span * 7 // 10)
    followed = lanes_that_matter(whole, 20)
    assert len(followed.lanes) == 20
    resources = 1 + whole.worker_count
    assert followed.lanes[:resources] == whole.lanes[:resources]
    # Requests whose bars reach "now" (in flight) are among those kept.
    reaching = {int(r) for r in whole.request[(whole.end == whole.span) & (whole.request > 0)]}
    kept = {lane.key for lane in followed.lanes[resources:]}
    assert reaching and reaching <= kept
    # Each kept lane has exactly the bars it had.
    for new, lane in enumerate(followed.lanes):
        old = whole.lanes.index(lane)
        assert np.array_equal(followed.start[followed.lane == new], whole.start[whole.lane == old])
    keys = [lane.key for lane in followed.lanes[resources:]]
    assert keys == sorted(keys)


def _rows(timeline: Timeline) -> list[tuple[int, ...]]:
    columns = (timeline.lane, timeline.start, timeline.end, timeline.kind, timeline.request)
    return sorted(zip(*(c.tolist() for c in columns), strict=True))


def test_frame_after_frame_the_followed_lanes_are_those_of_each_frame() -> None:
    full = repeated("sync_sleep_c6_p2_w200.json", 10)
    live = RunTrace(full.settings, t0=full.t0)
    builder = LiveTimeline(live)
    follower = FollowedLanes(20)
    span = int(full.done.rows["received"].max()) - full.t0
    step = span // 80
    frozen = []
    for now in range(full.t0, full.t0 + span + step, step):
        for name, column in ARRIVAL.items():
            rows = getattr(full, name).rows
            getattr(live, name).extend(rows[(rows[column] > now - step) & (rows[column] <= now)])
        timeline = builder.update(now)
        followed = follower.update(timeline)
        expected = lanes_that_matter(timeline, 20)
        assert followed.lanes == expected.lanes
        assert _rows(followed) == _rows(expected)
        if isinstance(followed, GrowingTimeline) and followed is not timeline:
            frozen.append(followed.frozen)
    # The resource bars became a frozen prefix that grew, so the view indexed them once.
    assert len(frozen) > 10 and frozen == sorted(frozen) and frozen[-1] > 0
