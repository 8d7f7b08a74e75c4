"""What the app's start-up imports, and what it leaves for later.

Start-up time is mostly imports (PERF-NOTES); each module named here was measured as a
visible share of it and is imported where it is first needed instead. A regression
that pulls one back into the start-up path fails here, not in a benchmark a month later.
"""

import subprocess
import sys

# What `salesdesk` imports before the first agenda is on screen.
START_UP = (
    "salesdesk.cli.main, salesdesk.cli.app, salesdesk.cli.team, salesdesk.cache, salesdesk.store.agenda, "
    "salesdesk.tui.app, salesdesk.tui.screens.today"
)
LATER = {
    "sqlite_utils": "the store's table tools (migrations, bulk inserts)",
    "holidays": "the holiday calendar (its years are cached)",
    "dateutil.rrule": "recurrence rules (evaluated when a follow-up repeats)",
    "salesdesk.tui.screens.dialogs": "the dialogs (opened by a key)",
    "salesdesk.tui.screens.today_dialogs": "Today's dialogs (opened by a key)",
    "salesdesk.tui.screens.pipeline": "the other screens (built on first visit)",
    "salesdesk.tui.screens.customers": "the other screens (built on first visit)",
    "salesdesk.tui.screens.trash": "the other screens (built on first visit)",
    "salesdesk.tui.screens.products": "the other screens (built on first visit)",
    "salesdesk.tui.screens.product_forms": "the Products form (opened by a key)",
    "textual.widgets._footer": "Textual's Footer (the key bar replaces it)",
    "secrets": "secrets, which loads the OpenSSL library (ids use os.urandom)",
    "_hashlib": "the OpenSSL library (team sync checksums)",
    "python_calamine": "the spreadsheet reader (importing a workbook)",
    "salesdesk.cli.help_format": "the help's wrapping by display width (only --help and usage)",
}


def test_the_start_up_path_leaves_the_heavy_modules_for_later():
    script = (
        f"import {START_UP}; import sys; print(' '.join(m for m in {sorted(LATER)!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = result.stdout.split()
    assert not loaded, "imported at start-up: " + "; ".join(f"{m} ({LATER[m]})" for m in loaded)


def test_a_first_visit_of_pipeline_or_customers_leaves_the_dialogs_for_their_keys():
    dialogs = (
        "salesdesk.tui.screens.dialogs",
        "salesdesk.tui.screens.customer_forms",
        "salesdesk.tui.screens.deal",
        "salesdesk.tui.screens.stale",
    )
    script = (
        "import salesdesk.tui.screens.pipeline, salesdesk.tui.screens.customers; import sys; "
        f"print(' '.join(m for m in {dialogs!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == []
