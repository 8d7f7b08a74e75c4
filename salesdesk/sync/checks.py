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
from datetime import date
from typing import Any, NamedTuple

from salesdesk.core.care import DAY_LIMITS, PAID_ON_COLLECTION, TIERS
from salesdesk.core.errors import InvalidValue, record_word
from salesdesk.core.money import check_currency
from salesdesk.core.pool import POOL_LIMITS, TIER_IDLE_SETTING, tier_idle_days_from
from salesdesk.i18n import N_, Phrase, Word, phrase
from salesdesk.store.changelog import MalformedClock, parse_clock
from salesdesk.store.database import Database
from salesdesk.store.schema import SYNCED_TABLES
from salesdesk.sync.reading import CHANGE_LIMIT, Entry, parse_json

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
    said: Phrase  # one sentence, without the full stop: kept to be said in the language it is read in

    @property
    def reason(self) -> str:
        return str(self.said)


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
            for _i, name, declared, not_null, default, _pk in db.execute(f"PRAGMA main.table_info({table})"):
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
            return Problem(MALFORMED, phrase(N_("its device id is not one")))
        try:
            ms, _counter, clock_device = parse_clock(entry.clock)
        except MalformedClock:
            return Problem(
                MALFORMED, phrase(N_("its clock {clock} is not a clock"), clock=repr(str(entry.clock)[:40]))
            )
        if clock_device != entry.device:
            return Problem(MALFORMED, phrase(N_("its clock names another device than the change")))
        if ms > self.latest_ms:
            days = (ms - self.latest_ms) / 86_400_000 + self.ahead_hours / 24
            return Problem(
                AHEAD,
                phrase(
                    N_(
                        "its clock is {days} days ahead of this computer's "
                        "(more than {hours} hours); it is applied when that time comes"
                    ),
                    days=f"{days:,.1f}",
                    hours=self.ahead_hours,
                ),
            )
        if entry.tbl not in self.columns:
            return Problem(
                INVALID, phrase(N_("{table} is not a table salesdesk syncs"), table=repr(str(entry.tbl)[:40]))
            )
        table = str(entry.tbl)
        if not isinstance(entry.row_id, str) or not 0 < len(entry.row_id) <= ID_LIMIT:
            return Problem(MALFORMED, phrase(N_("its record id is not one")))
        if entry.data is None:
            return Problem(
                TOO_BIG,
                phrase(
                    N_("it is {size} characters long (at most {limit})"),
                    size=f"{entry.size:,}",
                    limit=f"{CHANGE_LIMIT:,}",
                ),
            )
        if not isinstance(entry.data, str):
            return Problem(MALFORMED, phrase(N_("its data is not text")))
        try:
            values = parse_json(entry.data)
        except (ValueError, RecursionError):
            return Problem(MALFORMED, phrase(N_("its data is not JSON")))
        if not isinstance(values, dict):
            return Problem(MALFORMED, phrase(N_("its data is not an object of fields")))
        problem = self._values(table, entry.row_id, values)
        if problem is not None:
            # Said of the values as `json.loads` reads them (orjson makes a float of an
            # integer beyond 64 bits): a change that passes holds none such, a refused one may.
            try:
                values = json.loads(entry.data)
            except (ValueError, RecursionError):
                return Problem(MALFORMED, phrase(N_("its data is not JSON")))
            problem = self._values(table, entry.row_id, values)
            if problem is not None:
                return problem
        seq = entry.seq if isinstance(entry.seq, int) and not isinstance(entry.seq, bool) else None
        return Checked(seq, entry.device, str(entry.clock), table, entry.row_id, entry.data, values)

    def _values(self, table: str, row_id: str, values: dict[str, Any]) -> Problem | None:
        columns = self.columns[table]
        record = Word(record_word(table))
        creates = "created_at" in values
        for name, value in values.items():
            if name == "rid":
                continue
            column = columns.get(name)
            if column is None:
                return Problem(
                    INVALID, phrase(N_("{table} has no field {name}"), table=table, name=repr(str(name)[:40]))
                )
            if value is None:
                if column.not_null:
                    return Problem(
                        INVALID,
                        phrase(
                            N_("its {record} {name} is empty, which a {record} may not be"),
                            record=record,
                            name=name,
                        ),
                    )
                continue
            if column.kind is int:
                if not isinstance(value, int) or isinstance(value, bool):
                    return Problem(
                        INVALID,
                        phrase(
                            N_("its {record} {name} is {value}, not a whole number"),
                            record=record,
                            name=name,
                            value=_shown(value),
                        ),
                    )
                if not INT_RANGE[0] <= value <= INT_RANGE[1]:
                    return Problem(
                        INVALID,
                        phrase(
                            N_("its {record} {name} is a number too big to keep"), record=record, name=name
                        ),
                    )
            elif not isinstance(value, str):
                return Problem(
                    INVALID,
                    phrase(
                        N_("its {record} {name} is {value}, not text"),
                        record=record,
                        name=name,
                        value=_shown(value),
                    ),
                )
            elif len(value) > VALUE_LIMIT:
                return Problem(
                    TOO_BIG,
                    phrase(
                        N_("its {record} {name} is {size} characters long (at most {limit})"),
                        record=record,
                        name=name,
                        size=f"{len(value):,}",
                        limit=f"{VALUE_LIMIT:,}",
                    ),
                )
        if "id" in values and values["id"] != row_id:
            return Problem(INVALID, phrase(N_("it names another record id in its data than its own")))
        if creates:
            missing = [n for n in self.required[table] if n not in values]
            if missing:
                return Problem(
                    INVALID,
                    phrase(N_("it creates a {record} without its {name}"), record=record, name=missing[0]),
                )
        problem = _domain(table, row_id, values)
        if problem is not None:
            return problem
        for name, target in self.references[table].items():
            value = values.get(name)
            if value is not None and not self._exists(target, value):
                return Problem(
                    WAITING,
                    phrase(
                        N_("it names {record} {id}, which has not arrived yet; it is applied when it does"),
                        record=Word(record_word(target)),
                        id=str(value)[:40],
                    ),
                )
        return None


