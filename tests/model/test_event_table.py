"""EventTable: rows in batches, read whole or from an index on."""

from __future__ import annotations

import numpy as np

from visualizer.model.trace import LOOP_DTYPE, MAX_CHUNKS, SENT_DTYPE, EventTable, sorted_rows


def test_since_gives_the_rows_from_an_index_whatever_the_chunks() -> None:
    table = EventTable(SENT_DTYPE)
    expected: list[tuple[int, int]] = []
    for batch in range(MAX_CHUNKS + 40):  # past the point where chunks are joined
        rows = [(batch * 3 + i, batch) for i in range(3)]
        table.extend(rows)
        expected += rows
        if batch % 37 == 0:
            assert table.rows.tolist() == expected  # reading whole in between
    for start in (0, 1, 5, 299, len(expected) - 1, len(expected), len(expected) + 4):
        assert table.since(start).tolist() == expected[start:]
    assert len(table) == len(expected)
    assert np.array_equal(table.rows["request"], np.arange(len(expected)))


def test_an_empty_table_reads_empty() -> None:
    table = EventTable(SENT_DTYPE)
    assert len(table.since(0)) == 0 and len(table.rows) == 0
    table.extend([])
    assert len(table) == 0


def test_sorted_rows_orders_rows_as_a_structured_sort_does() -> None:
    rng = np.random.default_rng(3)
    rows = np.zeros(5_000, LOOP_DTYPE)
    for name in ("start", "end", "request", "due"):
        rows[name] = rng.integers(0, 40, len(rows))  # many ties, broken by the later fields
    assert np.array_equal(sorted_rows(rows, "start"), np.sort(rows, order="start"))
    assert np.array_equal(sorted_rows(rows, "request"), np.sort(rows, order="request"))
