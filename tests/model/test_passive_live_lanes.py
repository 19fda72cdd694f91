"""A recording's live timeline has a lane for each request that arrived, no more: it
plans nothing, so the requests setting (a style's, left in the panel) is not its size."""

from __future__ import annotations

from visualizer.model.live_timeline import LiveTimeline
from visualizer.model.request_plan import PlannedRequest, RequestPlan
from visualizer.model.settings import AppTarget, RunSettings
from visualizer.model.timeline import LaneKind
from visualizer.model.trace import RunTrace

APP = AppTarget("shop_api:app", "/project")
T0 = 1_000_000_000


def request_lanes(settings: RunSettings, arrived: int) -> list[str]:
    trace = RunTrace(settings, t0=T0)
    trace.sent.extend([(n, T0 + n * 1_000_000) for n in range(1, arrived + 1)])
    timeline = LiveTimeline(trace).update(T0 + 50_000_000)
    return [lane.label for lane in timeline.lanes if lane.kind is LaneKind.REQUEST]


def test_a_recording_shows_the_requests_that_arrived() -> None:
    recording = RunSettings(style="", app=APP, plan=None, requests=50)
    assert request_lanes(recording, arrived=3) == ["request 1", "request 2", "request 3"]


def test_a_planned_run_shows_lanes_for_the_requests_it_plans() -> None:
    plan = RequestPlan((PlannedRequest("GET", "/users/me"),))
    planned = RunSettings(style="", app=APP, plan=plan, requests=6)
    assert len(request_lanes(planned, arrived=3)) == 6
