"""How fast the agenda is on the large demo: `python tests/benchmarks/bench_agenda.py [DB] [USER]`.

Builds the large demo (100,000 customers, 30,000 deals, 1,000,000 interactions) at DB
if it is missing, then reports, best of five warm runs, each query the agenda makes,
the whole `AgendaStore.load` (mine and everyone's), and `salesdesk agenda` end to end
(median of five, output to a pipe). Not part of the test suite (SPEC 6).
"""

import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def best(work, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times) * 1000, result


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/large.db")
    user = sys.argv[2] if len(sys.argv) > 2 else "root"
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "salesdesk", "demo", "--size", "large", "--db", str(path), "--user", user],
            check=True,
        )
    from salesdesk.core import care
    from salesdesk.store.agenda import AgendaStore
    from salesdesk.store.store import Store

    store = Store.open(path, user, lambda: datetime.now(UTC))
    agendas, queries = AgendaStore(store), AgendaStore(store).queries
    today = datetime.fromisoformat(
        store.db.execute("SELECT max(at) FROM interactions").fetchone()[0][:10]
    ).date()
    settings, stages = agendas.settings(), store.stages()
    window = care.care_window(today, settings, stages)
    paid = care.paid_stage(stages)
    print(f"{path}: agenda of {today} for {user}")
    for owner in (user, None):
        print(f"  {'mine' if owner else 'everyone'}:")
        repeat = queries.repeat_buyers(owner)
        for name, work in (
            ("follow-ups", lambda: queries.followups(window.shown.last, owner)),
            ("birthdays", lambda: queries.birthdays(window, owner)),
            ("renewals", lambda: queries.renewals(window.contract_ends, owner)),
            ("receivables", lambda: queries.receivables(today + timedelta(days=7), today, owner)),
            ("dormant and new leads", lambda: queries.quiet(window, owner)),
            ("repeat buyers", lambda: queries.repeat_buyers(owner)),
            ("reorder rows", lambda: queries.reorders(repeat)),
            ("check-ins", lambda: queries.deals_entered({paid.id: window.paid}, owner, today)),
            ("rotting", lambda: queries.deals_entered(window.entered, owner, today)),
            (
                "holiday greeting list",
                lambda: [queries.greeting(settings, settings.tier_thresholds, today, owner)],
            ),
            ("load (all of it)", lambda: agendas.load(today, everyone=owner is None).items),
        ):
            ms, rows = best(work)
            print(f"    {name:24s} {ms:7.1f} ms  {len(rows):>6,} rows")
    store.close()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "salesdesk",
                "agenda",
                "--db",
                str(path),
                "--user",
                user,
                "--date",
                today.isoformat(),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        runs.append(time.perf_counter() - started)
    print(f"  salesdesk agenda | ...     {statistics.median(runs) * 1000:7.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
