"""What each customer bought, read for the suggestions of `salesdesk.core.suggest`.

A purchase is a line with a product on a won deal (its stage's kind is 'won'), on the
day the deal closed; a line of free text is no purchase of a product. Every question
takes `before`, a day: only deals closed before it count, so the offline evaluation can
ask what would have been suggested on a past day with nothing after it known.

The purchases of every customer are read in one query (60,000 lines of the large demo
in about 0.1 s) into a `core.suggest.PurchaseIndex`, kept per database file until the
change log grows (any write of any record, here or arrived by sync, makes it read
again); then one customer's suggestions take about a millisecond. Measured by
tests/benchmarks/suggestions.py, against about 35 ms (p95 80 ms) for the same
answer asked of SQLite customer by customer.
"""

import json
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from salesdesk.core import suggest as core
from salesdesk.core.suggest import PurchaseIndex, Suggestion
from salesdesk.store.connection import connect
from salesdesk.store.database import Database

_lock = threading.Lock()
_cache: dict[str, tuple[int, PurchaseIndex]] = {}  # database file -> (change log's seq, index)


def read_index(db: Database) -> PurchaseIndex:
    """Every purchase of every living customer, and what the tie-break needs of them.

    The customers are looked up after the lines, only those who bought (a join of
    every line to its customer reads many more pages of the large customers table).
    """
    rows = db.execute(
        """SELECT d.customer_id, l.product_id, d.closed_on FROM deals d
           CROSS JOIN deal_lines l ON l.deal_id = d.id AND l.deleted_at IS NULL
                                  AND l.product_id IS NOT NULL
           WHERE d.deleted_at IS NULL AND d.closed_on IS NOT NULL
             AND d.stage_id IN (SELECT id FROM stages WHERE kind = 'won')"""
    ).fetchall()
    names, offered = {}, {}
    for product_id, name, active in db.execute(
        "SELECT id, name, active FROM products WHERE deleted_at IS NULL"
    ):
        names[product_id] = name
        if active:
            offered[product_id] = name
    buyers = sorted({row[0] for row in rows})
    industry: dict[str, str] = {}
    tags: dict[str, set[str]] = {}
    for chunk in range(0, len(buyers), 20_000):
        ids = json.dumps(buyers[chunk : chunk + 20_000])
        for customer_id, value in db.execute(
            "SELECT id, industry FROM customers WHERE deleted_at IS NULL "
            "AND id IN (SELECT value FROM json_each(?))",
            [ids],
        ):
            industry[customer_id] = value or ""
        for customer_id, tag_id in db.execute(
            "SELECT customer_id, tag_id FROM customer_tags WHERE deleted_at IS NULL "
            "AND customer_id IN (SELECT value FROM json_each(?))",
            [ids],
        ):
            tags.setdefault(customer_id, set()).add(tag_id)
    alive = [row for row in rows if row[0] in industry and row[1] in names]
    return PurchaseIndex(alive, names, offered, industry, {c: frozenset(t) for c, t in tags.items()})


def _version(db: Database) -> int:
    return int(db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0])


def _path(db: Database) -> str:
    return str(db.execute("PRAGMA database_list").fetchone()[2] or "")


def held_index(db: Database) -> PurchaseIndex | None:
    """The purchase index of this database if one is held and nothing was written since
    (a cheap question: the app asks it before deciding to read on a thread)."""
    path = _path(db)
    with _lock:
        held = _cache.get(path)
    if not path or held is None or held[0] != _version(db):
        return None
    return held[1]


def index_of(db: Database) -> PurchaseIndex:
    """The purchase index of this database as it is now: kept while nothing was written."""
    path, version = _path(db), _version(db)
    with _lock:
        held = _cache.get(path)
        if path and held is not None and held[0] == version:
            return held[1]
    index = read_index(db)
    if path:
        with _lock:
            _cache[path] = (version, index)
    return index


