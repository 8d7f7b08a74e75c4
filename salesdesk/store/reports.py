"""Read queries behind the Reports screen and the weekly summary.

Each kind of fact is one set-based query over an indexed range of a period (stage
changes by `at`, interactions by `at`, closed deals by stage), aggregated in SQL; only
the stays in a stage come back one row each, because a median needs them. The figures
are computed from these facts by `salesdesk.core.reports` and `salesdesk.core.weekly`.

`owner` narrows everything to one person's work: the deals they own (with those deals'
stage changes), the interactions they logged and the follow-ups they own. None: everyone's.
Days are UTC days, as timestamps are stored.

Products and quotes: the lines of the deals won in the period are read through the
deals' won index (`deals_won`) and each deal's lines index (`deal_lines_deal`), never a
scan of every line; quotes sent in a period through `quotes_sent`, those accepted through
the deals won in the period and each deal's quotes (`quotes_deal`); those expired through
the sent quotes' last valid days (`quotes_valid`).
"""

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from salesdesk.core import pipeline
from salesdesk.core.contracts import InstalmentFact, ReceiptFact
from salesdesk.core.model import INTERACTION_KINDS
from salesdesk.core.periods import IsoWeek, Period
from salesdesk.core.reports import (
    ActivityRow,
    ClosedDay,
    CollectedRow,
    CollectionFacts,
    Collections,
    ContractFact,
    CustomerCounts,
    OpenMonth,
    ProductSale,
    QuoteRow,
    ReasonRow,
    Report,
    ReportFacts,
    StageFlow,
    StageOutcome,
    build_collections,
    build_report,
    late_instalments,
    ordered_currencies,
)
from salesdesk.core.weekly import (
    CaseCounts,
    DealLine,
    FollowUpLine,
    MoveRow,
    OpenDeal,
    ReceiptLine,
    WeeklyFacts,
    WeeklySummary,
    build_weekly,
)
from salesdesk.store.connection import connect
from salesdesk.store.database import Database, Row
from salesdesk.store.store import Store

T = TypeVar("T")

# Counts interactions per person and kind over a range of days without sorting them (see
# `ReportQueries.activity`). Until a migration adds it, activity is grouped the slow way.
ACTIVITY_INDEX = "interactions_activity"
ACTIVITY_INDEX_SQL = (
    f"CREATE INDEX {ACTIVITY_INDEX} ON interactions(by_user, kind, at) WHERE deleted_at IS NULL"
)
LIST_ROWS = 200  # deals and follow-ups a weekly list reads at most (it shows fewer)

_WON = "(SELECT id FROM stages WHERE kind = 'won')"
_LOST = "(SELECT id FROM stages WHERE kind = 'lost')"
_CLOSED = "(SELECT id FROM stages WHERE kind IN ('won', 'lost'))"
# The deals won in the period (`:first` to `:last`), as `won(r)`, their rowids in order: read
# from the won deals' covering index without touching a deal, then each deal visited in
# the table's order. Measured on the large demo with 60,000 lines, this reads a week's
# lines 7x faster than the planner's own choice and a year's as fast; the index alone
# (deals visited in its order) was 1.5x slower for a year.
_WON_IN_PERIOD = f"""WITH won(r) AS MATERIALIZED (
              SELECT d.rowid FROM deals d INDEXED BY deals_won
              WHERE d.stage_id IN {_WON} AND d.deleted_at IS NULL AND d.closed_on BETWEEN :first AND :last
              ORDER BY 1)"""


# The people of a contract (`k`): its customer `cu` and its deal `d` (none for a contract
# carried over from a customer's contract end). Its person is the deal's owner, else the
# customer's; a contract of a deleted customer or deal is not counted.
_CONTRACT_PEOPLE = """JOIN customers cu ON cu.id = k.customer_id
            LEFT JOIN deals d ON d.id = k.deal_id"""
_PERSON = "coalesce(nullif(d.owner, ''), cu.owner)"
_LIVE_CONTRACT = (
    "k.deleted_at IS NULL AND cu.deleted_at IS NULL AND (k.deal_id IS NULL OR d.deleted_at IS NULL)"
)


def _bounds(period: Period, owner: str | None) -> dict[str, str | None]:
    """Named parameters: the period as dates and as timestamp bounds, and the owner."""
    return {
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "start": period.first.isoformat(),
        "end": (period.last + timedelta(days=1)).isoformat(),
        "owner": owner,
    }


def _mine(column: str, owner: str | None) -> str:
    return f" AND {column} = :owner" if owner is not None else ""


