"""Segments and value tiers, computed from what happened, never typed in."""

from dataclasses import dataclass
from datetime import date

LEAD, PROSPECT, CUSTOMER, REPEAT, DORMANT, LOST = (
    "lead",
    "prospect",
    "customer",
    "repeat",
    "dormant",
    "lost",
)
SEGMENTS = (LEAD, PROSPECT, CUSTOMER, REPEAT, DORMANT, LOST)


@dataclass(frozen=True)
class CustomerFacts:
    """What the store knows about one customer, aggregated in SQL."""

    open_deals: int
    won_deals: int
    lost_deals: int
    last_contact: date | None
    created: date
    won_revenue_12m: int = 0  # minor units of the default currency


def segment(facts: CustomerFacts, today: date, dormant_days: int = 90) -> str:
    """One segment per customer, the most telling first.

    A customer with an open deal is a prospect whatever else is true; otherwise a
    customer nobody has spoken to for `dormant_days` (counted from the last contact,
    or from when the record was created if never contacted) is dormant.
    """
    if facts.open_deals:
        return PROSPECT
    since = facts.last_contact or facts.created
    if (today - since).days >= dormant_days:
        return DORMANT
    if facts.won_deals >= 2:
        return REPEAT
    if facts.won_deals == 1:
        return CUSTOMER
    if facts.lost_deals:
        return LOST
    return LEAD


def tier(won_revenue_12m: int, a_threshold: int, b_threshold: int) -> str:
    """A, B or C by won revenue over the last twelve months (minor units)."""
    if won_revenue_12m >= a_threshold:
        return "A"
    if won_revenue_12m >= b_threshold:
        return "B"
    return "C"
