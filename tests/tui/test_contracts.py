"""Contracts and receipts in the app: the contract dialog on the move to Signed, its
payment plan, and money received from the board, asserted on the database."""

from datetime import date, timedelta

from salesdesk.core.agenda import RECEIVABLE
from salesdesk.store.agenda import AgendaStore
from salesdesk.store.contracts import ContractStore
from salesdesk.tui.screens.contract_forms import ContractDialog, InstalmentScreen
from salesdesk.tui.screens.dialogs import CloseFollowupsScreen
from salesdesk.tui.screens.receipt_forms import MoveToPaidScreen, ReceiptDialog
from tests.conftest import TODAY
from tests.tui.conftest import SIZE, make_app, no_blink, open_board, settle


def _field(app, name):
    return app.screen.query_one(f"#contract-{name}-input").value


async def _type(pilot, text):
    for char in text:
        await pilot.press(char)


async def test_moving_a_deal_into_signed_opens_its_contract_prefilled(seeded):
    store, ids, _clock = seeded
    deal_id = ids["POS terminals, 12 stores"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("w")
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-signed"
        assert isinstance(app.screen, ContractDialog)
        assert _field(app, "number") == "C-2026-0001"
        assert _field(app, "signed_on") == TODAY.isoformat()
        assert _field(app, "amount") == "48500.00"
        assert _field(app, "currency") == "USD"
        gap = str(app.screen.query_one("#plan-gap").render())
        assert "No plan" in gap


async def test_escape_keeps_the_move_and_c_opens_the_contract_later(seeded):
    store, ids, _clock = seeded
    deal_id = ids["POS terminals, 12 stores"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ContractDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ContractDialog)
        assert store.deal(deal_id).stage_id == "stage-signed"
        assert ContractStore(store).of_deal(deal_id) is None
        assert app.screen.board.focused_card.deal_id == deal_id
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ContractDialog)
        assert _field(app, "number") == "C-2026-0001"


async def test_a_plan_from_a_pattern_is_saved_with_the_contract(seeded):
    store, ids, _clock = seeded
    deal_id = ids["POS terminals, 12 stores"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("w")
        await settle(pilot)
        app.screen.query_one("#contract-pattern-input").focus()
        await _type(pilot, "30% on signing, 70% in 60 days")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ContractDialog)
        assert [(p.due_on, p.amount) for p in dialog.plan] == [
            (TODAY, 14_550_00),
            (date(2027, 1, 26), 33_950_00),
        ]
        assert dialog.query_one("#plan-table").row_count == 2
        assert "add up to the amount" in str(dialog.query_one("#plan-gap").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContractDialog)
        contracts = ContractStore(store)
        contract = contracts.of_deal(deal_id)
        assert contract is not None
        shown = (contract.number, contract.amount, contract.signed_on)
        assert shown == ("C-2026-0001", 48_500_00, "2026-11-27")
        plan = contracts.instalments(contract.id)
        assert [(i.due_on, i.amount, i.label) for i in plan] == [
            ("2026-11-27", 14_550_00, "30% on signing"),
            ("2027-01-26", 33_950_00, "70% in 60 days"),
        ]


