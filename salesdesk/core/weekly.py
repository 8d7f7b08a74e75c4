"""The weekly summary: what a week produced, beside the week before, as plain data.

The figures it shares with the Reports screen (won and lost, win rate, activity) come
from `salesdesk.core.reports.build_report` over the week, so the two always agree.
`salesdesk.io.weekly` writes the result as markdown. Pure Python; `today` comes in.

Definitions, as the summary prints them:
- new leads: deals that entered the pipeline in the week (created, in any stage);
- won and lost: deals now in a won (lost) stage that closed in the week;
- open pipeline: deals in an open stage when the week ended (or now, for the current
  week), at their current amounts; weighted by the deal's own probability, else the
  probability of the stage they were in then;
- follow-ups done: marked done in the week; overdue: due before the week's end (before
  today, for the current week) and not done when the week ended (not done now);
- products won: the lines of the deals won in the week, per product and currency (the
  lines without a product as "other lines"), and the same by category;
- quotes: sent in the week; accepted, their deal won in the week after they were sent;
  expired, their last valid day in the week (and before today) and not accepted;
- money collected: receipts received in the week, refunds taken off, beside the week
  before; outstanding and overdue by age on `today` (the Reports' figures); the receipts
  of the week; the instalments that became overdue in the week (due the day before one
  of its days, up to today) and are still not fully paid on `today`;
- after-sales cases: opened in the week, closed in it, and open or waiting now;
- the team (everyone's summary only): each person's work over the week, as
  `salesdesk.core.performance` defines it.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from salesdesk.core import pipeline
from salesdesk.core.agenda import AgendaItem
from salesdesk.core.performance import Performance
from salesdesk.core.periods import IsoWeek
from salesdesk.core.pipeline import Stage
from salesdesk.core.reports import (
    Collections,
    LateInstalment,
    OpenMonth,
    QuoteFigures,
    Report,
    Sale,
    ordered_currencies,
)
from salesdesk.core.targets import PeriodProgress
from salesdesk.i18n import N_, _

SHOWN_PER_CURRENCY = 15  # deals listed per currency in each list of deals
SHOWN_FOLLOWUPS = 25
SHOWN_DUE = 30
SHOWN_PRODUCTS = 10  # products listed per currency (the other lines are listed besides)
SHOWN_RECEIPTS = 30
SHOWN_LATE = 30
NEW = N_("new")  # the "from" of a deal's first stage


@dataclass(frozen=True, slots=True)
class MoveRow:
    """Stage changes in a period from one stage to another (from None: new deals), per currency."""

    from_stage: str | None
    to_stage: str
    currency: str
    count: int
    amount: int


class DealLine(NamedTuple):
    """A deal in a list: won or lost in the week, or expected to close soon."""

    title: str
    customer: str
    amount: int
    currency: str
    day: date  # closed on, or expected to close on
    owner: str
    stage: str
    reason: str = ""  # why it was lost
    weighted: int = 0  # amount x probability, for a deal still open
    of: int = 0  # how many deals of its currency the list holds in all


class FollowUpLine(NamedTuple):
    due: date
    title: str
    customer: str
    owner: str
    deal: str
    of: int = 0  # how many overdue follow-ups in all


class ReceiptLine(NamedTuple):
    """A receipt of the week (negative: a refund), in its contract's currency."""

    received_on: date
    customer: str
    number: str  # the contract's
    currency: str
    amount: int
    method: str
    person: str  # the deal's owner, else the customer's
    of: int = 0  # how many receipts the week has in all


class CaseCounts(NamedTuple):
    """After-sales cases: opened in the week, closed in it, open (or waiting) now."""

    opened: int = 0
    closed: int = 0
    open_now: int = 0


class OpenDeal(NamedTuple):
    """A deal whose stage changed after a moment, with its stage then (None: not yet made)."""

    id: str
    currency: str
    amount: int
    probability: int | None
    stage_id: str
    stage_then: str | None


