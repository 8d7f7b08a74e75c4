"""`salesdesk export weekly`: the markdown summary of a week (`exports` wires it in).

The week is checked before the database is opened, so a bad `--week` leaves the file
untouched. `today` comes from the command line; nothing below it reads the clock.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from salesdesk.cli.common import Commands, write_output
from salesdesk.i18n import _

if TYPE_CHECKING:
    from salesdesk.store.store import Store


def add_weekly_parser(formats: Commands, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `weekly` to the sub-parsers of `salesdesk export` (`common` holds --db and --user)."""
    weekly = formats.add_parser(
        "weekly",
        parents=[common],
        help=_("a markdown summary of a week"),
        description=_(
            "Write a markdown summary of an ISO week: headline numbers beside the week before, stage "
            "moves, deals won and lost, activity, follow-ups, what is due next week and the largest "
            "deals closing soon."
        ),
    )
    weekly.add_argument(
        "--week", metavar="YYYY-Www", help=_("the ISO week, e.g. 2026-W48 (default: the current week)")
    )
    weekly.add_argument("-o", "--output", metavar="FILE", help=_("where to write it (default: stdout)"))
    weekly.add_argument(
        "--all", action="store_true", help=_("everyone's work, not only yours, with a table of each person's")
    )
    return weekly


def export_weekly(args: argparse.Namespace, open_store: Callable[[], Store], today: date) -> int:
    """Write the summary of `args.week` (default: the week of `today`) as markdown."""
    from pathlib import Path

    from salesdesk.core.periods import IsoWeek, parse_iso_week
    from salesdesk.io.weekly import render_weekly, save_summary
    from salesdesk.store.reports import ReportStore

    week = parse_iso_week(args.week, "--week") if args.week else IsoWeek.of(today)
    store = open_store()
    try:
        text = render_weekly(ReportStore(store).weekly(week, today, everyone=args.all))
    finally:
        store.close()
    if args.output:
        target = save_summary(text, Path(args.output))
        print(_("Wrote the summary of {week} to {path}").format(week=week, path=target))
        return 0
    write_output(None, lambda stream: stream.write(text.encode("utf-8")))
    return 0
