"""The board from the keyboard: each key, asserted on the database."""

from textual import events

from salesdesk.tui.screens.deal import DealScreen, NewDealScreen
from salesdesk.tui.screens.dialogs import ChecklistScreen, FollowUpScreen, LostReasonScreen
from tests.conftest import TODAY
from tests.tui.conftest import open_board, settle


def _tick_all_checklists(store, deal_id):
    store.tick_checklist(deal_id, list(store.stage(store.deal(deal_id).stage_id).checklist))


async def _focus(pilot, deal_id):
    board = pilot.app.screen.board
    assert board.focus_deal(deal_id)
    await settle(pilot)
    assert board.focused_card.deal_id == deal_id


async def test_forward_records_a_stage_change_and_keeps_focus(seeded):
    store, ids, clock = seeded
    deal_id = ids["50 laptops for Shenzhen"]
    _tick_all_checklists(store, deal_id)
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-qualified"
        last = store.stage_history(deal_id)[-1]
        assert (last.from_stage, last.to_stage, last.by_user) == ("stage-lead", "stage-qualified", "ann")
        assert last.at == "2026-11-27T09:00:00.000Z"
        board = app.screen.board
        assert board.focused_card.deal_id == deal_id
        assert board.focused_column.stage.id == "stage-qualified"


async def test_shift_arrows_move_forward_and_back(seeded):
    store, ids, _ = seeded
    deal_id = ids["Annual support renewal"]
    _tick_all_checklists(store, deal_id)
    async with open_board(store, deal_id) as pilot:
        await pilot.press("shift+right")
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-negotiation"
        await pilot.press("shift+left", "left_square_bracket")
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-qualified"
        moves = [(c.from_stage, c.to_stage) for c in store.stage_history(deal_id)[1:]]
        assert moves == [
            ("stage-quote", "stage-negotiation"),
            ("stage-negotiation", "stage-quote"),
            ("stage-quote", "stage-qualified"),
        ]


async def test_unmet_checklist_asks_once_and_escape_keeps_the_deal(seeded):
    store, ids, _ = seeded
    deal_id = ids["50 laptops for Shenzhen"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-lead"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("space", "enter")  # tick the first item, move anyway
        await settle(pilot)
        deal = store.deal(deal_id)
        assert deal.stage_id == "stage-qualified"
        assert "Contact person and need identified" in deal.checklist_done


async def test_a_space_typed_straight_after_the_move_key_ticks_the_checklist(seeded):
    """Keys in one burst, as a quick typist sends them: none is lost to the board."""
    store, ids, _ = seeded
    deal_id = ids["50 laptops for Shenzhen"]
    async with open_board(store, deal_id) as pilot:
        pilot.app.post_message(events.Key("right_square_bracket", "]"))
        pilot.app.post_message(events.Key("space", " "))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        deal = store.deal(deal_id)
        assert deal.stage_id == "stage-qualified"
        assert "Contact person and need identified" in deal.checklist_done


async def test_won_and_lost_with_a_typed_reason(seeded):
    store, ids, _ = seeded
    won, lost = ids["Fleet tracking pilot"], ids["ERP rollout phase 2"]
    async with open_board(store, won) as pilot:
        app = pilot.app
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("escape")  # the contract is filled in later
        await settle(pilot)
        await pilot.press("n")  # keep its follow-up (the next test closes them)
        await settle(pilot)
        assert store.deal(won).stage_id == "stage-signed"
        assert store.deal(won).closed_on == TODAY.isoformat()
        await _focus(pilot, lost)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, LostReasonScreen)
        await pilot.press(*"chose a competitor", "enter")
        await settle(pilot)
        assert store.deal(lost).stage_id == "stage-lost"
        assert store.deal(lost).lost_reason == "chose a competitor"


async def test_lost_reason_picked_from_past_reasons(seeded):
    store, ids, _ = seeded
    deal_id = ids["Clinic tablets"]
    async with open_board(store, deal_id) as pilot:
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert store.deal(deal_id).lost_reason == "price too high"


async def test_the_past_reasons_list_opens_on_its_first_reason(seeded):
    store, ids, _ = seeded
    store.mark_lost(ids["POS terminals, 12 stores"], "timing")  # now two past reasons
    deal_id = ids["Clinic tablets"]
    async with open_board(store, deal_id) as pilot:
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert store.deal(deal_id).lost_reason == "price too high"  # the first, not the second


