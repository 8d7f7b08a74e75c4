"""The team folder: one published file per device, checked, merged, never half-read."""

import shutil
import subprocess
import sys
import textwrap

from salesdesk.sync import team as teamsync
from tests.sync.conftest import Device


def _join(devices, folder):
    for device in devices:
        teamsync.join(device.store, folder)


def test_two_people_end_with_the_same_data(team, tmp_path):
    ann, bob, _ = team
    shared = tmp_path / "Dropbox-share"
    shared.mkdir()
    _join([ann, bob], shared)
    customer = ann.store.add_customer("Wang Wei")
    deal = bob.store.add_deal(bob.store.add_customer("Sarah"), "Printers", 900_00)
    teamsync.sync_once(ann.store)
    report = teamsync.sync_once(bob.store)
    assert report.merged and report.merged[0].created["customers"] == 1
    teamsync.sync_once(ann.store)
    assert ann.digest() == bob.digest()
    assert bob.store.customer(customer).name == "Wang Wei"
    assert ann.store.deal(deal).title == "Printers"
    files = sorted(p.name for p in (shared / teamsync.TEAM_DIR).iterdir())
    assert files == sorted(
        [
            f"{ann.store.device}.db",
            f"{ann.store.device}.json",
            f"{bob.store.device}.db",
            f"{bob.store.device}.json",
        ]
    )
    assert not any(name.endswith(("-wal", "-shm", "-journal")) for name in files)


def test_a_half_synced_file_is_skipped_and_merged_later(team, tmp_path):
    ann, bob, _ = team
    shared = tmp_path / "share"
    shared.mkdir()
    _join([ann, bob], shared)
    bob.store.add_customer("Arrives late")
    teamsync.sync_once(bob.store)
    published = shared / teamsync.TEAM_DIR / f"{bob.store.device}.db"
    whole = published.read_bytes()
    published.write_bytes(whole[: len(whole) // 3])  # the sync tool is still copying it
    before = ann.digest()
    report = teamsync.sync_once(ann.store)
    assert any("not completely synced" in line for line in report.skipped)
    assert ann.digest() == before
    published.write_bytes(whole)
    report = teamsync.sync_once(ann.store)
    assert report.merged and report.merged[0].created["customers"] == 1


def test_a_cloned_device_id_is_detected_and_nothing_is_lost(team, tmp_path):
    ann, _, _ = team
    shared = tmp_path / "share"
    shared.mkdir()
    _join([ann], shared)
    clone = Device(tmp_path, "clone")
    clone.store.close()
    shutil.copyfile(ann.snapshot(), clone.path)  # someone copied ann's database to a laptop
    clone.store = clone.store.open(clone.path, "ann", clone.clock)
    clone.store.add_customer("Written on the copied laptop")
    teamsync.sync_once(clone.store)  # publishes under ann's device id
    ann.store.add_customer("Written on ann's laptop")
    old = ann.store.device
    report = teamsync.sync_once(ann.store)
    assert report.rekeyed_from == old and ann.store.device != old
    names = {r[0] for r in ann.store.db.execute("SELECT name FROM customers")}
    assert {"Written on the copied laptop", "Written on ann's laptop"} <= names
    clone.store.close()


def test_five_processes_writing_at_once_never_see_a_locked_database(tmp_path):
    path = tmp_path / "busy.db"
    script = textwrap.dedent(f"""
        import sys
        from datetime import datetime, timezone
        from salesdesk.store.store import Store
        store = Store.open({str(path)!r}, "p" + sys.argv[1], lambda: datetime.now(timezone.utc))
        for n in range(1000):
            store.add_customer(f"p{{sys.argv[1]}}-{{n}}")
        store.close()
        """)
    from salesdesk.store.store import Store
    from tests.conftest import FakeClock

    Store.open(path, "setup", FakeClock()).close()  # create it once, before the race
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(i)], stderr=subprocess.PIPE, text=True)
        for i in range(5)
    ]
    errors = [worker.communicate(timeout=300)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * 5, errors
    assert not any("locked" in error for error in errors)
    store = Store.open(path, "check", FakeClock())
    assert store.counts()["customers"] == 5000
    store.close()
