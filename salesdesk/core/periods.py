"""Calendar periods for reports: ISO 8601 weeks, quarters, and the last N days.

Pure Python; `today` always comes in. Names of days and months are written in English
here, not with `strftime`, so nothing depends on the machine's locale.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from salesdesk.core.errors import InvalidValue
from salesdesk.i18n import CHINESE, N_, _, language, ngettext, short_date

WEEK_ACCEPTED = N_("YYYY-Www such as 2026-W48")
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")


def weeks_in_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last."""
    return date(year, 12, 28).isocalendar()[1]


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week: Monday to Sunday, numbered within its ISO year."""

    year: int
    week: int

    @classmethod
    def of(cls, day: date) -> "IsoWeek":
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def previous(self) -> "IsoWeek":
        return IsoWeek.of(self.monday - timedelta(days=7))

    def next(self) -> "IsoWeek":
        return IsoWeek.of(self.monday + timedelta(days=7))

    @property
    def period(self) -> "Period":
        return Period(self.monday, self.sunday, WEEK)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def parse_iso_week(text: str, field: str = "--week") -> IsoWeek:
    """'2026-W48' (or '2026W48', any case) -> IsoWeek; a week the year lacks is refused."""
    cleaned = text.strip()
    match = _WEEK.fullmatch(cleaned)
    if match is None:
        raise InvalidValue(
            field,
            _("{value} is not an ISO week; use {accepted}.").format(
                value=repr(cleaned), accepted=_(WEEK_ACCEPTED)
            ),
        )
    year, week = int(match.group(1)), int(match.group(2))
    if not 1 <= week <= weeks_in_year(year) or year < 1:
        raise InvalidValue(
            field,
            _("{value} is not a week of {year}; use {accepted}.").format(
                value=cleaned, year=year, accepted=_(WEEK_ACCEPTED)
            ),
        )
    return IsoWeek(year, week)


WEEK, QUARTER, DAYS = "week", "quarter", "days"
DAYS_OF_WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date) -> str:
    """'Mon 23 Nov'; in Chinese '11月23日 周一'."""
    if language() == CHINESE:
        return short_date(day)
    return f"{DAYS_OF_WEEK[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def week_text(week: IsoWeek) -> str:
    """'2026-W48'; in Chinese '2026年第48周'."""
    if language() == CHINESE:
        return f"{week.year}年第{week.week}周"
    return str(week)


def quarter_text(year: int, quarter: int) -> str:
    """'2026 Q4'; in Chinese '2026年第4季度'."""
    if language() == CHINESE:
        return f"{year}年第{quarter}季度"
    return f"{year} Q{quarter}"


def month_text(first: date) -> str:
    """'Nov 2026'; in Chinese '2026年11月'."""
    if language() == CHINESE:
        return f"{first.year}年{first.month}月"
    return f"{MONTHS[first.month - 1]} {first.year}"


def span_text(first: date, last: date) -> str:
    """'23–29 Nov 2026', '30 Nov – 6 Dec 2026', '29 Dec 2025 – 4 Jan 2026'.

    In Chinese '2026年11月23日–29日', '2026年11月30日–12月6日', '2025年12月29日–2026年1月4日'.
    """
    if language() == CHINESE:
        start = f"{first.year}年{first.month}月{first.day}日"
        if first.year != last.year:
            return f"{start}–{last.year}年{last.month}月{last.day}日"
        if first.month != last.month:
            return f"{start}–{last.month}月{last.day}日"
        return f"{start}–{last.day}日"
    if first.year != last.year:
        return (
            f"{first.day} {MONTHS[first.month - 1]} {first.year} – "
            f"{last.day} {MONTHS[last.month - 1]} {last.year}"
        )
    if first.month != last.month:
        return f"{first.day} {MONTHS[first.month - 1]} – {last.day} {MONTHS[last.month - 1]} {last.year}"
    return f"{first.day}–{last.day} {MONTHS[last.month - 1]} {last.year}"


@dataclass(frozen=True)
class Period:
    """Days from `first` to `last`, both included; `kind` says what the one before is."""

    first: date
    last: date
    kind: str = DAYS

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> "Period":
        """The period just before: the week, the quarter, or as many days."""
        if self.kind == WEEK:
            return IsoWeek.of(self.first).previous().period
        if self.kind == QUARTER:
            return quarter_of(self.first - timedelta(days=1))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1), DAYS)

    def next(self) -> "Period":
        if self.kind == WEEK:
            return IsoWeek.of(self.first).next().period
        if self.kind == QUARTER:
            return quarter_of(self.last + timedelta(days=1))
        return Period(self.last + timedelta(days=1), self.last + timedelta(days=self.days), DAYS)

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last

    def span(self) -> str:
        """'23–29 Nov 2026', '29 Dec 2025 – 4 Jan 2026'."""
        return span_text(self.first, self.last)

    def describe(self) -> str:
        """'2026-W48, 23–29 Nov 2026', '2026 Q4, 1 Oct – 31 Dec 2026', '90 days, 30 Aug – ...'.

        In Chinese '2026年第48周，2026年11月23日–29日', '2026年第4季度，2026年10月1日–12月31日',
        '90天，2026年8月30日–11月27日'.
        """
        if self.kind == WEEK:
            name = week_text(IsoWeek.of(self.first))
        elif self.kind == QUARTER:
            name = quarter_text(self.first.year, (self.first.month - 1) // 3 + 1)
        else:
            name = ngettext("{n} day", "{n} days", self.days).format(n=self.days)
        return _("{days}, {span}").format(days=name, span=self.span())


def quarter_of(day: date) -> Period:
    start_month = (day.month - 1) // 3 * 3 + 1
    first = date(day.year, start_month, 1)
    following = date(day.year + 1, 1, 1) if start_month == 10 else date(day.year, start_month + 3, 1)
    return Period(first, following - timedelta(days=1), QUARTER)


# The periods the Reports screen offers, in the order its key cycles through them.
PRESETS = (
    "last 90 days",
    "last 30 days",
    "last 365 days",
    "this week",
    "last week",
    "this quarter",
    "last quarter",
)
DEFAULT_PRESET = "last 90 days"


def preset_period(name: str, today: date) -> Period:
    """A named period ending at or around `today`."""
    if name.startswith("last ") and name.endswith(" days"):
        count = int(name.split()[1])
        return Period(today - timedelta(days=count - 1), today, DAYS)
    if name == "this week":
        return IsoWeek.of(today).period
    if name == "last week":
        return IsoWeek.of(today).previous().period
    if name == "this quarter":
        return quarter_of(today)
    if name == "last quarter":
        return quarter_of(today).previous()
    raise InvalidValue(
        "period",
        _("{value} is not a period; use one of {presets}.").format(
            value=repr(name), presets=", ".join(PRESETS)
        ),
    )
