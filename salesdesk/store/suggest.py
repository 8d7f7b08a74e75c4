"""What each customer bought, read for the suggestions of `salesdesk.core.suggest`.

A purchase is a line with a product on a won deal (its stage's kind is 'won'), on the
day the deal closed; a line of free text is no purchase of a product. Every query takes
`before`, a day: only deals closed before it count, so the offline evaluation can ask
what would have been suggested on a past day with nothing after it known.

One customer's suggestions take four narrow queries through the indexes (the products
on offer, their purchases, the rules of the products they bought, the similar
customers' purchases of the candidates), never a scan of every line: a few
milliseconds on the large demo (tests/benchmarks/suggestions.py measures them).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from salesdesk.core import suggest as core
from salesdesk.core.suggest import PairCount, Purchase, Suggestion
from salesdesk.store.database import Database

# The won deals of living customers that closed before :before.
_WON = """d.deleted_at IS NULL AND d.closed_on < :before
          AND d.stage_id IN (SELECT id FROM stages WHERE kind = 'won')"""


class SuggestQueries:
    """Read-only: what to offer one customer, from a connection of its own if need be."""

    def __init__(self, db: Database):
        self.db = db

    @staticmethod
    def _before(today: date, before: date | None) -> str:
        return (before or today + timedelta(days=1)).isoformat()

    def offered(self) -> dict[str, str]:
        """The products that may be suggested (active, not deleted), id -> name."""
        return {
            row[0]: row[1]
            for row in self.db.execute(
                "SELECT id, name FROM products WHERE deleted_at IS NULL AND active = 1"
            )
        }

    def purchases(self, customer_id: str, before: str) -> list[Purchase]:
        """The products on the customer's won deals, each with the day its deal closed."""
        rows = self.db.execute(
            f"""SELECT DISTINCT l.product_id, p.name, d.closed_on
                FROM deals d
                JOIN deal_lines l ON l.deal_id = d.id AND l.deleted_at IS NULL AND l.product_id IS NOT NULL
                JOIN products p ON p.id = l.product_id AND p.deleted_at IS NULL
                WHERE d.customer_id = :customer AND {_WON}""",
            {"customer": customer_id, "before": before},
        ).fetchall()
        return [Purchase(row[0], row[1], date.fromisoformat(row[2])) for row in rows]

    def pair_counts(self, customer_id: str, products: Iterable[str], before: str) -> list[PairCount]:
        """For each product P the customer bought: how many customers bought it, and how
        many of them bought each other product Q the customer has not."""
        mine = sorted(set(products))
        if not mine:
            return []
        rows = self.db.execute(
            f"""WITH mine(p) AS (SELECT value FROM json_each(:mine)),
                buyers(p, c) AS (
                  SELECT DISTINCT l.product_id, d.customer_id FROM mine
                  JOIN deal_lines l ON l.product_id = mine.p AND l.product_id IS NOT NULL
                                   AND l.deleted_at IS NULL
                  JOIN deals d ON d.id = l.deal_id
                  JOIN customers c ON c.id = d.customer_id AND c.deleted_at IS NULL
                  WHERE {_WON}),
                counts(p, n) AS (SELECT p, count(*) FROM buyers GROUP BY p),
                peers(c) AS (SELECT DISTINCT c FROM buyers WHERE c != :customer),
                theirs(c, q) AS (
                  SELECT DISTINCT d.customer_id, l.product_id FROM peers
                  JOIN deals d ON d.customer_id = peers.c
                  JOIN deal_lines l ON l.deal_id = d.id AND l.deleted_at IS NULL
                                   AND l.product_id IS NOT NULL
                  WHERE {_WON} AND l.product_id NOT IN (SELECT p FROM mine))
                SELECT b.p, t.q, count(*), counts.n FROM buyers b
                JOIN theirs t ON t.c = b.c JOIN counts ON counts.p = b.p
                GROUP BY b.p, t.q""",
            {"mine": json.dumps(mine), "customer": customer_id, "before": before},
        ).fetchall()
        return [PairCount(*row) for row in rows]

    def similar_counts(self, customer_id: str, candidates: Iterable[str], before: str) -> dict[str, int]:
        """For each candidate product: how many customers like this one (the same
        industry, or a tag in common) bought it."""
        wanted = sorted(set(candidates))
        if not wanted:
            return {}
        rows = self.db.execute(
            f"""WITH me AS (SELECT industry FROM customers WHERE id = :customer),
                my_tags(t) AS (SELECT tag_id FROM customer_tags
                               WHERE customer_id = :customer AND deleted_at IS NULL),
                buyers(q, c) AS (
                  SELECT DISTINCT l.product_id, d.customer_id FROM json_each(:wanted) w
                  JOIN deal_lines l ON l.product_id = w.value AND l.product_id IS NOT NULL
                                   AND l.deleted_at IS NULL
                  JOIN deals d ON d.id = l.deal_id
                  WHERE {_WON} AND d.customer_id != :customer)
                SELECT b.q, count(*) FROM buyers b JOIN customers c ON c.id = b.c
                WHERE c.deleted_at IS NULL
                  AND ((c.industry != '' AND c.industry = (SELECT industry FROM me))
                       OR EXISTS (SELECT 1 FROM customer_tags ct WHERE ct.customer_id = b.c
                                  AND ct.deleted_at IS NULL AND ct.tag_id IN (SELECT t FROM my_tags)))
                GROUP BY b.q""",
            {"customer": customer_id, "wanted": json.dumps(wanted), "before": before},
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def suggestions(
        self, customer_id: str, today: date, limit: int = core.LIMIT, *, before: date | None = None
    ) -> list[Suggestion]:
        """Up to `limit` products to offer the customer on `today` (see core.suggest),
        from the purchases before `before` (default: up to and including today)."""
        bound = self._before(today, before)
        offered = self.offered()
        purchases = self.purchases(customer_id, bound)
        if not purchases or not offered:
            return []
        due = core.reorders(purchases, today, offered)
        pairs: list[PairCount] = []
        similar: dict[str, int] = {}
        if len(due) < limit:
            bought = {purchase.product_id for purchase in purchases}
            pairs = self.pair_counts(customer_id, bought, bound)
            names = {**{p.product_id: p.name for p in purchases}, **offered}
            candidates = {s.product_id for s in core.together(pairs, bought, names)}
            similar = self.similar_counts(customer_id, candidates, bound)
        return core.suggestions(purchases, pairs, offered, today, similar, limit)

    def popular(
        self, customer_id: str, today: date, limit: int = core.LIMIT, *, before: date | None = None
    ) -> list[str]:
        """The baseline of the evaluation: the products most customers bought (then by
        name), of those on offer that this customer has not bought."""
        bound = self._before(today, before)
        rows = self.db.execute(
            f"""SELECT p.id FROM products p
                JOIN (SELECT l.product_id AS q, count(DISTINCT d.customer_id) AS n
                      FROM deal_lines l JOIN deals d ON d.id = l.deal_id
                      WHERE l.deleted_at IS NULL AND l.product_id IS NOT NULL AND {_WON}
                      GROUP BY l.product_id) b ON b.q = p.id
                WHERE p.deleted_at IS NULL AND p.active = 1
                  AND p.id NOT IN (SELECT l.product_id FROM deals d
                                   JOIN deal_lines l ON l.deal_id = d.id AND l.deleted_at IS NULL
                                   WHERE d.customer_id = :customer AND l.product_id IS NOT NULL AND {_WON})
                ORDER BY b.n DESC, p.name COLLATE NOCASE, p.id LIMIT :limit""",
            {"customer": customer_id, "before": bound, "limit": limit},
        ).fetchall()
        return [row[0] for row in rows]


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


def latest_purchases(db: Database) -> dict[str, tuple[date, set[str]]]:
    """Each repeat customer (products bought on won deals closed on two days or more):
    the day of their latest purchase and the products bought that day."""
    rows = db.execute(
        f"""SELECT d.customer_id, d.closed_on, l.product_id FROM deals d
            JOIN deal_lines l ON l.deal_id = d.id AND l.deleted_at IS NULL AND l.product_id IS NOT NULL
            JOIN customers c ON c.id = d.customer_id AND c.deleted_at IS NULL
            WHERE {_WON}""",
        {"before": "9999"},
    ).fetchall()
    days: dict[str, dict[str, set[str]]] = {}
    for customer_id, closed_on, product_id in rows:
        days.setdefault(customer_id, {}).setdefault(closed_on, set()).add(product_id)
    latest = {}
    for customer_id, bought in days.items():
        if len(bought) >= 2:
            last = max(bought)
            latest[customer_id] = (date.fromisoformat(last), bought[last])
    return latest


def evaluate(db: Database, limit: int = core.LIMIT, sample: int | None = None) -> Evaluation:
    """Hide each repeat customer's latest purchase and ask what would have been
    suggested on that day from what was known before it (every deal closed before it,
    the customer's and everyone else's); a hit is one of the hidden products among the
    `limit` suggested. The baseline: the `limit` most popular products before that day
    that the customer had not bought. `sample`: every n-th customer only (by id)."""
    queries = SuggestQueries(db)
    latest = sorted(latest_purchases(db).items())
    if sample and len(latest) > sample:
        step = len(latest) / sample
        latest = [latest[int(i * step)] for i in range(sample)]
    hits = baseline = 0
    for customer_id, (day, hidden) in latest:
        suggested = {s.product_id for s in queries.suggestions(customer_id, day, limit, before=day)}
        hits += bool(suggested & hidden)
        baseline += bool(set(queries.popular(customer_id, day, limit, before=day)) & hidden)
    return Evaluation(len(latest), hits, baseline, limit)
