"""Every incoming change is checked before it is applied.

A change is data from someone else, never trusted: its clock must be well formed and
not far ahead of this computer's, its table one we sync, its columns ours, its values
of our schema's types and sizes, what it references here already (or it waits), and
settings, stage checklists and deal checklists pass the rules a local edit passes.
What fails is a `Problem`: the change is held back with that reason (`sync.held`), and
everything else merges. The rules of the schema are read once per merge (`Checker`).

The bounds (README, "Team sync"): a text value of at most `VALUE_LIMIT` characters, a
change of at most `reading.CHANGE_LIMIT`, whole numbers that fit 64 bits, a change's
data one JSON object of plain values, JSON inside a value nested at most `JSON_DEPTH`.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from salesdesk.core.care import DAY_LIMITS, TIERS
from salesdesk.core.errors import InvalidValue
from salesdesk.core.money import check_currency
from salesdesk.store.changelog import MalformedClock, parse_clock
from salesdesk.store.database import Database
from salesdesk.store.schema import SYNCED_TABLES
from salesdesk.sync.reading import CHANGE_LIMIT, Entry

VALUE_LIMIT = 200_000  # characters of one text value
JSON_DEPTH = 8  # nesting of JSON held inside a value (a setting, a checklist)
ID_LIMIT = 200  # characters of a record id
INT_RANGE = (-(2**63), 2**63 - 1)
AHEAD_SETTING = "sync_clock_ahead_hours"
AHEAD_DEFAULT_HOURS = 24
AHEAD_RANGE = (1, 720)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)

# What kind of problem held a change back; `RETRIED` kinds may pass later by themselves.
AHEAD, WAITING, RELAYED, INVALID, MALFORMED, TOO_BIG = (
    "ahead",
    "waiting",
    "relayed",
    "invalid",
    "malformed",
    "too big",
)


@dataclass(frozen=True)
class Problem:
    kind: str
    reason: str  # one sentence, without the full stop


class Checked(NamedTuple):
    """A change that passed: its fields, typed, and its data decoded."""

    seq: int | None
    device: str
    clock: str
    table: str
    row_id: str
    data: str
    values: dict[str, Any]


def bounded_json(text: str, depth: int = JSON_DEPTH) -> Any:
    """json.loads, refusing (ValueError) JSON nested deeper than `depth`, without recursing."""
    level = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", _STRING.sub("", text)):
        level += 1 if bracket in "[{" else -1
        deepest = max(deepest, level)
        if deepest > depth:
            raise ValueError(f"JSON nested deeper than {depth}")
    return json.loads(text)


@dataclass(frozen=True)
class _Column:
    kind: type
    required: bool  # NOT NULL without a default: a new record must carry it
    not_null: bool


class Checker:
    """The rules of this copy's schema, read once, applied to each incoming change."""

    def __init__(self, db: Database, *, now_ms: int, ahead_hours: int):
        self.db = db
        self.latest_ms = now_ms + ahead_hours * 3_600_000
        self.ahead_hours = ahead_hours
        self.columns: dict[str, dict[str, _Column]] = {}
        self.references: dict[str, dict[str, str]] = {}
        self.required: dict[str, list[str]] = {}
        for table in SYNCED_TABLES:
            columns = {}
            for _, name, declared, not_null, default, _pk in db.execute(f"PRAGMA main.table_info({table})"):
                if name == "rid":
                    continue  # this copy's own row number, never taken from a change
                kind = int if "INT" in str(declared).upper() else str
                columns[name] = _Column(kind, bool(not_null) and default is None, bool(not_null))
            self.columns[table] = columns
            # What a new record must carry (its id is the change's), in the schema's order.
            self.required[table] = [n for n, c in columns.items() if c.required and n != "id"]
            self.references[table] = {
                row[3]: row[2] for row in db.execute(f"PRAGMA main.foreign_key_list({table})")
            }
        self._present: dict[str, set[str]] = {}

    def forget(self) -> None:
        """Forget the records seen arriving (a merge done again from the start)."""
        self._present.clear()

    def arrived(self, table: str, row_id: str) -> None:
        """A record now exists here (a reference to it resolves)."""
        self._present.setdefault(table, set()).add(row_id)

    def _exists(self, table: str, row_id: str) -> bool:
        present = self._present.setdefault(table, set())
        if row_id in present:
            return True
        if self.db.execute(f"SELECT 1 FROM main.{table} WHERE id = ?", [row_id]).fetchone():
            present.add(row_id)
            return True
        return False

    def check(self, entry: Entry) -> Checked | Problem:
        if not isinstance(entry.device, str):
            return Problem(MALFORMED, "its device id is not one")
        try:
            ms, _, clock_device = parse_clock(entry.clock)
        except MalformedClock:
            return Problem(MALFORMED, f"its clock {str(entry.clock)[:40]!r} is not a clock")
        if clock_device != entry.device:
            return Problem(MALFORMED, "its clock names another device than the change")
        if ms > self.latest_ms:
            days = (ms - self.latest_ms) / 86_400_000 + self.ahead_hours / 24
            return Problem(
                AHEAD,
                f"its clock is {days:,.1f} days ahead of this computer's "
                f"(more than {self.ahead_hours} hours); it is applied when that time comes",
            )
        if entry.tbl not in self.columns:
            return Problem(INVALID, f"{str(entry.tbl)[:40]!r} is not a table salesdesk syncs")
        table = str(entry.tbl)
        if not isinstance(entry.row_id, str) or not 0 < len(entry.row_id) <= ID_LIMIT:
            return Problem(MALFORMED, "its record id is not one")
        if entry.data is None:
            return Problem(TOO_BIG, f"it is {entry.size:,} characters long (at most {CHANGE_LIMIT:,})")
        if not isinstance(entry.data, str):
            return Problem(MALFORMED, "its data is not text")
        try:
            values = json.loads(entry.data)
        except (ValueError, RecursionError):
            return Problem(MALFORMED, "its data is not JSON")
        if not isinstance(values, dict):
            return Problem(MALFORMED, "its data is not an object of fields")
        problem = self._values(table, entry.row_id, values)
        if problem is not None:
            return problem
        seq = entry.seq if isinstance(entry.seq, int) and not isinstance(entry.seq, bool) else None
        return Checked(seq, entry.device, str(entry.clock), table, entry.row_id, entry.data, values)

    def _values(self, table: str, row_id: str, values: dict[str, Any]) -> Problem | None:
        columns = self.columns[table]
        record = table.rstrip("s")
        creates = "created_at" in values
        for name, value in values.items():
            if name == "rid":
                continue
            column = columns.get(name)
            if column is None:
                return Problem(INVALID, f"{table} has no field {str(name)[:40]!r}")
            if value is None:
                if column.not_null:
                    return Problem(INVALID, f"its {record} {name} is empty, which a {record} may not be")
                continue
            if column.kind is int:
                if not isinstance(value, int) or isinstance(value, bool):
                    return Problem(INVALID, f"its {record} {name} is {_shown(value)}, not a whole number")
                if not INT_RANGE[0] <= value <= INT_RANGE[1]:
                    return Problem(INVALID, f"its {record} {name} is a number too big to keep")
            elif not isinstance(value, str):
                return Problem(INVALID, f"its {record} {name} is {_shown(value)}, not text")
            elif len(value) > VALUE_LIMIT:
                return Problem(
                    TOO_BIG,
                    f"its {record} {name} is {len(value):,} characters long (at most {VALUE_LIMIT:,})",
                )
        if "id" in values and values["id"] != row_id:
            return Problem(INVALID, "it names another record id in its data than its own")
        if creates:
            missing = [n for n in self.required[table] if n not in values]
            if missing:
                return Problem(INVALID, f"it creates a {record} without its {missing[0]}")
        problem = _domain(table, row_id, values)
        if problem is not None:
            return problem
        for name, target in self.references[table].items():
            value = values.get(name)
            if value is not None and not self._exists(target, value):
                return Problem(
                    WAITING,
                    f"it names {target.rstrip('s')} {str(value)[:40]}, which has not arrived yet; "
                    "it is applied when it does",
                )
        return None


