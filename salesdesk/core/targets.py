"""Targets: what a person, or the team, means to win and to collect in a month.

A target is one month, one measure (won value or collected value), one currency and
an amount in minor units; quarters and the year are the sums of their months. The
team's targets have no person (`TEAM`). Amounts are never converted between
currencies: progress in yuan is measured against a target in yuan.
"""

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from salesdesk.core.errors import InvalidValue
from salesdesk.i18n import _

WON, COLLECTED = "won", "collected"
MEASURES = (WON, COLLECTED)
TEAM = ""  # the person of a team target
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def target_id(person: str, month: str, measure: str, currency: str) -> str:
    """The id of a target, made from what it is the target of: two people who set the
    same one before syncing make one record, and the later amount wins."""
    key = "\x1f".join((person.strip().casefold(), month, measure, currency)).encode()
    return "target-" + hashlib.sha256(key).hexdigest()[:24]


def is_month(text: object) -> bool:
    return isinstance(text, str) and _MONTH.fullmatch(text) is not None


def parse_month(text: str, key: str = "month") -> str:
    """'2027-01' as typed (also '2027-1' and '2027/01'), as stored: YYYY-MM."""
    cleaned = text.strip().replace("/", "-")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", cleaned)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidValue(
            key,
            _("{value} is not a month; write the year and the month, such as 2027-01.").format(
                value=repr(text)
            ),
        )
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def parse_measure(text: str, key: str = "measure") -> str:
    word = text.strip().lower()
    aliases = {"won": WON, "win": WON, "赢单": WON, "成交": WON, "collected": COLLECTED, "回款": COLLECTED}
    if word not in aliases:
        raise InvalidValue(
            key,
            _("{value} is not a measure; use won (value won) or collected (money collected).").format(
                value=repr(text)
            ),
        )
    return aliases[word]


# -- periods of targets: a month, a quarter, a year ---------------------------------------

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIOD_KINDS = (MONTH, QUARTER, YEAR)


