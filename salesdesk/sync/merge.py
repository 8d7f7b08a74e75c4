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
from typing import TYPE_CHECKING, Any

from salesdesk.core.dates import timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.store.changelog import format_clock, parse_clock
from salesdesk.store.connection import probe, write
from salesdesk.store.database import Database
from salesdesk.store.schema import APPLICATION_ID, SCHEMA_VERSION, SYNCED_TABLES

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# Bookkeeping columns: carried along, never a conflict, never copied as they are.
BOOKKEEPING = {"id", "rid", "version", "updated_at", "updated_by", "created_at"}
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


class _Row:
    """What this copy knows of one record: its columns, and per field the newest clock."""

    def __init__(self, values: dict[str, Any] | None, clocks: dict[str, tuple[str, object]]):
        self.values = values
        self.clocks = clocks


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
    incoming = db.execute(
        """SELECT o.seq, o.device, o.clock, o.tbl, o.row_id, o.data,
                  EXISTS (SELECT 1 FROM main.changes m WHERE m.clock = o.clock AND m.tbl = o.tbl
                          AND m.row_id = o.row_id) AS clash
           FROM other.changes o
           WHERE NOT EXISTS (SELECT 1 FROM main.changes m WHERE m.clock = o.clock
                             AND m.tbl = o.tbl AND m.row_id = o.row_id AND m.data = o.data)
           ORDER BY o.clock"""
    ).fetchall()
    rows: dict[tuple[str, str], _Row] = {}
    newest = None
    for seq, device, clock, table, row_id, data, clash in incoming:
        if table not in columns:
            continue
        if clash:
            clone_device = clone_device or f"{device}~{(other_device or ['x'])[0][:6]}copy"
            device, clock = clone_device, _reclock(clock, clone_device)
            report.renamed_clone = clone_device
        values = json.loads(data)
        key = (table, row_id)
        if key not in rows:
            rows[key] = _load_row(db, table, row_id)
        # A renamed clone entry was written without seeing ours: always concurrent.
        _apply(
            db, store, report, columns[table], table, row_id, rows[key], clock, values, None if clash else seq
        )
        db.execute(
            "INSERT INTO main.changes (device, clock, tbl, row_id, data) VALUES (?, ?, ?, ?, ?)",
            [device, clock, table, row_id, data],
        )
        report.entries += 1
        report.devices.add(device)
        newest = clock if newest is None or clock > newest else newest
    if newest is not None:
        _advance_clock(db, newest, store.device)


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
        "SELECT min(seq) FROM other.changes WHERE clock = ? AND tbl = ? AND row_id = ?", [mine, table, row_id]
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
