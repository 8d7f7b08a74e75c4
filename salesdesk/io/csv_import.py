"""Customers from a CSV or TSV file as any spreadsheet writes it.

Encoding and delimiter are detected (or given), headers matched in English and
Chinese, every value kept exactly as written; a row with a value salesdesk cannot
take is refused with its line, column and the reason, the other rows go through.
"""

import _csv  # the type csv.reader returns, which csv itself does not name
import csv
import io
import itertools
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NoReturn, Protocol

from salesdesk.core.errors import InvalidValue
from salesdesk.core.incoming import ImportBatch, IncomingCustomer, Refusal, shown
from salesdesk.core.model import check_email
from salesdesk.i18n import N_, _
from salesdesk.io.cells import CellError, read_date, split_tags, unescape_formula
from salesdesk.io.dialects import (
    GOOGLE,
    GOOGLE_OLDER,
    GOOGLE_SEPARATOR,
    OUTLOOK,
    OUTLOOK_EMPTY,
    Column,
    Plan,
    google_label,
    google_tags,
    phone_rank,
    plan_columns,
)
from salesdesk.io.headers import ALIASES
from salesdesk.io.textfile import UnreadableFile, decode, how_found, read_bytes

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
# How a file's delimiter is described (shown with `_`).
_SEPARATED = {",": N_("comma-separated"), ";": N_("semicolon-separated"), "\t": N_("tab-separated")}
_DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "tsv": "\t"}
_SEP_LINE = re.compile(r'"?sep=(.)"?')  # Excel's first-line hint: sep=;
_LUNAR = re.compile(r"(\d{1,2})-(\d{1,2})")
_SNIFF_BYTES = 64 * 1024
_SNIFF_ROWS = 50
_QUOTED = re.compile(r'"(?:[^"]|"")*+"')  # possessive: a value ending in "" is still open
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# How many rows above a table may hold a title or notes before its headers are given up on.
_HEADER_SEARCH_ROWS = 10

# A 100,000-character note is a real cell; csv's default limit is 131,072 characters.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def delimiter_from_option(option: str) -> str:
    """',', ';', a tab, or their names ('comma', 'semicolon', 'tab', '\\t')."""
    value = _DELIMITER_NAMES.get(option.lower(), option)
    if len(value) != 1:
        raise UnreadableFile(
            _("--delimiter {value} is not one character; use , ; or tab.").format(value=repr(option))
        )
    return value


def read_customers_csv(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, date_order: str | None = None
) -> ImportBatch:
    """Read every row of a customers file; raises UnreadableFile when nothing can be read."""
    path = Path(path)
    batch = ImportBatch(source=str(path))
    read_csv_table(
        path,
        batch,
        lambda records: read_customer_records(path, records, batch, date_order),
        encoding=encoding,
        delimiter=delimiter,
    )
    return batch


class Described(Protocol):
    """A batch a reader fills: how the file was read is said in `described`."""

    described: str


Records = Iterable[tuple[int, list[str]]]


