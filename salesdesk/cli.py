"""The command line: parse arguments, open the store, run a command or the app.

This is one of the two places that read the clock (the app is the other); everything
below receives `now` or `today` as a parameter.
"""

import argparse
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

from salesdesk import __version__


def _wall_clock() -> datetime:
    return datetime.now(timezone.utc)


def _local_today():
    return datetime.now().astimezone().date()


def build_parser() -> argparse.ArgumentParser:
    # --db and --user may stand before or after the command: both parsers know them,
    # and SUPPRESS keeps the sub-parser from overwriting a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help="the database file (default: $SALESDESK_DB, else the user data folder)")
    common.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                        help="who you are (default: $SALESDESK_USER, else the login name)")
    parser = argparse.ArgumentParser(
        prog="salesdesk", parents=[common],
        description="A keyboard-driven CRM in the terminal. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"salesdesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", parents=[common], help="build a demo database",
                               description="Build a demo database anchored on today.")
    demo.add_argument("--size", choices=("small", "large"), default="small",
                      help="small: about 40 customers; large: 100,000 customers, 30,000 deals, "
                           "1,000,000 interactions")
    demo.add_argument("--force", action="store_true",
                      help="overwrite a database that is not a demo")
    demo.add_argument("--today", metavar="YYYY-MM-DD",
                      help="the day the demo is anchored on (default: today)")

    commands.add_parser("check", parents=[common], help="integrity and schema report",
                        description="Report integrity, schema version and row counts.")

    backup = commands.add_parser("backup", parents=[common], help="write a consistent copy",
                                 description="Write a consistent, verified copy of the database.")
    backup.add_argument("-o", "--output", metavar="FILE",
                        help="where to write it (default: beside the database, dated)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from salesdesk.core.errors import InvalidValue, SalesdeskError
    from salesdesk.paths import resolve_db_path, resolve_user

    try:
        db_path = resolve_db_path(getattr(args, "db", None))
        user = resolve_user(getattr(args, "user", None))
        handler = COMMANDS.get(args.command, run_app)
        return handler(args, db_path, user) or 0
    except InvalidValue as error:
        print(f"salesdesk: {error.field}: {error}", file=sys.stderr)
        return 1
    except SalesdeskError as error:
        print(f"salesdesk: {error}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as error:
        print(f"salesdesk: the database could not be used ({error}); "
              "run 'salesdesk check' for a report.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _open_store(db_path: Path, user: str):
    from salesdesk.store.store import Store

    return Store.open(db_path, user, _wall_clock)


def run_app(args, db_path: Path, user: str) -> int:
    store = _open_store(db_path, user)
    try:
        from salesdesk.tui.app import SalesdeskApp

        SalesdeskApp(store, user=user, today=_local_today()).run()
    finally:
        store.close()
    return 0


def run_demo(args, db_path: Path, user: str) -> int:
    from salesdesk.core.dates import parse_iso_date
    from salesdesk.demo import write_demo

    now = _wall_clock()
    if args.today:
        anchor = parse_iso_date(args.today, "--today")
        now = datetime.combine(anchor, now.timetz())
    counts = write_demo(db_path, args.size, now, user, force=args.force)
    print(f"Built a {args.size} demo in {db_path}: " + ", ".join(
        f"{counts[name]:,} {name}" for name in ("customers", "deals", "interactions", "followups")))
    print(f"Open it with: salesdesk --db {db_path}")
    return 0


def run_check(args, db_path: Path, user: str) -> int:
    from salesdesk.store.check import check_database

    report = check_database(db_path)
    width = max(len(label) for label, _ in report.lines)
    print(f"salesdesk check: {db_path}")
    for label, value in report.lines:
        print(f"  {label:<{width}}  {value}")
    return 0 if report.ok else 1


def run_backup(args, db_path: Path, user: str) -> int:
    from salesdesk.paths import default_backup_path
    from salesdesk.store.connection import backup_to

    target = Path(args.output) if args.output else default_backup_path(db_path, datetime.now())
    store = _open_store(db_path, user)
    try:
        backup_to(store.db, target)
    finally:
        store.close()
    print(f"Wrote a verified backup to {target}")
    return 0


COMMANDS = {
    "demo": run_demo,
    "check": run_check,
    "backup": run_backup,
}
