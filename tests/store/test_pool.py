"""The lead pool of a copy: kept rows follow every write, warnings, and claims."""

from datetime import timedelta

import pytest

from salesdesk.core.pool import IDLE, NO_DEAL, NO_OWNER, NOT_ELIGIBLE, OWNED, POOLED, WARNED
from salesdesk.store.pool import Pool, PoolRefused
from salesdesk.store.store import Store
from tests.conftest import TODAY


def as_user(store: Store, user: str) -> Store:
    return Store(store.db, user, store.clock)


@pytest.fixture
def rules(store):
    store.set_setting("pool_idle_days", 30)
    store.set_setting("pool_tier_idle_days", {})
    store.set_setting("pool_no_deal_days", 0)
    store.set_setting("pool_warn_days", 3)
    store.set_setting("pool_cooldown_days", 7)
    store.set_setting("pool_claim_limit", 100)


def test_idle_lead_goes_back_and_a_call_keeps_it(store, clock, rules):
    lead = store.add_customer("Mary Cooper", company="Acme", owner="ann")
    pool = Pool(store)
    assert pool.state(lead, TODAY).kind == OWNED
    assert pool.state(lead, TODAY + timedelta(days=27)).kind == WARNED
    warned = pool.warnings("ann", TODAY + timedelta(days=28))
    assert [(w.name, w.state.days_left) for w in warned] == [("Mary Cooper", 2)]
    assert pool.warnings("tom", TODAY + timedelta(days=28)) == []
    later = TODAY + timedelta(days=30)
    assert pool.state(lead, later).kind == POOLED
    assert [r.name for r in pool.page(later)] == ["Mary Cooper"] and pool.count(later) == 1
    # logging a call before it goes back keeps it
    clock.advance(days=28)
    store.log_interaction(lead, "call", "Talked")
    assert pool.state(lead, later).kind == OWNED
    assert pool.warnings("ann", TODAY + timedelta(days=28)) == []
    assert pool.state(lead, TODAY + timedelta(days=58)).back_on == TODAY + timedelta(days=58)


def test_a_teammates_call_does_not_count(store, clock, rules):
    lead = store.add_customer("Mary Cooper", owner="ann")
    clock.advance(days=20)
    as_user(store, "tom").log_interaction(lead, "call", "Talked")
    assert Pool(store).state(lead, TODAY + timedelta(days=30)).reason == IDLE
    assert Pool(store).state(lead, TODAY + timedelta(days=30)).kind == POOLED


def test_no_owner_and_no_deal(store, clock, rules):
    store.set_setting("pool_no_deal_days", 10)
    nobody = store.add_customer("Nobody", owner="ann")
    store.update_customer(nobody, {"owner": ""})
    dealless = store.add_customer("Dealless", owner="ann")
    with_deal = store.add_customer("With deal", owner="ann")
    store.add_deal(with_deal, "Pilot", 1000)
    pool = Pool(store)
    assert pool.state(nobody, TODAY).reason == NO_OWNER
    assert pool.state(nobody, TODAY).kind == POOLED
    assert pool.state(dealless, TODAY + timedelta(days=9)).kind == WARNED
    assert pool.state(dealless, TODAY + timedelta(days=10)).reason == NO_DEAL
    assert pool.state(with_deal, TODAY + timedelta(days=10)).kind == OWNED


def test_a_customer_who_bought_is_never_in_the_pool_until_a_deal_opens(store, clock, rules):
    bought = store.add_customer("Bought", owner="ann")
    store.mark_won(store.add_deal(bought, "First order", 1000))
    pool = Pool(store)
    assert pool.state(bought, TODAY + timedelta(days=400)).kind == NOT_ELIGIBLE
    store.add_deal(bought, "Second order", 1000)
    assert pool.state(bought, TODAY + timedelta(days=400)).kind == POOLED
    lost = store.add_customer("Lost", owner="ann")
    store.mark_lost(store.add_deal(lost, "Gone", 1000), "price")
    assert pool.state(lost, TODAY + timedelta(days=30)).kind == POOLED


def test_by_tier_from_what_it_bought(store, clock, rules):
    store.set_setting("pool_tier_idle_days", {"A": 60})
    big = store.add_customer("Big", owner="ann")
    store.mark_won(store.add_deal(big, "Large order", 10_000_000, "USD"))
    store.add_deal(big, "Next order", 1000, "USD")
    assert Pool(store).state(big, TODAY + timedelta(days=59)).kind == WARNED
    assert Pool(store).state(big, TODAY + timedelta(days=60)).kind == POOLED


def test_other_rules_work_everyone_out_again(store, clock, rules):
    lead = store.add_customer("Lead", owner="ann")
    pool = Pool(store)
    assert pool.state(lead, TODAY + timedelta(days=30)).kind == POOLED
    store.set_setting("pool_idle_days", 40)
    assert pool.state(lead, TODAY + timedelta(days=30)).kind == OWNED


