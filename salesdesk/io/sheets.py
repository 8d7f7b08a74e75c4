"""Customers from a spreadsheet workbook: Excel (.xlsx, .xlsm, .xlsb, .xls) or OpenDocument (.ods).

Cells keep their own types: a date cell becomes an ISO date, a whole number its digits
(a phone typed as a number is 13800138000, not 13800138000.0), text stays as typed.
The rows then go through the reader of CSV files, with the sheet's row numbers as lines.
"""

import datetime
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.core.incoming import ImportBatch
from salesdesk.i18n import N_, _
from salesdesk.io.csv_import import read_customer_records
from salesdesk.io.textfile import UnreadableFile, cannot_read

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

Cell = int | float | str | bool | datetime.time | datetime.date | datetime.datetime | datetime.timedelta

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (BIFF8) lives in an OLE container
_ODS = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
_EXACT = 2**53  # floats up to here hold every whole number exactly
# The kinds of workbook, as messages name them (shown with `_`).
EXCEL, EXCEL_97, OPENDOCUMENT = (
    N_("an Excel workbook"),
    N_("an Excel 97-2003 workbook"),
    N_("an OpenDocument spreadsheet"),
)


def workbook_kind(path: Path) -> str | None:
    """'an Excel workbook', 'an Excel 97-2003 workbook' or 'an OpenDocument spreadsheet'
    from the file's first bytes, whatever its name; None for text (or no file at all,
    which the CSV reader reports)."""
    try:
        with Path(path).open("rb") as stream:
            head = stream.read(128)
    except OSError:
        return None
    if head.startswith(_OLE):
        return EXCEL_97
    if head.startswith(_ZIP):
        # An OpenDocument file starts with its uncompressed mimetype entry.
        return OPENDOCUMENT if _ODS in head else EXCEL
    return None


def read_customers_sheet(
    path: Path, kind: str, *, sheet: str | None = None, date_order: str | None = None
) -> ImportBatch:
    """Read every row of one sheet (the first visible one unless `sheet` names another);
    raises UnreadableFile when the workbook or the sheet cannot be read."""
    described, records = read_sheet_rows(path, kind, sheet=sheet)
    batch = ImportBatch(source=str(path), described=described)
    read_customer_records(Path(path), records, batch, date_order, where="row")
    return batch


def read_sheet_rows(
    path: Path, kind: str, *, sheet: str | None = None
) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """How one sheet was read ("sheet 'Leads' of an Excel workbook") and its rows as text,
    each with its row number in the sheet: customers and products sheets are read alike."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(cannot_read(path, error)) from None
    if data.startswith(_OLE) and _excel_95(data):
        raise UnreadableFile(
            _(
                "{path} is an Excel 5.0/95 workbook, whose text cannot be read reliably; open it in a "
                "spreadsheet, save it as an Excel workbook (.xlsx) or as CSV, and import that."
            ).format(path=path)
        )
    try:
        # From the bytes, so the format is told by the content and not by the file's name.
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = _sheet_name(path, workbook.sheet_names, _visible(workbook), sheet)
        found = workbook.get_sheet_by_name(name)
        # The rows start at the first cell in use; the empty rows and columns before it
        # are left out, but a row keeps its number in the sheet.
        first = found.start[0] + 1 if found.start else 1
        rows = found.to_python(skip_empty_area=True)
    except PasswordError:
        raise UnreadableFile(
            _(
                "{path} is protected with a password; save a copy without the password and import that."
            ).format(path=path)
        ) from None
    except CalamineError as error:
        said = str(error).splitlines()[0] if str(error).strip() else type(error).__name__
        reason = said if len(said) <= 80 else said[:80] + "…"
        raise UnreadableFile(
            _(
                "{path} cannot be read as {kind} ({reason}); open it in its spreadsheet and save it "
                "again, or save the sheet as CSV."
            ).format(path=path, kind=_(kind), reason=reason)
        ) from None
    described = _("sheet {name} of {kind}").format(name=repr(name), kind=_(kind))
    records = ((number, [_text(cell) for cell in row]) for number, row in enumerate(rows, start=first))
    return described, records


def _excel_95(data: bytes) -> bool:
    """Whether an OLE file holds an Excel 5.0/95 workbook (BIFF5, a stream named "Book")
    and not an Excel 97-2003 one (a stream named "Workbook").

    The reader takes BIFF5 for BIFF8 and reads its text, stored in the file's code page,
    as UTF-16: 'Name' would come out as 'N\\x00a\\x00m\\x00e\\x00'. The streams' names are
    in the first sector of the file's directory, as 128-byte entries (name in UTF-16,
    then its length in bytes counting the final NUL)."""
    if len(data) < 512:
        return False
    sector = 1 << int.from_bytes(data[30:32], "little")
    if sector not in (512, 4096):
        return False
    start = (int.from_bytes(data[48:52], "little") + 1) * sector
    names = set()
    for entry in range(start, min(start + sector, len(data) - 127), 128):
        length = int.from_bytes(data[entry + 64 : entry + 66], "little")
        if 2 <= length <= 64 and length % 2 == 0:
            names.add(data[entry : entry + length - 2].decode("utf-16-le", errors="replace"))
    return "Book" in names and "Workbook" not in names


def _visible(workbook: "CalamineWorkbook") -> list[str]:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    return [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
    ]


def _sheet_name(path: Path, names: list[str], visible: list[str], wanted: str | None) -> str:
    if not names:
        raise UnreadableFile(_("{path} has no sheets; there is nothing to import.").format(path=path))
    if wanted is None:
        return (visible or names)[0]
    if wanted in names:
        return wanted
    folded = [name for name in names if name.casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    listed = [repr(name) for name in names]
    these = (
        listed[0]
        if len(listed) == 1
        else _("{these} or {last}").format(these=_(", ").join(listed[:-1]), last=listed[-1])
    )
    raise UnreadableFile(
        _("{path} has no sheet named {name}; pass --sheet with one of its sheets: {these}.").format(
            path=path, name=repr(wanted), these=these
        )
    )


def _text(cell: Cell) -> str:
    """A cell as the text a person would type for it."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) <= _EXACT else repr(cell)
    if isinstance(cell, datetime.datetime):
        if cell.time() == datetime.time():
            return cell.date().isoformat()
        return cell.isoformat(sep=" ", timespec="seconds" if cell.second else "minutes")
    if isinstance(cell, datetime.date | datetime.time):
        return cell.isoformat()
    return str(cell)
