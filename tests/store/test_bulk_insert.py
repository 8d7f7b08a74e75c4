"""Bulk inserts (imports) give each record what a one-by-one insert would."""

import json

from salesdesk.store.changelog import COUNTER_LIMIT, format_clock, parse_clock


def test_insert_many_matches_insert(store):
    one = store.records.insert("tags", {"name": "one"})
    many = store.records.insert_many("tags", [{"name": "two"}, {"name": "three"}])
    rows = {
        r[0]: r
        for r in store.db.execute(
            "SELECT id, name, created_at, updated_at, updated_by, version, deleted_at FROM tags"
        )
    }
    assert [rows[i][1] for i in many] == ["two", "three"]
    assert all(rows[i][2:] == rows[one][2:] for i in many)  # same clock, same stamps
    assert sorted([one, *many]) == [one, *many]  # time-ordered ids
    entries = store.db.execute(
        "SELECT row_id, clock, data FROM changes WHERE tbl = 'tags' ORDER BY seq"
    ).fetchall()
    assert [e[0] for e in entries] == [one, *many]
    assert [e[1] for e in entries] == sorted(e[1] for e in entries)
    assert json.loads(entries[1][2]) == {
        "id": many[0],
        "name": "two",
        "created_at": rows[one][2],
        "updated_at": rows[one][2],
        "updated_by": "ann",
        "version": 1,
        "deleted_at": None,
    }


def test_insert_many_with_given_ids_and_full_text(store):
    ids = store.records.insert_many(
        "customers", [{"name": "Ada", "company": "Analytical Engines"}], ["01CUSTOMER000000000000000A"]
    )
    assert ids == ["01CUSTOMER000000000000000A"]
    assert store.db.execute(
        "SELECT name FROM customers_fts WHERE customers_fts MATCH 'Analytical'"
    ).fetchall() == [("Ada",)]
    assert (
        store.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'customers_ai'").fetchone()[0] == 1
    )


def test_clocks_stay_string_ordered_past_the_counter_limit(store):
    ms, _, device = parse_clock(store.records.log.tick(1_000))
    store.db.execute(
        "UPDATE meta SET value = ? WHERE key = 'clock'", [format_clock(ms, COUNTER_LIMIT - 2, device)]
    )
    clocks = store.records.log.ticks(1_000, 5)
    assert clocks == sorted(clocks) and len(set(clocks)) == 5
    assert all(len(c.split("-")[1]) == 5 for c in clocks)
    assert parse_clock(clocks[-1])[:2] == (ms + 1, 2)


def _triggers(store) -> list[tuple[str, str]]:
    return store.db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()


def test_insert_many_marks_the_pool_as_its_triggers_would_and_keeps_them(store):
    before = _triggers(store)
    store.db.execute("DELETE FROM pool_dirty")
    one = store.records.insert("customers", {"name": "Ada"})
    assert store.db.execute("SELECT customer_id FROM pool_dirty").fetchall() == [(one,)]  # the trigger
    store.db.execute("DELETE FROM pool_dirty")
    many = store.records.insert_many("customers", [{"name": "Bo"}, {"name": "Cy"}])
    [stage] = store.db.execute("SELECT id FROM stages ORDER BY position LIMIT 1").fetchone()
    deal = {"customer_id": one, "title": "Renewal", "stage_id": stage, "amount": 0, "currency": "EUR"}
    deals = store.records.insert_many("deals", [{**deal, "stage_entered_at": "2026-11-27T08:00:00.000Z"}])
    assert len(deals) == 1
    marked = {row[0] for row in store.db.execute("SELECT customer_id FROM pool_dirty")}
    assert marked == {one, *many}  # each new customer, and the new deal's
    assert _triggers(store) == before
    store.db.execute("DELETE FROM pool_dirty")
    store.records.insert("customers", {"name": "Di"})  # the triggers work again
    assert store.db.execute("SELECT count(*) FROM pool_dirty").fetchone()[0] == 1