async def test_a_contract_saved_without_a_plan_is_owed_whole_on_signing_and_on_today(seeded):
    store, ids, _clock = seeded
    deal_id = ids["POS terminals, 12 stores"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("w")
        await settle(pilot)
        assert "one instalment due on signing" in str(app.screen.query_one("#plan-gap").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContractDialog)
        contracts = ContractStore(store)
        contract = contracts.of_deal(deal_id)
        plan = contracts.instalments(contract.id)
        assert [(i.due_on, i.amount, i.label) for i in plan] == [
            (TODAY.isoformat(), 48_500_00, "in full on signing")
        ]
    agenda = AgendaStore(store).load(TODAY, everyone=True)
    owed = [i for i in agenda.items if i.kind == RECEIVABLE and i.contract_id == contract.id]
    assert [i.instalment_id for i in owed] == [plan[0].id]


async def test_an_instalment_edited_by_hand_says_the_gap(seeded):
    store, ids, _clock = seeded
    deal_id = ids["POS terminals, 12 stores"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("w")
        await settle(pilot)
        app.screen.query_one("#contract-pattern-input").focus()
        await _type(pilot, "2 monthly")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        await pilot.press("down", "enter")  # edit the second instalment
        await settle(pilot)
        assert isinstance(app.screen, InstalmentScreen)
        box = app.screen.query_one("#amount-input")
        box.value = "20000"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.plan[1].amount == 20_000_00
        gap = str(dialog.query_one("#plan-gap").render())
        assert "$4,250.00 short of the amount" in gap
        await pilot.press("a")  # an instalment added: the gap is offered as its amount
        await settle(pilot)
        assert isinstance(app.screen, InstalmentScreen)
        assert app.screen.query_one("#amount-input").value == "4250.00"
        await pilot.press("enter")
        await settle(pilot)
        assert "add up to the amount" in str(dialog.query_one("#plan-gap").render())
        await pilot.press("d")  # and removed again
        await settle(pilot)
        assert len(dialog.plan) == 2
        await pilot.press("ctrl+s")
        await settle(pilot)
        contract = ContractStore(store).of_deal(deal_id)
        assert [i.amount for i in ContractStore(store).instalments(contract.id)] == [24_250_00, 20_000_00]


async def test_the_follow_ups_question_comes_after_the_contract(seeded):
    store, ids, _clock = seeded
    deal_id = ids["Fleet tracking pilot"]  # it has an open follow-up
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ContractDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CloseFollowupsScreen)


def _signed_contract(store, deal_id, plan="50% on signing, 50% in 30 days"):
    contracts = ContractStore(store)
    contract_id = contracts.make(deal_id, contracts.prefill(deal_id, TODAY))
    contracts.set_plan(contract_id, contracts.plan_from_pattern(contract_id, plan))
    return contract_id


async def test_a_receipt_from_the_board_takes_two_keys_besides_the_amount(seeded):
    store, ids, _clock = seeded
    deal_id = ids["Clinic tablets"]  # Signed, $22,000
    contract_id = _signed_contract(store, deal_id)
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        keys = ["dollar_sign"]
        await pilot.press(*keys)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReceiptDialog)
        box = dialog.query_one("#receipt-amount-input")
        assert box.value == "11000.00"  # the oldest open instalment's, selected
        assert box.selected_text == "11000.00"
        await _type(pilot, "3000")  # typing replaces it
        keys.append("enter")
        await pilot.press("enter")
        await settle(pilot)
        assert len(keys) <= 4
        assert not isinstance(app.screen, ReceiptDialog)
        receipts = ContractStore(store).receipts(contract_id)
        assert [(r.amount, r.received_on, r.instalment_id) for r in receipts] == [
            (3_000_00, TODAY.isoformat(), None)
        ]
        assert store.deal(deal_id).stage_id == "stage-signed"


async def test_full_collection_moves_the_deal_to_paid_and_says_an_overpayment(seeded):
    store, ids, _clock = seeded
    deal_id = ids["Clinic tablets"]
    contract_id = _signed_contract(store, deal_id, "1 monthly")
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("dollar_sign")
        await settle(pilot)
        await _type(pilot, "22050")
        await pilot.press("enter")
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-paid"
        said = " ".join(str(n.message) for n in app._notifications)
        assert "$50.00 more than the contract." in said
        assert "Fully collected: the deal moved to Paid." in said
        assert ContractStore(store).collection(contract_id, TODAY).fully_collected


async def test_with_ask_the_move_to_paid_is_asked_first(seeded):
    store, ids, _clock = seeded
    store.set_setting("paid_on_collection", "ask")
    deal_id = ids["Clinic tablets"]
    _signed_contract(store, deal_id, "1 monthly")
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("dollar_sign")
        await settle(pilot)
        await pilot.press("enter")  # the whole amount, as offered
        await settle(pilot)
        assert isinstance(app.screen, MoveToPaidScreen)
        assert store.deal(deal_id).stage_id == "stage-signed"
        await pilot.press("y")
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-paid"


async def test_a_receipt_for_a_chosen_instalment_offers_its_amount(seeded):
    store, ids, _clock = seeded
    deal_id = ids["Clinic tablets"]
    contract_id = _signed_contract(store, deal_id, "20%, 80% in 30 days")
    later = ContractStore(store).instalments(contract_id)[1]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        from salesdesk.tui.screens.receipt_forms import open_receipt

        outcomes = []
        open_receipt(app.screen, store, contract_id, TODAY, instalment_id=later.id, then=outcomes.append)
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#receipt-amount-input").value == "17600.00"
        dialog.query_one("#receipt-date-input").value = "yesterday"
        await pilot.press("enter")
        await settle(pilot)
        (outcome,) = outcomes
        assert outcome is not None and not outcome.completed
        (receipt,) = ContractStore(store).receipts(contract_id)
        assert (receipt.instalment_id, receipt.amount) == (later.id, 17_600_00)
        assert receipt.received_on == "2026-11-26"


