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

A deal follows from its contract's receipts: when the receipts a merge brought make a
contract this copy had fully collected, its deal moves from Signed to Paid, as it would have had the
receipts been recorded here. Only the copy of the deal's owner moves it (the move then
reaches the others by sync), so two copies do not both move it; with the setting
`paid_on_collection` at "ask" nobody does, and the person moves it when they choose.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesdesk.store.store import Store

# The tables whose merged records another record's values follow from (customers: for
# the lead pool's claims a teammate's crossed, `store.pool.lost_claims`).
DERIVED_FROM = frozenset(
    {"deal_lines", "deals", "quotes", "receipts", "contracts", "instalments", "customers"}
)


def after_merge(store: "Store", touched: Mapping[str, set[str]]) -> tuple[list[str], int]:
    """Work out again what follows from the records a merge changed (`touched`: table -> ids).

    Returns what a person should be told of it, as sentences, and how many conflicts were
    settled because their values are worked out (`settle_derived_conflicts`)."""
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

    if touched.get("customers"):
        from salesdesk.store.pool import lost_claims

        told.extend(lost_claims(store, touched["customers"]))  # two claims of one lead

    if touched.get("receipts"):
        told.extend(paid_by_merged_receipts(store, touched["receipts"], touched.get("contracts", set())))

    deal_ids = deals_with_lines(store.db, touched.get("deals", set())) | deals_of_lines(
        store.db, touched.get("deal_lines", set())
    )
    settled = 0
    if deal_ids:
        refresh(store, deal_ids)
        settled = settle_derived_conflicts(store, deal_ids)
    from salesdesk.store.owed import refresh as refresh_owed

    refresh_owed(store.db)  # what the merged receipts and plans leave owed (store.owed)
    if touched.get("customers"):
        from salesdesk.store.pool import settle_owned_since

        settled += settle_owned_since(store, touched["customers"])
    return told, settled


def settle_derived_conflicts(store: "Store", deal_ids: set[str]) -> int:
    """Mark as settled the conflicts a merge found in values worked out, not typed: two
    devices that edited one deal's lines each wrote the line total and the deal amount they
    knew, and the merge found the two apart, but both are made again from the merged lines
    (the lines' own fields keep their conflicts). Returns how many were settled."""
    import json

    from salesdesk.core.dates import timestamp

    ids = json.dumps(sorted(deal_ids))
    cursor = store.db.execute(
        """UPDATE conflicts SET resolved_at = ?
           WHERE resolved_at IS NULL AND (
               (tbl = 'deals' AND field = 'amount' AND row_id IN (SELECT value FROM json_each(?))
                AND EXISTS (SELECT 1 FROM deal_lines l WHERE l.deal_id = conflicts.row_id
                            AND l.deleted_at IS NULL))
               OR (tbl = 'deal_lines' AND field = 'total' AND row_id IN (
                   SELECT id FROM deal_lines WHERE deal_id IN (SELECT value FROM json_each(?)))))""",
        [timestamp(store.clock()), ids, ids],
    )
    return cursor.rowcount


def paid_by_merged_receipts(store: "Store", receipt_ids: set[str], contract_ids: set[str]) -> list[str]:
    """Move to Paid the deals of this copy's user whose contracts the merged receipts
    (`receipt_ids`) made fully collected; a sentence for each deal moved.

    A contract the same merge brought or changed (`contract_ids`) is left alone: a copy
    that has just joined the team receives every contract with its receipts, and must
    not move the deals their owner kept in Signed (with "ask", or moved back by hand)."""
    import json

    from salesdesk.i18n import _
    from salesdesk.store.contracts import ContractStore

    if store.setting("paid_on_collection") == "ask":
        return []
    arrived: dict[str, int] = {}  # contract id -> what the merged receipts brought
    deals: dict[str, str] = {}
    for contract_id, deal_id, amount in store.db.execute(
        """SELECT r.contract_id, c.deal_id, CASE WHEN r.deleted_at IS NULL THEN r.amount ELSE 0 END
           FROM receipts r JOIN contracts c ON c.id = r.contract_id JOIN deals d ON d.id = c.deal_id
           WHERE r.id IN (SELECT value FROM json_each(?)) AND c.deleted_at IS NULL
             AND d.deleted_at IS NULL AND d.owner = ?""",
        [json.dumps(sorted(receipt_ids)), store.user],
    ):
        if contract_id in contract_ids:
            continue
        arrived[contract_id] = arrived.get(contract_id, 0) + amount
        deals[contract_id] = deal_id
    if not arrived:
        return []
    contracts = ContractStore(store)
    today = store.clock().date()
    states = contracts.collections(sorted(arrived), today)
    told = []
    for contract_id, state in sorted(states.items()):
        before = state.collected - arrived[contract_id]
        if not state.fully_collected or before >= state.amount:
            continue  # not collected yet, or it already was before these receipts
        deal_id = deals[contract_id]
        paid = contracts.paid_stage_for(deal_id)
        if paid is None:
            continue
        contracts.move_to_paid(deal_id)
        told.append(
            _("The money for {deal} is all in: it moved to {stage}.").format(
                deal=store.deal(deal_id).title, stage=paid.name
            )
        )
    return told
