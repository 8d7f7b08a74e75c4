"""Errors that reach a person: each carries one sentence they can act on."""

from typing import Any

from salesdesk.i18n import N_, _

# The fields a message can name, as a person reads them (the code passes the English).
_FIELD_WORDS = (
    N_("name"),
    N_("company"),
    N_("title"),
    N_("phone"),
    N_("email"),
    N_("owner"),
    N_("tag"),
    N_("date"),
    N_("birthday"),
    N_("contract end"),
    N_("expected close"),
    N_("follow-up"),
    N_("when"),
    N_("amount"),
    N_("currency"),
    N_("kind"),
    N_("repeat"),
    N_("quantity"),
    N_("unit price"),
    N_("discount"),
    N_("price"),
    N_("code"),
    N_("unit"),
    N_("category"),
    N_("product"),
    N_("quote"),
    N_("contract"),
    N_("number"),
    N_("signed date"),
    N_("start date"),
    N_("end date"),
    N_("notes"),
    N_("plan"),
    N_("method"),
    N_("instalment"),
    N_("receipt"),
    N_("month"),
    N_("measure"),
)


_RECORD_WORDS = {
    "customers": N_("customer"),
    "deals": N_("deal"),
    "followups": N_("follow-up"),
    "interactions": N_("interaction"),
    "stages": N_("stage"),
    "products": N_("product"),
    "deal_lines": N_("line"),
    "quotes": N_("quote"),
    "contracts": N_("contract"),
    "instalments": N_("instalment"),
    "receipts": N_("receipt"),
    "cases": N_("case"),
    "tags": N_("tag"),
    "customer_tags": N_("customer tag"),
    "settings": N_("setting"),
    "stage_changes": N_("stage change"),
    "reminder_dismissals": N_("dismissed reminder"),
    "targets": N_("target"),
}


def record_word(table: str) -> str:
    """One record of `table` in English, as marked for the catalogue: `customer`."""
    return _RECORD_WORDS.get(table, table.rstrip("s"))


def record_name(table: str) -> str:
    """One record of `table` as the language shown names it: `customer`, 客户."""
    return _(record_word(table))


def field_name(field: str) -> str:
    """A field as the language shown names it; a flag (`--date`) or unknown field as it is."""
    return _(field) if field in _FIELD_WORDS else field


class SalesdeskError(Exception):
    """Bad input or an unusable file; the message is shown as it is, without a traceback."""


class InvalidValue(SalesdeskError):
    """A value typed or imported that the domain does not accept."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class StaleRecord(SalesdeskError):
    """A save was refused because the record changed since it was read."""

    def __init__(self, table: str, record_id: str, current: dict[str, Any] | None):
        what = record_name(table)
        super().__init__(
            _(
                "This {record} was changed elsewhere since you opened it; "
                "reload it and make your change again."
            ).format(record=what)
        )
        self.table = table
        self.record_id = record_id
        self.current = current  # the row as stored now, as SQLite read it (None: not known)


class NotFound(SalesdeskError):
    """A record id that does not exist or was deleted."""
