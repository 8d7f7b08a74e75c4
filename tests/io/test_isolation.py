"""The formats and the importer are headless: no Textual, no Rich."""

import subprocess
import sys

MODULES = (
    "salesdesk.io.csv_import, salesdesk.io.vcard, salesdesk.io.csv_export, salesdesk.io.ics, "
    "salesdesk.store.importer, salesdesk.store.exports"
)


def test_io_modules_do_not_import_textual_or_rich():
    script = (
        f"import {MODULES}; import sys; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
