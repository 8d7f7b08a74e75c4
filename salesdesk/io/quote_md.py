"""A quote as markdown (a GitHub-flavoured table for its lines), for an email or a chat.

Every value is escaped so that it reads as typed and cannot break the table or turn into
markup: markdown punctuation is backslash-escaped (a `|` in a description stays in its
cell), and a line break inside a cell is `<br>`, outside a table a hard line break. The
words are in the quote's own language.
"""

import re

from salesdesk.core.quotes import QuoteDocument
from salesdesk.i18n import written_in
from salesdesk.io import quote_text
from salesdesk.io.quote_text import NUMERIC, labelled, printable

# What markdown (CommonMark, GitHub tables, strikethrough, math) could read as syntax.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|&~#$!])")
# A number that would start an ordered list at the start of a line: `1.`, `2)`.
_ORDERED = re.compile(r"\d+(?=[.)])")


def md(value: object) -> str:
    """One line of text as markdown that shows it exactly as typed."""
    return _MARKDOWN.sub(r"\\\1", printable(value).replace("\n", " "))


def _cell(value: object) -> str:
    return "<br>".join(md(line) for line in printable(value).split("\n"))


def _line(value: str) -> str:
    """One line of a paragraph: also what would start a list, a heading's underline or a
    rule at its start (`- `, `+ `, `1. `, `===`) escaped."""
    text = md(value.strip())
    number = _ORDERED.match(text)
    if number:
        return number[0] + "\\" + text[number.end() :]
    return "\\" + text if text[:1] in ("-", "+", "=") else text


def _paragraph(value: object) -> str:
    """Lines of text as one paragraph, each line kept (a backslash is a hard line break)."""
    lines = [_line(line) for line in printable(value).strip().split("\n")]
    return "\\\n".join(line for line in lines if line)


def render_md(doc: QuoteDocument) -> str:
    """The written quote as markdown, in `doc.language`."""
    with written_in(doc.language):
        words = quote_text.labels()
        out = [f"# {md(words.title)} {md(doc.label)}", ""]
        facts = quote_text.facts(doc, words)
        out += [labelled(f"**{md(label)}**", md(value)) + "\\" for label, value in facts]
        out[-1] = out[-1].removesuffix("\\")
        seller = quote_text.seller_lines(doc, words)
        if seller:
            out += ["", f"## {md(words.seller)}", "", _paragraph("\n".join(seller))]
        buyer = quote_text.buyer_lines(doc)
        if buyer:
            out += ["", f"## {md(words.buyer)}", "", _paragraph("\n".join(buyer))]
        out += ["", "| " + " | ".join(md(label) for label in words.columns) + " |"]
        out.append("|" + "|".join("---:" if numeric else "---" for numeric in NUMERIC) + "|")
        for line in doc.lines:
            out.append(
                "| " + " | ".join(_cell(cell) for cell in quote_text.line_cells(line, doc.currency)) + " |"
            )
        out.append("")
        sums = quote_text.totals(doc, words)
        for index, (label, value) in enumerate(sums):
            last = index == len(sums) - 1
            row = labelled(md(label), md(value))
            row = f"**{row}**" if last else row + "\\"
            out.append(row)
        if doc.terms.strip():
            out += ["", f"## {md(words.terms)}", "", _paragraph(doc.terms)]
    return "\n".join(out) + "\n"
