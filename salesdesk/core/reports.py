"""Reports over a period: the figures behind the Reports screen and the weekly summary.

The store gathers facts over a period (`ReportFacts`, aggregated in SQL); `build_report`
turns them into the figures both faces show, so the screen and the weekly markdown can
never disagree. Pure Python: no SQL, no clock (`today` comes in), no UI.

Amounts are integers in minor units per currency. Different currencies are never added
together: every money figure is a mapping currency -> amount, the default currency first.
Days are UTC days, as the store keeps its timestamps.

Money collected (issue 20): receipts received in the period, refunds taken off, beside
the period before; what contracts are owed on `today` (their contract amount less every
receipt, a plan over the amount owed up to it) by age of each instalment, by customer and
by person (the deal's owner, else the customer's); the outstanding part of instalments by
due month beside the weighted forecast; and the median days from signing to fully
collected. What a receipt paid is worked out by `core.contracts.collection`.

Products and quotes (issue 19): won revenue by product and by category is the sum of the
lines (their stored totals) of the deals won in the period, per currency; lines without a
product are one row, "other lines". A quote's status beyond draft and sent is worked out,
never stored (`quote_status`): accepted when its deal was won on or after the day it was
sent, expired when its validity ended before today and it was not accepted, superseded
when a later revision of it exists.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean, median
from typing import NamedTuple

from salesdesk.core import pipeline
from salesdesk.core.contracts import (
    AGES,
    NOT_DUE,
    OVERDUE,
    Collection,
    InstalmentFact,
    ReceiptFact,
    add_months,
    age_of,
    collection,
    median_days,
)
from salesdesk.core.periods import MONTHS, IsoWeek, Period, month_text
from salesdesk.core.pipeline import Stage
from salesdesk.i18n import CHINESE, N_, _, language

# -- small shared helpers ----------------------------------------------------------------


def ordered_currencies(codes: Iterable[str], default: str) -> list[str]:
    """The default currency first, then the others alphabetically (each once)."""
    others = sorted({code for code in codes if code != default})
    return [default, *others]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(value: float | None) -> str:
    """'58%', '0.4%' below one percent, '–' when there is nothing to divide."""
    if value is None:
        return "–"
    if 0 < value < 0.01:
        return f"{value * 100:.1f}%"
    return f"{value * 100:.0f}%"


def days_text(value: float | None) -> str:
    """'12.2d' (days, one decimal); in Chinese '12.2天'; '–' when there is none."""
    if value is None:
        return "–"
    return f"{value:.1f}天" if language() == CHINESE else f"{value:.1f}d"


_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar `width` cells long at most, drawn to an eighth of a cell.

    A value above zero always shows at least a sliver, so a small week is not mistaken
    for an empty one.
    """
    if width <= 0 or maximum <= 0 or value <= 0:
        return ""
    eighths = max(1, round(min(value, maximum) / maximum * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


# -- the facts the store gathers ---------------------------------------------------------


class StageFlow(NamedTuple):
    """Deals that entered a stage in the period, and how many of them moved further on."""

    stage_id: str
    entered: int
    advanced: int


@dataclass(frozen=True, slots=True)
class ClosedDay:
    """Deals won or lost (by their current stage) that closed on one day, per currency."""

    kind: str  # pipeline.WON or pipeline.LOST
    day: date
    currency: str
    count: int
    amount: int


@dataclass(frozen=True, slots=True)
class OpenMonth:
    """Open deals expected to close in a month ('YYYY-MM'; None: no date), per currency."""

    month: str | None
    currency: str
    count: int
    amount: int
    weighted: int  # sum of amount x probability / 100, each deal rounded down


class StageOutcome(NamedTuple):
    """Of the deals closed in the period that were ever in a stage: how many, how many won."""

    stage_id: str
    closed: int
    won: int


@dataclass(frozen=True, slots=True)
class ReasonRow:
    reason: str
    currency: str
    count: int
    amount: int


# Orderable field by field: the activity read with the index and without it is sorted to compare.
@dataclass(frozen=True, slots=True, order=True)
class ActivityRow:
    kind: str
    person: str
    count: int


class CustomerCounts(NamedTuple):
    """Customers counted by their won deals (see `Report.repeat_rate`, `Report.retention_rate`)."""

    buyers: int = 0  # customers with a deal won (closed) in the period
    repeat_buyers: int = 0  # of those, customers whose won deals fall on two or more days
    previous_buyers: int = 0  # customers with a deal won in the period before
    retained: int = 0  # of those, customers who bought again in the period


@dataclass(frozen=True, slots=True)
class ProductSale:
    """The lines of the deals won in the period of one product (None: the lines without a
    product, the free text), in one currency."""

    product_id: str | None
    name: str
    code: str
    category: str
    unit: str
    currency: str
    quantity_milli: int  # core.lines: thousandths of the product's unit
    amount: int  # the sum of the lines' totals, in minor units
    deals: int  # distinct deals won with it


SENT, ACCEPTED, EXPIRED = "sent", "accepted", "expired"


@dataclass(frozen=True, slots=True)
class QuoteRow:
    """Quotes of one currency sent, accepted or expired in the period (`kind`)."""

    kind: str  # SENT, ACCEPTED or EXPIRED
    currency: str
    count: int
    amount: int  # the sum of the quotes' totals


@dataclass(frozen=True)
class ReportFacts:
    flows: tuple[StageFlow, ...] = ()
    stage_days: dict[str, tuple[float, ...]] = field(default_factory=dict)  # stage id -> visits
    closed: tuple[ClosedDay, ...] = ()
    open_deals: tuple[OpenMonth, ...] = ()
    outcomes: tuple[StageOutcome, ...] = ()
    reasons: tuple[ReasonRow, ...] = ()
    activity: tuple[ActivityRow, ...] = ()
    customers: CustomerCounts = CustomerCounts()
    products: tuple[ProductSale, ...] = ()
    quotes: tuple[QuoteRow, ...] = ()
    collections: "CollectionFacts | None" = None


# -- the figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    stage: Stage
    entered: int
    advanced: int | None  # None for the last stage: there is nowhere further to go
    share: float | None


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    visits: int  # stays in the stage that ended in the period
    median: float | None  # days
    average: float | None
    bottleneck: bool = False


@dataclass(frozen=True)
class Totals:
    count: int = 0
    amounts: dict[str, int] = field(default_factory=dict)  # currency -> minor units


@dataclass(frozen=True)
class Bucket:
    """A week or a month of won revenue in one currency."""

    label: str
    first: date
    count: int
    amount: int


@dataclass(frozen=True)
class ForecastRow:
    label: str  # 'Dec 2026', 'past due' or 'no date'
    month: str | None  # 'YYYY-MM'
    count: int
    amount: int
    weighted: int


@dataclass(frozen=True)
class ProbabilityCheck:
    stage: Stage
    configured: int  # percent
    closed: int
    won: int
    observed: float | None


@dataclass(frozen=True)
class ReasonRank:
    reason: str
    count: int
    amounts: dict[str, int]


@dataclass(frozen=True)
class Tally:
    name: str
    count: int


@dataclass(frozen=True)
class Sale:
    """Won revenue of a product, a category or the other lines, in one currency."""

    name: str  # the product's name or the category as typed; or the words of OTHER_LINES
    amount: int
    other: bool = False  # the lines without a product (and, by category, without one)
    code: str = ""  # the product's code
    category: str = ""  # the product's category as typed ('' for none)
    unit: str = ""
    quantity_milli: int = 0  # for a product: how much of it was sold; else 0
    deals: int = 0  # for a product: distinct deals won with it; else 0


@dataclass(frozen=True)
class QuoteFigures:
    sent: Totals = field(default_factory=Totals)
    accepted: Totals = field(default_factory=Totals)
    expired: Totals = field(default_factory=Totals)


# Labels of rows, shown in the language of the report (`_` where a report is built).
OTHER_LINES = N_("other lines")  # won lines without a product
NO_CATEGORY = N_("(no category)")
NO_REASON = N_("(no reason given)")
PAST_DUE, NO_DATE = N_("past due"), N_("no date")
ALL_OPEN = N_("all open deals")


@dataclass(frozen=True)
class Report:
    period: Period
    today: date
    currencies: tuple[str, ...]  # every currency with money in the report, the default first
    funnel: tuple[FunnelStep, ...]
    stage_times: tuple[StageTime, ...]
    won: Totals
    lost: Totals
    won_by_week: dict[str, tuple[Bucket, ...]]
    won_by_month: dict[str, tuple[Bucket, ...]]
    forecast: dict[str, tuple[ForecastRow, ...]]
    open_pipeline: dict[str, ForecastRow]  # currency -> every open deal in it
    probabilities: tuple[ProbabilityCheck, ...]
    lost_reasons: tuple[ReasonRank, ...]
    activity_by_kind: tuple[Tally, ...]
    activity_by_person: tuple[Tally, ...]
    customers: CustomerCounts
    # Per currency, the most revenue first, the other lines last.
    by_product: dict[str, tuple[Sale, ...]] = field(default_factory=dict)
    by_category: dict[str, tuple[Sale, ...]] = field(default_factory=dict)
    top_quantity: tuple[Sale, ...] = ()  # products by quantity sold, whatever the currency
    quotes: QuoteFigures = field(default_factory=QuoteFigures)
    collections: "Collections" = field(default_factory=lambda: Collections())

    @property
    def bottleneck(self) -> StageTime | None:
        return next((time for time in self.stage_times if time.bottleneck), None)

    @property
    def win_rate(self) -> float | None:
        """Won deals / deals closed (won or lost) in the period, whatever their currency."""
        return share(self.won.count, self.won.count + self.lost.count)

    @property
    def repeat_rate(self) -> float | None:
        """Repeat-purchase rate: of the customers with a deal won (closed) in the period,
        the share whose won deals, counted up to the period's end, fall on two or more
        different days. Deals closed on the same day count as one purchase."""
        return share(self.customers.repeat_buyers, self.customers.buyers)

    @property
    def retention_rate(self) -> float | None:
        """Retention rate: of the customers with a deal won in the period just before this
        one (the previous week or quarter, or as many days), the share with a deal won in
        this period too."""
        return share(self.customers.retained, self.customers.previous_buyers)

    @property
    def activity_total(self) -> int:
        return sum(tally.count for tally in self.activity_by_kind)


def build_report(
    facts: ReportFacts, stages: list[Stage], period: Period, today: date, default_currency: str
) -> Report:
    """Every figure of a period's report from the facts the store gathered."""
    stages = pipeline.ordered(stages)
    money_codes = (
        {row.currency for row in facts.closed}
        | {row.currency for row in facts.open_deals}
        | {row.currency for row in facts.reasons}
        | {row.currency for row in facts.products}
        | {row.currency for row in facts.quotes}
    )
    money = facts.collections
    if money is not None:
        money_codes |= (
            {row.currency for row in money.collected}
            | {row.currency for row in money.collected_before}
            | {contract.currency for contract in money.owed}
        )
    currencies = tuple(ordered_currencies(money_codes, default_currency))
    won = _totals(facts.closed, pipeline.WON, currencies)
    lost = _totals(facts.closed, pipeline.LOST, currencies)
    forecast, open_totals = _forecast(facts.open_deals, today, currencies)
    return Report(
        period=period,
        today=today,
        currencies=currencies,
        funnel=_funnel(facts.flows, stages),
        stage_times=_stage_times(facts.stage_days, stages),
        won=won,
        lost=lost,
        won_by_week=_won_buckets(
            facts.closed, period, currencies, _week_start, _week_label, timedelta(days=7)
        ),
        won_by_month=_won_buckets(facts.closed, period, currencies, _month_start, _month_label, None),
        forecast=forecast,
        open_pipeline=open_totals,
        probabilities=_probabilities(facts.outcomes, stages),
        lost_reasons=_reasons(facts.reasons, currencies),
        activity_by_kind=_tallies(facts.activity, lambda row: row.kind),
        activity_by_person=_tallies(facts.activity, lambda row: row.person),
        customers=facts.customers,
        by_product=_by_product(facts.products, currencies),
        by_category=_by_category(facts.products, currencies),
        top_quantity=_top_quantity(facts.products),
        quotes=QuoteFigures(
            sent=_quote_totals(facts.quotes, SENT, currencies),
            accepted=_quote_totals(facts.quotes, ACCEPTED, currencies),
            expired=_quote_totals(facts.quotes, EXPIRED, currencies),
        ),
        collections=Collections()
        if money is None
        else build_collections(money, period, today, currencies, facts.open_deals),
    )


def _funnel(flows: Iterable[StageFlow], stages: list[Stage]) -> tuple[FunnelStep, ...]:
    """Open and won stages in order: deals that entered each, and the share that moved
    on to a later stage (skipping one counts; Lost does not) before the period ended."""
    by_stage = {flow.stage_id: flow for flow in flows}
    column = pipeline.board_stages(stages)
    steps = []
    for index, stage in enumerate(column):
        flow = by_stage.get(stage.id, StageFlow(stage.id, 0, 0))
        last = index == len(column) - 1
        steps.append(
            FunnelStep(
                stage,
                flow.entered,
                None if last else flow.advanced,
                None if last else share(flow.advanced, flow.entered),
            )
        )
    return tuple(steps)


def _stage_times(stage_days: dict[str, tuple[float, ...]], stages: list[Stage]) -> tuple[StageTime, ...]:
    """Median and average days of the stays in each open stage that ended in the period;
    the bottleneck is the open stage with the longest median (then average) stay."""
    times = []
    for stage in stages:
        if stage.kind != pipeline.OPEN:
            continue
        days = stage_days.get(stage.id, ())
        times.append(
            StageTime(stage, len(days), median(days) if days else None, mean(days) if days else None)
        )
    timed = [time for time in times if time.visits]
    if not timed:
        return tuple(times)
    slowest = max(timed, key=lambda time: (time.median, time.average, -time.stage.position))
    return tuple(StageTime(t.stage, t.visits, t.median, t.average, t is slowest) for t in times)


def _totals(closed: Iterable[ClosedDay], kind: str, currencies: Sequence[str]) -> Totals:
    count = 0
    amounts: dict[str, int] = {}
    for row in closed:
        if row.kind == kind:
            count += row.count
            amounts[row.currency] = amounts.get(row.currency, 0) + row.amount
    return Totals(count, {code: amounts[code] for code in currencies if code in amounts})


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_label(first: date) -> str:
    """'2026-W48 23 Nov'; in Chinese '第48周 11月23日' (the span above gives the year)."""
    if language() == CHINESE:
        return f"第{IsoWeek.of(first).week}周 {first.month}月{first.day}日"
    return f"{IsoWeek.of(first)} {first.day:02d} {MONTHS[first.month - 1]}"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_label(first: date) -> str:
    return month_text(first)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _won_buckets(
    closed: Iterable[ClosedDay],
    period: Period,
    currencies: Sequence[str],
    start: Callable[[date], date],
    label: Callable[[date], str],
    step: timedelta | None,
) -> dict[str, tuple[Bucket, ...]]:
    """Won revenue per week (or month) of the period, per currency, empty buckets included
    so the bars show the quiet weeks too. Currencies with nothing won are left out."""
    sums: dict[tuple[str, date], list[int]] = {}
    for row in closed:
        if row.kind != pipeline.WON:
            continue
        key = (row.currency, start(row.day))
        total = sums.setdefault(key, [0, 0])
        total[0] += row.count
        total[1] += row.amount
    firsts: list[date] = []
    first = start(period.first)
    while first <= period.last:
        firsts.append(first)
        first = first + step if step else _next_month(first)
    result: dict[str, tuple[Bucket, ...]] = {}
    for code in currencies:
        if not any(currency == code for currency, _ in sums):
            continue
        result[code] = tuple(Bucket(label(day), day, *sums.get((code, day), (0, 0))) for day in firsts)
    return result


def _forecast(
    open_deals: Iterable[OpenMonth], today: date, currencies: Sequence[str]
) -> tuple[dict[str, tuple[ForecastRow, ...]], dict[str, ForecastRow]]:
    """Open deals by expected close month, per currency: months before this one are
    'past due', deals without a date 'no date'. Also each currency's whole pipeline."""
    this_month = f"{today:%Y-%m}"
    grouped: dict[tuple[str, str | None], list[int]] = {}
    for row in open_deals:
        month = row.month if row.month is None or row.month >= this_month else PAST_DUE
        total = grouped.setdefault((row.currency, month), [0, 0, 0])
        total[0] += row.count
        total[1] += row.amount
        total[2] += row.weighted
    forecast: dict[str, tuple[ForecastRow, ...]] = {}
    pipeline_totals: dict[str, ForecastRow] = {}
    for code in currencies:
        keys = [month for currency, month in grouped if currency == code]
        if not keys:
            continue
        order = sorted(keys, key=lambda m: (m is None, m != PAST_DUE, m or ""))
        rows = []
        for month in order:
            count, amount, weighted = grouped[(code, month)]
            if month is None:
                label, key = _(NO_DATE), None
            elif month == PAST_DUE:
                label, key = _(PAST_DUE), None
            else:
                label, key = _month_label(date.fromisoformat(month + "-01")), month
            rows.append(ForecastRow(label, key, count, amount, weighted))
        forecast[code] = tuple(rows)
        pipeline_totals[code] = ForecastRow(
            _(ALL_OPEN),
            None,
            sum(r.count for r in rows),
            sum(r.amount for r in rows),
            sum(r.weighted for r in rows),
        )
    return forecast, pipeline_totals


def _probabilities(outcomes: Iterable[StageOutcome], stages: list[Stage]) -> tuple[ProbabilityCheck, ...]:
    """Each open stage's configured win probability beside the one observed: of the deals
    closed in the period that had been in the stage, the share that was won."""
    by_stage = {row.stage_id: row for row in outcomes}
    checks = []
    for stage in stages:
        if stage.kind != pipeline.OPEN:
            continue
        row = by_stage.get(stage.id, StageOutcome(stage.id, 0, 0))
        checks.append(
            ProbabilityCheck(stage, stage.probability, row.closed, row.won, share(row.won, row.closed))
        )
    return tuple(checks)


def _reasons(rows: Iterable[ReasonRow], currencies: Sequence[str]) -> tuple[ReasonRank, ...]:
    """Lost reasons, the most frequent first (then by name); an empty reason is named."""
    counts: dict[str, int] = {}
    amounts: dict[str, dict[str, int]] = {}
    for row in rows:
        reason = row.reason.strip() or _(NO_REASON)
        counts[reason] = counts.get(reason, 0) + row.count
        per = amounts.setdefault(reason, {})
        per[row.currency] = per.get(row.currency, 0) + row.amount
    ranked = sorted(counts, key=lambda reason: (-counts[reason], reason.casefold(), reason))
    return tuple(
        ReasonRank(
            reason,
            counts[reason],
            {code: amounts[reason][code] for code in currencies if code in amounts[reason]},
        )
        for reason in ranked
    )


def _tallies(rows: Iterable[ActivityRow], key: Callable[[ActivityRow], str]) -> tuple[Tally, ...]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[key(row)] = counts.get(key(row), 0) + row.count
    ranked = sorted(counts, key=lambda name: (-counts[name], name.casefold(), name))
    return tuple(Tally(name, counts[name]) for name in ranked)


# -- products and quotes -----------------------------------------------------------------


def _ranked(sales: Iterable[Sale]) -> tuple[Sale, ...]:
    """The most revenue first (then by name); the other lines last."""
    return tuple(sorted(sales, key=lambda s: (s.other, -s.amount, s.name.casefold(), s.name, s.code)))


def _by_product(rows: Iterable[ProductSale], currencies: Sequence[str]) -> dict[str, tuple[Sale, ...]]:
    found: dict[str, list[Sale]] = {}
    for row in rows:
        if row.product_id is None:
            sale = Sale(_(OTHER_LINES), row.amount, other=True)
        else:
            sale = Sale(
                row.name,
                row.amount,
                code=row.code,
                category=row.category,
                unit=row.unit,
                quantity_milli=row.quantity_milli,
                deals=row.deals,
            )
        found.setdefault(row.currency, []).append(sale)
    return {code: _ranked(found[code]) for code in currencies if code in found}


def _by_category(rows: Iterable[ProductSale], currencies: Sequence[str]) -> dict[str, tuple[Sale, ...]]:
    """Products' revenue summed by their category as typed (trimmed; none is named)."""
    sums: dict[tuple[str, str | None], int] = {}
    for row in rows:
        key = (row.currency, None if row.product_id is None else row.category.strip())
        sums[key] = sums.get(key, 0) + row.amount
    result: dict[str, tuple[Sale, ...]] = {}
    for code in currencies:
        sales = [
            Sale(_(OTHER_LINES), amount, other=True)
            if category is None
            else Sale(category or _(NO_CATEGORY), amount, category=category)
            for (currency, category), amount in sums.items()
            if currency == code
        ]
        if sales:
            result[code] = _ranked(sales)
    return result


def _top_quantity(rows: Iterable[ProductSale]) -> tuple[Sale, ...]:
    """Products by quantity sold, the lines of every currency together (a quantity has no
    currency). Their `amount` is 0: revenue is `by_product`'s, per currency."""
    quantities: dict[str, list[ProductSale]] = {}
    for row in rows:
        if row.product_id is not None:
            quantities.setdefault(row.product_id, []).append(row)
    sales = []
    for found in quantities.values():
        first = found[0]
        sales.append(
            Sale(
                first.name,
                0,
                code=first.code,
                category=first.category,
                unit=first.unit,
                quantity_milli=sum(row.quantity_milli for row in found),
                deals=sum(row.deals for row in found),
            )
        )
    return tuple(sorted(sales, key=lambda s: (-s.quantity_milli, s.name.casefold(), s.name, s.code)))


def _quote_totals(rows: Iterable[QuoteRow], kind: str, currencies: Sequence[str]) -> Totals:
    count = 0
    amounts: dict[str, int] = {}
    for row in rows:
        if row.kind == kind:
            count += row.count
            amounts[row.currency] = amounts.get(row.currency, 0) + row.amount
    return Totals(count, {code: amounts[code] for code in currencies if code in amounts})


DRAFT, SUPERSEDED = "draft", "superseded"
QUOTE_STATUSES = {  # a status -> its name, shown with `_`
    DRAFT: N_("draft"),
    SENT: N_("sent"),
    ACCEPTED: N_("accepted"),
    EXPIRED: N_("expired"),
    SUPERSEDED: N_("superseded"),
}


def quote_status(
    *, sent_on: date | None, valid_until: date, latest: bool, won_on: date | None, today: date
) -> str:
    """What a quote is now, worked out from its record and its deal, never stored.

    `sent_on`: the day it was sent (None: a draft, which stays a draft whatever its dates:
    it was never offered); `latest`: no later revision of it exists; `won_on`: the day its
    deal was won, if it is won now. A later revision supersedes it; else it is accepted
    when the deal was won on or after the day it was sent, expired when its last valid day
    is before `today` and it was not accepted, and sent otherwise. The Reports count them
    the same way (`store.reports.ReportQueries.quotes`).
    """
    if not latest:
        return SUPERSEDED
    if sent_on is None:
        return DRAFT
    if won_on is not None and won_on >= sent_on:
        return ACCEPTED
    if valid_until < today:
        return EXPIRED
    return SENT


# -- money collected (回款, issue 20) ------------------------------------------------------
#
# What a receipt pays is worked out with `core.contracts.collection`, never stored. The
# store reads, per contract still owed money on `today`, its instalments and receipts;
# the figures below are made from them, per currency, never converted.


@dataclass(frozen=True)
class ContractFact:
    """A contract with its plan and its receipts, as the reports need it."""

    id: str
    number: str
    currency: str
    amount: int
    signed_on: date | None
    customer: str  # the customer's name
    person: str  # the deal's owner, else the customer's
    instalments: tuple[InstalmentFact, ...] = ()
    receipts: tuple[ReceiptFact, ...] = ()
    # The collection worked out on a day, kept: the Reports and the weekly list read it twice.
    _states: dict[date, Collection] = field(default_factory=dict, compare=False, repr=False)

    def collection(self, today: date) -> Collection:
        state = self._states.get(today)
        if state is None:
            state = self._states[today] = collection(
                self.amount, self.instalments, self.receipts, today, unplanned_due=self.signed_on or today
            )
        return state


class CollectedRow(NamedTuple):
    """Receipts of one currency received in a period, refunds taken off."""

    currency: str
    amount: int
    receipts: int  # how many, refunds too


@dataclass(frozen=True)
class CollectionFacts:
    collected: tuple[CollectedRow, ...] = ()
    collected_before: tuple[CollectedRow, ...] = ()  # the period before, as long
    owed: tuple[ContractFact, ...] = ()  # contracts still owed money on `today`
    # Contracts with a receipt in the period, with their receipts up to its end: those
    # that became fully collected in it give the days from signing.
    settled: tuple[ContractFact, ...] = ()
    contracts: bool = False  # whether any contract with an amount exists, in any period


@dataclass(frozen=True)
class Receivable:
    """What one customer (or person) owes, in one currency, on `today`."""

    name: str
    outstanding: int
    overdue: int


@dataclass(frozen=True)
class ExpectedMonth:
    """Money expected in a month, in one currency: the outstanding part of open
    instalments due in it, beside the weighted forecast of the open deals expected to
    close in it. `month` None: the overdue row (instalments past due, deals past their
    expected close) or the later one (after the months shown)."""

    label: str
    month: str | None
    collections: int
    weighted: int


@dataclass(frozen=True)
class LateInstalment:
    """An instalment not fully paid on `today` that fell due in a span (the weekly list)."""

    due_on: date
    customer: str
    number: str
    currency: str
    outstanding: int
    person: str


@dataclass(frozen=True)
class Collections:
    collected: dict[str, int] = field(default_factory=dict)  # currency -> minor units
    collected_before: dict[str, int] = field(default_factory=dict)
    receipts: int = 0  # receipts (refunds too) received in the period
    outstanding: dict[str, int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)
    by_age: dict[str, dict[str, int]] = field(default_factory=dict)  # currency -> AGES -> amount
    by_customer: dict[str, tuple[Receivable, ...]] = field(default_factory=dict)  # the most first
    by_person: dict[str, tuple[Receivable, ...]] = field(default_factory=dict)
    expected: dict[str, tuple[ExpectedMonth, ...]] = field(default_factory=dict)
    settled: int = 0  # contracts fully collected in the period (with a signing day)
    median_days: float | None = None  # from signing to fully collected, over those
    contracts: bool = False  # any contract with an amount exists (else the Reports leave this out)

    @property
    def any(self) -> bool:
        return bool(self.collected or self.collected_before or self.outstanding or self.settled)


EXPECTED_MONTHS = 6  # months of expected collections shown, this one first
OVERDUE_ROW, LATER_ROW = N_("overdue"), N_("later")


def _receivables_by_state(
    owed: Iterable[ContractFact], today: date
) -> Iterable[tuple[ContractFact, date, int]]:
    """Each owed contract's money still to come on `today`: (contract, due day, amount).

    The instalments' outstanding parts; what the contract is owed beyond its plan (a plan
    short of the amount) is due on the last instalment's day, else on signing.
    """
    for contract in owed:
        state = contract.collection(today)
        left = state.outstanding  # a plan over the amount is owed up to the amount
        for part in state.instalments:
            take = min(part.outstanding, left)
            if take > 0:
                left -= take
                yield contract, part.instalment.due_on, take
        if left > 0:
            last = max((part.instalment.due_on for part in state.instalments), default=None)
            yield contract, last or contract.signed_on or today, left


def late_instalments(
    owed: Iterable[ContractFact], today: date, first: date, last: date
) -> list[LateInstalment]:
    """Instalments overdue on `today` that fell due from `first` to `last` (became overdue
    the day after), the oldest first."""
    found = []
    for contract in owed:
        for part in contract.collection(today).instalments:
            due = part.instalment.due_on
            if part.status == OVERDUE and first <= due <= last:
                found.append(
                    LateInstalment(
                        due,
                        contract.customer,
                        contract.number,
                        contract.currency,
                        part.outstanding,
                        contract.person,
                    )
                )
    return sorted(found, key=lambda late: (late.due_on, late.customer, late.number, -late.outstanding))


def _sums(rows: Iterable[CollectedRow], currencies: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for row in rows:
        found[row.currency] = found.get(row.currency, 0) + row.amount
    return {code: found[code] for code in currencies if code in found}


def _ranked_receivables(
    owed: dict[tuple[str, str], list[int]], currencies: Sequence[str], limit: int | None
) -> dict[str, tuple[Receivable, ...]]:
    result: dict[str, tuple[Receivable, ...]] = {}
    for code in currencies:
        rows = [Receivable(name, *sums) for (currency, name), sums in owed.items() if currency == code]
        if rows:
            rows.sort(key=lambda r: (-r.outstanding, -r.overdue, r.name.casefold(), r.name))
            result[code] = tuple(rows[:limit] if limit else rows)
    return result


def _month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def build_collections(
    facts: CollectionFacts,
    period: Period,
    today: date,
    currencies: Sequence[str],
    open_deals: Iterable[OpenMonth] = (),
    *,
    top_customers: int | None = 10,
) -> Collections:
    """The money collected in the period and the one before, what is owed on `today` by
    age, by customer (the `top_customers` owed the most) and by person, the collections
    expected by month beside the weighted forecast, and the median days from signing to
    fully collected of the contracts fully collected in the period."""
    ages: dict[str, dict[str, int]] = {}
    customers: dict[tuple[str, str], list[int]] = {}
    people: dict[tuple[str, str], list[int]] = {}
    this_month = _month_key(today)
    months = [_month_key(add_months(today.replace(day=1), n)) for n in range(EXPECTED_MONTHS)]
    expected: dict[
        tuple[str, str | None], list[int]
    ] = {}  # (currency, month or row) -> [collections, weighted]

    def slot(month: str) -> str:
        if month < this_month:
            return OVERDUE_ROW
        return month if month in months else LATER_ROW

    for contract, due_on, amount in _receivables_by_state(facts.owed, today):
        code, age = contract.currency, age_of(due_on, today)
        by_age = ages.setdefault(code, dict.fromkeys(AGES, 0))
        by_age[age] += amount
        late = amount if age != NOT_DUE else 0
        for owed, name in ((customers, contract.customer), (people, contract.person)):
            sums = owed.setdefault((code, name), [0, 0])
            sums[0] += amount
            sums[1] += late
        key = OVERDUE_ROW if late else slot(_month_key(due_on))
        expected.setdefault((code, key), [0, 0])[0] += amount
    for row in open_deals:
        if row.month is None:
            continue  # deals without an expected close: the forecast panel counts them
        expected.setdefault((row.currency, slot(row.month)), [0, 0])[1] += row.weighted

    outstanding = {code: sum(by_age.values()) for code, by_age in ages.items()}
    overdue = {code: sum(v for age, v in by_age.items() if age != NOT_DUE) for code, by_age in ages.items()}
    expected_rows: dict[str, tuple[ExpectedMonth, ...]] = {}
    for code in currencies:
        if not any(currency == code and sums[0] for (currency, _key), sums in expected.items()):
            continue  # nothing owed in this currency: the forecast panel shows its deals
        rows = []
        for key in (OVERDUE_ROW, *months, LATER_ROW):
            collections, weighted = expected.get((code, key), (0, 0))
            if key in (OVERDUE_ROW, LATER_ROW):
                if collections or weighted:
                    rows.append(ExpectedMonth(_(key), None, collections, weighted))
            else:
                rows.append(
                    ExpectedMonth(_month_label(date.fromisoformat(key + "-01")), key, collections, weighted)
                )
        expected_rows[code] = tuple(rows)

    spans = []
    for contract in facts.settled:
        if contract.signed_on is None:
            continue
        reached = contract.collection(period.last).collected_on
        if reached is not None and period.first <= reached <= period.last:
            spans.append(max((reached - contract.signed_on).days, 0))
    order = [code for code in currencies if code in ages]
    return Collections(
        collected=_sums(facts.collected, currencies),
        collected_before=_sums(facts.collected_before, currencies),
        receipts=sum(row.receipts for row in facts.collected),
        outstanding={code: outstanding[code] for code in order},
        overdue={code: overdue[code] for code in order},
        by_age={code: ages[code] for code in order},
        by_customer=_ranked_receivables(customers, currencies, top_customers),
        by_person=_ranked_receivables(people, currencies, None),
        expected=expected_rows,
        settled=len(spans),
        median_days=median_days(spans),
        contracts=facts.contracts or bool(facts.owed or facts.settled or facts.collected),
    )
