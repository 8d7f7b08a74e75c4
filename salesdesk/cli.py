"""The command line: parse arguments, open the store, run a command or the app.

This is one of the two places that read the clock (the app is the other); everything
below receives `now` or `today` as a parameter.
"""

import argparse
import gc
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from salesdesk import __version__


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def _local_today():
    return datetime.now().astimezone().date()


def build_parser() -> argparse.ArgumentParser:
    # --db and --user may stand before or after the command: both parsers know them,
    # and SUPPRESS keeps the sub-parser from overwriting a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the database file (default: $SALESDESK_DB, else the user data folder)",
    )
    common.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="who you are (default: $SALESDESK_USER, else the login name)",
    )
    parser = argparse.ArgumentParser(
        prog="salesdesk",
        parents=[common],
        description="A keyboard-driven CRM in the terminal. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"salesdesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

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

    agenda = commands.add_parser(
        "agenda",
        parents=[common],
        help="print today's agenda",
        description="Print the agenda: overdue, today and the next 7 days of follow-ups and care reminders.",
    )
    agenda.add_argument("--date", metavar="YYYY-MM-DD", help="the day whose agenda to print (default: today)")
    agenda.add_argument(
        "--all", action="store_true", help="everyone's follow-ups and reminders, not only yours"
    )

    commands.add_parser(
        "check",
        parents=[common],
        help="integrity and schema report",
        description="Report integrity, schema version and row counts.",
    )

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="write a consistent copy",
        description="Write a consistent, verified copy of the database.",
    )
    backup.add_argument(
        "-o", "--output", metavar="FILE", help="where to write it (default: beside the database, dated)"
    )

    _add_import_export(commands, common)
    from salesdesk import cli_team

    cli_team.add_parsers(commands, common)
    return parser


