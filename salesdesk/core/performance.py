"""Team performance: what each person did over a period, and the team's sums.

The store counts each measure per person over the period in one grouped query
(`salesdesk.store.performance`); `build_performance` puts them in one row per person and
a team row. Pure Python: no SQL, no clock, no UI.

Definitions, per person over the period:
- new leads: customers created in the period that the person owns now;
- interactions: logged in the period by the person, per kind;
- deals moved: stage changes the person made in the period (a deal's first stage, when
  it was made, is not a move; an undone move is not counted);
- won and lost: the person's deals (their owner) now in a won (lost) stage that closed in
  the period; won value per currency; win rate, won / (won + lost);
- days to win: the average, over the deals won, of the days from the day the deal was
  made to the day it closed;
- collected: receipts received in the period, refunds taken off, per currency, of the
  contracts whose person is the person (the deal's owner, else the customer's);
- target: won value against the person's won targets of the months the period touches,
  per currency (None without a target in that currency).
The team row is the sum of every row, its rates worked out from the sums; its target is,
per month and currency, the team's own target where one is set, else the members'
targets added up.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from salesdesk.core import pipeline
from salesdesk.core.model import INTERACTION_KINDS
from salesdesk.core.periods import Period
from salesdesk.core.reports import ActivityRow, ordered_currencies, percent, share
from salesdesk.core.targets import TEAM
from salesdesk.i18n import _

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Count:
    """How many of something a person did (new leads, deals moved)."""

    person: str
    count: int


@dataclass(frozen=True, slots=True)
class Closed:
    """A person's deals won (or lost) in the period in one currency; `days` is the sum of
    the days from making each deal to closing it."""

    person: str
    kind: str  # pipeline.WON or pipeline.LOST
    currency: str
    count: int
    amount: int
    days: int = 0


@dataclass(frozen=True, slots=True)
class Money:
    """An amount per person and currency: money collected, or a month's target."""

    person: str
    currency: str
    amount: int
    month: str = ""  # 'YYYY-MM', for a target


@dataclass(frozen=True)
class PerformanceFacts:
    """What the store counts over a period; `people` are the team's names (the rows shown
    even when a person did nothing)."""

    people: tuple[str, ...] = ()
    new_leads: tuple[Count, ...] = ()
    activity: tuple[ActivityRow, ...] = ()
    moved: tuple[Count, ...] = ()
    closed: tuple[Closed, ...] = ()
    collected: tuple[Money, ...] = ()
    targets: tuple[Money, ...] = ()  # won targets of the months the period touches


@dataclass(frozen=True)
class PersonRow:
    """One person's figures over the period (or the team's, with `team`)."""

    person: str
    new_leads: int = 0
    interactions: dict[str, int] = field(default_factory=dict)  # every kind, in order
    moved: int = 0
    won: int = 0
    won_value: dict[str, int] = field(default_factory=dict)
    won_days: int = 0  # summed over the deals won
    lost: int = 0
    collected: dict[str, int] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)
    team: bool = False

    @property
    def interactions_total(self) -> int:
        return sum(self.interactions.values())

    @property
    def win_rate(self) -> float | None:
        return share(self.won, self.won + self.lost)

    @property
    def days_to_win(self) -> float | None:
        return self.won_days / self.won if self.won else None

    @property
    def attainment(self) -> dict[str, float | None]:
        """Won value as a share of the target, per currency of a target (None: a zero target)."""
        return {code: share(self.won_value.get(code, 0), amount) for code, amount in self.targets.items()}


@dataclass(frozen=True)
class Performance:
    period: Period
    currencies: tuple[str, ...]  # the default first
    rows: tuple[PersonRow, ...]  # by name, any case
    team: PersonRow
    months: tuple[str, ...]  # the months of the targets, 'YYYY-MM'


def months_of(period: Period) -> tuple[str, ...]:
    """The months a period touches, as 'YYYY-MM', in order."""
    found = []
    year, month = period.first.year, period.first.month
    while date(year, month, 1) <= period.last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(found)


def _add(into: dict[K, int], key: K, amount: int) -> None:
    into[key] = into.get(key, 0) + amount


def _ordered(amounts: dict[str, int], currencies: Sequence[str]) -> dict[str, int]:
    return {code: amounts[code] for code in currencies if code in amounts}


def _team_targets(targets: Iterable[Money]) -> dict[str, int]:
    """Per currency: for each month, the team's own target if it has one, else its members'."""
    own: dict[tuple[str, str], int] = {}
    members: dict[tuple[str, str], int] = {}
    for row in targets:
        _add(own if row.person == TEAM else members, (row.month, row.currency), row.amount)
    totals: dict[str, int] = {}
    for key in own.keys() | members.keys():
        _add(totals, key[1], own[key] if key in own else members[key])
    return totals


