"""Report figures from facts: weeks and periods, medians, shares, currencies kept apart."""

from datetime import date

import pytest

from salesdesk.core import pipeline
from salesdesk.core.agenda import AgendaItem
from salesdesk.core.errors import InvalidValue
from salesdesk.core.periods import (
    PRESETS,
    IsoWeek,
    Period,
    parse_iso_week,
    preset_period,
    quarter_of,
    weeks_in_year,
)
from salesdesk.core.pipeline import DEFAULT_STAGES
from salesdesk.core.reports import (
    NO_DATE,
    NO_REASON,
    PAST_DUE,
    ActivityRow,
    ClosedDay,
    CustomerCounts,
    OpenMonth,
    ReasonRow,
    ReportFacts,
    StageFlow,
    StageOutcome,
    bar,
    build_report,
    days_text,
    ordered_currencies,
    percent,
)
from salesdesk.core.weekly import (
    MONEY,
    DealLine,
    MoveRow,
    OpenDeal,
    WeeklyFacts,
    build_weekly,
    pipeline_at,
)

TODAY = date(2026, 11, 27)
STAGES = list(DEFAULT_STAGES)
WON, LOST = pipeline.WON, pipeline.LOST


# -- ISO weeks ---------------------------------------------------------------------------


def test_an_iso_week_runs_monday_to_sunday():
    week = parse_iso_week("2026-W48")
    assert week == IsoWeek(2026, 48)
    assert (week.monday, week.sunday) == (date(2026, 11, 23), date(2026, 11, 29))
    assert str(week) == "2026-W48"
    assert parse_iso_week(" 2026w48 ") == week
    assert IsoWeek.of(TODAY) == week


def test_weeks_cross_the_new_year_as_iso_says():
    assert weeks_in_year(2026) == 53 and weeks_in_year(2025) == 52
    assert IsoWeek.of(date(2027, 1, 1)) == IsoWeek(2026, 53)
    assert IsoWeek(2026, 1).monday == date(2025, 12, 29)
    assert IsoWeek(2026, 53).next() == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).previous() == IsoWeek(2026, 53)


@pytest.mark.parametrize(
    "text, message",
    [
        ("2026-W54", "2026-W54 is not a week of 2026; use YYYY-Www such as 2026-W48."),
        ("2025-W53", "2025-W53 is not a week of 2025; use YYYY-Www such as 2026-W48."),
        ("2026-W00", "2026-W00 is not a week of 2026; use YYYY-Www such as 2026-W48."),
        ("2026-11-23", "'2026-11-23' is not an ISO week; use YYYY-Www such as 2026-W48."),
        ("", "'' is not an ISO week; use YYYY-Www such as 2026-W48."),
    ],
)
def test_a_week_that_is_not_one_is_refused_with_one_sentence(text, message):
    with pytest.raises(InvalidValue) as refused:
        parse_iso_week(text)
    assert str(refused.value) == message
    assert refused.value.field == "--week"


# -- periods -------------------------------------------------------------------------------


