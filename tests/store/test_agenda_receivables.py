"""Money to collect on the agenda, and renewals per contract, from a real database on a
fixed day (tests.conftest.TODAY, Friday 27 November 2026)."""

from datetime import date, timedelta

import pytest

from salesdesk.core.agenda import NEXT, OVERDUE, RECEIVABLE, RENEWAL, TODAY
from salesdesk.core.contracts import PlanPart
from salesdesk.core.errors import InvalidValue
from salesdesk.store.agenda import AgendaQueries, AgendaStore
from salesdesk.store.contracts import ContractStore, customer_end_id
from tests.conftest import TODAY as DAY


def days(n: int) -> date:
    return DAY + timedelta(days=n)


@pytest.fixture
def contracts(store):
    return ContractStore(store)


@pytest.fixture
def agendas(store):
    return AgendaStore(store)


def signed_contract(
    store, contracts, parts, *, customer="Wang Wei", company="Acme", currency="CNY", owner=None
):
    """A Signed deal's contract with a plan of (days from today, amount) parts."""
    values = {"company": company}
    if owner:
        values["owner"] = owner
    customer_id = store.add_customer(customer, **values)
    total = sum(amount for _day, amount in parts)
    deal = store.add_deal(customer_id, f"Order of {customer}", total, currency, stage_id="stage-signed")
    contract = contracts.make(deal, {**contracts.prefill(deal, DAY), "amount": total})
    ids = contracts.set_plan(contract, [PlanPart(days(n), amount, "") for n, amount in parts])
    return contract, ids, deal


def receivables(agenda):
    return [item for item in agenda.items if item.kind == RECEIVABLE]


def section_of(agenda, key):
    return next(s.title for s in agenda.sections if any(i.key == key for i in s.items))


def test_instalments_due_within_the_setting_and_every_overdue_one_are_rows(store, contracts, agendas):
    contract, ids, _deal = signed_contract(
        store, contracts, [(-40, 3_000_00), (0, 2_000_00), (5, 2_000_00), (9, 3_000_00)]
    )
    agenda = agendas.load(DAY)
    rows = {item.instalment_id: item for item in receivables(agenda)}
    assert set(rows) == {ids[0], ids[1], ids[2]}  # the one in nine days is beyond 7
    late, today, soon = rows[ids[0]], rows[ids[1]], rows[ids[2]]
    assert late.what == "Collect ¥3,000 from Acme (C-2026-0001, 1 of 4)"
    assert late.why == "40 days late" and section_of(agenda, late.key) == OVERDUE
    assert today.why == "instalment due" and section_of(agenda, today.key) == TODAY
    assert soon.what == "Collect ¥2,000 from Acme (C-2026-0001, 3 of 4)"
    assert section_of(agenda, soon.key) == NEXT
    assert (late.outstanding, late.currency, late.contract_id) == (3_000_00, "CNY", contract)
    assert late.deal == "Order of Wang Wei" and late.stage == "Signed"


def test_the_setting_says_how_many_days_ahead(store, contracts, agendas):
    _contract, ids, _deal = signed_contract(store, contracts, [(2, 1_000_00), (5, 1_000_00)])
    store.set_setting("receivable_days", 3)
    assert [i.instalment_id for i in receivables(agendas.load(DAY))] == [ids[0]]
    store.set_setting("receivable_days", "soon")  # a teammate's unusable value: the default
    assert len(receivables(agendas.load(DAY))) == 2


def test_paid_instalments_are_not_rows_and_a_part_payment_lowers_the_amount(store, contracts, agendas):
    contract, ids, _deal = signed_contract(store, contracts, [(-20, 3_000_00), (-10, 7_000_00)])
    contracts.record_receipt(contract, 4_000_00, days(-15))  # the first, and 1,000 of the second
    rows = receivables(agendas.load(DAY))
    assert [(r.instalment_id, r.outstanding) for r in rows] == [(ids[1], 6_000_00)]
    assert rows[0].what == "Collect ¥6,000 from Acme (C-2026-0001, 2 of 2)"
    assert rows[0].why == "10 days late"
    contracts.record_receipt(contract, 6_000_00, DAY)
    assert receivables(agendas.load(DAY)) == []


