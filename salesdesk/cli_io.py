"""The import and export commands of the command line (`salesdesk.cli` parses them).

Files are read before the database is opened, so a file that cannot be read
(exit status 2) leaves the database untouched. Rich shows a progress bar on a
terminal for large imports.
"""

import os
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from salesdesk.core.errors import SalesdeskError
from salesdesk.core.incoming import ImportBatch

EXIT_REFUSED, EXIT_UNREADABLE = 1, 2
PROGRESS_FROM_ROWS = 2000  # smaller files import faster than a bar would draw


def import_customers(args, open_store: Callable) -> int:
    from salesdesk.io.cells import DAY_FIRST, MONTH_FIRST
    from salesdesk.io.csv_import import read_customers_csv
    from salesdesk.io.textfile import UnreadableFile

    order = DAY_FIRST if args.dayfirst else MONTH_FIRST if args.monthfirst else None
    try:
        region = _region(args.region)
        batch = read_customers_csv(
            Path(args.file), encoding=args.encoding, delimiter=args.delimiter, date_order=order
        )
    except UnreadableFile as error:
        print(f"salesdesk: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    return _import(batch, open_store, region, args.dry_run)


def import_vcard(args, open_store: Callable) -> int:
    from salesdesk.io.textfile import UnreadableFile
    from salesdesk.io.vcard import read_vcards

    try:
        region = _region(args.region)
        batch = read_vcards(Path(args.file))
    except UnreadableFile as error:
        print(f"salesdesk: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    return _import(batch, open_store, region, args.dry_run, unit="cards")


def _region(option: str | None) -> str | None:
    from salesdesk.io.textfile import UnreadableFile

    if option is None:
        return None
    import phonenumbers

    if option.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise UnreadableFile(
            f"--region {option!r} is not a region code; use two letters such as CN, US, GB or DE."
        )
    return option.upper()


def _import(
    batch: ImportBatch, open_store: Callable, region: str | None, dry_run: bool, unit: str = "rows"
) -> int:
    from salesdesk.store.importer import import_customers as run_import

    print(f"Reading {batch.source}: {batch.described}; {batch.rows:,} {unit}.")
    if batch.extra_columns:
        print(f"Columns kept in the notes: {', '.join(batch.extra_columns)}.")
    store = open_store()
    try:
        region = region or store.setting("phone_region")
        with _progress(len(batch.customers)) as progress:
            result = run_import(store, batch.customers, region=region, dry_run=dry_run, progress=progress)
    finally:
        store.close()
    refusals = sorted(batch.refusals + result.refusals, key=lambda refusal: refusal.line)
    for refusal in refusals:
        print(refusal.sentence(batch.source))
    refused = len({refusal.record_line for refusal in refusals})
    summary = (
        f"{result.created:,} created, {result.updated:,} updated, "
        f"{result.unchanged:,} unchanged, {refused:,} refused"
    )
    if result.merged:
        summary += f", {result.merged:,} merged into an earlier {unit[:-1]} of the same customer"
    if dry_run:
        print(f"Dry run of {batch.source}, nothing was saved: {summary}.")
    else:
        print(f"Imported {batch.source}: {summary}.")
    return EXIT_REFUSED if refusals else 0


class _progress:
    """A rich progress bar on stderr for a large import on a terminal; else nothing."""

    def __init__(self, total: int, console=None):
        self.total = total
        self.console = console
        self.bar = None

    def __enter__(self) -> Callable[[str, int], None] | None:
        from rich.console import Console

        console = self.console or Console(stderr=True)
        if self.total < PROGRESS_FROM_ROWS or not console.is_terminal:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("Matching", total=self.total)

        def advance(stage: str, done: int) -> None:
            self.bar.update(task, completed=done, description=stage.capitalize())

        return advance

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def export_csv(args, store) -> int:
    from salesdesk.io.csv_export import write_csv
    from salesdesk.store import exports

    rows, fields = {
        "customers": (exports.customers, exports.CUSTOMER_FIELDS),
        "deals": (exports.deals, exports.DEAL_FIELDS),
        "interactions": (exports.interactions, exports.INTERACTION_FIELDS),
        "followups": (exports.followups, exports.FOLLOWUP_FIELDS),
    }[args.table]
    count = _write(args.output, lambda stream: write_csv(stream, args.table, fields, rows(store.db)))
    if args.output:
        print(f"Wrote {count:,} {args.table} to {args.output}")
    return 0


def export_ics(args, store, today: date, now: datetime) -> int:
    from salesdesk.io.ics import build_calendar, care_entry, followup_entry
    from salesdesk.store.agenda import dated_care_between
    from salesdesk.store.exports import open_followups_between

    if args.weeks < 1:
        raise SalesdeskError(f"--weeks {args.weeks} is too few; use 1 or more.")
    last = today + timedelta(weeks=args.weeks) - timedelta(days=1)
    owner = None if args.all else store.user
    entries = [followup_entry(row) for row in open_followups_between(store.db, today, last, owner)]
    care = [care_entry(item) for item in dated_care_between(store, today, last, everyone=args.all)]
    data = build_calendar(entries + care, now)
    _write(args.output, lambda stream: stream.write(data))
    if args.output:
        print(
            f"Wrote {len(entries):,} follow-ups and {len(care):,} care reminders from {today} "
            f"to {last} to {args.output}"
        )
    return 0


def _write(output: str | None, write: Callable) -> int:
    """Write to the file named (atomically: a partial file never replaces a good one) or stdout."""
    if not output:
        try:
            result = write(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # the reader (head, less) stopped reading: not our error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        return result
    from salesdesk.io.files import write_atomically

    return write_atomically(Path(output), write)