def _add_import_export(commands, common) -> None:
    imports = commands.add_parser(
        "import",
        parents=[common],
        help="import customers from a file",
        description="Import customers from a CSV/TSV file or vCards.",
    )
    kinds = imports.add_subparsers(dest="kind", metavar="KIND", required=True)
    sheet = kinds.add_parser(
        "customers",
        parents=[common],
        help="customers from a CSV or TSV file",
        description="Import customers from a CSV/TSV file as any spreadsheet saves it. Rows "
        "whose email or phone matches a customer update it; exit status 0 when "
        "every row was imported, 1 when some were refused, 2 when the file "
        "could not be read (then nothing is imported).",
    )
    vcard = kinds.add_parser(
        "vcard",
        parents=[common],
        help="customers from a vCard (.vcf) file",
        description="Import the cards of a vCard file (2.1, 3.0 or 4.0) "
        "as customers, matched like a CSV import.",
    )
    for parser in (sheet, vcard):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be imported and save nothing"
        )
        parser.add_argument(
            "--region",
            metavar="CC",
            help="read phone numbers without a country code as this region's "
            "(e.g. GB); CN and US are always tried",
        )
    sheet.add_argument("--encoding", metavar="E", help="the file's encoding (default: detected)")
    sheet.add_argument(
        "--delimiter", metavar="D", help="the column separator: , ; or tab (default: detected)"
    )
    order = sheet.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", action="store_true", help="read 03/04/2026 as 3 April")
    order.add_argument("--monthfirst", action="store_true", help="read 03/04/2026 as March 4")

    exports = commands.add_parser(
        "export",
        parents=[common],
        help="write CSV, iCalendar or the weekly summary",
        description="Export records as CSV or follow-ups as iCalendar.",
    )
    formats = exports.add_subparsers(dest="format", metavar="FORMAT", required=True)
    table = formats.add_parser(
        "csv",
        parents=[common],
        help="a table as CSV for a spreadsheet",
        description="Write a table as CSV: UTF-8 with a byte-order mark, formula-looking cells escaped.",
    )
    table.add_argument("table", choices=("customers", "deals", "interactions", "followups"))
    table.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: stdout)")
    calendar = formats.add_parser(
        "ics",
        parents=[common],
        help="follow-ups as an iCalendar file",
        description="Write your open follow-ups of the coming weeks "
        "as an iCalendar file for a phone calendar.",
    )
    calendar.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: stdout)")
    calendar.add_argument("--weeks", type=int, default=6, help="how many weeks ahead (default: 6)")
    calendar.add_argument("--all", action="store_true", help="everyone's follow-ups, not only yours")
    from salesdesk.cli_weekly import add_weekly_parser

    add_weekly_parser(formats, common)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from salesdesk.cache import holiday_cache
    from salesdesk.core import calendars
    from salesdesk.core.errors import InvalidValue, SalesdeskError
    from salesdesk.paths import cache_dir, resolve_db_path, resolve_user

    calendars.keep_years_in(holiday_cache(cache_dir))
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
        print(
            f"salesdesk: the database could not be used ({error}); run 'salesdesk check' for a report.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


def _open_store(db_path: Path, user: str):
    from salesdesk.store.store import Store

    return Store.open(db_path, user, _wall_clock)


def run_app(args, db_path: Path, user: str) -> int:
    # Start-up allocates a great many objects and frees few: the garbage collector
    # would only walk them, 40 ms of the start-up on the large demo. The app turns it
    # back on once the first agenda is on screen (SalesdeskApp.started).
    gc.disable()
    store = _open_store(db_path, user)
    try:
        from salesdesk.cli_team import warn_if_in_sync_folder

        warn_if_in_sync_folder(store, db_path)
        from salesdesk.store.agenda import AgendaStore

        today = _local_today()
        # The agenda is read while the interface is imported and drawn (see load_soon).
        first_agenda = AgendaStore.load_soon(AgendaStore(store).path, user, _wall_clock, today)
        from salesdesk.tui.app import SalesdeskApp

        SalesdeskApp(store, user=user, today=today, first_agenda=first_agenda).run()
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
    print(
        f"Built a {args.size} demo in {db_path}: "
        + ", ".join(
            f"{counts[name]:,} {name}" for name in ("customers", "deals", "interactions", "followups")
        )
    )
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


def run_agenda(args, db_path: Path, user: str) -> int:
    from salesdesk.core.dates import parse_iso_date

    today = parse_iso_date(args.date, "--date") if args.date else _local_today()
    store = _open_store(db_path, user)
    try:
        from salesdesk.agenda_print import print_agenda
        from salesdesk.store.agenda import AgendaStore

        print_agenda(AgendaStore(store).load(today, everyone=args.all), user)
    finally:
        store.close()
    return 0


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


def run_import(args, db_path: Path, user: str) -> int:
    from salesdesk import cli_io

    handler = cli_io.import_customers if args.kind == "customers" else cli_io.import_vcard
    return handler(args, lambda: _open_store(db_path, user))


def run_export(args, db_path: Path, user: str) -> int:
    from salesdesk import cli_io

    if args.format == "weekly":  # checks --week before the database is opened
        from salesdesk.cli_weekly import export_weekly

        return export_weekly(args, lambda: _open_store(db_path, user), today=_local_today())
    store = _open_store(db_path, user)
    try:
        if args.format == "ics":
            return cli_io.export_ics(args, store, today=_local_today(), now=_wall_clock())
        return cli_io.export_csv(args, store)
    finally:
        store.close()


def run_team(args, db_path: Path, user: str) -> int:
    from salesdesk import cli_team

    return cli_team.run_team(args, db_path, user, _open_store)


def run_sync(args, db_path: Path, user: str) -> int:
    from salesdesk import cli_team

    return cli_team.run_sync(args, db_path, user, _open_store)


def run_merge(args, db_path: Path, user: str) -> int:
    from salesdesk import cli_team

    return cli_team.run_merge(args, db_path, user, _open_store)


COMMANDS = {
    "team": run_team,
    "sync": run_sync,
    "merge": run_merge,
    "import": run_import,
    "export": run_export,
    "demo": run_demo,
    "check": run_check,
    "backup": run_backup,
    "agenda": run_agenda,
}
