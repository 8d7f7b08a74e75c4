"""Targets: what a person, or the team, means to win and to collect in a month.

A target is one month, one measure (won value or collected value), one currency and
an amount in minor units; quarters and the year are the sums of their months. The
team's targets have no person (`TEAM`). Amounts are never converted between
currencies: progress in yuan is measured against a target in yuan.
"""

import hashlib
import re

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
