"""Storage faults on the command line: a read-only database, a path that is no database
file, a busy database, a full disk. Each gives one sentence and a non-zero exit, never a
traceback, and leaves the database as it was."""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from salesdesk.cli.main import main
from salesdesk.core.errors import SalesdeskError
from salesdesk.demo import write_demo
from salesdesk.store import connection
from salesdesk.store.database import Database
from salesdesk.store.store import Store
from tests.storage_faults import READ_ONLY_KINDS, read_only, small_disk
from tests.test_cli import assert_one_sentence_error, digest, new_database

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
READING = [
    ["check"],
    ["agenda", "--date", "2026-12-01"],
    ["export", "csv", "customers"],
    ["export", "weekly", "--week", "2026-W48"],
    ["export", "ics"],
    ["export", "vcard"],
]


def run(*args, timeout=60, cwd=None, env=None):
    environment = {**os.environ, "SALESDESK_USER": "ann", **(env or {})}
    environment.pop("SALESDESK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "salesdesk", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def built_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    write_demo(path, "small", NOW, "ann")
    return path


@pytest.fixture
def shop(tmp_path, built_demo):
    """A folder holding a copy of the small demo (a WAL database with no -wal or -shm)."""
    folder = tmp_path / "shop"
    folder.mkdir()
    shutil.copy(built_demo, folder / "crm.db")
    return folder


def shop_with_changes_in_the_wal(tmp_path):
    """A folder holding a database whose last commit (Wang Li added) is only in its -wal:
    copied while the app had it open, or left by one that was killed, without its -shm."""
    source, shop = tmp_path / "live.db", tmp_path / "shop"
    new_database(source)
    shop.mkdir()
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    Store(Database(writer), "ann", lambda: NOW).add_customer("Wang Li")
    shutil.copy(source, shop / "crm.db")
    shutil.copy(f"{source}-wal", shop / "crm.db-wal")
    writer.close()
    return shop


def csv_of_one(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("name,email\nWang Li,wang@example.cn\n", encoding="utf-8")
    return path


# -- a read-only database ---------------------------------------------------------------


@pytest.mark.parametrize("kind", READ_ONLY_KINDS)
def test_reading_commands_work_on_a_read_only_database(shop, tmp_path, kind):
    before = digest(shop / "crm.db")
    with read_only(shop, kind) as folder:
        db = folder / "crm.db"
        for command in READING:
            result = run(*command, "--db", str(db))
            assert result.returncode == 0, (command, result.stderr)
            assert result.stdout.strip() and "Traceback" not in result.stderr
        report = run("check", "--db", str(db)).stdout
        assert "customers            45" in report
        assert "access               read-only, read as it was when opened" in report
        note = run("agenda", "--db", str(db)).stderr.strip()
        assert note == (
            f"salesdesk: {db} is read as it was when salesdesk opened it, since its folder cannot be "
            "written: changes made to it elsewhere meanwhile are not seen."
        )
        result = run("backup", "--db", str(db), "-o", str(tmp_path / "copy.db"))
        assert result.returncode == 0, result.stderr
        assert sorted(path.name for path in folder.iterdir()) == ["crm.db"]
    assert digest(shop / "crm.db") == before
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM customers").fetchone()[0] == 45
    copy.close()


@pytest.mark.parametrize("kind", READ_ONLY_KINDS)
def test_commands_that_write_say_the_database_cannot_be_written(shop, tmp_path, kind):
    before = digest(shop / "crm.db")
    rows = csv_of_one(tmp_path)
    with read_only(shop, kind) as folder:
        db = folder / "crm.db"
        result = run("import", "customers", str(rows), "--db", str(db))
        assert_one_sentence_error(result, "crm.db", "cannot be written", "copy it")
        assert_one_sentence_error(run("demo", "--db", str(db)), "crm.db", "cannot be written")
        assert_one_sentence_error(run("backup", "--db", str(db)), "read-only", "folder you can write")
        result = run("check", "--db", str(folder / "new.db"))
        assert_one_sentence_error(result, "new.db", "does not exist")
        assert sorted(path.name for path in folder.iterdir()) == ["crm.db"]
    assert digest(shop / "crm.db") == before


@pytest.mark.parametrize("kind", READ_ONLY_KINDS)
def test_a_read_only_folder_with_unread_changes_in_the_wal_is_read_from_a_private_copy(tmp_path, kind):
    """An immutable reading would skip the changes in the -wal: they are read from a copy
    in the temporary folder instead, which is gone when the command ends."""
    shop, temporary = shop_with_changes_in_the_wal(tmp_path), tmp_path / "tmp"
    temporary.mkdir()
    before = {path.name: digest(path) for path in shop.iterdir()}
    with read_only(shop, kind) as folder:
        db = folder / "crm.db"
        result = run("check", "--db", str(db), env={"TMPDIR": str(temporary)})
        assert result.returncode == 0, result.stderr
        assert "access               read-only, read from a private copy with its crm.db-wal" in result.stdout
        for command in (["export", "csv", "customers"], ["agenda"], ["export", "weekly"]):
            result = run(*command, "--db", str(db), env={"TMPDIR": str(temporary)})
            assert result.returncode == 0, (command, result.stderr)
            assert result.stderr.strip() == (
                f"salesdesk: {db} is read from a private copy of it and its crm.db-wal, since its folder "
                "cannot be written and its latest changes are in crm.db-wal: changes made to it elsewhere "
                "meanwhile are not seen."
            )
        assert "Wang Li" in run("export", "csv", "customers", "--db", str(db)).stdout  # only in the -wal
        copy = tmp_path / "copy.db"
        result = run("backup", "--db", str(db), "-o", str(copy), env={"TMPDIR": str(temporary)})
        assert result.returncode == 0, result.stderr
        assert sorted(path.name for path in folder.iterdir()) == ["crm.db", "crm.db-wal"]
    assert {path.name: digest(path) for path in shop.iterdir()} == before
    assert list(temporary.iterdir()) == []  # each command removed its copy
    with sqlite3.connect(copy) as backup:
        assert backup.execute("SELECT count(*) FROM customers WHERE name = 'Wang Li'").fetchone()[0] == 1
    backup.close()


def test_the_app_on_a_private_copy_says_so_and_is_read_only(tmp_path, monkeypatch):
    import tempfile

    from salesdesk.cli.common import open_store
    from salesdesk.tui.app import SalesdeskApp

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shop = shop_with_changes_in_the_wal(tmp_path)

    async def opened():
        store = open_store(folder / "crm.db", "ann", writes=False)
        app = SalesdeskApp(store, user="ann", today=NOW.date())
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                return app.title, [note.message for note in app._notifications]
        finally:
            store.close()

    import asyncio

    with read_only(shop, "attributes") as folder:
        title, notes = asyncio.run(opened())
    assert title == "salesdesk · read-only"
    assert any("private copy" in note and "not seen" in note for note in notes), notes


# -- paths that are no database file ------------------------------------------------------


ALL_COMMANDS = [*READING, ["backup"], ["import", "customers", "leads.csv"], ["demo"], ["team", "round-robin"]]


def test_every_command_on_a_folder_gives_one_sentence(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    csv_of_one(tmp_path)
    for command in ALL_COMMANDS:
        result = run(*command, "--db", str(folder), cwd=tmp_path)
        assert_one_sentence_error(result, "a-folder", "is a folder")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-folder", "leads.csv"]
    assert list(folder.iterdir()) == []


def test_every_command_on_a_pipe_gives_one_sentence(tmp_path):
    pipe = tmp_path / "a-pipe"
    os.mkfifo(pipe)
    csv_of_one(tmp_path)
    for command in ALL_COMMANDS:
        # Opening a pipe to read would wait for a writer for ever: the timeout catches that.
        result = run(*command, "--db", str(pipe), timeout=20, cwd=tmp_path)
        assert_one_sentence_error(result, "a-pipe", "not a regular file")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-pipe", "leads.csv"]
    assert pipe.is_fifo()


@pytest.mark.parametrize("command", [*READING, ["backup"]])
def test_reading_commands_on_a_device_are_refused(command):
    assert_one_sentence_error(run(*command, "--db", os.devnull), os.devnull, "not a regular file")


@pytest.mark.parametrize("command", [*READING, ["backup"]])
def test_reading_commands_on_a_missing_file_say_it_does_not_exist(tmp_path, command):
    result = run(*command, "--db", str(tmp_path / "crm.db"))
    assert_one_sentence_error(result, "crm.db", "does not exist")
    assert list(tmp_path.iterdir()) == []  # nothing made


def test_the_app_on_a_missing_file_still_makes_a_new_database(tmp_path):
    from salesdesk.cli.common import open_store

    store = open_store(tmp_path / "crm.db", "ann", writes=False)
    try:
        assert len(store.stages()) == 7
    finally:
        store.close()


def test_the_app_opens_a_read_only_database_read_only(shop):
    from salesdesk.cli.common import open_store
    from salesdesk.store.connection import is_read_only

    with read_only(shop, "attributes") as folder:
        store = open_store(folder / "crm.db", "ann", writes=False)
        try:
            assert is_read_only(store.db) and store.counts()["customers"] == 45
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                store.add_customer("Wang Li")
        finally:
            store.close()


# -- a busy database ------------------------------------------------------------------------


@pytest.fixture
def short_busy_timeout(monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.3)


def _held(path: Path, begin: str):
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute(begin)
    if begin == "BEGIN EXCLUSIVE":
        holder.execute("UPDATE stages SET name = name")
    return holder


def test_a_write_to_a_database_another_writer_holds_gives_one_sentence(tmp_path, short_busy_timeout, capsys):
    db, rows = tmp_path / "crm.db", csv_of_one(tmp_path)
    new_database(db)
    holder = _held(db, "BEGIN IMMEDIATE")
    try:
        code = main(["--db", str(db), "import", "customers", str(rows)])
    finally:
        holder.rollback()
        holder.close()
    error = capsys.readouterr().err.strip()
    assert code == 1 and "\n" not in error and "Traceback" not in error
    assert error == (
        f"salesdesk: the database {db} is busy: another salesdesk (an import?) is writing to it; "
        "try again when it has finished."
    )
    assert main(["--db", str(db), "import", "customers", str(rows)]) == 0


def test_reading_a_database_locked_in_rollback_mode_gives_one_sentence(tmp_path, short_busy_timeout, capsys):
    """Another program switched it to a rollback journal and holds the exclusive lock."""
    db = tmp_path / "crm.db"
    new_database(db)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    for command in (["check"], ["agenda"], ["backup", "-o", str(tmp_path / "copy.db")]):
        holder = _held(db, "BEGIN EXCLUSIVE")
        try:
            code = main(["--db", str(db), *command])
        finally:
            holder.rollback()
            holder.close()
        error = capsys.readouterr().err.strip()
        assert code == 1 and "\n" not in error, command
        assert "is busy" in error and "try again when it has finished" in error, (command, error)
    assert not (tmp_path / "copy.db").exists()


def test_a_writer_that_finishes_within_the_busy_timeout_is_waited_for(tmp_path, capsys):
    db, rows = tmp_path / "crm.db", csv_of_one(tmp_path)
    new_database(db)
    holder = _held(db, "BEGIN IMMEDIATE")
    threading.Timer(0.5, holder.rollback).start()
    try:
        assert main(["--db", str(db), "import", "customers", str(rows)]) == 0
    finally:
        holder.close()


# -- a full disk ----------------------------------------------------------------------------


def test_a_backup_onto_a_full_disk_says_so_and_leaves_nothing(shop, tmp_path):
    with small_disk(tmp_path / "stick", "512k") as stick:
        target = stick / "copy.db"
        result = run("backup", "--db", str(shop / "crm.db"), "-o", str(target))
        assert_one_sentence_error(result, "copy.db", "disk is full", "nothing was written")
        assert list(stick.iterdir()) == []


def fill(folder):
    """Take every free byte of the disk holding `folder`."""
    # Unbuffered: a buffered file would try its last block again on close, and fail there.
    with open(folder / "filler", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
    with contextlib.suppress(OSError), open(folder / "filler", "ab", buffering=0) as filler:
        while True:
            filler.write(b"\0")
            filler.flush()


def test_opening_a_database_on_a_full_disk_says_the_disk_is_full(shop, tmp_path):
    """SQLite cannot give the -shm its size and says "disk I/O error"; that is a full disk."""
    with small_disk(tmp_path / "stick", "4M") as stick:
        shutil.copy(shop / "crm.db", stick / "crm.db")
        before = digest(stick / "crm.db")
        rows = csv_of_one(tmp_path)
        fill(stick)
        db = str(stick / "crm.db")
        for command in [*READING, ["backup", "-o", str(tmp_path / "copy.db")], ["import", "customers", rows]]:
            result = run(*command, "--db", db, cwd=tmp_path)
            assert_one_sentence_error(result, "crm.db cannot be opened: the disk holding it is full")
            assert "free some space" in result.stderr and "I/O" not in result.stderr
        from salesdesk.cli.common import open_store

        with pytest.raises(SalesdeskError, match="the disk holding it is full"):
            open_store(stick / "crm.db", "ann", writes=False)  # as the app opens it
        assert digest(stick / "crm.db") == before
        (stick / "filler").unlink()
        result = run("check", "--db", db)
        assert result.returncode == 0 and "customers            45" in result.stdout
    assert not (tmp_path / "copy.db").exists()


def test_a_new_database_on_a_full_disk_is_not_made(tmp_path):
    with small_disk(tmp_path / "stick", "64k") as stick:
        fill(stick)
        from salesdesk.cli.common import open_store

        with pytest.raises(SalesdeskError, match="new.db cannot be made: the disk holding it is full"):
            open_store(stick / "new.db", "ann", writes=False)  # the app on a new file
        assert sorted(path.name for path in stick.iterdir()) == ["filler"]


def test_check_in_a_read_only_folder_reports_the_journal_of_the_file(shop):
    with read_only(shop, "attributes") as folder:
        result = run("check", "--db", str(folder / "crm.db"))
    assert result.returncode == 0 and "journal              wal" in result.stdout


def test_check_says_a_writable_database_is_read_write_and_reading_it_says_nothing_more(shop):
    assert "access               read-write" in run("check", "--db", str(shop / "crm.db")).stdout
    result = run("agenda", "--db", str(shop / "crm.db"))
    assert result.returncode == 0 and result.stderr == ""
