"""Products from a CSV file or a sheet, read by the same readers as customers.

Headers are matched in English and Chinese (`PRODUCT_ALIASES`, compared as
`io.headers.header_key` folds them), every value kept as written; a row with a value
salesdesk cannot take is refused with its line, column and the reason, the other rows
go through. Prices stay text here: what a price means depends on its currency, which
the store knows for a row that names none.
"""

from pathlib import Path
from typing import NoReturn

from salesdesk import i18n
from salesdesk.core.incoming import Refusal, shown
from salesdesk.core.incoming_products import IncomingProduct, ProductBatch
from salesdesk.i18n import _
from salesdesk.io.cells import unescape_formula
from salesdesk.io.csv_import import Records, column_named, read_csv_table
from salesdesk.io.headers import header_key
from salesdesk.io.sheets import read_sheet_rows
from salesdesk.io.textfile import UnreadableFile

# The product field each header means, English first (the first is how an export in
# English names it).
PRODUCT_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "salesdesk id", "salesdesk 编号"),
    "code": (
        "code",
        "product code",
        "item code",
        "sku",
        "part number",
        "article number",
        "编码",
        "产品编码",
        "商品编码",
        "货号",
        "物料编码",
        "编号",
    ),
    "name": (
        "name",
        "product",
        "product name",
        "item",
        "item name",
        "名称",
        "产品名称",
        "品名",
        "产品",
        "商品名称",
    ),
    "unit": ("unit", "uom", "unit of measure", "单位", "计量单位"),
    "price": (
        "price",
        "list price",
        "unit price",
        "单价",
        "价格",
        "标准价",
        "售价",
        "标价",
    ),
    "currency": ("currency", "币种", "货币"),
    "category": ("category", "product category", "group", "类别", "分类", "产品类别", "类目"),
    "active": ("active", "status", "enabled", "状态", "启用", "是否启用", "在售"),
}
# How an export names each column, in English and in Chinese: aliases above, so that an
# export imports back to the same products.
LABELS = {field: names[0] for field, names in PRODUCT_ALIASES.items()}
LABELS["price"] = "list price"
CHINESE_LABELS = {
    "id": "salesdesk 编号",
    "code": "编码",
    "name": "名称",
    "unit": "单位",
    "price": "单价",
    "currency": "币种",
    "category": "类别",
    "active": "状态",
}
# What an `active` cell may say; an export writes the first of each.
ACTIVE_WORDS = {
    True: ("yes", "active", "1", "y", "true", "on", "enabled", "是", "启用", "在售", "有效", "正常"),
    False: (
        "no",
        "retired",
        "0",
        "n",
        "false",
        "off",
        "inactive",
        "disabled",
        "否",
        "停用",
        "停售",
        "已停用",
        "无效",
    ),
}
CHINESE_ACTIVE = {True: "是", False: "否"}
_FIELD_OF = {header_key(name): field for field, names in PRODUCT_ALIASES.items() for name in names}
_ACTIVE_OF = {header_key(word): value for value, words in ACTIVE_WORDS.items() for word in words}
# How many rows above a table may hold a title or notes before its headers are given up on.
_HEADER_SEARCH_ROWS = 10


def product_field_of(header: str) -> str | None:
    """The product field a header names ('List Price' -> 'price'), or None."""
    return _FIELD_OF.get(header_key(header))


def export_label(field: str) -> str:
    """The header of a product field in an export, in the language shown."""
    return CHINESE_LABELS[field] if i18n.language() == i18n.CHINESE else LABELS[field]


def active_word(active: object) -> str:
    """How an export writes `active`: yes or no (是 or 否 in Chinese)."""
    value = bool(active)
    return CHINESE_ACTIVE[value] if i18n.language() == i18n.CHINESE else ACTIVE_WORDS[value][0]


def read_active(cell: str) -> bool | None:
    """'yes', '启用', 'TRUE', '0'... as active or retired; None for a word it is not."""
    return _ACTIVE_OF.get(header_key(cell))


