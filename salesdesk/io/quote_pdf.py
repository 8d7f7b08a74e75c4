"""A quote as a PDF (fpdf2): A4 or Letter, the same content as the HTML quote.

The lines table wraps long descriptions inside their cell, never cuts a line across two
pages, and repeats its head at the top of each page; the totals stay together (on the
next page when they do not fit under the table), and each page's foot says the quote's
number and the page. The words are in the quote's own language, in a font found on the
computer (`io.fonts`): fpdf2 embeds only the characters used, so the file stays small.
fpdf2 is imported when a PDF is made, never at start-up.
"""

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesdesk.core.errors import SalesdeskError
from salesdesk.core.quotes import QuoteDocument
from salesdesk.i18n import CHINESE, _, written_in
from salesdesk.io import quote_text
from salesdesk.io.fonts import Fonts, as_truetype, pick_fonts
from salesdesk.io.quote_text import NUMERIC, printable

if TYPE_CHECKING:
    from fpdf import FPDF

PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}  # millimetres
MARGIN = 16.0  # left, right and top, in millimetres: inside what A4 and Letter printers reach
FOOT = 18.0  # the bottom margin, the page's foot in it
# The share of the table's width each column takes (code, description, qty, unit,
# unit price, discount, total).
WIDTHS = (15, 50, 11, 10, 20, 15, 22)
INK, GREY, RULE = (29, 29, 27), (107, 107, 102), (214, 214, 208)
FAMILY = "quote"


def all_text(doc: QuoteDocument) -> str:
    """Every character the PDF may draw, in the quote's language: to choose the font."""
    with written_in(doc.language):
        words = quote_text.labels()
        parts = [
            *(str(value) for value in vars(words).values()),
            *quote_text.seller_lines(doc, words),
            *quote_text.buyer_lines(doc),
            *(f"{label} {value}" for label, value in quote_text.facts(doc, words)),
            *(f"{label} {value}" for label, value in quote_text.totals(doc, words)),
            doc.terms,
        ]
        for line in doc.lines:
            parts.extend(quote_text.line_cells(line, doc.currency))
    return printable("\n".join(parts))


def render_pdf(doc: QuoteDocument, *, paper: str = "a4", fonts: Fonts | None = None) -> bytes:
    """The written quote as PDF bytes, in `doc.language`, on `paper` (`a4`, `letter`).

    `fonts`: those to use (default: `io.fonts.pick_fonts` of the quote's text, which
    refuses a quote with Chinese text when no font on the computer has Chinese). What is
    refused is said in the person's language; the quote is written in its own.
    """
    if paper not in PAPERS:
        raise SalesdeskError(_("{paper} is not a paper size; use a4 or letter.").format(paper=repr(paper)))
    text = all_text(doc)
    chosen = fonts or pick_fonts(text)
    with tempfile.TemporaryDirectory(prefix="salesdesk-quote-") as folder:
        pdf = _new_pdf(doc, paper)
        _add_fonts(pdf, chosen, text, Path(folder))
        with written_in(doc.language) as language:
            _write(pdf, doc, chinese=language == CHINESE)
        return bytes(pdf.output())


def _new_pdf(doc: QuoteDocument, paper: str) -> "FPDF":
    from fpdf import FPDF

    with written_in(doc.language):
        words = quote_text.labels()
    footer_text = words.page

    class QuotePDF(FPDF):
        quote_family = "helvetica"  # fpdf2's core font (Latin-1) until a font file is added

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(self.quote_family, "", 8)
            self.set_text_color(*GREY)
            self.cell(0, 5, printable(doc.label), align="L")
            self.set_x(self.l_margin)
            page = footer_text.format(page=self.page_no(), pages="{nb}")
            self.cell(0, 5, page, align="R")

    pdf = QuotePDF(unit="mm", format=PAPERS[paper])
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=FOOT)
    pdf.set_title(printable(f"{words.title} {doc.label}"))
    pdf.set_creator("salesdesk")
    pdf.set_lang("zh-CN" if doc.language == CHINESE else "en")
    return pdf


def _add_fonts(pdf: Any, fonts: Fonts, text: str, folder: Path) -> None:
    """Embed the fonts chosen (as TrueType: `fonts.as_truetype`), checked to have every
    character of the quote; none chosen: fpdf2's core Helvetica."""
    if fonts.regular is None:
        return
    regular = as_truetype(fonts.regular, text, folder)
    bold = as_truetype(fonts.bold, text, folder) if fonts.bold else regular
    try:
        pdf.add_font(FAMILY, "", regular.path, collection_font_number=regular.index)
        pdf.add_font(FAMILY, "B", bold.path, collection_font_number=bold.index)
    except Exception as error:
        raise SalesdeskError(
            _("{path} cannot be read as a font ({error}); pass another with --font FILE.").format(
                path=fonts.regular.path, error=error
            )
        ) from None
    pdf.quote_family = FAMILY
    _check_glyphs(pdf, text, fonts)


