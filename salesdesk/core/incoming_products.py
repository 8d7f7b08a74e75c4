"""Products arriving from a file (CSV or a sheet), before they meet the database.

`salesdesk.io.product_rows` turns a file into `IncomingProduct`s and `Refusal`s;
`salesdesk.store.product_import` matches each with a product the catalogue has.
"""

from dataclasses import dataclass, field

from salesdesk.core.incoming import Refusal


@dataclass(slots=True)
class IncomingProduct:
    """A product as the file has it: every value as text, as it was in the file (but for
    `active`, read as "1" or "0"); a field missing or empty in the file is not in `values`."""

    line: int  # where the row is in the file (or sheet), for messages
    values: dict[str, str]
    columns: dict[str, str]  # field -> how a refusal names its column ("column 单价")
    record_id: str = ""  # a salesdesk id, from a salesdesk export; matched first


@dataclass
class ProductBatch:
    """What a reader made of a products file: the rows to import, and what it refused."""

    source: str  # the file as the user named it
    products: list[IncomingProduct] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    rows: int = 0  # rows read, blank ones not counted
    described: str = ""  # how it was read: "UTF-8 (detected), comma-separated (detected)"
    left_out: list[str] = field(default_factory=list)  # headers of columns salesdesk does not read