def read_products_csv(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> ProductBatch:
    """Read every row of a products file; raises UnreadableFile when nothing can be read."""
    path = Path(path)
    batch = ProductBatch(source=str(path))
    read_csv_table(
        path,
        batch,
        lambda records: read_product_records(path, records, batch),
        encoding=encoding,
        delimiter=delimiter,
    )
    return batch


def read_products_sheet(path: Path, kind: str, *, sheet: str | None = None) -> ProductBatch:
    """Read every row of one sheet of a workbook (the first visible one unless `sheet` names another)."""
    path = Path(path)
    described, records = read_sheet_rows(path, kind, sheet=sheet)
    batch = ProductBatch(source=str(path), described=described)
    read_product_records(path, records, batch)
    return batch


def read_product_records(path: Path, records: Records, batch: ProductBatch) -> None:
    """Products from rows of cells, the first row that names a name column the headers
    (a title and notes above the table are left out, as the customers reader does)."""
    fields: list[str | None] | None = None
    labels: list[str] = []
    above: list[list[str]] = []
    for start, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if fields is None:
            headers = [header.strip() for header in record]
            found = _plan(headers)
            if "name" not in found:
                above.append(headers)
                if len(above) > _HEADER_SEARCH_ROWS:
                    _no_name_column(path, above[0])
                continue
            fields, labels = found, headers
            batch.left_out = [h for h, f in zip(headers, found, strict=True) if f is None and h]
            continue
        batch.rows += 1
        row = _read_row(start, record, fields, labels, batch.refusals)
        if row is not None:
            batch.products.append(row)
    if fields is None:
        if above:
            _no_name_column(path, above[0])
        raise UnreadableFile(_("{path} has no rows; there is nothing to import.").format(path=path))


def _plan(headers: list[str]) -> list[str | None]:
    """The field of each column; a second column for a field already taken is left out."""
    taken: set[str] = set()
    fields: list[str | None] = []
    for header in headers:
        field = product_field_of(header)
        if field in taken:
            field = None
        if field is not None:
            taken.add(field)
        fields.append(field)
    return fields


def _no_name_column(path: Path, headers: list[str]) -> NoReturn:
    raise UnreadableFile(
        _(
            "{path} has no product name column (its first row is {headers}); name one column "
            "name, product or 名称."
        ).format(path=path, headers=", ".join(shown(h, 20) for h in headers[:6]))
    )


def _read_row(
    line: int, record: list[str], fields: list[str | None], labels: list[str], refusals: list[Refusal]
) -> IncomingProduct | None:
    if len(record) > len(fields) and any(cell.strip() for cell in record[len(fields) :]):
        refusals.append(
            Refusal(
                line,
                _("row"),
                "",
                _(
                    "it has {cells} cells but the header has {columns}; quote values that contain "
                    "the delimiter."
                ).format(cells=len(record), columns=len(fields)),
            )
        )
        return None
    columns = {field: column_named(label) for field, label in zip(fields, labels, strict=True) if field}
    row = IncomingProduct(line, {}, columns)
    found: list[Refusal] = []
    for field, raw in zip(fields, record, strict=False):
        cell = unescape_formula(raw).strip()
        if field is None or not cell:
            continue
        if field == "id":
            row.record_id = cell
        elif field == "active":
            active = read_active(cell)
            if active is None:
                found.append(
                    Refusal(
                        line,
                        columns[field],
                        cell,
                        _("{value} says neither active nor retired; write yes or no (是 or 否).").format(
                            value=shown(cell)
                        ),
                    )
                )
            else:
                row.values[field] = "1" if active else "0"
        else:
            row.values[field] = cell
    if "name" not in row.values:
        found.insert(
            0, Refusal(line, columns["name"], "", _("the name is empty; every product needs a name."))
        )
    if found:
        refusals.extend(found)
        return None
    return row