@dataclass(frozen=True)
class TargetPeriod:
    """A month, a quarter or a year: the months whose targets add up to its own."""

    kind: str
    year: int
    number: int = 1  # the month (1-12) or the quarter (1-4); 1 for a year

    @classmethod
    def of(cls, kind: str, day: date) -> "TargetPeriod":
        if kind == MONTH:
            return cls(MONTH, day.year, day.month)
        if kind == QUARTER:
            return cls(QUARTER, day.year, (day.month - 1) // 3 + 1)
        return cls(YEAR, day.year)

    @property
    def first_month(self) -> int:
        return {MONTH: self.number, QUARTER: (self.number - 1) * 3 + 1, YEAR: 1}[self.kind]

    @property
    def month_count(self) -> int:
        return {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]

    @property
    def months(self) -> tuple[str, ...]:
        """Its months as stored ('2027-01', ...)."""
        start = self.first_month
        return tuple(f"{self.year}-{m:02d}" for m in range(start, start + self.month_count))

    @property
    def first(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def last(self) -> date:
        end = self.first_month + self.month_count
        following = date(self.year + 1, 1, 1) if end > 12 else date(self.year, end, 1)
        return following - timedelta(days=1)

    def shifted(self, step: int) -> "TargetPeriod":
        """The period `step` periods of the same kind later (earlier when negative)."""
        if self.kind == YEAR:
            return TargetPeriod(YEAR, self.year + step)
        count = 12 if self.kind == MONTH else 4
        index = self.year * count + self.number - 1 + step
        return TargetPeriod(self.kind, index // count, index % count + 1)

    def widened(self, kind: str) -> "TargetPeriod":
        """The month, quarter or year this period starts in."""
        return TargetPeriod.of(kind, self.first)

    def __str__(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    def label(self) -> str:
        """'Jan 2027', '2027 Q1', '2027'; in Chinese '2027年1月', '2027年第1季度', '2027年'."""
        from salesdesk.core.periods import month_text, quarter_text
        from salesdesk.i18n import CHINESE, language

        if self.kind == MONTH:
            return month_text(self.first)
        if self.kind == QUARTER:
            return quarter_text(self.year, self.number)
        return f"{self.year}年" if language() == CHINESE else str(self.year)


def parse_period(text: str, kind: str, key: str) -> TargetPeriod:
    """A month ('2027-01'), a quarter ('2027-Q1', also '2027Q1', '2027-q1') or a year ('2027')."""
    cleaned = text.strip()
    if kind == MONTH:
        month = parse_month(cleaned, key)
        return TargetPeriod(MONTH, int(month[:4]), int(month[5:]))
    if kind == QUARTER:
        match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", cleaned)
        if not match:
            raise InvalidValue(
                key,
                _("{value} is not a quarter; write the year and the quarter, such as 2027-Q1.").format(
                    value=repr(text)
                ),
            )
        return TargetPeriod(QUARTER, int(match.group(1)), int(match.group(2)))
    if not re.fullmatch(r"\d{4}", cleaned) or int(cleaned) < 1:
        raise InvalidValue(
            key, _("{value} is not a year; write four digits, such as 2027.").format(value=repr(text))
        )
    return TargetPeriod(YEAR, int(cleaned))


# -- working days -------------------------------------------------------------------------


def working_days(first: date, last: date, holidays: Collection[date] = ()) -> int:
    """The working days from `first` to `last`, both included: Monday to Friday, less the
    days in `holidays` (0 when `last` is before `first`)."""
    count = 0
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            count += 1
        day += timedelta(days=1)
    return count


def working_days_left(today: date, period: TargetPeriod, holidays: Collection[date] = ()) -> int:
    """The working days left in `period` as of `today`: from today (included when it is
    a working day) to the period's last day; all of them for a period not begun, none
    for one ended.

    A working day is Monday to Friday, not one of `holidays`. The holidays are the
    public holidays of the `holiday_country` setting as `core.calendars.holidays_between`
    lists them (`holiday_days`): a holiday of several days takes off its first day only,
    and a weekend day worked in its place (China's substituted days) is not counted.
    """
    return working_days(max(today, period.first), period.last, holidays)


def holiday_days(country: str, first: date, last: date) -> frozenset[date]:
    """The public holidays of `country` (a setting; empty: none) from `first` to `last`."""
    if not country:
        return frozenset()
    from salesdesk.core.calendars import holidays_between

    return frozenset(h.day for h in holidays_between(country, first, last))


# -- progress -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """What is done of one measure in one currency over a period, against its target
    (0: none set). Amounts are minor units of `currency`; other currencies are apart."""

    measure: str
    currency: str
    done: int
    target: int
    working_days_left: int

    @property
    def has_target(self) -> bool:
        return self.target > 0

    @property
    def percent(self) -> int | None:
        """Done as a whole percent of the target, rounded down (None: no target)."""
        if self.target <= 0:
            return None
        return max(self.done, 0) * 100 // self.target

    @property
    def remaining(self) -> int:
        return max(self.target - self.done, 0)

    @property
    def needed(self) -> int | None:
        """What is still to do, per working day left, rounded up: 0 when the target is
        reached; None when there is no target or no working day left to do it in."""
        if self.target <= 0:
            return None
        if self.remaining == 0:
            return 0
        if self.working_days_left <= 0:
            return None
        return -(-self.remaining // self.working_days_left)


Key = tuple[str, str]  # (measure, currency)


@dataclass(frozen=True)
class MemberProgress:
    """A person's (or, with `person` TEAM, the team's) progress over a period."""

    person: str
    progress: tuple[Progress, ...]

    @property
    def is_team(self) -> bool:
        return self.person == TEAM


@dataclass(frozen=True)
class PeriodProgress:
    """The progress of one or more people over a period, as of a day."""

    period: TargetPeriod
    days_left: int
    rows: tuple[MemberProgress, ...]


def progress_of(
    targets: Mapping[Key, int],
    done: Mapping[Key, int],
    days_left: int,
    currency_first: str = "",
    *,
    all_done: bool = False,
) -> list[Progress]:
    """One Progress per measure and currency with a target (and, with `all_done`, per
    measure and currency with something done but no target): won before collected, the
    default currency `currency_first` first, then by code."""
    keys = set(targets) | (set(done) if all_done else set())
    order = {measure: index for index, measure in enumerate(MEASURES)}
    return [
        Progress(
            measure,
            currency,
            done.get((measure, currency), 0),
            targets.get((measure, currency), 0),
            days_left,
        )
        for measure, currency in sorted(
            keys, key=lambda key: (order.get(key[0], 9), key[1] != currency_first, key[1])
        )
    ]


def add_up(rows: Iterable[tuple[str, str, int]]) -> dict[Key, int]:
    """(measure, currency, amount) rows summed per measure and currency: the months of a
    quarter or a year into its figures, never two currencies together."""
    total: dict[Key, int] = {}
    for measure, currency, amount in rows:
        total[(measure, currency)] = total.get((measure, currency), 0) + int(amount or 0)
    return total


# -- as a person reads them ---------------------------------------------------------------

TEAM_WORDS = ("team", "团队")  # what stands for the team where a name is typed


def is_team_word(text: str) -> bool:
    return text.strip().casefold() in TEAM_WORDS


def person_label(person: str) -> str:
    """A person's name as it is, the team as 'Team' (团队)."""
    return _("Team") if person == TEAM else person


def measure_label(measure: str) -> str:
    return _("Won") if measure == WON else _("Collected")


def percent_text(progress: Progress) -> str:
    return "" if progress.percent is None else f"{progress.percent}%"


def needed_text(progress: Progress, money: Callable[[int, str], str]) -> str:
    """'¥19k a working day', 'reached', 'no working day left' ('' with no target)."""
    if progress.needed is None:
        return _("no working day left") if progress.has_target else ""
    if progress.needed == 0:
        return _("reached")
    return _("{amount} a working day").format(amount=money(progress.needed, progress.currency))


def progress_phrase(progress: Progress, money: Callable[[int, str], str]) -> str:
    """'Won ¥120k / ¥500k (24%), ¥19k a working day', as Today's header says it."""
    amounts = _("{measure} {done} / {target} ({percent})").format(
        measure=measure_label(progress.measure),
        done=money(progress.done, progress.currency),
        target=money(progress.target, progress.currency),
        percent=percent_text(progress),
    )
    if progress.needed:
        return _("{amounts}, {needed}").format(amounts=amounts, needed=needed_text(progress, money))
    return amounts
