"""Customers from vCard files as phones, Google Contacts and Apple Contacts write them.

vobject reads each card (vCard 2.1, 3.0 and 4.0: folded lines, quoted-printable
values, escapes). Each card is read on its own, so one broken card is refused with
its line number and the others still come in.
"""

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from salesdesk.core.errors import InvalidValue
from salesdesk.core.incoming import ImportBatch, IncomingCustomer, Refusal, shown
from salesdesk.core.model import check_email
from salesdesk.io.cells import CellError, read_date
from salesdesk.io.textfile import UnreadableFile, decode, read_bytes

if TYPE_CHECKING:  # vobject is imported when a file is read, not with this module
    from vobject.vcard import Address, Name

_BEGIN = re.compile(r"begin\s*:\s*vcard\s*", re.IGNORECASE)
_END = re.compile(r"end\s*:\s*vcard\s*", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # not str.splitlines: a value may hold U+2028


class _Property(Protocol):
    """What is read of a property of a card (a vobject ContentLine)."""

    @property
    def value(self) -> object: ...  # text, a list of texts, or a Name or Address (N, ADR)

    @property
    def params(self) -> dict[str, list[str]]: ...

    @property
    def lineNumber(self) -> int | None: ...


class _NameProperty(Protocol):
    """N, which vobject reads into a Name."""

    @property
    def value(self) -> "Name": ...


def read_vcards(path: Path) -> ImportBatch:
    """Every card of a .vcf file; raises UnreadableFile when it holds no card at all."""
    path = Path(path)
    decoded = decode(path, read_bytes(path))
    batch = ImportBatch(source=str(path), described=f"{decoded.encoding} (detected)")
    cards = list(_cards(decoded.text))
    if not cards:
        raise UnreadableFile(
            f"{path} holds no vCard (no BEGIN:VCARD line); export the contacts as a vCard (.vcf) file."
        )
    for line, text in cards:
        batch.rows += 1
        customer = _read_card(line, text, batch.refusals)
        if customer is not None:
            batch.customers.append(customer)
    return batch


def _cards(text: str) -> Iterator[tuple[int, str]]:
    """(line number of BEGIN:VCARD, the card's text) for each card in the file."""
    start: int | None = None
    lines: list[str] = []
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if _BEGIN.fullmatch(line):
            start, lines = number, [line]
        elif start is not None:
            lines.append(line)
            if _END.fullmatch(line):
                yield start, "\r\n".join(lines) + "\r\n"
                start = None


def _read_card(line: int, text: str, refusals: list[Refusal]) -> IncomingCustomer | None:
    import vobject

    try:
        card = vobject.readOne(text, allowQP=True)
    except Exception as error:  # vobject raises several kinds for a malformed card
        at = getattr(error, "lineNumber", None)
        reason = getattr(error, "msg", None) or str(error).splitlines()[0] or type(error).__name__
        refusals.append(
            Refusal(
                line + at - 1 if at else line,
                "card",
                "",
                (
                    f"the card cannot be read ({reason.rstrip('.')}); "
                    "export it again from the phone or address book."
                ),
                line,
            )
        )
        return None
    values: dict[str, str] = {}
    customer = IncomingCustomer(line, values)
    found: list[Refusal] = []

    def where(prop: _Property) -> int:
        return line + (prop.lineNumber or 1) - 1 if getattr(prop, "lineNumber", None) else line

    contents = card.contents
    name = _text(contents.get("fn", [None])[0]) or _name_from_n(contents.get("n", [None])[0])
    if not name.strip():
        found.append(Refusal(line, "FN", "", "the card has no name (FN or N); every customer needs a name."))
    values["name"] = name
    if org := contents.get("org"):
        parts = org[0].value if isinstance(org[0].value, list) else [org[0].value]
        if parts and parts[0].strip():
            values["company"] = parts[0]
        if len(parts) > 1 and any(p.strip() for p in parts[1:]):
            customer.notes.append("Department: " + ", ".join(p for p in parts[1:] if p.strip()))
    if title := _text(contents.get("title", [None])[0]):
        values["title"] = title
    phones = _ordered(contents.get("tel", []))
    if phones:
        values["phone"] = _phone(phones[0])
        customer.notes.extend(f"Phone{_kind(p)}: {_phone(p)}" for p in phones[1:])
    emails = _ordered(contents.get("email", []))
    if emails:
        email = _text(emails[0])
        try:
            check_email(email)
            values["email"] = email
        except InvalidValue:
            found.append(
                Refusal(
                    where(emails[0]),
                    "EMAIL",
                    email,
                    (f"{shown(email)} is not an email address; use a form like name@example.com."),
                    line,
                )
            )
        customer.notes.extend(f"Email{_kind(e)}: {_text(e)}" for e in emails[1:])
    if bday := contents.get("bday"):
        try:
            values["birthday"] = _birthday(bday[0])
        except CellError as error:
            found.append(Refusal(where(bday[0]), "BDAY", _text(bday[0]), str(error), line))
    for category in contents.get("categories", []):
        items = category.value if isinstance(category.value, list) else [category.value]
        customer.tags.extend(t.strip() for t in items if t.strip())
    for note in contents.get("note", []):
        if _text(note).strip():
            customer.notes.append(_text(note))
    for adr in contents.get("adr", []):
        customer.notes.append(f"Address{_kind(adr)}: {_address(adr.value)}")
    for url in contents.get("url", []):
        customer.notes.append(f"Web: {_text(url)}")
    for handle in contents.get("impp", []) + contents.get("x-wechat", []):
        values.setdefault("handle", _text(handle))
    if found:
        refusals.extend(found)
        return None
    customer.notes = [piece for piece in customer.notes if piece.split(": ", 1)[-1].strip()]
    return customer


def _text(prop: _Property | None) -> str:
    if prop is None:
        return ""
    value = prop.value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _name_from_n(prop: _NameProperty | None) -> str:
    if prop is None:
        return ""
    n = prop.value
    given = " ".join(p for p in (n.given, n.additional) if p and isinstance(p, str))
    family = n.family if isinstance(n.family, str) else " ".join(n.family or [])
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in family + given):
        return family + given
    return " ".join(part for part in (n.prefix, given, family, n.suffix) if part and isinstance(part, str))


