"""The team performance rows on fixed facts: rates, days to win, targets, currencies apart."""

from datetime import date

from salesdesk.core.performance import (
    Closed,
    Count,
    Money,
    PerformanceFacts,
    attainment_text,
    build_performance,
    months_of,
)
from salesdesk.core.periods import Period, quarter_of
from salesdesk.core.reports import ActivityRow

NOV = Period(date(2026, 11, 1), date(2026, 11, 30))


def _build(**facts) -> object:
    return build_performance(PerformanceFacts(**facts), NOV, "USD")


def test_a_row_per_person_of_the_team_and_of_the_facts_in_name_order():
    perf = _build(people=("bob", "Ann"), new_leads=(Count("cy", 2), Count("ann", 1)))
    assert [row.person for row in perf.rows] == ["Ann", "ann", "bob", "cy"]
    assert [row.new_leads for row in perf.rows] == [0, 1, 0, 2]
    assert perf.team.new_leads == 3 and perf.team.team


def test_win_rate_is_won_over_won_and_lost_and_a_dash_without_any():
    perf = _build(
        people=("ann", "bob"),
        closed=(
            Closed("ann", "won", "USD", 3, 300_00, 30),
            Closed("ann", "lost", "USD", 1, 50_00),
            Closed("ann", "won", "CNY", 1, 8000_00, 12),
        ),
    )
    ann, bob = perf.rows
    assert ann.won == 4 and ann.lost == 1 and ann.win_rate == 0.8
    assert bob.win_rate is None
    # The team's rate from the sums: one person's 4 of 5, not an average with bob's none.
    assert perf.team.win_rate == 0.8


def test_days_to_win_is_the_average_over_the_deals_won_and_the_team_from_the_sums():
    perf = _build(
        closed=(
            Closed("ann", "won", "USD", 2, 100, 10),  # 10 days in all for two deals
            Closed("ann", "lost", "USD", 5, 100, 0),
            Closed("bob", "won", "USD", 1, 100, 20),
        )
    )
    ann, bob = perf.rows
    assert ann.days_to_win == 5.0 and bob.days_to_win == 20.0
    assert perf.team.days_to_win == 10.0  # 30 days over 3 deals, not (5 + 20) / 2


def test_money_stays_in_its_currency_the_default_first():
    perf = _build(
        closed=(
            Closed("ann", "won", "CNY", 1, 8000_00, 1),
            Closed("ann", "won", "USD", 1, 125_00, 1),
            Closed("bob", "won", "EUR", 1, 99_00, 1),
        ),
        collected=(Money("ann", "CNY", 500_00), Money("bob", "CNY", -100_00), Money("bob", "USD", 70_00)),
    )
    assert perf.currencies == ("USD", "CNY", "EUR")
    ann, bob = perf.rows
    assert list(ann.won_value.items()) == [("USD", 125_00), ("CNY", 8000_00)]
    assert bob.collected == {"USD": 70_00, "CNY": -100_00}
    assert list(perf.team.won_value.items()) == [("USD", 125_00), ("CNY", 8000_00), ("EUR", 99_00)]
    assert list(perf.team.collected.items()) == [("USD", 70_00), ("CNY", 400_00)]


def test_attainment_against_the_targets_in_their_currency():
    perf = _build(
        people=("ann", "bob", "cy"),
        closed=(
            Closed("ann", "won", "USD", 1, 400_00),
            Closed("ann", "won", "CNY", 1, 9000_00),
            Closed("bob", "won", "USD", 1, 100_00),
        ),
        targets=(
            Money("ann", "USD", 500_00, "2026-11"),
            Money("ann", "CNY", 30000_00, "2026-11"),
            Money("bob", "CNY", 1000_00, "2026-11"),
        ),
    )
    ann, bob, cy = perf.rows
    assert ann.attainment == {"USD": 0.8, "CNY": 0.3}
    assert attainment_text(ann) == "USD 80% · CNY 30%"
    # bob's dollars count for nothing against a target in yuan.
    assert bob.attainment == {"CNY": 0.0} and attainment_text(bob) == "0%"
    assert cy.attainment == {} and attainment_text(cy) == "–"


def test_the_team_target_is_its_own_where_set_else_the_members_added_up():
    oct_nov = Period(date(2026, 10, 1), date(2026, 11, 30))
    perf = build_performance(
        PerformanceFacts(
            closed=(Closed("ann", "won", "USD", 1, 300_00),),
            targets=(
                Money("ann", "USD", 100_00, "2026-10"),
                Money("bob", "USD", 200_00, "2026-10"),
                Money("ann", "USD", 100_00, "2026-11"),
                Money("", "USD", 500_00, "2026-11"),  # the team's own for November
            ),
        ),
        oct_nov,
        "USD",
    )
    assert perf.team.targets == {"USD": 300_00 + 500_00}
    assert attainment_text(perf.team) == "38%"
    assert [row.person for row in perf.rows] == ["ann", "bob"]  # the team is no person


def test_interactions_by_kind_every_kind_in_order():
    perf = _build(
        activity=(
            ActivityRow("visit", "ann", 2),
            ActivityRow("call", "ann", 3),
            ActivityRow("call", "bob", 1),
        )
    )
    ann, bob = perf.rows
    assert list(ann.interactions) == ["call", "email", "meeting", "visit", "message", "note"]
    assert ann.interactions["call"] == 3 and ann.interactions_total == 5
    assert perf.team.interactions["call"] == 4 and perf.team.interactions_total == 6


def test_an_empty_period_has_a_team_row_of_zeros():
    perf = _build()
    assert perf.rows == ()
    assert perf.team.win_rate is None and perf.team.days_to_win is None
    assert perf.team.interactions_total == 0 and attainment_text(perf.team) == "–"


def test_the_months_a_period_touches():
    assert months_of(quarter_of(date(2026, 11, 27))) == ("2026-10", "2026-11", "2026-12")
    assert months_of(Period(date(2026, 12, 28), date(2027, 1, 3))) == ("2026-12", "2027-01")
    assert months_of(Period(date(2026, 8, 30), date(2026, 11, 27))) == (
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    )


def test_what_nobody_owns_is_a_row_of_its_own_and_counts_for_the_team():
    from salesdesk.core.performance import person_name

    perf = _build(people=("ann",), collected=(Money("", "USD", 10_00), Money("ann", "USD", 5_00)))
    nobody, ann = perf.rows
    assert person_name(nobody, str) == "(no owner)" and person_name(ann, str.upper) == "ANN"
    assert perf.team.collected == {"USD": 15_00} and person_name(perf.team, str) == "Team"
