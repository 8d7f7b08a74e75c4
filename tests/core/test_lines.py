"""The money arithmetic of a deal's lines: rounding, discounts, and what a person types."""

import pytest

from salesdesk.core.errors import InvalidValue
from salesdesk.core.lines import (
    AMOUNT,
    MONEY_LIMIT,
    NONE,
    PERCENT,
    QUANTITY_LIMIT,
    Totals,
    discount_off,
    fits,
    format_percent,
    format_quantity,
    gross,
    line_total,
    parse_discount,
    parse_quantity,
    totals,
)

# -- rounding: per line, half up ---------------------------------------------------------------


def test_a_half_minor_unit_rounds_up():
    assert gross(500, 1) == 1  # half a unit at 0.01: 0.005 -> 0.01
    assert gross(1500, 1) == 2  # 1.5 -> 2
    assert gross(2500, 1) == 3  # 2.5 -> 3 (half-even would give 2)
    assert gross(2500, 3) == 8  # 7.5 -> 8


def test_just_below_a_half_rounds_down_and_just_above_rounds_up():
    assert gross(499, 1) == 0
    assert gross(501, 1) == 1
    assert gross(1333, 3) == 4  # 3.999
    assert gross(333, 1) == 0


def test_a_percent_discount_rounds_half_up_on_its_own():
    # A gross of 0.05 at 10 %: 0.005 off rounds up to 0.01.
    assert discount_off(5, PERCENT, 1000) == 1
    assert line_total(1000, 5, PERCENT, 1000) == 4
    # 12.5 % of 0.01 is 0.00125: rounds to nothing off.
    assert line_total(1000, 1, PERCENT, 1250) == 1


def test_rounding_is_per_line_so_the_sum_is_what_the_lines_show():
    # Three lines of a third of a cent each: each rounds to 0, the sum is 0, not 1.
    lines = [(333, 1, NONE, 0)] * 3
    assert [line_total(*line) for line in lines] == [0, 0, 0]
    assert totals(lines) == Totals(0, 0, 0)


# -- discounts ---------------------------------------------------------------------------------


def test_a_percent_discount_in_basis_points():
    assert line_total(2000, 12_500, PERCENT, 1000) == 22_500  # 2 x 125.00 less 10 %
    assert line_total(3000, 10_000, PERCENT, 1250) == 26_250  # 12.5 %
    assert line_total(1000, 10_000, PERCENT, 10_000) == 0  # 100 %


def test_an_amount_discount_comes_off_the_line():
    assert line_total(2000, 12_500, AMOUNT, 5_000) == 20_000


def test_an_amount_discount_larger_than_the_line_leaves_it_at_zero():
    assert line_total(1000, 10_000, AMOUNT, 25_000) == 0
    assert discount_off(10_000, AMOUNT, 25_000) == 10_000
    assert totals([(1000, 10_000, AMOUNT, 25_000), (1000, 500, NONE, 0)]) == Totals(10_500, 10_000, 500)


def test_no_discount_whatever_the_number_beside_it():
    assert line_total(1000, 700, NONE, 999) == 700


def test_totals_add_gross_discounts_and_what_is_due():
    lines = [(2000, 12_500, PERCENT, 1000), (1500, 8_000, AMOUNT, 1_000), (1000, 99, NONE, 0)]
    assert totals(lines) == Totals(25_000 + 12_000 + 99, 2_500 + 1_000, 22_500 + 11_000 + 99)
    assert totals(lines).total == sum(line_total(*line) for line in lines)
    assert totals([]) == Totals(0, 0, 0)


# -- zero and large quantities and prices ------------------------------------------------------


def test_zero_quantity_or_price_is_a_line_of_zero():
    assert line_total(0, 12_500) == 0
    assert line_total(3000, 0, PERCENT, 1000) == 0
    assert line_total(0, 12_500, AMOUNT, 100) == 0


def test_huge_quantities_and_prices_stay_exact():
    price = 2**53 - 1  # the largest unit price a line takes
    total = line_total(QUANTITY_LIMIT, price)
    assert total == QUANTITY_LIMIT // 1000 * price  # integers: not a float's nearest value
    assert not fits(total)  # past 64 bits: the store refuses such a line
    assert fits(MONEY_LIMIT) and not fits(MONEY_LIMIT + 1) and not fits(-1)
    assert line_total(1, 999_999_999_999) == 1_000_000_000  # a thousandth of a huge price, rounded


