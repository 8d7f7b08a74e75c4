"""Customers as vCard 3.0, the form every phone and address book imports.

A card holds what a phone shows when the customer calls (FN, N, ORG, TITLE, one
TEL;TYPE=CELL, one EMAIL), the birthday, the notes and the tags (CATEGORIES), and
the customer's id as UID, so that importing the file back matches each card with
the customer it came from. Text is escaped and lines are folded at 75 octets, never
inside a UTF-8 character (RFC 2426 and RFC 6350).
"""

from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

_FOLD_AT = 75  # octets, the line break not counted
_NO_YEAR = "1604"  # Apple's year for a birthday without one, named by X-APPLE-OMIT-YEAR


def write_vcards(stream: BinaryIO, customers: Iterable[Mapping[str, Any]]) -> int:
    """Write a card for each customer (rows of `store.exports.customers`); how many were written."""
    count = 0
    for customer in customers:
        stream.write(b"".join(_fold(line) for line in card_lines(customer)))
        count += 1
    return count


def card_lines(customer: Mapping[str, Any]) -> list[str]:
    """The content lines of one customer's card, unfolded."""
    name = str(customer["name"])
    family, given = _split_name(name)
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//salesdesk//salesdesk//EN",
        f"UID:{escape(str(customer['id']))}",
        f"FN:{escape(name)}",
        f"N:{escape(family)};{escape(given)};;;",
    ]
    if company := _text(customer.get("company")):
        lines.append(f"ORG:{escape(company)}")
    if title := _text(customer.get("title")):
        lines.append(f"TITLE:{escape(title)}")
    if phone := _text(customer.get("phone")):
        lines.append(f"TEL;TYPE=CELL:{escape(phone)}")
    if email := _text(customer.get("email")):
        lines.append(f"EMAIL;TYPE=INTERNET:{escape(email)}")
    if birthday := _text(customer.get("birthday")):
        if birthday.startswith("--"):
            lines.append(f"BDAY;X-APPLE-OMIT-YEAR={_NO_YEAR}:{_NO_YEAR}-{birthday[2:]}")
        else:
            lines.append(f"BDAY:{birthday}")
    if notes := _text(customer.get("notes")):
        lines.append(f"NOTE:{escape(notes)}")
    tags = [str(tag) for tag in customer.get("tags") or () if str(tag).strip()]
    if tags:
        lines.append("CATEGORIES:" + ",".join(escape(tag) for tag in tags))
    lines.append("END:VCARD")
    return lines


def escape(text: str) -> str:
    """A TEXT value: backslash, comma and semicolon escaped, every line break as \\n."""
    escaped = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return escaped.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _fold(line: str) -> bytes:
    """One content line as UTF-8, folded: at most 75 octets a line, continuations after a space."""
    out = bytearray()
    width = 0
    for char in line:
        data = char.encode("utf-8")
        if width + len(data) > _FOLD_AT:
            out += b"\r\n "
            width = 1
        out += data
        width += len(data)
    return bytes(out + b"\r\n")


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) for N: 'Smith, John' as written; else the last word of a Western
    name is the family name, and a name without spaces (a Chinese name, a company) is
    kept whole as the family name."""
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        if family and given:
            return family, given
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    return words[-1], " ".join(words[:-1])
