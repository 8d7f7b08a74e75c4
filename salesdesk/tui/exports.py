"""The app's exports: the week's summary, customers as vCards and follow-ups as a calendar,
each written off the UI thread into the one export folder.

The folder is the `export_folder` of this copy of the database (`paths.export_dir`: the
user's documents folder, `salesdesk` in it, unless the settings name another). It is kept
in the local `meta` table, not in the synced settings: a folder is one computer's, and a
teammate's would mean nothing here. The message after an export names the whole path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from salesdesk import paths
from salesdesk.core.errors import SalesdeskError
from salesdesk.core.periods import IsoWeek
from salesdesk.i18n import N_, _, ngettext
from salesdesk.store.store import Store

if TYPE_CHECKING:
    from textual.dom import DOMNode

T = TypeVar("T")

EXPORT_FOLDER = "export_folder"  # the meta key of the folder setting; blank: the default
CALENDAR_WEEKS = 6  # as `salesdesk export ics` without --weeks

# What each export says when done or refused; one place, for translating later.
WROTE = {
    "weekly": N_("Wrote the summary of {what} to {path}"),
    "vcard": N_("Wrote {what} to {path}"),
    "calendar": N_("Wrote {what} to {path}"),
    "quote": N_("Wrote quote {what} to {path}"),
}
NOT_WRITTEN = {
    "weekly": N_("The weekly summary was not written: {error}"),
    "vcard": N_("The vCard file was not written: {error}"),
    "calendar": N_("The calendar was not written: {error}"),
    "quote": N_("The quote was not written: {error}"),
}


def folder_setting(store: Store) -> str:
    """The export folder as set for this copy ("" when it is the default)."""
    return store.meta(EXPORT_FOLDER) or ""


def set_folder_setting(store: Store, text: str) -> None:
    store.set_meta(EXPORT_FOLDER, text.strip())


def export_folder(store: Store) -> Path:
    return paths.export_dir(folder_setting(store))


def _on_own_connection(db_path: Path, user: str, clock, work: Callable[[Store], T]) -> T:
    """Run `work` on a connection of its own, for a worker thread."""
    from salesdesk.store.connection import connect

    db = connect(db_path)
    try:
        return work(Store(db, user, clock))
    finally:
        db.close()


def write_weekly(store: Store, week: IsoWeek, today: date, folder: str, everyone: bool) -> tuple[Path, str]:
    """The summary of `week` written to the export folder: (where, what was written)."""
    from salesdesk.io.weekly import file_name, render_weekly, save_summary
    from salesdesk.store.reports import ReportStore

    text = render_weekly(ReportStore(store).weekly(week, today, everyone=everyone))
    return save_summary(text, paths.export_target(folder, file_name(week))), str(week)


def write_vcards(store: Store, today: date, folder: str) -> tuple[Path, str]:
    """Every customer as a vCard, for a phone's contacts."""
    from salesdesk.io.files import write_atomically
    from salesdesk.io.vcard_export import write_vcards as write
    from salesdesk.store.exports import customers

    target = paths.export_target(folder, paths.vcard_file_name(today))
    count = write_atomically(target, lambda stream: write(stream, customers(store.db)))
    return target, ngettext("{n} customer", "{n} customers", count).format(n=f"{count:,}")


def write_calendar(store: Store, today: date, folder: str) -> tuple[Path, str]:
    """My open follow-ups, dated care reminders and instalments to collect of the coming
    weeks, for a calendar."""
    from salesdesk.io.files import write_atomically
    from salesdesk.io.ics import build_calendar, care_entry, followup_entry, receivable_entry
    from salesdesk.store.agenda import dated_care_between, owed_between
    from salesdesk.store.exports import open_followups_between

    last = today + timedelta(weeks=CALENDAR_WEEKS) - timedelta(days=1)
    entries = [followup_entry(row) for row in open_followups_between(store.db, today, last, store.user)]
    care = [care_entry(item) for item in dated_care_between(store, today, last)]
    owed = [receivable_entry(fact) for fact in owed_between(store, today, last)]
    data = build_calendar(entries + care + owed, store.clock())
    target = paths.export_target(folder, paths.calendar_file_name(today))
    write_atomically(target, lambda stream: stream.write(data))
    said = _("{followups} follow-ups, {care} care reminders and {owed} instalments to collect")
    return target, said.format(followups=f"{len(entries):,}", care=f"{len(care):,}", owed=f"{len(owed):,}")


def write_quote_html(store: Store, quote_id: str, folder: str) -> tuple[Path, str]:
    """One version of a quote, as it was made, as one HTML file (`Q-2026-0012-v2.html`)."""
    from salesdesk.io.files import write_atomically
    from salesdesk.io.quote_html import render_html
    from salesdesk.io.quote_text import file_name
    from salesdesk.store.quotes import QuoteStore

    quotes = QuoteStore(store)
    document = quotes.document(quotes.get(quote_id))
    data = render_html(document).encode("utf-8")
    target = paths.export_target(folder, file_name(document, "html"))
    write_atomically(target, lambda stream: stream.write(data))
    return target, document.label


def start_export(
    node: DOMNode,
    kind: str,
    work: Callable[[Store, str], tuple[Path, str]],
    done: Callable[[Path], None] | None = None,
) -> None:
    """Run `work(store, folder setting)` on a worker thread with a connection of its own;
    then a notification with the whole path (or why nothing was written)."""
    from salesdesk.tui.live import database_path

    app = node.app
    store: Store = app.store  # type: ignore[attr-defined]
    db_path, user, clock, folder = database_path(store), store.user, store.clock, folder_setting(store)

    def run() -> None:
        try:
            target, what = _on_own_connection(db_path, user, clock, lambda own: work(own, folder))
        except (SalesdeskError, OSError, sqlite3.Error) as error:
            app.call_from_thread(
                app.notify,
                _(NOT_WRITTEN[kind]).format(error=error),
                severity="error",
                markup=False,
                timeout=10,
            )
            return
        app.call_from_thread(finished, target, what)

    def finished(target: Path, what: str) -> None:
        app.notify(_(WROTE[kind]).format(what=what, path=target), markup=False, timeout=10)
        if done is not None:
            done(target)

    app.run_worker(run, thread=True, group="export", exit_on_error=False)