def _shown(value: object) -> str:
    if isinstance(value, dict | list):
        return "a list" if isinstance(value, list) else "an object"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _domain(table: str, row_id: str, values: dict[str, Any]) -> Problem | None:
    """The rules local edits follow, for the fields whose bad value would break a screen."""
    if table == "settings" and "value" in values:
        return check_setting(row_id, values["value"])
    if table == "stages":
        if "name" in values and not str(values["name"]).strip():
            return Problem(INVALID, "its stage name is empty")
        if "checklist" in values and not _list_of_text(values["checklist"]):
            return Problem(INVALID, "its stage checklist is not a list of items")
        if (values.get("rotting_days") or 0) < 0:
            return Problem(INVALID, "its stage rotting days are below zero")
    if table == "deals" and "checklist_done" in values and not _list_of_text(values["checklist_done"]):
        return Problem(INVALID, "its deal's ticked checklist is not a list of items")
    return None


def _list_of_text(text: object) -> bool:
    try:
        value = bounded_json(str(text))
    except ValueError:
        return False
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def check_setting(key: str, text: object) -> Problem | None:
    """A setting's stored value (JSON text) by the rules of the settings dialog."""
    try:
        value = bounded_json(str(text))
    except ValueError:
        return Problem(INVALID, f"its setting {key} is not a value salesdesk can read")
    shown = _shown(value)
    if key in DAY_LIMITS or key == AHEAD_SETTING:
        low, high = DAY_LIMITS.get(key, AHEAD_RANGE)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            return Problem(INVALID, f"its setting {key} is {shown}, not a whole number from {low} to {high}")
    elif key == "currency":
        try:
            check_currency(value if isinstance(value, str) else "")
        except InvalidValue:
            return Problem(INVALID, f"its setting currency is {shown}, not a currency code such as USD")
    elif key == "holiday_country":
        if not isinstance(value, str) or not (value == "" or re.fullmatch(r"[A-Z]{2}", value)):
            return Problem(INVALID, f"its setting holiday_country is {shown}, not a country code such as CN")
    elif key == "holiday_tiers":
        if not isinstance(value, list) or not all(tier in TIERS for tier in value):
            return Problem(INVALID, f"its setting holiday_tiers is {shown}, not a list of the tiers A, B, C")
    elif key == "round_robin":
        if not isinstance(value, list) or not all(isinstance(name, str) and name for name in value):
            return Problem(INVALID, f"its setting round_robin is {shown}, not a list of names")
    elif key == "tier_thresholds":
        from salesdesk.core.segments import thresholds_from

        if not isinstance(value, dict) or len(thresholds_from(value)) != len(value):
            return Problem(INVALID, f"its setting tier_thresholds is {shown}, not amounts per currency")
    elif key in ("tier_a_minor", "tier_b_minor") and (not isinstance(value, int) or isinstance(value, bool)):
        return Problem(INVALID, f"its setting {key} is {shown}, not a whole amount")
    return None


def ahead_hours(setting: object) -> int:
    """The bound on a clock ahead of ours, from its setting (the default if not valid)."""
    low, high = AHEAD_RANGE
    if isinstance(setting, int) and not isinstance(setting, bool) and low <= setting <= high:
        return setting
    return AHEAD_DEFAULT_HOURS