class ReportQueries:
    """One read-only query per kind of fact."""

    def __init__(self, db: Database):
        self.db = db
        self._indexes: dict[str, bool] = {}

    def _rows(self, sql: str, params: Mapping[str, object]) -> list[Row]:
        return self.db.execute(sql, params).fetchall()

    def flows(self, period: Period, owner: str | None) -> list[StageFlow]:
        """Per stage: deals that entered it in the period, and of those, how many entered a
        later stage (not Lost) after first entering it and before the period ended."""
        return [
            StageFlow(*row)
            for row in self._rows(
                f"""
            WITH entries AS (
              SELECT sc.deal_id, sc.to_stage, min(sc.at) AS first_at
              FROM stage_changes sc JOIN deals d ON d.id = sc.deal_id
              WHERE sc.at >= :start AND sc.at < :end AND sc.deleted_at IS NULL
                AND d.deleted_at IS NULL{_mine("d.owner", owner)}
              GROUP BY sc.deal_id, sc.to_stage)
            SELECT e.to_stage, count(*), sum(EXISTS (
                     SELECT 1 FROM stage_changes n JOIN stages ns ON ns.id = n.to_stage
                     WHERE n.deal_id = e.deal_id AND n.at >= e.first_at AND n.at < :end
                       AND n.deleted_at IS NULL AND ns.kind != 'lost' AND ns.position > s.position))
            FROM entries e JOIN stages s ON s.id = e.to_stage
            GROUP BY e.to_stage""",
                _bounds(period, owner),
            )
        ]

    def stage_days(self, period: Period, owner: str | None) -> dict[str, tuple[float, ...]]:
        """Days each stay in a stage lasted, for the stays that ended in the period: from the
        deal's change before (or its creation) to the change that took it out."""
        found: dict[str, list[float]] = {}
        for stage_id, days in self._rows(
            f"""
                SELECT sc.from_stage, julianday(sc.at) - julianday(coalesce(
                         (SELECT max(p.at) FROM stage_changes p
                          WHERE p.deal_id = sc.deal_id AND p.at <= sc.at AND p.id != sc.id
                            AND p.deleted_at IS NULL), d.created_at))
                FROM stage_changes sc JOIN deals d ON d.id = sc.deal_id
                WHERE sc.at >= :start AND sc.at < :end AND sc.deleted_at IS NULL
                  AND sc.from_stage IS NOT NULL AND d.deleted_at IS NULL{_mine("d.owner", owner)}""",
            _bounds(period, owner),
        ):
            found.setdefault(stage_id, []).append(max(days, 0.0))
        return {stage_id: tuple(days) for stage_id, days in found.items()}

    def closed(self, period: Period, owner: str | None) -> list[ClosedDay]:
        """Deals now won or lost that closed in the period, per day and currency."""
        return [
            ClosedDay(kind, date.fromisoformat(day), *rest)
            for kind, day, *rest in self._rows(
                f"""
            SELECT s.kind, d.closed_on, d.currency, count(*), sum(d.amount)
            FROM deals d JOIN stages s ON s.id = d.stage_id
            WHERE d.stage_id IN {_CLOSED} AND d.deleted_at IS NULL
              AND d.closed_on BETWEEN :first AND :last{_mine("d.owner", owner)}
            GROUP BY s.kind, d.closed_on, d.currency""",
                _bounds(period, owner),
            )
        ]

    def open_deals(self, owner: str | None) -> list[OpenMonth]:
        """Open deals now, by expected close month and currency, with the weighted value
        (a deal's own probability, else its stage's)."""
        return [
            OpenMonth(*row)
            for row in self._rows(
                f"""
            SELECT substr(d.expected_close, 1, 7), d.currency, count(*), sum(d.amount),
                   sum(d.amount * coalesce(d.probability, s.probability) / 100)
            FROM deals d JOIN stages s ON s.id = d.stage_id
            WHERE s.kind = 'open' AND d.deleted_at IS NULL{_mine("d.owner", owner)}
            GROUP BY 1, 2""",
                {"owner": owner},
            )
        ]

    def outcomes(self, period: Period, owner: str | None) -> list[StageOutcome]:
        """Per stage: deals closed in the period that were ever in it, and how many were won."""
        return [
            StageOutcome(*row)
            for row in self._rows(
                f"""
            WITH closed AS (
              SELECT d.id, d.stage_id IN {_WON} AS won FROM deals d
              WHERE d.stage_id IN {_CLOSED} AND d.deleted_at IS NULL
                AND d.closed_on BETWEEN :first AND :last{_mine("d.owner", owner)})
            SELECT sc.to_stage, count(DISTINCT c.id), count(DISTINCT CASE WHEN c.won THEN c.id END)
            FROM closed c JOIN stage_changes sc ON sc.deal_id = c.id AND sc.deleted_at IS NULL
            GROUP BY sc.to_stage""",
                _bounds(period, owner),
            )
        ]

    def reasons(self, period: Period, owner: str | None) -> list[ReasonRow]:
        return [
            ReasonRow(*row)
            for row in self._rows(
                f"""
            SELECT d.lost_reason, d.currency, count(*), sum(d.amount) FROM deals d
            WHERE d.stage_id IN {_LOST} AND d.deleted_at IS NULL
              AND d.closed_on BETWEEN :first AND :last{_mine("d.owner", owner)}
            GROUP BY d.lost_reason, d.currency""",
                _bounds(period, owner),
            )
        ]

    def activity(self, period: Period, owner: str | None) -> list[ActivityRow]:
        """Interactions logged in the period, per kind and person (`by_user`)."""
        params = _bounds(period, owner)
        if not self._has_index(ACTIVITY_INDEX):
            return [
                ActivityRow(*row)
                for row in self._rows(
                    f"""
                SELECT kind, by_user, count(*) FROM interactions
                WHERE at >= :start AND at < :end AND deleted_at IS NULL{_mine("by_user", owner)}
                GROUP BY kind, by_user""",
                    params,
                )
            ]
        # With the index, a count per (person, kind) is a range of index entries: find the
        # few people by skipping through the index, then count each range. Grouping the
        # period's rows instead sorts them all: 0.2 s for 90 days of a million interactions.
        params["kinds"] = json.dumps(INTERACTION_KINDS)
        people = (
            "SELECT :owner"
            if owner is not None
            else """
            SELECT min(by_user) FROM interactions WHERE deleted_at IS NULL
            UNION ALL
            SELECT (SELECT min(by_user) FROM interactions
                    WHERE by_user > people.name AND deleted_at IS NULL)
            FROM people WHERE people.name IS NOT NULL"""
        )
        return [
            ActivityRow(*row)
            for row in self._rows(
                f"""
            WITH RECURSIVE people(name) AS ({people})
            SELECT kind, name, n FROM (
              SELECT k.value AS kind, p.name AS name,
                     (SELECT count(*) FROM interactions i
                      WHERE i.by_user = p.name AND i.kind = k.value AND i.at >= :start
                        AND i.at < :end AND i.deleted_at IS NULL) AS n
              FROM people p, json_each(:kinds) k WHERE p.name IS NOT NULL)
            WHERE n > 0""",
                params,
            )
        ]

    def _has_index(self, name: str) -> bool:
        if name not in self._indexes:
            self._indexes[name] = (
                self.db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", [name]
                ).fetchone()
                is not None
            )
        return self._indexes[name]

    def customers(self, period: Period, owner: str | None) -> CustomerCounts:
        """Buyers of the period and of the one before, from won deals up to the period's end
        (see `Report.repeat_rate` and `Report.retention_rate` for the definitions)."""
        params = _bounds(period, owner)
        params["before"] = period.previous().first.isoformat()
        row = self.db.execute(
            f"""
            SELECT count(*) FILTER (WHERE now), count(*) FILTER (WHERE now AND days >= 2),
                   count(*) FILTER (WHERE before), count(*) FILTER (WHERE before AND now)
            FROM (SELECT customer_id, max(closed_on >= :first) AS now,
                         max(closed_on >= :before AND closed_on < :first) AS before,
                         count(DISTINCT closed_on) AS days
                  FROM deals d
                  WHERE d.stage_id IN {_WON} AND d.deleted_at IS NULL
                    AND d.closed_on <= :last{_mine("d.owner", owner)}
                  GROUP BY customer_id)""",
            params,
        ).fetchone()
        return CustomerCounts(*row)

    def products(self, period: Period, owner: str | None) -> list[ProductSale]:
        """The lines of the deals won in the period, per product (None: the lines without a
        product) and currency: quantity, revenue (the lines' stored totals), distinct deals.
        A deleted line, or a line of a deleted deal, is not counted; a retired or deleted
        product still names its lines."""
        return [
            ProductSale(*row)
            for row in self._rows(
                f"""
            {_WON_IN_PERIOD}
            SELECT l.product_id, coalesce(p.name, min(l.description)), coalesce(p.code, ''),
                   coalesce(p.category, ''), coalesce(p.unit, min(l.unit)), d.currency,
                   sum(l.quantity_milli), sum(l.total), count(DISTINCT d.id)
            FROM won CROSS JOIN deals d ON d.rowid = won.r
            JOIN deal_lines l ON l.deal_id = d.id AND l.deleted_at IS NULL
            LEFT JOIN products p ON p.id = l.product_id
            WHERE TRUE{_mine("d.owner", owner)}
            GROUP BY l.product_id, d.currency""",
                _bounds(period, owner),
            )
        ]

    def quotes(self, period: Period, owner: str | None, today: date) -> list[QuoteRow]:
        """Quotes sent in the period (each version sent counts), accepted in it (the deal was
        won in the period, on or after the day the quote was sent) and expired in it (the
        last valid day in the period and before `today`, not accepted), per currency. A
        superseded version (a later revision of it exists) is neither accepted nor expired,
        as `core.reports.quote_status` says; quotes of deleted deals are not counted."""
        params: dict[str, object] = dict(_bounds(period, owner))
        params["expired_last"] = min(period.last, today - timedelta(days=1)).isoformat()
        latest = """NOT EXISTS (
                SELECT 1 FROM quotes n WHERE n.deal_id = q.deal_id AND n.revision > q.revision
                  AND n.year = q.year AND n.seq = q.seq AND n.deleted_at IS NULL)"""
        mine = _mine("d.owner", owner)
        return [
            QuoteRow(*row)
            for row in self._rows(
                f"""
            {_WON_IN_PERIOD}
            SELECT 'sent', q.currency, count(*), sum(q.total)
            FROM quotes q JOIN deals d ON d.id = q.deal_id
            WHERE q.sent_at >= :start AND q.sent_at < :end AND q.deleted_at IS NULL
              AND d.deleted_at IS NULL{mine}
            GROUP BY q.currency
            UNION ALL
            SELECT 'accepted', q.currency, count(*), sum(q.total)
            FROM won CROSS JOIN deals d ON d.rowid = won.r JOIN quotes q ON q.deal_id = d.id
            WHERE TRUE{mine} AND q.deleted_at IS NULL AND q.sent_at IS NOT NULL
              AND substr(q.sent_at, 1, 10) <= d.closed_on AND {latest}
            GROUP BY q.currency
            UNION ALL
            SELECT 'expired', q.currency, count(*), sum(q.total)
            FROM quotes q CROSS JOIN deals d ON d.id = q.deal_id
            WHERE q.sent_at < :end AND q.deleted_at IS NULL
              AND q.valid_until BETWEEN :first AND :expired_last
              AND d.deleted_at IS NULL{mine}
              AND NOT (d.stage_id IN {_WON} AND d.closed_on >= substr(q.sent_at, 1, 10))
              AND {latest}
            GROUP BY q.currency""",
                params,
            )
        ]

    # -- money collected (issue 20) -------------------------------------------------------

    def collected(self, period: Period, owner: str | None) -> tuple[list[CollectedRow], list[CollectedRow]]:
        """Receipts received in the period and in the one before, per currency, refunds
        taken off, in one read of `receipts_received` over both; of a deleted contract,
        customer or deal, not counted."""
        params: dict[str, object] = dict(_bounds(period, owner))
        params["before"] = period.previous().first.isoformat()
        this: list[CollectedRow] = []
        before: list[CollectedRow] = []
        # Summed per contract first: each contract, customer and deal is looked up once.
        for currency, now, amount, count in self._rows(
            f"""
            WITH got(id, now, amount, n) AS MATERIALIZED (
              SELECT r.contract_id, r.received_on >= :first, sum(r.amount), count(*)
              FROM receipts r INDEXED BY receipts_received
              WHERE r.received_on BETWEEN :before AND :last AND r.deleted_at IS NULL
              GROUP BY 1, 2)
            SELECT k.currency, got.now, sum(got.amount), sum(got.n)
            FROM got CROSS JOIN contracts k ON k.id = got.id
            {_CONTRACT_PEOPLE}
            WHERE {_LIVE_CONTRACT}{_mine(_PERSON, owner)}
            GROUP BY 1, 2""",
            params,
        ):
            (this if now else before).append(CollectedRow(currency, amount, count))
        return this, before

    def _contracts(
        self, sql: str, params: Mapping[str, object], receipts_until: date, *, plans: bool = True
    ) -> list[ContractFact]:
        """Contracts read by `sql` (id, number, currency, amount, signed_on, customer,
        person), with their instalments (unless `plans` is False) and their receipts up to
        `receipts_until`: one query each over the contracts' indexes, never one per contract."""
        found = self._rows(sql, params)
        if not found:
            return []
        ids = json.dumps([row[0] for row in found])
        instalments: dict[str, list[InstalmentFact]] = {}
        for contract_id, *rest in (
            self._rows(
                """
            SELECT i.contract_id, i.id, i.due_on, i.amount, i.position
            FROM json_each(:ids) j CROSS JOIN instalments i INDEXED BY instalments_contract
              ON i.contract_id = j.value AND i.deleted_at IS NULL""",
                {"ids": ids},
            )
            if plans
            else ()
        ):
            instalment_id, due_on, amount, position = rest
            instalments.setdefault(contract_id, []).append(
                InstalmentFact(instalment_id, date.fromisoformat(due_on), amount, position)
            )
        receipts: dict[str, list[ReceiptFact]] = {}
        for contract_id, *rest in self._rows(
            """
            SELECT r.contract_id, r.id, r.received_on, r.amount, r.instalment_id, r.created_at
            FROM json_each(:ids) j CROSS JOIN receipts r INDEXED BY receipts_contract
              ON r.contract_id = j.value AND r.deleted_at IS NULL AND r.received_on <= :until""",
            {"ids": ids, "until": receipts_until.isoformat()},
        ):
            receipt_id, received_on, amount, instalment_id, created_at = rest
            receipts.setdefault(contract_id, []).append(
                ReceiptFact(receipt_id, date.fromisoformat(received_on), amount, instalment_id, created_at)
            )
        return [
            ContractFact(
                contract_id,
                number,
                currency,
                amount,
                date.fromisoformat(signed_on) if signed_on else None,
                customer,
                person,
                tuple(instalments.get(contract_id, ())),
                tuple(receipts.get(contract_id, ())),
            )
            for contract_id, number, currency, amount, signed_on, customer, person in found
        ]

    def owed(self, today: date, owner: str | None) -> list[ContractFact]:
        """Contracts signed by `today` (or without a signing day) that the receipts up to
        `today` do not cover, with their plans and receipts."""
        # The contracts owed money first, from the contracts and their receipts' index
        # alone; only those are looked up in the customers and deals.
        return self._contracts(
            f"""
            WITH owed(contract_row) AS MATERIALIZED (
              SELECT k.rowid FROM contracts k
              WHERE k.deleted_at IS NULL AND k.amount > 0
                AND (k.signed_on IS NULL OR k.signed_on <= :today)
                AND k.amount > coalesce((
                      SELECT sum(r.amount) FROM receipts r INDEXED BY receipts_contract
                      WHERE r.contract_id = k.id AND r.deleted_at IS NULL AND r.received_on <= :today), 0)
              ORDER BY 1)
            SELECT k.id, k.number, k.currency, k.amount, k.signed_on, cu.name, {_PERSON}
            FROM owed CROSS JOIN contracts k ON k.rowid = owed.contract_row {_CONTRACT_PEOPLE}
            WHERE {_LIVE_CONTRACT}{_mine(_PERSON, owner)}""",
            {"today": today.isoformat(), "owner": owner},
            today,
        )

    def settled(self, period: Period, owner: str | None) -> list[ContractFact]:
        """Contracts with a signing day and a receipt received in the period (the only
        ones that can have become fully collected in it), with their receipts up to its end."""
        return self._contracts(
            f"""
            SELECT k.id, k.number, k.currency, k.amount, k.signed_on, cu.name, {_PERSON}
            FROM contracts k {_CONTRACT_PEOPLE}
            WHERE k.id IN (SELECT r.contract_id FROM receipts r INDEXED BY receipts_received
                           WHERE r.received_on BETWEEN :first AND :last AND r.deleted_at IS NULL)
              AND {_LIVE_CONTRACT} AND k.amount > 0 AND k.signed_on IS NOT NULL{_mine(_PERSON, owner)}""",
            _bounds(period, owner),
            period.last,
            plans=False,  # when the money reached the amount needs only the receipts
        )

    def has_contracts(self) -> bool:
        """Whether any contract has an amount (else the Reports leave the money out)."""
        found = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM contracts WHERE deleted_at IS NULL AND amount > 0)"
        ).fetchone()
        return bool(found[0])

    def collection_facts(
        self, period: Period, owner: str | None, today: date, *, settled: bool = True
    ) -> CollectionFacts:
        """The facts of the money collected; `settled` False leaves out the contracts fully
        collected in the period (the weekly summary does not show their days)."""
        collected, before = self.collected(period, owner)
        return CollectionFacts(
            collected=tuple(collected),
            collected_before=tuple(before),
            owed=tuple(self.owed(today, owner)),
            settled=tuple(self.settled(period, owner)) if settled else (),
            contracts=self.has_contracts(),
        )

    def receipts_of(self, period: Period, owner: str | None) -> list[ReceiptLine]:
        """The receipts received in the period, the oldest first (at most LIST_ROWS)."""
        return [
            ReceiptLine(date.fromisoformat(row[0]), *row[1:])
            for row in self._rows(
                f"""
            SELECT r.received_on, cu.name, k.number, k.currency, r.amount, r.method, {_PERSON},
                   count(*) OVER ()
            FROM receipts r INDEXED BY receipts_received
            CROSS JOIN contracts k ON k.id = r.contract_id
            {_CONTRACT_PEOPLE}
            WHERE r.received_on BETWEEN :first AND :last AND r.deleted_at IS NULL
              AND {_LIVE_CONTRACT}{_mine(_PERSON, owner)}
            ORDER BY r.received_on, cu.name, k.number, r.amount, r.id LIMIT {LIST_ROWS}""",
                _bounds(period, owner),
            )
        ]

    def cases(self, period: Period, owner: str | None) -> CaseCounts:
        """After-sales cases opened and closed in the period, and open (or waiting) now."""
        row = self.db.execute(
            f"""
            SELECT count(*) FILTER (WHERE s.opened_on BETWEEN :first AND :last),
                   count(*) FILTER (WHERE s.status = 'closed' AND s.closed_on BETWEEN :first AND :last),
                   count(*) FILTER (WHERE s.status != 'closed')
            FROM cases s JOIN customers cu ON cu.id = s.customer_id
            WHERE s.deleted_at IS NULL AND cu.deleted_at IS NULL{_mine("s.owner", owner)}""",
            _bounds(period, owner),
        ).fetchone()
        return CaseCounts(*row)

    def facts(
        self,
        period: Period,
        owner: str | None,
        today: date,
        *,
        headline_only: bool = False,
        money: bool = True,
        settled: bool = True,
    ) -> ReportFacts:
        """Every fact of a period's report. `headline_only` reads just what the weekly
        headline compares with the week before (deals won and lost, activity). `today`
        says which quotes have expired: those valid until a day before it, and what is
        owed. `money` False leaves out the money collected (the Reports screen reads it
        after the rest, `ReportStore.collections`), but says whether there are contracts."""
        if headline_only:
            return ReportFacts(
                closed=tuple(self.closed(period, owner)), activity=tuple(self.activity(period, owner))
            )
        return ReportFacts(
            flows=tuple(self.flows(period, owner)),
            stage_days=self.stage_days(period, owner),
            closed=tuple(self.closed(period, owner)),
            open_deals=tuple(self.open_deals(owner)),
            outcomes=tuple(self.outcomes(period, owner)),
            reasons=tuple(self.reasons(period, owner)),
            activity=tuple(self.activity(period, owner)),
            customers=self.customers(period, owner),
            products=tuple(self.products(period, owner)),
            quotes=tuple(self.quotes(period, owner, today)),
            collections=self.collection_facts(period, owner, today, settled=settled)
            if money
            else CollectionFacts(contracts=self.has_contracts()),
        )

    # -- what only the weekly summary needs ------------------------------------------------

    def moves(self, period: Period, owner: str | None) -> list[MoveRow]:
        """Stage changes in the period, per (from, to) and currency; from None: a new deal."""
        return [
            MoveRow(*row)
            for row in self._rows(
                f"""
            SELECT sc.from_stage, sc.to_stage, d.currency, count(*), sum(d.amount)
            FROM stage_changes sc JOIN deals d ON d.id = sc.deal_id
            WHERE sc.at >= :start AND sc.at < :end AND sc.deleted_at IS NULL
              AND d.deleted_at IS NULL{_mine("d.owner", owner)}
            GROUP BY sc.from_stage, sc.to_stage, d.currency""",
                _bounds(period, owner),
            )
        ]

    def closed_deals(self, period: Period, owner: str | None, kind: str) -> list[DealLine]:
        """Deals won (or lost) in the period, the largest of each currency first."""
        stages = _WON if kind == pipeline.WON else _LOST
        return [
            _deal_line(row, reason=row[7])
            for row in self._rows(
                f"""
            SELECT * FROM (
              SELECT d.title, c.name, d.amount, d.currency, d.closed_on, d.owner, s.name,
                     d.lost_reason, count(*) OVER (PARTITION BY d.currency) AS total,
                     row_number() OVER (PARTITION BY d.currency ORDER BY d.amount DESC,
                                        d.closed_on, d.title, c.name, d.owner, d.lost_reason,
                                        d.id) AS place
              FROM deals d JOIN customers c ON c.id = d.customer_id
              JOIN stages s ON s.id = d.stage_id
              WHERE d.stage_id IN {stages} AND d.deleted_at IS NULL
                AND d.closed_on BETWEEN :first AND :last{_mine("d.owner", owner)})
            WHERE place <= {LIST_ROWS}""",
                _bounds(period, owner),
            )
        ]

    def pipeline_changes(self, since: str, owner: str | None) -> list[OpenDeal]:
        """Deals whose stage changed at or after `since` (a timestamp), with their stage then
        (None: the deal did not exist yet), so the open pipeline at that moment is today's
        adjusted by these few deals instead of replayed from every deal's history."""
        return [
            OpenDeal(*row)
            for row in self._rows(
                f"""
            SELECT d.id, d.currency, d.amount, d.probability, d.stage_id,
                   (SELECT p.to_stage FROM stage_changes p
                    WHERE p.deal_id = d.id AND p.at < :since AND p.deleted_at IS NULL
                    ORDER BY p.at DESC, p.id DESC LIMIT 1)
            FROM deals d
            WHERE d.id IN (SELECT deal_id FROM stage_changes WHERE at >= :since AND deleted_at IS NULL)
              AND d.deleted_at IS NULL{_mine("d.owner", owner)}""",
                {"since": since, "owner": owner},
            )
        ]

    def followups_done(self, period: Period, owner: str | None) -> int:
        return int(
            self.db.execute(
                f"""
            SELECT count(*) FROM followups f
            WHERE f.done_at >= :start AND f.done_at < :end AND f.deleted_at IS NULL
              {_mine("f.owner", owner)}""",
                _bounds(period, owner),
            ).fetchone()[0]
        )

    def overdue(self, before: date, done_after: str | None, owner: str | None) -> list[FollowUpLine]:
        """Follow-ups due before `before` and not done by `done_after` (a timestamp; None:
        not done now), oldest first."""
        # Open follow-ups only (the usual case, the current week) are read from their
        # partial index; the follow-ups lead the join, as they are far fewer than customers.
        open_ = (
            "f.done_at IS NULL" if done_after is None else "(f.done_at IS NULL OR f.done_at >= :done_after)"
        )
        return [
            FollowUpLine(date.fromisoformat(row[0]), *row[1:])
            for row in self._rows(
                f"""
            SELECT f.due_date, f.title, c.name, f.owner, coalesce(d.title, ''), count(*) OVER ()
            FROM followups f CROSS JOIN customers c ON c.id = f.customer_id
            LEFT JOIN deals d ON d.id = f.deal_id
            WHERE f.due_date < :before AND {open_}
              AND f.deleted_at IS NULL AND c.deleted_at IS NULL{_mine("f.owner", owner)}
            ORDER BY f.due_date, f.due_time, f.title, c.name, f.id LIMIT {LIST_ROWS}""",
                {"before": before.isoformat(), "done_after": done_after, "owner": owner},
            )
        ]

    def closing(self, first: date, last: date, owner: str | None) -> list[DealLine]:
        """Open deals expected to close from `first` to `last`, the largest of each currency first."""
        return [
            _deal_line(row, weighted=row[7])
            for row in self._rows(
                f"""
            SELECT * FROM (
              SELECT d.title, c.name, d.amount, d.currency, d.expected_close, d.owner, s.name,
                     d.amount * coalesce(d.probability, s.probability) / 100,
                     count(*) OVER (PARTITION BY d.currency),
                     row_number() OVER (PARTITION BY d.currency ORDER BY d.amount DESC,
                                        d.expected_close, d.title, c.name, d.owner, d.id) AS place
              FROM deals d JOIN customers c ON c.id = d.customer_id
              JOIN stages s ON s.id = d.stage_id
              WHERE s.kind = 'open' AND d.deleted_at IS NULL
                AND d.expected_close BETWEEN :first AND :last{_mine("d.owner", owner)})
            WHERE place <= {LIST_ROWS}""",
                {"first": first.isoformat(), "last": last.isoformat(), "owner": owner},
            )
        ]


