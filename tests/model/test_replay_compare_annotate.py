"""Replay cuts, comparison words, annotations and the request CSV: Qt-free model tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from visualizer.model.analysis import analyse
from visualizer.model.annotations import annotate, pool_full_periods
from visualizer.model.comparison import compare_runs
from visualizer.model.csv_export import HEADER, requests_csv
from visualizer.model.replay import cut_trace, run_span, timeline_at
from visualizer.model.timeline import Timeline, build_timeline
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).resolve().parents[1] / "data"
TRACES = sorted(DATA.glob("*.json"))
COLUMNS = ("lane", "start", "end", "kind", "request", "cpu")


def _same(a: Timeline, b: Timeline) -> bool:
    phases = ("request", "start", "end", "phase")
    return (
        a.lanes == b.lanes
        and a.span == b.span
        and all(np.array_equal(getattr(a, c), getattr(b, c)) for c in COLUMNS)
        and all(np.array_equal(getattr(a.phases, c), getattr(b.phases, c)) for c in phases)
    )


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.stem)
def test_the_cut_at_the_end_of_the_run_is_the_whole_run(path: Path) -> None:
    trace = read_trace(path)
    assert _same(timeline_at(trace, run_span(trace)), build_timeline(trace))


def test_a_cut_halfway_shows_only_what_had_happened() -> None:
    trace = read_trace(DATA / "async_blocking_c5_w200.json")
    half = run_span(trace) // 2
    cut = cut_trace(trace, half)
    assert len(cut.done) < len(trace.done)
    assert cut.loop.rows["end"].max() <= half
    timeline = timeline_at(trace, half)
    assert timeline.span == half
    assert timeline.end.max() <= half
    # Requests still in flight have no final state yet.
    assert len(cut.sent) - len(cut.done) >= 1


def test_comparison_states_the_speed_up_and_the_loop_blocks_in_words() -> None:
    blocking = analyse(read_trace(DATA / "async_blocking_c5_w200.json")).summary
    sleeping = analyse(read_trace(DATA / "async_sleep_c10_w200.json")).summary
    words = compare_runs(blocking, sleeping)
    ratio = blocking.makespan_ms / sleeping.makespan_ms
    assert words.startswith(f"async_sleep finished in {sleeping.makespan_ms / 1000:.2f} s")
    assert f"{ratio:.1f}\N{MULTIPLICATION SIGN} faster than async_blocking" in words
    assert words.endswith(f"against {blocking.longest_loop_block.longest_ms:.0f} ms.")  # type: ignore[union-attr]
    # A block under 10 ms keeps its tenths: "0 ms" contradicted the figures' 0.4 ms.
    short = sleeping.longest_loop_block
    assert short is not None and short.longest_ms < 10
    assert f"longest loop block was {short.longest_ms:.1f} ms" in words
    assert compare_runs(sleeping, blocking) == words


def test_two_runs_of_one_style_are_about_as_long() -> None:
    summary = analyse(read_trace(DATA / "mixed_c6_n12_w100.json")).summary
    assert "took about as long" in compare_runs(summary, summary)


def test_the_longest_loop_block_names_the_guilty_request() -> None:
    marks = annotate(read_trace(DATA / "async_blocking_c5_w200.json"))
    assert marks.loop_block is not None
    assert marks.loop_block.text.startswith(f"request {marks.loop_block.request} blocked the loop")
    assert annotate(read_trace(DATA / "async_sleep_c10_w200.json")).loop_block is None


def test_pool_full_periods_are_when_every_worker_is_busy() -> None:
    trace = read_trace(DATA / "sync_sleep_c6_p2_w200.json")  # pool 2, 6 requests: 3 waves
    periods = pool_full_periods(trace)
    assert 1 <= len(periods) <= 3
    worker = trace.worker.rows
    for start, end in periods:
        middle = trace.t0 + (start + end) // 2
        busy = np.count_nonzero((worker["start"] <= middle) & (worker["end"] > middle))
        assert busy == trace.settings.pool
    assert pool_full_periods(read_trace(DATA / "async_sleep_c10_w200.json")) == []


def test_the_csv_has_one_row_a_request_with_its_phase_times() -> None:
    trace = read_trace(DATA / "sync_sleep_c6_p2_w200.json")
    rows = list(csv.reader(io.StringIO(requests_csv(trace, build_timeline(trace)))))
    assert tuple(rows[0]) == HEADER
    assert [int(row[0]) for row in rows[1:]] == sorted(trace.sent.rows["request"].tolist())
    for row in rows[1:]:
        sent, received = float(row[1]), float(row[2])
        phases = sum(float(cell) for cell in row[5:])
        # The phases cover the request's whole life, from the start of the run to its receipt.
        assert phases == pytest.approx(received, abs=0.01)
        assert received > sent
        assert row[4] == "ok"
