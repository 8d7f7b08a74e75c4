"""Quotes made from a deal's lines: numbering per year, versions, freezing, sending, statuses."""

import json
from datetime import date, timedelta

import pytest

from salesdesk.core.errors import InvalidValue
from salesdesk.core.quotes import ACCEPTED, DRAFT, EXPIRED, SENT, SUPERSEDED, lines_from_json
from salesdesk.store.lines import refresh
from salesdesk.store.quotes import QuoteStore
from tests.conftest import TODAY


def add_line(store, deal_id, description, quantity_milli, unit_price, *, position=0, product_id=None, **more):
    line_id = store.records.insert(
        "deal_lines",
        {
            "deal_id": deal_id,
            "description": description,
            "product_id": product_id,
            "position": position,
            "quantity_milli": quantity_milli,
            "unit_price": unit_price,
            "unit": more.pop("unit", "pcs"),
            **more,
        },
    )
    refresh(store, [deal_id])
    return line_id


@pytest.fixture
def deal(store):
    customer = store.add_customer(
        "Wang Wei", company="Huaxin", email="wang@huaxin.example", phone="13800138000"
    )
    deal_id = store.add_deal(customer, "Laptops for Huaxin", 0, "CNY")
    add_line(store, deal_id, "ThinkPad X1", 3000, 8_999_00, position=1)
    add_line(store, deal_id, "Setup", 2500, 400_00, position=2, discount_kind="percent", discount=1000)
    return deal_id


@pytest.fixture
def quotes(store):
    return QuoteStore(store)


def test_a_quote_freezes_the_deals_lines_parties_and_settings(store, quotes, deal):
    store.set_setting("quote_validity_days", 14)
    store.set_setting("quote_terms", "Payment within 30 days.")
    seller = {"name": "Acme Ltd", "address": "1 Road", "phone": "", "email": "", "tax_id": "91X"}
    store.set_setting("seller", seller)
    quote = quotes.make(deal, TODAY, "zh")
    assert (quote.number, quote.year, quote.seq, quote.revision) == ("Q-2026-0001", 2026, 1, 1)
    assert quote.status == DRAFT and quote.device == store.device and quote.language == "zh"
    valid_until = TODAY + timedelta(days=14)
    assert (quote.issued_on, quote.valid_until) == (TODAY.isoformat(), valid_until.isoformat())
    assert quote.terms == "Payment within 30 days."
    lines = lines_from_json(quote.lines)
    assert [line.description for line in lines] == ["ThinkPad X1", "Setup"]
    # 3 x 8,999.00 = 26,997.00; 2.5 x 400.00 = 1,000.00 less 10% = 900.00
    assert [line.total for line in lines] == [26_997_00, 900_00]
    assert (quote.subtotal, quote.discount_total, quote.total) == (27_997_00, 100_00, 27_897_00)
    assert quote.total == store.deal(deal).amount
    document = quotes.document(quote)
    assert document.buyer == {
        "name": "Wang Wei",
        "company": "Huaxin",
        "email": "wang@huaxin.example",
        "phone": "13800138000",
    }
    assert document.seller["name"] == "Acme Ltd" and document.seller["tax_id"] == "91X"
    assert document.deal_title == "Laptops for Huaxin" and document.currency == "CNY"


def test_a_products_code_goes_on_its_line(store, quotes):
    customer = store.add_customer("Li Na")
    deal_id = store.add_deal(customer, "Support", 0, "CNY")
    product = store.records.insert("products", {"name": "Annual support", "code": "SUP-1", "currency": "CNY"})
    add_line(store, deal_id, "Annual support", 1000, 5_000_00, product_id=product)
    add_line(store, deal_id, "Travel", 1000, 300_00, position=1)
    assert [line.code for line in lines_from_json(quotes.make(deal_id, TODAY, "en").lines)] == ["SUP-1", ""]


def test_a_deal_without_lines_has_nothing_to_quote(store, quotes):
    deal_id = store.add_deal(store.add_customer("Tom"), "Typed by hand", 5_000_00)
    with pytest.raises(InvalidValue, match="no lines to quote"):
        quotes.make(deal_id, TODAY, "en")
    assert store.db.execute("SELECT count(*) FROM quotes").fetchone()[0] == 0