async def test_a_receipt_without_a_contract_says_how_to_make_one(seeded):
    store, ids, _clock = seeded
    async with open_board(store, ids["Clinic tablets"]) as pilot:
        await pilot.press("dollar_sign")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ReceiptDialog)
        said = " ".join(str(n.message) for n in pilot.app._notifications)
        assert "no contract yet" in said


async def test_a_busy_database_keeps_the_contract_dialog_with_what_was_typed(seeded):
    from tests.tui.test_storage_faults import LOCKED, messages, refusing

    store, ids, _clock = seeded
    deal_id = ids["POS terminals, 12 stores"]
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("w")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#contract-notes-input").value = "Paid by the head office"
        with refusing(store, LOCKED):
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert app.screen is dialog
        assert any("press ctrl+s again" in text for text in messages(app))
        assert ContractStore(store).of_deal(deal_id) is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert ContractStore(store).of_deal(deal_id).notes == "Paid by the head office"


async def test_a_busy_database_keeps_the_receipt_dialog_with_what_was_typed(seeded):
    from tests.tui.test_storage_faults import LOCKED, messages, refusing

    store, ids, _clock = seeded
    deal_id = ids["Clinic tablets"]
    contract_id = _signed_contract(store, deal_id)
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("dollar_sign")
        await settle(pilot)
        await _type(pilot, "500")
        dialog = app.screen
        with refusing(store, LOCKED):
            await pilot.press("enter")
            await settle(pilot)
        assert app.screen is dialog
        assert dialog.query_one("#receipt-amount-input").value == "500"
        assert any("press enter again" in text for text in messages(app))
        assert ContractStore(store).receipts(contract_id) == []
        await pilot.press("enter")
        await settle(pilot)
        assert [r.amount for r in ContractStore(store).receipts(contract_id)] == [500_00]


async def test_a_bad_amount_is_said_beside_its_field(seeded):
    store, ids, _clock = seeded
    deal_id = ids["Clinic tablets"]
    contract_id = _signed_contract(store, deal_id)
    async with open_board(store, deal_id) as pilot:
        app = pilot.app
        await pilot.press("dollar_sign")
        await settle(pilot)
        await _type(pilot, "lots")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptDialog)
        hint = str(app.screen.query_one("#receipt-amount-hint").render())
        assert "'lots' is not an amount" in hint
        assert ContractStore(store).receipts(contract_id) == []


# -- the customer pane ---------------------------------------------------------------


def _customer_of(store, deal_id):
    return store.deal(deal_id).customer_id


async def test_the_customer_pane_lists_contracts_and_what_is_owed(seeded):
    from tests.tui.test_customers import customers_screen, shown

    store, ids, clock = seeded
    deal_id = ids["Clinic tablets"]
    clock.now -= timedelta(days=40)  # signed 40 days ago: the second half is overdue
    contract_id = _signed_contract(store, deal_id, "50%, 50% in 30 days")
    contracts = ContractStore(store)
    contracts.update(contract_id, {"signed_on": "2026-10-18", "starts_on": "2026-10-18"})
    contracts.set_plan(contract_id, contracts.plan_from_pattern(contract_id, "50%, 50% in 30 days"))
    clock.now += timedelta(days=40)
    contracts.record_receipt(contract_id, 11_000_00, TODAY - timedelta(days=35))
    async with customers_screen(store, _customer_of(store, deal_id)) as pilot:
        section = pilot.app.screen.query_one("#contracts")
        assert section.display
        text = shown(section)
        assert "C-2026-0001" in text
        assert "$22,000" in text and "collected 50%" in text
        assert "Outstanding $11,000" in text and "overdue $11,000" in text


async def test_a_customer_without_contracts_shows_no_contract_section(seeded):
    from tests.tui.test_customers import customers_screen

    store, ids, _clock = seeded
    async with customers_screen(store, _customer_of(store, ids["Clinic tablets"])) as pilot:
        assert not pilot.app.screen.query_one("#contracts").display
        await pilot.press("dollar_sign")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ReceiptDialog)
        said = " ".join(str(n.message) for n in pilot.app._notifications)
        assert "Nothing is owed on this customer's contracts." in said


async def test_a_receipt_from_the_customer_pane_takes_two_keys_besides_the_amount(seeded):
    from tests.tui.test_customers import customers_screen, shown

    store, ids, _clock = seeded
    deal_id = ids["Clinic tablets"]
    contract_id = _signed_contract(store, deal_id)
    async with customers_screen(store, _customer_of(store, deal_id)) as pilot:
        app = pilot.app
        keys = ["dollar_sign"]
        await pilot.press("dollar_sign")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptDialog)
        await _type(pilot, "2500")
        keys.append("enter")
        await pilot.press("enter")
        await settle(pilot)
        assert len(keys) <= 4
        assert [r.amount for r in ContractStore(store).receipts(contract_id)] == [2_500_00]
        assert "collected 11%" in shown(app.screen.query_one("#contracts"))


