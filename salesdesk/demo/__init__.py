"""Demo databases: a small one to look around in, a large one to feel the speed.

`write_demo` builds in a temporary file beside the target and swaps the result in
only when it is complete, so a failed build never leaves a half-written database.
"""

import os
import random
import sqlite3
from datetime import datetime
from pathlib import Path

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _
from salesdesk.paths import demo_build_path
from salesdesk.store.connection import (
    check_location,
    location_is_writable,
    open_database,
    probe,
    read_only_connection,
)
from salesdesk.store.schema import APPLICATION_ID, SCHEMA_VERSION
from salesdesk.store.store import Store

SIZES = ("small", "large")
DEMO_KEY = "demo"  # meta key marking a demo database; its value is the size
# Meta key holding the last change-log entry of the build: every change anyone makes
# afterwards (an edit, an import, a merge) adds entries, so a demo whose log has grown
# holds work of its own and is not rebuilt over without --force.
BUILT_KEY = "demo_built"
_SIDECARS = ("-wal", "-shm", "-journal")


class DemoClock:
    """The store's clock during a build: whatever moment the story has reached."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def write_demo(
    target: Path, size: str, now: datetime, user: str, force: bool = False, seed: int = 7
) -> dict[str, int]:
    """Build a demo database at `target` ("small" or "large"), anchored on now.date();
    return the Store.counts() of the result."""
    if size not in SIZES:
        raise SalesdeskError(_("There is no {size} demo; use small or large.").format(size=repr(size)))
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    target = Path(target)
    _check_target(target, force)
    build = demo_build_path(target)
    _remove(build)  # left over from a build that was killed
    try:
        counts = _build(build, size, now, user, seed)
        _remove_sidecars(target)
        os.replace(build, target)
    except BaseException:
        _remove(build)
        raise
    return counts


def is_demo(path: Path) -> bool:
    """Whether an existing salesdesk database is a demo (read-only look)."""
    return _demo_state(Path(path))[0]


def _demo_state(path: Path) -> tuple[bool, bool]:
    """(is a demo, changed since it was built) of an existing salesdesk database.

    A demo built before the build was stamped counts as changed: nothing tells.
    """
    conn = read_only_connection(path)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", [DEMO_KEY, BUILT_KEY]))
        last = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    except sqlite3.DatabaseError:
        return False, False
    finally:
        conn.close()
    return DEMO_KEY in meta, meta.get(BUILT_KEY) != str(last)


def _check_target(target: Path, force: bool) -> None:
    """Refuse what must not be overwritten, leaving the file as it was."""
    check_location(target, must_exist=False)  # a device such as /dev/null is never replaced
    if not location_is_writable(target):
        raise SalesdeskError(
            _(
                "{path} cannot be written (a read-only file, folder or disk); "
                "pass --db with a file in a folder you can write."
            ).format(path=target)
        )
    if not target.exists() or target.stat().st_size == 0:
        return
    existed = {suffix for suffix in _SIDECARS if Path(f"{target}{suffix}").exists()}
    try:
        app_id, version, _tables = probe(target)  # refuses a file that is not SQLite at all
        ours = app_id == APPLICATION_ID
        if ours and version > SCHEMA_VERSION:
            open_database(target).close()  # refuses a newer schema with its own message
        demo, changed = _demo_state(target) if ours else (False, False)
    finally:
        _tidy_after_reading(target, existed)
    if force:
        return
    if not demo:
        raise SalesdeskError(
            _(
                "{path} holds data that is not a salesdesk demo; pass --force to overwrite it, "
                "or choose another file with --db."
            ).format(path=target)
        )
    if changed:
        raise SalesdeskError(
            _(
                "{path} is a demo with changes made since it was built, which a new demo would lose; "
                "pass --force to rebuild it anyway, or choose another file with --db."
            ).format(path=target)
        )


def _tidy_after_reading(path: Path, existed: set[str]) -> None:
    """Remove the empty -wal and -shm files a read-only look at a WAL database leaves.

    A read-only connection cannot delete them; the last connection to close does, and
    SQLite knows whether that is us, so this never pulls them from under another process.
    """
    if all(suffix in existed or not Path(f"{path}{suffix}").exists() for suffix in _SIDECARS):
        return
    conn = sqlite3.connect(path)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def _build(path: Path, size: str, now: datetime, user: str, seed: int) -> dict[str, int]:
    clock = DemoClock(now)
    store = Store.open(path, user, clock)
    try:
        # The file is thrown away if the build fails, so it needs no durability until then.
        store.db.execute("PRAGMA synchronous=OFF")
        store.db.execute("PRAGMA journal_mode=MEMORY")
        store.name_default_pipeline()  # built under Chinese: 线索, 需求确认, 报价 ...
        rng = random.Random(seed)
        if size == "small":
            from salesdesk.demo.small import build_small

            build_small(store, clock, rng)
        else:
            from salesdesk.demo.large import build_large

            build_large(store, now, rng)
        # What each instalment still wants (store.owed): the large demo's bulk load sets
        # the triggers that mark contracts aside, so every contract is worked out here.
        from salesdesk.store.connection import write
        from salesdesk.store.owed import refresh

        with write(store.db):
            store.db.execute("INSERT OR IGNORE INTO owed_dirty (contract_id) SELECT id FROM contracts")
            refresh(store.db)
        # When each lead goes back to the lead pool (store.pool), worked out once here
        # for every customer, so the first start does not (seconds on the large demo).
        # In the small demo's story the owners also claim back what they went on working
        # (demo.pool); the large demo, a test of speed, skips it: there it is 130,000
        # claims and two minutes of build.
        with write(store.db):
            store.db.execute("INSERT OR IGNORE INTO pool_dirty (customer_id) SELECT id FROM customers")
        if size == "small":
            from salesdesk.demo.pool import claim_back_worked

            claim_back_worked(store, clock, now.astimezone().date())
        else:
            from salesdesk.store.pool import Pool

            Pool(store).refresh(now.astimezone().date())
        clock.moment = now
        if size != "small":  # the small demo's story sets them itself
            from salesdesk.demo.data import TEAMMATES
            from salesdesk.demo.targets import add_targets

            add_targets(store, [user, *TEAMMATES], now.date(), random.Random(f"targets {now.date()}"))
        store.set_meta(DEMO_KEY, size)
        last = store.db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        store.set_meta(BUILT_KEY, str(last))
        counts = store.counts()
        store.db.execute("PRAGMA journal_mode=WAL")
        store.db.execute("PRAGMA synchronous=FULL")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    _remove_sidecars(path)
    _flush(path)  # written without syncing: make it durable before it takes the target's name
    return counts


def _flush(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _remove_sidecars(path: Path) -> None:
    for suffix in _SIDECARS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    _remove_sidecars(path)
