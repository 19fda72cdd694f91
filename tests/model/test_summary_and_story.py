"""Figures and words of recorded runs: each style's row of the design's table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from visualizer.model.analysis import analyse
from visualizer.model.annotations import annotate
from visualizer.model.narrative import narrate
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace


def _result(data_dir: Path, name: str):  # type: ignore[no-untyped-def]
    return analyse(read_trace(data_dir / f"{name}.json"))


def test_async_blocking_blocks_the_loop_one_request_after_another(data_dir: Path) -> None:
    result = _result(data_dir, "async_blocking_c5_w200")
    s = result.summary
    assert s.requests == s.ok == 5
    assert 900 <= s.makespan_ms <= 1600
    block = s.longest_loop_block
    assert block is not None and block.duration_ms >= 190 and block.request is not None
    assert block.waited_behind == 4
    assert s.workers_used == 0
    assert result.story[0].startswith(f"Request {block.request} blocked the event loop for")
    assert "4 requests waited behind it" in result.story[0]
    assert "requests ran one at a time" in result.story[1]


def test_sync_sleep_fills_the_pool_and_four_requests_wait(data_dir: Path) -> None:
    result = _result(data_dir, "sync_sleep_c6_p2_w200")
    s = result.summary
    assert s.workers_used == 2
    assert s.pool_waited == 4
    assert 350 <= s.pool_wait_max_ms <= 500
    assert s.longest_loop_block is not None and s.longest_loop_block.longest_ms < 50
    assert any("4 requests waited for a worker" in line for line in result.story)
    assert any("the GIL was free" in line for line in result.story)


def test_async_sleep_overlaps_and_the_loop_stays_free(data_dir: Path) -> None:
    result = _result(data_dir, "async_sleep_c10_w200")
    s = result.summary
    assert s.peak_in_server == 10
    assert s.makespan_ms < 400
    assert s.loop_busy_ms < 0.2 * s.makespan_ms
    assert result.story[0].startswith("Up to 10 requests were in progress at once")


def test_sync_cpu_workers_take_turns_for_the_gil(data_dir: Path) -> None:
    result = _result(data_dir, "sync_cpu_c4_p4_w100")
    s = result.summary
    assert s.workers_used == 4
    assert s.worker_cpu_ms < 0.8 * s.worker_wall_ms
    assert any("took turns holding the GIL" in line for line in result.story)


def test_mixed_one_blocking_request_freezes_everyone(data_dir: Path) -> None:
    result = _result(data_dir, "mixed_c6_n12_w100")
    block = result.summary.longest_loop_block
    assert block is not None and block.request == 3 and block.duration_ms >= 95
    # Three requests were waiting through it (the orange bars beside it); two more were
    # asleep and their timers fell due near its end: held up, but briefly.
    assert (block.waited_behind, block.held_up_briefly) == (3, 2)
    assert result.story[0] == (
        "Request 3 blocked the event loop for 102 ms; 3 requests waited behind it, "
        "and 2 more briefly."
    )


def _with_last_block_longer(trace: RunTrace, by_ns: int) -> RunTrace:
    """The same run with its last loop block a little longer than the first."""
    rows = trace.loop.rows
    longest = np.argsort(rows["end"] - rows["start"])[-5:]
    last = longest[np.argmax(rows["start"][longest])]
    rows["end"][last] += by_ns
    return trace


def test_equal_blocks_are_told_from_the_first_whoever_is_longest_by_microseconds(
    data_dir: Path,
) -> None:
    """async_blocking's five blocks differ by microseconds: the story and the mark must
    not then name the last one, behind which nobody waits."""
    trace = _with_last_block_longer(read_trace(data_dir / "async_blocking_c5_w200.json"), 5_000_000)
    result = analyse(trace)
    block = result.summary.longest_loop_block
    assert block is not None and block.request == 1
    assert block.waited_behind == 4 and block.blockers == 5
    assert result.story[0].startswith("Request 1 blocked the event loop for")
    assert "4 requests waited behind it" in result.story[0]
    assert result.story[2].startswith("5 requests each blocked the loop for about")
    mark = annotate(trace).loop_block
    assert mark is not None and mark.request == 1
    # The figures still give the run's true longest block: the last one, 5 ms longer.
    assert block.longest_request == 5
    held = trace.loop.rows["end"] - trace.loop.rows["start"]
    assert block.longest_ms == pytest.approx(held.max() / 1e6)
    assert block.longest_ms > block.duration_ms
    # Named beside the others like it, so that it does not seem to contradict the story.
    assert block.longest_words().endswith(", request 5, one of 5 blocks of 201 to 206 ms")
    assert f"longest loop block {block.longest_words()}" in " ".join(result.report().split())
    data = result.summary.to_json()
    assert data["longest_loop_block_request"] == 5
    assert data["longest_loop_block_ms"] == pytest.approx(block.longest_ms, abs=0.001)


#: The keys the design promises for --json, in its order.
DESIGN_KEYS = [
    "requests",
    "ok",
    "failed",
    "makespan_ms",
    "latency_ms",
    "longest_loop_block_ms",
    "longest_loop_block_request",
    "workers_used",
    "settings",
]


def test_json_summary_has_the_keys_of_the_design_first(data_dir: Path) -> None:
    data = _result(data_dir, "sync_sleep_c6_p2_w200").summary.to_json()
    assert list(data)[: len(DESIGN_KEYS)] == DESIGN_KEYS
    assert set(data["latency_ms"]) == {"p50", "p95", "p99", "max"}
    assert data["settings"]["pool"] == 2


@pytest.mark.parametrize("name", ["async_blocking_c5_w200", "sync_sleep_c6_p2_w200"])
def test_latency_percentiles_are_ordered(data_dir: Path, name: str) -> None:
    latency = _result(data_dir, name).summary.latency_ms
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]


def test_a_loop_busy_most_of_the_run_in_short_slices_is_called_cpu_bound(
    data_dir: Path,
) -> None:
    summary = _result(data_dir, "async_sleep_c10_w200").summary
    saturated = dataclasses.replace(summary, loop_busy_ms=0.9 * summary.makespan_ms)
    story = narrate(saturated)
    assert "the server's CPU, not waiting, set the pace" in story[0]
    assert "(90%)" in story[0]
    assert "only" not in story[0]
