"""What a broken or hostile teammate's file cannot do: each case ends with the offending
change held back with its reason, everything else merged, and sync carrying on."""

import json
import os
import sqlite3
import time
from contextlib import closing

import pytest

from salesdesk.core.dates import epoch_ms
from salesdesk.store.changelog import format_clock, parse_clock
from salesdesk.store.connection import write
from salesdesk.sync import held
from salesdesk.sync import team as teamsync
from tests.sync.conftest import Device


@pytest.fixture
def crew(tmp_path):
    """ann (the victim), bob (honest) and mal (hostile), sharing one folder."""
    shared = tmp_path / "share"
    shared.mkdir()
    devices = [Device(tmp_path, name) for name in ("ann", "bob", "mal")]
    for device in devices:
        teamsync.join_plain(device.store, shared)
    yield (*devices, shared)
    for device in devices:
        device.store.close()


def inject(device, tbl, row_id, data, *, clock=None, as_device=None):
    """A change written straight into a copy's log, as a crafted file would hold it."""
    store = device.store
    with write(store.db):
        clock = clock or store.records.log.tick(epoch_ms(device.clock()))
        if as_device is not None and isinstance(clock, str):
            ms, counter, _ = parse_clock(clock)
            clock = format_clock(ms, counter, as_device)
        text = data if isinstance(data, str) or data is None else json.dumps(data)
        store.db.execute(
            "INSERT INTO changes (device, clock, tbl, row_id, data) VALUES (?, ?, ?, ?, ?)",
            [as_device or store.device, clock, tbl, row_id, text],
        )
    return clock


def new_customer(device, key, **fields):
    moment = "2026-11-27T09:00:00.000Z"
    return {
        "id": f"evil-{key}",
        "name": key,
        "created_at": moment,
        "updated_at": moment,
        "updated_by": device.store.user,
        "version": 1,
        "deleted_at": None,
        **fields,
    }


def held_rows(device):
    return device.store.db.execute("SELECT tbl, row_id, kind, reason, author FROM held").fetchall()


def names(device):
    return {r[0] for r in device.store.db.execute("SELECT name FROM customers")}


def sync_all(ann, bob, mal):
    """bob and mal publish (with one honest customer each), then ann syncs."""
    bob.store.add_customer("Honest from bob")
    mal.store.add_customer("Honest from mal")
    teamsync.sync_once(bob.store)
    teamsync.sync_once(mal.store)
    return teamsync.sync_once(ann.store)


