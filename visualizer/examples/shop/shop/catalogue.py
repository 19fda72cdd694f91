"""The shop's data: products, customers and orders, in SQLite through the stdlib ``sqlite3``.

The database is a file made in a temporary folder when the app starts, seeded with
200,000 products: enough that a search by words (``LIKE '%oak desk%'``, which no
index can serve) reads every row and takes tens of milliseconds. A lookup by
primary key, by contrast, is answered from an index in well under a millisecond.

``sqlite3`` is a synchronous driver: every method here blocks the thread that calls
it until SQLite answers. Called from a ``def`` endpoint, that thread is a threadpool
worker; called from an ``async def`` endpoint, it is the event loop's thread, and
the loop runs nothing else until the call returns.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from .models import Customer, OrderIn, Product

#: Products in the catalogue: a search over them takes tens of ms on a laptop.
PRODUCTS = 200_000
#: The demo customers and their API keys (send one as ``x-api-key``).
CUSTOMERS = {
    "demo-key-1": ("Ada Lovelace", "ada@example.com"),
    "demo-key-2": ("Grace Hopper", "grace@example.com"),
}

_STYLES = ("Nordic", "Classic", "Compact", "Rustic", "Modern", "Vintage", "Studio", "Coastal")
_MATERIALS = ("oak", "walnut", "steel", "linen", "wool", "brass", "glass", "bamboo", "marble")
_THINGS = ("desk", "lamp", "chair", "shelf", "rug", "mirror", "sofa", "stool", "table", "vase")

_SCHEMA = """
CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    price_cents INTEGER NOT NULL
);
CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    api_key_sha256 TEXT NOT NULL UNIQUE
);
CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    charge_id   TEXT NOT NULL
);
"""


def _hash_key(api_key: str) -> str:
    # Keys are kept hashed, as they should be: a leaked table leaks no key.
    return hashlib.sha256(api_key.encode()).hexdigest()


def _like_pattern(words: str) -> str:
    """``%words%`` with the user's own ``%`` and ``_`` taken literally."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Catalogue:
    """The shop's database file, and the queries its routes run on it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, folder: Path, products: int = PRODUCTS) -> Catalogue:
        """A new database in ``folder``, seeded with ``products`` products (about 0.7 s
        for 200,000) and the demo customers."""
        catalogue = cls(folder / "shop.sqlite3")
        rng = random.Random(7)  # the same catalogue every time
        with catalogue._connect() as db, db:
            db.executescript(_SCHEMA)
            db.executemany(
                "INSERT INTO products VALUES (?, ?, ?, ?)",
                (_product_row(number, rng) for number in range(1, products + 1)),
            )
            db.executemany(
                "INSERT INTO customers (name, email, api_key_sha256) VALUES (?, ?, ?)",
                [(name, email, _hash_key(key)) for key, (name, email) in CUSTOMERS.items()],
            )
        return catalogue

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per call: an sqlite3 connection belongs to the thread that made
        # it, and a call may come from the loop's thread or from any worker.
        with closing(sqlite3.connect(self.path)) as db:
            yield db

    def search(self, words: str, limit: int = 20) -> list[Product]:
        """The cheapest products whose name or description holds ``words``.

        ``LIKE '%...%'`` cannot use an index: SQLite reads all 200,000 rows, tens of ms.
        """
        pattern = _like_pattern(words)
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, name, price_cents FROM products"
                " WHERE name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\'"
                " ORDER BY price_cents LIMIT ?",
                (pattern, pattern, limit),
            ).fetchall()
        return [Product(id=id_, name=name, price_cents=price) for id_, name, price in rows]

    def product(self, product_id: int) -> Product | None:
        """One product by its id: an index lookup, well under a millisecond."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id, name, price_cents FROM products WHERE id = ?", (product_id,)
            ).fetchone()
        return None if row is None else Product(id=row[0], name=row[1], price_cents=row[2])

    def customer_with_key(self, api_key: str) -> Customer | None:
        """The customer an API key belongs to, if any."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id, name, email FROM customers WHERE api_key_sha256 = ?",
                (_hash_key(api_key),),
            ).fetchone()
        return None if row is None else Customer(id=row[0], name=row[1], email=row[2])

    def record_order(
        self, customer: Customer, order: OrderIn, total_cents: int, charge: str
    ) -> int:
        """Write a paid order and commit it; its id."""
        with self._connect() as db, db:  # the inner ``db`` commits, or rolls back
            cursor = db.execute(
                "INSERT INTO orders (customer_id, product_id, quantity, total_cents, charge_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (customer.id, order.product_id, order.quantity, total_cents, charge),
            )
        assert cursor.lastrowid is not None  # an INSERT always sets it
        return cursor.lastrowid


def _product_row(number: int, rng: random.Random) -> tuple[int, str, str, int]:
    style, material, thing = rng.choice(_STYLES), rng.choice(_MATERIALS), rng.choice(_THINGS)
    name = f"{style} {material} {thing}"
    description = (
        f"A {style.lower()} {thing} in {material}, model {number:06d}; "
        f"ships in {number % 9 + 1} days."
    )
    return number, name, description, rng.randrange(900, 90_000)
