"""The team folder: each device's files, checked, merged, never half-read."""

import shutil
import subprocess
import sys
import textwrap

from salesdesk.sync import folder as teamfolder
from salesdesk.sync import team as teamsync
from tests.sync.conftest import Device, enter_team


def _join(devices, folder):
    for device in devices:
        enter_team(device.store, folder)


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
    top = sorted(p.name for p in (shared / teamsync.TEAM_DIR).iterdir())
    assert top == sorted([teamfolder.TEAM_FILE, ann.store.device, bob.store.device])
    for device in (ann, bob):
        names = sorted(p.name for p in (shared / teamsync.TEAM_DIR / device.store.device).iterdir())
        assert "device" in names and all(name == "device" or name[-8:].isdigit() for name in names)
    everything = [p for p in (shared / teamsync.TEAM_DIR).rglob("*") if p.is_file()]
    assert not any(p.suffix in (".db", ".json") or p.name.endswith(("-wal", "-shm")) for p in everything)
    assert all(p.read_bytes()[:4] == b"SDT2" for p in everything)  # every file an envelope


def test_a_half_synced_file_is_skipped_and_merged_later(team, tmp_path):
    ann, bob, _ = team
    shared = tmp_path / "share"
    shared.mkdir()
    _join([ann, bob], shared)
    bob.store.add_customer("Arrives late")
    published = teamfolder.publish(bob.store, shared)
    segment = published.folder / published.files[0]
    whole = segment.read_bytes()
    segment.write_bytes(whole[: len(whole) // 3])  # the sync tool is still copying it
    before = ann.digest()
    report = teamsync.sync_once(ann.store)
    assert any("not completely synced" in line for line in report.skipped), report.skipped
    assert ann.digest() == before
    segment.write_bytes(whole)
    report = teamsync.sync_once(ann.store)
    assert report.merged and report.merged[0].created["customers"] == 1


def test_a_cloned_device_id_is_detected_and_nothing_is_lost(team, tmp_path):
    ann, bob, _ = team
    shared = tmp_path / "share"
    shared.mkdir()
    _join([ann, bob], shared)
    clone = Device(tmp_path, "clone")
    clone.store.close()
    shutil.copyfile(ann.snapshot(), clone.path)  # someone copied ann's database to a laptop
    shutil.copytree(ann.path.with_name("ann.sync"), clone.path.with_name("clone.sync"))  # and its key
    clone.store = clone.store.open(clone.path, "ann", clone.clock)
    clone.store.add_customer("Written on the copied laptop")
    teamsync.sync_once(clone.store)  # publishes under ann's device id
    ann.store.add_customer("Written on ann's laptop")
    old = ann.store.device
    report = teamsync.sync_once(ann.store)
    assert report.rekeyed_from == old and ann.store.device != old
    teamsync.sync_once(ann.store)  # reads the copied laptop's files as another device's
    names = {r[0] for r in ann.store.db.execute("SELECT name FROM customers")}
    assert {"Written on the copied laptop", "Written on ann's laptop"} <= names
    # bob has never seen ann's new device: a new device of a user he knows waits for him.
    report = teamsync.sync_once(bob.store)
    assert any(f"'salesdesk team accept {ann.store.device}'" in line for line in report.held), report.held
    teamfolder.accept(bob.store, ann.store.device)
    teamsync.sync_once(bob.store)  # what ann wrote before she took a new id reaches bob too
    bob_names = {r[0] for r in bob.store.db.execute("SELECT name FROM customers")}
    assert {"Written on the copied laptop", "Written on ann's laptop"} <= bob_names
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
