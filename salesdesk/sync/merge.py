"""Fold another copy of a salesdesk database into this one, from its change log.

Per field, the newest hybrid-logical clock wins (the device id, part of the clock,
breaks ties). Entries already here are skipped, so merging is idempotent, and the
result does not depend on the order copies are merged in. Concurrent edits of one
field (neither copy had seen the other's) keep the losing value in `conflicts`.
A delete is a tombstone; an edit newer than the delete revives the record.

The merge works on a stream of change entries (`reading.Entry`: device, clock, table,
row id, data, seq), however they arrived; `merge_database` reads them from a SQLite
copy (`sync.reading`). Each entry is checked first (`sync.checks`); one that fails is
held back with its reason (`sync.held`) and the rest still merge. The author of an
applied change is the user of the device that published it, never a field it carries.
"""

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesdesk.core.dates import epoch_ms, timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.store.changelog import format_clock, parse_clock, received
from salesdesk.store.connection import write
from salesdesk.store.database import Database
from salesdesk.store.schema import SEED_DEVICE, SYNCED_TABLES
from salesdesk.sync import held
from salesdesk.sync.checks import INVALID, RELAYED, WAITING, Problem
from salesdesk.sync.reading import Entry

if TYPE_CHECKING:
    from salesdesk.store.store import Store
    from salesdesk.sync.checks import Checker

# Bookkeeping columns: carried along, never a conflict, never copied as they are.
BOOKKEEPING = {"id", "rid", "version", "updated_at", "updated_by", "created_at"}
# Fields where the latest moment, not the latest writer, is the truth.
LATEST_VALUE = {("customers", "last_contact_at")}
# Fields naming who did it: like `updated_by`, taken from the publishing device's user.
AUTHOR_FIELDS = ("updated_by", "by_user")
_LOAD_CHUNK = 5000


@dataclass
class MergeReport:
    source: str
    entries: int = 0
    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    devices: set[str] = field(default_factory=set)
    renamed_clone: str | None = None
    found: int = 0  # entries the copy holds, new or not
    held: Counter[str] = field(default_factory=Counter)  # held back now, per kind of problem
    reasons: list[str] = field(default_factory=list)  # the first few, as sentences
    released: int = 0  # changes held earlier that were applied now

    def summary(self) -> str:
        held = sum(self.held.values())
        if not self.entries and not held:
            return f"{self.source}: nothing new."
        parts = [f"{self.entries:,} changes from {len(self.devices)} device(s)"]
        if self.created:
            parts.append("new: " + ", ".join(f"{n:,} {t}" for t, n in sorted(self.created.items())))
        if self.changed:
            parts.append("updated: " + ", ".join(f"{n:,} {t}" for t, n in sorted(self.changed.items())))
        if self.conflicts:
            parts.append(f"{self.conflicts} conflicting edits kept for review")
        if self.released:
            parts.append(f"{self.released:,} held back before and applied now")
        if held:
            parts.append(f"{held:,} held back ('salesdesk team held' lists them)")
        return f"{self.source}: " + "; ".join(parts) + "."


def merge_database(
    store: "Store",
    other: Path,
    *,
    dry_run: bool = False,
    work: Path | None = None,
    publisher: tuple[str, str] | None = None,
    exact_size: int | None = None,
    with_wal: bool = True,
) -> MergeReport:
    """Merge the copy at `other` into `store`'s database (one transaction).

    The copy is never changed nor opened where it lies: it is copied into `work` (with
    its -wal, unless `with_wal` is off), read there and removed. `publisher` is the
    (device, user) a manifest names; else the copy's own meta says who wrote it. With
    `exact_size` a file of any other size is refused (a manifest's size).
    """

    other = Path(other)
    work = work or work_dir(store)
    private = work / f"incoming-{os.urandom(4).hex()}.db"
    try:
        fetch(other, private, exact_size=exact_size, with_wal=with_wal)
        return merge_copy(store, private, other.name, publisher=publisher, dry_run=dry_run)
    finally:
        remove_database(private)


