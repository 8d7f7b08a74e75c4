"""The lead pool (公海): leads and prospects nobody is working go back to the team.

A customer's membership is computed from its records and the rules (the settings
below), the same on every device, never written by a background job.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from salesdesk.core.errors import InvalidValue
from salesdesk.i18n import _

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
