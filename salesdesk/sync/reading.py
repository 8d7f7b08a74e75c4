"""Reading a teammate's copy without trusting it as a database.

A copy is someone else's file: it may be half-synced, huge, a symbolic link to a
device, or crafted. So it is copied privately first (never through a symbolic link,
never more bytes than it may have), together with its -wal, opened normally on that
private copy so committed transactions still in the -wal are read, checkpointed, and
then read on a hardened connection: `trusted_schema=OFF`, only real tables (no view
or trigger is ever read through), only the columns expected, values longer than the
bound replaced by their length, and a progress handler that stops a runaway read.

What comes out is a stream of change entries (`Entry`), which is all the merge uses:
the SQLite copy is only today's carrier.

Defensive mode (SQLITE_DBCONFIG_DEFENSIVE) is switched on where Python offers it
(`Connection.setconfig`, Python 3.12+); Python 3.11's sqlite3 has no way to set it,
so there the other defences stand alone: the copy is private, opened read-only for
reading, and nothing but plain SELECTs of checked tables runs on it.
"""

import gc
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _
from salesdesk.store.schema import APPLICATION_ID, SCHEMA_VERSION

# The bounds of what a copy may hold (README, "Team sync"). A change bigger than the
# change bound is held back without its data; a copy bigger than the copy bound (or
# than its manifest says) is not read at all.
COPY_LIMIT = 8 * 1024**3  # bytes of a copy (and of its -wal)
CHANGE_LIMIT = 1_000_000  # characters of one change's data (its JSON)
_BYTES_LIMIT = 4 * CHANGE_LIMIT + 1024  # the longest value read at all (UTF-8: up to 4 bytes a character)
# The VM steps a read may take per page of the copy, and the handler's granularity.
_STEPS_PER_PAGE = 20_000
_STEPS_BASE = 50_000_000
_HANDLER_EVERY = 10_000
_META_KEYS = ("device", "user")
_CHANGES = ("seq", "device", "clock", "tbl", "row_id", "data")
SEEN_LIMIT = 64 * 1024  # the longest `seen` read (per field a clock: a few kilobytes at most)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Without the cycle collector while a stream's millions of entries are decoded and
    merged: each of its passes would walk them all (measured: a 1.3M-change checkpoint
    decoded in 62 s with it, 13 s without; the large demo's join spent 68 s in 63,505
    collections while it merged). They hold no cycles; the collector runs again after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def parse_json(text: str | bytes) -> Any:
    """`json.loads`, by orjson where it can (in C, about twice as quick on a checkpoint's
    1.5 million entries). What orjson refuses (NaN, an escaped lone surrogate, bytes not
    UTF-8, nesting deeper than 1024) is given to `json.loads`, so it is accepted or refused
    as before. One difference stays, for the caller to mind: orjson makes a float of an
    integer beyond 64 bits, which `json.loads` keeps whole. A value orjson accepted holds
    no lone surrogate (it refuses them)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class UnreadableCopy(SalesdeskError):
    """A copy that is skipped whole, with one sentence saying why."""


class Entry(NamedTuple):
    """One change as it arrived: who, when (the clock), which record, what (JSON text).

    Nothing in it is checked yet: `data` is None when the change was longer than
    `CHANGE_LIMIT` (then `size` is its length), and every field may be of any type.
    """

    seq: object
    device: object
    clock: object
    tbl: object
    row_id: object
    data: object
    size: int
    # What the writer had seen (JSON text, `ChangeLog.seen_of`); None when the copy's log
    # has no such column (before migration 11) or the entry did not say.
    seen: object = None


@dataclass
class CopyContents:
    """What a copy says about itself, and its entries (read once, in seq order)."""

    device: str | None
    user: str | None
    relayed_users: dict[str, str] = field(default_factory=dict)  # device -> user, from its `devices`
    entries: Iterator[Entry] = field(default_factory=lambda: iter(()))


def copy_privately(source: Path, target: Path, *, limit: int, exact: int | None = None) -> int:
    """Copy `source` to `target`, never through a symbolic link, at most `limit` bytes.

    With `exact` (the size a manifest gives) a file of another size is refused: a
    half-synced file, or a sparse or endless one, is never copied beyond what it claims.
    Returns the bytes copied. Raises UnreadableCopy, or OSError if it is not there.
    """
    info = os.lstat(source)
    if stat.S_ISLNK(info.st_mode):
        raise UnreadableCopy(
            _("{name} is a symbolic link; a copy is read only from a file of its own.").format(
                name=source.name
            )
        )
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableCopy(_("{name} is not a regular file.").format(name=source.name))
    bound = limit if exact is None else min(exact, limit)
    if info.st_size > bound:
        raise UnreadableCopy(_too_big(source, info.st_size, exact, limit))
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    handle = os.open(source, flags)
    copied = 0
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise UnreadableCopy(_("{name} is not a regular file.").format(name=source.name))
        with open(target, "wb") as writer:
            while block := os.read(handle, min(1 << 20, bound + 1 - copied)):
                copied += len(block)
                if copied > bound:
                    break
                writer.write(block)
    finally:
        os.close(handle)
    if copied > bound:
        target.unlink(missing_ok=True)
        raise UnreadableCopy(_too_big(source, copied, exact, limit))
    if exact is not None and copied != exact:
        target.unlink(missing_ok=True)
        raise UnreadableCopy(
            _("{name} is not completely synced yet ({copied} of {size} bytes); will try again.").format(
                name=source.name, copied=f"{copied:,}", size=f"{exact:,}"
            )
        )
    return copied


def _too_big(source: Path, size: int, exact: int | None, limit: int) -> str:
    if exact is not None and size > exact and exact <= limit:
        return _("{name} is bigger than its manifest says ({size} bytes); it was not read.").format(
            name=source.name, size=f"{exact:,}"
        )
    return _("{name} is bigger than a copy may be ({size} bytes); it was not read.").format(
        name=source.name, size=f"{limit:,}"
    )


def recover(private: Path) -> None:
    """Open the private copy normally, so its -wal (if copied beside it) is read, and fold
    the -wal into the file; afterwards the file alone holds every committed change."""
    conn = sqlite3.connect(private, isolation_level=None)
    try:
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.DatabaseError as error:
        raise UnreadableCopy(
            _("it is not a database that can be read ({error}).").format(error=error)
        ) from None
    finally:
        conn.close()


class _Guard:
    """A progress handler: stops a read that runs longer than the copy's size allows."""

    def __init__(self, steps: int):
        self.calls_left = max(1, steps // _HANDLER_EVERY)
        self.tripped = False

    def __call__(self) -> int:
        self.calls_left -= 1
        if self.calls_left < 0:
            self.tripped = True
            return 1
        return 0


def hardened(path: Path) -> sqlite3.Connection:
    """A read-only connection to a private copy with SQLite's defences on."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute("PRAGMA cell_size_check=ON")
    setconfig = getattr(conn, "setconfig", None)
    if setconfig is not None:  # Python 3.12+
        setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)  # type: ignore[attr-defined]
        setconfig(sqlite3.SQLITE_DBCONFIG_TRUSTED_SCHEMA, False)  # type: ignore[attr-defined]
    return conn


def guard(conn: sqlite3.Connection, steps: int | None = None) -> _Guard:
    """Install (and return) a progress handler bounding what `conn` may still do."""
    if steps is None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        steps = _STEPS_BASE + _STEPS_PER_PAGE * int(pages)
    handler = _Guard(steps)
    conn.set_progress_handler(handler, _HANDLER_EVERY)
    return handler


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, int] | None:
    """The plain columns of a real table (name -> hidden flag), or None if it is not one."""
    row = conn.execute("SELECT type, sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
    if row is None or row[0] != "table":
        return None
    sql = str(row[1] or "").lower()
    if "without rowid" in sql or "collate" in sql:
        return None  # not a plain table: its comparisons would not be ours
    columns = {r[1]: r[6] for r in conn.execute(f"PRAGMA table_xinfo({table})")}
    if {name.lower() for name in columns} & {"rowid", "oid", "_rowid_"}:
        return None  # a column standing in for the row number
    return columns


def read_copy(private: Path, name: str) -> tuple[sqlite3.Connection, CopyContents]:
    """Check the private copy and start reading it; the caller closes the connection.

    Raises UnreadableCopy with a sentence naming `name` when the copy cannot be merged.
    """
    try:
        with open(private, "rb") as handle:
            header = handle.read(16)
    except OSError as error:
        raise UnreadableCopy(
            _("{name} cannot be read ({error}).").format(name=name, error=error.strerror)
        ) from None
    if header != b"SQLite format 3\x00":
        raise UnreadableCopy(
            _("{name} is not a SQLite database; nothing was merged from it.").format(name=name)
        )
    recover_error = None
    try:
        recover(private)
    except UnreadableCopy as error:
        recover_error = error
    conn = hardened(private)
    handler = None
    try:
        handler = guard(conn)
        contents = _check(conn, name, recover_error)
        contents.entries = _entries(conn, handler, name)
        return conn, contents
    except sqlite3.DatabaseError as error:
        conn.close()
        if handler is not None and handler.tripped:
            raise UnreadableCopy(
                _("{name}: reading it took too long, so it was not merged.").format(name=name)
            ) from None
        raise UnreadableCopy(
            _("{name} is damaged ({error}); nothing was merged from it.").format(name=name, error=error)
        ) from None
    except BaseException:
        conn.close()
        raise


def _check(conn: sqlite3.Connection, name: str, recover_error: UnreadableCopy | None) -> CopyContents:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id != APPLICATION_ID:
        raise UnreadableCopy(
            _("{name} is not a salesdesk database; nothing was merged from it.").format(name=name)
        )
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise UnreadableCopy(
            _(
                "{name} was written by a newer salesdesk (schema {version}); upgrade salesdesk to merge it."
            ).format(name=name, version=version)
        )
    if recover_error is not None:
        raise UnreadableCopy(_("{name} is damaged: {error}").format(name=name, error=recover_error))
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise UnreadableCopy(
            _("{name} is damaged ({error}); nothing was merged from it.").format(name=name, error=result)
        )
    meta = _columns(conn, "meta")
    if meta is None or not {"key", "value"} <= {n for n, hidden in meta.items() if not hidden}:
        raise UnreadableCopy(
            _("{name} has no meta table with key and value; it was skipped.").format(name=name)
        )
    changes = _columns(conn, "changes")
    if changes is None:
        raise UnreadableCopy(
            _("{name} has no change log (a changes table); it was skipped.").format(name=name)
        )
    missing = [c for c in _CHANGES if c not in changes or changes[c]]
    if missing:
        raise UnreadableCopy(
            _("{name}: its change log has no {column} column; it was skipped.").format(
                name=name, column=missing[0]
            )
        )
    found = dict(
        conn.execute(
            "SELECT key, substr(value, 1, 200) FROM meta WHERE key IN (?, ?) AND typeof(value) = 'text'",
            _META_KEYS,
        ).fetchall()
    )
    relayed: dict[str, str] = {}
    devices = _columns(conn, "devices")
    if devices is not None and {"device", "user"} <= {n for n, hidden in devices.items() if not hidden}:
        for device, user in conn.execute(
            "SELECT device, substr(user, 1, 200) FROM devices "
            "WHERE typeof(device) = 'text' AND typeof(user) = 'text' AND length(device) <= 80 LIMIT 10000"
        ):
            relayed[device] = user
    return CopyContents(found.get("device"), found.get("user"), relayed)


def _entries(conn: sqlite3.Connection, handler: _Guard, name: str) -> Iterator[Entry]:
    """The copy's entries in rowid order. A value longer than a change may be is never
    loaded: SQLite's length limit makes reading it fail at once (without reading it),
    and that row comes out without its data, its size taken from the record header."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _BYTES_LIMIT)
    short = ", ".join(
        f"CASE typeof({c}) WHEN 'text' THEN substr({c}, 1, 201) WHEN 'blob' THEN NULL ELSE {c} END"
        for c in ("device", "clock", "tbl", "row_id")
    )
    columns = _columns(conn, "changes") or {}
    seen = (
        f"CASE typeof(seen) WHEN 'text' THEN substr(seen, 1, {SEEN_LIMIT + 1}) ELSE NULL END"
        if "seen" in columns and not columns["seen"]
        else "NULL"
    )
    start = -(2**63)
    try:
        while True:
            try:  # (executing steps to the first row already)
                cursor = conn.execute(
                    f"SELECT rowid, seq, {short}, data, {seen} FROM changes WHERE rowid >= ? ORDER BY rowid",
                    [start],
                )
                for rowid, seq, device, clock, tbl, row_id, data, saw in cursor:
                    size = len(data) if isinstance(data, str | bytes) else 0
                    if size > CHANGE_LIMIT:
                        data = None
                    yield Entry(seq, device, clock, tbl, row_id, data, size, saw)
                    start = rowid + 1
                return
            except sqlite3.DataError:  # a row close ahead holds a value too long to read
                pass
            # Which row: the reading steps ahead of what it gave, so try the next one alone.
            rowid = conn.execute("SELECT min(rowid) FROM changes WHERE rowid >= ?", [start]).fetchone()[0]
            try:
                seq, device, clock, tbl, row_id, data = conn.execute(
                    f"SELECT seq, {short}, data FROM changes WHERE rowid = ?", [rowid]
                ).fetchone()
                size = len(data) if isinstance(data, str | bytes) else 0
                yield Entry(seq, device, clock, tbl, row_id, None if size > CHANGE_LIMIT else data, size)
            except sqlite3.DataError:
                yield _too_long(conn, rowid, short)
            start = rowid + 1
    except sqlite3.DatabaseError as error:
        if handler.tripped:
            raise UnreadableCopy(
                _("{name}: reading it took too long, so it was not merged.").format(name=name)
            ) from None
        raise UnreadableCopy(
            _("{name} is damaged ({error}); nothing was merged from it.").format(name=name, error=error)
        ) from None


def _too_long(conn: sqlite3.Connection, rowid: int, short: str) -> Entry:
    try:
        with conn.blobopen("changes", "data", rowid, readonly=True) as blob:
            size = len(blob)
    except sqlite3.Error:
        size = _BYTES_LIMIT
    try:
        row = conn.execute(f"SELECT seq, {short} FROM changes WHERE rowid = ?", [rowid]).fetchone()
    except sqlite3.DataError:  # even its ids are too long: a malformed change
        row = (None, None, None, None, None)
    seq, device, clock, tbl, row_id = row
    return Entry(seq, device, clock, tbl, row_id, None, size)
