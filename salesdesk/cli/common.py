"""What the commands share: the clock, the store, and where their output goes.

The command line is one of the two places that read the clock (the app is the other);
everything below it receives `now` or `today` as a parameter.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO, TypeAlias

from salesdesk.i18n import _

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# Where each group adds its commands (`argparse` has no public name for it).
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
# A command: its parsed arguments, the database path and the user name, to an exit status.
Command = Callable[[argparse.Namespace, Path, str], int]


def wall_clock() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    return datetime.now().astimezone().date()


def open_store(db_path: Path, user: str, *, writes: bool = True) -> Store:
    """The store of a command that changes the database, made if it is new.

    One that cannot be written is refused in one sentence; with `writes=False` (the app,
    which marks it) it is opened read-only.
    """
    from salesdesk.core.errors import SalesdeskError
    from salesdesk.store.connection import is_read_only, open_database
    from salesdesk.store.store import Store

    new = not db_path.exists()
    db = open_database(db_path)
    if writes and is_read_only(db):
        db.close()
        raise SalesdeskError(
            _(
                "{path} cannot be written (a read-only file, folder or disk) and this command changes it; "
                "copy it to a folder you can write, or use check, agenda, export or backup, which only read."
            ).format(path=db_path)
        )
    store = Store(db, user, wall_clock)
    prefer_language(store)
    if new:
        store.name_default_pipeline()  # made under Chinese: 线索, 需求确认, 报价 ...
    return store


def prefer_language(store: Store) -> None:
    """The language this person chose in the settings, unless `--lang` chose one for this run."""
    from salesdesk import i18n

    i18n.prefer(store.meta("language"))


def open_store_to_read(db_path: Path, user: str, *, say_snapshot: bool = True) -> Store:
    """The store of a command that only reads: the database must exist, and may be read-only.

    One read as a snapshot (a read-only folder, see `connection.read_only_connection`) is
    said so on stderr, unless `say_snapshot` is False (a backup is a snapshot anyway).
    """
    from salesdesk.store.connection import open_existing, snapshot_note
    from salesdesk.store.store import Store

    db = open_existing(db_path)
    store = Store(db, user, wall_clock)
    prefer_language(store)
    note = snapshot_note(db)
    if note and say_snapshot:  # on stderr: what the command writes to stdout stays as it is
        print(f"salesdesk: {note}", file=sys.stderr)
    return store


def storage_fault(error: Exception, db_path: Path) -> str | None:
    """The sentence for a fault of the storage underneath a command, or None for another error."""
    import sqlite3

    from salesdesk.store.connection import is_busy, is_full_error, is_read_only_error

    if isinstance(error, sqlite3.Error):
        if is_busy(error):
            return _(
                "the database {path} is busy: another salesdesk (an import?) is writing to it; "
                "try again when it has finished."
            ).format(path=db_path)
        if is_read_only_error(error):
            return _(
                "{path} cannot be written (a read-only file, folder or disk); nothing was changed."
            ).format(path=db_path)
        if is_full_error(error):
            return _(
                "the disk holding {path} is full; nothing was changed: free some space and try again."
            ).format(path=db_path)
        return None
    if isinstance(error, OSError):
        where = f"{error.filename}" if error.filename else str(db_path)
        return _("{path} could not be used ({error}).").format(path=where, error=error.strerror or error)
    return None


def write_output(output: str | None, write: Callable[[BinaryIO], int]) -> int:
    """Write to the file named (atomically: a partial file never replaces a good one) or stdout."""
    if not output:
        # A reader that stops early (head, less) raises BrokenPipeError, which
        # `salesdesk.cli.main.main` handles for every command.
        result = write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return result
    from salesdesk.io.files import write_atomically

    return write_atomically(Path(output), write)


class TerminalProgress:
    """What a long command is doing, on one line of the terminal rewritten in place.

    Written to stderr only when it is a terminal (a script, cron or a pipe sees nothing of
    it), cut to the terminal's width so it never wraps, and cleared once the command is
    done, before what it prints for good.
    """

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.on = self.stream.isatty()
        self.shown = False

    def __call__(self, sentence: str) -> None:
        if not self.on:
            return
        import shutil

        from salesdesk.cli.help_format import cells
        from salesdesk.core.text import literal

        width = shutil.get_terminal_size().columns - 1
        line = literal(sentence)
        while cells(line) > width and line:
            line = line[:-1]
        self.stream.write(f"\r{line}\x1b[K")
        self.stream.flush()
        self.shown = True

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
