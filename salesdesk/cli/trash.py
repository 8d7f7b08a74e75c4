"""The Trash from the command line: trash, trash restore."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.cli.common import Commands, local_today, open_store, open_store_to_read

if TYPE_CHECKING:
    from salesdesk.store.trash import Trashed

NOTHING = "The Trash is empty."
NOTHING_MATCHES = "Nothing in the Trash matches."
RESTORE_WHAT = (
    "Say what to restore: one or more ids (as 'salesdesk trash' lists them), "
    "or --by NAME and/or --since DATE."
)
IDS_OR_FILTER = "Give either ids or --by/--since to restore, not both."


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--by", metavar="NAME", help="only what this person deleted")
    filters.add_argument(
        "--since", metavar="DATE", help="only what was deleted on or after this day (YYYY-MM-DD, today, ...)"
    )
    trash = commands.add_parser(
        "trash",
        parents=[common, filters],
        help="list deleted records",
        description="List every deleted customer, deal, follow-up and interaction, whoever deleted it, "
        "the latest deleted first.",
    )
    trash.set_defaults(run=run_trash)
    actions = trash.add_subparsers(dest="trash_command", metavar="ACTION")
    restore = actions.add_parser(
        "restore",
        parents=[common, filters],
        help="bring deleted records back",
        description="Bring back deleted records, by id or everything one person deleted since a day. "
        "A restore is a new edit: it wins on every copy at the next sync.",
    )
    restore.add_argument("ids", metavar="ID", nargs="*")


def _since(args: argparse.Namespace) -> str | None:
    """The --since day's first moment, in local time, as a stored timestamp."""
    if args.since is None:
        return None
    from datetime import datetime

    from salesdesk.core.dates import parse_quick_date, timestamp

    day = parse_quick_date(args.since, local_today(), "--since")
    return timestamp(datetime(day.year, day.month, day.day).astimezone())


def _line(item: Trashed) -> str:
    from salesdesk.core.dates import parse_timestamp
    from salesdesk.core.text import literal

    when = parse_timestamp(item.deleted_at).astimezone()
    whose = f"  ({literal(item.customer)})" if item.customer else ""
    return (
        f"{item.id}  {item.kind:<11}  {literal(item.name)}{whose}  "
        f"deleted {when:%Y-%m-%d %H:%M} by {literal(item.deleted_by)}"
    )


def run_trash(args: argparse.Namespace, db_path: Path, user: str) -> int:
    if getattr(args, "trash_command", None) == "restore":
        return run_restore(args, db_path, user)
    from salesdesk.store.trash import TrashStore

    since = _since(args)
    store = open_store_to_read(db_path, user)
    try:
        items = TrashStore(store).items(by=args.by, since=since)
    finally:
        store.close()
    if not items:
        print(NOTHING_MATCHES if args.by or since else NOTHING)
        return 0
    for item in items:
        print(_line(item))
    noun = "record" if len(items) == 1 else "records"
    print(f"{len(items):,} deleted {noun}; bring one back with: salesdesk trash restore ID")
    return 0


def run_restore(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.core.errors import SalesdeskError
    from salesdesk.store.trash import TrashStore

    since = _since(args)
    if not args.ids and args.by is None and since is None:
        raise SalesdeskError(RESTORE_WHAT)
    if args.ids and (args.by is not None or since is not None):
        raise SalesdeskError(IDS_OR_FILTER)
    store = open_store(db_path, user)
    try:
        trash = TrashStore(store)
        ids = args.ids or [item.id for item in trash.items(by=args.by, since=since)]
        if not ids:
            print(NOTHING_MATCHES)
            return 0
        restored = trash.restore(ids)
    finally:
        store.close()
    for item in restored:
        print(f"Restored {_line(item)}")
    noun = "record" if len(restored) == 1 else "records"
    print(f"{len(restored):,} {noun} restored; they come back on every copy at the next sync.")
    return 0