@dataclass(frozen=True)
class WeeklyFacts:
    week: IsoWeek
    today: date
    user: str
    everyone: bool
    report: Report  # of the week
    before: Report  # of the week before, its headline facts only
    moves: tuple[MoveRow, ...]
    moves_before: tuple[MoveRow, ...]
    won: tuple[DealLine, ...]
    lost: tuple[DealLine, ...]
    open_now: tuple[OpenMonth, ...]
    changed_since_end: tuple[OpenDeal, ...]  # stage changes after the week ended
    changed_since_start: tuple[OpenDeal, ...]  # stage changes since the week began
    followups_done: int
    followups_done_before: int
    overdue: tuple[FollowUpLine, ...]
    due_next_week: tuple[AgendaItem, ...]
    closing: tuple[DealLine, ...]
    closing_last: date
    receipts: tuple[ReceiptLine, ...] = ()
    late: tuple[LateInstalment, ...] = ()  # became overdue in the week, still owed today
    cases: CaseCounts = CaseCounts()
    targets: tuple[PeriodProgress, ...] = ()  # the month's and the quarter's (issue 21)
    team: Performance | None = None  # everyone's summary: a row per person


@dataclass(frozen=True)
class Pipeline:
    count: int
    amounts: dict[str, int]
    weighted: dict[str, int]


COUNT, MONEY, RATE = "count", "money", "rate"


@dataclass(frozen=True)
class Headline:
    label: str
    kind: str  # COUNT, MONEY or RATE
    this: int | float | None
    before: int | float | None
    currency: str | None = None

    @property
    def change(self) -> int | float | None:
        if self.this is None or self.before is None:
            return None
        return self.this - self.before


@dataclass(frozen=True)
class MoveCount:
    from_name: str
    to_name: str
    count: int
    amounts: dict[str, int]


@dataclass(frozen=True)
class WeeklySummary:
    week: IsoWeek
    today: date
    user: str
    everyone: bool
    currencies: tuple[str, ...]
    headline: tuple[Headline, ...]
    moves: tuple[MoveCount, ...]
    won: tuple[DealLine, ...]
    won_count: dict[str, int]  # per currency, all of them (the list shows the largest)
    lost: tuple[DealLine, ...]
    lost_count: dict[str, int]
    report: Report
    followups_done: int
    overdue: tuple[FollowUpLine, ...]
    overdue_count: int
    due_next_week: tuple[AgendaItem, ...]
    due_count: int
    due_kinds: tuple[tuple[str, int], ...]  # (kind, count), the most first
    closing: tuple[DealLine, ...]
    closing_count: dict[str, int]
    closing_last: date
    # Per currency: the products won with the most revenue (the other lines last), and how
    # many products were won in all; revenue by category; the quotes of the week.
    products: dict[str, tuple[Sale, ...]] = field(default_factory=dict)
    product_count: dict[str, int] = field(default_factory=dict)
    categories: dict[str, tuple[Sale, ...]] = field(default_factory=dict)
    quotes: QuoteFigures = field(default_factory=QuoteFigures)
    collections: Collections = field(default_factory=Collections)
    receipts: tuple[ReceiptLine, ...] = ()  # the first SHOWN_RECEIPTS of the week
    receipt_count: int = 0
    late: tuple[LateInstalment, ...] = ()
    late_count: int = 0
    cases: CaseCounts = CaseCounts()
    targets: tuple[PeriodProgress, ...] = ()  # the month's and the quarter's progress
    team: Performance | None = None

    @property
    def finished(self) -> bool:
        """Whether the week was over on `today` (else the summary is of the week so far)."""
        return self.today > self.week.sunday

    @property
    def next_week(self) -> IsoWeek:
        return self.week.next()


