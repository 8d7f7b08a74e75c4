"""Report figures from the database, checked against the history in tests/reports_seed.py,
worked out by hand."""

from datetime import date, timedelta

import pytest

from salesdesk.core.periods import IsoWeek, Period, preset_period
from salesdesk.core.weekly import pipeline_at
from salesdesk.store.reports import ACTIVITY_INDEX_SQL, ReportQueries, ReportStore
from tests.conftest import TODAY
from tests.reports_seed import HOSTILE_CUSTOMER, HOSTILE_PERSON, HOSTILE_REASON, seed_reports

LAST_30 = Period(date(2026, 10, 29), TODAY)  # the 30 days before that: 29 Sep - 28 Oct
W48 = IsoWeek(2026, 48)


@pytest.fixture
def seeded(store, clock):
    ids = seed_reports(store, clock)
    return store, ids


@pytest.fixture
def report(seeded):
    store, _ = seeded
    return ReportStore(store).report(LAST_30, TODAY, everyone=True)


def test_funnel_counts_entries_and_moves_on_within_the_period(report):
    funnel = {step.stage.name: (step.entered, step.advanced) for step in report.funnel}
    # Lead: every deal made in the period (9); on: acme-rollout, birch-upgrade, dune-audit,
    # elm-gateway (to Quote), gum-contract (to Quote), juniper-licence (to Signed). The move
    # of fir-training to Qualified was undone, so it never counts.
    assert funnel == {
        "Lead": (9, 6),
        "Qualified": (3, 2),
        "Quote": (3, 2),
        "Negotiation": (1, 0),
        "Signed": (3, 0),
        "Paid": (0, None),
    }


def test_days_in_stage_from_stays_that_ended_in_the_period(report):
    times = {
        t.stage.name: (t.visits, t.median, t.average and round(t.average, 3)) for t in report.stage_times
    }
    # Lead stays: 3, 2, 10, 2, 14, 1, 1 days; Qualified: 4, 20, 12; Quote: 15, 1, 7.
    assert times == {
        "Lead": (7, 2.0, round(33 / 7, 3)),
        "Qualified": (3, 12.0, 12.0),
        "Quote": (3, 7.0, round(23 / 3, 3)),
        "Negotiation": (0, None, None),
    }
    assert report.bottleneck.stage.name == "Qualified"


def test_won_lost_and_win_rate(report):
    assert (report.won.count, report.won.amounts) == (3, {"USD": 920_000})
    assert (report.lost.count, report.lost.amounts) == (3, {"USD": 840_000})
    assert report.win_rate == 0.5
    assert [(b.label, b.count, b.amount) for b in report.won_by_week["USD"]] == [
        ("2026-W44 26 Oct", 0, 0),
        ("2026-W45 02 Nov", 0, 0),
        ("2026-W46 09 Nov", 0, 0),
        ("2026-W47 16 Nov", 1, 120_000),
        ("2026-W48 23 Nov", 2, 800_000),
    ]
    assert [(b.label, b.amount) for b in report.won_by_month["USD"]] == [
        ("Oct 2026", 0),
        ("Nov 2026", 920_000),
    ]
    assert report.currencies == ("USD", "CNY")


def test_forecast_of_the_open_deals_per_currency(report):
    assert [(r.label, r.count, r.amount, r.weighted) for r in report.forecast["USD"]] == [
        ("past due", 1, 1_000_000, 600_000),  # gum-contract at its own 60%
        ("Dec 2026", 1, 70_000, 7_000),
        ("no date", 1, 30_000, 3_000),
    ]
    assert [(r.label, r.amount, r.weighted) for r in report.forecast["CNY"]] == [
        ("Dec 2026", 8_000_000, 800_000)
    ]
    assert report.open_pipeline["USD"].weighted == 610_000


def test_observed_win_probability_from_each_stage(report):
    checks = {c.stage.name: (c.configured, c.closed, c.won) for c in report.probabilities}
    assert checks == {
        "Lead": (10, 6, 3),
        "Qualified": (25, 3, 2),
        "Quote": (50, 2, 1),
        "Negotiation": (75, 0, 0),
    }


