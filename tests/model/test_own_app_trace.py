"""A run of the user's own app: route-named lanes, per-route figures, a passive run's
requests known from the server alone, and all of it kept by the trace file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from server.protocol import HANDLER_END, RESPONSE_END, RESPONSE_START, SERVER_START, Outcome
from visualizer.model.analysis import analyse
from visualizer.model.passive_requests import PassiveRequests
from visualizer.model.phases import CLIENT_SIDE, Phase
from visualizer.model.request_plan import PlannedRequest, RequestPlan
from visualizer.model.settings import AppTarget, RunSettings
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace, write_trace

MS = 1_000_000
T0 = 10_000 * MS
SHOP = AppTarget("shop.main:app", "/projects/shop")
PLAN = RequestPlan(
    (
        PlannedRequest("GET", "/items/1", weight=2),
        PlannedRequest("POST", "/orders", body='{"item": 1}'),
    )
)
ROUTES = ["GET /items/{item_id}", "POST /orders"]


def own_app_run() -> RunTrace:
    """Three requests of a 2:1 plan: 1 and 2 blocked the loop in turn, 3 failed (404)."""
    trace = RunTrace(
        settings=RunSettings(style="", app=SHOP, plan=PLAN, concurrency=3, requests=3),
        t0=T0,
        handler_ends=True,
        labels=list(ROUTES),
        planned_routes=list(ROUTES),
        routes=[{"label": label, "method": label.split()[0]} for label in ROUTES],
    )
    sent = [(1, T0 + 1 * MS), (2, T0 + 1 * MS), (3, T0 + 1 * MS)]
    trace.sent.extend(sent)
    starts = {1: 2 * MS, 2: 52 * MS, 3: 102 * MS}
    ends = {1: 50 * MS, 2: 100 * MS, 3: 104 * MS}
    for request in (1, 2, 3):
        start, end = T0 + starts[request], T0 + ends[request]
        trace.loop.extend([(start, end, request, 0)])
        trace.stamp.extend(
            [
                (request, SERVER_START, start),
                (request, RESPONSE_START, end),
                (request, RESPONSE_END, end),
                (request, HANDLER_END, end),
            ]
        )
    trace.done.extend(
        [
            (1, T0 + MS, T0 + 51 * MS, 200, int(Outcome.OK)),
            (2, T0 + MS, T0 + 101 * MS, 200, int(Outcome.OK)),
            (3, T0 + MS, T0 + 105 * MS, 404, int(Outcome.HTTP_ERROR)),
        ]
    )
    # Request 3 was planned as an order, but the server says what served it.
    trace.labels.append("POST (no route)")
    trace.route.extend([(1, 0, 200), (2, 0, 200), (3, 2, 404)])
    return trace


def test_request_lanes_carry_the_route_that_served_them() -> None:
    result = analyse(own_app_run())
    labels = [lane.label for lane in result.timeline.lanes if lane.kind.value == "request"]
    assert labels == [
        "request 1 · GET /items/{item_id}",
        "request 2 · GET /items/{item_id}",
        "request 3 · POST (no route)",
    ]


def test_figures_and_story_count_and_blame_by_route() -> None:
    result = analyse(own_app_run())
    summary = result.summary
    assert summary.requests_by_route == {"GET /items/{item_id}": 2, "POST (no route)": 1}
    assert summary.failures_by_route == {"POST (no route)": {"HTTP 404": 1}}
    assert summary.longest_loop_block is not None
    assert summary.longest_loop_block.route == "GET /items/{item_id}"
    story = " ".join(result.story)
    assert "Request 1 (GET /items/{item_id}) blocked the event loop for 48 ms" in story
    assert "1 request failed (POST (no route): HTTP 404 \N{MULTIPLICATION SIGN}1)" in story
    report = result.report()
    rows = dict(line.split(None, 1) for line in report.splitlines()[:2])
    assert rows == {"app": "shop.main:app", "plan": "GET /items/1 (x2), POST /orders"}


def test_the_trace_file_keeps_the_app_the_plan_and_the_routes(tmp_path: Path) -> None:
    original = analyse(own_app_run())
    write_trace(original.trace, tmp_path / "shop.json")
    back = analyse(read_trace(tmp_path / "shop.json"))
    assert back.trace.settings == original.trace.settings
    assert back.trace.planned_routes == ROUTES
    assert back.trace.routes == original.trace.routes
    assert [lane.label for lane in back.timeline.lanes] == [
        lane.label for lane in original.timeline.lanes
    ]
    assert back.report() == original.report()


def test_a_style_run_keeps_plain_request_lanes(data_dir: Path) -> None:
    result = analyse(read_trace(data_dir / "mixed_c6_n12_w100.json"))
    labels = [lane.label for lane in result.timeline.lanes if lane.kind.value == "request"]
    assert labels == [f"request {n}" for n in range(1, 13)]


def passive_trace() -> RunTrace:
    return RunTrace(
        settings=RunSettings(style="", app=SHOP, concurrency=1, requests=1_000_000),
        t0=T0,
        handler_ends=True,
        labels=["GET /items/{item_id}"],
    )


def test_a_passive_run_knows_its_requests_from_the_server_alone() -> None:
    trace = passive_trace()
    passive = PassiveRequests(trace)
    stamps = np.array(
        [
            (1, SERVER_START, T0 + 5 * MS),
            (2, SERVER_START, T0 + 30 * MS),
            (1, RESPONSE_END, T0 + 20 * MS),
            (1, HANDLER_END, T0 + 21 * MS),
            (7, SERVER_START, T0 - MS),  # before the recording began: not the run's
        ],
        np.int64,
    )
    assert passive.add(stamps, np.array([(1, 0, 200)], np.int64)) == (2, 1)
    trace.loop.extend([(T0 + 5 * MS, T0 + 20 * MS, 1, 0), (T0 + 30 * MS, T0 + 40 * MS, 2, 0)])
    handler = np.array([(2, RESPONSE_END, T0 + 40 * MS), (2, HANDLER_END, T0 + 40 * MS)], np.int64)
    assert passive.add(handler, np.array([(2, 0, 500)], np.int64)) == (2, 2)
    trace.stamp.extend([tuple(row) for row in stamps[:4].tolist()])
    trace.stamp.extend([tuple(row) for row in handler.tolist()])
    assert trace.sent.rows.tolist() == [(1, T0 + 5 * MS), (2, T0 + 30 * MS)]
    assert trace.done.rows.tolist() == [
        (1, T0 + 5 * MS, T0 + 20 * MS, 200, int(Outcome.OK)),
        (2, T0 + 30 * MS, T0 + 40 * MS, 500, int(Outcome.HTTP_ERROR)),
    ]
    passive.close(numbered=2)
    assert trace.settings.requests == 2

    result = analyse(trace)
    phases = result.timeline.phases
    drawn = {Phase(int(phase)) for phase in phases.phase}
    assert not drawn & set(CLIENT_SIDE), "a passive run invents no client-side time"
    for request, began in ((1, 5 * MS), (2, 30 * MS)):
        first = min(start for _, start, _ in phases.of(request))
        assert first == T0 + began, "a request's life begins where the server saw it"
    assert result.summary.passive
    assert any("Recorded passively" in line for line in result.story)
    assert not any("planned requests were sent" in line for line in result.story)
