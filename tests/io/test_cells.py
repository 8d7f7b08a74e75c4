"""Cells: dates as spreadsheets write them, tag lists, and formula escaping (CWE-1236)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.io.cells import (
    DAY_FIRST,
    MONTH_FIRST,
    CellError,
    escape_formula,
    read_date,
    split_tags,
    unescape_formula,
)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2026-03-04", "2026-03-04"),
        ("2026-3-4", "2026-03-04"),
        ("2026/3/4", "2026-03-04"),  # Chinese Excel
        ("2026.03.04", "2026-03-04"),
        ("2026年3月4日", "2026-03-04"),
        ("20260304", "2026-03-04"),
        ("2026-03-04 00:00:00", "2026-03-04"),
        ("2026/3/4 0:00", "2026-03-04"),
        ("15/03/2026", "2026-03-15"),  # only day first makes sense
        ("03/15/2026", "2026-03-15"),  # only month first makes sense
        ("04/04/2026", "2026-04-04"),  # both readings agree
        ("15.03.2026", "2026-03-15"),
    ],
)
def test_dates_that_cannot_be_misread_are_taken(cell, expected):
    assert read_date(cell) == expected


@pytest.mark.parametrize("order", [None, DAY_FIRST, MONTH_FIRST])
def test_an_iso_date_is_never_read_day_first(order):
    assert read_date("2026-03-04", order) == "2026-03-04"
    assert read_date("2026/03/04", order) == "2026-03-04"


def test_an_ambiguous_date_is_refused_without_an_order():
    with pytest.raises(CellError) as caught:
        read_date("03/04/2026")
    assert str(caught.value) == (
        "'03/04/2026' could be 3 April or 4 March; "
        "pass --dayfirst or --monthfirst, or write it as YYYY-MM-DD."
    )


def test_the_order_decides_an_ambiguous_date():
    assert read_date("03/04/2026", DAY_FIRST) == "2026-04-03"
    assert read_date("03/04/2026", MONTH_FIRST) == "2026-03-04"
    assert read_date("03-04-2026", DAY_FIRST) == "2026-04-03"


def test_a_date_impossible_in_the_given_order_is_refused():
    with pytest.raises(CellError) as caught:
        read_date("03/15/2026", DAY_FIRST)
    assert str(caught.value) == (
        "'03/15/2026' is not a real date read day first (DD/MM/YYYY); use YYYY-MM-DD."
    )


@pytest.mark.parametrize(
    "cell, message",
    [
        ("2026-02-30", "'2026-02-30' is not a real date; use YYYY-MM-DD."),
        ("13/13/2026", "'13/13/2026' is not a real date; use YYYY-MM-DD."),
        ("03/04/26", "'03/04/26' has a two-digit year; use YYYY-MM-DD."),
        ("next week", "'next week' is not a date; use YYYY-MM-DD."),
        ("46000", "'46000' is not a date; use YYYY-MM-DD."),  # an Excel serial number
        ("--03-15", "'--03-15' has no year; use YYYY-MM-DD."),
    ],
)
def test_bad_dates_are_refused_naming_the_value_and_the_form(cell, message):
    with pytest.raises(CellError) as caught:
        read_date(cell)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("--03-15", "--03-15"),
        ("--0315", "--03-15"),
        ("3月15日", "--03-15"),
        ("--02-29", "--02-29"),
        ("1985-03-15", "1985-03-15"),
    ],
)
def test_a_birthday_may_have_no_year(cell, expected):
    assert read_date(cell, year_optional=True) == expected


def test_a_birthday_without_a_year_is_still_a_real_day():
    with pytest.raises(CellError, match="'--02-30' is not a real date"):
        read_date("--02-30", year_optional=True)


def test_tags_split_on_every_separator_and_keep_their_spelling():
    assert split_tags("VIP, 北京、重要客户|golf;Golf，上海；  ") == [
        "VIP",
        "北京",
        "重要客户",
        "golf",
        "上海",
    ]
    assert split_tags(" , ;") == []


@pytest.mark.parametrize(
    "value, escaped",
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("- call back", "'- call back"),
        ("'=1+1", "''=1+1"),  # an apostrophe already there is kept through a round trip
        ("+86 138 0013 8000", "+86 138 0013 8000"),  # plain numbers stay re-importable
        ("+1 (415) 555-0100", "+1 (415) 555-0100"),
        ("-5", "-5"),
        ("Ada", "Ada"),
        ("'quoted'", "'quoted'"),
        ("", ""),
    ],
)
def test_formula_cells_are_prefixed_except_plain_numbers(value, escaped):
    assert escape_formula(value) == escaped
    assert unescape_formula(escaped) == value


@given(st.text())
def test_escaping_round_trips_every_string_and_leaves_no_formula(value):
    escaped = escape_formula(value)
    assert unescape_formula(escaped) == value
    assert not escaped.startswith(("=", "@", "\t", "\r"))
    if escaped.startswith(("+", "-")):
        assert set(escaped[1:]) <= set("0123456789 ().-")
