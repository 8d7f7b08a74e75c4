"""Fixture files written by the tests themselves, and an import run in-process."""

from pathlib import Path

from salesdesk.io.csv_import import read_customers_csv
from salesdesk.store.importer import import_customers


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """`text` (rows ending in \\n, or \\r\\n where a test says so) in `encoding`, as is."""
    path.write_bytes(text.encode(encoding))
    return path


def run_import(store, path: Path, **options):
    """Read and import like `salesdesk import customers`; (batch, result)."""
    region = options.pop("region", None)
    dry_run = options.pop("dry_run", False)
    update = options.pop("update", False)
    owners = {name: options.pop(name) for name in ("ask_owner", "today") if name in options}
    batch = read_customers_csv(path, **options)
    return batch, import_customers(
        store, batch.customers, region=region, source=path.name, update=update, dry_run=dry_run, **owners
    )


def customers(store) -> list[dict]:
    cursor = store.db.execute("SELECT * FROM customers WHERE deleted_at IS NULL ORDER BY rid")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def change_count(store) -> int:
    return store.db.execute("SELECT count(*) FROM changes").fetchone()[0]
