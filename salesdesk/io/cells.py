"""Spreadsheet cells: dates as spreadsheets write them, tag lists, formula escaping."""

import re
from datetime import date

from salesdesk.core.incoming import shown
from salesdesk.i18n import N_, _

DAY_FIRST, MONTH_FIRST = "day", "month"

# A cell a spreadsheet would run as a formula (CWE-1236).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Phone numbers and signed numbers are safe and must stay re-importable as typed.
_PLAIN_NUMBER = re.compile(r"[+-]?[(\d][\d ().-]*")
_TAG_SEPARATORS = re.compile(r"[,;、|，；]")

_YEAR_FIRST = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_LAST = re.compile(r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{2,4})")
_NO_YEAR = re.compile(r"--(\d{1,2})-?(\d{1,2})|(\d{1,2})\s*月\s*(\d{1,2})(?:\s*日)?")
_TIME = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


class CellError(ValueError):
    """A cell that cannot be taken; the message is the reason, as one sentence."""


def escape_formula(text: str) -> str:
    """Prefix a cell a spreadsheet would evaluate with an apostrophe (CWE-1236).

    Plain numbers such as '+86 138 0013 8000' or '-5' are left alone. A cell whose
    apostrophes already guard a formula character gets one more, so that
    `unescape_formula` gives back exactly what was stored.
    """
    if text.startswith("'"):
        return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    """Undo `escape_formula`: drop one apostrophe that guards a formula character.

    Spreadsheets do not write that apostrophe themselves (it only tells them to keep
    a cell as text), so in a CSV it comes from an escaping export like ours.
    """
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


def split_tags(text: str) -> list[str]:
    """Tags from one cell: split on , ; 、 | (and full-width ，；), trimmed, first spelling kept."""
    seen, tags = set(), []
    for part in _TAG_SEPARATORS.split(text):
        tag = part.strip()
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


# Why a date is not real, by how it was read (shown with `_`).
_NOT_REAL = {
    "": N_("{value} is not a real date; use YYYY-MM-DD."),
    DAY_FIRST: N_("{value} is not a real date read day first (DD/MM/YYYY); use YYYY-MM-DD."),
    MONTH_FIRST: N_("{value} is not a real date read month first (MM/DD/YYYY); use YYYY-MM-DD."),
}


def _real(year: int, month: int, day: int, value: str, read: str = "") -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_(_NOT_REAL[read]).format(value=shown(value))) from None


def read_date(value: str, order: str | None = None, *, year_optional: bool = False) -> str:
    """A date cell as ISO text: 'YYYY-MM-DD', or '--MM-DD' for a day without a year.

    Year first (2026-03-04, 2026/3/4, 2026年3月4日, 20260304) is never read day first.
    Year last (03/04/2026) is read as `order` says (DAY_FIRST or MONTH_FIRST); without
    it only a date that cannot be misread is taken (15/03/2026, 03/15/2026, 04/04/2026).
    """
    text = value.strip()
    if (match := _YEAR_FIRST.match(text)) and _TIME.fullmatch(text[match.end() :]):
        year, month, day = (int(g) for g in match.groups())
        return _real(year, month, day, value).isoformat()
    if match := _COMPACT.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _real(year, month, day, value).isoformat()
    if (match := _YEAR_LAST.match(text)) and _TIME.fullmatch(text[match.end() :]):
        first, second, year_text = int(match.group(1)), int(match.group(3)), match.group(4)
        if len(year_text) != 4:
            raise CellError(_("{value} has a two-digit year; use YYYY-MM-DD.").format(value=shown(value)))
        year = int(year_text)
        if order == DAY_FIRST:
            return _real(year, second, first, value, DAY_FIRST).isoformat()
        if order == MONTH_FIRST:
            return _real(year, first, second, value, MONTH_FIRST).isoformat()
        if first > 12 and second <= 12:
            return _real(year, second, first, value).isoformat()
        if second > 12 and first <= 12 or first == second:
            return _real(year, first, second, value).isoformat()
        if first > 12:
            raise CellError(_(_NOT_REAL[""]).format(value=shown(value)))
        raise CellError(
            _(
                "{value} could be {one} or {other}; pass --dayfirst or --monthfirst, "
                "or write it as YYYY-MM-DD."
            ).format(value=shown(value), one=_day_of(first, second), other=_day_of(second, first))
        )
    if match := _NO_YEAR.fullmatch(text):
        if not year_optional:
            raise CellError(_("{value} has no year; use YYYY-MM-DD.").format(value=shown(value)))
        month, day = (int(g) for g in (match.group(1, 2) if match.group(1) else match.group(3, 4)))
        _real(2000, month, day, value)  # a leap year: 29 February is a birthday
        return f"--{month:02d}-{day:02d}"
    accepted = _("YYYY-MM-DD, or --MM-DD without a year") if year_optional else "YYYY-MM-DD"
    raise CellError(_("{value} is not a date; use {accepted}.").format(value=shown(value), accepted=accepted))


def _day_of(day: int, month: int) -> str:
    """'3 April'; '4月3日'."""
    return _("{day} {month}").format(day=day, month=_(_MONTHS[month]))


_MONTHS = (
    "",
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
