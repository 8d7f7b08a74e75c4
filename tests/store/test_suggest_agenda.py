"""The reorder rows of Today: a product due again, done or dismissed until the next time."""

from datetime import timedelta

from salesdesk.core.agenda import DONE, OVERDUE, REORDER, REPEAT
from salesdesk.store.agenda import AgendaStore
from tests.conftest import START, TODAY
from tests.store.test_suggest import deal_with, products


def kinds_of(agenda, customer_id):
    return sorted(item.kind for item in agenda.items if item.customer_id == customer_id)


def reorder_rows(agenda):
    return [item for item in agenda.items if item.kind == REORDER]


def buyer(store, clock, name="Sun Li", owner=None, **values):
    clock.now = START - timedelta(days=900)
    customer_id = store.add_customer(name, **values)
    if owner:
        store.assign("customers", customer_id, owner)
    clock.now = START
    return customer_id


def test_a_product_bought_every_90_days_is_due_again(store, clock):
    p = products(store, clock)
    sun = buyer(store, clock)
    for days_ago in (275, 185, 95):
        deal_with(store, clock, sun, days_ago, [p["parts"], *([p["install"]] if days_ago == 275 else [])])
    agenda = AgendaStore(store).load(TODAY)
    [row] = reorder_rows(agenda)
    assert row.due == TODAY - timedelta(days=5) and row in agenda.section(OVERDUE).items
    assert row.what == "Reorder 备件框架协议?"
    assert row.why == "buys every ~90d, last 95d ago"
    assert row.occurrence == f"{p['parts']}@{row.due.isoformat()}"
    # The customer's "time to reorder?" is said better by the product's row.
    assert kinds_of(agenda, sun) == [REORDER]


def test_done_it_comes_back_one_interval_later(store, clock):
    p = products(store, clock)
    sun = buyer(store, clock)
    for days_ago in (275, 185, 95):
        deal_with(store, clock, sun, days_ago, [p["parts"]])
    agendas = AgendaStore(store)
    [row] = reorder_rows(agendas.load(TODAY))
    agendas.resolve(row, DONE)
    assert reorder_rows(agendas.load(TODAY)) == []
    stored = store.records.get("reminder_dismissals", row.key)
    assert (stored["kind"], stored["customer_id"], stored["outcome"]) == (REORDER, sun, DONE)
    later = TODAY + timedelta(days=90)
    [again] = reorder_rows(agendas.load(later))
    assert again.due == row.due + timedelta(days=90) and again.key != row.key


def test_a_new_purchase_moves_it_and_an_open_deal_for_it_holds_it(store, clock):
    p = products(store, clock)
    sun = buyer(store, clock)
    for days_ago in (275, 185, 95):
        deal_with(store, clock, sun, days_ago, [p["parts"]])
    deal_with(store, clock, sun, 1, [p["parts"]], stage="stage-quote")  # being worked
    assert reorder_rows(AgendaStore(store).load(TODAY)) == []
    zhou = buyer(store, clock, "Zhou Yi")
    for days_ago in (275, 185, 95, 2):
        deal_with(store, clock, zhou, days_ago, [p["parts"]])
    assert reorder_rows(AgendaStore(store).load(TODAY)) == []  # bought two days ago


def test_a_product_bought_once_gives_no_row_and_the_customer_keeps_repeat(store, clock):
    p = products(store, clock)
    sun = buyer(store, clock)
    for days_ago, product in ((275, "maint"), (185, "licence"), (95, "training")):
        deal_with(store, clock, sun, days_ago, [p[product]])
    agenda = AgendaStore(store).load(TODAY)
    assert kinds_of(agenda, sun) == [REPEAT]


def test_mine_and_everyone_and_retired_products(store, clock):
    p = products(store, clock, retired=("maint",))
    bob = buyer(store, clock, "Bob's customer", owner="bob")
    mine = buyer(store, clock)
    for days_ago in (275, 185, 95):
        deal_with(store, clock, bob, days_ago, [p["parts"]])
        deal_with(store, clock, mine, days_ago, [p["maint"], p["training"]])
    agendas = AgendaStore(store)
    assert [row.what for row in reorder_rows(agendas.load(TODAY))] == ["Reorder 培训服务?"]
    everyone = agendas.load(TODAY, everyone=True)
    assert sorted(row.customer for row in reorder_rows(everyone)) == ["Bob's customer", "Sun Li"]


def test_snoozed_it_becomes_a_follow_up(store, clock):
    p = products(store, clock)
    sun = buyer(store, clock)
    for days_ago in (275, 185, 95):
        deal_with(store, clock, sun, days_ago, [p["parts"]])
    agendas = AgendaStore(store)
    [row] = reorder_rows(agendas.load(TODAY))
    followup = agendas.snooze(row, TODAY + timedelta(days=2))
    assert store.followup(followup).title == "Reorder 备件框架协议?"
    agenda = agendas.load(TODAY)
    assert reorder_rows(agenda) == [] and kinds_of(agenda, sun) == ["follow-up"]
