"""The command line as a person runs it: real processes, exit codes, one-sentence errors."""

import hashlib
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from salesdesk.store.schema import SCHEMA_VERSION
from salesdesk.store.store import Store


def run(*args, env=None, cwd=None):
    environment = {**os.environ, "SALESDESK_USER": "ann", **(env or {})}
    environment.pop("SALESDESK_DB", None) if env is None or "SALESDESK_DB" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "salesdesk", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
    )


def new_database(path, user="ann"):
    """An empty salesdesk database at `path`, as the app makes on first start."""
    Store.open(path, user, lambda: datetime.now(UTC)).close()


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_sentence_error(result, *words):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.startswith("salesdesk: ") and "\n" not in message
    for word in words:
        assert word in message


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo", "check", "backup", "--db", "--user"):
        assert command in result.stdout


def test_db_option_before_or_after_the_command(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    new_database(first)
    new_database(second)
    assert run("--db", str(first), "backup", "-o", str(tmp_path / "a-copy.db")).returncode == 0
    assert run("backup", "--db", str(second), "-o", str(tmp_path / "b-copy.db")).returncode == 0
    assert (tmp_path / "a-copy.db").exists() and (tmp_path / "b-copy.db").exists()
    assert run("check", "--db", str(first)).returncode == 0
    assert run("--db", str(second), "check").returncode == 0


def test_database_from_the_environment(tmp_path):
    path = tmp_path / "env.db"
    new_database(path)
    result = run("backup", "-o", str(tmp_path / "copy.db"), env={"SALESDESK_DB": str(path)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "copy.db").exists()


def test_a_new_path_gets_a_database_with_the_default_pipeline(tmp_path):
    path, rows = tmp_path / "new.db", tmp_path / "leads.csv"
    rows.write_text("name\nWang Li\n", encoding="utf-8")
    assert run("--db", str(path), "import", "customers", str(rows)).returncode == 0
    names = [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM stages ORDER BY position")]
    assert names == ["Lead", "Qualified", "Quote", "Negotiation", "Signed", "Paid", "Lost"]


def test_missing_folder_is_refused(tmp_path):
    result = run("check", "--db", str(tmp_path / "nowhere" / "x.db"))
    assert_one_sentence_error(result, "nowhere", "does not exist")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("command", [["check"], ["backup"], []])
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path, command):
    path = tmp_path / "notes.txt"
    path.write_text("call Wang on Friday\n")
    before = digest(path)
    result = run(*command, "--db", str(path))
    assert_one_sentence_error(result, "notes.txt", "not a SQLite database")
    assert digest(path) == before


def test_a_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "future.db"
    new_database(path)
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = digest(path)
    result = run("backup", "--db", str(path), "-o", str(tmp_path / "copy2.db"))
    assert_one_sentence_error(result, "newer salesdesk", "upgrade")
    assert digest(path) == before
    assert not (tmp_path / "copy2.db").exists()


def test_an_impossible_date_is_refused(tmp_path):
    path = tmp_path / "demo.db"
    result = run("demo", "--db", str(path), "--today", "2026-02-31")
    assert_one_sentence_error(result, "2026-02-31", "not a real date", "YYYY-MM-DD")
    assert not path.exists()


def test_check_reports_integrity_schema_and_counts(tmp_path):
    path = tmp_path / "c.db"
    result = run("check", "--db", str(path))
    assert_one_sentence_error(result, "does not exist")
    new_database(path)
    result = run("check", "--db", str(path))
    assert result.returncode == 0
    assert "integrity" in result.stdout and " ok" in result.stdout
    assert (
        f"schema    {SCHEMA_VERSION} (current)" in " ".join(result.stdout.split("  "))
        or f"{SCHEMA_VERSION} (current)" in result.stdout
    )
    assert "stages" in result.stdout and "7" in result.stdout


def test_backup_writes_a_verified_copy_and_will_not_overwrite(tmp_path):
    path, copy = tmp_path / "b.db", tmp_path / "copy.db"
    new_database(path)
    assert run("--db", str(path), "backup", "-o", str(copy)).returncode == 0
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM stages").fetchone()[0] == 7
    conn.close()
    before = digest(copy)
    assert_one_sentence_error(run("--db", str(path), "backup", "-o", str(copy)), "already exists")
    assert digest(copy) == before


def test_demo_then_check_reports_sensible_counts(tmp_path):
    path = tmp_path / "demo.db"
    result = run("demo", "--db", str(path), "--today", "2026-11-27")
    assert result.returncode == 0, result.stderr
    counts = dict(
        line.split(None, 1)
        for line in run("check", "--db", str(path)).stdout.splitlines()[1:]
        if len(line.split(None, 1)) == 2
    )
    assert 30 <= int(counts["customers"].split()[0]) <= 60
    assert 40 <= int(counts["deals"].split()[0]) <= 90
    assert int(counts["interactions"].split()[0]) >= 150


def test_demo_refuses_to_overwrite_real_data_without_force(tmp_path):
    path = tmp_path / "real.db"
    new_database(path)
    before = digest(path)
    assert_one_sentence_error(run("demo", "--db", str(path)), "--force")
    assert digest(path) == before
    assert run("demo", "--db", str(path), "--force").returncode == 0
