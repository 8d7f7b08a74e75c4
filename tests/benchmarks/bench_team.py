"""The encrypted team folder on a big database: what one edit costs, what joining costs.

    python tests/benchmarks/bench_team.py --db LARGE.db [--user bench] [--runs 5] [--edits 2000]

Used by perf.py (`--only team`), or alone on any database (a copy is used; the database
given is never written). Four figures, as the issue states them:

* after one edit, the publish (`sync.folder.publish`, as the app runs it after a burst
  of edits): its time, and the bytes it writes into the folder (every file new or
  changed, counted from the folder itself, not from what publish says);
* a teammate's sync of that edit (`sync.team.sync_once`, as the app runs it);
* a new device joining (`salesdesk team join FOLDER --code CODE` on an empty database,
  as a process: the join and its first sync), beside copying the database file once;
  its data is then compared with the original's, table by table;
* a week of edits (`--edits`, 2,000 by default: customers changed and interactions
  logged, published every ten edits as bursts are): how much the folder grows;
* the floor of any join that writes rows rather than copying a database (`--floors`):
  SQLite alone copying every row of the original into a new database of the schema,
  by SQL, with no file to read, decode or check: once as the app writes (WAL, full
  sync, references, the indexes and full-text triggers in place), once bare (no
  journal, no sync, no reference checks, indexes and full-text index built at the end).

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

CODE = re.compile(r"^\s*([A-Z2-7]{4}(?:-[A-Z2-7]{1,4}){5,})\s*$", re.M)
BURST = 10  # edits between two publishes, in the week of edits


@dataclass
class TeamFigures:
    copy_s: list[float] = field(default_factory=list)  # copying the database file once
    create_s: float = 0.0
    join_s: list[float] = field(default_factory=list)
    publish_s: list[float] = field(default_factory=list)
    publish_bytes: list[int] = field(default_factory=list)
    sync_s: list[float] = field(default_factory=list)
    week_bytes: int = 0  # how much the folder grew over the week of edits
    week_written: int = 0  # every byte written into it over the week (removed files too)
    week_edits: int = 0
    identical: bool = False
    checkpoint_bytes: int = 0
    floor_s: list[float] = field(default_factory=list)  # the original's rows written by SQLite alone
    bare_floor_s: list[float] = field(default_factory=list)  # the same, every safety off
    floor_copy_s: list[float] = field(default_factory=list)  # copying the file, beside each floor


def salesdesk(db: Path, user: str, *args: str) -> tuple[float, str]:
    """Run a command as a process: (seconds, its output)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "salesdesk", "--db", str(db), "--user", user, *args],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(
            f"salesdesk {' '.join(args)} exited with {result.returncode}: {result.stderr.strip()}"
        )
    return elapsed, result.stdout


