"""Fold another copy of a salesdesk database into this one, from its change log.

Per field, the newest hybrid-logical clock wins (the device id, part of the clock,
breaks ties). Entries already here are skipped, so merging is idempotent, and the
result does not depend on the order copies are merged in. Concurrent edits of one
field (neither copy had seen the other's) keep the losing value in `conflicts`.
A delete is a tombstone; an edit newer than the delete revives the record.
"""

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from salesdesk.core.dates import timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.store.changelog import format_clock, parse_clock
from salesdesk.store.connection import probe, write
from salesdesk.store.database import Database
from salesdesk.store.schema import APPLICATION_ID, SCHEMA_VERSION, SYNCED_TABLES
from salesdesk.store.tags import fold_duplicate_tags

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# Bookkeeping columns: carried along, never a conflict, never copied as they are
# (but for the stamps, which follow the newest entry, and the first creation's time).
BOOKKEEPING = {"id", "rid", "version", "updated_at", "updated_by", "created_at"}
STAMPS = ("updated_at", "updated_by")
# Records a merge keeps in memory with all their entries (reading one again costs a
# query; keeping every one of a large demo's took 3.6 GB).
ROWS_KEPT = 20_000
# Fields where the latest moment, not the latest writer, is the truth.
LATEST_VALUE = {("customers", "last_contact_at")}


@dataclass
class MergeReport:
    source: str
    entries: int = 0
    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    devices: set[str] = field(default_factory=set)
    renamed_clone: str | None = None

    def summary(self) -> str:
        if not self.entries:
            return f"{self.source}: nothing new."
        parts = [f"{self.entries:,} changes from {len(self.devices)} device(s)"]
        if self.created:
            parts.append("new: " + ", ".join(f"{n:,} {t}" for t, n in sorted(self.created.items())))
        if self.changed:
            parts.append("updated: " + ", ".join(f"{n:,} {t}" for t, n in sorted(self.changed.items())))
        if self.conflicts:
            parts.append(f"{self.conflicts} conflicting edits kept for review")
        return f"{self.source}: " + "; ".join(parts) + "."


def check_mergeable(path: Path) -> None:
    """Refuse, with one sentence, a file that is not a salesdesk database we can read."""
    if not path.is_file():
        raise SalesdeskError(f"{path} does not exist.")
    app_id, version, _ = probe(path)
    if app_id != APPLICATION_ID:
        raise SalesdeskError(f"{path} is not a salesdesk database; nothing was merged.")
    if version > SCHEMA_VERSION:
        raise SalesdeskError(
            f"{path} was written by a newer salesdesk (schema {version}); upgrade salesdesk to merge it."
        )
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        result = str(error)
    finally:
        conn.close()
    if result != "ok":
        raise SalesdeskError(f"{path} is damaged ({result}); nothing was merged from it.")


class _Entry(NamedTuple):
    """One change-log entry of a record: its clock, its fields, what its writer had seen."""

    clock: str
    values: dict[str, Any]
    # Per field, the clock of the newest value of it the writer had (`ChangeLog.seen_of`);
    # None for an entry whose writer did not say (before migration 11, a cloned copy's).
    seen: dict[str, str] | None
    device: str


class _Row:
    """What this copy knows of one record: its columns, per field the newest clock,
    the clock of its first creation, and every entry of it (for conflicts)."""

    def __init__(
        self,
        values: dict[str, Any] | None,
        clocks: dict[str, tuple[str, object]],
        entries: list[_Entry],
        created: tuple[str, object] | None,
    ):
        self.values = values
        self.clocks = clocks
        self.entries = entries
        self.created = created


