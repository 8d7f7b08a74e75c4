"""The columns of the programs people export contacts from: Google Contacts (both
layouts), Outlook and Thunderbird, and spreadsheets with headers in one language.

`plan_columns` tells what each column of a file holds; `csv_import` reads the rows
with that plan. Emails and phones are candidates: the best one becomes the
customer's, every other one is kept in the notes with its label.
"""

import re
from dataclasses import dataclass

from salesdesk.i18n import N_, _
from salesdesk.io.headers import field_of, header_key, language_of, map_headers

GOOGLE, GOOGLE_OLDER = "Google Contacts CSV", "Google Contacts CSV (older layout)"
OUTLOOK, THUNDERBIRD = "Outlook CSV", "Thunderbird CSV"
# Each dialect as the language shown names it (`dialect_name`); the constants above are
# what the code compares.
_DIALECT_NAMES = {
    GOOGLE: N_("Google Contacts CSV"),
    GOOGLE_OLDER: N_("Google Contacts CSV (older layout)"),
    OUTLOOK: N_("Outlook CSV"),
    THUNDERBIRD: N_("Thunderbird CSV"),
    "German headers": N_("German headers"),
    "French headers": N_("French headers"),
    "Spanish headers": N_("Spanish headers"),
    "Italian headers": N_("Italian headers"),
    "Portuguese headers": N_("Portuguese headers"),
    "Japanese headers": N_("Japanese headers"),
    "Chinese headers": N_("Chinese headers"),
}

# Google numbers its repeated columns: 'E-mail 1 - Value', 'Phone 2 - Label'.
_GOOGLE_GROUP = re.compile(r"(.+?) (\d+) - (.+)")
GOOGLE_SEPARATOR = " ::: "
# Google's own labels start with '* '; 'myContacts' is every contact, so no tag.
_GOOGLE_EVERYONE = ("mycontacts",)

# Phone labels, best first: the number to call a customer on.
_PHONE_RANKS = (
    (0, ("mobile", "cell", "handy", "mobil", "portable", "móvil", "celular", "telemóvel", "携帯", "手机")),
    (1, ("work", "business", "primary", "main", "company", "geschäftlich", "bureau", "trabajo", "会社")),
    (3, ("home", "privat", "domicile", "casa", "自宅", "家庭", "住宅")),
    (4, ("fax", "pager", "telex", "tty", "isdn", "callback", "radio")),
)

# Outlook and Thunderbird name their columns in English whatever the language of the
# program; these are the ones that are not plain aliases.
_OUTLOOK = {
    "title": ("note", ""),  # the honorific: Mr., Ms.
    "jobtitle": ("field", "title"),
    "categories": ("tags", ""),
    "emailaddress": ("email", ""),
    "email2address": ("email", ""),
    "email3address": ("email", ""),
    "emailtype": ("skip", ""),
    "email2type": ("skip", ""),
    "email3type": ("skip", ""),
    "emaildisplayname": ("skip", ""),
    "email2displayname": ("skip", ""),
    "email3displayname": ("skip", ""),
    "id": ("note", ""),
}
# Values Outlook writes into every row that say nothing about the contact.
OUTLOOK_EMPTY = {"0/0/00", "00/00/00", "0.0.00"}
_OUTLOOK_DEFAULTS = {
    "gender": "unspecified",
    "priority": "normal",
    "private": "false",
    "sensitivity": "normal",
}
_OUTLOOK_PHONES = re.compile(r".*(phone|fax|pager|telex|callback|isdn)( \d)?", re.IGNORECASE)

_THUNDERBIRD = {
    "primaryemail": ("email", ""),
    "secondaryemail": ("email", ""),
    "workphone": ("phone", ""),
    "homephone": ("phone", ""),
    "faxnumber": ("phone", ""),
    "pagernumber": ("phone", ""),
    "mobilenumber": ("phone", ""),
    "organization": ("field", "company"),
    "jobtitle": ("field", "title"),
    "birthyear": ("birth", "year"),
    "birthmonth": ("birth", "month"),
    "birthday": ("birth", "day"),
}


@dataclass(frozen=True)
class Column:
    """What one column holds, and how its values are labelled in the notes."""

    kind: str  # field, email, phone, tags, birth, label, address, note, skip
    field: str = ""  # the customer field (field), the birthday part (birth)
    label: str = ""  # the header, for the notes and for messages
    group: str = ""  # Google's numbered group ('Phone 2'), whose label column names it
    rank: int = 2  # phones: lower is better
    drop: str = ""  # a value the program writes into every row (casefolded), kept nowhere


@dataclass(frozen=True)
class Plan:
    dialect: str  # "" for a file whose headers are salesdesk's own or plain English
    columns: list[Column]

    @property
    def names_a_customer(self) -> bool:
        fields = {column.field for column in self.columns if column.kind == "field"}
        return bool(fields & {"name", "first_name", "last_name"})


