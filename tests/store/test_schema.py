"""A new database: the default pipeline and settings, pragmas, version markers."""

import json

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