def test_presets_end_today_and_step_back_by_their_own_length():
    ninety = preset_period("last 90 days", TODAY)
    assert (ninety.first, ninety.last, ninety.days) == (date(2026, 8, 30), TODAY, 90)
    assert ninety.previous() == Period(date(2026, 6, 1), date(2026, 8, 29))
    assert preset_period("this week", TODAY) == IsoWeek(2026, 48).period
    assert preset_period("last week", TODAY) == IsoWeek(2026, 47).period
    quarter = preset_period("this quarter", TODAY)
    assert (quarter.first, quarter.last) == (date(2026, 10, 1), date(2026, 12, 31))
    last = preset_period("last quarter", TODAY)
    assert (last.first, last.last) == (date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_of(date(2026, 1, 1)).previous() == quarter_of(date(2025, 12, 31))
    assert IsoWeek(2026, 48).period.next() == IsoWeek(2026, 49).period
    assert all(
        TODAY in preset_period(name, TODAY)
        for name in PRESETS
        if not name.startswith("last w") and name != "last quarter"
    )


def test_periods_describe_themselves_in_english_whatever_the_locale():
    assert IsoWeek(2026, 48).period.describe() == "2026-W48, 23–29 Nov 2026"
    assert Period(date(2025, 12, 29), date(2026, 1, 4)).span() == "29 Dec 2025 – 4 Jan 2026"
    assert quarter_of(TODAY).describe() == "2026 Q4, 1 Oct – 31 Dec 2026"
    assert preset_period("last 30 days", TODAY).describe() == "30 days, 29 Oct – 27 Nov 2026"


def test_periods_describe_themselves_in_chinese_when_the_app_speaks_it():
    from salesdesk import i18n

    i18n.set_language("zh")
    assert IsoWeek(2026, 48).period.describe() == "2026年第48周，2026年11月23日–29日"
    assert IsoWeek(2026, 1).previous().period.describe() == "2025年第52周，2025年12月22日–28日"
    assert quarter_of(TODAY).describe() == "2026年第4季度，2026年10月1日–12月31日"
    assert quarter_of(TODAY).previous().describe() == "2026年第3季度，2026年7月1日–9月30日"
    assert preset_period("last 30 days", TODAY).describe() == "30天，2026年10月29日–11月27日"
    new_year = Period(date(2025, 12, 29), date(2026, 1, 4))
    assert new_year.describe() == "7天，2025年12月29日–2026年1月4日"
    assert days_text(12.25) == "12.2天" and days_text(None) == "–"
    i18n.set_language("en")
    assert days_text(12.25) == "12.2d"  # English as it always was


def test_report_labels_in_chinese_weeks_months_and_the_rows_with_no_name():
    from salesdesk import i18n

    i18n.set_language("zh")
    closed = (
        ClosedDay(WON, date(2026, 11, 3), "USD", 1, 100),
        ClosedDay(LOST, date(2026, 11, 4), "USD", 1, 5),
    )
    rows = (
        OpenMonth("2026-09", "USD", 1, 2_000, 200),
        OpenMonth("2026-12", "USD", 1, 3_000, 300),
        OpenMonth(None, "USD", 1, 5_000, 500),
    )
    reasons = (ReasonRow("", "USD", 1, 5), ReasonRow("价格太高", "USD", 1, 5))
    report = build_report(
        _facts(closed=closed, open_deals=rows, reasons=reasons),
        STAGES,
        Period(date(2026, 10, 26), TODAY),
        TODAY,
        "USD",
    )
    assert [b.label for b in report.won_by_week["USD"]][:2] == ["第44周 10月26日", "第45周 11月2日"]
    assert [b.label for b in report.won_by_month["USD"]] == ["2026年10月", "2026年11月"]
    assert [r.label for r in report.forecast["USD"]] == ["已过期", "2026年12月", "未定日期"]
    assert report.open_pipeline["USD"].label == "所有进行中的商机"
    assert [r.reason for r in report.lost_reasons] == ["价格太高", "（未填写原因）"]


# -- small helpers -------------------------------------------------------------------------


def test_bars_are_drawn_to_an_eighth_of_a_cell():
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 3) == "█▌"
    assert bar(1, 1000, 10) == "▏"  # something is never drawn as nothing
    assert bar(0, 10, 10) == "" and bar(5, 0, 10) == "" and bar(5, 10, 0) == ""
    assert bar(20, 10, 4) == "████"  # never past its width


def test_percent_and_currency_order():
    assert percent(None) == "–" and percent(0.625) in ("62%", "63%") and percent(0.004) == "0.4%"
    assert percent(0) == "0%" and percent(1) == "100%"
    assert ordered_currencies(["USD", "CNY", "EUR", "CNY"], "CNY") == ["CNY", "EUR", "USD"]
    assert ordered_currencies([], "USD") == ["USD"]


# -- the report ------------------------------------------------------------------------------


def _facts(**values) -> ReportFacts:
    return ReportFacts(**values)