class SuggestQueries:
    """Read-only: what to offer one customer, from a connection of its own if need be."""

    def __init__(self, db: Database):
        self.db = db

    @staticmethod
    def _before(today: date, before: date | None) -> str:
        return (before or today + timedelta(days=1)).isoformat()

    @classmethod
    def of(
        cls, index: PurchaseIndex, customer_id: str, today: date, limit: int = core.LIMIT
    ) -> list[Suggestion]:
        """The customer's suggestions on `today` from an index already read."""
        return index.suggestions(customer_id, today, cls._before(today, None), limit)

    @staticmethod
    def index_from(path: Path) -> PurchaseIndex:
        """The purchase index of the database at `path`, on a connection of its own (for
        a worker thread); held for every connection to that file afterwards."""
        db = connect(path)
        try:
            return index_of(db)
        finally:
            db.close()

    @classmethod
    def load_from(
        cls, path: Path, customer_id: str, today: date, limit: int = core.LIMIT
    ) -> list[Suggestion]:
        """`suggestions` on a connection of its own, for a worker thread."""
        db = connect(path)
        try:
            return cls(db).suggestions(customer_id, today, limit)
        finally:
            db.close()

    def suggestions(
        self, customer_id: str, today: date, limit: int = core.LIMIT, *, before: date | None = None
    ) -> list[Suggestion]:
        """Up to `limit` products to offer the customer on `today` (see core.suggest),
        from the purchases before `before` (default: up to and including today)."""
        return index_of(self.db).suggestions(customer_id, today, self._before(today, before), limit)

    def purchases(self, customer_id: str, today: date, *, before: date | None = None) -> list[core.Purchase]:
        return index_of(self.db).purchases(customer_id, self._before(today, before))

    def popular(
        self, customer_id: str, today: date, limit: int = core.LIMIT, *, before: date | None = None
    ) -> list[str]:
        """The baseline of the evaluation: the products most customers bought (then by
        name), of those on offer that this customer has not bought."""
        return index_of(self.db).popular(customer_id, self._before(today, before), limit)


@dataclass(frozen=True)
class Evaluation:
    """The offline evaluation: of `customers` repeat customers, how many had one of the
    products of their latest purchase among the suggestions (`hits`), and among the
    baseline's most popular products they had not bought (`baseline_hits`)."""

    customers: int
    hits: int
    baseline_hits: int
    limit: int

    @property
    def hit_rate(self) -> float:
        return self.hits / self.customers if self.customers else 0.0

    @property
    def baseline_rate(self) -> float:
        return self.baseline_hits / self.customers if self.customers else 0.0


def latest_purchases(index: PurchaseIndex) -> dict[str, tuple[date, set[str]]]:
    """Each repeat customer (products bought on won deals closed on two days or more):
    the day of their latest purchase and the products bought that day."""
    latest = {}
    for customer_id, products in index.days.items():
        days = {day for bought in products.values() for day in bought}
        if len(days) >= 2:
            last = max(days)
            latest[customer_id] = (
                date.fromisoformat(last),
                {product for product, bought in products.items() if last in bought},
            )
    return latest


def evaluate(db: Database, limit: int = core.LIMIT, sample: int | None = None) -> Evaluation:
    """Hide each repeat customer's latest purchase and ask what would have been
    suggested on that day from what was known before it (every deal closed before it,
    the customer's and everyone else's); a hit is one of the hidden products among the
    `limit` suggested. The baseline: the `limit` most popular products before that day
    that the customer had not bought. `sample`: every n-th customer only (by id)."""
    index = read_index(db)
    latest = sorted(latest_purchases(index).items())
    if sample and len(latest) > sample:
        step = len(latest) / sample
        latest = [latest[int(i * step)] for i in range(sample)]
    hits = baseline = 0
    for customer_id, (day, hidden) in latest:
        cutoff = day.isoformat()
        suggested = {s.product_id for s in index.suggestions(customer_id, day, cutoff, limit)}
        hits += bool(suggested & hidden)
        baseline += bool(set(index.popular(customer_id, cutoff, limit)) & hidden)
    return Evaluation(len(latest), hits, baseline, limit)
