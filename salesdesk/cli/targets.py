"""`salesdesk target`: set, list and unset the targets of a person or the team."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.cli.common import Commands, local_today, open_store, open_store_to_read
from salesdesk.i18n import _

if TYPE_CHECKING:
    from salesdesk.core.targets import MemberProgress, TargetPeriod

GAP = "  "


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    target = commands.add_parser(
        "target",
        parents=[common],
        help=_("set and follow targets of won value and money collected"),
        description=_(
            "Targets of a person, or of the team, for a month: the value won or the money collected, "
            "in a currency. Quarters and the year are the sums of their months. NAME is a person, or "
            "'team' for the team's target."
        ),
    )
    target.set_defaults(run=run_list)
    actions = target.add_subparsers(dest="target_command", metavar="ACTION")
    set_ = actions.add_parser(
        "set",
        parents=[common],
        help=_("set a target (again: a new amount)"),
        description=_(
            "Set the target of NAME (a person, or 'team') for MONTH (YYYY-MM), MEASURE (won or "
            "collected), in CURRENCY, such as: salesdesk target set ann 2027-01 won 500000 CNY. "
            "Setting it again changes its amount."
        ),
    )
    helps = _argument_help()
    for name in ("name", "month", "measure", "amount", "currency"):
        set_.add_argument(name, metavar=name.upper(), help=helps[name])
    set_.set_defaults(run=run_set)
    unset = actions.add_parser(
        "unset",
        parents=[common],
        help=_("remove a target"),
        description=_("Remove the target of NAME (a person, or 'team') for MONTH, MEASURE and CURRENCY."),
    )
    for name in ("name", "month", "measure", "currency"):
        unset.add_argument(name, metavar=name.upper(), help=helps[name])
    unset.set_defaults(run=run_unset)
    list_ = actions.add_parser(
        "list",
        parents=[common],
        help=_("show the progress against the targets"),
        description=_(
            "Show your progress against your targets of a month, a quarter or a year (this month "
            "unless one is given): done, target, percent and what is needed a working day left."
        ),
    )
    periods = list_.add_mutually_exclusive_group()
    periods.add_argument("--month", metavar="YYYY-MM", help=_("a month, such as 2027-01"))
    periods.add_argument("--quarter", metavar="YYYY-QN", help=_("a quarter, such as 2027-Q1"))
    periods.add_argument("--year", metavar="YYYY", help=_("a year, such as 2027"))
    list_.add_argument("--all", action="store_true", help=_("each member and the team, not only you"))
    list_.add_argument(
        "--date", metavar="DAY", help=_("count the working days left from this day (default: today)")
    )
    list_.set_defaults(run=run_list)


def _argument_help() -> dict[str, str]:
    return {
        "name": _("a person, or team (团队) for the team"),
        "month": _("the month, YYYY-MM, such as 2027-01"),
        "measure": _("won (value won, 赢单) or collected (money collected, 回款)"),
        "amount": _("the amount, such as 500000, 500,000 or 500k"),
        "currency": _("a currency code, such as CNY or USD"),
    }


def _person(text: str) -> str:
    from salesdesk.core.errors import InvalidValue
    from salesdesk.core.targets import TEAM, is_team_word

    if is_team_word(text):
        return TEAM
    name = text.strip()
    if not name or len(name) > 200:
        raise InvalidValue("name", _("Give a person's name (up to 200 characters), or 'team' for the team."))
    return name


def _key(args: argparse.Namespace) -> tuple[str, str, str, str]:
    from salesdesk.core.money import check_currency
    from salesdesk.core.targets import parse_measure, parse_month

    return (
        _person(args.name),
        parse_month(args.month),
        parse_measure(args.measure),
        check_currency(args.currency),
    )


def run_set(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.core.money import format_money, parse_amount
    from salesdesk.core.targets import measure_label, person_label
    from salesdesk.store.targets import TargetStore

    person, month, measure, currency = _key(args)  # all checked before the database is opened
    amount = parse_amount(args.amount, currency)
    store = open_store(db_path, user)
    try:
        TargetStore(store).set(person, month, measure, amount, currency)
    finally:
        store.close()
    print(
        _("Target set: {person}, {month}, {measure} {amount}.").format(
            person=person_label(person),
            month=month,
            measure=measure_label(measure),
            amount=format_money(amount, currency),
        )
    )
    return 0


def run_unset(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.core.errors import SalesdeskError
    from salesdesk.core.targets import measure_label, person_label
    from salesdesk.store.targets import TargetStore

    person, month, measure, currency = _key(args)
    store = open_store(db_path, user)
    try:
        removed = TargetStore(store).remove(person, month, measure, currency)
    finally:
        store.close()
    what = _("{person}, {month}, {measure} in {currency}").format(
        person=person_label(person), month=month, measure=measure_label(measure), currency=currency
    )
    if not removed:
        raise SalesdeskError(_("There is no target of {what}.").format(what=what))
    print(_("Target removed: {what}.").format(what=what))
    return 0


def _period(args: argparse.Namespace, today: object) -> TargetPeriod:
    from datetime import date

    from salesdesk.core.targets import MONTH, QUARTER, YEAR, TargetPeriod, parse_period

    for kind, text, key in (
        (MONTH, args.month, "--month"),
        (QUARTER, args.quarter, "--quarter"),
        (YEAR, args.year, "--year"),
    ):
        if text is not None:
            return parse_period(text, kind, key)
    assert isinstance(today, date)
    return TargetPeriod.of(MONTH, today)


def run_list(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.core.dates import parse_quick_date
    from salesdesk.store.targets import TargetStore

    if getattr(args, "target_command", None) is None:  # `salesdesk target`: this month, yours
        args.month = args.quarter = args.year = args.date = None
        args.all = False
    today = parse_quick_date(args.date, local_today(), "--date") if args.date else local_today()
    period = _period(args, today)
    store = open_store_to_read(db_path, user)
    try:
        targets = TargetStore(store)
        rows = targets.board(period, today, all_done=False) if args.all else [targets.progress(period, today)]
        days = targets.days_left(period, today)
    finally:
        store.close()
    for line in progress_lines(rows, period, days, with_people=args.all):
        print(line)
    return 0


def progress_lines(
    rows: list[MemberProgress], period: TargetPeriod, days_left: int, *, with_people: bool
) -> list[str]:
    """The heading, then one line per measure and currency with a target (per person)."""
    from rich.cells import cell_len

    from salesdesk.core.money import format_money
    from salesdesk.core.targets import measure_label, needed_text, percent_text, person_label
    from salesdesk.i18n import ngettext

    left = ngettext("{n} working day left", "{n} working days left", days_left).format(n=days_left)
    if with_people:
        heading = _("Targets, {period} ({left})").format(period=period.label(), left=left)
    else:
        heading = _("Targets of {person}, {period} ({left})").format(
            person=person_label(rows[0].person), period=period.label(), left=left
        )
    table: list[list[str]] = []
    for row in rows:
        for progress in row.progress:
            if not progress.has_target:
                continue
            table.append(
                ([person_label(row.person)] if with_people else [])
                + [
                    measure_label(progress.measure),
                    format_money(progress.done, progress.currency),
                    format_money(progress.target, progress.currency),
                    percent_text(progress),
                    needed_text(progress, format_money),
                ]
            )
    if not table:
        return [heading, _("No targets set; set one with: {command}").format(command="salesdesk target set")]
    widths = [max(cell_len(line[i]) for line in table) for i in range(len(table[0]))]
    right = {len(table[0]) - 4, len(table[0]) - 3, len(table[0]) - 2}  # the amounts and the percent
    lines = [heading]
    for line in table:
        cells = [
            " " * (w - cell_len(cell)) + cell if i in right else cell + " " * (w - cell_len(cell))
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        lines.append(GAP.join(cells).rstrip())
    return lines
