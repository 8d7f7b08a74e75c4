"""Contracts over a real database: made from a deal, a plan from a pattern, receipts and
the move to Paid when the money is in."""

from datetime import date, timedelta

import pytest

from salesdesk.core.contracts import OVERDUE, PAID, PARTLY_PAID, PENDING
from salesdesk.core.errors import InvalidValue
from salesdesk.store.contracts import ContractStore, customer_end_id
from tests.conftest import TODAY


@pytest.fixture
def contracts(store):
    return ContractStore(store)


@pytest.fixture
def signed(store):
    customer = store.add_customer("Wang Wei", company="Acme")
    return store.add_deal(customer, "Laptops", 10_000_00, "CNY", stage_id="stage-signed")


def test_a_contract_is_prefilled_from_the_deal_and_numbered_for_the_year(store, contracts, signed):
    values = contracts.prefill(signed, TODAY)
    assert (values["number"], values["amount"], values["currency"]) == ("C-2026-0001", 10_000_00, "CNY")
    first = contracts.make(signed, values)
    assert contracts.next_number(2026) == "C-2026-0002"
    assert contracts.of_deal(signed).id == first
    assert [c.id for c in contracts.of_customer(store.deal(signed).customer_id)] == [first]


def test_a_contract_that_ends_before_it_starts_is_refused(contracts, signed):
    with pytest.raises(InvalidValue, match="cannot end before it starts"):
        contracts.make(signed, {"starts_on": "2026-12-01", "ends_on": "2026-11-01"})
    with pytest.raises(InvalidValue, match="not a date"):
        contracts.make(signed, {"signed_on": "31/11/2026"})


def test_a_plan_from_a_pattern_replaces_the_old_one(store, contracts, signed):
    contract = contracts.make(signed, contracts.prefill(signed, TODAY))
    contracts.set_plan(contract, contracts.plan_from_pattern(contract, "3 monthly"))
    contracts.set_plan(contract, contracts.plan_from_pattern(contract, "30% on signing, 70% in 60 days"))
    plan = contracts.instalments(contract)
    assert [(i.due_on, i.amount) for i in plan] == [
        (TODAY.isoformat(), 3_000_00),
        ((TODAY + timedelta(days=60)).isoformat(), 7_000_00),
    ]
    gone = store.db.execute("SELECT count(*) FROM instalments WHERE deleted_at IS NOT NULL").fetchone()[0]
    assert gone == 3


def test_receipts_pay_the_plan_and_the_last_one_moves_the_deal_to_paid(store, contracts, signed):
    contract = contracts.make(signed, contracts.prefill(signed, TODAY))
    contracts.set_plan(contract, contracts.plan_from_pattern(contract, "30% on signing, 70% in 60 days"))
    first = contracts.record_receipt(contract, 4_000_00, TODAY, method="transfer", reference="TT-1")
    assert [s.status for s in first.collection.instalments] == [PAID, PARTLY_PAID]
    assert not first.completed and store.deal(signed).stage_id == "stage-signed"
    later = TODAY + timedelta(days=61)
    assert [s.status for s in contracts.collection(contract, later).instalments] == [PAID, OVERDUE]
    last = contracts.record_receipt(contract, 6_100_00, later)
    assert last.completed and last.moved and last.overpaid == 100_00
    assert store.deal(signed).stage_id == "stage-paid"


def test_with_the_ask_setting_the_deal_stays_until_the_person_moves_it(store, contracts, signed):
    store.set_setting("paid_on_collection", "ask")
    contract = contracts.make(signed, contracts.prefill(signed, TODAY))
    outcome = contracts.record_receipt(contract, 10_000_00, TODAY)
    assert outcome.completed and not outcome.moved and store.deal(signed).stage_id == "stage-signed"
    assert contracts.move_to_paid(signed) and store.deal(signed).stage_id == "stage-paid"


def test_a_refund_is_a_negative_receipt_and_an_empty_one_is_refused(contracts, signed):
    contract = contracts.make(signed, contracts.prefill(signed, TODAY))
    contracts.record_receipt(contract, 2_000_00, TODAY)
    refund = contracts.record_receipt(contract, -500_00, TODAY)
    assert refund.collection.collected == 1_500_00
    with pytest.raises(InvalidValue, match="needs an amount"):
        contracts.record_receipt(contract, 0, TODAY)
    with pytest.raises(InvalidValue, match="not a way of paying"):
        contracts.record_receipt(contract, 1_00, TODAY, method="barter")


def test_cards_and_the_pane_read_many_contracts_in_a_few_queries(store, contracts, signed):
    contract = contracts.make(signed, contracts.prefill(signed, TODAY))
    contracts.set_plan(contract, contracts.plan_from_pattern(contract, "50%, 50% in 30 days"))
    contracts.record_receipt(contract, 1_000_00, TODAY)
    assert contracts.collections_of_deals([signed, "no-such-deal"], TODAY) == {
        signed: (1_000_00, 10_000_00, "CNY")
    }
    customer = store.deal(signed).customer_id
    assert contracts.customer_receivables(customer, TODAY + timedelta(days=1)) == {
        "CNY": (9_000_00, 4_000_00)
    }
    assert [s.status for s in contracts.collection(contract, TODAY - timedelta(days=1)).instalments] == [
        PARTLY_PAID,
        PENDING,
    ]


def test_a_customers_contract_end_is_kept_in_its_own_contract(store, contracts):
    customer = store.add_customer("Li Na")
    contracts.set_customer_end(customer, "2027-06-30")
    assert contracts.get(customer_end_id(customer)).ends_on == "2027-06-30"
    contracts.set_customer_end(customer, "2027-09-30")
    assert contracts.get(customer_end_id(customer)).ends_on == "2027-09-30"
    contracts.set_customer_end(customer, None)
    assert contracts.get(customer_end_id(customer)) is None
    contracts.set_customer_end(customer, "2028-01-31")
    assert contracts.get(customer_end_id(customer)).ends_on == "2028-01-31"


def test_an_instalments_reminder_is_snoozed_not_its_debt(contracts, signed):
    contract = contracts.make(signed, contracts.prefill(signed, TODAY))
    (instalment,) = contracts.set_plan(contract, contracts.plan_from_pattern(contract, "100%"))
    contracts.snooze_instalment(instalment, date(2026, 12, 4))
    assert contracts.instalments(contract)[0].snoozed_until == "2026-12-04"
    assert contracts.collection(contract, date(2026, 12, 2)).overdue == 10_000_00
