"""Pool membership and claims on fixed dates, at each rule's boundary."""

from datetime import date, timedelta

import pytest

from salesdesk.core.pool import (
    IDLE,
    NO_DEAL,
    NO_OWNER,
    NOT_ELIGIBLE,
    OWNED,
    POOLED,
    WARNED,
    PoolFacts,
    PoolRules,
    claim_refusal,
    idle_back_on,
    pool_rules,
    pool_state,
)
from salesdesk.i18n import written_in

S = date(2026, 10, 1)
RULES = PoolRules(
    idle_days=30,
    tier_idle_days={"A": 60, "B": 45},
    no_deal_days=0,
    warn_days=3,
    cooldown_days=7,
    claim_limit=5,
)


def day(n: int) -> date:
    return S + timedelta(days=n)


def state(today: date, rules: PoolRules = RULES, **facts: object):
    values = {"owner": "mary", "start": S, **facts}
    return pool_state(PoolFacts(**values), rules, today)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def english():
    with written_in("en"):
        yield


def test_idle_from_start_the_day_before_on_and_after():
    assert state(day(26)).kind == OWNED
    assert state(day(27)).kind == WARNED and state(day(27)).days_left == 3
    assert state(day(29)).kind == WARNED and state(day(29)).days_left == 1
    on = state(day(30))
    assert on.kind == POOLED and on.back_on == day(30) and on.reason == IDLE and on.owner == "mary"
    assert state(day(31)).kind == POOLED


def test_each_touch_by_the_owner_moves_the_day_on():
    touches = [day(10), day(35)]
    assert idle_back_on(S, touches, 30) == (day(65), day(35))
    assert state(day(64), touches=touches).kind == WARNED
    assert state(day(65), touches=touches).back_on == day(65)


def test_a_touch_after_the_first_gap_does_not_bring_it_back():
    # 1 Oct .. 5 Nov is 35 days: it went back on 31 Oct; the call on 5 Nov changes nothing.
    touches = [day(35), day(40)]
    back, last = idle_back_on(S, touches, 30)
    assert (back, last) == (day(30), S)
    assert state(day(41), touches=touches).kind == POOLED


def test_a_gap_of_exactly_n_days_sends_it_back():
    assert idle_back_on(S, [day(30)], 30)[0] == day(30)
    assert idle_back_on(S, [day(29)], 30)[0] == day(59)


def test_touches_before_the_owner_took_it_do_not_count():
    assert idle_back_on(S, [day(-5)], 30)[0] == day(30)


def test_by_tier():
    assert state(day(44), tier="B").kind == WARNED
    assert state(day(45), tier="B").kind == POOLED
    assert state(day(59), tier="A").kind == WARNED
    assert state(day(60), tier="A").kind == POOLED
    assert state(day(29), tier="C").kind == WARNED
    assert state(day(30), tier="C").kind == POOLED


def test_no_deal_rule_the_day_before_on_and_after():
    rules = PoolRules(idle_days=90, tier_idle_days={}, no_deal_days=20, warn_days=3)
    assert state(day(16), rules).kind == OWNED
    assert state(day(19), rules).kind == WARNED
    on = state(day(20), rules)
    assert on.kind == POOLED and on.reason == NO_DEAL and on.back_on == day(20)
    # a deal created the day before the rule would send it back keeps it
    assert state(day(20), rules, deal_days=[day(19)]).kind == OWNED
    # one created on that day is too late
    assert state(day(20), rules, deal_days=[day(20)]).kind == POOLED


def test_the_earlier_rule_wins():
    rules = PoolRules(idle_days=30, tier_idle_days={}, no_deal_days=20)
    assert state(day(20), rules).reason == NO_DEAL
    rules = PoolRules(idle_days=10, tier_idle_days={}, no_deal_days=20)
    assert state(day(10), rules).reason == IDLE


def test_rules_off():
    rules = PoolRules(
        idle_days=30, tier_idle_days={}, no_deal_days=0, warn_days=0, cooldown_days=0, claim_limit=0
    )
    assert state(day(29), rules).kind == OWNED  # no warning with warn_days 0
    pooled = state(day(30), rules)
    assert pooled.kind == POOLED and pooled.former_owner_from == day(30)
    assert claim_refusal(pooled, "Lead", "mary", 10_000, rules, day(30)) is None


def test_no_owner_is_in_the_pool_since_it_was_taken():
    no_owner = state(S, owner="")
    assert no_owner.kind == POOLED and no_owner.reason == NO_OWNER and no_owner.back_on == S
    assert claim_refusal(no_owner, "Lead", "mary", 0, RULES, S) is None


def test_not_eligible_never_goes():
    assert state(day(400), eligible=False).kind == NOT_ELIGIBLE
    refusal = claim_refusal(state(day(400), eligible=False), "Acme", "tom", 0, RULES, day(400))
    assert refusal and "never goes to the pool" in refusal


def test_claim_refused_when_not_in_the_pool_names_owner_and_day():
    refusal = claim_refusal(state(day(10)), "Mary Cooper", "tom", 0, RULES, day(10))
    assert refusal == (
        "Mary Cooper is not in the pool: it is mary's, and goes back on Sat 31 Oct if not worked."
    )


def test_cooldown_of_the_former_owner_the_day_before_on_and_after():
    pooled = state(day(36))
    assert pooled.former_owner_from == day(37)
    refusal = claim_refusal(pooled, "Lead", "mary", 0, RULES, day(36))
    assert refusal == "Lead went back to the pool from you: you can claim it again from Sat 07 Nov."
    assert claim_refusal(state(day(37)), "Lead", "mary", 0, RULES, day(37)) is None
    assert claim_refusal(state(day(38)), "Lead", "mary", 0, RULES, day(38)) is None
    # someone else claims it at once
    assert claim_refusal(state(day(30)), "Lead", "tom", 0, RULES, day(30)) is None


def test_claim_limit_one_below_at_and_above():
    pooled = state(day(40))
    assert claim_refusal(pooled, "Lead", "tom", 4, RULES, day(40)) is None
    at = claim_refusal(pooled, "Lead", "tom", 5, RULES, day(40))
    assert at and "claim limit" in at and "5" in at
    assert claim_refusal(pooled, "Lead", "tom", 6, RULES, day(40))


def test_rules_read_from_settings_fall_back_to_defaults():
    stored = {"pool_idle_days": 10, "pool_claim_limit": "lots", "pool_tier_idle_days": {"A": 99}}
    rules = pool_rules(stored.get)
    assert rules.idle_days == 10 and rules.claim_limit == 100
    assert rules.idle_days_of("A") == 99 and rules.idle_days_of("B") == 10
