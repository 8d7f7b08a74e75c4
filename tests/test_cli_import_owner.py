"""`salesdesk import customers|vcard` meeting a teammate's customer, as a person runs it: each
such row named with its file and line, whose it is and their last contact; `--ask-owner`
asks them for it; `--dry-run` says the same and writes nothing."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from salesdesk.store.store import Store
from tests.test_cli import digest, run

CSV = (
    "name,company,email,phone\r\n"
    "New Person,Nowhere,new@example.com,\r\n"
    "M. Cooper,,MARY@acme.example,\r\n"
    "Mary Cooper,Acme,,\r\n"
)
VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mary C.\r\nTEL:+86 139 1234 5678\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lin Feng\r\nEMAIL:lin@example.com\r\nEND:VCARD\r\n"
)
SAID = "Mary Cooper (Acme) is 张丽's customer, last contacted 12 days ago"
ASKED = "not imported: asked 张丽 for it (a follow-up on their Today)."


@pytest.fixture
def db(tmp_path):
    """A database where Mary Cooper of Acme is 张丽's, whom she called 12 days ago."""
    path = tmp_path / "team.db"
    called = datetime.now(UTC) - timedelta(days=12)
    store = Store.open(path, "张丽", lambda: called)
    try:
        mary = store.add_customer(
            "Mary Cooper", company="Acme", email="mary@acme.example", phone="13912345678", owner="张丽"
        )
        store.log_interaction(mary, "call", "Prices")
    finally:
        store.close()
    return path


def run_utc(*args):
    """The command on a UTC clock, as the interaction's day is counted in UTC."""
    return run(*args, env={"TZ": "UTC"})


def asks(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT owner, title FROM followups WHERE deleted_at IS NULL").fetchall()
    finally:
        conn.close()


def names(path):
    conn = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in conn.execute("SELECT name FROM customers WHERE deleted_at IS NULL"))
    finally:
        conn.close()


def test_each_row_of_a_teammates_customer_says_whose_it_is_and_how_to_ask(tmp_path, db):
    path = tmp_path / "contacts.csv"
    path.write_text(CSV, encoding="utf-8")
    result = run_utc("--db", str(db), "import", "customers", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"{path} line 3: {SAID} (the same email); not imported: --ask-owner asks 张丽 for it." in lines
    assert (
        f"{path} line 4: {SAID} (the same name and company); not imported: --ask-owner asks 张丽 for it."
        in lines
    )
    assert lines[-1].endswith(
        "1 created, 0 updated, 0 unchanged, 0 refused, 2 teammates' customers, not imported."
    )
    assert names(db) == ["Mary Cooper", "New Person"]
    assert asks(db) == []


def test_ask_owner_writes_the_asks(tmp_path, db):
    path = tmp_path / "contacts.csv"
    path.write_text(CSV, encoding="utf-8")
    result = run_utc("--db", str(db), "import", "customers", str(path), "--ask-owner")
    assert result.returncode == 0, result.stderr
    assert f"{path} line 3: {SAID} (the same email); {ASKED}" in (result.stdout.splitlines())
    assert asks(db) == [("张丽", "ann asks for this customer")]


def test_a_dry_run_says_the_same_and_writes_nothing(tmp_path, db):
    path = tmp_path / "contacts.csv"
    path.write_text(CSV, encoding="utf-8")
    before = digest(db)
    result = run_utc("--db", str(db), "import", "customers", str(path), "--dry-run", "--ask-owner")
    assert result.returncode == 0, result.stderr
    assert f"{path} line 3: {SAID} (the same email); not imported: 张丽 would be asked for it." in (
        result.stdout.splitlines()
    )
    assert "nothing was saved" in result.stdout
    assert digest(db) == before


def test_a_vcard_of_a_teammates_customer(tmp_path, db):
    path = tmp_path / "cards.vcf"
    path.write_text(VCARD, encoding="utf-8")
    result = run_utc("--db", str(db), "import", "vcard", str(path), "--ask-owner")
    assert result.returncode == 0, result.stderr
    assert f"{path} line 1: {SAID} (the same phone); {ASKED}" in (result.stdout.splitlines())
    assert names(db) == ["Lin Feng", "Mary Cooper"]
    assert asks(db) == [("张丽", "ann asks for this customer")]


def test_in_chinese(tmp_path, db):
    path = tmp_path / "contacts.csv"
    path.write_text(CSV, encoding="utf-8")
    result = run_utc("--db", str(db), "--lang", "zh", "import", "customers", str(path))
    assert result.returncode == 0, result.stderr
    assert (
        f"{path} 第 3 行：Mary Cooper (Acme) 是 张丽 的客户，上次联系：12天前（邮箱相同）；"
        "未导入：加 --ask-owner 可向 张丽 申请接手。"
    ) in result.stdout.splitlines()
