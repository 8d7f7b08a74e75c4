"""The change log: every write records what changed, under a hybrid logical clock.

Team sync (TEAM-SYNC.md) merges copies by replaying these entries per field, newest
clock first, the device id breaking ties. A clock value is
`{milliseconds:015d}-{counter:05d}-{device}`. Both numbers have a fixed width and the
counter never passes 99,999: when it would, the clock moves on to the next millisecond
instead (in `next_clock`, so in every tick, bulk write and merge alike). So the text
order of two clocks is their numeric order, `(ms, counter, device)`, for every value,
and 100,000 edits in one millisecond still come out in order. `parse_clock` accepts
only clocks of exactly this shape; anything else is a malformed clock.
"""

import json
import re
from collections.abc import Iterable

from salesdesk.store.database import Database

COUNTER_LIMIT = 99_999  # the largest counter; one more moves the clock to the next millisecond
MS_LIMIT = 10**15 - 1  # the largest millisecond that formats in fifteen digits (year 33658)
# A device id: the hex of a new copy, 'seed', or a renamed clone ('<id>~<id>copy').
_CLOCK = re.compile(r"(\d{15})-(\d{5})-([0-9A-Za-z~._-]{1,80})")


class MalformedClock(ValueError):
    """A clock text that is not `{ms:015d}-{counter:05d}-{device}`."""


def format_clock(ms: int, counter: int, device: str) -> str:
    if not (0 <= ms <= MS_LIMIT and 0 <= counter <= COUNTER_LIMIT):
        raise MalformedClock(f"no clock has millisecond {ms} and counter {counter}")
    return f"{ms:015d}-{counter:05d}-{device}"


def parse_clock(clock: object) -> tuple[int, int, str]:
    """(ms, counter, device) of a well-formed clock; `MalformedClock` for anything else."""
    found = _CLOCK.fullmatch(clock) if isinstance(clock, str) else None
    if found is None:
        raise MalformedClock(f"{str(clock)[:60]!r} is not a clock")
    return int(found[1]), int(found[2]), found[3]


def clock_ms(clock: str) -> int:
    return parse_clock(clock)[0]


def _after(ms: int, counter: int) -> tuple[int, int]:
    """The moment just after (ms, counter): the counter absorbs it until it is full."""
    return (ms, counter + 1) if counter < COUNTER_LIMIT else (ms + 1, 0)


def next_clock(last: str | None, now_ms: int, device: str) -> str:
    """Advance the hybrid logical clock: wall time when it moves on, else a counter.

    The clock never goes backwards, even when the wall clock does, and never wraps.
    """
    if last is None:
        return format_clock(now_ms, 0, device)
    last_ms, counter, _ = parse_clock(last)
    if now_ms > last_ms:
        return format_clock(now_ms, 0, device)
    return format_clock(*_after(last_ms, counter), device)


def received(local: str | None, seen: str, device: str) -> str | None:
    """The receive rule: the local clock after seeing `seen`, or None if it stays.

    The local clock is never behind anything merged; the next tick moves past it.
    """
    ms, counter, _ = parse_clock(seen)
    if local is None or parse_clock(local)[:2] < (ms, counter):
        return format_clock(ms, counter, device)
    return None


class ChangeLog:
    """Appends change entries; must be used inside the write transaction of the change."""

    def __init__(self, db: Database, device: str):
        self.db = db
        self.device = device
        self.written = 0  # entries written through this log (its connection), for tui.live

    def tick(self, now_ms: int) -> str:
        return self.ticks(now_ms, 1)[0]

    def ticks(self, now_ms: int, count: int) -> list[str]:
        """`count` successive clocks, as `count` calls of `tick` would give, in one write."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()
        last, clocks = row[0] if row else None, []
        for _ in range(count):
            last = next_clock(last, now_ms, self.device)
            clocks.append(last)
        if clocks:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('clock', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [last],
            )
        return clocks

    def record(
        self, clock: str, table: str, row_id: str, values: dict[str, object], seen: dict[str, str]
    ) -> None:
        """One entry; `seen` is what the writer had of the record (`seen_of`)."""
        self.db.execute(
            "INSERT INTO changes (device, clock, tbl, row_id, data, seen) VALUES (?, ?, ?, ?, ?, ?)",
            [self.device, clock, table, row_id, json.dumps(values, ensure_ascii=False), json.dumps(seen)],
        )
        self.written += 1

    def record_many(self, table: str, entries: Iterable[tuple[str, dict[str, object]]]) -> None:
        """`record` for many (clock, full record) pairs of one table, in one statement:
        new records, so their writer had seen nothing of them."""
        rows = [
            (self.device, clock, table, values["id"], json.dumps(values, ensure_ascii=False))
            for clock, values in entries
        ]
        self.db.conn.executemany(
            "INSERT INTO changes (device, clock, tbl, row_id, data, seen) VALUES (?, ?, ?, ?, ?, '{}')", rows
        )
        self.written += len(rows)

    def seen_of(
        self, table: str, row_id: str, fields: Iterable[str], *, every: bool = False
    ) -> dict[str, str]:
        """What this copy has of a record, for an entry about to be written over it.

        Per field written (`every`: per field of the record, for a delete), the clock of
        the newest value of it here, and under `deleted_at` that of the newest word on
        the record's life (its creation, a delete or a restore). A merge compares these
        with the other entries of the record to tell an edit made over a value from one
        made without having seen it (a conflict), the same way on every copy.
        """
        wanted = set(fields) | {"deleted_at"}
        seen: dict[str, str] = {}
        for name, clock in self.db.execute(
            "SELECT j.key, max(c.clock) FROM changes c, json_each(c.data) j "
            "WHERE c.tbl = ? AND c.row_id = ? GROUP BY j.key",
            [table, row_id],
        ):
            if every or name in wanted:
                seen[name] = clock
        return seen