# -- quantities typed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "milli"),
    [
        ("3", 3000),
        ("2.5", 2500),
        ("0.001", 1),
        ("1,000", 1_000_000),
        ("0", 0),
        ("", 1000),  # nothing typed: one
        ("  4 ", 4000),
        ("１０", 10_000),  # full-width digits
        ("２．５", 2500),  # and a full-width point
        ("1000000000", QUANTITY_LIMIT),
    ],
)
def test_quantities_are_read_in_thousandths(typed, milli):
    assert parse_quantity(typed) == milli


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-1", "not a quantity"),
        ("two", "not a quantity"),
        ("3个", "not a quantity"),
        ("NaN", "not a quantity"),
        ("Infinity", "not a quantity"),
        ("1e999999999", "not a quantity"),  # an exponent past any number: a sentence, not a crash
        ("0.0001", "three decimals"),
        ("1000000000.001", "too large"),
        ("9" * 30, "too large"),
    ],
)
def test_a_quantity_that_cannot_be_kept_is_refused_with_a_sentence(typed, words):
    with pytest.raises(InvalidValue, match=words) as refused:
        parse_quantity(typed)
    assert refused.value.field == "quantity"
    assert repr(typed) in str(refused.value)


@pytest.mark.parametrize(
    ("milli", "shown"),
    [
        (0, "0"),
        (1, "0.001"),
        (2500, "2.5"),
        (3000, "3"),
        (1_234_567, "1,234.567"),
        (QUANTITY_LIMIT, "1,000,000,000"),
    ],
)
def test_quantities_are_shown_without_trailing_zeros(milli, shown):
    assert format_quantity(milli) == shown
    assert parse_quantity(shown) == milli  # what is shown reads back as itself


# -- discounts typed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("", (NONE, 0)),
        ("0", (NONE, 0)),
        ("0%", (NONE, 0)),
        ("0.00", (NONE, 0)),
        ("10%", (PERCENT, 1000)),
        ("12.5%", (PERCENT, 1250)),
        ("12.5 %", (PERCENT, 1250)),
        ("0.01%", (PERCENT, 1)),
        ("100%", (PERCENT, 10_000)),
        ("１０％", (PERCENT, 1000)),  # full-width, as a Chinese keyboard types it
        ("12.5％", (PERCENT, 1250)),
        ("500", (AMOUNT, 50_000)),
        ("1.5k", (AMOUNT, 150_000)),
        ("１．５ｋ", (AMOUNT, 150_000)),
        ("$1,200.50", (AMOUNT, 120_050)),
        ("9折", (PERCENT, 1000)),  # pay 90 %
        ("8.5折", (PERCENT, 1500)),
        ("95折", (PERCENT, 500)),  # two digits: 9.5折
        ("88折", (PERCENT, 1200)),
        ("９折", (PERCENT, 1000)),
        ("10折", (NONE, 0)),  # the full price
    ],
)
def test_discounts_are_read_as_a_percent_or_an_amount(typed, read):
    assert parse_discount(typed, "USD") == read


def test_an_amount_discount_is_in_the_deals_currency():
    assert parse_discount("500", "JPY") == (AMOUNT, 500)
    assert parse_discount("500", "CNY") == (AMOUNT, 50_000)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("101%", "not a percent"),
        ("-5%", "not a percent"),
        ("ten%", "not a percent"),
        ("1e999999999%", "not a percent"),
        ("10.001%", "two decimals"),
        ("0折", "not a discount in 折"),
        ("折", "not a discount in 折"),
        ("100折", "not a discount in 折"),
        ("abc", "not an amount"),
        ("-5", "negative"),
        ("0.001", "more decimals"),
        ("1e999999999", "not a discount"),
        ("9" * 25, "not a discount"),  # past 64 bits
    ],
)
def test_a_discount_that_cannot_be_kept_is_refused_with_a_sentence(typed, words):
    with pytest.raises(InvalidValue, match=words):
        parse_discount(typed, "USD")


@pytest.mark.parametrize(
    ("points", "shown"), [(1000, "10%"), (1250, "12.5%"), (1205, "12.05%"), (5, "0.05%")]
)
def test_percents_are_shown_as_typed(points, shown):
    assert format_percent(points) == shown
    assert parse_discount(shown, "USD") == (PERCENT, points)
