"""Sweeps without a server: grids, the knee read from measured throughput, its words, CSV."""

from __future__ import annotations

import csv
import io

import pytest

from visualizer.model.settings import RunSettings, SettingError
from visualizer.model.sweep import (
    MAX_RUNS,
    SweepGrid,
    SweepRow,
    find_knee,
    lines_of,
    parse_values,
    sweep_story,
    to_csv,
)


def row(pool: int, c: int, throughput: float, p95: float, pool_ms: float = 200.0) -> SweepRow:
    return SweepRow(
        workers=1, pool=pool, concurrency=c, requests=4 * c, ok=4 * c, failed=0,
        makespan_ms=4 * c / throughput * 1000, throughput=throughput, p50_ms=p95 * 0.95,
        p95_ms=p95, p99_ms=p95, pool_ms=pool_ms, loop_ms=0.5, work_ms=200.0, ended="complete",
    )  # fmt: skip


#: As `schedviz sweep --style sync_sleep --concurrency 10,40,80 --pool 10,40` measured it.
MEASURED = [
    row(10, 10, 48.0, 216),
    row(10, 40, 49.3, 813),
    row(10, 80, 49.4, 1619),
    row(40, 10, 48.5, 210),
    row(40, 40, 185.4, 221),
    row(40, 80, 191.2, 436),
]


def test_lists_are_parsed_sorted_and_refused_with_the_value_and_the_range() -> None:
    assert parse_values("concurrency", "80, 10,40") == [10, 40, 80]
    for text, words in (
        ("10,,40", "not a list of numbers"),
        ("10,2000", "concurrency 2,000 is out of range: allowed 1 to 1,000"),
        ("ten", "concurrency 'ten' is not a number"),
        ("0", "out of range"),
    ):
        with pytest.raises(SettingError, match=words):
            parse_values("concurrency", text)
    with pytest.raises(SettingError, match="pool 0 is out of range: allowed 1 to 1,000"):
        parse_values("pool", "0,10")


def test_a_grid_makes_one_run_per_point_line_by_line_and_has_a_limit() -> None:
    grid = SweepGrid(RunSettings(style="sync_sleep"), [10, 40, 80], [10, 40])
    runs = grid.configurations()
    assert [(s.pool, s.concurrency, s.requests) for s in runs] == [
        (10, 10, 40), (10, 40, 160), (10, 80, 320), (40, 10, 40), (40, 40, 160), (40, 80, 320),
    ]  # fmt: skip
    assert all(s.style == "sync_sleep" and s.workers == 1 for s in runs)
    with pytest.raises(SettingError, match=f"at most {MAX_RUNS} runs"):
        SweepGrid(RunSettings(), list(range(1, 13)), list(range(1, 13)))


def test_the_knee_is_where_throughput_stops_growing_and_littles_law_explains_it() -> None:
    small, large = (find_knee(line) for line in lines_of(MEASURED).values())
    assert (small.concurrency, small.resource, round(small.bound)) == (10, "pool", 50)
    assert (large.concurrency, large.bound_concurrency, round(large.bound)) == (40, 40, 200)
    assert "P=40: knee at C=40" in large.words
    assert "With P=40 and W=200 ms" in large.words
    assert "at most 40/0.20 s = 200 requests/s (Little's law); beyond C=40" in large.words
    assert "185 requests/s at C=40, 191 at C=80 while p95 latency went from 221 to 436" in (
        large.words
    )
    assert "(the smallest C swept)" in small.words


def test_a_line_still_growing_has_no_knee_and_an_awaiting_style_no_bound() -> None:
    growing = [row(40, c, t, 205, pool_ms=0.0) for c, t in ((10, 49), (40, 190), (80, 380))]
    knee = find_knee(growing)
    assert knee.concurrency is None and knee.bound == 0
    assert "no knee within the grid" in knee.words
    assert "they awaited it" in knee.words


def test_the_story_names_the_best_point_and_the_csv_has_a_row_per_run() -> None:
    story = sweep_story(MEASURED)
    assert story[-1] == "Most throughput: 191 requests/s at C=80, P=40 (p95 436 ms)."
    table = list(csv.DictReader(io.StringIO(to_csv(MEASURED))))
    assert len(table) == 6
    assert table[4]["throughput"] == "185.400" and table[4]["concurrency"] == "40"
