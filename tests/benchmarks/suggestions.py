"""What to offer next, on a demo: how good and how fast.

    python tests/benchmarks/suggestions.py [DB] [--sample N] [--runs N]

The offline evaluation (store.suggest.evaluate): each repeat customer's latest purchase
hidden, 3 suggested from what was known before it, the hit rate beside the baseline of
the 3 most popular products the customer had not bought. Then the time of one
customer's suggestions (what the detail pane waits for), over customers who bought,
customers who did not, and the worst case (the customer with the most purchases):
median, 95th percentile and maximum, warm cache. Without DB: the small demo, built in
a temporary folder. Not part of the test suite.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path


def build_small(folder: Path) -> Path:
    path = folder / "small.db"
    subprocess.run(
        [sys.executable, "-m", "salesdesk", "demo", "--db", str(path), "--user", "demo"],
        check=True,
        capture_output=True,
    )
    return path


def timings(work, customers: list[str], runs: int) -> list[float]:
    found = []
    for customer_id in customers:
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            work(customer_id)
            best = min(best, time.perf_counter() - started)
        found.append(best * 1000)
    return found


def line(title: str, values: list[float]) -> str:
    if not values:
        return f"{title}: no customers"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"{title}: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, "
        f"max {ordered[-1]:.1f} ms ({len(ordered)} customers)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="?", help="the demo database (default: build the small demo)")
    parser.add_argument("--sample", type=int, default=2000, help="evaluate at most this many customers")
    parser.add_argument("--timed", type=int, default=300, help="time this many customers of each kind")
    parser.add_argument("--runs", type=int, default=3, help="runs per customer timed (the best counts)")
    parser.add_argument("--today", help="the day the pane is timed on (default: today)")
    args = parser.parse_args()

    from salesdesk.store.connection import connect
    from salesdesk.store.suggest import SuggestQueries, evaluate, index_of, latest_purchases, read_index

    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.db) if args.db else build_small(Path(folder))
        db = connect(path)
        started = time.perf_counter()
        result = evaluate(db, sample=args.sample)
        took = time.perf_counter() - started
        print(f"database: {path.name}")
        print(
            f"offline evaluation, {result.customers} repeat customers, {result.limit} suggested, "
            f"{took:.1f} s: suggestions hit {result.hit_rate:.1%} ({result.hits}), "
            f"most popular not yet bought {result.baseline_rate:.1%} ({result.baseline_hits})"
        )
        today = date.fromisoformat(args.today) if args.today else datetime.now(UTC).date()
        queries = SuggestQueries(db)
        started = time.perf_counter()
        read_index(db)
        print(f"reading every purchase into the index: {(time.perf_counter() - started) * 1000:.0f} ms")
        buyers = sorted(latest_purchases(index_of(db)))
        step = max(1, len(buyers) // args.timed)
        bought = buyers[::step][: args.timed]
        others = [
            row[0]
            for row in db.execute(
                "SELECT id FROM customers WHERE deleted_at IS NULL AND id NOT IN "
                "(SELECT customer_id FROM deals) ORDER BY id LIMIT ?",
                [args.timed],
            )
        ]
        worst = db.execute(
            """SELECT d.customer_id FROM deals d JOIN deal_lines l ON l.deal_id = d.id
               WHERE l.product_id IS NOT NULL AND l.deleted_at IS NULL
               GROUP BY d.customer_id ORDER BY count(*) DESC LIMIT 1"""
        ).fetchall()
        work = lambda customer_id: queries.suggestions(customer_id, today)  # noqa: E731
        print(line("one customer's suggestions, repeat buyers", timings(work, bought, args.runs)))
        print(line("one customer's suggestions, no deals", timings(work, others, args.runs)))
        print(line("one customer's suggestions, the most lines", timings(work, [w[0] for w in worst], 7)))
        db.close()


if __name__ == "__main__":
    main()
