"""What to offer next, on the customer's detail pane: read on a thread, shown literally."""

from datetime import timedelta

import pytest

from salesdesk.core.agenda import DISMISSED, REORDER
from salesdesk.store import suggest
from salesdesk.store.store import Store
from salesdesk.store.suggest import held_index
from salesdesk.tui.widgets.customer_detail import CustomerDetailPane
from tests.conftest import START, FakeClock
from tests.store.test_suggest import deal_with, products, story
from tests.tui.conftest import SIZE, make_app, settle
from tests.tui.test_customers import shown
from tests.tui.test_today_keys import ready, today_screen


@pytest.fixture
def buyers(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "suggest.db", "ann", clock)
    ids, products = story(store, clock)
    clock.now = START - timedelta(days=800)
    hostile = store.records.insert("products", {"name": "[red]Evil[/] \x1b[31mkit", "currency": "CNY"})
    clock.now = START
    for n in range(3):
        deal_with(store, clock, ids[f"c{n}"], 150, [hostile])
    yield store, ids, products
    store.close()


async def offer_of(pilot, customer_id) -> str:
    app = pilot.app
    app.screen.show_customer(customer_id)
    await settle(pilot)
    await app.workers.wait_for_complete()
    await settle(pilot)
    pane = app.screen.query_one(CustomerDetailPane)
    offer = pane.query_one("#offer-next")
    return shown(offer) if offer.display else ""


async def test_the_pane_offers_what_customers_who_bought_the_same_bought(buyers):
    store, ids, _products = buyers
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        text = await offer_of(pilot, ids["Wang"])
        assert "Offer next" in text
        assert "7 of 9 customers who bought 年度维保合同 also bought 备件框架协议" in text
        # The product's name is shown as it was typed, never as markup or a terminal code.
        assert "[red]Evil[/] " in text and "\x1b" not in text
        text = await offer_of(pilot, ids["Li"])
        assert "↻ 备件框架协议" in text
        assert "Bought 备件框架协议 4 times, about every 90 days; last on Tue 28 Jul (122 days ago)" in text


async def test_a_customer_with_nothing_to_offer_shows_no_section(buyers):
    store, ids, _products = buyers
    lone = store.add_customer("Zhao Min")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert await offer_of(pilot, ids["Wang"])
        assert await offer_of(pilot, lone) == ""


async def test_the_purchases_are_read_on_a_thread_then_held(buyers):
    store, ids, _products = buyers
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await offer_of(pilot, ids["Wang"])
        held = held_index(store.db)
        assert held is not None  # the thread's read, kept for the next customer
        pane = app.screen.query_one(CustomerDetailPane)
        app.screen.show_customer(ids["Li"])  # shown at once, without a thread
        assert [s.product_id for s in pane.offered][:1] == [_products["parts"]]
        store.log_interaction(ids["Li"], "call", "Called about spare parts")
        assert held_index(store.db) is None  # a write: read again, on a thread


class TestSuggestPane:
    def test_offer_next(self, snap_compare, buyers):
        store, ids, _products = buyers

        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("3")
            await settle(pilot)
            await offer_of(pilot, ids["Wang"])

        assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


@pytest.fixture
def reorder_db(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "reorder.db", "ann", clock)
    p = products(store, clock)
    clock.now = START - timedelta(days=900)
    sun = store.add_customer("Sun Li", company="Sun Parts")
    clock.now = START
    for days_ago in (275, 185, 95):
        deal_with(store, clock, sun, days_ago, [p["parts"]])
    yield store, sun
    store.close()


async def test_today_shows_a_reorder_row_and_x_dismisses_it(reorder_db):
    store, sun = reorder_db
    async with today_screen(store, "Reorder 备件框架协议?") as pilot:
        item = pilot.app.screen.agenda_list.current
        assert (item.kind, item.customer_id) == (REORDER, sun)
        await pilot.press("x")
        await ready(pilot)
        row = store.records.require("reminder_dismissals", item.key)
        assert (row["kind"], row["outcome"]) == (REORDER, DISMISSED)
        assert item.key not in [i.key for i in pilot.app.screen.agenda_list.items]


async def test_moving_on_while_the_purchases_are_read_reads_them_once(buyers, monkeypatch):
    store, ids, products_ = buyers
    reads = []
    real = suggest.read_index
    monkeypatch.setattr(suggest, "read_index", lambda db: reads.append(1) or real(db))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await app.workers.wait_for_complete()
        suggest._cache.clear()  # as after a write: read again
        reads.clear()
        app.screen.show_customer(ids["Wang"])
        app.screen.show_customer(ids["Li"])  # before the read for Wang has ended
        await app.workers.wait_for_complete()
        await settle(pilot)
        pane = app.screen.query_one(CustomerDetailPane)
        assert reads == [1]
        assert (pane.offered[0].kind, pane.offered[0].product_id) == (REORDER, products_["parts"])
