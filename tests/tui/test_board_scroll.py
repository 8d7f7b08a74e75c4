"""The board and the customer list on the small demo: what they show, and how they scroll."""

import pytest

from salesdesk.core import pipeline
from salesdesk.demo import write_demo
from salesdesk.store.board import ColumnSummary
from salesdesk.store.store import Store
from salesdesk.tui.widgets.board import _money
from salesdesk.tui.widgets.customer_list import CustomerList
from tests.conftest import START, FakeClock
from tests.tui.conftest import SIZE, make_app, open_board, settle


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    write_demo(path, "small", START, "ann")
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_file.read_bytes())
    store = Store.open(copy, "ann", FakeClock())
    yield store
    store.close()


def _column(board, kind_or_name):
    return next(c for c in board.columns if kind_or_name in (c.stage.kind, c.stage.name))


def _screen_text(column) -> str:
    return column.render().plain


async def test_lost_column_shown_on_demand_fills_its_height(demo):
    async with open_board(demo) as pilot:
        board = pilot.app.screen.board
        await pilot.press("L")
        await settle(pilot)
        lost = _column(board, pipeline.LOST)
        assert lost.count > lost.capacity > 1
        assert len(lost.cards) == lost.capacity
        assert f"↓ {lost.count - lost.capacity} more" in _screen_text(lost)


async def test_moving_down_scrolls_by_one_card_only_past_the_last_shown(demo):
    async with open_board(demo) as pilot:
        board = pilot.app.screen.board
        await pilot.press("L")
        await settle(pilot)
        await pilot.press(*["right"] * 6)
        lost = board.focused_column
        assert lost.stage.kind == pipeline.LOST
        for row in range(1, lost.capacity):
            await pilot.press("j")
            assert (board.focus_at.row, lost.top) == (row, 0)
            assert board.focused_card is not None
        await pilot.press("j")
        await settle(pilot)
        assert lost.top == 1
        assert board.focused_card is lost.cards[-1]
        assert "↑ 1 more" in _screen_text(lost)


async def test_hiding_lost_leaves_its_neighbour_unscrolled(demo):
    async with open_board(demo) as pilot:
        board = pilot.app.screen.board
        await pilot.press("L")
        await settle(pilot)
        await pilot.press(*["right"] * 6)
        lost = board.focused_column
        shown = lost.capacity
        await pilot.press(*["j"] * (shown + 1))  # one card past the first page
        await settle(pilot)
        assert lost.top == 2
        await pilot.press("L")
        await settle(pilot)
        paid = board.focused_column
        assert paid.stage.name == "Paid"
        assert paid.top == 0
        assert board.focus_at.row == shown - 1  # the same place on screen
        assert "↑" not in _screen_text(paid)


async def test_a_column_scrolls_back_when_a_taller_terminal_gives_it_room(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        board = app.screen.board
        await pilot.press(*["right"] * 5, "end")
        paid = board.focused_column
        assert paid.stage.name == "Paid" and paid.top > 0
        await pilot.resize_terminal(SIZE[0], max(100, 6 * paid.count + 20))  # room for every card
        await settle(pilot)
        await settle(pilot)
        assert paid.capacity >= paid.count
        assert paid.top == 0
        assert len(paid.cards) == paid.count
        assert "↑" not in _screen_text(paid)


async def test_card_titles_and_lost_reasons_are_readable(demo):
    async with open_board(demo) as pilot:
        board = pilot.app.screen.board
        await pilot.press("L")
        await settle(pilot)
        qualified = _screen_text(_column(board, "Qualified"))
        # "Office furniture refit" on two lines, not "Office furnitu…"
        assert "Office furniture refit" in " ".join(qualified.replace("▌", "").split())
        lost = _column(board, pipeline.LOST)
        reasons = {card.lost_reason for card in lost.cards}
        assert "" not in reasons
        text = _screen_text(lost)
        assert "no follow-up" not in text
        assert any(f"✗ {reason[:8]}" in text for reason in reasons)


async def test_column_count_is_never_cut(demo):
    async with open_board(demo) as pilot:
        board = pilot.app.screen.board
        await pilot.press("L")
        await settle(pilot)
        column = _column(board, "Qualified")
        column.summary = ColumnSummary(column.stage, 2_947, {"USD": 1}, {})
        first_line = _screen_text(column).splitlines()[0]
        assert first_line.rstrip().endswith("2,947")


def test_currencies_in_a_fixed_order_the_default_first():
    assert _money({"CNY": 50_000_000, "USD": 100}, "USD") == "$1 ¥500k"
    assert _money({"USD": 100, "CNY": 50_000_000}, "USD") == "$1 ¥500k"
    assert _money({"EUR": 100, "CNY": 100, "USD": 100}, "EUR") == "€1 ¥1 $1"


async def test_board_totals_put_the_default_currency_first(demo):
    async with open_board(demo) as pilot:
        board = pilot.app.screen.board
        lead = _column(board, "Lead")
        assert set(lead.summary.totals) == {"USD", "CNY"}
        totals_line = _screen_text(lead).splitlines()[1].strip()
        assert totals_line.startswith("$")


async def test_customer_list_sorted_by_value_starts_at_its_top_and_marks_the_rest(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        listing = app.screen.query_one(CustomerList)
        await pilot.press("end")  # the last customer by name
        await settle(pilot)
        assert listing.top > 0
        text = listing.render().plain
        assert f"↑ {listing.top} more above" in text
        await pilot.press("o", "o")  # by last contact, then by value
        await settle(pilot)
        assert listing.filter.sort == "value"
        if listing.cursor < listing.capacity:
            assert listing.top == 0
        text = listing.render().plain
        below = listing.total - listing.top - listing.capacity
        assert f"↓ {below} more below" in text
        assert ("↑" in text) == (listing.top > 0)
