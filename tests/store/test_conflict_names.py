"""The Conflicts screen names the record of a conflict as a person knows it, in every synced
table: a product by its name, a case by its title, never its id while it has a name."""

from salesdesk.store.conflicts import _NAMES, ConflictStore
from salesdesk.store.products import ProductStore
from salesdesk.store.schema import SYNCED_TABLES


def _conflict(store, table: str, row_id: str) -> None:
    store.db.execute(
        "INSERT INTO conflicts (tbl, row_id, field, kept_value, kept_clock, lost_value, lost_clock, "
        "detected_at) VALUES (?, ?, 'name', '\"a\"', 'k', '\"b\"', 'l', '2026-11-27T08:00:00.000Z')",
        [table, row_id],
    )


def test_every_synced_table_says_how_its_records_are_named(store):
    assert set(_NAMES) == set(SYNCED_TABLES)
    for table in SYNCED_TABLES:  # each expression is one this schema runs
        _conflict(store, table, "nothing-here")
    names = {conflict.table: conflict.record for conflict in ConflictStore(store).unresolved()}
    assert names == {table: "nothing-here" for table in SYNCED_TABLES}  # no record: its id


def test_a_product_in_conflict_is_named(store):
    product = ProductStore(store).add("Annual support [b]plan[/b]")
    _conflict(store, "products", product)
    [conflict] = ConflictStore(store).unresolved()
    assert conflict.record == "Annual support [b]plan[/b]"