def _check_glyphs(pdf: Any, text: str, fonts: Fonts) -> None:
    """Refuse a font that has no glyph for some characters of the quote, rather than a
    PDF with holes in it."""
    assert fonts.regular is not None
    cmap = pdf.fonts[FAMILY].cmap
    missing = sorted({char for char in text if not char.isspace() and ord(char) not in cmap})
    if missing:
        shown = "".join(missing[:10]) + ("…" if len(missing) > 10 else "")
        raise SalesdeskError(
            _(
                "{path} has no characters for {chars}; pass a font that has them with --font FILE "
                "(for Chinese, such as Noto Sans CJK)."
            ).format(path=fonts.regular.path, chars=shown)
        )


def _write(pdf: Any, doc: QuoteDocument, *, chinese: bool) -> None:
    from fpdf.enums import TableBordersLayout, WrapMode, XPos, YPos
    from fpdf.fonts import FontFace

    words = quote_text.labels()
    wrap = WrapMode.CHAR if chinese else WrapMode.WORD
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    top = pdf.get_y()

    # The seller, on the left.
    left = width * 0.52
    seller = quote_text.seller_lines(doc, words)
    if seller:
        _small_head(pdf, words.seller, left)
        pdf.set_font(pdf.quote_family, "B", 13)
        pdf.set_text_color(*INK)
        pdf.multi_cell(left, 6.5, printable(seller[0]), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)
        pdf.set_font(pdf.quote_family, "", 9)
        for item in seller[1:]:
            pdf.multi_cell(left, 4.6, printable(item), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)
    seller_end = pdf.get_y()

    # The title and the facts, on the right.
    right = width * 0.44
    x = pdf.l_margin + width - right
    pdf.set_xy(x, top)
    pdf.set_font(pdf.quote_family, "B", 20)
    pdf.set_text_color(*INK)
    pdf.cell(right, 9, printable(words.title), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(1)
    for label, value in quote_text.facts(doc, words):
        pdf.set_x(x)
        pdf.set_font(pdf.quote_family, "", 9)
        pdf.set_text_color(*GREY)
        label_width = right * 0.42
        pdf.cell(label_width, 5, printable(label), align="R")
        pdf.set_font(pdf.quote_family, "B", 9)
        pdf.set_text_color(*INK)
        pdf.multi_cell(
            right - label_width,
            5,
            printable(value),
            align="R",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
            wrapmode=wrap,
        )
    pdf.set_xy(pdf.l_margin, max(seller_end, pdf.get_y()) + 7)

    # The buyer.
    buyer = quote_text.buyer_lines(doc)
    if buyer:
        _small_head(pdf, words.buyer, width)
        pdf.set_text_color(*INK)
        for index, item in enumerate(buyer):
            pdf.set_font(pdf.quote_family, "B" if index == 0 else "", 10 if index == 0 else 9)
            pdf.multi_cell(width, 5, printable(item), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)
        pdf.ln(5)

    # The lines: the head repeats on each page, a row is never cut.
    pdf.set_font(pdf.quote_family, "", 9)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    align = tuple("RIGHT" if numeric else "LEFT" for numeric in NUMERIC)
    with pdf.table(
        col_widths=WIDTHS,
        width=width,
        text_align=align,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=FontFace(emphasis="BOLD", color=GREY, size_pt=8.5),
        line_height=4.6,
        padding=(1.6, 1.2),
        wrapmode=wrap,
        repeat_headings=1,
        v_align="TOP",
    ) as table:
        table.row([printable(label) for label in words.columns])
        for line in doc.lines:
            table.row([printable(cell) for cell in quote_text.line_cells(line, doc.currency)])

    # The totals, kept together.
    sums = quote_text.totals(doc, words)
    needed = 4 + 6 * len(sums) + 2
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(3)
    value_width, label_width = 34.0, 44.0
    for index, (label, value) in enumerate(sums):
        due = index == len(sums) - 1
        pdf.set_x(pdf.l_margin + width - value_width - label_width)
        if due:
            pdf.set_draw_color(*INK)
            pdf.set_line_width(0.4)
            y = pdf.get_y() + 0.6
            pdf.line(pdf.get_x(), y, pdf.l_margin + width, y)
            pdf.ln(1.2)
            pdf.set_x(pdf.l_margin + width - value_width - label_width)
        pdf.set_font(pdf.quote_family, "B" if due else "", 11 if due else 9.5)
        pdf.set_text_color(*INK)
        height = 7 if due else 5.5
        pdf.cell(label_width, height, printable(label), align="L")
        pdf.cell(value_width, height, printable(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # The terms.
    terms = doc.terms.strip()
    if terms:
        pdf.ln(6)
        if pdf.get_y() + 14 > pdf.page_break_trigger:
            pdf.add_page()
        _small_head(pdf, words.terms, width)
        pdf.set_font(pdf.quote_family, "", 9)
        pdf.set_text_color(*INK)
        pdf.multi_cell(width, 4.6, printable(terms), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)


def _small_head(pdf: Any, text: str, width: float) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_font(pdf.quote_family, "B", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(width, 4.5, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
