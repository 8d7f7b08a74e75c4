"""`salesdesk` with no command: open the app. The one module of the command line that
imports the interface, and only to start it."""

import argparse
import gc
from pathlib import Path

from salesdesk.cli.common import local_today, open_store, wall_clock


def run_app(args: argparse.Namespace, db_path: Path, user: str) -> int:
    # Start-up allocates a great many objects and frees few: the garbage collector
    # would only walk them, 40 ms of the start-up on the large demo. The app turns it
    # back on once the first agenda is on screen (SalesdeskApp.started).
    gc.disable()
    # A database that cannot be written opens read-only; the app marks it so.
    store = open_store(db_path, user, writes=False)
    try:
        from salesdesk.cli.team import warn_if_in_sync_folder

        warn_if_in_sync_folder(store, db_path)
        from salesdesk.store.agenda import AgendaStore

        today = local_today()
        # The agenda is read while the interface is imported and drawn (see load_soon).
        first_agenda = AgendaStore.load_soon(AgendaStore(store).path, user, wall_clock, today)
        from salesdesk.tui.app import SalesdeskApp

        app = SalesdeskApp(store, user=user, today=today, first_agenda=first_agenda)
        app.run()
    finally:
        store.close()
    # Textual prints an unhandled error itself and records 1: the shell must see it too.
    return app.return_code or 0