def _shown(value: object) -> str:
    if isinstance(value, dict | list):
        return Word(N_("a list")) if isinstance(value, list) else Word(N_("an object"))
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _domain(table: str, row_id: str, values: dict[str, Any]) -> Problem | None:
    """The rules local edits follow, for the fields whose bad value would break a screen."""
    if table == "settings" and "value" in values:
        return check_setting(row_id, values["value"])
    if table == "stages":
        if "name" in values and not str(values["name"]).strip():
            return Problem(INVALID, phrase(N_("its stage name is empty")))
        if "checklist" in values and not _list_of_text(values["checklist"]):
            return Problem(INVALID, phrase(N_("its stage checklist is not a list of items")))
        if (values.get("rotting_days") or 0) < 0:
            return Problem(INVALID, phrase(N_("its stage rotting days are below zero")))
    if table == "deals" and "checklist_done" in values and not _list_of_text(values["checklist_done"]):
        return Problem(INVALID, phrase(N_("its deal's ticked checklist is not a list of items")))
    if table == "products":
        if "name" in values and not str(values["name"]).strip():
            return Problem(INVALID, phrase(N_("its product name is empty")))
        if "currency" in values:
            try:
                check_currency(str(values["currency"]))
            except InvalidValue:
                return Problem(INVALID, phrase(N_("its product currency is not a currency code such as USD")))
    if table == "deal_lines":
        from salesdesk.core.lines import BASIS, QUANTITY_LIMIT

        if values.get("discount_kind") == "percent" and (values.get("discount") or 0) > BASIS:
            return Problem(INVALID, phrase(N_("its line discount is over 100%")))
        if (values.get("quantity_milli") or 0) > QUANTITY_LIMIT:
            return Problem(INVALID, phrase(N_("its line quantity is too large")))
        if abs(values.get("unit_price") or 0) >= 2**53:
            return Problem(INVALID, phrase(N_("its line unit price is too large")))
    if table == "quotes":
        return _quote(values)
    if table == "cases":
        return _case(values)
    if table in ("contracts", "instalments", "receipts"):
        return _collection(table, values)
    if table == "targets":
        return _target(values)
    return None


def _target(values: dict[str, Any]) -> Problem | None:
    """An incoming target: a month, won or collected, a currency code, a whole amount."""
    from salesdesk.core.lines import MONEY_LIMIT
    from salesdesk.core.targets import MEASURES, is_month

    if "month" in values and not is_month(values["month"]):
        return Problem(
            INVALID,
            phrase(
                N_("its target month is {value}, not a month such as 2027-01"), value=_shown(values["month"])
            ),
        )
    if "measure" in values and values["measure"] not in MEASURES:
        return Problem(INVALID, phrase(N_("its target measure is not won or collected")))
    if "currency" in values:
        try:
            check_currency(str(values["currency"]))
        except InvalidValue:
            return Problem(INVALID, phrase(N_("its target currency is not a currency code such as USD")))
    if "amount" in values and not 0 <= (values["amount"] or 0) <= MONEY_LIMIT:
        return Problem(INVALID, phrase(N_("its target amount is below zero or too large")))
    if len(str(values.get("person") or "")) > 200:
        return Problem(INVALID, phrase(N_("its target person is a name of over 200 characters")))
    return None


