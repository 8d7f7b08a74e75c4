"""Recurring follow-ups as RFC 5545 RRULEs, evaluated with python-dateutil.

dateutil's rrule is imported where a rule is evaluated: the app's start-up, which
evaluates none, does not pay for it.
"""

import re
from datetime import date, datetime, time

from salesdesk.core.errors import InvalidValue
from salesdesk.i18n import _

SHORTCUTS = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    "quarterly": "FREQ=MONTHLY;INTERVAL=3",
    "yearly": "FREQ=YEARLY",
}


def normalise_rule(text: str) -> str:
    """Accept an RRULE (with or without the 'RRULE:' prefix) or a shortcut; check it parses."""
    rule = text.strip()
    rule = SHORTCUTS.get(rule.lower(), rule)
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    rule = rule.upper()
    from dateutil.rrule import rrulestr

    try:
        rrulestr(rule, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as error:
        raise InvalidValue(
            "repeat",
            _(
                "{value} is not a recurrence rule ({error}); use daily, weekly, monthly, "
                "quarterly, yearly or an RRULE such as FREQ=WEEKLY;BYDAY=MO."
            ).format(value=repr(text), error=error),
        ) from None
    return rule


_COUNT = re.compile(r"(?:^|;)COUNT=(\d+)")


def resumed_rule(rule: str, start: date, resume: date) -> str:
    """The rule for the series that began on `start`, restarted at its occurrence `resume`.

    A follow-up keeps only its own due date as the series start, so a COUNT has to
    shrink by the occurrences already behind it, or the series would never end.
    """
    match = _COUNT.search(rule)
    if not match:
        return rule
    from dateutil.rrule import rrulestr

    series = rrulestr(rule, dtstart=datetime.combine(start, time()))
    behind = sum(1 for moment in series if moment.date() < resume)  # COUNT keeps it finite
    remaining = max(int(match.group(1)) - behind, 1)
    return rule[: match.start(1)] + str(remaining) + rule[match.end(1) :]


def next_occurrence(rule: str, start: date, after: date) -> date | None:
    """The first date of the series that began on `start` falling strictly after `after`."""
    from dateutil.rrule import rrulestr

    series = rrulestr(rule, dtstart=datetime.combine(start, time()))
    found = series.after(datetime.combine(after, time.max))
    return found.date() if found else None
