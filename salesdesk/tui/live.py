"""Keeping a running app current: changes by other processes, and team sync rounds.

Nothing here imports Textual: the app owns the timers and the worker, and calls these.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _
from salesdesk.store.connection import connect
from salesdesk.store.store import Store
from salesdesk.sync import team


def database_path(store: Store) -> Path:
    """The file behind the store's connection, for a worker to open its own."""
    return store.file_read


class DataWatch:
    """Notices commits made by any other connection to the database (one pragma a poll).

    `PRAGMA data_version` changes when another connection commits and stays put for
    this connection's own commits, so the app's own saves never count as news. Nor does a
    commit that wrote no change-log entry: every record written, by anyone, writes one, so
    such a commit only brought this copy's own bookkeeping up to date (what the lead pool
    holds, worked out by one of the app's own workers on its own connection). The entries
    the app's connection wrote meanwhile are told apart by their count.
    """

    def __init__(self, store: Store):
        self.store = store
        self.version = self._read()
        self.newest = self._newest()
        self.own = store.records.log.written

    def _read(self) -> int:
        return self.store.db.execute("PRAGMA data_version").fetchone()[0]

    def _newest(self) -> int:
        """The change log's last entry (its rowid: one step down the table's b-tree)."""
        return self.store.db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]

    def changed(self) -> bool:
        version = self._read()
        newest, own = self._newest(), self.store.records.log.written
        others = (newest - self.newest) - (own - self.own)
        self.newest, self.own = newest, own
        if version == self.version:
            return False
        self.version = version
        return others > 0


def own_changes(store: Store) -> int:
    """The newest change-log entry written by this device (an index lookup)."""
    row = store.db.execute("SELECT max(seq) FROM changes WHERE device = ?", [store.device]).fetchone()
    return row[0] or 0


def folder_signature(folder: Path) -> tuple:
    """What the team folder looks like now: a device record rewritten (or a plain manifest)
    means news from someone. One stat per device; no file is opened."""
    found = []
    try:
        with os.scandir(folder / team.TEAM_DIR) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                path = Path(entry.path)
                if entry.is_dir(follow_symlinks=False):
                    path = path / "device"
                elif not entry.name.endswith(".json"):
                    continue
                try:
                    info = path.stat()
                except OSError:
                    continue
                found.append((entry.name, info.st_mtime_ns, info.st_size))
    except OSError:
        return ()
    return tuple(sorted(found))


def _open(path: Path, user: str, clock: Callable[[], datetime]) -> Store:
    """A second connection in this process to the database the app already opened.

    Not `Store.open`: its first look at the file (`connection.probe`) opens it with
    `immutable=1`, and closing that drops every POSIX lock this process holds on the
    file, the app's own included. Another process closing its connection then takes
    itself for the last one, checkpoints and deletes the -wal and -shm files under the
    running app, and the database is corrupted (seen: "database disk image is
    malformed"). The app's store was checked and migrated when it was opened.
    """
    return Store(connect(path), user, clock)


@dataclass
class Round:
    """What one background sync round did, for the app to show."""

    finished: datetime
    people: int
    brought_in: int  # change-log entries merged from teammates
    published: bool
    device: str  # this copy's device id after the round (a round may re-key a cloned copy)
    own_seq: int  # own_changes() as published
    lines: list[str] = field(default_factory=list)
    held: str = ""  # teammates' changes held back and from whom; `salesdesk team held` lists them


def sync_round(path: Path, user: str, clock: Callable[[], datetime], *, publish: bool) -> Round:
    """Pull teammates' files and, if asked, publish ours, on a connection of its own.

    Runs in a worker thread: a sqlite3 connection is not shared across threads.
    """
    store = _open(path, user, clock)
    try:
        folder = team.team_folder(store)
        if folder is None or not folder.is_dir():
            where = folder or _("(none)")
            raise SalesdeskError(
                _(
                    "The team folder {folder} is not there (is the sync tool running, or the share mounted?)."
                ).format(folder=where)
            )
        report = team.SyncReport()
        team.pull(store, folder, report)
        own = own_changes(store)
        if publish or report.rekeyed_from:
            report.published = team.publish(store, folder)
        pending = _pending(store) if team.is_encrypted(folder) else ""
        people = {peer.user for peer in team.peers(folder, store)} | {user}
        return Round(
            finished=clock(),
            people=len(people),
            brought_in=sum(merged.entries for merged in report.merged),
            published=report.published is not None,
            device=store.device,
            own_seq=own,
            lines=report.lines(),
            held=" · ".join(part for part in (_held(store), pending) if part),
        )
    finally:
        store.close()


def _held(store: Store) -> str:
    """'3 held back from mal, bob' for the header, or '' when nothing is held."""
    rows = store.db.execute("SELECT author, count(*) FROM held GROUP BY author ORDER BY 2 DESC").fetchall()
    if not rows:
        return ""
    return f"{sum(n for _, n in rows):,} held back from {', '.join(author for author, _ in rows)}"


def _pending(store: Store) -> str:
    """'bob has a new device: salesdesk team accept 3fa2c1d0' for the header, or ''."""
    rows = store.db.execute(
        "SELECT device, user FROM devices WHERE state = 'pending' ORDER BY device"
    ).fetchall()
    if not rows:
        return ""
    device, user = rows[0]
    # Short enough for the header of an 80-column terminal; a prefix of the id is enough.
    text = _("{user} has a new device: salesdesk team accept {device}").format(user=user, device=device[:8])
    if len(rows) > 1:
        text += " " + _("(and {n} more: salesdesk team devices)").format(n=len(rows) - 1)
    return text


def publish_now(path: Path, user: str, clock: Callable[[], datetime]) -> None:
    """Publish this copy once (on quit), on a connection of its own."""
    store = _open(path, user, clock)
    try:
        folder = team.team_folder(store)
        if folder is not None and folder.is_dir():
            team.publish(store, folder)
    finally:
        store.close()


class SyncSchedule:
    """When the app runs a sync round: every `every` seconds; soon after its own writes
    settle (no new write for one check); at once when a teammate's manifest changes.

    `due` is asked every few seconds with what is true now; it never reads the clock.
    """

    def __init__(self, every: float = 30.0):
        self.every = every
        self.last_round: float | None = None
        self.published_seq = -1  # nothing published by this run yet: the first round does
        self.seen_seq: int | None = None
        self.signature: tuple | None = None
        self.running = False
        self.retry_at = 0.0

    def due(self, now: float, own_seq: int, signature: tuple) -> bool | None:
        """None: no round now; otherwise whether the round should publish too."""
        settled = own_seq == self.seen_seq
        self.seen_seq = own_seq
        if self.running or now < self.retry_at:
            return None
        publish = own_seq != self.published_seq and settled
        periodic = self.last_round is None or now - self.last_round >= self.every
        news = signature != self.signature
        if not (publish or periodic or news):
            return None
        self.running = True
        self.signature = signature
        return publish or self.published_seq < 0

    def finished(self, now: float, published_seq: int | None) -> None:
        self.running = False
        self.last_round = now
        if published_seq is not None:
            self.published_seq = published_seq

    def failed(self, now: float) -> None:
        """Try again a full period later, not at every check."""
        self.running = False
        self.last_round = now
        self.retry_at = now + self.every

    def unpublished(self, own_seq: int) -> bool:
        return own_seq != self.published_seq