def merge_database(store: "Store", other: Path, *, dry_run: bool = False) -> MergeReport:
    """Merge the copy at `other` into `store`'s database (one transaction).

    The other file is opened read-only and never changed.
    """
    other = Path(other)
    check_mergeable(other)
    report = MergeReport(source=other.name)
    db = store.db
    db.execute("ATTACH DATABASE ? AS other", [f"{other.resolve().as_uri()}?mode=ro&immutable=1"])
    try:
        with write(db):
            _merge(store, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        db.execute("DETACH DATABASE other")
    return report


class _DryRun(Exception):
    """Unwinds the merge transaction after it was counted."""


def _merge(store: "Store", report: MergeReport) -> None:
    db = store.db
    columns = {
        table: [r[1] for r in db.execute(f"PRAGMA main.table_info({table})")] for table in SYNCED_TABLES
    }
    other_device = db.execute("SELECT value FROM other.meta WHERE key = 'device'").fetchone()
    clone_device = None
    # Entries this copy lacks; an entry of the same identity but other content means the
    # other file was copied from this device and then written on its own (a conflict
    # copy, a restored backup, a cloned laptop): its entries get a device of their own.
    other_columns = {r[1] for r in db.execute("PRAGMA other.table_info(changes)")}
    seen_column = "o.seen" if "seen" in other_columns else "NULL"  # a copy from before migration 11
    incoming = db.execute(
        f"""SELECT o.seq, o.device, o.clock, o.tbl, o.row_id, o.data, {seen_column},
                  EXISTS (SELECT 1 FROM main.changes m WHERE m.clock = o.clock AND m.tbl = o.tbl
                          AND m.row_id = o.row_id) AS clash
           FROM other.changes o
           WHERE NOT EXISTS (SELECT 1 FROM main.changes m WHERE m.clock = o.clock
                             AND m.tbl = o.tbl AND m.row_id = o.row_id AND m.data = o.data)
           ORDER BY o.clock"""
    ).fetchall()
    rows: dict[tuple[str, str], _Row] = {}
    newest = None
    tagged = False
    for _seq, device, clock, table, row_id, data, seen, clash in incoming:
        if table not in columns:
            continue
        if clash:
            clone_device = clone_device or f"{device}~{(other_device or ['x'])[0][:6]}copy"
            device, clock = clone_device, _reclock(clock, clone_device)
            report.renamed_clone = clone_device
        values = json.loads(data)
        key = (table, row_id)
        if key not in rows:
            if len(rows) >= ROWS_KEPT:
                rows.clear()  # what is applied is in the tables and the log: read again when needed
            rows[key] = _load_row(db, table, row_id)
        # A renamed clone entry was written without seeing ours: what it saw is not known.
        entry = _Entry(clock, values, None if clash or seen is None else json.loads(seen), device)
        _apply(db, store, report, columns[table], table, row_id, rows[key], entry)
        db.execute(
            "INSERT INTO main.changes (device, clock, tbl, row_id, data, seen) VALUES (?, ?, ?, ?, ?, ?)",
            [device, clock, table, row_id, data, None if clash else seen],
        )
        tagged = tagged or table in ("tags", "customer_tags")
        report.entries += 1
        report.devices.add(device)
        newest = clock if newest is None or clock > newest else newest
    if newest is not None:
        _advance_clock(db, newest, store.device)
    if tagged:
        fold_duplicate_tags(store.records)  # `vip` here and `VIP` there are one tag


def _reclock(clock: str, device: str) -> str:
    ms, counter, _ = parse_clock(clock)
    return format_clock(ms, counter, device)


def _load_row(db: Database, table: str, row_id: str) -> _Row:
    cursor = db.execute(f"SELECT * FROM main.{table} WHERE id = ?", [row_id])
    found = cursor.fetchone()
    values = dict(zip([d[0] for d in cursor.description], found, strict=True)) if found else None
    clocks: dict[str, tuple[str, object]] = {}
    entries, created = [], None
    for clock, data, seen, device in db.execute(
        "SELECT clock, data, seen, device FROM main.changes WHERE tbl = ? AND row_id = ? ORDER BY clock",
        [table, row_id],
    ):
        fields = json.loads(data)
        for name, value in fields.items():
            clocks[name] = (clock, value)
        if "deleted_at" not in fields:
            clocks["deleted_at"] = (clock, None)  # an edit says: this record is alive
        if created is None and "created_at" in fields:
            created = (clock, fields["created_at"])
        entries.append(_Entry(clock, fields, None if seen is None else json.loads(seen), device))
    return _Row(values, clocks, entries, created)


def _apply(
    db: Database,
    store: "Store",
    report: MergeReport,
    columns: list[str],
    table: str,
    row_id: str,
    row: _Row,
    entry: _Entry,
) -> None:
    clock = entry.clock
    known = {k: v for k, v in entry.values.items() if k in columns and k != "rid"}
    report.conflicts += _record_conflicts(db, store, table, row_id, row, entry._replace(values=known))
    if row.values is None:
        if "created_at" not in known:
            # An edit of a record whose creation this copy never saw: kept in the log,
            # and applied when the creation arrives.
            for name, value in known.items():
                if name not in row.clocks or row.clocks[name][0] < clock:
                    row.clocks[name] = (clock, value)
            alive = row.clocks.get("deleted_at")
            if "deleted_at" not in known and (alive is None or alive[0] < clock):
                row.clocks["deleted_at"] = (clock, None)
            return
        # Edits this copy logged before it had the record (they arrived first) apply now.
        for name, (seen, value) in row.clocks.items():
            if name in known and name not in ("id", "created_at", "version") and seen > clock:
                known[name] = value
        if row.created is not None and row.created[0] < clock:
            known["created_at"] = row.created[1]
        names = list(known)
        db.execute(
            f"INSERT INTO main.{table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [known[n] for n in names],
        )
        row.values = dict(known)
        for name, value in known.items():
            if name not in row.clocks or row.clocks[name][0] < clock:
                row.clocks[name] = (clock, value)
        if row.created is None or clock < row.created[0]:
            row.created = (clock, known["created_at"])
        report.created[table] += 1
        return
    updates = {}
    for name, value in known.items():
        if name in STAMPS:
            continue
        if name == "created_at":
            # The first creation's stamp, whichever copy made it first (a link or a
            # setting two copies each created has one id).
            if row.created is None or clock < row.created[0]:
                row.created = (clock, value)
                if row.values.get(name) != value:
                    updates[name] = value
            continue
        if name in BOOKKEEPING:
            continue
        mine = row.clocks.get(name)
        current = row.values.get(name)
        if (table, name) in LATEST_VALUE:
            if value and (current is None or value > current):
                updates[name] = value
            continue
        if mine is None or clock > mine[0]:
            if current != value:
                updates[name] = value
            row.clocks[name] = (clock, value)
    deleted = row.clocks.get("deleted_at")
    if "deleted_at" not in known and (deleted is None or clock > deleted[0]):
        # Every edit says the record is alive: one made after a delete revives it.
        if row.values.get("deleted_at"):
            updates["deleted_at"] = None
        row.clocks["deleted_at"] = (clock, None)
    counted = bool(updates)
    for name in STAMPS:
        # Who changed the record last, and when: the newest entry's, on every copy.
        mine = row.clocks.get(name)
        if name in known and (mine is None or clock > mine[0]):
            row.clocks[name] = (clock, known[name])
            if row.values.get(name) != known[name]:
                updates[name] = known[name]
    if updates:
        updates["version"] = (row.values.get("version") or 1) + 1
        db.execute(
            f"UPDATE main.{table} SET {', '.join(f'{n} = ?' for n in updates)} WHERE id = ?",
            [*updates.values(), row_id],
        )
        row.values.update(updates)
        if counted:
            report.changed[table] += 1


def _record_conflicts(db: Database, store: "Store", table: str, row_id: str, row: _Row, entry: _Entry) -> int:
    """Keep, as conflicts, the values `entry` and the record's other entries overwrote unseen.

    Of two entries writing one field with different values, the older one's value is
    lost if the newer one's writer had not seen it. Every entry also says whether the
    record is alive, so a delete undone by a later edit, and an edit into a record a
    later delete removed, are conflicts of `deleted_at`. Which pairs these are depends
    only on the entries, never on the order they arrived in: every copy, the writer's
    own included, keeps the same ones. Returns how many are new here.
    """
    new = 0
    fields = _conflict_fields(table, entry)
    for other in row.entries:
        if other.clock == entry.clock:
            continue
        older, newer = (other, entry) if other.clock < entry.clock else (entry, other)
        for name in fields & _conflict_fields(table, other):
            lost, kept = _field_value(older, name), _field_value(newer, name)
            differ = (lost is None) != (kept is None) if name == "deleted_at" else lost != kept
            if differ and not _had_seen(table, newer, older, name):
                new += _conflict(
                    db, store, table, row_id, name, kept=(newer.clock, kept), lost=(older.clock, lost)
                )
    row.entries.append(entry)
    return new


def _conflict_fields(table: str, entry: _Entry) -> set[str]:
    fields = {name for name in entry.values if name not in BOOKKEEPING and (table, name) not in LATEST_VALUE}
    return fields | {"deleted_at"}  # every entry says whether the record is alive


def _field_value(entry: _Entry, name: str) -> object:
    return entry.values.get(name) if name == "deleted_at" else entry.values[name]


def _had_seen(table: str, newer: _Entry, older: _Entry, name: str) -> bool:
    """Had `newer`'s writer seen `older`'s value of `name`, or newer ones?

    For a field: a value of it at least as new. For the record's life: a value at least
    as new of every field `older` wrote (a delete says what it had of each field; an
    edit, what it had of the record's life).
    """
    if newer.seen is None:  # not known: two devices' entries may have been concurrent
        return newer.device == older.device
    if name == "deleted_at":
        written = _conflict_fields(table, older) - {"deleted_at"}
        written |= {"deleted_at"} & set(older.values)
    else:
        written = {name}
    return all(newer.seen.get(field, "") >= older.clock for field in written)


def _conflict(
    db: Database,
    store: "Store",
    table: str,
    row_id: str,
    name: str,
    kept: tuple[str, object],
    lost: tuple[str, object],
) -> int:
    """Keep a lost value (1 when new here). A value lost to several entries is kept
    against the oldest of them, so every copy holds the same row whatever it saw first."""
    row = db.execute(
        "SELECT kept_clock FROM conflicts WHERE tbl = ? AND row_id = ? AND field = ? AND lost_clock = ?",
        [table, row_id, name, lost[0]],
    ).fetchone()
    kept_value = json.dumps(kept[1], ensure_ascii=False)
    if row is not None:
        if kept[0] < row[0]:
            db.execute(
                "UPDATE conflicts SET kept_value = ?, kept_clock = ? "
                "WHERE tbl = ? AND row_id = ? AND field = ? AND lost_clock = ?",
                [kept_value, kept[0], table, row_id, name, lost[0]],
            )
        return 0
    db.execute(
        """INSERT INTO conflicts
           (tbl, row_id, field, kept_value, kept_clock, lost_value, lost_clock, detected_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            table,
            row_id,
            name,
            kept_value,
            kept[0],
            json.dumps(lost[1], ensure_ascii=False),
            lost[0],
            timestamp(store.clock()),
        ],
    )
    return 1


def _advance_clock(db: Database, newest: str, device: str) -> None:
    """The receive rule of a hybrid logical clock: never behind anything seen."""
    row = db.execute("SELECT value FROM main.meta WHERE key = 'clock'").fetchone()
    ms, counter, _ = parse_clock(newest)
    if row is None or parse_clock(row[0])[:2] < (ms, counter):
        db.execute(
            "INSERT INTO main.meta (key, value) VALUES ('clock', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [format_clock(ms, counter, device)],
        )
