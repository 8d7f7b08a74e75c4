"""Write transactions begin IMMEDIATE and wait out another writer instead of failing."""

import sqlite3
import threading
import time

import pytest

from salesdesk.core.errors import NotFound
from salesdesk.store.connection import write

HOLD_S = 0.3


def test_writes_begin_immediate(store):
    statements = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        store.add_customer("Ada")
    finally:
        store.db.conn.set_trace_callback(None)
    begins = [s for s in statements if s.upper().startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE"]
    assert statements[-1] == "COMMIT"


def test_a_composite_write_is_one_transaction(store):
    customer_id = store.add_customer("Ada")
    statements = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        store.add_deal(customer_id, "Fleet")
    finally:
        store.db.conn.set_trace_callback(None)
    assert [s for s in statements if s.upper().startswith("BEGIN")] == ["BEGIN IMMEDIATE"]
    assert [s for s in statements if s == "COMMIT"] == ["COMMIT"]


def test_write_waits_for_another_writer_then_succeeds(store, tmp_path):
    # An update reads, then writes. Begun DEFERRED, its read would take a snapshot
    # that the other writer's commit makes stale, and the write would fail at once
    # with 'database is locked'; begun IMMEDIATE it waits for the lock, then reads.
    customer_id = store.add_customer("Ada")
    other = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    locked, released = threading.Event(), threading.Event()

    def hold_write_lock():
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO meta (key, value) VALUES ('held', 'yes')")
        locked.set()
        time.sleep(HOLD_S)
        other.execute("COMMIT")
        released.set()

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    try:
        assert locked.wait(5)
        started = time.monotonic()
        store.update_customer(customer_id, {"company": "Waited"})
        waited = time.monotonic() - started
    finally:
        holder.join()
        other.close()
    assert released.is_set()
    assert waited >= HOLD_S * 0.5
    assert store.customer(customer_id).company == "Waited"
    assert store.meta("held") == "yes"


def test_failed_write_rolls_back_and_leaves_no_transaction_open(store):
    with pytest.raises(NotFound):
        store.add_deal("01NOSUCHCUSTOMER00000000000", "Fleet")
    assert not store.db.conn.in_transaction
    assert store.counts()["deals"] == 0


def test_commit_refused_by_a_foreign_key_leaves_no_transaction_open(store):
    # a deferred foreign key fails at COMMIT; the transaction must not stay open
    customer_id = store.add_customer("Ada")
    with pytest.raises(sqlite3.IntegrityError), write(store.db):
        store.db.execute("UPDATE customers SET name = 'Changed' WHERE id = ?", [customer_id])
        store.db.execute(
            "INSERT INTO customer_tags (id, customer_id, tag_id, created_at, updated_at, "
            "updated_by) VALUES ('x', ?, 'no-such-tag', 'a', 'a', 'ann')",
            [customer_id],
        )
    assert not store.db.conn.in_transaction
    assert store.customer(customer_id).name == "Ada"
    later = store.add_customer("Later")
    check = sqlite3.connect(store.db.execute("PRAGMA database_list").fetchone()[2])
    try:
        assert check.execute("SELECT name FROM customers WHERE id = ?", [later]).fetchone() == ("Later",)
    finally:
        check.close()


def test_nested_write_is_a_savepoint_that_rolls_back_alone(store):
    outer = store.add_customer("Outer")
    with write(store.db):
        store.db.execute("UPDATE customers SET company = 'Kept' WHERE id = ?", [outer])
        with pytest.raises(RuntimeError), write(store.db):
            store.db.execute("UPDATE customers SET title = 'Dropped' WHERE id = ?", [outer])
            raise RuntimeError("inner fails")
    record = store.records.get("customers", outer)
    assert (record["company"], record["title"]) == ("Kept", "")
