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
from typing import TYPE_CHECKING, BinaryIO, TypeAlias

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


def open_store(db_path: Path, user: str) -> Store:
    from salesdesk.store.store import Store

    return Store.open(db_path, user, wall_clock)


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
