"""Every pool on one axis, what each run ran, and the line that held the loop: lanes,
figures and words, kept by the trace file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from server.protocol import HANDLER_END, RESPONSE_END, RESPONSE_START, SERVER_START, Outcome
from visualizer.model.analysis import analyse
from visualizer.model.held_at import held_places
from visualizer.model.settings import AppTarget, RunSettings
from visualizer.model.timeline import LaneKind
from visualizer.model.trace import ANYIO, Pool, RunTrace
from visualizer.model.tracefile import read_trace, to_chrome, write_trace

MS = 1_000_000
T0 = 1_000 * MS
DEFAULT = Pool(1, "asyncio-default", "the loop's default executor", 6)
PROCESSES = Pool(2, "process", "a process pool", 2)
LABELS = [
    "model_route",
    "response validation",
    "crunch",
    "/app/api.py:8 in block",
    "time.sleep(0.05)",
    "/app/api.py:8 in block\n/venv/lib/python3.11/site-packages/starlette/routing.py:70 in app",
    "sleep",
]


def run_of_every_pool() -> RunTrace:
    """Request 1 blocked the loop 50 ms (sampled twice at the same line); request 2 made
    two AnyIO trips; request 3 ran on the default executor; request 4 in a process."""
    trace = RunTrace(
        settings=RunSettings(style="async_sleep", concurrency=4, requests=4, pool=40),
        t0=T0,
        labels=list(LABELS),
        pools={ANYIO.id: ANYIO, DEFAULT.id: DEFAULT, PROCESSES.id: PROCESSES},
    )
    trace.sent.extend([(r, T0 + MS) for r in (1, 2, 3, 4)])
    trace.loop.extend([(T0 + 2 * MS, T0 + 52 * MS, 1, 0)])
    trace.stack.extend([(T0 + 2 * MS, 0, 5, 3, 4, 1, -1), (T0 + 2 * MS, 0, 5, 3, 4, 1, -1)])
    trace.worker.extend(
        [
            (2, T0 + 52 * MS, T0 + 53 * MS, T0 + 63 * MS, 9 * MS, 1, 0, 0, ANYIO.id),
            (2, T0 + 63 * MS, T0 + 64 * MS, T0 + 65 * MS, MS, 1, 0, 1, ANYIO.id),
            (3, T0 + 52 * MS, T0 + 53 * MS, T0 + 83 * MS, 0, 2, 0, 6, DEFAULT.id),
            (4, T0 + 52 * MS, T0 + 55 * MS, T0 + 95 * MS, 40 * MS, 4711, -1, 2, PROCESSES.id),
        ]
    )
    for request, end in ((1, 52), (2, 66), (3, 84), (4, 96)):
        begin = 2 if request == 1 else 52
        trace.stamp.extend(
            [
                (request, SERVER_START, T0 + begin * MS),
                (request, RESPONSE_START, T0 + end * MS),
                (request, RESPONSE_END, T0 + end * MS),
                (request, HANDLER_END, T0 + end * MS),
            ]
        )
        trace.done.extend([(request, T0 + MS, T0 + (end + 1) * MS, 200, int(Outcome.OK))])
    return trace


def test_worker_lanes_are_grouped_by_pool_and_named_by_it() -> None:
    timeline = analyse(run_of_every_pool()).timeline
    workers = [lane for lane in timeline.lanes if lane.kind is LaneKind.WORKER]
    assert [(lane.label, lane.pool) for lane in workers] == [
        ("worker 1", ANYIO.id),
        ("to_thread 1", DEFAULT.id),
        ("process 4711", PROCESSES.id),
    ]
    assert timeline.pool_lanes == {ANYIO.id: (1, 1), DEFAULT.id: (2, 1), PROCESSES.id: (3, 1)}
    ran = {timeline.labels[f] for f in timeline.func.tolist() if f >= 0}
    assert ran == {"model_route", "response validation", "sleep", "crunch"}


def test_the_summary_counts_anyio_apart_and_names_trips_pools_and_the_line() -> None:
    result = analyse(run_of_every_pool())
    summary = result.summary
    assert summary.workers_used == 1  # AnyIO's: P bounds these only
    assert [(p.name, p.runs, p.funcs) for p in summary.other_pools] == [
        ("the loop's default executor", 1, ["sleep"]),
        ("a process pool", 1, ["crunch"]),
    ]
    assert [(t.per_request, t.funcs, t.requests) for t in summary.trips] == [
        (2, ["model_route", "response validation"], 1)
    ]
    block = summary.longest_loop_block
    assert block is not None and block.held_at == "`time.sleep(0.05)` in block (api.py:8)"
    story = "\n".join(result.story)
    assert "`time.sleep(0.05)` in block (api.py:8) held the loop" in story
    assert "1 request made 2 trips to the threadpool (model_route, response validation)" in story
    assert "1 call (sleep) ran on the loop's default executor, 1 of its own 6 threads" in story
    assert "1 call (crunch) ran on a process pool, 1 of its own 2 processes" in story


def test_pools_functions_and_held_lines_survive_the_trace_file(tmp_path: Path) -> None:
    trace = run_of_every_pool()
    path = tmp_path / "pools.json"
    write_trace(trace, path)
    workers = [e for e in to_chrome(trace)["traceEvents"] if e.get("cat") == "worker"]
    assert sorted((e["args"]["func"], e["args"]["pool"]) for e in workers) == [
        ("crunch", "process"),
        ("model_route", "anyio"),
        ("response validation", "anyio"),
        ("sleep", "asyncio-default"),
    ]
    loop = next(e for e in to_chrome(trace)["traceEvents"] if e.get("cat") == "loop")
    assert loop["args"]["held_at"] == "/app/api.py:8 in block"
    assert loop["args"]["stack"][0] == "/app/api.py:8 in block"
    back = read_trace(path)
    assert back.pools == trace.pools
    before, after = analyse(trace), analyse(back)
    assert [lane.label for lane in after.timeline.lanes] == [
        lane.label for lane in before.timeline.lanes
    ]
    assert list(held_places(back).values()) == list(held_places(trace).values())
    assert after.story == before.story


def test_the_held_line_is_quoted_without_its_comment() -> None:
    trace = run_of_every_pool()
    trace.labels[4] = 'time.sleep(0.05)  # "a # in a comment" blocks the loop'
    (place,) = held_places(trace).values()
    assert place.short() == "`time.sleep(0.05)` in block (api.py:8)"
    trace.labels[4] = 'log("# not a comment")'
    (place,) = held_places(trace).values()
    assert place.short() == '`log("# not a comment")` in block (api.py:8)'


def test_a_statement_that_goes_on_is_quoted_closed() -> None:
    trace = run_of_every_pool()
    trace.labels[4] = "rows = db.execute(  # the search"
    (place,) = held_places(trace).values()
    assert place.short() == "`rows = db.execute(…)` in block (api.py:8)"
    trace.labels[4] = 'log("(", [1,'
    (place,) = held_places(trace).values()
    assert place.short() == '`log("(", [1,…])` in block (api.py:8)'


def test_a_slow_helper_is_named_with_the_handler_that_called_it(tmp_path: Path) -> None:
    """The held line is the innermost user frame; the endpoint the server found a
    library called, a few user frames out, is named with it, in words and in the file."""
    trace = run_of_every_pool()
    trace.labels[3] = "/app/db.py:3 in slow_query"
    trace.labels.append("/app/api.py:19 in report")
    trace.stack.rows["caller"] = len(trace.labels) - 1
    (place,) = held_places(trace).values()
    assert place.caller == "/app/api.py:19 in report"
    assert (
        place.short() == "`time.sleep(0.05)` in slow_query (db.py:3, called by report in api.py:19)"
    )
    assert "called by report in api.py:19" in analyse(trace).story[1]
    loop = next(e for e in to_chrome(trace)["traceEvents"] if e.get("cat") == "loop")
    assert loop["args"]["caller"] == "/app/api.py:19 in report"
    write_trace(trace, tmp_path / "caller.json")
    back = read_trace(tmp_path / "caller.json")
    assert list(held_places(back).values()) == list(held_places(trace).values())
    # Held in the endpoint itself: no caller to name, none written.
    trace.stack.rows["caller"] = -1
    (place,) = held_places(trace).values()
    assert place.caller == "" and place.short() == "`time.sleep(0.05)` in slow_query (db.py:3)"
    loop = next(e for e in to_chrome(trace)["traceEvents"] if e.get("cat") == "loop")
    assert "caller" not in loop["args"]


def test_the_files_of_your_app_are_named_from_its_app_dir() -> None:
    """Two files called db.py in different packages are told apart."""
    trace = run_of_every_pool()
    trace.settings = dataclasses.replace(
        trace.settings, style="", app=AppTarget("shop.main:app", "/app")
    )
    trace.labels[3] = "/app/shop/db.py:3 in slow_query"
    trace.labels.append("/app/shop/api/v1.py:19 in report")
    trace.stack.rows["caller"] = len(trace.labels) - 1
    (place,) = held_places(trace).values()
    assert place.short() == (
        "`time.sleep(0.05)` in slow_query (shop/db.py:3, called by report in shop/api/v1.py:19)"
    )
