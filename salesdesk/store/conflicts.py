"""Concurrent edits a merge kept for review: list them, keep the winner, or restore the loser.

A merge records in `conflicts` the value that lost when two copies edited one field
without seeing each other, a delete a later edit undid and an edit a later delete
hid (see `salesdesk.sync.merge`); every copy records the same ones. The table is this copy's own:
resolving a row is not synced, but restoring a lost value is an ordinary edit through
the one write path, so it becomes a new change that wins on every copy.
"""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from salesdesk.core.dates import timestamp
from salesdesk.core.errors import NotFound
from salesdesk.i18n import _
from salesdesk.store.database import Database

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# The field whose conflicts are a record's life: a delete undone by a later edit (lost:
# the delete's time), an edit into a record deleted later (lost: None, alive).
LIFE = "deleted_at"

# How a person recognises a record of each table: an SQL expression over the row `r`.
_NAMES = {
    "customers": "r.name",
    "deals": "r.title",
    "followups": "r.title",
    "tags": "r.name",
    "stages": "r.name",
    "settings": "r.id",
    "interactions": "r.summary",
    "customer_tags": "(SELECT name FROM customers WHERE id = r.customer_id)",
    "stage_changes": "(SELECT title FROM deals WHERE id = r.deal_id)",
    "reminder_dismissals": "r.id",
    "products": "r.name",
    "deal_lines": "r.description",
    "quotes": "r.number",
    "contracts": "coalesce(nullif(r.number, ''), (SELECT name FROM customers WHERE id = r.customer_id))",
    "instalments": "coalesce(nullif(r.label, ''), "
    "nullif((SELECT number FROM contracts WHERE id = r.contract_id), ''))",
    "receipts": "nullif((SELECT number FROM contracts WHERE id = r.contract_id), '')",
    "cases": "r.title",
    "targets": "trim(r.person || ' ' || r.month)",
}


def record_label(db: Database, table: str, row_id: str) -> str | None:
    """What a person recognises a record here by (a customer's name, a quote's number),
    trashed or not; None if it is not here or has nothing to go by."""
    expression = _NAMES.get(table)
    if expression is None:
        return None
    row = db.execute(f"SELECT {expression} FROM {table} r WHERE r.id = ?", [row_id]).fetchone()
    return str(row[0]) if row and row[0] is not None and str(row[0]) else None


@dataclass(frozen=True)
class Conflict:
    id: int
    table: str
    row_id: str
    record: str  # the record's name or title, for humans
    field: str
    kept: object  # the value in the record now
    lost: object  # the value the other edit wrote
    detected_at: str

    @property
    def about_life(self) -> bool:
        """A delete against an edit, not two values of one field."""
        return self.field == LIFE


class ConflictStore:
    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db

    def unresolved(self) -> list[Conflict]:
        rows = self.db.execute(
            "SELECT id, tbl, row_id, field, kept_value, lost_value, detected_at FROM conflicts "
            "WHERE resolved_at IS NULL ORDER BY detected_at DESC, id DESC"
        ).fetchall()
        return [
            Conflict(
                id, table, row_id, self._name(table, row_id), field, _decode(kept), _decode(lost), detected
            )
            for id, table, row_id, field, kept, lost, detected in rows
        ]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0])

    def _name(self, table: str, row_id: str) -> str:
        return record_label(self.db, table, row_id) or row_id

    def keep(self, conflict_id: int) -> None:
        """The value the merge kept stays; the conflict is settled."""
        with self.store.records.transaction():
            self._require(conflict_id)
            self._resolve(conflict_id)

    def restore(self, conflict_id: int) -> None:
        """Write the lost value back as a new edit (it then wins everywhere); settled.

        For a record's life (`deleted_at`) that is: an undone delete deletes it again,
        an edit lost in a delete brings the record back.
        """
        records = self.store.records
        with records.transaction():
            conflict = self._require(conflict_id)
            if conflict.field != LIFE:
                records.update(conflict.table, conflict.row_id, {conflict.field: conflict.lost})
            elif conflict.lost is None:
                records.update(conflict.table, conflict.row_id, {LIFE: None})
            else:
                record = records.get(conflict.table, conflict.row_id, include_deleted=True)
                if record is not None and record[LIFE] is None:
                    records.delete(conflict.table, conflict.row_id)
            self._resolve(conflict_id)

    def _require(self, conflict_id: int) -> Conflict:
        found = [c for c in self.unresolved() if c.id == conflict_id]
        if not found:
            raise NotFound(
                _("Conflict {id} is already resolved (perhaps in another window).").format(id=conflict_id)
            )
        return found[0]

    def _resolve(self, conflict_id: int) -> None:
        self.db.execute(
            "UPDATE conflicts SET resolved_at = ? WHERE id = ?", [timestamp(self.store.clock()), conflict_id]
        )


def _decode(value: str | None) -> object:
    return None if value is None else json.loads(value)
