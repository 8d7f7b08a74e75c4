"""A quote as one self-contained HTML file, to send or to print from a browser.

Everything is in the file: the styles inline, no fonts, images or scripts fetched, so it
opens the same anywhere and offline. It prints on A4 and on Letter alike: the page's size
is the printer's (`size: auto`) and its margins fit both, the table's head repeats on each
page, no line of the table is cut across two pages and the totals stay together. Chinese
shows in the first CJK font the machine has. Every value is escaped (`html.escape`), so a
description such as `<b>` reads as typed; the words are in the quote's own language.
"""

from html import escape

from salesdesk.core.quotes import QuoteDocument
from salesdesk.i18n import CHINESE, written_in
from salesdesk.io import quote_text
from salesdesk.io.quote_text import printable

FONTS = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"Hiragino Sans GB", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif'
)

STYLE = """
@page { size: auto; margin: 15mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
html { background: #f4f4f2; }
body {
  font-family: FONTS; font-size: 10pt; line-height: 1.45; color: #1d1d1b;
  max-width: 190mm; margin: 12mm auto; padding: 12mm 13mm; background: #fff;
}
@media print {
  html { background: none; }
  body { max-width: none; margin: 0; padding: 0; }
}
header.head { display: flex; justify-content: space-between; gap: 10mm; align-items: flex-start; }
.seller .name { font-size: 14pt; font-weight: 700; }
.title { text-align: right; }
h1 { font-size: 20pt; margin: 0 0 2mm; letter-spacing: 0.04em; font-weight: 700; }
h2 { font-size: 9pt; text-transform: uppercase; letter-spacing: 0.06em; color: #6b6b66;
     margin: 0 0 1mm; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: auto auto; gap: 0.5mm 4mm; margin: 0; }
dl.facts dt { color: #6b6b66; }
dl.facts dd { margin: 0; font-weight: 600; }
p { margin: 0; }
section { margin-top: 7mm; break-inside: avoid; page-break-inside: avoid; }
table { border-collapse: collapse; width: 100%; }
table.lines { margin-top: 7mm; }
table.lines thead { display: table-header-group; }
table.lines tr { break-inside: avoid; page-break-inside: avoid; }
table.lines th { text-align: left; font-size: 8.5pt; color: #6b6b66; font-weight: 600;
                 border-bottom: 1.5pt solid #1d1d1b; padding: 1.5mm 2mm; }
table.lines td { border-bottom: 0.5pt solid #d6d6d0; padding: 1.8mm 2mm; vertical-align: top; }
table.lines .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.lines .code { white-space: nowrap; color: #4a4a46; }
table.lines .description { width: 40%; overflow-wrap: anywhere; }
table.totals { width: auto; margin: 4mm 0 0 auto; break-inside: avoid; page-break-inside: avoid; }
table.totals th { text-align: left; font-weight: 400; padding: 0.8mm 6mm 0.8mm 0; }
table.totals td { text-align: right; padding: 0.8mm 2mm; font-variant-numeric: tabular-nums;
                  white-space: nowrap; }
table.totals tr.due th, table.totals tr.due td { font-weight: 700; font-size: 12pt;
                  border-top: 1.5pt solid #1d1d1b; padding-top: 1.5mm; }
.terms p { white-space: normal; }
""".replace("FONTS", FONTS)

_COLUMN_CLASSES = ("code", "description", "num", "unit", "num", "num", "num")


def text(value: object) -> str:
    """A value as HTML text that reads exactly as typed, its line breaks kept."""
    return escape(printable(value)).replace("\n", "<br>")


def _lines_block(lines: list[str], css: str) -> str:
    if not lines:
        return ""
    first, *rest = lines
    body = f'<div class="name">{text(first)}</div>' + "".join(f"<div>{text(line)}</div>" for line in rest)
    return f'<div class="{css}">{body}</div>'


def render_html(doc: QuoteDocument) -> str:
    """The written quote as one HTML document, in `doc.language`."""
    with written_in(doc.language) as language:
        words = quote_text.labels()
        facts = "".join(
            f"<dt>{text(label)}</dt><dd>{text(value)}</dd>" for label, value in quote_text.facts(doc, words)
        )
        seller = quote_text.seller_lines(doc, words)
        seller_block = (
            f'<div class="from"><h2>{text(words.seller)}</h2>{_lines_block(seller, "seller")}</div>'
            if seller
            else "<div></div>"
        )
        buyer = quote_text.buyer_lines(doc)
        buyer_block = (
            f'<section class="buyer"><h2>{text(words.buyer)}</h2>'
            + "".join(f"<p>{text(line)}</p>" for line in buyer)
            + "</section>"
            if buyer
            else ""
        )
        head = "".join(
            f'<th class="{css}">{text(label)}</th>'
            for label, css in zip(words.columns, _COLUMN_CLASSES, strict=True)
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f'<td class="{css}">{text(cell)}</td>'
                for cell, css in zip(quote_text.line_cells(line, doc.currency), _COLUMN_CLASSES, strict=True)
            )
            + "</tr>\n"
            for line in doc.lines
        )
        sums = quote_text.totals(doc, words)
        totals = "".join(
            ("<tr>" if index < len(sums) - 1 else '<tr class="due">')
            + f"<th>{text(label)}</th><td>{text(value)}</td></tr>"
            for index, (label, value) in enumerate(sums)
        )
        terms = (
            f'<section class="terms"><h2>{text(words.terms)}</h2><p>{text(doc.terms.strip())}</p></section>'
            if doc.terms.strip()
            else ""
        )
        title = f"{words.title} {doc.label}"
        tag = "zh-CN" if language == CHINESE else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{tag}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<header class="head">{seller_block}'
        f'<div class="title"><h1>{text(words.title)}</h1><dl class="facts">{facts}</dl></div></header>\n'
        f"{buyer_block}\n"
        f'<table class="lines"><thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody></table>\n'
        f'<table class="totals">{totals}</table>\n'
        f"{terms}\n</body>\n</html>\n"
    )