# -- how they look ---------------------------------------------------------------------


def _owing(store, ids):
    """Clinic tablets signed with a plan of two halves, 3,000 received; another contract
    in euros, fully collected."""
    deal_id = ids["Clinic tablets"]
    contract_id = _signed_contract(store, deal_id)
    contracts = ContractStore(store)
    contracts.update(contract_id, {"ends_on": "2027-11-26", "notes": "[bold]not markup[/]"})
    contracts.record_receipt(contract_id, 3_000_00, TODAY, method="transfer")
    customer_id = store.deal(deal_id).customer_id
    other = store.add_deal(customer_id, "Tablet cases", 1_200_00, "EUR", stage_id="stage-paid")
    second = contracts.make(other, {**contracts.prefill(other, TODAY), "signed_on": "2026-11-02"})
    contracts.record_receipt(second, 1_200_00, TODAY)
    return deal_id, customer_id


class TestContractSnapshots:
    def test_contract_dialog_with_a_plan(self, snap_compare, seeded):
        store, ids, _clock = seeded
        deal_id = ids["POS terminals, 12 stores"]

        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            assert pilot.app.screen.board.focus_deal(deal_id)
            await settle(pilot)
            await pilot.press("w")
            await settle(pilot)
            pilot.app.screen.query_one("#contract-pattern-input").value = "30% on signing, 70% in 60 days"
            pilot.app.screen.make_plan()
            await settle(pilot)
            no_blink(pilot.app)
            await settle(pilot)

        assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)

    def test_receipt_dialog(self, snap_compare, seeded):
        store, ids, _clock = seeded
        deal_id, _customer = _owing(store, ids)

        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            assert pilot.app.screen.board.focus_deal(deal_id)
            await settle(pilot)
            await pilot.press("dollar_sign")
            await settle(pilot)
            no_blink(pilot.app)
            await settle(pilot)

        assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)

    def test_contracts_on_the_customer_pane(self, snap_compare, seeded):
        from tests.tui.test_customers import _snapshot

        store, ids, _clock = seeded
        _deal, customer_id = _owing(store, ids)
        assert _snapshot(snap_compare, store, focus=customer_id)


# -- the board -------------------------------------------------------------------------


def _card_text(column) -> str:
    return str(column.render())


async def test_a_signed_card_shows_what_its_contract_has_collected(seeded):
    store, ids, _clock = seeded
    deal_id = ids["Clinic tablets"]
    contract_id = _signed_contract(store, deal_id)
    async with open_board(store, deal_id) as pilot:
        board = pilot.app.screen.board
        signed = next(c for c in board.columns if c.stage.id == "stage-signed")
        paid = next(c for c in board.columns if c.stage.id == "stage-paid")
        assert signed.cards[0].collected == (0, 22_000_00, "USD")
        assert "$0 / $22k " in _card_text(signed)
        assert paid.cards[0].collected is None  # Classroom displays has no contract
        assert "no follow-up" in _card_text(paid)
        await pilot.press("dollar_sign")
        await settle(pilot)
        await _type(pilot, "3000")
        await pilot.press("enter")
        await settle(pilot)
        assert signed.cards[0].collected == (3_000_00, 22_000_00, "USD")
        assert "$3k / $22k " in _card_text(signed)
    assert ContractStore(store).receipts(contract_id)


async def test_with_ask_no_leaves_the_deal_in_signed(seeded):
    store, ids, _clock = seeded
    store.set_setting("paid_on_collection", "ask")
    deal_id = ids["Clinic tablets"]
    contract_id = _signed_contract(store, deal_id, "1 monthly")
    async with open_board(store, deal_id) as pilot:
        await pilot.press("dollar_sign")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MoveToPaidScreen)
        await pilot.press("n")
        await settle(pilot)
        assert store.deal(deal_id).stage_id == "stage-signed"
        assert ContractStore(store).collection(contract_id, TODAY).fully_collected


async def test_a_read_only_database_refuses_the_receipt_and_the_contract(seeded):
    store, ids, _clock = seeded
    deal_id = ids["Clinic tablets"]
    contract_id = _signed_contract(store, deal_id)
    async with open_board(store, deal_id) as pilot:
        pilot.app.read_only = True
        for key in ("dollar_sign", "c"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(pilot.app.screen, ReceiptDialog | ContractDialog)
        assert ContractStore(store).receipts(contract_id) == []
