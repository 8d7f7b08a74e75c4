"""The arithmetic of a deal's lines: quantity x unit price, less a discount, per line.

Money is integer minor units of the deal's one currency, never a float. A quantity is
kept in thousandths (`quantity_milli`: 2.5 is 2500, so hours and kilograms fit), a
percent discount in basis points (1250 is 12.5 %), an amount discount in minor units
off the line.

Rounding is per line, half up (half away from zero, as invoices round): the line's
gross (quantity x unit price) is rounded to a minor unit, then its percent discount is
rounded to a minor unit and taken off; the deal's total is the sum of its lines' totals,
so it never differs from what the lines add up to. A discount never takes a line below
zero: an amount larger than the gross leaves the line at zero.

What a person types is read as they would write it: full-width digits and signs
(`１０％`, `２．５`) as their ASCII forms, and a Chinese discount in 折 as the share paid
(`9折` and `95折` are 10 % and 5 % off, `8.5折` is 15 % off).
"""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from salesdesk.core.errors import InvalidValue
from salesdesk.core.money import parse_amount
from salesdesk.i18n import _

NONE, PERCENT, AMOUNT = "none", "percent", "amount"
DISCOUNT_KINDS = (NONE, PERCENT, AMOUNT)
MILLI = 1000  # thousandths in one unit of quantity
BASIS = 10_000  # basis points in 100 %
QUANTITY_LIMIT = 10**12  # thousandths: a billion units, far past any real order
MONEY_LIMIT = 2**63 - 1  # the largest amount SQLite keeps as an integer (64 bits)
ZHE = "折"  # a Chinese discount: `9折` pays 90 %


def fits(amount: int) -> bool:
    """Whether an amount in minor units is kept exactly (a 64-bit integer, zero or more)."""
    return 0 <= amount <= MONEY_LIMIT


def _typed(text: str) -> str:
    """What was typed, full-width forms as ASCII (`１０％` -> `10%`), without spaces."""
    return unicodedata.normalize("NFKC", text).strip().replace(" ", "")


def _decimal(text: str) -> Decimal | None:
    """A finite number read from `text`, or None (an exponent too large is not a number)."""
    try:
        value = Decimal(text)
        value + 0  # noqa: B018 -- rounds to the context: a huge exponent overflows here
    except (InvalidOperation, ArithmeticError):
        return None
    return value if value.is_finite() else None


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest whole number, halves away from zero."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def gross(quantity_milli: int, unit_price: int) -> int:
    """Quantity x unit price, in minor units, rounded half up."""
    return _half_up(quantity_milli * unit_price, MILLI)


def discount_off(line_gross: int, kind: str, discount: int) -> int:
    """What the discount takes off a line of `line_gross` (never more than the line)."""
    if kind == PERCENT:
        return min(line_gross, _half_up(line_gross * discount, BASIS))
    if kind == AMOUNT:
        return min(line_gross, discount)
    return 0


def line_total(quantity_milli: int, unit_price: int, kind: str = NONE, discount: int = 0) -> int:
    """A line's total in minor units: its gross less its discount, each rounded half up."""
    line_gross = gross(quantity_milli, unit_price)
    return line_gross - discount_off(line_gross, kind, discount)


@dataclass(frozen=True)
class Totals:
    """A deal's (or a quote's) sums: before discounts, the discounts, and what is due."""

    subtotal: int
    discounts: int
    total: int


def totals(lines: list[tuple[int, int, str, int]]) -> Totals:
    """The sums of (quantity_milli, unit_price, discount_kind, discount) lines."""
    subtotal = discounts = 0
    for quantity_milli, unit_price, kind, discount in lines:
        line_gross = gross(quantity_milli, unit_price)
        subtotal += line_gross
        discounts += discount_off(line_gross, kind, discount)
    return Totals(subtotal, discounts, subtotal - discounts)


def parse_quantity(text: str) -> int:
    """'2.5' -> 2500 thousandths; '1,000' -> 1000000. Zero is allowed, negatives are not."""
    cleaned = _typed(text).replace(",", "").replace("_", "")
    value = _decimal(cleaned or "1")
    if value is None or value < 0:
        raise InvalidValue(
            "quantity",
            _("{value} is not a quantity; type a number of zero or more, such as 3 or 2.5.").format(
                value=repr(text)
            ),
        )
    if value * MILLI > QUANTITY_LIMIT:
        raise InvalidValue("quantity", _("{value} is too large for a quantity.").format(value=repr(text)))
    milli = value * MILLI
    if milli != milli.to_integral_value():
        raise InvalidValue(
            "quantity",
            _("{value} has more than three decimals; a quantity is kept to thousandths.").format(
                value=repr(text)
            ),
        )
    return int(milli)


def format_quantity(quantity_milli: int) -> str:
    """2500 -> '2.5', 3000 -> '3', 1234567 -> '1,234.567'."""
    whole, part = divmod(quantity_milli, MILLI)
    text = f"{whole:,}"
    if part:
        text += "." + f"{part:03d}".rstrip("0")
    return text


def _points(value: Decimal, text: str) -> int:
    """A percent off as basis points, refused past two decimals of a percent."""
    points = value * 100
    if points != points.to_integral_value():
        raise InvalidValue(
            "discount", _("{value} has more than two decimals of a percent.").format(value=repr(text))
        )
    return int(points)


def parse_discount(text: str, currency: str) -> tuple[str, int]:
    """'' -> no discount; '10%' or '12.5 %' -> percent in basis points; '9折' (pay 90 %)
    -> 10 % off; '500' -> an amount in minor units of `currency` (as
    `money.parse_amount` reads it). Any zero is no discount."""
    cleaned = _typed(text)
    if cleaned.endswith("%"):
        value = _decimal(cleaned[:-1])
        if value is None or not 0 <= value <= 100:
            raise InvalidValue(
                "discount",
                _("{value} is not a percent; type 0% to 100%, such as 10% and 12.5%.").format(
                    value=repr(text)
                ),
            )
        points = _points(value, text)
        return (PERCENT, points) if points else (NONE, 0)
    if cleaned.endswith(ZHE):
        number = cleaned[:-1]
        value = _decimal(number)
        if value is not None and 10 < value < 100 and number.isdigit():
            value /= 10  # `95折` is 9.5折: 95 % paid
        if value is None or not 0 < value <= 10:
            raise InvalidValue(
                "discount",
                _("{value} is not a discount in 折; type 1折 to 10折, such as 9折, 8.5折 or 95折.").format(
                    value=repr(text)
                ),
            )
        points = _points(10 - value, text) * 10
        return (PERCENT, points) if points else (NONE, 0)
    if not cleaned:
        return NONE, 0
    try:
        amount = parse_amount(cleaned, currency)
    except ArithmeticError:  # an exponent too large for a number
        amount = -1
    if not fits(amount):
        raise InvalidValue(
            "discount",
            _("{value} is not a discount; type a percent such as 10%, or an amount such as 500.").format(
                value=repr(text)
            ),
        )
    return (AMOUNT, amount) if amount else (NONE, 0)


def format_percent(points: int) -> str:
    """1250 -> '12.5%', 1000 -> '10%'."""
    whole, part = divmod(points, 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".") + "%" if part else f"{whole}%"
