"""A quote as it was sent: its number, its frozen lines and totals, who sells and who buys.

A quote's number is `Q-<year>-<seq>` (`Q-2026-0012`), one series a year for the whole
team; a later version of a sent quote keeps the number and shows its revision
(`Q-2026-0012 v2`). `QuoteDocument` is everything a written quote (HTML, PDF, markdown)
needs, read from the quote's record alone: what the deal says today never changes a
quote already made.
"""

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from salesdesk.core.errors import InvalidValue
from salesdesk.i18n import N_, _

_NUMBER = re.compile(r"\s*Q-(\d{4})-(\d{1,9})(?:\s*v(\d{1,4}))?\s*", re.IGNORECASE)
SELLER_FIELDS = ("name", "address", "phone", "email", "tax_id")
BUYER_FIELDS = ("name", "company", "email", "phone")


def quote_number(year: int, seq: int) -> str:
    """Q-2026-0012: the year and the quote's place in it, four digits at least."""
    return f"Q-{year}-{seq:04d}"


def quote_label(number: str, revision: int) -> str:
    """What a person calls one version: `Q-2026-0012` for the first, `Q-2026-0012 v2` after."""
    return number if revision <= 1 else f"{number} v{revision}"


def parse_quote_label(text: str) -> tuple[int, int, int | None]:
    """'Q-2026-0012 v2' -> (2026, 12, 2); 'q-2026-12' -> (2026, 12, None): no revision
    said (the latest is meant)."""
    match = _NUMBER.fullmatch(text)
    if not match or int(match[2]) == 0:
        raise InvalidValue(
            "quote",
            _("{value} is not a quote number; type one such as Q-2026-0012 or Q-2026-0012 v2.").format(
                value=repr(text)
            ),
        )
    return int(match[1]), int(match[2]), int(match[3]) if match[3] else None


@dataclass(frozen=True)
class QuoteLine:
    """One line as the quote froze it; money in minor units of the quote's currency."""

    description: str
    quantity_milli: int
    unit: str
    unit_price: int
    discount_kind: str  # core.lines.DISCOUNT_KINDS
    discount: int  # basis points, or minor units off the line
    total: int
    code: str = ""  # the product's code, when the line is a product's


@dataclass(frozen=True)
class QuoteDocument:
    number: str
    revision: int
    issued_on: date
    valid_until: date
    currency: str
    lines: tuple[QuoteLine, ...]
    subtotal: int
    discount_total: int
    total: int
    terms: str
    seller: dict[str, str] = field(default_factory=dict)  # SELLER_FIELDS
    buyer: dict[str, str] = field(default_factory=dict)  # BUYER_FIELDS
    language: str = "en"  # "en" or "zh": the language it is written in
    deal_title: str = ""

    @property
    def label(self) -> str:
        return quote_label(self.number, self.revision)


def lines_json(lines: tuple[QuoteLine, ...] | list[QuoteLine]) -> str:
    """The frozen lines as a quote record keeps them."""
    return json.dumps([asdict(line) for line in lines], ensure_ascii=False)


def lines_from_json(text: str) -> tuple[QuoteLine, ...]:
    """The frozen lines of a quote record (checked when they arrived: `sync.checks`)."""
    items: list[dict[str, Any]] = json.loads(text)
    return tuple(QuoteLine(**item) for item in items)


def party_from_json(text: str, names: tuple[str, ...]) -> dict[str, str]:
    """A seller or buyer record kept as JSON: the known fields, as text."""
    value = json.loads(text or "{}")
    if not isinstance(value, dict):
        return {}
    return {name: str(value.get(name) or "") for name in names}


# -- what a quote is now (worked out, never stored) ---------------------------------

DRAFT, SENT, ACCEPTED, EXPIRED, SUPERSEDED = "draft", "sent", "accepted", "expired", "superseded"
STATUS_WORDS = {
    DRAFT: N_("draft"),
    SENT: N_("sent"),
    ACCEPTED: N_("accepted"),
    EXPIRED: N_("expired"),
    SUPERSEDED: N_("superseded"),
}
TERMS_LIMIT = 4000  # characters of a quote's terms (and of the setting)
VALIDITY_RANGE = (1, 365)  # days a quote is valid, the setting's bounds
PARTY_LIMIT = 500  # characters of one seller or buyer field
FOLLOWUP_DAYS_BEFORE_EXPIRY = 3  # a follow-up booked on sending, this long before it expires


def quote_status(
    stored: str,
    sent_on: date | None,
    valid_until: date,
    today: date,
    won_on: date | None,
    superseded: bool,
) -> str:
    """What one version of a quote is on `today`.

    superseded: a later revision exists; accepted: sent, and its deal was won on or after
    the day it was sent; expired: sent, not accepted, and past its validity; else its
    stored status (draft or sent). A draft is never expired: it was never offered, and
    making it again dates it anew.
    """
    if superseded:
        return SUPERSEDED
    if stored != SENT:
        return DRAFT
    if won_on is not None and sent_on is not None and won_on >= sent_on:
        return ACCEPTED
    if valid_until < today:
        return EXPIRED
    return SENT


def status_word(status: str) -> str:
    """A status as the language shown says it."""
    return _(STATUS_WORDS.get(status, status))


_INT_FIELDS = ("quantity_milli", "unit_price", "discount", "total")
_TEXT_FIELDS = ("description", "unit", "discount_kind", "code")


def is_quote_line(item: object) -> bool:
    """Whether a decoded JSON value has the shape of a `QuoteLine` (for incoming quotes):
    exactly its fields, whole numbers of zero or more where numbers are, text where text is."""
    from salesdesk.core.lines import DISCOUNT_KINDS

    if not isinstance(item, dict):
        return False
    required = set(_INT_FIELDS) | (set(_TEXT_FIELDS) - {"code"})
    if not required <= set(item) <= required | {"code"}:
        return False
    for name in _INT_FIELDS:
        value = item[name]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**53:
            return False
    if not all(isinstance(item.get(name, ""), str) for name in _TEXT_FIELDS):
        return False
    return item["discount_kind"] in DISCOUNT_KINDS


def is_party(value: object, names: tuple[str, ...]) -> bool:
    """Whether a decoded JSON value is a seller or buyer: an object of `names`, each text."""
    return (
        isinstance(value, dict)
        and set(value) <= set(names)
        and all(isinstance(text, str) and len(text) <= PARTY_LIMIT for text in value.values())
    )


def number_matches(number: str, year: int | None, seq: int | None) -> bool:
    """Whether `Q-2026-0012` is the number of `year` and `seq` (those given)."""
    match = re.fullmatch(r"Q-(\d{4})-(\d{4,9})", number)
    if match is None:
        return False
    return (year is None or int(match[1]) == year) and (seq is None or int(match[2]) == seq)
