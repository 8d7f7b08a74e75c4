"""Sheets written by Microsoft Excel (tests/fixtures/contacts/README.md): a people list
made in Excel for Mac, as .xlsx and as .xls, with a title and notes above the table and
more notes under it; and a workbook Excel 95 wrote, which is refused in one sentence."""

from pathlib import Path

import pytest

from salesdesk.io.csv_import import read_customers_csv
from salesdesk.io.sheets import read_customers_sheet, workbook_kind
from salesdesk.io.textfile import UnreadableFile
from salesdesk.store.importer import import_customers
from tests.io.helpers import change_count, customers, write
from tests.test_cli import run

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"
FIELDS = ("title", "company", "phone", "email", "birthday", "notes")


def person(title: str, age: int, kids: bool, birth: str, death: str) -> tuple:
    notes = f"Age: {age}\nHas kids: {'TRUE' if kids else 'FALSE'}\nDate of death: {death}"
    return (title, "", "", "", birth, notes, [])


# What a row under the table makes: a name alone is a customer (row 16), a row with no
# name is refused; the date cells are the birthdays, Profession the title, and the
# columns salesdesk has no field for (a number, a TRUE/FALSE cell, a second date) notes.
NOTE_ALONE = ("", "", "", "", "", "", [])
ARTS = {
    "David Bowie": person("musician", 69, True, "1947-01-08", "2016-01-10"),
    "Carrie Fisher": person("actor", 60, True, "1956-10-21", "2016-12-27"),
    "Chuck Berry": person("musician", 90, True, "1926-10-18", "2017-03-18"),
    "Bill Paxton": person("actor", 61, True, "1955-05-17", "2017-02-25"),
    "Prince": person("musician", 57, True, "1958-06-07", "2016-04-21"),
    "Alan Rickman": person("actor", 69, False, "1946-02-21", "2016-01-14"),
    "Florence Henderson": person("actor", 82, True, "1934-02-14", "2016-11-24"),
    "Harper Lee": person("author", 89, False, "1926-04-28", "2016-02-19"),
    "Zsa Zsa Gábor": person("actor", 99, True, "1917-02-06", "2016-12-18"),
    "George Michael": person("musician", 53, False, "1963-06-25", "2016-12-25"),
    "Some": NOTE_ALONE,
}
OTHER = {
    "Vera Rubin": person("scientist", 88, True, "1928-07-23", "2016-12-25"),
    "Mohamed Ali": person("athlete", 74, True, "1942-01-17", "2016-06-03"),
    "Morley Safer": person("journalist", 84, True, "1931-11-08", "2016-05-19"),
    "Fidel Castro": person("politician", 90, True, "1926-08-13", "2016-11-25"),
    "Antonin Scalia": person("lawyer", 79, True, "1936-03-11", "2016-02-13"),
    "Jo Cox": person("politician", 41, True, "1974-06-22", "2016-06-16"),
    "Janet Reno": person("lawyer", 78, False, "1938-07-21", "2016-11-07"),
    "Gwen Ifill": person("journalist", 61, False, "1955-09-29", "2016-11-14"),
    "John Glenn": person("astronaut", 95, True, "1921-07-28", "2016-12-08"),
    "Pat Summit": person("coach", 64, True, "1952-06-14", "2016-06-28"),
    "This": NOTE_ALONE,
    "we're signing": NOTE_ALONE,
}
NO_NAME = "the name is empty; every customer needs a name."
ARTS_REFUSED = [(line, "column Name", "", NO_NAME) for line in (17, 18, 19)]
OTHER_REFUSED = [
    (17, "column Name", "", NO_NAME),
    (19, "column Name", "", NO_NAME),
    (19, "column Date of birth", "now!", "'now!' is not a date; use YYYY-MM-DD, or --MM-DD without a year."),
]
HEADERS_FOUND = "headers on row 5, rows 1–4 above them not imported"