def fetch(other: Path, private: Path, *, exact_size: int | None = None, with_wal: bool = True) -> None:
    """Copy `other` (and its -wal) to `private`, bounded; a sentence when it cannot be."""
    from salesdesk.sync.reading import COPY_LIMIT, UnreadableCopy, copy_privately

    try:
        copy_privately(other, private, limit=COPY_LIMIT, exact=exact_size)
        wal = other.with_name(other.name + "-wal")
        if with_wal and os.path.lexists(wal):
            copy_privately(wal, private.with_name(private.name + "-wal"), limit=COPY_LIMIT)
    except FileNotFoundError:
        raise SalesdeskError(f"{other} does not exist.") from None
    except IsADirectoryError:
        raise SalesdeskError(f"{other} is a folder, not a copy of a database.") from None
    except UnreadableCopy:
        raise
    except OSError as error:
        raise SalesdeskError(f"{other.name} cannot be read ({error.strerror}).") from None


def merge_copy(
    store: "Store",
    private: Path,
    name: str,
    *,
    publisher: tuple[str | None, str | None] | None = None,
    dry_run: bool = False,
) -> MergeReport:
    """Merge a private copy (made by `fetch`), read on a hardened connection."""
    from salesdesk.sync.reading import read_copy

    conn, contents = read_copy(private, name)
    try:
        device, user = publisher if publisher else (contents.device, contents.user)
        return merge_entries(
            store,
            contents.entries,
            source=name,
            publisher=device,
            publisher_user=user,
            relayed_users=contents.relayed_users,
            dry_run=dry_run,
        )
    finally:
        conn.close()


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def work_dir(store: "Store") -> Path:
    """A private folder beside the working database for snapshots and copies."""
    main = next(row[2] for row in store.db.execute("PRAGMA database_list") if row[1] == "main")
    work = Path(main).with_name(Path(main).stem + ".sync")
    work.mkdir(exist_ok=True)
    return work


def retry_held(store: "Store") -> MergeReport:
    """Try the held changes again, with no copy: those that pass now are applied."""
    return merge_entries(store, (), source="held changes", publisher=None, publisher_user=None)


def merge_entries(
    store: "Store",
    entries: Iterable["Entry"],
    *,
    source: str,
    publisher: str | None,
    publisher_user: str | None,
    relayed_users: dict[str, str] | None = None,
    dry_run: bool = False,
) -> MergeReport:
    """Merge a stream of change entries published by device `publisher` (one transaction).

    The held changes are tried again with them. Raises SalesdeskError only for what
    stops the whole stream (the copy could not be read); a bad entry is held back.
    """
    from salesdesk.sync.checks import AHEAD_SETTING, Checker, ahead_hours

    report = MergeReport(source=source)
    db = store.db
    try:
        setting = store.setting(AHEAD_SETTING)
    except ValueError:
        setting = None
    checker = Checker(db, now_ms=epoch_ms(store.clock()), ahead_hours=ahead_hours(setting))
    merge = _Merge(store, checker, report, publisher, publisher_user, relayed_users or {})
    try:
        with write(db):
            merge.run(entries)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        db.execute("DROP TABLE IF EXISTS temp.sync_incoming")
    return report


class _DryRun(Exception):
    """Unwinds the merge transaction after it was counted."""


class _Row:
    """What this copy knows of one record: its columns, and per field the newest clock."""

    def __init__(self, values: dict[str, Any] | None, clocks: dict[str, tuple[str, object]]):
        self.values = values
        self.clocks = clocks