async def test_lost_without_a_reason_is_refused_in_the_dialog(seeded):
    store, ids, _ = seeded
    store.db.execute("UPDATE deals SET lost_reason = ''")  # no past reasons to pick
    deal_id = ids["Clinic tablets"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("x", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LostReasonScreen)
        assert store.deal(deal_id).stage_id == "stage-signed"


async def test_undo_takes_the_last_move_back(seeded):
    store, ids, _ = seeded
    deal_id = ids["Fleet tracking pilot"]
    entered = store.deal(deal_id).stage_entered_at
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("escape")  # the contract is filled in later
        await settle(pilot)
        await pilot.press("n")  # keep its follow-up
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-signed"
        await pilot.press("u")
        await settle(pilot)
        deal = store.deal(deal_id)
        assert deal.stage_id == "stage-negotiation"
        assert deal.stage_entered_at == entered
        assert deal.closed_on is None
        assert [c.to_stage for c in store.stage_history(deal_id)] == ["stage-negotiation"]
        assert app.screen.board.focused_card.deal_id == deal_id
        said = [n.message for n in app._notifications]
        assert "Undone: Fleet tracking pilot is back from Signed in Negotiation." in said


async def test_new_deal_for_a_customer_created_on_the_spot(seeded):
    store, _, _ = seeded
    async with open_board(store) as pilot:
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NewDealScreen)
        await pilot.press(*"Globex", "enter")
        await pilot.press(*"Ten servers", "tab", *"12.5k", "enter")
        await settle(pilot)
        row = store.db.execute(
            "SELECT d.title, d.amount, d.stage_id, c.name FROM deals d JOIN customers c "
            "ON c.id = d.customer_id WHERE d.title = 'Ten servers'"
        ).fetchone()
        assert row == ("Ten servers", 1_250_000, "stage-lead", "Globex")
        assert app.screen.board.focused_card.title == "Ten servers"


async def test_new_deal_for_an_existing_customer_by_type_ahead(seeded):
    store, _, _ = seeded
    async with open_board(store) as pilot:
        await pilot.press("n", *"Northw", "enter")
        await pilot.press(*"Gift cards", "enter")
        await settle(pilot)
        customers = store.db.execute(
            "SELECT count(*) FROM customers WHERE company = 'Northwind Retail'"
        ).fetchone()[0]
        owner = store.db.execute(
            "SELECT c.name FROM deals d JOIN customers c ON c.id = d.customer_id WHERE d.title = 'Gift cards'"
        ).fetchone()[0]
        assert (customers, owner) == (1, "Sarah Miller")


async def test_follow_up_booked_on_the_deal(seeded):
    store, ids, _ = seeded
    deal_id = ids["POS terminals, 12 stores"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpScreen)
        due = app.screen.query_one("#due-input")
        due.value = "next mon"
        await pilot.press("enter")
        await settle(pilot)
        assert store.next_followup_of_deal(deal_id).isoformat() == "2026-11-30"
        assert app.screen.board.focused_card.next_followup.isoformat() == "2026-11-30"


