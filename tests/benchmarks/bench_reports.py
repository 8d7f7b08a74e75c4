"""How fast the reports are on the large demo: `python tests/benchmarks/bench_reports.py [DB] [USER]`.

Reports, best of three warm runs, each query of a report over a week, 90 and 365 days
(mine and everyone's), the whole report, the report without the money collected and the
money alone (the Reports screen reads them one after the other), the weekly summary, and
the weekly export end to end in a fresh process (median of five, to a file). Not part of
the test suite (SPEC 6). The database must exist (`salesdesk demo --size large`); it is
opened, so it may migrate.
"""

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

EXPORT = """
import sys
from argparse import Namespace
from datetime import date, datetime, timezone
from salesdesk.cli.weekly import export_weekly
from salesdesk.store.store import Store
path, user, today, out, everyone = sys.argv[1:6]
opener = lambda: Store.open(path, user, lambda: datetime.now(timezone.utc))
export_weekly(Namespace(week=None, output=out, all=everyone == "all"), opener, date.fromisoformat(today))
"""


def best(work, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/large.db")
    user = sys.argv[2] if len(sys.argv) > 2 else "root"
    from salesdesk.core.periods import IsoWeek, preset_period
    from salesdesk.store.reports import ACTIVITY_INDEX, ReportStore
    from salesdesk.store.store import Store

    store = Store.open(path, user, lambda: datetime.now(UTC))
    reports = ReportStore(store)
    queries = reports.queries
    today = date.fromisoformat(store.db.execute("SELECT max(at) FROM interactions").fetchone()[0][:10])
    indexed = queries._has_index(ACTIVITY_INDEX)
    print(f"{path}: reports of {today} for {user} ({ACTIVITY_INDEX} {'present' if indexed else 'absent'})")
    for everyone in (False, True):
        owner = None if everyone else user
        for name in ("this week", "last 90 days", "last 365 days"):
            period = preset_period(name, today)
            parts = [
                f"{part} {best(lambda: getattr(queries, part)(period, owner)):.0f}"
                for part in (
                    "flows",
                    "stage_days",
                    "closed",
                    "outcomes",
                    "reasons",
                    "activity",
                    "customers",
                    "products",
                )
            ]
            parts.append(f"quotes {best(lambda: queries.quotes(period, owner, today)):.0f}")
            parts.append(f"open_deals {best(lambda: queries.open_deals(owner)):.0f}")
            # The money collected (issue 20): the screen reads it after the rest.
            parts.append(f"collected {best(lambda: queries.collected(period, owner)):.0f}")
            parts.append(f"owed {best(lambda: queries.owed(today, owner)):.0f}")
            parts.append(f"settled {best(lambda: queries.settled(period, owner)):.0f}")
            first = best(lambda: reports.report(period, today, everyone=everyone, money=False))
            money = best(lambda: reports.collections(period, today, everyone=everyone))
            total = best(lambda: reports.report(period, today, everyone=everyone))
            print(
                f"  {'everyone' if everyone else 'mine':8s} {name:14s} report {total:6.0f} ms, "
                f"without the money {first:.0f} ms, the money alone {money:.0f} ms  "
                f"({', '.join(parts)} ms)"
            )
        weekly = best(lambda: reports.weekly(IsoWeek.of(today), today, everyone=everyone))
        print(f"  {'everyone' if everyone else 'mine':8s} weekly summary          {weekly:6.0f} ms")
    store.close()
    with tempfile.TemporaryDirectory() as folder:
        for scope in ("mine", "all"):
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        EXPORT,
                        str(path),
                        user,
                        today.isoformat(),
                        str(Path(folder) / "week.md"),
                        scope,
                    ],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                runs.append(time.perf_counter() - started)
            print(
                f"  export weekly ({scope}), a fresh process: {statistics.median(runs) * 1000:.0f} ms "
                "(median of 5)"
            )


if __name__ == "__main__":
    main()
