"""Commands on the database file itself: demo, check, backup."""

import argparse
from datetime import datetime
from pathlib import Path

from salesdesk.cli.common import Commands, open_store_to_read, wall_clock


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="build a demo database",
        description="Build a demo database anchored on today.",
    )
    demo.add_argument(
        "--size",
        choices=("small", "large"),
        default="small",
        help="small: about 40 customers; large: 100,000 customers, 30,000 deals, 1,000,000 interactions",
    )
    demo.add_argument("--force", action="store_true", help="overwrite a database that is not a demo")
    demo.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day the demo is anchored on (default: today)"
    )
    demo.set_defaults(run=run_demo)

    check = commands.add_parser(
        "check",
        parents=[common],
        help="integrity and schema report",
        description="Report integrity, schema version and row counts.",
    )
    check.set_defaults(run=run_check)

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="write a consistent copy",
        description="Write a consistent, verified copy of the database.",
    )
    backup.add_argument(
        "-o", "--output", metavar="FILE", help="where to write it (default: beside the database, dated)"
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
    print(
        f"Built a {args.size} demo in {db_path}: "
        + ", ".join(
            f"{counts[name]:,} {name}" for name in ("customers", "deals", "interactions", "followups")
        )
    )
    print(f"Open it with: salesdesk --db {db_path}")
    return 0


def run_check(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.store.check import check_database

    report = check_database(db_path)
    width = max(len(label) for label, _ in report.lines)
    print(f"salesdesk check: {db_path}")
    for label, value in report.lines:
        print(f"  {label:<{width}}  {value}")
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
    print(f"Wrote a verified backup to {target}")
    return 0
