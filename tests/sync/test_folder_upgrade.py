"""Upgrading a plain team folder (a week of three devices' changes, published the way
they were before) to the encrypted one: nothing lost, for them or a device joining later."""

from salesdesk.sync import folder as teamfolder
from salesdesk.sync import team as teamsync
from tests.sync.conftest import Device


def _week_of_plain_work(devices, shared):
    for device in devices:
        teamsync.join_plain(device.store, shared)
    for day in range(7):
        for n, device in enumerate(devices):
            device.clock.advance(days=1) if n == 0 else device.clock.advance(seconds=1)
            store = device.store
            customer = store.add_customer(f"{store.user} day {day}", company=f"co{day}")
            if day % 2:
                store.add_deal(customer, f"deal of {store.user} on day {day}", 1000 * (day + 1))
            alive = "SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY id"
            here = [r[0] for r in store.db.execute(alive)]
            store.update_customer(here[(day * 3 + n) % len(here)], {"notes": f"{day}-{n}"})
            if day == 3 and n == 2:
                store.delete_customer(here[0])
            teamsync.sync_once(store)
    for device in devices:  # everyone has published everything
        teamsync.sync_once(device.store)


def test_upgrading_a_plain_folder_with_a_week_of_three_devices_loses_nothing(team, tmp_path):
    ann, bob, cai = team
    shared = tmp_path / "share"
    shared.mkdir()
    # Only ann upgrades; bob and cai hold changes they published plainly, and one each
    # not yet published when ann upgrades.
    _week_of_plain_work(team, shared)
    for device in team:
        device.clock.now = max(d.clock.now for d in team)
    bob.store.add_customer("bob's last plain one")
    teamsync.plain_publish(bob.store, shared)
    cai.store.add_customer("cai's, written after the upgrade")
    plain = sorted(p.name for p in teamfolder.plain_files(shared))
    assert len(plain) == 6
    report = teamsync.SyncReport()
    code, _, removed = teamfolder.upgrade(ann.store, shared, report)
    assert sorted(removed) == plain and teamfolder.plain_files(shared) == []
    assert teamfolder.is_encrypted(shared)
    # A plain member sees what happened and what to do.
    try:
        teamsync.sync_once(cai.store)
        raise AssertionError("a plain copy synced with an encrypted folder")
    except teamfolder.NotInTeam as error:
        assert "join code" in str(error)
    for device in (bob, cai):
        teamsync.join(device.store, shared, code)
    for _ in range(2):
        for device in team:
            teamsync.sync_once(device.store)
    assert ann.digest() == bob.digest() == cai.digest()
    assert ann.entries() == bob.entries() == cai.entries()
    names = {r[0] for r in ann.store.db.execute("SELECT name FROM customers")}
    assert {"bob's last plain one", "cai's, written after the upgrade", "ann day 6", "cai day 0"} <= names
    # A fourth device that joins after the upgrade has everything too, from the files alone.
    dan = Device(tmp_path, "dan")
    try:
        dan.clock.now = ann.clock.now  # (the week went by for dan's computer too)
        teamsync.join(dan.store, shared, code)
        assert dan.digest() == ann.digest()
        own = {e for e in dan.entries() if not e[0].endswith(dan.store.device) and "seed" not in e[0]}
        assert own <= ann.entries()
        assert {e for e in ann.entries() if "seed" not in e[0]} <= dan.entries()
        authors = dict(dan.store.db.execute("SELECT device, user FROM devices").fetchall())
        for device in team:
            assert authors[device.store.device] == device.store.user
    finally:
        dan.store.close()
