"""What is worked out from other records, made again after a merge.

Each copy keeps a few values that follow from other records: a line's total, a deal's
amount (the sum of its lines, when it has any). Two devices editing one deal's lines
before they sync each wrote the sum they knew; after the merge every copy works the
values out again from the merged records and writes them, through the one write path,
where they differ. Every copy comes to the same values, and a copy that already had
them writes nothing, so nothing goes back and forth.

A quote's number is one of these too: two devices offline can give one number to two
quotes. After a merge that brought quotes, the one made first keeps the number on every
copy, and the device that numbered each other one gives it a new number (`store.quotes`);
the sentences returned say so, for the sync's message.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# The tables whose merged records another record's values follow from.
DERIVED_FROM = frozenset({"deal_lines", "deals", "quotes"})


def after_merge(store: "Store", touched: Mapping[str, set[str]]) -> list[str]:
    """Work out again what follows from the records a merge changed (`touched`: table -> ids);
    what a person should be told of it, as sentences."""
    from salesdesk.store.lines import deals_of_lines, deals_with_lines, refresh

    told = []
    if touched.get("quotes"):
        from salesdesk.i18n import _
        from salesdesk.store.quotes import QuoteStore

        for renumbered in QuoteStore(store).renumber_clashes(touched["quotes"]):
            told.append(
                _("A teammate's quote had the number {old} first: the quote of {deal} is {new} now.").format(
                    old=renumbered.old, deal=renumbered.deal_title, new=renumbered.new
                )
            )

    deal_ids = deals_with_lines(store.db, touched.get("deals", set())) | deals_of_lines(
        store.db, touched.get("deal_lines", set())
    )
    if deal_ids:
        refresh(store, deal_ids)
    return told
