"""What is worked out from other records, made again after a merge.

Each copy keeps a few values that follow from other records: a line's total, a deal's
amount (the sum of its lines, when it has any). Two devices editing one deal's lines
before they sync each wrote the sum they knew; after the merge every copy works the
values out again from the merged records and writes them, through the one write path,
where they differ. Every copy comes to the same values, and a copy that already had
them writes nothing, so nothing goes back and forth.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# The tables whose merged records another record's values follow from.
DERIVED_FROM = frozenset({"deal_lines", "deals"})


def after_merge(store: "Store", touched: Mapping[str, set[str]]) -> None:
    """Work out again what follows from the records a merge changed (`touched`: table -> ids)."""
    from salesdesk.store.lines import deals_of_lines, deals_with_lines, refresh

    deal_ids = deals_with_lines(store.db, touched.get("deals", set())) | deals_of_lines(
        store.db, touched.get("deal_lines", set())
    )
    if deal_ids:
        refresh(store, deal_ids)
