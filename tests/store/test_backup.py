"""Backups: a verified, consistent copy; never over an existing file, never a partial one."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from salesdesk.core.errors import SalesdeskError
from salesdesk.store import connection
from salesdesk.store.connection import backup_to
from tests.storage_faults import small_disk


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


# -- a copy that fails midway never sits under the backup's name --------------------------


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("t.db"))


def test_a_copy_that_fails_midway_leaves_nothing(store, tmp_path, monkeypatch):
    fill(store)
    real_copy = connection._copy

    def half_then_fail(db, target):
        real_copy(db, target)
        target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
        Path(f"{target}-journal").write_bytes(b"a journal of the copy")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(connection, "_copy", half_then_fail)
    with pytest.raises(SalesdeskError, match=r"copy.db failed \(disk I/O error\); nothing was written there"):
        backup_to(store.db, tmp_path / "copy.db")
    assert leftovers(tmp_path) == []


def test_a_full_disk_midway_leaves_nothing(store, tmp_path, monkeypatch):
    def fill_the_disk(db, target):
        target.write_bytes(b"")  # what VACUUM INTO leaves when the disk is full
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(connection, "_copy", fill_the_disk)
    with pytest.raises(SalesdeskError, match="disk is full"):
        backup_to(store.db, tmp_path / "copy.db")
    assert leftovers(tmp_path) == []


def test_a_real_full_disk_leaves_nothing(store, tmp_path):
    for n in range(300):  # about 1 MB with the change log and the index
        store.add_customer(f"Customer {n}", notes="x" * 2000)
    with small_disk(tmp_path / "stick", "512k") as stick:
        with pytest.raises(SalesdeskError, match="disk is full"):
            backup_to(store.db, stick / "copy.db")
        assert list(stick.iterdir()) == []


def test_a_copy_that_does_not_verify_is_removed(store, tmp_path, monkeypatch):
    monkeypatch.setattr(connection, "_verify", lambda copy, version: "row 3 missing from index")
    with pytest.raises(SalesdeskError, match="did not verify"):
        backup_to(store.db, tmp_path / "copy.db")
    assert leftovers(tmp_path) == []


KILLED_MIDWAY = """
import sys, time
from salesdesk.store import connection
real_copy = connection._copy
def copy_half_then_hang(db, target):
    real_copy(db, target)
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    print("half written", flush=True)
    time.sleep(120)
connection._copy = copy_half_then_hang
from salesdesk.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_backup_killed_midway_leaves_no_file_under_the_name(store, tmp_path):
    fill(store)
    target = tmp_path / "copy.db"
    command = [
        sys.executable,
        "-c",
        KILLED_MIDWAY,
        "--db",
        str(tmp_path / "t.db"),
        "backup",
        "-o",
        str(target),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "half written"
    finally:
        process.kill()
        process.wait(timeout=30)
    assert not target.exists()
    backup_to(store.db, target)  # the next backup clears what the killed one left
    assert leftovers(tmp_path) == ["copy.db"]
    assert counts_of(target, store.counts()) == store.counts()