def test_claim_and_its_refusals(store, clock, rules):
    lead = store.add_customer("Mary Cooper", owner="ann")
    tom = as_user(store, "tom")
    with pytest.raises(PoolRefused, match="not in the pool: it is ann's, and goes back on Sun 27 Dec"):
        Pool(tom).claim(lead, TODAY)
    clock.advance(days=30)
    later = clock.today()
    # the former owner is in cool-down for 7 days
    with pytest.raises(PoolRefused, match="you can claim it again from Sun 03 Jan"):
        Pool(store).claim(lead, later)
    Pool(tom).claim(lead, later)
    assert store.customer(lead).owner == "tom"
    assert Pool(store).state(lead, later).kind == OWNED
    assert Pool(store).count(later) == 0


def test_the_former_owner_claims_it_back_after_the_cooldown(store, clock, rules):
    lead = store.add_customer("Lead", owner="ann")
    clock.advance(days=37)
    Pool(store).claim(lead, clock.today())
    assert Pool(store).state(lead, clock.today()).kind == OWNED


def test_claim_limit(store, clock, rules):
    store.set_setting("pool_claim_limit", 2)
    tom = as_user(store, "tom")
    tom.add_customer("Tom's one", owner="tom")
    nobody = [store.add_customer(f"Lead {n}", owner="ann") for n in range(2)]
    for customer in nobody:
        store.update_customer(customer, {"owner": ""})
    Pool(tom).claim(nobody[0], TODAY)
    with pytest.raises(PoolRefused, match="You own 2 leads and prospects already, the claim limit"):
        Pool(tom).claim(nobody[1], TODAY)
    store.set_setting("pool_claim_limit", 0)  # no limit
    Pool(tom).claim(nobody[1], TODAY)


def test_a_deleted_customer_leaves_the_pool(store, clock, rules):
    lead = store.add_customer("Lead")
    store.update_customer(lead, {"owner": ""})
    assert Pool(store).count(TODAY) == 1
    store.delete_customer(lead)
    assert Pool(store).count(TODAY) == 0


def test_search_the_pool(store, rules):
    for name, company in (("Mary", "Acme"), ("Li Lei", "华信")):
        store.update_customer(store.add_customer(name, company=company), {"owner": ""})
    assert [r.name for r in Pool(store).page(TODAY, search="华信")] == ["Li Lei"]
    assert Pool(store).count(TODAY, search="acme") == 1


def test_a_tier_that_ends_with_the_twelve_months(store, clock, rules):
    store.set_setting("pool_tier_idle_days", {"A": 60})
    big = store.add_customer("Big", owner="ann")
    store.mark_won(store.add_deal(big, "Large order", 10_000_000, "USD"))
    clock.advance(days=340)
    store.add_deal(big, "Next order", 1000, "USD")
    store.update_customer(big, {"owner": "tom"})  # tom's clocks run from day 340
    pool = Pool(store)
    # on day 340 it is tier A: 60 idle days; from day 365 the order is over a year old: 30
    assert pool.state(big, TODAY + timedelta(days=364)).kind == OWNED
    assert pool.state(big, TODAY + timedelta(days=370)).kind == POOLED
    assert pool.state(big, TODAY + timedelta(days=364)).kind == OWNED


def test_today_warns_the_owner_and_a_call_keeps_it(store, clock, rules):
    from salesdesk.core.agenda import POOL_WARNING
    from salesdesk.core.agenda import TODAY as TODAY_SECTION
    from salesdesk.store.agenda import AgendaStore

    lead = store.add_customer("Mary Cooper", company="Acme", owner="ann")
    day = TODAY + timedelta(days=28)
    warned = [i for i in AgendaStore(store).load(day).section(TODAY_SECTION).items if i.kind == POOL_WARNING]
    assert [(i.what, i.customer, i.company, i.why) for i in warned] == [
        ("Pool in 2d", "Mary Cooper", "Acme", "not worked since Fri 27 Nov")
    ]
    assert not [i for i in AgendaStore(as_user(store, "tom")).load(day).items if i.kind == POOL_WARNING]
    assert [
        i.customer
        for i in AgendaStore(as_user(store, "tom")).load(day, everyone=True).items
        if i.kind == POOL_WARNING
    ] == ["Mary Cooper"]
    clock.advance(days=28)
    store.log_interaction(lead, "call", "Talked")
    assert not [i for i in AgendaStore(store).load(day).items if i.kind == POOL_WARNING]


def test_peek_says_where_a_customer_stands_without_writing(store, clock, rules):
    lead = store.add_customer("Mary Cooper", owner="ann")
    bought = store.add_customer("Buyer", owner="ann")
    won = next(s.id for s in store.stages() if s.kind == "won")
    store.add_deal(bought, "Done", 1000, stage_id=won)
    pool = Pool(store)
    for day in (TODAY, TODAY + timedelta(days=28), TODAY + timedelta(days=31)):
        before = store.db.conn.total_changes
        peeked = pool.peek(lead, day)
        assert store.db.conn.total_changes == before  # nothing written, not even the kept rows
        assert peeked == pool.state(lead, day)
        assert pool.peek(lead, day) == peeked  # now from the row kept for the day
    assert [pool.peek(lead, d).kind for d in (TODAY, TODAY + timedelta(days=28))] == [OWNED, WARNED]
    assert pool.peek(bought, TODAY).kind == NOT_ELIGIBLE
    # A call logged since the rows were kept shows at once, before any refresh.
    clock.advance(days=27)
    store.log_interaction(lead, "call", "Talked")
    assert pool.peek(lead, TODAY + timedelta(days=31)).kind == OWNED
