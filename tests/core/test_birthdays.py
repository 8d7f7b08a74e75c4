"""Birthdays with and without a year ('--MM-DD', as vCard 4.0 and ISO 8601 write it)."""

import pytest

from salesdesk.core.dates import parse_birthday
from salesdesk.core.errors import InvalidValue


@pytest.mark.parametrize(
    "text, stored",
    [
        ("1985-03-15", "1985-03-15"),
        ("1985-3-5", "1985-03-05"),
        ("--03-15", "--03-15"),
        ("--0315", "--03-15"),
        ("--3-5", "--03-05"),
        ("--02-29", "--02-29"),
        (" --12-31 ", "--12-31"),
    ],
)
def test_parse_birthday(text, stored):
    assert parse_birthday(text) == stored


@pytest.mark.parametrize(
    "text, words",
    [
        ("--02-30", "--02-30 is not a real day of the year; use YYYY-MM-DD, or --MM-DD"),
        ("--13-01", "is not a real day of the year"),
        ("15/03", "'15/03' is not a date; use YYYY-MM-DD, or --MM-DD when the year is not known."),
    ],
)
def test_bad_birthdays_are_refused(text, words):
    with pytest.raises(InvalidValue) as caught:
        parse_birthday(text)
    assert caught.value.field == "birthday" and words in str(caught.value)
