"""`salesdesk import customers|vcard`: customers from a spreadsheet (CSV or workbook) or vCards.

Files are read before the database is opened, so a file that cannot be read
(exit status 2) leaves the database untouched. Rich shows a progress bar on a
terminal for large imports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from salesdesk.cli import product_imports
from salesdesk.cli.common import Commands, local_today, open_store
from salesdesk.i18n import _, ngettext

if TYPE_CHECKING:
    from datetime import date

    from rich.console import Console
    from rich.progress import Progress

    from salesdesk.core.incoming import ImportBatch
    from salesdesk.core.ownership import OwnedRow

EXIT_REFUSED, EXIT_UNREADABLE = 1, 2
PROGRESS_FROM_ROWS = 2000  # smaller files import faster than a bar would draw


def add_parsers(commands: Commands, common: argparse.ArgumentParser) -> None:
    imports = commands.add_parser(
        "import",
        parents=[common],
        help=_("import customers or products from a file"),
        description=_(
            "Import customers (from a CSV/TSV file, a workbook or vCards) or products (from a CSV/TSV "
            "file or a workbook)."
        ),
    )
    kinds = imports.add_subparsers(dest="kind", metavar="KIND", required=True)
    sheet = kinds.add_parser(
        "customers",
        parents=[common],
        help=_("customers from a CSV/TSV file or a spreadsheet"),
        description=_(
            "Import customers from a CSV/TSV file as any spreadsheet saves it, or "
            "straight from an Excel (.xlsx, .xls) or OpenDocument (.ods) workbook. Rows "
            "whose email or phone matches a customer update it (other values are kept in "
            "its notes, or with --update replace the stored ones); a row of a teammate's "
            "customer is not imported, and the import says whose it is (--ask-owner asks "
            "them for it); exit status 0 when no row was refused, 1 when some were, 2 when "
            "the file could not be read (then nothing is imported)."
        ),
    )
    sheet.set_defaults(run=import_customers)
    vcard = kinds.add_parser(
        "vcard",
        parents=[common],
        help=_("customers from a vCard (.vcf) file"),
        description=_(
            "Import the cards of a vCard file (2.1, 3.0 or 4.0) as customers, matched like a CSV import."
        ),
    )
    vcard.set_defaults(run=import_vcard)
    product_imports.add_parser(kinds, common)
    for parser in (sheet, vcard):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--ask-owner",
            action="store_true",
            help=_(
                "for a row of a teammate's customer, ask its owner for it (a follow-up on "
                "their Today) instead of only saying whose it is"
            ),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("report what would be imported and save nothing")
        )
        parser.add_argument(
            "--region",
            metavar="CC",
            help=_(
                "read phone numbers without a country code as this region's (e.g. GB); "
                "CN and US are always tried"
            ),
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help=_(
                "let the file's values replace a matched customer's (the old ones go into its "
                "notes); without it they are kept in the notes"
            ),
        )
    sheet.add_argument("--encoding", metavar="E", help=_("the file's encoding (default: detected)"))
    sheet.add_argument(
        "--delimiter", metavar="D", help=_("the column separator: , ; or tab (default: detected)")
    )
    sheet.add_argument(
        "--sheet", metavar="NAME", help=_("the sheet of a workbook to import (default: the first)")
    )
    order = sheet.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", action="store_true", help=_("read 03/04/2026 as 3 April"))
    order.add_argument("--monthfirst", action="store_true", help=_("read 03/04/2026 as March 4"))


def import_customers(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.io.cells import DAY_FIRST, MONTH_FIRST
    from salesdesk.io.csv_import import read_customers_csv
    from salesdesk.io.sheets import read_customers_sheet, workbook_kind
    from salesdesk.io.textfile import UnreadableFile

    order = DAY_FIRST if args.dayfirst else MONTH_FIRST if args.monthfirst else None
    path = Path(args.file)
    try:
        region = _region(args.region)
        if kind := workbook_kind(path):
            if args.encoding or args.delimiter:
                option = "--encoding" if args.encoding else "--delimiter"
                raise UnreadableFile(
                    _("{option} is for CSV files, and {path} is {kind}; leave it out.").format(
                        option=option, path=path, kind=_(kind)
                    )
                )
            batch = read_customers_sheet(path, kind, sheet=args.sheet, date_order=order)
        elif args.sheet is not None:
            raise UnreadableFile(
                _("--sheet is for workbooks, and {path} is a text file with one table; leave it out.").format(
                    path=path
                )
            )
        else:
            batch = read_customers_csv(
                path, encoding=args.encoding, delimiter=args.delimiter, date_order=order
            )
    except UnreadableFile as error:
        print(f"salesdesk: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    return _import(batch, db_path, user, region, args)


def import_vcard(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.io.textfile import UnreadableFile
    from salesdesk.io.vcard import read_vcards

    try:
        region = _region(args.region)
        batch = read_vcards(Path(args.file))
    except UnreadableFile as error:
        print(f"salesdesk: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    return _import(batch, db_path, user, region, args, unit="cards")


def _region(option: str | None) -> str | None:
    from salesdesk.io.textfile import UnreadableFile

    if option is None:
        return None
    import phonenumbers

    if option.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise UnreadableFile(
            _("--region {value} is not a region code; use two letters such as CN, US, GB or DE.").format(
                value=repr(option)
            )
        )
    return option.upper()


def _import(
    batch: ImportBatch,
    db_path: Path,
    user: str,
    region: str | None,
    args: argparse.Namespace,
    unit: str = "rows",
) -> int:
    from salesdesk.io.dialects import dialect_name
    from salesdesk.store.importer import import_customers as run_import

    print(
        _("Reading {source}: {described}; {rows}.").format(
            source=batch.source, described=batch.described, rows=_counted(batch.rows, unit)
        )
    )
    if batch.dialect:
        print(_("Recognised {dialect}.").format(dialect=dialect_name(batch.dialect)))
    if batch.extra_columns:
        print(_("Columns kept in the notes: {columns}.").format(columns=_(", ").join(batch.extra_columns)))
    if batch.named_from_contact:
        print(
            _("{cards} without a name named from their company, email or phone.").format(
                cards=_counted(batch.named_from_contact, unit)
            )
        )
    store = open_store(db_path, user)
    today = local_today()
    try:
        region = region or store.setting("phone_region")
        with _progress(len(batch.customers)) as progress:
            result = run_import(
                store,
                batch.customers,
                region=region,
                source=Path(batch.source).name,
                update=args.update,
                dry_run=args.dry_run,
                ask_owner=args.ask_owner,
                today=today,
                progress=progress,
            )
    finally:
        store.close()
    refusals = sorted(batch.refusals + result.refusals, key=lambda refusal: refusal.line)
    for refusal in refusals:
        print(refusal.sentence(batch.source))
    for row in result.teammates:
        print(_teammates_row(batch.source, row, today, args.dry_run))
    refused = len({refusal.record_line for refusal in refusals})
    summary = result.summary(refused, unit)
    if args.dry_run:
        done = _("Dry run of {source}, nothing was saved: {summary}.")
        print(done.format(source=batch.source, summary=summary))
    else:
        print(_("Imported {source}: {summary}.").format(source=batch.source, summary=summary))
    return EXIT_REFUSED if refusals else 0


def _teammates_row(source: str, row: OwnedRow, today: date, dry_run: bool) -> str:
    """'contacts.csv line 7: Mary Cooper (Acme) is 张丽's customer, last contacted 12 days
    ago (the same email); not imported: --ask-owner asks 张丽 for it.'"""
    from salesdesk.core.ownership import HOW, owned_said
    from salesdesk.core.text import literal

    owned = row.owned
    if row.asked is None:
        then = _("not imported: --ask-owner asks {owner} for it.")
    elif row.asked and dry_run:
        then = _("not imported: {owner} would be asked for it.")
    elif row.asked:
        then = _("not imported: asked {owner} for it (a follow-up on their Today).")
    else:
        then = _("not imported: {owner} has been asked for it already.")
    return _("{source} line {line}: {said} ({how}); {then}").format(
        source=source,
        line=row.line,
        said=literal(owned_said(owned, today)),
        how=_(HOW[owned.how]),
        then=then.format(owner=literal(owned.owner)),
    )


class _progress:
    """A rich progress bar on stderr for a large import on a terminal; else nothing."""

    def __init__(self, total: int, console: Console | None = None):
        self.total = total
        self.console = console
        self.bar: Progress | None = None

    def __enter__(self) -> Callable[[str, int], None] | None:
        from rich.console import Console

        console = self.console or Console(stderr=True)
        if self.total < PROGRESS_FROM_ROWS or not console.is_terminal:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        bar.start()
        stages = {"matching": _("Matching"), "saving": _("Saving")}
        task = bar.add_task(stages["matching"], total=self.total)

        def advance(stage: str, done: int) -> None:
            bar.update(task, completed=done, description=stages.get(stage, stage.capitalize()))

        return advance

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.stop()


def _counted(count: int, unit: str) -> str:
    """'1 row', '2 rows', '1 card'."""
    if unit == "cards":
        return ngettext("{n} card", "{n} cards", count).format(n=f"{count:,}")
    return ngettext("{n} row", "{n} rows", count).format(n=f"{count:,}")
