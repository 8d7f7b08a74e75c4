"""What is still owed on each instalment, kept at hand for Today, the reports and the pane.

What a receipt pays is worked out from all of a contract's receipts and instalments
(`core.contracts.allocate`), never stored in a synced record. Working it out for every
contract on every agenda read would cost the agenda its 0.5 s on a large database, so
this copy keeps the result in two tables of its own, never synced (migration 18):

- `owed_instalments`: each instalment of a live contract not yet fully paid, with its
  due day and what it still wants; indexed by due day, so "due by Friday, or overdue"
  is a narrow range.
- `owed_dirty`: contracts whose instalments, receipts or record changed since their rows
  were worked out. SQLite triggers fill it on every write of those tables, whoever
  writes (the store, a sync's merge, an undo), so the kept rows are never trusted
  for a contract changed since.

`refresh` works the dirty contracts out again and writes their rows; the contract store
calls it in the transaction of each of its writes, and a merge calls it when it is done.
`owed_rows` reads the kept rows of the contracts that are not dirty and works out the
dirty ones in memory, so a reader always sees what the records say, also on a database
it cannot write.
"""

import json
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from salesdesk.core.contracts import InstalmentFact, ReceiptFact, allocate
from salesdesk.store.database import Database


class OwedRow(NamedTuple):
    instalment_id: str
    contract_id: str
    due_on: str  # ISO day
    outstanding: int  # minor units of the contract's currency


def _work_out(db: Database, contract_ids: Iterable[str]) -> list[OwedRow]:
    """The owed rows of these contracts, from their records (three queries in all)."""
    wanted = json.dumps(sorted(set(contract_ids)))
    live = {
        row[0]
        for row in db.execute(
            "SELECT id FROM contracts WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL",
            [wanted],
        )
    }
    plans: dict[str, list[InstalmentFact]] = {}
    for contract_id, instalment_id, due_on, amount, position in db.execute(
        "SELECT contract_id, id, due_on, amount, position FROM instalments "
        "WHERE contract_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL",
        [wanted],
    ):
        if contract_id in live:
            plans.setdefault(contract_id, []).append(
                InstalmentFact(instalment_id, date.fromisoformat(due_on), amount, position)
            )
    receipts: dict[str, list[ReceiptFact]] = {}
    for contract_id, receipt_id, received_on, amount, instalment_id, created_at in db.execute(
        "SELECT contract_id, id, received_on, amount, instalment_id, created_at FROM receipts "
        "WHERE contract_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL",
        [wanted],
    ):
        if contract_id in plans:
            receipts.setdefault(contract_id, []).append(
                ReceiptFact(
                    receipt_id, date.fromisoformat(received_on), amount, instalment_id, created_at or ""
                )
            )
    rows: list[OwedRow] = []
    for contract_id, plan in plans.items():
        applied = allocate(plan, receipts.get(contract_id, [])).applied
        rows.extend(
            OwedRow(i.id, contract_id, i.due_on.isoformat(), i.amount - applied[i.id])
            for i in plan
            if applied[i.id] < i.amount
        )
    return rows


def _dirty(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT contract_id FROM owed_dirty")]


def refresh(db: Database) -> int:
    """Work the dirty contracts out again and keep their rows; how many there were.

    Call inside a write transaction (the store's writes are in one already)."""
    dirty = _dirty(db)
    if not dirty:
        return 0
    wanted = json.dumps(dirty)
    db.execute("DELETE FROM owed_instalments WHERE contract_id IN (SELECT value FROM json_each(?))", [wanted])
    rows = _work_out(db, dirty)
    db.conn.executemany(
        "INSERT INTO owed_instalments (instalment_id, contract_id, due_on, outstanding) VALUES (?, ?, ?, ?)",
        rows,
    )
    db.execute("DELETE FROM owed_dirty WHERE contract_id IN (SELECT value FROM json_each(?))", [wanted])
    return len(dirty)


def owed_rows(db: Database, until: date | None = None) -> list[OwedRow]:
    """Every instalment still owed (due by `until`, when given), as the records say now."""
    dirty = set(_dirty(db))
    bound = until.isoformat() if until else "9999-12-31"
    kept = [
        OwedRow(*row)
        for row in db.execute(
            "SELECT instalment_id, contract_id, due_on, outstanding FROM owed_instalments WHERE due_on <= ?",
            [bound],
        )
        if row[1] not in dirty
    ]
    if dirty:
        kept += [row for row in _work_out(db, dirty) if row.due_on <= bound]
    return kept
