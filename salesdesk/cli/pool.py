"""The lead pool (公海) from the command line: salesdesk pool [--claim ID]."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.cli.common import Commands, local_today, open_store, open_store_to_read
from salesdesk.i18n import _, ngettext

if TYPE_CHECKING:
    from salesdesk.core.pool import PoolRules
    from salesdesk.store.pool import PoolRow

LISTED = 1000  # rows printed at most; the count says how many there are


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    pool = commands.add_parser(
        "pool",
        parents=[common],
        help=_("list the lead pool, or claim a lead from it"),
        description=_(
            "List the leads and prospects in the pool: those with no owner, and those "
            "their owner did not work for the days the settings give, with why and since when, "
            "the latest first. With --claim, make one of them yours."
        ),
    )
    pool.add_argument(
        "--date",
        metavar="DAY",
        help=_("the day to ask about (default: today): YYYY-MM-DD, tomorrow, fri, 3d"),
    )
    pool.add_argument("--claim", metavar="ID", help=_("claim this customer from the pool"))
    pool.set_defaults(run=run_pool)


def _cells(text: str, width: int) -> str:
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def _lines(rows: list[PoolRow], rules: PoolRules) -> list[str]:
    from rich.cells import cell_len

    from salesdesk.core.pool import reason_text
    from salesdesk.core.text import literal
    from salesdesk.i18n import short_date

    table = [
        (
            row.customer_id,
            literal(row.name),
            literal(row.company),
            literal(row.state.owner) or "-",
            short_date(row.state.back_on) if row.state.back_on else "",
            reason_text(row.state, rules),
        )
        for row in rows
    ]
    header = ("ID", _("Name"), _("Company"), _("Former owner"), _("In the pool since"), _("Why"))
    widths = [max(cell_len(cells[i]) for cells in [header, *table]) for i in range(5)]
    return [
        "  ".join(_cells(cell, widths[i]) for i, cell in enumerate(cells[:5])) + "  " + cells[5]
        for cells in [header, *table]
    ]


def run_pool(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.core.dates import parse_quick_date
    from salesdesk.store.pool import Pool

    today = parse_quick_date(args.date, local_today(), "--date") if args.date else local_today()
    if args.claim:
        store = open_store(db_path, user)
        try:
            name = store.customer(args.claim.strip()).name
            Pool(store).claim(args.claim.strip(), today)
        finally:
            store.close()
        print(_("{name} is yours now: it left the pool.").format(name=name))
        return 0
    store = open_store_to_read(db_path, user)
    try:
        pool = Pool(store)
        count = pool.count(today)
        rows = pool.page(today, 0, LISTED)
        rules = pool.rules()
    finally:
        store.close()
    if not rows:
        print(_("The pool is empty."))
        return 0
    for line in _lines(rows, rules):
        print(line)
    print(
        ngettext(
            "{n} lead in the pool; claim one with: {command}",
            "{n} leads in the pool; claim one with: {command}",
            count,
        ).format(n=f"{count:,}", command="salesdesk pool --claim ID")
    )
    return 0
