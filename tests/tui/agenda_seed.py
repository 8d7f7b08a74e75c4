"""A database whose agenda holds every kind of item, for the Today screen's tests."""

from datetime import timedelta

from salesdesk.core.dates import parse_timestamp
from salesdesk.store.contracts import ContractStore
from salesdesk.store.store import Store
from tests.conftest import START, TODAY, FakeClock
from tests.tui.conftest import seed_pipeline


def _at(clock: FakeClock, days_ago: float) -> None:
    clock.now = START - timedelta(days=days_ago)


def seed_agenda(store: Store, clock: FakeClock) -> dict[str, str]:
    """The Pipeline's deals and follow-ups, plus a customer for each kind of care reminder.

    Returns names -> ids: deal titles, customer names, and a few follow-ups.
    """
    ids = seed_pipeline(store, clock)
    customers = dict(store.db.execute("SELECT name, id FROM customers").fetchall())
    ids.update(customers)
    for customer_id, created in store.db.execute("SELECT id, created_at FROM customers").fetchall():
        # Everyone was called the day they were added: none of them is a new lead.
        clock.now = parse_timestamp(created) + timedelta(hours=1)
        store.log_interaction(customer_id, "call", "First call")
    # New Year's Day is 35 days away: greet five weeks ahead so it is on the agenda.
    store.set_setting("holiday_days_ahead", 40)
    store.update_customer(customers["Emma Clark"], {"birthday": "1985-11-29"})
    store.update_customer(customers["李娜"], {"lunar_birthday": "10-23"})  # 1 December 2026
    ends = (TODAY + timedelta(days=20)).isoformat()
    store.update_customer(customers["Tom Baker"], {"contract_end": ends})
    # Renewals come from contracts: the customer's contract end is its contract (the store
    # keeps them in step; again here, which changes nothing).
    ContractStore(store).set_customer_end(customers["Tom Baker"], ends)
    ids["today"] = store.add_followup(
        customers["Sarah Miller"],
        TODAY,
        "Send the contract",
        deal_id=ids["POS terminals, 12 stores"],
        due_time="10:00",
    )
    ids["bob"] = store.add_followup(customers["Tom Baker"], TODAY, "Bob's call about support", owner="bob")

    _at(clock, 300)
    dormant = store.add_customer("Greg Howard", company="Howard Freight")
    store.add_deal(dormant, "Pallet scanners", 8_000_00, stage_id="stage-paid")
    _at(clock, 93)
    store.log_interaction(dormant, "call", "Asked about next year's budget")
    _at(clock, 40)
    paid = store.add_customer("Grace Kim", company="Kim Dental")
    deal = store.add_deal(paid, "Clinic software", 12_000_00, stage_id="stage-signed")
    store.log_interaction(paid, "meeting", "Signed the order")
    _at(clock, 29)
    store.move_deal(deal, "stage-paid")
    _at(clock, 24)
    stalled = store.add_customer("Omar Haddad", company="Harbor Logistics")
    store.log_interaction(stalled, "visit", "Walked the warehouse")
    ids["Warehouse robots"] = store.add_deal(
        stalled, "Warehouse robots", 90_000_00, stage_id="stage-qualified"
    )
    _at(clock, 1.2)
    ids["Nina Park"] = store.add_customer("Nina Park", company="Park Studio")
    clock.now = START
    ids["Greg Howard"], ids["Grace Kim"], ids["Omar Haddad"] = dormant, paid, stalled
    return ids
