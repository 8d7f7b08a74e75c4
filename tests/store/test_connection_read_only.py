"""Opening a WAL database in a folder that cannot be written (a read-only mount, a locked
stick, `chattr +i`): SQLite's `mode=ro` needs the -shm file there, so salesdesk reads it
in place (`immutable`) when there is no -wal to read, and from a private copy when the
-wal holds committed changes, and says which."""

import hashlib
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime

import pytest

from salesdesk.core.errors import SalesdeskError
from salesdesk.store import connection
from salesdesk.store.agenda import AgendaStore
from salesdesk.store.connection import connect, is_read_only, open_database, snapshot_note
from salesdesk.store.store import Store
from tests.storage_faults import READ_ONLY_KINDS, read_only, small_disk

NEW_NAME = "Prospect (from the -wal)"


def clock():
    return datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def digests(folder):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def stage_name(db):
    return db.execute("SELECT name FROM stages WHERE id = 'stage-lead'").fetchone()[0]


def shop_with_changes_in_the_wal(tmp_path, *, with_shm=False):
    """A folder holding a database whose last commit is only in its -wal (copied while a
    writer had it open, or left by one that was killed), with or without its -shm."""
    source, shop = tmp_path / "live" / "crm.db", tmp_path / "shop"
    source.parent.mkdir()
    shop.mkdir()
    Store.open(source, "ann", clock).close()
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE stages SET name = ? WHERE id = 'stage-lead'", [NEW_NAME])
    writer.commit()
    for suffix in ("", "-wal", *(["-shm"] if with_shm else [])):
        shutil.copy(f"{source}{suffix}", shop / f"crm.db{suffix}")
    writer.close()
    assert (shop / "crm.db-wal").stat().st_size > 0
    return shop


@pytest.fixture
def temporary(tmp_path, monkeypatch):
    """The system's temporary folder, for this test alone; private copies left at the end
    are removed as the process's exit would."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    connection._remove_private_copies()


@pytest.mark.parametrize("kind", READ_ONLY_KINDS)
def test_a_wal_with_changes_and_no_shm_is_read_from_a_private_copy(tmp_path, temporary, kind):
    shop = shop_with_changes_in_the_wal(tmp_path)
    before = digests(shop)
    with read_only(shop, kind) as folder:
        db = open_database(folder / "crm.db")
        try:
            assert is_read_only(db) and stage_name(db) == NEW_NAME
            note = snapshot_note(db)
            assert note and "private copy" in note and "crm.db-wal" in note and str(folder / "crm.db") in note
            store = Store(db, "ann", clock)
            assert store.path == folder / "crm.db"  # what a person is told about
            assert not store.writable()
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                store.add_customer("Wang Li")
            # A worker's own connection (the agenda's) reads the copy, read-only too.
            reader = connect(AgendaStore(store).path)
            try:
                assert is_read_only(reader) and stage_name(reader) == NEW_NAME
            finally:
                reader.close()
            copies = list(temporary.iterdir())
            assert len(copies) == 1 and copies[0].name.startswith("salesdesk-crm-")
        finally:
            db.close()
        assert sorted(path.name for path in folder.iterdir()) == ["crm.db", "crm.db-wal"]
    assert digests(shop) == before
    connection._remove_private_copies()  # as at the process's exit
    assert list(temporary.iterdir()) == []


def test_the_private_copy_is_made_once_while_the_files_are_unchanged(tmp_path, temporary):
    shop = shop_with_changes_in_the_wal(tmp_path)
    with read_only(shop, "attributes") as folder:
        first = connection.read_only_connection(folder / "crm.db")
        second = open_database(folder / "crm.db")  # probes, then connects: no more copies
        try:
            assert len(list(temporary.iterdir())) == 1
            assert stage_name(first) == stage_name(second) == NEW_NAME
        finally:
            first.close()
            second.close()


def test_no_room_for_the_private_copy_is_one_sentence(tmp_path, monkeypatch):
    shop = shop_with_changes_in_the_wal(tmp_path)
    with small_disk(tmp_path / "small-tmp", "512k") as small:
        monkeypatch.setattr(tempfile, "tempdir", str(small))
        with read_only(shop, "attributes") as folder, pytest.raises(SalesdeskError) as refused:
            open_database(folder / "crm.db")
        message = str(refused.value)
        assert "crm.db-wal" in message and "MB free" in message and "copy the database" in message
        assert list(small.iterdir()) == []


def test_a_wal_with_its_shm_in_a_read_only_folder_is_read_live(tmp_path, temporary):
    """A stick pulled while salesdesk had it open: SQLite reads the -wal through the -shm."""
    shop = shop_with_changes_in_the_wal(tmp_path, with_shm=True)
    before = digests(shop)
    with read_only(shop, "attributes") as folder:
        db = open_database(folder / "crm.db")
        try:
            assert is_read_only(db) and stage_name(db) == NEW_NAME
            assert snapshot_note(db) is None
        finally:
            db.close()
    assert digests(shop) == before
    assert list(temporary.iterdir()) == []


def test_a_wal_database_without_wal_or_shm_is_read_in_place(tmp_path, temporary):
    shop = tmp_path / "shop"
    shop.mkdir()
    Store.open(shop / "crm.db", "ann", clock).close()
    with read_only(shop, "attributes") as folder:
        db = open_database(folder / "crm.db")
        try:
            assert is_read_only(db) and stage_name(db) == "Lead"
            note = snapshot_note(db)
            assert note and "as it was when salesdesk opened it" in note and "not seen" in note
        finally:
            db.close()
    assert list(temporary.iterdir()) == []


def test_a_writable_database_is_no_snapshot(tmp_path):
    db = open_database(tmp_path / "crm.db")
    try:
        assert not is_read_only(db) and snapshot_note(db) is None
    finally:
        db.close()
