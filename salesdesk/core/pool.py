"""The lead pool (公海): leads and prospects nobody is working go back to the team.

A customer's membership is computed from its records and the rules (the settings
below), the same on every device, never written by a background job.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from salesdesk.core.errors import InvalidValue
from salesdesk.i18n import _, ngettext, short_date

# The settings of the pool and the whole numbers each accepts (0 turns a rule off where
# the README says so).
POOL_LIMITS = {
    "pool_idle_days": (1, 3650),
    "pool_no_deal_days": (0, 3650),
    "pool_warn_days": (0, 90),
    "pool_cooldown_days": (0, 365),
    "pool_claim_limit": (0, 100_000),
}
TIER_IDLE_SETTING = "pool_tier_idle_days"
TIERS = ("A", "B", "C")


@dataclass(frozen=True)
class PoolRules:
    idle_days: int = 30
    """A lead or prospect whose owner logged no interaction for this many days goes back."""
    tier_idle_days: dict[str, int] = field(default_factory=lambda: {"A": 60, "B": 45})
    """The idle days of a value tier, where they differ from `idle_days`."""
    no_deal_days: int = 60
    """A customer its owner has held this long with no deal goes back (0: never)."""
    warn_days: int = 3
    """The owner is warned on Today this many days before."""
    cooldown_days: int = 7
    """The former owner cannot claim it back for this many days after it went back."""
    claim_limit: int = 100
    """Nobody claims a lead when they own this many leads and prospects (0: no limit)."""

    def idle_days_of(self, tier: str) -> int:
        return self.tier_idle_days.get(tier, self.idle_days)


def tier_idle_days_from(value: object) -> dict[str, int] | None:
    """The per-tier idle days in a stored setting ({"A": 60, ...}), or None if not valid."""
    if not isinstance(value, dict):
        return None
    low, high = POOL_LIMITS["pool_idle_days"]
    result = {}
    for tier, days in value.items():
        if (
            tier not in TIERS
            or not isinstance(days, int)
            or isinstance(days, bool)
            or not low <= days <= high
        ):
            return None
        result[tier] = days
    return result


def _whole(read: Callable[[str], object], key: str, default: int) -> int:
    low, high = POOL_LIMITS[key]
    value = read(key)
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return default


def pool_rules(read: Callable[[str], object]) -> PoolRules:
    """The rules from a reader of stored values (a value that is not valid: the default)."""
    default = PoolRules()
    tiers = tier_idle_days_from(read(TIER_IDLE_SETTING))
    return PoolRules(
        idle_days=_whole(read, "pool_idle_days", default.idle_days),
        tier_idle_days=tiers if tiers is not None else dict(default.tier_idle_days),
        no_deal_days=_whole(read, "pool_no_deal_days", default.no_deal_days),
        warn_days=_whole(read, "pool_warn_days", default.warn_days),
        cooldown_days=_whole(read, "pool_cooldown_days", default.cooldown_days),
        claim_limit=_whole(read, "pool_claim_limit", default.claim_limit),
    )


def parse_tier_idle_days(text: str, key: str = TIER_IDLE_SETTING) -> dict[str, int]:
    """As typed in the settings: 'A 60, B 45' (a tier and its idle days, a comma between)."""
    low, high = POOL_LIMITS["pool_idle_days"]
    result: dict[str, int] = {}
    for part in (p.strip() for p in text.replace("，", ",").split(",")):
        if not part:
            continue
        words = part.split()
        if len(words) != 2 or words[0].upper() not in TIERS or not words[1].isdigit():
            raise InvalidValue(
                key,
                _(
                    "{value} is not a tier and its days; write each tier and a number of days, "
                    "such as 'A 60, B 45'."
                ).format(value=repr(part)),
            )
        days = int(words[1])
        if not low <= days <= high:
            raise InvalidValue(
                key,
                _("In {value}: the days are a whole number from {low} to {high}.").format(
                    value=repr(part), low=low, high=high
                ),
            )
        result[words[0].upper()] = days
    return result


def format_tier_idle_days(value: dict[str, int]) -> str:
    return ", ".join(f"{tier} {days}" for tier, days in sorted(value.items()))


# -- membership ----------------------------------------------------------------

NO_OWNER, IDLE, NO_DEAL = "no owner", "idle", "no deal"
OWNED, WARNED, POOLED, NOT_ELIGIBLE = "owned", "warned", "pooled", "not eligible"


@dataclass(frozen=True)
class PoolFacts:
    """What the pool's rules look at in one customer, in whole days."""

    owner: str
    start: date
    """S: the day the owner took it (`owned_since`), else the day it was created."""
    touches: Sequence[date] = ()
    """The days of its live interactions logged by the owner, on or after `start`."""
    deal_days: Sequence[date] = ()
    """The days its live deals were created."""
    tier: str = "C"
    """Its value tier on the day asked about."""
    eligible: bool = True
    """A live customer with an open deal, or that has never won a deal."""


def idle_back_on(start: date, touches: Sequence[date], days: int) -> tuple[date, date]:
    """When the idle rule sends it back, and the last touch before: the first gap of
    `days` or more between S and the touches sorted, else the last touch and `days`.

    Once a gap is found a later touch does not bring it back, so nothing flaps."""
    last = start
    for touch in sorted(t for t in touches if t >= start):
        if (touch - last).days >= days:
            break
        last = touch
    return last + timedelta(days=days), last


def no_deal_back_on(start: date, deal_days: Sequence[date], days: int) -> date | None:
    """When the no-deal rule sends it back (None: the rule is off, or it has a deal in time)."""
    if days <= 0:
        return None
    due = start + timedelta(days=days)
    if any(day < due for day in deal_days):
        return None
    return due


