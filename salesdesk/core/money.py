"""Money is an integer in minor units plus an ISO 4217 code, never a float."""

import re
from decimal import Decimal, InvalidOperation

from salesdesk.core.errors import InvalidValue
from salesdesk.i18n import _

# Currencies whose minor unit is not the cent.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "JPY": "¥"}
_CURRENCY = re.compile(r"[A-Z]{3}")


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def check_currency(currency: str) -> str:
    code = currency.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise InvalidValue(
            "currency",
            _("{value} is not a currency code; use three letters such as USD, EUR or CNY.").format(
                value=repr(currency)
            ),
        )
    return code


def parse_amount(text: str, currency: str) -> int:
    """'12,500.50' in USD -> 1250050. Thousands separators and a symbol are allowed."""
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    cleaned = cleaned.lstrip("$€£¥")
    if cleaned.upper().endswith(currency):
        cleaned = cleaned[: -len(currency)]
    multiplier = 1
    if cleaned[-1:].lower() == "k":
        cleaned, multiplier = cleaned[:-1], 1000
    try:
        value = Decimal(cleaned) * multiplier
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():  # 'NaN' and 'Infinity' parse as Decimals
        raise InvalidValue(
            "amount",
            _("{value} is not an amount; type a number such as 12500, 12,500.50 or 12.5k.").format(
                value=repr(text)
            ),
        )
    if value < 0:
        raise InvalidValue(
            "amount", _("{value} is negative; an amount is zero or more.").format(value=repr(text))
        )
    minor = value * (10 ** exponent(currency))
    if minor != minor.to_integral_value():
        raise InvalidValue(
            "amount",
            _("{value} has more decimals than {currency} allows.").format(
                value=repr(text), currency=currency
            ),
        )
    return int(minor)


def format_money(minor: int, currency: str, *, cents: bool = False) -> str:
    """A compact amount for screens and reports: '$12,500', '¥80,000', '1,200 CHF'."""
    exp = exponent(currency)
    major = Decimal(minor) / (10**exp) if exp else Decimal(minor)
    text = f"{major:,.{exp}f}" if cents and exp else f"{major:,.0f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def format_short(minor: int, currency: str) -> str:
    """A very compact amount for column headers: '$1.2M', '$45k'."""
    major = minor / (10 ** exponent(currency))
    value, suffix = f"{major:,.0f}", ""
    for limit, letter in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(major) >= limit:
            value, suffix = f"{major / limit:.1f}".rstrip("0").rstrip("."), letter
            break
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{value}{suffix}" if symbol else f"{value}{suffix} {currency}"