def test_funnel_shares_and_the_last_stage_has_nowhere_to_go():
    report = build_report(
        _facts(
            flows=(
                StageFlow("stage-lead", 8, 6),
                StageFlow("stage-quote", 4, 1),
                StageFlow("stage-paid", 2, 0),
            )
        ),
        STAGES,
        IsoWeek(2026, 48).period,
        TODAY,
        "USD",
    )
    steps = {step.stage.name: step for step in report.funnel}
    assert [step.stage.name for step in report.funnel] == [
        "Lead",
        "Qualified",
        "Quote",
        "Negotiation",
        "Signed",
        "Paid",
    ]
    assert (steps["Lead"].entered, steps["Lead"].share) == (8, 0.75)
    assert (steps["Quote"].entered, steps["Quote"].share) == (4, 0.25)
    assert (steps["Qualified"].entered, steps["Qualified"].share) == (0, None)
    assert (steps["Paid"].advanced, steps["Paid"].share) == (None, None)


def test_days_in_stage_median_average_and_the_bottleneck():
    report = build_report(
        _facts(
            stage_days={
                "stage-lead": (1.0, 2.0, 30.0),  # median 2, average 11
                "stage-qualified": (4.0, 6.0),  # median 5, average 5
                "stage-quote": (5.0,),  # median 5 too, average 5: the earlier stage wins the tie
                "stage-signed": (90.0,),  # a won stage is not part of the sales bottleneck
            }
        ),
        STAGES,
        IsoWeek(2026, 48).period,
        TODAY,
        "USD",
    )
    times = {time.stage.name: time for time in report.stage_times}
    assert set(times) == {"Lead", "Qualified", "Quote", "Negotiation"}
    assert (times["Lead"].median, times["Lead"].average, times["Lead"].visits) == (2.0, 11.0, 3)
    assert times["Negotiation"].median is None
    assert report.bottleneck.stage.name == "Qualified"
    assert [time.bottleneck for time in report.stage_times].count(True) == 1


def test_money_is_kept_per_currency_the_default_first():
    closed = (
        ClosedDay(WON, date(2026, 11, 24), "USD", 2, 800_000),
        ClosedDay(WON, date(2026, 11, 10), "CNY", 1, 5_000_000),
        ClosedDay(WON, date(2026, 11, 25), "USD", 1, 100_000),
        ClosedDay(LOST, date(2026, 11, 20), "EUR", 3, 90_000),
    )
    report = build_report(_facts(closed=closed), STAGES, Period(date(2026, 11, 1), TODAY), TODAY, "USD")
    assert report.currencies == ("USD", "CNY", "EUR")
    assert report.won.count == 4 and report.won.amounts == {"USD": 900_000, "CNY": 5_000_000}
    assert list(report.won.amounts) == ["USD", "CNY"]
    assert report.lost.count == 3 and report.lost.amounts == {"EUR": 90_000}
    assert report.win_rate == 4 / 7
    weeks = report.won_by_week
    assert list(weeks) == ["USD", "CNY"]  # nothing won in EUR: no chart
    assert [b.label for b in weeks["USD"]] == [
        "2026-W44 26 Oct",
        "2026-W45 02 Nov",
        "2026-W46 09 Nov",
        "2026-W47 16 Nov",
        "2026-W48 23 Nov",
    ]
    assert [b.amount for b in weeks["USD"]] == [0, 0, 0, 0, 900_000]
    assert [b.amount for b in weeks["CNY"]] == [0, 0, 5_000_000, 0, 0]
    assert [(b.label, b.count) for b in report.won_by_month["USD"]] == [("Nov 2026", 3)]


