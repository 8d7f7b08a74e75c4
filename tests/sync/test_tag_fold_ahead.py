"""A tag folded on a device a year ahead: the others hold the fold back, with its reason,
as they hold that device's tag, and everyone converges when their time comes.

Only the device ahead can fold its own tag into a teammate's (the others hold its tag
back, so they have only one of the two), and it can fold only once it has read the
teammate's tag: through the folder that can be at its second turn, after some devices
have read its files for the last time in that round. The fold reaches them at their
next sync, and is held back there like the rest of that device's changes.
"""

from datetime import timedelta

from salesdesk.store.changelog import parse_clock
from tests.sync.conftest import Device
from tests.sync.test_convergence import _folder_round, _folder_team, _held, _rounds


def _read_mark(device, writer) -> int:
    row = device.store.db.execute("SELECT read_number FROM devices WHERE device = ?", [writer.store.device])
    return int(row.fetchone()[0])


def _live_tags(device) -> list[str]:
    return [r[0] for r in device.store.db.execute("SELECT name FROM tags WHERE deleted_at IS NULL")]


def test_a_fold_made_a_year_ahead_is_held_back_then_applied(tmp_path):
    devices = [Device(tmp_path, "ann"), Device(tmp_path, "bob"), Device(tmp_path, "cai", timedelta(days=365))]
    ann, bob, cai = devices
    order = [0, 2, 1]  # ann, cai, bob
    try:
        _folder_team(devices)
        first, second = sorted(r[0] for r in bob.store.db.execute("SELECT id FROM customers"))[:2]
        bob.clock.advance(seconds=3)
        bob.store.add_tag(first, "t1")
        cai.clock.advance(seconds=5)
        cai.store.add_tag(second, "T1")

        _rounds(devices, order, _folder_round)
        # cai read bob's tag at its turn in the second round and folded its own into it,
        # after ann's last turn: ann has not read that yet, bob (after cai) has.
        cai_own = {e for e in cai.entries() if parse_clock(e[0])[2] == cai.store.device}
        # Its tag and tagging; then the fold: that customer tagged with bob's tag, and its
        # own tagging and tag deleted.
        assert sorted(table for _, table, _ in cai_own) == ["customer_tags"] * 3 + ["tags"] * 2
        published = int(cai.store.meta("published_number") or 0)
        assert _read_mark(bob, cai) == published and _read_mark(ann, cai) < published
        assert cai_own <= _held(bob)

        _folder_round(ann, cai)  # ann's next sync reads it: held back too, never lost
        assert _read_mark(ann, cai) == published
        for device in (ann, bob):
            assert cai_own <= _held(device) and not cai_own & device.entries()
            kinds = {r[0] for r in device.store.db.execute("SELECT kind FROM held")}
            assert kinds == {"ahead"}
            assert parse_clock(device.store.meta("clock"))[0] < min(parse_clock(c)[0] for c, _, _ in cai_own)
            assert _live_tags(device) == ["t1"]  # bob's; cai's is not applied
        assert ann.digest() == bob.digest() and ann.entries() == bob.entries()

        for device in (ann, bob):
            device.clock.advance(days=366)  # their time comes
        _rounds(devices, order, _folder_round)
        assert len({device.digest() for device in devices}) == 1
        assert ann.entries() == bob.entries() == cai.entries()
        for device in devices:
            assert not _held(device)
            assert _live_tags(device) == ["t1"]  # one tag, bob's, on both customers
            assert device.store.tags_of(first) == device.store.tags_of(second) == ["t1"]
    finally:
        for device in devices:
            device.store.close()
