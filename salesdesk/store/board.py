"""Read queries behind the Pipeline board: column summaries and pages of cards.

Only what is visible is loaded: a column asks for its count and sums (answered from
a covering index) and for the page of cards on screen.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from salesdesk.core import pipeline
from salesdesk.core.dates import parse_timestamp
from salesdesk.store.database import Database


@dataclass(frozen=True)
class BoardFilter:
    owner: str | None = None  # None: everyone's deals
    text: str = ""

    def where(self) -> tuple[str, list[str]]:
        clauses, params = ["d.deleted_at IS NULL"], []
        if self.owner is not None:
            clauses.append("d.owner = ?")
            params.append(self.owner)
        if self.text.strip():
            pattern = (
                "%" + self.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            )
            clauses.append(
                "(d.title LIKE ? ESCAPE '\\' OR d.customer_id IN "
                "(SELECT id FROM customers WHERE name LIKE ? ESCAPE '\\' OR company LIKE ? ESCAPE '\\'))"
            )
            params += [pattern, pattern, pattern]
        return " AND ".join(clauses), params


@dataclass(frozen=True)
class ColumnSummary:
    stage: pipeline.Stage
    count: int
    totals: dict[str, int]  # currency -> sum of amounts, minor units
    weighted: dict[str, int]  # currency -> sum of amount x probability


@dataclass(frozen=True)
class Card:
    deal_id: str
    title: str
    customer: str
    amount: int
    currency: str
    owner: str
    days_in_stage: int
    next_followup: date | None
    rotting: bool
    overdue: bool
    lost_reason: str = ""
    # A won deal's contract: (collected, amount, currency); None without one (or not won).
    collected: tuple[int, int, str] | None = None


# deal ids, today -> {deal id: (collected, amount, currency)}: ContractStore.collections_of_deals
Collections = Callable[[Sequence[str], date], dict[str, tuple[int, int, str]]]


class BoardQueries:
    def __init__(self, db: Database, collections: Collections | None = None):
        """`collections` reads what the contracts of the won cards shown have collected."""
        self.db = db
        self.collections = collections

    def summaries(self, stages: list[pipeline.Stage], board_filter: BoardFilter) -> list[ColumnSummary]:
        """Count, totals and weighted totals of each of `stages` (all the board's, or the
        two a move touched: the index is then read for those stages only)."""
        where, params = board_filter.where()
        marks = ", ".join("?" for _ in stages)
        rows = self.db.execute(
            f"""SELECT d.stage_id, d.currency, count(*), sum(d.amount),
                       sum(d.amount * coalesce(d.probability, s.probability) / 100)
                FROM deals d JOIN stages s ON s.id = d.stage_id
                WHERE d.stage_id IN ({marks}) AND {where} GROUP BY d.stage_id, d.currency""",
            [*(stage.id for stage in stages), *params],
        ).fetchall()
        counts: dict[str, int] = {}
        totals: dict[str, dict[str, int]] = {}
        weighted: dict[str, dict[str, int]] = {}
        for stage_id, currency, count, total, weight in rows:
            counts[stage_id] = counts.get(stage_id, 0) + count
            totals.setdefault(stage_id, {})[currency] = total
            weighted.setdefault(stage_id, {})[currency] = weight
        result = []
        for stage in stages:
            if stage.kind != pipeline.OPEN:
                # Won and lost deals are certain: weighted equals the total.
                weighted[stage.id] = dict(totals.get(stage.id, {})) if stage.kind == pipeline.WON else {}
            result.append(
                ColumnSummary(
                    stage, counts.get(stage.id, 0), totals.get(stage.id, {}), weighted.get(stage.id, {})
                )
            )
        return result

    def cards(
        self, stage: pipeline.Stage, board_filter: BoardFilter, offset: int, limit: int, today: date
    ) -> list[Card]:
        """A page of a column, most recently moved first."""
        where, params = board_filter.where()
        rows = self.db.execute(
            f"""SELECT d.id, d.title, c.name, d.amount, d.currency, d.owner, d.stage_entered_at,
                       (SELECT min(f.due_date) FROM followups f
                        WHERE f.deal_id = d.id AND f.done_at IS NULL AND f.deleted_at IS NULL),
                       EXISTS (SELECT 1 FROM followups f
                        WHERE f.deal_id = d.id AND f.done_at IS NULL AND f.deleted_at IS NULL
                          AND f.due_date >= ?),
                       d.lost_reason
                FROM deals d JOIN customers c ON c.id = d.customer_id
                WHERE d.stage_id = ? AND {where}
                ORDER BY d.stage_entered_at DESC, d.id DESC LIMIT ? OFFSET ?""",
            [today.isoformat(), stage.id, *params, limit, offset],
        ).fetchall()
        cards = []
        for deal_id, title, customer, amount, currency, owner, entered, next_due, ahead, reason in rows:
            days = (today - parse_timestamp(entered).date()).days
            due = date.fromisoformat(next_due) if next_due else None
            cards.append(
                Card(
                    deal_id,
                    title,
                    customer,
                    amount,
                    currency,
                    owner,
                    max(days, 0),
                    due,
                    rotting=pipeline.is_rotting(days, stage, bool(ahead)),
                    overdue=due is not None and due < today,
                    lost_reason=reason or "",
                )
            )
        if stage.kind == pipeline.WON and self.collections is not None and cards:
            # The cards on screen only: a handful of indexed reads, whatever the column's size.
            money = self.collections([card.deal_id for card in cards], today)
            cards = [replace(card, collected=money.get(card.deal_id)) for card in cards]
        return cards

    def position(self, deal_id: str, board_filter: BoardFilter) -> tuple[str, int] | None:
        """(stage id, index in its column) of a deal, in the board's order."""
        row = self.db.execute(
            "SELECT stage_id, stage_entered_at FROM deals WHERE id = ? AND deleted_at IS NULL", [deal_id]
        ).fetchone()
        if row is None:
            return None
        stage_id, entered = row
        where, params = board_filter.where()
        before = self.db.execute(
            f"""SELECT count(*) FROM deals d WHERE d.stage_id = ? AND {where}
                AND (d.stage_entered_at > ? OR (d.stage_entered_at = ? AND d.id > ?))""",
            [stage_id, *params, entered, entered, deal_id],
        ).fetchone()[0]
        return stage_id, before

    def lost_reasons(self, limit: int = 12) -> list[str]:
        """Past reasons, most used first, for the lost-reason pick list."""
        return [
            row[0]
            for row in self.db.execute(
                """SELECT lost_reason FROM deals WHERE lost_reason != '' AND deleted_at IS NULL
               GROUP BY lost_reason ORDER BY count(*) DESC, lost_reason LIMIT ?""",
                [limit],
            )
        ]

    def customers_matching(self, text: str, limit: int = 8) -> list[tuple[str, str, str]]:
        """(id, name, company) of customers whose name or company starts with or holds `text`."""
        pattern = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        if not pattern:
            return []
        return [
            tuple(row)
            for row in self.db.execute(
                """SELECT id, name, company FROM customers
               WHERE deleted_at IS NULL AND (name LIKE ? ESCAPE '\\' OR company LIKE ? ESCAPE '\\')
               ORDER BY name LIKE ? ESCAPE '\\' DESC, name COLLATE NOCASE LIMIT ?""",
                [f"%{pattern}%", f"%{pattern}%", f"{pattern}%", limit],
            )
        ]