def test_forecast_by_month_with_past_due_first_and_no_date_last():
    rows = (
        OpenMonth("2026-12", "USD", 2, 300_000, 100_000),
        OpenMonth(None, "USD", 1, 5_000, 500),
        OpenMonth("2026-10", "USD", 1, 1_000, 100),
        OpenMonth("2026-09", "USD", 1, 2_000, 200),
        OpenMonth("2026-11", "USD", 1, 7_000, 700),
        OpenMonth("2027-01", "JPY", 1, 9_000, 900),
    )
    report = build_report(_facts(open_deals=rows), STAGES, IsoWeek(2026, 48).period, TODAY, "USD")
    usd = report.forecast["USD"]
    assert [(r.label, r.count, r.amount, r.weighted) for r in usd] == [
        (PAST_DUE, 2, 3_000, 300),
        ("Nov 2026", 1, 7_000, 700),
        ("Dec 2026", 2, 300_000, 100_000),
        (NO_DATE, 1, 5_000, 500),
    ]
    assert report.open_pipeline["USD"].amount == 315_000 and report.open_pipeline["USD"].count == 6
    assert [r.label for r in report.forecast["JPY"]] == ["Jan 2027"]
    assert list(report.forecast) == ["USD", "JPY"]


@pytest.fixture
def chinese():
    from salesdesk import i18n

    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def test_the_labels_of_a_report_built_in_chinese_are_chinese(chinese):
    closed = (ClosedDay(WON, date(2026, 11, 24), "CNY", 2, 800_000),)
    rows = (
        OpenMonth("2026-12", "CNY", 2, 300_000, 100_000),
        OpenMonth(None, "CNY", 1, 5_000, 500),
        OpenMonth("2026-09", "CNY", 1, 2_000, 200),
    )
    reasons = (ReasonRow("", "CNY", 1, 50), ReasonRow("价格太高", "CNY", 2, 10))
    facts = _facts(closed=closed, open_deals=rows, reasons=reasons)
    report = build_report(facts, STAGES, Period(date(2026, 11, 1), TODAY), TODAY, "CNY")
    assert [b.label for b in report.won_by_week["CNY"]][-2:] == ["第47周 11月16日", "第48周 11月23日"]
    assert [b.label for b in report.won_by_month["CNY"]] == ["2026年11月"]
    assert [r.label for r in report.forecast["CNY"]] == ["已过期", "2026年12月", "未定日期"]
    assert report.open_pipeline["CNY"].label == "所有进行中的商机"
    assert [r.reason for r in report.lost_reasons] == ["价格太高", "（未填写原因）"]


def test_configured_probability_beside_the_observed_one():
    outcomes = (
        StageOutcome("stage-lead", 10, 3),
        StageOutcome("stage-quote", 4, 3),
        StageOutcome("stage-signed", 3, 3),
    )
    report = build_report(_facts(outcomes=outcomes), STAGES, IsoWeek(2026, 48).period, TODAY, "USD")
    checks = {check.stage.name: check for check in report.probabilities}
    assert set(checks) == {"Lead", "Qualified", "Quote", "Negotiation"}
    assert (checks["Lead"].configured, checks["Lead"].observed) == (10, 0.3)
    assert (checks["Quote"].configured, checks["Quote"].observed) == (50, 0.75)
    assert checks["Qualified"].observed is None


def test_lost_reasons_ranked_and_activity_tallied():
    reasons = (
        ReasonRow("price", "USD", 2, 100),
        ReasonRow("", "USD", 1, 50),
        ReasonRow("  ", "CNY", 1, 70),
        ReasonRow("Budget", "CNY", 3, 10),
        ReasonRow("budget", "USD", 3, 20),
        ReasonRow("price", "CNY", 1, 5),
    )
    activity = (
        ActivityRow("call", "ann", 3),
        ActivityRow("email", "bob", 3),
        ActivityRow("call", "bob", 1),
        ActivityRow("note", "Ann", 4),
    )
    report = build_report(
        _facts(reasons=reasons, activity=activity), STAGES, IsoWeek(2026, 48).period, TODAY, "USD"
    )
    assert [(r.reason, r.count, r.amounts) for r in report.lost_reasons] == [
        ("Budget", 3, {"CNY": 10}),
        ("budget", 3, {"USD": 20}),
        ("price", 3, {"USD": 100, "CNY": 5}),
        (NO_REASON, 2, {"USD": 50, "CNY": 70}),
    ]
    assert [(t.name, t.count) for t in report.activity_by_kind] == [("call", 4), ("note", 4), ("email", 3)]
    assert [(t.name, t.count) for t in report.activity_by_person] == [("Ann", 4), ("bob", 4), ("ann", 3)]
    assert report.activity_total == 11