def test_numbers_run_per_year_and_start_again_at_one(store, quotes, deal):
    other = store.add_deal(store.deal(deal).customer_id, "Monitors", 0, "CNY")
    add_line(store, other, "Monitor", 2000, 1_500_00)
    third = store.add_deal(store.deal(deal).customer_id, "Docks", 0, "CNY")
    add_line(store, third, "Dock", 1000, 900_00)
    assert quotes.make(deal, date(2026, 12, 30), "en").number == "Q-2026-0001"
    assert quotes.make(other, date(2026, 12, 31), "en").number == "Q-2026-0002"
    assert quotes.make(third, date(2027, 1, 2), "en").number == "Q-2027-0001"


def test_making_again_refreshes_the_draft_in_place_and_keeps_its_own_terms(store, quotes, deal):
    first = quotes.make(deal, TODAY, "en")
    quotes.set_terms(first.id, "Delivery in two weeks.")
    add_line(store, deal, "Bag", 3000, 50_00, position=3)
    again = quotes.make(deal, TODAY + timedelta(days=2), "en")
    assert again.id == first.id and again.revision == 1 and again.number == first.number
    assert len(lines_from_json(again.lines)) == 3 and again.total == store.deal(deal).amount
    assert again.issued_on == (TODAY + timedelta(days=2)).isoformat()
    assert again.terms == "Delivery in two weeks."
    assert store.db.execute("SELECT count(*) FROM quotes").fetchone()[0] == 1


def test_a_sent_quote_is_frozen_and_changed_lines_make_the_next_version(store, quotes, deal):
    first = quotes.make(deal, TODAY, "en")
    quotes.send(first.id, TODAY, False, None)
    assert quotes.make(deal, TODAY, "en").id == first.id  # nothing changed: the same quote
    with pytest.raises(InvalidValue, match="was sent"):
        quotes.set_terms(first.id, "Other terms")
    line = store.db.execute("SELECT id FROM deal_lines WHERE description = 'Setup'").fetchone()[0]
    store.records.update("deal_lines", line, {"quantity_milli": 5000})
    refresh(store, [deal])
    second = quotes.make(deal, TODAY + timedelta(days=1), "en")
    assert second.id != first.id
    assert (second.number, second.revision, second.status) == ("Q-2026-0001", 2, DRAFT)
    assert second.device == first.device
    assert quotes.get(first.id).lines == first.lines and quotes.get(first.id).total == first.total
    assert second.total == store.deal(deal).amount != first.total
    assert quotes.find("Q-2026-0001").id == second.id
    assert quotes.find("Q-2026-0001 v1").id == first.id
    assert [q.revision for q in quotes.quotes_of_deal(deal)] == [2, 1]
    with pytest.raises(InvalidValue, match="was sent"):
        quotes.send(first.id, TODAY, False, None)


def test_sending_logs_moves_the_deal_into_quote_and_books_a_followup(store, quotes, deal):
    quote = quotes.make(deal, TODAY, "en")
    customer = store.deal(deal).customer_id
    assert quotes.before_quote_stage(deal)
    sent = quotes.send(quote.id, TODAY, True, 3)
    assert sent.quote.status == SENT and sent.quote.sent_at is not None
    assert store.deal(deal).stage_id == "stage-quote" and sent.moved_to == "Quote"
    history = store.interactions_of(customer)
    assert [(i.kind, i.summary, i.deal_id) for i in history] == [
        ("email", "Sent quote Q-2026-0001 (¥27,897.00)", deal)
    ]
    followups = store.open_followups_of_deal(deal)
    assert [f.due_date for f in followups] == [(TODAY + timedelta(days=27)).isoformat()]
    assert sent.followup_due == TODAY + timedelta(days=27)
    assert "Q-2026-0001" in followups[0].title