HOSTILE = {
    "not null": ("customers", "evil-1", lambda mal: new_customer(mal, "1", name=None), "invalid", "empty"),
    "unknown table": ("secrets", "x", {"a": 1}, "invalid", "not a table"),
    "unknown column": (
        "customers",
        "evil-2",
        lambda mal: new_customer(mal, "2", shoe_size="44"),
        "invalid",
        "no field",
    ),
    "wrong type": ("customers", "evil-3", lambda mal: new_customer(mal, "3", owner=7), "invalid", "not text"),
    "check constraint": (
        "stages",
        "stage-evil",
        {
            "id": "stage-evil",
            "name": "Evil",
            "position": 9,
            "probability": 150,
            "kind": "open",
            "created_at": "2026-11-27T09:00:00.000Z",
            "updated_at": "2026-11-27T09:00:00.000Z",
            "updated_by": "mal",
            "version": 1,
        },
        "invalid",
        "CHECK constraint failed",
    ),
    "data not an object": ("customers", "evil-4", "[1, 2, 3]", "malformed", "not an object"),
    "data not JSON": ("customers", "evil-5", "{nope", "malformed", "not JSON"),
    "JSON 100,000 deep": ("customers", "evil-6", "[" * 100_000 + "]" * 100_000, "malformed", "not JSON"),
    "a setting of the wrong type": (
        "settings",
        "dormant_days",
        {"value": '"ninety"'},
        "invalid",
        "dormant_days",
    ),
    "a checklist that is not JSON": (
        "stages",
        "stage-lead",
        {"checklist": "call them{"},
        "invalid",
        "checklist",
    ),
    "a deeply nested setting": (
        "settings",
        "round_robin",
        {"value": "[" * 5000 + "]" * 5000},
        "invalid",
        "round_robin",
    ),
    "a number too big": (
        "deals",
        "deal-x",
        {"amount": 10**30},
        "invalid",
        "too big",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_bad_change_is_held_and_everything_else_merges(crew, case):
    ann, bob, mal, _ = crew
    tbl, row_id, data, kind, reason = HOSTILE[case]
    inject(mal, tbl, row_id, data(mal) if callable(data) else data)
    report = sync_all(ann, bob, mal)
    assert {"Honest from bob", "Honest from mal"} <= names(ann)
    [(got_tbl, got_id, got_kind, got_reason, author)] = held_rows(ann)
    assert (got_tbl, got_id, got_kind, author) == (tbl, row_id, kind, "mal")
    assert reason in got_reason
    assert report.published and any("Held back 1 change from mal" in line for line in report.lines())
    # The app's readings still work: the setting is the default, the stages load.
    assert ann.store.setting("dormant_days") == 90
    assert ann.store.stages()
    # And the next sync says the same, without failing.
    again = teamsync.sync_once(ann.store)
    assert len(held_rows(ann)) == 1 and again.published


def test_a_malformed_clock_is_held(crew):
    ann, bob, mal, _ = crew
    inject(mal, "customers", "evil-c", new_customer(mal, "c"), clock="tomorrow-ish")
    inject(mal, "customers", "evil-d", new_customer(mal, "d"), clock="000000000000001-100000-x")
    sync_all(ann, bob, mal)
    kinds = {(row[1], row[2]) for row in held_rows(ann)}
    assert kinds == {("evil-c", "malformed"), ("evil-d", "malformed")}
    assert {"Honest from bob", "Honest from mal"} <= names(ann)


def test_a_deal_whose_customer_has_not_arrived_waits_and_is_applied_when_it_does(crew):
    ann, bob, mal, _ = crew
    moment = "2026-11-27T09:00:00.000Z"
    deal = {
        "id": "deal-later",
        "customer_id": "evil-later",
        "title": "Printers",
        "amount": 900_00,
        "currency": "USD",
        "stage_id": "stage-lead",
        "stage_entered_at": moment,
        "created_at": moment,
        "updated_at": moment,
        "updated_by": "mal",
        "version": 1,
    }
    inject(mal, "deals", "deal-later", deal)  # its customer is not in the file
    sync_all(ann, bob, mal)
    [(_, row_id, kind, reason, _)] = held_rows(ann)
    assert (row_id, kind) == ("deal-later", "waiting") and "has not arrived" in reason
    mal.clock.advance(minutes=1)
    inject(mal, "customers", "evil-later", new_customer(mal, "later"))  # it arrives
    teamsync.sync_once(mal.store)
    report = teamsync.sync_once(ann.store)
    assert ann.store.deal("deal-later").title == "Printers"
    assert held_rows(ann) == [] and report.merged[0].released == 1


def test_a_clock_far_ahead_is_held_and_not_adopted_then_applied_when_its_time_comes(crew):
    ann, bob, mal, _ = crew
    ahead = epoch_ms(mal.clock()) + 2 * 86_400_000  # two days ahead of everyone
    clock = format_clock(ahead, 0, mal.store.device)
    inject(mal, "customers", "evil-ahead", new_customer(mal, "ahead"), clock=clock)
    sync_all(ann, bob, mal)
    [(_, row_id, kind, reason, _)] = held_rows(ann)
    assert (row_id, kind) == ("evil-ahead", "ahead") and "days ahead" in reason
    assert parse_clock(ann.store.meta("clock"))[0] < ahead  # not pinned to the future
    ann.clock.advance(days=2)  # its time has come: the next sync applies it
    teamsync.sync_once(ann.store)
    assert "ahead" in names(ann) and held_rows(ann) == []


def test_the_bound_on_clocks_ahead_is_a_setting(crew):
    ann, bob, mal, _ = crew
    ann.store.set_setting("sync_clock_ahead_hours", 72)
    clock = format_clock(epoch_ms(mal.clock()) + 2 * 86_400_000, 0, mal.store.device)
    inject(mal, "customers", "evil-ahead", new_customer(mal, "ahead"), clock=clock)
    sync_all(ann, bob, mal)
    assert "ahead" in names(ann) and held_rows(ann) == []


def test_the_author_is_the_device_s_user_not_what_the_change_says(crew):
    ann, bob, mal, _ = crew
    inject(mal, "customers", "evil-a", new_customer(mal, "a", updated_by="bob"))  # claims to be bob
    sync_all(ann, bob, mal)
    assert ann.store.db.execute("SELECT updated_by FROM customers WHERE id = 'evil-a'").fetchone() == ("mal",)
    assert held_rows(ann) == []


def test_a_change_under_another_known_device_s_id_is_held(crew):
    ann, bob, mal, _ = crew
    sync_all(ann, bob, mal)  # ann has read bob's own file: bob's device is known
    mal.clock.advance(minutes=1)
    forged = new_customer(mal, "forged", updated_by="bob")
    inject(mal, "customers", "evil-forged", forged, as_device=bob.store.device)
    teamsync.sync_once(mal.store)
    teamsync.sync_once(ann.store)
    assert "forged" not in names(ann)
    [(_, row_id, kind, reason, author)] = held_rows(ann)
    assert (row_id, kind, author) == ("evil-forged", "relayed", "bob") and "bob's own file" in reason


def test_a_teammate_s_change_relayed_by_another_is_applied_once_its_own_file_brings_it(crew):
    ann, bob, mal, _ = crew
    sync_all(ann, bob, mal)
    bob.clock.advance(minutes=1)
    customer = bob.store.add_customer("Relayed")
    mal.merge_from(bob)  # mal has bob's change; bob has not published it yet
    teamsync.sync_once(mal.store)
    teamsync.sync_once(ann.store)
    assert "Relayed" not in names(ann) and [r[2] for r in held_rows(ann)] == ["relayed"]
    teamsync.sync_once(bob.store)
    teamsync.sync_once(ann.store)
    assert ann.store.customer(customer).name == "Relayed" and held_rows(ann) == []


def republish(shared, device, mutate):
    """Change a device's published file as a crafted one would be, with a matching manifest."""
    folder = shared / teamsync.TEAM_DIR
    path = folder / f"{device.store.device}.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        mutate(db)
        db.execute("PRAGMA journal_mode=DELETE")
    manifest_path = folder / f"{device.store.device}.json"
    manifest = json.loads(manifest_path.read_text())
    manifest.update(sha256=teamsync._sha256(path), size=path.stat().st_size)
    manifest_path.write_text(json.dumps(manifest))


COPY_CASES = {
    "a changes view that recurses": (
        "DROP TABLE changes; CREATE VIEW changes AS WITH RECURSIVE r(seq, device, clock, tbl, row_id, data) "
        "AS (SELECT 1, 'd', 'c', 't', 'r', '{}' UNION ALL SELECT seq + 1, device, clock, tbl, row_id, data "
        "FROM r) SELECT * FROM r",
        "no change log",
    ),
    "no meta table": ("DROP TABLE meta", "no meta table"),
    "no data column": ("ALTER TABLE changes DROP COLUMN data", "no data column"),
    "a trigger on the change log": (
        "CREATE TABLE t(x); CREATE TRIGGER evil AFTER INSERT ON changes BEGIN INSERT INTO t VALUES (1); END; "
        "CREATE VIEW v AS SELECT * FROM changes",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(COPY_CASES))
def test_a_copy_that_is_not_a_proper_database_is_skipped_and_the_others_merge(crew, case):
    ann, bob, mal, shared = crew
    sql, sentence = COPY_CASES[case]
    bob.store.add_customer("Honest from bob")
    mal.store.add_customer("Honest from mal")
    teamsync.sync_once(bob.store)
    teamsync.sync_once(mal.store)
    republish(shared, mal, lambda db: db.executescript(sql))
    started = time.monotonic()
    report = teamsync.sync_once(ann.store)
    assert time.monotonic() - started < 30
    assert "Honest from bob" in names(ann) and report.published
    if sentence is None:  # a trigger and a view, which reading never runs: merged
        assert "Honest from mal" in names(ann)
    else:
        assert "Honest from mal" not in names(ann)
        assert any(sentence in line and mal.store.device in line for line in report.skipped), report.skipped


def test_a_file_bigger_than_its_manifest_or_a_link_to_a_device_is_never_copied(crew, tmp_path):
    ann, bob, mal, shared = crew
    bob.store.add_customer("Honest from bob")
    teamsync.sync_once(bob.store)
    teamsync.sync_once(mal.store)
    published = shared / teamsync.TEAM_DIR / f"{mal.store.device}.db"
    published.unlink()
    with open(published, "wb") as sparse:  # 2 GB, nearly all a hole
        sparse.truncate(2 * 1024**3)
    started = time.monotonic()
    report = teamsync.sync_once(ann.store)
    assert time.monotonic() - started < 10
    assert any("bigger than its manifest says" in line for line in report.skipped), report.skipped
    published.unlink()
    published.symlink_to("/dev/zero")
    report = teamsync.sync_once(ann.store)
    assert any("symbolic link" in line for line in report.skipped), report.skipped
    assert "Honest from bob" in names(ann) and report.published
    work = ann.path.with_name("ann.sync")
    assert sum(p.stat().st_size for p in work.iterdir()) < 1024**2


def test_a_tmp_left_by_a_crash_is_ignored_by_readers_and_removed_by_its_owner(crew):
    ann, bob, mal, shared = crew
    teamsync.sync_once(bob.store)
    folder = shared / teamsync.TEAM_DIR
    left = folder / f".{bob.store.device}.json.0badcafe.tmp"
    left.write_text("{half a manifest")
    report = teamsync.sync_once(ann.store)
    assert not report.skipped and left.exists()  # not anyone's business but bob's
    teamsync.sync_once(bob.store)
    assert not left.exists()


def test_private_working_files_left_by_a_crash_are_removed_at_the_next_sync(crew):
    ann, _, _, _ = crew
    work = ann.path.with_name("ann.sync")
    for name in (
        "incoming-0badcafe.db",
        "incoming-0badcafe.db-wal",
        "publish-0badcafe.db",
        "manifest-1.json",
    ):
        (work / name).write_bytes(b"x" * 1000)
    teamsync.sync_once(ann.store)
    assert sorted(p.name for p in work.iterdir()) == ["lock"]


def test_an_older_copy_of_one_s_own_file_is_recognised_not_taken_for_a_clone(crew):
    ann, _, _, shared = crew
    folder = shared / teamsync.TEAM_DIR
    old = [(folder / f"{ann.store.device}{suffix}").read_bytes() for suffix in (".db", ".json")]
    for n in range(3):
        ann.store.add_customer(f"Later {n}")
        teamsync.sync_once(ann.store)
    for suffix, content in zip((".db", ".json"), old, strict=True):
        (folder / f"{ann.store.device}{suffix}").write_bytes(content)  # the sync tool brings it back
    device = ann.store.device
    report = teamsync.sync_once(ann.store)
    assert report.rekeyed_from is None and ann.store.device == device
    manifest = json.loads((folder / f"{device}.json").read_text())
    assert manifest["sha256"] == ann.store.meta("published_sha256")  # republished over it


def test_held_changes_are_local_and_never_travel(crew):
    ann, bob, mal, _ = crew
    inject(mal, "settings", "dormant_days", {"value": '"ninety"'})
    sync_all(ann, bob, mal)
    assert held.count(ann.store.db) == 1
    teamsync.sync_once(ann.store)
    teamsync.sync_once(bob.store)  # bob reads ann's file, which holds ann's held table
    assert [row[4] for row in held_rows(bob)] == ["mal"]  # from mal's file, not from ann's
    assert bob.store.setting("dormant_days") == 90
    assert os.path.exists(ann.path)


def test_every_kind_of_problem_is_said_in_the_language_shown():
    from salesdesk import i18n
    from salesdesk.sync import checks

    kinds = {checks.AHEAD, checks.WAITING, checks.RELAYED, checks.INVALID, checks.MALFORMED, checks.TOO_BIG}
    assert set(held.KINDS) == kinds
    assert [held.kind_shown(kind) for kind in sorted(kinds)] == sorted(kinds)
    try:
        i18n.set_language("zh")
        shown = [held.kind_shown(kind) for kind in sorted(kinds)]
    finally:
        i18n.set_language("en")
    assert all(not word.isascii() for word in shown) and len(set(shown)) == len(kinds)


def test_a_held_reason_is_said_in_the_language_it_is_read_in_not_the_one_it_was_held_in(crew):
    from salesdesk import i18n

    ann, bob, mal, _ = crew
    inject(mal, "customers", "evil-1", new_customer(mal, "1", name=None))
    try:
        i18n.set_language("zh")  # the app's sync, in Chinese, holds it
        sync_all(ann, bob, mal)
        [listed] = held.listing(ann.store.db)
        assert listed.reason == "它的客户字段 name 为空，而客户的这个字段不能为空"
        i18n.set_language("en")  # `salesdesk team held` from a script, in English
        [listed] = held.listing(ann.store.db)
        assert listed.reason == "its customer name is empty, which a customer may not be"
        assert held.summary(ann.store.db) == [
            "Held back 1 change from mal (invalid), e.g. its customer name is empty, "
            "which a customer may not be."
        ]
        i18n.set_language("zh")
        assert "它的客户字段 name 为空" in held.summary(ann.store.db)[0]
    finally:
        i18n.set_language("en")
    # What is stored beside it, in English, is what a change held before keeps showing.
    assert held_rows(ann)[0][3] == "its customer name is empty, which a customer may not be"


def test_a_relayed_change_s_reason_is_translated_too(crew):
    from salesdesk import i18n

    ann, bob, mal, _ = crew
    sync_all(ann, bob, mal)
    mal.clock.advance(minutes=1)
    inject(mal, "customers", "evil-forged", new_customer(mal, "forged"), as_device=bob.store.device)
    teamsync.sync_once(mal.store)
    teamsync.sync_once(ann.store)
    try:
        i18n.set_language("zh")
        [listed] = held.listing(ann.store.db)
    finally:
        i18n.set_language("en")
    assert listed.reason.startswith("它自称来自 bob 的设备") and bob.store.device in listed.reason


def test_a_reason_held_before_phrases_were_kept_or_a_kept_one_broken_shows_as_stored(crew):
    ann, bob, mal, _ = crew
    inject(mal, "settings", "dormant_days", {"value": '"ninety"'})
    sync_all(ann, bob, mal)
    for said in (None, "not json", '{"text": "{missing}", "values": {}}', '{"text": 5}', "[]"):
        with write(ann.store.db):
            ann.store.db.execute("UPDATE held SET reason = 'as it was stored', said = ?", [said])
        assert [c.reason for c in held.listing(ann.store.db)] == ["as it was stored"]
