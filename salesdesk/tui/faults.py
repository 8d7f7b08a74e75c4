"""What the app says when the database cannot take a write: busy, read-only, full, or worse.

SQLite's own messages ("database is locked") name neither the cause a person can see
nor what to do; these sentences do. Nothing here imports Textual.
"""

import sqlite3

from salesdesk.i18n import N_, _

BUSY = "busy"
READ_ONLY = "read-only"
FULL = "full"
OTHER = "other"

# The primary result codes (the low byte of an extended code) behind each kind.
_KINDS = {
    sqlite3.SQLITE_BUSY: BUSY,
    sqlite3.SQLITE_LOCKED: BUSY,
    sqlite3.SQLITE_READONLY: READ_ONLY,
    sqlite3.SQLITE_PERM: READ_ONLY,
    sqlite3.SQLITE_FULL: FULL,
}
# For an error raised without a code (as tests and some wrappers do), SQLite's wording.
_WORDING = (
    ("database is locked", BUSY),
    ("database table is locked", BUSY),
    ("readonly database", READ_ONLY),
    ("read-only", READ_ONLY),
    ("disk is full", FULL),
)

# How a write is tried again, as tui/screens/base.py says it (AGAIN, SAVE_AGAIN, ENTER_AGAIN):
# marked here so that `sentence` shows them in the language shown.
RETRIES = (N_("press the key again"), N_("press ctrl+s again"), N_("press enter again"))

_CANNOT_WRITE = N_("{path} cannot be written (the file or the disk it is on is read-only)")
_MAKE_WRITABLE = N_("make it writable and open salesdesk again to change anything")


def read_only_why(path: str) -> str:
    """Why a key that would write does nothing, in a database opened read-only."""
    return _("Nothing can be changed here: {why}; {what_to_do}.").format(
        why=_(_CANNOT_WRITE).format(path=path), what_to_do=_(_MAKE_WRITABLE)
    )


def kind_of(error: sqlite3.Error) -> str:
    """BUSY, READ_ONLY, FULL or OTHER: what kept the database from taking the write."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _KINDS:
        return _KINDS[code & 0xFF]
    text = str(error).lower()
    for words, kind in _WORDING:
        if words in text:
            return kind
    return OTHER


def sentence(error: sqlite3.Error, path: str, retry: str) -> str:
    """One sentence: what happened to the write and what to do; `retry` is how to try again
    ("press ctrl+s again", "press the key again")."""
    kind = kind_of(error)
    retry = _(retry)
    if kind == BUSY:
        return _(
            "Nothing was saved: another program is writing to the database (an import or a sync, "
            "perhaps) and holds it; {retry} in a moment."
        ).format(retry=retry)
    if kind == READ_ONLY:
        return _("Nothing was saved: {why}; {what_to_do}.").format(
            why=_(_CANNOT_WRITE).format(path=path), what_to_do=_(_MAKE_WRITABLE)
        )
    if kind == FULL:
        return _("Nothing was saved: the disk holding {path} is full; free some space, then {retry}.").format(
            path=path, retry=retry
        )
    return _(
        "Nothing was saved: the database could not be written ({error}); {retry}, "
        "or quit and run 'salesdesk check' for a report."
    ).format(error=error, retry=retry)
