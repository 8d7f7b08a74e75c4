"""Reading a copy without trusting it: the guard against runaway reads, the old schema."""

import sqlite3
import time

import pytest

from salesdesk.store.connection import write
from salesdesk.store.schema import MIGRATIONS, _v12_held
from salesdesk.store.store import Store
from salesdesk.sync.reading import UnreadableCopy, copy_privately, guard, hardened
from tests.conftest import FakeClock


def test_the_progress_handler_stops_a_runaway_read(tmp_path):
    path = tmp_path / "x.db"
    sqlite3.connect(path).close()
    conn = hardened(path)
    handler = guard(conn, steps=1_000_000)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r")
    assert handler.tripped and time.monotonic() - started < 5
    assert conn.execute("PRAGMA trusted_schema").fetchone() == (0,)


def test_a_copy_is_never_read_through_a_symbolic_link_nor_beyond_its_bound(tmp_path):
    real = tmp_path / "real.db"
    real.write_bytes(b"x" * 10_000)
    link = tmp_path / "link.db"
    link.symlink_to(real)
    with pytest.raises(UnreadableCopy, match="symbolic link"):
        copy_privately(link, tmp_path / "out.db", limit=10**9)
    with pytest.raises(UnreadableCopy, match="bigger than a copy may be"):
        copy_privately(real, tmp_path / "out.db", limit=5_000)
    assert not (tmp_path / "out.db").exists()
    assert copy_privately(real, tmp_path / "out.db", limit=10**9, exact=10_000) == 10_000


def test_a_database_of_the_previous_version_gets_the_held_and_devices_tables(tmp_path):
    path = tmp_path / "v9.db"
    store = Store.open(path, "ann", FakeClock())
    customer = store.add_customer("Before the upgrade")
    with write(store.db):
        store.db.execute("DROP TABLE held")
        store.db.execute("DROP TABLE devices")
        triggers = store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'pool_%'"
        )
        for (trigger,) in triggers.fetchall():  # made by migration 20, with its tables
            store.db.execute(f"DROP TRIGGER {trigger}")
        for later in ("pool_kept", "pool_kept_meta", "pool_dirty"):
            store.db.execute(f"DROP TABLE {later}")
        store.db.execute("DROP TABLE targets")  # made by migration 19, with what follows
        for index in ("customers_created", "deals_closed"):
            store.db.execute(f"DROP INDEX {index}")
        store.db.execute("ALTER TABLE customers DROP COLUMN owned_since")
        for later in ("owed_instalments", "owed_dirty"):  # made by migration 18
            store.db.execute(f"DROP TABLE {later}")
        for later in ("receipts", "instalments", "cases", "contracts"):  # made by migration 17
            store.db.execute(f"DROP TABLE {later}")
        for later in ("quotes", "deal_lines", "products"):  # made by migration 14
            store.db.execute(f"DROP TABLE {later}")
        store.db.execute(f"PRAGMA user_version = {MIGRATIONS.index(_v12_held)}")  # before migration 12
    store.close()
    store = Store.open(path, "ann", FakeClock())
    try:
        assert store.db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        assert store.db.execute("SELECT count(*) FROM held").fetchone() == (0,)
        assert store.db.execute("SELECT count(*) FROM devices").fetchone() == (0,)
        assert store.customer(customer).name == "Before the upgrade"
    finally:
        store.close()
