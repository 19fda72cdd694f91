"""A recorded run of the example shop (tests/data/shop_search_mix_c4_n8.json): async def
searches that hold the loop, def searches on workers beside them. What the phases and
the words say about it must be what happened."""

from __future__ import annotations

from pathlib import Path

import pytest

from visualizer.model.analysis import RunResult, analyse
from visualizer.model.phases import Phase
from visualizer.model.replay import run_span, timeline_at
from visualizer.model.timeline import LaneKind
from visualizer.model.tracefile import read_trace

SEARCH = "GET /products/search"
SEARCH_DEF = "GET /products/search-def"
#: A loop slice this long (ns) is a search: one takes ~35 ms.
SEARCH_NS = 10_000_000


@pytest.fixture(scope="module")
def shop() -> RunResult:
    return analyse(read_trace(Path(__file__).parents[1] / "data" / "shop_search_mix_c4_n8.json"))


def _phase_at(result: RunResult, request: int, t: int) -> Phase:
    (phase,) = [p for p, start, end in result.timeline.phases.of(request) if start <= t < end]
    return phase


def test_the_run_is_the_mix_it_says(shop: RunResult) -> None:
    s = shop.summary
    assert s.ok == 8 and s.requests_by_route == {SEARCH: 4, SEARCH_DEF: 4}
    assert s.longest_loop_block is not None and s.longest_loop_block.route == SEARCH
    assert s.workers_used >= 2


def test_a_request_back_from_its_worker_waits_while_another_holds_the_loop(
    shop: RunResult,
) -> None:
    """Its def search is done, but the loop that must take the result back runs an async
    search: the request is ready and waits for the loop (orange), it is not suspended at
    an await with the loop free for others (pale blue)."""
    trace = shop.trace
    loop = trace.loop.rows
    blocks = loop[(loop["end"] - loop["start"] >= SEARCH_NS) & (loop["request"] > 0)]
    checked = 0
    for run in trace.worker.rows:
        holder = blocks[(blocks["start"] < run["end"]) & (run["end"] + 1_000_000 < blocks["end"])]
        if len(holder) == 0 or holder["request"][0] == run["request"]:
            continue
        request = int(run["request"])
        assert _phase_at(shop, request, int(run["end"]) + 500_000) is Phase.WAITING, request
        checked += 1
    assert checked >= 2, "the recording has def searches that ended during a block"


def test_the_story_does_not_say_every_request_ran_one_at_a_time(shop: RunResult) -> None:
    held = next(line for line in shop.story if line.startswith("Handlers held the loop"))
    assert held.endswith("on the loop, requests ran one at a time; only the workers ran beside it.")


def test_a_replay_names_the_request_lanes_by_route(shop: RunResult) -> None:
    """Halfway: request 1 is over (the server named its route), request 2 is not (its
    lane is named by the plan); both lanes carry their route, as they did live."""
    timeline = timeline_at(shop.trace, run_span(shop.trace) // 2)
    labels = [lane.label for lane in timeline.lanes if lane.kind is LaneKind.REQUEST]
    assert labels[:2] == [f"request 1 · {SEARCH}", f"request 2 · {SEARCH_DEF}"]
