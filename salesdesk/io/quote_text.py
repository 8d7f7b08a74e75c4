"""The words and values of a written quote, shared by its HTML, PDF and markdown.

Every function here reads the language shown now: the writers call them inside
`i18n.written_in(doc.language)`, so a quote reads in its own language whatever the
person's is. Values are plain text; each writer escapes them for its format.
"""

from dataclasses import dataclass
from datetime import date

from salesdesk.core.lines import AMOUNT, PERCENT, format_percent, format_quantity
from salesdesk.core.money import format_money
from salesdesk.core.quotes import QuoteDocument, QuoteLine
from salesdesk.i18n import CHINESE, _, language, long_date, pgettext

# C0 controls but tab and newline, DEL and C1 controls, as their pictures: shown, not obeyed.
_PICTURES: dict[int, int | None] = {code: 0x2400 + code for code in range(0x20) if code not in (9, 10)}
_PICTURES[0x0D] = None  # a Windows line end is a line end
_PICTURES[0x7F] = 0x2421
_PICTURES.update({code: 0xFFFD for code in range(0x80, 0xA0)})

# Columns of the lines table: the numbers are right-aligned.
NUMERIC = (False, False, True, False, True, True, True)


@dataclass(frozen=True)
class Labels:
    """The words of a quote in the language shown now."""

    title: str
    number: str
    date: str
    valid_until: str
    seller: str
    buyer: str
    subject: str
    currency: str
    columns: tuple[str, ...]
    subtotal: str
    discounts: str
    total: str
    terms: str
    tax_id: str
    page: str  # "Page {page} of {pages}"


def printable(value: object) -> str:
    """A value as text with every control character shown as its picture (a tab is a
    space), but line breaks: what a writer puts on paper, before its own escaping."""
    return ("" if value is None else str(value)).translate(_PICTURES).replace("\t", " ")


def labels() -> Labels:
    """The words in the language shown now; each in the context `quote`, as a written
    quote says it (`From` is the seller, `To` the customer)."""
    return Labels(
        title=pgettext("quote", "Quote"),
        number=pgettext("quote", "Quote number"),
        date=pgettext("quote", "Date"),
        valid_until=pgettext("quote", "Valid until"),
        seller=pgettext("quote", "From"),
        buyer=pgettext("quote", "To"),
        subject=pgettext("quote", "For"),
        currency=pgettext("quote", "Currency"),
        columns=(
            pgettext("quote", "Code"),
            pgettext("quote", "Description"),
            pgettext("quote", "Qty"),
            pgettext("quote", "Unit"),
            pgettext("quote", "Unit price"),
            pgettext("quote", "Discount"),
            pgettext("quote", "Total"),
        ),
        subtotal=pgettext("quote", "Subtotal"),
        discounts=pgettext("quote", "Discounts"),
        total=pgettext("quote", "Total due"),
        terms=pgettext("quote", "Terms"),
        tax_id=pgettext("quote", "Tax ID: {tax_id}"),
        page=pgettext("quote", "Page {page} of {pages}"),
    )


def labelled(label: str, value: str) -> str:
    """`Date: 1 December 2026`, `日期：2026年12月1日`: a label and its value on one line."""
    return _("{label}: {value}").format(label=label, value=value)


def day(value: date) -> str:
    """A date as the quote's language writes it, without the weekday: `1 December 2026`,
    `2026年12月1日`."""
    if language() == CHINESE:
        return f"{value.year}年{value.month}月{value.day}日"
    return long_date(value).split(" ", 1)[1]  # long_date: `Tuesday 1 December 2026`


def money(minor: int, currency: str) -> str:
    """An amount with its cents, as a quote writes it: `$12,500.00`, `¥80,000.00`."""
    return format_money(minor, currency, cents=True)


def discount(line: QuoteLine, currency: str) -> str:
    """`10%`, `-$50.00`, or nothing."""
    if line.discount_kind == PERCENT and line.discount:
        return format_percent(line.discount)
    if line.discount_kind == AMOUNT and line.discount:
        return "-" + money(line.discount, currency)
    return ""


def line_cells(line: QuoteLine, currency: str) -> tuple[str, ...]:
    """One line as the table's columns show it (`Labels.columns`)."""
    return (
        line.code,
        line.description,
        format_quantity(line.quantity_milli),
        line.unit,
        money(line.unit_price, currency),
        discount(line, currency),
        money(line.total, currency),
    )


def totals(doc: QuoteDocument, words: Labels) -> list[tuple[str, str]]:
    """(label, amount) rows under the table: the discounts only when there are some."""
    rows = [(words.subtotal, money(doc.subtotal, doc.currency))]
    if doc.discount_total:
        rows.append((words.discounts, "-" + money(doc.discount_total, doc.currency)))
    rows.append((words.total, money(doc.total, doc.currency)))
    return rows


def seller_lines(doc: QuoteDocument, words: Labels) -> list[str]:
    """The seller's name, then address (its own lines), phone, email and tax id."""
    seller = doc.seller
    found = [seller.get("name", "")]
    found += seller.get("address", "").splitlines()
    found += [seller.get("phone", ""), seller.get("email", "")]
    if seller.get("tax_id"):
        found.append(words.tax_id.format(tax_id=seller["tax_id"]))
    return [line for line in (item.strip() for item in found) if line]


def buyer_lines(doc: QuoteDocument) -> list[str]:
    """The buyer's name, company, email and phone, those that are known."""
    buyer = doc.buyer
    found = [buyer.get(name, "") for name in ("name", "company", "email", "phone")]
    return [line for line in (item.strip() for item in found) if line]


def facts(doc: QuoteDocument, words: Labels) -> list[tuple[str, str]]:
    """The (label, value) pairs at the head of the quote."""
    rows = [
        (words.number, doc.label),
        (words.date, day(doc.issued_on)),
        (words.valid_until, day(doc.valid_until)),
        (words.currency, doc.currency),
    ]
    if doc.deal_title.strip():
        rows.append((words.subject, doc.deal_title.strip()))
    return rows


def file_name(doc: QuoteDocument, extension: str) -> str:
    """The quote's default file name: `Q-2026-0012.pdf`, `Q-2026-0012-v2.html`."""
    return doc.label.replace(" ", "-") + "." + extension
