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

import bisect
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from salesdesk.core.dates import epoch_ms, timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.core.tables import table_word
from salesdesk.i18n import N_, _, phrase
from salesdesk.store.bulk import triggers_in_one
from salesdesk.store.changelog import format_clock, parse_clock, received
from salesdesk.store.connection import write
from salesdesk.store.database import Database
from salesdesk.store.derived import DERIVED_FROM, after_merge
from salesdesk.store.schema import SEED_DEVICE, SYNCED_TABLES
from salesdesk.store.tags import fold_duplicate_tags
from salesdesk.sync import held
from salesdesk.sync.checks import INVALID, RELAYED, WAITING, Problem
from salesdesk.sync.reading import SEEN_LIMIT, Entry, collector_paused

if TYPE_CHECKING:
    from salesdesk.store.store import Store
    from salesdesk.sync.checks import Checker

# Bookkeeping columns: carried along, never a conflict, never copied as they are
# (but for the stamps, which follow the newest entry, and the first creation's time).
BOOKKEEPING = {"id", "rid", "version", "updated_at", "updated_by", "created_at"}
STAMPS = ("updated_at", "updated_by")
# Records a merge keeps in memory with all their entries (reading one again costs a
# query; keeping every one of a large demo's took 3.6 GB).
ROWS_KEPT = 20_000
# Fields where the latest moment, not the latest writer, is the truth.
LATEST_VALUE = {("customers", "last_contact_at")}
# Fields naming who did it: like `updated_by`, taken from the publishing device's user.
AUTHOR_FIELDS = ("updated_by", "by_user")
_LOAD_CHUNK = 5000  # entries of the change log written in one statement
# Incoming entries compared with this copy's log in one statement (at most; fewer where
# SQLite takes fewer parameters).
CHUNK_ROWS = 1000
# New records kept for a batch, of all tables, before they are written: each table's share
# of a batch is written in one statement, its insert triggers' work in one more
# (`store.bulk`) when it has `INDEX_IN_ONE` rows or more.
ROWS_BATCH = 50_000
PROGRESS_EVERY = 20_000  # entries taken between two reports of a merge's progress
# New records of one table written together from which their full-text index is filled
# in one statement, not by its trigger row by row.
INDEX_IN_ONE = 500
# A merge creating at least this many new records of one table (a join) builds that
# table's plain indexes once at its end instead of entry by entry: sorting a million
# keys once is several times quicker than placing them one at a time.
DEFER_INDEXES = 20_000
# SQLite's page cache while a merge runs, at most (KiB; its default is 2 MiB): with the
# default, a join's index pages are written out and read back again and again (inserting
# a million interactions: 45 s with it, 33 s with this). Pages are taken only as a merge
# needs them, and given back after it.
MERGE_CACHE_KIB = 256 * 1024


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
    notes: list[str] = field(default_factory=list)  # what the merge worked out anew (store.derived)

    def summary(self) -> str:
        held = sum(self.held.values())
        if not self.entries and not held:
            return _("{source}: nothing new.").format(source=self.source)
        parts = [
            _("{n} changes from {devices} device(s)").format(n=f"{self.entries:,}", devices=len(self.devices))
        ]
        if self.created:
            parts.append(_("new: {counts}").format(counts=_counts(self.created)))
        if self.changed:
            parts.append(_("updated: {counts}").format(counts=_counts(self.changed)))
        if self.conflicts:
            parts.append(_("{n} conflicting edits kept for review").format(n=self.conflicts))
        if self.released:
            parts.append(_("{n} held back before and applied now").format(n=f"{self.released:,}"))
        if held:
            parts.append(_("{n} held back ('salesdesk team held' lists them)").format(n=f"{held:,}"))
        said = _("{source}: {parts}.").format(source=self.source, parts=_("; ").join(parts))
        return " ".join([said, *self.notes])


def _counts(counts: Counter[str]) -> str:
    """`3 customers, 1 deals`: how many records of each table (its name as the Conflicts screen says it)."""
    return _(", ").join(
        _("{n} {table}").format(n=f"{n:,}", table=table_word(table)) for table, n in sorted(counts.items())
    )


