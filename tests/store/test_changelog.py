"""The change log: one entry per write, in the same transaction, under a clock that never goes back."""

import json
from itertools import pairwise

import pytest

from salesdesk.core.errors import StaleRecord
from salesdesk.store.changelog import next_clock, parse_clock


def changes_of(store, table, row_id):
    return [
        (clock, json.loads(data))
        for clock, data in store.db.execute(
            "SELECT clock, data FROM changes WHERE tbl = ? AND row_id = ? ORDER BY seq", [table, row_id]
        )
    ]


def count(store, table):
    return store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_insert_writes_a_change_with_the_whole_record(store):
    customer_id = store.add_customer("Ada", email="ada@example.com")
    [(_, data)] = changes_of(store, "customers", customer_id)
    assert data["id"] == customer_id
    assert data["name"] == "Ada"
    assert data["email"] == "ada@example.com"
    assert data["version"] == 1


def test_update_writes_a_change_with_the_changed_fields(store, clock):
    customer_id = store.add_customer("Ada", company="Old")
    clock.advance(minutes=1)
    store.update_customer(customer_id, {"company": "New", "name": "Ada"})
    _, data = changes_of(store, "customers", customer_id)[-1]
    assert data == {
        "company": "New",
        "updated_at": "2026-11-27T09:01:00.000Z",
        "updated_by": "ann",
        "version": 2,
    }


def test_delete_writes_a_change_with_deleted_at(store):
    customer_id = store.add_customer("Ada")
    store.delete_customer(customer_id)
    _, data = changes_of(store, "customers", customer_id)[-1]
    assert data["deleted_at"] == "2026-11-27T09:00:00.000Z"


def test_change_is_stamped_with_this_device(store):
    customer_id = store.add_customer("Ada")
    device = store.db.execute("SELECT device FROM changes WHERE row_id = ?", [customer_id]).fetchone()[0]
    assert device == store.device
    clock = changes_of(store, "customers", customer_id)[0][0]
    assert parse_clock(clock)[2] == store.device


def test_every_write_has_exactly_one_change(store):
    before = count(store, "changes")
    customer_id = store.add_customer("Ada")
    store.update_customer(customer_id, {"company": "Acme"})
    store.delete_customer(customer_id)
    assert count(store, "changes") == before + 3


def test_stale_write_leaves_neither_row_change_nor_log_entry(store):
    customer_id = store.add_customer("Ada", company="Acme")
    store.update_customer(customer_id, {"company": "Acme Ltd"})  # version 2
    before = (count(store, "changes"), store.records.get("customers", customer_id))
    with pytest.raises(StaleRecord):
        store.update_customer(customer_id, {"company": "Other"}, expected_version=1)
    assert (count(store, "changes"), store.records.get("customers", customer_id)) == before


def test_failing_log_write_rolls_back_the_row(store, monkeypatch):
    before = (count(store, "customers"), count(store, "changes"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.records.log, "record", broken)
    with pytest.raises(RuntimeError):
        store.add_customer("Ada")
    assert (count(store, "customers"), count(store, "changes")) == before
    assert not store.db.conn.in_transaction


def test_failing_part_of_a_deal_add_rolls_back_the_deal(store, monkeypatch):
    customer_id = store.add_customer("Ada")
    before = (count(store, "deals"), count(store, "stage_changes"), count(store, "changes"))

    def broken(*args, **kwargs):
        raise RuntimeError("crash between the deal and its stage change")

    monkeypatch.setattr(store, "_record_stage_change", broken)
    with pytest.raises(RuntimeError):
        store.add_deal(customer_id, "Fleet")
    assert (count(store, "deals"), count(store, "stage_changes"), count(store, "changes")) == before


def test_clocks_strictly_increase(store, clock):
    customer_id = store.add_customer("Ada")
    for n in range(5):
        store.update_customer(customer_id, {"notes": f"note {n}"})  # same millisecond
    clocks = [c for c, _ in changes_of(store, "customers", customer_id)]
    assert len(clocks) == 6
    assert all(a < b for a, b in pairwise(clocks))


def test_clocks_strictly_increase_when_the_wall_clock_goes_back(store, clock):
    first = store.add_customer("Ada")
    clock.advance(hours=-3)
    store.add_customer("Bea")
    clock.advance(hours=-1)
    store.update_customer(first, {"company": "Acme"})
    clocks = [
        c
        for (c,) in store.db.execute(
            "SELECT clock FROM changes WHERE device = ? ORDER BY seq", [store.device]
        )
    ]
    assert len(clocks) == 3
    assert all(a < b for a, b in pairwise(clocks))
    # the clock stays at the latest wall time it saw and counts on from there
    latest_ms = parse_clock(clocks[0])[0]
    assert [parse_clock(c)[:2] for c in clocks] == [(latest_ms, 0), (latest_ms, 1), (latest_ms, 2)]


def test_clock_follows_the_wall_clock_when_it_moves_on(store, clock):
    store.add_customer("Ada")
    clock.advance(seconds=1)
    store.add_customer("Bea")
    clocks = [
        c
        for (c,) in store.db.execute(
            "SELECT clock FROM changes WHERE device = ? ORDER BY seq", [store.device]
        )
    ]
    assert parse_clock(clocks[1])[0] - parse_clock(clocks[0])[0] == 1000
    assert parse_clock(clocks[1])[1] == 0


def test_clock_survives_reopening(tmp_path, clock):
    from salesdesk.store.store import Store

    path = tmp_path / "t.db"
    first = Store.open(path, "ann", clock)
    first.add_customer("Ada")
    last = first.meta("clock")
    first.close()
    clock.advance(days=-1)
    again = Store.open(path, "ann", clock)
    try:
        again.add_customer("Bea")
        assert again.meta("clock") > last
    finally:
        again.close()


def test_clock_values_compare_as_strings():
    assert next_clock(None, 5, "dev") == "000000000000005-00000-dev"
    assert next_clock("000000000000005-00000-dev", 5, "dev") == "000000000000005-00001-dev"
    assert next_clock("000000000000005-00001-dev", 3, "dev") == "000000000000005-00002-dev"
    assert next_clock("000000000000005-00002-dev", 9, "dev") == "000000000000009-00000-dev"


def test_stale_expected_version_raises_and_changes_nothing(store):
    customer_id = store.add_customer("Ada", company="Acme")
    version = store.update_customer(customer_id, {"company": "Acme Ltd"}, expected_version=1)
    assert version == 2
    with pytest.raises(StaleRecord) as caught:
        store.update_customer(customer_id, {"company": "Mine"}, expected_version=1)
    assert caught.value.current["company"] == "Acme Ltd"
    assert "changed elsewhere" in str(caught.value)
    record = store.records.get("customers", customer_id)
    assert (record["company"], record["version"]) == ("Acme Ltd", 2)


def test_stale_delete_is_refused(store):
    customer_id = store.add_customer("Ada")
    store.update_customer(customer_id, {"company": "Acme"})
    with pytest.raises(StaleRecord):
        store.delete_customer(customer_id, expected_version=1)
    assert store.records.get("customers", customer_id)["deleted_at"] is None
