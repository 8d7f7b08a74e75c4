"""Commands on the database file itself: demo, check, backup."""

import argparse
from datetime import datetime
from pathlib import Path

from salesdesk.cli.common import Commands, open_store_to_read, wall_clock
from salesdesk.i18n import _, ngettext


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help=_("build a demo database"),
        description=_("Build a demo database anchored on today."),
    )
    demo.add_argument(
        "--size",
        choices=("small", "large"),
        default="small",
        help=_("small: about 40 customers; large: 100,000 customers, 30,000 deals, 1,000,000 interactions"),
    )
    demo.add_argument("--force", action="store_true", help=_("overwrite a database that is not a demo"))
    demo.add_argument(
        "--today", metavar="YYYY-MM-DD", help=_("the day the demo is anchored on (default: today)")
    )
    demo.set_defaults(run=run_demo)

    check = commands.add_parser(
        "check",
        parents=[common],
        help=_("integrity and schema report"),
        description=_("Report integrity, schema version and row counts."),
    )
    check.set_defaults(run=run_check)

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help=_("write a consistent copy"),
        description=_("Write a consistent, verified copy of the database."),
    )
    backup.add_argument(
        "-o", "--output", metavar="FILE", help=_("where to write it (default: beside the database, dated)")
    )
    backup.set_defaults(run=run_backup)


def run_demo(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.core.dates import parse_iso_date
    from salesdesk.demo import write_demo

    now = wall_clock()
    if args.today:
        anchor = parse_iso_date(args.today, "--today")
        now = datetime.combine(anchor, now.timetz())
    counts = write_demo(db_path, args.size, now, user, force=args.force)
    what = _("a small demo") if args.size == "small" else _("a large demo")
    print(
        _("Built {demo} in {path}: {counts}").format(
            demo=what,
            path=db_path,
            counts=_("{customers}, {deals}, {interactions}, {followups}").format(
                customers=_counted(counts, "customers"),
                deals=_counted(counts, "deals"),
                interactions=_counted(counts, "interactions"),
                followups=_counted(counts, "followups"),
            ),
        )
    )
    print(_("Open it with: {command}").format(command=f"salesdesk --db {db_path}"))
    return 0


def run_check(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.store.check import check_database

    report = check_database(db_path)
    from rich.cells import cell_len

    labels = [_(label) for label, _value in report.lines]
    width = max(cell_len(label) for label in labels)
    print(_("salesdesk check: {path}").format(path=db_path))
    for label, (_label, value) in zip(labels, report.lines, strict=True):
        print(f"  {label}{' ' * (width - cell_len(label))}  {value}")
    return 0 if report.ok else 1


def run_backup(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.paths import default_backup_path
    from salesdesk.store.connection import backup_to

    target = Path(args.output) if args.output else default_backup_path(db_path, datetime.now())
    store = open_store_to_read(db_path, user, say_snapshot=False)
    try:
        backup_to(store.db, target)
    finally:
        store.close()
    print(_("Wrote a verified backup to {path}").format(path=target))
    return 0


def _counted(counts: dict[str, int], table: str) -> str:
    """`40 customers`: how many rows of `table` the demo holds, in words."""
    n = counts[table]
    if table == "customers":
        text = ngettext("{n} customer", "{n} customers", n)
    elif table == "deals":
        text = ngettext("{n} deal", "{n} deals", n)
    elif table == "interactions":
        text = ngettext("{n} interaction", "{n} interactions", n)
    else:
        text = ngettext("{n} follow-up", "{n} follow-ups", n)
    return text.format(n=f"{n:,}")
