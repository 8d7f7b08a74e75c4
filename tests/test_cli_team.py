"""team, sync and merge from the command line."""

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.test_cli import new_database


def run(*args, cwd=None):
    env = {**os.environ}
    env.pop("SALESDESK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "salesdesk", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def _new_db(path, user):
    new_database(path, user)


def code_of(result) -> str:
    """The join code `team create` (or `rotate-key`, `upgrade`) printed: its last line."""
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].strip()


def test_two_people_share_a_folder(tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    a, b = tmp_path / "ann.db", tmp_path / "bob.db"
    assert run("demo", "--db", str(a), "--user", "ann").returncode == 0
    _new_db(b, "bob")
    code = code_of(run("team", "create", str(shared), "--db", str(a), "--user", "ann"))
    joined = run("team", "join", str(shared), "--db", str(b), "--user", "bob", "--code", code)
    assert joined.returncode == 0 and "new:" in joined.stdout
    status = run("team", "--db", str(b), "--user", "bob")
    assert "ann" in status.stdout and "bob" in status.stdout

    def count(path: Path) -> int:
        with closing(sqlite3.connect(path)) as db:
            return db.execute("SELECT count(*) FROM customers WHERE deleted_at IS NULL").fetchone()[0]

    assert count(a) == count(b) > 0


def test_sync_outside_a_team_says_what_to_do(tmp_path):
    _new_db(tmp_path / "solo.db", "ann")
    result = run("sync", "--db", str(tmp_path / "solo.db"))
    assert result.returncode == 1 and "team join" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "name, tool",
    [
        ("salesdesk (Ann's conflicted copy 2026-11-20).db", "Dropbox"),
        ("salesdesk.sync-conflict-20261120-093000-ABCDEFG.db", "Syncthing"),
        ("salesdesk-LAPTOP7.db", "OneDrive"),
    ],
)
def test_merge_folds_a_conflict_copy_in_and_moves_it_aside(tmp_path, name, tool):
    main = tmp_path / "salesdesk.db"
    _new_db(main, "ann")
    copy = tmp_path / name
    conn = sqlite3.connect(main)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    copy.write_bytes(main.read_bytes())
    run("--db", str(copy), "--user", "ann", "backup", "-o", str(tmp_path / "x.db"))  # opens it
    code = (
        "from datetime import datetime, timezone; from salesdesk.store.store import Store; "
        f"s = Store.open({str(copy)!r}, 'ann', lambda: datetime.now(timezone.utc)); "
        "s.add_customer('Only in the copy'); s.db.execute('PRAGMA wal_checkpoint(TRUNCATE)'); s.close()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    dry = run("merge", str(copy), "--dry-run", "--db", str(main))
    assert dry.returncode == 0 and f"{tool} conflict copy" in dry.stdout and copy.exists()
    result = run("merge", str(copy), "--db", str(main))
    assert result.returncode == 0, result.stderr
    assert not copy.exists()
    archived = list((tmp_path / "salesdesk-merged").iterdir())
    assert [p.name.endswith(name) for p in archived if p.suffix == ".db"] == [True]
    names = [r[0] for r in sqlite3.connect(main).execute("SELECT name FROM customers")]
    assert "Only in the copy" in names


def test_merge_refuses_what_is_not_a_salesdesk_database(tmp_path):
    _new_db(tmp_path / "main.db", "ann")
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    result = run("merge", str(junk), "--db", str(tmp_path / "main.db"))
    assert result.returncode == 1 and "not a SQLite database" in result.stderr
    assert junk.read_text() == "not a database"


def test_a_database_in_a_sync_folder_gets_a_warning_once(tmp_path):
    from salesdesk.cli.team import warn_if_in_sync_folder
    from salesdesk.store.store import Store
    from tests.conftest import FakeClock

    folder = tmp_path / "Dropbox" / "work"
    folder.mkdir(parents=True)
    store = Store.open(folder / "salesdesk.db", "ann", FakeClock())
    try:
        import contextlib
        import io

        first, second = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(first):
            warn_if_in_sync_folder(store, folder / "salesdesk.db")
        with contextlib.redirect_stderr(second):
            warn_if_in_sync_folder(store, folder / "salesdesk.db")
        assert "Dropbox folder" in first.getvalue() and "team join" in first.getvalue()
        assert second.getvalue() == ""
    finally:
        store.close()


def test_round_robin_is_set_from_the_command_line(tmp_path):
    path = tmp_path / "t.db"
    _new_db(path, "ann")
    result = run("team", "round-robin", "bob", "cai", "--db", str(path))
    assert result.returncode == 0 and "bob, cai" in result.stdout
    value = sqlite3.connect(path).execute("SELECT value FROM settings WHERE id = 'round_robin'").fetchone()
    assert value == ('["bob", "cai"]',)
    assert "off" in run("team", "round-robin", "--db", str(path)).stdout


def test_merge_brings_in_what_a_copy_killed_before_its_checkpoint_left_in_its_wal(tmp_path):
    main = tmp_path / "salesdesk.db"
    _new_db(main, "ann")
    copy = tmp_path / "salesdesk.sync-conflict-20261120-093000-ABCDEFG.db"
    conn = sqlite3.connect(main)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    copy.write_bytes(main.read_bytes())
    code = (
        "import os; from datetime import datetime, timezone; from salesdesk.store.store import Store; "
        f"s = Store.open({str(copy)!r}, 'ann', lambda: datetime.now(timezone.utc)); "
        "s.db.execute('PRAGMA wal_autocheckpoint=0'); "
        "[s.add_customer(f'In the wal {n}') for n in range(25)]; os._exit(0)"  # killed: no checkpoint
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    wal = copy.with_name(copy.name + "-wal")
    assert wal.stat().st_size > 0
    with closing(sqlite3.connect(f"{copy.as_uri()}?immutable=1", uri=True)) as db:
        assert db.execute("SELECT count(*) FROM customers").fetchone()[0] == 0  # the file alone
    result = run("merge", str(copy), "--db", str(main))
    assert result.returncode == 0, result.stderr
    assert "Found " in result.stdout and "25 changes from 1 device" in result.stdout
    with closing(sqlite3.connect(main)) as db:
        got = {r[0] for r in db.execute("SELECT name FROM customers")}
    assert {f"In the wal {n}" for n in range(25)} <= got
    assert not wal.exists()  # moved aside with its copy


def test_sync_with_a_bad_change_exits_0_and_team_held_lists_it(tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    a, b = tmp_path / "ann.db", tmp_path / "mal.db"
    _new_db(a, "ann")
    _new_db(b, "mal")
    code = code_of(run("team", "create", str(shared), "--db", str(a), "--user", "ann"))
    assert run("team", "join", str(shared), "--db", str(b), "--user", "mal", "--code", code).returncode == 0
    with closing(sqlite3.connect(b)) as db, db:
        device = db.execute("SELECT value FROM meta WHERE key = 'device'").fetchone()[0]
        db.execute(
            "INSERT INTO changes (device, clock, tbl, row_id, data) VALUES (?, ?, 'settings', "
            "'dormant_days', ?)",
            [device, f"001700000000000-00000-{device}", json.dumps({"value": '"ninety"'})],
        )
    assert run("sync", "--db", str(b), "--user", "mal").returncode == 0
    result = run("sync", "--db", str(a), "--user", "ann")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "Held back 1 change from mal" in result.stdout and "Published" in result.stdout
    status = run("team", "--db", str(a), "--user", "ann")
    assert "Held back 1 change from mal" in status.stdout
    listed = run("team", "held", "--db", str(a), "--user", "ann")
    assert listed.returncode == 0 and "settings/dormant_days" in listed.stdout
    assert "dormant_days" in listed.stdout and "1 change is held back" in listed.stdout
    assert run("agenda", "--db", str(a), "--user", "ann").returncode == 0


def test_the_bound_on_clocks_ahead_is_set_from_the_command_line(tmp_path):
    path = tmp_path / "t.db"
    _new_db(path, "ann")
    result = run("team", "clock-ahead", "72", "--db", str(path))
    assert result.returncode == 0 and "72 hours" in result.stdout
    value = (
        sqlite3.connect(path)
        .execute("SELECT value FROM settings WHERE id = 'sync_clock_ahead_hours'")
        .fetchone()
    )
    assert value == ("72",)
    refused = run("team", "clock-ahead", "0", "--db", str(path))
    assert refused.returncode == 1 and "use 1 to 720" in refused.stderr and "Traceback" not in refused.stderr
