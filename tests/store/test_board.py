"""The board's queries: headers from one query, pages of cards, positions, rotting."""

from datetime import timedelta

from salesdesk.store.board import BoardFilter, BoardQueries
from tests.conftest import TODAY


def _deal(store, clock, title, dollars, stage="stage-lead", days_ago=0, customer="Acme Ltd"):
    now = clock.now
    clock.now = now - timedelta(days=days_ago)
    customer_id = store.add_customer(customer)
    deal_id = store.add_deal(customer_id, title, dollars * 100, stage_id=stage)
    clock.now = now
    return deal_id


def test_summaries_count_total_and_weight_per_stage(store, clock):
    _deal(store, clock, "a", 1000)
    _deal(store, clock, "b", 3000)
    own = _deal(store, clock, "c", 2000, stage="stage-quote")
    store.update_deal(own, {"probability": 90})
    queries = BoardQueries(store.db)
    summaries = {s.stage.id: s for s in queries.summaries(store.stages(), BoardFilter())}
    assert summaries["stage-lead"].count == 2
    assert summaries["stage-lead"].totals == {"USD": 400_000}
    assert summaries["stage-lead"].weighted == {"USD": 40_000}  # 10% of the stage
    assert summaries["stage-quote"].weighted == {"USD": 180_000}  # the deal's own 90%


def test_cards_are_paged_most_recently_moved_first(store, clock):
    ids = [_deal(store, clock, f"deal {n}", 100, days_ago=10 - n) for n in range(6)]
    queries = BoardQueries(store.db)
    lead = store.stage("stage-lead")
    page = queries.cards(lead, BoardFilter(), offset=2, limit=3, today=TODAY)
    assert [card.deal_id for card in page] == [ids[3], ids[2], ids[1]]
    assert [card.days_in_stage for card in page] == [7, 8, 9]
    assert queries.position(ids[1], BoardFilter()) == ("stage-lead", 4)


def test_filter_by_text_and_owner(store, clock):
    _deal(store, clock, "Laptops", 100, customer="Huaxin")
    other = _deal(store, clock, "Printers", 100, customer="Northwind")
    store.records.update("deals", other, {"owner": "bob"})
    queries = BoardQueries(store.db)

    def count(board_filter: BoardFilter) -> int:
        return sum(s.count for s in queries.summaries(store.stages(), board_filter))

    assert count(BoardFilter(text="huax")) == 1
    assert count(BoardFilter(text="100%")) == 0  # LIKE wildcards are literal
    assert count(BoardFilter(owner="ann")) == 1


def test_rotting_needs_age_and_nothing_booked_ahead(store, clock):
    _deal(store, clock, "stale", 100, days_ago=30)
    booked = _deal(store, clock, "booked", 100, days_ago=30)
    overdue_and_ahead = _deal(store, clock, "both", 100, days_ago=30)
    _deal(store, clock, "fresh", 100, days_ago=2)
    for deal_id, days in ((booked, 3), (overdue_and_ahead, -5), (overdue_and_ahead, 4)):
        store.add_followup(
            store.deal(deal_id).customer_id, TODAY + timedelta(days=days), "call", deal_id=deal_id
        )
    cards = {
        c.title: c
        for c in BoardQueries(store.db).cards(store.stage("stage-lead"), BoardFilter(), 0, 10, TODAY)
    }
    assert cards["stale"].rotting and not cards["booked"].rotting and not cards["fresh"].rotting
    assert not cards["both"].rotting and cards["both"].overdue
    assert cards["both"].next_followup == TODAY - timedelta(days=5)


def test_lost_reasons_most_used_first(store, clock):
    for reason in ("price", "timing", "price"):
        store.mark_lost(_deal(store, clock, reason, 100), reason)
    assert BoardQueries(store.db).lost_reasons() == ["price", "timing"]


def test_won_cards_carry_what_their_contract_has_collected(store, clock):
    from salesdesk.store.contracts import ContractStore

    contracts = ContractStore(store)
    signed = _deal(store, clock, "signed", 10_000, stage="stage-signed")
    bare = _deal(store, clock, "no contract", 500, stage="stage-signed")
    contract_id = contracts.make(signed, contracts.prefill(signed, TODAY))
    contracts.record_receipt(contract_id, 3_000_00, TODAY)
    asked: list[list[str]] = []

    def collections(deal_ids, today):
        asked.append(list(deal_ids))
        return contracts.collections_of_deals(deal_ids, today)

    queries = BoardQueries(store.db, collections)
    cards = {c.deal_id: c for c in queries.cards(store.stage("stage-signed"), BoardFilter(), 0, 10, TODAY)}
    assert cards[signed].collected == (3_000_00, 10_000_00, "USD")
    assert cards[bare].collected is None
    assert queries.cards(store.stage("stage-lead"), BoardFilter(), 0, 10, TODAY) == []
    # Read for the page of a won column only, and not for an open one.
    _deal(store, clock, "open", 100)
    lead = queries.cards(store.stage("stage-lead"), BoardFilter(), 0, 10, TODAY)
    assert [c.collected for c in lead] == [None]
    assert len(asked) == 1 and sorted(asked[0]) == sorted([signed, bare])
