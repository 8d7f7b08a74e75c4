"""What every record carries: id, timestamps, author, version, tombstone."""

import re

import pytest

from salesdesk import i18n
from salesdesk.core.dates import epoch_ms
from salesdesk.core.errors import NotFound
from salesdesk.core.ids import id_time_ms

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def row(store, table, record_id):
    return store.records.get(table, record_id, include_deleted=True)


def test_id_is_26_characters(store):
    customer_id = store.add_customer("Ada")
    assert len(customer_id) == 26
    assert row(store, "customers", customer_id)["id"] == customer_id


def test_id_encodes_the_clock_time(store, clock):
    customer_id = store.add_customer("Ada")
    assert id_time_ms(customer_id) == epoch_ms(clock.now)


def test_ids_are_time_ordered(store, clock):
    first = store.add_customer("Ada")
    clock.advance(milliseconds=1)
    second = store.add_customer("Bea")
    third = store.add_customer("Cai")  # same millisecond as second
    assert first < second < third


def test_every_kind_of_record_gets_a_time_ordered_id(store):
    customer_id = store.add_customer("Ada")
    deal_id = store.add_deal(customer_id, "Fleet")
    interaction_id = store.log_interaction(customer_id, "call", "Hello")
    followup_id = store.add_followup(customer_id, store.clock().date(), "Call back")
    change_id = store.stage_history(deal_id)[0].id
    ids = [customer_id, deal_id, change_id, interaction_id, followup_id]
    assert all(len(record_id) == 26 for record_id in ids)
    assert ids == sorted(ids)


def test_created_and_updated_at_are_utc_ms_iso(store):
    record = row(store, "customers", store.add_customer("Ada"))
    assert record["created_at"] == "2026-11-27T09:00:00.000Z"
    assert record["updated_at"] == "2026-11-27T09:00:00.000Z"
    assert STAMP.fullmatch(record["created_at"])


def test_update_stamps_updated_at_and_keeps_created_at(store, clock):
    customer_id = store.add_customer("Ada")
    clock.advance(hours=2, milliseconds=345)
    store.update_customer(customer_id, {"company": "Acme"})
    record = row(store, "customers", customer_id)
    assert record["created_at"] == "2026-11-27T09:00:00.000Z"
    assert record["updated_at"] == "2026-11-27T11:00:00.345Z"


def test_updated_by_is_the_user(store):
    record = row(store, "customers", store.add_customer("Ada"))
    assert record["updated_by"] == "ann"


def test_updated_by_follows_whoever_edits(store, tmp_path, clock):
    from salesdesk.store.store import Store

    customer_id = store.add_customer("Ada")
    bob = Store.open(tmp_path / "t.db", "bob", clock)
    try:
        bob.update_customer(customer_id, {"title": "CTO"})
    finally:
        bob.close()
    assert row(store, "customers", customer_id)["updated_by"] == "bob"


def test_version_starts_at_one_and_increments_on_update(store):
    customer_id = store.add_customer("Ada")
    assert row(store, "customers", customer_id)["version"] == 1
    assert store.update_customer(customer_id, {"company": "Acme"}) == 2
    assert store.update_customer(customer_id, {"company": "Acme Ltd"}) == 3
    assert row(store, "customers", customer_id)["version"] == 3


def test_update_without_a_real_change_keeps_the_version(store):
    customer_id = store.add_customer("Ada", company="Acme")
    assert store.update_customer(customer_id, {"company": "Acme"}) == 1
    assert row(store, "customers", customer_id)["version"] == 1


def test_delete_is_a_tombstone(store):
    customer_id = store.add_customer("Ada")
    store.delete_customer(customer_id)
    record = row(store, "customers", customer_id)
    assert record is not None
    assert record["deleted_at"] == "2026-11-27T09:00:00.000Z"
    assert record["version"] == 2


def test_tombstone_is_hidden_from_get_and_counts(store):
    keep = store.add_customer("Keep")
    gone = store.add_customer("Gone")
    assert store.counts()["customers"] == 2
    store.delete_customer(gone)
    assert store.counts()["customers"] == 1
    assert store.records.get("customers", gone) is None
    assert store.records.get("customers", keep)["name"] == "Keep"
    with pytest.raises(NotFound):
        store.customer(gone)
    assert store.db.execute("SELECT count(*) FROM customers").fetchone()[0] == 2


def test_a_record_in_the_trash_is_named_and_the_way_back_said(store):
    customer_id = store.add_customer("Wang Fang")
    store.delete_customer(customer_id)
    with pytest.raises(NotFound) as raised:
        store.log_interaction(customer_id, "call", "Called")
    assert str(raised.value) == (
        "The customer 'Wang Fang' is in the Trash (a teammate may have deleted it): restore it first "
        f"(key 6 in the app, or 'salesdesk trash restore {customer_id}')."
    )
    with pytest.raises(NotFound, match=r"^No customer with id 01NOSUCH"):
        store.log_interaction("01NOSUCHRECORD0000000000000", "call", "Called")
    i18n.set_language("zh")  # the fixture sets English back
    with pytest.raises(NotFound, match=r"^客户 'Wang Fang' 在回收站里（可能是同事删除的）：请先恢复"):
        store.log_interaction(customer_id, "call", "Called")


def test_a_deleted_record_the_trash_does_not_keep_is_named(store):
    tag_id = store.records.insert("tags", {"name": "vip"})
    store.records.delete("tags", tag_id)
    with pytest.raises(NotFound, match=r"^The tag 'vip' was deleted\.$"):
        store.records.require("tags", tag_id)


def test_update_of_a_missing_record_is_not_found(store):
    with pytest.raises(NotFound):
        store.update_customer("01NOSUCHRECORD0000000000000", {"company": "x"})