def test_a_receipt_for_a_later_instalment_pays_that_one(store, contracts, agendas):
    contract, ids, _deal = signed_contract(store, contracts, [(-5, 1_000_00), (3, 1_000_00)])
    contracts.record_receipt(contract, 1_000_00, DAY, instalment_id=ids[1])
    assert [r.instalment_id for r in receivables(agendas.load(DAY))] == [ids[0]]


def test_a_refund_brings_a_paid_instalment_back(store, contracts, agendas):
    contract, ids, _deal = signed_contract(store, contracts, [(-5, 1_000_00)])
    contracts.record_receipt(contract, 1_000_00, days(-5))
    assert receivables(agendas.load(DAY)) == []
    contracts.record_receipt(contract, -400_00, days(-1))
    assert [(r.instalment_id, r.outstanding) for r in receivables(agendas.load(DAY))] == [(ids[0], 400_00)]


def test_a_snoozed_instalment_is_hidden_until_its_day_and_still_owed(store, contracts, agendas):
    contract, ids, _deal = signed_contract(store, contracts, [(-3, 1_000_00)])
    contracts.snooze_instalment(ids[0], days(2))
    assert receivables(agendas.load(DAY)) == []
    assert receivables(agendas.load(days(1))) == []
    back = receivables(agendas.load(days(2)))
    assert [(r.instalment_id, r.why) for r in back] == [(ids[0], "5 days late")]
    assert contracts.collection(contract, DAY).overdue == 1_000_00


def test_two_currencies_are_two_rows_each_in_its_own(store, contracts, agendas):
    signed_contract(store, contracts, [(-1, 500_00)], customer="Li Na", company="Beta", currency="USD")
    signed_contract(store, contracts, [(1, 7_000_00)], customer="Wang Wei", company="", currency="CNY")
    whats = sorted(r.what for r in receivables(agendas.load(DAY)))
    assert whats == ["Collect $500 from Beta (C-2026-0001)", "Collect ¥7,000 from Wang Wei (C-2026-0002)"]


def test_rows_are_of_my_customers_unless_everyone(store, contracts, agendas):
    signed_contract(store, contracts, [(0, 1_000_00)], customer="Bob's", owner="bob")
    assert receivables(agendas.load(DAY)) == []
    assert [r.owner for r in receivables(agendas.load(DAY, everyone=True))] == ["bob"]


def test_deleted_contracts_customers_and_old_plans_give_no_rows(store, contracts, agendas):
    contract, ids, _deal = signed_contract(store, contracts, [(0, 1_000_00)])
    contracts.set_plan(contract, [PlanPart(days(30), 1_000_00, "")])  # the old instalment deleted
    assert receivables(agendas.load(DAY)) == []
    other, _ids, _deal = signed_contract(store, contracts, [(0, 1_000_00)], customer="Gone")
    store.records.delete("contracts", other)
    assert receivables(agendas.load(DAY)) == []


def test_receivables_cost_the_same_few_queries_however_many_contracts(store, contracts):
    queries = AgendaQueries(store.db)

    def statements():
        seen = []
        store.db.conn.set_trace_callback(seen.append)
        try:
            found = queries.receivables(days(7), DAY, None)
        finally:
            store.db.conn.set_trace_callback(None)
        return found, [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]

    signed_contract(store, contracts, [(-1, 1_000_00)], customer="First")
    one, before = statements()
    for n in range(15):
        contract, _ids, _deal = signed_contract(
            store, contracts, [(-n, 100_00), (n, 100_00)], customer=f"C{n}"
        )
        contracts.record_receipt(contract, 50_00, DAY)
    many, after = statements()
    assert len(before) == len(after) <= 3  # what is dirty, what is owed, what the rows show
    # Each one's first instalment (half paid), and its second when due within 7 days.
    assert len(one) == 1 and len(many) == 1 + 15 + 8


