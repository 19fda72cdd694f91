"""Following a live run of more requests than fit: the loop, and the requests in flight.

The view used to show the first 40 lanes: 39 requests finished long ago, and a
class watching a run of 60 saw none of the requests in flight.
"""

from __future__ import annotations

from collections.abc import Callable

from _plot_area import check_window_plot
from _traces import repeated
from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.app.timeline.view import FOLLOW_LANES
from visualizer.model.live_timeline import GrowingTimeline, LiveTimeline
from visualizer.model.trace import RunTrace
from visualizer.runner.session import LiveRun, RunState

#: When each table's rows reach the GUI.
ARRIVAL = {"sent": "sent", "done": "received", "loop": "end", "worker": "end", "stamp": "t"}


def _live_until(full: RunTrace, share: float) -> tuple[RunTrace, GrowingTimeline, int]:
    """The live run of ``full`` as the GUI had it at ``share`` of its length."""
    live = RunTrace(full.settings, t0=full.t0)
    builder = LiveTimeline(live)
    span = int(full.done.rows["received"].max()) - full.t0
    step = span // 50
    timeline = builder.update(full.t0)
    for now in range(full.t0 + step, full.t0 + int(span * share), step):
        for name, column in ARRIVAL.items():
            rows = getattr(full, name).rows
            getattr(live, name).extend(rows[(rows[column] > now - step) & (rows[column] <= now)])
        timeline = builder.update(now)
    return live, timeline, now


def _in_flight(trace: RunTrace, now: int) -> set[int]:
    sent = set(trace.sent.rows["request"][trace.sent.rows["sent"] <= now].tolist())
    return sent - set(trace.done.rows["request"].tolist())


def test_following_a_run_of_60_shows_the_loop_and_the_requests_in_flight(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    full = repeated("async_blocking_c5_w200.json", 12)
    live, timeline, now = _live_until(full, 0.85)
    in_flight = _in_flight(live, now)
    assert in_flight and min(in_flight) > FOLLOW_LANES  # beyond the first 40 lanes
    assert len(timeline.lanes) > FOLLOW_LANES

    window = make_window()
    window.resize(1280, 720)
    run = LiveRun(trace=live, state=RunState.RUNNING)
    window.driver.run = run
    window.driver.run_started.emit(run)
    window.driver.timeline_changed.emit(timeline)
    view = window.timeline
    assert view.following
    shown = view.timeline
    assert shown is not None
    _, (top, bottom) = view.view.viewRange()
    visible = [lane for n, lane in enumerate(shown.lanes) if top <= n + 0.5 <= bottom]
    labels = [lane.label for lane in visible]
    assert labels[0] == "event loop"
    for request in in_flight:
        assert f"request {request}" in labels
    qtbot.wait(50)
    image = window.grab().toImage()
    check_window_plot(image, view.plot, window).assert_ok(min_lanes=len(in_flight) + 1)

    # Zooming stops following: every lane is back, the requests in view stay in view.
    view.zoom_in()
    assert view.timeline is timeline
    _, (top, bottom) = view.view.viewRange()
    for request in in_flight:
        assert top <= timeline.lane_of_request(request) + 0.5 <= bottom
