"""Opening a file: migrate an older schema after a verified backup; refuse what is not ours."""

import hashlib
import os
import sqlite3

import pytest

from salesdesk.core.errors import SalesdeskError
from salesdesk.paths import migration_backup_path, migration_backups
from salesdesk.store import connection
from salesdesk.store.connection import connect, open_database, write
from salesdesk.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from salesdesk.store.store import Store

CUSTOMER_ID = "01KB0000000000000000000000"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_schema1_database(path):
    db = connect(path)
    with write(db):
        MIGRATIONS[0](db)
        db.execute("PRAGMA user_version=1")
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute(
            "INSERT INTO customers (id, name, created_at, updated_at, updated_by) "
            "VALUES (?, 'Old Customer', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', 'ann')",
            [CUSTOMER_ID],
        )
    db.close()


def read(path, sql):
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def columns(path, table):
    return {row[1] for row in read(path, f"PRAGMA table_info({table})")}


def tables(path):
    return {row[0] for row in read(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.fixture
def old_db(tmp_path):
    path = tmp_path / "crm.db"
    make_schema1_database(path)
    assert read(path, "PRAGMA user_version") == [(1,)]
    assert "lunar_birthday" not in columns(path, "customers")
    return path


def test_migration_writes_a_backup_beside_the_database(old_db):
    expected = migration_backup_path(old_db.parent, old_db, 1)
    assert not expected.exists()
    open_database(old_db).close()
    assert expected.exists()
    assert expected.parent == old_db.parent
    assert expected.name == "crm.schema1.bak.db"


def test_backup_is_verified_at_the_old_schema_with_the_data(old_db):
    backup = migration_backup_path(old_db.parent, old_db, 1)
    open_database(old_db).close()
    assert read(backup, "PRAGMA integrity_check") == [("ok",)]
    assert read(backup, "PRAGMA user_version") == [(1,)]
    assert read(backup, "SELECT id, name FROM customers") == [(CUSTOMER_ID, "Old Customer")]
    assert "lunar_birthday" not in columns(backup, "customers")


def test_migrated_database_is_current_and_keeps_the_data(old_db):
    open_database(old_db).close()
    assert read(old_db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert read(old_db, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert read(old_db, "SELECT id, name FROM customers") == [(CUSTOMER_ID, "Old Customer")]
    assert "lunar_birthday" in columns(old_db, "customers")
    assert "reminder_dismissals" in tables(old_db)
    assert read(old_db, "PRAGMA integrity_check") == [("ok",)]


def test_migrated_database_works_through_the_store(old_db, clock):
    store = Store.open(old_db, "ann", clock)
    try:
        store.update_customer(CUSTOMER_ID, {"lunar_birthday": "01-15"})
        assert store.customer(CUSTOMER_ID).lunar_birthday == "01-15"
    finally:
        store.close()


def test_a_second_migration_backup_does_not_overwrite_the_first(old_db, tmp_path):
    first = migration_backup_path(old_db.parent, old_db, 1)
    first.write_bytes(b"an older backup")
    open_database(old_db).close()
    assert first.read_bytes() == b"an older backup"
    assert (tmp_path / "crm.schema1.bak2.db").exists()


def test_current_database_opens_without_a_backup(tmp_path):
    path = tmp_path / "crm.db"
    open_database(path).close()
    open_database(path).close()
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == []


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "crm.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    before = sha256(path)
    with pytest.raises(SalesdeskError, match="newer"):
        open_database(path)
    assert sha256(path) == before
    assert read(path, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]


def test_text_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list: milk, eggs\n" * 20)
    before = sha256(path)
    with pytest.raises(SalesdeskError, match="not a SQLite database"):
        open_database(path)
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_another_programs_database_is_refused_untouched(tmp_path):
    path = tmp_path / "photos.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT)")
    conn.execute("INSERT INTO photos (file) VALUES ('beach.jpg')")
    conn.execute("PRAGMA application_id=12345")
    conn.commit()
    conn.close()
    before = sha256(path)
    with pytest.raises(SalesdeskError, match="another program"):
        open_database(path)
    assert sha256(path) == before
    assert read(path, "SELECT file FROM photos") == [("beach.jpg",)]


def test_missing_folder_is_refused_naming_it(tmp_path):
    folder = tmp_path / "no" / "such"
    with pytest.raises(SalesdeskError) as caught:
        open_database(folder / "crm.db")
    assert str(folder) in str(caught.value)
    assert "does not exist" in str(caught.value)
    assert not folder.exists()


def test_a_folder_is_refused_as_a_database(tmp_path):
    with pytest.raises(SalesdeskError, match="is a folder"):
        open_database(tmp_path)


def test_empty_file_becomes_a_new_database(tmp_path):
    path = tmp_path / "crm.db"
    path.touch()
    open_database(path).close()
    assert read(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


# -- migration backups: verified before they take their name, and a bounded number -------


def test_a_failed_migration_backup_leaves_the_database_unchanged(old_db, monkeypatch):
    before = sha256(old_db)

    def fail(db, target):
        target.write_bytes(b"")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(connection, "_copy", fail)
    with pytest.raises(SalesdeskError, match="left unchanged at schema 1: the backup .* disk is full"):
        open_database(old_db)
    assert sha256(old_db) == before
    assert read(old_db, "PRAGMA user_version") == [(1,)]
    assert sorted(p.name for p in old_db.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "crm.db"
    ]


def test_interrupted_migrations_keep_at_most_two_verified_backups(old_db, monkeypatch):
    def killed(db):
        raise KeyboardInterrupt

    monkeypatch.setattr(connection, "MIGRATIONS", (MIGRATIONS[0], killed, *MIGRATIONS[2:]))
    for _ in range(4):
        with pytest.raises(KeyboardInterrupt):
            open_database(old_db)
        assert read(old_db, "PRAGMA user_version") == [(1,)]
    monkeypatch.undo()
    open_database(old_db).close()
    kept = migration_backups(old_db.parent, old_db)
    assert len(kept) == connection.KEPT_MIGRATION_BACKUPS == 2
    assert sorted(p.name for p in old_db.parent.iterdir() if ".bak" in p.name) == sorted(p.name for p in kept)
    for backup in kept:
        assert read(backup, "PRAGMA integrity_check") == [("ok",)]
        assert read(backup, "SELECT name FROM customers") == [("Old Customer",)]
    assert read(old_db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_pruning_keeps_the_new_verified_backup_and_leaves_other_databases_alone(old_db):
    folder = old_db.parent
    half = [folder / "crm.schema1.bak.db", folder / "crm.schema1.bak2.db"]
    others = [folder / "crm2.schema1.bak.db", folder / "other.schema1.bak.db", folder / "crm.schema1.db"]
    for age, path in enumerate([*half, *others]):
        path.write_bytes(b"SQLite format 3\x00 cut short")
        os.utime(path, (1_700_000_000 + age, 1_700_000_000 + age))
    open_database(old_db).close()
    new = folder / "crm.schema1.bak3.db"
    assert read(new, "PRAGMA integrity_check") == [("ok",)]
    assert migration_backups(folder, old_db) == [new, half[1]]
    assert not half[0].exists()
    assert all(path.exists() for path in others)
