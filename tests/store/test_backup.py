"""Backups: a verified, consistent copy; never over an existing file."""

import sqlite3

import pytest

from salesdesk.core.errors import SalesdeskError
from salesdesk.store.connection import backup_to


def fill(store):
    customer_id = store.add_customer("Ada", phone="555 0100")
    store.add_tag(customer_id, "VIP")
    deal_id = store.add_deal(customer_id, "Fleet", amount=500_000)
    store.move_deal(deal_id, "stage-quote")
    store.log_interaction(customer_id, "call", "Pricing call")
    store.delete_customer(store.add_customer("Gone"))


def counts_of(path, tables):
    conn = sqlite3.connect(path)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t} WHERE deleted_at IS NULL").fetchone()[0]
            for t in tables
        }
    finally:
        conn.close()


def test_backup_passes_integrity_check_with_the_same_counts(store, tmp_path):
    fill(store)
    target = tmp_path / "copy.db"
    backup_to(store.db, target)
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        all_changes = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    finally:
        conn.close()
    assert counts_of(target, store.counts()) == store.counts()
    assert store.counts()["customers"] == 1
    assert all_changes == store.db.execute("SELECT count(*) FROM changes").fetchone()[0]


def test_backup_keeps_the_full_text_index(store, tmp_path):
    fill(store)
    target = tmp_path / "copy.db"
    backup_to(store.db, target)
    conn = sqlite3.connect(target)
    try:
        found = conn.execute(
            "SELECT c.name FROM customers_fts JOIN customers c ON c.rid = customers_fts.rowid "
            "WHERE customers_fts MATCH '\"0100\"'"
        ).fetchall()
    finally:
        conn.close()
    assert found == [("Ada",)]


def test_backup_refuses_an_existing_target(store, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"precious")
    with pytest.raises(SalesdeskError, match="already exists"):
        backup_to(store.db, target)
    assert target.read_bytes() == b"precious"


def test_backup_refuses_a_missing_folder(store, tmp_path):
    with pytest.raises(SalesdeskError, match="does not exist"):
        backup_to(store.db, tmp_path / "nowhere" / "copy.db")
