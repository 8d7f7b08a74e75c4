"""`salesdesk target`: set, list, unset; bad input is one sentence and writes nothing."""

import re

import pytest

from salesdesk.store.store import Store
from tests.test_cli import assert_one_sentence_error, digest, new_database, run
from tests.test_cli_zh import ZH


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "t.db"
    new_database(path)
    return path


def _targets(path):
    store = Store.open(path, "ann", lambda: None)
    try:
        return store.db.execute(
            "SELECT person, month, measure, amount, currency FROM targets "
            "WHERE deleted_at IS NULL ORDER BY 1, 3"
        ).fetchall()
    finally:
        store.close()


def test_set_list_and_unset(db):
    done = run("--db", str(db), "target", "set", "ann", "2027-01", "won", "500000", "CNY")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.strip() == "Target set: ann, 2027-01, Won ¥500,000."
    assert (
        run("--db", str(db), "target", "set", "team", "2027-01", "collected", "1.2k", "usd").returncode == 0
    )
    assert run("--db", str(db), "target", "set", "bob", "2027-02", "won", "100", "CNY").returncode == 0
    assert _targets(db) == [
        ("", "2027-01", "collected", 1_200_00, "USD"),
        ("ann", "2027-01", "won", 500_000_00, "CNY"),
        ("bob", "2027-02", "won", 100_00, "CNY"),
    ]
    # January 2027, seen from 30 December 2026: all its 20 working days (1 Jan is a holiday).
    mine = run("--db", str(db), "target", "list", "--month", "2027-01", "--date", "2026-12-30")
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.splitlines() == [
        "Targets of ann, Jan 2027 (20 working days left)",
        "Won  ¥0  ¥500,000  0%  ¥25,000 a working day",
    ]
    everyone = run("--db", str(db), "target", "list", "--quarter", "2027-Q1", "--all", "--date", "2027-03-31")
    lines = everyone.stdout.splitlines()
    assert lines[0] == "Targets, 2027 Q1 (1 working day left)"
    assert [line.split()[:2] for line in lines[1:]] == [["ann", "Won"], ["bob", "Won"], ["Team", "Collected"]]
    assert lines[2].split()[2:] == ["¥0", "¥100", "0%", "¥100", "a", "working", "day"]
    gone = run("--db", str(db), "target", "unset", "ann", "2027-01", "won", "CNY")
    assert gone.returncode == 0 and gone.stdout.startswith("Target removed: ann, 2027-01")
    assert len(_targets(db)) == 2
    again = run("--db", str(db), "target", "unset", "ann", "2027-01", "won", "CNY")
    assert_one_sentence_error(again, "no target")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("ann", "2027-13", "won", "1", "CNY"), ("month", "2027-13")),
        (("ann", "2027-01", "revenue", "1", "CNY"), ("measure", "won (value won) or collected")),
        (("ann", "2027-01", "won", "1", "yuan"), ("currency", "'yuan'")),
        (("ann", "2027-01", "won", "-5", "CNY"), ("amount", "negative")),
        (("ann", "2027-01", "won", "lots", "CNY"), ("amount", "'lots'")),
    ],
)
def test_bad_input_is_one_sentence_and_nothing_is_written(db, args, words):
    before = digest(db)
    result = run("--db", str(db), "target", "set", *args)
    assert_one_sentence_error(result, *words)
    assert digest(db) == before


def test_bad_periods_are_one_sentence(db):
    assert_one_sentence_error(run("--db", str(db), "target", "list", "--quarter", "2027-Q5"), "--quarter")
    assert_one_sentence_error(run("--db", str(db), "target", "list", "--year", "27"), "--year")


def test_in_chinese(db):
    done = run("--db", str(db), "target", "set", "团队", "2027-01", "回款", "300000", "CNY", env=ZH)
    assert done.returncode == 0, done.stderr
    assert "团队" in done.stdout and "回款" in done.stdout
    listed = run(
        "--db", str(db), "target", "list", "--all", "--month", "2027-01", "--date", "2026-12-30", env=ZH
    )
    assert listed.stdout.splitlines()[0] == "目标，2027年1月（剩余 20 个工作日）"
    assert re.search(r"团队\s+回款\s+¥0\s+¥300,000\s+0%\s+每个工作日 ¥15,000", listed.stdout), listed.stdout
    bad = run("--db", str(db), "target", "set", "ann", "2027-13", "won", "1", "CNY", env=ZH)
    assert_one_sentence_error(bad, "2027-13")
    assert bad.stderr.startswith("salesdesk: 月份：") or bad.stderr.startswith("salesdesk: 月份: "), (
        bad.stderr
    )
    helped = run("target", "set", "--help", env=ZH)
    assert "团队" in helped.stdout or "team" in helped.stdout
