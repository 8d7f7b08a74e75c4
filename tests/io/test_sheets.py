"""Workbooks read by their cells' own types; sheets chosen by name; bad workbooks refused."""

import datetime
from pathlib import Path

import pytest

from salesdesk.io.sheets import _text, read_customers_sheet, workbook_kind
from salesdesk.io.textfile import UnreadableFile

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"
WORKBOOKS = ["libreoffice-contacts.xlsx", "libreoffice-contacts.xls", "libreoffice-contacts.ods"]


@pytest.mark.parametrize(
    "cell, text",
    [
        (13800138000.0, "13800138000"),  # a phone stored as a number
        (4930123456, "4930123456"),
        (2.5, "2.5"),
        (0.1, "0.1"),
        (1e20, "1e+20"),  # past 2**53 a float's digits are not the number typed
        (-7.0, "-7"),
        (True, "TRUE"),
        (datetime.date(1988, 2, 29), "1988-02-29"),
        (datetime.datetime(1985, 3, 15), "1985-03-15"),  # a date cell of a format with times
        (datetime.datetime(2026, 3, 4, 10, 30), "2026-03-04 10:30"),
        (datetime.datetime(2026, 3, 4, 10, 30, 5), "2026-03-04 10:30:05"),
        (datetime.time(9, 15), "09:15:00"),
        ("[red]x[/] \x1b[31m", "[red]x[/] \x1b[31m"),
        ("", ""),
    ],
)
def test_cells_become_the_text_a_person_would_type(cell, text):
    assert _text(cell) == text


@pytest.mark.parametrize(
    "name, kind",
    [
        ("libreoffice-contacts.xlsx", "an Excel workbook"),
        ("libreoffice-contacts.xls", "an Excel 97-2003 workbook"),
        ("libreoffice-contacts.ods", "an OpenDocument spreadsheet"),
        ("libreoffice-contacts-utf8.csv", None),
        ("libreoffice-contacts-utf16.csv", None),
        ("no such file.xlsx", None),  # the CSV reader says it does not exist
    ],
)
def test_the_kind_of_workbook_comes_from_the_content(name, kind):
    assert workbook_kind(FIXTURES / name) == kind


def test_the_content_decides_not_the_name(tmp_path):
    renamed = tmp_path / "contacts.csv"
    renamed.write_bytes((FIXTURES / "libreoffice-contacts.xlsx").read_bytes())
    batch = read_customers_sheet(renamed, workbook_kind(renamed) or "")
    assert batch.described == "sheet 'Contacts' of an Excel workbook"
    assert len(batch.customers) == 5


@pytest.mark.parametrize("name", WORKBOOKS)
def test_rows_keep_their_sheet_numbers_after_empty_rows_and_columns(name):
    path = FIXTURES / name
    batch = read_customers_sheet(path, workbook_kind(path) or "", sheet="later")  # any case
    assert batch.described.startswith("sheet 'Later' of ")
    assert batch.extra_columns == ["Met", "Score"]
    assert [(c.line, c.values, c.notes) for c in batch.customers] == [
        (4, {"name": "Grace Hopper", "phone": "12025550143"}, ["Met: 2026-03-04 10:30", "Score: 2.5"]),
        (6, {"name": "赵敏", "phone": "+86 21 5555 0000"}, ["Met: 2026-03-05", "Score: 7"]),
    ]


@pytest.mark.parametrize("name", WORKBOOKS)
def test_an_unknown_sheet_is_refused_with_the_sheets_there_are(name):
    path = FIXTURES / name
    with pytest.raises(UnreadableFile) as caught:
        read_customers_sheet(path, workbook_kind(path) or "", sheet="Kunden")
    assert str(caught.value) == (
        f"{path} has no sheet named 'Kunden'; pass --sheet with one of its sheets: "
        "'Contacts', 'Leads' or 'Later'."
    )


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"PK\x03\x04" + b"\x00" * 40, "an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "an Excel 97-2003 workbook"),
    ],
)
def test_a_broken_workbook_is_one_sentence(tmp_path, data, kind):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data)
    assert workbook_kind(path) == kind
    with pytest.raises(UnreadableFile) as caught:
        read_customers_sheet(path, kind)
    message = str(caught.value)
    assert message.startswith(f"{path} cannot be read as {kind} (")
    assert message.endswith("); open it in its spreadsheet and save it again, or save the sheet as CSV.")
    assert "\n" not in message