class _Merge:
    def __init__(
        self,
        store: "Store",
        checker: "Checker",
        report: MergeReport,
        publisher: str | None,
        publisher_user: str | None,
        relayed_users: dict[str, str],
    ):
        self.store, self.db, self.checker, self.report = store, store.db, checker, report
        self.publisher, self.publisher_user, self.relayed_users = publisher, publisher_user, relayed_users
        self.columns = {
            table: [r[1] for r in self.db.execute(f"PRAGMA main.table_info({table})")]
            for table in SYNCED_TABLES
        }
        self.rows: dict[tuple[str, str], _Row] = {}
        self.users: dict[str, str] = {}
        self.direct: set[str] = set()
        self.clone_device: str | None = None
        self.held_here: set[tuple[object, ...]] = set()
        self.newest: str | None = None
        self.moment = timestamp(store.clock())

    def run(self, entries: Iterable["Entry"]) -> None:
        db = self.db
        for device, user, direct in db.execute("SELECT device, user, direct FROM main.devices"):
            self.users[device] = user
            if direct:
                self.direct.add(device)
        self._pin(self.store.device, self.store.user, direct=True)
        if self.publisher is not None and self.publisher_user:
            self._pin(self.publisher, self.publisher_user, direct=True)
        self.found = self._load(entries)
        # Entries this copy lacks; an entry of the same identity but other content means the
        # other file was copied from this device and then written on its own (a conflict
        # copy, a restored backup, a cloned laptop): its entries get a device of their own.
        stream: list[tuple[Any, ...]] = [
            (*row, self.publisher)
            for row in db.execute(
                """SELECT o.seq, o.device, o.clock, o.tbl, o.row_id, o.data, o.size,
                          EXISTS (SELECT 1 FROM main.changes m WHERE m.clock = o.clock AND m.tbl = o.tbl
                                  AND m.row_id = o.row_id) AS clash
                   FROM temp.sync_incoming o
                   WHERE NOT EXISTS (SELECT 1 FROM main.changes m WHERE m.clock = o.clock
                                     AND m.tbl = o.tbl AND m.row_id = o.row_id
                                     AND (m.data = o.data OR o.data IS NULL))"""
            )
        ]
        offered = {(row[1], row[2], row[3], row[4]) for row in stream}
        retried = held.retriable(db)
        self.held_here = {(e.device, e.clock, e.tbl, e.row_id) for e, _ in retried}
        for entry, came_from in retried:
            identity = (entry.device, entry.clock, entry.tbl, entry.row_id)
            if identity in offered:
                continue
            here = db.execute(
                "SELECT data FROM main.changes WHERE clock = ? AND tbl = ? AND row_id = ?",
                [entry.clock, entry.tbl, entry.row_id],
            ).fetchall()
            if any(data == entry.data for (data,) in here):
                held.release(db, *identity)  # it arrived by another way
                continue
            stream.append((None, *identity, entry.data, entry.size, bool(here), came_from, True))
        stream.sort(key=lambda row: str(row[2]))
        waiting = []
        for row in stream:
            if self._take(row, len(row) > 9) == "waiting":
                waiting.append(row)
        # A record a held change names may have arrived later in this same stream.
        while waiting:
            still = [row for row in waiting if self._take(row, True) == "waiting"]
            if len(still) == len(waiting):
                break
            waiting = still
        if self.newest is not None:
            self._advance_clock(self.newest)
        self.report.found = self.found

    def _load(self, entries: Iterable["Entry"]) -> int:
        """The stream into a table of our own, indexed, so the merge never reads a copy twice."""
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.sync_incoming")
        db.execute("CREATE TEMP TABLE sync_incoming (seq, device, clock, tbl, row_id, data, size)")
        found, chunk = 0, []
        for entry in entries:
            chunk.append(
                (entry.seq, entry.device, entry.clock, entry.tbl, entry.row_id, entry.data, entry.size)
            )
            if len(chunk) >= _LOAD_CHUNK:
                db.conn.executemany("INSERT INTO temp.sync_incoming VALUES (?, ?, ?, ?, ?, ?, ?)", chunk)
                found, chunk = found + len(chunk), []
        if chunk:
            db.conn.executemany("INSERT INTO temp.sync_incoming VALUES (?, ?, ?, ?, ?, ?, ?)", chunk)
            found += len(chunk)
        db.execute("CREATE INDEX temp.sync_incoming_identity ON sync_incoming(clock, tbl, row_id)")
        return found

    def _pin(self, device: str, user: str, *, direct: bool = False) -> str:
        """The user of `device` as first seen; later claims never change it."""
        if device not in self.users:
            self.db.execute(
                "INSERT OR IGNORE INTO main.devices (device, user, direct, first_seen_at) "
                "VALUES (?, ?, ?, ?)",
                [device, user, int(direct), self.moment],
            )
            self.users[device] = user
        if direct and device not in self.direct:
            self.db.execute("UPDATE main.devices SET direct = 1 WHERE device = ?", [device])
            self.direct.add(device)
        return self.users[device]

    def _author(self, device: str, values: dict[str, Any]) -> str:
        if device in self.users:
            return self.users[device]
        if device == self.publisher and self.publisher_user:
            user = self.publisher_user
        elif device in self.relayed_users:
            user = self.relayed_users[device]
        elif device == SEED_DEVICE:
            user = "salesdesk"
        else:  # a device nobody named: the first name seen under it stays its name
            claimed = values.get("updated_by")
            user = claimed[:100] if isinstance(claimed, str) and claimed else "someone"
        return self._pin(device, user)

    def _who(self, device: object) -> str:
        if isinstance(device, str) and device in self.users:
            return self.users[device]
        if isinstance(device, str) and device == self.publisher and self.publisher_user:
            return self.publisher_user
        if isinstance(device, str) and device in self.relayed_users:
            return self.relayed_users[device]
        return self.publisher_user or "an unknown device"

    def _take(self, row: tuple[Any, ...], was_held: bool = False) -> str:
        """Check one entry and apply it, or hold it back: 'applied', 'held' or 'waiting'."""

        seq, device, clock, tbl, row_id, data, size, clash, came_from = row[:9]
        db, report = self.db, self.report
        entry = Entry(seq, device, clock, tbl, row_id, data, int(size) if isinstance(size, int) else 0)
        outcome = self.checker.check(entry)
        if not isinstance(outcome, Problem) and self._relayed(outcome.device, came_from):
            owner = self.users[outcome.device]
            outcome = Problem(
                RELAYED,
                f"it claims to come from {owner}'s device ({outcome.device}) but came in another "
                f"device's file; it is applied when {owner}'s own file brings it",
            )
        if isinstance(outcome, Problem):
            author = self._who(device)
            held.hold(
                db,
                entry,
                kind=outcome.kind,
                reason=outcome.reason,
                author=author,
                source=came_from or "",
                moment=self.moment,
            )
            report.held[outcome.kind] += 1
            if len(report.reasons) < 5:
                report.reasons.append(f"A change from {author} was held back: {outcome.reason}.")
            return "waiting" if outcome.kind == WAITING else "held"
        table, record_id, values = outcome.table, outcome.row_id, outcome.values
        device_id, clock_text = outcome.device, outcome.clock
        author = self._author(device_id, values)
        for name in AUTHOR_FIELDS:
            if name in values:
                values[name] = author  # never whoever the change says it is
        if clash:
            self.clone_device = self.clone_device or f"{device_id}~{(self.publisher or 'x')[:6]}copy"
            device_id, clock_text = self.clone_device, _reclock(clock_text, self.clone_device)
            self._pin(self.clone_device, author)
            report.renamed_clone = self.clone_device
        key = (table, record_id)
        if key not in self.rows:
            self.rows[key] = _load_row(db, table, record_id)
        conflicts = report.conflicts
        try:
            # A renamed clone entry was written without seeing ours: always concurrent.
            _apply(
                db,
                self.store,
                report,
                self.columns[table],
                table,
                record_id,
                self.rows[key],
                clock_text,
                values,
                None if clash else outcome.seq,
            )
        except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError) as error:
            # The failed statement undid itself; a conflict `_apply` noted before it is
            # undone here (only this entry's own clock can be in it: the entry is new).
            db.execute(
                "DELETE FROM main.conflicts WHERE tbl = ? AND row_id = ? AND ? IN (kept_clock, lost_clock)",
                [table, record_id, clock_text],
            )
            self.rows.pop(key, None)
            report.conflicts = conflicts
            reason = f"this copy's schema refuses it ({error})"
            held.hold(
                db,
                entry,
                kind=INVALID,
                reason=reason,
                author=author,
                source=came_from or "",
                moment=self.moment,
            )
            report.held[INVALID] += 1
            if len(report.reasons) < 5:
                report.reasons.append(f"A change from {author} was held back: {reason}.")
            return "held"
        db.execute(
            "INSERT INTO main.changes (device, clock, tbl, row_id, data) VALUES (?, ?, ?, ?, ?)",
            [device_id, clock_text, table, record_id, outcome.data],
        )
        if "created_at" in values:
            self.checker.arrived(table, record_id)
        if was_held or (outcome.device, outcome.clock, table, record_id) in self.held_here:
            held.release(db, outcome.device, outcome.clock, table, record_id)
            report.released += 1
        report.entries += 1
        report.devices.add(device_id)
        self.newest = clock_text if self.newest is None or clock_text > self.newest else self.newest
        return "applied"

    def _relayed(self, device: str, came_from: str | None) -> bool:
        """A change under the id of a device whose own file we read, but not from that file."""
        return device != came_from and device in self.direct

    def _advance_clock(self, newest: str) -> None:
        """The receive rule of a hybrid logical clock: never behind anything applied."""
        row = self.db.execute("SELECT value FROM main.meta WHERE key = 'clock'").fetchone()
        clock = received(row[0] if row else None, newest, self.store.device)
        if clock is not None:
            self.db.execute(
                "INSERT INTO main.meta (key, value) VALUES ('clock', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [clock],
            )


