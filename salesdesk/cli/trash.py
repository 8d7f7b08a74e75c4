"""The Trash from the command line: trash, trash restore."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.cli.common import Commands, local_today, open_store, open_store_to_read
from salesdesk.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from salesdesk.store.trash import Trashed

NOTHING = N_("The Trash is empty.")
NOTHING_MATCHES = N_("Nothing in the Trash matches.")
RESTORE_WHAT = N_(
    "Say what to restore: one or more ids (as 'salesdesk trash' lists them), "
    "or --by NAME and/or --since DATE."
)
IDS_OR_FILTER = N_("Give either ids or --by/--since to restore, not both.")
# The kinds of record, padded to one width (in cells: Chinese takes two a character).
KIND_WIDTH = 11


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--by", metavar="NAME", help=_("only what this person deleted"))
    filters.add_argument(
        "--since",
        metavar="DATE",
        help=_("only what was deleted on or after this day (YYYY-MM-DD, today, ...)"),
    )
    trash = commands.add_parser(
        "trash",
        parents=[common, filters],
        help=_("list deleted records"),
        description=_(
            "List every deleted customer, deal, follow-up and interaction, whoever deleted it, "
            "the latest deleted first."
        ),
    )
    trash.set_defaults(run=run_trash)
    actions = trash.add_subparsers(dest="trash_command", metavar="ACTION")
    restore = actions.add_parser(
        "restore",
        parents=[common, filters],
        help=_("bring deleted records back"),
        description=_(
            "Bring back deleted records, by id or everything one person deleted since a day. "
            "A restore is a new edit: it wins on every copy at the next sync."
        ),
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
    from rich.cells import cell_len

    from salesdesk.core.dates import parse_timestamp
    from salesdesk.core.text import literal

    when = parse_timestamp(item.deleted_at).astimezone()
    whose = f"  ({literal(item.customer)})" if item.customer else ""
    kind = _(item.kind)
    kind += " " * (KIND_WIDTH - cell_len(kind))
    deleted = _("deleted {when} by {who}").format(when=f"{when:%Y-%m-%d %H:%M}", who=literal(item.deleted_by))
    return f"{item.id}  {kind}  {literal(item.name)}{whose}  {deleted}"


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
        print(_(NOTHING_MATCHES if args.by or since else NOTHING))
        return 0
    for item in items:
        print(_line(item))
    print(
        ngettext(
            "{n} deleted record; bring one back with: {command}",
            "{n} deleted records; bring one back with: {command}",
            len(items),
        ).format(n=f"{len(items):,}", command="salesdesk trash restore ID")
    )
    return 0


def run_restore(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.core.errors import SalesdeskError
    from salesdesk.store.trash import TrashStore

    since = _since(args)
    if not args.ids and args.by is None and since is None:
        raise SalesdeskError(_(RESTORE_WHAT))
    if args.ids and (args.by is not None or since is not None):
        raise SalesdeskError(_(IDS_OR_FILTER))
    store = open_store(db_path, user)
    try:
        trash = TrashStore(store)
        ids = args.ids or [item.id for item in trash.items(by=args.by, since=since)]
        if not ids:
            print(_(NOTHING_MATCHES))
            return 0
        restored = trash.restore(ids)
    finally:
        store.close()
    for item in restored:
        print(_("Restored {record}").format(record=_line(item)))
    print(
        ngettext(
            "{n} record restored; it comes back on every copy at the next sync.",
            "{n} records restored; they come back on every copy at the next sync.",
            len(restored),
        ).format(n=f"{len(restored):,}")
    )
    return 0
