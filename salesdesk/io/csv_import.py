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
from collections.abc import Iterable, Iterator
from pathlib import Path

from salesdesk.core.errors import InvalidValue
from salesdesk.core.incoming import ImportBatch, IncomingCustomer, Refusal, shown
from salesdesk.core.model import check_email
from salesdesk.io.cells import CellError, read_date, split_tags, unescape_formula
from salesdesk.io.headers import ALIASES, map_headers
from salesdesk.io.textfile import UnreadableFile, decode, read_bytes

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "tsv": "\t"}
_SEP_LINE = re.compile(r'"?sep=(.)"?')  # Excel's first-line hint: sep=;
_LUNAR = re.compile(r"(\d{1,2})-(\d{1,2})")
_SNIFF_BYTES = 64 * 1024
_SNIFF_ROWS = 50
_QUOTED = re.compile(r'"(?:[^"]|"")*+"')  # possessive: a value ending in "" is still open
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# A 100,000-character note is a real cell; csv's default limit is 131,072 characters.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def delimiter_from_option(option: str) -> str:
    """',', ';', a tab, or their names ('comma', 'semicolon', 'tab', '\\t')."""
    value = _DELIMITER_NAMES.get(option.lower(), option)
    if len(value) != 1:
        raise UnreadableFile(f"--delimiter {option!r} is not one character; use , ; or tab.")
    return value


def read_customers_csv(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, date_order: str | None = None
) -> ImportBatch:
    """Read every row of a customers file; raises UnreadableFile when nothing can be read."""
    path = Path(path)
    decoded = decode(path, read_bytes(path), encoding)
    text, skipped = decoded.text, 0
    end = text.find("\n")
    if hint := _SEP_LINE.fullmatch(text[: end if end >= 0 else len(text)].rstrip("\r")):
        text, skipped = text[end + 1 :] if end >= 0 else "", 1
        delimiter = delimiter or hint.group(1)
    given = delimiter is not None
    delimiter = delimiter_from_option(delimiter) if delimiter is not None else sniff_delimiter(text)
    batch = ImportBatch(source=str(path))
    batch.described = (
        f"{decoded.encoding} ({'detected' if decoded.detected else 'as given'}), "
        f"{DELIMITERS.get(delimiter, repr(delimiter))}-separated "
        f"({'as given' if given else 'detected'})"
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = _Numbered(reader, skipped)
    try:
        read_customer_records(path, numbered, batch, date_order)
    except csv.Error as error:
        raise UnreadableFile(
            f"{path} line {reader.line_num + skipped} cannot be read as CSV "
            f"({error}); check the quotes on that line."
        ) from None
    if (opened := _unclosed_quote(text, numbered.last - skipped, delimiter)) is not None:
        raise UnreadableFile(
            f"{path} line {opened + skipped} opens a quote that is never closed, so the rest "
            'of the file would be one value; close it, or write a quote inside a value as "".'
        )
    return batch


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
    path: Path, records: Iterable[tuple[int, list[str]]], batch: ImportBatch, date_order: str | None
) -> None:
    """Customers from rows of cells, the first non-blank row the headers; each row comes
    with the line (or sheet row) it starts on, for refusals. CSV files and sheets both
    end here."""
    headers = None
    for start, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if headers is None:
            headers = [header.strip() for header in record]
            fields = map_headers(headers)
            if "name" not in fields and not {"first_name", "last_name"} & set(fields):
                raise UnreadableFile(
                    f"{path} has no name column (its first row is "
                    f"{', '.join(shown(h, 20) for h in headers[:6])}); "
                    f"name one column {', '.join(ALIASES['name'][:2])} or 姓名."
                )
            labels = [header or f"column {index + 1}" for index, header in enumerate(headers)]
            batch.extra_columns = [
                label for label, field in zip(labels, fields, strict=True) if field is None
            ]
            continue
        batch.rows += 1
        row = _read_row(start, record, labels, fields, date_order, batch.refusals)
        if row is not None:
            batch.customers.append(row)
    if headers is None:
        raise UnreadableFile(f"{path} has no rows; there is nothing to import.")


def _read_row(
    line: int,
    record: list[str],
    labels: list[str],
    fields: list[str | None],
    date_order: str | None,
    refusals: list[Refusal],
) -> IncomingCustomer | None:
    if len(record) > len(labels) and any(cell.strip() for cell in record[len(labels) :]):
        refusals.append(
            Refusal(
                line,
                "row",
                "",
                (
                    f"it has {len(record)} cells but the header has {len(labels)}; "
                    "quote values that contain the delimiter."
                ),
            )
        )
        return None
    values: dict[str, str] = {}
    found: list[Refusal] = []
    row = IncomingCustomer(line, values)
    extras: list[str] = []
    name_parts: dict[str, str] = {}
    for label, field, raw in zip(labels, fields, record, strict=False):
        if not raw.strip():
            continue
        cell = unescape_formula(raw)
        where = f"column {label}"
        if field is None:
            extras.append(f"{label}: {cell}")
        elif field == "tags":
            row.tags = split_tags(cell)
        elif field == "notes":
            row.notes.append(cell)
        elif field == "id":
            row.record_id = cell.strip()
        elif field in ("first_name", "last_name"):
            name_parts[field] = cell.strip()
        elif field == "email":
            try:
                check_email(cell)
                values["email"] = cell
            except InvalidValue:
                found.append(
                    Refusal(
                        line,
                        where,
                        cell,
                        (f"{shown(cell)} is not an email address; use a form like name@example.com."),
                    )
                )
        elif field in ("birthday", "contract_end"):
            try:
                values[field] = read_date(cell, date_order, year_optional=field == "birthday")
            except CellError as error:
                found.append(Refusal(line, where, cell, str(error)))
        elif field == "lunar_birthday":
            if match := _LUNAR.fullmatch(cell.strip()):
                values[field] = f"{int(match.group(1)):02d}-{int(match.group(2)):02d}"
            else:
                found.append(
                    Refusal(
                        line,
                        where,
                        cell,
                        (f"{shown(cell)} is not a lunar birthday; use MM-DD of the Chinese calendar."),
                    )
                )
        else:
            values[field] = cell
    if "name" not in values and name_parts:
        values["name"] = _full_name(name_parts.get("first_name", ""), name_parts.get("last_name", ""))
    if not values.get("name", "").strip():
        label = (
            labels[fields.index("name")]
            if "name" in fields
            else labels[fields.index("first_name" if "first_name" in fields else "last_name")]
        )
        found.insert(
            0, Refusal(line, f"column {label}", "", "the name is empty; every customer needs a name.")
        )
    if found:
        refusals.extend(found)
        return None
    row.notes.extend(extras)
    return row


def _full_name(first: str, last: str) -> str:
    """'Ada' 'Lovelace' -> 'Ada Lovelace'; '伟' '张' -> '张伟' (family name first, no space)."""
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)
