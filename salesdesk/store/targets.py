"""Targets: setting, removing and listing them, and the progress against them.

What counts is what the Reports count (`store.reports`): won value is the amount of the
deals now in a won stage, not deleted, closed in the period, of their owner; collected
is the receipts received in the period (refunds taken off) of live contracts, of the
deal's owner, else the customer's. The team's figures are everyone's. Both are read
per person and currency in one query each over the won deals' and the receipts' indexes.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from salesdesk.core.errors import InvalidValue
from salesdesk.core.lines import MONEY_LIMIT
from salesdesk.core.money import check_currency
from salesdesk.core.targets import (
    COLLECTED,
    MONTH,
    QUARTER,
    TEAM,
    WON,
    MemberProgress,
    PeriodProgress,
    TargetPeriod,
    add_up,
    holiday_days,
    parse_measure,
    parse_month,
    progress_of,
    target_id,
    working_days_left,
)
from salesdesk.i18n import _
from salesdesk.store.reports import _CONTRACT_PEOPLE, _LIVE_CONTRACT, _PERSON, _WON

if TYPE_CHECKING:
    from salesdesk.store.store import Store


@dataclass(frozen=True)
class Target:
    id: str
    person: str  # TEAM ('') for the team's
    month: str
    measure: str
    amount: int
    currency: str


class TargetStore:
    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db

    # -- writing -------------------------------------------------------------------------

    def set(self, person: str, month: str, measure: str, amount: int, currency: str) -> str:
        """Set a target: a new one, a new amount for one already set, or one removed come
        back. Its id is made from what it is the target of (`target_id`)."""
        person, month = person.strip(), parse_month(month)
        measure, currency = parse_measure(measure), check_currency(currency)
        if not 0 <= amount <= MONEY_LIMIT:
            raise InvalidValue("amount", _("A target is an amount of zero or more."))
        record_id = target_id(person, month, measure, currency)
        records = self.store.records
        with records.transaction():
            current = records.get("targets", record_id, include_deleted=True)
            if current is None:
                records.insert(
                    "targets",
                    {
                        "person": person,
                        "month": month,
                        "measure": measure,
                        "amount": amount,
                        "currency": currency,
                    },
                    record_id,
                )
            else:
                records.update("targets", record_id, {"amount": amount, "person": person, "deleted_at": None})
        return record_id

    def remove(self, person: str, month: str, measure: str, currency: str) -> bool:
        """Remove a target (a tombstone, as every delete); False if there was none."""
        record_id = target_id(
            person.strip(), parse_month(month), parse_measure(measure), check_currency(currency)
        )
        records = self.store.records
        with records.transaction():
            if records.get("targets", record_id) is None:
                return False
            records.delete("targets", record_id)
        return True

    # -- reading -------------------------------------------------------------------------

    def targets(self, months: Sequence[str], person: str | None = None) -> list[Target]:
        """The targets of `months` (of `person` alone, TEAM for the team's; None: all)."""
        sql = (
            "SELECT id, person, month, measure, amount, currency FROM targets "
            "WHERE month BETWEEN ? AND ? AND deleted_at IS NULL"
        )
        params: list[object] = [min(months), max(months)]
        if person is not None:
            sql += " AND person = ? COLLATE NOCASE"
            params.append(person.strip())
        sql += " ORDER BY month, person COLLATE NOCASE, measure, currency"
        return [Target(*row) for row in self.db.execute(sql, params)]

    def any(self) -> bool:
        """Whether any target is set (none: the Reports leave their panel out)."""
        found = self.db.execute("SELECT EXISTS (SELECT 1 FROM targets WHERE deleted_at IS NULL)").fetchone()
        return bool(found[0])

    def members(self, months: Sequence[str], also: Iterable[str] = ()) -> list[str]:
        """Everyone the team's progress is shown for: the people of `Store.people()` (the
        customers' owners, the round-robin team, the user), anyone with a target in
        `months`, and `also` (the owners of what was done in them), without the team.

        The customers' owners are found by skipping through their index (0.3 ms for
        100,000 customers, where `Store.people()` reads every deal too: 180 ms); a deal's
        owner who owns no customer is a member once something of theirs is done."""
        owners = self.db.execute(
            """
            WITH RECURSIVE o(name) AS (
              SELECT min(owner) FROM customers WHERE owner > ''
              UNION ALL
              SELECT (SELECT min(owner) FROM customers WHERE owner > o.name) FROM o WHERE o.name IS NOT NULL)
            SELECT name FROM o WHERE name IS NOT NULL"""
        ).fetchall()
        found = [row[0] for row in owners] + list(self.store.setting("round_robin") or []) + [self.store.user]
        found += [t.person for t in self.targets(months) if t.person != TEAM]
        found += [name for name in also if name]
        names: dict[str, str] = {}
        for name in found:
            names.setdefault(name.casefold(), name)
        return sorted(names.values(), key=str.lower)

    def done(self, period: TargetPeriod, person: str | None) -> dict[tuple[str, str], int]:
        """Won and collected in the period per (measure, currency): of `person`, or
        (None) of everyone."""
        return add_up(
            (measure, currency, amount) for _who, measure, currency, amount in self._done_rows(period, person)
        )

    def _done_rows(self, period: TargetPeriod, person: str | None) -> Iterable[tuple[str, str, str, int]]:
        """(person, measure, currency, amount) of the period, of one person or everyone."""
        params = {"first": period.first.isoformat(), "last": period.last.isoformat(), "person": person}
        won_mine = " AND d.owner = :person" if person is not None else ""
        got_mine = f" AND {_PERSON} = :person" if person is not None else ""
        for row in self.db.execute(
            f"""
            SELECT d.owner, '{WON}', d.currency, sum(d.amount)
            FROM deals d INDEXED BY deals_won
            WHERE d.stage_id IN {_WON} AND d.deleted_at IS NULL
              AND d.closed_on BETWEEN :first AND :last{won_mine}
            GROUP BY 1, 3""",
            params,
        ):
            yield row[0] or "", row[1], row[2], int(row[3] or 0)
        for row in self.db.execute(
            f"""
            WITH got(id, amount) AS MATERIALIZED (
              SELECT r.contract_id, sum(r.amount)
              FROM receipts r INDEXED BY receipts_received
              WHERE r.received_on BETWEEN :first AND :last AND r.deleted_at IS NULL
              GROUP BY 1)
            SELECT {_PERSON}, '{COLLECTED}', k.currency, sum(got.amount)
            FROM got CROSS JOIN contracts k ON k.id = got.id
            {_CONTRACT_PEOPLE}
            WHERE {_LIVE_CONTRACT}{got_mine}
            GROUP BY 1, 3""",
            params,
        ):
            yield row[0] or "", row[1], row[2], int(row[3] or 0)

    def days_left(self, period: TargetPeriod, today: date) -> int:
        country = self.store.setting("holiday_country") or ""
        first = max(today, period.first)
        holidays = holiday_days(country, first, period.last) if first <= period.last else frozenset()
        return working_days_left(today, period, holidays)

    def progress(self, period: TargetPeriod, today: date, person: str | None = None) -> MemberProgress:
        """The progress of `person` (None: the user; TEAM: the team) over the period,
        for the measures and currencies with a target."""
        who = self.store.user if person is None else person
        targets = add_up((t.measure, t.currency, t.amount) for t in self.targets(period.months, who))
        if not targets:
            return MemberProgress(who, ())
        done = self.done(period, None if who == TEAM else who)
        days = self.days_left(period, today)
        return MemberProgress(who, tuple(progress_of(targets, done, days, self.store.setting("currency"))))

    def board(self, period: TargetPeriod, today: date, *, all_done: bool = True) -> list[MemberProgress]:
        """Each member's progress and then the team's, over the period, from two reads of
        what was done and one of the targets. With `all_done`, what a person did in a
        measure or currency without a target is listed too (its target 0)."""
        months = period.months
        targets: dict[str, dict[tuple[str, str], int]] = {}
        for target in self.targets(months):
            key = target.person.casefold()
            mine = targets.setdefault(key, {})
            mine[(target.measure, target.currency)] = (
                mine.get((target.measure, target.currency), 0) + target.amount
            )
        done: dict[str, dict[tuple[str, str], int]] = {}
        doers: list[str] = []
        team: dict[tuple[str, str], int] = {}
        for who, measure, currency, amount in self._done_rows(period, None):
            mine = done.setdefault(who.casefold(), {})
            mine[(measure, currency)] = mine.get((measure, currency), 0) + amount
            doers.append(who)
            team[(measure, currency)] = team.get((measure, currency), 0) + amount
        days = self.days_left(period, today)
        currency = self.store.setting("currency")
        rows = [
            MemberProgress(
                name,
                tuple(
                    progress_of(
                        targets.get(name.casefold(), {}),
                        done.get(name.casefold(), {}),
                        days,
                        currency,
                        all_done=all_done,
                    )
                ),
            )
            for name in self.members(months, doers)
        ]
        rows.append(
            MemberProgress(
                TEAM, tuple(progress_of(targets.get(TEAM, {}), team, days, currency, all_done=all_done))
            )
        )
        return rows

    def weekly(self, day: date, today: date, *, everyone: bool) -> tuple[PeriodProgress, ...]:
        """The progress of the month and of the quarter of `day` (a week's last day, or
        today within it), as of `today`: the user's, or each member's and the team's;
        none when no target is set anywhere."""
        if not self.any():
            return ()
        found = []
        for kind in (MONTH, QUARTER):
            period = TargetPeriod.of(kind, day)
            rows = self.board(period, today, all_done=False) if everyone else [self.progress(period, today)]
            found.append(PeriodProgress(period, self.days_left(period, today), tuple(rows)))
        return tuple(found)
