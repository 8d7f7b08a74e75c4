"""The encrypted team folder's protocol: what a publish writes, what a pull reads, and
what it refuses (unknown keys, pending and revoked devices, altered, foreign, replayed
and forged files), with everything else still merged."""

import json
import os
import shutil
import zlib
from datetime import timedelta

import pytest

from salesdesk.core.errors import SalesdeskError
from salesdesk.sync import crypto, segments
from salesdesk.sync import folder as teamfolder
from salesdesk.sync import team as teamsync
from tests.sync.conftest import Device


@pytest.fixture
def crew(tmp_path):
    """ann (who made the team), bob and cai, each published once and synced."""
    shared = tmp_path / "share"
    shared.mkdir()
    devices = [Device(tmp_path, name) for name in ("ann", "bob", "cai")]
    code, _ = teamfolder.create(devices[0].store, shared)
    for device in devices[1:]:
        teamsync.join(device.store, shared, code)
    for device in devices:
        teamsync.sync_once(device.store)
    yield (*devices, shared, code)
    for device in devices:
        device.store.close()


def files(shared):
    """Every file of the team folder: path -> (size, mtime)."""
    return {
        str(p.relative_to(shared)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in (shared / teamfolder.TEAM_DIR).rglob("*")
        if p.is_file()
    }


def own_dir(shared, device):
    return shared / teamfolder.TEAM_DIR / device.store.device


def names(device):
    return {r[0] for r in device.store.db.execute("SELECT name FROM customers WHERE deleted_at IS NULL")}


def said(report, *words):
    return any(all(word in line for word in words) for line in report.lines())


def test_a_publish_after_one_edit_writes_one_small_segment_and_the_device_record(crew):
    ann, _, _, shared, _ = crew
    before = files(shared)
    ann.store.add_customer("One edit")
    published = teamfolder.publish(ann.store, shared)
    after = files(shared)
    changed = {name for name in after if before.get(name) != after[name]}
    segment = published.files[0]
    own = f"{teamfolder.TEAM_DIR}/{ann.store.device}"
    assert changed == {f"{own}/{segment}", f"{own}/device"}
    assert published.files == [segment, "device"] and segment.isdigit()
    assert published.bytes == sum(after[name][0] for name in changed) < 100_000
    # Nothing new: nothing written at all.
    again = teamfolder.publish(ann.store, shared)
    assert again.files == [] and files(shared) == after


def test_a_pull_reads_only_the_segments_it_has_not_seen(crew, monkeypatch):
    ann, bob, cai, shared, _ = crew
    read = []
    real = teamfolder._read

    def counting(path, *args):
        data = real(path, *args)
        read.append((path.parent.name, path.name, len(data)))
        return data

    monkeypatch.setattr(teamfolder, "_read", counting)
    written = []
    for n in range(3):
        bob.store.add_customer(f"bob {n}")
        written += teamfolder.publish(bob.store, shared).files[:-1]
    read.clear()
    teamsync.pull(ann.store, shared, teamsync.SyncReport())
    from_bob = [name for device, name, _ in read if device == bob.store.device]
    assert from_bob == ["device", *written] and len(written) == 3  # the 3 new segments, nothing else
    assert [name for device, name, _ in read if device == cai.store.device] == ["device"]
    assert {"bob 0", "bob 1", "bob 2"} <= names(ann)
    bob.store.add_customer("bob 3")
    teamfolder.publish(bob.store, shared)
    read.clear()
    teamsync.pull(ann.store, shared, teamsync.SyncReport())
    assert [name for device, name, _ in read if device == bob.store.device] == [
        "device",
        f"{teamfolder._meta_int(bob.store, 'published_number'):08d}",
    ]
    assert sum(size for _, _, size in read) < 20_000  # three small records and one segment
    read.clear()
    teamsync.pull(ann.store, shared, teamsync.SyncReport())
    assert {name for _, name, _ in read} == {"device"}  # nothing new: only the records


def test_a_new_device_of_a_known_user_waits_until_someone_accepts_it(crew, tmp_path):
    ann, bob, cai, shared, code = crew
    laptop = Device(tmp_path, "ann-laptop")
    laptop.store.close()
    laptop.store = laptop.store.open(laptop.path, "ann", laptop.clock)  # ann's second device
    try:
        teamsync.join(laptop.store, shared, code)
        # The new laptop trusts the team as it found it, ann's first device included.
        assert names(ann) <= names(laptop)
        assert {s for (s,) in laptop.store.db.execute("SELECT state FROM devices")} == {"trusted"}
        laptop.store.add_customer("From ann's new laptop")
        teamsync.sync_once(laptop.store)
        report = teamsync.sync_once(bob.store)
        fingerprint = crypto.fingerprint(crypto.public_key(teamfolder._device_key(laptop.store)))
        device = laptop.store.device
        assert said(report, "ann has a new device", device, fingerprint, f"salesdesk team accept {device}")
        assert "From ann's new laptop" not in names(bob)
        states = dict(bob.store.db.execute("SELECT device, state FROM devices").fetchall())
        assert states[device] == "pending"
        teamfolder.accept(bob.store, device[:6])  # a prefix is enough
        teamsync.sync_once(bob.store)
        assert "From ann's new laptop" in names(bob)
        # cai honours bob's accept (in bob's record) without accepting it itself.
        teamsync.sync_once(cai.store)
        assert "From ann's new laptop" in names(cai)
        accepted = cai.store.db.execute("SELECT state, accepted_by FROM devices WHERE device = ?", [device])
        assert accepted.fetchone() == ("trusted", "bob")
    finally:
        laptop.store.close()


def test_a_revoked_device_s_later_segments_are_ignored_and_said(crew):
    ann, bob, cai, shared, _ = crew
    cai.store.add_customer("Before the revoke")
    teamsync.sync_once(cai.store)
    teamsync.sync_once(bob.store)
    _, _, after = teamfolder.revoke(bob.store, cai.store.device)
    teamsync.sync_once(bob.store)  # bob's record carries the revoke
    cai.store.add_customer("After the revoke")
    teamsync.sync_once(cai.store)
    report = teamsync.sync_once(bob.store)
    assert "Before the revoke" in names(bob) and "After the revoke" not in names(bob)
    assert said(report, "Ignored 1 segment", "revoked device", cai.store.device), report.lines()
    report = teamsync.sync_once(ann.store)  # ann never revoked it herself
    assert "Before the revoke" in names(ann) and "After the revoke" not in names(ann)
    query = "SELECT state, revoked_after FROM devices WHERE device = ?"
    row = ann.store.db.execute(query, [cai.store.device])
    assert row.fetchone() == ("revoked", after)


def test_a_segment_altered_by_one_byte_is_refused_and_the_rest_merged(crew):
    ann, bob, cai, shared, _ = crew
    bob.store.add_customer("bob's first")
    teamfolder.publish(bob.store, shared)
    bob.store.add_customer("bob's second")
    second = teamfolder.publish(bob.store, shared)
    cai.store.add_customer("cai's")
    teamfolder.publish(cai.store, shared)
    segment = second.folder / second.files[0]
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 1
    segment.write_bytes(bytes(data))
    report = teamsync.sync_once(ann.store)
    assert said(report, second.files[0], "altered")
    assert {"bob's first", "cai's"} <= names(ann) and "bob's second" not in names(ann)
    assert not any("Traceback" in line for line in report.lines())


def test_a_segment_of_another_team_is_refused(crew, tmp_path):
    ann, bob, cai, shared, _ = crew
    other = tmp_path / "other-share"
    other.mkdir()
    eve = Device(tmp_path, "eve")
    try:
        teamfolder.create(eve.store, other)
        eve.store.add_customer("From another team")
        theirs = teamfolder.publish(eve.store, other)
        bob.store.add_customer("bob's own")
        ours = teamfolder.publish(bob.store, shared)
        cai.store.add_customer("cai's own")
        teamfolder.publish(cai.store, shared)
        # Another team's segment where bob's record says his next one is.
        shutil.copyfile(theirs.folder / theirs.files[0], ours.folder / ours.files[0])
        report = teamsync.sync_once(ann.store)
        assert said(report, ours.files[0], "team key this copy does not have")
        assert "From another team" not in names(ann) and "cai's own" in names(ann)
        # Sealed under this team's key, but for another team's id: it does not open here.
        team = teamfolder.team_of(bob.store, shared)
        forged = segments.encode_segment(
            team="0therteam",
            device=bob.store.device,
            number=int(ours.files[0]),
            previous=bob.store.meta("published_digest") or None,
            published_at="2026-11-27T09:00:00.000Z",
            entries=[],
            team_key=team.key,
            device_key=team.device_key,
        )
        (ours.folder / ours.files[0]).write_bytes(forged.data)
        report = teamsync.sync_once(ann.store)
        assert said(report, ours.files[0], "altered or is not of this team")
        assert "bob's own" not in names(ann)
    finally:
        eve.store.close()


def test_replayed_segments_are_skipped(crew):
    ann, bob, _, shared, _ = crew
    bob.store.add_customer("bob 1")
    first = teamfolder.publish(bob.store, shared)
    teamsync.sync_once(ann.store)
    old_record = (own_dir(shared, bob) / "device").read_bytes()
    bob.store.add_customer("bob 2")
    second = teamfolder.publish(bob.store, shared)
    # An old segment copied under a new number: it does not open there.
    segment = own_dir(shared, bob) / second.files[0]
    saved = segment.read_bytes()
    shutil.copyfile(first.folder / first.files[0], segment)
    report = teamsync.sync_once(ann.store)
    assert said(report, second.files[0], "altered") and "bob 2" not in names(ann)
    segment.write_bytes(saved)
    teamsync.sync_once(ann.store)
    assert "bob 2" in names(ann)
    # The same numbers again (an old record brought back by the sync tool): skipped, said.
    digest = ann.digest()
    (own_dir(shared, bob) / "device").write_bytes(old_record)
    report = teamsync.sync_once(ann.store)
    assert said(report, "were read here already") and ann.digest() == digest


def test_a_device_cannot_publish_under_another_s_id(crew):
    ann, bob, cai, shared, _ = crew
    team = teamfolder.team_of(cai.store, shared)
    carol_key = teamfolder._device_key(cai.store)
    number = teamfolder._meta_int(bob.store, "published_number") + 1
    entry = (bob.store.device, "001800000000000-00000-" + bob.store.device, "customers", "forged", "{}", None)

    def forged(kind, n, key, rows):
        return segments.encode_segment(
            team=team.id,
            device=bob.store.device,
            number=n,
            previous=None,
            published_at="2026-11-27T09:00:00.000Z",
            entries=rows,
            team_key=team.key,
            device_key=key,
            kind=kind,
        ).data

    # A segment in bob's folder signed with carol's key, where bob's record says he published it.
    bob.store.add_customer("bob's real one")
    real = teamfolder.publish(bob.store, shared)
    (real.folder / real.files[0]).write_bytes(forged(crypto.SEGMENT, number, carol_key, [entry]))
    report = teamsync.sync_once(ann.store)
    assert said(report, "signed by a key that is not device", bob.store.device)
    assert "bob's real one" not in names(ann)
    # A device record for bob's device with carol's key in it (self-signed by carol).
    record = segments.DeviceRecord(
        team=team.id,
        device=bob.store.device,
        user="bob",
        public_key=crypto.public_key(carol_key),
        created_at="2026-11-27T09:00:00.000Z",
        published=number,
        checkpoint=0,
        written_at="2026-11-27T09:00:00.000Z",
    )
    sealed = segments.encode_device(record, team_key=team.key, device_key=carol_key)
    (real.folder / "device").write_bytes(sealed)
    report = teamsync.sync_once(ann.store)
    assert said(report, "other than the one first seen for device", bob.store.device)
    # Changes under bob's id in carol's own segment, signed by carol: refused whole.
    with pytest.raises(ValueError):  # the encoder itself will not write one
        segments.encode_segment(
            team=team.id,
            device=cai.store.device,
            number=1,
            previous=None,
            published_at="2026-11-27T09:00:00.000Z",
            entries=[entry],
            team_key=team.key,
            device_key=carol_key,
        )
    n = teamfolder._meta_int(cai.store, "published_number") + 1
    body = {
        "kind": "segment",
        "team": team.id,
        "device": cai.store.device,
        "number": n,
        "previous": cai.store.meta("published_digest") or None,
        "published_at": "2026-11-27T09:00:00.000Z",
        "entries": [list(entry)],
    }
    address = crypto.address(team.id, cai.store.device, crypto.SEGMENT, n)
    sealed = crypto.seal(
        zlib.compress(json.dumps(body).encode()), team_key=team.key, address=address, device_key=carol_key
    )
    (own_dir(shared, cai) / f"{n:08d}").write_bytes(sealed)
    claims = segments.DeviceRecord(
        team=team.id,
        device=cai.store.device,
        user="cai",
        public_key=crypto.public_key(carol_key),
        created_at="2026-11-27T09:00:00.000Z",
        published=n,
        checkpoint=teamfolder._meta_int(cai.store, "checkpoint_number"),
        written_at="2026-11-27T09:00:00.000Z",
    )
    (own_dir(shared, cai) / "device").write_bytes(
        segments.encode_device(claims, team_key=team.key, device_key=carol_key)
    )
    report = teamsync.sync_once(ann.store)
    assert said(report, f"under device {bob.store.device}'s id"), report.lines()
    row = ann.store.db.execute("SELECT count(*) FROM customers WHERE id = 'forged'").fetchone()
    assert row == (0,)


def test_a_wrong_join_code_writes_nothing(crew, tmp_path):
    _, _, _, shared, code = crew
    newcomer = Device(tmp_path, "dan")
    newcomer.store.close()

    def state():
        found = {p: p.read_bytes() for p in shared.rglob("*") if p.is_file()}
        found |= {p: p.read_bytes() for p in tmp_path.glob("dan*") if p.is_file()}
        return found

    before = state()
    wrong = crypto.join_code(crypto.new_team_key())
    with pytest.raises(SalesdeskError, match="not the key of the team"):
        teamfolder.check_code(shared, wrong)
    typo = ("B" if code[0] != "B" else "C") + code[1:]
    with pytest.raises(SalesdeskError, match="typo"):
        teamfolder.check_code(shared, typo)
    assert state() == before and not (tmp_path / "dan.sync").exists()


def test_a_member_offline_for_a_week_catches_up_after_a_key_rotation(crew):
    ann, bob, cai, shared, _ = crew
    cai.store.add_customer("cai before the week")
    teamsync.sync_once(cai.store)
    for device in (ann, bob):
        device.clock.advance(days=7)
    new_code, _ = teamfolder.rotate_key(ann.store, shared)
    ann.store.add_customer("ann after the rotation")
    teamsync.sync_once(ann.store)
    teamsync.join(bob.store, shared, new_code)  # bob adds the new key at once
    bob.store.add_customer("bob after the rotation")
    teamsync.sync_once(bob.store)
    teamsync.sync_once(ann.store)
    # cai comes back: the new files are under a key cai lacks, and cai is told so.
    cai.clock.advance(days=7)
    report = teamsync.sync_once(cai.store)
    assert said(report, "team key this copy does not have")
    assert "ann after the rotation" not in names(cai)
    teamsync.join(cai.store, shared, new_code)
    teamsync.sync_once(cai.store)
    teamsync.sync_once(ann.store)
    teamsync.sync_once(bob.store)
    assert ann.digest() == bob.digest() == cai.digest()
    assert {"ann after the rotation", "bob after the rotation", "cai before the week"} <= names(cai)


def test_compaction_removes_what_everyone_read_and_a_new_device_starts_from_the_checkpoint(
    crew, tmp_path, monkeypatch
):
    ann, bob, cai, shared, code = crew
    monkeypatch.setattr(teamfolder, "CHECKPOINT_SEGMENTS", 4)
    for n in range(5):
        ann.store.add_customer(f"ann {n}")
        teamfolder.publish(ann.store, shared)
    checkpoint = teamfolder._meta_int(ann.store, "checkpoint_number")
    assert checkpoint >= 5 and f"c{checkpoint:08d}" in os.listdir(own_dir(shared, ann))
    kept = sorted(n for n in os.listdir(own_dir(shared, ann)) if n.isdigit())
    assert kept  # nobody has read them yet
    for device in (bob, cai):
        teamsync.sync_once(device.store)
    teamfolder.publish(ann.store, shared)  # nothing new of ann's, but she learns what they read
    teamsync.pull(ann.store, shared, teamsync.SyncReport())
    published = teamfolder.publish(ann.store, shared)
    left = sorted(n for n in os.listdir(own_dir(shared, ann)) if n.isdigit())
    assert all(int(n) > checkpoint for n in left) and published.removed
    dan = Device(tmp_path, "dan")
    try:
        teamsync.join(dan.store, shared, code)
        assert {f"ann {n}" for n in range(5)} <= names(dan)
        teamsync.sync_once(ann.store)
        assert dan.digest() == ann.digest()
    finally:
        dan.store.close()


def test_segments_no_one_read_are_removed_after_the_bound(crew, monkeypatch):
    ann, _, _, shared, _ = crew
    monkeypatch.setattr(teamfolder, "CHECKPOINT_SEGMENTS", 2)
    for n in range(3):
        ann.store.add_customer(f"ann {n}")
        teamfolder.publish(ann.store, shared)
    old = [p for p in own_dir(shared, ann).iterdir() if p.name.isdigit()]
    assert old
    ann.clock.advance(days=teamfolder.KEEP_DAYS + 1)
    for path in old:
        moment = (ann.clock() - timedelta(days=teamfolder.KEEP_DAYS + 1)).timestamp()
        os.utime(path, (moment, moment))
    ann.store.add_customer("a month later")
    teamfolder.publish(ann.store, shared)
    checkpoint = teamfolder._meta_int(ann.store, "checkpoint_number")
    assert not [p for p in old if p.exists() and int(p.name) <= checkpoint]


def test_a_folder_with_no_team_says_to_create_one(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SalesdeskError, match="team create"):
        teamfolder.check_code(empty, "ABCD")


def test_a_sync_tool_s_conflict_copies_and_temporary_files_are_never_read(crew, monkeypatch):
    ann, bob, _, shared, _ = crew
    bob.store.add_customer("bob's")
    published = teamfolder.publish(bob.store, shared)
    segment = published.folder / published.files[0]
    for name in (
        f"{segment.name}.sync-conflict-20261127-093000-ABCDEFG",
        "device (ann's conflicted copy 2026-11-27)",
        f".{segment.name}.0badcafe.tmp",
    ):
        (published.folder / name).write_bytes(b"SDT2" + os.urandom(5000))
    read = []
    real = teamfolder._read
    monkeypatch.setattr(teamfolder, "_read", lambda path, *a: read.append(path.name) or real(path, *a))
    report = teamsync.sync_once(ann.store)
    assert "bob's" in names(ann) and not report.skipped, report.skipped
    assert all(name == "device" or name.isdigit() for name in read)


def test_a_bad_change_in_a_signed_segment_is_held_and_the_rest_merged(crew):
    from tests.sync.test_hostile import held_rows, inject

    ann, bob, _, shared, _ = crew
    inject(bob, "settings", "dormant_days", {"value": '"ninety"'})
    bob.store.add_customer("Honest from bob")
    teamsync.sync_once(bob.store)
    report = teamsync.sync_once(ann.store)
    assert "Honest from bob" in names(ann) and ann.store.setting("dormant_days") == 90
    assert [(row[0], row[2], row[4]) for row in held_rows(ann)] == [("settings", "invalid", "bob")]
    assert said(report, "Held back 1 change from bob")


def test_the_app_s_round_names_a_pending_device_and_the_command_that_accepts_it(crew, tmp_path):
    from salesdesk.tui import live

    ann, bob, _, shared, code = crew
    laptop = Device(tmp_path, "bob-laptop")
    laptop.store.close()
    laptop.store = laptop.store.open(laptop.path, "bob", laptop.clock)
    try:
        teamsync.join(laptop.store, shared, code)
        signature = live.folder_signature(shared)
        laptop.store.add_customer("From bob's laptop")
        teamsync.sync_once(laptop.store)
        assert live.folder_signature(shared) != signature  # the poll sees its record rewritten
        result = live.sync_round(live.database_path(ann.store), "ann", ann.clock, publish=False)
        device = laptop.store.device
        assert f"bob has a new device: salesdesk team accept {device[:8]}" in result.held
        assert result.people == 3
    finally:
        laptop.store.close()


def test_an_older_record_of_one_s_own_brought_back_is_written_over(crew):
    ann, bob, _, shared, _ = crew
    record = own_dir(shared, bob) / "device"
    old = record.read_bytes()
    bob.store.add_customer("bob's")
    teamfolder.publish(bob.store, shared)
    current = record.read_bytes()
    record.write_bytes(old)  # the sync tool brings the older one back
    device = bob.store.device
    assert teamfolder.publish(bob.store, shared).files == ["device"] and bob.store.device == device
    assert record.read_bytes() != old
    report = teamsync.sync_once(ann.store)
    assert "bob's" in names(ann) and not report.skipped and current


def test_a_big_checkpoint_is_not_written_again_for_a_few_small_segments(crew, monkeypatch):
    ann, _, _, shared, _ = crew
    monkeypatch.setattr(teamfolder, "CHECKPOINT_SEGMENTS", 2)
    first = teamfolder._meta_int(ann.store, "checkpoint_number")
    # The segments since are 4 KiB each, the checkpoint as if it were 1,000 times that.
    monkeypatch.setattr(teamfolder, "CHECKPOINT_SHARE", 1)
    ann.store.set_meta("checkpoint_bytes", str(4096 * 1000))
    for n in range(3):
        ann.store.add_customer(f"ann {n}")
        assert not any(name.startswith("c") for name in teamfolder.publish(ann.store, shared).files)
    assert teamfolder._meta_int(ann.store, "checkpoint_number") == first
    ann.store.set_meta("checkpoint_bytes", "4096")  # a small one is folded in as before
    ann.store.add_customer("ann 3")
    written = teamfolder.publish(ann.store, shared).files
    assert any(name.startswith("c") for name in written)


def test_a_copy_joining_writes_its_first_merge_through_a_rollback_journal(tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    ann, bob = Device(tmp_path, "ann"), Device(tmp_path, "bob")
    ann.store.add_customer("Ada")
    code, _ = teamfolder.create(ann.store, shared)
    statements = []
    bob.store.db.conn.set_trace_callback(statements.append)
    try:
        teamsync.join(bob.store, shared, code)
        assert "PRAGMA journal_mode = TRUNCATE" in statements
        assert bob.store.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert names(bob) == {"Ada"}
        statements.clear()
        ann.store.add_customer("Bo")
        teamsync.sync_once(ann.store)
        teamsync.sync_once(bob.store)
        assert names(bob) == {"Ada", "Bo"}
        assert not [s for s in statements if "journal_mode" in s]  # later syncs keep to the WAL
    finally:
        bob.store.db.conn.set_trace_callback(None)
        ann.store.close()
        bob.store.close()
