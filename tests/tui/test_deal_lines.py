"""A deal's lines in its dialog, by keys: added from a product found as one types (two
keys besides the text), or as free text; edited, moved, removed and put back; the
amount their sum; a refused write keeps what was typed. And how the dialog looks."""

import pytest
from textual.widgets import Input

from salesdesk.core.lines import AMOUNT, PERCENT
from salesdesk.store.lines import LineStore
from salesdesk.store.products import ProductStore
from salesdesk.tui.screens.deal import DealScreen
from salesdesk.tui.screens.deal_lines import LinePickerScreen, LineScreen, LinesTable
from salesdesk.tui.screens.pipeline import PipelineScreen
from tests.tui.conftest import SIZE, make_app, no_blink, open_board, settle
from tests.tui.test_storage_faults import FULL, LOCKED, messages, refusing

ERP = "ERP rollout phase 2"  # $120,000 typed by hand, in USD


@pytest.fixture
def catalogue(seeded):
    store, ids, clock = seeded
    products = ProductStore(store)
    made = {
        "upkeep": products.add("年度维保合同", code="MNT-1", unit="年", price=12_000_00, currency="USD"),
        "spares": products.add("备件框架协议", code="SPR-2", unit="套", price=3_000_00, currency="USD"),
        "training": products.add(
            "Onsite training day", code="TRN-1", unit="day", price=1_200_00, currency="USD"
        ),
        "yuan": products.add("维保升级包", unit="套", price=8_000_00, currency="CNY"),
    }
    return store, ids, made


def three_lines(store, deal_id, products):
    lines = LineStore(store)
    lines.add_line(deal_id, products["upkeep"], quantity_milli=2000)
    lines.add_line(
        deal_id,
        description="Data migration",
        quantity_milli=37_500,
        unit="h",
        unit_price=150_00,
        discount_kind=PERCENT,
        discount=1000,
    )
    lines.add_line(
        deal_id, description="Travel [b]costs[/b]", unit_price=800_00, discount_kind=AMOUNT, discount=50_00
    )
    return lines


async def open_deal(pilot, deal_id):
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DealScreen)
    assert pilot.app.screen.deal.id == deal_id


