"""A deal's lines: what is sold on it, and the deal's amount as their sum.

A deal with lines has the sum of their totals as its amount (`core.lines` says how each
total is rounded); a deal with none keeps the amount typed by hand. Every write of a
line writes the deal's amount with it, in one transaction.
"""

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from salesdesk.core.lines import line_total
from salesdesk.store.database import Database

if TYPE_CHECKING:
    from salesdesk.store.store import Store


def deals_of_lines(db: Database, line_ids: Iterable[str]) -> set[str]:
    """The deals the given lines belong to (deleted lines included)."""
    ids = list(line_ids)
    if not ids:
        return set()
    rows = db.execute(
        "SELECT DISTINCT deal_id FROM deal_lines WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    )
    return {str(row[0]) for row in rows}


def deals_with_lines(db: Database, deal_ids: Iterable[str]) -> set[str]:
    """Those of the given deals that have lines (a deal without keeps its typed amount)."""
    ids = list(deal_ids)
    if not ids:
        return set()
    rows = db.execute(
        "SELECT DISTINCT deal_id FROM deal_lines WHERE deleted_at IS NULL "
        "AND deal_id IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    )
    return {str(row[0]) for row in rows}


def refresh(store: "Store", deal_ids: Iterable[str]) -> int:
    """Make each line's total and each deal's amount what its records say; returns how
    many records were written (none when they already agreed)."""
    records, written = store.records, 0
    with records.transaction():
        for deal_id in sorted(set(deal_ids)):
            deal = store.db.execute(
                "SELECT amount FROM deals WHERE id = ? AND deleted_at IS NULL", [deal_id]
            ).fetchone()
            if deal is None:
                continue
            lines = store.db.execute(
                "SELECT id, quantity_milli, unit_price, discount_kind, discount, total FROM deal_lines "
                "WHERE deal_id = ? AND deleted_at IS NULL",
                [deal_id],
            ).fetchall()
            amount = 0
            for line_id, quantity_milli, unit_price, kind, discount, stored in lines:
                total = line_total(quantity_milli, unit_price, kind, discount)
                amount += total
                if total != stored:
                    records.update("deal_lines", line_id, {"total": total})
                    written += 1
            if lines and amount != deal[0]:
                records.update("deals", deal_id, {"amount": amount})
                written += 1
    return written
