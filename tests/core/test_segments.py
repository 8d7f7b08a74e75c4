"""Segments and value tiers, computed from facts relative to a given today."""

from datetime import date, timedelta

import pytest

from salesdesk.core.errors import InvalidValue
from salesdesk.core.segments import (
    CUSTOMER,
    DEFAULT_TIER_THRESHOLDS,
    DORMANT,
    LEAD,
    LOST,
    PROSPECT,
    REPEAT,
    CustomerFacts,
    format_thresholds,
    parse_thresholds,
    segment,
    thresholds_from,
    tier,
)

TODAY = date(2026, 11, 27)
RECENT = TODAY - timedelta(days=5)


def facts(open_deals=0, won=0, lost=0, last_contact=RECENT, created=RECENT) -> CustomerFacts:
    return CustomerFacts(
        open_deals=open_deals, won_deals=won, lost_deals=lost, last_contact=last_contact, created=created
    )


def test_lead_has_no_deal_yet():
    assert segment(facts(), TODAY) == LEAD


def test_prospect_has_an_open_deal():
    assert segment(facts(open_deals=1, won=3, lost=1), TODAY) == PROSPECT


def test_prospect_even_when_not_contacted_for_long():
    assert segment(facts(open_deals=1, last_contact=TODAY - timedelta(days=400)), TODAY) == PROSPECT


def test_customer_has_one_won_deal():
    assert segment(facts(won=1), TODAY) == CUSTOMER


def test_repeat_has_two_or_more_won():
    assert segment(facts(won=2), TODAY) == REPEAT
    assert segment(facts(won=5, lost=2), TODAY) == REPEAT


def test_lost_has_only_lost_deals():
    assert segment(facts(lost=1), TODAY) == LOST


def test_dormant_at_exactly_90_days():
    assert segment(facts(won=1, last_contact=TODAY - timedelta(days=90)), TODAY) == DORMANT


def test_not_dormant_at_89_days():
    assert segment(facts(won=1, last_contact=TODAY - timedelta(days=89)), TODAY) == CUSTOMER


def test_never_contacted_counts_from_creation():
    old = TODAY - timedelta(days=90)
    assert segment(facts(last_contact=None, created=old), TODAY) == DORMANT
    assert segment(facts(last_contact=None, created=TODAY), TODAY) == LEAD


def test_dormant_days_is_configurable():
    contacted = TODAY - timedelta(days=30)
    assert segment(facts(won=1, last_contact=contacted), TODAY, dormant_days=30) == DORMANT
    assert segment(facts(won=1, last_contact=contacted), TODAY, dormant_days=31) == CUSTOMER


@pytest.mark.parametrize(
    "revenue, expected",
    [
        (5_000_000, "A"),
        (9_999_999, "A"),
        (4_999_999, "B"),
        (1_000_000, "B"),
        (999_999, "C"),
        (0, "C"),
    ],
)
def test_tier_thresholds_are_inclusive(revenue, expected):
    assert tier({"USD": revenue}, {"USD": (5_000_000, 1_000_000)}) == expected


def test_every_currency_counts_against_its_own_thresholds():
    # ¥141,000 paid: B against yuan thresholds, not C against dollar ones.
    assert tier({"CNY": 14_100_000}, DEFAULT_TIER_THRESHOLDS) == "B"
    assert tier({"USD": 1_260_000}, DEFAULT_TIER_THRESHOLDS) == "B"
    assert tier({"CNY": 40_000_000, "USD": 100}, DEFAULT_TIER_THRESHOLDS) == "A"
    # The best tier in any one currency: amounts in two currencies are never added.
    assert tier({"CNY": 6_000_000, "USD": 900_000}, DEFAULT_TIER_THRESHOLDS) == "C"


def test_a_currency_without_thresholds_counts_for_no_tier():
    assert tier({"GBP": 900_000_000}, DEFAULT_TIER_THRESHOLDS) == "C"
    assert tier({"GBP": 900_000_000, "USD": 1_000_000}, DEFAULT_TIER_THRESHOLDS) == "B"


def test_thresholds_typed_in_the_settings_round_trip():
    text = format_thresholds(DEFAULT_TIER_THRESHOLDS)
    assert text == "CNY 350000 70000, EUR 50000 10000, USD 50000 10000"
    assert parse_thresholds(text) == DEFAULT_TIER_THRESHOLDS
    assert parse_thresholds("usd 50k 10k, JPY 5000000 1000000") == {
        "USD": (5_000_000, 1_000_000),
        "JPY": (5_000_000, 1_000_000),
    }
    assert parse_thresholds(" ") == {}


@pytest.mark.parametrize(
    "typed, says",
    [
        ("USD 50000", "is not a currency and two amounts"),
        ("US 5 1", "'US' is not a currency code"),
        ("USD 1000 5000", "tier A's threshold comes first"),
        ("USD 50,000 10,000", "is not a currency and two amounts"),
        ("USD lots 1", "'lots' is not an amount"),
        ("USD 2 1, usd 3 1", "USD is given twice"),
    ],
)
def test_thresholds_that_are_not_say_what_would_be_accepted(typed, says):
    with pytest.raises(InvalidValue) as raised:
        parse_thresholds(typed)
    assert says in str(raised.value)


def test_stored_thresholds_are_checked():
    assert thresholds_from({"USD": [5, 1], "CNY": [1, 5], "EUR": "x", "GBP": [True, 1]}) == {"USD": (5, 1)}
    assert thresholds_from("nonsense") == DEFAULT_TIER_THRESHOLDS
