"""The change log: every write records what changed, under a hybrid logical clock.

Team sync (TEAM-SYNC.md) merges copies by replaying these entries per field, newest
clock first, the device id breaking ties. A clock value is
`{milliseconds:015d}-{counter:05d}-{device}`, so clocks compare as strings.
"""

import json
from collections.abc import Iterable

from salesdesk.store.database import Database

COUNTER_LIMIT = 99_999  # the largest counter that still formats in five digits


def format_clock(ms: int, counter: int, device: str) -> str:
    return f"{ms:015d}-{counter:05d}-{device}"


def parse_clock(clock: str) -> tuple[int, int, str]:
    ms, counter, device = clock.split("-", 2)
    return int(ms), int(counter), device


def next_clock(last: str | None, now_ms: int, device: str) -> str:
    """Advance the hybrid logical clock: wall time when it moves on, else a counter.

    The clock never goes backwards, even when the wall clock does.
    """
    if last is None:
        return format_clock(now_ms, 0, device)
    last_ms, counter, _ = parse_clock(last)
    if now_ms > last_ms:
        return format_clock(now_ms, 0, device)
    return format_clock(last_ms, counter + 1, device)


class ChangeLog:
    """Appends change entries; must be used inside the write transaction of the change."""

    def __init__(self, db: Database, device: str):
        self.db = db
        self.device = device

    def tick(self, now_ms: int) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()
        clock = next_clock(row[0] if row else None, now_ms, self.device)
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('clock', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [clock],
        )
        return clock

    def ticks(self, now_ms: int, count: int) -> list[str]:
        """`count` successive clocks, as `count` calls of `tick` would give, in one write.

        The counter has five digits, so clocks keep comparing as strings: after 99,999
        in one millisecond the clock moves on to the next millisecond.
        """
        row = self.db.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()
        last, clocks = row[0] if row else None, []
        for _ in range(count):
            if last is not None and parse_clock(last)[1] >= COUNTER_LIMIT:
                last = format_clock(parse_clock(last)[0] + 1, 0, self.device)
            else:
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

    def record_many(self, table: str, entries: Iterable[tuple[str, dict[str, object]]]) -> None:
        """`record` for many (clock, full record) pairs of one table, in one statement:
        new records, so their writer had seen nothing of them."""
        self.db.conn.executemany(
            "INSERT INTO changes (device, clock, tbl, row_id, data, seen) VALUES (?, ?, ?, ?, ?, '{}')",
            [
                (self.device, clock, table, values["id"], json.dumps(values, ensure_ascii=False))
                for clock, values in entries
            ],
        )

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