def _case(values: dict[str, Any]) -> Problem | None:
    """An incoming after-sales case: a title, one of the three statuses, ISO dates."""
    from salesdesk.core.cases import STATUSES

    if "title" in values and not str(values["title"]).strip():
        return Problem(INVALID, phrase(N_("its case title is empty")))
    if "status" in values and values["status"] not in STATUSES:
        return Problem(INVALID, phrase(N_("its case status is not open, waiting or closed")))
    for name in ("opened_on", "closed_on"):
        if values.get(name) is not None and not _is_day(values[name]):
            return Problem(
                INVALID, phrase(N_("its case {name} is not a date of the form YYYY-MM-DD"), name=name)
            )
    return None


def _collection(table: str, values: dict[str, Any]) -> Problem | None:
    """An incoming contract, instalment or receipt, by the rules `ContractStore` keeps:
    its dates days, its amounts whole minor units in range (a receipt's not zero: a
    refund is negative), a contract's currency a code, a receipt's way of paying ours."""
    from salesdesk.core.contracts import METHODS
    from salesdesk.core.lines import MONEY_LIMIT
    from salesdesk.store.contracts import NOTES_LIMIT, NUMBER_LIMIT

    record = Word(record_word(table))
    days = {
        "contracts": ("signed_on", "starts_on", "ends_on"),
        "instalments": ("due_on", "snoozed_until"),
        "receipts": ("received_on",),
    }[table]
    for name in days:
        value = values.get(name)
        if value is not None and not _is_day(value):
            return Problem(
                INVALID,
                phrase(
                    N_("its {record} {name} is {value}, not a date such as 2026-03-31"),
                    record=record,
                    name=name,
                    value=_shown(value),
                ),
            )
    amount = values.get("amount")
    if isinstance(amount, int):
        if table == "receipts" and (amount == 0 or abs(amount) > MONEY_LIMIT):
            return Problem(
                INVALID,
                phrase(N_("its receipt amount is {value}, not an amount other than zero"), value=amount),
            )
        if table != "receipts" and not 0 <= amount <= MONEY_LIMIT:
            return Problem(
                INVALID,
                phrase(
                    N_("its {record} amount is {value}, not an amount of zero or more"),
                    record=record,
                    value=amount,
                ),
            )
    if table == "contracts":
        if "currency" in values:
            try:
                check_currency(str(values["currency"]))
            except InvalidValue:
                return Problem(
                    INVALID, phrase(N_("its contract currency is not a currency code such as USD"))
                )
        if len(str(values.get("number") or "")) > NUMBER_LIMIT:
            return Problem(
                INVALID,
                phrase(N_("its contract number is longer than {limit} characters"), limit=NUMBER_LIMIT),
            )
        if len(str(values.get("notes") or "")) > NOTES_LIMIT:
            return Problem(
                INVALID,
                phrase(N_("its contract notes are longer than {limit} characters"), limit=f"{NOTES_LIMIT:,}"),
            )
    if table == "receipts" and values.get("method") not in (None, "", *METHODS):
        return Problem(
            INVALID,
            phrase(
                N_("its receipt method is {value}, not one of {methods}"),
                value=_shown(values["method"]),
                methods=", ".join(METHODS),
            ),
        )
    return None