def _reclock(clock: str, device: str) -> str:
    ms, counter, _ = parse_clock(clock)
    return format_clock(ms, counter, device)


def _load_row(db: Database, table: str, row_id: str) -> _Row:
    cursor = db.execute(f"SELECT * FROM main.{table} WHERE id = ?", [row_id])
    found = cursor.fetchone()
    values = dict(zip([d[0] for d in cursor.description], found, strict=True)) if found else None
    clocks: dict[str, tuple[str, object]] = {}
    for clock, data in db.execute(
        "SELECT clock, data FROM main.changes WHERE tbl = ? AND row_id = ? ORDER BY clock", [table, row_id]
    ):
        fields = json.loads(data)
        for name, value in fields.items():
            clocks[name] = (clock, value)
        if "deleted_at" not in fields:
            clocks["deleted_at"] = (clock, None)  # an edit says: this record is alive
    return _Row(values, clocks)


def _concurrent(db: Database, mine: str, table: str, row_id: str, their_seq: int | None) -> bool:
    """Were the two writes made without either having seen the other?

    The other copy had not seen ours when it wrote its entry if ours is missing there,
    or arrived there later (a higher sequence number in its log).
    """
    if their_seq is None:
        return True
    row = db.execute(
        "SELECT min(seq) FROM temp.sync_incoming WHERE clock = ? AND tbl = ? AND row_id = ?",
        [mine, table, row_id],
    ).fetchone()
    return row[0] is None or row[0] > their_seq


