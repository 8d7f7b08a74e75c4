"""The headless modules never import the UI libraries; the domain never imports SQL."""

import ast
import subprocess
import sys
from pathlib import Path

import salesdesk.core

HEADLESS = (
    "salesdesk.core.dates, salesdesk.core.pipeline, salesdesk.core.segments, "
    "salesdesk.core.money, salesdesk.core.recurrence, salesdesk.core.model, "
    "salesdesk.store.store, salesdesk.store.connection, "
    "salesdesk.core.agenda, salesdesk.core.calendars, salesdesk.core.care, salesdesk.store.agenda"
)


def test_core_and_store_do_not_import_textual_or_rich():
    script = (
        f"import {HEADLESS}; import sys; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_core_modules_load_without_sqlite():
    script = (
        "import salesdesk.core.dates, salesdesk.core.pipeline, salesdesk.core.segments, "
        "salesdesk.core.money, salesdesk.core.recurrence, salesdesk.core.model, "
        "salesdesk.core.ids, salesdesk.core.errors, salesdesk.core.agenda, salesdesk.core.calendars, "
        "salesdesk.core.care; "
        "import sys; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlite3', '_sqlite3', 'sqlite_utils')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def _imported_modules(source: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_source_file_imports_sqlite_or_the_store():
    core_dir = Path(salesdesk.core.__file__).parent
    sources = sorted(core_dir.glob("*.py"))
    assert len(sources) >= 8
    for source in sources:
        roots = {name.split(".")[0] for name in _imported_modules(source)}
        assert not roots & {"sqlite3", "sqlite_utils", "textual", "rich"}, source.name
        assert not any(name.startswith("salesdesk.store") for name in _imported_modules(source)), source.name
