"""Devices of a team: each its own database, user and (possibly wrong) clock."""

import hashlib
import json
import secrets
from datetime import timedelta

import pytest

from salesdesk.store.schema import SYNCED_TABLES
from salesdesk.store.store import Store
from salesdesk.sync.merge import merge_database
from tests.conftest import FakeClock

# Columns that are this copy's own bookkeeping, not shared data (the stamps are shared).
LOCAL = {"rid", "version"}


class Device:
    def __init__(self, folder, name, skew=timedelta()):
        self.folder = folder
        self.clock = FakeClock()
        self.clock.now += skew
        self.path = folder / f"{name}.db"
        self.store = Store.open(self.path, name, self.clock)

    def snapshot(self):
        """A consistent copy, as publishing makes one."""
        target = self.folder / f"snap-{secrets.token_hex(4)}.db"
        self.store.db.execute("VACUUM INTO ?", [str(target)])
        return target

    def merge_from(self, other: "Device"):
        return merge_database(self.store, other.snapshot())

    def digest(self) -> str:
        parts = []
        for table in SYNCED_TABLES:
            cursor = self.store.db.execute(f"SELECT * FROM {table} ORDER BY id")
            names = [d[0] for d in cursor.description]
            for row in cursor:
                parts.append(
                    json.dumps(
                        [table, {n: v for n, v in zip(names, row, strict=True) if n not in LOCAL}],
                        sort_keys=True,
                        ensure_ascii=False,
                    )
                )
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def entries(self) -> set:
        return set(self.store.db.execute("SELECT clock, tbl, row_id FROM changes").fetchall())


@pytest.fixture
def team(tmp_path):
    devices = [
        Device(tmp_path, "ann"),
        Device(tmp_path, "bob", timedelta(hours=-11)),
        Device(tmp_path, "cai", timedelta(hours=12)),
    ]
    yield devices
    for device in devices:
        device.store.close()


_CODES: dict[str, str] = {}


def enter_team(store, shared):
    """Start the encrypted team in `shared` (the first store to enter), or join it with
    the join code the first one was given."""
    from pathlib import Path

    from salesdesk.sync import folder
    from salesdesk.sync import team as teamsync

    where = str(Path(shared).resolve())
    if where not in _CODES:
        _CODES[where] = folder.create(store, shared)[0]
        return None
    return teamsync.join(store, shared, _CODES[where])[0]
