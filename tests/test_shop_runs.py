"""The example shop under load: what its routes do to the loop and the workers, measured.

One server hosts the shop for the whole module (its lifespan seeds 200,000 products
and starts the payments service once). The search reads every product: tens of ms
of SQLite, measured here from the blocking run itself and used as the yardstick Q of
the other runs, so that the margins hold on a slow or loaded machine. They check
what happens (serial or overlapping, which lane, before or after the response), not
how fast.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from _shop import (
    API_KEY,
    SEARCH,
    SEARCH_DEF,
    SHOP,
    handler_slices,
    pump_until,
    routes,
    run_shop,
)

from server.protocol import RESPONSE_END, RESPONSE_START, SERVER_START
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.phases import Phase
from visualizer.model.settings import RunSettings
from visualizer.runner.session import RunState, Session

pytestmark = pytest.mark.live

#: Requests at once in the two search runs.
C = 5


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    session = Session(app=SHOP)
    session.start_server()
    yield session
    session.close()


@pytest.fixture(scope="module")
def blocking(session: Session) -> RunResult:
    """C searches at once on the route that runs the query inside async def."""
    return run_shop(session, [("request", SEARCH)], concurrency=C, requests=C)


@pytest.fixture(scope="module")
def query_ms(blocking: RunResult) -> float:
    """Q: how long one search held the loop (the median of the blocking run's blocks)."""
    blocks = handler_slices(blocking, longer_than_ms=5)
    assert len(blocks) == C, f"{len(blocks)} loop blocks of 5 ms or more, expected {C}"
    return float(np.median(blocks["end"] - blocks["start"])) / 1e6


def _stamps(result: RunResult, request: int, kind: int) -> int:
    stamps = result.trace.stamp.rows
    (t,) = stamps[(stamps["request"] == request) & (stamps["kind"] == kind)]["t"]
    return int(t)


def _worker_runs(result: RunResult, request: int) -> np.ndarray:
    worker = result.trace.worker.rows
    return np.sort(worker[worker["request"] == request], order="start")


def test_the_blocking_search_serialises_the_requests_on_the_loop(
    blocking: RunResult, query_ms: float
) -> None:
    s = blocking.summary
    assert s.ok == C and s.workers_used == 0
    assert 10 <= query_ms <= 1000, f"a search took {query_ms:.1f} ms"
    blocks = handler_slices(blocking, longer_than_ms=0.5 * query_ms)
    assert sorted(blocks["request"].tolist()) == list(range(1, C + 1))
    assert np.all(blocks["start"][1:] >= blocks["end"][:-1]), "the blocks follow one another"
    # Makespan about C x Q: the searches, one after another, fill most of the run.
    held = float((blocks["end"] - blocks["start"]).sum()) / 1e6
    assert held >= 0.6 * s.makespan_ms, f"searches held {held:.0f} of {s.makespan_ms:.0f} ms"
    assert 0.8 * C * query_ms <= s.makespan_ms <= 1.6 * C * query_ms
    # The longest block is a search, named by its route, and requests waited behind it.
    block = s.longest_loop_block
    assert block is not None and block.route == "GET /products/search"
    assert block.longest_ms >= 0.9 * query_ms
    assert block.waited_behind + block.held_up_briefly >= 2
    # Each search waited for the ones the loop ran before it.
    phases = blocking.timeline.phases
    ran_before = 0.0
    for start, end, request in zip(blocks["start"], blocks["end"], blocks["request"], strict=True):
        waited = sum(e - b for p, b, e in phases.of(int(request)) if p is Phase.WAITING) / 1e6
        assert waited >= 0.5 * ran_before, f"request {request} waited {waited:.0f} ms"
        ran_before += (end - start) / 1e6
    assert ran_before >= (C - 1) * 0.5 * query_ms
    # The lanes name the route.
    labels = [lane.label for lane in blocking.timeline.lanes]
    for request in range(1, C + 1):
        assert f"request {request} · GET /products/search" in labels


def test_the_def_search_runs_on_workers_and_leaves_the_loop_free(
    session: Session, query_ms: float
) -> None:
    result = run_shop(session, [("request", SEARCH_DEF)], concurrency=C, requests=C)
    s = result.summary
    assert s.ok == C
    assert set(routes(result).values()) == {"GET /products/search-def"}
    # Each request's query ran on a worker: one long run each, on at least two workers.
    worker = result.trace.worker.rows
    long_runs = worker[worker["end"] - worker["start"] >= 0.5 * query_ms * 1e6]
    assert sorted(long_runs["request"].tolist()) == list(range(1, C + 1))
    assert len(set(long_runs["thread"].tolist())) >= 2
    assert s.workers_busy_peak >= 2, "searches ran side by side"
    # The loop stayed free: nothing on it came near a search's length.
    assert s.longest_loop_block is not None
    assert s.longest_loop_block.longest_ms < 0.3 * query_ms
    # Makespan well below C x Q, with Q a search's time on a worker in this very run: the
    # searches overlap. Q stretches when they share the cores (two here, and other
    # processes' work), so the ratio holds on a loaded machine; one after another, as on
    # the loop or on a pool of one, it would be about 1. (Quiet, two cores: 106 ms for
    # C = 5 against 176 ms on the loop.)
    on_worker_ms = float(np.median(long_runs["end"] - long_runs["start"])) / 1e6
    assert s.makespan_ms < 0.75 * C * on_worker_ms, (
        f"{s.makespan_ms:.0f} ms, a search {on_worker_ms:.0f} ms on a worker"
    )


def test_a_sync_dependency_is_a_worker_run_of_its_own(session: Session) -> None:
    """GET /customers/me is async def but depends on a def (the API-key check): that
    check, and only it, runs on a worker. GET /products/{id} has no sync dependency."""
    words = [
        ("request", "GET /customers/me"),
        ("header", API_KEY),
        ("request", "GET /products/42"),
    ]
    result = run_shop(session, words, concurrency=2, requests=6)
    assert result.summary.ok == 6
    served = routes(result)
    assert sorted(served.values()) == ["GET /customers/me"] * 3 + ["GET /products/{product_id}"] * 3
    for request, route in served.items():
        runs = _worker_runs(result, request)
        if route == "GET /products/{product_id}":
            assert len(runs) == 0, f"request {request} ({route}) used a worker"
            continue
        assert len(runs) == 1, f"request {request}: {len(runs)} worker runs"
        # Before the endpoint answered: the dependency runs first.
        assert _stamps(result, request, SERVER_START) <= runs["dispatched"][0]
        assert runs["end"][0] <= _stamps(result, request, RESPONSE_START)


def test_the_order_pays_awaiting_and_sends_its_receipt_on_a_worker_after_the_response(
    session: Session,
) -> None:
    words = [
        ("request", "POST /orders"),
        ("header", API_KEY),
        ("body", '{"product_id": 42, "quantity": 2}'),
    ]
    result = run_shop(session, words, concurrency=2, requests=4)
    assert result.summary.ok == 4
    assert set(result.trace.done.rows["status"].tolist()) == {201}
    phases = result.timeline.phases
    for request in range(1, 5):
        # The API-key check, the order's write, the receipt: three runs on workers.
        runs = _worker_runs(result, request)
        assert len(runs) == 3, f"request {request}: {len(runs)} worker runs"
        receipt = runs[-1]
        assert receipt["start"] >= _stamps(result, request, RESPONSE_END), "after the response"
        # The payments service answers receipts after 20 ms: the worker waited for it.
        assert receipt["end"] - receipt["start"] >= 15_000_000
        # The charge (40 ms) was awaited: the request was suspended, the loop free.
        awaited = sum(e - b for p, b, e in phases.of(request) if p is Phase.AWAITING)
        assert awaited >= 30_000_000, f"request {request} awaited {awaited / 1e6:.0f} ms"
    block = result.summary.longest_loop_block
    assert block is not None and block.longest_ms < 15


def test_a_passive_run_records_what_a_client_of_its_own_sends(session: Session) -> None:
    """No plan: the server numbers whatever arrives (here httpx, from this test)."""
    live = session.start_run(RunSettings(style="", app=SHOP))
    pump_until(session, lambda: live.state is not RunState.CONFIGURING, "recording")
    assert live.state is RunState.RUNNING
    url = f"http://127.0.0.1:{session.hello['port']}"
    with httpx.Client(base_url=url) as client:
        assert client.get("/products/42").status_code == 200
        assert client.get("/customers/me", headers={"x-api-key": "demo-key-2"}).is_success
        assert client.get("/customers/me", headers={"x-api-key": "wrong"}).status_code == 401
    pump_until(session, lambda: live.done_count == 3, "3 requests recorded", timeout_s=10)
    session.stop_run()
    pump_until(session, lambda: live.finished, "end of the recording")
    result = analyse(live.trace)
    assert sorted(live.trace.sent.rows["request"].tolist()) == [1, 2, 3]
    assert routes(result) == {
        1: "GET /products/{product_id}",
        2: "GET /customers/me",
        3: "GET /customers/me",
    }
    done = np.sort(live.trace.done.rows, order="request")
    assert done["status"].tolist() == [200, 200, 401]
    assert result.summary.failures_by_route == {"GET /customers/me": {"HTTP 401": 1}}
    labels = [lane.label for lane in result.timeline.lanes]
    assert "request 1 · GET /products/{product_id}" in labels
    assert "request 3 · GET /customers/me" in labels


def test_the_routes_carry_the_examples_a_route_picker_fills_in(session: Session) -> None:
    routes_by_label = {route["label"]: route for route in session.routes}

    def examples(label: str) -> dict[str, object]:
        return {p["name"]: p["example"] for p in routes_by_label[label]["params"]}

    assert examples("GET /products/search") == {"q": "oak desk"}
    assert examples("GET /products/{product_id}") == {"product_id": 42}
    assert examples("POST /orders") == {"x-api-key": "demo-key-1"}
    order = routes_by_label["POST /orders"]
    assert order["body_example"] == {"product_id": 42, "quantity": 2}
    # The code view's material: the endpoint and the sync dependency, as written.
    assert order["endpoint"]["kind"] == "async def"
    check = next(d for d in order["dependencies"] if d["name"] == "current_customer")
    assert check["kind"] == "def" and check["file"].endswith("shop/main.py")
    assert "catalogue.customer_with_key(x_api_key)" in check["source"]
