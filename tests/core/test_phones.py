"""Phone numbers normalised for matching; as typed they are never changed."""

import pytest

from salesdesk.core.phones import phone_match_keys


def shares(a: str, b: str, region=None) -> bool:
    return bool(phone_match_keys(a, region) & phone_match_keys(b, region))


@pytest.mark.parametrize(
    "a, b",
    [
        ("+86 138-0013-8000", "13800138000"),
        ("+86 138-0013-8000", "0086 138 0013 8000"),
        ("+1 (415) 555-0100", "415-555-0100"),
        ("+1 415 555 0100", "(415) 555 0100"),
        ("010-62345678", "+86 10 6234 5678"),
        ("555 0100", "555-0100"),  # not valid anywhere: the same digits still match
        ("(416) 555-0199", "+1 416 555 0199"),  # Canada shares the US numbering plan
    ],
)
def test_the_same_phone_typed_two_ways_matches(a, b):
    assert shares(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("+86 138 0013 8000", "+86 139 0013 8000"),
        ("+1 415 555 0100", "+44 415 555 0100"),
        ("555 0100", "555 0101"),
    ],
)
def test_different_phones_do_not_match(a, b):
    assert not shares(a, b)


def test_the_users_region_reads_its_national_numbers():
    assert not shares("020 7946 0666", "+44 20 7946 0666")
    assert shares("020 7946 0666", "+44 20 7946 0666", "GB")
    assert shares("020 7946 0666", "+44 20 7946 0666", "gb")


@pytest.mark.parametrize("junk", ["", "   ", "ext 12", "n/a", "1234"])
def test_too_few_digits_is_no_key(junk):
    assert phone_match_keys(junk) == frozenset()
