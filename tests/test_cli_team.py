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
        db.execute(
            "INSERT INTO changes (device, clock, tbl, row_id, data) VALUES (?, ?, 'customers', "
            "'01JCUSTOMERHELDBACK0000000', ?)",
            [device, f"001700000000001-00000-{device}", json.dumps({"name": "Zhao Lei", "bogus": 1})],
        )
    assert run("sync", "--db", str(b), "--user", "mal").returncode == 0
    result = run("sync", "--db", str(a), "--user", "ann")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "Held back 2 changes from mal" in result.stdout and "Published" in result.stdout
    status = run("team", "--db", str(a), "--user", "ann")
    assert "Held back 2 changes from mal" in status.stdout
    listed = run("team", "held", "--db", str(a), "--user", "ann")
    assert listed.returncode == 0 and " setting dormant_days  [invalid]" in listed.stdout
    # A record not here is named by what the change itself says, with its id.
    assert " customer 'Zhao Lei' (01JCUSTOMERHELDBACK0000000)  [invalid] " in listed.stdout
    assert "2 changes are held back" in listed.stdout
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


def _device_of(path):
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT value FROM meta WHERE key = 'device'").fetchone()[0]


def test_a_team_is_made_joined_and_its_devices_accepted_and_revoked_from_the_command_line(tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    a, b, laptop = tmp_path / "ann.db", tmp_path / "bob.db", tmp_path / "ann-laptop.db"
    for path, user in ((a, "ann"), (b, "bob"), (laptop, "ann")):
        _new_db(path, user)
    created = run("team", "create", str(shared), "--db", str(a), "--user", "ann")
    assert "Started a team in" in created.stdout and "The team key is kept in the file" in created.stdout
    code = code_of(created)
    assert code.count("-") == 13
    joined = run("team", "join", str(shared), "--db", str(b), "--user", "bob", "--code", code.lower())
    assert joined.returncode == 0 and "Joined the team" in joined.stdout, joined.stderr
    assert (
        run("team", "join", str(shared), "--db", str(laptop), "--user", "ann", "--code", code).returncode == 0
    )
    from salesdesk.store.store import Store
    from tests.conftest import FakeClock

    store = Store.open(laptop, "ann", FakeClock())
    store.add_customer("From the new laptop")
    store.close()
    assert run("sync", "--db", str(laptop), "--user", "ann").returncode == 0
    new = _device_of(laptop)
    synced = run("sync", "--db", str(b), "--user", "bob")
    assert f"ann has a new device {new}" in synced.stdout and f"salesdesk team accept {new}" in synced.stdout
    listed = run("team", "devices", "--db", str(b), "--user", "bob")
    lines = listed.stdout.splitlines()
    assert len(lines) == 3 and any(new in line and "pending" in line and "SHA256:" in line for line in lines)
    assert any("(this device)" in line and "trusted" in line for line in lines)
    accepted = run("team", "accept", new[:8], "--db", str(b), "--user", "bob")
    assert accepted.returncode == 0 and f"Accepted ann's device {new}" in accepted.stdout, accepted.stderr
    with closing(sqlite3.connect(b)) as db:
        assert db.execute("SELECT count(*) FROM customers WHERE name = 'From the new laptop'").fetchone() == (
            1,
        )
    revoked = run("team", "revoke", new, "--db", str(b), "--user", "bob")
    assert revoked.returncode == 0 and "rotate-key" in revoked.stdout
    assert "revoked" in run("team", "devices", "--db", str(b), "--user", "bob").stdout
    rotated = run("team", "rotate-key", "--db", str(a), "--user", "ann")
    new_code = code_of(rotated)
    assert new_code != code and "team join" in rotated.stdout
    assert (
        run("team", "join", str(shared), "--db", str(b), "--user", "bob", "--code", new_code).returncode == 0
    )
    unknown = run("team", "accept", "zzzz", "--db", str(b), "--user", "bob")
    assert unknown.returncode == 1 and "team devices" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_wrong_join_code_is_one_sentence_and_writes_nothing(tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    a, b = tmp_path / "ann.db", tmp_path / "bob.db"
    _new_db(a, "ann")
    _new_db(b, "bob")
    code = code_of(run("team", "create", str(shared), "--db", str(a), "--user", "ann"))

    def state():
        found = {p: p.read_bytes() for p in shared.rglob("*") if p.is_file()}
        return found | {p: p.read_bytes() for p in tmp_path.glob("bob*") if p.is_file()}

    before = state()
    other = "-".join(["ABCD"] * 13 + ["ABC"])
    for wrong, words in (
        (other, "typo"),
        (code[:-6], "letters and digits"),
        (code.replace(code[0], "1" if code[0] != "1" else "8"), "only letters A to Z"),
    ):
        result = run("team", "join", str(shared), "--db", str(b), "--user", "bob", "--code", wrong)
        assert result.returncode == 1 and words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    from salesdesk.sync import crypto

    foreign = crypto.join_code(crypto.new_team_key())
    result = run("team", "join", str(shared), "--db", str(b), "--user", "bob", "--code", foreign)
    assert result.returncode == 1 and "not the key of the team" in result.stderr
    assert "Nothing was written" in result.stderr
    assert state() == before and not (tmp_path / "bob.sync").exists()


def test_joining_a_folder_with_no_team_says_how_to_start_one(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    _new_db(tmp_path / "ann.db", "ann")
    result = run("team", "join", str(empty), "--db", str(tmp_path / "ann.db"), "--code", "ABCD")
    assert result.returncode == 1 and f"salesdesk team create {empty}" in result.stderr
    assert not list(empty.iterdir())


def test_a_plain_folder_keeps_syncing_says_to_upgrade_and_is_upgraded(tmp_path):
    from salesdesk.store.store import Store
    from salesdesk.sync import team as teamsync
    from tests.conftest import FakeClock

    shared = tmp_path / "share"
    shared.mkdir()
    a, b = tmp_path / "ann.db", tmp_path / "bob.db"
    for path, user in ((a, "ann"), (b, "bob")):
        store = Store.open(path, user, FakeClock())
        teamsync.join_plain(store, shared)  # as the last version joined a team
        store.add_customer(f"{user}'s plain customer")
        teamsync.sync_once(store)
        store.close()
    synced = run("sync", "--db", str(a), "--user", "ann")
    assert synced.returncode == 0 and "salesdesk team upgrade" in synced.stdout
    upgraded = run("team", "upgrade", "--db", str(a), "--user", "ann")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.count("Removed ") == 4 and "encrypted now" in upgraded.stdout
    code = code_of(upgraded)
    plain = run("sync", "--db", str(b), "--user", "bob")
    assert plain.returncode == 1 and "join code" in plain.stderr and "Traceback" not in plain.stderr
    assert run("team", "join", str(shared), "--db", str(b), "--user", "bob", "--code", code).returncode == 0
    with closing(sqlite3.connect(b)) as db:
        names = {r[0] for r in db.execute("SELECT name FROM customers")}
    assert {"ann's plain customer", "bob's plain customer"} <= names
    assert not [p for p in (shared / "salesdesk-team").iterdir() if p.suffix in (".db", ".json")]


def test_the_team_commands_speak_chinese(tmp_path):
    from tests.test_cli_zh import ZH

    shared = tmp_path / "share"
    shared.mkdir()
    a, b = tmp_path / "ann.db", tmp_path / "bob.db"
    _new_db(a, "ann")
    _new_db(b, "bob")
    created = run("team", "create", str(shared), "--db", str(a), "--user", "ann", "--lang", "zh")
    assert f"已在 {shared} 中创建团队。" in created.stdout and "团队密钥保存在" in created.stdout
    result = run("team", "join", str(shared), "--db", str(b), "--code", "ABCD", "--lang", "zh")
    assert result.returncode == 1 and "加入码" in result.stderr
    env = {**os.environ, **ZH}
    listed = subprocess.run(
        [sys.executable, "-m", "salesdesk", "team", "devices", "--db", str(a), "--user", "ann"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "已信任" in listed.stdout and "（本设备）" in listed.stdout


def test_join_asks_for_the_code_when_it_is_not_given(tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    a, b = tmp_path / "ann.db", tmp_path / "bob.db"
    _new_db(a, "ann")
    _new_db(b, "bob")
    code = code_of(run("team", "create", str(shared), "--db", str(a), "--user", "ann"))
    env = {**os.environ}
    env.pop("SALESDESK_DB", None)
    joined = subprocess.run(
        [sys.executable, "-m", "salesdesk", "team", "join", str(shared), "--db", str(b), "--user", "bob"],
        input=code + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        start_new_session=True,  # no terminal: the code is read from standard input
    )
    assert joined.returncode == 0 and "Joined the team" in joined.stdout, joined.stderr
    assert code not in joined.stdout + joined.stderr  # never echoed back


def test_a_sync_summary_and_what_is_held_back_come_out_in_chinese(tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    a, b = tmp_path / "ann.db", tmp_path / "mal.db"
    assert run("demo", "--db", str(a), "--user", "ann").returncode == 0
    _new_db(b, "mal")
    code = code_of(run("team", "create", str(shared), "--db", str(a), "--user", "ann"))
    joined = run("team", "join", str(shared), "--db", str(b), "--user", "mal", "--code", code, "--lang", "zh")
    assert joined.returncode == 0, joined.stderr
    assert (
        "：来自 1 台设备的 " in joined.stdout
        and "项更改；新增：" in joined.stdout
        and "客户 " in joined.stdout
    )
    assert "changes from" not in joined.stdout and "new:" not in joined.stdout
    with closing(sqlite3.connect(b)) as db, db:
        device = db.execute("SELECT value FROM meta WHERE key = 'device'").fetchone()[0]
        db.execute(
            "INSERT INTO changes (device, clock, tbl, row_id, data) VALUES (?, ?, 'settings', "
            "'dormant_days', ?)",
            [device, f"001700000000000-00000-{device}", json.dumps({"value": '"ninety"'})],
        )
    assert run("sync", "--db", str(b), "--user", "mal").returncode == 0
    result = run("sync", "--db", str(a), "--user", "ann", "--lang", "zh")
    assert result.returncode == 0, result.stderr
    assert "暂扣了来自 mal 的 1 项更改（无效）" in result.stdout and "已将此副本发布到 " in result.stdout
    assert '例如：它的设置 dormant_days 是 "ninety"，不是 ' in result.stdout  # the check's reason too
    assert "Held back" not in result.stdout and "Published" not in result.stdout
    listed = run("team", "held", "--db", str(a), "--user", "ann", "--lang", "zh")
    assert "1 项更改被暂扣；每次同步时都会重试。" in listed.stdout
    assert "[无效]" in listed.stdout and "[invalid]" not in listed.stdout


def test_round_robin_clock_ahead_and_merge_answer_in_chinese(tmp_path):
    main = tmp_path / "salesdesk.db"
    _new_db(main, "ann")
    turns = run("team", "round-robin", "bob", "cai", "--db", str(main), "--lang", "zh")
    assert turns.stdout == "无负责人的新线索依次分给：bob、cai。\n"
    ahead = run("team", "clock-ahead", "0", "--db", str(main), "--lang", "zh")
    assert ahead.returncode == 1 and "0 小时不是有效的上限；请使用 1 到 720。" in ahead.stderr
    copy = tmp_path / "salesdesk (Ann's conflicted copy 2026-11-20).db"
    with closing(sqlite3.connect(main)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy.write_bytes(main.read_bytes())
    dry = run("merge", str(copy), "--dry-run", "--db", str(main), "--lang", "zh")
    assert dry.returncode == 0, dry.stderr
    assert f"将合并 Dropbox 冲突副本 {copy.name}：没有新内容。" in dry.stdout
    assert "（含其 -wal 文件）" in dry.stdout and "Would merge" not in dry.stdout
    missing = run("merge", str(tmp_path / "gone.db"), "--db", str(main), "--lang", "zh")
    assert missing.returncode == 1 and "gone.db 不存在。" in missing.stderr
