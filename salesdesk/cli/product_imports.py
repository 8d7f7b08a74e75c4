"""`salesdesk import products`: the product catalogue from a spreadsheet (CSV or workbook).

Read like `import customers` (cli/imports.py): the file is read before the database is
opened, so a file that cannot be read (exit status 2) leaves the database untouched; a
refused row is said in one sentence and not imported (exit status 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from salesdesk.cli.common import Commands, open_store
from salesdesk.i18n import _, ngettext

EXIT_REFUSED, EXIT_UNREADABLE = 1, 2


def add_parser(kinds: Commands, common: argparse.ArgumentParser) -> None:
    products = kinds.add_parser(
        "products",
        parents=[common],
        help=_("products from a CSV/TSV file or a spreadsheet"),
        description=_(
            "Import the product catalogue from a CSV/TSV file or an Excel (.xlsx, .xls) or "
            "OpenDocument (.ods) workbook, with columns such as name, code, unit, price, currency, "
            "category and active, in English or Chinese. A row matches a product "
            "by its code, or by name and unit when it has no code, and updates it; importing the "
            "same file again changes nothing. Exit status 0 when every row was imported, 1 when "
            "some were refused, 2 when the file could not be read (then nothing is imported)."
        ),
    )
    products.add_argument("file", metavar="FILE")
    products.add_argument(
        "--dry-run", action="store_true", help=_("report what would be imported and save nothing")
    )
    products.add_argument("--encoding", metavar="E", help=_("the file's encoding (default: detected)"))
    products.add_argument(
        "--delimiter", metavar="D", help=_("the column separator: , ; or tab (default: detected)")
    )
    products.add_argument(
        "--sheet", metavar="NAME", help=_("the sheet of a workbook to import (default: the first)")
    )
    products.set_defaults(run=import_products)


def import_products(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.io.product_rows import read_products_csv, read_products_sheet
    from salesdesk.io.sheets import workbook_kind
    from salesdesk.io.textfile import UnreadableFile
    from salesdesk.store.product_import import import_products as run_import

    path = Path(args.file)
    try:
        if kind := workbook_kind(path):
            if args.encoding or args.delimiter:
                option = "--encoding" if args.encoding else "--delimiter"
                raise UnreadableFile(
                    _("{option} is for CSV files, and {path} is {kind}; leave it out.").format(
                        option=option, path=path, kind=_(kind)
                    )
                )
            batch = read_products_sheet(path, kind, sheet=args.sheet)
        elif args.sheet is not None:
            raise UnreadableFile(
                _("--sheet is for workbooks, and {path} is a text file with one table; leave it out.").format(
                    path=path
                )
            )
        else:
            batch = read_products_csv(path, encoding=args.encoding, delimiter=args.delimiter)
    except UnreadableFile as error:
        print(f"salesdesk: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    rows = ngettext("{n} row", "{n} rows", batch.rows).format(n=f"{batch.rows:,}")
    print(
        _("Reading {source}: {described}; {rows}.").format(
            source=batch.source, described=batch.described, rows=rows
        )
    )
    if batch.left_out:
        print(_("Columns not imported: {columns}.").format(columns=_(", ").join(batch.left_out)))
    store = open_store(db_path, user)
    try:
        result = run_import(store, batch.products, dry_run=args.dry_run)
    finally:
        store.close()
    refusals = sorted(batch.refusals + result.refusals, key=lambda refusal: refusal.line)
    for refusal in refusals:
        print(refusal.sentence(batch.source))
    summary = result.summary(len({refusal.record_line for refusal in refusals}))
    if args.dry_run:
        print(
            _("Dry run of {source}, nothing was saved: {summary}.").format(
                source=batch.source, summary=summary
            )
        )
    else:
        print(_("Imported {source}: {summary}.").format(source=batch.source, summary=summary))
    return EXIT_REFUSED if refusals else 0
