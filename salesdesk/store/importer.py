"""Importing customers: match each incoming one with a customer we have, or create it.

A match is found by salesdesk id (from our own export), then email (any case), then
phone number (normalised, its extension included; unless both have emails and they
differ: colleagues share an office number). A number too short to read as a full one
('100') matches a customer of the same name and company with that number as typed; a
row with neither email nor phone matches a customer of the same name and company.

Nothing of a matched row is dropped. Empty fields are filled, tags it lacks are added
and note pieces its notes do not hold yet are appended; a value other than the stored
one (another phone, company or title) is kept in the notes, labelled with the file and
line ("From contacts.csv line 7: phone +86 139 ...; title Buyer"). With `update` the
file's values win instead, and the stored ones they replace go into the notes. Either
way a value already kept is not kept twice, so importing the same file again changes
nothing. A row matching one created earlier in the same file is merged into it the
same way.

A row that is a teammate's customer is neither imported as a new one nor written over
theirs: matched as above with a customer someone else owns, or else matching one the way
adding one does (`salesdesk.core.ownership`: same email, phone or name and company), it
is listed with its owner and their last contact (`ImportResult.teammates`), and with
`ask_owner` the owner is asked for it (one open ask per customer). The person's own
customers, and those of nobody, are matched and updated as before.

Everything happens in one transaction; a dry run rolls it back. New customers are
written in bulk (`Records.insert_many`), with the same ids, stamps and change-log
entries one-by-one inserts would give them.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from salesdesk.core.errors import InvalidValue, field_name
from salesdesk.core.incoming import ImportCounts, IncomingCustomer, Refusal
from salesdesk.core.model import CUSTOMER_DETAILS, phone_key
from salesdesk.core.ownership import Owned, OwnedRow, Person, agrees, is_teammate, match_keys, stored_keys
from salesdesk.core.phones import phone_match_keys, same_phone, typed_phone
from salesdesk.i18n import N_, _
from salesdesk.store.ownership import ask_owner, owned_record

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# Fields an import may fill; `name` is only ever set on a new customer.
FILLABLE = CUSTOMER_DETAILS
_COLUMNS = ("id", "name", "notes") + FILLABLE
_OPTIONAL = ("birthday", "lunar_birthday", "contract_end")
# The values of a matched row set beside the stored ones, in the order a kept note names them.
_COMPARED = ("name", "phone", "email", "company", "title") + tuple(
    name for name in FILLABLE if name not in ("phone", "email", "company", "title")
)
# How a kept value is named in the notes (in the language shown); the other fields by
# their own names (`field_name`).
_LABELS = {
    "handle": N_("other contact"),
    "industry": N_("industry"),
    "source": N_("source"),
    "lunar_birthday": N_("lunar birthday"),
    "contract_end": N_("contract end"),
}
# The note lines `_kept_note` writes: the values a row had beside the stored ones, and the
# stored ones its values replaced. Read back in English and in the language shown, so an
# import run again keeps nothing twice.
_FROM = N_("From {source} line {line}: {values}")
_BEFORE = N_("Before {source} line {line}: {values}")
PROGRESS_EVERY = 1000


@dataclass
class ImportResult(ImportCounts):
    refusals: list[Refusal] = field(default_factory=list)  # refused by the store's own rules
    teammates: list[OwnedRow] = field(default_factory=list)  # rows of teammates' customers
    dry_run: bool = False


class _DryRun(Exception):
    """Raised inside the import transaction so that it rolls back."""


class _Known:
    """The customers we have (and are about to create), indexed the ways a row can match."""

    def __init__(self, store: "Store", region: str | None):
        self.region = region
        self.rows: dict[str, dict[str, str]] = {}
        self.tags: dict[str, list[str]] = {}
        self.by_email: dict[str, str] = {}
        self.by_phone: dict[str, str] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        self.by_typed: dict[tuple[str, str, str], str] = {}  # name, company, a short number as typed
        cursor = store.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM customers WHERE deleted_at IS NULL ORDER BY rid"
        )
        for values in cursor:
            self.remember({name: value or "" for name, value in zip(_COLUMNS, values, strict=True)})
        for customer_id, tag in store.db.execute(
            "SELECT ct.customer_id, t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id "
            "WHERE ct.deleted_at IS NULL AND t.deleted_at IS NULL"
        ):
            self.tags.setdefault(customer_id, []).append(tag)

    def remember(self, row: dict[str, str]) -> None:
        customer_id = row["id"]
        self.rows[customer_id] = row
        if row["email"].strip():
            self.by_email.setdefault(row["email"].strip().casefold(), customer_id)
        keys = phone_match_keys(row["phone"], self.region)
        for key in keys:
            self.by_phone.setdefault(key, customer_id)
        if row["phone"].strip() and not keys:
            self.by_typed.setdefault((row["name"], row["company"], typed_phone(row["phone"])), customer_id)
        self.by_name.setdefault((row["name"], row["company"]), customer_id)

    def match(self, item: IncomingCustomer) -> str | None:
        if item.record_id in self.rows:
            return item.record_id
        email = item.values.get("email", "").strip().casefold()
        if email and email in self.by_email:
            return self.by_email[email]
        phone = item.values.get("phone", "")
        keys = phone_match_keys(phone, self.region)
        for key in sorted(keys):
            found = self.by_phone.get(key)
            # Colleagues share an office number: another email is another person.
            if found and self._may_share(found, email):
                return found
        person = (item.values["name"], item.values.get("company", ""))
        if phone.strip() and not keys:
            # Too short to be anyone's number alone ('100', an extension): the same
            # person is the same name and company with the number typed alike, or
            # without a number yet.
            found = self.by_typed.get((*person, typed_phone(phone)))
            if found is None and (found := self.by_name.get(person)) and self.rows[found]["phone"].strip():
                found = None
            return found if found and self._may_share(found, email) else None
        if not email and not phone.strip():
            return self.by_name.get(person)
        return None

    def _may_share(self, customer_id: str, email: str) -> bool:
        """Whether a row of this email may be the customer found by number: not another email."""
        return not (email and self.rows[customer_id]["email"].strip().casefold() not in ("", email))

    def has_tag(self, customer_id: str, tag: str) -> bool:
        key = tag.strip().casefold()
        return any(have.strip().casefold() == key for have in self.tags.get(customer_id, ()))


def import_customers(
    store: "Store",
    incoming: Iterable[IncomingCustomer],
    *,
    region: str | None = None,
    source: str = "the file",
    update: bool = False,
    dry_run: bool = False,
    ask_owner: bool = False,
    today: date | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Create or update a customer for each incoming one, all in one transaction.

    `region` is the user's phone region for numbers typed without a country code
    (see `salesdesk.core.phones`). `source` names the file in the notes that keep a
    matched row's other values ("contacts.csv"); with `update` the file's values
    replace the stored ones instead. `progress` is called now and then with the
    stage ("matching", then "saving") and the number of rows matched. With `ask_owner`
    the owner of each teammate's customer a row matches is asked for it, due `today`.
    """
    if ask_owner and today is None:
        raise ValueError("asking owners needs today's date")
    result = ImportResult(dry_run=dry_run)
    try:
        with store.records.transaction():
            _Import(store, region, result, source, update, today if ask_owner else None).run(
                incoming, progress
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


class _Import:
    def __init__(
        self,
        store: "Store",
        region: str | None,
        result: ImportResult,
        source: str,
        update: bool,
        ask_on: date | None,
    ):
        self.store = store
        self.ask_on = ask_on  # the day owners are asked for their customers, when they are
        self.result = result
        self.region = region
        self.source = source
        self.update = update
        self.seen: set[str] = set()  # customers an earlier row of the file matched or created
        self.known = _Known(store, region)
        # Teammates' customers by the keys a row may meet them under (`core.ownership`):
        # looked up in memory, as the rest of the matching is.
        self.theirs: dict[tuple[str, str], list[str]] = {}
        self.asked: dict[str, bool] = {}  # teammates' customers asked for, and whether just now
        for customer_id, row in self.known.rows.items():
            if is_teammate(row["owner"], store.user):
                for key in stored_keys(_person(row)):
                    self.theirs.setdefault(key, []).append(customer_id)
        self.new: dict[str, dict[str, str]] = {}  # id -> values of customers to create, in file order
        self.new_tags: dict[str, list[str]] = {}

    def run(self, incoming: Iterable[IncomingCustomer], progress: Callable[[str, int], None] | None) -> None:
        done = 0
        for done, item in enumerate(incoming, start=1):
            try:
                # The store's own rules, the same as for a customer typed in; the values
                # come back as the store keeps them (dates in ISO form, email trimmed).
                values = self.store._customer_values(item.values)
            except InvalidValue as error:
                self.result.refusals.append(
                    Refusal(item.line, field_name(error.field), item.values.get(error.field, ""), str(error))
                )
                continue
            values.pop("phone_key", None)
            self._take(item, values)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress("matching", done)
        if progress is not None:
            progress("saving", done)
        self._create()

    def _take(self, item: IncomingCustomer, values: dict[str, str]) -> None:
        customer_id = self.known.match(item)
        if owned := self._teammates(item, values, customer_id):
            self._owned(item, owned)
            return
        if customer_id is None:
            customer_id = self.store.records.new_id()
            row = {name: "" for name in _COLUMNS}
            row.update(values)
            row.update(
                id=customer_id,
                notes="\n".join(_distinct(item.notes)),
                owner=row["owner"] or self.store.default_owner(),
            )
            self.new[customer_id] = row
            self.seen.add(customer_id)
            self.known.remember(row)
            self.new_tags[customer_id] = self._tags_to_add(customer_id, item.tags)
            self.known.tags[customer_id] = list(self.new_tags[customer_id])
            self.result.created += 1
            return
        current = self.known.rows[customer_id]
        changes: dict[str, str] = {}
        other: list[tuple[str, str]] = []  # (field, value) of the row unlike the stored value
        for name in _COMPARED:
            value = values.get(name, "")
            if not value.strip():
                continue
            if not current[name].strip() or _fills(name, value, current[name]):
                if name != "name":
                    changes[name] = value
            elif not self._same(name, value, current[name]):
                other.append((name, value))
        notes = current["notes"]
        for piece in _distinct(item.notes):
            if piece not in notes:
                notes = f"{notes}\n{piece}" if notes else piece
        # With --update the first row of a customer wins (but for its name: a customer is
        # not renamed by a row found by its number); a later row of the same one is kept
        # like any other, or the rows would undo each other on every import.
        replace = self.update and customer_id not in self.seen and customer_id not in self.new
        replaced = [(name, value) for name, value in other if replace and name != "name"]
        kept = [(name, value) for name, value in other if (name, value) not in replaced]
        for template, values_kept in (
            (_BEFORE, [(n, current[n]) for n, _value in replaced]),
            (_FROM, kept),
        ):
            note = _kept_note(template, self.source, item.line, values_kept, notes)
            if note:
                notes = f"{notes}\n{note}" if notes else note
                self.result.kept += template == _FROM
        if replaced:
            changes.update(replaced)
            self.result.replaced += 1
        self.seen.add(customer_id)
        if notes != current["notes"]:
            changes["notes"] = notes
        tags = self._tags_to_add(customer_id, item.tags)
        self.known.tags.setdefault(customer_id, []).extend(tags)
        if customer_id in self.new:
            self.new[customer_id].update(changes)
            self.new_tags[customer_id].extend(tags)
            self.known.remember(self.new[customer_id])
            self.result.merged += 1
            return
        if changes:
            self.store.update_customer(customer_id, changes)
            self.known.remember({**current, **changes})
        for tag in tags:
            self.store.add_tag(customer_id, tag)
        if changes or tags:
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    def _teammates(
        self, item: IncomingCustomer, values: dict[str, str], customer_id: str | None
    ) -> Owned | None:
        """The teammate's customer a row is, if it is one: the one it matched, or else one
        it matches the way a customer added by hand would."""
        if customer_id is None:
            typed = _person(values)
            for how, key in match_keys(typed):
                for theirs in self.theirs.get((how, key), ()):
                    if agrees(how, typed, _person(self.known.rows[theirs])):
                        return owned_record(self.store.db, theirs, how)
            return None
        row = self.known.rows[customer_id]
        if customer_id in self.new or not is_teammate(row["owner"], self.store.user):
            return None
        email = values.get("email", "").strip().casefold()
        if item.record_id == customer_id:
            how = "id"
        elif email and email == row["email"].strip().casefold():
            how = "email"
        elif values.get("phone", "").strip() and same_phone(values["phone"], row["phone"], self.region):
            how = "phone"
        else:
            how = "name"
        return owned_record(self.store.db, customer_id, how)

    def _owned(self, item: IncomingCustomer, owned: Owned) -> None:
        asked = None
        if self.ask_on is not None:
            # Asked for by an earlier row of the file: this one says the same.
            asked = self.asked.get(owned.customer_id)
            if asked is None:
                _followup, asked = ask_owner(self.store, owned.customer_id, owned.owner, self.ask_on)
                self.asked[owned.customer_id] = asked
        self.result.teammates.append(OwnedRow(item.line, owned, asked))
        self.result.owned += 1

    def _same(self, name: str, value: str, stored: str) -> bool:
        """Whether a row's value says what the stored one says (case and spacing aside)."""
        if name == "phone":
            return same_phone(value, stored, self.region)
        if name == "birthday" and value.startswith("--"):
            return stored.endswith(value[1:])  # no year: the same day as one with a year
        return _folded(value).casefold() == _folded(stored).casefold()

    def _tags_to_add(self, customer_id: str, tags: list[str]) -> list[str]:
        wanted: list[str] = []
        for tag in tags:
            if not self.known.has_tag(customer_id, tag) and tag.casefold() not in (
                t.casefold() for t in wanted
            ):
                wanted.append(tag)
        return wanted

    def _create(self) -> None:
        """Write the new customers and their tag links, in bulk."""
        if not self.new:
            return
        self.store.records.insert_many("customers", map(_stored, self.new.values()), self.new)
        self._create_contract_ends()
        tag_ids: dict[str, str] = {}
        for tags in self.new_tags.values():
            for tag in tags:
                if tag.strip().casefold() not in tag_ids:
                    tag_ids[tag.strip().casefold()] = self.store.tag_id(tag)
        links = [
            (customer_id, tag_ids[tag.strip().casefold()])
            for customer_id, tags in self.new_tags.items()
            for tag in tags
        ]
        self.store.records.insert_many(
            "customer_tags",
            ({"customer_id": c, "tag_id": t} for c, t in links),
            (f"{c}:{t}" for c, t in links),
        )  # the link ids Store.add_tag gives

    def _create_contract_ends(self) -> None:
        """The contract that stands for each new customer's contract end, as
        `ContractStore.set_customer_end` makes it, in bulk and in the import's transaction."""
        from salesdesk.store.contracts import customer_end_id

        ends = {
            customer_id: row["contract_end"]
            for customer_id, row in self.new.items()
            if row.get("contract_end")
        }
        if not ends:
            return
        currency = self.store.setting("currency") or "USD"
        self.store.records.insert_many(
            "contracts",
            (
                {"customer_id": customer_id, "ends_on": ends_on, "currency": currency}
                for customer_id, ends_on in ends.items()
            ),
            map(customer_end_id, ends),
        )


def _person(row: dict[str, str]) -> Person:
    return Person(row.get("name", ""), row.get("company", ""), row.get("email", ""), row.get("phone", ""))


def _stored(row: dict[str, str]) -> dict[str, str | None]:
    """A new customer's values as `Store.add_customer` would store them."""
    values: dict[str, str | None] = {name: value for name, value in row.items() if name != "id"}
    values["phone_key"] = phone_key(row["phone"])
    for name in _OPTIONAL:  # NULL when unknown, as when typed in
        values[name] = values[name] or None
    return values


def _distinct(pieces: list[str]) -> list[str]:
    return [piece for piece in dict.fromkeys(pieces) if piece.strip()]


def _fills(name: str, value: str, stored: str) -> bool:
    """Whether a value completes the stored one: a birthday's year where it had none."""
    return (
        name == "birthday"
        and stored.startswith("--")
        and not value.startswith("--")
        and value.endswith(stored[1:])
    )


def _folded(value: str) -> str:
    """A value on one line with single spaces, as a note line holds it."""
    return " ".join(value.split())


def _kept_note(template: str, source: str, line: int, values: list[tuple[str, str]], notes: str) -> str:
    """'From contacts.csv line 7: phone ...; title Buyer', of the values the notes do not hold yet."""
    kept = _kept_lines()
    held = [
        next(group for group in match.groups() if group is not None).casefold()
        for match in map(kept.fullmatch, notes.splitlines())
        if match
    ]
    pieces = []
    for name, value in values:
        english = _LABELS.get(name, name)
        label = _(english) if name in _LABELS else field_name(name)
        piece = f"{label} {_folded(value)}"
        # Kept before in either language (an import run under English, then Chinese).
        said = {piece.casefold(), f"{english} {_folded(value)}".casefold()}
        if not any(_holds(details, form) for details in held for form in said) and piece not in pieces:
            pieces.append(piece)
    if not pieces:
        return ""
    return _(template).format(source=source, line=line, values=_("; ").join(pieces))


def _kept_lines() -> "re.Pattern[str]":
    """A note line `_kept_note` wrote, in English or in the language shown; its values a group."""
    forms = []
    for template in (_FROM, _BEFORE):
        for text in dict.fromkeys((template, _(template))):
            pattern = re.escape(text)
            for name, part in (("source", ".+?"), ("line", r"\d+"), ("values", "(.*)")):
                pattern = pattern.replace(re.escape("{" + name + "}"), part)
            forms.append(pattern)
    return re.compile("|".join(forms))


def _holds(details: str, piece: str) -> bool:
    """Whether the '; '-separated values of a kept note include `piece`."""
    for separator in dict.fromkeys(("; ", _("; "))):
        if (
            details == piece
            or details.startswith(f"{piece}{separator}")
            or details.endswith(f"{separator}{piece}")
            or f"{separator}{piece}{separator}" in details
        ):
            return True
    return False
