"""The quick date parser, relative to a fixed today (Friday 2026-11-27), and timestamps."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from salesdesk.core.dates import parse_iso_date, parse_quick_date, parse_timestamp, timestamp
from salesdesk.core.errors import InvalidValue

TODAY = date(2026, 11, 27)


def quick(text: str, today: date = TODAY) -> date:
    return parse_quick_date(text, today)


def test_fixed_today_is_a_friday():
    assert TODAY.weekday() == 4


def test_today():
    assert quick("today") == date(2026, 11, 27)


def test_tomorrow():
    assert quick("tomorrow") == date(2026, 11, 28)


def test_days_offset():
    assert quick("3d") == date(2026, 11, 30)


def test_weeks_offset():
    assert quick("2w") == date(2026, 12, 11)


def test_month_offset():
    assert quick("1m") == date(2026, 12, 27)


def test_month_offset_clamps_to_month_end():
    assert quick("1m", date(2026, 1, 31)) == date(2026, 2, 28)


def test_month_offset_clamps_to_leap_day():
    assert quick("1m", date(2028, 1, 31)) == date(2028, 2, 29)


def test_month_offset_crosses_the_year():
    assert quick("2m", date(2026, 12, 15)) == date(2027, 2, 15)


def test_weekday_is_strictly_after_today():
    # today is Friday: 'fri' is next week's Friday, never today
    assert quick("fri") == date(2026, 12, 4)


def test_weekday_later_this_week():
    assert quick("sat") == date(2026, 11, 28)


def test_weekday_earlier_in_the_week_rolls_to_next_week():
    assert quick("mon") == date(2026, 11, 30)
    assert quick("thu") == date(2026, 12, 3)


def test_next_monday_is_monday_of_next_iso_week():
    assert quick("next mon") == date(2026, 11, 30)


def test_next_weekday_is_in_next_iso_week():
    assert quick("next fri") == date(2026, 12, 4)
    assert quick("next sun") == date(2026, 12, 6)


def test_next_mon_on_a_sunday_is_the_following_day():
    assert quick("next mon", date(2026, 11, 29)) == date(2026, 11, 30)


def test_case_and_spaces_do_not_matter():
    assert quick("  Next MON ") == date(2026, 11, 30)


def test_iso_date():
    assert quick("2026-12-24") == date(2026, 12, 24)


def test_iso_date_is_never_day_first():
    assert quick("2026-03-04") == date(2026, 3, 4)
    assert parse_iso_date("2026-03-04") == date(2026, 3, 4)


def test_impossible_date_is_refused_saying_what_is_accepted():
    with pytest.raises(InvalidValue) as caught:
        quick("2026-02-31")
    message = str(caught.value)
    assert "2026-02-31" in message
    assert "YYYY-MM-DD" in message
    assert "tomorrow" in message


@pytest.mark.parametrize("text", ["03/04/2026", "soon", "", "   ", "4 March", "2026/03/04"])
def test_garbage_is_refused_naming_accepted_forms(text):
    with pytest.raises(InvalidValue) as caught:
        quick(text)
    message = str(caught.value)
    for form in ("YYYY-MM-DD", "today", "tomorrow", "3d", "2w", "fri", "next mon"):
        assert form in message


def test_refusal_names_the_field():
    with pytest.raises(InvalidValue) as caught:
        parse_quick_date("soon", TODAY, field="due date")
    assert caught.value.field == "due date"


def test_strict_iso_parser_offers_only_iso():
    # a birthday field reads ISO only, so its message must not offer 'tomorrow'
    with pytest.raises(InvalidValue) as caught:
        parse_iso_date("tomorrow", "birthday")
    assert "YYYY-MM-DD" in str(caught.value)
    assert "tomorrow" not in str(caught.value).replace("'tomorrow'", "")


def test_timestamp_is_utc_with_milliseconds_and_z():
    moment = datetime(2026, 11, 27, 10, 30, 5, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert timestamp(moment) == "2026-11-27T09:30:05.123Z"


def test_timestamp_pads_milliseconds():
    assert timestamp(datetime(2026, 1, 2, 3, 4, 5, 7000, tzinfo=UTC)) == "2026-01-02T03:04:05.007Z"


def test_timestamp_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        timestamp(datetime(2026, 11, 27, 9, 0))


def test_timestamp_round_trips():
    moment = datetime(2026, 11, 27, 9, 0, 0, 250000, tzinfo=UTC)
    assert parse_timestamp(timestamp(moment)) == moment


# Chinese quick dates, against the same Friday 2026-11-27.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", date(2026, 11, 27)),
        ("明天", date(2026, 11, 28)),
        ("后天", date(2026, 11, 29)),
        ("大后天", date(2026, 11, 30)),
        ("昨天", date(2026, 11, 26)),
        ("周五", date(2026, 12, 4)),  # as `fri`: the next Friday after today
        ("周一", date(2026, 11, 30)),
        ("星期六", date(2026, 11, 28)),
        ("礼拜天", date(2026, 11, 29)),
        ("周日", date(2026, 11, 29)),
        ("这周五", date(2026, 11, 27)),
        ("本周一", date(2026, 11, 23)),
        ("下周一", date(2026, 11, 30)),
        ("下周五", date(2026, 12, 4)),
        ("下星期三", date(2026, 12, 2)),
        ("下个礼拜二", date(2026, 12, 1)),
        ("下下周一", date(2026, 12, 7)),
        ("3天", date(2026, 11, 30)),
        ("3天后", date(2026, 11, 30)),
        ("10 天", date(2026, 12, 7)),
        ("2周", date(2026, 12, 11)),
        ("两周", date(2026, 12, 11)),
        ("2个星期", date(2026, 12, 11)),
        ("1个月", date(2026, 12, 27)),
        ("三个月", date(2027, 2, 27)),
        ("月底", date(2026, 11, 30)),
    ],
)
def test_chinese_quick_dates(text, expected):
    assert quick(text) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 2, 10), date(2027, 2, 28)),
        (date(2028, 2, 10), date(2028, 2, 29)),
        (date(2026, 11, 30), date(2026, 11, 30)),  # on the last day, that day
    ],
)
def test_end_of_month(today, expected):
    assert quick("月底", today) == expected


@pytest.mark.parametrize("text", ["3月", "3日", "周八", "下周", "明后天"])
def test_chinese_forms_that_are_not_a_span_are_refused(text):
    # 3月 is March and 3日 the 3rd, not three months or days from now: refused, not guessed.
    with pytest.raises(InvalidValue, match="is not a date"):
        quick(text)