CASES = [
    ("excel-mac-deaths.xlsx", "an Excel workbook", None, "arts", ARTS, ARTS_REFUSED),
    ("excel-mac-deaths.xlsx", "an Excel workbook", "other", "other", OTHER, OTHER_REFUSED),
    ("excel-mac-deaths.xls", "an Excel 97-2003 workbook", None, "arts", ARTS, ARTS_REFUSED),
    ("excel-mac-deaths.xls", "an Excel 97-2003 workbook", "other", "other", OTHER, OTHER_REFUSED),
]


@pytest.mark.parametrize(
    "name, kind, sheet, shown, expected, refused",
    CASES,
    ids=[f"{case[0]}-{case[3]}" for case in CASES],
)
def test_a_sheet_excel_wrote_imports_every_person_exactly_then_again_unchanged(
    store, name, kind, sheet, shown, expected, refused
):
    path = FIXTURES / name
    assert workbook_kind(path) == kind
    batch = read_customers_sheet(path, kind, sheet=sheet)
    assert batch.described == f"sheet {shown!r} of {kind}; {HEADERS_FOUND}"
    assert batch.extra_columns == ["Age", "Has kids", "Date of death"]
    assert [(r.line, r.column, r.value, r.reason) for r in batch.refusals] == refused
    result = import_customers(store, batch.customers)
    assert (result.created, result.updated, result.refusals) == (len(expected), 0, [])
    rows = customers(store)
    got = {row["name"]: (*(row[field] or "" for field in FIELDS), store.tags_of(row["id"])) for row in rows}
    assert got == expected

    changes = change_count(store)
    again = import_customers(store, read_customers_sheet(path, kind, sheet=sheet).customers)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(expected))
    assert customers(store) == rows
    assert change_count(store) == changes


def test_headers_under_a_title_in_a_csv_file_too(tmp_path, store):
    text = "Customers 2026,,\n,,\nName,Phone,Notes\nAda Lovelace,+44 20 7946 0958,VIP\n"
    path = write(tmp_path / "list.csv", text)
    batch = read_customers_csv(path)
    assert batch.described.endswith("; headers on line 3, lines 1–2 above them not imported")
    assert [(c.line, c.values, c.notes) for c in batch.customers] == [
        (4, {"name": "Ada Lovelace", "phone": "+44 20 7946 0958"}, ["VIP"])
    ]


def test_headers_are_looked_for_in_the_first_eleven_rows_only(tmp_path):
    titles = "".join(f"Title {n}\n" for n in range(1, 11))
    found = read_customers_csv(write(tmp_path / "ten.csv", titles + "Name\nAda\n"))
    assert found.described.endswith("; headers on line 11, lines 1–10 above them not imported")
    with pytest.raises(UnreadableFile) as refused:
        read_customers_csv(write(tmp_path / "eleven.csv", titles + "Title 11\nName\nAda\n"))
    assert str(refused.value) == (
        f"{tmp_path / 'eleven.csv'} has no name column (its first row is 'Title 1'); "
        "name one column name, full name or 姓名."
    )


EXCEL_95 = (
    "{path} is an Excel 5.0/95 workbook, whose text cannot be read reliably; open it in a "
    "spreadsheet, save it as an Excel workbook (.xlsx) or as CSV, and import that."
)


def test_a_workbook_excel_95_wrote_is_refused_in_one_sentence_and_nothing_is_saved(tmp_path):
    # Its text is in the file's code page; read as Excel 97's UTF-16 it came out as
    # 'A\x00S\x00C\x00' and the import refused the file for headers nobody could read.
    path = FIXTURES / "excel-95-test95.xls"
    assert workbook_kind(path) == "an Excel 97-2003 workbook"
    with pytest.raises(UnreadableFile) as refused:
        read_customers_sheet(path, "an Excel 97-2003 workbook")
    assert str(refused.value) == EXCEL_95.format(path=path)

    db = tmp_path / "t.db"
    result = run("--db", str(db), "import", "customers", str(path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"salesdesk: {EXCEL_95.format(path=path)}\n"
    assert not db.exists()