def test_lost_reasons_activity_and_customers(report):
    assert [(r.reason, r.count, r.amounts) for r in report.lost_reasons] == [
        ("went silent", 2, {"USD": 240_000}),
        (HOSTILE_REASON, 1, {"USD": 600_000}),
    ]
    assert [(t.name, t.count) for t in report.activity_by_kind] == [
        ("call", 3),
        ("email", 1),
        ("meeting", 1),
        ("message", 1),
        ("visit", 1),
    ]
    assert [(t.name, t.count) for t in report.activity_by_person] == [
        ("ann", 4),
        ("bob", 2),
        (HOSTILE_PERSON, 1),
    ]
    # Buyers: Acme, Birch, Juniper; Acme (Aug) and Birch (Oct) bought on two days before.
    # The 30 days before: Birch and Cedar bought; Birch again in this period.
    customers = report.customers
    assert (customers.buyers, customers.repeat_buyers) == (3, 2)
    assert (customers.previous_buyers, customers.retained) == (2, 1)
    assert (report.repeat_rate, report.retention_rate) == (2 / 3, 0.5)


def test_mine_is_the_deals_i_own_and_the_interactions_i_logged(seeded):
    store, _ = seeded
    mine = ReportStore(store).report(LAST_30, TODAY)
    assert (mine.won.count, mine.won.amounts) == (2, {"USD": 620_000})  # not bob's birch-upgrade
    assert {s.stage.name: s.entered for s in mine.funnel}["Lead"] == 8
    assert [(t.name, t.count) for t in mine.activity_by_person] == [("ann", 4)]


def test_a_deleted_deal_and_an_undone_move_are_not_counted(seeded):
    store, ids = seeded
    store.delete_deal(ids["ivy-desks"])
    report = ReportStore(store).report(LAST_30, TODAY, everyone=True)
    assert report.lost.count == 2
    assert [(r.reason, r.count) for r in report.lost_reasons] == [(HOSTILE_REASON, 1), ("went silent", 1)]
    tombstoned = store.db.execute(
        "SELECT count(*) FROM stage_changes WHERE deleted_at IS NOT NULL"
    ).fetchone()[0]
    assert tombstoned == 1


def test_activity_reads_the_same_with_the_index_as_without(seeded):
    store, _ = seeded
    store.db.execute("DROP INDEX IF EXISTS interactions_activity")  # migration 7 made it
    slow = ReportQueries(store.db)
    before = {
        p: sorted(slow.activity(p, owner))
        for p in (LAST_30, W48.period)
        for owner in (None, "ann", HOSTILE_PERSON)
    }
    store.db.execute(ACTIVITY_INDEX_SQL)
    fast = ReportQueries(store.db)
    assert fast._has_index("interactions_activity") and not slow._has_index("interactions_activity")
    after = {
        p: sorted(fast.activity(p, owner))
        for p in (LAST_30, W48.period)
        for owner in (None, "ann", HOSTILE_PERSON)
    }
    assert after == before
    assert sorted(fast.activity(LAST_30, None)) != []


def test_the_open_pipeline_of_a_past_moment_matches_a_replay_of_every_deal(seeded):
    store, _ = seeded
    queries, stages = ReportQueries(store.db), store.stages()
    for day in (date(2026, 11, 23), date(2026, 11, 10), date(2026, 10, 16), date(2026, 8, 10)):
        for owner in (None, "ann"):
            fast = pipeline_at(
                queries.open_deals(owner), queries.pipeline_changes(day.isoformat(), owner), stages
            )
            rows = store.db.execute(
                f"""
                SELECT d.currency, count(*), sum(d.amount),
                       sum(d.amount * coalesce(d.probability, s.probability) / 100)
                FROM deals d JOIN stages s ON s.id = (
                  SELECT p.to_stage FROM stage_changes p WHERE p.deal_id = d.id AND p.at < ?
                    AND p.deleted_at IS NULL ORDER BY p.at DESC, p.id DESC LIMIT 1)
                WHERE s.kind = 'open' AND d.deleted_at IS NULL {"AND d.owner = 'ann'" if owner else ""}
                GROUP BY d.currency""",
                [day.isoformat()],
            ).fetchall()
            assert fast.count == sum(r[1] for r in rows), (day, owner)
            assert {k: v for k, v in fast.amounts.items() if v} == {r[0]: r[2] for r in rows}
            assert {k: v for k, v in fast.weighted.items() if v} == {r[0]: r[3] for r in rows}


