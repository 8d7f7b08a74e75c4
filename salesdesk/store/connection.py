"""Opening a salesdesk database safely: refuse what is not ours, migrate after a backup."""

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import N_, _
from salesdesk.store.database import Database
from salesdesk.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 10.0
# How many backups made before migrations are kept per database: the newest ones. A
# migration killed midway is rolled back and tried again at the next opening, which
# makes one more backup each time; without a bound they would fill the disk.
KEPT_MIGRATION_BACKUPS = 2
_SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite's primary result codes (an extended code carries one in its low byte).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL = 5, 6, 8, 10, 13
# Less free space than this under a database whose opening failed with an I/O error: a full disk.
_ROOM_TO_OPEN = 2**20


def is_busy(error: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for another connection's lock."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)


def is_read_only_error(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == _SQLITE_READONLY


def is_full_error(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == _SQLITE_FULL


def check_location(path: Path, *, must_exist: bool) -> None:
    """Refuse, in one sentence, a path no database can be at: a missing folder, a folder,
    a device or a pipe, and (with `must_exist`) a file that is not there or is empty."""
    if not path.parent.is_dir():
        raise SalesdeskError(
            _(
                "The folder {folder} does not exist; create it first, "
                "or pass --db with a file in an existing folder."
            ).format(folder=path.parent)
        )
    if path.is_dir():
        raise SalesdeskError(_("{path} is a folder; pass --db with a database file name.").format(path=path))
    if path.exists() and not path.is_file():
        raise SalesdeskError(
            _(
                "{path} is not a regular file (a device or a pipe); pass --db with a database file name."
            ).format(path=path)
        )
    if must_exist and not path.exists():
        raise SalesdeskError(
            _("{path} does not exist; build one with 'salesdesk demo' or open the app.").format(path=path)
        )
    if must_exist and path.stat().st_size == 0:
        raise SalesdeskError(
            _(
                "{path} is empty, so there is nothing in it to read; pass --db with a salesdesk database."
            ).format(path=path)
        )


def location_is_writable(path: Path) -> bool:
    """Whether the database file can be written and its -wal, -shm and -journal made beside it.

    `os.access` sees what stops even the superuser: a read-only mount and `chattr +i`.
    """
    folder = os.access(path.parent, os.W_OK)
    return folder and (not path.exists() or os.access(path, os.W_OK))


class SnapshotConnection(sqlite3.Connection):
    """A read-only connection that sees the database as it was when it was opened.

    What `read_only_connection` falls back to in a folder that cannot be written, where
    SQLite cannot follow other connections' changes; `note` says which way and what it
    means for the person.
    """

    note = ""  # a sentence for the person
    how = ""  # a few words for `salesdesk check`


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A read-only sqlite3 connection to an existing database, also in a read-only folder.

    Read-only, but `immutable` only when it must be: an immutable connection takes no
    locks and never looks at the -wal, so it would read a stale or torn database while
    someone writes, and closing it drops this process's locks on the file, so another
    process could checkpoint and delete the -wal under a connection this process still
    has open. A WAL database read with `mode=ro` needs its -shm file; when there is none
    and the folder cannot be written, SQLite cannot make one and refuses. Then, and only
    then, `immutable` is taken: nobody writing from here can make the -wal and -shm a
    writer needs. A -wal that holds committed changes (a copy taken, or a stick pulled,
    while salesdesk had it open) would be skipped by an immutable connection, so the
    database is read from a private copy of it and its -wal instead, in the system's
    temporary folder, where SQLite can make the -shm (`private_copy`). Either way the
    connection is a `SnapshotConnection`, whose `note` says what is read.
    """
    uri = path.resolve().as_uri()
    for attempt in range(2):
        conn = sqlite3.connect(
            f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False
        )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as error:
            conn.close()
            hot = error.sqlite_errorcode == sqlite3.SQLITE_READONLY_ROLLBACK
            if hot and not attempt and location_is_writable(path):
                _roll_back_hot_journal(path)
                continue
            if is_busy(error) or os.access(path.parent, os.W_OK):
                raise
            break
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        copy = private_copy(path)
        snapshot = sqlite3.connect(
            f"{copy.as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            factory=SnapshotConnection,
        )
        snapshot.note = _(SNAPSHOT_OF_A_COPY).format(path=path, wal=wal.name)
        snapshot.how = _("read from a private copy with its {wal} (its folder cannot be written)").format(
            wal=wal.name
        )
        return snapshot
    snapshot = sqlite3.connect(
        f"{uri}?immutable=1",
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        factory=SnapshotConnection,
    )
    snapshot.note = _(SNAPSHOT_IN_PLACE).format(path=path)
    snapshot.how = _("read as it was when opened (its folder cannot be written)")
    return snapshot


def _roll_back_hot_journal(path: Path) -> None:
    """Undo the transaction of a writer that died in a rollback journal's transaction
    (`rollback_journal`): a read-only connection cannot, a writable one's first read does."""
    writer = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        writer.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        writer.close()


# What a person is told about a database read as a snapshot (`SnapshotConnection`).
SNAPSHOT_IN_PLACE = N_(
    "{path} is read as it was when salesdesk opened it, since its folder cannot be written: "
    "changes made to it elsewhere meanwhile are not seen."
)
SNAPSHOT_OF_A_COPY = N_(
    "{path} is read from a private copy of it and its {wal}, since its folder cannot be written "
    "and its latest changes are in {wal}: changes made to it elsewhere meanwhile are not seen."
)

# Private copies made in this process: (database, its size and time, its -wal's) -> copy.
# They are reused while the files are unchanged, and removed when the process ends.
_private_copies: dict[tuple[Path, int, int, int, int], Path] = {}


def private_copy(path: Path) -> Path:
    """A copy of the database `path` and its -wal in a private temporary folder, where SQLite
    can make the -shm it needs to read the -wal (see `read_only_connection`).

    Raises SalesdeskError when there is no room for it.
    """
    path = path.resolve()
    wal = Path(f"{path}-wal")
    state, wal_state = path.stat(), wal.stat()
    key = (path, state.st_size, state.st_mtime_ns, wal_state.st_size, wal_state.st_mtime_ns)
    if key in _private_copies and _private_copies[key].exists():
        return _private_copies[key]
    import shutil

    from salesdesk.paths import private_copy_folder

    try:
        folder = private_copy_folder(path)
    except OSError as error:
        raise _no_private_copy(path, wal, error) from None
    needed = state.st_size + wal_state.st_size + 2**20  # and the -shm, and a little room
    try:
        free = shutil.disk_usage(folder).free
        if free < needed:
            raise OSError(
                errno.ENOSPC,
                _("{free} MB free of the {needed} MB needed").format(
                    free=f"{free // 2**20:,}", needed=f"{needed // 2**20 + 1:,}"
                ),
            )
        copy = folder / path.name
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, Path(f"{copy}-wal"))
    except OSError as error:
        _remove_private_copy(folder)
        raise _no_private_copy(path, wal, error) from None
    except BaseException:
        _remove_private_copy(folder)
        raise
    if not _private_copies:
        import atexit

        atexit.register(_remove_private_copies)
    _private_copies[key] = copy
    return copy


def _no_private_copy(path: Path, wal: Path, error: OSError) -> SalesdeskError:
    import tempfile

    return SalesdeskError(
        _(
            "{path} cannot be read in its read-only folder: its latest changes are in {wal}, which "
            "SQLite can only read from a copy in a folder it can write, and the copy in {folder} "
            "failed ({error}); copy the database and its -wal file to a writable folder "
            "and open it there."
        ).format(path=path, wal=wal.name, folder=tempfile.gettempdir(), error=error.strerror or error)
    )


def original_of(path: Path) -> Path:
    """The database a private copy was made of (`private_copy`), else `path` itself."""
    path = Path(path)
    for (original, *_state), copy in _private_copies.items():
        if copy == path:
            return original
    return path


def _remove_private_copies() -> None:
    for copy in _private_copies.values():
        _remove_private_copy(copy.parent)
    _private_copies.clear()


def _remove_private_copy(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def snapshot_note(db: Database | sqlite3.Connection) -> str | None:
    """What to tell a person about a database read as a snapshot, or None for a live one."""
    conn = db.conn if isinstance(db, Database) else db
    return conn.note if isinstance(conn, SnapshotConnection) else None


def probe(path: Path) -> tuple[int, int, int]:
    """(application_id, user_version, table count) of an existing file, read-only.

    Raises SalesdeskError for a file that is not a SQLite database at all.
    """
    with open(path, "rb") as handle:
        header = handle.read(16)
    if header and header != _SQLITE_HEADER:
        raise SalesdeskError(
            _(
                "{path} is not a SQLite database; pass --db with a salesdesk database or a new file name."
            ).format(path=path)
        )
    try:
        conn = read_only_connection(path)
    except sqlite3.DatabaseError as error:
        raise _unreadable(path, error) from None
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise _unreadable(path, error) from None
    finally:
        conn.close()
    return app_id, version, tables


def disk_full_at(path: Path, error: sqlite3.Error) -> bool:
    """Whether `error` came of a full disk under the database `path`. Opening a WAL
    database on a full disk fails as an I/O error (SQLITE_IOERR_SHMSIZE: the -shm file
    could not be given its size), which alone would not say why."""
    if is_full_error(error):
        return True
    code = getattr(error, "sqlite_errorcode", None)
    if code is None or code & 0xFF != _SQLITE_IOERR:
        return False
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < _ROOM_TO_OPEN
    except OSError:
        return False


def _disk_full(path: Path, *, new: bool = False) -> SalesdeskError:
    if new:
        return SalesdeskError(
            _("{path} cannot be made: the disk holding it is full; free some space and try again.").format(
                path=path
            )
        )
    return SalesdeskError(
        _(
            "{path} cannot be opened: the disk holding it is full, and SQLite needs room beside it "
            "for its -wal and -shm files; nothing was changed: free some space and try again."
        ).format(path=path)
    )


def _unreadable(path: Path, error: sqlite3.DatabaseError) -> Exception:
    if is_busy(error):  # the command line says what to do about a busy database
        return error
    if disk_full_at(path, error):
        return _disk_full(path)
    return SalesdeskError(
        _(
            "{path} cannot be read as a SQLite database ({error}); "
            "pass --db with a salesdesk database or a new file name."
        ).format(path=path, error=error)
    )


def open_existing(path: Path) -> Database:
    """`open_database` for a command that reads: the file must be there, and may be read-only."""
    path = Path(path)
    check_location(path, must_exist=True)
    return open_database(path)


def open_database(path: Path, backup_dir: Path | None = None) -> Database:
    """Open (creating if new) a salesdesk database, migrated to this program's schema.

    A file that is not ours or is newer than this program is refused untouched. One that
    cannot be written (a read-only file, folder or mount) is opened read-only
    (`is_read_only`), if it needs no migration.
    """
    path = Path(path)
    check_location(path, must_exist=False)
    version = 0
    if path.exists() and path.stat().st_size:
        app_id, version, tables = probe(path)
        if app_id != APPLICATION_ID and tables:
            raise SalesdeskError(
                _(
                    "{path} is a SQLite database of another program; salesdesk left it "
                    "unchanged. Pass --db with a salesdesk database or a new file name."
                ).format(path=path)
            )
        if version > SCHEMA_VERSION:
            raise SalesdeskError(
                _(
                    "{path} was written by a newer salesdesk (schema {version}; this one "
                    "knows up to {known}) and was left unchanged; upgrade salesdesk to open it."
                ).format(path=path, version=version, known=SCHEMA_VERSION)
            )
    if not location_is_writable(path):
        if version == 0:
            raise SalesdeskError(
                _(
                    "{path} cannot be made: its folder {folder} cannot be written; "
                    "pass --db with a file in a folder you can write."
                ).format(path=path, folder=path.parent)
            )
        if version < SCHEMA_VERSION:
            raise SalesdeskError(
                _(
                    "{path} has schema {version} and must be upgraded to {known} before this "
                    "salesdesk can read it, but it cannot be written; "
                    "copy it to a folder you can write and open it there."
                ).format(path=path, version=version, known=SCHEMA_VERSION)
            )
    made = not path.exists()
    try:
        db = connect(path)
        try:
            migrate(db, path, backup_dir or path.parent)
        except BaseException:
            db.close()
            raise
    except BaseException as error:
        if made:  # a new database that could not be made: nothing of it is left behind
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        if isinstance(error, sqlite3.Error) and disk_full_at(path, error):
            raise _disk_full(path, new=made) from None
        raise
    return db


def connect(path: Path) -> Database:
    """A connection with the pragmas every salesdesk connection needs.

    `isolation_level=None` hands transaction control to us, so every write
    transaction can begin IMMEDIATE (see `write`). A database that cannot be written
    gets a read-only connection (`is_read_only`), which every reading query works on.
    """
    path = Path(path)
    if path.exists() and (not location_is_writable(path) or original_of(path) != path):
        conn = read_only_connection(path)
        # A write now fails at once with "attempt to write a readonly database", instead
        # of waiting for the file to turn out unwritable half-way.
        conn.execute("PRAGMA query_only=ON")
        return Database(conn)
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return Database(conn)


def is_read_only(db: Database) -> bool:
    """Whether this connection was opened read-only because the database cannot be written."""
    return bool(db.execute("PRAGMA query_only").fetchone()[0])


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


@contextmanager
def without_waiting(db: Database) -> Iterator[None]:
    """No waiting for a lock another connection holds inside the block: what needs one
    fails at once ("database is locked") instead of after the busy timeout."""
    wait = int(db.execute("PRAGMA busy_timeout").fetchone()[0])
    db.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        db.execute(f"PRAGMA busy_timeout = {wait}")


@contextmanager
def rollback_journal(db: Database) -> Iterator[bool]:
    """For one big write into a database no other connection has open (a copy joining a
    team merges its whole history): a rollback journal instead of the WAL while it runs.

    In WAL mode every page is written twice, into the WAL and again into the file when
    the WAL is checkpointed; a rollback journal keeps only the pages the file already had,
    and new pages are written once. It is as safe against a crash (the next opening rolls
    a hot journal back), but a writer shuts readers out, so it is taken only when nobody
    else has the file open: SQLite refuses to leave WAL mode otherwise, and then the block
    runs on the WAL as always. Yields whether it was taken; the WAL is back after the
    block (or, if someone opened the file meanwhile, at its next opening).
    """
    conn = db.conn
    try:
        with without_waiting(db):  # someone else has it: do not wait for them
            mode = str(conn.execute("PRAGMA journal_mode = TRUNCATE").fetchone()[0]).lower()
    except sqlite3.OperationalError:
        mode = "wal"
    if mode != "truncate":
        yield False
        return
    try:
        yield True
    finally:
        # If someone opened it meanwhile, WAL comes back at an opening (`connect` asks for it).
        with suppress(sqlite3.OperationalError):
            conn.execute("PRAGMA journal_mode = WAL")


def schema_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database, path: Path, backup_dir: Path) -> Path | None:
    """Run pending migrations, each in one transaction; back up an existing database first.

    Returns the backup path when one was written. Of the backups made before migrations,
    the newest `KEPT_MIGRATION_BACKUPS` are kept, counting the one just written and
    verified, so the one verified backup is never the one removed.
    """
    current = schema_version(db)
    if current >= SCHEMA_VERSION:
        return None
    backup = None
    if current > 0:
        from salesdesk.paths import migration_backup_path, migration_backups

        backup = migration_backup_path(backup_dir, path, current)
        try:
            backup_to(db, backup)
        except SalesdeskError as error:
            raise SalesdeskError(
                _(
                    "{path} was left unchanged at schema {version}: the backup made before upgrading "
                    "it to {known} failed ({error})"
                ).format(path=path, version=current, known=SCHEMA_VERSION, error=error)
            ) from None
        for older in migration_backups(backup_dir, path)[KEPT_MIGRATION_BACKUPS:]:
            if older != backup:
                older.unlink(missing_ok=True)
    for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
        with write(db):
            migration(db)
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={number}")
    return backup


BACKUP_EXISTS = N_("{path} already exists; choose another file for the backup.")


def backup_to(db: Database, target: Path) -> None:
    """A consistent copy of the database at `target`, verified before it is trusted.

    The copy is written under a temporary name beside the target, checked (integrity and
    schema version), made durable, and only then given the target's name: a copy that is
    killed midway or runs out of disk never sits under the name of a good backup. A
    failure removes the temporary file and raises SalesdeskError saying why.
    """
    from salesdesk.paths import partial_path

    target = Path(target)
    if target.exists() or target.is_symlink():
        raise SalesdeskError(_(BACKUP_EXISTS).format(path=target))
    if not target.parent.is_dir():
        raise SalesdeskError(
            _("The folder {folder} does not exist; create it first.").format(folder=target.parent)
        )
    if not os.access(target.parent, os.W_OK):
        raise SalesdeskError(
            _(
                "The backup {path} cannot be written: its folder is read-only; choose a file in a folder "
                "you can write."
            ).format(path=target)
        )
    partial = partial_path(target)
    _remove_with_journal(partial)  # left by a backup that was killed
    try:
        _copy(db, partial)
        problem = _verify(partial, schema_version(db))
        if problem:
            raise SalesdeskError(
                _("The backup {path} did not verify ({problem}); nothing was written there.").format(
                    path=target, problem=problem
                )
            )
        _sync(partial)
        _move_into_place(partial, target)
    except (sqlite3.Error, OSError) as error:
        _remove_with_journal(partial)
        reason = _("the disk is full") if isinstance(error, sqlite3.Error) and is_full_error(error) else error
        raise SalesdeskError(
            _("The backup to {path} failed ({reason}); nothing was written there.").format(
                path=target, reason=reason
            )
        ) from None
    except BaseException:
        _remove_with_journal(partial)
        raise


def _copy(db: Database, target: Path) -> None:
    """A compact, consistent copy of the whole database (one read transaction)."""
    # `query_only` refuses VACUUM INTO too; a read-only connection cannot change the
    # database itself either way, so lifting the guard for the copy is safe.
    guarded = is_read_only(db)
    if guarded:
        db.execute("PRAGMA query_only=OFF")
    try:
        db.execute("VACUUM INTO ?", [str(target)])
    finally:
        if guarded:
            db.execute("PRAGMA query_only=ON")


def _verify(copy: Path, version: int) -> str | None:
    """What is wrong with a copy, or None when it is whole and of schema `version`."""
    conn = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        copied = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    if result != "ok":
        return str(result)
    if copied != version:
        return _("schema {copied} instead of {version}").format(copied=copied, version=version)
    return None


def _sync(path: Path) -> None:
    """Flush a file to the disk (VACUUM INTO leaves that to the operating system)."""
    handle = os.open(path, os.O_RDWR)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _move_into_place(partial: Path, target: Path) -> None:
    """Rename `partial` to `target`, never over a file that appeared there meanwhile."""
    try:
        os.link(partial, target)  # fails if the target exists, where a rename would replace it
    except FileExistsError:
        raise SalesdeskError(_(BACKUP_EXISTS).format(path=target)) from None
    except OSError:  # a filesystem without hard links
        os.replace(partial, target)
    else:
        partial.unlink()
    if os.name == "posix":  # make the new name durable too
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _remove_with_journal(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}-journal").unlink(missing_ok=True)