def _apply(
    db: Database,
    store: "Store",
    report: MergeReport,
    columns: list[str],
    table: str,
    row_id: str,
    row: _Row,
    clock: str,
    values: dict[str, Any],
    seq: int | None,
) -> None:
    known = {k: v for k, v in values.items() if k in columns and k != "rid"}
    if row.values is None:
        if "created_at" not in known:
            return  # an edit of a record whose creation this copy never saw: kept in the log
        # Edits this copy logged before it had the record (they arrived first) apply now.
        for name, (seen, value) in row.clocks.items():
            if name in known and name not in BOOKKEEPING and seen > clock:
                known[name] = value
        names = list(known)
        db.execute(
            f"INSERT INTO main.{table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [known[n] for n in names],
        )
        row.values = dict(known)
        for name, value in known.items():
            if name not in row.clocks or row.clocks[name][0] < clock:
                row.clocks[name] = (clock, value)
        report.created[table] += 1
        return
    updates = {}
    for name, value in known.items():
        if name in BOOKKEEPING:
            continue
        mine = row.clocks.get(name)
        current = row.values.get(name)
        if (table, name) in LATEST_VALUE:
            if value and (current is None or value > current):
                updates[name] = value
            continue
        if mine is None or clock > mine[0]:
            if (
                mine is not None
                and mine[1] != value
                and name != "deleted_at"
                and _concurrent(db, mine[0], table, row_id, seq)
            ):
                _conflict(db, store, table, row_id, name, kept=(clock, value), lost=mine)
                report.conflicts += 1
            if current != value:
                updates[name] = value
            row.clocks[name] = (clock, value)
        elif mine[1] != value and name != "deleted_at" and _concurrent(db, mine[0], table, row_id, seq):
            _conflict(db, store, table, row_id, name, kept=mine, lost=(clock, value))
            report.conflicts += 1
    deleted = row.clocks.get("deleted_at")
    if "deleted_at" not in known and (deleted is None or clock > deleted[0]):
        # Every edit says the record is alive: one made after a delete revives it.
        if row.values.get("deleted_at"):
            updates["deleted_at"] = None
        row.clocks["deleted_at"] = (clock, None)
    if updates:
        updates["version"] = (row.values.get("version") or 1) + 1
        for name in ("updated_at", "updated_by"):
            if name in known:
                updates[name] = known[name]
        db.execute(
            f"UPDATE main.{table} SET {', '.join(f'{n} = ?' for n in updates)} WHERE id = ?",
            [*updates.values(), row_id],
        )
        row.values.update(updates)
        report.changed[table] += 1


def _conflict(
    db: Database,
    store: "Store",
    table: str,
    row_id: str,
    name: str,
    kept: tuple[str, object],
    lost: tuple[str, object],
) -> None:
    db.execute(
        """INSERT OR IGNORE INTO conflicts
           (tbl, row_id, field, kept_value, kept_clock, lost_value, lost_clock, detected_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            table,
            row_id,
            name,
            json.dumps(kept[1], ensure_ascii=False),
            kept[0],
            json.dumps(lost[1], ensure_ascii=False),
            lost[0],
            timestamp(store.clock()),
        ],
    )
