"""Customers from vCard files as phones, Google Contacts and Apple Contacts write them.

vobject cuts each card into its logical lines (folding, quoted-printable soft line
breaks, 2.1's parameters without names) and decodes quoted-printable values; the
values are read here, because its own reading of a card refuses it for properties
salesdesk never uses (a photo it cannot decode, `PROFILE:VCard`) and cuts a text at
an unescaped comma (`FN:Smith, John` as Gmail writes it). Each card is read on its
own, so one broken card is refused with its line number and the others still come in.
"""

import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from salesdesk.core.errors import InvalidValue
from salesdesk.core.incoming import ImportBatch, IncomingCustomer, Refusal, shown
from salesdesk.core.model import check_email
from salesdesk.i18n import N_, _
from salesdesk.io.cells import CellError, read_date
from salesdesk.io.textfile import UnreadableFile, decode, how_found, read_bytes

_BEGIN = re.compile(r"begin\s*:\s*vcard\s*", re.IGNORECASE)
_END = re.compile(r"end\s*:\s*vcard\s*", re.IGNORECASE)
# CR CR LF is one line end: a program that wrote CR LF through a text-mode file on
# Windows. Not str.splitlines: a value may hold U+2028.
_LINE_BREAK = re.compile(r"\r?\r\n|\r|\n")
# The properties a customer is made from; every other one is skipped unread, so a
# photo, logo, sound, key or vendor field that is broken never refuses the card.
_USED = frozenset(
    ("VERSION", "FN", "N", "ORG", "TITLE", "TEL", "EMAIL", "BDAY", "CATEGORIES", "NOTE", "ADR", "URL")
    + ("IMPP", "X-WECHAT", "UID")
)
_STRUCTURED = frozenset(("N", "ADR", "ORG"))
_ESCAPES = {"n": "\n", "N": "\n", "\\": "\\", ",": ",", ";": ";", ":": ":", '"': '"'}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED_SEMICOLON = re.compile(r"(?<!\\)((?:\\\\)*);")
_NAME = re.compile(r"(?:[\w-]+\.)?([\w-]+)")
_NO_YEAR = "1604"  # the year Apple and Android write for a birthday without one
# How the notes label the values a card has beyond the customer's fields (shown with `_`).
_LABELS = {
    "department": N_("Department"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "address": N_("Address"),
    "web": N_("Web"),
}


@dataclass
class _Property:
    """One content line of a card: its name, parameters and value as vobject cut it."""

    name: str
    params: dict[str, list[str]]
    singletons: list[str]
    raw: str  # after quoted-printable decoding, escapes still in
    line: int  # in the file
    types: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for value in self.params.get("TYPE", []):
            self.types.extend(t.strip().lower() for t in value.split(","))
        self.types.extend(s.lower() for s in self.singletons)

    @property
    def text(self) -> str:
        """The value as text: escapes undone, commas kept."""
        return _unescape(self.raw)

    def parts(self) -> list[str]:
        """The components of a structured value (N, ADR, ORG), separated by unescaped `;`."""
        return [_unescape(part) for part in _split(self.raw, ";")]


def read_vcards(path: Path) -> ImportBatch:
    """Every card of a .vcf file; raises UnreadableFile when it holds no card at all,
    or a card that does not end (a file cut short)."""
    path = Path(path)
    decoded = decode(path, read_bytes(path))
    batch = ImportBatch(source=str(path), described=how_found(decoded.encoding, True))
    cards = list(_cards(path, decoded.text))
    if not cards:
        raise UnreadableFile(
            _(
                "{path} holds no vCard (no BEGIN:VCARD line); export the contacts as a vCard (.vcf) file."
            ).format(path=path)
        )
    for line, lines in cards:
        batch.rows += 1
        customer = _read_card(line, lines, batch.refusals)
        if customer is not None:
            batch.customers.append(customer)
            if customer.values.get("name") is None:
                batch.named_from_contact += 1
                customer.values["name"] = _name_from_contact(customer.values)
    return batch


def _cards(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number of BEGIN:VCARD, the card's lines) for each card in the file.

    A card nested in another (2.1's AGENT) stays inside it; its lines are dropped.
    """
    start: int | None = None
    depth = 0
    lines: list[str] = []
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if _BEGIN.fullmatch(line):
            if depth == 0:
                start, lines = number, [line]
            depth += 1
        elif depth > 0:
            if _END.fullmatch(line):
                depth -= 1
                if depth == 0:
                    lines.append(line)
                    yield start or number, lines
            elif depth == 1:
                lines.append(line)
    if depth > 0:
        raise UnreadableFile(
            _(
                "{path} line {line}: the card that begins here has no END:VCARD line (the file was cut "
                "short); export the contacts again so that every card ends with END:VCARD."
            ).format(path=path, line=start)
        )


def _properties(start: int, lines: list[str], refusals: list[Refusal]) -> list[_Property] | None:
    """The used properties of a card, or None (with a refusal) when one cannot be read."""
    from vobject.base import ParseError, getLogicalLines, parseLine, textLineToContentLine

    found: list[_Property] = []
    skipping = False  # inside a property we do not use, whose data may run over lines
    for text, offset in getLogicalLines(io.StringIO("\n".join(lines[1:-1])), allowQP=True):
        number = start + offset  # offset counts from 1 after BEGIN:VCARD
        try:
            name, _params, value, _group = parseLine(text, number)
        except ParseError:
            # Base64 lines of a 2.1 photo that are not indented, or a broken unused property.
            if skipping or _name_of(text) not in _USED:
                continue
            refusals.append(
                Refusal(
                    number,
                    _("card"),
                    text,
                    _(
                        "the line {value} is not a vCard property (NAME:value); export the card again "
                        "from the phone or address book."
                    ).format(value=shown(text)),
                    start,
                )
            )
            return None
        name = name.upper()
        skipping = name not in _USED
        if skipping:
            continue
        try:
            prop = textLineToContentLine(text, number)
        except (LookupError, ValueError) as error:  # an unknown charset, bytes that are not in it
            refusals.append(
                Refusal(
                    number,
                    name,
                    value,
                    _("the {name} value cannot be decoded ({error}); export the card again as UTF-8.").format(
                        name=name, error=type(error).__name__
                    ),
                    start,
                )
            )
            return None
        found.append(_Property(name, prop.params, prop.singletonparams, str(prop.value), number))
    return found


def _read_card(line: int, lines: list[str], refusals: list[Refusal]) -> IncomingCustomer | None:
    props = _properties(line, lines, refusals)
    if props is None:
        return None
    by_name: dict[str, list[_Property]] = {}
    for prop in props:
        by_name.setdefault(prop.name, []).append(prop)
    values: dict[str, str] = {}
    customer = IncomingCustomer(line, values)
    found: list[Refusal] = []

    names = [(p, p.text.strip()) for p in by_name.get("FN", [])] or [
        (p, _name_from_n(p.parts())) for p in by_name.get("N", [])
    ]
    names = [(p, text) for p, text in names if text]
    if names:
        first, name = min(names, key=lambda pair: _rank(pair[0]))
        values["name"] = name
        for other, text in names:
            if other is not first and text != name:
                language = other.params.get("LANGUAGE", [""])[0]
                label = _("Name ({language})").format(language=language) if language else _("Name")
                customer.notes.append(f"{label}: {text}")
    if org := by_name.get("ORG"):
        parts = org[0].parts()
        if parts and parts[0].strip():
            values["company"] = parts[0]
        if len(parts) > 1 and any(p.strip() for p in parts[1:]):
            department = ", ".join(p for p in parts[1:] if p.strip())
            customer.notes.append(f"{_(_LABELS['department'])}: {department}")
    if (title := by_name.get("TITLE")) and title[0].text.strip():
        values["title"] = title[0].text
    phones = _ordered([p for p in by_name.get("TEL", []) if _phone(p).strip()])
    if phones:
        values["phone"] = _phone(phones[0])
        customer.notes.extend(f"{_(_LABELS['phone'])}{_kind(p)}: {_phone(p)}" for p in phones[1:])
    emails = _ordered([e for e in by_name.get("EMAIL", []) if e.text.strip()])
    if emails:
        email = emails[0].text.strip()
        try:
            check_email(email)
            values["email"] = email
        except InvalidValue:
            found.append(
                Refusal(
                    emails[0].line,
                    "EMAIL",
                    email,
                    _("{value} is not an email address; use a form like name@example.com.").format(
                        value=shown(email)
                    ),
                    line,
                )
            )
        customer.notes.extend(f"{_(_LABELS['email'])}{_kind(e)}: {e.text.strip()}" for e in emails[1:])
    if "name" not in values and not phones and not emails:
        found.append(
            Refusal(
                line,
                "FN",
                "",
                _("the card has no name (FN or N), phone or email; every customer needs a name."),
            )
        )
    if (bday := by_name.get("BDAY")) and bday[0].text.strip():
        try:
            values["birthday"] = _birthday(bday[0])
        except CellError as error:
            found.append(Refusal(bday[0].line, "BDAY", bday[0].text, str(error), line))
    for category in by_name.get("CATEGORIES", []):
        customer.tags.extend(t.strip() for t in map(_unescape, _split(category.raw, ",")) if t.strip())
    for note in by_name.get("NOTE", []):
        if note.text.strip():
            customer.notes.append(note.text)
    for adr in by_name.get("ADR", []):
        customer.notes.append(f"{_(_LABELS['address'])}{_kind(adr)}: {_address(adr.parts())}")
    for url in by_name.get("URL", []):
        customer.notes.append(f"{_(_LABELS['web'])}: {url.text}")
    for handle in by_name.get("IMPP", []) + by_name.get("X-WECHAT", []):
        if handle.text.strip():
            values.setdefault("handle", handle.text.strip())
    if uid := by_name.get("UID"):
        customer.record_id = uid[0].text.strip()
    if found:
        refusals.extend(found)
        return None
    customer.notes = [piece for piece in customer.notes if piece.split(": ", 1)[-1].strip()]
    return customer


def _name_of(text: str) -> str:
    """The property name a line that cannot be parsed starts with ('item1.X-ABLabel' -> 'X-ABLABEL')."""
    match = _NAME.match(text)
    return match.group(1).upper() if match else ""


def _name_from_contact(values: dict[str, str]) -> str:
    """A name for a card that has none: its company, else its email, else its phone."""
    return values.get("company") or values.get("email") or values.get("phone") or ""


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def _split(raw: str, separator: str) -> list[str]:
    """`raw` cut at each `separator` that no backslash escapes."""
    parts, current, escaped = [], [], False
    for char in raw:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _name_from_n(parts: list[str]) -> str:
    """FN made from N (family; given; additional; prefix; suffix), family first for CJK names."""
    family, given, additional, prefix, suffix = (parts + [""] * 5)[:5]
    given = " ".join(p for p in (given, additional) if p.strip())
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in family + given):
        return (family + given).strip()
    return " ".join(p.strip() for p in (prefix, given, family, suffix) if p.strip())


def _rank(prop: _Property) -> int:
    """PREF=1 (or TYPE=pref) first, then the file's order (min() keeps the first of equals)."""
    pref = prop.params.get("PREF")
    if pref and pref[0].isdigit():
        return int(pref[0])
    return 0 if "pref" in prop.types else 101


def _ordered(props: list[_Property]) -> list[_Property]:
    """Preferred first (TYPE=pref, PREF=1), then mobile numbers, then file order."""

    def rank(prop: _Property) -> int:
        if "pref" in prop.types or prop.params.get("PREF"):
            return 0
        return 1 if "cell" in prop.types else 2

    return sorted(props, key=rank)


def _kind(prop: _Property) -> str:
    kinds = [t for t in prop.types if t not in ("pref", "voice", "internet", "x400")]
    return f" ({', '.join(kinds)})" if kinds else ""


def _phone(prop: _Property) -> str:
    value = prop.text.strip()
    return value[4:] if value.lower().startswith("tel:") else value


def _address(parts: list[str]) -> str:
    return ", ".join(p for p in parts if p.strip())


def _birthday(prop: _Property) -> str:
    """'1985-03-15', '19850315', '--0315' and '--03-15' (4.0), and a day without a year
    as Apple (X-APPLE-OMIT-YEAR=1604) and Android (year 1604) write it: '--03-15'."""
    value = prop.text.strip()
    omit = prop.params.get("X-APPLE-OMIT-YEAR", [_NO_YEAR])[0]
    if omit and value.startswith(omit) and not value.startswith("--"):
        value = "--" + value[len(omit) :].lstrip("-")
    date_part = value.split("T", 1)[0] if re.match(r"\d{8}T|\d{4}-\d{2}-\d{2}T", value) else value
    return read_date(date_part, year_optional=True)