def read_csv_table(
    path: Path,
    batch: Described,
    read: Callable[[Records], None],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> None:
    """Decode a CSV file, find its delimiter and hand its rows (with the line each starts
    on) to `read`: customers and products files are read alike."""
    decoded = decode(path, read_bytes(path), encoding)
    text, skipped = decoded.text, 0
    end = text.find("\n")
    if hint := _SEP_LINE.fullmatch(text[: end if end >= 0 else len(text)].rstrip("\r")):
        text, skipped = text[end + 1 :] if end >= 0 else "", 1
        delimiter = delimiter or hint.group(1)
    given = delimiter is not None
    delimiter = delimiter_from_option(delimiter) if delimiter is not None else sniff_delimiter(text)
    separated = (
        _(_SEPARATED[delimiter])
        if delimiter in _SEPARATED
        else _("{delimiter}-separated").format(delimiter=repr(delimiter))
    )
    batch.described = _("{encoding}, {delimiter}").format(
        encoding=how_found(decoded.encoding, decoded.detected), delimiter=how_found(separated, not given)
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = _Numbered(reader, skipped)
    try:
        read(numbered)
    except csv.Error as error:
        raise UnreadableFile(
            _("{path} line {line} cannot be read as CSV ({error}); check the quotes on that line.").format(
                path=path, line=reader.line_num + skipped, error=error
            )
        ) from None
    if (opened := _unclosed_quote(text, numbered.last - skipped, delimiter)) is not None:
        raise UnreadableFile(
            _(
                "{path} line {line} opens a quote that is never closed, so the rest of the file "
                'would be one value; close it, or write a quote inside a value as "".'
            ).format(path=path, line=opened + skipped)
        )


def sniff_delimiter(text: str) -> str:
    """The candidate that splits the header into most columns, consistently over the rows."""
    sample = text[:_SNIFF_BYTES]
    if len(text) > _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (0, 0.0, 0)
    for candidate in DELIMITERS:
        records = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=candidate) if r]
        records = records[: _SNIFF_ROWS + 1]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        rows = records[1:]
        consistent = sum(len(r) == width for r in rows) / len(rows) if rows else 1.0
        score = (1, consistent, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


class _Numbered:
    """Each record with the file line it starts on; `last` is the last record's line."""

    def __init__(self, reader: _csv.Reader, skipped: int) -> None:
        self.reader, self.skipped, self.last = reader, skipped, 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        line = self.skipped
        for record in self.reader:
            self.last = line + 1
            yield self.last, record
            line = self.reader.line_num + self.skipped


def _unclosed_quote(text: str, last: int, delimiter: str) -> int | None:
    """The line of a quote that opens a value of the last record and never closes.

    csv reads such a quote to the end of the file without complaint (outside strict
    mode, which would also refuse the stray quotes spreadsheets read as text). Only an
    unclosed quote can swallow lines, and it always ends in the last record, so only
    that record is scanned, the way csv reads it: a quote opens a value only at its
    start; inside, "" is a quote; after the closing quote the rest is text.
    """
    if last < 1:
        return None
    start = sum(map(len, itertools.islice(io.StringIO(text, newline=""), last - 1)))
    pos = start
    plain = re.compile(f"[^{re.escape(delimiter)}\r\n]*")
    while pos < len(text):
        if text[pos] == '"':
            quoted = _QUOTED.match(text, pos)
            if quoted is None:
                return last + len(_LINE_BREAK.findall(text, start, pos))
            pos = quoted.end()
        if (rest := plain.match(text, pos)) is not None:  # always: it matches the empty string
            pos = rest.end()
        if pos >= len(text) or text[pos] != delimiter:
            return None
        pos += 1
    return None


def read_customer_records(
    path: Path,
    records: Iterable[tuple[int, list[str]]],
    batch: ImportBatch,
    date_order: str | None,
    where: str = "line",
) -> None:
    """Customers from rows of cells, the first non-blank row the headers; each row comes
    with the line (or sheet row) it starts on, for refusals. CSV files and sheets both
    end here.

    When the first row names no name column but one of the next rows does (a title and
    notes written above the table, as people do in a sheet), that row is the headers and
    the rows above it are left out, which the batch's description says."""
    plan: Plan | None = None
    above: list[tuple[int, list[str]]] = []  # rows before the headers, while they are looked for
    for start, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if plan is None:
            headers = [header.strip() for header in record]
            candidate = plan_columns(headers)
            if not candidate.names_a_customer:
                above.append((start, headers))
                if len(above) > _HEADER_SEARCH_ROWS:
                    _no_name_column(path, above[0][1])
                continue
            plan = candidate
            if above:
                batch.described = _headers_below(batch.described, where, above[0][0], start)
            batch.dialect = plan.dialect
            batch.extra_columns = [column.label for column in plan.columns if column.kind == "note"]
            continue
        batch.rows += 1
        row = _read_row(start, record, plan, date_order, batch.refusals)
        if row is not None:
            batch.customers.append(row)
    if plan is None:
        if above:
            _no_name_column(path, above[0][1])
        raise UnreadableFile(_("{path} has no rows; there is nothing to import.").format(path=path))


def _headers_below(described: str, where: str, first: int, start: int) -> str:
    """How a file was read, and that its headers are on `start` below rows left out."""
    last = start - 1
    if where == "row":
        headers = _("headers on row {n}").format(n=start)
        skipped = (
            _("row {first}").format(first=first)
            if first == last
            else _("rows {first}–{last}").format(first=first, last=last)
        )
    else:
        headers = _("headers on line {n}").format(n=start)
        skipped = (
            _("line {first}").format(first=first)
            if first == last
            else _("lines {first}–{last}").format(first=first, last=last)
        )
    return _("{described}; {headers}, {skipped} above them not imported").format(
        described=described, headers=headers, skipped=skipped
    )


def _no_name_column(path: Path, headers: list[str]) -> NoReturn:
    raise UnreadableFile(
        _("{path} has no name column (its first row is {headers}); name one column {names} or 姓名.").format(
            path=path,
            headers=", ".join(shown(h, 20) for h in headers[:6]),
            names=", ".join(ALIASES["name"][:2]),
        )
    )


class _Row:
    """The values of one row while it is read: candidates, labels and notes."""

    def __init__(self, line: int, plan: Plan, record: list[str]):
        self.line = line
        self.values: dict[str, str] = {}
        self.found: list[tuple[int, Refusal]] = []  # (column, refusal), told in column order
        self.extras: list[tuple[int, str]] = []  # (column, "Label: value"), for the notes
        self.emails: list[tuple[int, int, str, str]] = []  # (preference, column, label, value)
        self.phones: list[tuple[int, int, str, str]] = []
        self.birth: dict[str, tuple[str, str]] = {}  # year/month/day -> (label, cell)
        self.birth_columns: list[int] = []
        self.labels: dict[str, str] = {}  # Google group -> its label
        self.formatted: set[str] = set()  # Google address groups with a formatted address
        for column, raw in zip(plan.columns, record, strict=False):
            if column.kind == "label" and raw.strip():
                self.labels[column.group] = google_label(raw)
            elif column.kind == "note" and column.group.startswith("Address") and raw.strip():
                self.formatted.add(column.group)
        self.starred = {
            column.group
            for column, raw in zip(plan.columns, record, strict=False)
            if column.kind == "label" and raw.strip().startswith("*")
        }

    def label_of(self, column: Column) -> str:
        if not column.group:
            return column.label
        label = self.labels.get(column.group, "")
        return f"{column.group} ({label})" if label else column.group


def _read_row(
    line: int, record: list[str], plan: Plan, date_order: str | None, refusals: list[Refusal]
) -> IncomingCustomer | None:
    if len(record) > len(plan.columns) and any(cell.strip() for cell in record[len(plan.columns) :]):
        refusals.append(
            Refusal(
                line,
                _("row"),
                "",
                _(
                    "it has {cells} cells but the header has {columns}; quote values that contain "
                    "the delimiter."
                ).format(cells=len(record), columns=len(plan.columns)),
            )
        )
        return None
    state = _Row(line, plan, record)
    values, found = state.values, state.found
    row = IncomingCustomer(line, values)
    name_parts: dict[str, str] = {}
    google = plan.dialect in (GOOGLE, GOOGLE_OLDER)
    for index, (column, raw) in enumerate(zip(plan.columns, record, strict=False)):
        if not raw.strip() or column.kind in ("skip", "label"):
            continue
        if plan.dialect == OUTLOOK and raw.strip() in OUTLOOK_EMPTY:
            continue
        if column.drop and raw.strip().casefold() == column.drop:
            continue
        cell = unescape_formula(raw)
        label = state.label_of(column)
        if column.kind == "note":
            state.extras.append((index, f"{label}: {cell}"))
        elif column.kind == "address":
            if column.group not in state.formatted:
                state.extras.append((index, f"{column.label}: {cell}"))
        elif column.kind == "tags":
            row.tags = google_tags(cell) if google else split_tags(cell)
        elif column.kind in ("email", "phone"):
            pieces = [piece.strip() for piece in cell.split(GOOGLE_SEPARATOR)] if google else [cell]
            first = column.group in state.starred
            rank = phone_rank(state.labels.get(column.group, "")) if column.group else column.rank
            for piece in pieces:
                if piece:
                    preference = (0 if first else 1) if column.kind == "email" else rank
                    target = state.emails if column.kind == "email" else state.phones
                    target.append((preference, index, label, piece))
        elif column.kind == "birth":
            state.birth[column.field] = (column.label, cell.strip())
            state.birth_columns.append(index)
        elif column.field == "notes":
            row.notes.append(cell)
        elif column.field == "id":
            row.record_id = cell.strip()
        elif column.field in ("first_name", "middle_name", "last_name"):
            name_parts[column.field] = cell.strip()
        elif column.field in ("birthday", "contract_end"):
            try:
                values[column.field] = read_date(cell, date_order, year_optional=column.field == "birthday")
            except CellError as error:
                found.append((index, Refusal(line, column_named(column.label), cell, str(error))))
        elif column.field == "lunar_birthday":
            if match := _LUNAR.fullmatch(cell.strip()):
                values[column.field] = f"{int(match.group(1)):02d}-{int(match.group(2)):02d}"
            else:
                reason = _("{value} is not a lunar birthday; use MM-DD of the Chinese calendar.").format(
                    value=shown(cell)
                )
                found.append((index, Refusal(line, column_named(column.label), cell, reason)))
        else:
            values[column.field] = cell
    _choose_email(state)
    _choose_phone(state)
    _combine_birthday(state)
    if "name" not in values and name_parts:
        values["name"] = _full_name(
            name_parts.get("first_name", ""),
            name_parts.get("last_name", ""),
            name_parts.get("middle_name", ""),
        )
    elif "middle_name" in name_parts:
        middle = _("Middle name")
        state.extras.append((-1, f"{middle}: {name_parts['middle_name']}"))
    if not values.get("name", "").strip():
        named = [
            c for c in plan.columns if c.kind == "field" and c.field in ("name", "first_name", "last_name")
        ]
        named.sort(key=lambda c: ("name", "first_name", "last_name").index(c.field))
        found.insert(
            0,
            (
                -1,
                Refusal(
                    line,
                    column_named(named[0].label),
                    "",
                    _("the name is empty; every customer needs a name."),
                ),
            ),
        )
    if found:
        refusals.extend(refusal for _, refusal in sorted(found, key=lambda item: item[0]))
        return None
    row.notes.extend(text for _, text in sorted(state.extras, key=lambda extra: extra[0]))
    return row


def _choose_email(state: _Row) -> None:
    """The starred (Google) or first email is the customer's; the others go to the notes."""
    if not state.emails:
        return
    ranked = sorted(state.emails, key=lambda email: (email[0], email[1]))
    _preference, column, label, email = ranked[0]
    try:
        check_email(email)
        state.values["email"] = email
    except InvalidValue:
        reason = _("{value} is not an email address; use a form like name@example.com.").format(
            value=shown(email)
        )
        state.found.append((column, Refusal(state.line, column_named(label), email, reason)))
    state.extras.extend((index, f"{label}: {value}") for _, index, label, value in ranked[1:])


def _choose_phone(state: _Row) -> None:
    """A mobile, else a work number, becomes the customer's phone; the others go to the notes."""
    if not state.phones:
        return
    ranked = sorted(state.phones, key=lambda phone: (phone[0], phone[1]))
    state.values["phone"] = ranked[0][3]
    state.extras.extend((index, f"{label}: {value}") for _, index, label, value in ranked[1:])


def _combine_birthday(state: _Row) -> None:
    """Thunderbird's Birth Year, Birth Month and Birth Day as one birthday."""
    if not state.birth:
        return
    parts = {part: cell for part, (_, cell) in state.birth.items()}
    label, cell = state.birth.get("day") or state.birth.get("month") or state.birth["year"]
    where = max(state.birth_columns)
    if "month" not in parts and "day" not in parts:
        state.extras.append((-1, f"{state.birth['year'][0]}: {parts['year']}"))
        return
    text = "-".join(parts.get(part, "") for part in ("year", "month", "day"))
    try:
        if not all(parts.get(part, "").isdigit() for part in ("month", "day")):
            raise CellError(
                _("{value} is not a date; give Birth Month and Birth Day as numbers.").format(
                    value=shown(text)
                )
            )
        month, day = int(parts["month"]), int(parts["day"])
        iso = f"{int(parts['year']):04d}-{month:02d}-{day:02d}" if parts.get("year", "").isdigit() else ""
        state.values["birthday"] = read_date(iso or f"--{month:02d}-{day:02d}", year_optional=True)
    except CellError as error:
        state.found.append((where, Refusal(state.line, column_named(label), cell, str(error))))


def column_named(label: str) -> str:
    """'column 邮箱': a column as a refusal names it, by its header."""
    return _("column {label}").format(label=label)


def _full_name(first: str, last: str, middle: str = "") -> str:
    """'Ada' 'Lovelace' -> 'Ada Lovelace'; '伟' '张' -> '张伟' (family name first, no space)."""
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in first + last):
        return last + middle + first
    return " ".join(part for part in (first, middle, last) if part)
