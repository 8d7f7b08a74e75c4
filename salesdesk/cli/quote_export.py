"""`salesdesk export quote NUMBER`: a quote as HTML, PDF or markdown (`exports` wires it in).

The format is the file's extension (`.html`, `.pdf`, `.md`) unless `--format` says;
without `-o` the quote goes to stdout, as every export does (markdown unless `--format`
says, and a PDF only into a pipe or a file, never onto the terminal). Everything the
person typed is checked before the database is opened; the quote is written in its own
language, whatever the person reads the program in.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.cli.common import Commands, open_store_to_read
from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _

if TYPE_CHECKING:
    from salesdesk.core.quotes import QuoteDocument
    from salesdesk.io.fonts import FontFile

FORMATS = ("html", "pdf", "md")
EXTENSIONS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "md", ".markdown": "md"}
PAPERS = ("a4", "letter")


def add_quote_parser(formats: Commands, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `quote` to the sub-parsers of `salesdesk export` (`common` holds --db and --user)."""
    quote = formats.add_parser(
        "quote",
        parents=[common],
        help=_("a quote as HTML, PDF or markdown"),
        description=_(
            "Write a quote as one HTML file that prints on A4 and Letter, as a PDF, or as markdown, "
            "in the language it was made in. The format is the file's extension unless --format says."
        ),
    )
    quote.add_argument(
        "number",
        metavar="NUMBER",
        help=_("the quote, such as Q-2026-0012 or 'Q-2026-0012 v2' (default: the latest version)"),
    )
    quote.add_argument("-o", "--output", metavar="FILE", help=_("where to write it (default: stdout)"))
    quote.add_argument(
        "--format",
        dest="quote_format",
        choices=FORMATS,
        help=_("html, pdf or md (default: from FILE, else md)"),
    )
    quote.add_argument("--paper", choices=PAPERS, default="a4", help=_("the PDF's paper (default: a4)"))
    quote.add_argument(
        "--font",
        metavar="FILE",
        help=_("a font file for the PDF (default: one found with Chinese characters)"),
    )
    return quote


def output_format(output: str | None, chosen: str | None) -> str:
    """The format to write: `--format`, else the extension of `-o FILE`, else markdown."""
    if chosen:
        return chosen
    if not output:
        return "md"
    found = EXTENSIONS.get(Path(output).suffix.lower())
    if found is None:
        raise SalesdeskError(
            _(
                "{path} does not say its format; name it .html, .pdf or .md, "
                "or pass --format html, pdf or md."
            ).format(path=output)
        )
    return found


def run_quote(args: argparse.Namespace, db_path: Path, user: str) -> int:
    from salesdesk.core.quotes import parse_quote_label

    kind = output_format(args.output, args.quote_format)
    parse_quote_label(args.number)  # a bad number is said before the database is opened
    if kind == "pdf" and not args.output and sys.stdout.isatty():
        raise SalesdeskError(
            _("A PDF is not for the terminal; pass -o FILE, or send it into a pipe or a file.")
        )
    font = None
    if args.font is not None:
        from salesdesk.io.fonts import given_font

        if kind != "pdf":
            raise SalesdeskError(_("--font is for a PDF; pass --format pdf or -o FILE.pdf."))
        font = given_font(args.font)
    store = open_store_to_read(db_path, user)
    try:
        from salesdesk.store.quotes import QuoteStore

        quotes = QuoteStore(store)
        quote = quotes.find(args.number)
        try:
            doc = quotes.document(quote)
            data = _render(doc, kind, args.paper, font)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            # A record that arrived damaged (its lines are JSON kept as text).
            raise SalesdeskError(
                _("Quote {label} cannot be read ({error}); run 'salesdesk check' for a report.").format(
                    label=args.number.strip(), error=error
                )
            ) from None
    finally:
        store.close()
    if not args.output:
        from salesdesk.cli.common import write_output

        write_output(None, lambda stream: stream.write(data))
        return 0
    _save(data, args.output)
    print(_("Wrote quote {label} to {path}").format(label=doc.label, path=args.output))
    return 0


def _render(doc: QuoteDocument, kind: str, paper: str, font: FontFile | None) -> bytes:
    if kind == "pdf":
        from salesdesk.io.fonts import Fonts, bold_of
        from salesdesk.io.quote_pdf import render_pdf

        fonts = Fonts(font, bold_of(font)) if font is not None else None
        return render_pdf(doc, paper=paper, fonts=fonts)
    if kind == "html":
        from salesdesk.io.quote_html import render_html

        return render_html(doc).encode("utf-8")
    from salesdesk.io.quote_md import render_md

    return render_md(doc).encode("utf-8")


def _save(data: bytes, output: str) -> None:
    """Write the file whole or not at all; a folder that cannot be written is one sentence."""
    from salesdesk.io.files import write_atomically

    try:
        write_atomically(Path(output), lambda stream: stream.write(data))
    except OSError as error:
        raise SalesdeskError(
            _("{path} cannot be written ({error}); choose a file in a folder you can write.").format(
                path=output, error=error.strerror or error
            )
        ) from None
