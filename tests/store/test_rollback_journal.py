"""One big write into a database nobody else has open goes through a rollback journal."""

import os
import signal
import sqlite3

import pytest

from salesdesk.store.connection import rollback_journal, write
from salesdesk.store.store import Store
from tests.storage_faults import killed_child


def mode(store) -> str:
    return str(store.db.execute("PRAGMA journal_mode").fetchone()[0])


def test_a_database_nobody_else_has_open_is_written_through_a_rollback_journal(store):
    with rollback_journal(store.db) as taken:
        assert taken
        assert mode(store) == "truncate"
        store.add_customer("Ada")
    assert mode(store) == "wal"
    assert store.db.execute("SELECT name FROM customers").fetchall() == [("Ada",)]


def test_a_database_another_connection_has_open_keeps_its_wal(store, tmp_path):
    other = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    try:
        assert other.execute("SELECT count(*) FROM customers").fetchone() == (0,)
        with rollback_journal(store.db) as taken:
            assert not taken
            assert mode(store) == "wal"
            store.add_customer("Ada")
        assert other.execute("SELECT name FROM customers").fetchall() == [("Ada",)]
    finally:
        other.close()
    assert mode(store) == "wal"


def test_a_block_that_fails_is_undone_and_the_wal_comes_back(store):
    store.add_customer("Before")
    with pytest.raises(RuntimeError), rollback_journal(store.db), write(store.db):
        store.add_customer("During")
        raise RuntimeError("stop")
    assert mode(store) == "wal"
    assert store.db.execute("SELECT name FROM customers").fetchall() == [("Before",)]


# A writer killed half-way through a write too big for its page cache: pages of the file
# were already written over when it died.
CHILD = """
import sys
from datetime import datetime, timezone
from salesdesk.store.connection import rollback_journal, write
from salesdesk.store.store import Store

store = Store.open(sys.argv[1], "ann", lambda: datetime.now(timezone.utc))
store.add_customer("Before")
store.db.execute("PRAGMA cache_size = 20")
with rollback_journal(store.db) as taken, write(store.db):
    for n in range(400):
        store.add_customer(f"During {n}", notes="x" * 3000)
    print("taken" if taken else "not taken", flush=True)
    sys.stdin.readline()
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_writer_killed_inside_it_leaves_the_database_as_before(tmp_path, clock):
    path = tmp_path / "k.db"
    with killed_child(CHILD, str(path)) as (child, said):
        assert said == "taken\n", child.stderr.read() if child.poll() is not None else said
        assert os.path.getsize(f"{path}-journal") > 0  # what the file held is in the journal
    reopened = Store.open(path, "ann", clock)
    try:
        assert reopened.db.execute("SELECT name FROM customers").fetchall() == [("Before",)]
        assert reopened.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert mode(reopened) == "wal"
    finally:
        reopened.close()
