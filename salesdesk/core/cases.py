"""After-sales cases: a customer's requests and complaints after a sale.

A case has a title, the product it is about (if any), the day it was opened, a status
and notes. It is open (being worked), waiting (on the customer or a supplier) or closed
(the day it was closed kept). Open and waiting cases are both unresolved: the post-sale
check-in of the customer says how many there are. The statuses are stored in English
and shown through `status_name`.

Pure checks of the values a case is given, as a local edit and a teammate's change
are checked alike (`sync.checks`).
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from salesdesk.core.dates import parse_iso_date
from salesdesk.core.errors import InvalidValue
from salesdesk.i18n import _, ngettext, pgettext

OPEN, WAITING, CLOSED = "open", "waiting", "closed"
STATUSES = (OPEN, WAITING, CLOSED)
UNRESOLVED = (OPEN, WAITING)  # counted as open cases
CASE_FIELDS = ("title", "product_id", "deal_id", "opened_on", "status", "closed_on", "owner", "notes")
TITLE_LIMIT = 200  # characters of a case's title
NOTES_LIMIT = 20_000  # characters of its notes


def status_name(status: str) -> str:
    """A status as the language shown names it: `waiting`, 等待中 (a case's words, in
    their own context: "open" of a case is not "open" of a deal)."""
    names = {
        OPEN: pgettext("case", "open"),
        WAITING: pgettext("case", "waiting"),
        CLOSED: pgettext("case", "closed"),
    }
    return names.get(status, status)


def status_typed(text: str) -> str | None:
    """The status a person typed, in English or the language shown; None if none."""
    typed = text.strip().lower()
    for status in STATUSES:
        if typed in (status, status_name(status).lower()):
            return status
    return None


def check_status(status: object) -> str:
    if status not in STATUSES:
        raise InvalidValue(
            "status",
            _("{value} is not a status of a case; use open, waiting or closed.").format(value=repr(status)),
        )
    return str(status)


def check_title(title: object) -> str:
    text = str(title or "").strip()
    if not text:
        raise InvalidValue("title", _("A case needs a title, such as “Printer jams”."))
    if len(text) > TITLE_LIMIT:
        raise InvalidValue("title", _("A case's title is at most {n} characters.").format(n=TITLE_LIMIT))
    return text


def check_day(value: object, field: str) -> str:
    """An ISO date (YYYY-MM-DD) as stored, from a date or its text."""
    if isinstance(value, date):
        return value.isoformat()
    return parse_iso_date(str(value or ""), field).isoformat()


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """A case's fields checked: title not empty, status one of the three, dates ISO.

    A closed case keeps the day it was closed; one that is not closed has none.
    """
    unknown = set(values) - set(CASE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidValue(name, _("Cases have no field {field}.").format(field=repr(name)))
    checked = dict(values)
    if "title" in checked:
        checked["title"] = check_title(checked["title"])
    if "status" in checked:
        checked["status"] = check_status(checked["status"])
    for name in ("opened_on", "closed_on"):
        if checked.get(name) is not None:
            checked[name] = check_day(checked[name], name)
    if "notes" in checked:
        checked["notes"] = str(checked["notes"] or "").strip()
        if len(checked["notes"]) > NOTES_LIMIT:
            raise InvalidValue(
                "notes", _("A case's notes are at most {n} characters.").format(n=f"{NOTES_LIMIT:,}")
            )
    for name in ("product_id", "deal_id"):
        if name in checked and not checked[name]:
            checked[name] = None
    opened, closed = checked.get("opened_on"), checked.get("closed_on")
    if opened and closed and closed < opened:
        raise InvalidValue(
            "closed_on",
            _("A case cannot be closed ({closed}) before it was opened ({opened}).").format(
                closed=closed, opened=opened
            ),
        )
    return checked


def open_case_words(count: int) -> str:
    """What a check-in reminder adds for a customer's unresolved cases: `1 case open`."""
    return ngettext("{n} case open", "{n} cases open", count).format(n=count)
