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
from salesdesk.i18n import _

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