def build_performance(facts: PerformanceFacts, period: Period, default_currency: str) -> Performance:
    """One row per person (the team's names, and anyone in the facts), and the team row."""
    names = {name for name in facts.people if name != TEAM}
    leads: dict[str, int] = {}
    moved: dict[str, int] = {}
    activity: dict[str, dict[str, int]] = {}
    won: dict[str, int] = {}
    won_days: dict[str, int] = {}
    lost: dict[str, int] = {}
    won_value: dict[str, dict[str, int]] = {}
    collected: dict[str, dict[str, int]] = {}
    targets: dict[str, dict[str, int]] = {}
    codes: set[str] = set()
    for count in facts.new_leads:
        _add(leads, count.person, count.count)
    for count in facts.moved:
        _add(moved, count.person, count.count)
    for act in facts.activity:
        _add(activity.setdefault(act.person, {}), act.kind, act.count)
    for closed in facts.closed:
        codes.add(closed.currency)
        if closed.kind == pipeline.WON:
            _add(won, closed.person, closed.count)
            _add(won_days, closed.person, closed.days)
            _add(won_value.setdefault(closed.person, {}), closed.currency, closed.amount)
        else:
            _add(lost, closed.person, closed.count)
    for money in facts.collected:
        codes.add(money.currency)
        _add(collected.setdefault(money.person, {}), money.currency, money.amount)
    for target in facts.targets:
        codes.add(target.currency)
        if target.person != TEAM:
            _add(targets.setdefault(target.person, {}), target.currency, target.amount)
    for found in (leads, moved, activity, won, lost, collected, targets):
        names |= set(found)
    currencies = tuple(ordered_currencies(codes, default_currency))

    def kinds(counts: dict[str, int]) -> dict[str, int]:
        others = sorted(kind for kind in counts if kind not in INTERACTION_KINDS)
        return {kind: counts.get(kind, 0) for kind in (*INTERACTION_KINDS, *others)}

    rows = tuple(
        PersonRow(
            person=name,
            new_leads=leads.get(name, 0),
            interactions=kinds(activity.get(name, {})),
            moved=moved.get(name, 0),
            won=won.get(name, 0),
            won_value=_ordered(won_value.get(name, {}), currencies),
            won_days=won_days.get(name, 0),
            lost=lost.get(name, 0),
            collected=_ordered(collected.get(name, {}), currencies),
            targets=_ordered(targets.get(name, {}), currencies),
        )
        for name in sorted(names, key=lambda name: (name.casefold(), name))
    )
    return Performance(
        period=period,
        currencies=currencies,
        rows=rows,
        team=_team_row(rows, facts.targets, currencies),
        months=months_of(period),
    )


def _team_row(rows: Sequence[PersonRow], targets: Iterable[Money], currencies: Sequence[str]) -> PersonRow:
    interactions: dict[str, int] = {}
    won_value: dict[str, int] = {}
    collected: dict[str, int] = {}
    for row in rows:
        for kind, count in row.interactions.items():
            _add(interactions, kind, count)
        for code, amount in row.won_value.items():
            _add(won_value, code, amount)
        for code, amount in row.collected.items():
            _add(collected, code, amount)
    return PersonRow(
        person=TEAM,
        new_leads=sum(row.new_leads for row in rows),
        interactions=interactions if rows else {kind: 0 for kind in INTERACTION_KINDS},
        moved=sum(row.moved for row in rows),
        won=sum(row.won for row in rows),
        won_value=_ordered(won_value, currencies),
        won_days=sum(row.won_days for row in rows),
        lost=sum(row.lost for row in rows),
        collected=_ordered(collected, currencies),
        targets=_ordered(_team_targets(targets), currencies),
        team=True,
    )


def person_name(row: PersonRow, shown: Callable[[str], str]) -> str:
    """The first cell of a row: the person as `shown` writes a name from the database, or
    'Team', or '(no owner)' for what nobody owns."""
    if row.team:
        return _("Team")
    return shown(row.person) if row.person else _("(no owner)")


def attainment_text(row: PersonRow) -> str:
    """'80%' against a target in one currency; 'USD 80% · CNY 45%' against several; '–' without."""
    shares = row.attainment
    if not shares:
        return "–"
    if len(shares) == 1:
        return percent(next(iter(shares.values())))
    return " · ".join(f"{code} {percent(value)}" for code, value in shares.items())
