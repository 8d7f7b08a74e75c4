"""Importing customers: match each incoming one with a customer we have, or create it.

A match is found by salesdesk id (from our own export), then email (any case), then
normalised phone number (unless both have emails and they differ: colleagues share
an office number); a row with neither email nor phone matches a customer of the same
name and company. A match is updated only where it is empty (fields), with
tags it lacks and note pieces its notes do not hold yet, so importing the same file
again changes nothing. A row matching one created earlier in the same file is merged
into it the same way.

Everything happens in one transaction; a dry run rolls it back. New customers are
written in bulk (`Records.insert_many`), with the same ids, stamps and change-log
entries one-by-one inserts would give them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from salesdesk.core.errors import InvalidValue
from salesdesk.core.incoming import IncomingCustomer, Refusal
from salesdesk.core.model import phone_key
from salesdesk.core.phones import phone_match_keys

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# Fields an import may fill; `name` is only ever set on a new customer.
FILLABLE = (
    "company",
    "title",
    "phone",
    "email",
    "handle",
    "industry",
    "source",
    "owner",
    "birthday",
    "lunar_birthday",
    "contract_end",
)
_COLUMNS = ("id", "name", "notes") + FILLABLE
_OPTIONAL = ("birthday", "lunar_birthday", "contract_end")
PROGRESS_EVERY = 1000


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0  # rows that matched a customer created from an earlier row
    refusals: list[Refusal] = field(default_factory=list)  # refused by the store's own rules
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
        for key in phone_match_keys(row["phone"], self.region):
            self.by_phone.setdefault(key, customer_id)
        self.by_name.setdefault((row["name"], row["company"]), customer_id)

    def match(self, item: IncomingCustomer) -> str | None:
        if item.record_id in self.rows:
            return item.record_id
        email = item.values.get("email", "").strip().casefold()
        if email and email in self.by_email:
            return self.by_email[email]
        phone = item.values.get("phone", "")
        for key in sorted(phone_match_keys(phone, self.region)):
            found = self.by_phone.get(key)
            # Colleagues share an office number: another email is another person.
            if found and not (email and self.rows[found]["email"].strip().casefold() not in ("", email)):
                return found
        if not email and not phone.strip():
            return self.by_name.get((item.values["name"], item.values.get("company", "")))
        return None

    def has_tag(self, customer_id: str, tag: str) -> bool:
        key = tag.strip().casefold()
        return any(have.strip().casefold() == key for have in self.tags.get(customer_id, ()))


def import_customers(
    store: "Store",
    incoming: Iterable[IncomingCustomer],
    *,
    region: str | None = None,
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Create or update a customer for each incoming one, all in one transaction.

    `region` is the user's phone region for numbers typed without a country code
    (see `salesdesk.core.phones`). `progress` is called now and then with the stage
    ("matching", then "saving") and the number of rows matched.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        with store.records.transaction():
            _Import(store, region, result).run(incoming, progress)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


class _Import:
    def __init__(self, store: "Store", region: str | None, result: ImportResult):
        self.store = store
        self.result = result
        self.known = _Known(store, region)
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
                    Refusal(item.line, error.field, item.values.get(error.field, ""), str(error))
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
            self.known.remember(row)
            self.new_tags[customer_id] = self._tags_to_add(customer_id, item.tags)
            self.known.tags[customer_id] = list(self.new_tags[customer_id])
            self.result.created += 1
            return
        current = self.known.rows[customer_id]
        changes = {
            name: value
            for name, value in values.items()
            if name in FILLABLE and value.strip() and not current[name].strip()
        }
        notes = current["notes"]
        for piece in _distinct(item.notes):
            if piece not in notes:
                notes = f"{notes}\n{piece}" if notes else piece
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


def _stored(row: dict[str, str]) -> dict[str, str | None]:
    """A new customer's values as `Store.add_customer` would store them."""
    values: dict[str, str | None] = {name: value for name, value in row.items() if name != "id"}
    values["phone_key"] = phone_key(row["phone"])
    for name in _OPTIONAL:  # NULL when unknown, as when typed in
        values[name] = values[name] or None
    return values


def _distinct(pieces: list[str]) -> list[str]:
    return [piece for piece in dict.fromkeys(pieces) if piece.strip()]
