"""The synced tables as a person reads their names: in the sync report's counts ("new: 3
customers, 1 contracts") and on the Conflicts screen. In English in plain words
(`deal lines`, not the stored `deal_lines`); literal calls, so that the catalogue
extracts each one; a table not listed is shown as stored."""

from collections.abc import Callable

from salesdesk.i18n import pgettext

TABLE_WORDS: dict[str, Callable[[], str]] = {
    "settings": lambda: pgettext("table", "settings"),
    "stages": lambda: pgettext("table", "stages"),
    "targets": lambda: pgettext("table", "targets"),
    "customers": lambda: pgettext("table", "customers"),
    "tags": lambda: pgettext("table", "tags"),
    "customer_tags": lambda: pgettext("table", "customer tags"),
    "products": lambda: pgettext("table", "products"),
    "deals": lambda: pgettext("table", "deals"),
    "deal_lines": lambda: pgettext("table", "deal lines"),
    "quotes": lambda: pgettext("table", "quotes"),
    "contracts": lambda: pgettext("table", "contracts"),
    "instalments": lambda: pgettext("table", "instalments"),
    "receipts": lambda: pgettext("table", "receipts"),
    "cases": lambda: pgettext("table", "cases"),
    "stage_changes": lambda: pgettext("table", "stage changes"),
    "interactions": lambda: pgettext("table", "interactions"),
    "followups": lambda: pgettext("table", "followups"),
    "reminder_dismissals": lambda: pgettext("table", "dismissed reminders"),
}


def table_word(table: str) -> str:
    """A synced table's name in the language shown; one not listed, as stored."""
    word = TABLE_WORDS.get(table)
    return word() if word else table
