"""Real files written by LibreOffice (tests/fixtures/contacts/README.md): every workbook
format and CSV encoding imports the same people, byte for byte, and again unchanged."""

from pathlib import Path

import pytest

from salesdesk.io.csv_import import read_customers_csv
from salesdesk.io.sheets import read_customers_sheet, workbook_kind
from salesdesk.store.importer import import_customers
from tests.io.helpers import change_count, customers

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"
FIELDS = ("company", "phone", "email", "birthday", "notes")

CONTACTS = {
    "张伟": (
        "恒达贸易",
        "13800138000",
        "zhang.wei@example.cn",
        "1985-03-15",
        "老客户，喜欢喝茶",
        ["北京", "重要客户"],
    ),
    "李娜": ("华光科技", "+86 139 1234 5678", "lina@example.cn", "1990-07-01", "", ["VIP"]),
    "Ada Lovelace": (
        "Analytical Engines Ltd",
        "+44 20 7946 0958",
        "ada@example.co.uk",
        "1975-12-10",
        'Met at "Expo" 2026',
        ["lead", "London"],
    ),
    "王芳": ("", "0755-8888 6666", "wang.fang@example.cn", "1979-05-04", "", []),
    "José Niño": (
        "Crème SA",
        "34912345678",
        "jose@example.es",
        "1988-02-29",
        "Prefers email; calls after 10:00",
        ["cliente"],
    ),
}
KUNDEN = {
    "Jürgen Müller": (
        "Größe AG",
        "4930123456",
        "jm@example.de",
        "1970-03-15",
        'Straße "Nord"',
        ["Berlin", "Kunde"],
    ),
    "Zoë Ça": (
        "Crème S.à r.l.",
        "+33 1 23 45 67 89",
        "zoe@example.fr",
        "1982-08-08",
        "Première ligne",
        ["client"],
    ),
    "Ada Lovelace": (
        "Analytical Engines Ltd",
        "+44 20 7946 0958",
        "ada@example.co.uk",
        "1975-12-10",
        "Budget 5.000 €",
        ["lead", "London"],
    ),
}
SHORT = {
    "王芳": ("", "13800138000", "", "", "老客户", []),
    "刘洋": ("", "139 1234 5678", "", "", "喜欢喝茶", []),
}
EMAIL_REFUSED = [(7, "column Email", "not-an-email")]  # 刘洋's row, in every variant of the sheet

CASES = [
    ("libreoffice-contacts.xlsx", "sheet 'Contacts' of an Excel workbook", CONTACTS, EMAIL_REFUSED),
    ("libreoffice-contacts.xls", "sheet 'Contacts' of an Excel 97-2003 workbook", CONTACTS, EMAIL_REFUSED),
    ("libreoffice-contacts.ods", "sheet 'Contacts' of an OpenDocument spreadsheet", CONTACTS, EMAIL_REFUSED),
    (
        "libreoffice-contacts-utf8.csv",
        "UTF-8 (detected), comma-separated (detected)",
        CONTACTS,
        EMAIL_REFUSED,
    ),
    (
        "libreoffice-contacts-utf16.csv",
        "UTF-16 LE (detected), comma-separated (detected)",
        CONTACTS,
        EMAIL_REFUSED,
    ),
    (
        "libreoffice-contacts-gb18030.csv",
        "GB18030 (detected), comma-separated (detected)",
        CONTACTS,
        EMAIL_REFUSED,
    ),
    ("libreoffice-kunden-cp1252.csv", "CP1252 (detected), semicolon-separated (detected)", KUNDEN, []),
    ("libreoffice-short-gbk.csv", "GB18030 (detected), comma-separated (detected)", SHORT, []),
]


def read(path: Path):
    if kind := workbook_kind(path):
        return read_customers_sheet(path, kind)
    return read_customers_csv(path)


@pytest.mark.parametrize("name, described, expected, refused", CASES, ids=[case[0] for case in CASES])
def test_a_real_file_imports_every_named_row_exactly_then_again_unchanged(
    store, name, described, expected, refused
):
    path = FIXTURES / name
    batch = read(path)
    assert batch.described == described
    assert [(r.line, r.column, r.value) for r in batch.refusals] == refused
    result = import_customers(store, batch.customers)
    assert (result.created, result.updated, result.refusals) == (len(expected), 0, [])
    rows = customers(store)
    got = {row["name"]: (*(row[field] or "" for field in FIELDS), store.tags_of(row["id"])) for row in rows}
    assert got == expected

    changes = change_count(store)
    again = import_customers(store, read(path).customers)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(expected))
    assert customers(store) == rows
    assert change_count(store) == changes


def test_the_second_sheet_by_name(store):
    for name in ("libreoffice-contacts.xlsx", "libreoffice-contacts.xls", "libreoffice-contacts.ods"):
        path = FIXTURES / name
        batch = read_customers_sheet(path, workbook_kind(path) or "", sheet="Leads")
        assert batch.described.startswith("sheet 'Leads' of ")
        assert [(c.line, c.values) for c in batch.customers] == [
            (2, {"name": "Grace Hopper", "phone": "12025550143", "email": "grace@example.com"}),
            (3, {"name": "赵敏", "phone": "+86 21 5555 0000", "email": "zhao.min@example.cn"}),
        ]