def _is_day(value: object) -> bool:
    """Whether a value is a day as the store keeps one: YYYY-MM-DD."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _quote(values: dict[str, Any]) -> Problem | None:
    """An incoming quote: its frozen lines, parties, language and number of our shapes."""
    from salesdesk.core.quotes import BUYER_FIELDS, SELLER_FIELDS, is_party, is_quote_line, number_matches

    if "lines" in values:
        try:
            lines = bounded_json(str(values["lines"]))
        except ValueError:
            lines = None
        if not isinstance(lines, list) or not all(is_quote_line(line) for line in lines):
            return Problem(INVALID, phrase(N_("its quote lines are not a list of quote lines")))
    for name, fields in (("seller", SELLER_FIELDS), ("buyer", BUYER_FIELDS)):
        if name in values:
            try:
                party = bounded_json(str(values[name]))
            except ValueError:
                party = None
            if not is_party(party, fields):
                return Problem(
                    INVALID, phrase(N_("its quote {name} is not an object of text fields"), name=name)
                )
    if "language" in values and values["language"] not in ("en", "zh"):
        return Problem(INVALID, phrase(N_("its quote language is not en or zh")))
    if "status" in values and values["status"] not in ("draft", "sent"):
        return Problem(INVALID, phrase(N_("its quote status is not draft or sent")))
    if ("number" in values) != ("seq" in values) or (
        "number" in values and not number_matches(str(values["number"]), values.get("year"), values["seq"])
    ):
        return Problem(INVALID, phrase(N_("its quote number does not match its year and place in the year")))
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
        return Problem(INVALID, phrase(N_("its setting {key} is not a value salesdesk can read"), key=key))
    shown = _shown(value)
    if key in DAY_LIMITS or key == AHEAD_SETTING:
        low, high = DAY_LIMITS.get(key, AHEAD_RANGE)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            return Problem(
                INVALID,
                phrase(
                    N_("its setting {key} is {value}, not a whole number from {low} to {high}"),
                    key=key,
                    value=shown,
                    low=low,
                    high=high,
                ),
            )
    elif key in POOL_LIMITS:
        low, high = POOL_LIMITS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            return Problem(
                INVALID,
                phrase(
                    N_("its setting {key} is {value}, not a whole number from {low} to {high}"),
                    key=key,
                    value=shown,
                    low=low,
                    high=high,
                ),
            )
    elif key == TIER_IDLE_SETTING:
        if tier_idle_days_from(value) is None:
            return Problem(
                INVALID,
                phrase(
                    N_("its setting {key} is {value}, not days per value tier A, B, C"), key=key, value=shown
                ),
            )
    elif key == "currency":
        try:
            check_currency(value if isinstance(value, str) else "")
        except InvalidValue:
            return Problem(
                INVALID,
                phrase(N_("its setting currency is {value}, not a currency code such as USD"), value=shown),
            )
    elif key == "holiday_country":
        if not isinstance(value, str) or not (value == "" or re.fullmatch(r"[A-Z]{2}", value)):
            return Problem(
                INVALID,
                phrase(
                    N_("its setting holiday_country is {value}, not a country code such as CN"), value=shown
                ),
            )
    elif key == "holiday_tiers":
        if not isinstance(value, list) or not all(tier in TIERS for tier in value):
            return Problem(
                INVALID,
                phrase(
                    N_("its setting holiday_tiers is {value}, not a list of the tiers A, B, C"), value=shown
                ),
            )
    elif key == "paid_on_collection":
        if value not in PAID_ON_COLLECTION:
            return Problem(
                INVALID,
                phrase(N_("its setting paid_on_collection is {value}, not move or ask"), value=shown),
            )
    elif key == "round_robin":
        if not isinstance(value, list) or not all(isinstance(name, str) and name for name in value):
            return Problem(
                INVALID, phrase(N_("its setting round_robin is {value}, not a list of names"), value=shown)
            )
    elif key == "tier_thresholds":
        from salesdesk.core.segments import thresholds_from

        if not isinstance(value, dict) or len(thresholds_from(value)) != len(value):
            return Problem(
                INVALID,
                phrase(N_("its setting tier_thresholds is {value}, not amounts per currency"), value=shown),
            )
    elif key == "quote_validity_days":
        from salesdesk.core.quotes import VALIDITY_RANGE

        low, high = VALIDITY_RANGE
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            return Problem(
                INVALID,
                phrase(
                    N_("its setting {key} is {value}, not a whole number from {low} to {high}"),
                    key=key,
                    value=shown,
                    low=low,
                    high=high,
                ),
            )
    elif key == "quote_terms":
        from salesdesk.core.quotes import TERMS_LIMIT

        if not isinstance(value, str) or len(value) > TERMS_LIMIT:
            return Problem(
                INVALID,
                phrase(
                    N_("its setting quote_terms is not text of at most {limit} characters"),
                    limit=f"{TERMS_LIMIT:,}",
                ),
            )
    elif key == "seller":
        from salesdesk.core.quotes import SELLER_FIELDS, is_party

        if not is_party(value, SELLER_FIELDS):
            return Problem(
                INVALID,
                phrase(N_("its setting seller is {value}, not the seller's details as text"), value=shown),
            )
    elif key in ("tier_a_minor", "tier_b_minor") and (not isinstance(value, int) or isinstance(value, bool)):
        return Problem(
            INVALID, phrase(N_("its setting {key} is {value}, not a whole amount"), key=key, value=shown)
        )
    return None


def ahead_hours(setting: object) -> int:
    """The bound on a clock ahead of ours, from its setting (the default if not valid)."""
    low, high = AHEAD_RANGE
    if isinstance(setting, int) and not isinstance(setting, bool) and low <= setting <= high:
        return setting
    return AHEAD_DEFAULT_HOURS
