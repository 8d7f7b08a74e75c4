"""Segments and value tiers, computed from what happened, never typed in."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from salesdesk.core.errors import InvalidValue
from salesdesk.core.money import check_currency, exponent, parse_amount
from salesdesk.i18n import _

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
    won_revenue_12m: Mapping[str, int] = field(default_factory=dict)
    """Won over the last twelve months, per currency, in minor units."""


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


# A value tier is reached in each currency against that currency's own thresholds:
# amounts are never converted, so ¥141,000 is weighed against yuan thresholds, not dollars.
Thresholds = Mapping[str, tuple[int, int]]
"""Currency -> (tier A, tier B) thresholds of won revenue over twelve months, minor units."""

DEFAULT_TIER_THRESHOLDS: dict[str, tuple[int, int]] = {
    "CNY": (35_000_000, 7_000_000),  # ¥350,000 and ¥70,000
    "EUR": (5_000_000, 1_000_000),  # €50,000 and €10,000
    "USD": (5_000_000, 1_000_000),  # $50,000 and $10,000
}
TIER_RANKS = {"A": 1, "B": 2, "C": 3}  # the order of the tiers, as the SQL ranks them
THRESHOLDS_EXAMPLE = "USD 50000 10000, CNY 350000 70000"


def tier(won_revenue_12m: Mapping[str, int], thresholds: Thresholds) -> str:
    """A, B or C: the best tier that the won revenue in any one currency reaches against
    that currency's thresholds. Revenue in a currency without thresholds counts for no
    tier (there is no rate to convert it by), so a customer with only such revenue is C."""
    best = "C"
    for currency, amount in won_revenue_12m.items():
        if currency not in thresholds:
            continue
        a_threshold, b_threshold = thresholds[currency]
        if amount >= a_threshold:
            return "A"
        if amount >= b_threshold:
            best = "B"
    return best


def thresholds_from(value: object) -> dict[str, tuple[int, int]]:
    """The thresholds in a stored setting (JSON: {"USD": [a, b], ...}); a teammate's value
    arrives by sync, so entries that are not two whole amounts, A at least B and B at
    least one minor unit, are left out rather than trusted."""
    if not isinstance(value, Mapping):
        return dict(DEFAULT_TIER_THRESHOLDS)
    result: dict[str, tuple[int, int]] = {}
    for currency, pair in value.items():
        if not isinstance(currency, str) or not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        a_threshold, b_threshold = pair
        if (
            isinstance(a_threshold, int)
            and isinstance(b_threshold, int)
            and not isinstance(a_threshold, bool)
            and not isinstance(b_threshold, bool)
            and a_threshold >= b_threshold >= 1
        ):
            result[currency] = (a_threshold, b_threshold)
    return result


def _major(minor: int, currency: str) -> str:
    places = exponent(currency)
    return f"{Decimal(minor) / (10**places):f}" if places else str(minor)


def format_thresholds(thresholds: Thresholds) -> str:
    """As typed in the settings: 'CNY 350000 70000, USD 50000 10000' (major units)."""
    return ", ".join(
        f"{currency} {_major(a, currency)} {_major(b, currency)}"
        for currency, (a, b) in sorted(thresholds.items())
    )


def parse_thresholds(text: str, key: str = "tier_thresholds") -> dict[str, tuple[int, int]]:
    """Read thresholds as typed: a comma between currencies, each its code, then the
    amount for tier A and the one for tier B in major units ('USD 50000 10000')."""
    result: dict[str, tuple[int, int]] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        words = part.split()
        if len(words) != 3:
            raise InvalidValue(
                key,
                _(
                    "{value} is not a currency and two amounts; write each currency's code and "
                    "tier A's and tier B's thresholds with no thousands separators, a comma between "
                    "currencies, e.g. '{example}'."
                ).format(value=repr(part), example=THRESHOLDS_EXAMPLE),
            )
        try:
            currency = check_currency(words[0])
        except InvalidValue as error:
            raise InvalidValue(key, _("In {value}: {error}").format(value=repr(part), error=error)) from None
        amounts = []
        for word in words[1:]:
            try:
                amounts.append(parse_amount(word, currency))
            except InvalidValue:
                raise InvalidValue(
                    key,
                    _(
                        "In {value}: {word} is not an amount; type a number such as 50000 or 50k "
                        "(a comma separates currencies, so no thousands separators)."
                    ).format(value=repr(part), word=repr(word)),
                ) from None
        a_threshold, b_threshold = amounts
        if not a_threshold >= b_threshold >= 1:
            raise InvalidValue(
                key,
                _(
                    "In {value}: tier A's threshold comes first and is at least tier B's, which is above 0."
                ).format(value=repr(part)),
            )
        if currency in result:
            raise InvalidValue(
                key, _("{currency} is given twice; give each currency once.").format(currency=currency)
            )
        result[currency] = (a_threshold, b_threshold)
    return result