def back_on(facts: PoolFacts, rules: PoolRules) -> tuple[date, str, date]:
    """D, why, and the day its clock ran from (the last touch for idle, S otherwise)."""
    if not facts.owner:
        return facts.start, NO_OWNER, facts.start
    idle, last = idle_back_on(facts.start, facts.touches, rules.idle_days_of(facts.tier))
    deal = no_deal_back_on(facts.start, facts.deal_days, rules.no_deal_days)
    if deal is not None and deal < idle:
        return deal, NO_DEAL, facts.start
    return idle, IDLE, last


@dataclass(frozen=True)
class PoolState:
    kind: str
    """OWNED, WARNED (its owner is warned), POOLED or NOT_ELIGIBLE."""
    owner: str
    """Its owner, or for a pooled customer the former owner ('' if it never had one)."""
    back_on: date | None = None
    """The day it goes (or went) back to the pool."""
    reason: str = ""
    since: date | None = None
    """The day the rule's clock ran from: the last touch (idle), S (no deal or no owner)."""
    days_left: int = 0
    """For WARNED: the days until it goes back."""
    former_owner_from: date | None = None
    """For POOLED: the first day its former owner can claim it back."""


def state_of(back: date, reason: str, since: date, owner: str, rules: PoolRules, today: date) -> PoolState:
    """A customer's place on `today`, from when it goes back (`back_on`)."""
    if today >= back:
        again = back + timedelta(days=rules.cooldown_days) if owner else None
        return PoolState(POOLED, owner, back, reason, since, 0, again)
    left = (back - today).days
    if left <= rules.warn_days:
        return PoolState(WARNED, owner, back, reason, since, left)
    return PoolState(OWNED, owner, back, reason, since, left)


def pool_state(facts: PoolFacts, rules: PoolRules, today: date) -> PoolState:
    """Whether a customer is its owner's, about to go back (its owner warned), or in the pool."""
    if not facts.eligible:
        return PoolState(NOT_ELIGIBLE, facts.owner)
    back, reason, since = back_on(facts, rules)
    return state_of(back, reason, since, facts.owner, rules, today)


def claim_refusal(
    state: PoolState, name: str, claimer: str, owned: int, rules: PoolRules, today: date
) -> str | None:
    """Why `claimer`, who owns `owned` eligible customers out of the pool, cannot claim
    the customer `name` in `state` today, as one sentence; None when they can."""
    if state.kind == NOT_ELIGIBLE:
        return _("{name} is not a lead or prospect: it never goes to the pool.").format(name=name)
    if state.kind != POOLED:
        assert state.back_on is not None
        if state.owner.casefold() == claimer.casefold():
            return _("{name} is yours already (until {day} unless you work it).").format(
                name=name, day=short_date(state.back_on)
            )
        return _("{name} is not in the pool: it is {owner}'s, and goes back on {day} if not worked.").format(
            name=name, owner=state.owner, day=short_date(state.back_on)
        )
    if (
        state.owner
        and state.owner.casefold() == claimer.casefold()
        and state.former_owner_from is not None
        and today < state.former_owner_from
    ):
        return _("{name} went back to the pool from you: you can claim it again from {day}.").format(
            name=name, day=short_date(state.former_owner_from)
        )
    if rules.claim_limit and owned >= rules.claim_limit:
        return ngettext(
            "You own {count} lead or prospect already, the claim limit: work or release one first.",
            "You own {count} leads and prospects already, the claim limit: work or release one first.",
            owned,
        ).format(count=owned)
    return None


def reason_text(state: PoolState, rules: PoolRules) -> str:
    """Why a pooled customer is in the pool, or what sends an owned one back, in a few words."""
    if state.reason == NO_OWNER:
        return _("no owner")
    if state.reason == NO_DEAL:
        return ngettext("no deal for {days} day", "no deal for {days} days", rules.no_deal_days).format(
            days=rules.no_deal_days
        )
    assert state.back_on is not None and state.since is not None
    days = (state.back_on - state.since).days
    return ngettext("no interaction for {days} day", "no interaction for {days} days", days).format(days=days)


POOL_SETTING_KEYS = (
    "pool_idle_days",
    TIER_IDLE_SETTING,
    "pool_no_deal_days",
    "pool_warn_days",
    "pool_cooldown_days",
    "pool_claim_limit",
)


def parse_pool_setting(key: str, text: str) -> int | dict[str, int]:
    """A pool setting as typed in the settings: a whole number in its range, or the tier
    idle days ('A 60, B 45'; empty: every tier takes the idle days)."""
    if key == TIER_IDLE_SETTING:
        return parse_tier_idle_days(text, key)
    low, high = POOL_LIMITS[key]
    cleaned = text.strip()
    if not cleaned.isdigit() or not low <= int(cleaned) <= high:
        raise InvalidValue(
            key,
            _("{value} is not a whole number from {low} to {high}.").format(
                value=repr(text), low=low, high=high
            ),
        )
    return int(cleaned)


def setting_values(rules: PoolRules) -> dict[str, int | dict[str, int]]:
    """The rules as the settings store them."""
    return {
        "pool_idle_days": rules.idle_days,
        TIER_IDLE_SETTING: dict(rules.tier_idle_days),
        "pool_no_deal_days": rules.no_deal_days,
        "pool_warn_days": rules.warn_days,
        "pool_cooldown_days": rules.cooldown_days,
        "pool_claim_limit": rules.claim_limit,
    }