def pipeline_at(
    open_now: Iterable[OpenMonth], changed: Iterable[OpenDeal], stages: Iterable[Stage]
) -> Pipeline:
    """The open pipeline at a past moment: today's, with the deals that moved since put
    back in the stage they were in then (weighted by that stage, unless they have their
    own probability). Amounts are today's: a changed amount is not replayed."""
    by_id = {stage.id: stage for stage in stages}
    count = 0
    amounts: dict[str, int] = {}
    weighted: dict[str, int] = {}

    def add(sign: int, deal: OpenDeal, stage_id: str | None) -> None:
        nonlocal count
        stage = None if stage_id is None else by_id.get(stage_id)
        if stage is None or stage.kind != pipeline.OPEN:
            return
        part = deal.amount * (stage.probability if deal.probability is None else deal.probability) // 100
        count += sign
        amounts[deal.currency] = amounts.get(deal.currency, 0) + sign * deal.amount
        weighted[deal.currency] = weighted.get(deal.currency, 0) + sign * part

    for row in open_now:
        count += row.count
        amounts[row.currency] = amounts.get(row.currency, 0) + row.amount
        weighted[row.currency] = weighted.get(row.currency, 0) + row.weighted
    for deal in changed:
        add(-1, deal, deal.stage_id)
        add(+1, deal, deal.stage_then)
    return Pipeline(count, amounts, weighted)


def _new_leads(moves: Iterable[MoveRow]) -> tuple[int, dict[str, int]]:
    count = 0
    amounts: dict[str, int] = {}
    for row in moves:
        if row.from_stage is None:
            count += row.count
            amounts[row.currency] = amounts.get(row.currency, 0) + row.amount
    return count, amounts


def _moves(moves: Iterable[MoveRow], stages: list[Stage], currencies: Sequence[str]) -> tuple[MoveCount, ...]:
    """Moves grouped from -> to, in pipeline order (new deals first)."""
    by_id = {stage.id: stage for stage in stages}
    counts: dict[tuple[str | None, str], int] = {}
    amounts: dict[tuple[str | None, str], dict[str, int]] = {}
    for row in moves:
        key = (row.from_stage, row.to_stage)
        counts[key] = counts.get(key, 0) + row.count
        per = amounts.setdefault(key, {})
        per[row.currency] = per.get(row.currency, 0) + row.amount

    def name(stage_id: str | None) -> str:
        if stage_id is None:
            return _(NEW)
        return by_id[stage_id].name if stage_id in by_id else stage_id

    def place(stage_id: str | None) -> tuple[int, str]:
        if stage_id is None:
            return (-1, "")
        stage = by_id.get(stage_id)
        return (stage.position, stage.name) if stage else (999, stage_id)

    order = sorted(counts, key=lambda key: (place(key[0]), place(key[1])))
    return tuple(
        MoveCount(
            name(source),
            name(target),
            counts[(source, target)],
            {c: amounts[(source, target)][c] for c in currencies if c in amounts[(source, target)]},
        )
        for source, target in order
    )


def _largest(
    lines: Iterable[DealLine], currencies: Sequence[str], limit: int
) -> tuple[tuple[DealLine, ...], dict[str, int]]:
    """The `limit` largest deals of each currency, the default currency first."""
    rank = {code: index for index, code in enumerate(currencies)}
    ordered = sorted(
        lines,
        key=lambda d: (
            rank.get(d.currency, len(rank)),
            d.currency,
            -d.amount,
            d.day,
            d.title,
            d.customer,
            d.owner,
            d.reason,
        ),
    )
    shown: list[DealLine] = []
    seen: dict[str, int] = {}
    totals: dict[str, int] = {}
    for line in ordered:
        totals[line.currency] = line.of
        seen[line.currency] = seen.get(line.currency, 0) + 1
        if seen[line.currency] <= limit:
            shown.append(line)
    order = sorted(totals, key=lambda code: (rank.get(code, len(rank)), code))
    return tuple(shown), {code: totals[code] for code in order}


def _top_products(
    by_product: Mapping[str, tuple[Sale, ...]], limit: int
) -> tuple[dict[str, tuple[Sale, ...]], dict[str, int]]:
    """The `limit` products of each currency with the most revenue, then its other lines."""
    shown: dict[str, tuple[Sale, ...]] = {}
    counts: dict[str, int] = {}
    for code, sales in by_product.items():
        products = [sale for sale in sales if not sale.other]
        shown[code] = (*products[:limit], *(sale for sale in sales if sale.other))
        counts[code] = len(products)
    return shown, counts


