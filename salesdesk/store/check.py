"""`salesdesk check`: integrity, schema and counts, read-only."""

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import N_, _, ngettext
from salesdesk.store.connection import (
    SnapshotConnection,
    check_location,
    location_is_writable,
    probe,
    read_only_connection,
)
from salesdesk.store.schema import APPLICATION_ID, SCHEMA_VERSION, SYNCED_TABLES


@dataclass
class CheckReport:
    """`lines`: (label, value); the label in English, translated where it is shown (`_`),
    the value already in the language shown."""

    ok: bool = True
    lines: list[tuple[str, str]] = field(default_factory=list)


# The labels of the report's lines, and of the tables counted (by table name).
LABELS = (N_("integrity"), N_("schema"), N_("journal"), N_("access"), N_("device"), N_("demo"))
TABLE_LABELS = {
    "settings": N_("settings"),
    "stages": N_("stages"),
    "customers": N_("customers"),
    "tags": N_("tags"),
    "customer_tags": N_("customer tags"),
    "deals": N_("deals"),
    "stage_changes": N_("stage changes"),
    "interactions": N_("interactions"),
    "followups": N_("followups"),
    "reminder_dismissals": N_("reminder dismissals"),
    "contracts": N_("contracts"),
    "instalments": N_("instalments"),
    "receipts": N_("receipts"),
}
CHANGE_LOG = N_("change log")


def check_database(path: Path) -> CheckReport:
    """Report on a database without changing it (opened read-only, never migrated), also
    in a read-only file, folder or mount."""
    path = Path(path)
    check_location(path, must_exist=True)
    app_id, version, tables = probe(path)
    if app_id != APPLICATION_ID:
        raise SalesdeskError(_("{path} is not a salesdesk database.").format(path=path))
    report = CheckReport()
    conn = read_only_connection(path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        report.ok = integrity == "ok"
        report.lines.append(("integrity", _("ok") if report.ok else integrity))  # else SQLite's own report
        if version > SCHEMA_VERSION:
            report.lines.append(
                (
                    "schema",
                    _("{version}, newer than this salesdesk ({known}): upgrade salesdesk").format(
                        version=version, known=SCHEMA_VERSION
                    ),
                )
            )
            return report
        state = (
            _("current")
            if version == SCHEMA_VERSION
            else _("will be upgraded to {version} when opened").format(version=SCHEMA_VERSION)
        )
        report.lines.append(("schema", _("{version} ({state})").format(version=version, state=state)))
        report.lines.append(
            ("journal", _journal_mode(path, conn.execute("PRAGMA journal_mode").fetchone()[0]))
        )
        report.lines.append(("access", _access(path, conn)))
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        report.lines.append(("device", meta.get("device", "?")))
        if meta.get("demo"):
            report.lines.append(("demo", meta["demo"]))
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in SYNCED_TABLES:
            if table in present:
                live, deleted = conn.execute(
                    f"SELECT count(*) FILTER (WHERE deleted_at IS NULL), "
                    f"count(*) FILTER (WHERE deleted_at IS NOT NULL) FROM {table}"
                ).fetchone()
                text = (
                    _("{live} ({deleted} deleted)").format(live=f"{live:,}", deleted=f"{deleted:,}")
                    if deleted
                    else f"{live:,}"
                )
                report.lines.append((TABLE_LABELS.get(table, table.replace("_", " ")), text))
        changes = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
        report.lines.append(
            (CHANGE_LOG, ngettext("{n} entry", "{n} entries", changes).format(n=f"{changes:,}"))
        )
    finally:
        conn.close()
    return report


def _journal_mode(path: Path, reported: str) -> str:
    """The journal mode the file is in. An immutable connection (a read-only folder) reports
    "delete" for any file, so the file header's write version (2: WAL) is what tells."""
    with open(path, "rb") as handle:
        header = handle.read(20)
    return "wal" if len(header) == 20 and header[18] == 2 else reported


def _access(path: Path, conn: sqlite3.Connection) -> str:
    """Whether salesdesk can write the database, and if not, how it reads it."""
    if location_is_writable(path):
        return _("read-write")
    if isinstance(conn, SnapshotConnection):
        return _("read-only, {how}").format(how=conn.how)
    return _("read-only (a read-only file, folder or disk)")