async def test_open_edits_the_deal_with_a_version_check(seeded):
    store, ids, _ = seeded
    deal_id = ids["Annual support renewal"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        app.screen.query_one("#amount-input").value = "10,400"
        app.screen.query_one("#next_step-input").value = "Send the signed order form"
        await pilot.press("ctrl+s")
        await settle(pilot)
        deal = store.deal(deal_id)
        assert (deal.amount, deal.next_step) == (1_040_000, "Send the signed order form")
        # A second window saved first: this save is refused, not silently lost.
        await pilot.press("enter")
        await settle(pilot)
        store.update_deal(deal_id, {"next_step": "changed elsewhere"})
        app.screen.query_one("#next_step-input").value = "mine"
        await pilot.press("ctrl+s")
        await settle(pilot)
        from salesdesk.tui.screens.stale import StaleScreen

        assert isinstance(app.screen, StaleScreen)  # both values shown (tests/tui/test_sync_app.py)
        assert store.deal(deal_id).next_step == "changed elsewhere"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert store.deal(deal_id).next_step == "changed elsewhere"


async def test_filter_and_mine_narrow_the_board(seeded):
    store, ids, _ = seeded
    other = store.add_customer("Nina Park")
    store.records.update("deals", store.add_deal(other, "Someone else's deal", 100), {"owner": "bob"})
    async with open_board(store) as pilot:
        app = pilot.app
        board = app.screen.board
        everyone = board.total
        await pilot.press("m")
        await settle(pilot)
        assert board.total == everyone - 1
        await pilot.press("m", "slash", *"huaxin")
        await settle(pilot)
        assert board.total == 1
        assert board.focused_card.title == "50 laptops for Shenzhen"
        await pilot.press("enter", "escape")
        await settle(pilot)
        assert board.total == everyone


async def test_moves_survive_a_restart(seeded, tmp_path):
    store, ids, clock = seeded
    deal_id = ids["Fleet tracking pilot"]
    async with open_board(store, deal_id) as pilot:
        await pilot.press("w")
        await settle(pilot)
    from salesdesk.store.store import Store

    reopened = Store.open(tmp_path / "pipeline.db", "ann", clock)
    try:
        assert reopened.deal(deal_id).stage_id == "stage-signed"
    finally:
        reopened.close()


async def test_lost_column_shown_on_demand(seeded):
    store, _, _ = seeded
    async with open_board(store) as pilot:
        app = pilot.app
        board = app.screen.board
        assert [c.stage.name for c in board.columns][-1] == "Paid"
        await pilot.press("L")
        await settle(pilot)
        assert [c.stage.name for c in board.columns][-1] == "Lost"
        assert board.columns[-1].count == 1


async def test_command_palette_reaches_every_board_action(seeded):
    from salesdesk.tui.palette import commands

    store, ids, _ = seeded
    deal_id = ids["Fleet tracking pilot"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        titles = {command.name for command in commands(app)}
        assert {
            f"Pipeline: {name}"
            for name in (
                "Move the deal a stage forward",
                "Move the deal a stage back",
                "Mark the deal won",
                "Mark the deal lost",
                "Open the deal",
                "Book a follow-up on the deal",
                "New deal",
                "Undo the last move",
                "Filter the cards",
                "Mine or everyone's",
                "Show or hide Lost",
            )
        } | {"Quit"} <= titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Won")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-signed"


async def test_empty_database_then_the_first_deal(tmp_path):
    from salesdesk.store.store import Store
    from tests.conftest import FakeClock

    store = Store.open(tmp_path / "empty.db", "ann", FakeClock())
    try:
        async with open_board(store) as pilot:
            app = pilot.app
            assert app.screen.query_one("#board-empty").display
            await pilot.press("n", *"Acme", "enter", *"First order", "enter")
            await settle(pilot)
            assert not app.screen.query_one("#board-empty").display
            assert app.screen.board.focused_card.title == "First order"
    finally:
        store.close()


async def test_assign_a_deal_to_a_teammate(seeded):
    store, ids, _ = seeded
    deal_id = ids["POS terminals, 12 stores"]
    async with open_board(store, deal_id) as pilot:
        await pilot.press("O")
        await settle(pilot)
        await pilot.press(*"bob", "enter")
        await settle(pilot)
        assert store.deal(deal_id).owner == "bob"


async def test_closing_a_deal_closes_its_follow_ups_unless_told_not_to(seeded):
    from salesdesk.tui.screens.dialogs import CloseFollowupsScreen

    store, ids, _ = seeded
    won, lost = ids["Fleet tracking pilot"], ids["50 laptops for Shenzhen"]
    assert len(store.open_followups_of_deal(won)) == len(store.open_followups_of_deal(lost)) == 1
    async with open_board(store, won) as pilot:
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("escape")  # the contract is filled in later
        await settle(pilot)
        assert isinstance(pilot.app.screen, CloseFollowupsScreen)
        await pilot.press("enter")  # yes is the default
        await settle(pilot)
        assert store.open_followups_of_deal(won) == []
        await _focus(pilot, lost)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press(*"no budget", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CloseFollowupsScreen)
        await pilot.press("n")
        await settle(pilot)
        assert store.deal(lost).lost_reason == "no budget"
        assert len(store.open_followups_of_deal(lost)) == 1  # kept, as asked


async def test_a_deal_without_follow_ups_closes_without_asking(seeded):
    store, ids, _ = seeded
    deal_id = ids["POS terminals, 12 stores"]
    async with open_board(store, deal_id) as pilot:
        await pilot.press("w")
        await settle(pilot)
        assert pilot.app.screen.__class__.__name__ == "ContractDialog"  # signed: its contract
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen.__class__.__name__ == "PipelineScreen"
        assert store.stage(store.deal(deal_id).stage_id).kind == "won"
