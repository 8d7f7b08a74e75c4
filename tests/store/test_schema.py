"""A new database: the default pipeline and settings, pragmas, version markers."""

import json
import sqlite3

import pytest

from salesdesk.store.connection import BUSY_TIMEOUT_S
from salesdesk.store.schema import APPLICATION_ID, DEFAULT_SETTINGS, SCHEMA_VERSION


def pragma(store, name):
    return store.db.execute(f"PRAGMA {name}").fetchone()[0]


def test_new_database_has_the_default_pipeline(store):
    rows = store.db.execute(
        "SELECT name, position, probability, kind FROM stages WHERE deleted_at IS NULL ORDER BY position"
    ).fetchall()
    assert rows == [
        ("Lead", 1, 10, "open"),
        ("Qualified", 2, 25, "open"),
        ("Quote", 3, 50, "open"),
        ("Negotiation", 4, 75, "open"),
        ("Signed", 5, 100, "won"),
        ("Paid", 6, 100, "won"),
        ("Lost", 7, 0, "lost"),
    ]


def test_stages_come_back_as_domain_stages_with_checklists(store):
    stages = store.stages()
    assert len(stages) == 7
    assert stages[0].checklist == ("Contact person and need identified", "First call or meeting booked")
    assert stages[0].rotting_days == 14


def test_new_database_has_the_default_settings(store):
    rows = dict(store.db.execute("SELECT id, value FROM settings").fetchall())
    assert {key: json.loads(value) for key, value in rows.items()} == DEFAULT_SETTINGS
    assert store.setting("currency") == "USD"
    assert store.setting("dormant_days") == 90


def test_seed_rows_are_in_the_change_log(store):
    logged = store.db.execute("SELECT count(*) FROM changes WHERE tbl IN ('stages', 'settings')").fetchone()[
        0
    ]
    assert logged == 7 + len(DEFAULT_SETTINGS)


def test_set_setting_overrides_the_default(store):
    store.set_setting("dormant_days", 60)
    assert store.setting("dormant_days") == 60
    assert store.db.execute("SELECT value FROM settings WHERE id = 'dormant_days'").fetchone()[0] == "60"


def test_journal_mode_is_wal(store):
    assert pragma(store, "journal_mode") == "wal"


def test_synchronous_is_full(store):
    assert pragma(store, "synchronous") == 2


def test_foreign_keys_are_on(store):
    assert pragma(store, "foreign_keys") == 1


def test_busy_timeout_is_set(store):
    assert pragma(store, "busy_timeout") == int(BUSY_TIMEOUT_S * 1000)
    assert pragma(store, "busy_timeout") >= 1000


def test_user_version_is_the_schema_version(store):
    assert pragma(store, "user_version") == SCHEMA_VERSION


def test_application_id_marks_the_file_as_salesdesk(store):
    assert pragma(store, "application_id") == APPLICATION_ID


def test_each_copy_gets_its_own_device_id(tmp_path, clock):
    from salesdesk.store.store import Store

    first = Store.open(tmp_path / "a.db", "ann", clock)
    second = Store.open(tmp_path / "b.db", "ann", clock)
    try:
        assert len(first.device) == 16
        assert first.device != second.device
    finally:
        first.close()
        second.close()


def test_reopening_keeps_the_device_id_and_data(tmp_path, clock):
    from salesdesk.store.store import Store

    path = tmp_path / "t.db"
    first = Store.open(path, "ann", clock)
    device, customer_id = first.device, first.add_customer("Kept")
    first.close()
    again = Store.open(path, "bob", clock)
    try:
        assert again.device == device
        assert again.customer(customer_id).name == "Kept"
    finally:
        again.close()


def test_the_board_sums_of_my_deals_come_from_one_index(store):
    """A stage move re-reads every column's sums; "mine" must not read each deal's row."""
    columns = [row[2] for row in store.db.execute("PRAGMA index_info(deals_board)")]
    assert columns == ["stage_id", "currency", "amount", "probability", "owner", "deleted_at"]
    plan = " ".join(
        str(row[3])
        for row in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT d.stage_id, d.currency, count(*), sum(d.amount) FROM deals d "
            "WHERE d.deleted_at IS NULL AND d.owner = 'ann' GROUP BY d.stage_id, d.currency"
        )
    )
    assert "COVERING INDEX deals_board" in plan