def _types(prop: _Property) -> list[str]:
    types: list[str] = []
    for value in prop.params.get("TYPE", []):
        types.extend(t.strip().lower() for t in value.split(","))
    types.extend(s.lower() for s in getattr(prop, "singletonparams", []))
    return types


def _ordered(props: list[_Property]) -> list[_Property]:
    """Preferred first (TYPE=pref, PREF=1), then mobile numbers, then file order."""

    def rank(prop: _Property) -> int:
        types = _types(prop)
        if "pref" in types or prop.params.get("PREF"):
            return 0
        return 1 if "cell" in types else 2

    return sorted(props, key=rank)


def _kind(prop: _Property) -> str:
    kinds = [t for t in _types(prop) if t not in ("pref", "voice", "internet", "x400")]
    return f" ({', '.join(kinds)})" if kinds else ""


def _phone(prop: _Property) -> str:
    value = _text(prop)
    return value[4:] if value.lower().startswith("tel:") else value


def _address(adr: "Address") -> str:
    parts = (adr.box, adr.extended, adr.street, adr.city, adr.region, adr.code, adr.country)
    flat = [" ".join(p) if isinstance(p, list) else p for p in parts]
    return ", ".join(p for p in flat if p and p.strip())


def _birthday(prop: _Property) -> str:
    """'1985-03-15', '19850315', '--0315' (4.0), Apple's 1604-03-15 with X-APPLE-OMIT-YEAR."""
    value = _text(prop).strip()
    omit = prop.params.get("X-APPLE-OMIT-YEAR")
    if omit and value.startswith(omit[0]):
        value = "--" + value[len(omit[0]) :].lstrip("-")
    date_part = value.split("T", 1)[0] if re.match(r"\d{8}T|\d{4}-\d{2}-\d{2}T", value) else value
    return read_date(date_part, year_optional=True)