def files_of(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`: its size and modification time (to tell what was written)."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            info = path.stat()
            found[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return found


def written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    return sum(size for name, (size, mtime) in after.items() if before.get(name) != (size, mtime))


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def copy_database(source: Path, target: Path) -> float:
    """Seconds to copy a database file once (the baseline of joining)."""
    started = time.perf_counter()
    shutil.copyfile(source, target)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    return time.perf_counter() - started


def load_floor(source: Path, target: Path, *, bare: bool) -> float:
    """Seconds for SQLite alone to write every row of `source` into a new database of the
    schema (made as a join makes it), in one transaction, by SQL from the attached file.

    As the app writes (`bare` false): its connection's WAL, full sync and references,
    the indexes and full-text triggers in place, a merge's page cache. Bare: no journal,
    no sync, no reference checks, the indexes and triggers made again once the rows are
    in and the full-text indexes rebuilt in one statement each. No join that loads
    records can be quicker than this: it still has files to read, open and check.
    """
    import sqlite3

    from salesdesk.store.store import Store
    from salesdesk.sync.merge import MERGE_CACHE_KIB

    started = time.perf_counter()
    store = Store.open(target, "floor", lambda: datetime.now(UTC))
    if bare:
        store.close()
        conn = sqlite3.connect(target, isolation_level=None)
        for pragma in ("journal_mode=DELETE", "journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF"):
            conn.execute(f"PRAGMA {pragma}")
    else:
        conn = store.db.conn
    conn.execute(f"PRAGMA cache_size = {-MERGE_CACHE_KIB}")
    conn.execute("ATTACH DATABASE ? AS original", [str(source)])  # a scratch copy: only read
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
            "AND name NOT LIKE '%fts%'"
        )
    ]
    conn.execute("BEGIN")
    later = []
    if bare:
        later = conn.execute(
            "SELECT type, name, sql FROM main.sqlite_master "
            "WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        ).fetchall()
        for kind, name, _sql in later:
            conn.execute(f'DROP {kind.upper()} main."{name}"')
    for table in tables:
        theirs = {row[1] for row in conn.execute(f"PRAGMA original.table_info({table})")}
        ours = [row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")]
        names = ", ".join(name for name in ours if name in theirs)
        conn.execute(f"DELETE FROM main.{table}")  # the new database's seeds
        conn.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM original.{table}")
    for _kind, _name, sql in later:
        conn.execute(sql)
    if bare:
        for (name,) in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
        ).fetchall():
            conn.execute(f"INSERT INTO main.{name} ({name}) VALUES ('rebuild')")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE original")
    elapsed = time.perf_counter() - started
    if bare:
        conn.close()
    else:
        store.close()
    return elapsed


def data_digest(path: Path) -> str:
    """A digest of what the synced tables hold, without this copy's own bookkeeping."""
    import sqlite3

    from salesdesk.store.schema import SYNCED_TABLES

    local = {"rid", "version"}
    digest = hashlib.sha256()
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for table in SYNCED_TABLES:
            cursor = connection.execute(f"SELECT * FROM {table} ORDER BY id")
            names = [d[0] for d in cursor.description]
            for row in cursor:
                values = {n: v for n, v in zip(names, row, strict=True) if n not in local}
                digest.update(json.dumps([table, values], sort_keys=True, ensure_ascii=False).encode())
    finally:
        connection.close()
    return digest.hexdigest()


def edit(store, rng: random.Random, customers: list[str], n: int) -> None:
    """One edit as a salesperson makes them: a customer's phone or notes, or a call logged."""
    customer = rng.choice(customers)
    if n % 3 == 2:
        store.log_interaction(
            customer, "call", f"Called about the renewal ({n})", body="Wants a quote by Friday."
        )
    elif n % 3 == 1:
        store.update_customer(customer, {"notes": f"Prefers WeChat; met at the fair ({n})"})
    else:
        store.update_customer(customer, {"phone": f"+86 139 {rng.randrange(10**8):08d}"})


def measure(
    source: Path,
    user: str,
    runs: int,
    joins: int,
    edits: int,
    log: Callable[[str], None],
    *,
    floors: int = 0,
) -> TeamFigures:
    from salesdesk.store.store import Store
    from salesdesk.sync import folder as encrypted
    from salesdesk.sync import team as teamsync

    figures = TeamFigures()
    rng = random.Random(17)
    with tempfile.TemporaryDirectory(prefix="salesdesk-team-") as scratch:
        work = Path(scratch)
        ann_db, share = work / "ann.db", work / "share"
        share.mkdir()
        log(f"team: copying {source.stat().st_size / 1e9:.2f} GB to a scratch folder")
        copy_database(source, ann_db)
        elapsed, _ = salesdesk(ann_db, user, "team")  # migrations, once, untimed
        log(f"team: opened the copy (migrations) in {elapsed:.1f} s")
        figures.create_s, out = salesdesk(ann_db, user, "team", "create", str(share))
        code = CODE.search(out)
        if code is None:
            raise RuntimeError(f"team create printed no join code: {out}")
        figures.checkpoint_bytes = sum(size for size, _ in files_of(share).values())
        log(
            f"team: created the team in {figures.create_s:.1f} s; the folder holds "
            f"{figures.checkpoint_bytes / 1e6:.1f} MB (the first checkpoint)"
        )
        original = data_digest(ann_db) if joins else ""
        bob_db = work / "bob.db"
        for sample in range(joins):
            for path in work.glob("bob.db*"):
                path.unlink()
            shutil.rmtree(work / "bob.sync", ignore_errors=True)
            baseline = copy_database(ann_db, work / "copy.db")
            (work / "copy.db").unlink()
            elapsed, _ = salesdesk(bob_db, "bob", "team", "join", str(share), "--code", code[1])
            figures.copy_s.append(baseline)
            figures.join_s.append(elapsed)
            log(f"team: join {sample + 1}/{joins}: {elapsed:.1f} s; copying the file {baseline:.1f} s")
        if joins:
            figures.identical = data_digest(bob_db) == original
            log(f"team: the new device's data is {'identical' if figures.identical else 'NOT identical'}")
        for sample in range(floors):
            figures.floor_copy_s.append(copy_database(ann_db, work / "copy.db"))
            (work / "copy.db").unlink()
            for bare, samples in ((False, figures.floor_s), (True, figures.bare_floor_s)):
                floor_db = work / "floor.db"
                samples.append(load_floor(ann_db, floor_db, bare=bare))
                for path in work.glob("floor.db*"):
                    path.unlink()
            log(
                f"team: floor {sample + 1}/{floors}: SQLite alone writes the rows in "
                f"{figures.floor_s[-1]:.1f} s as the app writes, {figures.bare_floor_s[-1]:.1f} s bare"
            )

        ann = Store.open(ann_db, user, lambda: datetime.now(UTC))
        bob = Store.open(bob_db, "bob", lambda: datetime.now(UTC)) if joins else None
        try:
            customers = [row[0] for row in ann.db.execute("SELECT id FROM customers LIMIT 20000")]
            for sample in range(runs):
                edit(ann, rng, customers, sample)
                before = files_of(share)
                figures.publish_s.append(timed(lambda: encrypted.publish(ann, share)))
                figures.publish_bytes.append(written(before, files_of(share)))
                if bob is not None:
                    figures.sync_s.append(timed(lambda: teamsync.sync_once(bob)))
                log(
                    f"team: one edit {sample + 1}/{runs}: publish {figures.publish_s[-1] * 1000:.0f} ms, "
                    f"{figures.publish_bytes[-1] / 1000:.1f} KB"
                    + (f"; the teammate's sync {figures.sync_s[-1] * 1000:.0f} ms" if bob else "")
                )
            start = sum(size for size, _ in files_of(share).values())
            week_written = 0
            for n in range(edits):
                edit(ann, rng, customers, n)
                if (n + 1) % BURST == 0 or n + 1 == edits:
                    before = files_of(share)
                    encrypted.publish(ann, share)
                    week_written += written(before, files_of(share))
            if bob is not None:
                teamsync.sync_once(bob)
            figures.week_edits = edits
            figures.week_bytes = sum(size for size, _ in files_of(share).values()) - start
            figures.week_written = week_written
            log(
                f"team: {edits:,} edits grew the folder by {figures.week_bytes / 1e6:.2f} MB "
                f"({week_written / 1e6:.2f} MB written)"
            )
        finally:
            ann.close()
            if bob is not None:
                bob.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="the database to copy (the large demo)")
    parser.add_argument("--user", default="bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--joins", type=int, default=1, help="0: no teammate (no join, no sync figures)")
    parser.add_argument("--edits", type=int, default=2000)
    parser.add_argument("--floors", type=int, default=0, help="how many times to measure the floor of a join")
    args = parser.parse_args()
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {message}", file=sys.stderr, flush=True)

    figures = measure(Path(args.db), args.user, args.runs, args.joins, args.edits, log, floors=args.floors)
    print(json.dumps(figures.__dict__, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