def test_sending_leaves_a_deal_past_quote_where_it_is_and_books_nothing_unasked(store, quotes, deal):
    store.move_deal(deal, "stage-negotiation")
    quote = quotes.make(deal, TODAY, "en")
    assert not quotes.before_quote_stage(deal)
    sent = quotes.send(quote.id, TODAY, True, None)
    assert store.deal(deal).stage_id == "stage-negotiation" and sent.moved_to is None
    assert store.open_followups_of_deal(deal) == [] and sent.followup_due is None


def test_a_followup_is_never_booked_before_today(store, quotes, deal):
    store.set_setting("quote_validity_days", 2)
    quote = quotes.make(deal, TODAY, "en")
    assert quotes.send(quote.id, TODAY, False, 3).followup_due == TODAY


def test_a_draft_sent_days_later_is_dated_the_day_it_is_sent(store, quotes, deal):
    quote = quotes.make(deal, TODAY, "en")
    later = TODAY + timedelta(days=10)
    sent = quotes.send(quote.id, later, False, None).quote
    assert (sent.issued_on, sent.valid_until) == (later.isoformat(), (later + timedelta(days=30)).isoformat())


def test_statuses_on_a_given_day(store, quotes, deal, clock):
    customer = store.deal(deal).customer_id
    first = quotes.make(deal, TODAY, "en")
    quotes.send(first.id, TODAY, False, None)
    add_line(store, deal, "Bag", 1000, 50_00, position=3)
    second = quotes.make(deal, TODAY, "en")
    expiring = store.add_deal(customer, "Chairs", 0, "CNY")
    add_line(store, expiring, "Chair", 4000, 300_00)
    old = quotes.make(expiring, TODAY, "en")
    quotes.send(old.id, TODAY, False, None)
    won = store.add_deal(customer, "Desks", 0, "CNY")
    add_line(store, won, "Desk", 2000, 700_00)
    accepted = quotes.make(won, TODAY, "en")
    quotes.send(accepted.id, TODAY, False, None)
    clock.advance(days=5)
    store.mark_won(won)
    everything = quotes.quotes_of_customer(customer)
    assert len(everything) == 4
    on = TODAY + timedelta(days=31)  # past the 30 days of every quote
    assert quotes.statuses(everything, on) == {
        first.id: SUPERSEDED,
        second.id: DRAFT,
        old.id: EXPIRED,
        accepted.id: ACCEPTED,
    }
    assert quotes.status(quotes.get(old.id), TODAY + timedelta(days=30)) == SENT  # its last valid day


def test_a_deal_won_before_the_quote_was_sent_is_not_an_acceptance(store, quotes, deal, clock):
    store.mark_won(deal)
    clock.advance(days=1)
    quote = quotes.make(deal, TODAY + timedelta(days=1), "en")
    quotes.send(quote.id, TODAY + timedelta(days=1), False, None)
    assert quotes.status(quotes.get(quote.id), TODAY + timedelta(days=2)) == SENT


def test_terms_are_bounded(quotes, deal):
    quote = quotes.make(deal, TODAY, "en")
    with pytest.raises(InvalidValue, match="at most 4,000"):
        quotes.set_terms(quote.id, "x" * 4001)
    quotes.set_terms(quote.id, "y" * 4000)
    assert quotes.get(quote.id).terms == "y" * 4000


def test_a_teammates_bad_settings_are_read_as_the_defaults(store, quotes, deal):
    for key, value in (("quote_validity_days", 0), ("quote_terms", ["x"]), ("seller", {"name": 5})):
        store.db.execute("UPDATE settings SET value = ? WHERE id = ?", [json.dumps(value), key])
        store.db.execute(
            "INSERT OR IGNORE INTO settings (id, value, created_at, updated_at, updated_by, version) "
            "VALUES (?, ?, '2026-01-01', '2026-01-01', 'x', 1)",
            [key, json.dumps(value)],
        )
    quote = quotes.make(deal, TODAY, "xx")
    assert quote.valid_until == (TODAY + timedelta(days=30)).isoformat()
    assert quote.terms == "" and json.loads(quote.seller)["name"] == "" and quote.language == "en"
