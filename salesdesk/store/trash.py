"""The Trash: every deleted customer, deal, follow-up and interaction, and their restore.

A delete is a tombstone (`deleted_at`), so nothing deleted is gone: whoever deleted it,
on whichever copy, it is listed here once the delete has synced. A restore is an
ordinary edit through the one write path, newer than the delete on every copy, so it
wins everywhere at the next sync.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from salesdesk.core.errors import NotFound
from salesdesk.i18n import N_, _

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# Table -> (what a person calls one, how they recognise it: an SQL expression over `r`).
TRASHED = {
    "customers": (N_("customer"), "r.name"),
    "deals": (N_("deal"), "r.title"),
    "followups": (N_("follow-up"), "r.title"),
    "interactions": (N_("interaction"), "CASE WHEN r.summary != '' THEN r.summary ELSE r.kind END"),
}


@dataclass(frozen=True)
class Trashed:
    table: str
    id: str
    name: str
    customer: str  # whose it is (for a customer: its company)
    deleted_at: str
    deleted_by: str

    @property
    def kind(self) -> str:
        """What a person calls it, in English (`_(item.kind)` where it is shown)."""
        return TRASHED[self.table][0]


class TrashStore:
    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db

    def items(
        self, by: str | None = None, since: str | None = None, limit: int | None = None
    ) -> list[Trashed]:
        """Deleted records, the latest deleted first; `by` a person (any case), `since` a timestamp."""
        parts, params = [], []
        for table, (_kind, name) in TRASHED.items():
            whose = (
                "r.company"
                if table == "customers"
                else ("(SELECT c.name FROM customers c WHERE c.id = r.customer_id)")
            )
            where = ["r.deleted_at IS NOT NULL"]
            if by is not None:
                where.append("r.updated_by = ? COLLATE NOCASE")
                params.append(by.strip())
            if since is not None:
                where.append("r.deleted_at >= ?")
                params.append(since)
            parts.append(
                f"SELECT '{table}', r.id, {name}, coalesce({whose}, ''), r.deleted_at, r.updated_by "
                f"FROM {table} r WHERE {' AND '.join(where)}"
            )
        sql = " UNION ALL ".join(parts) + " ORDER BY 5 DESC, 2"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [Trashed(*row) for row in self.db.execute(sql, params).fetchall()]

    def count(self) -> int:
        return sum(
            int(self.db.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NOT NULL").fetchone()[0])
            for table in TRASHED
        )

    def find(self, record_id: str) -> Trashed:
        for table, (_kind, name) in TRASHED.items():
            row = self.db.execute(
                f"SELECT r.id, {name}, r.deleted_at, r.updated_by FROM {table} r WHERE r.id = ?", [record_id]
            ).fetchone()
            if row is None:
                continue
            if row[2] is None:
                raise NotFound(
                    _("{id} ({record} {name}) is not in the Trash.").format(
                        id=record_id, record=_(TRASHED[table][0]), name=repr(row[1])
                    )
                )
            return Trashed(table, row[0], row[1], "", row[2], row[3])
        raise NotFound(
            _(
                "No deleted customer, deal, follow-up or interaction has the id {id}; "
                "'salesdesk trash' lists them."
            ).format(id=repr(record_id))
        )

    def restore(self, record_ids: Iterable[str]) -> list[Trashed]:
        """Bring these records back, in one transaction; a deal, follow-up or interaction
        brings its deleted customer back too. Returns what was restored."""
        restored: dict[str, Trashed] = {}
        records = self.store.records
        with records.transaction():
            for record_id in record_ids:
                if record_id in restored:
                    continue
                item = restored[record_id] = self.find(record_id)
                records.update(item.table, item.id, {"deleted_at": None})
                if item.table == "customers":
                    continue
                row = records.require(item.table, item.id)
                owner = records.get("customers", row["customer_id"], include_deleted=True)
                if owner is not None and owner["deleted_at"] is not None:
                    restored[owner["id"]] = self.find(owner["id"])
                    records.update("customers", owner["id"], {"deleted_at": None})
        return list(restored.values())
