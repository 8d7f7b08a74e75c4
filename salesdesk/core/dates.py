"""Dates as a salesperson types them, and timestamps as the store keeps them.

Nothing here reads the clock: `today` and `now` always come in as arguments.
"""

import re
from datetime import UTC, date, datetime, timedelta

from salesdesk.core.errors import InvalidValue, field_name
from salesdesk.i18n import N_, _

# What a date field accepts, as its messages and placeholders say (shown with `_`).
ACCEPTED = N_("YYYY-MM-DD, today, tomorrow, 3d, 2w, fri or next mon")

WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}

# The same quick dates as Chinese speakers type them: 今天, 明天, 后天, 周五 (星期五,
# 礼拜五), 下周一, 这周五, 3天, 2周, 1个月, 月底; counts in digits or 一 to 十 (两).
# Never 3月 or 3日 alone: those name a month and a day of the month, not a span.
CHINESE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3, "昨天": -1}
CHINESE_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
CHINESE_NUMBERS = {
    **{digit: number for number, digit in enumerate("一二三四五六七八九十", start=1)},
    "两": 2,
}
_CHINESE_WEEKDAY = re.compile(r"(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天])")
_CHINESE_OFFSET = re.compile(r"(\d{1,4}|[一两二三四五六七八九十])\s*(天|周|个?星期|个?礼拜|个月)后?")

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_OFFSET = re.compile(r"\+?(\d{1,4})\s*(d|day|days|w|wk|week|weeks|m|mo|month|months)")


def parse_iso_date(text: str, field: str = "date", *, accepted: str = "YYYY-MM-DD") -> date:
    """Read a strict ISO date (year first, never day first); refuse impossible dates.

    `accepted` is what the error message offers instead; only ISO dates are read here.
    """
    text = text.strip()
    match = _ISO_DATE.fullmatch(text)
    if not match:
        raise InvalidValue(
            field, _("{value} is not a date; use {accepted}.").format(value=repr(text), accepted=_(accepted))
        )
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValue(
            field, _("{value} is not a real date; use {accepted}.").format(value=text, accepted=_(accepted))
        ) from None


BIRTHDAY_ACCEPTED = N_("YYYY-MM-DD, or --MM-DD when the year is not known")
_NO_YEAR = re.compile(r"--(\d{1,2})-?(\d{1,2})")


def parse_birthday(text: str, field: str = "birthday") -> str:
    """A birthday as the store keeps it: 'YYYY-MM-DD', or '--MM-DD' without a year.

    '--MM-DD' is the ISO 8601 (2000) and vCard 4.0 form for a day of the year whose
    year is unknown, as phones export it. 29 February is a real birthday without a year.
    """
    text = text.strip()
    match = _NO_YEAR.fullmatch(text)
    if match is None:
        return parse_iso_date(text, field, accepted=BIRTHDAY_ACCEPTED).isoformat()
    month, day = int(match.group(1)), int(match.group(2))
    try:
        date(2000, month, day)  # a leap year, so --02-29 passes
    except ValueError:
        raise InvalidValue(
            field,
            _("{value} is not a real day of the year; use {accepted}.").format(
                value=text, accepted=_(BIRTHDAY_ACCEPTED)
            ),
        ) from None
    return f"--{month:02d}-{day:02d}"


def parse_quick_date(text: str, today: date, field: str = "date") -> date:
    """Turn what a salesperson types into a date relative to `today`.

    `fri` is the next Friday after today; `next fri` is the Friday of next week.
    """
    raw = text
    text = text.strip().lower()
    if not text:
        raise InvalidValue(
            field,
            _("The {field} is empty; use {accepted}.").format(field=field_name(field), accepted=_(ACCEPTED)),
        )
    if text in ("today", "tod", "now"):
        return today
    if text in ("tomorrow", "tom", "tmr"):
        return today + timedelta(days=1)
    if text == "yesterday":
        return today - timedelta(days=1)
    match = _OFFSET.fullmatch(text)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if unit.startswith("d"):
            return today + timedelta(days=count)
        if unit.startswith("w"):
            return today + timedelta(weeks=count)
        return _add_months(today, count)
    words = text.split()
    if len(words) == 2 and words[0] == "next" and words[1] in WEEKDAYS:
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=WEEKDAYS[words[1]])
    if len(words) == 1 and text in WEEKDAYS:
        ahead = (WEEKDAYS[text] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if _ISO_DATE.fullmatch(text):
        return parse_iso_date(text, field, accepted=ACCEPTED)
    chinese = _chinese_quick_date(text.replace(" ", ""), today)
    if chinese is not None:
        return chinese
    raise InvalidValue(
        field,
        _("{value} is not a date; use {accepted}.").format(value=repr(raw.strip()), accepted=_(ACCEPTED)),
    )


def _chinese_quick_date(text: str, today: date) -> date | None:
    """`parse_quick_date`'s Chinese forms; None when `text` is none of them.

    周五 is the next Friday after today, as `fri` is; 这周五 (本周五) the Friday of this
    week; 下周五 the Friday of next week, as `next fri`; 月底 the last day of this month.
    """
    if text in CHINESE_DAYS:
        return today + timedelta(days=CHINESE_DAYS[text])
    if text in ("月底", "本月底", "这个月底"):
        return _add_months(today.replace(day=1), 1) - timedelta(days=1)
    match = _CHINESE_WEEKDAY.fullmatch(text)
    if match:
        which, weekday = match.group(1), CHINESE_WEEKDAYS[match.group(2)]
        monday = today - timedelta(days=today.weekday())
        if which is None:
            return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
        weeks = 2 if which == "下下" else 1 if which.startswith("下") else 0
        return monday + timedelta(weeks=weeks, days=weekday)
    match = _CHINESE_OFFSET.fullmatch(text)
    if match:
        number, unit = match.groups()
        count = int(number) if number.isdigit() else CHINESE_NUMBERS[number]
        if unit == "天":
            return today + timedelta(days=count)
        if unit.endswith("月"):
            return _add_months(today, count)
        return today + timedelta(weeks=count)
    return None


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def timestamp(moment: datetime) -> str:
    """UTC, ISO 8601, milliseconds: the one format the store keeps moments in."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> datetime:
    """Read a stored timestamp back as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def days_between(earlier: date, later: date) -> int:
    return (later - earlier).days
