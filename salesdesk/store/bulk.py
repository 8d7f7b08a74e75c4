"""Many new records of one table at once: what their insert triggers do row by row is done
for all of them in one statement.

Two kinds of insert trigger cost most in bulk: the full-text index's (`{table}_ai`) and
the pool's (`pool_{table}_insert`, migration 20, marking each new record's customer in
`pool_dirty`). `triggers_in_one(db, table, fts)` drops them for its block and, after the
block's inserts, fills the index from the new rows and marks their customers, each in one
statement, then creates the triggers again: the same tables as row by row, several times
sooner. A block that raises leaves the triggers dropped for the transaction to undo,
which puts them back with everything else. Used by imports (`Records.insert_many`) and
by a merge's batches of new records (`sync.merge`).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from salesdesk.store.database import Database
from salesdesk.store.schema import POOL_INSERT_TRIGGERS, pool_insert_trigger


@contextmanager
def triggers_in_one(db: Database, table: str, fts: str | None) -> Iterator[None]:
    """Inside a transaction: insert `table`'s new rows in the block (`fts`: its full-text
    index table, or None)."""
    names = ([f"{table}_ai"] if fts else []) + (
        [pool_insert_trigger(table)] if table in POOL_INSERT_TRIGGERS else []
    )
    triggers: list[tuple[str, str]] = []
    for name in names:
        found = db.execute(
            "SELECT sql FROM main.sqlite_master WHERE type = 'trigger' AND name = ?", [name]
        ).fetchone()
        if found:
            triggers.append((name, found[0]))
    if not triggers:
        yield
        return
    after = db.execute(f"SELECT coalesce(max(rowid), 0) FROM main.{table}").fetchone()[0]
    for name, _sql in triggers:
        db.execute(f'DROP TRIGGER main."{name}"')
    yield
    for name, sql in triggers:
        if name == f"{table}_ai" and fts:
            indexed = ", ".join(f'"{c.name}"' for c in db[fts].columns)
            db.execute(
                f'INSERT INTO main."{fts}" (rowid, {indexed}) SELECT rowid, {indexed} FROM main.{table} '
                "WHERE rowid > ?",
                [after],
            )
        else:
            db.execute(
                f"INSERT OR IGNORE INTO main.pool_dirty (customer_id) "
                f"SELECT {POOL_INSERT_TRIGGERS[table]} FROM main.{table} WHERE rowid > ?",
                [after],
            )
        db.execute(sql)
