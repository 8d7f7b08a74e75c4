"""salesdesk pool: the pool listed on a day, a claim, and a claim refused in one sentence."""

from datetime import UTC, datetime, timedelta

from salesdesk.store.store import Store
from tests.conftest import FakeClock
from tests.test_cli import assert_one_sentence_error, run


def _seed(path):
    clock = FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    store = Store.open(path, "ann", clock)
    idle = store.add_customer("Mary Cooper", company="Acme", owner="ann")
    nobody = store.add_customer("Li Lei", company="华信")
    store.update_customer(nobody, {"owner": ""})
    kept = store.add_customer("Kept", owner="tom")
    clock.advance(days=20)
    Store(store.db, "tom", clock).log_interaction(kept, "call", "Talked")
    store.close()
    return idle, nobody, kept


def test_the_pool_on_a_day_and_a_claim(tmp_path):
    path = tmp_path / "p.db"
    idle, nobody, kept = _seed(path)
    listed = run("--db", str(path), "pool", "--date", "2026-11-05")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "Name", "Company"]
    assert "Mary Cooper" in lines[1] and "ann" in lines[1] and "Sat 31 Oct" in lines[1]
    assert "no interaction for 30 days" in lines[1]
    assert "Li Lei" in lines[2] and "no owner" in lines[2]
    assert "Kept" not in listed.stdout
    assert lines[-1] == "2 leads in the pool; claim one with: salesdesk pool --claim ID"

    refused = run("--db", str(path), "--user", "ann", "pool", "--date", "2026-11-05", "--claim", idle)
    assert refused.returncode == 1
    assert_one_sentence_error(refused, "Mary Cooper went back to the pool from you", "Sat 07 Nov")
    not_pooled = run("--db", str(path), "--user", "bob", "pool", "--date", "2026-11-05", "--claim", kept)
    assert_one_sentence_error(not_pooled, "Kept is not in the pool: it is tom's")

    claimed = run("--db", str(path), "--user", "bob", "pool", "--date", "2026-11-05", "--claim", idle)
    assert claimed.returncode == 0, claimed.stderr
    assert claimed.stdout.strip() == "Mary Cooper is yours now: it left the pool."
    after = run("--db", str(path), "pool", "--date", "2026-11-05")
    assert "Mary Cooper" not in after.stdout and "1 lead in the pool" in after.stdout


def test_a_bad_date_and_an_unknown_id(tmp_path):
    path = tmp_path / "p.db"
    _seed(path)
    assert_one_sentence_error(run("--db", str(path), "pool", "--date", "someday"), "--date")
    assert run("--db", str(path), "pool", "--claim", "nope").returncode != 0
    assert "Traceback" not in run("--db", str(path), "pool", "--claim", "nope").stderr


def test_an_empty_pool(tmp_path):
    path = tmp_path / "p.db"
    store = Store.open(path, "ann", FakeClock(datetime.now(UTC) - timedelta(days=1)))
    store.close()
    result = run("--db", str(path), "pool")
    assert result.returncode == 0 and result.stdout.strip() == "The pool is empty."