def said_progress(
    say: Callable[[str], None], during: str, after: str | None = None, **names: str
) -> Callable[[int, int], None]:
    """A merge's progress (`merge_entries`' callback) said as a sentence: `during` while
    entries are taken, `after` once all are (if given); each a sentence already translated,
    formatted with `done`, `total` and `names`."""

    def told(done: int, total: int) -> None:
        sentence = during if done < total else after
        if sentence is not None:
            say(sentence.format(done=f"{done:,}", total=f"{total:,}", **names))

    return told


def merge_database(
    store: "Store",
    other: Path,
    *,
    dry_run: bool = False,
    work: Path | None = None,
    publisher: tuple[str, str] | None = None,
    exact_size: int | None = None,
    with_wal: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> MergeReport:
    """Merge the copy at `other` into `store`'s database (one transaction).

    The copy is never changed nor opened where it lies: it is copied into `work` (with
    its -wal, unless `with_wal` is off), read there and removed. `publisher` is the
    (device, user) a manifest names; else the copy's own meta says who wrote it. With
    `exact_size` a file of any other size is refused (a manifest's size). `progress`:
    as `merge_entries` takes it.
    """

    other = Path(other)
    work = work or work_dir(store)
    private = work / f"incoming-{os.urandom(4).hex()}.db"
    try:
        fetch(other, private, exact_size=exact_size, with_wal=with_wal)
        return merge_copy(store, private, other.name, publisher=publisher, dry_run=dry_run, progress=progress)
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
        raise SalesdeskError(_("{path} does not exist.").format(path=other)) from None
    except IsADirectoryError:
        raise SalesdeskError(_("{path} is a folder, not a copy of a database.").format(path=other)) from None
    except UnreadableCopy:
        raise
    except OSError as error:
        raise SalesdeskError(
            _("{name} cannot be read ({error}).").format(name=other.name, error=error.strerror)
        ) from None


def merge_copy(
    store: "Store",
    private: Path,
    name: str,
    *,
    publisher: tuple[str | None, str | None] | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
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
            progress=progress,
        )
    finally:
        conn.close()


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def work_dir(store: "Store") -> Path:
    """A private folder beside the working database for snapshots and copies."""
    main = store.file_read
    work = main.with_name(main.stem + ".sync")
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
    bulk: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> MergeReport:
    """Merge a stream of change entries published by device `publisher` (one transaction).

    The held changes are tried again with them. Raises SalesdeskError only for what
    stops the whole stream (the copy could not be read); a bad entry is held back.
    With `bulk` (the default), records this copy knows nothing of are written in
    batches (`_Merge` says how); without it, every entry is written on its own. Both
    give the same records, change log, held changes and conflicts. `progress` is told
    (done, of) as the entries are taken, every `PROGRESS_EVERY` and once all are.
    """
    from salesdesk.sync.checks import AHEAD_SETTING, Checker, ahead_hours

    report = MergeReport(source=source)
    db = store.db
    try:
        setting = store.setting(AHEAD_SETTING)
    except ValueError:
        setting = None
    checker = Checker(db, now_ms=epoch_ms(store.clock()), ahead_hours=ahead_hours(setting))
    merge = _Merge(store, checker, report, publisher, publisher_user, relayed_users or {}, bulk=bulk)
    merge.progress = progress
    cache = int(db.execute("PRAGMA cache_size").fetchone()[0])
    db.execute(f"PRAGMA cache_size = {-MERGE_CACHE_KIB}")
    try:
        with write(db), collector_paused():
            merge.run(entries)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        db.execute(f"PRAGMA cache_size = {cache}")
    return report


class _DryRun(Exception):
    """Unwinds the merge transaction after it was counted."""


class _Redo(Exception):
    """A batch of new records was refused: the merge is done again entry by entry."""


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
        self.entries = sorted(entries, key=lambda entry: entry.clock)  # in clock order
        self.order = [entry.clock for entry in self.entries]  # their clocks, to bisect
        self.deletes = [entry for entry in self.entries if entry.values.get("deleted_at") is not None]
        self.created = created

    def add(self, entry: _Entry) -> None:
        at = bisect.bisect_left(self.order, entry.clock)
        self.entries.insert(at, entry)
        self.order.insert(at, entry.clock)
        if entry.values.get("deleted_at") is not None:
            self.deletes.append(entry)

    def maybe_unseen(self, entry: _Entry) -> list[_Entry]:
        """The entries that may have lost a value to `entry`, or `entry` to them: every one
        `_record_conflicts` must compare, and as few others as the clocks allow.

        An older entry loses a field's value only if its clock is past what `entry`'s
        writer had of that field; it loses the record's life only if it is alive where
        `entry` deletes, or a delete where `entry` is an edit. Newer entries are few in a
        merge (entries arrive in clock order), so all of them are compared.
        """
        at = bisect.bisect_left(self.order, entry.clock)
        newer = self.entries[at:]
        if entry.seen is None or entry.values.get("deleted_at") is not None:
            return self.entries[:at] + newer
        fields = [name for name in entry.values if name != "deleted_at"]
        since = min((entry.seen.get(name, "") for name in fields), default=entry.clock)
        older = self.entries[bisect.bisect_right(self.order, since) : at]
        picked = {id(other) for other in older}
        older += [d for d in self.deletes if d.clock < entry.clock and id(d) not in picked]
        return older + newer


class _Merge:
    """Checks and applies a stream of entries in clock order, one by one.

    In bulk, what costs most is written in batches, with the same outcome: the change
    log's new entries (in the same order), and the records this copy knows nothing of
    (no row, no entry in its log) that the stream holds one entry of. Such an entry can
    meet nothing here, so it creates its record exactly as it says: the row is kept
    until the batch is written, and every other write to the records waits for it. A
    batch the schema refuses (a row the entry alone would have had refused) undoes the
    whole merge, which is then done again entry by entry, without batches.
    """

    def __init__(
        self,
        store: "Store",
        checker: "Checker",
        report: MergeReport,
        publisher: str | None,
        publisher_user: str | None,
        relayed_users: dict[str, str],
        *,
        bulk: bool = True,
    ):
        self.store, self.db, self.checker, self.report = store, store.db, checker, report
        self.bulk = bulk
        self.publisher, self.publisher_user, self.relayed_users = publisher, publisher_user, relayed_users
        self.columns = {
            table: frozenset(r[1] for r in self.db.execute(f"PRAGMA main.table_info({table})"))
            for table in SYNCED_TABLES
        }
        self.rows: dict[tuple[str, str], _Row] = {}
        self.users: dict[str, str] = {}
        self.direct: set[str] = set()
        self.clone_device: str | None = None
        self.held_here: set[tuple[object, ...]] = set()
        self.newest: str | None = None
        self.moment = timestamp(store.clock())
        # Per incoming entry that said it, what its writer had seen (`ChangeLog.seen_of`):
        # as the stream said it (within its bound), and with the held changes tried again.
        self.incoming: list[Entry] = []  # the stream, as it came
        self.said_seen: dict[tuple[object, ...], str] = {}
        self.seen: dict[tuple[object, ...], str] = {}
        self.tagged = False
        self.touched: dict[str, set[str]] = {}
        self.progress: Callable[[int, int], None] | None = None
        self._reset()

    def _reset(self) -> None:
        """Forget everything of a merge begun (to do it again)."""
        self.rows.clear()
        self.users, self.direct, self.seen = {}, set(), {}
        self.clone_device, self.newest, self.tagged = None, None, False
        self.touched = {}
        self.held_here = set()
        self.checker.forget()
        self.report.__dict__.update(MergeReport(source=self.report.source).__dict__)
        # The records known to have nothing here, and the writes kept for a batch.
        self.fresh: set[tuple[object, object]] = set()
        self.new_rows: list[tuple[str, tuple[str, ...], list[Any]]] = []
        self.new_changes: list[tuple[Any, ...]] = []
        self.fts: dict[str, str | None] = {}

    def run(self, entries: Iterable["Entry"]) -> None:
        found = self._load(entries)
        if not self.bulk:
            self._merge(found)
            return
        self.db.execute("SAVEPOINT sync_bulk")
        try:
            self._merge(found)
        except _Redo:
            self.db.execute("ROLLBACK TO sync_bulk")
            self.bulk = False
            self._reset()
            self._merge(found)
        self.db.execute("RELEASE sync_bulk")

    def _merge(self, found: int) -> None:
        db = self.db
        for device, user, direct in db.execute("SELECT device, user, direct FROM main.devices"):
            self.users[device] = user
            if direct:
                self.direct.add(device)
        self._pin(self.store.device, self.store.user, direct=True)
        if self.publisher is not None and self.publisher_user:
            self._pin(self.publisher, self.publisher_user, direct=True)
        self.found = found
        self.seen = dict(self.said_seen)
        # Entries this copy lacks; an entry of the same identity but other content means the
        # other file was copied from this device and then written on its own (a conflict
        # copy, a restored backup, a cloned laptop): its entries get a device of their own.
        stream: list[tuple[Any, ...]] = [
            (*self.incoming[i][:7], clash, self.publisher) for i, clash in self._lacking()
        ]
        retried = held.retriable(db)
        self.held_here = {(e.device, e.clock, e.tbl, e.row_id) for e, _ in retried}
        offered = {(row[1], row[2], row[3], row[4]) for row in stream} if retried else set()
        again: list[tuple[object, object]] = []  # the records of the held changes tried again
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
            if isinstance(entry.seen, str):
                self.seen[identity] = entry.seen
            stream.append((None, *identity, entry.data, entry.size, bool(here), came_from, True))
            again.append((entry.tbl, entry.row_id))
        stream.sort(key=lambda row: str(row[2]))
        deferred: list[str] = []
        if self.bulk:
            self.fresh = self._fresh(stream, again)
            deferred = self._defer_indexes()
        waiting = []
        progress, total = self.progress, len(stream)
        for done, row in enumerate(stream, 1):
            if self._take(row, len(row) > 9) == "waiting":
                waiting.append(row)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
        if progress is not None:
            progress(total, total)
        # A record a held change names may have arrived later in this same stream.
        while waiting:
            still = [row for row in waiting if self._take(row, True) == "waiting"]
            if len(still) == len(waiting):
                break
            waiting = still
        self._flush()
        for sql in deferred:
            db.execute(sql)
        if self.newest is not None:
            self._advance_clock(self.newest)
        if self.tagged:
            fold_duplicate_tags(self.store.records)  # `vip` here and `VIP` there are one tag
        if self.touched:
            # What is worked out from records, and the conflicts of such values settled.
            self.report.notes, settled = after_merge(self.store, self.touched)
            self.report.conflicts = max(0, self.report.conflicts - settled)
        self.report.found = self.found

    def _lacking(self) -> list[tuple[int, int]]:
        """Which incoming entries this copy lacks (by position), and for each whether an
        entry of its identity but other data is here (1) or not (0)."""
        found = _chunked(
            self.db,
            """SELECT o.i, EXISTS (SELECT 1 FROM main.changes m WHERE m.clock = o.clock AND m.tbl = o.tbl
                                   AND m.row_id = o.row_id)
               FROM o WHERE NOT EXISTS (SELECT 1 FROM main.changes m WHERE m.clock = o.clock
                                        AND m.tbl = o.tbl AND m.row_id = o.row_id
                                        AND (m.data = o.data OR o.data IS NULL))""",
            ("i", "clock", "tbl", "row_id", "data"),
            ((i, row[2], row[3], row[4], row[5]) for i, row in enumerate(self.incoming)),
        )
        return sorted(found)  # in the order they came

    def _fresh(
        self, stream: list[tuple[Any, ...]], again: list[tuple[object, object]]
    ) -> set[tuple[object, object]]:
        """The records the stream holds one entry of and this copy nothing of: no row,
        no entry in its log, no held change tried again with the stream (`again`)."""
        counts = Counter((row[3], row[4]) for row in stream)
        counts.update(again)  # a held change's record is never fresh
        once: dict[str, list[str]] = {}
        for (table, row_id), count in counts.items():
            # Only a change of a table that is synced, to a record id, can ever be applied.
            if count == 1 and table in self.columns and isinstance(row_id, str):
                once.setdefault(str(table), []).append(row_id)
        fresh: set[tuple[object, object]] = set()
        for table, ids in once.items():
            known = {
                row_id
                for (row_id,) in _chunked(
                    self.db,
                    f"""SELECT o.row_id FROM o
                        WHERE EXISTS (SELECT 1 FROM main.changes m
                                      WHERE m.tbl = '{table}' AND m.row_id = o.row_id)
                           OR EXISTS (SELECT 1 FROM main.{table} t WHERE t.id = o.row_id)""",
                    ("row_id",),
                    ((row_id,) for row_id in ids),
                )
            }
            fresh.update((table, row_id) for row_id in ids if row_id not in known)
        return fresh

    def _defer_indexes(self) -> list[str]:
        """Drop the plain indexes of each table that gets `DEFER_INDEXES` new records or
        more; what creates them again (at the end of the merge, before anything reads
        them). Kept: unique ones (they are constraints: a row they refuse redoes the
        merge) and those led by a reference (the deferred references are checked
        through them). A merge undone puts back what it dropped, as any schema change."""
        counts = Counter(str(table) for table, _row_id in self.fresh)
        again = []
        for table in SYNCED_TABLES:
            if counts[table] < DEFER_INDEXES:
                continue
            references = {row[3] for row in self.db.execute(f"PRAGMA main.foreign_key_list({table})")}
            for name, sql in self.db.execute(
                "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                [table],
            ).fetchall():
                unique = self.db.execute(
                    'SELECT "unique" FROM pragma_index_list(?) WHERE name = ?', [table, name]
                ).fetchone()
                first = self.db.execute(
                    "SELECT name FROM pragma_index_info(?) WHERE seqno = 0", [name]
                ).fetchone()
                if unique is None or unique[0] or first is None or first[0] in references:
                    continue
                self.db.execute(f'DROP INDEX main."{name}"')
                again.append(sql)
        return again

    def _flush(self) -> None:
        """Write the batches kept: the new records (in stream order), then the log's entries."""
        self._flush_rows()
        self._flush_changes()

    def _flush_changes(self) -> None:
        if self.new_changes:
            self.db.conn.executemany(
                "INSERT INTO main.changes (device, clock, tbl, row_id, data, seen) VALUES (?, ?, ?, ?, ?, ?)",
                self.new_changes,
            )
            self.new_changes = []

    def _flush_rows(self) -> None:
        """The new records, table by table, each table's in stream order (the order that
        numbers them). References are checked at commit (the schema defers them)."""
        rows, self.new_rows = self.new_rows, []
        rank = {table: n for n, table in enumerate(SYNCED_TABLES)}
        rows.sort(key=lambda row: rank[row[0]])  # stable: each table's keep their order
        start = 0
        while start < len(rows):
            table, names = rows[start][0], rows[start][1]
            end = start + 1
            while end < len(rows) and rows[end][0] == table and rows[end][1] == names:
                end += 1
            try:
                self._insert(table, names, [row[2] for row in rows[start:end]])
            except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError):
                raise _Redo from None
            start = end

    def _insert(self, table: str, names: tuple[str, ...], rows: list[list[Any]]) -> None:
        """New records of one table. Many at once: what their insert triggers do row by
        row is done for all in one statement (`store.bulk`, as imports do), the
        full-text index filled and their customers marked for the pool."""
        db = self.db
        insert = f"INSERT INTO main.{table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        if len(rows) < INDEX_IN_ONE:
            db.conn.executemany(insert, rows)
            return
        if table not in self.fts:
            self.fts[table] = db[table].detect_fts()
        with triggers_in_one(db, table, self.fts[table]):
            db.conn.executemany(insert, rows)

    def _load(self, entries: Iterable["Entry"]) -> int:
        """The stream, kept as it came (so the merge never reads a copy twice)."""
        self.incoming = list(entries)
        self.said_seen = {}
        for entry in self.incoming:
            if isinstance(entry.seen, str) and len(entry.seen) <= SEEN_LIMIT:
                self.said_seen[(entry.device, entry.clock, entry.tbl, entry.row_id)] = entry.seen
        return len(self.incoming)

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
        size = int(size) if isinstance(size, int) else 0
        entry = Entry(
            seq, device, clock, tbl, row_id, data, size, self.seen.get((device, clock, tbl, row_id))
        )
        outcome = self.checker.check(entry)
        if not isinstance(outcome, Problem) and self._relayed(outcome.device, came_from):
            owner = self.users[outcome.device]
            outcome = Problem(
                RELAYED,
                phrase(
                    N_(
                        "it claims to come from {owner}'s device ({device}) but came in another "
                        "device's file; it is applied when {owner}'s own file brings it"
                    ),
                    owner=owner,
                    device=outcome.device,
                ),
            )
        if isinstance(outcome, Problem):
            author = self._who(device)
            held.hold(
                db,
                entry,
                kind=outcome.kind,
                reason=outcome.said,
                author=author,
                source=came_from or "",
                moment=self.moment,
            )
            report.held[outcome.kind] += 1
            if len(report.reasons) < 5:
                report.reasons.append(
                    _("A change from {author} was held back: {reason}.").format(
                        author=author, reason=outcome.reason
                    )
                )
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
        # A renamed clone entry was written without seeing ours: what it saw is not known.
        seen = None if clash else _seen(self.seen.get((outcome.device, outcome.clock, table, record_id)))
        if key in self.fresh:
            # Nothing to meet, here or in the stream: the record is as its one entry says
            # (what `_apply` makes of an entry on an empty row, without keeping the row).
            columns = self.columns[table]
            known = {k: v for k, v in values.items() if k in columns and k != "rid"}
            if "created_at" in known:  # else an edit of a record never created: only logged
                self.new_rows.append((table, tuple(known), list(known.values())))
                report.created[table] += 1
        else:
            self._flush_rows()  # what this record's writes may reference is written first
            if key not in self.rows:
                if len(self.rows) >= ROWS_KEPT:
                    self.rows.clear()  # what is applied is in the tables and the log: read again
                self._flush()
                self.rows[key] = _load_row(db, table, record_id)
            conflicts = report.conflicts
            try:
                _apply(
                    db,
                    self.store,
                    report,
                    self.columns[table],
                    table,
                    record_id,
                    self.rows[key],
                    _Entry(clock_text, values, seen, device_id),
                )
            except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError) as error:
                # The failed statement undid itself; a conflict `_apply` noted before it is
                # undone here (only this entry's own clock can be in it: the entry is new).
                db.execute(
                    "DELETE FROM main.conflicts WHERE tbl = ? AND row_id = ? "
                    "AND ? IN (kept_clock, lost_clock)",
                    [table, record_id, clock_text],
                )
                self.rows.pop(key, None)
                report.conflicts = conflicts
                reason = phrase(N_("this copy's schema refuses it ({error})"), error=error)
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
                    report.reasons.append(
                        _("A change from {author} was held back: {reason}.").format(
                            author=author, reason=reason
                        )
                    )
                return "held"
        said = None if seen is None else json.dumps(seen)
        logged = (device_id, clock_text, table, record_id, outcome.data, said)
        if self.bulk:
            self.new_changes.append(logged)
            if len(self.new_changes) >= _LOAD_CHUNK:
                self._flush_changes()
            if len(self.new_rows) >= ROWS_BATCH:
                self._flush_rows()
        else:
            db.execute(
                "INSERT INTO main.changes (device, clock, tbl, row_id, data, seen) VALUES (?, ?, ?, ?, ?, ?)",
                logged,
            )
        self.tagged = self.tagged or table in ("tags", "customer_tags")
        if table in DERIVED_FROM:
            self.touched.setdefault(table, set()).add(record_id)
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


