"""Commands of a team sharing a folder: team, team join, team held, team round-robin, sync, merge."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.cli.common import Commands, open_store

if TYPE_CHECKING:
    from salesdesk.store.store import Store


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    team = commands.add_parser(
        "team",
        parents=[common],
        help="share through a sync folder",
        description="Show the team folder and the devices in it, or join one.",
    )
    team.set_defaults(run=run_team)
    team_commands = team.add_subparsers(dest="team_command", metavar="ACTION")
    join = team_commands.add_parser(
        "join",
        parents=[common],
        help="join (or start) a team",
        description="Join (or start) the team sharing FOLDER, "
        "a folder kept in step by Dropbox, Syncthing, "
        "OneDrive or a network share.",
    )
    join.add_argument("folder", metavar="FOLDER")
    team_commands.add_parser(
        "held",
        parents=[common],
        help="list teammates' changes held back",
        description="List the changes from teammates that failed a check and are held back "
        "(who they came from, which record, and why). Each is tried again at every sync.",
    )
    ahead = team_commands.add_parser(
        "clock-ahead",
        parents=[common],
        help="how far ahead a teammate's clock may be",
        description="A teammate's change whose clock is more than HOURS ahead of this "
        "computer's is held back until that time comes (a wrong system date, or a crafted "
        "file, would otherwise pin every clock to the future). A team setting; 24 by default.",
    )
    ahead.add_argument("hours", metavar="HOURS", type=int)
    rotate = team_commands.add_parser(
        "round-robin",
        parents=[common],
        help="share out new unowned leads in turn",
        description="New leads nobody named an owner for (imported rows without an owner, "
        "customers added from the command line) go to these people in turn. "
        "With no names, round-robin is off and they stay with whoever adds them.",
    )
    rotate.add_argument("names", metavar="NAME", nargs="*")
    sync = commands.add_parser(
        "sync",
        parents=[common],
        help="one round of team sync",
        description="Bring in teammates' changes and publish yours, once.",
    )
    sync.set_defaults(run=run_sync)
    merge = commands.add_parser(
        "merge",
        parents=[common],
        help="fold a conflict copy back in",
        description="Merge another copy of a salesdesk database (a sync "
        "tool's conflict copy, an old backup) into this one, "
        "then move it aside into salesdesk-merged/.",
    )
    merge.add_argument("other", metavar="OTHER.db")
    merge.add_argument("--dry-run", action="store_true", help="report what would change; change nothing")
    merge.set_defaults(run=run_merge)


def run_team(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.sync import team

    store = open_store(db_path, user)
    try:
        if getattr(args, "team_command", None) == "round-robin":
            names = [name.strip() for name in args.names if name.strip()]
            store.set_setting("round_robin", names)
            print(
                f"New unowned leads go in turn to: {', '.join(names)}."
                if names
                else "Round-robin is off: new leads stay with whoever adds them."
            )
            return 0
        if getattr(args, "team_command", None) == "clock-ahead":
            from salesdesk.core.errors import InvalidValue
            from salesdesk.sync.checks import AHEAD_RANGE, AHEAD_SETTING

            low, high = AHEAD_RANGE
            if not low <= args.hours <= high:
                raise InvalidValue("hours", f"{args.hours} hours is not a bound; use {low} to {high}.")
            store.set_setting(AHEAD_SETTING, args.hours)
            print(
                f"A teammate's change more than {args.hours} hours ahead of this computer's clock "
                "is held back."
            )
            return 0
        if getattr(args, "team_command", None) == "held":
            return _list_held(store)
        if getattr(args, "team_command", None) == "join":
            report = team.join(store, Path(args.folder))
            print(f"Joined the team in {team.team_folder(store)} as {user} (device {store.device}).")
            for line in report.lines():
                print(line)
            return 0
        folder = team.team_folder(store)
        if folder is None:
            print("Not in a team. Share through a sync folder with: salesdesk team join FOLDER")
            return 0
        print(f"Team folder: {folder}")
        print(f"This device: {store.device} ({user}), last published {store.meta('published_at') or 'never'}")
        for peer in team.peers(folder):
            mark = " (this device)" if peer.device == store.device else ""
            print(
                f"  {peer.user:<16} {peer.device}  published {peer.published_at}, "
                f"{peer.entries:,} changes{mark}"
            )
        from salesdesk.sync import held

        for line in held.summary(store.db):
            print(line)
        return 0
    finally:
        store.close()


def _list_held(store: Store) -> int:
    from salesdesk.core.text import literal
    from salesdesk.sync import held

    changes = held.listing(store.db)
    if not changes:
        print("No changes are held back: everything teammates published was merged.")
        return 0
    for change in changes:
        print(
            literal(
                f"{change.held_at}  {change.author:<16} {change.table}/{change.row_id}  "
                f"[{change.kind}] {change.reason}."
            )
        )
    noun = "change is" if len(changes) == 1 else "changes are"
    print(f"{len(changes):,} {noun} held back; each is tried again at every sync.")
    return 0


def run_sync(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.sync import team

    store = open_store(db_path, user)
    try:
        report = team.sync_once(store)
    finally:
        store.close()
    from salesdesk.core.text import literal

    for line in report.lines():
        print(literal(line))
    return 0


def run_merge(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.core.errors import SalesdeskError
    from salesdesk.sync.copies import archive, conflict_copy_kind
    from salesdesk.sync.merge import merge_database

    other = Path(args.other)
    if other.resolve() == db_path.resolve():
        raise SalesdeskError(f"{other} is the database itself; name another copy to merge.")
    kind = conflict_copy_kind(other, db_path.stem)
    store = open_store(db_path, user)
    try:
        report = merge_database(store, other, dry_run=args.dry_run)
    finally:
        store.close()
    what = f"{kind} conflict copy" if kind else "copy"
    verb = "Would merge" if args.dry_run else "Merged"
    print(f"Found {report.found:,} changes in {other.name} (its -wal included).")
    print(f"{verb} the {what} {other.name}: " + report.summary().split(": ", 1)[1])
    from salesdesk.core.text import literal

    for reason in report.reasons:
        print(literal(reason))
    if report.conflicts:
        print(
            f"{report.conflicts} fields were edited in both copies; the losing values are kept "
            "on the Conflicts screen (key 5)."
        )
    if not args.dry_run:
        moved = archive(other, datetime.now())
        print(f"Moved {other.name} to {moved} (kept, not deleted).")
    return 0


def warn_if_in_sync_folder(store: Store, db_path: Path) -> None:
    """Once per database: a working database inside a sync folder loses data."""
    from salesdesk.sync.copies import sync_tool_of

    tool = sync_tool_of(db_path)
    if tool is None or store.meta("warned_sync_folder") == str(db_path.resolve()):
        return
    print(
        f"salesdesk: warning: {db_path} is inside a {tool} folder. A sync tool can copy an open "
        "database half-written and lose edits. Keep the database outside it and share with "
        "'salesdesk team join FOLDER' instead.",
        file=sys.stderr,
    )
    store.set_meta("warned_sync_folder", str(db_path.resolve()))