def test_repeat_purchase_and_retention_rates():
    report = build_report(
        _facts(customers=CustomerCounts(buyers=4, repeat_buyers=1, previous_buyers=5, retained=2)),
        STAGES,
        IsoWeek(2026, 48).period,
        TODAY,
        "USD",
    )
    assert (report.repeat_rate, report.retention_rate) == (0.25, 0.4)
    empty = build_report(_facts(), STAGES, IsoWeek(2026, 48).period, TODAY, "USD")
    assert (empty.repeat_rate, empty.retention_rate, empty.win_rate) == (None, None, None)
    assert empty.bottleneck is None and empty.currencies == ("USD",)


# -- the weekly summary ----------------------------------------------------------------------


def test_the_pipeline_of_a_past_moment_puts_moved_deals_back():
    now = (OpenMonth("2026-12", "USD", 2, 300_000, 100_000), OpenMonth(None, "CNY", 1, 1_000, 100))
    moved = (
        OpenDeal("won", "USD", 50_000, None, "stage-signed", "stage-quote"),  # was open at 50%
        OpenDeal("new", "USD", 200_000, None, "stage-lead", None),  # did not exist yet
        OpenDeal("own", "CNY", 1_000, 30, "stage-quote", "stage-lead"),  # own probability stays
        OpenDeal("lost-then", "USD", 9_000, None, "stage-lead", "stage-lost"),  # reopened since
    )
    then = pipeline_at(now, moved, STAGES)
    assert then.count == 3 + 1 - 1 + 0 - 1
    assert then.amounts == {"USD": 300_000 + 50_000 - 200_000 - 9_000, "CNY": 1_000}
    assert then.weighted == {"USD": 100_000 + 25_000 - 20_000 - 900, "CNY": 100}


def _weekly(**values):
    report = build_report(values.pop("facts", _facts()), STAGES, IsoWeek(2026, 48).period, TODAY, "USD")
    before = build_report(
        values.pop("before_facts", _facts()), STAGES, IsoWeek(2026, 47).period, TODAY, "USD"
    )
    base = dict(
        week=IsoWeek(2026, 48),
        today=TODAY,
        user="ann",
        everyone=False,
        report=report,
        before=before,
        moves=(),
        moves_before=(),
        won=(),
        lost=(),
        open_now=(),
        changed_since_end=(),
        changed_since_start=(),
        followups_done=0,
        followups_done_before=0,
        overdue=(),
        due_next_week=(),
        closing=(),
        closing_last=date(2026, 12, 27),
    )
    base.update(values)
    return build_weekly(WeeklyFacts(**base), STAGES, "USD")


def test_headline_money_rows_per_currency_the_default_always_there():
    summary = _weekly(
        moves=(MoveRow(None, "stage-lead", "EUR", 2, 500), MoveRow("stage-lead", "stage-quote", "USD", 1, 9)),
        moves_before=(MoveRow(None, "stage-lead", "USD", 1, 100),),
    )
    rows = {row.label: row for row in summary.headline}
    assert (rows["New leads"].this, rows["New leads"].before, rows["New leads"].change) == (2, 1, 1)
    assert rows["New leads value (EUR)"].this == 500 and rows["New leads value (USD)"].this == 0
    assert rows["Won value (USD)"].kind == MONEY and "Won value (EUR)" not in rows
    assert rows["Win rate"].change is None
    assert [m.from_name for m in summary.moves] == ["new", "Lead"]
    assert summary.currencies == ("USD", "EUR")