def _chunked(
    db: Database, sql: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """What `sql` selects from `o`, a table of `columns` holding `rows`, run on a chunk of
    them at a time (as a VALUES list: its columns have no type, as a temporary table's
    would have none, so they compare as such a table's would)."""
    per = max(1, min(CHUNK_ROWS, db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)))
    one = f"({', '.join('?' for _ in columns)})"
    chunk: list[Any] = []
    taken = 0

    def run(parameters: list[Any], n: int) -> Iterator[tuple[Any, ...]]:
        values = ", ".join(one for _ in range(n))
        yield from db.execute(f"WITH o({', '.join(columns)}) AS (VALUES {values}) {sql}", parameters)

    for row in rows:
        chunk.extend(row)
        taken += 1
        if taken == per:
            yield from run(chunk, taken)
            chunk, taken = [], 0
    if taken:
        yield from run(chunk, taken)


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
    columns: frozenset[str],
    table: str,
    row_id: str,
    row: _Row,
    entry: _Entry,
) -> None:
    """Apply `entry` to `row` and the tables."""
    clock = entry.clock
    known = {k: v for k, v in entry.values.items() if k in columns and k != "rid"}
    entry = _Entry(entry.clock, known, entry.seen, entry.device)
    if row.entries:
        report.conflicts += _record_conflicts(db, store, table, row_id, row, entry)
    else:  # nothing to conflict with
        row.add(entry)
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
    for other in row.maybe_unseen(entry):
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
    row.add(entry)
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


def _seen(text: str | None) -> dict[str, str] | None:
    """An entry's `seen` as its writer gave it, or None when it is not one we can use.

    It only decides which overwritten values are kept as conflicts: one that claims
    more than its writer had can hide a conflict, never change what is applied.
    """
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return None
    return value