def test_a_renewal_per_contract_names_its_number(store, contracts, agendas, clock):
    customer = store.add_customer("Renewal Rob", company="Rob Ltd")
    deal = store.add_deal(customer, "Support", 1_000_00, "CNY", stage_id="stage-signed")
    first = contracts.make(deal, {**contracts.prefill(deal, DAY), "ends_on": days(33).isoformat()})
    second_deal = store.add_deal(customer, "Licences", 1_000_00, "CNY", stage_id="stage-signed")
    contracts.make(second_deal, {**contracts.prefill(second_deal, DAY), "ends_on": days(35).isoformat()})
    contracts.set_customer_end(customer, days(34).isoformat())
    renewals = sorted((i for i in agendas.load(DAY).items if i.kind == RENEWAL), key=lambda i: i.due)
    assert [(i.what, i.due, i.why) for i in renewals] == [
        ("Contract renewal: C-2026-0001", days(3), "ends Wed 30 Dec, in 33 days"),
        ("Contract renewal", days(4), "ends Thu 31 Dec, in 34 days"),
        ("Contract renewal: C-2026-0002", days(5), "ends Fri 01 Jan, in 35 days"),
    ]
    assert renewals[0].occurrence == f"{first}@{days(33).isoformat()}"
    assert renewals[0].deal_id == deal
    # The carried-over contract end keeps its occurrence of before: done then, still done.
    assert renewals[1].key == f"renewal:{customer}:{days(34).isoformat()}"
    agendas.resolve(renewals[0], "dismissed")
    left = [i.what for i in agendas.load(DAY).items if i.kind == RENEWAL]
    assert left == ["Contract renewal", "Contract renewal: C-2026-0002"]


def test_a_customer_contract_end_from_migration_17_keeps_its_renewal(store, contracts, agendas):
    customer = store.add_customer("Old Ode")
    # What migration 17 made of a contract end: a contract of that end, no deal, no number.
    contracts.set_customer_end(customer, days(30).isoformat())
    assert contracts.get(customer_end_id(customer)).deal_id is None
    renewals = [i for i in agendas.load(DAY).items if i.kind == RENEWAL]
    assert [(i.customer, i.due, i.what) for i in renewals] == [("Old Ode", DAY, "Contract renewal")]
    contracts.set_customer_end(customer, None)
    assert [i for i in agendas.load(DAY).items if i.kind == RENEWAL] == []


def test_collect_records_what_is_owed_now_and_undo_takes_it_back(store, contracts, agendas):
    contract, ids, deal = signed_contract(store, contracts, [(-3, 1_000_00)])
    row = receivables(agendas.load(DAY))[0]
    contracts.record_receipt(contract, 400_00, DAY)  # on another screen, after the row was read
    outcome, step, received = agendas.collect(row, DAY)
    assert received == 600_00 and outcome.completed and outcome.moved
    assert store.deal(deal).stage_id == "stage-paid"
    with pytest.raises(InvalidValue, match="paid already"):
        agendas.collect(row, DAY)
    agendas.undo(step)
    assert store.deal(deal).stage_id == "stage-signed"
    assert contracts.collection(contract, DAY).collected == 400_00


def test_a_snoozed_receivable_comes_back_on_undo(store, contracts, agendas):
    _contract, ids, _deal = signed_contract(store, contracts, [(0, 1_000_00)])
    step = agendas.snooze_receivable(receivables(agendas.load(DAY))[0], days(1))
    assert receivables(agendas.load(DAY)) == []
    agendas.undo(step)
    assert [r.instalment_id for r in receivables(agendas.load(DAY))] == ids


def test_a_contract_end_written_without_its_contract_still_gives_a_renewal(store, contracts, agendas):
    customer = store.add_customer("Bulk Bo")
    # As a bulk load or an older path writes it: the field alone, no contract.
    store.db.execute("UPDATE customers SET contract_end = ? WHERE id = ?", [days(30).isoformat(), customer])
    assert [(i.customer, i.due) for i in agendas.load(DAY).items if i.kind == RENEWAL] == [("Bulk Bo", DAY)]
    # Once its contract exists, the contract alone counts (here: moved by a week).
    contracts.set_customer_end(customer, days(37).isoformat())
    renewals = [i for i in agendas.load(DAY).items if i.kind == RENEWAL]
    assert [(i.customer, i.due) for i in renewals] == [("Bulk Bo", days(7))]
    contracts.set_customer_end(customer, None)  # the contract deleted: no renewal from the field
    assert [i for i in agendas.load(DAY).items if i.kind == RENEWAL] == []
