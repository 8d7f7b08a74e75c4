"""Commands of a team sharing a folder: team, team create, team join, team rotate-key, team
upgrade, team devices, team accept, team revoke, team held, team round-robin, sync, merge."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.cli.common import Commands, TerminalProgress, open_store
from salesdesk.i18n import _, ngettext

if TYPE_CHECKING:
    from salesdesk.store.store import Store
    from salesdesk.sync.merge import MergeReport


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    team = commands.add_parser(
        "team",
        parents=[common],
        help=_("share through a sync folder"),
        description=_("Show the team folder and the devices in it, or join one."),
    )
    team.set_defaults(run=run_team)
    team_commands = team.add_subparsers(dest="team_command", metavar="ACTION")
    create = team_commands.add_parser(
        "create",
        parents=[common],
        help=_("start a team in a sync folder"),
        description=_(
            "Start a team in FOLDER, a folder kept in step by Dropbox, Syncthing, OneDrive or a network "
            "share: a new team key, and this copy's changes published into it, encrypted. Prints the join "
            "code to give each teammate."
        ),
    )
    create.add_argument("folder", metavar="FOLDER")
    join = team_commands.add_parser(
        "join",
        parents=[common],
        help=_("join a team (or add its new key)"),
        description=_(
            "Join the team sharing FOLDER with the join code a member gave you (asked for when not "
            "given); also how a member adds the new code after 'team rotate-key'."
        ),
    )
    join.add_argument("folder", metavar="FOLDER")
    join.add_argument("--code", metavar="CODE", help=_("the join code (asked for when not given)"))
    team_commands.add_parser(
        "rotate-key",
        parents=[common],
        help=_("change the team key"),
        description=_(
            "Make a new team key, seal this device's files under it, and print the new join code for "
            "the others. Members who had the old key still read the old files until they are compacted."
        ),
    )
    team_commands.add_parser(
        "upgrade",
        parents=[common],
        help=_("encrypt a team folder of the old format"),
        description=_(
            "Turn this copy's team folder of the old, unencrypted format into an encrypted one: every "
            "file in it merged, a team key made, everything published encrypted, the old files removed."
        ),
    )
    team_commands.add_parser(
        "devices",
        parents=[common],
        help=_("list the team's devices"),
        description=_("List the devices of the team: id, user, key fingerprint, state, last published."),
    )
    accept = team_commands.add_parser(
        "accept",
        parents=[common],
        help=_("accept a teammate's new device"),
        description=_("Trust a pending device (a new device of someone already in the team), for everyone."),
    )
    accept.add_argument("device", metavar="ID")
    revoke = team_commands.add_parser(
        "revoke",
        parents=[common],
        help=_("revoke a device"),
        description=_(
            "Revoke a device (lost, stolen, or of someone who left): its later files are ignored by "
            "everyone. Then change the key with 'salesdesk team rotate-key'."
        ),
    )
    revoke.add_argument("device", metavar="ID")
    team_commands.add_parser(
        "held",
        parents=[common],
        help=_("list teammates' changes held back"),
        description=_(
            "List the changes from teammates that failed a check and are held back "
            "(who they came from, which record, and why). Each is tried again at every sync."
        ),
    )
    ahead = team_commands.add_parser(
        "clock-ahead",
        parents=[common],
        help=_("how far ahead a teammate's clock may be"),
        description=_(
            "A teammate's change whose clock is more than HOURS ahead of this "
            "computer's is held back until that time comes (a wrong system date, or a crafted "
            "file, would otherwise pin every clock to the future). A team setting; 24 by default."
        ),
    )
    ahead.add_argument("hours", metavar="HOURS", type=int)
    rotate = team_commands.add_parser(
        "round-robin",
        parents=[common],
        help=_("share out new unowned leads in turn"),
        description=_(
            "New leads nobody named an owner for (imported rows without an owner, "
            "customers added from the command line) go to these people in turn. "
            "With no names, round-robin is off and they stay with whoever adds them."
        ),
    )
    rotate.add_argument("names", metavar="NAME", nargs="*")
    sync = commands.add_parser(
        "sync",
        parents=[common],
        help=_("one round of team sync"),
        description=_("Bring in teammates' changes and publish yours, once."),
    )
    sync.set_defaults(run=run_sync)
    merge = commands.add_parser(
        "merge",
        parents=[common],
        help=_("fold a conflict copy back in"),
        description=_(
            "Merge another copy of a salesdesk database (a sync "
            "tool's conflict copy, an old backup) into this one, "
            "then move it aside into salesdesk-merged/."
        ),
    )
    merge.add_argument("other", metavar="OTHER.db")
    merge.add_argument("--dry-run", action="store_true", help=_("report what would change; change nothing"))
    merge.set_defaults(run=run_merge)


def _code(args: argparse.Namespace) -> str | None:
    """The join code of `team join`, checked against the folder before anything is written;
    asked for (not echoed) when the folder is encrypted and none was given."""
    from salesdesk.sync import folder

    where = Path(args.folder).expanduser()
    code = args.code
    if code is None and folder.is_encrypted(where):
        import getpass

        code = getpass.getpass(_("Join code: "))
    if code is not None or not folder.plain_files(where):
        folder.check_code(where, code or "")
    return code


def run_team(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.sync import team

    code = _code(args) if getattr(args, "team_command", None) == "join" else None
    store = open_store(db_path, user)
    try:
        if getattr(args, "team_command", None) == "round-robin":
            names = [name.strip() for name in args.names if name.strip()]
            store.set_setting("round_robin", names)
            print(
                _("New unowned leads go in turn to: {names}.").format(names=_(", ").join(names))
                if names
                else _("Round-robin is off: new leads stay with whoever adds them.")
            )
            return 0
        if getattr(args, "team_command", None) == "clock-ahead":
            from salesdesk.core.errors import InvalidValue
            from salesdesk.sync.checks import AHEAD_RANGE, AHEAD_SETTING

            low, high = AHEAD_RANGE
            if not low <= args.hours <= high:
                raise InvalidValue(
                    "hours",
                    _("{hours} hours is not a bound; use {low} to {high}.").format(
                        hours=args.hours, low=low, high=high
                    ),
                )
            store.set_setting(AHEAD_SETTING, args.hours)
            print(
                _(
                    "A teammate's change more than {hours} hours ahead of this computer's clock is held back."
                ).format(hours=args.hours)
            )
            return 0
        if getattr(args, "team_command", None) == "held":
            return _list_held(store)
        command = getattr(args, "team_command", None)
        if command in ("create", "rotate-key", "upgrade", "devices", "accept", "revoke"):
            return _encrypted(command, args, store)
        if command == "join":
            with TerminalProgress() as progress:
                report, where = team.join(store, Path(args.folder), code, progress)
            print(
                _("Joined the team in {folder} as {user} (device {device}).").format(
                    folder=team.team_folder(store), user=user, device=store.device
                )
            )
            if where:
                print(_("The team key is kept in {where}.").format(where=where))
            from salesdesk.core.text import literal

            for line in report.lines():
                print(literal(line))
            return 0
        folder = team.team_folder(store)
        if folder is None:
            print(
                _(
                    "Not in a team. Start one in a sync folder with 'salesdesk team create FOLDER', or join "
                    "one with 'salesdesk team join FOLDER'."
                )
            )
            return 0
        print(_("Team folder: {folder}").format(folder=folder))
        print(
            _("This device: {device} ({user}), last published {when}").format(
                device=store.device, user=user, when=store.meta("published_at") or _("never")
            )
        )
        encrypted = team.is_encrypted(folder)
        if encrypted:
            _encrypted("devices", args, store)
        for peer in [] if encrypted else team.peers(folder, store):
            mark = _(" (this device)") if peer.device == store.device else ""
            print(
                f"  {peer.user:<16} {peer.device}  "
                + _("published {when}, {n} changes").format(when=peer.published_at, n=f"{peer.entries:,}")
                + mark
            )
        from salesdesk.sync import held

        for line in held.summary(store.db):
            print(line)
        return 0
    finally:
        store.close()


def _encrypted(command: str, args: argparse.Namespace, store: Store) -> int:
    """create, rotate-key, upgrade, devices, accept and revoke: the encrypted team folder."""
    from salesdesk.core.errors import SalesdeskError
    from salesdesk.core.text import literal
    from salesdesk.sync import folder, team

    if command == "create":
        code, where = folder.create(store, Path(args.folder))
        print(_("Started a team in {folder}.").format(folder=team.team_folder(store)))
        print(_("The team key is kept in {where}.").format(where=where))
        print(_("The join code (give it to each teammate, and to no one else):"))
        print(f"  {code}")
        return 0
    current = team.team_folder(store)
    if current is None:
        raise SalesdeskError(
            _("This database is not in a team yet; run 'salesdesk team create FOLDER' first.")
        )
    if command == "upgrade":
        report = team.SyncReport()
        code, where, removed = folder.upgrade(store, current, report)
        for merged in report.merged:
            print(literal(merged.summary()))
        for name in removed:
            print(
                _("Removed {name} from the team folder (its changes are in the encrypted files).").format(
                    name=name
                )
            )
        print(
            _("The team in {folder} is encrypted now; the team key is kept in {where}.").format(
                folder=current, where=where
            )
        )
        print(
            _("Every teammate runs 'salesdesk team join {folder}' with this join code:").format(
                folder=current
            )
        )
        print(f"  {code}")
        return 0
    if command == "rotate-key":
        code, where = folder.rotate_key(store, current)
        print(
            _(
                "A new team key is made; this device's files are sealed under it, and it is kept in {where}."
            ).format(where=where)
        )
        print(
            _("Every other member runs 'salesdesk team join {folder}' with the new join code:").format(
                folder=current
            )
        )
        print(f"  {code}")
        return 0
    if command == "devices":
        rows = folder.devices(store)
        if not rows:
            print(_("No devices known yet; run 'salesdesk sync'."))
        for row in rows:
            mark = _(" (this device)") if row.this else ""
            state = {"trusted": _("trusted"), "pending": _("pending"), "revoked": _("revoked")}[row.state]
            print(
                literal(
                    f"{row.device}  {row.user:<16} {row.fingerprint}  {state:<8} "
                    + _("published {when}").format(when=row.published_at or _("never"))
                    + mark
                )
            )
        return 0
    if command == "accept":
        device, name = folder.accept(store, args.device)
        print(
            literal(
                _("Accepted {user}'s device {device}; its changes are merged from now on.").format(
                    user=name, device=device
                )
            )
        )
    else:
        device, name, after = folder.revoke(store, args.device)
        print(
            literal(
                _(
                    "Revoked {user}'s device {device}: everyone ignores its segments after {n} once "
                    "they sync. "
                    "Change the key now with 'salesdesk team rotate-key', so it cannot read what comes next."
                ).format(user=name, device=device, n=after)
            )
        )
    report = team.sync_once(store)  # the statement travels in this device's record
    for line in report.lines():
        print(literal(line))
    return 0


def _list_held(store: Store) -> int:
    from salesdesk.core.errors import record_name
    from salesdesk.core.text import literal
    from salesdesk.store.schema import SYNCED_TABLES
    from salesdesk.sync import held

    changes = held.listing(store.db)
    if not changes:
        print(_("No changes are held back: everything teammates published was merged."))
        return 0
    for change in changes:
        what = f"{change.table}/{change.row_id}"
        if change.table in SYNCED_TABLES:
            named = change.name and change.name != change.row_id
            what = _("{record} {name} ({id})") if named else _("{record} {id}")
            what = what.format(record=record_name(change.table), name=repr(change.name), id=change.row_id)
        kind = held.kind_shown(change.kind)
        print(literal(f"{change.held_at}  {change.author:<16} {what}  [{kind}] {change.reason}."))
    print(
        ngettext(
            "{n} change is held back; each is tried again at every sync.",
            "{n} changes are held back; each is tried again at every sync.",
            len(changes),
        ).format(n=f"{len(changes):,}")
    )
    return 0


def run_sync(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.sync import team

    store = open_store(db_path, user)
    try:
        with TerminalProgress() as progress:
            report = team.sync_once(store, progress)
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
        raise SalesdeskError(
            _("{other} is the database itself; name another copy to merge.").format(other=other)
        )
    kind = conflict_copy_kind(other, db_path.stem)
    store = open_store(db_path, user)
    try:
        with TerminalProgress() as say:
            say(_("Reading {name}…").format(name=other.name))
            report = merge_database(store, other, dry_run=args.dry_run, progress=merging(say, other.name))
    finally:
        store.close()
    print(
        _("Found {n} changes in {name} (its -wal included).").format(n=f"{report.found:,}", name=other.name)
    )
    print(_merged_line(kind, args.dry_run, other.name, report))
    from salesdesk.core.text import literal

    for reason in report.reasons:
        print(literal(reason))
    if report.conflicts:
        print(
            _(
                "{n} fields were edited in both copies; the losing values are kept "
                "on the Conflicts screen (key 5)."
            ).format(n=report.conflicts)
        )
    if not args.dry_run:
        moved = archive(other, datetime.now())
        print(_("Moved {name} to {moved} (kept, not deleted).").format(name=other.name, moved=moved))
    return 0


def merging(say: Callable[[str], None], name: str) -> Callable[[int, int], None]:
    """A merge of the copy `name`, said as it goes: how many of its new changes are taken."""
    from salesdesk.sync.merge import said_progress

    return said_progress(say, _("Merging {name}: {done} of {total} new changes…"), name=name)


def _merged_line(kind: str | None, dry_run: bool, name: str, report: MergeReport) -> str:
    """`Merged the Dropbox conflict copy NAME: ...`, the rest said as the merge's summary says it."""
    summary = report.summary()
    rest = summary[len(report.source) :].lstrip(":： ") if summary.startswith(report.source) else summary
    if kind:
        line = (
            _("Would merge the {kind} conflict copy {name}: ")
            if dry_run
            else _("Merged the {kind} conflict copy {name}: ")
        )
        return line.format(kind=kind, name=name) + rest
    line = _("Would merge the copy {name}: ") if dry_run else _("Merged the copy {name}: ")
    return line.format(name=name) + rest


def warn_if_in_sync_folder(store: Store, db_path: Path) -> None:
    """Once per database: a working database inside a sync folder loses data."""
    from salesdesk.sync.copies import sync_tool_of

    tool = sync_tool_of(db_path)
    if tool is None or store.meta("warned_sync_folder") == str(db_path.resolve()):
        return
    print(
        "salesdesk: "
        + _(
            "warning: {path} is inside a {tool} folder. A sync tool can copy an open "
            "database half-written and lose edits. Keep the database outside it and share with "
            "'salesdesk team join FOLDER' instead."
        ).format(path=db_path, tool=tool),
        file=sys.stderr,
    )
    store.set_meta("warned_sync_folder", str(db_path.resolve()))
