"""Read queries behind the team performance table (Reports with `m`, the weekly summary
with `--all`): one grouped query per measure over the period, each through an index.

- new leads: customers by `customers_created` (made in migration 19 for this: no index
  read customers by when they were made, so a week of new leads was a scan of all);
- interactions: `ReportQueries.activity`, per person and kind from `interactions_activity`;
- deals moved: stage changes by `stage_changes_at`;
- won and lost: closed deals by `deals_closed` (migration 19: `deals_won` leads with
  the customer, so a period's closed deals were every won deal read);
- collected: receipts by `receipts_received`, summed per contract first, as
  `ReportQueries.collected` does;
- targets: the won targets of the period's months by `targets_month`.
Days are UTC days, as timestamps are stored.
"""

from salesdesk.core import pipeline
from salesdesk.core.performance import (
    Closed,
    Count,
    Money,
    Performance,
    PerformanceFacts,
    build_performance,
    months_of,
)
from salesdesk.core.periods import Period
from salesdesk.core.targets import WON
from salesdesk.store.database import Database, Row
from salesdesk.store.reports import (
    _CLOSED,
    _CONTRACT_PEOPLE,
    _LIVE_CONTRACT,
    _PERSON,
    _WON,
    ReportQueries,
    _bounds,
)
from salesdesk.store.store import Store


class PerformanceQueries:
    """One read-only query per measure, everyone's, grouped by person."""

    def __init__(self, db: Database):
        self.db = db

    def _rows(self, sql: str, period: Period) -> list[Row]:
        return self.db.execute(sql, _bounds(period, None)).fetchall()

    def new_leads(self, period: Period) -> list[Count]:
        """Customers made in the period, per owner now."""
        return [
            Count(*row)
            for row in self._rows(
                """
            SELECT owner, count(*) FROM customers INDEXED BY customers_created
            WHERE created_at >= :start AND created_at < :end AND deleted_at IS NULL
            GROUP BY owner""",
                period,
            )
        ]

    def moved(self, period: Period) -> list[Count]:
        """Stage changes in the period per person who made them, of deals not deleted;
        a deal's first stage is not a move."""
        # The few deleted deals are read from their index and left out, rather than each
        # change's deal looked up: 48 ms instead of 165 ms for 90 days of the large demo.
        return [
            Count(*row)
            for row in self._rows(
                """
            SELECT sc.by_user, count(*)
            FROM stage_changes sc INDEXED BY stage_changes_at
            WHERE sc.at >= :start AND sc.at < :end AND sc.deleted_at IS NULL
              AND sc.from_stage IS NOT NULL
              AND sc.deal_id NOT IN (SELECT id FROM deals INDEXED BY deals_trash
                                     WHERE deleted_at IS NOT NULL)
            GROUP BY sc.by_user""",
                period,
            )
        ]

    def closed(self, period: Period) -> list[Closed]:
        """Deals now won or lost that closed in the period, per owner, kind and currency,
        with the days from making each won deal to closing it, summed."""
        return [
            Closed(owner, kind, currency, count, amount, round(days or 0))
            for owner, kind, currency, count, amount, days in self._rows(
                f"""
            SELECT d.owner, CASE WHEN d.stage_id IN {_WON} THEN '{pipeline.WON}' ELSE '{pipeline.LOST}' END,
                   d.currency, count(*), sum(d.amount),
                   sum(CASE WHEN d.stage_id IN {_WON}
                            THEN max(0, julianday(d.closed_on) - julianday(substr(d.created_at, 1, 10)))
                            ELSE 0 END)
            FROM deals d INDEXED BY deals_closed
            WHERE d.closed_on BETWEEN :first AND :last AND d.deleted_at IS NULL
              AND d.stage_id IN {_CLOSED}
            GROUP BY 1, 2, 3""",
                period,
            )
        ]

    def collected(self, period: Period) -> list[Money]:
        """Receipts received in the period, refunds taken off, per person and currency; of a
        deleted contract, customer or deal, not counted."""
        return [
            Money(*row)
            for row in self._rows(
                f"""
            WITH got(id, amount) AS MATERIALIZED (
              SELECT r.contract_id, sum(r.amount)
              FROM receipts r INDEXED BY receipts_received
              WHERE r.received_on BETWEEN :first AND :last AND r.deleted_at IS NULL
              GROUP BY 1)
            SELECT {_PERSON}, k.currency, sum(got.amount)
            FROM got CROSS JOIN contracts k ON k.id = got.id
            {_CONTRACT_PEOPLE}
            WHERE {_LIVE_CONTRACT}
            GROUP BY 1, 2""",
                period,
            )
        ]

    def targets(self, period: Period) -> list[Money]:
        """The won targets (the team's, person '', too) of the months the period touches."""
        months = months_of(period)
        return [
            Money(person, currency, amount, month)
            for person, currency, amount, month in self.db.execute(
                """
                SELECT person, currency, sum(amount), month FROM targets
                WHERE month BETWEEN ? AND ? AND measure = ? AND deleted_at IS NULL
                GROUP BY person, currency, month""",
                [months[0], months[-1], WON],
            )
        ]

    def facts(self, period: Period, people: list[str]) -> PerformanceFacts:
        return PerformanceFacts(
            people=tuple(people),
            new_leads=tuple(self.new_leads(period)),
            activity=tuple(ReportQueries(self.db).activity(period, None)),
            moved=tuple(self.moved(period)),
            closed=tuple(self.closed(period)),
            collected=tuple(self.collected(period)),
            targets=tuple(self.targets(period)),
        )


def team_performance(store: Store, period: Period) -> Performance:
    """Everyone's performance over `period`: a row per person and the team's."""
    facts = PerformanceQueries(store.db).facts(period, store.people())
    return build_performance(facts, period, store.setting("currency"))