def test_the_weekly_summary_of_the_week(seeded):
    store, _ = seeded
    summary = ReportStore(store).weekly(W48, TODAY, everyone=True)
    rows = {row.label: (row.this, row.before) for row in summary.headline}
    assert rows["New leads"] == (1, 2) and rows["New leads value (USD)"] == (70_000, 270_000)
    assert rows["Won"] == (2, 1) and rows["Won value (USD)"] == (800_000, 120_000)
    assert rows["Lost"] == (1, 1) and rows["Lost value (USD)"] == (600_000, 150_000)
    assert rows["Win rate"] == (2 / 3, 0.5)
    # At the start of the week: acme-rollout, birch-upgrade, dune-audit, gum-contract (then
    # in Quote, at its own 60%), hazel-maps, and elm-sensors in CNY.
    assert rows["Open pipeline"] == (4, 6)
    assert rows["Open pipeline value (USD)"] == (1_100_000, 2_430_000)
    assert rows["Weighted pipeline value (USD)"] == (610_000, 250_000 + 75_000 + 150_000 + 600_000 + 3_000)
    assert rows["Open pipeline value (CNY)"] == (8_000_000, 8_000_000)
    assert rows["Interactions logged"] == (6, 0) and rows["Follow-ups done"] == (1, 1)
    assert [(m.from_name, m.to_name, m.count) for m in summary.moves] == [
        ("new", "Lead", 1),
        ("Qualified", "Signed", 1),
        ("Qualified", "Lost", 1),
        ("Quote", "Negotiation", 1),
        ("Quote", "Signed", 1),
    ]
    assert [(d.title, d.owner) for d in summary.won] == [("acme-rollout", "ann"), ("birch-upgrade", "bob")]
    assert [(d.title, d.reason) for d in summary.lost] == [("dune-audit", HOSTILE_REASON)]
    assert [(f.title, f.due) for f in summary.overdue] == [("Send proposal", date(2026, 11, 20))]
    assert [(i.kind, i.due) for i in summary.due_next_week] == [
        ("follow-up", date(2026, 11, 30)),
        ("birthday", date(2026, 12, 1)),
        ("renewal", date(2026, 12, 1)),
        ("follow-up", date(2026, 12, 2)),
    ]
    assert [(d.title, d.customer, d.weighted) for d in summary.closing] == [
        ("fir-training", HOSTILE_CUSTOMER, 7_000),
        ("elm-sensors", "Elm", 800_000),
    ]


def test_a_finished_week_counts_what_was_overdue_when_it_ended(seeded):
    store, ids = seeded
    weekly = ReportStore(store).weekly
    # Seen from the next Wednesday, W47 (16-22 Nov) ended with "Send proposal" (due 20 Nov)
    # overdue; "Call Birch" was due 24 Nov, after it.
    later = TODAY + timedelta(days=5)
    summary = weekly(IsoWeek(2026, 47), later, everyone=True)
    assert summary.finished
    assert [f.title for f in summary.overdue] == ["Send proposal"]
    # Done since, it still was overdue then; W48, now finished, counts it no more.
    store.complete_followup(ids["open-followup"], later)
    assert [f.title for f in weekly(IsoWeek(2026, 47), later, everyone=True).overdue] == ["Send proposal"]
    assert weekly(W48, later, everyone=True).overdue_count == 0
    # The pipeline at the end of a finished week is not today's.
    rows = {row.label: row.this for row in summary.headline}
    assert rows["Open pipeline"] == 6


def test_every_preset_loads(seeded):
    store, _ = seeded
    reports = ReportStore(store)
    for name in (
        "last 30 days",
        "last 90 days",
        "last 365 days",
        "this week",
        "last week",
        "this quarter",
        "last quarter",
    ):
        period = preset_period(name, TODAY)
        assert reports.report(period, TODAY, everyone=True).period == period
