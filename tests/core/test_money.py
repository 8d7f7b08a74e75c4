"""Money as integer minor units: parsing what people type, formatting for screens."""

import pytest

from salesdesk.core.errors import InvalidValue
from salesdesk.core.money import check_currency, format_money, parse_amount


def test_plain_amount_in_cents():
    assert parse_amount("12500", "USD") == 1_250_000


def test_thousands_separators_and_decimals():
    assert parse_amount("12,500.50", "USD") == 1_250_050


def test_currency_symbol_is_allowed():
    assert parse_amount("$1,200", "USD") == 120_000


def test_k_suffix():
    assert parse_amount("12.5k", "USD") == 1_250_000


def test_jpy_has_no_minor_unit():
    assert parse_amount("80,000", "JPY") == 80_000


def test_jpy_refuses_decimals():
    with pytest.raises(InvalidValue) as caught:
        parse_amount("1.5", "JPY")
    assert caught.value.field == "amount"
    assert "JPY" in str(caught.value)


def test_too_many_decimals_refused():
    with pytest.raises(InvalidValue, match="more decimals than USD"):
        parse_amount("12.505", "USD")


def test_negative_refused():
    with pytest.raises(InvalidValue, match="negative"):
        parse_amount("-5", "USD")


@pytest.mark.parametrize("text", ["", "abc", "12..5", "NaN", "Infinity", "-inf"])
def test_not_a_number_refused(text):
    with pytest.raises(InvalidValue) as caught:
        parse_amount(text, "USD")
    assert caught.value.field == "amount"


def test_format_usd_with_thousands_separator():
    assert format_money(1_250_000, "USD") == "$12,500"


def test_format_usd_with_cents():
    assert format_money(1_250_050, "USD", cents=True) == "$12,500.50"


def test_format_jpy_without_decimals():
    assert format_money(8_000_000, "JPY") == "¥8,000,000"
    assert format_money(8_000_000, "JPY", cents=True) == "¥8,000,000"


def test_format_currency_without_symbol_puts_code_after():
    assert format_money(120_000, "CHF") == "1,200 CHF"


def test_currency_code_is_checked_and_uppercased():
    assert check_currency(" usd ") == "USD"
    with pytest.raises(InvalidValue):
        check_currency("dollars")
