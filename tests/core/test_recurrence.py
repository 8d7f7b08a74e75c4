"""Recurring follow-ups: RFC 5545 rules and their next occurrence."""

from datetime import date

import pytest

from salesdesk.core.errors import InvalidValue
from salesdesk.core.recurrence import next_occurrence, normalise_rule, resumed_rule

FRIDAY = date(2026, 11, 27)


def test_weekly_next_occurrence_is_a_week_later():
    assert next_occurrence("FREQ=WEEKLY", FRIDAY, FRIDAY) == date(2026, 12, 4)


def test_next_occurrence_is_strictly_after():
    assert next_occurrence("FREQ=WEEKLY", FRIDAY, date(2026, 12, 3)) == date(2026, 12, 4)
    assert next_occurrence("FREQ=WEEKLY", FRIDAY, date(2026, 12, 4)) == date(2026, 12, 11)


def test_weekly_skips_to_the_first_after_a_late_date():
    assert next_occurrence("FREQ=WEEKLY", date(2026, 10, 2), FRIDAY) == date(2026, 12, 4)


def test_monthly_keeps_the_day_of_month():
    assert next_occurrence("FREQ=MONTHLY", date(2026, 1, 15), date(2026, 1, 15)) == date(2026, 2, 15)


def test_monthly_on_the_31st_skips_short_months():
    # RFC 5545: a month without the 31st has no occurrence
    assert next_occurrence("FREQ=MONTHLY", date(2026, 1, 31), date(2026, 1, 31)) == date(2026, 3, 31)


def test_byday_rule():
    rule = "FREQ=WEEKLY;BYDAY=MO,WE"
    assert next_occurrence(rule, FRIDAY, FRIDAY) == date(2026, 11, 30)
    assert next_occurrence(rule, FRIDAY, date(2026, 11, 30)) == date(2026, 12, 2)


def test_rule_with_count_ends():
    rule = "FREQ=WEEKLY;COUNT=3"  # 27 Nov, 4 Dec, 11 Dec
    assert next_occurrence(rule, FRIDAY, date(2026, 12, 4)) == date(2026, 12, 11)
    assert next_occurrence(rule, FRIDAY, date(2026, 12, 11)) is None


def test_rule_with_until_ends():
    assert next_occurrence("FREQ=WEEKLY;UNTIL=20261205", FRIDAY, FRIDAY) == date(2026, 12, 4)
    assert next_occurrence("FREQ=WEEKLY;UNTIL=20261205", FRIDAY, date(2026, 12, 4)) is None


@pytest.mark.parametrize(
    "shortcut, rule",
    [
        ("daily", "FREQ=DAILY"),
        ("weekly", "FREQ=WEEKLY"),
        ("Biweekly", "FREQ=WEEKLY;INTERVAL=2"),
        ("monthly", "FREQ=MONTHLY"),
        ("quarterly", "FREQ=MONTHLY;INTERVAL=3"),
        ("YEARLY", "FREQ=YEARLY"),
    ],
)
def test_shortcuts(shortcut, rule):
    assert normalise_rule(shortcut) == rule


def test_rrule_prefix_is_dropped_and_case_normalised():
    assert normalise_rule("RRULE:freq=weekly;byday=mo") == "FREQ=WEEKLY;BYDAY=MO"


def test_quarterly_shortcut_steps_three_months():
    assert next_occurrence(normalise_rule("quarterly"), FRIDAY, FRIDAY) == date(2027, 2, 27)


@pytest.mark.parametrize("text", ["every tuesday", "FREQ=SOMETIMES", "FREQ=WEEKLY;BYDAY=XX", ""])
def test_bad_rule_refused_with_a_clear_message(text):
    with pytest.raises(InvalidValue) as caught:
        normalise_rule(text)
    assert caught.value.field == "repeat"
    message = str(caught.value)
    assert "is not a recurrence rule" in message
    assert "weekly" in message and "FREQ=WEEKLY;BYDAY=MO" in message


def test_resumed_rule_without_count_is_unchanged():
    assert resumed_rule("FREQ=WEEKLY;BYDAY=MO", FRIDAY, date(2026, 11, 30)) == "FREQ=WEEKLY;BYDAY=MO"


def test_resumed_rule_shrinks_count_by_occurrences_behind():
    assert resumed_rule("FREQ=WEEKLY;COUNT=3", FRIDAY, date(2026, 12, 4)) == "FREQ=WEEKLY;COUNT=2"
    assert resumed_rule("FREQ=WEEKLY;COUNT=3;INTERVAL=1", FRIDAY, date(2026, 12, 11)) == (
        "FREQ=WEEKLY;COUNT=1;INTERVAL=1"
    )
