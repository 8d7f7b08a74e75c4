"""The store's own handle on a connection: plain queries, savepoints, sqlite-utils on demand."""

import sqlite3

import pytest

from salesdesk.store.connection import write
from salesdesk.store.database import Database


@pytest.fixture
def db(tmp_path):
    handle = Database(sqlite3.connect(tmp_path / "d.db", isolation_level=None))
    handle.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    yield handle
    handle.close()


def names(db):
    return [row[0] for row in db.execute("SELECT name FROM t ORDER BY id")]


def test_execute_with_and_without_parameters(db):
    db.execute("INSERT INTO t (name) VALUES (?)", ["a"])
    db.execute("INSERT INTO t (name) VALUES ('b')")
    assert names(db) == ["a", "b"]


def test_a_script_inside_a_transaction_does_not_commit_it(db):
    with pytest.raises(RuntimeError), write(db):
        db.executescript("INSERT INTO t (name) VALUES ('a'); INSERT INTO t (name) VALUES ('b');")
        raise RuntimeError("give up")
    assert names(db) == []  # rolled back with the transaction, not committed by the script


def test_a_nested_write_is_a_savepoint_that_rolls_back_alone(db):
    with write(db):
        db.execute("INSERT INTO t (name) VALUES ('kept')")
        with pytest.raises(ValueError), write(db):
            db.execute("INSERT INTO t (name) VALUES ('undone')")
            raise ValueError
    assert names(db) == ["kept"]


def test_the_table_tools_are_sqlite_utils(db):
    db.execute("INSERT INTO t (name) VALUES ('a')")
    assert [c.name for c in db["t"].columns] == ["id", "name"]
    assert db["t"].count == 1
