"""Errors that reach a person: each carries one sentence they can act on."""

from typing import Any


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
        super().__init__(
            f"This {table.rstrip('s')} was changed elsewhere since you opened it; "
            "reload it and make your change again."
        )
        self.table = table
        self.record_id = record_id
        self.current = current  # the row as stored now, as SQLite read it (None: not known)


class NotFound(SalesdeskError):
    """A record id that does not exist or was deleted."""
