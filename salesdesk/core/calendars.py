"""Calendars: when a birthday is kept, the Chinese lunar calendar, and public holidays.

Pure date arithmetic. The lunar and holiday calendars are heavy to import (holidays is
about 50 ms, then 100 ms for a country's rules), so each is imported inside the
function that needs it, on first use, never when this module is imported.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from salesdesk.i18n import CHINESE, language


@dataclass(frozen=True)
class Span:
    """The days from `first` to `last`, both included."""

    first: date
    last: date

    def days(self) -> Iterable[date]:
        for offset in range((self.last - self.first).days + 1):
            yield self.first + timedelta(days=offset)

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class Holiday:
    """A public holiday: its (first) day and its name."""

    day: date
    name: str


# -- birthdays ---------------------------------------------------------------------------


def birthday_in(birthday: date, year: int) -> date:
    """The day a birthday is kept in `year`: 29 February is kept on 28 February in other years."""
    try:
        return birthday.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def birthday_keys(span: Span) -> tuple[str, ...]:
    """The 'MM-DD' of birthdays kept on the days of `span` (29 February on the 28th)."""
    keys = []
    for day in span.days():
        keys.append(f"{day:%m-%d}")
        if day.month == 2 and day.day == 28 and birthday_in(date(2000, 2, 29), day.year) == day:
            keys.append("02-29")
    return tuple(dict.fromkeys(keys))


def lunar_days(span: Span) -> dict[str, tuple[date, ...]]:
    """Lunar 'MM-DD' -> the solar days of `span` it falls on this time round.

    A birthday is kept in the regular month, not in a leap month of the same number;
    the 30th of a month that has only 29 days this year is kept on the 29th.
    """
    from lunardate import LunarDate

    found: dict[str, list[date]] = {}
    for day in span.days():
        lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
        if lunar.is_leap_month:
            continue
        found.setdefault(f"{lunar.month:02d}-{lunar.day:02d}", []).append(day)
        if lunar.day == 29:
            following = day + timedelta(days=1)
            if LunarDate.from_solar_date(following.year, following.month, following.day).day == 1:
                found.setdefault(f"{lunar.month:02d}-30", []).append(day)
    return {key: tuple(days) for key, days in found.items()}


def lunar_birthday_in(lunar: str, lunar_year: int) -> date | None:
    """The solar day of a lunar 'MM-DD' birthday in a lunar year (None if not a lunar date)."""
    from lunardate import LunarDate

    month, day = (int(part) for part in lunar.split("-"))
    for kept in (day, 29) if day == 30 else (day,):
        try:
            return LunarDate(lunar_year, month, kept).to_solar_date()
        except ValueError:
            continue
    return None


# -- holidays ----------------------------------------------------------------------------


class YearStore(Protocol):
    """Somewhere to keep a country's holidays of a year between runs (see `keep_years_in`)."""

    def get(self, key: str) -> list[list[str]] | None: ...

    def put(self, key: str, value: list[list[str]]) -> None: ...


_years: dict[tuple[str, int, str | None], tuple[Holiday, ...]] = {}
_year_store: YearStore | None = None


def keep_years_in(store: YearStore | None) -> None:
    """Keep computed holiday years in `store`, so a later run need not import the calendar.

    Importing the holiday calendar and building a country's rules takes about 100 ms,
    most of a start-up; the holidays of a year never change for one calendar version.
    The command line sets this; without it (tests, library use) years are computed.
    """
    global _year_store
    _year_store = store
    _years.clear()


def holidays_between(country: str, first: date, last: date) -> list[Holiday]:
    """Public holidays of `country` from `first` to `last`, one per holiday.

    A holiday of several days counts once, on its first day; days off moved for it
    (China's substituted working days), observed days and eves that lead into the
    holiday itself are not holidays to greet on.
    """
    found: list[Holiday] = []
    for year in range(first.year, last.year + 1):
        found += [h for h in _holidays_of(country, year) if first <= h.day <= last]
    return found


# The calendar's own names for a language shown, where it has them (春节, 国庆节).
_HOLIDAY_LANGUAGES = {CHINESE: "zh_CN"}


def _holidays_of(country: str, year: int) -> tuple[Holiday, ...]:
    names = _HOLIDAY_LANGUAGES.get(language())
    key = (country, year, names)
    if key not in _years:
        cached = f"{country}-{year}" + (f"-{names}" if names else "")
        stored = _year_store.get(cached) if _year_store is not None else None
        if stored is not None:
            _years[key] = tuple(Holiday(date.fromisoformat(day), name) for day, name in stored)
        else:
            _years[key] = _compute_year(country, year, names)
            if _year_store is not None:
                _year_store.put(cached, [[h.day.isoformat(), h.name] for h in _years[key]])
    return _years[key]


def _compute_year(country: str, year: int, names: str | None = None) -> tuple[Holiday, ...]:
    """The holidays to greet on in `year`, named in English or, given `names` (`zh_CN`)
    and a calendar that has them, in that language."""
    import holidays

    try:
        # Which days are holidays is read from the English names, where the calendar has
        # them, else its own language; never the names of whatever locale the machine
        # happens to have. The years either side tell whether 1 January follows an eve,
        # or 31 December continues a holiday.
        calendar = holidays.country_holidays(
            country, years=range(year - 1, year + 2), observed=False, language="en_US"
        )
    except NotImplementedError:  # a code the calendar does not know: nothing to greet on
        return ()
    local: dict[date, list[str]] = {}
    if names and names in getattr(calendar, "supported_languages", ()):
        translated = holidays.country_holidays(
            country, years=range(year - 1, year + 2), observed=False, language=names
        )
        local = {day: text.split("; ") for day, text in translated.items()}
    substituted = getattr(calendar, "substituted_label", None)
    prefix = calendar.tr(substituted).split("%")[0].strip() if substituted else None
    names_on = {day: names.split("; ") for day, names in calendar.items()}
    found: list[Holiday] = []
    for day in sorted(names_on):
        if day.year != year:
            continue
        shown = local.get(day, [])
        for index, name in enumerate(names_on[day]):
            if prefix and name.startswith(prefix):
                continue
            if name in names_on.get(day - timedelta(days=1), ()):
                continue  # the second day of a holiday of several days
            if name.endswith("Eve") and day + timedelta(days=1) in names_on:
                continue
            # The calendars list a day's holidays in the same order in every language.
            same = len(shown) == len(names_on[day])
            found.append(Holiday(day, shown[index] if same else name))
    return tuple(found)


def supported_countries() -> set[str]:
    """The country codes the holiday calendar knows."""
    import holidays

    return set(holidays.list_supported_countries())
