"""`salesdesk agenda`: print the agenda of a day (laid out in `agenda_table`)."""

import argparse
from pathlib import Path

from salesdesk.cli.common import Commands, local_today, open_store_to_read
from salesdesk.i18n import _


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    agenda = commands.add_parser(
        "agenda",
        parents=[common],
        help=_("print today's agenda"),
        description=_(
            "Print the agenda: overdue, today and the next 7 days of follow-ups, care reminders "
            "and instalments to collect."
        ),
    )
    agenda.add_argument(
        "--date",
        metavar="DAY",
        help=_(
            "the day whose agenda to print (default: today): YYYY-MM-DD, tomorrow, fri, next mon, 3d, "
            "明天, 周五, 下周一, 3天"
        ),
    )
    agenda.add_argument(
        "--all", action="store_true", help=_("everyone's follow-ups and reminders, not only yours")
    )
    agenda.set_defaults(run=run_agenda)


def run_agenda(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.cli.agenda_table import print_agenda
    from salesdesk.core.dates import parse_quick_date
    from salesdesk.store.agenda import AgendaStore

    today = parse_quick_date(args.date, local_today(), "--date") if args.date else local_today()
    store = open_store_to_read(db_path, user)
    try:
        print_agenda(AgendaStore(store).load(today, everyone=args.all), user)
    finally:
        store.close()
    return 0