async def press(pilot, *keys):
    """Press keys one at a time, letting each settle; returns how many were pressed."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    return len(keys)


def described(store, deal_id):
    return [line.description for line in LineStore(store).lines_of(deal_id)]


async def test_a_line_from_a_product_takes_two_keys_besides_the_text(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        keys = await press(pilot, "ctrl+l")
        assert isinstance(pilot.app.screen, LinePickerScreen)
        await pilot.press(*"维保")  # the text: not counted
        await settle(pilot)
        keys += await press(pilot, "enter")
        assert keys == 2
        dialog = pilot.app.screen
        assert isinstance(dialog, DealScreen)  # back on the deal, the line on it
        [line] = LineStore(store).lines_of(deal_id)
        assert (line.product_id, line.description, line.unit) == (products["upkeep"], "年度维保合同", "年")
        assert (line.quantity_milli, line.unit_price, line.total) == (1000, 12_000_00, 12_000_00)
        assert store.deal(deal_id).amount == 12_000_00  # the typed $120,000 gave way to the sum
        amount = dialog.query_one("#amount-input", Input)
        assert (amount.value, amount.disabled) == ("12000.00", True)
        assert isinstance(pilot.app.focused, LinesTable)  # enter now edits the new line
        await press(pilot, "escape")  # nothing typed: closes at once, and the board reads again
        assert isinstance(pilot.app.screen, PipelineScreen)
        card = pilot.app.screen.board.focused_card
        assert (card.deal_id, card.amount) == (deal_id, 12_000_00)


async def test_the_first_match_is_the_choice_and_arrows_choose_another(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        await press(pilot, "ctrl+l")
        await pilot.press(*"trn")  # a code, in any case
        await settle(pilot)
        await press(pilot, "enter")
        await press(pilot, "ctrl+l")
        await pilot.press("-")  # every code: Onsite training day, 备件框架协议, 年度维保合同 (name order)
        await settle(pilot)
        picker = pilot.app.screen
        options = picker.query_one("#matches")
        assert "备件框架协议" in str(options.get_option_at_index(1).prompt)
        await press(pilot, "down")
        assert picker.query_one("#line-find-input", Input).value == "-"  # ↓ moved the choice, not the text
        await press(pilot, "enter")
    assert [line.product_id for line in LineStore(store).lines_of(deal_id)] == [
        products["training"],
        products["spares"],
    ]


async def test_typed_text_that_matches_no_product_is_a_free_text_line(catalogue):
    store, ids, _ = catalogue
    deal_id = ids[ERP]
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        await press(pilot, "ctrl+l")
        await pilot.press(*"Site survey")
        await settle(pilot)
        await press(pilot, "enter")
    [line] = LineStore(store).lines_of(deal_id)
    assert (line.description, line.product_id, line.unit_price, line.total) == ("Site survey", None, 0, 0)
    assert store.deal(deal_id).amount == 0


async def test_a_product_priced_in_another_currency_is_added_at_zero_and_says_so(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        await press(pilot, "ctrl+l")
        await pilot.press(*"升级")
        await settle(pilot)
        await press(pilot, "enter")
        assert any("priced in CNY" in message for message in messages(pilot.app))
    [line] = LineStore(store).lines_of(deal_id)
    assert (line.product_id, line.unit_price) == (products["yuan"], 0)


async def test_enter_with_nothing_typed_and_no_product_says_what_to_type(seeded):
    store, ids, _ = seeded
    deal_id = ids[ERP]
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        await press(pilot, "ctrl+l", "enter")
        picker = pilot.app.screen
        assert isinstance(picker, LinePickerScreen)
        assert "Type a product" in str(picker.query_one("#line-find-hint").content)
    assert described(store, deal_id) == []


async def test_editing_a_line_then_saving_the_deal(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    three_lines(store, deal_id, products)
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        await pilot.press(*"Send the quote")  # typed in the next step first: kept through the line edit
        pilot.app.screen.query_one(LinesTable).focus()
        await press(pilot, "down", "enter")  # the second line
        editor = pilot.app.screen
        assert isinstance(editor, LineScreen)
        assert editor.query_one("#quantity-input", Input).value == "37.5"
        assert editor.query_one("#discount-input", Input).value == "10%"
        editor.query_one("#quantity-input", Input).value = "40"
        editor.query_one("#discount-input", Input).value = "95折"
        await settle(pilot)
        assert "$5,700.00" in str(editor.query_one("#line-total").content)  # 40 x 150 less 5 %
        await press(pilot, "ctrl+s")
        dialog = pilot.app.screen
        assert isinstance(dialog, DealScreen)
        assert dialog.query_one("#amount-input", Input).value == "30450.00"
        assert dialog.query_one("#next_step-input", Input).value == "Send the quote"
        await press(pilot, "ctrl+s")  # the deal saves over its own line writes: not stale
        assert isinstance(pilot.app.screen, PipelineScreen)
    line = LineStore(store).lines_of(deal_id)[1]
    assert (line.quantity_milli, line.discount_kind, line.discount, line.total) == (
        40_000,
        PERCENT,
        500,
        5_700_00,
    )
    deal = store.deal(deal_id)
    assert (deal.amount, deal.next_step) == (24_000_00 + 5_700_00 + 750_00, "Send the quote")


async def test_a_wrong_field_in_a_line_is_named_and_nothing_is_written(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    three_lines(store, deal_id, products)
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        pilot.app.screen.query_one(LinesTable).focus()
        await press(pilot, "enter")
        editor = pilot.app.screen
        editor.query_one("#quantity-input", Input).value = "two"
        editor.query_one("#unit_price-input", Input).value = "1e999999999"  # a sentence, not a crash
        editor.query_one("#discount-input", Input).value = "120%"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is editor
        assert "not a quantity" in str(editor.query_one("#quantity-hint").content)
        assert "too large for a unit price" in str(editor.query_one("#unit_price-hint").content)
        assert "not a percent" in str(editor.query_one("#discount-hint").content)
    assert LineStore(store).lines_of(deal_id)[0].quantity_milli == 2000


async def test_lines_move_up_and_down_by_keys(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    three_lines(store, deal_id, products)
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        table = pilot.app.screen.query_one(LinesTable)
        table.focus()
        await press(pilot, "down", "down", "ctrl+up")
        assert described(store, deal_id) == ["年度维保合同", "Travel [b]costs[/b]", "Data migration"]
        assert table.cursor_row == 1  # the cursor goes with the line
        await press(pilot, "ctrl+up", "ctrl+up")  # the second is past the top: nothing
        assert described(store, deal_id) == ["Travel [b]costs[/b]", "年度维保合同", "Data migration"]
        await press(pilot, "alt+down")
        assert described(store, deal_id) == ["年度维保合同", "Travel [b]costs[/b]", "Data migration"]


async def test_a_line_removed_with_delete_and_put_back_with_ctrl_z(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    three_lines(store, deal_id, products)
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        pilot.app.screen.query_one(LinesTable).focus()
        await press(pilot, "down", "delete")
        assert described(store, deal_id) == ["年度维保合同", "Travel [b]costs[/b]"]
        assert store.deal(deal_id).amount == 24_000_00 + 750_00
        assert pilot.app.screen.query_one("#amount-input", Input).value == "24750.00"
        await press(pilot, "ctrl+z")
        assert described(store, deal_id) == ["年度维保合同", "Data migration", "Travel [b]costs[/b]"]
        assert store.deal(deal_id).amount == 29_812_50
        for _ in range(3):
            await press(pilot, "delete")
        assert described(store, deal_id) == []
        dialog = pilot.app.screen
        amount = dialog.query_one("#amount-input", Input)
        assert not amount.disabled  # no lines: the amount is typed again, from the last sum
        amount.value = "90000"
        await press(pilot, "ctrl+s")
        assert isinstance(pilot.app.screen, PipelineScreen)
    assert store.deal(deal_id).amount == 90_000_00


async def test_a_refused_line_write_keeps_the_picker_and_its_text_for_enter_again(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        await press(pilot, "ctrl+l")
        await pilot.press(*"维保")
        await settle(pilot)
        with refusing(store, LOCKED):
            await press(pilot, "enter")
            picker = pilot.app.screen
            assert isinstance(picker, LinePickerScreen)
            assert picker.query_one("#line-find-input", Input).value == "维保"
            assert any("another program is writing" in m for m in messages(pilot.app))
        await press(pilot, "enter")
        assert isinstance(pilot.app.screen, DealScreen)
    assert described(store, deal_id) == ["年度维保合同"]


async def test_a_refused_line_edit_keeps_what_was_typed(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    three_lines(store, deal_id, products)
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        pilot.app.screen.query_one(LinesTable).focus()
        await press(pilot, "enter")
        editor = pilot.app.screen
        editor.query_one("#quantity-input", Input).value = "3"
        with refusing(store, FULL):
            await press(pilot, "ctrl+s")
            assert pilot.app.screen is editor
            assert editor.query_one("#quantity-input", Input).value == "3"
        await press(pilot, "ctrl+s")
        assert isinstance(pilot.app.screen, DealScreen)
    assert LineStore(store).lines_of(deal_id)[0].quantity_milli == 3000


async def test_privacy_hides_the_money_of_the_lines(catalogue):
    store, ids, products = catalogue
    deal_id = ids[ERP]
    three_lines(store, deal_id, products)
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        pilot.app.privacy = True
        await settle(pilot)
        table = pilot.app.screen.query_one(LinesTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert "$12,000.00" not in " ".join(row) and "•••" in " ".join(row)
        assert "29,812" not in str(pilot.app.screen.query_one("#lines-sum").content)


class TestDealLines:
    def test_deal_dialog_with_three_lines(self, snap_compare, catalogue):
        store, ids, products = catalogue
        deal_id = ids[ERP]
        three_lines(store, deal_id, products)

        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            pilot.app.screen.board.focus_deal(deal_id)
            await pilot.press("enter")
            await settle(pilot)
            no_blink(pilot.app)
            await settle(pilot)

        assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


async def test_an_amount_past_any_number_is_refused_in_the_field_not_a_crash(seeded):
    store, ids, _ = seeded
    deal_id = ids[ERP]
    async with open_board(store, focus=deal_id) as pilot:
        await open_deal(pilot, deal_id)
        dialog = pilot.app.screen
        dialog.query_one("#amount-input", Input).value = "1e999999999"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is dialog
        assert "too large for an amount" in str(dialog.query_one("#amount-hint").content)
    assert store.deal(deal_id).amount == 120_000_00
