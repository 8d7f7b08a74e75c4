"""One 300 MB value offered by a teammate: held back, memory and disk bounded."""

import json
import subprocess
import sys
import textwrap

SETUP = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from pathlib import Path
    from salesdesk.store.connection import write
    from salesdesk.store.store import Store
    from salesdesk.sync import team

    folder = Path(sys.argv[1])
    now = lambda: datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
    for name in ("ann", "mal"):
        store = Store.open(folder / f"{name}.db", name, now)
        team.join_plain(store, folder / "share")  # the plain format: its reader streams a copy
        if name == "mal":
            customer = store.add_customer("Honest from mal")
            with write(store.db):
                clock = store.records.log.tick(int(now().timestamp() * 1000))
                # 300 MB of notes, made inside SQLite: never a Python string here either.
                store.db.execute(
                    "INSERT INTO changes (device, clock, tbl, row_id, data) "
                    "VALUES (?, ?, 'customers', ?, "
                    "'{\\"notes\\": \\"' || hex(zeroblob(150000000)) || '\\"}')",
                    [store.device, clock, customer],
                )
            team.sync_once(store)
        store.close()
    """)

VICTIM = textwrap.dedent("""
    import json, resource, sys
    from datetime import datetime, timezone
    from pathlib import Path
    from salesdesk.store.store import Store
    from salesdesk.sync import team

    def peak_kb():
        # VmHWM starts afresh with this program; ru_maxrss would keep the parent's (Linux
        # keeps it across fork and exec, and the parent here is a big pytest).
        try:
            with open("/proc/self/status") as status:
                return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        except OSError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    folder = Path(sys.argv[1])
    before = peak_kb()
    store = Store.open(folder / "ann.db", "ann", lambda: datetime(2026, 11, 27, 10, tzinfo=timezone.utc))
    report = team.sync_once(store)
    held = store.db.execute("SELECT kind, reason, data IS NULL FROM held").fetchall()
    names = [r[0] for r in store.db.execute("SELECT name FROM customers")]
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    peak = peak_kb()
    print(json.dumps({"before_kb": before, "peak_kb": peak, "held": held, "names": names,
                      "lines": report.lines()}))
    """)


def test_a_300_mb_value_is_held_back_with_memory_and_disk_bounded(tmp_path):
    (tmp_path / "share").mkdir()
    subprocess.run([sys.executable, "-c", SETUP, str(tmp_path)], check=True, timeout=600)
    published = sum(p.stat().st_size for p in (tmp_path / "share" / "salesdesk-team").glob("*.db"))
    assert published > 300_000_000
    size_before = (tmp_path / "ann.db").stat().st_size
    result = subprocess.run(
        [sys.executable, "-c", VICTIM, str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    print(f"peak memory while merging a 300 MB value: {figures['peak_kb'] / 1024:.0f} MB")
    assert figures["held"] == [["too big", figures["held"][0][1], 1]]
    assert "300,000,013 characters long" in figures["held"][0][1]
    assert "Honest from mal" in figures["names"]
    assert any("Held back 1 change from mal" in line for line in figures["lines"])
    # The victim's memory: the value passes through SQLite once, never through Python.
    assert figures["peak_kb"] < 150 * 1024
    # The victim's database does not grow by it, and no private copy is left behind.
    assert (tmp_path / "ann.db").stat().st_size - size_before < 2_000_000
    assert sum(p.stat().st_size for p in (tmp_path / "ann.sync").iterdir()) == 0
