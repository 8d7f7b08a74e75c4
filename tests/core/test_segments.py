"""Segments and value tiers, computed from facts relative to a given today."""

from datetime import date, timedelta

import pytest

from salesdesk.core.segments import (
    CUSTOMER,
    DORMANT,
    LEAD,
    LOST,
    PROSPECT,
    REPEAT,
    CustomerFacts,
    segment,
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
    assert tier(revenue, a_threshold=5_000_000, b_threshold=1_000_000) == expected
