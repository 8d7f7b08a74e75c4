"""Changes held back: kept aside with their reason, never applied, never lost.

A change from a teammate that fails a check (`sync.checks`) goes into the local `held`
table with the reason and the device and person it came from; the rest of the copy and
every other copy still merge. Every merge tries the held changes again, so one whose
deal has since arrived, or whose clock is no longer ahead, is applied then.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from salesdesk.i18n import ENGLISH, Phrase, _, ngettext, pgettext, written_in
from salesdesk.store.database import Database
from salesdesk.store.schema import SYNCED_TABLES
from salesdesk.sync.reading import SEEN_LIMIT, Entry

# What kind of problem held a change back (`sync.checks`), in the language shown; as
# stored in English. Literal calls, so that the catalogue extracts them.
KINDS: dict[str, Callable[[], str]] = {
    "ahead": lambda: pgettext("held back", "ahead"),
    "waiting": lambda: pgettext("held back", "waiting"),
    "relayed": lambda: pgettext("held back", "relayed"),
    "invalid": lambda: pgettext("held back", "invalid"),
    "malformed": lambda: pgettext("held back", "malformed"),
    "too big": lambda: pgettext("held back", "too big"),
}


def kind_shown(kind: str) -> str:
    """A kind of problem as the person reads it (one not known, as stored)."""
    word = KINDS.get(kind)
    return word() if word else kind


@dataclass(frozen=True)
class HeldChange:
    id: int
    device: str
    clock: str
    table: str
    row_id: str
    author: str
    source: str
    kind: str
    reason: str
    held_at: str
    name: str = ""  # what the record is known by: here, else what the change itself says


# What a held change's own data may name its record by (it is not checked: shown literally).
_SAID_NAME = (
    "CASE WHEN json_valid(data) AND json_type(data) = 'object' THEN "
    "coalesce(json_extract(data, '$.name'), json_extract(data, '$.title'), "
    "json_extract(data, '$.number'), json_extract(data, '$.summary')) END"
)


def hold(
    db: Database, entry: Entry, *, kind: str, reason: Phrase, author: str, source: str, moment: str
) -> None:
    """Keep `entry` aside (its data only when it is within the bounds: never a huge value),
    with its reason to be said in the language of whoever reads it (`shown`)."""
    data = entry.data if isinstance(entry.data, str) else None
    seen = entry.seen if isinstance(entry.seen, str) and len(entry.seen) <= SEEN_LIMIT else None
    with written_in(ENGLISH):
        english = str(reason)
    db.execute(
        """INSERT INTO main.held
           (device, clock, tbl, row_id, data, size, seen, author, source, kind, reason, said, held_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (device, clock, tbl, row_id) DO UPDATE SET
               data = excluded.data, size = excluded.size, seen = excluded.seen, author = excluded.author,
               source = excluded.source, kind = excluded.kind, reason = excluded.reason,
               said = excluded.said""",
        [
            _text(entry.device),
            _text(entry.clock),
            _text(entry.tbl),
            _text(entry.row_id),
            data,
            entry.size,
            seen,
            author,
            source,
            kind,
            english,
            reason.stored(),
            moment,
        ],
    )


def shown(said: object, reason: str) -> str:
    """A held change's reason in the language shown: from its kept `Phrase`, else (a change
    held before reasons were kept so) as it was stored."""
    phrase = Phrase.restored(said)
    return reason if phrase is None else str(phrase)


def release(db: Database, device: object, clock: object, table: object, row_id: object) -> None:
    """The change was applied (or arrived by another way): it is no longer held."""
    db.execute(
        "DELETE FROM main.held WHERE device = ? AND clock = ? AND tbl = ? AND row_id = ?",
        [device, clock, table, row_id],
    )


def retriable(db: Database) -> list[tuple[Entry, str | None]]:
    """The held changes to try again (with the device whose file brought each): all that
    kept their data, oldest clock first."""
    return [
        (Entry(None, device, clock, tbl, row_id, data, size, seen), source or None)
        for device, clock, tbl, row_id, data, size, seen, source in db.execute(
            "SELECT device, clock, tbl, row_id, data, size, seen, source FROM main.held "
            "WHERE data IS NOT NULL ORDER BY clock"
        )
    ]


def count(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM main.held").fetchone()[0])


def listing(db: Database) -> list[HeldChange]:
    from salesdesk.store.conflicts import record_label

    changes = []
    for *row, kept, said in db.execute(
        "SELECT id, device, clock, tbl, row_id, author, source, kind, reason, held_at, said, "
        f"{_SAID_NAME} FROM main.held ORDER BY author, clock"
    ).fetchall():
        change = HeldChange(*row)
        change = replace(change, reason=shown(kept, change.reason))
        name = record_label(db, change.table, change.row_id) if change.table in SYNCED_TABLES else None
        if name is None and isinstance(said, str | int):
            name = str(said)
        changes.append(replace(change, name=(name or "")[:60]))
    return changes


def summary(db: Database) -> list[str]:
    """How many changes from whom are held back and why: one line per person."""
    lines = []
    rows = db.execute(
        "SELECT h.author, h.number, h.kinds, e.said, e.reason FROM "
        "(SELECT author, count(*) AS number, group_concat(DISTINCT kind) AS kinds, min(id) AS first "
        " FROM main.held GROUP BY author) h JOIN main.held e ON e.id = h.first "
        "ORDER BY h.number DESC, h.author"
    ).fetchall()
    for author, number, kinds, said, reason in rows:
        reason = shown(said, reason)
        kinds = _(", ").join(kind_shown(kind) for kind in kinds.split(","))
        lines.append(
            ngettext(
                "Held back {n} change from {author} ({kinds}), e.g. {reason}.",
                "Held back {n} changes from {author} ({kinds}), e.g. {reason}.",
                number,
            ).format(n=f"{number:,}", author=author, kinds=kinds, reason=reason)
        )
    return lines


def _text(value: object) -> str:
    return value[:200] if isinstance(value, str) else repr(value)[:200]
