"""Opening a salesdesk database safely: refuse what is not ours, migrate after a backup."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from salesdesk.core.errors import SalesdeskError
from salesdesk.store.database import Database
from salesdesk.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 10.0
_SQLITE_HEADER = b"SQLite format 3\x00"


def probe(path: Path) -> tuple[int, int, int]:
    """(application_id, user_version, table count) of an existing file, read-only.

    Raises SalesdeskError for a file that is not a SQLite database at all.
    """
    with open(path, "rb") as handle:
        header = handle.read(16)
    if header and header != _SQLITE_HEADER:
        raise SalesdeskError(
            f"{path} is not a SQLite database; pass --db with a salesdesk database or a new file name."
        )
    # Read-only, but not `immutable`: an immutable connection takes no locks, and closing it
    # drops this process's locks on the file, so another process could checkpoint and
    # delete the -wal under a connection this process still has open.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise SalesdeskError(
            f"{path} cannot be read as a SQLite database ({error}); "
            "pass --db with a salesdesk database or a new file name."
        ) from None
    finally:
        conn.close()
    return app_id, version, tables


def open_database(path: Path, backup_dir: Path | None = None) -> Database:
    """Open (creating if new) a salesdesk database, migrated to this program's schema.

    A file that is not ours or is newer than this program is refused untouched.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise SalesdeskError(
            f"The folder {path.parent} does not exist; create it first, "
            "or pass --db with a file in an existing folder."
        )
    if path.is_dir():
        raise SalesdeskError(f"{path} is a folder; pass --db with a database file name.")
    version = 0
    if path.exists() and path.stat().st_size:
        app_id, version, tables = probe(path)
        if app_id != APPLICATION_ID and tables:
            raise SalesdeskError(
                f"{path} is a SQLite database of another program; salesdesk left it "
                "unchanged. Pass --db with a salesdesk database or a new file name."
            )
        if version > SCHEMA_VERSION:
            raise SalesdeskError(
                f"{path} was written by a newer salesdesk (schema {version}; this one "
                f"knows up to {SCHEMA_VERSION}) and was left unchanged; upgrade salesdesk to open it."
            )
    db = connect(path)
    try:
        migrate(db, path, backup_dir or path.parent)
    except BaseException:
        db.close()
        raise
    return db


def connect(path: Path) -> Database:
    """A connection with the pragmas every salesdesk connection needs.

    `isolation_level=None` hands transaction control to us, so every write
    transaction can begin IMMEDIATE (see `write`).
    """
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return Database(conn)


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    A plain BEGIN that reads then writes fails at once with SQLITE_BUSY when another
    connection wrote in between; IMMEDIATE waits for the busy timeout instead.
    Nested use becomes a savepoint.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        # A COMMIT refused by a deferred foreign key leaves the transaction open;
        # rolling back here keeps later writes from piling into it uncommitted.
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def schema_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database, path: Path, backup_dir: Path) -> Path | None:
    """Run pending migrations, each in one transaction; back up an existing database first.

    Returns the backup path when one was written.
    """
    current = schema_version(db)
    if current >= SCHEMA_VERSION:
        return None
    backup = None
    if current > 0:
        from salesdesk.paths import migration_backup_path

        backup = migration_backup_path(backup_dir, path, current)
        backup_to(db, backup)
    for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
        with write(db):
            migration(db)
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={number}")
    return backup


def backup_to(db: Database, target: Path) -> None:
    """A consistent copy of the database, verified before it is trusted."""
    target = Path(target)
    if target.exists():
        raise SalesdeskError(f"{target} already exists; choose another file for the backup.")
    if not target.parent.is_dir():
        raise SalesdeskError(f"The folder {target.parent} does not exist; create it first.")
    db.execute("VACUUM INTO ?", [str(target)])
    copy = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
    try:
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        copied = copy.execute("PRAGMA user_version").fetchone()[0]
    finally:
        copy.close()
    if result != "ok" or copied != schema_version(db):
        target.unlink(missing_ok=True)
        raise SalesdeskError(f"The backup {target} did not verify ({result}); nothing was changed.")