def test_migration_11_folds_tags_differing_in_case_and_adds_what_entries_saw(tmp_path, clock):
    from salesdesk.store.connection import connect, write
    from salesdesk.store.schema import MIGRATIONS, _v11_seen_and_tags
    from salesdesk.store.store import Store

    before = MIGRATIONS.index(_v11_seen_and_tags)  # the version this migration upgrades from
    path = tmp_path / "old.db"
    db = connect(path)
    for number, migration in enumerate(MIGRATIONS[:before], start=1):
        with write(db):
            migration(db)
            db.execute(f"PRAGMA user_version={number}")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    stamp = "2026-11-20T09:00:00.000Z"
    with write(db):  # two copies each made their own spelling before they synced
        rows = [
            ("customers", {"id": "c1", "name": "Wang Wei"}),
            ("customers", {"id": "c2", "name": "Sarah"}),
            ("tags", {"id": "t-later", "name": "VIP", "created_at": "2026-11-20T10:00:00.000Z"}),
            ("tags", {"id": "t-first", "name": "vip"}),
            ("customer_tags", {"id": "c1:t-first", "customer_id": "c1", "tag_id": "t-first"}),
            ("customer_tags", {"id": "c2:t-later", "customer_id": "c2", "tag_id": "t-later"}),
        ]
        for n, (table, values) in enumerate(rows):
            record = {"created_at": stamp, "updated_at": stamp, "updated_by": "ann", **values}
            db.execute(
                f"INSERT INTO {table} ({', '.join(record)}) VALUES ({', '.join('?' for _ in record)})",
                list(record.values()),
            )
            db.execute(
                "INSERT INTO changes (device, clock, tbl, row_id, data) VALUES (?, ?, ?, ?, ?)",
                ["old", f"00017636000000{n}-00000-old", table, values["id"], json.dumps(record)],
            )
    db.close()
    store = Store.open(path, "ann", clock)
    try:
        assert pragma(store, "user_version") == SCHEMA_VERSION
        live = store.db.execute("SELECT id, name FROM tags WHERE deleted_at IS NULL").fetchall()
        assert live == [("t-first", "vip")]
        assert store.tags_of("c1") == store.tags_of("c2") == ["vip"]
        folded = store.db.execute("SELECT row_id, seen FROM changes WHERE device != 'old' ORDER BY seq")
        assert {row_id for row_id, _ in folded} >= {"t-later", "c2:t-later", "c2:t-first"}
        old_seen = store.db.execute("SELECT DISTINCT seen FROM changes WHERE device = 'old'").fetchall()
        assert old_seen == [(None,)]  # what older entries saw is not known
    finally:
        store.close()


def test_migration_13_keeps_known_devices_trusted_with_no_key_and_nothing_read(tmp_path, clock):
    from salesdesk.store.connection import connect, write
    from salesdesk.store.schema import MIGRATIONS, _v13_team_trust
    from salesdesk.store.store import Store

    before = MIGRATIONS.index(_v13_team_trust)
    path = tmp_path / "v12.db"
    db = connect(path)
    for number, migration in enumerate(MIGRATIONS[:before], start=1):
        with write(db):
            migration(db)
            db.execute(f"PRAGMA user_version={number}")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    with write(db):  # a teammate merged from a plain copy, before the encrypted folder
        db.execute(
            "INSERT INTO devices (device, user, direct, first_seen_at) VALUES ('b0b', 'bob', 1, ?)",
            ["2026-11-20T09:00:00.000Z"],
        )
    db.close()
    store = Store.open(path, "ann", clock)
    try:
        assert pragma(store, "user_version") == SCHEMA_VERSION
        row = store.db.execute(
            "SELECT user, direct, state, public_key, read_number, read_ours FROM devices WHERE device = 'b0b'"
        ).fetchone()
        assert row == ("bob", 1, "trusted", None, 0, 0)
        with pytest.raises(sqlite3.IntegrityError):
            store.db.execute("UPDATE devices SET state = 'maybe' WHERE device = 'b0b'")
    finally:
        store.close()