def phone_rank(label: str) -> int:
    """0 for a mobile, 1 for a work number, 2 unknown, 3 home, 4 fax or pager."""
    text = label.casefold()
    for rank, words in sorted(_PHONE_RANKS, reverse=True):  # a home fax is a fax
        if any(word in text for word in words):
            return rank
    return 2


def dialect_of(headers: list[str]) -> str:
    keys = {header_key(header) for header in headers}
    if any(_GOOGLE_GROUP.fullmatch(header) for header in headers) or "labels" in keys:
        if "groupmembership" in keys or "givenname" in keys or "email1type" in keys:
            return GOOGLE_OLDER
        return GOOGLE
    if "primaryemail" in keys or {"birthyear", "birthmonth"} <= keys:
        return THUNDERBIRD
    outlook_marks = {
        "emailaddress",
        "email2address",
        "businessphone",
        "mobilephone",
        "jobtitle",
        "categories",
    }
    if "emailaddress" in keys and len(keys & outlook_marks) >= 2:
        return OUTLOOK
    if language := language_of(headers):
        return f"{language} headers"
    return ""


def dialect_name(dialect: str) -> str:
    """'Google Contacts CSV', 'German headers' in the language shown."""
    return _(_DIALECT_NAMES[dialect]) if dialect in _DIALECT_NAMES else dialect


def plan_columns(headers: list[str]) -> Plan:
    """The dialect of a file and what each of its columns holds."""
    dialect = dialect_of(headers)
    fields = map_headers(headers)
    columns: list[Column] = []
    for header, field in zip(headers, fields, strict=True):
        label = header or _("column {n}").format(n=len(columns) + 1)
        if dialect in (GOOGLE, GOOGLE_OLDER):
            column = _google(header, field, label)
        elif dialect == OUTLOOK:
            column = _known(_OUTLOOK, header, field, label)
        elif dialect == THUNDERBIRD:
            column = _known(_THUNDERBIRD, header, field, label)
        else:
            column = _generic(field or _candidate(header), label)
        columns.append(column)
    taken: set[str] = set()
    for index, column in enumerate(columns):
        if column.kind == "field":
            if column.field in taken:
                columns[index] = Column("note", label=column.label)
            taken.add(column.field)
    return Plan(dialect, columns)


def _candidate(header: str) -> str | None:
    """'email' or 'phone' for a second column of either: both are candidates."""
    field = field_of(header)
    return field if field in ("email", "phone") else None


def _generic(field: str | None, label: str) -> Column:
    if field is None:
        return Column("note", label=label)
    if field in ("email", "phone", "tags"):
        return Column(field, label=label, rank=phone_rank(label))
    return Column("field", field, label)


def _known(table: dict[str, tuple[str, str]], header: str, field: str | None, label: str) -> Column:
    key = header_key(header)
    if key in table:
        kind, target = table[key]
        return Column(kind, target, label, rank=phone_rank(label))
    if table is _OUTLOOK and _OUTLOOK_PHONES.fullmatch(header):
        return Column("phone", label=label, rank=phone_rank(label))
    if table is _OUTLOOK and key in _OUTLOOK_DEFAULTS:
        return Column("note", label=label, drop=_OUTLOOK_DEFAULTS[key])
    if field == "id":  # another program's id, not one of ours
        return Column("note", label=label)
    return _generic(field, label)


def _google(header: str, field: str | None, label: str) -> Column:
    key = header_key(header)
    if key in ("labels", "groupmembership"):
        return Column("tags", label=label)
    match = _GOOGLE_GROUP.fullmatch(header)
    if match is None:
        if key in ("organizationname", "organizationtitle"):
            return Column("field", "company" if key == "organizationname" else "title", label)
        return _generic(None if field in ("email", "phone", "id") else field, label)
    what, number, part = match.group(1), match.group(2), header_key(match.group(3))
    group = f"{what} {number}"
    if part in ("label", "type"):
        return Column("label", label=label, group=group)
    kind = header_key(what)
    if kind == "email" and part == "value":
        return Column("email", label=label, group=group)
    if kind == "phone" and part == "value":
        return Column("phone", label=label, group=group)
    if kind == "organization" and number == "1" and part in ("name", "title"):
        return Column("field", "company" if part == "name" else "title", label)
    if kind == "address":
        return Column("address" if part != "formatted" else "note", label=label, group=group)
    if part == "value":
        return Column("note", label=label, group=group)
    return Column("note", label=label)


def google_tags(cell: str) -> list[str]:
    """'* myContacts ::: Customers ::: * starred' -> ['Customers', 'starred']."""
    tags: list[str] = []
    for part in cell.split(":::"):
        tag = part.strip().removeprefix("* ").strip()
        if tag and header_key(tag) not in _GOOGLE_EVERYONE and tag.casefold() not in map(str.casefold, tags):
            tags.append(tag)
    return tags


def google_label(value: str) -> str:
    """'* Work' -> 'Work' (the star marks the primary value)."""
    return value.strip().removeprefix("*").strip()