def _due_order(item: AgendaItem) -> tuple[date, str, str, str, str, str, str, str]:
    return (item.due, item.due_time or "", item.what, item.who, item.why, item.deal, item.owner, item.key)


def build_weekly(facts: WeeklyFacts, stages: list[Stage], default_currency: str) -> WeeklySummary:
    report, before = facts.report, facts.before
    end = pipeline_at(facts.open_now, facts.changed_since_end, stages)
    start = pipeline_at(facts.open_now, facts.changed_since_start, stages)
    new_count, new_amounts = _new_leads(facts.moves)
    old_count, old_amounts = _new_leads(facts.moves_before)
    codes = (
        set(report.currencies)
        | set(before.currencies)
        | set(end.amounts)
        | set(start.amounts)
        | set(new_amounts)
        | set(old_amounts)
    )
    currencies = tuple(ordered_currencies(codes, default_currency))

    rows: list[Headline] = []

    def money_rows(label: str, this: Mapping[str, int], previous: Mapping[str, int]) -> None:
        for code in currencies:
            if code == default_currency or this.get(code) or previous.get(code):
                rows.append(
                    Headline(f"{_(label)} ({code})", MONEY, this.get(code, 0), previous.get(code, 0), code)
                )

    rows.append(Headline(_("New leads"), COUNT, new_count, old_count))
    money_rows(N_("New leads value"), new_amounts, old_amounts)
    rows.append(Headline(_("Won"), COUNT, report.won.count, before.won.count))
    money_rows(N_("Won value"), report.won.amounts, before.won.amounts)
    rows.append(Headline(_("Lost"), COUNT, report.lost.count, before.lost.count))
    money_rows(N_("Lost value"), report.lost.amounts, before.lost.amounts)
    rows.append(Headline(_("Win rate"), RATE, report.win_rate, before.win_rate))
    rows.append(Headline(_("Open pipeline"), COUNT, end.count, start.count))
    money_rows(N_("Open pipeline value"), end.amounts, start.amounts)
    money_rows(N_("Weighted pipeline value"), end.weighted, start.weighted)
    rows.append(Headline(_("Interactions logged"), COUNT, report.activity_total, before.activity_total))
    rows.append(Headline(_("Follow-ups done"), COUNT, facts.followups_done, facts.followups_done_before))

    won, won_count = _largest(facts.won, currencies, SHOWN_PER_CURRENCY)
    lost, lost_count = _largest(facts.lost, currencies, SHOWN_PER_CURRENCY)
    closing, closing_count = _largest(facts.closing, currencies, SHOWN_PER_CURRENCY)
    due = sorted(facts.due_next_week, key=_due_order)
    products, product_count = _top_products(report.by_product, SHOWN_PRODUCTS)
    kinds: dict[str, int] = {}
    for item in due:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    return WeeklySummary(
        week=facts.week,
        today=facts.today,
        user=facts.user,
        everyone=facts.everyone,
        currencies=currencies,
        headline=tuple(rows),
        moves=_moves(facts.moves, stages, currencies),
        won=won,
        won_count=won_count,
        lost=lost,
        lost_count=lost_count,
        report=report,
        followups_done=facts.followups_done,
        overdue=facts.overdue[:SHOWN_FOLLOWUPS],
        overdue_count=facts.overdue[0].of if facts.overdue else 0,
        due_next_week=tuple(due[:SHOWN_DUE]),
        due_count=len(due),
        due_kinds=tuple(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        closing=closing,
        closing_count=closing_count,
        closing_last=facts.closing_last,
        products=products,
        product_count=product_count,
        categories=dict(report.by_category),
        quotes=report.quotes,
        collections=report.collections,
        receipts=facts.receipts[:SHOWN_RECEIPTS],
        receipt_count=facts.receipts[0].of if facts.receipts else 0,
        late=facts.late[:SHOWN_LATE],
        late_count=len(facts.late),
        cases=facts.cases,
        targets=facts.targets,
        team=facts.team,
    )
