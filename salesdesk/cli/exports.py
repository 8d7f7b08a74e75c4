"""`salesdesk export csv|vcard|ics|weekly`: tables for a spreadsheet, customers for a
phone's contacts, follow-ups for a calendar, and the summary of a week (in `weekly`)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.cli import quote_export, weekly
from salesdesk.cli.common import Commands, local_today, open_store_to_read, wall_clock, write_output
from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from salesdesk.store.store import Store


OUTPUT_HELP = N_("where to write it (default: stdout)")


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    exports = commands.add_parser(
        "export",
        parents=[common],
        help=_("write CSV, vCard, iCalendar, the weekly summary or a quote"),
        description=_("Export records as CSV, customers as vCards or follow-ups as iCalendar."),
    )
    formats = exports.add_subparsers(dest="format", metavar="FORMAT", required=True)
    table = formats.add_parser(
        "csv",
        parents=[common],
        help=_("a table as CSV for a spreadsheet"),
        description=_("Write a table as CSV: UTF-8 with a byte-order mark, formula-looking cells escaped."),
    )
    table.add_argument(
        "table",
        choices=(
            "customers",
            "deals",
            "interactions",
            "followups",
            "products",
            "contracts",
            "instalments",
            "receipts",
        ),
        metavar="TABLE",
        help=_("customers, deals, interactions, followups, products, contracts, instalments or receipts"),
    )
    table.add_argument("-o", "--output", metavar="FILE", help=_(OUTPUT_HELP))
    table.set_defaults(run=run_export)
    cards = formats.add_parser(
        "vcard",
        parents=[common],
        help=_("customers as a vCard file for a phone's contacts"),
        description=_(
            "Write customers as vCard 3.0 (name, company, title, mobile, email, birthday, notes, tags), "
            "so that a phone shows who is calling; importing the file back changes nothing."
        ),
    )
    cards.add_argument("-o", "--output", metavar="FILE", help=_(OUTPUT_HELP))
    cards.add_argument("--tag", metavar="T", help=_("only the customers with this tag"))
    cards.set_defaults(run=run_export)
    calendar = formats.add_parser(
        "ics",
        parents=[common],
        help=_("follow-ups as an iCalendar file"),
        description=_(
            "Write your open follow-ups of the coming weeks as an iCalendar file for a phone calendar."
        ),
    )
    calendar.add_argument("-o", "--output", metavar="FILE", help=_(OUTPUT_HELP))
    calendar.add_argument("--weeks", type=int, default=6, help=_("how many weeks ahead (default: 6)"))
    calendar.add_argument("--all", action="store_true", help=_("everyone's follow-ups, not only yours"))
    calendar.set_defaults(run=run_export)
    weekly.add_weekly_parser(formats, common).set_defaults(run=run_weekly)
    quote_export.add_quote_parser(formats, common).set_defaults(run=quote_export.run_quote)


def run_weekly(args: argparse.Namespace, db_path: Path, user: str) -> int:
    return weekly.export_weekly(args, lambda: open_store_to_read(db_path, user), today=local_today())


def run_export(args: argparse.Namespace, db_path: Path, user: str) -> int:
    store = open_store_to_read(db_path, user)
    try:
        if args.format == "ics":
            return export_ics(args, store, today=local_today(), now=wall_clock())
        if args.format == "vcard":
            return export_vcard(args, store)
        return export_csv(args, store, today=local_today())
    finally:
        store.close()


def export_csv(args: argparse.Namespace, store: Store, today: date) -> int:
    from salesdesk.io.csv_export import write_csv
    from salesdesk.store import exports

    rows, fields = {
        "customers": (exports.customers, exports.CUSTOMER_FIELDS),
        "deals": (exports.deals, exports.DEAL_FIELDS),
        "interactions": (exports.interactions, exports.INTERACTION_FIELDS),
        "followups": (exports.followups, exports.FOLLOWUP_FIELDS),
        "products": (exports.products, exports.PRODUCT_FIELDS),
        # What a contract and an instalment have received is worked out on the export day.
        "contracts": (lambda db: exports.contracts(db, today), exports.CONTRACT_FIELDS),
        "instalments": (lambda db: exports.instalments(db, today), exports.INSTALMENT_FIELDS),
        "receipts": (exports.receipts, exports.RECEIPT_FIELDS),
    }[args.table]
    count = write_output(args.output, lambda stream: write_csv(stream, args.table, fields, rows(store.db)))
    if args.output:
        print(_wrote(args.table, count).format(n=f"{count:,}", path=args.output))
    return 0


def _wrote(table: str, count: int) -> str:
    """'Wrote {n} customers to {path}', of the table written."""
    if table == "deals":
        return ngettext("Wrote {n} deal to {path}", "Wrote {n} deals to {path}", count)
    if table == "interactions":
        return ngettext("Wrote {n} interaction to {path}", "Wrote {n} interactions to {path}", count)
    if table == "followups":
        return ngettext("Wrote {n} followup to {path}", "Wrote {n} followups to {path}", count)
    if table == "products":
        return ngettext("Wrote {n} product to {path}", "Wrote {n} products to {path}", count)
    if table == "contracts":
        return ngettext("Wrote {n} contract to {path}", "Wrote {n} contracts to {path}", count)
    if table == "instalments":
        return ngettext("Wrote {n} instalment to {path}", "Wrote {n} instalments to {path}", count)
    if table == "receipts":
        return ngettext("Wrote {n} receipt to {path}", "Wrote {n} receipts to {path}", count)
    return ngettext("Wrote {n} customer to {path}", "Wrote {n} customers to {path}", count)


def export_vcard(args: argparse.Namespace, store: Store) -> int:
    from salesdesk.io.vcard_export import write_vcards
    from salesdesk.store.exports import customers, tag_names

    if args.tag is not None:
        names = tag_names(store.db)
        if args.tag.strip().casefold() not in (name.strip().casefold() for name in names):
            shown = [repr(name) for name in names[:10]] + (["…"] if len(names) > 10 else [])
            known = _(", ").join(shown)
            raise SalesdeskError(
                _("--tag {value} is not a tag of any customer; use one of {known}.").format(
                    value=repr(args.tag), known=known
                )
                if names
                else _("--tag {value} is not a tag: no customer has tags yet.").format(value=repr(args.tag))
            )
    count = write_output(args.output, lambda stream: write_vcards(stream, customers(store.db, args.tag)))
    if args.output:
        if args.tag is not None:
            wrote = ngettext(
                "Wrote {n} customer tagged {tag} to {path}",
                "Wrote {n} customers tagged {tag} to {path}",
                count,
            )
        else:
            wrote = _wrote("customers", count)
        print(wrote.format(n=f"{count:,}", tag=repr(args.tag), path=args.output))
    return 0


def export_ics(args: argparse.Namespace, store: Store, today: date, now: datetime) -> int:
    from salesdesk.io.ics import build_calendar, care_entry, followup_entry, receivable_entry
    from salesdesk.store.agenda import dated_care_between, owed_between
    from salesdesk.store.exports import open_followups_between

    if args.weeks < 1:
        raise SalesdeskError(_("--weeks {n} is too few; use 1 or more.").format(n=args.weeks))
    last = today + timedelta(weeks=args.weeks) - timedelta(days=1)
    owner = None if args.all else store.user
    entries = [followup_entry(row) for row in open_followups_between(store.db, today, last, owner)]
    care = [care_entry(item) for item in dated_care_between(store, today, last, everyone=args.all)]
    owed = [receivable_entry(fact) for fact in owed_between(store, today, last, everyone=args.all)]
    data = build_calendar(entries + care + owed, now)
    write_output(args.output, lambda stream: stream.write(data))
    if args.output:
        followups = ngettext("{n} follow-up", "{n} follow-ups", len(entries)).format(n=f"{len(entries):,}")
        reminders = ngettext("{n} care reminder", "{n} care reminders", len(care)).format(n=f"{len(care):,}")
        receivables = ngettext("{n} instalment to collect", "{n} instalments to collect", len(owed)).format(
            n=f"{len(owed):,}"
        )
        print(
            _("Wrote {followups}, {reminders} and {receivables} from {first} to {last} to {path}").format(
                followups=followups,
                reminders=reminders,
                receivables=receivables,
                first=today,
                last=last,
                path=args.output,
            )
        )
    return 0
