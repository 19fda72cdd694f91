"""The SQLite database of the sqlite styles: a table of orders, made when the styles app starts.

The standard library's ``sqlite3`` is a sync driver, as most database drivers are:
``execute`` returns once the query has run, and the thread that called it waits that
long. It lets go of the GIL meanwhile, so other threads run; but if the thread that
waits is the event loop's, nothing of the loop runs.

The styles run one report whose length is set by W: ``lookups(W)`` orders looked up
by id and summed, so many that the query takes about W of one core (measured once,
at start-up, as :mod:`server.cpu` measures its loop).

The database lives in the server's memory (SQLite's ``memdb``, shared by every
connection of the process, each with a page cache and a lock of its own, as with a
file): a server that is killed leaves no file behind. An SQLite older than 3.36 has
no ``memdb``; there it is a file in a folder of its own, removed when the app stops.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from time import thread_time_ns

#: How many orders the table holds.
ORDERS = 1000
#: The report of the sqlite styles: n orders looked up by id, their totals summed.
REPORT = f"""
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
    SELECT sum(total) FROM n JOIN orders ON orders.id = n.i % {ORDERS} + 1
"""
#: Every connection of the process to this name reaches the same database in memory.
_IN_MEMORY = "file:/schedviz-orders?vfs=memdb"


@dataclass
class Database:
    """Where the database is, and how many lookups take a millisecond."""

    target: str = ""
    lookups_per_ms: float = 0.0
    #: Holds an in-memory database open (it lives as long as one connection to it).
    _keeper: sqlite3.Connection | None = None
    _folder: Path | None = None

    def open(self) -> None:
        if sqlite3.sqlite_version_info >= (3, 36, 0):
            self.target = _IN_MEMORY
            self._keeper = sqlite3.connect(self.target, uri=True)
        else:
            self._folder = Path(tempfile.mkdtemp(prefix="schedviz-db-"))
            self.target = (self._folder / "orders.sqlite3").as_uri()
        with self.connection() as db:
            db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL NOT NULL)")
            db.executemany(
                "INSERT INTO orders VALUES (?, ?)",
                ((i, i % 97 + 0.5) for i in range(1, ORDERS + 1)),
            )
            db.commit()
            self.lookups_per_ms = _calibrate(db)

    def close(self) -> None:
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self.target = ""

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of its own for the caller, closed after (a sqlite3 connection
        is used by the thread that made it, and ``with sqlite3.connect()`` alone
        commits, but does not close)."""
        if not self.target:
            raise RuntimeError("the database is not open")
        with closing(sqlite3.connect(self.target, uri=True)) as db:
            yield db

    def lookups(self, work_ms: float) -> int:
        """How many lookups the report makes to take about ``work_ms`` of one core."""
        return int(work_ms * self.lookups_per_ms)


def _calibrate(db: sqlite3.Connection, sample_ms: float = 10.0, samples: int = 5) -> float:
    """Lookups per CPU ms of this machine, the fastest of several samples (a busy
    sibling hardware thread only ever slows one down; see server.cpu)."""
    lookups = 10_000
    while (took_ms := _report_ms(db, lookups)) < sample_ms:
        lookups = int(lookups * max(2.0, sample_ms / max(took_ms, 0.01) * 1.1))
    return max(lookups / _report_ms(db, lookups) for _ in range(samples))


def _report_ms(db: sqlite3.Connection, lookups: int) -> float:
    # SQLite runs in this thread: its CPU time is the thread's.
    start = thread_time_ns()
    db.execute(REPORT, (lookups,)).fetchone()
    return max(thread_time_ns() - start, 1) / 1e6


#: The handlers' view of the database; the styles app opens it at start-up.
database = Database()