class ReportStore:
    """Reports over one store: a period's report, and the weekly summary."""

    def __init__(self, store: Store):
        self.store = store
        self.queries = ReportQueries(store.db)

    @property
    def path(self) -> Path:
        return self.store.file_read

    @classmethod
    def load_from(
        cls, path: Path, user: str, clock: Callable[[], datetime], work: Callable[["ReportStore"], T]
    ) -> T:
        """Run `work` on a connection of its own, for a worker thread."""
        db = connect(path)
        try:
            return work(cls(Store(db, user, clock)))
        finally:
            db.close()

    def _owner(self, everyone: bool) -> str | None:
        return None if everyone else self.store.user

    def report(
        self,
        period: Period,
        today: date,
        *,
        everyone: bool = False,
        headline_only: bool = False,
        money: bool = True,
    ) -> Report:
        """The report of a period (see `ReportQueries.facts` for `headline_only` and `money`)."""
        facts = self.queries.facts(
            period, self._owner(everyone), today, headline_only=headline_only, money=money
        )
        return build_report(facts, self.store.stages(), period, today, self.store.setting("currency"))

    def collections(self, period: Period, today: date, *, everyone: bool = False) -> Collections:
        """The money collected of a period's report alone (the figures `report` holds)."""
        owner = self._owner(everyone)
        facts = self.queries.collection_facts(period, owner, today)
        open_deals = self.queries.open_deals(owner)
        codes = (
            {row.currency for row in facts.collected}
            | {row.currency for row in facts.collected_before}
            | {contract.currency for contract in facts.owed}
        )
        currencies = ordered_currencies(codes, self.store.setting("currency"))
        return build_collections(facts, period, today, currencies, open_deals)

    def weekly(self, week: IsoWeek, today: date, *, everyone: bool = False) -> WeeklySummary:
        """The weekly summary of `week`, as of `today` (in the week, or after it)."""
        from salesdesk.core.agenda import NEXT
        from salesdesk.store.agenda import AgendaStore
        from salesdesk.store.performance import team_performance
        from salesdesk.store.targets import TargetStore

        owner = self._owner(everyone)
        queries = self.queries
        stages, currency = self.store.stages(), self.store.setting("currency")
        this, before = week.period, week.previous().period
        ended = today > week.sunday
        end = (week.sunday + timedelta(days=1)).isoformat()  # next Monday, 00:00 UTC
        closing_last = week.sunday + timedelta(days=28)
        # What is due next week: the agenda as it will stand on the week's last day, whose
        # "next 7 days" are the seven days of next week.
        agenda = AgendaStore(self.store).load(week.sunday, everyone=everyone)
        found = queries.facts(this, owner, today, settled=False)
        return build_weekly(
            WeeklyFacts(
                week=week,
                today=today,
                user=self.store.user,
                everyone=everyone,
                report=build_report(found, stages, this, today, currency),
                before=self.report(before, today, everyone=everyone, headline_only=True),
                moves=tuple(queries.moves(this, owner)),
                moves_before=tuple(queries.moves(before, owner)),
                won=tuple(queries.closed_deals(this, owner, pipeline.WON)),
                lost=tuple(queries.closed_deals(this, owner, pipeline.LOST)),
                open_now=found.open_deals,
                changed_since_end=tuple(queries.pipeline_changes(end, owner)),
                changed_since_start=tuple(queries.pipeline_changes(this.first.isoformat(), owner)),
                followups_done=queries.followups_done(this, owner),
                followups_done_before=queries.followups_done(before, owner),
                overdue=tuple(
                    queries.overdue(
                        min(today, week.sunday + timedelta(days=1)), end if ended else None, owner
                    )
                ),
                due_next_week=agenda.section(NEXT).items,
                closing=tuple(queries.closing(week.monday, closing_last, owner)),
                closing_last=closing_last,
                receipts=tuple(queries.receipts_of(this, owner)),
                late=tuple(
                    late_instalments(
                        found.collections.owed if found.collections else (),
                        today,
                        week.monday - timedelta(days=1),
                        min(today, week.sunday) - timedelta(days=1),
                    )
                ),
                cases=queries.cases(this, owner),
                targets=TargetStore(self.store).weekly(min(today, week.sunday), today, everyone=everyone),
                team=team_performance(self.store, this) if everyone else None,
            ),
            stages,
            currency,
        )


def _deal_line(row: Row, **extra: Any) -> DealLine:
    """A listed deal from a row of title, customer, amount, currency, date, owner, stage
    (then the extra column the list has), and the count of its currency in `row[8]`."""
    return DealLine(
        row[0], row[1], row[2], row[3], date.fromisoformat(row[4]), row[5], row[6], of=row[8], **extra
    )
