"""Target progress: months into quarters and the year, currencies apart, working days left."""

from datetime import date

import pytest

from salesdesk.core.errors import InvalidValue
from salesdesk.core.targets import (
    COLLECTED,
    MONTH,
    QUARTER,
    WON,
    YEAR,
    Progress,
    TargetPeriod,
    add_up,
    holiday_days,
    parse_period,
    progress_of,
    target_id,
    working_days,
    working_days_left,
)


def test_a_quarter_and_a_year_are_their_months():
    quarter = TargetPeriod.of(QUARTER, date(2027, 2, 14))
    assert quarter.months == ("2027-01", "2027-02", "2027-03")
    assert (quarter.first, quarter.last) == (date(2027, 1, 1), date(2027, 3, 31))
    year = TargetPeriod.of(YEAR, date(2027, 2, 14))
    assert len(year.months) == 12 and year.last == date(2027, 12, 31)
    assert TargetPeriod.of(MONTH, date(2028, 2, 3)).last == date(2028, 2, 29)
    assert TargetPeriod(QUARTER, 2026, 4).last == date(2026, 12, 31)


def test_periods_step_over_the_year():
    assert TargetPeriod(MONTH, 2026, 12).shifted(1) == TargetPeriod(MONTH, 2027, 1)
    assert TargetPeriod(MONTH, 2027, 1).shifted(-1) == TargetPeriod(MONTH, 2026, 12)
    assert TargetPeriod(QUARTER, 2027, 1).shifted(-1) == TargetPeriod(QUARTER, 2026, 4)
    assert TargetPeriod(YEAR, 2027).shifted(1) == TargetPeriod(YEAR, 2028)
    assert TargetPeriod(MONTH, 2027, 5).widened(QUARTER) == TargetPeriod(QUARTER, 2027, 2)
    assert str(TargetPeriod(QUARTER, 2027, 1)) == "2027-Q1"


def test_periods_as_typed():
    assert parse_period("2027-q1", QUARTER, "--quarter") == TargetPeriod(QUARTER, 2027, 1)
    assert parse_period("2027Q4", QUARTER, "--quarter") == TargetPeriod(QUARTER, 2027, 4)
    assert parse_period("2027/3", MONTH, "--month") == TargetPeriod(MONTH, 2027, 3)
    assert parse_period("2027", YEAR, "--year") == TargetPeriod(YEAR, 2027)
    for text, kind in (("2027-Q5", QUARTER), ("2027-13", MONTH), ("27", YEAR)):
        with pytest.raises(InvalidValue):
            parse_period(text, kind, "--x")


def test_months_add_up_into_a_quarter_and_currencies_stay_apart():
    months = [
        (WON, "CNY", 100_000_00),
        (WON, "CNY", 200_000_00),
        (WON, "USD", 5_000_00),
        (COLLECTED, "CNY", 80_000_00),
        (WON, "CNY", 50_000_00),
    ]
    assert add_up(months) == {
        (WON, "CNY"): 350_000_00,
        (WON, "USD"): 5_000_00,
        (COLLECTED, "CNY"): 80_000_00,
    }


def test_progress_is_per_measure_and_currency_with_a_target():
    targets = {(WON, "USD"): 10_000_00, (WON, "CNY"): 500_000_00, (COLLECTED, "CNY"): 300_000_00}
    done = {(WON, "CNY"): 120_000_00, (WON, "USD"): 12_000_00, (COLLECTED, "EUR"): 7_00}
    found = progress_of(targets, done, 20, "CNY")
    assert [(p.measure, p.currency) for p in found] == [(WON, "CNY"), (WON, "USD"), (COLLECTED, "CNY")]
    won_cny, won_usd, collected = found
    assert (won_cny.percent, won_cny.remaining, won_cny.needed) == (24, 380_000_00, 19_000_00)
    assert (won_usd.percent, won_usd.needed) == (120, 0)  # reached: nothing more needed
    assert (collected.done, collected.percent) == (0, 0)
    # What was done without a target is listed only when asked, its target 0.
    every = progress_of(targets, done, 20, "CNY", all_done=True)
    euros = [p for p in every if p.currency == "EUR"]
    assert euros == [Progress(COLLECTED, "EUR", 7_00, 0, 20)]
    assert (euros[0].percent, euros[0].needed, euros[0].has_target) == (None, None, False)


def test_needed_rounds_up_and_is_none_with_no_day_left():
    assert Progress(WON, "CNY", 0, 100, 3).needed == 34
    assert Progress(WON, "CNY", 0, 100, 0).needed is None
    assert Progress(WON, "CNY", 100, 100, 0).needed == 0
    assert Progress(COLLECTED, "CNY", -50, 100, 1).percent == 0  # refunds above receipts


# Friday 27 November 2026; the month's last working days are Fri 27 and Mon 30.
NOVEMBER = TargetPeriod(MONTH, 2026, 11)


def test_working_days_left_include_today_when_it_is_a_working_day():
    assert working_days_left(date(2026, 11, 27), NOVEMBER) == 2
    assert working_days_left(date(2026, 11, 30), NOVEMBER) == 1  # the last day of the month
    assert working_days_left(date(2026, 12, 1), NOVEMBER) == 0  # ended
    assert working_days_left(date(2026, 10, 15), NOVEMBER) == 21  # not begun: all of it


def test_working_days_left_on_a_weekend_start_on_monday():
    assert working_days_left(date(2026, 11, 28), NOVEMBER) == 1  # Saturday
    assert working_days_left(date(2026, 11, 29), NOVEMBER) == 1  # Sunday


def test_working_days_left_on_a_holiday_leave_the_holiday_out():
    january = TargetPeriod(MONTH, 2027, 1)
    holidays = holiday_days("CN", date(2027, 1, 1), date(2027, 1, 31))
    assert date(2027, 1, 1) in holidays  # New Year's Day, a Friday
    assert working_days(date(2027, 1, 1), date(2027, 1, 31)) == 21
    assert working_days_left(date(2027, 1, 1), january, holidays) == 20  # today is the holiday
    assert (
        working_days_left(date(2027, 1, 1), january, holiday_days("", date(2027, 1, 1), date(2027, 1, 31)))
        == 21
    )
    quarter = TargetPeriod(QUARTER, 2026, 4)
    assert working_days_left(date(2026, 12, 31), quarter) == 1  # a Thursday, the quarter's last day


def test_the_same_target_set_twice_has_one_id():
    assert target_id("Ann ", "2027-01", WON, "CNY") == target_id("ann", "2027-01", WON, "CNY")
    assert target_id("ann", "2027-01", WON, "CNY") != target_id("ann", "2027-01", WON, "USD")