def test_deal_lists_keep_the_largest_of_each_currency():
    lines = [
        DealLine(f"deal {n}", "c", n * 100, "USD", date(2026, 11, 24), "ann", "Signed", of=20)
        for n in range(20)
    ]
    lines.append(DealLine("yuan", "c", 1, "CNY", date(2026, 11, 24), "ann", "Signed", of=1))
    summary = _weekly(won=tuple(reversed(lines)))
    assert [d.title for d in summary.won][:3] == ["deal 19", "deal 18", "deal 17"]
    assert len(summary.won) == 16 and summary.won[-1].title == "yuan"
    assert summary.won_count == {"USD": 20, "CNY": 1}


def test_due_next_week_sorted_by_what_is_shown_and_counted_by_kind():
    def item(key, kind, day, what):
        return AgendaItem(key=key, kind=kind, due=date(2026, 12, day), what=what, why="w")

    due = (
        item("z", "birthday", 1, "Birthday greetings"),
        item("a", "follow-up", 1, "Call"),
        item("b", "follow-up", 1, "Ask"),
        item("c", "renewal", 2, "Contract renewal"),
    )
    summary = _weekly(due_next_week=due)
    assert [i.what for i in summary.due_next_week] == [
        "Ask",
        "Birthday greetings",
        "Call",
        "Contract renewal",
    ]
    assert summary.due_kinds == (("follow-up", 2), ("birthday", 1), ("renewal", 1))
    assert summary.due_count == 4 and not summary.finished


# -- quotes' statuses and products' ranks (issue 19) -----------------------------------------


def test_a_quote_status_is_worked_out_from_its_dates():
    from salesdesk.core.reports import ACCEPTED, DRAFT, EXPIRED, SENT, SUPERSEDED, quote_status

    sent, valid = date(2026, 11, 10), date(2026, 11, 24)

    def status(**given):
        values = {"sent_on": sent, "valid_until": valid, "latest": True, "won_on": None}
        values["today"] = date(2026, 11, 20)
        values.update(given)
        return quote_status(**values)

    assert status() == SENT
    assert status(today=date(2026, 11, 24)) == SENT  # valid through its last day
    assert status(today=date(2026, 11, 25)) == EXPIRED
    assert status(won_on=date(2026, 11, 10)) == ACCEPTED  # won the day it was sent
    assert status(won_on=date(2026, 12, 1), today=date(2026, 12, 2)) == ACCEPTED  # won late: still accepted
    assert status(won_on=date(2026, 11, 9), today=date(2026, 11, 25)) == EXPIRED  # won before it was sent
    assert status(sent_on=None, today=date(2026, 12, 1)) == DRAFT  # never offered, never expires
    assert status(latest=False, won_on=date(2026, 11, 12)) == SUPERSEDED


def test_products_rank_by_revenue_with_the_other_lines_last():
    from salesdesk.core.reports import ProductSale, ReportFacts

    facts = ReportFacts(
        products=(
            ProductSale(None, "Travel", "", "", "", "USD", 1_000, 90_000, 1),
            ProductSale("p1", "bolts", "B", "Parts", "box", "USD", 2_000, 5_000, 1),
            ProductSale("p2", "Anchors", "A", "parts", "box", "USD", 9_000, 5_000, 2),
            ProductSale("p2", "Anchors", "A", "parts", "box", "EUR", 1_000, 700, 1),
        )
    )
    report = build_report(facts, STAGES, Period(date(2026, 11, 1), date(2026, 11, 30)), TODAY, "USD")
    assert [(s.name, s.amount, s.other) for s in report.by_product["USD"]] == [
        ("Anchors", 5_000, False),  # a tie in revenue goes by name, whatever its case
        ("bolts", 5_000, False),
        ("other lines", 90_000, True),
    ]
    assert list(report.by_product) == ["USD", "EUR"]
    # Categories as typed: "Parts" and "parts" are two.
    assert [(s.name, s.amount) for s in report.by_category["USD"]] == [
        ("Parts", 5_000),
        ("parts", 5_000),
        ("other lines", 90_000),
    ]
    assert [(s.name, s.quantity_milli, s.deals) for s in report.top_quantity] == [
        ("Anchors", 10_000, 3),
        ("bolts", 2_000, 1),
    ]
