"""Interactions: the contact history, last contact, and full-text search."""

from datetime import timedelta

import pytest

from salesdesk.core.dates import timestamp
from salesdesk.core.errors import InvalidValue, NotFound


@pytest.fixture
def customer_id(store):
    return store.add_customer("Li Wei", company="Hengda Trading", phone="+86 138-0013-8000")


def test_log_interaction_stores_it(store, customer_id, clock):
    interaction_id = store.log_interaction(customer_id, "call", "Asked about pricing", body="Wants 20 seats")
    [logged] = store.interactions_of(customer_id)
    assert logged.id == interaction_id
    assert (logged.kind, logged.summary, logged.body, logged.by_user, logged.at) == (
        "call",
        "Asked about pricing",
        "Wants 20 seats",
        "ann",
        timestamp(clock.now),
    )


def test_logging_sets_last_contact(store, customer_id, clock):
    store.log_interaction(customer_id, "email", "Sent brochure")
    assert store.customer(customer_id).last_contact_at == "2026-11-27T09:00:00.000Z"


def test_last_contact_moves_forward(store, customer_id, clock):
    store.log_interaction(customer_id, "call", "First")
    clock.advance(days=2)
    store.log_interaction(customer_id, "call", "Second")
    assert store.customer(customer_id).last_contact_at == "2026-11-29T09:00:00.000Z"


def test_last_contact_never_moves_back(store, customer_id, clock):
    store.log_interaction(customer_id, "meeting", "Demo")
    version = store.customer(customer_id).version
    store.log_interaction(customer_id, "note", "Backfilled an old call", at=clock.now - timedelta(days=30))
    customer = store.customer(customer_id)
    assert customer.last_contact_at == "2026-11-27T09:00:00.000Z"
    assert customer.version == version


def test_history_is_newest_first(store, customer_id, clock):
    store.log_interaction(customer_id, "call", "Middle", at=clock.now - timedelta(days=1))
    store.log_interaction(customer_id, "call", "Newest")
    store.log_interaction(customer_id, "call", "Oldest", at=clock.now - timedelta(days=9))
    assert [i.summary for i in store.interactions_of(customer_id)] == ["Newest", "Middle", "Oldest"]


@pytest.mark.parametrize("kind", ["fax", "Call", ""])
def test_interaction_kind_is_validated(store, customer_id, kind):
    with pytest.raises(InvalidValue) as caught:
        store.log_interaction(customer_id, kind, "Hello")
    assert caught.value.field == "kind"
    assert "call, email, meeting, visit, message, note" in str(caught.value)
    assert store.counts()["interactions"] == 0


def test_interaction_for_a_missing_customer_is_refused(store):
    with pytest.raises(NotFound):
        store.log_interaction("01NOSUCHCUSTOMER00000000000", "call", "Hello")
    assert store.counts()["interactions"] == 0


def test_interaction_for_a_missing_deal_is_refused_cleanly(store, customer_id):
    with pytest.raises(NotFound):
        store.log_interaction(customer_id, "call", "Hello", deal_id="01NOSUCHDEAL000000000000000")
    assert not store.db.conn.in_transaction
    assert store.counts()["interactions"] == 0
    store.log_interaction(customer_id, "call", "Still works")
    assert [i.summary for i in store.interactions_of(customer_id)] == ["Still works"]


def test_interaction_can_belong_to_a_deal(store, customer_id):
    deal_id = store.add_deal(customer_id, "Fleet")
    store.log_interaction(customer_id, "visit", "Site visit", deal_id=deal_id)
    assert store.interactions_of(customer_id)[0].deal_id == deal_id


def search_customers(store, text):
    return [
        row[0]
        for row in store.db.execute(
            "SELECT c.id FROM customers_fts JOIN customers c ON c.rid = customers_fts.rowid "
            "WHERE customers_fts MATCH ? ORDER BY c.name",
            [f'"{text}"'],
        )
    ]


def search_interactions(store, text):
    return [
        row[0]
        for row in store.db.execute(
            "SELECT i.id FROM interactions_fts JOIN interactions i ON i.rid = interactions_fts.rowid "
            "WHERE interactions_fts MATCH ?",
            [text],
        )
    ]


def test_customer_found_by_part_of_a_phone_number(store, customer_id):
    other = store.add_customer("Somebody", phone="555 0100")
    assert search_customers(store, "0013") == [customer_id]
    assert search_customers(store, "0100") == [other]


def test_customer_found_by_part_of_a_name_or_company(store, customer_id):
    store.add_customer("Someone Else")
    assert search_customers(store, "Heng") == [customer_id]
    assert search_customers(store, "i We") == [customer_id]


def test_customer_search_follows_updates(store, customer_id):
    store.update_customer(customer_id, {"phone": "777 9999"})
    assert search_customers(store, "0013") == []
    assert search_customers(store, "9999") == [customer_id]


def test_interaction_found_by_a_word(store, customer_id):
    wanted = store.log_interaction(customer_id, "call", "Discussed pricing", body="They want a discount")
    store.log_interaction(customer_id, "email", "Sent the brochure")
    assert search_interactions(store, "discount") == [wanted]
    assert search_interactions(store, "pricing") == [wanted]


def test_interaction_found_by_a_word_prefix(store, customer_id):
    wanted = store.log_interaction(customer_id, "meeting", "Negotiation round two")
    assert search_interactions(store, "negot*") == [wanted]
