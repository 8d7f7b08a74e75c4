"""Crash safety: a writer killed at random moments never loses an acknowledged commit."""

import random
import signal
import sqlite3
import time
from datetime import UTC, datetime

import pytest

from salesdesk.store.store import Store
from tests.storage_faults import killed_child

ROUNDS = 50
SEED = 20261127

# The child prints each id only after add_customer has returned, i.e. after COMMIT.
CHILD = """
import sys
from datetime import datetime, timezone
from salesdesk.store.store import Store

store = Store.open(sys.argv[1], "crash", lambda: datetime.now(timezone.utc))
print("ready", flush=True)
n = 0
while True:
    n += 1
    customer_id = store.add_customer(f"{sys.argv[2]}-{n}", notes="x" * 200)
    print(customer_id, flush=True)
"""


def run_round(db_path, round_no: int, delay: float) -> list[str]:
    with killed_child(CHILD, str(db_path), f"round{round_no}") as (child, first):
        assert first == "ready\n", child.stderr.read() if child.poll() is not None else first
        time.sleep(delay)
    rest = child.stdout.read()
    assert child.returncode == -signal.SIGKILL
    # a line cut off by the kill has no newline: its id was never acknowledged
    lines = rest.split("\n")
    return [line for line in lines[:-1] if line]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_writer_loses_no_acknowledged_commit(tmp_path):
    db_path = tmp_path / "crash.db"
    Store.open(db_path, "setup", lambda: datetime.now(UTC)).close()
    rng = random.Random(SEED)
    acknowledged: list[str] = []
    started = time.monotonic()
    for round_no in range(ROUNDS):
        ids = run_round(db_path, round_no, rng.uniform(0.05, 0.4))
        acknowledged.extend(ids)
        conn = sqlite3.connect(db_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", round_no
            present = {row[0] for row in conn.execute("SELECT id FROM customers")}
        finally:
            conn.close()
        missing = [i for i in acknowledged if i not in present]
        assert missing == [], f"round {round_no}: {len(missing)} acknowledged ids lost"
    assert len(acknowledged) > ROUNDS  # the child really wrote, and was cut off mid-stream
    assert time.monotonic() - started < 60

    store = Store.open(db_path, "check", lambda: datetime.now(UTC))
    try:
        assert store.counts()["customers"] >= len(acknowledged)
        logged = {row[0] for row in store.db.execute("SELECT row_id FROM changes WHERE tbl = 'customers'")}
        assert set(acknowledged) <= logged
    finally:
        store.close()
