"""The sqlite styles' database: made at start-up, a report whose length follows W, and
nothing left behind when it is closed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from time import thread_time_ns

import pytest

from server.database import ORDERS, REPORT, Database


def _report_cpu_ms(database: Database, work_ms: float) -> float:
    with database.connection() as db:
        start = thread_time_ns()
        db.execute(REPORT, (database.lookups(work_ms),)).fetchone()
        return (thread_time_ns() - start) / 1e6


def test_the_report_takes_about_w_of_one_core_and_sums_the_orders() -> None:
    database = Database()
    database.open()
    try:
        with database.connection() as db:
            assert db.execute("SELECT count(*) FROM orders").fetchone() == (ORDERS,)
            (total,) = db.execute(REPORT, (ORDERS,)).fetchone()
            (every,) = db.execute("SELECT sum(total) FROM orders").fetchone()
            assert total == every, "n = ORDERS looks each order up once"
        # CPU time, fastest of five taken in turn: a loaded machine (a busy sibling
        # hardware thread, a cold cache) cannot shorten it, only stretch it, and taking
        # the two in turn stretches both alike. The bounds are wide on purpose: a report
        # that did not follow W would give about 1.
        shorts, longs = [], []
        for _ in range(5):
            shorts.append(_report_cpu_ms(database, 20))
            longs.append(_report_cpu_ms(database, 80))
        ratio = min(longs) / min(shorts)
        assert 2 <= ratio <= 8, f"four times the work took {ratio:.2f} times the CPU"
        assert database.lookups(0) == 0
    finally:
        database.close()
    with pytest.raises(RuntimeError, match="not open"), database.connection():
        pass


def test_without_memdb_it_is_a_file_removed_when_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 34, 1))
    database = Database()
    database.open()
    folder = Path(database.target.removeprefix("file://")).parent
    try:
        assert folder.is_dir()
        with database.connection() as db:
            assert db.execute("SELECT count(*) FROM orders").fetchone() == (ORDERS,)
    finally:
        database.close()
    assert not folder.exists()
