"""Customers arriving from a file (CSV, vCard), before they meet the database.

The readers in `salesdesk.io` turn a file into `IncomingCustomer`s and `Refusal`s;
the store's importer matches each incoming customer with the ones it already has.
"""

from dataclasses import dataclass, field

from salesdesk.i18n import _, ngettext


@dataclass(frozen=True)
class Refusal:
    """One value of the file that salesdesk cannot take, and why."""

    line: int
    column: str  # how a person finds it: "column 邮箱", "EMAIL"
    value: str
    reason: str  # a sentence naming the value and what would be accepted
    record: int | None = None  # where its row or card begins, when not on `line`

    @property
    def record_line(self) -> int:
        return self.record if self.record is not None else self.line

    def sentence(self, source: str) -> str:
        return _("{source} line {line}, {column}: {reason}").format(
            source=source, line=self.line, column=self.column, reason=self.reason
        )


@dataclass(slots=True)
class IncomingCustomer:
    """A customer as the file has it; every value exactly as it was in the file."""

    line: int  # where the row or card begins, for messages
    values: dict[str, str]  # customer fields (dates already read into ISO form)
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # pieces for the notes, each added once
    record_id: str = ""  # a salesdesk id, from a salesdesk export; matched first


def shown(value: str, limit: int = 60) -> str:
    """A value quoted for a message: control characters escaped, long ones shortened."""
    text = value if len(value) <= limit else value[:limit] + "…"
    return repr(text)


@dataclass
class ImportBatch:
    """What a reader made of a file: customers to import, and what it refused."""

    source: str  # the file as the user named it
    customers: list[IncomingCustomer] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    rows: int = 0  # rows (or cards) read, blank ones not counted
    described: str = ""  # how it was read: "GB18030 (detected), comma-separated (detected)"
    extra_columns: list[str] = field(default_factory=list)  # kept in the notes
    named_from_contact: int = 0  # cards without a name, named from their company, email or phone
    dialect: str = ""  # whose columns: "Google Contacts CSV", "Outlook CSV", "German headers"

    @property
    def refused_rows(self) -> int:
        return len({refusal.record_line for refusal in self.refusals})


@dataclass
class ImportCounts:
    """What an import did with the rows (or cards) it was given, for its summary line."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0  # rows that matched a customer created from an earlier row
    kept: int = 0  # rows with values other than the customer's, kept in the notes
    replaced: int = 0  # rows whose values replaced the customer's (an import with --update)
    owned: int = 0  # rows of a teammate's customer, not imported

    def summary(self, refused: int, unit: str = "rows") -> str:
        """'3 created, 2 updated, 1 with values kept in notes, 4 unchanged, 0 refused'."""
        parts = [
            _("{n} created").format(n=f"{self.created:,}"),
            _("{n} updated").format(n=f"{self.updated:,}"),
        ]
        if self.kept:
            parts.append(_("{n} with values kept in notes").format(n=f"{self.kept:,}"))
        if self.replaced:
            parts.append(_("{n} with the file's values over the stored ones").format(n=f"{self.replaced:,}"))
        parts += [
            _("{n} unchanged").format(n=f"{self.unchanged:,}"),
            _("{n} refused").format(n=f"{refused:,}"),
        ]
        if self.owned:
            parts.append(
                ngettext(
                    "{n} a teammate's customer, not imported",
                    "{n} teammates' customers, not imported",
                    self.owned,
                ).format(n=f"{self.owned:,}")
            )
        if self.merged:
            merged = (
                _("{n} merged into an earlier card of the same customer")
                if unit == "cards"
                else _("{n} merged into an earlier row of the same customer")
            )
            parts.append(merged.format(n=f"{self.merged:,}"))
        return _(", ").join(parts)
